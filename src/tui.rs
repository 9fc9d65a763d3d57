//! The terminal: entering and leaving full-screen mode (also on error and
//! panic), the event loop, and carrying out the app's effects.
//!
//! Input is read on its own thread and loading runs on a blocking task;
//! both send events to the one loop that applies them, so the screen keeps
//! answering while data loads.

use std::io::{Write, stdout};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent,
};
use ratatui::crossterm::execute;
use tokio::sync::mpsc;

use crate::app::data::Data;
use crate::app::export::Export;
use crate::app::{App, Effect, Event, Message};
use crate::load::{Source, load};
use crate::source::import::ImportOptions;

/// Leaves full-screen mode when dropped, whatever happened.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = execute!(stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// Run the explorer until the user quits.
pub async fn run(
    mut app: App,
    source: Source,
    opts: ImportOptions,
    export_dir: PathBuf,
) -> anyhow::Result<Option<i32>> {
    // A signal ends the explorer like `q` does, so the terminal is given
    // back (raw mode off, main screen, mouse and cursor restored); the
    // caller exits with 128 + the signal's number.
    let (sig_tx, mut signalled) = mpsc::unbounded_channel::<i32>();
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])?;
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = sig_tx.send(sig);
            }
        });
    }
    // ratatui::init enters raw mode and the alternate screen, and installs a
    // panic hook that restores the terminal before the panic is printed.
    let mut terminal = ratatui::init();
    let _restore = Restore;
    execute!(stdout(), EnableMouseCapture)?;
    let size = terminal.size()?;
    app.update(Event::Resize(size.width, size.height));

    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    spawn_input(tx.clone());
    let loader = tx.clone();
    // Every build of the data takes the next generation; the final one is
    // taken last, so no partial build can be newer.
    let generations = Arc::new(AtomicU64::new(1));
    // Live data's options, for reading CloudTrail's event history later.
    let live = match &source {
        Source::Live(opts) => Some(opts.clone()),
        _ => None,
    };
    app.live = live.is_some();
    if let Source::Live(opts) = source {
        let partial_generations = generations.clone();
        // Collect in the background; progress shows in the header.
        let (ptx, mut prx) = mpsc::unbounded_channel();
        let progress = tx.clone();
        tokio::spawn(async move {
            // What has arrived so far, by account, region first-come.
            let mut gathered: Gathered = Default::default();
            let mut gaps = Vec::new();
            let mut last_build = std::time::Instant::now() - Duration::from_secs(10);
            while let Some(p) = prx.recv().await {
                if let crate::source::collect::Progress::Gap(g) = &p {
                    gaps.push(g.clone());
                }
                if let crate::source::collect::Progress::Collected {
                    account,
                    region,
                    folder,
                } = &p
                {
                    gathered
                        .entry(account.clone())
                        .or_default()
                        .push((region.clone(), folder.clone()));
                    // Rebuild at most twice a second; the final result follows anyway.
                    if last_build.elapsed() > Duration::from_millis(500) {
                        last_build = std::time::Instant::now();
                        // The folders are shared, not copied.
                        let snapshot = gathered.clone();
                        let gaps = gaps.clone();
                        let sender = progress.clone();
                        let generation = partial_generations.fetch_add(1, Ordering::SeqCst);
                        tokio::task::spawn_blocking(move || {
                            let mut data = partial_data(snapshot, gaps);
                            data.generation = generation;
                            let _ = sender.send(Event::Partial(Box::new(data)));
                        });
                    }
                }
                if progress.send(Event::Collecting(p)).is_err() {
                    break;
                }
            }
        });
        tokio::spawn(async move {
            let result = crate::load::collect(&opts, Some(ptx)).await;
            let loaded = result.map(|(l, _)| l).map_err(|e| e.to_string());
            match loaded {
                Ok(l) => {
                    let mut problems = l.problems;
                    problems.extend(l.warnings);
                    let generation = generations.fetch_add(1, Ordering::SeqCst);
                    let data = tokio::task::spawn_blocking(move || {
                        let mut d = Data::loaded(l.graph, problems);
                        d.generation = generation;
                        Box::new(d)
                    })
                    .await;
                    match data {
                        Ok(d) => {
                            let graph = d.graph.clone();
                            let _ = loader.send(Event::Loaded(Ok(d)));
                            let loader = loader.clone();
                            let _ = tokio::task::spawn_blocking(move || {
                                analyse_in_stages(&graph, generation, &loader)
                            })
                            .await;
                        }
                        Err(e) => {
                            let _ = loader.send(Event::Loaded(Err(e.to_string())));
                        }
                    }
                }
                Err(e) => {
                    let _ = loader.send(Event::Loaded(Err(e)));
                }
            }
        });
    } else {
        spawn_load(loader, source, opts);
    }
    let ticker = tx.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_millis(250));
        loop {
            interval.tick().await;
            if ticker.send(Event::Tick(chrono::Utc::now())).is_err() {
                break;
            }
        }
    });

    terminal.draw(|f| crate::ui::draw(f, &app))?;
    loop {
        let ev = tokio::select! {
            ev = rx.recv() => match ev {
                Some(ev) => ev,
                None => break,
            },
            Some(sig) = signalled.recv() => return Ok(Some(sig)),
        };
        let mut effects = app.update(ev);
        // Apply whatever else already arrived before drawing once.
        while let Ok(more) = rx.try_recv() {
            effects.extend(app.update(more));
        }
        for effect in effects {
            match effect {
                Effect::Quit => return Ok(None),
                Effect::Copy(text) => copy(&text),
                Effect::Sort(job) => {
                    let back = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let _ = back.send(job.run());
                    });
                }
                Effect::LoadTheme { name, monochrome } => {
                    let theme = crate::theme::Theme::load(
                        &name,
                        crate::config::config_dir().as_deref(),
                        monochrome,
                    )
                    .map_err(|e| e.to_string());
                    let _ = tx.send(Event::ThemeLoaded(theme));
                }
                Effect::History(request) => {
                    let back = tx.clone();
                    match live.clone() {
                        Some(opts) => {
                            tokio::spawn(async move {
                                let found = crate::source::collect::history::history(
                                    &opts,
                                    &request.place,
                                    &request.lookups,
                                    request.days,
                                )
                                .await;
                                let _ = back.send(Event::HistoryRead {
                                    resource: request.resource,
                                    history: Box::new(found),
                                });
                            });
                        }
                        None => {
                            let found = crate::source::collect::history::History {
                                gaps: vec!["the data is not live".to_string()],
                                ..Default::default()
                            };
                            let _ = back.send(Event::HistoryRead {
                                resource: request.resource,
                                history: Box::new(found),
                            });
                        }
                    }
                }
                Effect::Export(doc) => {
                    let said = match write_export(&export_dir, &doc) {
                        Ok((md, json)) => Message::info(if json.with_extension("md") == md {
                            format!("exported {} and its .json", md.display())
                        } else {
                            format!("exported {} and {}", md.display(), json.display())
                        }),
                        Err(e) => Message::error(format!("export failed: {e}")),
                    };
                    let _ = tx.send(Event::Said(said));
                }
            }
        }
        if app.quit {
            return Ok(None);
        }
        terminal.draw(|f| crate::ui::draw(f, &app))?;
    }
    Ok(None)
}

/// What live collection has sent so far: by account, each region's answers
/// (`None`: the account's global ones), in the order they came.
type Gathered = std::collections::BTreeMap<
    String,
    Vec<(
        Option<String>,
        Arc<crate::source::import::read::MemoryFolder>,
    )>,
>;

/// Build and analyse what live collection has gathered so far.
fn partial_data(gathered: Gathered, gaps: Vec<crate::model::Gap>) -> Data {
    let accounts = gathered
        .into_iter()
        .map(|(account, parts)| {
            // Regions as they came; the global answers join the first one.
            let mut regions = Vec::new();
            let mut global = None;
            for (region, folder) in parts {
                match region {
                    Some(r) => regions.push((r, folder)),
                    None => global = Some(folder),
                }
            }
            crate::source::collect::memory_account(account, regions, global, "us-east-1")
        })
        .collect();
    let imported = crate::source::import::import_partial(
        accounts,
        gaps,
        "live (collecting)".to_string(),
        chrono::Utc::now(),
    );
    Data::build(imported.graph, Vec::new())
}

/// Load a file, folder or the demo on a blocking thread, then analyse.
fn spawn_load(loader: mpsc::UnboundedSender<Event>, source: Source, opts: ImportOptions) {
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let result = load(&source, &opts)
            .map(|loaded| {
                let mut problems = loaded.problems;
                problems.extend(loaded.warnings);
                for p in &problems {
                    tracing::warn!("{p}");
                }
                Box::new(Data::loaded(loaded.graph, problems))
            })
            .map_err(|e| e.to_string());
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "data loaded"
        );
        // Show what is loaded at once; the analysis follows.
        let graph = result
            .as_ref()
            .ok()
            .map(|d| (d.graph.clone(), d.generation));
        let _ = loader.send(Event::Loaded(result));
        if let Some((graph, generation)) = graph {
            analyse_in_stages(&graph, generation, &loader);
        }
    });
}

/// Analyse a graph and send the answers as they come: exposure and posture
/// first (quick), then everything with the identity analyses.
fn analyse_in_stages(
    graph: &crate::graph::Graph,
    generation: crate::app::data::Generation,
    loader: &mpsc::UnboundedSender<Event>,
) {
    let started = std::time::Instant::now();
    let first = crate::analysis::analyse_network(graph);
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        exposures = first.exposures.len(),
        findings = first.findings.len(),
        "exposure and posture analysed"
    );
    if loader
        .send(Event::NetworkAnalysed {
            generation,
            analysis: Box::new(first.clone()),
        })
        .is_err()
    {
        return;
    }
    let analysis = crate::analysis::with_identity(graph, first);
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        findings = analysis.findings.len(),
        "analysed"
    );
    let _ = loader.send(Event::Analysed {
        generation,
        analysis: Box::new(analysis),
    });
}

/// Read terminal events on a thread of their own.
fn spawn_input(tx: mpsc::UnboundedSender<Event>) {
    std::thread::spawn(move || {
        loop {
            match event::poll(Duration::from_millis(200)) {
                Ok(true) => {
                    let ev = match event::read() {
                        Ok(TermEvent::Key(k)) if k.kind != event::KeyEventKind::Release => {
                            Event::Key(k)
                        }
                        Ok(TermEvent::Mouse(m)) => Event::Mouse(m),
                        Ok(TermEvent::Resize(w, h)) => Event::Resize(w, h),
                        Ok(_) => continue,
                        Err(e) => {
                            tracing::error!("reading the terminal: {e}");
                            break;
                        }
                    };
                    if tx.send(ev).is_err() {
                        break;
                    }
                }
                Ok(false) => {
                    if tx.is_closed() {
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!("polling the terminal: {e}");
                    break;
                }
            }
        }
    });
}

/// Put text on the clipboard with OSC 52, which terminals (and tmux with
/// `set-clipboard on`) pass to the local clipboard, over SSH too.
fn copy(text: &str) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

/// Write an export's two files atomically; returns their paths.
pub fn write_export(dir: &Path, doc: &Export) -> std::io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let md = dir.join(format!("{}.md", doc.stem));
    let json = dir.join(format!("{}.json", doc.stem));
    for (path, text) in [(&md, &doc.markdown), (&json, &doc.json)] {
        crate::files::write_atomically(path, |out| out.write_all(text.as_bytes()))?;
    }
    Ok((md, json))
}
