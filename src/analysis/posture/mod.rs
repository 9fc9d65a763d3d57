//! Posture checks: best practices a resource's own settings pass or fail,
//! each a check of the registry producing findings with the property that
//! decides it.

pub mod imds;
pub mod mfa;

use super::checks::Check;
use super::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::{Graph, NodeId};
use crate::model::{Node, Severity};

/// Every posture check's findings.
pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = imds::findings(graph);
    out.extend(mfa::findings(graph));
    out
}

/// A posture finding on one resource: a failure has the check's severity;
/// an unknown (what it needs was not collected) is low, and never a pass.
pub fn finding(
    check: &Check,
    status: Status,
    (id, n): (NodeId, &Node),
    title: impl Into<String>,
    evidence: Vec<Evidence>,
    remediation: Remediation,
) -> Finding {
    Finding {
        check: check.id,
        status,
        severity: match status {
            Status::Fail => check.severity,
            Status::Unknown => Severity::Low,
        },
        account: n.account.clone(),
        region: n.region.clone(),
        resource: n.id.clone(),
        name: n.name.clone(),
        node: id,
        title: title.into(),
        evidence,
        remediation,
    }
}
