//! Network reach from a compromised resource: every resource whose
//! security groups admit it (by address or by group), that its own groups
//! let it send to, with the routes and network ACLs between them; then
//! what those reach in turn, instance by instance, up to a depth.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

use crate::analysis::exposure::Endpoint;
use crate::analysis::hops::{
    EPHEMERAL, Hop, HopKind, Pass, acl_first_match, elementary, entry_ports, ip_point, net_set,
    port_space, rule_ports,
};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::network::{Destination, PortRange, Protocol, RouteState, RouteTarget, SgRule};
use crate::model::{EdgeKind, NodeData, NodeKind};

/// One resource reached over the network, on one protocol and port range.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkReach {
    /// The reached resource's id.
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: NodeKind,
    pub protocol: String,
    pub from_port: u16,
    pub to_port: u16,
    /// 1 when reached directly from the start, 2 through one instance, …
    pub hops: usize,
    /// The resource the connection is opened from.
    pub from: String,
    /// The rules, routes and ACL entries that let it through.
    pub evidence: Vec<Hop>,
}

/// Where the search stopped.
#[derive(Debug, Default)]
pub struct NetworkBounds {
    /// Instances reached at the last depth, not followed further.
    pub depth_reached: usize,
    /// Resources left out past the count.
    pub count_reached: bool,
}

/// The interfaces a resource sends from.
pub fn interfaces_of(graph: &Graph, node: NodeId) -> Vec<NodeId> {
    match graph.node(node).kind() {
        NodeKind::NetworkInterface => vec![node],
        NodeKind::Instance => graph
            .neighbours(node, EdgeKind::AttachedToInstance, Direction::Incoming)
            .collect(),
        NodeKind::LoadBalancer | NodeKind::DbInstance => graph
            .neighbours(node, EdgeKind::InterfaceOf, Direction::Incoming)
            .collect(),
        _ => Vec::new(),
    }
}

/// The resource an interface belongs to: its instance, database or load
/// balancer, else itself.
fn owner(graph: &Graph, ep: &Endpoint) -> NodeId {
    if ep.resource_node != ep.eni {
        return ep.resource_node;
    }
    graph
        .neighbours(ep.eni, EdgeKind::InterfaceOf, Direction::Outgoing)
        .next()
        .unwrap_or(ep.eni)
}

/// One way from a source to a target: protocol, ports, evidence.
type Way = (Protocol, PortRange, Vec<Hop>);

/// The search, with what it looks up once (and, for the attack's story,
/// whether a trail records each account's management events).
pub struct Search<'g> {
    graph: &'g Graph,
    by_vpc: HashMap<&'g str, Vec<NodeId>>,
    recorded: Option<HashMap<String, crate::analysis::finding::Status>>,
    endpoints: HashMap<NodeId, Option<Endpoint>>,
    acls: HashMap<(NodeId, bool, Protocol, PortRange), Pass>,
}

impl<'g> Search<'g> {
    pub fn new(graph: &'g Graph) -> Search<'g> {
        let mut by_vpc: HashMap<&str, Vec<NodeId>> = HashMap::new();
        for (id, n) in graph.nodes_of(NodeKind::NetworkInterface) {
            if let NodeData::NetworkInterface(e) = &n.data
                && let Some(v) = &e.vpc_id
            {
                by_vpc.entry(v.as_str()).or_default().push(id);
            }
        }
        Search {
            graph,
            by_vpc,
            endpoints: HashMap::new(),
            acls: HashMap::new(),
            recorded: None,
        }
    }

    /// Each account's trail coverage (the CIS 3.1 check's status): pass
    /// when a trail records every region's management events.
    pub fn recorded(&mut self) -> &HashMap<String, crate::analysis::finding::Status> {
        let graph = self.graph;
        self.recorded.get_or_insert_with(|| {
            crate::analysis::posture::coverage::trails(graph)
                .into_iter()
                .map(|f| (f.account, f.status))
                .collect()
        })
    }

    fn endpoint(&mut self, eni: NodeId) -> Option<Endpoint> {
        let graph = self.graph;
        self.endpoints
            .entry(eni)
            .or_insert_with(|| Endpoint::of(graph, eni))
            .clone()
    }

    /// Everything reachable from `start`, breadth first through the
    /// instances reached, up to `depth` hops and `limit` resources.
    pub fn reach(
        &mut self,
        start: NodeId,
        depth: usize,
        limit: usize,
    ) -> (Vec<NetworkReach>, NetworkBounds) {
        let graph = self.graph;
        let mut out: Vec<NetworkReach> = Vec::new();
        let mut bounds = NetworkBounds::default();
        let mut seen: HashSet<NodeId> = HashSet::from([start]);
        let mut frontier = vec![start];
        for hop in 1..=depth.max(1) {
            let mut next = Vec::new();
            for pivot in frontier {
                let sources: Vec<Endpoint> = interfaces_of(graph, pivot)
                    .into_iter()
                    .filter_map(|e| self.endpoint(e))
                    .collect();
                for s in &sources {
                    for t in self.candidates(s) {
                        let target = owner(graph, &t);
                        if target == pivot || target == start {
                            continue;
                        }
                        let ways = self.ways(s, &t);
                        if ways.is_empty() {
                            continue;
                        }
                        if !seen.contains(&target) {
                            if seen.len() > limit {
                                bounds.count_reached = true;
                                continue;
                            }
                            seen.insert(target);
                            if graph.node(target).kind() == NodeKind::Instance {
                                next.push(target);
                            }
                        }
                        let node = graph.node(target);
                        for (p, ports, evidence) in ways {
                            let known = out.iter().any(|r| {
                                r.resource == node.id
                                    && r.protocol == p.to_string()
                                    && r.from_port <= ports.from
                                    && ports.to <= r.to_port
                            });
                            if known {
                                continue;
                            }
                            out.push(NetworkReach {
                                resource: node.id.clone(),
                                name: node.name.clone(),
                                kind: node.kind(),
                                protocol: p.to_string(),
                                from_port: ports.from,
                                to_port: ports.to,
                                hops: hop,
                                from: graph.node(pivot).id.clone(),
                                evidence,
                            });
                        }
                    }
                }
            }
            frontier = next;
            if frontier.is_empty() {
                break;
            }
        }
        bounds.depth_reached = frontier.len();
        (out, bounds)
    }

    /// The interfaces in the source's VPC and in the VPCs it is peered or
    /// attached to by a transit gateway.
    fn candidates(&mut self, s: &Endpoint) -> Vec<Endpoint> {
        let Some(vpc) = s.site.vpc_id.clone() else {
            return Vec::new();
        };
        let mut vpcs = vec![vpc.clone()];
        vpcs.extend(connected_vpcs(self.graph, &vpc));
        let enis: Vec<NodeId> = vpcs
            .iter()
            .flat_map(|v| self.by_vpc.get(v.as_str()).cloned().unwrap_or_default())
            .filter(|e| *e != s.eni)
            .collect();
        enis.into_iter().filter_map(|e| self.endpoint(e)).collect()
    }

    /// Every protocol and port range on which `s` can open a connection to
    /// `t`, with the evidence.
    fn ways(&mut self, s: &Endpoint, t: &Endpoint) -> Vec<Way> {
        let (Some(s_ip), Some(t_ip)) = (s.private_v4, t.private_v4) else {
            return Vec::new();
        };
        let mut routes = Vec::new();
        if s.site.vpc_id != t.site.vpc_id {
            let (Some(there), Some(back)) = (
                route_between(self.graph, s, t_ip, t.site.vpc_id.as_deref()),
                route_between(self.graph, t, s_ip, s.site.vpc_id.as_deref()),
            ) else {
                return Vec::new();
            };
            routes.push(there);
            routes.push(back);
        }
        let mut out = Vec::new();
        let admitted = admitting(self.graph, &t.groups, false, &s.groups, IpAddr::V4(s_ip));
        let sending = admitting(self.graph, &s.groups, true, &t.groups, IpAddr::V4(t_ip));
        for (rule_in, hop_in) in &admitted {
            for p in concrete(rule_in.map_or(Protocol::All, |r| r.protocol)) {
                let Some(iv) = opened(*rule_in, p) else {
                    continue;
                };
                let iv = match t.serves {
                    None => iv,
                    Some(port) if p == Protocol::Tcp && iv.contains(port) => {
                        PortRange::single(port)
                    }
                    Some(_) => continue,
                };
                for (rule_out, hop_out) in &sending {
                    let Some(iv) = opened(*rule_out, p).and_then(|x| intersect(iv, x)) else {
                        continue;
                    };
                    let mut evidence = vec![hop_out.clone()];
                    evidence.extend(routes.iter().cloned());
                    evidence.push(hop_in.clone());
                    for (ports, acl_hops) in self.through_acls(s, t, s_ip, t_ip, p, iv) {
                        let mut e = evidence.clone();
                        e.extend(acl_hops);
                        out.push((p, ports, e));
                    }
                }
            }
        }
        out.sort_by_key(|(p, r, _)| (p.to_string(), r.from, r.to));
        out.dedup_by(|b, a| a.0 == b.0 && a.1.from <= b.1.from && b.1.to <= a.1.to);
        out
    }

    /// The parts of `iv` both subnets' network ACLs let through, both
    /// ways (the reply on ephemeral ports); none to cross within a subnet.
    fn through_acls(
        &mut self,
        s: &Endpoint,
        t: &Endpoint,
        s_ip: Ipv4Addr,
        t_ip: Ipv4Addr,
        p: Protocol,
        iv: PortRange,
    ) -> Vec<(PortRange, Vec<Hop>)> {
        if s.site.subnet.is_some() && s.site.subnet == t.site.subnet {
            return vec![(iv, Vec::new())];
        }
        let graph = self.graph;
        let entries = |acl: Option<NodeId>| -> Vec<PortRange> {
            acl.and_then(|a| match &graph.node(a).data {
                NodeData::NetworkAcl(x) => {
                    Some(x.entries.iter().filter_map(|e| entry_ports(e, p)).collect())
                }
                _ => None,
            })
            .unwrap_or_default()
        };
        let mut bounds = entries(s.site.acl);
        bounds.extend(entries(t.site.acl));
        let to = ip_point(IpAddr::V4(t_ip));
        let from = ip_point(IpAddr::V4(s_ip));
        // The reply: some ephemeral port (or the echo reply) back.
        let reply_ports = match p {
            Protocol::Tcp | Protocol::Udp => elementary(EPHEMERAL, bounds.iter().copied()),
            _ => vec![port_space(p)],
        };
        let mut reply = None;
        for r in reply_ports {
            let back_out = self.acl(t, true, p, r, from);
            let back_in = self.acl(s, false, p, r, to);
            if let (Some(a), Some(b)) = (back_out, back_in) {
                reply = Some([a, b]);
                break;
            }
        }
        let Some(reply) = reply else {
            return Vec::new();
        };
        let mut out: Vec<(PortRange, Vec<Hop>)> = Vec::new();
        for piece in elementary(iv, bounds) {
            let (Some(a), Some(b)) = (
                self.acl(s, true, p, piece, to),
                self.acl(t, false, p, piece, from),
            ) else {
                continue;
            };
            match out.last_mut() {
                Some((last, _)) if u32::from(last.to) + 1 == u32::from(piece.from) => {
                    last.to = piece.to;
                }
                _ => {
                    let mut hops: Vec<Hop> = Vec::new();
                    for h in [a, b].into_iter().chain(reply.iter().cloned()) {
                        if !hops.contains(&h) {
                            hops.push(h);
                        }
                    }
                    out.push((piece, hops));
                }
            }
        }
        out
    }

    /// The entry of an endpoint's subnet ACL that lets `addr` through on
    /// one elementary interval, if one does.
    fn acl(
        &mut self,
        ep: &Endpoint,
        egress: bool,
        p: Protocol,
        iv: PortRange,
        addr: u128,
    ) -> Option<Hop> {
        let graph = self.graph;
        let Some(acl) = ep.site.acl else {
            let subnet = ep
                .site
                .subnet
                .map(|s| graph.node(s).id.clone())
                .unwrap_or_default();
            return Some(Hop::assumed(
                HopKind::NetworkAcl,
                subnet,
                "network ACL not collected: assumed to allow",
            ));
        };
        let pass = self.acls.entry((acl, egress, p, iv)).or_insert_with(|| {
            let node = graph.node(acl);
            match &node.data {
                NodeData::NetworkAcl(a) => {
                    acl_first_match(&a.ordered_entries(egress), p, iv, &node.id).0
                }
                _ => Pass::default(),
            }
        });
        pass.evidence
            .iter()
            .find(|(set, _)| set.contains(addr))
            .map(|(_, h)| h.clone())
    }
}

/// The protocols a rule of this protocol opens, as reach reports them.
fn concrete(p: Protocol) -> Vec<Protocol> {
    match p {
        Protocol::All => vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp],
        Protocol::Icmpv6 | Protocol::Other => Vec::new(),
        p => vec![p],
    }
}

/// The ports (ICMP types) a rule opens for a protocol; a group not
/// collected (`None`) opens them all.
fn opened(rule: Option<&SgRule>, p: Protocol) -> Option<PortRange> {
    match rule {
        Some(r) => rule_ports(r, p),
        None => Some(port_space(p)),
    }
}

fn intersect(a: PortRange, b: PortRange) -> Option<PortRange> {
    let from = a.from.max(b.from);
    let to = a.to.min(b.to);
    (from <= to).then(|| PortRange::new(from, to))
}

/// The rules of `groups` (ingress, or egress) that let in (or out to) the
/// other side: its groups, or its address. A group not collected is
/// assumed to allow everything, and says so.
fn admitting<'g>(
    graph: &'g Graph,
    groups: &[String],
    egress: bool,
    other_groups: &[String],
    other_ip: IpAddr,
) -> Vec<(Option<&'g SgRule>, Hop)> {
    let point = ip_point(other_ip);
    let side = if egress { "egress" } else { "ingress" };
    let dir = if egress { "to" } else { "from" };
    let mut out = Vec::new();
    for gid in groups {
        let Some(NodeData::SecurityGroup(sg)) = graph.by_id(gid).map(|g| &graph.node(g).data)
        else {
            out.push((
                None,
                Hop::assumed(
                    HopKind::SecurityGroup,
                    gid,
                    "security group not collected: assumed to allow",
                ),
            ));
            continue;
        };
        let rules = if egress { &sg.egress } else { &sg.ingress };
        for rule in rules {
            let Some(why) = admits(graph, rule, other_groups, point) else {
                continue;
            };
            out.push((
                Some(rule),
                Hop::new(
                    HopKind::SecurityGroup,
                    gid,
                    format!("{side} rule: allow {} {dir} {why}", rule.describe_ports()),
                ),
            ));
        }
    }
    out
}

/// What in a rule names the other side, if anything does.
fn admits(graph: &Graph, rule: &SgRule, other_groups: &[String], point: u128) -> Option<String> {
    if let Some(g) = rule
        .groups
        .iter()
        .find(|g| other_groups.contains(&g.group_id))
    {
        return Some(format!("security group {}", g.group_id));
    }
    if let Some(c) = rule
        .ipv4
        .iter()
        .find(|c| net_set(&ipnet::IpNet::V4(c.cidr)).contains(point))
    {
        return Some(c.cidr.to_string());
    }
    for p in &rule.prefix_lists {
        let entries = graph
            .by_id(&p.prefix_list_id)
            .and_then(|n| match &graph.node(n).data {
                NodeData::ManagedPrefixList(l) => l.entries.clone(),
                _ => None,
            });
        match entries {
            None => {
                return Some(format!(
                    "prefix list {} (not collected: assumed to include it)",
                    p.prefix_list_id
                ));
            }
            Some(e) if e.iter().any(|x| net_set(&x.cidr).contains(point)) => {
                return Some(format!("prefix list {}", p.prefix_list_id));
            }
            Some(_) => {}
        }
    }
    None
}

/// VPCs joined to this one by an active peering connection or a transit
/// gateway both are attached to.
fn connected_vpcs(graph: &Graph, vpc_id: &str) -> Vec<String> {
    let Some(vpc) = graph.by_id(vpc_id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut gateways = Vec::new();
    for link in graph.neighbours(vpc, EdgeKind::Connects, Direction::Incoming) {
        match &graph.node(link).data {
            NodeData::VpcPeeringConnection(p)
                if p.status.as_deref().is_none_or(|s| s == "active") =>
            {
                for side in [&p.requester, &p.accepter] {
                    if side.vpc_id != vpc_id {
                        out.push(side.vpc_id.clone());
                    }
                }
            }
            NodeData::TransitGatewayAttachment(a) => gateways.push(a.transit_gateway_id.clone()),
            _ => {}
        }
    }
    if !gateways.is_empty() {
        for (_, n) in graph.nodes_of(NodeKind::TransitGatewayAttachment) {
            if let NodeData::TransitGatewayAttachment(a) = &n.data
                && gateways.contains(&a.transit_gateway_id)
                && a.resource_type == "vpc"
                && let Some(other) = &a.resource_id
                && other != vpc_id
            {
                out.push(other.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The route a source's subnet takes to an address in another VPC, as
/// evidence, if it leads there: longest prefix wins; a peering connection
/// must join the two VPCs, a transit gateway must have the other attached.
fn route_between(graph: &Graph, s: &Endpoint, to: Ipv4Addr, to_vpc: Option<&str>) -> Option<Hop> {
    let Some(rt) = s.site.route_table else {
        let subnet = s
            .site
            .subnet
            .map(|x| graph.node(x).id.clone())
            .unwrap_or_default();
        return Some(Hop::assumed(
            HopKind::RouteTable,
            subnet,
            "route table not collected: assumed to route",
        ));
    };
    let node = graph.node(rt);
    let NodeData::RouteTable(table) = &node.data else {
        return None;
    };
    let route = table
        .routes
        .iter()
        .filter(|r| matches!(&r.destination, Destination::Ipv4(n) if n.contains(&to)))
        .max_by_key(|r| match &r.destination {
            Destination::Ipv4(n) => n.prefix_len(),
            _ => 0,
        })?;
    if route.state == RouteState::Blackhole {
        return None;
    }
    let to_vpc = to_vpc?;
    match &route.target {
        RouteTarget::VpcPeeringConnection(pcx) => {
            let joins = graph.by_id(pcx).is_some_and(|p| match &graph.node(p).data {
                NodeData::VpcPeeringConnection(p) => {
                    p.status.as_deref().is_none_or(|s| s == "active")
                        && (p.requester.vpc_id == to_vpc || p.accepter.vpc_id == to_vpc)
                }
                _ => false,
            });
            joins.then(|| {
                Hop::new(
                    HopKind::RouteTable,
                    &node.id,
                    format!(
                        "route {} → peering connection {pcx} to {to_vpc}",
                        route.destination
                    ),
                )
            })
        }
        RouteTarget::TransitGateway(tgw) => {
            let attached = graph
                .nodes_of(NodeKind::TransitGatewayAttachment)
                .any(|(_, n)| {
                    matches!(&n.data, NodeData::TransitGatewayAttachment(a)
                        if &a.transit_gateway_id == tgw && a.resource_id.as_deref() == Some(to_vpc))
                });
            attached.then(|| {
                Hop::assumed(
                    HopKind::RouteTable,
                    &node.id,
                    format!(
                        "route {} → transit gateway {tgw}, which has {to_vpc} attached \
                         (its own route tables are not read: assumed to route)",
                        route.destination
                    ),
                )
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_range_intersection_is_empty_when_apart() {
        assert_eq!(
            intersect(PortRange::new(20, 30), PortRange::new(25, 80)),
            Some(PortRange::new(25, 30))
        );
        assert_eq!(
            intersect(PortRange::single(22), PortRange::single(80)),
            None
        );
    }

    #[test]
    fn all_traffic_is_reported_as_tcp_udp_and_icmp() {
        assert_eq!(
            concrete(Protocol::All),
            vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp]
        );
    }
}
