//! What the per-account posture checks share: the accounts whose data was
//! loaded, the time ages are measured at, and whether an operation could
//! not be read there.

use chrono::{DateTime, Utc};

use crate::graph::{Graph, NodeId};
use crate::model::{Account, Gap, Node, NodeData, NodeKind};
use crate::source::operations::Operation;

/// Every account whose own resources were loaded (not one known only
/// because a policy or a peering names it).
pub fn loaded(graph: &Graph) -> impl Iterator<Item = (NodeId, &Node, &Account)> {
    graph
        .nodes_of(NodeKind::Account)
        .filter_map(|(id, n)| match &n.data {
            NodeData::Account(a) if !a.external => Some((id, n, a)),
            _ => None,
        })
}

/// The time credential ages are measured at: when IAM generated the
/// account's credential report, else when the data was collected — never
/// the wall clock, so an old snapshot gives the same answers.
pub fn as_of(graph: &Graph, account: &Account) -> Option<DateTime<Utc>> {
    account
        .credential_report
        .as_ref()
        .and_then(|r| r.generated)
        .or(graph.collection().collected_at)
}

/// Why `op` could not be read in this account and region, if it could not.
pub fn gap<'g>(
    graph: &'g Graph,
    account: &str,
    region: Option<&str>,
    op: &Operation,
) -> Option<&'g Gap> {
    graph.collection().gaps.iter().find(|g| {
        g.account == account
            && g.service == op.service.prefix()
            && g.operation == op.cli
            && (op.scope == crate::source::operations::Scope::Global
                || g.region.as_deref() == region)
    })
}

/// "not collected" with the gap's reason where there is one.
pub fn not_collected(gap: Option<&Gap>) -> String {
    match gap {
        Some(g) => format!("not collected: {}", g.reason),
        None => "not collected".to_string(),
    }
}

/// The resource's region as an AWS CLI option (` --region us-east-1`), or
/// nothing for a global resource.
pub fn region_flag(n: &Node) -> String {
    n.region
        .as_deref()
        .map(|r| format!(" --region {r}"))
        .unwrap_or_default()
}

/// The loaded data of an account, by its id.
pub fn data<'g>(graph: &'g Graph, account: &str) -> Option<&'g Account> {
    graph
        .by_id(account)
        .and_then(|id| match &graph.node(id).data {
            NodeData::Account(a) => Some(a),
            _ => None,
        })
}

/// Whole days from `then` to `now`.
pub fn days(now: DateTime<Utc>, then: DateTime<Utc>) -> i64 {
    (now - then).num_days()
}

/// A time as the evidence shows it: `2026-11-20`.
pub fn date(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "never".to_string(), |t| t.format("%Y-%m-%d").to_string())
}
