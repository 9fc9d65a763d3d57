//! The identity checks: admins, principals that can become admin, and
//! trust that reaches too far. Each is a check of the registry; its
//! findings carry the statements that make it so.

use super::admin::{Admin, AdminKind};
use super::escalation::Escalation;
use super::evaluate::{Engine, StatementRef};
use super::trust::Trust;
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::Graph;
use crate::model::{NodeKind, Severity};

pub const ADMIN: Check = Check {
    id: "iam.admin",
    badge: None,
    title: "Admin user or role",
    severity: Severity::High,
    epic: Epic::IdentityAndAccess,
    cis: Cis::NONE,
    description: "a user or role allowed every action on every resource (AdministratorAccess, `*:*` or an equivalent NotAction), with the statements that grant it; users (long-term credentials) high, roles medium, admin only under conditions low (CIS 1.16)",
};

pub const ESCALATION: Check = Check {
    id: "iam.escalation",
    badge: None,
    title: "Can become admin",
    severity: Severity::High,
    epic: Epic::IdentityAndAccess,
    cis: Cis::NONE,
    description: "a user or role that is not admin but can make itself or another principal admin, as the shortest path of steps with the statements behind each",
};

pub const TRUST_PUBLIC: Check = Check {
    id: "iam.trust-public",
    badge: None,
    title: "Role anyone can assume",
    severity: Severity::Critical,
    epic: Epic::IdentityAndAccess,
    cis: Cis::NONE,
    description: "a trust policy that names `*` with no condition narrowing it to an organization, account or caller",
};

pub const TRUST_NO_EXTERNAL_ID: Check = Check {
    id: "iam.trust-external-without-external-id",
    badge: None,
    title: "External account trusted without ExternalId",
    severity: Severity::High,
    epic: Epic::IdentityAndAccess,
    cis: Cis::NONE,
    description: "a trust policy that lets an account outside the organization assume the role with no sts:ExternalId condition (the confused deputy)",
};

pub const TRUST_CROSS_ACCOUNT: Check = Check {
    id: "iam.trust-cross-account",
    badge: None,
    title: "Role assumable from another account",
    severity: Severity::Low,
    epic: Epic::IdentityAndAccess,
    cis: Cis::NONE,
    description: "a trust policy naming another account or a principal in it: who there can come in, and with which conditions",
};

pub const TRUST_ACCOUNT_ROOT: Check = Check {
    id: "iam.trust-account-root",
    badge: None,
    title: "Role trusting a whole account",
    severity: Severity::Low,
    epic: Epic::IdentityAndAccess,
    cis: Cis::NONE,
    description: "a trust policy naming an account (its root): every principal there whose own policies allow sts:AssumeRole can come in, not one named role",
};

/// Every check of this module, for the registry.
pub const CHECKS: &[&Check] = &[
    &ADMIN,
    &ESCALATION,
    &TRUST_PUBLIC,
    &TRUST_NO_EXTERNAL_ID,
    &TRUST_CROSS_ACCOUNT,
    &TRUST_ACCOUNT_ROOT,
    &super::problems::POLICY_PROBLEM,
];

fn statement(r: &StatementRef, matched: &str) -> Evidence {
    Evidence::Statement {
        policy: r.policy.clone(),
        source: Some(r.source.clone()),
        owner: None,
        statement: r.statement,
        sid: r.sid.clone(),
        effect: r.effect,
        matched: matched.to_string(),
    }
}

/// Every identity check's findings over a graph.
pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut engine = Engine::new(graph);
    let admins = engine.admins();
    let escalations = engine.escalations_with(&admins, None);
    let trusts = engine.trusts();
    let mut out = Vec::new();
    for a in &admins {
        out.extend(admin(graph, a));
    }
    for e in &escalations {
        out.extend(escalation(graph, e));
    }
    for t in &trusts {
        out.extend(trust(graph, t));
    }
    out.extend(super::problems::findings(graph));
    out
}

fn admin(graph: &Graph, a: &Admin) -> Option<Finding> {
    let id = graph.by_id(&a.principal)?;
    let n = graph.node(id);
    // What it cannot do, when cut down: "organizations:LeaveOrganization".
    let cannot: Vec<&str> = a
        .limits
        .iter()
        .filter_map(|l| l.split_once(": ").map(|(action, _)| action))
        .collect();
    let (severity, badge, title) = match (a.kind, n.kind()) {
        (AdminKind::SelfEscalation, _) => return None,
        (AdminKind::Conditional, _) if a.cut_down => (
            Severity::Low,
            "ADMIN EXCEPT",
            format!("admin except {}", cannot.join(", ")),
        ),
        (AdminKind::Conditional, _) => (
            Severity::Low,
            "ADMIN IF",
            "admin under conditions".to_string(),
        ),
        (AdminKind::Full, NodeKind::IamUser) => (
            Severity::High,
            "ADMIN",
            "admin user: every action on every resource".to_string(),
        ),
        (AdminKind::Full, _) => (
            Severity::Medium,
            "ADMIN",
            "admin role: every action on every resource".to_string(),
        ),
    };
    let mut evidence: Vec<Evidence> = a.evidence.iter().map(|r| statement(r, "*")).collect();
    evidence.extend(
        a.limits
            .iter()
            .map(|l| Evidence::property(&a.principal, "limit", l)),
    );
    let name = n.display_name();
    let command = match n.kind() {
        NodeKind::IamUser => format!("aws iam list-attached-user-policies --user-name {name}"),
        _ => format!("aws iam list-attached-role-policies --role-name {name}"),
    };
    let mut f = Finding::on(
        &ADMIN,
        Status::Fail,
        (id, n),
        title,
        evidence,
        Remediation::new(
            "Grant only the actions this principal uses (IAM Access Analyzer can generate a policy from its CloudTrail activity); keep admin to a few roles assumed with MFA",
        )
        .with_command(command),
    );
    f.severity = severity;
    f.badge = Some(badge);
    Some(f)
}

fn escalation(graph: &Graph, e: &Escalation) -> Option<Finding> {
    let id = graph.by_id(&e.principal)?;
    let n = graph.node(id);
    let mut evidence = Vec::new();
    for (i, s) in e.steps.iter().enumerate() {
        let via = s
            .via
            .as_deref()
            .map(|v| format!(" via {v}"))
            .unwrap_or_default();
        evidence.push(Evidence::property(
            &s.from,
            format!("step {}", i + 1),
            format!("{} → {}{via} ({})", s.technique, s.to, s.actions.join(", ")),
        ));
        evidence.extend(
            s.evidence
                .iter()
                .map(|r| statement(r, &s.actions.join(","))),
        );
    }
    let through = if e.target == e.principal {
        "itself".to_string()
    } else {
        match graph.by_id(&e.target).map(|t| graph.node(t)) {
            Some(t) if t.account == n.account => t.display_name().to_string(),
            Some(t) => format!("{} in {}", t.display_name(), t.account),
            None => e.target.clone(),
        }
    };
    let mut f = Finding::on(
        &ESCALATION,
        Status::Fail,
        (id, n),
        format!(
            "can become admin{} as {through} in {} step{}",
            if e.conditional { " under conditions" } else { "" },
            e.steps.len(),
            if e.steps.len() == 1 { "" } else { "s" }
        ),
        evidence,
        Remediation::new(
            "Remove the permission the first step uses, or scope it to resources that lead nowhere; a permissions boundary caps what a principal can grant itself",
        )
        .with_command(format!("skyhound escalation {}", e.principal)),
    );
    if e.conditional {
        f.severity = Severity::Medium;
    }
    f.badge = Some("CAN BECOME ADMIN");
    Some(f)
}

fn trust(graph: &Graph, t: &Trust) -> Vec<Finding> {
    let Some(id) = graph.by_id(&t.role) else {
        return Vec::new();
    };
    let n = graph.node(id);
    let name = n.display_name();
    let evidence = || {
        let mut ev = vec![Evidence::Statement {
            policy: format!("{} trust policy", t.role),
            source: Some(crate::analysis::iam::PolicySource::Trust(id)),
            owner: None,
            statement: t.statement,
            sid: t.sid.clone(),
            effect: crate::analysis::finding::Effect::Allow,
            matched: format!("{} {}", t.principal_type, t.principal),
        }];
        ev.extend(
            t.conditions
                .iter()
                .map(|c| Evidence::property(&t.role, "condition", c)),
        );
        if !t.assumable_by.is_empty() {
            ev.push(Evidence::property(
                &t.role,
                "assumable by",
                t.assumable_by.join(", "),
            ));
        }
        ev
    };
    let show = format!("aws iam get-role --role-name {name} --query Role.AssumeRolePolicyDocument");
    let mut out = Vec::new();
    let aws = t.principal_type == "AWS" || t.principal_type == "*";
    if t.scope == "public" && !t.limited {
        out.push(Finding::on(
            &TRUST_PUBLIC,
            Status::Fail,
            (id, n),
            if t.external_id {
                "anyone who knows the ExternalId can assume it".to_string()
            } else {
                "anyone in any AWS account can assume it".to_string()
            },
            evidence(),
            Remediation::new(
                "Name the accounts or roles that should come in, or add an aws:PrincipalOrgID condition",
            )
            .with_command(show.clone()),
        ));
    }
    if aws && t.scope == "external" && !t.external_id && !t.limited {
        out.push(Finding::on(
            &TRUST_NO_EXTERNAL_ID,
            Status::Fail,
            (id, n),
            format!(
                "{} outside the organization can assume it with no ExternalId",
                t.account.as_deref().unwrap_or(&t.principal)
            ),
            evidence(),
            Remediation::new(
                "Require the ExternalId the third party gave you with a StringEquals sts:ExternalId condition",
            )
            .with_command(show.clone()),
        ));
    }
    if aws && matches!(t.scope, "organization" | "external") && t.account.is_some() {
        out.push(Finding::on(
            &TRUST_CROSS_ACCOUNT,
            Status::Fail,
            (id, n),
            format!(
                "assumable from account {} ({})",
                t.account.as_deref().unwrap_or_default(),
                t.scope
            ),
            evidence(),
            Remediation::new(
                "Confirm the other account should come in; name one role there rather than the account",
            )
            .with_command(show.clone()),
        ));
    }
    let root = t.principal.ends_with(":root")
        || (t.principal.len() == 12 && t.principal.bytes().all(|b| b.is_ascii_digit()));
    if aws && root {
        out.push(Finding::on(
            &TRUST_ACCOUNT_ROOT,
            Status::Fail,
            (id, n),
            format!(
                "trusts all of account {}",
                t.account.as_deref().unwrap_or(&t.principal)
            ),
            evidence(),
            Remediation::new(
                "Name the role or user that should assume it (arn:aws:iam::ACCOUNT:role/NAME) instead of the account",
            )
            .with_command(show),
        ));
    }
    out
}
