//! The credentials a compromised resource holds, and where they lead:
//! what they may do, which roles they assume (across accounts), and
//! whether any way leads to admin.

use serde::Serialize;

use crate::analysis::iam::permissions::LevelCount;
use crate::analysis::iam::{Engine, Escalation, Step};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::{EdgeKind, NodeKind};

/// One service's share of a principal's permissions.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceAccess {
    pub principal: String,
    pub service: String,
    pub levels: Vec<LevelCount>,
}

/// A principal the credentials lead to, and how.
#[derive(Debug, Clone, Serialize)]
pub struct Became {
    pub principal: String,
    pub account: String,
    /// Only by assuming roles (then it is in `assumable`).
    pub assumed: bool,
    /// Some step is allowed only under conditions.
    pub conditional: bool,
    /// Each hop with its technique and the statements (trust policy
    /// included) that allow it.
    pub steps: Vec<Step>,
}

/// The identity part of a blast radius.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Identity {
    /// The ARNs of the principals whose credentials it holds.
    pub principals: Vec<String>,
    /// Some principal held is admin, or can become admin.
    pub admin: bool,
    /// The principals held that are admin themselves.
    pub admins: Vec<String>,
    /// The shortest way to admin, when none held is admin.
    pub escalation: Option<Escalation>,
    /// Role ARNs it can assume, transitively.
    pub assumable: Vec<String>,
    /// Account ids its credentials reach (their own and the roles').
    pub accounts: Vec<String>,
    /// The accounts where it is admin: its own principal is, or a role it
    /// assumes is.
    pub admin_accounts: Vec<String>,
    /// Permissions of the principals held, by service and access level.
    pub permissions: Vec<ServiceAccess>,
    /// Every principal it can become, with the steps.
    pub reached: Vec<Became>,
    /// Said when something was not known or the search stopped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The users and roles whose credentials a resource holds: an instance's
/// profile role, an interface's instance's, an access key's user, the
/// principal itself.
pub fn credentials(graph: &Graph, node: NodeId) -> Vec<NodeId> {
    match graph.node(node).kind() {
        NodeKind::IamUser | NodeKind::IamRole => vec![node],
        NodeKind::AccessKey => graph
            .neighbours(node, EdgeKind::HasAccessKey, Direction::Incoming)
            .collect(),
        NodeKind::Instance => instance_roles(graph, node)
            .into_iter()
            .map(|(_, role)| role)
            .collect(),
        NodeKind::NetworkInterface => graph
            .neighbours(node, EdgeKind::AttachedToInstance, Direction::Outgoing)
            .flat_map(|i| credentials(graph, i))
            .collect(),
        _ => Vec::new(),
    }
}

/// The roles an instance runs as, each with the instance profile that
/// holds it.
pub fn instance_roles(graph: &Graph, instance: NodeId) -> Vec<(NodeId, NodeId)> {
    graph
        .neighbours(instance, EdgeKind::UsesInstanceProfile, Direction::Outgoing)
        .flat_map(|p| {
            graph
                .neighbours(p, EdgeKind::HasRole, Direction::Outgoing)
                .map(move |r| (p, r))
        })
        .collect()
}

/// Where the credentials of `held` lead, with at most `limit` principals
/// followed from each.
pub fn identity(engine: &mut Engine, held: &[NodeId], limit: usize) -> (Identity, bool) {
    let graph = engine.graph;
    let mut out = Identity::default();
    let mut cut = false;
    let mut accounts: Vec<String> = Vec::new();
    for p in held {
        let node = graph.node(*p);
        out.principals.push(node.id.clone());
        accounts.push(node.account.clone());
        let onward = engine.onward(*p, limit);
        cut |= onward.cut;
        if onward.admin {
            out.admins.push(node.id.clone());
            out.admin_accounts.push(node.account.clone());
        }
        if out.escalation.is_none() {
            out.escalation = onward.escalation;
        }
        for r in onward.reached {
            let n = graph.node(r.principal);
            let assumed = n.kind() == NodeKind::IamRole
                && r.steps.iter().all(|s| s.technique == "assume-role");
            if assumed && !out.assumable.contains(&n.id) {
                out.assumable.push(n.id.clone());
                accounts.push(n.account.clone());
                let admin = engine.admin(r.principal);
                if !r.conditional
                    && admin.is_some_and(|a| a.kind == crate::analysis::iam::AdminKind::Full)
                {
                    out.admin_accounts.push(n.account.clone());
                }
            }
            if out.reached.iter().all(|b| b.principal != n.id) {
                out.reached.push(Became {
                    principal: n.id.clone(),
                    account: n.account.clone(),
                    assumed,
                    conditional: r.conditional,
                    steps: r.steps,
                });
            }
        }
        for s in engine.permissions(*p) {
            out.permissions.push(ServiceAccess {
                principal: node.id.clone(),
                service: s.service,
                levels: s.levels,
            });
        }
    }
    out.admin = !out.admins.is_empty() || out.escalation.is_some();
    if !out.admins.is_empty() {
        out.escalation = None;
    }
    accounts.sort();
    accounts.dedup();
    out.admin_accounts.sort();
    out.admin_accounts.dedup();
    out.accounts = accounts;
    if cut {
        out.notes.push(format!(
            "the search for principals it can become stopped at {limit}"
        ));
    }
    (out, cut)
}
