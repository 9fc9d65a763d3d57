//! The check registry: every check skyhound runs, with its id, title,
//! default severity and what it looks for, and the one function that runs
//! them all over a graph.

pub mod internet;

use serde::Serialize;

use super::exposure::Exposure;
use super::finding::Finding;
use super::iam::findings as iam;
use super::posture;
use crate::graph::Graph;
use crate::model::Severity;

/// The area of security practice a check belongs to (the AWS Cloud
/// Adoption Framework's security epics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Epic {
    IdentityAndAccess,
    LoggingAndMonitoring,
    InfrastructureSecurity,
    DataProtection,
    IncidentResponse,
}

impl Epic {
    pub fn label(self) -> &'static str {
        match self {
            Epic::IdentityAndAccess => "identity and access",
            Epic::LoggingAndMonitoring => "logging and monitoring",
            Epic::InfrastructureSecurity => "infrastructure security",
            Epic::DataProtection => "data protection",
            Epic::IncidentResponse => "incident response",
        }
    }
}

/// One check, as the registry lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    /// The severity of a failure unless the check grades it (exposure
    /// grades by port and reach).
    pub severity: Severity,
    pub epic: Epic,
    pub description: &'static str,
}

/// Every check, in the order `skyhound checks --list` prints them.
pub const ALL: &[&Check] = &[
    &internet::CHECK,
    &posture::imds::CHECK,
    &posture::mfa::CHECK,
    &iam::ADMIN,
    &iam::ESCALATION,
    &iam::TRUST_PUBLIC,
    &iam::TRUST_NO_EXTERNAL_ID,
    &iam::TRUST_CROSS_ACCOUNT,
    &iam::TRUST_ACCOUNT_ROOT,
];

/// The check with this id.
pub fn find(id: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|c| c.id == id)
}

/// The exposure and posture checks alone, without the identity analyses
/// (which take longest): what the explorer shows first.
pub fn run_network(graph: &Graph, exposures: &[Exposure]) -> Vec<Finding> {
    let mut out = internet::findings(graph, exposures);
    out.extend(posture::findings(graph));
    sort(&mut out);
    out
}

/// Worst first; then by account, region, check and resource, so that the
/// order is the same on every run.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.status.cmp(&b.status))
            .then_with(|| a.account.cmp(&b.account))
            .then_with(|| a.region.cmp(&b.region))
            .then_with(|| a.check.cmp(b.check))
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.title.cmp(&b.title))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_and_dotted() {
        let mut ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
        for c in ALL {
            assert!(c.id.contains('.'), "{}", c.id);
            assert!(find(c.id).is_some());
        }
        assert!(find("no.such-check").is_none());
        for c in iam::CHECKS {
            assert!(find(c.id).is_some(), "{} is in the registry", c.id);
        }
    }
}
