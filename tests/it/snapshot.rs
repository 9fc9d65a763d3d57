//! Snapshot files: round trip, permissions, versions, truncation, secrets.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use skyhound::graph::snapshot;

fn temp(name: &str) -> PathBuf {
    crate::scratch(&format!("snapshot-{name}")).join("snapshot.json")
}

#[test]
fn round_trip_keeps_every_resource_relationship_and_header_field() {
    let demo = skyhound::source::demo::graph();
    let path = temp("round");
    snapshot::save(&demo, &path).expect("saves");
    let back = snapshot::load(&path).expect("loads");
    assert_eq!(back.len(), demo.len());
    assert_eq!(back.edge_count(), demo.edge_count());
    for ((_, a), (_, b)) in demo.nodes().zip(back.nodes()) {
        assert_eq!(a, b);
    }
    assert_eq!(back.collection(), demo.collection());
    let header = snapshot::read_header(&path).expect("header");
    assert_eq!(header.format_version, snapshot::FORMAT_VERSION);
    assert_eq!(header.node_count, demo.len());
    assert_eq!(header.collection.accounts.len(), 5);
}

#[test]
fn written_with_owner_only_permissions_and_no_temporary_left_behind() {
    let path = temp("perm");
    snapshot::save(&skyhound::source::demo::graph(), &path).expect("saves");
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir = path.parent().expect("dir");
    let names: Vec<_> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn a_newer_format_is_refused_with_a_clear_message() {
    let path = temp("newer");
    std::fs::write(
        &path,
        "{\"format\":\"skyhound-snapshot\",\"format_version\":99,\"skyhound_version\":\"9.0.0\"}\n",
    )
    .expect("write");
    let err = snapshot::load(&path).expect_err("too new");
    let msg = err.to_string();
    assert!(
        msg.contains("format 99") && msg.contains("9.0.0") && msg.contains("upgrade"),
        "{msg}"
    );
}

#[test]
fn truncated_and_foreign_files_are_errors_not_panics() {
    let good = temp("trunc");
    snapshot::save(&skyhound::source::demo::graph(), &good).expect("saves");
    let text = std::fs::read_to_string(&good).expect("read");

    let cut_lines: String = text.lines().take(10).map(|l| format!("{l}\n")).collect();
    std::fs::write(&good, cut_lines).expect("write");
    assert!(
        snapshot::load(&good)
            .expect_err("truncated")
            .to_string()
            .contains("truncated")
    );

    std::fs::write(&good, &text[..text.len() / 2]).expect("write");
    let msg = snapshot::load(&good).expect_err("cut mid-line").to_string();
    assert!(msg.contains("line"), "{msg}");

    std::fs::write(&good, "{\"Vpcs\": []}").expect("write");
    assert!(
        snapshot::load(&good)
            .expect_err("not ours")
            .to_string()
            .contains("not a skyhound snapshot")
    );

    std::fs::write(&good, "").expect("write");
    assert!(snapshot::load(&good).is_err());
}

#[test]
fn a_large_snapshot_parsed_in_parts_keeps_order_and_names_the_bad_line() {
    // Several megabytes: the lines are parsed on every core, in parts.
    let graph = skyhound::source::synth::graph(20_000, 1);
    let path = temp("large");
    snapshot::save(&graph, &path).expect("saves");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.len() > 4 << 20, "{} bytes is not large", text.len());
    let loaded = snapshot::load(&path).expect("loads");
    let ids = |g: &skyhound::graph::Graph| -> Vec<String> {
        g.all_nodes().iter().map(|n| n.id.clone()).collect()
    };
    assert_eq!(ids(&loaded), ids(&graph));
    assert_eq!(loaded.edge_count(), graph.edge_count());

    // A bad line far into the file, past where the first part ends.
    let lines: Vec<&str> = text.lines().collect();
    let bad = lines.len() * 7 / 8;
    let mut broken: String = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        broken.push_str(if i == bad { "{\"id\": 5" } else { line });
        broken.push('\n');
    }
    std::fs::write(&path, broken).expect("write");
    let msg = snapshot::load(&path).expect_err("malformed").to_string();
    assert!(msg.contains(&format!("line {}:", bad + 1)), "{msg}");
}

#[test]
fn secrets_in_the_input_never_reach_a_snapshot() {
    // An AWS CLI dump can hold create-access-key output or credentials
    // pasted into odd places; the model has nowhere to keep them.
    let dir = crate::scratch("snapshot-secret");
    let region = dir.join("123456789012/us-east-1");
    std::fs::create_dir_all(&region).expect("mkdir");
    std::fs::write(
        region.join("ec2-describe-vpcs.json"),
        r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "SessionToken": "FwoGZXIvYXdzEXAMPLETOKEN"}]}"#,
    )
    .expect("write");
    std::fs::write(
        region.join("iam-list-access-keys.json"),
        r#"{"AccessKeyMetadata": [], "AccessKey": {"AccessKeyId": "AKIAX", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}"#,
    )
    .expect("write");
    let imported =
        skyhound::source::import::import_dir(&dir, &Default::default()).expect("imports");
    let mut out = Vec::new();
    snapshot::write_to(&imported.graph, &mut out).expect("writes");
    let text = String::from_utf8(out).expect("utf8");
    assert!(text.contains("vpc-1"));
    assert!(
        !text.contains("wJalrXUtnFEMI") && !text.contains("EXAMPLETOKEN"),
        "a secret leaked"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_format_number_past_any_integer_is_too_new_not_foreign() {
    let path = temp("huge-format");
    std::fs::write(
        &path,
        "{\"format\":\"skyhound-snapshot\",\"format_version\":4294967296,\"skyhound_version\":\"99.0.0\"}\n",
    )
    .expect("write");
    let msg = snapshot::load(&path).expect_err("too new").to_string();
    assert!(
        msg.contains("format 4294967296") && msg.contains("upgrade"),
        "{msg}"
    );
}
