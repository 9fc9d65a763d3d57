//! Analyses over the graph: pure functions, no I/O, each answer with its
//! evidence. Every result a person acts on is a [`Finding`] of a check in
//! the [`checks`] registry.

pub mod blast;
pub mod checks;
pub mod explain;
pub mod exposure;
pub mod finding;
pub mod hops;
pub mod iam;
pub mod ipset;
pub mod lateral;
pub mod posture;
pub mod respond;

pub use explain::{Explanation, explain, explain_all};
pub use exposure::{Exposure, Via, exposures};
pub use finding::{Evidence, Finding, Remediation};
pub use hops::{Hop, HopKind};

use crate::graph::Graph;

/// Every analysis of one graph: the exposures with their hop paths (for the
/// why view), every check's findings (failures and unknowns, worst first)
/// and what passed.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub exposures: Vec<Exposure>,
    pub findings: Vec<Finding>,
    pub passes: Vec<Finding>,
}

impl Analysis {
    /// Every check's results: findings, then passes.
    pub fn results(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().chain(&self.passes)
    }
}

/// Run every analysis over a graph.
pub fn analyse(graph: &Graph) -> Analysis {
    with_identity(graph, analyse_network(graph))
}

/// Exposure and the posture checks, without the identity analyses: what
/// the explorer shows first, while those run.
pub fn analyse_network(graph: &Graph) -> Analysis {
    let exposures = exposures(graph);
    let (passes, findings) = checks::run_network(graph, &exposures)
        .into_iter()
        .partition(|f| f.status == finding::Status::Pass);
    Analysis {
        exposures,
        findings,
        passes,
    }
}

/// An analysis of [`analyse_network`] with the identity findings added.
pub fn with_identity(graph: &Graph, mut analysis: Analysis) -> Analysis {
    for f in iam::findings::findings(graph) {
        if f.status == finding::Status::Pass {
            analysis.passes.push(f);
        } else {
            analysis.findings.push(f);
        }
    }
    checks::sort(&mut analysis.findings);
    checks::sort(&mut analysis.passes);
    analysis
}
