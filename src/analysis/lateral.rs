//! Lateral reach: which security groups and private networks inside a
//! resource's VPC (and peered VPCs) its rules let in, on which ports.

use serde::Serialize;

use super::hops::{Addrs, Hop, HopKind, net_set, v4_net_set, v6_net_set};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::{EdgeKind, NodeData, NodeKind};

/// One source a resource's security groups admit from inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateralSource {
    /// `security-group` or `cidr`.
    pub source_kind: &'static str,
    /// The group id or the CIDR block.
    pub source: String,
    /// Where the source is: `VPC vpc-…`, `peered VPC vpc-… (pcx-…)`, `private range outside the VPC`.
    pub scope: String,
    pub ports: String,
    /// For a group: the resources in it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// The rule that admits it.
    pub rule: Hop,
}

/// A VPC's address blocks.
fn vpc_addrs(graph: &Graph, vpc: NodeId) -> Addrs {
    match &graph.node(vpc).data {
        NodeData::Vpc(v) => {
            let mut a = Addrs::empty();
            for c in &v.cidr_blocks {
                a = a.union(&v4_net_set(c));
            }
            for c in &v.ipv6_cidr_blocks {
                a = a.union(&v6_net_set(c));
            }
            a
        }
        _ => Addrs::empty(),
    }
}

/// Active peerings of a VPC: (connection id, peer VPC id, peer blocks).
fn peers(graph: &Graph, vpc: NodeId) -> Vec<(String, String, Addrs)> {
    let vpc_id = &graph.node(vpc).id;
    graph
        .neighbours(vpc, EdgeKind::Connects, Direction::Incoming)
        .filter_map(|pcx| {
            let n = graph.node(pcx);
            let NodeData::VpcPeeringConnection(p) = &n.data else {
                return None;
            };
            if p.status.as_deref().is_some_and(|s| s != "active") {
                return None;
            }
            let other = if &p.requester.vpc_id == vpc_id {
                &p.accepter
            } else {
                &p.requester
            };
            let mut a = Addrs::empty();
            for c in &other.cidr_blocks {
                a = a.union(&v4_net_set(c));
            }
            for c in &other.ipv6_cidr_blocks {
                a = a.union(&v6_net_set(c));
            }
            Some((n.id.clone(), other.vpc_id.clone(), a))
        })
        .collect()
}

/// The sources inside private networks that a resource's groups admit.
pub fn lateral(graph: &Graph, node: NodeId) -> Vec<LateralSource> {
    let n = graph.node(node);
    let (groups, vpc_id): (Vec<String>, Option<String>) = match &n.data {
        NodeData::Instance(i) => (i.security_group_ids.clone(), i.vpc_id.clone()),
        NodeData::NetworkInterface(e) => (e.security_group_ids.clone(), e.vpc_id.clone()),
        NodeData::LoadBalancer(l) => (l.security_group_ids.clone(), l.vpc_id.clone()),
        _ => return Vec::new(),
    };
    let vpc = vpc_id.as_deref().and_then(|v| graph.by_id(v));
    let own = vpc.map(|v| vpc_addrs(graph, v)).unwrap_or_default();
    let peered = vpc.map(|v| peers(graph, v)).unwrap_or_default();
    let private = super::hops::internet().complement();
    let mut out = Vec::new();
    for gid in &groups {
        let Some(g) = graph.by_id(gid) else { continue };
        let NodeData::SecurityGroup(sg) = &graph.node(g).data else {
            continue;
        };
        for rule in &sg.ingress {
            let ports = rule.describe_ports();
            for r in &rule.groups {
                let members: Vec<String> = graph
                    .by_id(&r.group_id)
                    .map(|other| {
                        graph
                            .neighbours(other, EdgeKind::ProtectedBy, Direction::Incoming)
                            .filter(|m| {
                                graph.node(*m).kind() != NodeKind::NetworkInterface
                                    || graph
                                        .outgoing(*m)
                                        .all(|e| e.kind != EdgeKind::AttachedToInstance)
                            })
                            .map(|m| graph.node(m).id.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                let scope = match &r.vpc_id {
                    Some(v) if Some(v) != vpc_id.as_ref() => format!("peered VPC {v}"),
                    _ => vpc_id
                        .clone()
                        .map(|v| format!("VPC {v}"))
                        .unwrap_or_default(),
                };
                out.push(LateralSource {
                    source_kind: "security-group",
                    source: r.group_id.clone(),
                    scope,
                    ports: ports.clone(),
                    members,
                    rule: Hop::new(
                        HopKind::SecurityGroup,
                        gid,
                        format!(
                            "ingress rule: allow {ports} from security group {}",
                            r.group_id
                        ),
                    ),
                });
            }
            let blocks = rule
                .ipv4
                .iter()
                .map(|c| (c.cidr.to_string(), net_set(&ipnet::IpNet::V4(c.cidr))))
                .chain(
                    rule.ipv6
                        .iter()
                        .map(|c| (c.cidr.to_string(), net_set(&ipnet::IpNet::V6(c.cidr)))),
                );
            for (text, set) in blocks {
                let scope = if !set.is_subset_of(&private) && set.intersects(&own) {
                    Some("anywhere: the VPC, its peers and the internet".to_string())
                } else if set.intersects(&own) {
                    vpc_id.clone().map(|v| format!("VPC {v}"))
                } else if let Some((pcx, peer, _)) =
                    peered.iter().find(|(_, _, a)| set.intersects(a))
                {
                    Some(format!("peered VPC {peer} ({pcx})"))
                } else if set.is_subset_of(&private) {
                    Some("private range outside the VPC".to_string())
                } else {
                    None // an internet source: that is exposure, not lateral reach
                };
                if let Some(scope) = scope {
                    out.push(LateralSource {
                        source_kind: "cidr",
                        source: text.clone(),
                        scope,
                        ports: ports.clone(),
                        members: Vec::new(),
                        rule: Hop::new(
                            HopKind::SecurityGroup,
                            gid,
                            format!("ingress rule: allow {ports} from {text}"),
                        ),
                    });
                }
            }
        }
    }
    out
}
