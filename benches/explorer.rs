//! Explorer benchmarks (issue 4), run with `cargo bench --bench explorer`.
//!
//! On a 100,000-resource synthetic organization, drawing on ratatui's
//! TestBackend (200×50):
//! - the first frame after the data is loaded (target < 300 ms)
//! - keystroke to next frame on the list of every resource, 100,000 rows
//!   (target p99 < 16 ms)
//! - the fuzzy finder, per keystroke over every node (target < 50 ms)
//! - the explorer's memory against the graph's (target within 1.5×)

use std::time::Instant;

use peak_alloc::PeakAlloc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skyhound::app::data::Data;
use skyhound::app::keymap::Keymap;
use skyhound::app::{App, Event, View};
use skyhound::theme::Theme;

#[global_allocator]
static ALLOCATED: PeakAlloc = PeakAlloc;

fn press(app: &mut App, code: KeyCode) {
    app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let resources: usize = std::env::var("SKYHOUND_BENCH_RESOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let base = ALLOCATED.current_usage();
    let graph = skyhound::graph::Graph::build(
        skyhound::source::synth::nodes(resources, 1),
        Default::default(),
    );
    let graph_bytes = ALLOCATED.current_usage().saturating_sub(base) as f64;

    let theme = Theme::load("dark", None, false).expect("theme");
    let mut app = App::new(
        "synthetic".into(),
        theme,
        Keymap::default(),
        chrono::Utc::now(),
    );
    app.update(Event::Resize(200, 50));
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");

    // As the explorer does it: show what is loaded, analyse in the background.
    let t = Instant::now();
    let data = Data::loaded(graph, Vec::new());
    let shared = data.graph.clone();
    app.update(Event::Loaded(Ok(Box::new(data))));
    terminal
        .draw(|f| skyhound::ui::draw(f, &app))
        .expect("draw");
    let first = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "first frame after load         {:>7.1} ms   (finder index, overview, draw; target < 300 ms)",
        first
    );
    // As the explorer's loader does: exposure and posture first, then the
    // identity analyses.
    let t = Instant::now();
    let network = skyhound::analysis::analyse_network(&shared);
    app.update(Event::NetworkAnalysed {
        generation: 0,
        analysis: Box::new(network.clone()),
    });
    terminal
        .draw(|f| skyhound::ui::draw(f, &app))
        .expect("draw");
    println!(
        "exposure shown after load      {:>7.1} ms   (background analysis, then a frame; the screen answers meanwhile)",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let analysis = skyhound::analysis::with_identity(&shared, network);
    drop(shared);
    app.update(Event::Analysed {
        generation: 0,
        analysis: Box::new(analysis),
    });
    terminal
        .draw(|f| skyhound::ui::draw(f, &app))
        .expect("draw");
    println!(
        "identity shown after load      {:>7.1} ms   (admins, trust, escalation after exposure)",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let all_bytes = ALLOCATED.current_usage().saturating_sub(base) as f64;

    // The list of every resource.
    let t = Instant::now();
    press(&mut app, KeyCode::Char(':'));
    for c in "all".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    terminal
        .draw(|f| skyhound::ui::draw(f, &app))
        .expect("draw");
    let rows = match app.view() {
        View::List(l) => l.rows.len(),
        _ => 0,
    };
    println!(
        "open the list of {rows} rows      {:>7.1} ms   (once, when the list opens)",
        t.elapsed().as_secs_f64() * 1000.0
    );

    let mut keys: Vec<KeyCode> = Vec::new();
    keys.extend(std::iter::repeat_n(KeyCode::Down, 300));
    keys.extend(std::iter::repeat_n(KeyCode::PageDown, 100));
    keys.extend(std::iter::repeat_n(KeyCode::Up, 100));
    keys.extend(std::iter::repeat_n(KeyCode::PageUp, 50));
    keys.extend([KeyCode::End, KeyCode::Home, KeyCode::End, KeyCode::Home]);
    let mut times = Vec::new();
    for k in keys {
        let t = Instant::now();
        press(&mut app, k);
        terminal
            .draw(|f| skyhound::ui::draw(f, &app))
            .expect("draw");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let n = times.len();
    let p50 = percentile(&mut times, 0.5);
    let p99 = percentile(&mut times, 0.99);
    println!(
        "keystroke to frame, {rows} rows  p50 {p50:>6.2} ms  p99 {p99:>6.2} ms  ({n} navigation keys; target p99 < 16 ms)"
    );

    // Filtering and sorting recompute the rows: measured apart.
    let mut filter_times = Vec::new();
    press(&mut app, KeyCode::Char('/'));
    for c in "host-1".chars() {
        let t = Instant::now();
        press(&mut app, KeyCode::Char(c));
        terminal
            .draw(|f| skyhound::ui::draw(f, &app))
            .expect("draw");
        filter_times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    press(&mut app, KeyCode::Esc);
    let worst_filter = filter_times.iter().copied().fold(0.0, f64::max);
    println!(
        "filter keystroke, {rows} rows    worst {worst_filter:>6.1} ms  ({} keys)",
        filter_times.len()
    );
    // Sorting a long list: the keystroke's frame comes at once ("sorting…"),
    // the sorted rows when the background job is done.
    let mut frames = Vec::new();
    let mut jobs = Vec::new();
    for _ in 0..6 {
        let t = Instant::now();
        let effects = app.update(Event::Key(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::NONE,
        )));
        terminal
            .draw(|f| skyhound::ui::draw(f, &app))
            .expect("draw");
        frames.push(format!("{:.1}", t.elapsed().as_secs_f64() * 1000.0));
        for e in effects {
            if let skyhound::app::Effect::Sort(job) = e {
                let t = Instant::now();
                let done = job.run();
                app.update(done);
                terminal
                    .draw(|f| skyhound::ui::draw(f, &app))
                    .expect("draw");
                jobs.push(format!("{:.0}", t.elapsed().as_secs_f64() * 1000.0));
            }
        }
    }
    println!("sort keystroke to frame (ms)     {}", frames.join(", "));
    println!("background sort, each column (ms) {}", jobs.join(", "));

    // The finder over every node.
    press(&mut app, KeyCode::Char('f'));
    let mut finder = Vec::new();
    for c in "host-12-3".chars() {
        let t = Instant::now();
        press(&mut app, KeyCode::Char(c));
        terminal
            .draw(|f| skyhound::ui::draw(f, &app))
            .expect("draw");
        finder.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let worst = finder.iter().copied().fold(0.0, f64::max);
    let first_key = finder[0];
    println!(
        "finder keystroke, every node     worst {worst:>6.1} ms  first {first_key:>6.1} ms  ({} keys; target < 50 ms)",
        finder.len()
    );

    let mb = |b: f64| b / (1024.0 * 1024.0);
    println!(
        "memory: graph {:.1} MB; graph + explorer data {:.1} MB ({:.2}× the graph; target within 1.5×)",
        mb(graph_bytes),
        mb(all_bytes),
        all_bytes / graph_bytes
    );
}
