//! Blast radius: if this resource is compromised, what can the attacker
//! reach from it — over the network, with its credentials, into which
//! accounts, onto which data — each item with its evidence, bounded in
//! depth and count (both shown when reached).

pub mod data;
pub mod identity;
pub mod network;

use serde::Serialize;

pub use data::{Access, DataReach};
pub use identity::Identity;
pub use network::NetworkReach;

use crate::analysis::iam::Engine;
use crate::graph::{Direction, Graph, NodeId};
use crate::labels::{kinds, plural};
use crate::model::{EdgeKind, NodeKind};

/// How far the search goes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Network hops: 1 is what the resource itself reaches.
    pub depth: usize,
    /// Resources per part (network, principals, data).
    pub count: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            depth: 3,
            count: 500,
        }
    }
}

/// What a bound cut.
#[derive(Debug, Clone, Serialize)]
pub struct Bound {
    /// `network`, `identity` or `data`.
    pub part: &'static str,
    pub limit: usize,
    pub detail: String,
}

/// One step of the attack story, where it applies.
#[derive(Debug, Clone, Serialize)]
pub struct StoryStep {
    /// `reach`, `pivot`, `destroy`, `change permissions`, `exfiltrate`,
    /// and `unseen` where no trail records it.
    pub step: &'static str,
    pub detail: String,
}

/// The whole answer for one resource.
#[derive(Debug, Clone, Serialize)]
pub struct BlastRadius {
    /// The resource the search starts from (a finding's resource).
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The GuardDuty finding it was asked for, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    pub summary: String,
    pub story: Vec<StoryStep>,
    pub network: Vec<NetworkReach>,
    pub identity: Identity,
    pub data: Vec<DataReach>,
    pub bounds: Vec<Bound>,
}

/// The resource could not start a blast radius.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotApplicable {
    #[error(
        "a blast radius starts from an instance, network interface, load balancer, \
         access key, user, role or GuardDuty finding; {0} is a {1}"
    )]
    Kind(String, &'static str),
    #[error("the finding {0} names no resource this snapshot holds")]
    NoResource(String),
}

/// Whether a blast radius starts from this kind of resource.
pub fn applies(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::GuardDutyFinding
            | NodeKind::Instance
            | NodeKind::NetworkInterface
            | NodeKind::LoadBalancer
            | NodeKind::AccessKey
            | NodeKind::IamUser
            | NodeKind::IamRole
    )
}

/// The resource a GuardDuty finding is about: its instance before an
/// access key or a principal.
pub fn finding_subject(graph: &Graph, finding: NodeId) -> Option<NodeId> {
    graph
        .neighbours(finding, EdgeKind::FindingAffects, Direction::Outgoing)
        .min_by_key(|a| graph.node(*a).kind() != NodeKind::Instance)
}

/// The resource a request starts from: a finding's resource (an instance
/// before a key or principal), else the resource itself.
pub fn start_of(graph: &Graph, node: NodeId) -> Result<(NodeId, Option<NodeId>), NotApplicable> {
    let n = graph.node(node);
    match n.kind() {
        NodeKind::GuardDutyFinding => finding_subject(graph, node)
            .map(|a| (a, Some(node)))
            .ok_or_else(|| NotApplicable::NoResource(n.id.clone())),
        k if applies(k) => Ok((node, None)),
        k => Err(NotApplicable::Kind(n.id.clone(), k.label())),
    }
}

/// The blast radius of one resource (or finding).
pub fn blast_radius(
    engine: &mut Engine,
    network: &mut network::Search,
    node: NodeId,
    limits: Limits,
) -> Result<BlastRadius, NotApplicable> {
    let graph = engine.graph;
    let (start, finding) = start_of(graph, node)?;
    let mut bounds = Vec::new();
    let (reach, net_bounds) = network.reach(start, limits.depth, limits.count);
    if net_bounds.depth_reached > 0 {
        bounds.push(Bound {
            part: "network",
            limit: limits.depth,
            detail: format!(
                "{} instances reached at depth {} were not followed further",
                net_bounds.depth_reached, limits.depth
            ),
        });
    }
    if net_bounds.count_reached {
        bounds.push(Bound {
            part: "network",
            limit: limits.count,
            detail: format!("resources past {} were left out", limits.count),
        });
    }
    let held = identity::credentials(graph, start);
    let (identity, cut) = identity::identity(engine, &held, limits.count);
    if cut {
        bounds.push(Bound {
            part: "identity",
            limit: limits.count,
            detail: format!("principals past {} were not followed", limits.count),
        });
    }
    let mut acting: Vec<NodeId> = held.clone();
    acting.extend(identity.assumable.iter().filter_map(|r| graph.by_id(r)));
    let networked: Vec<NodeId> = reach
        .iter()
        .filter_map(|r| graph.by_id(&r.resource))
        .collect();
    let (data, cut) = data::data(engine, &acting, &networked, limits.count);
    if cut {
        bounds.push(Bound {
            part: "data",
            limit: limits.count,
            detail: format!("data stores past {} were left out", limits.count),
        });
    }
    let n = graph.node(start);
    let mut out = BlastRadius {
        resource: n.id.clone(),
        name: n.name.clone(),
        finding: finding.map(|f| graph.node(f).id.clone()),
        summary: String::new(),
        story: Vec::new(),
        network: reach,
        identity,
        data,
        bounds,
    };
    out.summary = summary(&out);
    out.story = story(graph, &out, network.recorded());
    Ok(out)
}

/// The sentence a person reads first. Data counts only what is allowed
/// outright; what depends on conditions is counted after it.
pub fn summary(b: &BlastRadius) -> String {
    let mut parts = Vec::new();
    let mut resources: Vec<(&str, NodeKind)> = b
        .network
        .iter()
        .map(|r| (r.resource.as_str(), r.kind))
        .collect();
    resources.sort();
    resources.dedup();
    let mut ports: Vec<String> = b
        .network
        .iter()
        .map(|r| format!("{} {}", r.protocol, ports_text(r.from_port, r.to_port)))
        .collect();
    ports.sort();
    ports.dedup();
    if resources.is_empty() {
        parts.push("no network reach".to_string());
    } else {
        let mut by_kind: Vec<(NodeKind, usize)> = Vec::new();
        for (_, k) in &resources {
            match by_kind.iter_mut().find(|(x, _)| x == k) {
                Some((_, c)) => *c += 1,
                None => by_kind.push((*k, 1)),
            }
        }
        let what: Vec<String> = by_kind.iter().map(|(k, c)| kinds(*c, *k)).collect();
        let ports: Vec<&str> = ports.iter().map(String::as_str).collect();
        parts.push(format!("{} on {}", and_list(&what), list(&ports)));
    }
    let id = &b.identity;
    if !id.admin_accounts.is_empty() {
        parts.push(format!(
            "admin in {}",
            plural(id.admin_accounts.len(), "account")
        ));
    }
    if let (true, Some(e)) = (id.admins.is_empty(), &id.escalation) {
        parts.push(format!(
            "can become admin as {} in {}",
            e.target,
            plural(e.steps.len(), "step")
        ));
    } else if id.principals.is_empty() {
        parts.push("no credentials".to_string());
    } else if id.admin_accounts.is_empty() {
        let actions: usize = id
            .permissions
            .iter()
            .flat_map(|s| &s.levels)
            .map(|l| l.allowed + l.conditional)
            .sum();
        let services = id.permissions.len();
        parts.push(format!(
            "not admin ({} in {})",
            plural(actions, "action"),
            plural(services, "service")
        ));
    }
    if !id.assumable.is_empty() {
        let foreign = id
            .accounts
            .len()
            .saturating_sub(accounts_of(&id.principals));
        parts.push(format!(
            "assumes {}{}",
            plural(id.assumable.len(), "role"),
            if foreign > 0 {
                format!(" into {}", plural(foreign, "other account"))
            } else {
                String::new()
            }
        ));
    }
    let outright = |d: &DataReach, a: Access| d.access.contains(&a) && !d.conditional.contains(&a);
    for kind in [NodeKind::Bucket, NodeKind::KmsKey, NodeKind::DbInstance] {
        let stores: Vec<&DataReach> = b.data.iter().filter(|d| d.kind == kind).collect();
        let verbs_of = |d: &DataReach| -> Vec<Access> {
            [Access::Read, Access::Write, Access::Delete]
                .into_iter()
                .filter(|a| outright(d, *a))
                .collect()
        };
        let touched: Vec<&&DataReach> = stores.iter().filter(|d| !verbs_of(d).is_empty()).collect();
        if !touched.is_empty() {
            let mut verbs: Vec<Access> = touched.iter().flat_map(|d| verbs_of(d)).collect();
            verbs.sort();
            verbs.dedup();
            let verbs: Vec<&str> = verbs.iter().map(|a| a.label()).collect();
            let most = touched
                .iter()
                .max_by_key(|d| {
                    (
                        verbs_of(d).len(),
                        d.access.len(),
                        std::cmp::Reverse(d.label()),
                    )
                })
                .map(|d| d.label())
                .unwrap_or_default();
            parts.push(format!(
                "{} on {}{}",
                verbs.join("/"),
                kinds(touched.len(), kind),
                if touched.len() > 1 {
                    format!(" including {most}")
                } else {
                    format!(" ({most})")
                }
            ));
        }
        let changed: Vec<&str> = stores
            .iter()
            .filter(|d| outright(d, Access::Permissions))
            .map(|d| d.label())
            .collect();
        if !changed.is_empty() {
            parts.push(format!("change permissions on {}", list(&changed)));
        }
    }
    let maybe = b
        .data
        .iter()
        .filter(|d| {
            d.access
                .iter()
                .all(|a| *a == Access::Network || d.conditional.contains(a))
                && !d.conditional.is_empty()
        })
        .count();
    if maybe > 0 {
        let stores = if maybe == 1 { "store" } else { "stores" };
        parts.push(format!(
            "{maybe} more data {stores} only if conditions hold"
        ));
    }
    format!(
        "from {}: {}",
        b.name.as_deref().unwrap_or(&b.resource),
        parts.join(", ")
    )
}

/// How many accounts the principals (by ARN) are in.
fn accounts_of(principals: &[String]) -> usize {
    let mut a: Vec<&str> = principals
        .iter()
        .filter_map(|p| p.split(':').nth(4))
        .collect();
    a.sort();
    a.dedup();
    a.len()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A few names, then how many more.
fn list(names: &[&str]) -> String {
    if names.len() <= 3 {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..3].join(", "), names.len() - 3)
    }
}

/// The attack's steps in order, where they apply: reach the service,
/// pivot, destroy, change permissions, exfiltrate.
fn story(
    graph: &Graph,
    b: &BlastRadius,
    recorded: &std::collections::HashMap<String, crate::analysis::finding::Status>,
) -> Vec<StoryStep> {
    let mut out = Vec::new();
    let name_of = |id: &str| {
        graph
            .by_id(id)
            .and_then(|n| graph.node(n).name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let direct: Vec<&NetworkReach> = b.network.iter().filter(|r| r.hops == 1).collect();
    if let Some(first) = direct.first() {
        let mut names: Vec<String> = direct.iter().map(|r| name_of(&r.resource)).collect();
        names.dedup();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        out.push(StoryStep {
            step: "reach",
            detail: format!(
                "open connections to {} (first: {} {} {})",
                list(&names),
                name_of(&first.resource),
                first.protocol,
                ports_text(first.from_port, first.to_port)
            ),
        });
    }
    let mut pivots = Vec::new();
    if b.network.iter().any(|r| r.hops > 1) {
        pivots.push("onwards through the instances it reaches".to_string());
    }
    if let Some(e) = &b.identity.escalation {
        pivots.push(format!(
            "become admin as {} ({}), then do anything in its account",
            e.target,
            plural(e.steps.len(), "step")
        ));
    }
    if !b.identity.assumable.is_empty() {
        pivots.push(format!(
            "assume {} in {}",
            plural(b.identity.assumable.len(), "role"),
            plural(b.identity.accounts.len(), "account")
        ));
    }
    if !pivots.is_empty() {
        out.push(StoryStep {
            step: "pivot",
            detail: pivots.join("; "),
        });
    }
    // Whether anyone would see it: a trail recording the management
    // events of every account reached.
    let mut accounts: Vec<&str> = b.identity.accounts.iter().map(String::as_str).collect();
    if let Some(n) = graph.by_id(&b.resource) {
        accounts.push(graph.node(n).account.as_str());
    }
    accounts.sort();
    accounts.dedup();
    let status = |a: &str| recorded.get(a).copied();
    let unseen: Vec<&str> = accounts
        .iter()
        .copied()
        .filter(|a| status(a) == Some(crate::analysis::finding::Status::Fail))
        .collect();
    let unknown: Vec<&str> = accounts
        .iter()
        .copied()
        .filter(|a| {
            matches!(
                status(a),
                Some(crate::analysis::finding::Status::Unknown) | None
            )
        })
        .collect();
    for (step, access) in [
        ("destroy", Access::Delete),
        ("change permissions", Access::Permissions),
        ("exfiltrate", Access::Read),
    ] {
        let names: Vec<&str> = b
            .data
            .iter()
            .filter(|d| d.access.contains(&access) && !d.conditional.contains(&access))
            .map(DataReach::label)
            .collect();
        if !names.is_empty() {
            let verb = match access {
                Access::Delete => "delete",
                Access::Permissions => "change the policy of",
                _ => "read",
            };
            out.push(StoryStep {
                step,
                detail: format!("{verb} {}", list(&names)),
            });
        }
    }
    if !out.is_empty() && !unseen.is_empty() {
        out.push(StoryStep {
            step: "unseen",
            detail: format!(
                "no trail records every region's management events in {}: the steps above leave no record there",
                list(&unseen)
            ),
        });
    }
    if !out.is_empty() && !unknown.is_empty() {
        out.push(StoryStep {
            step: "unseen",
            detail: format!(
                "whether a trail records management events in {} is not known (not collected)",
                list(&unknown)
            ),
        });
    }
    out
}

pub fn ports_text(from: u16, to: u16) -> String {
    if from == to {
        from.to_string()
    } else if from == 0 && to == 65535 {
        "all ports".to_string()
    } else {
        format!("{from}-{to}")
    }
}
