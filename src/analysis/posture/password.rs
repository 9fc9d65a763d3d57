//! The account password policy (CIS 1.8, 1.9): passwords of at least 14
//! characters, and the last 24 not reused. An account with no policy
//! fails (IAM then allows 8 characters and any reuse); one whose policy
//! could not be read is unknown.

use super::account::{self, not_collected};
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::Graph;
use crate::model::Severity;
use crate::source::operations as ops;

pub const LENGTH: Check = Check {
    id: "iam.password-policy-length",
    badge: Some("WEAK PASSWORDS"),
    title: "Password policy allows short passwords",
    severity: Severity::Medium,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.8"),
    description: "the account's password policy requires fewer than 14 characters, or there is no policy",
};

pub const REUSE: Check = Check {
    id: "iam.password-policy-reuse",
    badge: Some("PASSWORD REUSE"),
    title: "Password policy allows reuse",
    severity: Severity::Medium,
    epic: Epic::IdentityAndAccess,
    cis: Cis::both("1.9"),
    description: "the account's password policy remembers fewer than the last 24 passwords, or there is no policy",
};

const MIN_LENGTH: u32 = 14;
const MIN_REUSE: u32 = 24;

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n, a) in account::loaded(graph) {
        let gap = account::gap(graph, &n.id, None, &ops::GET_ACCOUNT_PASSWORD_POLICY);
        let read = a.password_policy.as_ref().filter(|_| gap.is_none());
        for (check, field, minimum, value) in [
            (
                &LENGTH,
                "MinimumPasswordLength",
                MIN_LENGTH,
                read.map(|p| p.minimum_length),
            ),
            (
                &REUSE,
                "PasswordReusePrevention",
                MIN_REUSE,
                read.map(|p| p.reuse_prevention),
            ),
        ] {
            let fix = Remediation::new(format!(
                "Set the account password policy's {field} to {minimum} or more (keep the policy's other settings: update-account-password-policy replaces them all)"
            ))
            .with_command(format!(
                "aws iam update-account-password-policy --minimum-password-length {} --password-reuse-prevention {} --require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters --allow-users-to-change-password",
                MIN_LENGTH, MIN_REUSE
            ));
            let finding = match value {
                None => Finding::on(
                    check,
                    Status::Unknown,
                    (id, n),
                    format!("password policy {}", not_collected(gap)),
                    vec![Evidence::property(
                        &n.id,
                        "password policy",
                        not_collected(gap),
                    )],
                    Remediation::new("Collect with iam:GetAccountPasswordPolicy allowed"),
                ),
                Some(None) if a.password_policy.as_ref().is_some_and(is_empty) => Finding::on(
                    check,
                    Status::Fail,
                    (id, n),
                    "no password policy: IAM's default allows 8 characters and any reuse",
                    vec![Evidence::property(
                        &n.id,
                        "password policy",
                        "none (NoSuchEntity)",
                    )],
                    fix,
                ),
                Some(None) => Finding::on(
                    check,
                    Status::Fail,
                    (id, n),
                    format!("password policy does not set {field}"),
                    vec![Evidence::property(&n.id, field, "not set")],
                    fix,
                ),
                Some(Some(v)) if v >= minimum => Finding::passed(
                    check,
                    (id, n),
                    format!("{field} is {v}"),
                    vec![Evidence::property(&n.id, field, v.to_string())],
                ),
                Some(Some(v)) => Finding::on(
                    check,
                    Status::Fail,
                    (id, n),
                    format!("{field} is {v}, under {minimum}"),
                    vec![Evidence::property(&n.id, field, v.to_string())],
                    fix,
                ),
            };
            out.push(finding);
        }
    }
    out
}

/// The answer for an account with no policy (NoSuchEntity): nothing set.
fn is_empty(p: &crate::model::PasswordPolicy) -> bool {
    *p == crate::model::PasswordPolicy::default()
}
