//! The command line, run as a user runs it.

use std::process::Command;

use crate::fixture;

fn skyhound(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skyhound"))
        .args(args)
        .env("HOME", std::env::temp_dir())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn demo_summary_needs_no_credentials() {
    let (code, out, err) = skyhound(&["--demo", "summary"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("555555555555 (bill-company)"));
    assert!(out.contains("organization o-a1icede4m0"));
    // The bare command prints the same summary until the explorer exists.
    let (code, bare, _) = skyhound(&["--demo"]);
    assert_eq!(code, 0);
    assert_eq!(bare, out);
}

#[test]
fn summary_reads_a_cloudmapper_tree_and_lists_gaps() {
    let tree = fixture("import/alias-tree");
    let (code, out, err) = skyhound(&["summary", "--from", tree.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("123456789012 (acme-prod)"), "{out}");
    assert!(out.contains("us-west-2: not collected"), "{out}");
}

#[test]
fn show_prints_a_resource_with_relationships_by_name_id_or_arn() {
    let (code, out, _) = skyhound(&["--demo", "show", "bill-database"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("protected by") && out.contains("database"),
        "{out}"
    );
    let (code, json, _) = skyhound(&[
        "show",
        "arn:aws:iam::555555555555:role/partner-support",
        "--demo",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["resource"]["name"], "partner-support");
    assert!(
        v["relationships"]
            .as_array()
            .expect("list")
            .iter()
            .any(|r| r["label"] == "trusts" && r["id"] == "999988887777")
    );
}

#[test]
fn errors_are_one_line_with_a_non_zero_exit() {
    let (code, out, err) = skyhound(&["--demo", "show", "no-such-thing"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("no-such-thing"));

    let (code, _, err) = skyhound(&["summary"]);
    assert_ne!(code, 0);
    assert!(err.contains("--demo"), "{err}");

    let (code, _, err) = skyhound(&["summary", "--from", "/nonexistent/skyhound"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("/nonexistent/skyhound") && !err.contains("panicked"),
        "{err}"
    );

    // A name several resources share is ambiguous.
    let (code, _, err) = skyhound(&["--demo", "show", "default"]);
    assert_ne!(code, 0);
    assert!(err.contains("use an id or ARN"), "{err}");
}

#[test]
fn export_writes_a_snapshot_that_loads_back() {
    let dir = std::env::temp_dir().join(format!("skyhound-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("demo.snapshot");
    let p = path.to_str().expect("utf8");
    let (code, _, err) = skyhound(&["--demo", "export", "--out", p]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = skyhound(&["summary", "--from", p]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("snapshot"), "{out}");
    assert!(out.contains("bill-company"));
    let _ = std::fs::remove_dir_all(&dir);
}
