//! Names, tags and descriptions are set by whoever can write to an account.
//! An estate whose strings hold escape sequences, controls and bidi
//! overrides: no output skyhound prints to a terminal or a Markdown file
//! carries one raw.

use std::process::Command;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skyhound::app::data::Data;
use skyhound::app::keymap::Keymap;
use skyhound::app::{App, Effect, Event};
use skyhound::graph::Graph;
use skyhound::model::NodeData;
use skyhound::text::is_unsafe;
use skyhound::theme::Theme;

/// Retitles the terminal, clears it, writes the clipboard, reverses text,
/// and a C1 CSI.
pub const HOSTILE: &str =
    "web\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\u{202e}exe.txt\u{9b}31m\r\n\t\x7f";

/// The demo with hostile strings in names, tags and descriptions.
pub fn hostile_graph() -> Graph {
    let demo = skyhound::source::demo::graph();
    let mut nodes = demo.all_nodes().to_vec();
    for n in &mut nodes {
        match &mut n.data {
            NodeData::Instance(_) if n.name.as_deref() == Some("bill-web-server") => {
                n.name = Some(format!("bill-{HOSTILE}"));
                n.tags.insert("Owner".into(), HOSTILE.into());
                n.tags.insert(HOSTILE.into(), "key too".into());
            }
            NodeData::SecurityGroup(sg) => {
                sg.description = Some(HOSTILE.into());
                for r in &mut sg.ingress {
                    for c in &mut r.ipv4 {
                        c.description = Some(HOSTILE.into());
                    }
                }
            }
            NodeData::GuardDutyFinding(f) => {
                f.title = Some(HOSTILE.into());
                f.description = Some(HOSTILE.into());
            }
            _ => {}
        }
    }
    Graph::build(nodes, demo.collection().clone())
}

fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| *c != '\n' && is_unsafe(*c))
        .collect()
}

#[test]
fn no_command_line_output_carries_a_raw_control() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = dir.path().join("hostile.snapshot");
    skyhound::graph::snapshot::save(&hostile_graph(), &snap).expect("save");
    let from = snap.to_str().expect("utf8");
    let web = format!("bill-{HOSTILE}");
    let runs: Vec<Vec<&str>> = vec![
        vec!["summary"],
        vec!["show", "bill-database"],
        vec!["show", &web],
        vec!["exposure"],
        vec!["explain", &web],
        vec!["explain", "bill-database", "--port", "22"],
        vec!["findings"],
        vec!["show", "no-such-thing"],
    ];
    for args in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_skyhound"))
            .arg("--from")
            .arg(from)
            .args(&args)
            .env("HOME", dir.path())
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            raw_controls(&stdout).is_empty(),
            "{args:?} stdout: {stdout}"
        );
        assert!(
            raw_controls(&stderr).is_empty(),
            "{args:?} stderr: {stderr}"
        );
    }
    // The hostile name is shown, visibly escaped.
    let out = Command::new(env!("CARGO_BIN_EXE_skyhound"))
        .args(["--from", from, "show", &web])
        .env("HOME", dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("bill-web\\x1b]0;PWNED\\x07"), "{stdout}");
    // JSON stays exact: the same bytes, escaped as JSON escapes them.
    let out = Command::new(env!("CARGO_BIN_EXE_skyhound"))
        .args(["--from", from, "show", &web, "--json"])
        .env("HOME", dir.path())
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["resource"]["name"], web.as_str());
}

#[test]
fn no_explorer_view_or_export_carries_a_raw_control() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut app = App::new(
        "hostile".into(),
        theme,
        Keymap::default(),
        chrono::Utc::now(),
    );
    app.update(Event::Resize(200, 50));
    app.update(Event::Loaded(Ok(Box::new(Data::build(
        hostile_graph(),
        Vec::new(),
    )))));
    let check = |app: &App, what: &str| {
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        terminal
            .draw(|f| skyhound::ui::draw(f, app))
            .expect("draws");
        for cell in &terminal.backend().buffer().content {
            assert!(
                !cell.symbol().chars().any(is_unsafe),
                "{what}: a cell holds {:?}",
                cell.symbol()
            );
        }
    };
    let key = |app: &mut App, code: KeyCode| {
        app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    };
    let command = |app: &mut App, cmd: &str| {
        key(app, KeyCode::Char(':'));
        for c in cmd.chars() {
            key(app, KeyCode::Char(c));
        }
        key(app, KeyCode::Enter);
    };
    check(&app, "overview");
    for list in ["instances", "sg", "findings", "exposed", "all"] {
        command(&mut app, list);
        check(&app, list);
    }
    command(&mut app, "instances");
    // Every instance, each tab, and its export.
    let rows = match app.view() {
        skyhound::app::View::List(l) => l.rows.len(),
        _ => 0,
    };
    for i in 0..rows {
        key(&mut app, KeyCode::Enter);
        for tab in ["detail", "relationships", "why"] {
            check(&app, &format!("instance {i} {tab}"));
            if let Some(Effect::Export(doc)) = key(&mut app, KeyCode::Char('e')).into_iter().next()
            {
                assert!(
                    raw_controls(&doc.markdown).is_empty(),
                    "export of {i} {tab}"
                );
            }
            key(&mut app, KeyCode::Tab);
        }
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Down);
    }
    // The finder shows hostile names escaped too.
    key(&mut app, KeyCode::Char('f'));
    for c in "bill".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    check(&app, "finder");
}
