//! The posture checks against small graphs shaped as the importer builds
//! them, including the cases other tools get wrong.

use chrono::{TimeZone, Utc};

use super::*;
use crate::analysis::finding::Status;
use crate::graph::{Collection, Graph};
use crate::model::network::{NaclEntry, Protocol, RuleAction};
use crate::model::policy::PolicyDocument;
use crate::model::{self as m, Gap, Node, NodeData, Severity};

const ACCOUNT: &str = "111122223333";

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0)
        .single()
        .expect("time")
}

fn days_ago(d: i64) -> Option<chrono::DateTime<Utc>> {
    Some(at() - chrono::Duration::days(d))
}

fn account(report: bool, policy: Option<m::PasswordPolicy>) -> Node {
    Node::new(
        ACCOUNT,
        ACCOUNT,
        NodeData::Account(m::Account {
            password_policy: policy,
            credential_report: report.then(|| m::CredentialReport {
                generated: Some(at()),
            }),
            virtual_mfa_devices: Some(Vec::new()),
            ..m::Account::default()
        }),
    )
}

fn user(name: &str, u: m::IamUser) -> Node {
    let arn = if u.is_root {
        format!("arn:aws:iam::{ACCOUNT}:root")
    } else {
        format!("arn:aws:iam::{ACCOUNT}:user/{name}")
    };
    Node::new(&arn, ACCOUNT, NodeData::IamUser(u))
        .with_arn(&arn)
        .with_name(name)
}

fn key(id: &str, owner: &str, created: i64, used: Option<i64>) -> Node {
    let user_arn = if owner == "root" {
        format!("arn:aws:iam::{ACCOUNT}:root")
    } else {
        format!("arn:aws:iam::{ACCOUNT}:user/{owner}")
    };
    Node::new(
        id,
        ACCOUNT,
        NodeData::AccessKey(m::AccessKey {
            user_arn,
            status: "Active".into(),
            created: days_ago(created),
            last_used: used.and_then(days_ago),
            ..m::AccessKey::default()
        }),
    )
}

fn graph(nodes: Vec<Node>, gaps: Vec<Gap>) -> Graph {
    Graph::build(
        nodes,
        Collection {
            collected_at: Some(at()),
            gaps,
            ..Collection::default()
        },
    )
}

fn status_of(found: &[crate::analysis::Finding], check: &str, resource: &str) -> Vec<Status> {
    found
        .iter()
        .filter(|f| f.check == check && f.resource == resource)
        .map(|f| f.status)
        .collect()
}

#[test]
fn root_checks_fail_pass_and_say_unknown_without_a_report() {
    let root = m::IamUser {
        is_root: true,
        mfa_active: Some(false),
        ..m::IamUser::default()
    };
    let g = graph(
        vec![
            account(true, None),
            user("root", root),
            key("AKIAROOT", "root", 400, Some(3)),
        ],
        vec![],
    );
    let found = root::findings(&g);
    let root_arn = format!("arn:aws:iam::{ACCOUNT}:root");
    assert_eq!(
        status_of(&found, "iam.root-access-keys", &root_arn),
        [Status::Fail]
    );
    assert_eq!(status_of(&found, "iam.root-mfa", &root_arn), [Status::Fail]);
    assert_eq!(
        status_of(&found, "iam.root-recently-used", &root_arn),
        [Status::Fail]
    );

    // A report without a root row: root has no credentials, a pass.
    let g = graph(vec![account(true, None)], vec![]);
    let found = root::findings(&g);
    assert_eq!(status_of(&found, "iam.root-mfa", ACCOUNT), [Status::Pass]);

    // No report: unknown, with the gap's reason.
    let gap = Gap {
        account: ACCOUNT.into(),
        region: None,
        service: "iam".into(),
        operation: "get-credential-report".into(),
        reason: "AccessDenied".into(),
    };
    let g = graph(vec![account(false, None)], vec![gap]);
    let found = root::findings(&g);
    let mfa: Vec<&crate::analysis::Finding> =
        found.iter().filter(|f| f.check == "iam.root-mfa").collect();
    assert_eq!(mfa.len(), 1);
    assert_eq!(mfa[0].status, Status::Unknown);
    assert!(mfa[0].title.contains("AccessDenied"), "{}", mfa[0].title);
}

#[test]
fn a_virtual_root_device_fails_hardware_mfa() {
    let mut a = account(true, None);
    if let NodeData::Account(data) = &mut a.data {
        data.virtual_mfa_devices = Some(vec![m::VirtualMfaDevice {
            serial_number: format!("arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device"),
            user_arn: Some(format!("arn:aws:iam::{ACCOUNT}:root")),
        }]);
    }
    let root = m::IamUser {
        is_root: true,
        mfa_active: Some(true),
        ..m::IamUser::default()
    };
    let g = graph(vec![a, user("root", root)], vec![]);
    let found = root::findings(&g);
    let root_arn = format!("arn:aws:iam::{ACCOUNT}:root");
    assert_eq!(status_of(&found, "iam.root-mfa", &root_arn), [Status::Pass]);
    assert_eq!(
        status_of(&found, "iam.root-hardware-mfa", &root_arn),
        [Status::Fail]
    );
}

#[test]
fn password_policy_none_short_and_unread() {
    let short = m::PasswordPolicy {
        minimum_length: Some(8),
        reuse_prevention: Some(24),
        ..m::PasswordPolicy::default()
    };
    let found = password::findings(&graph(vec![account(true, Some(short))], vec![]));
    assert_eq!(
        status_of(&found, "iam.password-policy-length", ACCOUNT),
        [Status::Fail]
    );
    assert_eq!(
        status_of(&found, "iam.password-policy-reuse", ACCOUNT),
        [Status::Pass]
    );

    let none = m::PasswordPolicy::default();
    let found = password::findings(&graph(vec![account(true, Some(none))], vec![]));
    assert_eq!(
        status_of(&found, "iam.password-policy-length", ACCOUNT),
        [Status::Fail]
    );

    let found = password::findings(&graph(vec![account(true, None)], vec![]));
    assert_eq!(
        status_of(&found, "iam.password-policy-length", ACCOUNT),
        [Status::Unknown]
    );
}

#[test]
fn never_used_credentials_count_from_their_last_rotation() {
    let console = m::IamUser {
        password_enabled: Some(true),
        password_last_used: None,
        password_last_changed: days_ago(100),
        ..m::IamUser::default()
    };
    let fresh = m::IamUser {
        password_enabled: Some(true),
        password_last_used: None,
        password_last_changed: days_ago(3),
        ..m::IamUser::default()
    };
    let g = graph(
        vec![
            account(true, None),
            user("never-signed-in", console),
            user("new-hire", fresh),
            user("ci", m::IamUser::default()),
            key("AKIANEVER", "ci", 60, None),
            key("AKIAUSED", "ci", 120, Some(1)),
        ],
        vec![],
    );
    let found = credentials::findings(&g);
    let arn = |n: &str| format!("arn:aws:iam::{ACCOUNT}:user/{n}");
    assert_eq!(
        status_of(&found, "iam.unused-credentials", &arn("never-signed-in")),
        [Status::Fail],
        "a password never used counts from when it was set"
    );
    assert_eq!(
        status_of(&found, "iam.unused-credentials", &arn("new-hire")),
        [Status::Pass]
    );
    let ci: Vec<&crate::analysis::Finding> = found
        .iter()
        .filter(|f| f.check == "iam.unused-credentials" && f.resource == arn("ci"))
        .collect();
    assert_eq!(ci[0].status, Status::Fail);
    assert!(ci[0].title.contains("AKIANEVER") && !ci[0].title.contains("AKIAUSED"));
    assert_eq!(
        status_of(&found, "iam.one-active-key", &arn("ci")),
        [Status::Fail]
    );
    assert_eq!(
        status_of(&found, "iam.key-rotation", "AKIAUSED"),
        [Status::Fail]
    );
    assert_eq!(
        status_of(&found, "iam.key-rotation", "AKIANEVER"),
        [Status::Pass]
    );
}

fn policy(doc: serde_json::Value, other: Option<serde_json::Value>) -> Node {
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/p");
    Node::new(
        &arn,
        ACCOUNT,
        NodeData::IamPolicy(m::IamPolicy {
            default_version_id: Some("v2".into()),
            document: PolicyDocument::from_api(doc).ok(),
            attachment_count: Some(1),
            other_versions: other
                .into_iter()
                .map(|d| m::PolicyVersion {
                    version_id: Some("v1".into()),
                    document: PolicyDocument::from_api(d).ok(),
                })
                .collect(),
            ..m::IamPolicy::default()
        }),
    )
    .with_arn(&arn)
}

#[test]
fn full_admin_looks_at_the_default_version_and_inline_policies() {
    let star =
        serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let narrow = serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/p");

    let found = policies::findings(&graph(
        vec![policy(narrow.clone(), Some(star.clone()))],
        vec![],
    ));
    assert_eq!(
        status_of(&found, "iam.full-admin-policy", &arn),
        [Status::Pass],
        "a non-default version is not in force"
    );
    let found = policies::findings(&graph(vec![policy(star.clone(), None)], vec![]));
    assert_eq!(
        status_of(&found, "iam.full-admin-policy", &arn),
        [Status::Fail]
    );

    let role = Node::new(
        "arn:aws:iam::111122223333:role/ops",
        ACCOUNT,
        NodeData::IamRole(m::IamRole {
            role_id: None,
            path: None,
            created: None,
            description: None,
            trust_policy: PolicyDocument::from_api(serde_json::json!({"Statement": []}))
                .expect("doc"),
            attached_policies: vec![],
            inline_policies: vec![m::InlinePolicy {
                name: "everything".into(),
                document: PolicyDocument::from_api(star).expect("doc"),
            }],
            permissions_boundary: None,
            last_used: None,
            max_session_duration: None,
        }),
    );
    let found = policies::findings(&graph(vec![role], vec![]));
    assert_eq!(
        status_of(
            &found,
            "iam.full-admin-policy",
            "arn:aws:iam::111122223333:role/ops"
        ),
        [Status::Fail]
    );
}

fn sg(id: &str, rules: Vec<m::network::SgRule>) -> Node {
    Node::new(
        id,
        ACCOUNT,
        NodeData::SecurityGroup(m::SecurityGroup {
            vpc_id: Some("vpc-1".into()),
            group_name: id.into(),
            description: None,
            ingress: rules,
            egress: vec![],
        }),
    )
    .in_region("us-east-1")
}

fn rule(protocol: Protocol, from: i32, to: i32, cidr: &str) -> m::network::SgRule {
    m::network::SgRule {
        protocol,
        from_port: Some(from),
        to_port: Some(to),
        ipv4: vec![m::network::CidrSource {
            cidr: cidr.parse().expect("cidr"),
            description: None,
        }],
        ipv6: vec![],
        prefix_lists: vec![],
        groups: vec![],
    }
}

#[test]
fn admin_ports_count_ranges_and_all_traffic_but_not_a_narrow_source() {
    let g = graph(
        vec![
            sg("sg-range", vec![rule(Protocol::Tcp, 0, 1024, "0.0.0.0/0")]),
            sg("sg-all", vec![rule(Protocol::All, -1, -1, "0.0.0.0/0")]),
            sg(
                "sg-office",
                vec![rule(Protocol::Tcp, 22, 22, "203.0.113.0/24")],
            ),
            sg("sg-web", vec![rule(Protocol::Tcp, 443, 443, "0.0.0.0/0")]),
        ],
        vec![],
    );
    let found = admin_ports::findings(&g, &[]);
    let v4 = "ec2.sg-admin-ports-ipv4";
    assert_eq!(status_of(&found, v4, "sg-range"), [Status::Fail]);
    assert_eq!(status_of(&found, v4, "sg-all"), [Status::Fail]);
    assert_eq!(status_of(&found, v4, "sg-office"), [Status::Pass]);
    assert_eq!(status_of(&found, v4, "sg-web"), [Status::Pass]);
    let unused = found
        .iter()
        .find(|f| f.check == v4 && f.resource == "sg-range")
        .expect("finding");
    assert_eq!(unused.severity, Severity::Low, "nothing uses it");
}

fn nacl(id: &str, entries: Vec<(u32, RuleAction, &str)>) -> Node {
    Node::new(
        id,
        ACCOUNT,
        NodeData::NetworkAcl(m::NetworkAcl {
            vpc_id: "vpc-1".into(),
            is_default: false,
            entries: entries
                .into_iter()
                .map(|(rule_number, action, cidr)| NaclEntry {
                    rule_number,
                    egress: false,
                    protocol: Protocol::All,
                    action,
                    cidr: cidr.parse().expect("cidr"),
                    ports: None,
                    icmp: None,
                })
                .collect(),
            subnet_ids: vec![],
        }),
    )
    .in_region("us-east-1")
}

#[test]
fn a_nacl_deny_numbered_before_the_allow_wins() {
    let g = graph(
        vec![
            nacl(
                "acl-denied",
                vec![
                    (50, RuleAction::Deny, "0.0.0.0/0"),
                    (51, RuleAction::Deny, "::/0"),
                    (100, RuleAction::Allow, "0.0.0.0/0"),
                ],
            ),
            nacl(
                "acl-narrow-deny",
                vec![
                    (50, RuleAction::Deny, "198.51.100.0/24"),
                    (100, RuleAction::Allow, "0.0.0.0/0"),
                ],
            ),
        ],
        vec![],
    );
    let found = admin_ports::findings(&g, &[]);
    assert_eq!(
        status_of(&found, "ec2.nacl-admin-ports", "acl-denied"),
        [Status::Pass]
    );
    assert_eq!(
        status_of(&found, "ec2.nacl-admin-ports", "acl-narrow-deny"),
        [Status::Fail],
        "a deny of part of the internet does not stop the world"
    );
}

#[test]
fn guardduty_is_unknown_where_detectors_were_not_listed() {
    let region = |r: &str| {
        Node::new(
            format!("{ACCOUNT}/{r}"),
            ACCOUNT,
            NodeData::Region(m::Region::default()),
        )
        .in_region(r)
    };
    let detector = Node::new(
        "d-1",
        ACCOUNT,
        NodeData::GuardDutyDetector(m::GuardDutyDetector {
            status: Some("ENABLED".into()),
            ..m::GuardDutyDetector::default()
        }),
    )
    .in_region("us-east-1");
    let gap = Gap {
        account: ACCOUNT.into(),
        region: Some("eu-west-1".into()),
        service: "guardduty".into(),
        operation: "list-detectors".into(),
        reason: "AccessDenied".into(),
    };
    let g = graph(
        vec![
            account(true, None),
            region("us-east-1"),
            region("us-west-2"),
            region("eu-west-1"),
            detector,
        ],
        vec![gap],
    );
    let found = guardduty::findings(&g);
    let check = "guardduty.all-regions";
    assert_eq!(
        status_of(&found, check, &format!("{ACCOUNT}/us-east-1")),
        [Status::Pass]
    );
    assert_eq!(
        status_of(&found, check, &format!("{ACCOUNT}/us-west-2")),
        [Status::Fail]
    );
    assert_eq!(
        status_of(&found, check, &format!("{ACCOUNT}/eu-west-1")),
        [Status::Unknown]
    );
}
