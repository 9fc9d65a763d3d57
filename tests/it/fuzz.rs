//! Property tests over bad input: arbitrary and mutated AWS JSON for every
//! file the importer reads, snapshot lines, policy documents, config and
//! theme files, and key sequences (with resizes down to 0×0) for the
//! explorer. Each asserts no panic, a named error, and that valid
//! neighbours still load.
//!
//! `PROPTEST_CASES` sets how many inputs each property tries (default 48 in
//! the suite, which keeps the run under a minute); a longer run is
//! `PROPTEST_CASES=5000 cargo test --release --test it fuzz`.

use std::path::Path;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use skyhound::app::data::Data;
use skyhound::app::keymap::Keymap;
use skyhound::app::{App, Event};
use skyhound::source::operations::{ALL, Absent};
use skyhound::theme::Theme;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value, a few levels deep, with AWS-looking keys and strings.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("GroupId".to_string()),
        Just("IpPermissions".to_string()),
        Just("FromPort".to_string()),
        Just("VpcId".to_string()),
        Just("SubnetId".to_string()),
        Just("CidrIp".to_string()),
        Just("Tags".to_string()),
        Just("Statement".to_string()),
        "[A-Za-z]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::from("0.0.0.0/0")),
        Just(Value::from("sg-1")),
        Just(Value::from("-1")),
        Just(Value::from("\u{1b}]0;x\u{7}\u{202e}")),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replace one value somewhere in a document by another.
fn mutate(doc: &mut Value, path: &[usize], with: Value) {
    let Some((step, rest)) = path.split_first() else {
        *doc = with;
        return;
    };
    match doc {
        Value::Array(items) if !items.is_empty() => {
            let n = items.len();
            mutate(&mut items[step % n], rest, with);
        }
        Value::Object(map) if !map.is_empty() => {
            let n = map.len();
            if let Some(v) = map.values_mut().nth(step % n) {
                mutate(v, rest, with);
            }
        }
        other => *other = with,
    }
}

/// A valid account-data tree (the demo's), to mutate.
fn valid_files() -> &'static Vec<(String, Value)> {
    static FILES: std::sync::OnceLock<Vec<(String, Value)>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        skyhound::source::collect::account_data::write_tree(
            &skyhound::source::demo::graph(),
            dir.path(),
        )
        .expect("tree");
        let region = dir
            .path()
            .join(skyhound::source::demo::BILL)
            .join("us-east-1");
        let mut out = Vec::new();
        for e in std::fs::read_dir(&region).expect("region").flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".json") {
                let v: Value =
                    serde_json::from_slice(&std::fs::read(e.path()).expect("read")).expect("json");
                out.push((stem.to_string(), v));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    })
}

/// Import one region folder holding `files`; the VPC file is always valid,
/// so a good neighbour must survive whatever the others hold.
fn import_with(dir: &Path, files: &[(String, Vec<u8>)]) -> skyhound::graph::Graph {
    let region = dir.join("111122223333").join("us-east-1");
    std::fs::create_dir_all(&region).expect("region");
    for (name, bytes) in files {
        std::fs::write(region.join(format!("{name}.json")), bytes).expect("write");
    }
    std::fs::write(
        region.join("ec2-describe-vpcs.json"),
        br#"{"Vpcs": [{"VpcId": "vpc-good", "CidrBlock": "10.0.0.0/16", "OwnerId": "111122223333"}]}"#,
    )
    .expect("vpcs");
    let imported = skyhound::source::import::import_dir(dir, &Default::default())
        .expect("a folder of AWS JSON imports, whatever its files hold");
    for p in &imported.problems {
        assert!(
            p.to_string().contains(".json"),
            "a problem names its file: {p}"
        );
    }
    imported.graph
}

fn importer_files() -> Vec<String> {
    ALL.iter()
        .filter(|o| o.absent != Absent::NotRead && o.per_item.is_none())
        .map(|o| o.file())
        .filter(|f| f != "ec2-describe-vpcs")
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_json_in_any_importer_file(file in 0usize..64, doc in json()) {
        let names = importer_files();
        let name = &names[file % names.len()];
        let dir = tempfile::tempdir().expect("tempdir");
        let bytes = serde_json::to_vec(&doc).expect("json");
        let g = import_with(dir.path(), &[(name.clone(), bytes)]);
        prop_assert!(g.by_id("vpc-good").is_some(), "the valid neighbour loads ({name})");
    }

    #[test]
    fn mutated_real_files(file in 0usize..64, path in prop::collection::vec(0usize..16, 1..8), with in json()) {
        let files = valid_files();
        let (name, valid) = &files[file % files.len()];
        let mut doc = valid.clone();
        mutate(&mut doc, &path, with);
        let dir = tempfile::tempdir().expect("tempdir");
        let g = import_with(dir.path(), &[(name.clone(), serde_json::to_vec(&doc).expect("json"))]);
        prop_assert!(g.by_id("vpc-good").is_some());
        // The exposure analysis answers whatever was loaded.
        let _ = skyhound::analysis::analyse(&g);
    }

    #[test]
    fn arbitrary_bytes_in_any_importer_file(file in 0usize..64, bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let names = importer_files();
        let name = &names[file % names.len()];
        let dir = tempfile::tempdir().expect("tempdir");
        let g = import_with(dir.path(), &[(name.clone(), bytes)]);
        prop_assert!(g.by_id("vpc-good").is_some());
    }

    #[test]
    fn snapshot_lines(lines in prop::collection::vec(json(), 0..6), header in json()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.snapshot");
        let mut text = serde_json::to_string(&header).expect("json");
        for l in &lines {
            text.push('\n');
            text.push_str(&serde_json::to_string(l).expect("json"));
        }
        std::fs::write(&path, text).expect("write");
        if let Err(e) = skyhound::graph::snapshot::load(&path) {
            prop_assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
        // A real header with bad resource lines names the line.
        let good = skyhound::graph::Graph::build(Vec::new(), Default::default());
        skyhound::graph::snapshot::save(&good, &path).expect("save");
        let mut text = std::fs::read_to_string(&path).expect("read");
        for l in &lines {
            text.push_str(&serde_json::to_string(l).expect("json"));
            text.push('\n');
        }
        std::fs::write(&path, text).expect("write");
        if let Err(e) = skyhound::graph::snapshot::load(&path) {
            prop_assert!(e.to_string().contains("s.snapshot"), "{e}");
        }
    }

    #[test]
    fn policy_documents(doc in json(), text in ".{0,64}") {
        for d in [
            skyhound::model::policy::PolicyDocument::from_api(doc.clone()),
            skyhound::model::policy::PolicyDocument::from_text(&text),
            skyhound::model::policy::PolicyDocument::from_api(Value::from(doc.to_string())),
        ].into_iter().flatten() {
            let _ = d.trusted_principals();
            let _ = d.statements();
            let _ = d.pretty();
        }
    }

    #[test]
    fn config_and_theme_files(text in "(\\[[a-z]{0,8}\\]\n)?([a-z_]{0,10} = (\"[a-z #0-9-]{0,16}\"|[0-9]{0,4}|\\[\\]|true)\n){0,6}") {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config.toml"), &text).expect("write");
        if let Err(e) = skyhound::config::load(Some(dir.path())) {
            prop_assert!(e.contains("config.toml"), "{e}");
        }
        std::fs::create_dir_all(dir.path().join("themes")).expect("themes");
        std::fs::write(dir.path().join("themes").join("mine.toml"), &text).expect("write");
        if let Err(e) = Theme::load("mine", Some(dir.path()), false) {
            prop_assert!(e.to_string().contains("mine"), "{e}");
        }
    }

    #[test]
    fn key_sequences_and_resizes(steps in prop::collection::vec((0usize..40, 0u16..260, 0u16..80), 1..60)) {
        let theme = Theme::load("dark", None, false).expect("theme");
        let mut app = App::new("demo".into(), theme, Keymap::default(), chrono::Utc::now());
        app.update(Event::Loaded(Ok(Box::new(demo_data()))));
        let keys = [
            KeyCode::Char(':'), KeyCode::Char('/'), KeyCode::Char('f'), KeyCode::Char('x'),
            KeyCode::Char('F'), KeyCode::Char('e'), KeyCode::Char('a'), KeyCode::Char('w'),
            KeyCode::Char('s'), KeyCode::Char('S'), KeyCode::Char('?'), KeyCode::Char('j'),
            KeyCode::Char('k'), KeyCode::Char('G'), KeyCode::Char('g'), KeyCode::Char('['),
            KeyCode::Char(']'), KeyCode::Char('p'), KeyCode::Char('1'), KeyCode::Char('2'),
            KeyCode::Char('3'), KeyCode::Char('i'), KeyCode::Char(' '), KeyCode::Enter,
            KeyCode::Esc, KeyCode::Tab, KeyCode::BackTab, KeyCode::Backspace, KeyCode::Up,
            KeyCode::Down, KeyCode::PageUp, KeyCode::PageDown, KeyCode::Home, KeyCode::End,
            KeyCode::Left, KeyCode::Right, KeyCode::Char('e'), KeyCode::Char('t'),
        ];
        for (k, w, h) in steps {
            if k >= keys.len() {
                app.update(Event::Resize(w, h));
            } else {
                let _ = app.update(Event::Key(KeyEvent::new(keys[k], KeyModifiers::NONE)));
            }
            if app.quit {
                break;
            }
            let (w, h) = app.size;
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            terminal.draw(|f| skyhound::ui::draw(f, &app)).expect("draws");
        }
    }
}

/// The demo, built and analysed once for every key sequence.
fn demo_data() -> Data {
    Data::build(skyhound::source::demo::graph(), Vec::new())
}
