//! The explorer on ratatui's TestBackend: a snapshot of every view against
//! the demo organization, and behaviour driven by key events.

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use skyhound::app::data::Data;
use skyhound::app::keymap::Keymap;
use skyhound::app::view::{ListKind, Tab};
use skyhound::app::{App, Effect, Event, Mode, View};
use skyhound::theme::Theme;

fn app_with(width: u16, height: u16) -> App {
    let theme = Theme::load("dark", None, false).expect("theme");
    let now = skyhound::source::demo::collected_at() + Duration::days(2);
    let mut app = App::new("demo".into(), theme, Keymap::default(), now);
    app.update(Event::Resize(width, height));
    let data = Data::build(skyhound::source::demo::graph(), Vec::new());
    app.update(Event::Loaded(Ok(Box::new(data))));
    app
}

fn app() -> App {
    app_with(120, 35)
}

fn screen(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| skyhound::ui::draw(f, app))
        .expect("draws");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn command(app: &mut App, cmd: &str) {
    key(app, KeyCode::Char(':'));
    typed(app, cmd);
    key(app, KeyCode::Enter);
}

/// Move the list cursor to the row whose resource has this name.
fn select_named(app: &mut App, name: &str) {
    for _ in 0..200 {
        let Some(d) = app.data.clone() else {
            panic!("no data")
        };
        if let View::List(l) = app.view() {
            if l.current()
                .is_some_and(|id| d.graph.node(id).name.as_deref() == Some(name))
            {
                return;
            }
        }
        key(app, KeyCode::Down);
    }
    panic!("{name} is not in the list");
}

#[test]
fn snapshot_overview() {
    insta::assert_snapshot!(screen(&app()));
}

#[test]
fn snapshot_exposed_list() {
    let mut a = app();
    command(&mut a, "exposed");
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_instances_with_side_pane() {
    let mut a = app_with(160, 35);
    command(&mut a, "instances");
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_detail_with_a_policy_document() {
    let mut a = app();
    command(&mut a, "roles");
    select_named(&mut a, "prod-app");
    key(&mut a, KeyCode::Enter);
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_relationships() {
    let mut a = app();
    command(&mut a, "instances");
    select_named(&mut a, "bill-web-server");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Tab);
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_why_blocked() {
    let mut a = app();
    command(&mut a, "why alice-prod-db");
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_findings() {
    let mut a = app();
    command(&mut a, "findings");
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_help() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_finder() {
    let mut a = app();
    key(&mut a, KeyCode::Char('f'));
    typed(&mut a, "sg:bill");
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn snapshot_80_by_24_and_too_small() {
    let mut a = app_with(80, 24);
    command(&mut a, "exposed");
    insta::assert_snapshot!("exposed_80x24", screen(&a));
    a.update(Event::Resize(30, 8));
    let tiny = screen(&a);
    assert!(tiny.contains("terminal too small"), "{tiny}");
    // Zero-sized areas never panic.
    a.update(Event::Resize(0, 0));
    let _ = screen(&a);
}

#[test]
fn snapshot_while_loading() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let now = skyhound::source::demo::collected_at();
    let mut a = App::new("./account-data".into(), theme, Keymap::default(), now);
    a.update(Event::Resize(100, 20));
    a.update(Event::Tick(now + Duration::milliseconds(1500)));
    // Keys work while loading.
    key(&mut a, KeyCode::Char('?'));
    key(&mut a, KeyCode::Esc);
    insta::assert_snapshot!(screen(&a));
    a.update(Event::Loaded(Err(
        "./account-data: no such file or folder".into()
    )));
    assert!(screen(&a).contains("no such file or folder"));
}

#[test]
fn exposed_then_enter_on_bills_web_server_shows_the_rule_and_the_route() {
    let mut a = app();
    command(&mut a, "exposed");
    select_named(&mut a, "bill-web-server");
    key(&mut a, KeyCode::Enter);
    let View::Resource(r) = a.view() else {
        panic!("a resource view")
    };
    assert_eq!(r.tab, Tab::Why);
    let s = screen(&a);
    assert!(
        s.contains("security-group")
            && s.contains("ingress rule: allow all traffic from 0.0.0.0/0"),
        "{s}"
    );
    assert!(
        s.contains("route 0.0.0.0/0 -> internet gateway igw-"),
        "{s}"
    );
    assert!(s.contains("CRITICAL"), "severity in words: {s}");
    assert_eq!(
        a.breadcrumbs(),
        [
            "overview",
            "exposed resources",
            "bill-web-server (why exposed)"
        ]
    );
}

#[test]
fn a_finding_leads_to_the_instance_its_role_and_what_is_open() {
    let mut a = app();
    key(&mut a, KeyCode::Char('F'));
    let d = a.data.clone().expect("data");
    // Find the bitcoin finding.
    for _ in 0..20 {
        if let View::List(l) = a.view() {
            if l.current().is_some_and(|id| {
                d.graph
                    .node(id)
                    .name
                    .as_deref()
                    .is_some_and(|n| n.contains("Bitcoin"))
            }) {
                break;
            }
        }
        key(&mut a, KeyCode::Down);
    }
    // The finding's own view: what was seen, how bad, when, and about what.
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    for what in [
        "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        "HIGH 8.0",
        "a DNS request",
        "pool.coinmine.example",
        "times, first",
        "affects   instance bill-web-server (Enter opens it)",
    ] {
        assert!(text.contains(what), "{what}: {text}");
    }
    // Enter goes on to the resource.
    key(&mut a, KeyCode::Enter);
    let View::Resource(r) = a.view() else {
        panic!("resource")
    };
    assert_eq!(
        d.graph.node(r.node).name.as_deref(),
        Some("bill-web-server")
    );
    // Relationships: follow the instance profile, then its role.
    key(&mut a, KeyCode::Tab);
    for _ in 0..10 {
        if a.selected_node()
            .is_some_and(|n| d.graph.node(n).kind() == skyhound::model::NodeKind::InstanceProfile)
        {
            break;
        }
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Enter);
    let View::Resource(role) = a.view() else {
        panic!("resource")
    };
    assert_eq!(
        d.graph.node(role.node).name.as_deref(),
        Some("web-server-role")
    );
    assert!(
        screen(&a).contains("AdministratorAccess") || {
            key(&mut a, KeyCode::Tab);
            screen(&a).contains("AdministratorAccess")
        }
    );
    // Back three times to the instance; forward again.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    let View::Resource(back) = a.view() else {
        panic!("resource")
    };
    assert_eq!(
        d.graph.node(back.node).name.as_deref(),
        Some("bill-web-server")
    );
    key(&mut a, KeyCode::Char(']'));
    assert!(matches!(a.view(), View::Resource(_)));
}

#[test]
fn filter_sort_and_scope() {
    let mut a = app();
    command(&mut a, "instances");
    let total = match a.view() {
        View::List(l) => l.rows.len(),
        _ => 0,
    };
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "bill");
    key(&mut a, KeyCode::Enter);
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.rows.len(), 3, "bill's three instances");
    assert!(screen(&a).contains("/bill"));
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Esc);
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.rows.len(), total, "esc clears the filter");

    command(&mut a, "account 555555555555");
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.rows.len(), 3);
    assert!(screen(&a).contains("account 555555555555 (bill-company)"));
    command(&mut a, "region us-west-2");
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.rows.len(), 1);
    command(&mut a, "account");
    command(&mut a, "region all");

    let first = |a: &App| match a.view() {
        View::List(l) => l.current(),
        _ => None,
    };
    let before = first(&a);
    key(&mut a, KeyCode::Char('s'));
    key(&mut a, KeyCode::Char('S'));
    assert_ne!(first(&a), before, "sorting changes the order");
}

#[test]
fn a_scope_must_name_what_exists_and_a_scoped_list_says_what_it_leaves_out() {
    let mut a = app();
    command(&mut a, "exposed");
    let all = match a.view() {
        View::List(l) => l.rows.len(),
        _ => 0,
    };
    assert!(all > 3, "the demo has exposures in several accounts");
    // Nothing that exists: refused with the choices, and the scope stays.
    for (cmd, choice) in [
        ("account 123", "555555555555 (bill-company)"),
        ("region mars-1", "us-east-1"),
    ] {
        command(&mut a, cmd);
        let shown = screen(&a);
        assert!(
            a.scope.account.is_none() && a.scope.region.is_none(),
            "{cmd} left the scope alone"
        );
        let message = a
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        assert!(message.contains(choice), "{cmd}: {message}");
        let View::List(l) = a.view() else {
            panic!("list")
        };
        assert_eq!(l.rows.len(), all, "{cmd} hid nothing\n{shown}");
    }
    // An alias resolves to its account, and the list says what is elsewhere.
    command(&mut a, "account bill-company");
    assert_eq!(a.scope.account.as_deref(), Some("555555555555"));
    let View::List(l) = a.view() else {
        panic!("list")
    };
    let (shown, outside) = (l.rows.len(), all - l.rows.len());
    assert!(shown > 0 && outside > 0);
    let text = screen(&a);
    assert!(
        text.contains(&format!(
            "scoped to bill-company; {outside} exposed elsewhere"
        )),
        "{text}"
    );
    // A region with nothing exposed says the rest are elsewhere, not "nothing".
    command(&mut a, "account all");
    command(&mut a, "region eu-west-1");
    let text = screen(&a);
    let View::List(l) = a.view() else {
        panic!("list")
    };
    if l.rows.is_empty() {
        assert!(text.contains("nothing here in this scope"), "{text}");
    }
    assert!(text.contains("exposed elsewhere"), "{text}");
}

#[test]
fn command_mode_completes_and_reports_unknown_commands() {
    assert_eq!(skyhound::app::complete("exp"), "exposed ");
    assert_eq!(skyhound::app::complete("ro"), "roles ");
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "fin");
    key(&mut a, KeyCode::Tab);
    let Mode::Command(input) = &a.mode else {
        panic!("command mode")
    };
    assert_eq!(input.text, "findings ");
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.view(), View::List(l) if l.kind == ListKind::Findings));
    // Arguments complete too, and repeated Tab cycles through the choices.
    let text = |a: &App| match &a.mode {
        Mode::Command(i) => i.text.clone(),
        _ => String::new(),
    };
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "region us-");
    key(&mut a, KeyCode::Tab);
    let first = text(&a);
    key(&mut a, KeyCode::Tab);
    let second = text(&a);
    assert!(
        first.starts_with("region us-") && second.starts_with("region us-"),
        "{first} {second}"
    );
    assert_ne!(first, second, "Tab cycles");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "account bill-c");
    key(&mut a, KeyCode::Tab);
    assert_eq!(text(&a), "account bill-company");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.scope.account.as_deref(), Some("555555555555"));
    command(&mut a, "account all");
    command(&mut a, "frobnicate");
    assert!(screen(&a).contains("unknown command :frobnicate"));
    command(&mut a, "why no-such-thing");
    assert!(screen(&a).contains("no resource has the id"));
}

#[test]
fn the_finder_opens_what_it_finds() {
    let mut a = app();
    key(&mut a, KeyCode::Char('f'));
    typed(&mut a, "role:partner");
    key(&mut a, KeyCode::Enter);
    let d = a.data.clone().expect("data");
    let View::Resource(r) = a.view() else {
        panic!("resource")
    };
    assert_eq!(
        d.graph.node(r.node).name.as_deref(),
        Some("partner-support")
    );
    assert!(screen(&a).contains("999988887777"));
}

#[test]
fn copy_and_export_are_effects_with_the_right_content() {
    let mut a = app();
    command(&mut a, "exposed");
    select_named(&mut a, "bill-database");
    let effects = key(&mut a, KeyCode::Char('y'));
    assert!(
        matches!(&effects[..], [Effect::Copy(t)] if t.starts_with("arn:aws:ec2:us-east-1:555555555555:instance/")),
        "{effects:?}"
    );
    let effects = key(&mut a, KeyCode::Char('e'));
    let [Effect::Export(doc)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(doc.markdown.contains("| EXPOSURE |") && doc.markdown.contains("bill-database"));
    let rows: serde_json::Value = serde_json::from_str(&doc.json).expect("json");
    assert_eq!(rows["rows"].as_array().map(Vec::len), Some(13));

    key(&mut a, KeyCode::Enter);
    let effects = key(&mut a, KeyCode::Char('e'));
    let [Effect::Export(doc)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(
        doc.markdown.contains("3306") && doc.markdown.contains("| security-group |"),
        "{}",
        doc.markdown
    );
    let v: serde_json::Value = serde_json::from_str(&doc.json).expect("json");
    assert!(v["exposures"].as_array().is_some_and(|e| !e.is_empty()));

    // The runner writes both files, atomically, and names them.
    let dir = crate::scratch("tui-export");
    let (md, json) = skyhound::tui::write_export(&dir, doc).expect("writes");
    assert!(md.is_file() && json.is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_way_in_is_listed_and_exported_and_each_tab_exports_itself() {
    let mut a = app();
    command(&mut a, "exposed");
    select_named(&mut a, "bill-database");
    // The list and the side pane name both ways in, the worst first.
    let text = screen(&a);
    let row = text
        .lines()
        .find(|l| l.contains("bill-database") && l.contains("tcp 22"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("+1: tcp 3306"), "{row}");
    // The exported list holds every exposure of every row, with its path.
    let effects = key(&mut a, KeyCode::Char('e'));
    let [Effect::Export(doc)] = &effects[..] else {
        panic!("{effects:?}")
    };
    let v: serde_json::Value = serde_json::from_str(&doc.json).expect("json");
    let database = v["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["name"] == "bill-database"))
        .unwrap_or_else(|| panic!("{v}"));
    let ports: Vec<u64> = database["exposures"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["from_port"].as_u64()).collect())
        .unwrap_or_default();
    assert!(ports.contains(&22) && ports.contains(&3306), "{database}");
    assert!(
        database["exposures"][0]["path"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    assert!(
        doc.markdown.contains("tcp 3306 open to"),
        "{}",
        doc.markdown
    );

    // The relationships tab exports the relationships, not the exposure.
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('2'));
    let effects = key(&mut a, KeyCode::Char('e'));
    let [Effect::Export(doc)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(
        doc.markdown.contains("## Relationships"),
        "{}",
        doc.markdown
    );
    assert!(
        !doc.markdown.contains("## Internet exposure"),
        "{}",
        doc.markdown
    );
    let v: serde_json::Value = serde_json::from_str(&doc.json).expect("json");
    assert!(
        v["relationships"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x["kind"] == "security group")),
        "{v}"
    );
}

#[test]
fn asking_about_another_port_and_source() {
    let mut a = app();
    command(&mut a, "why alice-prod-bastion");
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "tcp 22 198.51.100.1");
    key(&mut a, KeyCode::Enter);
    let s = screen(&a);
    assert!(s.contains("tcp 22 from 198.51.100.1: BLOCKED by"), "{s}");
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "tcp 22 203.0.113.9");
    key(&mut a, KeyCode::Enter);
    assert!(screen(&a).contains("REACHABLE"));
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "smtp twenty");
    key(&mut a, KeyCode::Enter);
    assert!(screen(&a).contains("unknown IP protocol"));
}

#[test]
fn mouse_clicks_select_and_wheel_scrolls() {
    let mut a = app();
    command(&mut a, "instances");
    let main = a.areas().main;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: main.x + 5,
        row: main.y + 2 + 3,
        modifiers: KeyModifiers::NONE,
    };
    a.update(Event::Mouse(click));
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.selected, 3);
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: main.x + 5,
        row: main.y + 4,
        modifiers: KeyModifiers::NONE,
    };
    a.update(Event::Mouse(wheel));
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.selected, 6);
}

#[test]
fn a_selected_row_is_drawn_in_the_selection_colours_in_every_theme() {
    for name in ["dark", "light", "high-contrast"] {
        let theme = Theme::load(name, None, false).expect("theme");
        let selected = theme.style(skyhound::theme::Role::Selected);
        let now = skyhound::source::demo::collected_at() + Duration::days(2);
        let mut a = App::new("demo".into(), theme, Keymap::default(), now);
        a.update(Event::Resize(120, 35));
        let data = Data::build(skyhound::source::demo::graph(), Vec::new());
        a.update(Event::Loaded(Ok(Box::new(data))));
        for view in ["overview", "exposed", "instances"] {
            command(&mut a, view);
            let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
            terminal.draw(|f| skyhound::ui::draw(f, &a)).expect("draws");
            let buffer = terminal.backend().buffer().clone();
            // The first row under the column titles is the selected one.
            let main = a.areas().main;
            let y = main.y + 2;
            for x in main.x + 1..main.x + main.width - 1 {
                let cell = &buffer[(x, y)];
                if cell.symbol().trim().is_empty() {
                    continue;
                }
                assert_eq!(
                    (cell.fg, cell.bg),
                    (
                        selected.fg.unwrap_or(ratatui::style::Color::Reset),
                        selected.bg.unwrap_or(ratatui::style::Color::Reset)
                    ),
                    "{name} :{view} at column {x}: {:?}",
                    cell.symbol()
                );
            }
        }
    }
}

#[test]
fn a_jump_starts_a_new_trail_and_the_current_view_always_shows() {
    let mut a = app_with(80, 24);
    command(&mut a, "exposed");
    select_named(&mut a, "bill-database");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('2'));
    // Follow relationships a few hops deep.
    for _ in 0..4 {
        key(&mut a, KeyCode::Enter);
    }
    let deep = a.breadcrumbs();
    assert!(deep.len() >= 5, "{deep:?}");
    let current = deep.last().cloned().unwrap_or_default();
    let text = screen(&a);
    let crumbs = text.lines().nth(1).unwrap_or_default();
    let head: String = current.chars().take(10).collect();
    assert!(crumbs.contains(&head), "{crumbs:?} shows {current:?}");
    // A : jump starts again from the overview.
    command(&mut a, "sg");
    assert_eq!(
        a.breadcrumbs(),
        vec!["overview".to_string(), "security groups".to_string()]
    );
    key(&mut a, KeyCode::Char('x'));
    assert_eq!(a.breadcrumbs().len(), 2);
}

#[test]
fn in_the_why_view_enter_opens_the_hop_and_long_answers_say_there_is_more() {
    let mut a = app_with(80, 24);
    command(&mut a, "why bill-database");
    let text = screen(&a);
    assert!(text.contains("more below"), "{text}");
    assert!(text.contains("└ "), "the last hop of a branch: {text}");
    // Walk down to a security group hop and open it.
    let d = a.data.clone().expect("data");
    let mut opened = None;
    for _ in 0..80 {
        if let View::Resource(r) = a.view() {
            if let Some(hop) = r.selected_hop() {
                if d.graph.node(hop).kind() == skyhound::model::NodeKind::SecurityGroup {
                    opened = Some(hop);
                    break;
                }
            }
        }
        key(&mut a, KeyCode::Down);
    }
    let hop = opened.expect("a security group hop in bill-database's why view");
    key(&mut a, KeyCode::Enter);
    let View::Resource(r) = a.view() else {
        panic!("resource")
    };
    assert_eq!(r.node, hop, "Enter opened the hop's security group");
    assert_eq!(r.tab, Tab::Detail);
}

#[test]
fn nothing_essential_is_cut_at_80_by_24() {
    let mut a = app_with(80, 24);
    let text = screen(&a);
    // The overview keeps account names and every severity count.
    assert!(
        text.contains("alice-production") && text.contains("2 high 2 med 1 low"),
        "{text}"
    );
    let header = text.lines().next().unwrap_or_default();
    assert!(
        header.contains("account all")
            && header.contains("region all")
            && header.contains("310 resources, 13 open, 3 gaps"),
        "{header}"
    );
    // Every key hint on the status line is whole.
    let status = text.lines().nth(23).unwrap_or_default().to_string();
    let words: Vec<&str> = status.split_whitespace().collect();
    let known = [
        "?", "help", "q", "quit", "enter", "open", "esc", "back", ":", "command", "/", "filter",
        "f", "find", "w", "why", "y", "copy", "e", "export",
    ];
    assert!(words.iter().all(|w| known.contains(w)), "{status:?}");
    // A long message keeps its start and its end (the file name).
    let path = "/home/responder/incidents/2026-12-02/skyhound-exposed-resources-20261202-044641.md";
    a.update(Event::Said(skyhound::app::Message::info(format!(
        "exported {path} and its .json"
    ))));
    let status = screen(&a).lines().nth(23).unwrap_or_default().to_string();
    assert!(
        status.contains("exported")
            && status.ends_with("044641.md and its .json")
            && status.contains('…'),
        "{status:?}"
    );
    // Lists keep what tells rows apart: the account, and a finding's
    // region and time.
    command(&mut a, "roles");
    assert!(screen(&a).contains("ACCOUNT"), "{}", screen(&a));
    command(&mut a, "all");
    assert!(screen(&a).contains("KIND"), "{}", screen(&a));
    command(&mut a, "findings");
    let text = screen(&a);
    for col in ["ACCOUNT", "REGION", "UPDATED"] {
        assert!(text.contains(col), "{col}: {text}");
    }
}

#[test]
fn a_network_finding_names_the_remote_address_its_owner_and_the_port() {
    let mut a = app();
    key(&mut a, KeyCode::Char('F'));
    let d = a.data.clone().expect("data");
    for _ in 0..20 {
        if let View::List(l) = a.view() {
            if l.current().is_some_and(|id| {
                d.graph
                    .node(id)
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("SSH brute force attacks against bill-database"))
            }) {
                break;
            }
        }
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(
        text.contains("198.51.100.77 (Example Transit, Romania)"),
        "{text}"
    );
    assert!(text.contains("22 (inbound tcp)"), "{text}");
}

#[test]
fn a_user_failing_the_mfa_check_stands_out_and_roles_have_no_why_tab() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let warning = theme.style(skyhound::theme::Role::Warning).fg;
    let mut a = app();
    command(&mut a, "users");
    select_named(&mut a, "deploy-bot");
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    terminal.draw(|f| skyhound::ui::draw(f, &a)).expect("draws");
    let buffer = terminal.backend().buffer().clone();
    let row = (0..35)
        .find(|y| {
            let line: String = (0..120)
                .map(|x| buffer[(x, *y)].symbol().to_string())
                .collect();
            line.contains("bill ") && line.contains("no MFA")
        })
        .expect("bill's row");
    let line: String = (0..120)
        .map(|x| buffer[(x, row)].symbol().to_string())
        .collect();
    let at = line
        .find("console password, no MFA")
        .expect("the failing state") as u16;
    assert_eq!(buffer[(at, row)].fg, warning.unwrap_or_default());
    // An IAM role is not an endpoint: no why tab, and w says so.
    command(&mut a, "why arn:aws:iam::555555555555:role/web-server-role");
    let View::Resource(r) = a.view() else {
        panic!("resource")
    };
    assert_eq!(r.tab, Tab::Detail);
    assert!(!screen(&a).contains("3 why exposed"));
}

#[test]
fn lists_say_what_matters_about_each_kind() {
    let mut a = app_with(200, 50);
    // A role says whose accounts may assume it, and whether an ExternalId
    // is required.
    command(&mut a, "roles");
    let text = screen(&a);
    assert!(
        text.contains("account 111111111111 (alice-management)"),
        "{text}"
    );
    assert!(
        text.contains("external account 999988887777, no ExternalId"),
        "{text}"
    );
    // Security groups say what they open to everyone.
    command(&mut a, "sg");
    let text = screen(&a);
    assert!(
        text.contains("open to 0.0.0.0/0: tcp 3306, tcp 22"),
        "{text}"
    );
    // A security group's detail has its rules as a table.
    select_named(&mut a, "database");
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(text.contains("WAY      PROTOCOL PORTS"), "{text}");
    assert!(
        text.contains(
            "inbound  tcp 3306          0.0.0.0/0                   temporary, for the contractor"
        ),
        "{text}"
    );
    // Instances have their account and region at 200 columns.
    command(&mut a, "instances");
    let text = screen(&a);
    let header = text.lines().nth(3).unwrap_or_default();
    assert!(
        header.contains("ACCOUNT") && header.contains("REGION"),
        "{header}"
    );
    // p explains why there is no side pane on a narrower terminal.
    let mut b = app();
    key(&mut b, KeyCode::Char('p'));
    assert!(screen(&b).contains("140 columns"), "{}", screen(&b));
}

#[test]
fn the_keys_the_screen_shows_do_what_they_say() {
    let mut a = app();
    command(&mut a, "why bill-database");
    let tab = |a: &App| match a.view() {
        View::Resource(r) => Some(r.tab),
        _ => None,
    };
    assert_eq!(tab(&a), Some(Tab::Why));
    // Shift-Tab arrives as BackTab with SHIFT set.
    a.update(Event::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    assert_eq!(tab(&a), Some(Tab::Relations));
    key(&mut a, KeyCode::Char('1'));
    assert_eq!(tab(&a), Some(Tab::Detail));
    key(&mut a, KeyCode::Char('3'));
    assert_eq!(tab(&a), Some(Tab::Why));
    key(&mut a, KeyCode::Char('2'));
    assert_eq!(tab(&a), Some(Tab::Relations));

    // G shows the last page of the detail and why tabs, not an empty screen.
    for t in ['1', '3'] {
        key(&mut a, KeyCode::Char(t));
        key(&mut a, KeyCode::Char('G'));
        let text = screen(&a);
        let blank = text
            .lines()
            .filter(|l| l.trim_matches(['│', ' ']).is_empty())
            .count();
        assert!(blank < 10, "tab {t} after G:\n{text}");
        let View::Resource(r) = a.view() else {
            panic!("resource")
        };
        let before = r.scroll;
        key(&mut a, KeyCode::Char('k'));
        let View::Resource(r) = a.view() else {
            panic!("resource")
        };
        assert!(
            before == 0 || r.scroll + 1 == before,
            "k moves back at once"
        );
    }

    // Ctrl-U clears what is being typed.
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "instances");
    a.update(Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut a, "sg");
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.view(), View::List(l) if l.kind == ListKind::Kind(skyhound::model::NodeKind::SecurityGroup))
    );

    // A double click opens the row.
    let main = a.areas().main;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: main.x + 5,
        row: main.y + 2 + 1,
        modifiers: KeyModifiers::NONE,
    };
    a.update(Event::Mouse(click));
    assert!(matches!(a.view(), View::List(_)));
    a.update(Event::Mouse(click));
    assert!(matches!(a.view(), View::Resource(_)), "double click opens");

    // Help says how it closes.
    key(&mut a, KeyCode::Char('?'));
    assert!(screen(&a).contains("any other key closes"));
}

#[test]
fn quitting_and_help_come_from_the_keymap() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    // Every key is in the help, scrolled through.
    let mut s = screen(&a);
    for _ in 0..10 {
        key(&mut a, KeyCode::Down);
        s.push_str(&screen(&a));
    }
    for (_, what) in a.keymap.help() {
        let start: String = what.chars().take(20).collect();
        assert!(s.contains(&start), "help lists {what:?}");
    }
    key(&mut a, KeyCode::Esc);
    assert_eq!(key(&mut a, KeyCode::Char('q')), [Effect::Quit]);
}

#[test]
fn the_screen_answers_before_the_analysis_finishes() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let now = skyhound::source::demo::collected_at() + Duration::days(2);
    let mut a = App::new("demo".into(), theme, Keymap::default(), now);
    a.update(Event::Resize(120, 35));
    let data = Data::loaded(skyhound::source::demo::graph(), Vec::new());
    let graph = data.graph.clone();
    a.update(Event::Loaded(Ok(Box::new(data))));
    assert!(screen(&a).contains("analysing exposure"));
    command(&mut a, "exposed");
    let analysis = skyhound::analysis::analyse(&graph);
    drop(graph);
    a.update(Event::Analysed {
        generation: 0,
        analysis: Box::new(analysis),
    });
    let s = screen(&a);
    assert!(
        s.contains("13 open") && s.contains("OPEN critical"),
        "badges appear once analysed: {s}"
    );
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.rows.len(), 13, "the exposed list filled in");
}

#[test]
fn exposure_shows_first_and_identity_says_it_is_still_analysing() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let now = skyhound::source::demo::collected_at() + Duration::days(2);
    let mut a = App::new("demo".into(), theme, Keymap::default(), now);
    a.update(Event::Resize(140, 40));
    let data = Data::loaded(skyhound::source::demo::graph(), Vec::new());
    let graph = data.graph.clone();
    a.update(Event::Loaded(Ok(Box::new(data))));
    command(&mut a, "admins");
    assert!(screen(&a).contains("analysing identity…"), "{}", screen(&a));
    let first = skyhound::analysis::analyse_network(&graph);
    a.update(Event::NetworkAnalysed {
        generation: 0,
        analysis: Box::new(first.clone()),
    });
    let s = screen(&a);
    assert!(s.contains("13 open, 3 gaps, analysing identity…"), "{s}");
    assert!(
        s.contains("analysing identity… (this list fills when it finishes)"),
        "an empty admins list is not an answer yet: {s}"
    );
    // An instance's role is not said to be harmless while it is unknown.
    command(&mut a, "instances");
    select_named(&mut a, "bill-web-server");
    key(&mut a, KeyCode::Enter);
    let s = screen(&a);
    assert!(s.contains("(analysing what it can do…)"), "{s}");
    assert!(!s.contains("cannot become admin"), "{s}");
    a.update(Event::Analysed {
        generation: 0,
        analysis: Box::new(skyhound::analysis::with_identity(&graph, first)),
    });
    let s = screen(&a);
    assert!(s.contains("role      web-server-role ADMIN"), "{s}");
    assert!(!s.contains("analysing identity"), "{s}");
    command(&mut a, "admins");
    assert!(screen(&a).contains("admins [1/9]"), "{}", screen(&a));
}

#[test]
fn long_lists_sort_in_the_background_and_land_in_place() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut a = App::new(
        "synthetic".into(),
        theme,
        Keymap::default(),
        chrono::Utc::now(),
    );
    a.update(Event::Resize(120, 35));
    let data = Data::build(
        skyhound::graph::Graph::build(
            skyhound::source::synth::nodes(30_000, 3),
            Default::default(),
        ),
        Vec::new(),
    );
    a.update(Event::Loaded(Ok(Box::new(data))));
    command(&mut a, "all");
    let effects = key(&mut a, KeyCode::Char('s'));
    let [Effect::Sort(job)] = &effects[..] else {
        panic!("a background sort: {effects:?}")
    };
    assert!(screen(&a).contains("sorting…"));
    // The same order as sorting in place.
    let mut expected = job.list.clone();
    expected.refresh(&job.data, &job.scope);
    a.update(job.clone().run());
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert!(!l.sorting);
    assert_eq!(l.rows, expected.rows);
    // A result for a list that has moved on is dropped.
    let effects = key(&mut a, KeyCode::Char('s'));
    let [Effect::Sort(stale)] = &effects[..] else {
        panic!("sort")
    };
    key(&mut a, KeyCode::Char('S'));
    let before = match a.view() {
        View::List(l) => l.rows.clone(),
        _ => Vec::new(),
    };
    a.update(stale.clone().run());
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.rows, before);
}

#[test]
fn live_data_arriving_moves_the_views_over_by_resource_id() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut a = App::new("live".into(), theme, Keymap::default(), chrono::Utc::now());
    a.update(Event::Resize(120, 35));
    // First, only Bill's account has arrived.
    let demo = skyhound::source::demo::graph();
    let bill: Vec<skyhound::model::Node> = demo
        .all_nodes()
        .iter()
        .filter(|n| n.account == skyhound::source::demo::BILL)
        .cloned()
        .collect();
    let partial = Data::build(
        skyhound::graph::Graph::build(bill, Default::default()),
        Vec::new(),
    );
    a.update(Event::Partial(Box::new(partial)));
    a.update(Event::Collecting(
        skyhound::source::collect::Progress::Account {
            account: skyhound::source::demo::BILL.to_string(),
        },
    ));
    let header = screen(&a).lines().next().unwrap_or_default().to_string();
    assert!(
        header.contains("collecting: 1 account"),
        "while data is still arriving the header says so: {header}"
    );
    command(&mut a, "instances");
    select_named(&mut a, "bill-database");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    select_named(&mut a, "bill-web-server");
    // Then everything: ids are new, the views keep their resources.
    let full = Data::build(skyhound::source::demo::graph(), Vec::new());
    a.update(Event::Loaded(Ok(Box::new(full))));
    assert!(
        !screen(&a)
            .lines()
            .next()
            .unwrap_or_default()
            .contains("collecting")
    );
    let d = a.data.clone().expect("data");
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert!(
        l.rows.len() > 3,
        "the list now holds every account's instances"
    );
    assert_eq!(
        l.current().map(|n| d.graph.node(n).name.clone()),
        Some(Some("bill-web-server".to_string()))
    );
    // The view ahead in history moved over too.
    key(&mut a, KeyCode::Char(']'));
    let View::Resource(r) = a.view() else {
        panic!("resource")
    };
    assert_eq!(d.graph.node(r.node).name.as_deref(), Some("bill-database"));
    assert!(screen(&a).contains("bill-database"));
}

#[test]
fn the_collection_view_shows_each_gap_with_why_and_the_live_progress() {
    use skyhound::source::collect::Progress;
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut a = App::new("live".into(), theme, Keymap::default(), chrono::Utc::now());
    a.update(Event::Resize(120, 35));
    let bill = skyhound::source::demo::BILL;
    let gap = |region: &str, service: &str, operation: &str, reason: &str| skyhound::model::Gap {
        account: bill.to_string(),
        region: Some(region.to_string()),
        service: service.to_string(),
        operation: operation.to_string(),
        reason: reason.to_string(),
    };
    // Bill's account is in, with a gap its data carries; a second gap and
    // the reads still running arrive as progress.
    let nodes: Vec<skyhound::model::Node> = skyhound::source::demo::graph()
        .all_nodes()
        .iter()
        .filter(|n| n.account == bill)
        .cloned()
        .collect();
    let collection = skyhound::graph::Collection {
        source: "live (collecting)".into(),
        gaps: vec![gap(
            "us-east-1",
            "guardduty",
            "list-detectors",
            "AccessDenied: not authorized to perform guardduty:ListDetectors",
        )],
        ..Default::default()
    };
    let partial = Data::build(skyhound::graph::Graph::build(nodes, collection), Vec::new());
    a.update(Event::Partial(Box::new(partial)));
    for p in [
        Progress::Account {
            account: bill.to_string(),
        },
        Progress::Started {
            account: bill.to_string(),
            region: Some("us-east-1".into()),
            service: "ec2",
        },
        Progress::Finished {
            account: bill.to_string(),
            region: Some("us-east-1".into()),
            service: "ec2",
            gaps: 0,
        },
        Progress::Started {
            account: bill.to_string(),
            region: Some("us-west-2".into()),
            service: "elbv2",
        },
        Progress::Gap(gap(
            "us-west-2",
            "ec2",
            "describe-instances",
            "timed out after 60s",
        )),
    ] {
        a.update(Event::Collecting(p));
    }
    command(&mut a, "gaps");
    assert!(matches!(a.view(), View::Collection { .. }));
    let s = screen(&a);
    assert!(
        s.contains("collection (live): 1 account, 1 of 2 service reads done, 1 gap"),
        "{s}"
    );
    let line = |needle: &str| {
        s.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{s}"))
            .to_string()
    };
    assert!(line("list-detectors").contains("gap"));
    assert!(line("list-detectors").contains("AccessDenied"));
    assert!(line("describe-instances").contains("timed out after 60s"));
    assert!(line("elbv2").contains("reading…"));
    assert!(line("us-east-1      ec2").contains("done"));

    // Enter scopes the explorer to the row's account and region.
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.scope.account.as_deref(), Some(bill));

    // Once the collection is over, the data carries every gap (as the
    // importer builds it), and the view exports them for a ticket.
    let all: Vec<skyhound::model::Node> = skyhound::source::demo::graph().all_nodes().to_vec();
    let collection = skyhound::graph::Collection {
        source: "live".into(),
        gaps: vec![
            gap(
                "us-east-1",
                "guardduty",
                "list-detectors",
                "AccessDenied: not authorized to perform guardduty:ListDetectors",
            ),
            gap(
                "us-west-2",
                "ec2",
                "describe-instances",
                "timed out after 60s",
            ),
        ],
        ..Default::default()
    };
    let done = Data::build(skyhound::graph::Graph::build(all, collection), Vec::new());
    a.update(Event::Loaded(Ok(Box::new(done))));
    let s = screen(&a);
    assert!(
        s.contains("collection: 2 gaps, what could not be read and why"),
        "{s}"
    );
    let effects = key(&mut a, KeyCode::Char('e'));
    let [Effect::Export(doc)] = &effects[..] else {
        panic!("an export: {effects:?}")
    };
    assert!(doc.stem.starts_with("skyhound-gaps-"));
    assert!(
        doc.markdown.contains(
            "| 555555555555 | us-west-2 | ec2 | describe-instances | timed out after 60s |"
        ),
        "{}",
        doc.markdown
    );
    assert!(doc.json.contains("guardduty:ListDetectors"));
}

#[test]
fn with_nothing_missing_the_collection_view_says_so() {
    // The demo's three gaps are there…
    let mut a = app();
    command(&mut a, "collection");
    let s = screen(&a);
    assert!(s.contains("collection: 3 gaps"), "{s}");
    assert!(s.contains("get-key-rotation-status"), "{s}");
    // …and without them, the view says nothing is missing.
    let demo = skyhound::source::demo::graph();
    let collection = skyhound::graph::Collection {
        gaps: Vec::new(),
        ..demo.collection().clone()
    };
    let graph = skyhound::graph::Graph::build(demo.all_nodes().to_vec(), collection);
    let mut a = app_with(120, 35);
    a.update(Event::Loaded(Ok(Box::new(Data::build(graph, Vec::new())))));
    command(&mut a, "collection");
    let s = screen(&a);
    assert!(
        s.contains("collection: no gaps, every read succeeded"),
        "{s}"
    );
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.view(), View::Collection { .. }),
        "nothing to open"
    );
}

/// Bill's account alone, as a partial build of a live collection.
fn bill_only(generation: u64) -> Data {
    let bill: Vec<skyhound::model::Node> = skyhound::source::demo::graph()
        .all_nodes()
        .iter()
        .filter(|n| n.account == skyhound::source::demo::BILL)
        .cloned()
        .collect();
    let mut d = Data::build(
        skyhound::graph::Graph::build(bill, Default::default()),
        Vec::new(),
    );
    d.generation = generation;
    d
}

#[test]
fn a_partial_build_finishing_after_the_final_load_is_dropped() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut a = App::new("live".into(), theme, Keymap::default(), chrono::Utc::now());
    a.update(Event::Resize(120, 35));
    a.update(Event::Partial(Box::new(bill_only(1))));
    let mut full = Data::build(skyhound::source::demo::graph(), Vec::new());
    full.generation = 3;
    let everything = full.graph.len();
    a.update(Event::Loaded(Ok(Box::new(full))));
    // Generation 2 started before the final load and finished after it.
    a.update(Event::Partial(Box::new(bill_only(2))));
    let d = a.data.clone().expect("data");
    assert_eq!(d.graph.len(), everything, "the final data stays");
    assert_eq!(d.generation, 3);
    assert!(d.is_analysed());
    let header = screen(&a).lines().next().unwrap_or_default().to_string();
    assert!(!header.contains("collecting"), "{header}");
}

#[test]
fn an_older_partial_build_never_replaces_a_newer_one() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut a = App::new("live".into(), theme, Keymap::default(), chrono::Utc::now());
    let mut newer = Data::build(skyhound::source::demo::graph(), Vec::new());
    newer.generation = 5;
    let n = newer.graph.len();
    a.update(Event::Partial(Box::new(newer)));
    a.update(Event::Partial(Box::new(bill_only(4))));
    assert_eq!(a.data.as_ref().map(|d| d.graph.len()), Some(n));
}

#[test]
fn an_analysis_arriving_while_a_background_sort_holds_the_data_is_kept() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut a = App::new(
        "synthetic".into(),
        theme,
        Keymap::default(),
        chrono::Utc::now(),
    );
    a.update(Event::Resize(120, 35));
    let graph = skyhound::source::synth::graph(30_000, 1);
    let data = Data::loaded(graph, Vec::new());
    let shared = data.graph.clone();
    a.update(Event::Loaded(Ok(Box::new(data))));
    command(&mut a, "all");
    // A list this long sorts in the background: the job holds the data.
    let effects = key(&mut a, KeyCode::Char('s'));
    let Some(Effect::Sort(job)) = effects.into_iter().next() else {
        panic!("a background sort")
    };
    let analysis = skyhound::analysis::analyse(&shared);
    let exposed = analysis.exposures.len();
    assert!(exposed > 0, "the synthetic organization has exposures");
    a.update(Event::Analysed {
        generation: 0,
        analysis: Box::new(analysis),
    });
    a.update(job.run());
    let d = a.data.clone().expect("data");
    assert!(d.is_analysed(), "the analysis was kept");
    assert_eq!(d.analysed().analysis.exposures.len(), exposed);
    let header = screen(&a).lines().next().unwrap_or_default().to_string();
    assert!(header.contains(" open"), "{header}");
    command(&mut a, "exposed");
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert!(!l.rows.is_empty(), "x shows what is exposed");
}

#[test]
fn an_analysis_of_other_data_is_not_applied() {
    let theme = Theme::load("dark", None, false).expect("theme");
    let mut a = App::new("live".into(), theme, Keymap::default(), chrono::Utc::now());
    let mut d = Data::loaded(skyhound::source::demo::graph(), Vec::new());
    d.generation = 7;
    a.update(Event::Loaded(Ok(Box::new(d))));
    let other = skyhound::analysis::analyse(&skyhound::source::demo::graph());
    a.update(Event::Analysed {
        generation: 6,
        analysis: Box::new(other),
    });
    assert!(!a.data.as_ref().is_some_and(|d| d.is_analysed()));
}

#[test]
fn admins_and_who_can_become_admin_are_views_and_badges() {
    let mut a = app_with(160, 40);
    command(&mut a, "admins");
    let text = screen(&a);
    assert!(text.contains("admins [1/9]"), "{text}");
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("admin")).collect();
    // Worst first: admin users (long-term keys) before roles, roles cut
    // down by Alice's guardrail last, with what they cannot do.
    let first_user = rows
        .iter()
        .position(|l| l.contains("admin user"))
        .expect("users");
    let last_cut = rows
        .iter()
        .rposition(|l| l.contains("admin except"))
        .expect("cut down");
    assert!(first_user < last_cut, "{text}");
    assert!(
        text.contains("admin except organizations:LeaveOrganization"),
        "{text}"
    );

    command(&mut a, "escalation");
    let text = screen(&a);
    assert!(
        text.contains("dev-sam") && text.contains("can become admin as bill in 1 step"),
        "{text}"
    );
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(text.contains("create-access-key"), "the steps show: {text}");
    assert!(text.contains("RotateKeys"), "with the statement: {text}");

    command(&mut a, "users");
    select_named(&mut a, "dev-sam");
    let text = screen(&a);
    let row = text
        .lines()
        .find(|l| l.contains("dev-sam") && l.contains("│CAN"))
        .unwrap_or_default();
    assert!(row.contains("CAN BECOME ADMIN"), "{text}");
    command(&mut a, "roles");
    let text = screen(&a);
    let row = text
        .lines()
        .find(|l| l.contains("web-server-role"))
        .unwrap_or_default();
    assert!(row.contains("ADMIN"), "{text}");
}

#[test]
fn an_instance_says_what_its_role_can_do() {
    let mut a = app_with(160, 40);
    command(&mut a, "instances");
    select_named(&mut a, "bill-web-server");
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(text.contains("role      web-server-role ADMIN"), "{text}");
    assert!(text.contains("AdministratorAccess statement 0"), "{text}");
    command(&mut a, "instances");
    select_named(&mut a, "alice-prod-app-1");
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(text.contains("(not admin, cannot become admin)"), "{text}");
}

#[test]
fn a_principals_permissions_tab_and_asking_what_it_can_do() {
    let mut a = app_with(140, 40);
    command(&mut a, "users");
    select_named(&mut a, "dev-sam");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('3'));
    let text = screen(&a);
    assert!(
        text.contains("CAN BECOME ADMIN · dev-sam may use 3 services (Enter opens one)"),
        "{text}"
    );
    assert!(
        text.contains("▸ iam (AWS Identity and Access Management (IAM)): List 2/40 · Permissions management 2/79"),
        "services start closed, each with its levels: {text}"
    );
    assert!(!text.contains("CreateAccessKey"), "{text}");
    // ec2 is the first service, iam the second.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(text.contains("▾ iam"), "{text}");
    assert!(text.contains("Permissions management 2/79"), "{text}");
    assert!(
        text.contains("CreateAccessKey on arn:aws:iam::555555555555:user/*"),
        "each action on a row of its own: {text}"
    );
    assert!(
        text.contains("by identity developer-self-service statement 1 (RotateKeys)"),
        "{text}"
    );
    // The statement behind the key actions opens in its policy.
    let Some(at) = text
        .lines()
        .position(|l| l.contains("statement 1 (RotateKeys)"))
    else {
        panic!("{text}")
    };
    let Some(service) = text.lines().position(|l| l.contains("▾ iam")) else {
        panic!("{text}")
    };
    for _ in service..at {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(
        text.contains("statement 1 of the policy highlighted"),
        "{text}"
    );
    assert!(text.contains("developer-self-service (detail)"), "{text}");
    key(&mut a, KeyCode::Esc);
    // Enter inside a service closes it.
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(
        text.contains("▸ iam") && !text.contains("CreateAccessKey"),
        "{text}"
    );

    command(&mut a, "roles");
    select_named(&mut a, "OrganizationAccountAccessRole");
    // The first is the security account's; find production's.
    for _ in 0..5 {
        if screen(&a).contains("333333333333:role/OrganizationAccountAccessRole") {
            break;
        }
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "cloudtrail:StopLogging");
    assert!(screen(&a).contains("can it (action [resource] [key=value]…)>"));
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(text.contains("DENIED: explicit deny"), "{text}");
    assert!(text.contains("protect-security-services"), "{text}");
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "nonsense");
    key(&mut a, KeyCode::Enter);
    assert!(
        screen(&a).contains("ask as ACTION"),
        "a bad question is named"
    );
}

#[test]
fn a_statement_behind_a_finding_opens_in_its_policy_highlighted() {
    let mut a = app_with(160, 40);
    command(&mut a, "escalation");
    key(&mut a, KeyCode::Enter);
    assert!(screen(&a).contains("create-access-key"));
    key(&mut a, KeyCode::Char('n'));
    let text = screen(&a);
    assert!(
        text.contains("statement 1 of") && text.contains("Enter opens it in its policy"),
        "{text}"
    );
    key(&mut a, KeyCode::Enter);
    let text = screen(&a);
    assert!(text.contains("highlighted; Esc returns"), "{text}");
    assert!(text.contains("developer-self-service (detail)"), "{text}");
    // The statement's lines, and only they, are drawn in the selection's
    // colours; the first of them is on screen.
    let Some(d) = a.data.clone() else {
        panic!("no data")
    };
    let View::Resource(r) = a.view() else {
        panic!("a resource view")
    };
    let rows = skyhound::app::view::detail_rows(&d, r.node, r.highlight.as_ref());
    let marked: Vec<String> = rows
        .iter()
        .filter_map(|row| match row {
            skyhound::app::view::DetailRow::Marked(l) => Some(l.trim().to_string()),
            _ => None,
        })
        .collect();
    assert!(marked.first().is_some_and(|l| l == "{"), "{marked:?}");
    assert!(
        marked.iter().any(|l| l.contains("\"RotateKeys\"")),
        "{marked:?}"
    );
    assert!(
        marked.iter().any(|l| l.contains("iam:CreateAccessKey")),
        "{marked:?}"
    );
    assert!(text.contains("RotateKeys"), "scrolled to it: {text}");
    // Esc goes back to the finding.
    key(&mut a, KeyCode::Esc);
    assert!(screen(&a).contains("create-access-key"));
}

#[test]
fn n_says_so_where_no_finding_rests_on_a_statement() {
    let mut a = app();
    command(&mut a, "vpcs");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('n'));
    assert!(
        screen(&a).contains("no finding here rests on a policy statement"),
        "{}",
        screen(&a)
    );
}

#[test]
fn snapshot_checks() {
    let mut a = app_with(160, 40);
    command(&mut a, "checks");
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn checks_go_worst_first_then_to_the_failing_resources_and_to_each_resource() {
    let mut a = app_with(160, 40);
    command(&mut a, "checks");
    let View::Checks(c) = a.view() else {
        panic!("the checks view")
    };
    // Worst first: a critical failure leads, checks with nothing to check
    // come last.
    let first = &c.rows[0];
    assert_eq!(
        first.tally.worst(),
        Some(skyhound::model::Severity::Critical),
        "{}",
        first.check.id
    );
    assert!(c.rows.last().is_some_and(|r| !r.tally.applies()));
    let worsts: Vec<_> = c.rows.iter().map(|r| r.tally.worst()).collect();
    assert!(worsts.windows(2).all(|w| w[0] >= w[1]), "{worsts:?}");
    // The side pane says what the selected check asks.
    let s = screen(&a);
    assert!(
        s.contains(
            first
                .check
                .description
                .split(' ')
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
                .as_str()
        ),
        "{s}"
    );

    // Move to the public-bucket check and open it: its failing buckets.
    let at = c
        .rows
        .iter()
        .position(|r| r.check.id == "s3.bucket-public")
        .expect("in the registry");
    for _ in 0..at {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    let View::List(l) = a.view() else {
        panic!("the check's list")
    };
    assert_eq!(l.kind, ListKind::Check("s3.bucket-public"));
    let d = a.data.clone().expect("data");
    let names: Vec<&str> = l
        .rows
        .iter()
        .filter_map(|id| d.graph.node(*id).name.as_deref())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"bill-backups") && names.contains(&"bill-website-images"));
    // The side pane carries the evidence and the fix with its command.
    select_named(&mut a, "bill-backups");
    let s = screen(&a);
    assert!(s.contains("FAIL CRITICAL"), "{s}");
    assert!(s.contains("fix:"), "{s}");
    assert!(s.contains("put-public-access-block"), "{s}");
    assert_eq!(
        a.breadcrumbs(),
        vec!["overview", "checks", "s3.bucket-public: Public bucket"]
    );

    // Enter opens the bucket; its detail lists its failing checks with
    // what to do.
    key(&mut a, KeyCode::Enter);
    let View::Resource(r) = a.view() else {
        panic!("the bucket")
    };
    assert_eq!(d.graph.node(r.node).name.as_deref(), Some("bill-backups"));
    let s = screen(&a);
    assert!(s.contains("FAIL critical s3.bucket-public"), "{s}");
    assert!(s.contains("fix: "), "{s}");
    // Esc goes back along the trail.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.view(), View::Checks(_)));
}

#[test]
fn a_check_opens_by_id_and_a_wrong_id_is_named() {
    let mut a = app_with(160, 40);
    command(&mut a, "check rds.public");
    let View::List(l) = a.view() else {
        panic!("list")
    };
    assert_eq!(l.kind, ListKind::Check("rds.public"));
    assert_eq!(l.rows.len(), 1, "bill-reports alone is public");
    let s = screen(&a);
    assert!(
        s.contains("bill-reports") && s.contains("FAIL CRITICAL"),
        "{s}"
    );
    assert!(s.contains("tcp 3306 open to the world"), "{s}");
    command(&mut a, "check no.such-check");
    let s = screen(&a);
    assert!(s.contains("no check \"no.such-check\""), "{s}");
    // Tab completes check ids.
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "check s3.bucket-p");
    key(&mut a, KeyCode::Tab);
    let Mode::Command(input) = &a.mode else {
        panic!("command mode")
    };
    assert_eq!(input.text, "check s3.bucket-public");
}

#[test]
fn the_checks_view_follows_the_scope_and_exports_its_results() {
    let mut a = app_with(160, 40);
    command(&mut a, "account alice-production");
    command(&mut a, "checks");
    let View::Checks(c) = a.view() else {
        panic!("checks")
    };
    let public = c
        .rows
        .iter()
        .find(|r| r.check.id == "s3.bucket-public")
        .expect("row");
    assert_eq!(
        public.tally.failures(),
        0,
        "Bill's buckets are out of scope"
    );
    command(&mut a, "account all");
    let View::Checks(c) = a.view() else {
        panic!("checks")
    };
    let public = c
        .rows
        .iter()
        .find(|r| r.check.id == "s3.bucket-public")
        .expect("row");
    assert_eq!(public.tally.failures(), 2);
    let effects = key(&mut a, KeyCode::Char('e'));
    let [Effect::Export(doc)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(doc.stem.starts_with("skyhound-checks-"));
    assert!(
        doc.markdown.contains("| `s3.bucket-public` |"),
        "{}",
        doc.markdown
    );
    let v: serde_json::Value = serde_json::from_str(&doc.json).expect("json");
    let checks = v["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), skyhound::analysis::checks::ALL.len());
    let results = v["results"].as_array().expect("results");
    assert!(results.iter().all(|r| r["status"] != "pass"));
    assert!(
        results
            .iter()
            .any(|r| r["check"] == "s3.bucket-public" && r["remediation"]["text"].is_string())
    );
}

#[test]
fn kind_lists_say_which_checks_fail_in_a_word() {
    let mut a = app_with(200, 40);
    command(&mut a, "bucket");
    let s = screen(&a);
    let line = s
        .lines()
        .find(|l| l.contains("bill-backups"))
        .expect("bill-backups listed");
    assert!(line.contains("PUBLIC"), "{line}");
    assert!(line.contains("AES256, no versioning"), "{line}");
    let line = s
        .lines()
        .find(|l| l.contains("alice-org-cloudtrail-logs") && !l.contains("S3 bucket"))
        .expect("alice's log bucket");
    assert!(
        !line.contains("PUBLIC") && line.contains("aws:kms, versioning enabled"),
        "{line}"
    );
    command(&mut a, "vol");
    let s = screen(&a);
    assert!(
        s.contains("UNENCRYPTED") && s.contains("8 GiB in-use, unencrypted"),
        "{s}"
    );
}

#[test]
fn slash_narrows_the_checks_by_id_title_epic_or_cis() {
    let mut a = app_with(160, 40);
    command(&mut a, "checks");
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "bucket");
    let View::Checks(c) = a.view() else {
        panic!("checks")
    };
    assert!(!c.rows.is_empty());
    assert!(
        c.rows
            .iter()
            .all(|r| r.check.id.contains("bucket")
                || r.check.title.to_lowercase().contains("bucket")),
        "{:?}",
        c.rows.iter().map(|r| r.check.id).collect::<Vec<_>>()
    );
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.breadcrumbs(), vec!["overview", "checks /bucket"]);
    // A CIS control number finds its check.
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Backspace);
    for _ in 0..10 {
        key(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "2.3.1");
    let View::Checks(c) = a.view() else {
        panic!("checks")
    };
    assert_eq!(
        c.rows.iter().map(|r| r.check.id).collect::<Vec<_>>(),
        ["rds.encrypted"]
    );
    // Esc clears it.
    key(&mut a, KeyCode::Esc);
    let View::Checks(c) = a.view() else {
        panic!("checks")
    };
    assert_eq!(c.rows.len(), skyhound::analysis::checks::ALL.len());
}

/// From Bill's bitcoin finding in the GuardDuty list: `b` shows what an
/// attacker on the web server reaches, `R` what to do now, and `e` writes
/// the incident note with all of it.
#[test]
fn from_a_finding_b_shows_the_blast_radius_r_the_steps_and_e_the_incident_note() {
    let mut a = app();
    key(&mut a, KeyCode::Char('F'));
    let d = a.data.clone().expect("data");
    for _ in 0..30 {
        if let View::List(l) = a.view()
            && l.current().is_some_and(|id| {
                d.graph
                    .node(id)
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("bill-web-server is querying"))
            })
        {
            break;
        }
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Char('b'));
    let text = screen(&a);
    assert!(
        matches!(a.view(), View::Resource(r) if r.tab == Tab::Blast),
        "{text}"
    );
    assert!(text.contains("from bill-web-server:"), "{text}");
    assert!(text.contains("blast radius"), "{text}");
    key(&mut a, KeyCode::Char('R'));
    let text = screen(&a);
    assert!(text.contains("KEEP THE EVIDENCE"), "{text}");
    assert!(text.contains("aws guardduty get-findings"), "{text}");
    // Scrolling reaches the last step.
    for _ in 0..60 {
        key(&mut a, KeyCode::Down);
    }
    assert!(screen(&a).contains("archive-findings"), "{}", screen(&a));

    let effects = key(&mut a, KeyCode::Char('e'));
    let [Effect::Export(doc)] = &effects[..] else {
        panic!("{effects:?}")
    };
    for part in [
        "## GuardDuty finding",
        "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        "## Resource",
        "## Internet exposure",
        "## Blast radius",
        "## What to do now",
        "### Contain",
        "## Who changed it",
    ] {
        assert!(doc.markdown.contains(part), "{part}: {}", doc.markdown);
    }
    let v: serde_json::Value = serde_json::from_str(&doc.json).expect("json");
    assert!(v["blast_radius"]["identity"]["admin"].as_bool() == Some(true));
    assert!(
        v["respond"]["steps"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
}

#[test]
fn the_blast_radius_tab_of_alice_bastion() {
    let mut a = app();
    command(&mut a, "instances");
    select_named(&mut a, "alice-prod-bastion");
    key(&mut a, KeyCode::Char('b'));
    insta::assert_snapshot!(screen(&a));
}

#[test]
fn b_on_something_without_a_blast_radius_says_what_has_one() {
    let mut a = app();
    command(&mut a, "vpcs");
    key(&mut a, KeyCode::Char('b'));
    assert!(
        matches!(a.view(), View::Resource(r) if r.tab == Tab::Detail),
        "opens the detail instead"
    );
    let text = screen(&a);
    assert!(text.contains("starts no blast radius"), "{text}");
}

/// Moves the blast radius tab's cursor down to the row containing `text`.
fn blast_cursor_to(a: &mut App, text: &str) {
    for _ in 0..200 {
        if let View::Resource(r) = a.view()
            && let Some(t) = &r.blast
            && t.rows()
                .get(t.selected)
                .is_some_and(|row| row.text.contains(text))
        {
            return;
        }
        key(a, KeyCode::Down);
    }
    panic!("no row with {text:?} in\n{}", screen(a));
}

/// The blast radius of Bill's web server as a tree: the parts with their
/// counts, space shows an item's evidence, Enter follows a resource or a
/// statement and opens or closes a part, Esc comes back.
#[test]
fn the_blast_radius_tree_opens_its_evidence_and_follows_it() {
    let mut a = app();
    command(&mut a, "instances");
    select_named(&mut a, "bill-web-server");
    key(&mut a, KeyCode::Char('b'));
    let text = screen(&a);
    assert!(text.contains("▾ network:"), "{text}");
    assert!(
        text.contains("▾ identity: 1 principal, admin in 1 account"),
        "{text}"
    );

    // The bucket's grants are hidden until space shows them.
    blast_cursor_to(&mut a, "bucket bill-backups");
    assert!(!screen(&a).contains("by arn:aws:iam::aws:policy/AdministratorAccess"));
    key(&mut a, KeyCode::Char(' '));
    let text = screen(&a);
    assert!(text.contains("▾ S3 bucket bill-backups"), "{text}");
    assert!(text.contains("as delete"), "{text}");
    // Enter on a statement opens its policy, the statement highlighted.
    blast_cursor_to(&mut a, "by arn:aws:iam::aws:policy/AdministratorAccess");
    key(&mut a, KeyCode::Enter);
    let View::Resource(policy) = a.view() else {
        panic!("{}", screen(&a))
    };
    assert!(policy.highlight.is_some(), "{}", screen(&a));
    key(&mut a, KeyCode::Esc);
    // Space on the evidence closes it, the cursor back on the bucket.
    key(&mut a, KeyCode::Char(' '));
    assert!(
        screen(&a).contains("▸ S3 bucket bill-backups"),
        "{}",
        screen(&a)
    );
    // Enter on the bucket follows it.
    key(&mut a, KeyCode::Enter);
    let d = a.data.clone().expect("data");
    let View::Resource(bucket) = a.view() else {
        panic!("{}", screen(&a))
    };
    assert_eq!(d.graph.node(bucket.node).display_name(), "bill-backups");
    key(&mut a, KeyCode::Esc);

    // Enter on a part's heading closes it.
    let mut b = app();
    command(&mut b, "instances");
    select_named(&mut b, "bill-web-server");
    key(&mut b, KeyCode::Char('b'));
    blast_cursor_to(&mut b, "▾ network:");
    key(&mut b, KeyCode::Enter);
    let text = screen(&b);
    assert!(text.contains("▸ network:"), "{text}");
    assert!(!text.contains("bill-db"), "{text}");
}

/// `:history` on demo data says the event history is read live, and how.
#[test]
fn history_offline_says_it_is_read_live() {
    let mut a = app();
    command(&mut a, "instances");
    select_named(&mut a, "bill-web-server");
    command(&mut a, "history");
    assert!(matches!(a.view(), View::History(_)));
    let text = screen(&a);
    assert!(
        text.contains("who changed instance bill-web-server"),
        "{text}"
    );
    assert!(
        text.contains("CloudTrail's event history is read live"),
        "{text}"
    );
    assert!(text.contains("skyhound history i-"), "{text}");
    // Bad days are refused, not read.
    command(&mut a, "history bill-web-server 400");
    assert!(screen(&a).contains("1 to 90 days"), "{}", screen(&a));
}

/// Live, `:history` on a finding asks for its instance's events in its
/// account and region; the answer shows newest first with the selected
/// event's request, and the incident note carries it.
#[test]
fn history_live_reads_the_findings_resource_and_the_note_carries_it() {
    use skyhound::source::collect::history::{Event as Change, History, Lookup};
    let mut a = app_with(140, 40);
    a.live = true;
    key(&mut a, KeyCode::Char('F'));
    let d = a.data.clone().expect("data");
    for _ in 0..30 {
        if let View::List(l) = a.view()
            && l.current().is_some_and(|id| {
                d.graph
                    .node(id)
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("bill-web-server is querying"))
            })
        {
            break;
        }
        key(&mut a, KeyCode::Down);
    }
    let finding = a.selected_node().expect("finding");
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "history 30");
    let effects = key(&mut a, KeyCode::Enter);
    let [Effect::History(request)] = &effects[..] else {
        panic!("{effects:?}")
    };
    let web = d.graph.by_id(&request.resource).expect("the instance");
    assert_eq!(d.graph.node(web).display_name(), "bill-web-server");
    assert_eq!(request.place.account.as_deref(), Some("555555555555"));
    assert_eq!(request.place.regions, ["us-east-1"]);
    assert_eq!(request.days, 30);
    assert_eq!(
        request.lookups[0],
        Lookup::ResourceName(request.resource.clone())
    );
    assert!(screen(&a).contains("reading…"), "{}", screen(&a));
    // Asked again while reading: no second reading.
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, &format!("history {}", request.resource));
    assert!(key(&mut a, KeyCode::Enter).is_empty());

    let change = |minute: u32, event: &str, request: serde_json::Value| Change {
        time: chrono::DateTime::parse_from_rfc3339(&format!("2026-12-01T03:{minute:02}:00Z"))
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc)),
        event: event.to_string(),
        user: Some("mallory\u{1b}[31m".to_string()),
        source_ip: Some("203.0.113.7".to_string()),
        request: Some(request),
        region: "us-east-1".to_string(),
    };
    a.update(Event::HistoryRead {
        resource: request.resource.clone(),
        history: Box::new(History {
            events: vec![
                change(
                    12,
                    "ModifyInstanceAttribute",
                    serde_json::json!({"instanceId": request.resource}),
                ),
                change(
                    5,
                    "AuthorizeSecurityGroupIngress",
                    serde_json::json!({"groupId": "sg-1", "fromPort": 22}),
                ),
            ],
            gaps: Vec::new(),
            truncated: false,
        }),
    });
    let text = screen(&a);
    assert!(text.contains("2 events"), "{text}");
    assert!(text.contains("ModifyInstanceAttribute"), "{text}");
    assert!(text.contains("203.0.113.7"), "{text}");
    assert!(!text.contains('\u{1b}'), "no raw escape from a user name");
    key(&mut a, KeyCode::Down);
    let text = screen(&a);
    assert!(text.contains("request parameters"), "{text}");
    assert!(text.contains("\"fromPort\": 22"), "{text}");
    insta::assert_snapshot!(text);
    let [Effect::Export(doc)] = &key(&mut a, KeyCode::Char('e'))[..] else {
        panic!("export")
    };
    assert!(
        doc.markdown.contains("| AuthorizeSecurityGroupIngress |"),
        "{}",
        doc.markdown
    );

    // The finding's incident note holds the same events.
    a.open_resource(finding, Tab::Blast);
    let [Effect::Export(doc)] = &key(&mut a, KeyCode::Char('e'))[..] else {
        panic!("export")
    };
    assert!(
        doc.markdown.contains("## Who changed it"),
        "{}",
        doc.markdown
    );
    assert!(
        doc.markdown.contains("| AuthorizeSecurityGroupIngress |"),
        "{}",
        doc.markdown
    );
    let v: serde_json::Value = serde_json::from_str(&doc.json).expect("json");
    assert_eq!(v["history"]["events"].as_array().map(Vec::len), Some(2));
}
