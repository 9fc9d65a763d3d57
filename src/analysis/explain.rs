//! Answering one question: can this resource be reached from the internet
//! on this protocol and port (from this source)? Either the path, or every
//! component that blocks it.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use super::exposure::{
    Endpoint, Engine, Via, block_hops, family_of, forwarded_targets, lb_hop, listener_hop,
    source_set, target_endpoint,
};
use super::hops::{Addrs, Hop, HopKind, cidrs, shown};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::network::{PortRange, Protocol};
use crate::model::{EdgeKind, NodeData, NodeKind};

/// One way in that was tried.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub via: Via,
    /// The interface (direct) or the load balancer's ARN.
    pub through: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_port: Option<u16>,
    pub reachable: bool,
    pub sources: Vec<IpNet>,
    pub path: Vec<Hop>,
    pub blocked_by: Vec<Hop>,
}

impl Attempt {
    /// A way in not yet found open: no path, nothing blocking it yet.
    fn start(
        via: Via,
        through: String,
        listener_port: Option<u16>,
        target_port: Option<u16>,
    ) -> Attempt {
        Attempt {
            via,
            through,
            listener_port,
            target_port,
            reachable: false,
            sources: Vec::new(),
            path: Vec::new(),
            blocked_by: Vec::new(),
        }
    }
}

/// The answer for one protocol and port.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: NodeKind,
    pub protocol: String,
    /// The port asked about (the ICMP type for ICMP), or the first of a range.
    pub port: u16,
    /// The last port of the range asked about (`port` for one port).
    pub to_port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<IpAddr>,
    /// Some way in is open: directly, or through a load balancer.
    pub reachable: bool,
    /// Open to the resource itself, not only through a load balancer.
    pub reachable_directly: bool,
    /// The internet sources that get through (all open ways together).
    pub sources: Vec<IpNet>,
    /// The first open way's hops.
    pub path: Vec<Hop>,
    /// When nothing gets through: every component that blocks, on every way tried.
    pub blocked_by: Vec<Hop>,
    /// Every way in that was tried, open or not.
    pub attempts: Vec<Attempt>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExplainError {
    #[error(
        "{kind} {id} is not a network endpoint: explain answers for instances, network interfaces, databases and load balancers"
    )]
    NotAnEndpoint { kind: NodeKind, id: String },
    #[error(
        "protocol \"all\" cannot be asked about one port: name tcp, udp, icmp, icmpv6 or a protocol number"
    )]
    AllProtocols,
}

/// Explain one protocol and port (ICMP type for ICMP).
pub fn explain(
    graph: &Graph,
    node: NodeId,
    protocol: Protocol,
    port: u16,
    source: Option<IpAddr>,
) -> Result<Explanation, ExplainError> {
    explain_ports(graph, node, protocol, PortRange::single(port), source)
}

/// Explain a range of ports that the rules treat alike (an all-traffic
/// rule's every port, say), answered once.
pub fn explain_ports(
    graph: &Graph,
    node: NodeId,
    protocol: Protocol,
    ports: PortRange,
    source: Option<IpAddr>,
) -> Result<Explanation, ExplainError> {
    if matches!(protocol, Protocol::All | Protocol::Other) {
        return Err(ExplainError::AllProtocols);
    }
    let n = graph.node(node);
    let mut engine = Engine::new(graph);
    let restrict = source_set(source).intersect(&family_of(protocol));
    let attempts = match n.kind() {
        NodeKind::Instance | NodeKind::NetworkInterface | NodeKind::DbInstance => {
            endpoint_attempts(&mut engine, node, protocol, ports, &restrict)
        }
        NodeKind::LoadBalancer => lb_attempts(&mut engine, node, protocol, ports, &restrict),
        kind => {
            return Err(ExplainError::NotAnEndpoint {
                kind,
                id: n.id.clone(),
            });
        }
    };
    let open: Vec<&Attempt> = attempts.iter().filter(|a| a.reachable).collect();
    let reachable = !open.is_empty();
    let mut sources = Addrs::empty();
    for a in &open {
        for c in &a.sources {
            sources = sources.union(&super::hops::net_set(c));
        }
    }
    let blocked_by = if reachable {
        Vec::new()
    } else {
        let mut seen = BTreeSet::new();
        attempts
            .iter()
            .flat_map(|a| a.blocked_by.iter().cloned())
            .filter(|h| seen.insert(h.clone()))
            .collect()
    };
    let mut blocked_by = blocked_by;
    if !reachable && blocked_by.is_empty() && attempts.is_empty() {
        blocked_by.push(Hop::new(
            HopKind::NetworkInterface,
            &n.id,
            "no network interface or load balancer path leads to this resource",
        ));
    }
    Ok(Explanation {
        resource: n.id.clone(),
        name: n.name.clone(),
        kind: n.kind(),
        protocol: protocol.to_string(),
        port: ports.from,
        to_port: ports.to,
        source,
        reachable,
        reachable_directly: open.iter().any(|a| a.via == Via::Direct),
        sources: cidrs(&sources),
        path: open.first().map(|a| a.path.clone()).unwrap_or_default(),
        blocked_by,
        attempts,
    })
}

/// Explain every port a resource's rules open (and its listener ports),
/// so that "why is it not exposed" has an answer without naming a port.
pub fn explain_all(
    graph: &Graph,
    node: NodeId,
    source: Option<IpAddr>,
) -> Result<Vec<Explanation>, ExplainError> {
    let mut asks: BTreeSet<(Protocol, PortRange)> = BTreeSet::new();
    let engine = Engine::new(graph);
    let n = graph.node(node);
    let endpoints: Vec<Endpoint> = match n.kind() {
        NodeKind::Instance | NodeKind::NetworkInterface | NodeKind::DbInstance => {
            endpoints_of(graph, node)
        }
        NodeKind::LoadBalancer => Vec::new(),
        kind => {
            return Err(ExplainError::NotAnEndpoint {
                kind,
                id: n.id.clone(),
            });
        }
    };
    for ep in &endpoints {
        // A database answers on its port alone: that is the question.
        if let Some(port) = ep.serves {
            asks.insert((Protocol::Tcp, PortRange::single(port)));
            continue;
        }
        for (p, iv) in engine.intervals(&ep.groups, &ep.site) {
            if p != Protocol::Other {
                asks.insert((p, iv));
            }
        }
        // Ports opened only to other security groups are asked about too:
        // "why is the database not exposed" deserves its answer.
        for gid in &ep.groups {
            let Some(NodeData::SecurityGroup(sg)) = graph.by_id(gid).map(|g| &graph.node(g).data)
            else {
                continue;
            };
            for rule in &sg.ingress {
                let p = if rule.protocol == Protocol::All {
                    Protocol::Tcp
                } else {
                    rule.protocol
                };
                if let Some(r) = super::hops::rule_ports(rule, p) {
                    asks.insert((p, PortRange::single(r.from)));
                }
            }
        }
    }
    for (lb, listener, _) in load_balancers_of(graph, node) {
        let _ = lb;
        if let NodeData::Listener(l) = &graph.node(listener).data {
            for p in super::exposure::listener_protocols(l.protocol.as_deref()) {
                if let Some(port) = l.port {
                    asks.insert((p, PortRange::single(port)));
                }
            }
        }
    }
    // A port already inside an asked range is answered by that range.
    let ranges: Vec<(Protocol, PortRange)> = asks.iter().copied().collect();
    asks.into_iter()
        .filter(|(p, r)| {
            r.from != r.to
                || !ranges
                    .iter()
                    .any(|(q, wide)| q == p && wide.from != wide.to && wide.contains(r.from))
        })
        .map(|(p, ports)| explain_ports(graph, node, p, ports, source))
        .collect()
}

/// (load balancer, listener, target group) triples that forward to `node`
/// (an instance or one of its interfaces) or that are `node`.
fn load_balancers_of(graph: &Graph, node: NodeId) -> Vec<(NodeId, NodeId, NodeId)> {
    let mut out = Vec::new();
    if graph.node(node).kind() == NodeKind::LoadBalancer {
        for l in graph.neighbours(node, EdgeKind::ListenerOf, Direction::Incoming) {
            out.push((node, l, node));
        }
        return out;
    }
    for tg in graph.neighbours(node, EdgeKind::Targets, Direction::Incoming) {
        for listener in graph.neighbours(tg, EdgeKind::ForwardsTo, Direction::Incoming) {
            for lb in graph.neighbours(listener, EdgeKind::ListenerOf, Direction::Outgoing) {
                out.push((lb, listener, tg));
            }
        }
    }
    out
}

fn endpoint_attempts(
    engine: &mut Engine,
    node: NodeId,
    p: Protocol,
    iv: PortRange,
    restrict: &Addrs,
) -> Vec<Attempt> {
    let graph = engine.graph;
    let endpoints = endpoints_of(graph, node);
    let mut attempts = Vec::new();
    for ep in &endpoints {
        if let Some(port) = ep
            .serves
            .filter(|port| p != Protocol::Tcp || !iv.contains(*port))
        {
            attempts.push(Attempt {
                via: Via::Direct,
                through: ep.eni_id.clone(),
                listener_port: None,
                target_port: None,
                reachable: false,
                sources: Vec::new(),
                path: Vec::new(),
                blocked_by: vec![Hop::new(
                    HopKind::NetworkInterface,
                    &ep.eni_id,
                    format!(
                        "nothing answers {p} {iv} here: {} serves tcp {port} only",
                        ep.resource
                    ),
                )],
            });
            continue;
        }
        let iv = ep.serves.map_or(iv, PortRange::single);
        let a = engine.answers(ep, p, iv);
        let (net, outside) = engine.seen_from(ep.site.vpc_id.as_deref());
        let mut reach = a.reaching(restrict);
        if !reach.intersects(&net) {
            reach = Addrs::empty();
        }
        let (path, blocked_by) = if reach.is_empty() {
            let candidates = restrict.intersect(&net);
            let blocks = block_hops(engine, &ep.site, &candidates, &a, Some(&ep.eni_id));
            (Vec::new(), blocks)
        } else {
            (engine.direct_path(ep, &a, &reach), Vec::new())
        };
        attempts.push(Attempt {
            via: Via::Direct,
            through: ep.eni_id.clone(),
            listener_port: None,
            target_port: None,
            reachable: !reach.is_empty(),
            sources: shown(&reach, &outside),
            path,
            blocked_by,
        });
    }
    // Through load balancers that forward to it, on the listener's port or
    // the target's.
    for (lb, listener, tg) in load_balancers_of(graph, node) {
        let NodeData::LoadBalancer(l) = &graph.node(lb).data else {
            continue;
        };
        let NodeData::Listener(li) = &graph.node(listener).data else {
            continue;
        };
        if !super::exposure::listener_protocols(li.protocol.as_deref()).contains(&p) {
            continue;
        }
        for (fwd_tg, target, target_port) in forwarded_targets(graph, listener) {
            if fwd_tg != tg
                || !(target == node
                    || target_endpoint(graph, target)
                        .is_some_and(|e| e.eni == node || e.resource_node == node))
            {
                continue;
            }
            if !li.port.is_some_and(|lp| iv.contains(lp)) && !iv.contains(target_port) {
                continue;
            }
            let mut attempt = Attempt::start(
                Via::LoadBalancer,
                graph.node(lb).id.clone(),
                li.port,
                Some(target_port),
            );
            if !l.is_internet_facing() {
                attempt.blocked_by.push(internal_hop(graph, lb));
                attempts.push(attempt);
                continue;
            }
            let Some(ep) = target_endpoint(graph, target) else {
                continue;
            };
            let reaches = engine.listeners(lb, restrict);
            let Some(lr) = reaches
                .iter()
                .find(|r| r.listener == listener && r.protocol == p)
            else {
                continue;
            };
            if lr.sources().is_empty() {
                attempt.blocked_by.push(lb_hop(graph, lb));
                attempt
                    .blocked_by
                    .extend(lr.zones.iter().flat_map(|z| z.blocks.iter().cloned()));
                attempts.push(attempt);
                continue;
            }
            match engine.lb_to_target(lb, lr, tg, &ep, target_port) {
                Ok(t) => {
                    let (_, outside) = engine.seen_from(l.vpc_id.as_deref());
                    attempt.reachable = true;
                    attempt.sources = shown(&t.sources, &outside);
                    attempt.path = t.path;
                }
                Err(blocks) => {
                    attempt.blocked_by.push(listener_hop(graph, listener));
                    attempt.blocked_by.extend(blocks);
                }
            }
            attempts.push(attempt);
        }
    }
    attempts
}

fn lb_attempts(
    engine: &mut Engine,
    lb: NodeId,
    p: Protocol,
    iv: PortRange,
    restrict: &Addrs,
) -> Vec<Attempt> {
    let port = iv.from;
    let graph = engine.graph;
    let node = graph.node(lb);
    let NodeData::LoadBalancer(l) = &node.data else {
        return Vec::new();
    };
    let mut attempt = Attempt::start(Via::Direct, node.id.clone(), Some(port), None);
    if !l.is_internet_facing() {
        attempt.blocked_by.push(internal_hop(graph, lb));
        return vec![attempt];
    }
    let reaches = engine.listeners(lb, restrict);
    let Some(lr) = reaches.iter().find(|r| r.port == port && r.protocol == p) else {
        attempt.blocked_by.push(Hop::new(
            HopKind::Listener,
            &node.id,
            format!("no listener for {p} {port}: the load balancer does not answer there"),
        ));
        return vec![attempt];
    };
    let set = lr.sources();
    if set.is_empty() {
        attempt
            .blocked_by
            .extend(lr.zones.iter().flat_map(|z| z.blocks.iter().cloned()));
    } else {
        let (_, outside) = engine.seen_from(l.vpc_id.as_deref());
        attempt.reachable = true;
        attempt.sources = shown(&set, &outside);
        let mut path = vec![lb_hop(graph, lb), listener_hop(graph, lr.listener)];
        for z in lr.zones.iter().filter(|z| !z.reach.is_empty()) {
            path.extend(z.path.iter().cloned());
        }
        let mut seen = BTreeSet::new();
        attempt.path = path
            .into_iter()
            .filter(|h| seen.insert(h.clone()))
            .collect();
    }
    vec![attempt]
}

/// The interfaces traffic to a resource arrives on: an instance's, primary
/// first, a database's, or the interface itself.
fn endpoints_of(graph: &Graph, node: NodeId) -> Vec<Endpoint> {
    match graph.node(node).kind() {
        NodeKind::Instance => {
            let mut v: Vec<Endpoint> = graph
                .neighbours(node, EdgeKind::AttachedToInstance, Direction::Incoming)
                .filter_map(|e| Endpoint::of(graph, e))
                .collect();
            v.sort_by_key(|e| e.device_index.unwrap_or(u32::MAX));
            v
        }
        NodeKind::DbInstance => graph
            .neighbours(node, EdgeKind::InterfaceOf, Direction::Incoming)
            .filter_map(|e| Endpoint::of(graph, e))
            .collect(),
        _ => Endpoint::of(graph, node).into_iter().collect(),
    }
}

/// What blocks every way through an internal load balancer.
fn internal_hop(graph: &Graph, lb: NodeId) -> Hop {
    let n = graph.node(lb);
    Hop::new(
        HopKind::LoadBalancer,
        &n.id,
        format!(
            "{} is internal: not reachable from the internet",
            n.display_name()
        ),
    )
}
