//! Posture checks: best practices a resource's own settings pass or fail,
//! each a check of the registry producing findings with the property that
//! decides it.

pub mod imds;
pub mod mfa;

use super::finding::Finding;
use crate::graph::Graph;

/// Every posture check's findings.
pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = imds::findings(graph);
    out.extend(mfa::findings(graph));
    out
}
