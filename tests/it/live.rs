//! Live collection against a real AWS API emulator (moto, started here),
//! through skyhound's own binary and the real aws-sdk-rust clients; the
//! GuardDuty findings path, which moto lacks, with the SDK's mock tooling;
//! and the read-only guard.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use skyhound::analysis::exposures;
use skyhound::graph::Direction;
use skyhound::graph::snapshot;
use skyhound::model::{EdgeKind, NodeData, NodeKind};

/// The Python that has moto: `SKYHOUND_MOTO_PYTHON`, else the venv that
/// `scripts/test` makes.
fn moto_python() -> Option<PathBuf> {
    let from_env = std::env::var_os("SKYHOUND_MOTO_PYTHON").map(PathBuf::from);
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv/bin/python");
    from_env.or(Some(venv)).filter(|p| p.is_file())
}

pub fn need_moto() -> Option<PathBuf> {
    let found = moto_python();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "moto is required in CI: run ./scripts/test, which installs it"
        );
        eprintln!("skipping: moto is not installed (./scripts/test installs it)");
    }
    found
}

/// A moto server of its own on a free loopback port; stopped when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start(python: &PathBuf, env: &[(&str, &str)]) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut cmd = Command::new(python);
        cmd.args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("moto starts");
        let moto = Moto { child, port };
        let start = Instant::now();
        while !moto.ready() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "moto did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn ready(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        if s.write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut buf = [0u8; 16];
        s.read(&mut buf)
            .is_ok_and(|n| n >= 12 && buf[9..12] == *b"200")
    }

    pub fn seed(&self, python: &PathBuf, scenario: &str) -> serde_json::Value {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed.py");
        let out = Command::new(python)
            .arg(script)
            .arg(self.url())
            .arg(scenario)
            .output()
            .expect("seed runs");
        assert!(
            out.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("seed prints JSON")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn temp(name: &str) -> PathBuf {
    crate::scratch(&format!("live-{name}"))
}

/// Run `skyhound collect` with credentials in its own environment only.
fn collect(moto: &Moto, key: &str, secret: &str, extra: &[&str], out: &PathBuf) -> (bool, String) {
    collect_with(&moto.url(), key, secret, extra, out)
}

/// Run `skyhound collect` against any endpoint (moto, or a proxy before it).
pub fn collect_with(
    endpoint: &str,
    key: &str,
    secret: &str,
    extra: &[&str],
    out: &PathBuf,
) -> (bool, String) {
    let home = temp("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skyhound"));
    cmd.arg("collect")
        .arg("--out")
        .arg(out)
        .arg("--endpoint-url")
        .arg(endpoint)
        .args(extra);
    cmd.env_clear()
        .env("HOME", &home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    // A failing run's log says more with SKYHOUND_LOG=debug.
    if let Some(filter) = std::env::var_os("SKYHOUND_LOG") {
        cmd.env("SKYHOUND_LOG", filter);
    }
    let out = cmd.output().expect("skyhound runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn two_accounts_two_regions_collected_through_the_sdk() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    let ids = moto.seed(&python, "main");
    let id = |k: &str| {
        ids[k]
            .as_str()
            .unwrap_or_else(|| panic!("seed gave no {k}"))
            .to_string()
    };
    let out = temp("main").join("live.snapshot");
    let (ok, stderr) = collect(
        &moto,
        "testing",
        "testing",
        &[
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--role-arn",
            "arn:aws:iam::123456789012:role/skyhound-audit",
            "--role-arn",
            "arn:aws:iam::111122223333:role/skyhound-audit",
        ],
        &out,
    );
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("collected") && stderr.contains("ec2"),
        "a summary with calls per service: {stderr}"
    );
    let g = snapshot::load(&out).expect("the snapshot loads");

    // Both accounts (the second through AssumeRole), both regions.
    assert_eq!(g.collection().accounts, ["111122223333", "123456789012"]);
    for vpc in [id("vpc"), id("west_vpc"), id("other_vpc")] {
        assert!(g.by_id(&vpc).is_some(), "{vpc}");
    }
    assert_eq!(
        g.node(g.by_id(&id("west_vpc")).expect("vpc"))
            .region
            .as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        g.node(g.by_id(&id("other_vpc")).expect("vpc")).account,
        "111122223333"
    );

    // Relationships from live data: the instance, its profile and role.
    let web = g.by_id(&id("web")).expect("web-1");
    assert_eq!(g.node(web).name.as_deref(), Some("web-1"));
    let profile = g
        .neighbours(
            web,
            skyhound::model::EdgeKind::UsesInstanceProfile,
            skyhound::graph::Direction::Outgoing,
        )
        .next()
        .expect("profile");
    let role = g
        .neighbours(
            profile,
            skyhound::model::EdgeKind::HasRole,
            skyhound::graph::Direction::Outgoing,
        )
        .next()
        .expect("role");
    assert!(
        g.neighbours(
            role,
            skyhound::model::EdgeKind::AttachedPolicy,
            skyhound::graph::Direction::Outgoing
        )
        .any(|p| g.node(p).id.ends_with("/AdministratorAccess"))
    );
    let vendor = g
        .by_id("arn:aws:iam::123456789012:role/vendor")
        .expect("vendor role");
    assert!(
        g.outgoing(vendor)
            .any(|e| e.kind == skyhound::model::EdgeKind::Trusts
                && e.detail.as_ref()
                    == Some(&skyhound::model::EdgeDetail::CrossAccount {
                        external_id_required: false
                    }))
    );
    assert!(
        g.nodes_of(NodeKind::AccessKey).any(
            |(_, n)| matches!(&n.data, NodeData::AccessKey(k) if k.user_arn.ends_with("user/alice"))
        ),
        "keys from the credential report"
    );
    assert!(
        g.nodes_of(NodeKind::Listener).count() >= 1
            && g.nodes_of(NodeKind::TargetGroup).count() >= 1
    );

    // The exposure answers.
    let found = exposures(&g);
    let of = |r: &str| -> Vec<&skyhound::analysis::Exposure> {
        found.iter().filter(|e| e.resource == r).collect()
    };
    let web_open = of(&id("web"));
    assert!(
        web_open
            .iter()
            .any(|e| e.via == skyhound::analysis::Via::Direct && e.from_port == 22 && e.world),
        "{web_open:#?}"
    );
    assert!(
        web_open
            .iter()
            .any(|e| e.via == skyhound::analysis::Via::LoadBalancer
                && e.from_port == 443
                && e.target_port == Some(8080)),
        "{web_open:#?}"
    );
    let path = &web_open
        .iter()
        .find(|e| e.from_port == 22)
        .expect("22")
        .path;
    assert!(
        path.iter().any(|h| h.id == id("igw")) && path.iter().any(|h| h.id == id("rt")),
        "{path:#?}"
    );
    assert!(of(&id("db")).is_empty(), "the database is private");
    assert!(
        of(&id("windows"))
            .iter()
            .any(|e| e.from_port == 3389 && e.account == "111122223333")
    );
    assert!(of(&id("lb")).iter().any(|e| e.from_port == 443));

    // What moto does not implement is a gap with its reason, not a failure.
    let gaps = &g.collection().gaps;
    assert!(
        gaps.iter().any(|x| x.service == "guardduty"
            && x.operation == "list-findings"
            && x.reason.contains("HTTP 404")),
        "{gaps:#?}"
    );
    assert!(!gaps.iter().any(|x| x.service == "ec2"), "{gaps:#?}");
    // moto answers GetBucketVersioning of a bucket never versioned with a
    // body the SDK cannot read: a gap, as it would be from AWS.
    for service in ["cloudtrail", "config", "s3", "s3control", "kms", "rds"] {
        assert!(
            !gaps
                .iter()
                .any(|x| x.service == service && x.operation != "get-bucket-versioning"),
            "{gaps:#?}"
        );
    }
    // The trail's bucket, asked in its region: no policy is S3's answer,
    // not a gap.
    let bucket = g
        .by_id("trail-logs-123456789012")
        .expect("the bucket was collected");
    assert_eq!(g.node(bucket).region.as_deref(), Some("us-east-1"));
    let NodeData::Bucket(b) = &g.node(bucket).data else {
        panic!("a bucket")
    };
    assert!(
        matches!(&b.policy, Some(skyhound::model::Answer::None { code }) if code == "NoSuchBucketPolicy"),
        "{b:?}"
    );
    assert!(b.acl.is_some() && b.logging.is_some(), "{b:?}");

    // The posture data: the trail with its status read in its home region,
    // the recorder with its status, the flow log on its VPC, the volumes
    // EC2 made for the instances.
    let trail = g.by_id(&id("trail")).expect("the trail was collected");
    let NodeData::Trail(t) = &g.node(trail).data else {
        panic!("a trail")
    };
    assert!(t.multi_region && t.log_file_validation, "{t:?}");
    assert_eq!(t.logging, Some(true), "status read in the home region");
    assert!(t.selectors.is_some(), "event selectors read");
    let recorder = g
        .by_id("123456789012/us-east-1/config-recorder/default")
        .expect("the recorder was collected");
    let NodeData::ConfigRecorder(r) = &g.node(recorder).data else {
        panic!("a recorder")
    };
    assert_eq!(
        (r.all_supported, r.include_global, r.recording),
        (Some(true), Some(true), Some(true))
    );
    let flow = g
        .by_id(&id("flow_log"))
        .expect("the flow log was collected");
    assert_eq!(
        g.neighbours(flow, EdgeKind::Records, Direction::Outgoing)
            .map(|v| g.node(v).id.clone())
            .collect::<Vec<_>>(),
        [id("vpc")]
    );
    let web_node = g.by_id(&id("web")).expect("web");
    assert!(
        g.neighbours(web_node, EdgeKind::VolumeOf, Direction::Incoming)
            .next()
            .is_some(),
        "the web instance's volume"
    );
    let checks = skyhound::analysis::analyse(&g);
    let result = |check: &str, resource: &str| {
        checks
            .results()
            .find(|f| f.check == check && f.resource == resource)
            .map(|f| f.status)
    };
    use skyhound::analysis::finding::Status;
    assert_eq!(result("vpc.flow-logs", &id("vpc")), Some(Status::Pass));
    assert_eq!(result("vpc.flow-logs", &id("west_vpc")), Some(Status::Fail));
    assert_eq!(
        result("cloudtrail.log-validation", &id("trail")),
        Some(Status::Pass)
    );
    // The multi-region trail is answered for the account.
    assert_eq!(
        result("cloudtrail.multi-region", "123456789012"),
        Some(Status::Pass)
    );
    // Data: the public bucket by its policy status and ACL, the private one
    // not; the key's rotation off; the databases as RDS describes them.
    assert_eq!(
        result("s3.bucket-public", "public-assets-123456789012"),
        Some(Status::Fail)
    );
    assert_eq!(
        result("s3.bucket-public", "trail-logs-123456789012"),
        Some(Status::Pass)
    );
    assert_eq!(result("kms.rotation", &id("key")), Some(Status::Fail));
    // Its key policy, moto's default, lets the account decide through IAM.
    let key = g.by_id(&id("key")).expect("the key");
    let skyhound::model::NodeData::KmsKey(k) = &g.node(key).data else {
        panic!("a key")
    };
    let Some(skyhound::model::Answer::Value(doc)) = &k.policy else {
        panic!("the key policy was collected: {:?}", k.policy)
    };
    assert!(
        doc.0.to_string().contains("arn:aws:iam::123456789012:root"),
        "{}",
        doc.0
    );
    assert_eq!(result("rds.encrypted", &id("orders")), Some(Status::Pass));
    assert_eq!(result("rds.public", &id("orders")), Some(Status::Pass));
    assert_eq!(result("rds.encrypted", &id("reports")), Some(Status::Fail));
    assert_eq!(result("rds.public", &id("reports")), Some(Status::Fail));
    let orders = g.by_id(&id("orders")).expect("the database");
    assert_eq!(
        g.neighbours(orders, EdgeKind::ProtectedBy, Direction::Outgoing)
            .map(|x| g.node(x).id.clone())
            .collect::<Vec<_>>(),
        [id("db_sg")],
        "its security group"
    );
}

#[test]
fn an_organization_is_collected_through_its_role_in_every_enabled_region() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    let seeded = moto.seed(&python, "org");
    let out = temp("org").join("org.snapshot");
    // No --region: every region DescribeRegions says is enabled.
    let (ok, stderr) = collect(
        &moto,
        "testing",
        "testing",
        &["--org-role", "OrganizationAccountAccessRole"],
        &out,
    );
    assert!(ok, "{stderr}");
    let g = snapshot::load(&out).expect("the snapshot loads");

    // The management account and both members, found through ListAccounts.
    let mut accounts: Vec<String> = seeded["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();
    accounts.push("123456789012".into());
    accounts.sort();
    assert_eq!(g.collection().accounts, accounts);
    for (account, at) in seeded["vpcs"].as_object().expect("vpcs") {
        let vpc = g
            .by_id(at[0].as_str().expect("vpc id"))
            .unwrap_or_else(|| panic!("{account}'s VPC: {stderr}"));
        let node = g.node(vpc);
        assert_eq!(&node.account, account);
        assert_eq!(node.region.as_deref(), at[1].as_str());
    }

    // moto lists 38 regions: 14 not opted in, 4 in other partitions (cn-*,
    // us-gov-*), 20 enabled. Reading a region gives its default VPC.
    assert!(stderr.contains("from 3 accounts, 20 regions"), "{stderr}");
    let vpc_regions: std::collections::BTreeSet<(String, String)> = g
        .nodes_of(NodeKind::Vpc)
        .map(|(_, n)| (n.account.clone(), n.region.clone().unwrap_or_default()))
        .collect();
    for account in &accounts {
        for region in ["us-east-1", "sa-east-1", "eu-north-1", "ap-northeast-3"] {
            assert!(
                vpc_regions.contains(&(account.clone(), region.to_string())),
                "{account} {region}: {vpc_regions:?}"
            );
        }
    }
    for skipped in ["ap-east-1", "me-south-1", "cn-north-1", "us-gov-west-1"] {
        assert!(
            !vpc_regions.iter().any(|(_, r)| r == skipped),
            "{skipped} is not enabled for these accounts"
        );
    }
    assert!(
        !g.collection().gaps.iter().any(|x| x.service == "ec2"),
        "{:#?}",
        g.collection().gaps
    );
    assert!(
        !g.collection()
            .gaps
            .iter()
            .any(|x| x.service == "organizations"),
        "{:#?}",
        g.collection().gaps
    );

    // The tree and its guardrail, read through the Organizations calls.
    let payments = seeded["members"][0].as_str().expect("payments");
    let ou = seeded["ou"].as_str().expect("ou");
    let account = g.by_id(payments).expect("payments account");
    let NodeData::Account(a) = &g.node(account).data else {
        panic!("an account")
    };
    assert_eq!(a.parent_id.as_deref(), Some(ou));
    let guardrail = g
        .by_id(seeded["guardrail"].as_str().expect("guardrail"))
        .expect("the SCP is in the graph");
    let NodeData::ServiceControlPolicy(p) = &g.node(guardrail).data else {
        panic!("an SCP")
    };
    assert_eq!(p.targets, [ou]);
    assert!(p.document.is_some());

    // The guardrail denies even a role allowed everything.
    let admin_role = format!("arn:aws:iam::{payments}:role/auditor");
    let ask = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_skyhound"))
            .arg("--from")
            .arg(&out)
            .args(args)
            .arg("--json")
            .output()
            .expect("skyhound runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON")
    };
    let leave = ask(&["can", &admin_role, "organizations:LeaveOrganization"]);
    assert_eq!(leave["decision"], "deny", "{leave}");
    assert_eq!(leave["evidence"][0]["kind"], "scp", "{leave}");
    assert_eq!(leave["evidence"][0]["sid"], "NoLeaving", "{leave}");
    let run = ask(&["can", &admin_role, "ec2:RunInstances"]);
    assert_eq!(run["decision"], "allow", "{run}");

    // A role assumed across accounts: both sides, and the ExternalId.
    let ops = "arn:aws:iam::123456789012:user/ops";
    let auditor = format!("arn:aws:iam::{payments}:role/auditor");
    let assume = ask(&["can", ops, "sts:AssumeRole", &auditor]);
    assert_eq!(assume["decision"], "conditional", "{assume}");
    let assume = ask(&[
        "can",
        ops,
        "sts:AssumeRole",
        &auditor,
        "--context",
        "sts:ExternalId=audit-42",
    ]);
    assert_eq!(assume["decision"], "allow", "{assume}");
    let kinds: Vec<&str> = assume["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"trust") && kinds.contains(&"identity"),
        "{assume}"
    );
    let trust = ask(&["trust"]);
    let row = trust
        .as_array()
        .expect("a list")
        .iter()
        .find(|t| t["role"] == auditor.as_str())
        .expect("the auditor's trust");
    assert_eq!(row["scope"], "organization", "{row}");
    assert_eq!(row["external_id"], true, "{row}");
    assert!(
        row["assumable_by"]
            .as_array()
            .is_some_and(|a| a.iter().any(|p| p == ops)),
        "{row}"
    );
}

#[test]
fn a_profile_with_credential_process_and_the_endpoint_from_the_environment() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    // Credentials as many users have them: a named profile whose keys come
    // from a program; the endpoint from AWS_ENDPOINT_URL, not the flag.
    let home = temp("profile-home");
    std::fs::create_dir_all(home.join(".aws")).expect("mkdir");
    std::fs::write(
        home.join(".aws/config"),
        "[profile audit]\nregion = us-east-1\ncredential_process = echo '{\"Version\": 1, \"AccessKeyId\": \"testing\", \"SecretAccessKey\": \"testing\"}'\n",
    )
    .expect("config");
    let out = temp("profile").join("profile.snapshot");
    let run = Command::new(env!("CARGO_BIN_EXE_skyhound"))
        .args([
            "--profile",
            "audit",
            "--region",
            "us-east-1",
            "collect",
            "--out",
        ])
        .arg(&out)
        .env_clear()
        .env("HOME", &home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", moto.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("skyhound runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let g = snapshot::load(&out).expect("the snapshot loads");
    assert_eq!(g.collection().accounts, ["123456789012"]);
    assert_eq!(g.collection().source, "live (profile audit)");
    assert!(
        g.nodes_of(NodeKind::Vpc).count() >= 1,
        "moto's default VPC, read with the profile's credentials"
    );
}

#[test]
fn ctrl_c_during_collect_stops_it_and_writes_nothing() {
    use std::io::BufRead;
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    let dir = temp("ctrlc");
    let out = dir.join("stopped.snapshot");
    // Every enabled region (twenty in moto): seconds of work to interrupt.
    let mut child = Command::new(env!("CARGO_BIN_EXE_skyhound"))
        .args(["collect", "--out"])
        .arg(&out)
        .args(["--endpoint-url", &moto.url()])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", temp("ctrlc-home"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("skyhound runs");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    while !seen.contains("collecting account") {
        if stderr.read_line(&mut seen).expect("reads") == 0 {
            panic!("collect ended before it could be interrupted: {seen}");
        }
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = child.wait().expect("waits");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("reads");
    assert_eq!(status.code(), Some(130), "{seen}{rest}");
    assert!(rest.contains("interrupted"), "{rest}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(
        left.is_empty(),
        "nothing written, not even a temporary file: {left:?}"
    );
}

#[test]
fn a_user_allowed_only_some_reads_gets_a_snapshot_with_the_rest_as_gaps() {
    let Some(python) = need_moto() else { return };
    // moto checks signatures and IAM policies after the first calls, which
    // create the user and its keys.
    let moto = Moto::start(&python, &[("INITIAL_NO_AUTH_ACTION_COUNT", "5")]);
    let seeded = moto.seed(&python, "limited");
    let key = seeded["key"].as_str().expect("key").to_string();
    let secret = seeded["secret"].as_str().expect("secret").to_string();
    let out = temp("limited").join("live.snapshot");
    let (ok, stderr) = collect(&moto, &key, &secret, &["--region", "us-east-1"], &out);
    assert!(ok, "permissions it lacks do not end the run: {stderr}");
    let g = snapshot::load(&out).expect("loads");
    assert!(
        g.by_id(seeded["vpc"].as_str().expect("vpc")).is_some(),
        "EC2 reads are allowed"
    );
    let gaps = &g.collection().gaps;
    let iam: Vec<_> = gaps.iter().filter(|x| x.service == "iam").collect();
    assert!(
        iam.iter()
            .any(|x| x.operation == "get-account-authorization-details"
                && x.reason.contains("AccessDenied")),
        "{gaps:#?}"
    );
    assert!(stderr.contains("gap:"), "{stderr}");
    // No credentials in the snapshot.
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(!text.contains(&secret));
}

#[test]
fn no_credentials_is_one_clear_error() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]);
    let out = temp("nocreds").join("x.snapshot");
    // With roles to assume, the accounts start while the identity check is
    // still out: their failures must not reach the user as a gap each.
    for extra in [
        &["--region", "us-east-1"][..],
        &[
            "--region",
            "us-east-1",
            "--role-arn",
            "arn:aws:iam::111122223333:role/skyhound-audit",
        ][..],
    ] {
        let (ok, stderr) = collect(&moto, "AKIANOTAREALKEY00000", "nope", extra, &out);
        assert!(!ok);
        assert_eq!(stderr.trim().lines().count(), 1, "{extra:?}: {stderr}");
        assert!(stderr.contains("--demo"), "{stderr}");
        assert!(!out.exists(), "nothing half-written");
    }
}

#[test]
fn the_guard_refuses_any_call_not_on_the_read_only_list() {
    // A client built as skyhound builds them, pointed nowhere: the guard
    // refuses before anything is sent.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let conf = aws_sdk_ec2::Config::builder()
            .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
            .region(aws_sdk_ec2::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                "k", "s", None, None, "test",
            ))
            .endpoint_url("http://127.0.0.1:9")
            .interceptor(skyhound::source::collect::guard::ReadOnly)
            .build();
        let ec2 = aws_sdk_ec2::Client::from_conf(conf);
        let err = ec2
            .terminate_instances()
            .instance_ids("i-1")
            .send()
            .await
            .expect_err("refused");
        let text = format!(
            "{}",
            aws_smithy_types::error::display::DisplayErrorContext(&err)
        );
        assert!(
            text.contains("skyhound is read-only") && text.contains("TerminateInstances"),
            "{text}"
        );
        let err = ec2
            .get_password_data()
            .instance_id("i-1")
            .send()
            .await
            .expect_err("refused");
        assert!(
            format!(
                "{}",
                aws_smithy_types::error::display::DisplayErrorContext(&err)
            )
            .contains("GetPasswordData")
        );
        // An allowed read gets past the guard (and fails only to connect).
        let err = ec2
            .describe_vpcs()
            .send()
            .await
            .expect_err("nothing listens");
        assert!(
            !format!(
                "{}",
                aws_smithy_types::error::display::DisplayErrorContext(&err)
            )
            .contains("read-only")
        );
    });
}

#[test]
fn guardduty_findings_are_listed_then_fetched_in_batches_of_fifty() {
    use aws_sdk_guardduty::operation::get_detector::GetDetectorOutput;
    use aws_sdk_guardduty::operation::get_findings::GetFindingsOutput;
    use aws_sdk_guardduty::operation::list_detectors::ListDetectorsOutput;
    use aws_sdk_guardduty::operation::list_findings::ListFindingsOutput;
    use aws_sdk_guardduty::types::{Finding, InstanceDetails, Resource, Service};
    use aws_smithy_mocks::mock;

    let ids: Vec<String> = (0..120).map(|i| format!("f{i:03}")).collect();
    // The first answer is a 503: the SDK retries it, and the counter says so.
    let detectors = mock!(aws_sdk_guardduty::Client::list_detectors)
        .sequence()
        .http_status(503, None)
        .output(|| ListDetectorsOutput::builder().detector_ids("det1").build())
        .build();
    let detector = mock!(aws_sdk_guardduty::Client::get_detector).then_output(|| {
        GetDetectorOutput::builder()
            .status(aws_sdk_guardduty::types::DetectorStatus::Enabled)
            .service_role("arn:aws:iam::1:role/gd")
            .build()
    });
    let page_ids = ids.clone();
    let list = mock!(aws_sdk_guardduty::Client::list_findings).then_output(move || {
        ListFindingsOutput::builder()
            .set_finding_ids(Some(page_ids.clone()))
            .build()
    });
    let batch = mock!(aws_sdk_guardduty::Client::get_findings)
        .match_requests(|r| r.finding_ids().len() <= 50)
        .then_output(|| {
            let f = Finding::builder()
                .id("f000")
                .account_id("123456789012")
                .region("us-east-1")
                .arn("arn:aws:guardduty:us-east-1:123456789012:detector/det1/finding/f000")
                .r#type("UnauthorizedAccess:EC2/SSHBruteForce")
                .severity(5.0)
                .title("SSH brute force")
                .created_at("2026-11-20T01:00:00.000Z")
                .updated_at("2026-11-20T02:00:00.000Z")
                .schema_version("2.0")
                .resource(
                    Resource::builder()
                        .resource_type("Instance")
                        .instance_details(InstanceDetails::builder().instance_id("i-web").build())
                        .build(),
                )
                .service(
                    Service::builder()
                        .detector_id("det1")
                        .archived(false)
                        .count(3)
                        .build(),
                )
                .build();
            GetFindingsOutput::builder().findings(f).build()
        });
    let (client, attempts) = mocked_guardduty(&[&detectors, &detector, &list, &batch]);
    let (folder, gaps) = read_guardduty(
        &client,
        "us-east-1",
        &skyhound::source::collect::CollectOptions::default(),
    );
    assert!(gaps.is_empty(), "{gaps:?}");
    assert_eq!(
        batch.num_calls(),
        3,
        "120 findings in batches of at most 50"
    );
    assert_eq!(list.num_calls(), 1);
    let sent = attempts.0.lock().expect("counts")["guardduty"];
    assert_eq!(
        (sent.requests, sent.retries),
        (1 + 1 + 1 + 1 + 3, 1),
        "list-detectors twice (one retry), get-detector, list-findings, three get-findings"
    );
    let findings = &folder.responses["guardduty-get-findings"][0].1["Findings"];
    assert_eq!(findings.as_array().map(Vec::len), Some(3));
    assert_eq!(
        findings[0]["Resource"]["InstanceDetails"]["InstanceId"],
        "i-web"
    );
    assert_eq!(
        folder.responses["guardduty-get-detector"][0].1["Status"],
        "ENABLED"
    );
}

/// One region's GuardDuty through `client`, as the collector reads it.
fn read_guardduty(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    opts: &skyhound::source::collect::CollectOptions,
) -> (
    skyhound::source::import::read::MemoryFolder,
    Vec<skyhound::model::Gap>,
) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(skyhound::source::collect::guardduty_with_client(
            client,
            "123456789012",
            region,
            opts,
        ))
}

/// A GuardDuty client on the SDK's mocks, with quick retries, counting its
/// requests.
fn mocked_guardduty(
    rules: &[&aws_smithy_mocks::Rule],
) -> (
    aws_sdk_guardduty::Client,
    skyhound::source::collect::guard::Attempts,
) {
    use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, create_mock_http_client};
    let mut responses = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        responses = responses.with_rule(rule);
    }
    let attempts = skyhound::source::collect::guard::Attempts::default();
    let conf = aws_sdk_guardduty::Config::builder()
        .with_test_defaults()
        .region(aws_sdk_guardduty::config::Region::new("us-east-1"))
        .retry_config(
            aws_sdk_guardduty::config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .http_client(create_mock_http_client())
        .interceptor(responses)
        .interceptor(attempts.clone())
        .build();
    (aws_sdk_guardduty::Client::from_conf(conf), attempts)
}

#[test]
fn throttling_that_outlasts_the_retries_is_a_gap_with_its_reason() {
    use aws_smithy_mocks::mock;
    let throttled = mock!(aws_sdk_guardduty::Client::list_detectors)
        .sequence()
        .http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(429).expect("status"),
                aws_smithy_types::body::SdkBody::from(
                    r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                ),
            )
        })
        .times(3)
        .build();
    let (client, attempts) = mocked_guardduty(&[&throttled]);
    let (folder, gaps) = read_guardduty(
        &client,
        "eu-west-1",
        &skyhound::source::collect::CollectOptions::default(),
    );
    assert!(folder.responses.is_empty());
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(
        (
            gaps[0].region.as_deref(),
            gaps[0].service.as_str(),
            gaps[0].operation.as_str()
        ),
        (Some("eu-west-1"), "guardduty", "list-detectors")
    );
    assert!(
        gaps[0].reason.contains("ThrottlingException") && gaps[0].reason.contains("Rate exceeded"),
        "{}",
        gaps[0].reason
    );
    let sent = attempts.0.lock().expect("counts")["guardduty"];
    assert_eq!((sent.requests, sent.retries), (3, 2));
}

#[test]
fn a_call_that_outlasts_its_time_limit_is_a_gap() {
    // An endpoint that takes the connection and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let conf = aws_sdk_guardduty::Config::builder()
        .with_test_defaults()
        .region(aws_sdk_guardduty::config::Region::new("us-east-1"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .build();
    let client = aws_sdk_guardduty::Client::from_conf(conf);
    let opts = skyhound::source::collect::CollectOptions {
        call_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let started = Instant::now();
    let (folder, gaps) = read_guardduty(&client, "us-east-1", &opts);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the limit held"
    );
    assert!(folder.responses.is_empty());
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].operation, "list-detectors");
    assert!(gaps[0].reason.contains("timed out"), "{}", gaps[0].reason);
    drop(silent);
}

/// `history` of a resource in another account reads that account's
/// history or none: without a role into it the caller's own account is
/// not read instead, and the gap says why. moto has no LookupEvents, so
/// the caller's own account answers with a gap naming the call.
#[test]
fn history_of_another_accounts_resource_needs_a_role_into_it() {
    let Some(python) = need_moto() else { return };
    let moto = Moto::start(&python, &[]);
    let run = |resource: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_skyhound"))
            .args([
                "--endpoint-url",
                &moto.url(),
                "history",
                resource,
                "--days",
                "7",
            ])
            .env_clear()
            .env("HOME", temp("history-home"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("skyhound runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run("arn:aws:ec2:us-east-1:999999999999:instance/i-0123456789abcdef0");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("account 999999999999: the credentials are account 123456789012's"),
        "{err}"
    );
    assert!(err.contains("--org-role or --role-arn"), "{err}");
    assert!(!err.contains("LookupEvents"), "nothing was read: {err}");

    // The caller's own account is read, in the ARN's region.
    let (code, err) = run("arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("cloudtrail:LookupEvents in us-east-1"),
        "{err}"
    );
}
