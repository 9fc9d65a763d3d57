//! The command line, run as a user runs it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::fixture;

/// One home folder for every command these tests run, made once.
fn home() -> &'static PathBuf {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| crate::scratch("cli-home"))
}

pub(super) fn skyhound(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skyhound"))
        .args(args)
        .env("HOME", home())
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

    // A bad command line is one line too, with the usage.
    for args in [
        &["--demo", "explain"][..],
        &["--demo", "exposure", "--bogus"][..],
    ] {
        let (code, _, err) = skyhound(args);
        assert_eq!(code, 2);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("usage: skyhound"), "{err}");
    }
    let (code, out, _) = skyhound(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Usage:"));

    // A name several resources share is ambiguous.
    let (code, _, err) = skyhound(&["--demo", "show", "default"]);
    assert_ne!(code, 0);
    assert!(err.contains("use an id or ARN"), "{err}");
}

#[test]
fn export_writes_a_snapshot_that_loads_back() {
    let dir = crate::scratch("cli-export");
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

#[test]
fn exposure_json_has_the_documented_fields() {
    let (code, out, err) = skyhound(&["exposure", "--demo", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v.as_array().expect("an array");
    assert!(!list.is_empty());
    for e in list {
        for field in [
            "resource",
            "account",
            "region",
            "protocol",
            "from_port",
            "to_port",
            "sources",
            "via",
            "path",
        ] {
            assert!(e.get(field).is_some(), "{field} missing in {e}");
        }
        assert!(
            ["tcp", "udp", "icmp", "icmpv6", "all"]
                .contains(&e["protocol"].as_str().expect("protocol"))
        );
        for hop in e["path"].as_array().expect("path") {
            assert!(hop["kind"].is_string() && hop["id"].is_string() && hop["detail"].is_string());
        }
        if e["via"] == "load-balancer" {
            assert!(
                e["load_balancer"]
                    .as_str()
                    .expect("lb arn")
                    .starts_with("arn:aws:elasticloadbalancing:")
            );
            assert!(e["target_port"].is_u64());
        } else {
            assert_eq!(e["via"], "direct");
        }
    }
    let bill_db = list
        .iter()
        .find(|e| e["name"] == "bill-database" && e["from_port"] == 3306)
        .expect("bill's database on 3306");
    assert_eq!(bill_db["sources"], serde_json::json!(["0.0.0.0/0"]));
    assert!(bill_db["resource"].as_str().expect("id").starts_with("i-"));
}

#[test]
fn fail_on_exposure_exits_3_only_when_something_is_exposed() {
    let (code, _, _) = skyhound(&["exposure", "--demo", "--fail-on-exposure"]);
    assert_eq!(code, 3);
    let (code, _, _) = skyhound(&["exposure", "--demo"]);
    assert_eq!(code, 0);
    // A tree where nothing is open.
    let tree = fixture("import/flat");
    let (code, out, err) = skyhound(&[
        "exposure",
        "--from",
        tree.to_str().expect("utf8"),
        "--fail-on-exposure",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("nothing is reachable"));
}

#[test]
fn explain_answers_with_the_path_or_what_blocks() {
    let (code, out, err) = skyhound(&[
        "--demo",
        "explain",
        "bill-web-server",
        "--port",
        "22",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["reachable"], true);
    let path = v["path"].as_array().expect("path");
    assert!(path.iter().any(|h| h["kind"] == "security-group"
        && h["detail"].as_str().expect("detail").contains("0.0.0.0/0")));
    assert!(path.iter().any(|h| {
        h["kind"] == "route-table"
            && h["detail"]
                .as_str()
                .expect("detail")
                .contains("internet gateway")
    }));
    assert_eq!(v["blocked_by"], serde_json::json!([]));

    let (code, out, _) = skyhound(&[
        "--demo",
        "explain",
        "alice-prod-db",
        "--port",
        "5432",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["reachable"], false);
    let kinds: Vec<&str> = v["blocked_by"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    for k in [
        "route-table",
        "public-address",
        "network-acl",
        "security-group",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }

    let (code, out, _) = skyhound(&[
        "--demo",
        "explain",
        "alice-prod-bastion",
        "--port",
        "22",
        "--source",
        "198.51.100.1",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("NOT REACHABLE") && out.contains("security-group"),
        "{out}"
    );

    let (code, _, err) = skyhound(&[
        "--demo",
        "explain",
        "alice-prod-bastion",
        "--port",
        "22",
        "--source",
        "10.0.0.1",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("private"), "{err}");
    let (code, _, err) = skyhound(&[
        "--demo",
        "explain",
        "alice-prod-bastion",
        "--protocol",
        "smtp",
        "--port",
        "25",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("smtp"), "{err}");
    let (code, _, err) = skyhound(&[
        "--demo",
        "explain",
        "arn:aws:iam::555555555555:role/partner-support",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("not a network endpoint"), "{err}");
}

#[test]
fn explain_on_a_load_balancer_target_says_it_is_served_through_the_listener() {
    // The target port is not open to the internet: the listener is.
    let (code, out, err) = skyhound(&["--demo", "explain", "alice-prod-app-1", "--port", "8080"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("NOT REACHABLE directly on tcp 8080; served through load balancer alice-prod-alb on listener 443, forwarded to port 8080"),
        "{out}"
    );
    let (_, out, _) = skyhound(&["--demo", "explain", "alice-prod-app-1", "--port", "443"]);
    assert!(
        out.contains(
            "REACHABLE through load balancer alice-prod-alb on listener 443, forwarded to port 8080"
        ) && out.contains("not directly"),
        "{out}"
    );
    let (_, out, _) = skyhound(&[
        "--demo",
        "explain",
        "alice-prod-app-1",
        "--port",
        "8080",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["reachable"], true, "through the load balancer");
    assert_eq!(v["reachable_directly"], false);
    // A blocking security group hop always names its group.
    assert!(!out.contains("\"id\": \"\""), "{out}");

    // An all-traffic rule is every port, not port 0.
    let (_, out, _) = skyhound(&["--demo", "explain", "bill-web-server"]);
    assert!(out.contains("tcp all ports from the internet"), "{out}");
    assert!(!out.contains("tcp 0 ") && !out.contains("udp 0 "), "{out}");
    assert!(out.contains("REACHABLE directly from 0.0.0.0/0"), "{out}");

    // A source outside what the rules allow: the answer names what they allow.
    let (_, out, _) = skyhound(&[
        "--demo",
        "explain",
        "alice-prod-bastion",
        "--port",
        "22",
        "--source",
        "198.51.100.7",
    ]);
    assert!(
        out.contains("203.0.113.0/24") && out.contains("only these sources"),
        "{out}"
    );
}

#[test]
fn findings_lists_every_check_with_evidence_and_remediation() {
    let (code, json, err) = skyhound(&["--demo", "findings", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = v.as_array().expect("a list");
    for f in list {
        for field in [
            "check",
            "severity",
            "account",
            "region",
            "resource",
            "title",
            "evidence",
            "remediation",
        ] {
            assert!(f.get(field).is_some(), "{field} in {f}");
        }
    }
    let of = |check: &str, name: &str| {
        list.iter()
            .filter(|f| f["check"] == check && f["name"] == name)
            .collect::<Vec<_>>()
    };
    // Both ways into Bill's database, each with its rule and its revoke.
    let db = of("exposure.internet", "bill-database");
    assert_eq!(db.len(), 2, "{db:?}");
    let mysql = db
        .iter()
        .find(|f| f["title"].as_str().is_some_and(|t| t.contains("tcp 3306")))
        .expect("3306");
    assert_eq!(mysql["severity"], "critical");
    assert!(
        mysql["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["component"] == "security-group"
                && e["detail"].as_str().is_some_and(|d| d.contains("3306")))
    );
    assert!(
        mysql["remediation"]["commands"][0]
            .as_str()
            .is_some_and(|c| c.starts_with("aws ec2 revoke-security-group-ingress")
                && c.contains("FromPort=3306")
                && c.contains("CidrIp=0.0.0.0/0")),
        "{mysql}"
    );
    // Posture: IMDSv1 on Bill's web server, a console user without MFA.
    let imds = of("ec2.imdsv2", "bill-web-server");
    assert_eq!(imds.len(), 1);
    assert_eq!(
        imds[0]["evidence"][0]["field"],
        "metadata_options.http_tokens"
    );
    assert_eq!(imds[0]["evidence"][0]["value"], "optional");
    assert!(!of("iam.console-user-mfa", "bill").is_empty());
    // Alice's instances require IMDSv2.
    assert!(
        list.iter()
            .filter(|f| f["check"] == "ec2.imdsv2")
            .all(|f| f["account"] == "555555555555"),
        "only Bill's instances allow IMDSv1"
    );
    // Worst first.
    let rank = |s: &serde_json::Value| match s.as_str() {
        Some("critical") => 3,
        Some("high") => 2,
        Some("medium") => 1,
        _ => 0,
    };
    let ranks: Vec<i32> = list.iter().map(|f| rank(&f["severity"])).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
}

#[test]
fn findings_filter_by_check_and_severity_and_fail_on() {
    let (code, json, _) = skyhound(&["--demo", "findings", "--json", "--check", "ec2.imdsv2"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(
        v.as_array()
            .expect("list")
            .iter()
            .all(|f| f["check"] == "ec2.imdsv2")
    );
    let (_, json, _) = skyhound(&["--demo", "findings", "--json", "--severity", "critical"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = v.as_array().expect("list");
    assert!(!list.is_empty() && list.iter().all(|f| f["severity"] == "critical"));
    let (code, _, _) = skyhound(&["--demo", "findings", "--fail-on", "critical"]);
    assert_eq!(code, 3, "a critical finding fails the pipeline");
    let (code, out, err) = skyhound(&["--demo", "findings", "--check", "no.such"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("no check \"no.such\"") && err.contains("exposure.internet"),
        "{err}"
    );
    let (code, _, err) = skyhound(&["--demo", "findings", "--severity", "severe"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown severity"), "{err}");
}

#[test]
fn checks_list_prints_the_registry() {
    let (code, out, _) = skyhound(&["checks", "--list"]);
    assert_eq!(code, 0);
    for id in ["exposure.internet", "ec2.imdsv2", "iam.console-user-mfa"] {
        assert!(out.contains(id), "{out}");
    }
    let (code, json, _) = skyhound(&["checks", "--list", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(
        v.as_array()
            .expect("list")
            .iter()
            .all(|c| c["id"].is_string()
                && c["severity"].is_string()
                && c["description"].is_string())
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["--demo", "explain", "alice-prod-app-1", "--json"][..],
        &["--demo", "findings"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_skyhound"))
            .args(args)
            .env("HOME", home())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        // The reader goes away before anything is written (`| head -c 0`).
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("waits");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn out_onto_a_device_or_a_link_writes_through_it() {
    let (code, _, err) = skyhound(&["--demo", "export", "--out", "/dev/null"]);
    assert_eq!(code, 0, "{err}");
    let m = std::fs::metadata("/dev/null").expect("/dev/null");
    assert!(!m.is_file(), "/dev/null is still a device");
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("latest.snapshot");
    std::os::unix::fs::symlink("estate-1.snapshot", &link).expect("symlink");
    let (code, _, err) = skyhound(&["--demo", "export", "--out", link.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(dir.path().join("estate-1.snapshot").is_file());
    let (code, _, err) = skyhound(&[
        "--demo",
        "export",
        "--out",
        dir.path().to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is a folder"), "{err}");
}

#[test]
fn a_signal_during_a_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("home");
    let out = dir.path().join("big.snapshot");
    let mut child = Command::new(env!("CARGO_BIN_EXE_skyhound"))
        .args(["synth", "--resources", "250000", "--out"])
        .arg(&out)
        .env("HOME", home.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let started = std::time::Instant::now();
    let temporary = || {
        std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".skyhound-tmp-")
            })
    };
    while !temporary() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the write never started"
        );
        if child.try_wait().expect("wait").is_some() {
            panic!("synth finished before it could be stopped");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let done = child.wait_with_output().expect("waits");
    let err = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted by SIGTERM"), "{err}");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_region_filter_filters_and_an_unknown_value_is_refused() {
    let (code, json, err) = skyhound(&["--demo", "--region", "eu-west-1", "exposure", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = v.as_array().expect("list");
    assert!(list.iter().all(|e| e["region"] == "eu-west-1"), "{json}");
    let (_, all, _) = skyhound(&["--demo", "exposure", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&all).expect("json");
    assert!(all.as_array().expect("list").len() > list.len());
    for args in [
        &["--demo", "--region", "mars-1", "exposure"][..],
        &["--demo", "--region", "mars-1", "findings"][..],
    ] {
        let (code, out, err) = skyhound(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert!(
            err.contains("no region \"mars-1\"") && err.contains("us-east-1"),
            "{err}"
        );
    }
    let (code, _, err) = skyhound(&["--demo", "summary", "--theme", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no theme named \"nope\""), "{err}");
}

#[test]
fn exposure_comes_worst_first_with_severity_and_assumed_hops() {
    let (code, json, _) = skyhound(&["--demo", "exposure", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = v.as_array().expect("list");
    let rank = |s: &serde_json::Value| match s.as_str() {
        Some("critical") => 3,
        Some("high") => 2,
        Some("medium") => 1,
        Some("low") => 0,
        other => panic!("severity {other:?}"),
    };
    let ranks: Vec<i32> = list.iter().map(|e| rank(&e["severity"])).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    for e in list {
        for field in [
            "resource",
            "protocol",
            "from_port",
            "to_port",
            "sources",
            "via",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
        assert!(
            e["path"]
                .as_array()
                .expect("path")
                .iter()
                .all(|h| h["assumed"].is_boolean())
        );
    }
    // Text too: the first rows are the critical ones.
    let (_, text, _) = skyhound(&["--demo", "exposure"]);
    let second = text.lines().nth(1).unwrap_or_default();
    assert!(second.contains("bill-"), "{second}");
}

#[test]
fn can_answers_with_the_decision_the_reason_and_the_statements() {
    let (code, out, err) = skyhound(&[
        "--demo",
        "can",
        "arn:aws:iam::555555555555:role/web-server-role",
        "s3:DeleteBucket",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    for field in [
        "principal",
        "action",
        "resource",
        "decision",
        "reason",
        "evidence",
    ] {
        assert!(v.get(field).is_some(), "{field} in {v}");
    }
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["resource"], "*");
    assert_eq!(
        v["evidence"][0]["policy"],
        "arn:aws:iam::aws:policy/AdministratorAccess"
    );
    assert_eq!(v["evidence"][0]["kind"], "identity");
    assert_eq!(v["evidence"][0]["statement"], 0);
    assert_eq!(v["evidence"][0]["effect"], "Allow");
    // A role its trust policy does not name cannot be assumed.
    let (_, out, _) = skyhound(&[
        "--demo",
        "can",
        "bill",
        "sts:AssumeRole",
        "arn:aws:iam::555555555555:role/partner-support",
    ]);
    assert!(out.contains("DENIED: trust"), "{out}");
    // Bad input: one line, naming what was wrong.
    let (code, _, err) = skyhound(&["--demo", "can", "nobody", "s3:GetObject"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("nobody") && err.trim().lines().count() == 1,
        "{err}"
    );
    let (code, _, err) = skyhound(&["--demo", "can", "bill", "s3:GetObject", "--context", "mfa"]);
    assert_ne!(code, 0);
    assert!(err.contains("KEY=VALUE"), "{err}");
    let (code, _, err) = skyhound(&["--demo", "can", "bill", "GetObject"]);
    assert_ne!(code, 0);
    assert!(err.contains("service:Name"), "{err}");
}

#[test]
fn admins_names_each_admin_and_the_statement_behind_it() {
    let (code, out, err) = skyhound(&["--demo", "admins", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v.as_array().expect("a list");
    for a in list {
        for field in ["principal", "kind", "evidence"] {
            assert!(a.get(field).is_some(), "{field} in {a}");
        }
    }
    let web = list
        .iter()
        .find(|a| a["principal"] == "arn:aws:iam::555555555555:role/web-server-role")
        .expect("Bill's instance role is admin");
    assert_eq!(web["kind"], "full");
    assert_eq!(
        web["evidence"][0]["policy"],
        "arn:aws:iam::aws:policy/AdministratorAccess"
    );
    // Alice's application roles are not.
    assert!(
        !list
            .iter()
            .any(|a| a["principal"] == "arn:aws:iam::333333333333:role/prod-app")
    );
}

#[test]
fn who_can_lists_every_principal_allowed_with_its_statements() {
    let (code, out, err) = skyhound(&["--demo", "who-can", "iam:CreateAccessKey", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v.as_array().expect("a list");
    assert!(list.iter().all(|a| a.get("principal").is_some()
        && a.get("decision").is_some()
        && a.get("evidence").is_some()));
    assert!(
        list.iter()
            .any(|a| a["principal"] == "arn:aws:iam::555555555555:user/summer-intern")
    );
    assert!(
        !list
            .iter()
            .any(|a| a["principal"] == "arn:aws:iam::333333333333:role/prod-app")
    );
}

#[test]
fn trust_says_how_far_each_role_reaches_and_who_can_assume_it() {
    let (code, out, err) = skyhound(&["--demo", "trust", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v.as_array().expect("a list");
    for t in list {
        for field in [
            "role",
            "principal",
            "type",
            "scope",
            "external_id",
            "mfa",
            "conditions",
            "assumable_by",
        ] {
            assert!(t.get(field).is_some(), "{field} in {t}");
        }
    }
    let partner = list
        .iter()
        .find(|t| t["role"] == "arn:aws:iam::555555555555:role/partner-support")
        .expect("Bill's partner role");
    assert_eq!(partner["scope"], "external");
    assert_eq!(partner["external_id"], false);
    assert_eq!(partner["account"], "999988887777");
    // Alice's management admin can assume the production account's role;
    // the organization's own accounts are "organization", not external.
    let oaar = list
        .iter()
        .find(|t| t["role"] == "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole")
        .expect("the production account's admin role");
    assert_eq!(oaar["scope"], "organization");
    assert!(oaar["assumable_by"].as_array().is_some_and(|a| {
        a.iter()
            .any(|p| p == "arn:aws:iam::111111111111:user/alice")
    }));
    let app = list
        .iter()
        .find(|t| t["role"] == "arn:aws:iam::333333333333:role/prod-app")
        .expect("an EC2 role");
    assert_eq!(
        (app["scope"].as_str(), app["type"].as_str()),
        (Some("service"), Some("Service"))
    );
}

#[test]
fn checks_report_pass_fail_and_unknown_with_the_fields_scripts_read() {
    let (code, json, err) = skyhound(&["--demo", "checks", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = v.as_array().expect("list");
    for r in list {
        for field in [
            "check",
            "cis",
            "epic",
            "status",
            "severity",
            "account",
            "region",
            "resource",
            "title",
            "evidence",
            "remediation",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
    }
    let status = |check: &str, account: &str| -> Vec<String> {
        list.iter()
            .filter(|r| r["check"] == check && r["account"] == account)
            .map(|r| r["status"].as_str().unwrap_or("").to_string())
            .collect()
    };
    // Bill's production account: root keys, no MFA, no password policy.
    assert_eq!(status("iam.root-access-keys", "555555555555"), ["fail"]);
    assert_eq!(status("iam.root-mfa", "555555555555"), ["fail"]);
    assert_eq!(
        status("iam.password-policy-length", "555555555555"),
        ["fail"]
    );
    // Alice's management account passes them.
    assert_eq!(status("iam.root-access-keys", "111111111111"), ["pass"]);
    assert_eq!(
        status("iam.password-policy-reuse", "111111111111"),
        ["pass"]
    );
    let root_keys = list
        .iter()
        .find(|r| r["check"] == "iam.root-access-keys" && r["status"] == "fail")
        .expect("a failure");
    assert_eq!(root_keys["cis"], "1.4");
    assert_eq!(root_keys["epic"], "identity-and-access");

    // SSH open to the world where the internet gets there is high.
    let ssh: Vec<&serde_json::Value> = list
        .iter()
        .filter(|r| r["check"] == "ec2.sg-admin-ports-ipv4" && r["status"] == "fail")
        .collect();
    assert!(!ssh.is_empty());
    assert!(ssh.iter().all(|r| r["severity"] == "high"), "{ssh:?}");

    let (code, only, _) = skyhound(&[
        "--demo", "checks", "--json", "--status", "fail", "--epic", "identity",
    ]);
    assert_eq!(code, 0);
    let only: serde_json::Value = serde_json::from_str(&only).expect("json");
    assert!(
        only.as_array()
            .expect("list")
            .iter()
            .all(|r| r["status"] == "fail" && r["epic"] == "identity-and-access")
    );

    let (code, _, err) = skyhound(&["--demo", "checks", "--check", "no.such-check"]);
    assert_eq!(code, 2);
    assert!(err.contains("no check \"no.such-check\""), "{err}");
    let (code, _, err) = skyhound(&["--demo", "checks", "--status", "maybe"]);
    assert_eq!(code, 2);
    assert!(err.contains("no status"), "{err}");

    let (code, _, _) = skyhound(&["--demo", "checks", "--fail-on", "critical"]);
    assert_eq!(code, 3, "Bill's root keys are critical");
}

#[test]
fn checks_write_ocsf_compliance_findings() {
    let (code, json, err) = skyhound(&[
        "--demo",
        "checks",
        "--format",
        "ocsf",
        "--check",
        "iam.root-mfa",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = v.as_array().expect("list");
    assert!(!list.is_empty());
    for r in list {
        assert_eq!(r["class_uid"], 2003);
        assert_eq!(r["category_uid"], 2);
        assert_eq!(r["type_uid"], 200301);
        assert_eq!(r["metadata"]["version"], skyhound::ocsf::VERSION);
        assert_eq!(r["compliance"]["control"], "1.5");
        assert!(r["cloud"]["account"]["uid"].is_string());
        assert!(r["time"].is_i64());
    }
    let fail = list
        .iter()
        .find(|r| r["compliance"]["status"] == "Fail")
        .expect("Bill fails");
    assert_eq!(fail["compliance"]["status_id"], 3);
    assert_eq!(fail["severity_id"], 5);
    assert!(list.iter().any(|r| r["compliance"]["status_id"] == 1));
}

#[test]
fn history_from_a_snapshot_says_it_needs_live_access() {
    let (code, out, err) = skyhound(&["--demo", "history", "i-0123456789abcdef0"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(
        err.contains("live") && err.contains("cloudtrail:LookupEvents"),
        "{err}"
    );
}
