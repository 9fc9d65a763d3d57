//! IAM users' long-term credentials (CIS 1.12–1.14): none unused for 45
//! days, one active access key at most, keys rotated within 90 days. Ages
//! are measured at the credential report's generation time. A credential
//! never used counts from when it was last rotated or changed, as CIS's
//! audit says: "never used" is not "recently used".

use chrono::{DateTime, Utc};

use super::account::{self, as_of, date, days};
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::{AccessKey, EdgeKind, IamUser, Node, NodeData, NodeKind, Severity};

pub const UNUSED: Check = Check {
    id: "iam.unused-credentials",
    badge: Some("UNUSED"),
    title: "Credentials unused for 45 days",
    severity: Severity::Medium,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.12"),
    description: "a console password or active access key not used in 45 days (never used: not rotated or changed in 45 days), from the credential report",
};

pub const ONE_ACTIVE_KEY: Check = Check {
    id: "iam.one-active-key",
    badge: Some("TWO KEYS"),
    title: "User with two active access keys",
    severity: Severity::Low,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.13"),
    description: "an IAM user with more than one active access key",
};

pub const KEY_ROTATION: Check = Check {
    id: "iam.key-rotation",
    badge: Some("OLD KEY"),
    title: "Access key not rotated in 90 days",
    severity: Severity::Medium,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.14"),
    description: "an active access key of an IAM user created (last rotated) more than 90 days before the credential report",
};

const UNUSED_DAYS: i64 = 45;
const ROTATION_DAYS: i64 = 90;

fn keys_of(graph: &Graph, user: NodeId) -> Vec<(NodeId, &Node, &AccessKey)> {
    graph
        .neighbours(user, EdgeKind::HasAccessKey, Direction::Outgoing)
        .filter_map(|k| {
            let n = graph.node(k);
            match &n.data {
                NodeData::AccessKey(a) => Some((k, n, a)),
                _ => None,
            }
        })
        .collect()
}

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::IamUser) {
        let NodeData::IamUser(u) = &n.data else {
            continue;
        };
        if u.is_root {
            continue;
        }
        let a = account::data(graph, &n.account);
        let reported = a.is_some_and(|a| a.credential_report.is_some());
        let now = a.and_then(|a| as_of(graph, a));
        let keys = keys_of(graph, id);
        match (reported, now) {
            (true, Some(now)) => {
                out.push(unused(n, id, u, &keys, now));
                out.push(one_active_key(n, id, &keys));
                for (kid, kn, k) in &keys {
                    if let Some(f) = rotation(n, (*kid, kn), k, now) {
                        out.push(f);
                    }
                }
            }
            _ => {
                let why = account::not_collected(account::gap(
                    graph,
                    &n.account,
                    None,
                    &crate::source::operations::GET_CREDENTIAL_REPORT,
                ));
                for check in [&UNUSED, &ONE_ACTIVE_KEY, &KEY_ROTATION] {
                    out.push(Finding::on(
                        check,
                        Status::Unknown,
                        (id, n),
                        format!("credential report {why}"),
                        vec![Evidence::property(n.display_name(), "credential report", &why)],
                        Remediation::new(
                            "Collect with iam:GenerateCredentialReport and iam:GetCredentialReport allowed",
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// When a credential was last used, or — never used — since when it has
/// been waiting, with the words saying which.
fn last_activity(
    used: Option<DateTime<Utc>>,
    since: Option<DateTime<Utc>>,
) -> (Option<DateTime<Utc>>, &'static str) {
    match used {
        Some(t) => (Some(t), "last used"),
        None => (since, "never used; set"),
    }
}

fn unused(
    n: &Node,
    id: NodeId,
    u: &IamUser,
    keys: &[(NodeId, &Node, &AccessKey)],
    now: DateTime<Utc>,
) -> Finding {
    let name = n.display_name();
    let mut evidence = Vec::new();
    let mut stale = Vec::new();
    let mut fix = Remediation::new(
        "Remove the console password and deactivate the access keys that are not used (deactivate first; delete once nothing breaks)",
    );
    if u.password_enabled == Some(true) {
        let (t, how) = last_activity(u.password_last_used, u.password_last_changed.or(u.created));
        evidence.push(Evidence::property(
            name,
            "console password",
            format!("{how} {}", date(t)),
        ));
        if t.is_none_or(|t| days(now, t) > UNUSED_DAYS) {
            stale.push("console password".to_string());
            fix = fix.with_command(format!("aws iam delete-login-profile --user-name {name}"));
        }
    }
    for (_, kn, k) in keys.iter().filter(|(_, _, k)| k.is_active()) {
        let (t, how) = last_activity(k.last_used, k.created);
        evidence.push(Evidence::property(
            &kn.id,
            "access key",
            format!("{how} {}", date(t)),
        ));
        if t.is_none_or(|t| days(now, t) > UNUSED_DAYS) {
            stale.push(format!("access key {}", kn.id));
            fix = fix.with_command(format!(
                "aws iam update-access-key --user-name {name} --access-key-id {} --status Inactive",
                kn.id
            ));
        }
    }
    if evidence.is_empty() {
        return Finding::passed(
            &UNUSED,
            (id, n),
            "no console password or active access key",
            vec![Evidence::property(name, "credentials", "none")],
        );
    }
    if stale.is_empty() {
        return Finding::passed(
            &UNUSED,
            (id, n),
            format!(
                "every credential used in the {UNUSED_DAYS} days before {}",
                date(Some(now))
            ),
            evidence,
        );
    }
    Finding::on(
        &UNUSED,
        Status::Fail,
        (id, n),
        format!("unused for over {UNUSED_DAYS} days: {}", stale.join(", ")),
        evidence,
        fix,
    )
}

fn one_active_key(n: &Node, id: NodeId, keys: &[(NodeId, &Node, &AccessKey)]) -> Finding {
    let active: Vec<&Node> = keys
        .iter()
        .filter(|(_, _, k)| k.is_active())
        .map(|(_, kn, _)| *kn)
        .collect();
    let evidence: Vec<Evidence> = keys
        .iter()
        .map(|(_, kn, k)| Evidence::property(&kn.id, "status", &k.status))
        .collect();
    if active.len() <= 1 {
        return Finding::passed(
            &ONE_ACTIVE_KEY,
            (id, n),
            format!("{} active access key(s)", active.len()),
            evidence,
        );
    }
    let name = n.display_name();
    let mut fix = Remediation::new(
        "Keep one active key: move whatever uses the older key to the newer one, then deactivate the older",
    );
    if let Some(oldest) = active.first() {
        fix = fix.with_command(format!(
            "aws iam update-access-key --user-name {name} --access-key-id {} --status Inactive",
            oldest.id
        ));
    }
    Finding::on(
        &ONE_ACTIVE_KEY,
        Status::Fail,
        (id, n),
        format!("{} active access keys", active.len()),
        evidence,
        fix,
    )
}

fn rotation(
    user: &Node,
    at: (NodeId, &Node),
    k: &AccessKey,
    now: DateTime<Utc>,
) -> Option<Finding> {
    if !k.is_active() {
        return None;
    }
    let key = at.1;
    let Some(created) = k.created else {
        return Some(Finding::on(
            &KEY_ROTATION,
            Status::Unknown,
            at,
            "the key's creation time was not collected",
            vec![Evidence::property(&key.id, "created", "not collected")],
            Remediation::new("Collect the credential report"),
        ));
    };
    let age = days(now, created);
    let evidence = vec![Evidence::property(&key.id, "created", date(Some(created)))];
    if age <= ROTATION_DAYS {
        return Some(Finding::passed(
            &KEY_ROTATION,
            at,
            format!("created {age} days before the report"),
            evidence,
        ));
    }
    let name = user.display_name();
    Some(Finding::on(
        &KEY_ROTATION,
        Status::Fail,
        at,
        format!("{age} days old (over {ROTATION_DAYS})"),
        evidence,
        Remediation::new(
            "Create a new key, move what uses this one to it, then deactivate this one (or better, replace the key with a role)",
        )
        .with_command(format!("aws iam create-access-key --user-name {name}"))
        .with_command(format!(
            "aws iam update-access-key --user-name {name} --access-key-id {} --status Inactive",
            key.id
        )),
    ))
}
