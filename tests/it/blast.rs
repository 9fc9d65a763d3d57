//! Blast radius: Bill's and Alice's stories through the command line, a
//! role chain across accounts, data through bucket policies, and the
//! bounds.

use serde_json::Value;
use skyhound::analysis::blast::{self, Access, Limits};
use skyhound::analysis::iam::Engine;
use skyhound::graph::Graph;
use skyhound::source::build::{Estate, allow, trust_account};

use super::cli::skyhound;

fn blast_json(args: &[&str]) -> Value {
    let mut all = vec!["--demo", "blast-radius"];
    all.extend_from_slice(args);
    all.push("--json");
    let (code, out, err) = skyhound(&all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON")
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn data_of<'v>(b: &'v Value, name: &str) -> Option<&'v Value> {
    b["data"]
        .as_array()?
        .iter()
        .find(|d| d["name"].as_str() == Some(name))
}

#[test]
fn bill_web_server_reaches_the_database_is_admin_and_can_wreck_the_backups() {
    let b = blast_json(&["bill-web-server"]);
    let reach = b["network"].as_array().expect("network");
    let db = reach
        .iter()
        .find(|r| r["name"] == "bill-database" && r["from_port"] == 3306)
        .expect("reaches the database on 3306");
    assert_eq!(db["protocol"], "tcp");
    assert_eq!(db["hops"], 1);
    let evidence: Vec<&str> = db["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|h| h["detail"].as_str())
        .collect();
    assert!(
        evidence
            .iter()
            .any(|d| d.contains("ingress rule: allow tcp 3306 from 0.0.0.0/0")),
        "{evidence:?}"
    );
    assert!(
        evidence.iter().any(|d| d.starts_with("egress rule")),
        "{evidence:?}"
    );

    let id = &b["identity"];
    assert_eq!(id["admin"], true);
    assert_eq!(
        strings(&id["principals"]),
        ["arn:aws:iam::555555555555:role/web-server-role"]
    );
    assert_eq!(strings(&id["accounts"]), ["555555555555"]);

    let backups = data_of(&b, "bill-backups").expect("the backups are in reach");
    assert_eq!(
        strings(&backups["access"]),
        ["read", "write", "delete", "permissions"]
    );
    let images = data_of(&b, "bill-website-images").expect("the images are in reach");
    assert!(strings(&images["access"]).contains(&"delete"));
    // Admin in Bill's account is not admin over Alice's database: RDS has
    // no resource policy to let another account in.
    assert!(data_of(&b, "alice-prod-orders").is_none(), "{b:#}");

    let summary = b["summary"].as_str().expect("summary");
    assert!(summary.starts_with("from bill-web-server: "), "{summary}");
    assert!(summary.contains("admin in 1 account"), "{summary}");
    assert!(summary.contains("bill-backups"), "{summary}");
    let steps: Vec<&str> = b["story"]
        .as_array()
        .expect("story")
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    // No trail in Bill's account: nobody would see it.
    assert_eq!(
        steps,
        [
            "reach",
            "destroy",
            "change permissions",
            "exfiltrate",
            "unseen"
        ]
    );
}

#[test]
fn a_guardduty_finding_starts_from_its_instance() {
    let g = skyhound::source::demo::graph();
    let (finding, _) = g
        .nodes_of(skyhound::model::NodeKind::GuardDutyFinding)
        .find(|(_, n)| {
            matches!(&n.data, skyhound::model::NodeData::GuardDutyFinding(f)
                if f.finding_type.starts_with("CryptoCurrency"))
        })
        .expect("Bill's bitcoin finding");
    let id = g.node(finding).id.clone();
    let b = blast_json(&[&id]);
    assert_eq!(b["finding"], id.as_str());
    assert_eq!(b["name"], "bill-web-server");
    assert_eq!(b["identity"]["admin"], true);
}

#[test]
fn alice_bastion_reaches_the_app_tier_over_ssh_and_nothing_across_accounts() {
    let b = blast_json(&["alice-prod-bastion"]);
    let direct: Vec<(&str, u64)> = b["network"]
        .as_array()
        .expect("network")
        .iter()
        .filter(|r| r["hops"] == 1 && r["kind"] == "instance")
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default(),
                r["from_port"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert!(!direct.is_empty());
    assert!(
        direct
            .iter()
            .all(|(name, port)| name.starts_with("alice-prod-app") && *port == 22),
        "{direct:?}"
    );
    // The app tier reaches the database: one hop further, by group.
    let db = b["network"]
        .as_array()
        .expect("network")
        .iter()
        .find(|r| r["name"] == "alice-prod-orders")
        .expect("the database, through the app tier");
    assert_eq!(db["hops"], 2);
    let id = &b["identity"];
    assert_eq!(id["admin"], false);
    assert!(strings(&id["assumable"]).is_empty());
    assert_eq!(strings(&id["accounts"]).len(), 1);
    assert!(
        b["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("not admin")
    );
    // Alice's organization trail records it.
    assert!(
        b["story"]
            .as_array()
            .expect("story")
            .iter()
            .all(|s| s["step"] != "unseen"),
        "{b:#}"
    );
}

#[test]
fn the_depth_bound_is_shown_when_reached() {
    let b = blast_json(&["alice-prod-bastion", "--depth", "1"]);
    assert!(
        b["network"]
            .as_array()
            .expect("network")
            .iter()
            .all(|r| r["hops"] == 1)
    );
    let bounds = b["bounds"].as_array().expect("bounds");
    assert!(
        bounds
            .iter()
            .any(|x| x["part"] == "network" && x["limit"] == 1),
        "{bounds:?}"
    );
}

#[test]
fn a_resource_that_cannot_start_one_is_named_with_what_can() {
    let (code, _, err) = skyhound(&["--demo", "blast-radius", "bill-vpc"]);
    assert_ne!(code, 0);
    assert!(err.contains("bill-vpc") || err.contains("vpc-"), "{err}");
    assert!(
        err.contains("instance, network interface, load balancer"),
        "{err}"
    );
}

#[test]
fn text_output_leads_with_the_summary_and_the_story() {
    let (code, out, err) = skyhound(&["--demo", "blast-radius", "bill-web-server"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("from bill-web-server:"))
    );
    assert!(out.contains("the attack, step by step"));
    assert!(out.contains("may do every action on every resource"));
}

const A: &str = "111111111111";
const B: &str = "222222222222";
const C: &str = "333333333333";

/// A developer in A may assume a role in B, which may assume an admin role
/// in C that trusts it by ARN; and a bucket in C lets B's role read it.
fn chain() -> Graph {
    let mut e = Estate::new(7, skyhound::source::demo::collected_at());
    let admin = e.aws_policy("AdministratorAccess", allow(&["*"], &["*"]));
    let hop_arn = format!("arn:aws:iam::{B}:role/hop");
    let top_arn = format!("arn:aws:iam::{C}:role/top");
    let assume_hop = e.customer_policy(A, "assume-hop", allow(&["sts:AssumeRole"], &[&hop_arn]));
    e.user(A, "dev", false, false, &[], &[&assume_hop]);
    let assume_top = e.customer_policy(B, "assume-top", allow(&["sts:AssumeRole"], &[&top_arn]));
    e.role(B, "hop", trust_account(A, None), &[&assume_top], vec![]);
    e.role(
        C,
        "top",
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "FromHop", "Effect": "Allow", "Principal": {"AWS": hop_arn}, "Action": "sts:AssumeRole"}]}),
        &[&admin],
        vec![],
    );
    e.place();
    Graph::build(e.nodes, Default::default())
}

#[test]
fn a_role_chain_across_three_accounts_leads_to_admin_with_each_trust_statement() {
    let g = chain();
    let dev = g.by_id(&format!("arn:aws:iam::{A}:user/dev")).expect("dev");
    let mut engine = Engine::new(&g);
    let mut net = blast::network::Search::new(&g);
    let b = blast::blast_radius(&mut engine, &mut net, dev, Limits::default()).expect("applies");
    let id = &b.identity;
    assert_eq!(
        id.assumable,
        [
            format!("arn:aws:iam::{B}:role/hop"),
            format!("arn:aws:iam::{C}:role/top")
        ]
    );
    assert_eq!(id.accounts, [A, B, C]);
    assert!(id.admin && id.admins.is_empty());
    let e = id.escalation.as_ref().expect("a way to admin");
    assert_eq!(e.target, format!("arn:aws:iam::{C}:role/top"));
    assert_eq!(e.steps.len(), 2);
    assert!(e.steps.iter().all(|s| s.technique == "assume-role"));
    let top = id
        .reached
        .iter()
        .find(|r| r.principal.ends_with(":role/top"))
        .expect("top reached");
    let trust = top.steps[1]
        .evidence
        .iter()
        .find(|x| x.kind == skyhound::analysis::iam::PolicyKind::Trust)
        .expect("the trust statement is evidence");
    assert_eq!(trust.sid.as_deref(), Some("FromHop"));
    assert!(
        b.summary.contains("assumes 2 roles into 2 other accounts"),
        "{}",
        b.summary
    );
    // Admin in C by escalation; the data of C is not counted as the
    // developer's own, but the roles it assumes act on it.
    assert!(b.data.iter().all(|d| !d.access.contains(&Access::Network)));
}

#[test]
fn without_the_trust_statement_the_chain_stops_at_the_first_hop() {
    let g = chain();
    let mut nodes: Vec<skyhound::model::Node> = g.nodes().map(|(_, n)| n.clone()).collect();
    for n in &mut nodes {
        if let skyhound::model::NodeData::IamRole(r) = &mut n.data
            && n.id.ends_with(":role/top")
        {
            r.trust_policy =
                skyhound::model::policy::PolicyDocument(trust_account("999999999999", None));
        }
    }
    let g = Graph::build(nodes, Default::default());
    let dev = g.by_id(&format!("arn:aws:iam::{A}:user/dev")).expect("dev");
    let mut engine = Engine::new(&g);
    let mut net = blast::network::Search::new(&g);
    let b = blast::blast_radius(&mut engine, &mut net, dev, Limits::default()).expect("applies");
    assert_eq!(b.identity.assumable, [format!("arn:aws:iam::{B}:role/hop")]);
    assert!(!b.identity.admin);
    assert!(b.identity.escalation.is_none());
}

/// Buckets in A: `shared` names B's user eve in its policy, `granted` names
/// A's role `plain` (which has no identity policy), `private` has no
/// policy and an ACL that grants only its owner.
fn buckets_by_their_own_policy() -> Graph {
    use skyhound::model::{AclGrant, Answer, Bucket, policy::PolicyDocument};
    let mut e = Estate::new(9, skyhound::source::demo::collected_at());
    let read_all = e.customer_policy(B, "read-all", allow(&["s3:*"], &["*"]));
    e.user(B, "eve", false, false, &[], &[&read_all]);
    e.role(A, "plain", trust_account(A, None), &[], vec![]);
    let eve = format!("arn:aws:iam::{B}:user/eve");
    let plain = format!("arn:aws:iam::{A}:role/plain");
    let s = skyhound::source::build::Scope::new(A, "us-east-1");
    let naming = |bucket: &str, who: &str| {
        Some(Answer::Value(PolicyDocument(serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": who}, "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{bucket}/*")}]}))))
    };
    e.bucket(
        &s,
        "shared",
        Bucket {
            policy: naming("shared", &eve),
            ..Bucket::default()
        },
    );
    e.bucket(
        &s,
        "granted",
        Bucket {
            policy: naming("granted", &plain),
            ..Bucket::default()
        },
    );
    e.bucket(
        &s,
        "private",
        Bucket {
            policy: Some(Answer::None {
                code: "NoSuchBucketPolicy".into(),
            }),
            acl: Some(vec![AclGrant {
                grantee: "c0ffee".into(),
                permission: "FULL_CONTROL".into(),
            }]),
            ..Bucket::default()
        },
    );
    e.place();
    Graph::build(e.nodes, Default::default())
}

fn data_names(g: &Graph, principal: &str) -> Vec<(String, Vec<Access>)> {
    let who = g.by_id(principal).expect("principal");
    let mut engine = Engine::new(g);
    let mut net = blast::network::Search::new(g);
    let b = blast::blast_radius(&mut engine, &mut net, who, Limits::default()).expect("applies");
    b.data
        .into_iter()
        .map(|d| (d.label().to_string(), d.access))
        .collect()
}

#[test]
fn a_stores_own_policy_lets_in_another_accounts_user_and_a_role_with_no_grant_of_its_own() {
    let g = buckets_by_their_own_policy();
    // eve may do anything in S3 by her own policy; across accounts only
    // the bucket that names her lets her in, and only to read.
    assert_eq!(
        data_names(&g, &format!("arn:aws:iam::{B}:user/eve")),
        [("shared".to_string(), vec![Access::Read])]
    );
    // plain has no identity policy: the bucket policy naming it is all.
    assert_eq!(
        data_names(&g, &format!("arn:aws:iam::{A}:role/plain")),
        [("granted".to_string(), vec![Access::Read])]
    );
}
