//! How permissions are given (CIS 1.15, 1.16, 1.18): users get them through
//! groups, no customer managed or inline policy allows `*` on `*`, and
//! instances use roles.

use serde_json::Value;

use super::account;
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Effect, Evidence, Finding, Remediation, Status};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::policy::{PolicyDocument, string_or_list};
use crate::model::{EdgeKind, InlinePolicy, Node, NodeData, NodeKind, Severity};
use crate::source::operations as ops;

pub const USER_DIRECT: Check = Check {
    id: "iam.user-direct-policies",
    badge: Some("DIRECT POLICY"),
    title: "User with policies of its own",
    severity: Severity::Low,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.15"),
    description: "an IAM user with managed policies attached or inline policies of its own, instead of getting permissions only through groups",
};

pub const FULL_ADMIN: Check = Check {
    id: "iam.full-admin-policy",
    badge: Some("FULL ADMIN"),
    title: "Policy allowing * on *",
    severity: Severity::High,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.16"),
    description: "a customer managed policy (its default version) attached to anything, or an inline policy of a user, group or role, with a statement allowing Action * on Resource *",
};

pub const INSTANCE_ROLE: Check = Check {
    id: "iam.instance-without-role",
    badge: Some("NO ROLE"),
    title: "Instance without a role",
    severity: Severity::Low,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.18"),
    description: "a running or stopped instance with no instance profile: whatever it calls AWS with is a long-term key kept on it",
};

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = user_direct(graph);
    out.extend(full_admin(graph));
    out.extend(instance_role(graph));
    out
}

/// An account whose authorization details were not read: its users'
/// and policies' answers are unknown.
fn details_gap(graph: &Graph, account: &str) -> Option<String> {
    account::gap(
        graph,
        account,
        None,
        &ops::GET_ACCOUNT_AUTHORIZATION_DETAILS,
    )
    .map(|g| g.reason.clone())
}

fn user_direct(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::IamUser) {
        let NodeData::IamUser(u) = &n.data else {
            continue;
        };
        if u.is_root {
            continue;
        }
        let name = n.display_name();
        if let Some(reason) = details_gap(graph, &n.account) {
            out.push(Finding::on(
                &USER_DIRECT,
                Status::Unknown,
                (id, n),
                "authorization details not collected: the user's policies are unknown",
                vec![Evidence::property(
                    name,
                    "get-account-authorization-details",
                    reason,
                )],
                Remediation::new("Collect with iam:GetAccountAuthorizationDetails allowed"),
            ));
            continue;
        }
        let mut evidence: Vec<Evidence> = u
            .attached_policies
            .iter()
            .map(|p| Evidence::property(name, "attached policy", &p.arn))
            .collect();
        evidence.extend(
            u.inline_policies
                .iter()
                .map(|p| Evidence::property(name, "inline policy", &p.name)),
        );
        if evidence.is_empty() {
            out.push(Finding::passed(
                &USER_DIRECT,
                (id, n),
                "permissions only through groups",
                vec![Evidence::property(name, "policies of its own", "none")],
            ));
            continue;
        }
        let mut fix = Remediation::new(
            "Put the user in a group that has these permissions, then detach the user's own policies",
        );
        for p in &u.attached_policies {
            fix = fix.with_command(format!(
                "aws iam detach-user-policy --user-name {name} --policy-arn {}",
                p.arn
            ));
        }
        for p in &u.inline_policies {
            fix = fix.with_command(format!(
                "aws iam delete-user-policy --user-name {name} --policy-name {}",
                p.name
            ));
        }
        out.push(Finding::on(
            &USER_DIRECT,
            Status::Fail,
            (id, n),
            format!("{} policies of its own", evidence.len()),
            evidence,
            fix,
        ));
    }
    out
}

/// The statements of a document allowing `*` on `*`, as evidence.
fn star_statements(policy: &str, owner: Option<&str>, doc: &PolicyDocument) -> Vec<Evidence> {
    doc.statements()
        .iter()
        .enumerate()
        .filter(|(_, s)| allows_everything(s))
        .map(|(i, s)| Evidence::Statement {
            policy: policy.to_string(),
            source: None,
            owner: owner.map(str::to_string),
            statement: i,
            sid: s.get("Sid").and_then(Value::as_str).map(str::to_string),
            effect: Effect::Allow,
            matched: if s.get("Condition").is_some() {
                "Action * on Resource * (under a condition)".to_string()
            } else {
                "Action * on Resource *".to_string()
            },
        })
        .collect()
}

fn allows_everything(s: &Value) -> bool {
    let allow = s.get("Effect").and_then(Value::as_str) == Some("Allow");
    let all = |key: &str| s.get(key).is_some_and(|v| string_or_list(v).contains(&"*"));
    allow && all("Action") && all("Resource")
}

fn full_admin(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::IamPolicy) {
        let NodeData::IamPolicy(p) = &n.data else {
            continue;
        };
        if p.aws_managed {
            continue;
        }
        let attached = graph
            .neighbours(id, EdgeKind::AttachedPolicy, Direction::Incoming)
            .count()
            .max(p.attachment_count.unwrap_or(0) as usize);
        let Some(doc) = &p.document else {
            out.push(Finding::on(
                &FULL_ADMIN,
                Status::Unknown,
                (id, n),
                "the policy's default version was not collected",
                vec![Evidence::property(
                    &n.id,
                    "default version document",
                    "not collected",
                )],
                Remediation::new("Collect with iam:GetAccountAuthorizationDetails allowed"),
            ));
            continue;
        };
        let evidence = star_statements(&n.id, None, doc);
        if evidence.is_empty() {
            out.push(Finding::passed(
                &FULL_ADMIN,
                (id, n),
                "the default version allows nothing on everything",
                vec![Evidence::property(
                    &n.id,
                    "default version",
                    p.default_version_id.as_deref().unwrap_or("?"),
                )],
            ));
            continue;
        }
        if attached == 0 {
            out.push(Finding::passed(
                &FULL_ADMIN,
                (id, n),
                "allows * on * but is attached to nothing",
                evidence,
            ));
            continue;
        }
        out.push(Finding::on(
            &FULL_ADMIN,
            Status::Fail,
            (id, n),
            format!("default version allows * on *, attached {attached} time(s)"),
            evidence,
            Remediation::new(
                "Replace the policy with one granting only the actions needed (IAM Access Analyzer can generate one from CloudTrail activity), then detach this one",
            )
            .with_command(format!("aws iam list-entities-for-policy --policy-arn {}", n.id)),
        ));
    }
    for (id, n) in graph.nodes() {
        let (inline, kind): (&[InlinePolicy], &str) = match &n.data {
            NodeData::IamUser(u) => (&u.inline_policies, "user"),
            NodeData::IamGroup(g) => (&g.inline_policies, "group"),
            NodeData::IamRole(r) => (&r.inline_policies, "role"),
            _ => continue,
        };
        let name = n.display_name();
        for p in inline {
            let evidence = star_statements(&p.name, Some(&n.id), &p.document);
            if evidence.is_empty() {
                continue;
            }
            out.push(inline_finding(id, n, kind, name, &p.name, evidence));
        }
    }
    out
}

fn inline_finding(
    id: NodeId,
    n: &Node,
    kind: &str,
    owner: &str,
    policy: &str,
    evidence: Vec<Evidence>,
) -> Finding {
    Finding::on(
        &FULL_ADMIN,
        Status::Fail,
        (id, n),
        format!("inline policy {policy} allows * on *"),
        evidence,
        Remediation::new(
            "Replace the inline policy with one granting only the actions needed, then delete it",
        )
        .with_command(format!(
            "aws iam delete-{kind}-policy --{kind}-name {owner} --policy-name {policy}"
        )),
    )
}

fn instance_role(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::Instance) {
        let NodeData::Instance(i) = &n.data else {
            continue;
        };
        if !matches!(
            i.state.as_deref(),
            Some("running" | "stopped" | "pending" | "stopping")
        ) {
            continue;
        }
        match &i.instance_profile_arn {
            Some(profile) => out.push(Finding::passed(
                &INSTANCE_ROLE,
                (id, n),
                "uses an instance profile",
                vec![Evidence::property(&n.id, "iam_instance_profile", profile)],
            )),
            None => {
                let region = account::region_flag(n);
                out.push(Finding::on(
                    &INSTANCE_ROLE,
                    Status::Fail,
                    (id, n),
                    "no instance profile",
                    vec![Evidence::property(&n.id, "iam_instance_profile", "none")],
                    Remediation::new(
                        "Create a role with only what the instance needs, attach it through an instance profile, and remove any access keys kept on the instance",
                    )
                    .with_command(format!(
                        "aws ec2 associate-iam-instance-profile --instance-id {} --iam-instance-profile Name=PROFILE{region}",
                        n.id
                    )),
                ));
            }
        }
    }
    out
}
