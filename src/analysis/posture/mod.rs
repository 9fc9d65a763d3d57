//! Posture checks: best practices a resource's or an account's own
//! settings pass or fail, each a check of the registry producing findings
//! with the property that decides it — passes too, so that a report shows
//! what was checked.

mod account;
pub mod admin_ports;
pub mod coverage;
pub mod credentials;
pub mod data;
pub mod database;
pub mod guardduty;
pub mod imds;
pub mod mfa;
pub mod password;
pub mod policies;
pub mod root;
pub mod trail;

use super::exposure::Exposure;
use super::finding::Finding;
use crate::graph::Graph;

/// Every posture check's results; the network ones say whether the
/// `exposures` reach what they are about.
pub fn findings(graph: &Graph, exposures: &[Exposure]) -> Vec<Finding> {
    let mut out = imds::findings(graph);
    out.extend(admin_ports::findings(graph, exposures));
    out.extend(guardduty::findings(graph));
    out.extend(data::findings(graph));
    out.extend(database::findings(graph, exposures));
    out.extend(trail::findings(graph));
    out.extend(coverage::findings(graph));
    out.extend(mfa::findings(graph));
    out.extend(root::findings(graph));
    out.extend(password::findings(graph));
    out.extend(credentials::findings(graph));
    out.extend(policies::findings(graph));
    out
}

#[cfg(test)]
mod tests;
