//! The check registry: every check skyhound runs, with its id, title,
//! default severity and what it looks for, and the one function that runs
//! them all over a graph.

pub mod internet;

use serde::Serialize;

use super::exposure::Exposure;
use super::finding::{Evidence, Finding, Remediation, Status};
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

impl std::str::FromStr for Epic {
    type Err = String;

    /// An epic by its label or kebab-case name, or a word of it
    /// (`identity`, `logging`, `data`).
    fn from_str(text: &str) -> Result<Epic, String> {
        let t = text.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        Epic::ALL
            .iter()
            .copied()
            .find(|e| e.label() == t || e.label().split(' ').next() == Some(t.as_str()))
            .ok_or_else(|| {
                let names: Vec<&str> = Epic::ALL.iter().map(|e| e.label()).collect();
                format!("no epic {text:?}; the epics are: {}", names.join(", "))
            })
    }
}

impl Epic {
    pub const ALL: &'static [Epic] = &[
        Epic::IdentityAndAccess,
        Epic::LoggingAndMonitoring,
        Epic::InfrastructureSecurity,
        Epic::DataProtection,
        Epic::IncidentResponse,
    ];
}

/// The CIS AWS Foundations Benchmark control a check implements: its
/// number in v3.0 and in v1.5 (`None` where that version has no such
/// control).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cis {
    #[serde(rename = "v3.0")]
    pub v3_0: Option<&'static str>,
    #[serde(rename = "v1.5")]
    pub v1_5: Option<&'static str>,
}

impl Cis {
    /// Not a CIS control.
    pub const NONE: Cis = Cis {
        v3_0: None,
        v1_5: None,
    };

    /// The same control number in v3.0 and v1.5.
    pub const fn both(control: &'static str) -> Cis {
        Cis {
            v3_0: Some(control),
            v1_5: Some(control),
        }
    }

    /// A control numbered differently in the two versions.
    pub const fn moved(v3_0: &'static str, v1_5: &'static str) -> Cis {
        Cis {
            v3_0: Some(v3_0),
            v1_5: Some(v1_5),
        }
    }

    /// A control new in v3.0.
    pub const fn v3_only(control: &'static str) -> Cis {
        Cis {
            v3_0: Some(control),
            v1_5: None,
        }
    }

    /// A control v3.0 dropped.
    pub const fn v1_5_only(control: &'static str) -> Cis {
        Cis {
            v3_0: None,
            v1_5: Some(control),
        }
    }

    /// "1.4", "3.3 (v1.5 3.5)", "v1.5 3.3", or nothing.
    pub fn label(self) -> String {
        match (self.v3_0, self.v1_5) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a} (v1.5 {b})"),
            (Some(a), None) => a.to_string(),
            (None, Some(b)) => format!("v1.5 {b}"),
            (None, None) => String::new(),
        }
    }
}

/// One check, as the registry lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: &'static str,
    /// A word or two a list shows on a resource that fails it (`PUBLIC`,
    /// `UNENCRYPTED`), where a word says it.
    pub badge: Option<&'static str>,
    pub title: &'static str,
    pub cis: Cis,
    /// The severity of a failure unless the check grades it (exposure
    /// grades by port and reach).
    pub severity: Severity,
    pub epic: Epic,
    pub description: &'static str,
}

/// Every check, in the order `skyhound checks --list` prints them.
pub const ALL: &[&Check] = &[
    &posture::root::ACCESS_KEYS,
    &posture::root::MFA,
    &posture::root::HARDWARE_MFA,
    &posture::root::RECENTLY_USED,
    &posture::password::LENGTH,
    &posture::password::REUSE,
    &posture::mfa::CHECK,
    &posture::credentials::UNUSED,
    &posture::credentials::ONE_ACTIVE_KEY,
    &posture::credentials::KEY_ROTATION,
    &posture::policies::USER_DIRECT,
    &posture::policies::FULL_ADMIN,
    &posture::policies::INSTANCE_ROLE,
    &posture::coverage::TRAIL_MULTI_REGION,
    &posture::trail::LOG_VALIDATION,
    &posture::trail::BUCKET_PUBLIC,
    &posture::trail::BUCKET_LOGGING,
    &posture::trail::KMS,
    &posture::coverage::CONFIG_ALL_REGIONS,
    &posture::data::KMS_ROTATION,
    &posture::coverage::FLOW_LOGS,
    &internet::CHECK,
    &posture::admin_ports::NACL,
    &posture::admin_ports::SG_IPV4,
    &posture::admin_ports::SG_IPV6,
    &posture::admin_ports::DEFAULT_SG,
    &posture::imds::CHECK,
    &posture::database::RDS_PUBLIC,
    &posture::data::ACCOUNT_BPA,
    &posture::data::BUCKET_PUBLIC,
    &posture::data::BUCKET_ENCRYPTION,
    &posture::data::BUCKET_TLS,
    &posture::data::EBS_DEFAULT,
    &posture::data::VOLUME_ENCRYPTED,
    &posture::data::RDS_ENCRYPTED,
    &posture::guardduty::CHECK,
    &iam::ADMIN,
    &iam::ESCALATION,
    &iam::TRUST_PUBLIC,
    &iam::TRUST_NO_EXTERNAL_ID,
    &iam::TRUST_CROSS_ACCOUNT,
    &iam::TRUST_ACCOUNT_ROOT,
    &super::iam::problems::POLICY_PROBLEM,
];

/// The check with this id.
pub fn find(id: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|c| c.id == id)
}

/// One check's answer for one account, region or resource, as `skyhound
/// checks --json` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome<'a> {
    pub check: &'static str,
    /// The CIS AWS Foundations v3.0 control.
    pub cis: Option<&'static str>,
    /// The CIS v1.5 control, where the check has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cis_v1_5: Option<&'static str>,
    pub epic: Epic,
    pub status: Status,
    pub severity: Severity,
    pub account: &'a str,
    pub region: Option<&'a str>,
    pub resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub title: &'a str,
    pub evidence: &'a [Evidence],
    pub remediation: &'a Remediation,
}

impl<'a> Outcome<'a> {
    /// The finding with its check's registry entry; `None` for a check the
    /// registry does not hold.
    pub fn of(f: &'a Finding) -> Option<Outcome<'a>> {
        let c = find(f.check)?;
        Some(Outcome {
            check: c.id,
            cis: c.cis.v3_0,
            cis_v1_5: c.cis.v1_5,
            epic: c.epic,
            status: f.status,
            severity: f.severity,
            account: &f.account,
            region: f.region.as_deref(),
            resource: &f.resource,
            name: f.name.as_deref(),
            title: &f.title,
            evidence: &f.evidence,
            remediation: &f.remediation,
        })
    }
}

/// Which results a person asked for: some checks, one epic, one status.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Check ids; empty for every check.
    pub checks: Vec<String>,
    pub epic: Option<Epic>,
    pub status: Option<Status>,
}

impl Selection {
    /// Whether results of this check are asked for at all.
    pub fn keeps_check(&self, c: &Check) -> bool {
        (self.checks.is_empty() || self.checks.iter().any(|id| id == c.id))
            && self.epic.is_none_or(|e| e == c.epic)
    }

    pub fn keeps(&self, o: &Outcome) -> bool {
        find(o.check).is_some_and(|c| self.keeps_check(c))
            && self.status.is_none_or(|s| s == o.status)
    }

    /// A check id that is not in the registry, with the ids that are.
    pub fn unknown_check(&self) -> Option<String> {
        let bad = self.checks.iter().find(|id| find(id).is_none())?;
        let ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        Some(format!(
            "no check {bad:?}; the checks are: {}",
            ids.join(", ")
        ))
    }
}

/// The exposure and posture checks alone, without the identity analyses
/// (which take longest): what the explorer shows first.
pub fn run_network(graph: &Graph, exposures: &[Exposure]) -> Vec<Finding> {
    let mut out = internet::findings(graph, exposures);
    out.extend(posture::findings(graph, exposures));
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
