//! The root user's checks (CIS 1.4–1.7): no access keys, MFA, a hardware
//! MFA device, and no recent use. Each answers once per account, from the
//! credential report's `<root_account>` row; an account whose report was
//! not read is unknown. A report without a root row (root credentials
//! managed centrally by the organization) has nothing to fail.

use super::account::{self, as_of, date, days, not_collected};
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::{AccessKey, Account, EdgeKind, IamUser, Node, NodeData, Severity};
use crate::source::operations as ops;

pub const ACCESS_KEYS: Check = Check {
    id: "iam.root-access-keys",
    badge: Some("ROOT KEYS"),
    title: "Root user has access keys",
    severity: Severity::Critical,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.4"),
    description: "an active access key of the root user, from the credential report: keys that can do everything in the account, with no way to limit them",
};

pub const MFA: Check = Check {
    id: "iam.root-mfa",
    badge: Some("ROOT NO MFA"),
    title: "Root user without MFA",
    severity: Severity::Critical,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.5"),
    description: "the root user has no MFA device (credential report mfa_active, else the account summary's AccountMFAEnabled)",
};

pub const HARDWARE_MFA: Check = Check {
    id: "iam.root-hardware-mfa",
    badge: Some("VIRTUAL MFA"),
    title: "Root user without hardware MFA",
    severity: Severity::Medium,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.6"),
    description: "the root user's MFA is a virtual device (ListVirtualMFADevices names it), or there is none",
};

pub const RECENTLY_USED: Check = Check {
    id: "iam.root-recently-used",
    badge: Some("ROOT USED"),
    title: "Root user used recently",
    severity: Severity::High,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.7"),
    description: "the root user signed in or its access keys were used in the 90 days before the credential report was generated",
};

/// Days of root use that count as recent.
const RECENT_DAYS: i64 = 90;

/// The root user's node and data, if the report had its row.
fn root_user<'g>(graph: &'g Graph, account: &str) -> Option<(NodeId, &'g Node, &'g IamUser)> {
    let id = graph.by_id(&format!("arn:aws:iam::{account}:root"))?;
    let n = graph.node(id);
    match &n.data {
        NodeData::IamUser(u) if u.is_root => Some((id, n, u)),
        _ => None,
    }
}

fn root_keys(graph: &Graph, root: NodeId) -> Vec<(&Node, &AccessKey)> {
    graph
        .neighbours(root, EdgeKind::HasAccessKey, Direction::Outgoing)
        .filter_map(|k| {
            let n = graph.node(k);
            match &n.data {
                NodeData::AccessKey(a) => Some((n, a)),
                _ => None,
            }
        })
        .collect()
}

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n, a) in account::loaded(graph) {
        let root = root_user(graph, &n.id);
        if a.credential_report.is_none() && root.is_none() {
            let gap = account::gap(graph, &n.id, None, &ops::GET_CREDENTIAL_REPORT);
            let why = not_collected(gap);
            for check in [&ACCESS_KEYS, &MFA, &HARDWARE_MFA, &RECENTLY_USED] {
                out.push(Finding::on(
                    check,
                    Status::Unknown,
                    (id, n),
                    format!("credential report {why}: the root user's credentials are unknown"),
                    vec![Evidence::property(&n.id, "credential report", &why)],
                    Remediation::new(
                        "Collect with iam:GenerateCredentialReport and iam:GetCredentialReport allowed",
                    ),
                ));
            }
            continue;
        }
        let Some((rid, rn, u)) = root else {
            for check in [&ACCESS_KEYS, &MFA, &HARDWARE_MFA, &RECENTLY_USED] {
                out.push(Finding::passed(
                    check,
                    (id, n),
                    "the root user has no credentials (the credential report has no root row)",
                    vec![Evidence::property(
                        &n.id,
                        "credential report <root_account>",
                        "absent",
                    )],
                ));
            }
            continue;
        };
        let keys = root_keys(graph, rid);
        out.push(access_keys(&n.id, (rid, rn), &keys));
        out.push(mfa(graph, &n.id, a, (rid, rn), u));
        out.push(hardware_mfa(&n.id, a, (rid, rn), u));
        out.push(recently_used(graph, a, (rid, rn), u, &keys));
    }
    out
}

fn access_keys(account: &str, at: (NodeId, &Node), keys: &[(&Node, &AccessKey)]) -> Finding {
    let active: Vec<&(&Node, &AccessKey)> = keys.iter().filter(|(_, k)| k.is_active()).collect();
    let evidence: Vec<Evidence> = if keys.is_empty() {
        vec![Evidence::property("root", "access keys", "none")]
    } else {
        keys.iter()
            .map(|(n, k)| Evidence::property(&n.id, "status", &k.status))
            .collect()
    };
    if active.is_empty() {
        return Finding::passed(&ACCESS_KEYS, at, "no active root access keys", evidence);
    }
    let mut fix = Remediation::new(
        "Sign in as the root user and delete its access keys (Security credentials page); use IAM roles instead. If a key may have leaked, deactivate it first and look up what it did in CloudTrail",
    );
    for (n, _) in &active {
        fix = fix.with_command(format!(
            "aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue={} # in account {account}",
            n.id
        ));
    }
    Finding::on(
        &ACCESS_KEYS,
        Status::Fail,
        at,
        format!("{} active root access key(s)", active.len()),
        evidence,
        fix,
    )
}

fn mfa(graph: &Graph, account: &str, a: &Account, at: (NodeId, &Node), u: &IamUser) -> Finding {
    let summary = a.summary.get("AccountMFAEnabled").copied();
    let active = u.mfa_active.or(summary.map(|v| v == 1));
    let mut evidence = vec![Evidence::property(
        "root",
        "mfa_active",
        u.mfa_active
            .map_or("not in report".to_string(), |v| v.to_string()),
    )];
    if let Some(v) = summary {
        evidence.push(Evidence::property(
            account,
            "AccountMFAEnabled",
            v.to_string(),
        ));
    }
    match active {
        Some(true) => Finding::passed(&MFA, at, "root user has MFA", evidence),
        Some(false) => Finding::on(
            &MFA,
            Status::Fail,
            at,
            "root user has no MFA device",
            evidence,
            Remediation::new(
                "Sign in as the root user and assign an MFA device (a hardware key or passkey), on the Security credentials page",
            ),
        ),
        None => {
            let gap = account::gap(graph, account, None, &ops::GET_ACCOUNT_SUMMARY);
            Finding::on(
                &MFA,
                Status::Unknown,
                at,
                format!("root MFA unknown: {}", not_collected(gap)),
                evidence,
                Remediation::new("Collect the credential report and the account summary"),
            )
        }
    }
}

fn hardware_mfa(account: &str, a: &Account, at: (NodeId, &Node), u: &IamUser) -> Finding {
    let root_arn = format!("arn:aws:iam::{account}:root");
    let fix = Remediation::new(
        "Sign in as the root user and assign a hardware MFA device (FIDO security key or hardware TOTP token) in place of any virtual one",
    );
    if u.mfa_active == Some(false) {
        return Finding::on(
            &HARDWARE_MFA,
            Status::Fail,
            at,
            "root user has no MFA device at all",
            vec![Evidence::property("root", "mfa_active", "false")],
            fix,
        );
    }
    let Some(devices) = &a.virtual_mfa_devices else {
        return Finding::on(
            &HARDWARE_MFA,
            Status::Unknown,
            at,
            "virtual MFA devices not listed: whether root's device is hardware is unknown",
            vec![Evidence::property(
                account,
                "list-virtual-mfa-devices",
                "not collected",
            )],
            Remediation::new("Collect with iam:ListVirtualMFADevices allowed"),
        );
    };
    match devices
        .iter()
        .find(|d| d.user_arn.as_deref() == Some(root_arn.as_str()))
    {
        Some(d) => Finding::on(
            &HARDWARE_MFA,
            Status::Fail,
            at,
            "root user's MFA is a virtual device",
            vec![Evidence::property(&d.serial_number, "user", &root_arn)],
            fix,
        ),
        None => Finding::passed(
            &HARDWARE_MFA,
            at,
            "root user's MFA is not a virtual device",
            vec![Evidence::property(
                account,
                "virtual MFA devices of root",
                "none",
            )],
        ),
    }
}

fn recently_used(
    graph: &Graph,
    a: &Account,
    at: (NodeId, &Node),
    u: &IamUser,
    keys: &[(&Node, &AccessKey)],
) -> Finding {
    let Some(now) = as_of(graph, a) else {
        return Finding::on(
            &RECENTLY_USED,
            Status::Unknown,
            at,
            "no collection time to measure root use against",
            Vec::new(),
            Remediation::new("Collect the credential report"),
        );
    };
    let mut uses: Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> =
        vec![("password_last_used".to_string(), u.password_last_used)];
    for (n, k) in keys {
        uses.push((format!("{} last used", n.id), k.last_used));
    }
    let evidence: Vec<Evidence> = uses
        .iter()
        .map(|(field, t)| Evidence::property("root", field, date(*t)))
        .collect();
    let last = uses.iter().filter_map(|(_, t)| *t).max();
    match last {
        Some(t) if days(now, t) <= RECENT_DAYS => Finding::on(
            &RECENTLY_USED,
            Status::Fail,
            at,
            format!(
                "root user used {} days before {}",
                days(now, t).max(0),
                date(Some(now))
            ),
            evidence,
            Remediation::new(
                "Find who used the root user and why (CloudTrail events with userIdentity.type Root); give them an IAM role or Identity Center permission set for the task, and keep root for the few tasks that need it",
            )
            .with_command(
                "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root",
            ),
        ),
        _ => Finding::passed(
            &RECENTLY_USED,
            at,
            format!("root user not used in the {RECENT_DAYS} days before {}", date(Some(now))),
            evidence,
        ),
    }
}
