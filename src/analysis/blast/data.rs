//! The data a compromised resource's credentials (and the roles they
//! assume) can read, write, delete or change the permissions of, decided
//! by the IAM evaluator with each resource's own policy; and the data
//! stores it reaches over the network.

use serde::Serialize;

use crate::analysis::iam::{Decision, Engine, Request, StatementRef};
use crate::graph::{Graph, NodeId};
use crate::model::NodeKind;

/// What can be done to the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
    Delete,
    Permissions,
    /// Reached over the network (a database's port).
    Network,
}

impl Access {
    pub fn label(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Delete => "delete",
            Access::Permissions => "change permissions",
            Access::Network => "network",
        }
    }
}

/// Where an action applies: the resource's ARN, or its objects.
#[derive(Clone, Copy)]
enum On {
    Resource,
    Objects,
}

/// The calls that give each access to each kind of data store: any one
/// allowed gives it.
const CALLS: &[(NodeKind, Access, &str, On)] = &[
    (NodeKind::Bucket, Access::Read, "s3:GetObject", On::Objects),
    (NodeKind::Bucket, Access::Write, "s3:PutObject", On::Objects),
    (
        NodeKind::Bucket,
        Access::Delete,
        "s3:DeleteObject",
        On::Objects,
    ),
    (
        NodeKind::Bucket,
        Access::Delete,
        "s3:DeleteBucket",
        On::Resource,
    ),
    (
        NodeKind::Bucket,
        Access::Permissions,
        "s3:PutBucketPolicy",
        On::Resource,
    ),
    (
        NodeKind::Bucket,
        Access::Permissions,
        "s3:PutBucketAcl",
        On::Resource,
    ),
    (
        NodeKind::Bucket,
        Access::Permissions,
        "s3:PutObjectAcl",
        On::Objects,
    ),
    (NodeKind::KmsKey, Access::Read, "kms:Decrypt", On::Resource),
    (NodeKind::KmsKey, Access::Write, "kms:Encrypt", On::Resource),
    (
        NodeKind::KmsKey,
        Access::Write,
        "kms:GenerateDataKey",
        On::Resource,
    ),
    (
        NodeKind::KmsKey,
        Access::Delete,
        "kms:ScheduleKeyDeletion",
        On::Resource,
    ),
    (
        NodeKind::KmsKey,
        Access::Delete,
        "kms:DisableKey",
        On::Resource,
    ),
    (
        NodeKind::KmsKey,
        Access::Permissions,
        "kms:PutKeyPolicy",
        On::Resource,
    ),
    (
        NodeKind::KmsKey,
        Access::Permissions,
        "kms:CreateGrant",
        On::Resource,
    ),
    (
        NodeKind::DbInstance,
        Access::Read,
        "rds:CreateDBSnapshot",
        On::Resource,
    ),
    (
        NodeKind::DbInstance,
        Access::Write,
        "rds:ModifyDBInstance",
        On::Resource,
    ),
    (
        NodeKind::DbInstance,
        Access::Delete,
        "rds:DeleteDBInstance",
        On::Resource,
    ),
];

/// One call that gives an access, as decided.
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    pub access: Access,
    pub principal: String,
    pub action: String,
    pub decision: Decision,
    pub evidence: Vec<StatementRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// One data store within reach.
#[derive(Debug, Clone, Serialize)]
pub struct DataReach {
    /// The bucket, key or database's ARN (else its id).
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `bucket`, `kms_key`, `db_instance`.
    pub kind: NodeKind,
    pub access: Vec<Access>,
    /// The accesses allowed only under conditions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional: Vec<Access>,
    /// The first call allowed for each access, with its statements; for
    /// `network`, the reach's rule is in the network part.
    pub evidence: Vec<Grant>,
}

impl DataReach {
    /// The name a person knows it by.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.resource)
    }
}

/// The data stores the principals can act on, and those reached over the
/// network, at most `limit`.
pub fn data(
    engine: &mut Engine,
    principals: &[NodeId],
    over_network: &[NodeId],
    limit: usize,
) -> (Vec<DataReach>, bool) {
    let graph = engine.graph;
    let mut out: Vec<DataReach> = Vec::new();
    let mut cut = false;
    for kind in [NodeKind::Bucket, NodeKind::KmsKey, NodeKind::DbInstance] {
        let stores: Vec<NodeId> = graph.nodes_of(kind).map(|(id, _)| id).collect();
        for store in stores {
            let mut found = reach_of(engine, graph, store, principals);
            if over_network.contains(&store) {
                let f = found.get_or_insert_with(|| empty(graph, store));
                f.access.push(Access::Network);
            }
            if let Some(f) = found {
                if out.len() >= limit {
                    cut = true;
                    break;
                }
                out.push(f);
            }
        }
    }
    (out, cut)
}

fn empty(graph: &Graph, store: NodeId) -> DataReach {
    let n = graph.node(store);
    DataReach {
        resource: n.arn.clone().unwrap_or_else(|| n.id.clone()),
        name: n.name.clone(),
        kind: n.kind(),
        access: Vec::new(),
        conditional: Vec::new(),
        evidence: Vec::new(),
    }
}

/// What the principals may do to one store, if anything.
fn reach_of(
    engine: &mut Engine,
    graph: &Graph,
    store: NodeId,
    principals: &[NodeId],
) -> Option<DataReach> {
    let kind = graph.node(store).kind();
    let mut out = empty(graph, store);
    // What the attacker's own request decides: it goes over TLS, to the
    // store's region.
    let mut context = vec![("aws:SecureTransport".to_string(), "true".to_string())];
    if let Some(r) = &graph.node(store).region {
        context.push(("aws:RequestedRegion".to_string(), r.clone()));
    }
    let objects = format!("{}/*", out.resource);
    // Another account's store lets in only whom its own policy names;
    // principals of its own account are tried first.
    let admits = engine.admits(store);
    let account = &graph.node(store).account;
    // Each principal: whether it is another account's, and whether the
    // store's policy could let it in (else its identity policies must).
    let mut acting: Vec<(NodeId, bool, bool)> = principals
        .iter()
        .filter_map(|p| {
            let who = graph.node(*p);
            let foreign = who.account != *account;
            let admitted = admits.may(who);
            (!foreign || admitted).then_some((*p, foreign, admitted))
        })
        .collect();
    acting.sort_by_key(|(_, foreign, _)| *foreign);
    if acting.is_empty() {
        return None;
    }
    for (k, access, action, on) in CALLS {
        if *k != kind || out.access.contains(access) && !out.conditional.contains(access) {
            continue;
        }
        let resource = match on {
            On::Resource => out.resource.as_str(),
            On::Objects => objects.as_str(),
        };
        for (p, foreign, admitted) in &acting {
            // Without an identity grant nothing allows it on another
            // account's store, nor on one whose policy does not name the
            // principal: the full decision is not needed.
            if (*foreign || !*admitted) && !engine.identity_may(*p, action, resource) {
                continue;
            }
            let a = engine.decide(&Request {
                principal: *p,
                action,
                resource,
                context: &context,
            });
            if a.decision == Decision::Deny {
                continue;
            }
            let grant = Grant {
                access: *access,
                principal: a.principal,
                action: (*action).to_string(),
                decision: a.decision,
                evidence: a.evidence,
                conditions: a.conditions,
            };
            match (out.access.contains(access), a.decision) {
                (false, Decision::Conditional) => {
                    out.access.push(*access);
                    out.conditional.push(*access);
                    out.evidence.push(grant);
                }
                (false, _) => {
                    out.access.push(*access);
                    out.evidence.push(grant);
                    break;
                }
                // Conditional before: an outright allow replaces it.
                (true, Decision::Allow) => {
                    out.conditional.retain(|x| x != access);
                    out.evidence.retain(|g| g.access != *access);
                    out.evidence.push(grant);
                    break;
                }
                (true, _) => {}
            }
        }
    }
    (!out.access.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    type Accesses = (BTreeSet<Access>, BTreeSet<Access>);

    /// Every store's accesses, deciding every call for every principal.
    fn deciding_everything(
        engine: &mut Engine,
        principals: &[NodeId],
    ) -> BTreeMap<String, Accesses> {
        let graph = engine.graph;
        let mut every = BTreeMap::new();
        for kind in [NodeKind::Bucket, NodeKind::KmsKey, NodeKind::DbInstance] {
            for (_, n) in graph.nodes_of(kind) {
                let resource = n.arn.clone().unwrap_or_else(|| n.id.clone());
                let objects = format!("{resource}/*");
                let mut context = vec![("aws:SecureTransport".to_string(), "true".to_string())];
                if let Some(r) = &n.region {
                    context.push(("aws:RequestedRegion".to_string(), r.clone()));
                }
                let mut allowed = BTreeSet::new();
                let mut conditional = BTreeSet::new();
                for (k, access, action, on) in CALLS {
                    if *k != kind {
                        continue;
                    }
                    let on = match on {
                        On::Resource => resource.as_str(),
                        On::Objects => objects.as_str(),
                    };
                    for p in principals {
                        let a = engine.decide(&Request {
                            principal: *p,
                            action,
                            resource: on,
                            context: &context,
                        });
                        match a.decision {
                            Decision::Allow => {
                                allowed.insert(*access);
                            }
                            Decision::Conditional => {
                                conditional.insert(*access);
                            }
                            Decision::Deny => {}
                        }
                    }
                }
                let only_if: BTreeSet<Access> = conditional.difference(&allowed).copied().collect();
                allowed.extend(only_if.iter().copied());
                if !allowed.is_empty() {
                    every.insert(resource, (allowed, only_if));
                }
            }
        }
        every
    }

    /// The shortcuts (whom a store's policy could let in, whether any
    /// identity statement could allow) never change an answer: each store
    /// gets the accesses that deciding every call for every principal
    /// gives, and the same ones conditional — on the demo (buckets and
    /// keys shared across accounts) and a synthetic organization.
    #[test]
    fn the_shortcuts_give_what_deciding_everything_gives() {
        for graph in [
            crate::source::demo::graph(),
            crate::source::synth::graph(3_000, 1),
        ] {
            let principals: Vec<NodeId> = graph
                .nodes()
                .filter(|(_, n)| matches!(n.kind(), NodeKind::IamRole | NodeKind::IamUser))
                .map(|(id, _)| id)
                .collect();
            let mut engine = Engine::new(&graph);
            let (found, _) = data(&mut engine, &principals, &[], usize::MAX);
            let fast: BTreeMap<String, Accesses> = found
                .into_iter()
                .map(|d| {
                    let conditional: BTreeSet<Access> = d.conditional.into_iter().collect();
                    (d.resource, (d.access.into_iter().collect(), conditional))
                })
                .collect();
            let every = deciding_everything(&mut engine, &principals);
            assert!(!every.is_empty(), "some data is reached");
            assert_eq!(fast, every, "{}", graph.collection().source);
        }
    }
}
