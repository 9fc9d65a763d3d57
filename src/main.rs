//! skyhound's command-line entry point: parse, set up logging, dispatch.

mod cli;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

use cli::{ChecksFormat, Cli, Command, Input};
use skyhound::analysis::checks::internet;
use skyhound::graph::snapshot;
use skyhound::load::{Loaded, Source, load};
use skyhound::model::Severity;
use skyhound::model::network::Protocol;
use skyhound::report;
use skyhound::source::collect::{CollectOptions, Progress, Stats};
use skyhound::source::import::ImportOptions;

/// A line on stderr, inert: gap reasons and file names come from outside.
macro_rules! say {
    ($($arg:tt)*) => {
        say_line(&format!($($arg)*))
    };
}

fn say_line(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", skyhound::text::inert_text(line));
}

/// Clap's message for a bad command line, on one line as every other
/// error: what was wrong, then the usage line.
fn one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut what = Vec::new();
    let mut usage = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
        } else if !line.starts_with("For more information") {
            what.push(line.trim_start_matches("error: ").to_string());
        }
    }
    let usage = usage
        .map(|u| format!(" (usage: {u}; --help says more)"))
        .unwrap_or_default();
    format!("skyhound: {}{usage}", what.join(" "))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: clap prints them as it should.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            say_line(&one_line(&e));
            return ExitCode::from(2);
        }
    };
    let _log = init_logging();
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`| head`): stop quietly, as other tools do.
        Err(e) if e.is::<ClosedPipe>() => ExitCode::SUCCESS,
        Err(e) => {
            say!("skyhound: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Standard output was closed by its reader.
#[derive(Debug, thiserror::Error)]
#[error("standard output closed")]
struct ClosedPipe;

/// Write to standard output; a closed pipe becomes `ClosedPipe`.
fn write_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ClosedPipe.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to standard output")),
    }
}

/// A text report, inert: names, tags and descriptions come from outside.
fn print_text(text: &str) -> Result<()> {
    write_out(&skyhound::text::inert_text(text))
}

/// Log to a file in the platform's data directory (never to the terminal).
/// `SKYHOUND_LOG` sets the filter (default `skyhound=info`).
fn init_logging() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "skyhound")?;
    let dir = dirs.data_local_dir().to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("skyhound.log");
    let file = skyhound::logging::open(&path).ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SKYHOUND_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("skyhound=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(skyhound::logging::Redacting(file)))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}

fn source(input: &Input) -> Result<Source> {
    match (&input.from, input.demo) {
        (Some(p), _) => Ok(Source::Path(p.clone())),
        (None, true) => Ok(Source::Demo),
        // Neither: collect from AWS with the CLI's credentials.
        (None, false) => Ok(Source::Live(collect_options(input))),
    }
}

fn collect_options(input: &Input) -> CollectOptions {
    CollectOptions {
        profile: input.profile.clone(),
        regions: input.region.clone(),
        endpoint_url: input.endpoint_url.clone(),
        org_role: input.org_role.clone(),
        role_arns: input.role_arn.clone(),
        external_id: input.external_id.clone(),
        concurrency: input.concurrency,
        include_archived_findings: input.archived_findings,
        ..CollectOptions::default()
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Collect live, printing progress on stderr.
fn collect_live(opts: &CollectOptions) -> Result<(Loaded, Stats)> {
    let rt = runtime()?;
    rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
        let printer = tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                match p {
                    Progress::Account { account } => {
                        say!("skyhound: collecting account {account}")
                    }
                    Progress::Finished {
                        account,
                        region,
                        service,
                        ..
                    } => {
                        say!(
                            "skyhound:   {account} {} {service} done",
                            region.as_deref().unwrap_or("global")
                        )
                    }
                    Progress::Gap(g) => say!("skyhound:   gap: {g}"),
                    Progress::Started { .. } | Progress::Collected { .. } => {}
                }
            }
        });
        // A signal stops the collection (see `stop_cleanly_on_signals`):
        // nothing is written until it has finished.
        let result = skyhound::load::collect(opts, Some(tx)).await;
        let _ = printer.await;
        Ok(result?)
    })
}

/// Whether a result's region is among those the user named with
/// `--region` (all when none; global resources always).
fn in_regions(input: &Input, region: Option<&str>) -> bool {
    input.region.is_empty() || region.is_none_or(|r| input.region.iter().any(|x| x == r))
}

/// A `--region` that names no region of the data is refused with the
/// choices, so a filter that matches nothing never reads as "nothing open".
fn check_regions(input: &Input, graph: &skyhound::graph::Graph) -> Result<()> {
    for r in &input.region {
        graph.resolve_region(r).map_err(anyhow::Error::msg)?;
    }
    Ok(())
}

fn open(input: &Input) -> Result<Loaded> {
    let src = source(input)?;
    let opts = ImportOptions {
        region: input.region.first().cloned(),
    };
    let loaded = match &src {
        Source::Live(o) => collect_live(o)?.0,
        _ => load(&src, &opts)?,
    };
    for p in &loaded.problems {
        say!("skyhound: skipped {p}");
    }
    for w in &loaded.warnings {
        say!("skyhound: warning: {w}");
    }
    // Live collection reads just the regions named; a file or the demo
    // holds what it holds, and a region it lacks is refused.
    if !matches!(src, Source::Live(_)) {
        check_regions(input, &loaded.graph)?;
    }
    tracing::info!(resources = loaded.graph.len(), source = %loaded.graph.collection().source, "loaded");
    Ok(loaded)
}

/// The one resource a person named, or a clear error.
fn resolve_one(g: &skyhound::graph::Graph, text: &str) -> Result<skyhound::graph::NodeId> {
    let found = g.resolve(text);
    match found.as_slice() {
        [one] => Ok(*one),
        [] => bail!("no resource has the id, ARN or name {text:?}"),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|id| format!("{} {}", g.node(*id).kind(), g.node(*id).id))
                .collect();
            bail!(
                "{text:?} names {} resources; use an id or ARN: {}",
                many.len(),
                list.join(", ")
            )
        }
    }
}

/// A resource named by id, ARN or name; where the name is shared (a role
/// and its instance profile), the one kind the command applies to.
fn resolve_start(
    g: &skyhound::graph::Graph,
    text: &str,
    applies: fn(skyhound::model::NodeKind) -> bool,
) -> Result<skyhound::graph::NodeId> {
    let found = g.resolve(text);
    let fitting: Vec<skyhound::graph::NodeId> = found
        .iter()
        .copied()
        .filter(|id| applies(g.node(*id).kind()))
        .collect();
    match (found.len(), fitting.as_slice()) {
        (2.., [one]) => Ok(*one),
        _ => resolve_one(g, text),
    }
}

/// A user or role named by ARN, name or id; other kinds sharing the name
/// (an instance profile named as its role) are passed over.
fn resolve_principal(g: &skyhound::graph::Graph, text: &str) -> Result<skyhound::graph::NodeId> {
    use skyhound::model::NodeKind;
    let found: Vec<skyhound::graph::NodeId> = g
        .resolve(text)
        .into_iter()
        .filter(|id| matches!(g.node(*id).kind(), NodeKind::IamUser | NodeKind::IamRole))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => bail!("no IAM user or role has the ARN, name or id {text:?}"),
        many => bail!(
            "{text:?} names {} principals; use an ARN: {}",
            many.len(),
            many.iter()
                .map(|id| g.node(*id).id.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// JSON, exact (serde escapes control characters).
fn print_json(value: &serde_json::Value) -> Result<()> {
    write_out(&format!("{}\n", serde_json::to_string_pretty(value)?))
}

/// Open the explorer on the terminal.
fn explore(input: &Input) -> Result<Option<i32>> {
    let source = source(input)?;
    let config_dir = skyhound::config::config_dir();
    let config = skyhound::config::load(config_dir.as_deref()).map_err(anyhow::Error::msg)?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme_name = input
        .theme
        .clone()
        .or(config.theme.clone())
        .unwrap_or_else(|| "dark".to_string());
    let theme = skyhound::theme::Theme::load(&theme_name, config_dir.as_deref(), no_color)?;
    let keymap = skyhound::app::keymap::Keymap::with_overrides(&config.keys)
        .map_err(|e| anyhow::anyhow!("config file: {e}"))?;
    let label = match &source {
        Source::Demo => "demo".to_string(),
        Source::Path(p) => p.display().to_string(),
        Source::Live(o) => o
            .profile
            .as_ref()
            .map(|p| format!("live (profile {p})"))
            .unwrap_or_else(|| "live".to_string()),
    };
    let app = skyhound::app::App::new(label, theme, keymap, chrono::Utc::now());
    let export_dir = config
        .export_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let opts = ImportOptions {
        region: input.region.first().cloned(),
    };
    runtime()?.block_on(skyhound::tui::run(app, source, opts, export_dir))
}

/// Commands that write files: a signal that would stop them removes the
/// temporary file being written and says so, so nothing half-written is
/// left behind (the file named is written whole, or not at all).
fn stop_cleanly_on_signals() -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
        .context("cannot watch for signals")?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            skyhound::files::remove_pending();
            let name = match sig {
                SIGINT => "Ctrl-C",
                SIGTERM => "SIGTERM",
                SIGHUP => "SIGHUP",
                _ => "SIGQUIT",
            };
            say!("skyhound: interrupted by {name}: stopped, nothing written");
            std::process::exit(128 + sig);
        }
    });
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    // A theme named on any command must exist, even where nothing is drawn.
    if let Some(name) = &cli.input.theme {
        skyhound::theme::Theme::load(name, skyhound::config::config_dir().as_deref(), false)?;
    }
    if matches!(
        cli.command,
        Some(Command::Collect { .. } | Command::Export { .. } | Command::Synth { .. })
    ) {
        stop_cleanly_on_signals()?;
    }
    match cli.command {
        None if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() => {
            if let Some(sig) = explore(&cli.input)? {
                // 128 + the signal, as shells report a program it stopped.
                return Ok(ExitCode::from(u8::try_from(128 + sig).unwrap_or(u8::MAX)));
            }
        }
        None | Some(Command::Summary { json: false }) => {
            let loaded = open(&cli.input)?;
            print_text(&report::summary_text(&loaded.graph))?;
        }
        Some(Command::Summary { json: true }) => {
            let loaded = open(&cli.input)?;
            print_json(&report::summary_json(&loaded.graph))?;
        }
        Some(Command::Show { resource, json }) => {
            let loaded = open(&cli.input)?;
            let g = &loaded.graph;
            let id = resolve_one(g, &resource)?;
            if json {
                print_json(&report::show_json(g, id))?;
            } else {
                print_text(&report::show_text(g, id))?;
            }
        }
        Some(Command::Can {
            principal,
            action,
            resource,
            context,
            json,
        }) => {
            let loaded = open(&cli.input)?;
            let g = &loaded.graph;
            let who = resolve_principal(g, &principal)?;
            if !action.contains(':') {
                bail!("the action {action:?} is not service:Name (such as s3:GetObject)");
            }
            let context: Vec<(String, String)> = context
                .iter()
                .map(|kv| {
                    kv.split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .ok_or_else(|| {
                            anyhow::anyhow!("--context {kv:?} is not KEY=VALUE (such as aws:MultiFactorAuthPresent=true)")
                        })
                })
                .collect::<Result<_>>()?;
            let mut engine = skyhound::analysis::iam::Engine::new(g);
            let answer = engine.decide(&skyhound::analysis::iam::Request {
                principal: who,
                action: &action,
                resource: &resource,
                context: &context,
            });
            for p in &engine.problems {
                say!("skyhound: policy problem: {p}");
            }
            if json {
                print_json(&serde_json::to_value(&answer)?)?;
            } else {
                print_text(&report::can_text(&answer))?;
            }
        }
        Some(Command::WhoCan {
            action,
            resource,
            json,
        }) => {
            if !action.contains(':') {
                bail!("the action {action:?} is not service:Name (such as s3:GetObject)");
            }
            let loaded = open(&cli.input)?;
            let mut engine = skyhound::analysis::iam::Engine::new(&loaded.graph);
            let answers = engine.who_can(&action, &resource);
            if json {
                let list: Vec<serde_json::Value> = answers
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "principal": a.principal, "decision": a.decision,
                            "evidence": a.evidence, "conditions": a.conditions,
                        })
                    })
                    .collect();
                print_json(&serde_json::Value::Array(list))?;
            } else {
                print_text(&report::who_can_text(&action, &resource, &answers))?;
            }
        }
        Some(Command::Trust { json }) => {
            let loaded = open(&cli.input)?;
            let mut engine = skyhound::analysis::iam::Engine::new(&loaded.graph);
            let trusts = engine.trusts();
            if json {
                print_json(&serde_json::to_value(&trusts)?)?;
            } else {
                print_text(&report::trust_text(&trusts))?;
            }
        }
        Some(Command::Admins { json }) => {
            let loaded = open(&cli.input)?;
            let mut engine = skyhound::analysis::iam::Engine::new(&loaded.graph);
            let admins = engine.admins();
            for p in &engine.problems {
                say!("skyhound: policy problem: {p}");
            }
            if json {
                print_json(&serde_json::to_value(&admins)?)?;
            } else {
                print_text(&report::admins_text(&admins))?;
            }
        }
        Some(Command::Permissions {
            principal,
            service,
            json,
        }) => {
            let loaded = open(&cli.input)?;
            let g = &loaded.graph;
            let who = resolve_principal(g, &principal)?;
            if let Some(s) = &service {
                if skyhound::analysis::iam::catalogue::get()
                    .service(s)
                    .is_none()
                {
                    bail!("no AWS service has the prefix {s:?} (such as s3, iam, ec2)");
                }
            }
            let mut engine = skyhound::analysis::iam::Engine::new(g);
            let mut found = engine.permissions(who);
            if let Some(s) = &service {
                found.retain(|p| p.service.eq_ignore_ascii_case(s));
            }
            if json {
                print_json(&serde_json::to_value(&found)?)?;
            } else {
                print_text(&report::permissions_text(&g.node(who).id, &found))?;
            }
        }
        Some(Command::Escalation { principal, json }) => {
            let loaded = open(&cli.input)?;
            let g = &loaded.graph;
            let only = principal
                .as_deref()
                .map(|p| resolve_principal(g, p))
                .transpose()?;
            let mut engine = skyhound::analysis::iam::Engine::new(g);
            let found = engine.escalations(only);
            for p in &engine.problems {
                say!("skyhound: policy problem: {p}");
            }
            if json {
                print_json(&serde_json::to_value(&found)?)?;
            } else {
                print_text(&report::escalation_text(&found))?;
            }
        }
        Some(Command::BlastRadius {
            resource,
            depth,
            json,
        }) => {
            let loaded = open(&cli.input)?;
            let g = &loaded.graph;
            let id = resolve_start(g, &resource, skyhound::analysis::blast::applies)?;
            let mut engine = skyhound::analysis::iam::Engine::new(g);
            let mut network = skyhound::analysis::blast::network::Search::new(g);
            let limits = skyhound::analysis::blast::Limits {
                depth: usize::from(depth),
                ..Default::default()
            };
            let found =
                skyhound::analysis::blast::blast_radius(&mut engine, &mut network, id, limits)?;
            for p in &engine.problems {
                say!("skyhound: policy problem: {p}");
            }
            if json {
                print_json(&serde_json::to_value(&found)?)?;
            } else {
                print_text(&report::blast_radius_text(&found))?;
            }
        }
        Some(Command::Respond {
            resource,
            json,
            markdown,
        }) => {
            let loaded = open(&cli.input)?;
            let g = &loaded.graph;
            let id = resolve_start(g, &resource, skyhound::analysis::respond::applies)?;
            let plan = skyhound::analysis::respond::respond(g, id, chrono::Utc::now())?;
            if json {
                print_json(&serde_json::to_value(&plan)?)?;
            } else if markdown {
                print_text(&report::respond_markdown(&plan))?;
            } else {
                print_text(&report::respond_text(&plan))?;
            }
        }
        Some(Command::History {
            resource,
            days,
            json,
        }) => {
            if cli.input.demo || cli.input.from.is_some() {
                bail!(
                    "history reads CloudTrail's event history live: run it without --demo or --from, with AWS credentials that allow cloudtrail:LookupEvents"
                );
            }
            let opts = collect_options(&cli.input);
            use skyhound::source::collect::history;
            let lookup = history::Lookup::of(&resource);
            // An ARN says which account and region hold the resource.
            let field = |i: usize| {
                resource
                    .strip_prefix("arn:")
                    .and_then(|_| resource.split(':').nth(i))
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
            };
            // IAM's events are in us-east-1's history, whatever the home
            // region; a user's or key's own calls may be anywhere asked.
            let anywhere = matches!(
                lookup,
                history::Lookup::AccessKeyId(_) | history::Lookup::Username(_)
            );
            let place = history::Place {
                account: field(4),
                regions: history::regions_for(
                    field(3).as_deref(),
                    field(2).as_deref() == Some("iam") || anywhere,
                    if anywhere { &opts.regions } else { &[] },
                ),
            };
            let found = runtime()?.block_on(history::history(
                &opts,
                &place,
                std::slice::from_ref(&lookup),
                days,
            ));
            for g in &found.gaps {
                say!("skyhound: could not read {g}");
            }
            if found.truncated {
                say!(
                    "skyhound: stopped after the newest events of each region (a bound of 500): narrow it with --days"
                );
            }
            if json {
                print_json(&serde_json::to_value(&found.events)?)?;
            } else {
                print_text(&report::history_text(&lookup.describe(), &found.events))?;
            }
            if !found.gaps.is_empty() && found.events.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
        Some(Command::Exposure {
            json,
            fail_on_exposure,
        }) => {
            let loaded = open(&cli.input)?;
            let mut found = skyhound::analysis::exposures(&loaded.graph);
            found.retain(|e| in_regions(&cli.input, e.region.as_deref()));
            // Worst first; the analysis's own order within a severity.
            found.sort_by_key(|e| std::cmp::Reverse(internet::severity(e)));
            if json {
                let list: Vec<serde_json::Value> =
                    found.iter().map(internet::exposure_json).collect();
                print_json(&serde_json::Value::Array(list))?;
            } else {
                print_text(&report::exposure_text(&loaded.graph, &found))?;
            }
            if fail_on_exposure && !found.is_empty() {
                return Ok(ExitCode::from(3));
            }
        }
        Some(Command::Explain {
            resource,
            protocol,
            port,
            source,
            json,
        }) => {
            let loaded = open(&cli.input)?;
            let g = &loaded.graph;
            let id = resolve_one(g, &resource)?;
            let protocol: Protocol = protocol.parse()?;
            if let Some(ip) = source {
                if !skyhound::analysis::exposure::source_set(Some(ip))
                    .intersects(&skyhound::analysis::hops::internet())
                {
                    bail!(
                        "{ip} is a private or reserved address, never an internet source; ask about a public address"
                    );
                }
            }
            let answers = match port {
                Some(port) => vec![skyhound::analysis::explain(g, id, protocol, port, source)?],
                None => skyhound::analysis::explain_all(g, id, source)?,
            };
            if json {
                print_json(&report::explain_json(g, id, &answers))?;
            } else {
                print_text(&report::explain_text(g, id, &answers))?;
            }
        }
        Some(Command::Findings {
            json,
            check,
            severity,
            fail_on,
        }) => {
            if let Some(c) = &check {
                if skyhound::analysis::checks::find(c).is_none() {
                    let ids: Vec<&str> = skyhound::analysis::checks::ALL
                        .iter()
                        .map(|c| c.id)
                        .collect();
                    bail!("no check {c:?}; the checks are: {}", ids.join(", "));
                }
            }
            let severity = severity
                .as_deref()
                .map(str::parse::<Severity>)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let fail_on = fail_on
                .as_deref()
                .map(str::parse::<Severity>)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let loaded = open(&cli.input)?;
            let analysis = skyhound::analysis::analyse(&loaded.graph);
            let filter = report::FindingFilter { check, severity };
            let kept: Vec<&skyhound::analysis::Finding> = analysis
                .findings
                .iter()
                .filter(|f| filter.keeps(f) && in_regions(&cli.input, f.region.as_deref()))
                .collect();
            if json {
                print_json(&serde_json::to_value(&kept)?)?;
            } else {
                print_text(&report::findings_text(&kept))?;
            }
            if let Some(s) = fail_on {
                let failing = kept.iter().any(|f| {
                    f.severity >= s && f.status == skyhound::analysis::finding::Status::Fail
                });
                if failing {
                    return Ok(ExitCode::from(3));
                }
            }
        }
        Some(Command::Checks {
            list,
            json,
            format,
            check,
            epic,
            status,
            fail_on,
        }) => {
            use skyhound::analysis::checks::{self, Outcome, Selection};
            let format = match (json, format) {
                (true, _) => ChecksFormat::Json,
                (false, f) => f.unwrap_or(ChecksFormat::Text),
            };
            if list {
                match format {
                    ChecksFormat::Text => print_text(&report::checks_text())?,
                    ChecksFormat::Json => print_json(&serde_json::to_value(checks::ALL)?)?,
                    ChecksFormat::Ocsf => bail!("--list has no OCSF form; use --json"),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let selection = Selection {
                checks: check,
                epic: epic
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(anyhow::Error::msg)?,
                status: status
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(anyhow::Error::msg)?,
            };
            if let Some(message) = selection.unknown_check() {
                bail!(message);
            }
            let fail_on = fail_on
                .as_deref()
                .map(str::parse::<Severity>)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let loaded = open(&cli.input)?;
            check_regions(&cli.input, &loaded.graph)?;
            let analysis = skyhound::analysis::analyse(&loaded.graph);
            let results: Vec<(Outcome, &skyhound::analysis::Finding)> = analysis
                .results()
                .filter(|f| in_regions(&cli.input, f.region.as_deref()))
                .filter_map(|f| Outcome::of(f).map(|o| (o, f)))
                .filter(|(o, _)| selection.keeps(o))
                .collect();
            match format {
                ChecksFormat::Text => {
                    print_text(&report::check_results_text(&results, &selection))?
                }
                ChecksFormat::Json => {
                    let list: Vec<&Outcome> = results.iter().map(|(o, _)| o).collect();
                    print_json(&serde_json::to_value(list)?)?
                }
                ChecksFormat::Ocsf => {
                    let at = loaded
                        .graph
                        .collection()
                        .collected_at
                        .unwrap_or_else(chrono::Utc::now);
                    let records: Vec<serde_json::Value> = results
                        .iter()
                        .map(|(o, f)| skyhound::ocsf::record(o, &loaded.graph, f.node, at))
                        .collect();
                    print_json(&serde_json::Value::Array(records))?
                }
            }
            if let Some(s) = fail_on {
                if results.iter().any(|(o, _)| {
                    o.status == skyhound::analysis::finding::Status::Fail && o.severity >= s
                }) {
                    return Ok(ExitCode::from(3));
                }
            }
        }
        Some(Command::Collect { out }) => {
            let opts = collect_options(&cli.input);
            let (loaded, stats) = collect_live(&opts)?;
            snapshot::save(&loaded.graph, &out)?;
            for p in &loaded.problems {
                say!("skyhound: skipped {p}");
            }
            say!(
                "skyhound: collected {} resources from {} accounts, {} regions in {:.1}s; {} gaps; wrote {}",
                loaded.graph.len(),
                stats.accounts,
                stats.regions,
                stats.wall_seconds,
                loaded.graph.collection().gaps.len(),
                out.display()
            );
            say!(
                "skyhound: {:<16} {:>6} {:>6} {:>9} {:>7} {:>6}",
                "service",
                "calls",
                "pages",
                "requests",
                "retries",
                "errors"
            );
            for (svc, s) in &stats.services {
                say!(
                    "skyhound: {svc:<16} {:>6} {:>6} {:>9} {:>7} {:>6}",
                    s.calls,
                    s.pages,
                    s.requests,
                    s.retries,
                    s.errors
                );
            }
            say!("skyhound: wall time {:.2}s", stats.wall_seconds);
        }
        Some(Command::Export { out }) => {
            let loaded = open(&cli.input)?;
            snapshot::save(&loaded.graph, &out)?;
            say!(
                "skyhound: wrote {} resources to {}",
                loaded.graph.len(),
                out.display()
            );
        }
        Some(Command::Synth {
            resources,
            seed,
            out,
            account_data,
        }) => {
            let graph = skyhound::source::synth::graph(resources, seed);
            if let Some(path) = out {
                snapshot::save(&graph, &path)?;
                say!(
                    "skyhound: wrote {} resources to {}",
                    graph.len(),
                    path.display()
                );
            }
            if let Some(dir) = account_data {
                skyhound::source::collect::account_data::write_tree(&graph, &dir)
                    .with_context(|| format!("writing {}", dir.display()))?;
                say!("skyhound: wrote an account-data tree to {}", dir.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
