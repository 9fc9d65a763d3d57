//! The hops between the internet and an endpoint in a VPC, each evaluated
//! to the exact set of client addresses it lets through, with the route,
//! entry or rule that decides each part.
//!
//! IPv4 and IPv6 share one address space here: an IPv4 address `a.b.c.d`
//! is counted as the IPv4-mapped IPv6 address `::ffff:a.b.c.d`, and IPv6
//! blocks are kept out of that range. One set type then answers both
//! families, and a 0.0.0.0/0 entry can never match an IPv6 client.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Serialize;

use super::ipset::{RangeSet, internet_v4, internet_v6, shown_cidrs_v4, shown_cidrs_v6};
use crate::graph::{Graph, NodeId};
use crate::model::network::{
    Destination, NaclEntry, PortRange, Protocol, RouteState, RouteTarget, RuleAction, SgRule,
};
use crate::model::{EdgeKind, NodeData, RouteTable};

/// A set of client addresses of either family.
pub type Addrs = RangeSet<u128>;

const MAPPED: u128 = 0xffff_0000_0000;

pub fn v4_point(a: Ipv4Addr) -> u128 {
    MAPPED | u128::from(u32::from(a))
}

pub fn ip_point(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(v4) => v4_point(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_point(v4),
            None => u128::from(v6),
        },
    }
}

/// Every IPv4 address.
pub fn all_v4() -> Addrs {
    Addrs::range(MAPPED, MAPPED | u128::from(u32::MAX))
}

/// Every IPv6 address (outside the IPv4-mapped block).
pub fn all_v6() -> Addrs {
    all_v4().complement()
}

pub fn net_set(net: &IpNet) -> Addrs {
    match net {
        IpNet::V4(n) => Addrs::range(v4_point(n.network()), v4_point(n.broadcast())),
        IpNet::V6(n) => {
            Addrs::range(u128::from(n.network()), u128::from(n.broadcast())).intersect(&all_v6())
        }
    }
}

pub fn v4_net_set(n: &Ipv4Net) -> Addrs {
    net_set(&IpNet::V4(*n))
}

pub fn v6_net_set(n: &Ipv6Net) -> Addrs {
    net_set(&IpNet::V6(*n))
}

/// Every internet source: all addresses but private and reserved ranges.
pub fn internet() -> Addrs {
    let v4: Vec<(u128, u128)> = internet_v4()
        .ranges()
        .iter()
        .map(|&(a, b)| (MAPPED | u128::from(a), MAPPED | u128::from(b)))
        .collect();
    Addrs::from_ranges(v4).union(&internet_v6().intersect(&all_v6()))
}

/// CIDR blocks to show for a set of sources, IPv4 first.
pub fn cidrs(set: &Addrs) -> Vec<IpNet> {
    let v4: Vec<(u32, u32)> = set
        .intersect(&all_v4())
        .ranges()
        .iter()
        .map(|&(a, b)| ((a & 0xffff_ffff) as u32, (b & 0xffff_ffff) as u32))
        .collect();
    let mut v6 = set.intersect(&all_v6());
    // The IPv4-mapped block is kept out of IPv6 sets; when both its
    // neighbours are in, show the set as if it were too (::/0, not 97 blocks).
    let (lo, hi) = (MAPPED, MAPPED | u128::from(u32::MAX));
    if v6.contains(lo - 1) && v6.contains(hi + 1) {
        v6 = v6.union(&Addrs::range(lo, hi));
    }
    let mut out = shown_cidrs_v4(&RangeSet::from_ranges(v4));
    out.extend(shown_cidrs_v6(&v6));
    out
}

/// Addresses that are never internet sources as seen from a VPC: private
/// and reserved ranges, and the VPC's own blocks (its local route keeps
/// them inside, IPv6 included).
pub fn not_internet(graph: &Graph, vpc_id: Option<&str>) -> Addrs {
    let mut n = internet().complement();
    if let Some(NodeData::Vpc(v)) = vpc_id
        .and_then(|id| graph.by_id(id))
        .map(|id| &graph.node(id).data)
    {
        for c in &v.cidr_blocks {
            n = n.union(&v4_net_set(c));
        }
        for c in &v.ipv6_cidr_blocks {
            n = n.union(&v6_net_set(c));
        }
    }
    n
}

/// Fill the holes in a set of sources that hold no internet address (and
/// its edges up to its family's ends), so that "everything but the VPC's
/// own range" reads as 0.0.0.0/0 while a real gap (a blackhole, a denied
/// range) stays visible.
fn fill_gaps(set: &Addrs, not_internet: &Addrs) -> Addrs {
    let mut out = set.clone();
    for family in [all_v4(), all_v6()] {
        let part = set.intersect(&family);
        if part.is_empty() {
            continue;
        }
        for gap in family.subtract(&part).ranges() {
            let g = Addrs::range(gap.0, gap.1);
            if g.is_subset_of(not_internet) {
                out = out.union(&g);
            }
        }
    }
    out
}

/// CIDR blocks to show for sources seen from a VPC.
pub fn shown(set: &Addrs, not_internet: &Addrs) -> Vec<IpNet> {
    cidrs(&fill_gaps(set, not_internet))
}

/// Does the set hold every internet source (outside the VPC) of the
/// families it touches?
pub fn is_world(set: &Addrs, not_internet: &Addrs) -> bool {
    let need = not_internet.complement();
    let v4 = need.intersect(&all_v4());
    let v6 = need.intersect(&all_v6());
    let touches_v4 = set.intersects(&v4);
    let touches_v6 = set.intersects(&v6);
    (touches_v4 || touches_v6)
        && (!touches_v4 || v4.is_subset_of(set))
        && (!touches_v6 || v6.is_subset_of(set))
}

/// What a hop is, in the JSON and the explorer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopKind {
    InternetGateway,
    RouteTable,
    PublicAddress,
    NetworkAcl,
    SecurityGroup,
    LoadBalancer,
    Listener,
    TargetGroup,
    NetworkInterface,
}

impl HopKind {
    /// The component as the JSON names it: `security-group`.
    pub fn label(self) -> &'static str {
        match self {
            HopKind::InternetGateway => "internet-gateway",
            HopKind::RouteTable => "route-table",
            HopKind::PublicAddress => "public-address",
            HopKind::NetworkAcl => "network-acl",
            HopKind::SecurityGroup => "security-group",
            HopKind::LoadBalancer => "load-balancer",
            HopKind::Listener => "listener",
            HopKind::TargetGroup => "target-group",
            HopKind::NetworkInterface => "network-interface",
        }
    }
}

/// One hop of a path, or one blocking component: which component, and the
/// exact route, entry or rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Hop {
    pub kind: HopKind,
    pub id: String,
    pub detail: String,
    /// The component was not collected: it is assumed to let traffic
    /// through (never a wrong "not exposed"), and the detail says so.
    pub assumed: bool,
}

impl Hop {
    pub fn new(kind: HopKind, id: impl Into<String>, detail: impl Into<String>) -> Hop {
        Hop {
            kind,
            id: id.into(),
            detail: detail.into(),
            assumed: false,
        }
    }

    /// A hop whose data was not collected, assumed open.
    pub fn assumed(kind: HopKind, id: impl Into<String>, detail: impl Into<String>) -> Hop {
        Hop {
            assumed: true,
            ..Hop::new(kind, id, detail)
        }
    }
}

/// A hop's answer: the addresses it lets through, and the evidence for each
/// part (a route, an entry, a rule) with the addresses that part covers.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    pub allowed: Addrs,
    pub evidence: Vec<(Addrs, Hop)>,
}

impl Pass {
    /// The evidence that lets any of `final_set` through.
    pub fn evidence_for(&self, final_set: &Addrs) -> impl Iterator<Item = &Hop> {
        self.evidence
            .iter()
            .filter(move |(s, _)| s.intersects(final_set))
            .map(|(_, h)| h)
    }
}

/// Protocols as exposure is computed for them: tcp, udp, icmp, icmpv6, a
/// protocol number a rule names, and `Other` for every protocol beyond the
/// four, which only an all-traffic rule opens.
pub fn matches_protocol(rule: Protocol, asked: Protocol) -> bool {
    rule == Protocol::All || rule == asked
}

/// The space of "ports" of a protocol: TCP/UDP ports, ICMP types, or a
/// single point for protocols without ports.
pub fn port_space(p: Protocol) -> PortRange {
    match p {
        Protocol::Tcp | Protocol::Udp => PortRange::ALL,
        Protocol::Icmp | Protocol::Icmpv6 => PortRange::new(0, 255),
        Protocol::All | Protocol::Number(_) | Protocol::Other => PortRange::single(0),
    }
}

/// The ports (or ICMP types) a security group rule allows for `asked`.
pub fn rule_ports(rule: &SgRule, asked: Protocol) -> Option<PortRange> {
    if !matches_protocol(rule.protocol, asked) {
        return None;
    }
    match (rule.protocol, asked) {
        (Protocol::All, p) => Some(port_space(p)),
        (Protocol::Tcp | Protocol::Udp, _) => rule.port_range(),
        (Protocol::Icmp | Protocol::Icmpv6, _) => match rule.from_port {
            // An ICMP rule for one type allows that type with any code the
            // rule names: counted as the whole type (never under-report).
            Some(t) if t >= 0 => u16::try_from(t.min(255)).ok().map(PortRange::single),
            _ => Some(PortRange::new(0, 255)),
        },
        (Protocol::Number(_) | Protocol::Other, _) => Some(PortRange::single(0)),
    }
}

/// The ports (or ICMP types) a network ACL entry covers for `asked`.
pub fn entry_ports(e: &NaclEntry, asked: Protocol) -> Option<PortRange> {
    if !matches_protocol(e.protocol, asked) {
        return None;
    }
    match (e.protocol, asked) {
        (Protocol::All, p) => Some(port_space(p)),
        (Protocol::Tcp | Protocol::Udp, _) => Some(e.ports.unwrap_or(PortRange::ALL)),
        (Protocol::Icmp | Protocol::Icmpv6, _) => match e.icmp {
            Some(i) if i.icmp_type >= 0 => u16::try_from(i.icmp_type.min(255))
                .ok()
                .map(PortRange::single),
            _ => Some(PortRange::new(0, 255)),
        },
        (Protocol::Number(_) | Protocol::Other, _) => Some(PortRange::single(0)),
    }
}

fn entry_label(e: &NaclEntry) -> String {
    let what = match e.protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Tcp | Protocol::Udp => match e.ports {
            Some(p) if p != PortRange::ALL => format!("{} {p}", e.protocol),
            _ => format!("{} all ports", e.protocol),
        },
        Protocol::Icmp | Protocol::Icmpv6 => match e.icmp {
            Some(i) if i.icmp_type >= 0 => format!("{} type {}", e.protocol, i.icmp_type),
            _ => format!("{} all types", e.protocol),
        },
        Protocol::Number(n) => format!("protocol {n}"),
        Protocol::Other => "other protocols".to_string(),
    };
    let number = if e.is_default_deny() || e.rule_number == 32768 {
        "*".to_string()
    } else {
        e.rule_number.to_string()
    };
    let dir = if e.egress { "outbound" } else { "inbound" };
    let peer = if e.egress { "to" } else { "from" };
    format!(
        "{dir} entry {number}: {} {what} {peer} {}",
        e.action, e.cidr
    )
}

/// First-match evaluation of a network ACL's entries in one direction for
/// one protocol and one port (or ICMP type) interval that no entry splits.
/// Returns the allowed addresses with each allowing entry, and the denying
/// entries with what they deny.
pub fn acl_first_match(
    entries: &[&NaclEntry],
    asked: Protocol,
    ports: PortRange,
    acl_id: &str,
) -> (Pass, Vec<(Addrs, Hop)>) {
    let mut undecided = Addrs::full();
    let mut pass = Pass::default();
    let mut denied = Vec::new();
    for e in entries {
        let Some(r) = entry_ports(e, asked) else {
            continue;
        };
        if !(r.from <= ports.from && ports.to <= r.to) {
            continue;
        }
        let decided = undecided.intersect(&net_set(&e.cidr));
        if decided.is_empty() {
            continue;
        }
        undecided = undecided.subtract(&decided);
        let hop = Hop::new(HopKind::NetworkAcl, acl_id, entry_label(e));
        match e.action {
            RuleAction::Allow => {
                pass.allowed = pass.allowed.union(&decided);
                pass.evidence.push((decided, hop));
            }
            RuleAction::Deny => denied.push((decided, hop)),
        }
    }
    if !undecided.is_empty() {
        let dir = if entries.first().is_some_and(|e| e.egress) {
            "outbound"
        } else {
            "inbound"
        };
        denied.push((
            undecided,
            Hop::new(
                HopKind::NetworkAcl,
                acl_id,
                format!("{dir}: no entry matches, so the implicit deny (*) applies"),
            ),
        ));
    }
    (pass, denied)
}

/// Split `space` into intervals that no boundary crosses.
pub fn elementary(space: PortRange, bounds: impl IntoIterator<Item = PortRange>) -> Vec<PortRange> {
    let mut cuts: Vec<u32> = vec![u32::from(space.from), u32::from(space.to) + 1];
    for b in bounds {
        for c in [u32::from(b.from), u32::from(b.to) + 1] {
            if c > u32::from(space.from) && c <= u32::from(space.to) {
                cuts.push(c);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .filter_map(|w| {
            Some(PortRange::new(
                u16::try_from(w[0]).ok()?,
                u16::try_from(w[1] - 1).ok()?,
            ))
        })
        .collect()
}

/// Where an endpoint sits: its subnet, and what the subnet's traffic
/// passes through.
#[derive(Debug, Clone)]
pub struct Site {
    pub subnet: Option<NodeId>,
    pub vpc_id: Option<String>,
    pub route_table: Option<NodeId>,
    pub main_route_table: bool,
    pub acl: Option<NodeId>,
}

impl Site {
    pub fn of_subnet(graph: &Graph, subnet_id: &str) -> Site {
        let Some(subnet) = graph.by_id(subnet_id) else {
            return Site {
                subnet: None,
                vpc_id: None,
                route_table: None,
                main_route_table: false,
                acl: None,
            };
        };
        let vpc_id = match &graph.node(subnet).data {
            NodeData::Subnet(s) => Some(s.vpc_id.clone()),
            _ => None,
        };
        let mut route_table = None;
        let mut main_route_table = false;
        let mut acl = None;
        for e in graph.outgoing(subnet) {
            match e.kind {
                EdgeKind::UsesRouteTable => route_table = Some(e.to),
                EdgeKind::UsesMainRouteTable => {
                    route_table = Some(e.to);
                    main_route_table = true;
                }
                EdgeKind::UsesNetworkAcl => acl = Some(e.to),
                _ => {}
            }
        }
        Site {
            subnet: Some(subnet),
            vpc_id,
            route_table,
            main_route_table,
            acl,
        }
    }

    /// The subnet's own address blocks.
    pub fn subnet_addrs(&self, graph: &Graph) -> Addrs {
        let Some(id) = self.subnet else {
            return Addrs::empty();
        };
        match &graph.node(id).data {
            NodeData::Subnet(s) => {
                let mut a = s.cidr_block.map(|c| v4_net_set(&c)).unwrap_or_default();
                for c in &s.ipv6_cidr_blocks {
                    a = a.union(&v6_net_set(c));
                }
                a
            }
            _ => Addrs::empty(),
        }
    }
}

/// The internet gateways of a VPC: (gateway id, attached?).
pub fn internet_gateways(graph: &Graph, vpc_id: &str) -> Vec<(String, bool)> {
    let Some(vpc) = graph.by_id(vpc_id) else {
        return Vec::new();
    };
    graph
        .incoming(vpc)
        .filter(|e| e.kind == EdgeKind::AttachedToVpc)
        .filter_map(|e| {
            let n = graph.node(e.from);
            match &n.data {
                NodeData::InternetGateway(g) => {
                    let attached = g
                        .attachments
                        .iter()
                        .any(|a| a.vpc_id == vpc_id && a.is_attached());
                    Some((n.id.clone(), attached))
                }
                _ => None,
            }
        })
        .collect()
}

fn target_label(graph: &Graph, t: &RouteTarget) -> String {
    match t {
        RouteTarget::Local => "local (the VPC itself)".to_string(),
        RouteTarget::InternetGateway(id) if graph.by_id(id).is_none() => {
            format!("{id} (an internet gateway)")
        }
        RouteTarget::InternetGateway(id) => format!("internet gateway {id}"),
        RouteTarget::EgressOnlyInternetGateway(id) => {
            format!("egress-only internet gateway {id}, which carries no inbound traffic")
        }
        RouteTarget::NatGateway(id) => {
            format!("NAT gateway {id}, which accepts no inbound connections")
        }
        RouteTarget::VpcPeeringConnection(id) => format!("peering connection {id}"),
        RouteTarget::TransitGateway(id) => format!("transit gateway {id}"),
        RouteTarget::NetworkInterface(id) => format!("network interface {id}"),
        RouteTarget::Instance(id) => format!("instance {id}"),
        RouteTarget::VirtualPrivateGateway(id) => format!("virtual private gateway {id}"),
        RouteTarget::VpcEndpoint(id) => format!("VPC endpoint {id}"),
        other => other.to_string(),
    }
}

/// One route as the longest-prefix match resolves it: the addresses it
/// wins, and whether it leads to an attached internet gateway of the VPC.
#[derive(Debug, Clone)]
pub struct RouteClaim {
    pub claimed: Addrs,
    pub to_internet: bool,
    /// The internet gateway the route leads to, if it is one.
    pub gateway: Option<String>,
    pub hop: Hop,
}

/// Resolve a route table by longest prefix: every route wins the addresses
/// no longer route claimed; a blackhole route wins and drops them.
/// Prefix-list destinations expand to the list's entries.
pub fn route_claims(graph: &Graph, rt_id: NodeId, vpc_id: &str, main: bool) -> Vec<RouteClaim> {
    let node = graph.node(rt_id);
    let NodeData::RouteTable(rt) = &node.data else {
        return Vec::new();
    };
    let igws = internet_gateways(graph, vpc_id);
    let mut routes: Vec<(u8, Addrs, &crate::model::network::Route)> = Vec::new();
    for r in &rt.routes {
        match &r.destination {
            Destination::Ipv4(n) => routes.push((n.prefix_len(), v4_net_set(n), r)),
            Destination::Ipv6(n) => routes.push((n.prefix_len(), v6_net_set(n), r)),
            Destination::PrefixList(pl) => {
                let entries = graph.by_id(pl).and_then(|p| match &graph.node(p).data {
                    NodeData::ManagedPrefixList(l) => l.entries.clone(),
                    _ => None,
                });
                for e in entries.unwrap_or_default() {
                    let len = match e.cidr {
                        IpNet::V4(n) => n.prefix_len(),
                        IpNet::V6(n) => n.prefix_len(),
                    };
                    routes.push((len, net_set(&e.cidr), r));
                }
            }
        }
    }
    // Longest prefix first; families never overlap, so one order serves both.
    routes.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut taken = Addrs::empty();
    let mut out = Vec::new();
    for (_, set, r) in routes {
        let claimed = set.subtract(&taken);
        if claimed.is_empty() {
            continue;
        }
        taken = taken.union(&claimed);
        let blackhole = r.state == RouteState::Blackhole;
        let to_internet = !blackhole
            && matches!(&r.target, RouteTarget::InternetGateway(id)
                if igws.iter().any(|(g, attached)| g == id && *attached) || graph.by_id(id).is_none());
        let mut detail = format!(
            "route {} -> {}",
            r.destination,
            target_label(graph, &r.target)
        );
        let mut assumed = false;
        if blackhole {
            detail.push_str(" (blackhole: the target is gone and matching traffic is dropped)");
        } else if let RouteTarget::InternetGateway(id) = &r.target {
            if graph.by_id(id).is_none() {
                detail.push_str(" (gateway not collected: assumed attached)");
                assumed = true;
            } else if !igws.iter().any(|(g, a)| g == id && *a) {
                detail.push_str(" (the gateway is not attached to this VPC)");
            }
        }
        if main {
            detail.push_str(" [main route table]");
        }
        let gateway = match &r.target {
            RouteTarget::InternetGateway(id) => Some(id.clone()),
            _ => None,
        };
        out.push(RouteClaim {
            claimed,
            to_internet,
            gateway,
            hop: Hop {
                assumed,
                ..Hop::new(HopKind::RouteTable, &node.id, detail)
            },
        });
    }
    out
}

/// The addresses whose replies the subnet routes to the internet, with the
/// internet gateway and the route for each.
pub fn routed_pass(claims: &[RouteClaim], vpc_id: &str) -> Pass {
    let mut pass = Pass::default();
    for c in claims.iter().filter(|c| c.to_internet) {
        pass.allowed = pass.allowed.union(&c.claimed);
        if let Some(gw) = &c.gateway {
            let hop = Hop::new(
                HopKind::InternetGateway,
                gw,
                format!("attached to {vpc_id}"),
            );
            if !pass.evidence.iter().any(|(_, h)| *h == hop) {
                pass.evidence.push((c.claimed.clone(), hop));
            } else if let Some(e) = pass.evidence.iter_mut().find(|(_, h)| *h == hop) {
                e.0 = e.0.union(&c.claimed);
            }
        }
        pass.evidence.push((c.claimed.clone(), c.hop.clone()));
    }
    pass
}

/// The addresses a set of security groups' rules (ingress or egress) allow
/// for one protocol and port interval; group references never match an
/// internet address and are returned separately.
pub fn groups_pass(
    graph: &Graph,
    groups: &[String],
    egress: bool,
    asked: Protocol,
    ports: PortRange,
) -> (Pass, Vec<Hop>) {
    let mut pass = Pass::default();
    let mut references = Vec::new();
    for gid in groups {
        let Some(g) = graph.by_id(gid) else {
            // Not collected: assume it allows, and say so.
            let hop = Hop::assumed(
                HopKind::SecurityGroup,
                gid,
                "security group not collected: assumed to allow",
            );
            pass.allowed = Addrs::full();
            pass.evidence.push((Addrs::full(), hop));
            continue;
        };
        let NodeData::SecurityGroup(sg) = &graph.node(g).data else {
            continue;
        };
        let rules = if egress { &sg.egress } else { &sg.ingress };
        for rule in rules {
            let Some(r) = rule_ports(rule, asked) else {
                continue;
            };
            if !(r.from <= ports.from && ports.to <= r.to) {
                continue;
            }
            let dir = if egress { "to" } else { "from" };
            let what = rule.describe_ports();
            let blocks = rule
                .ipv4
                .iter()
                .map(|c| (IpNet::V4(c.cidr), &c.description))
                .chain(
                    rule.ipv6
                        .iter()
                        .map(|c| (IpNet::V6(c.cidr), &c.description)),
                );
            for (cidr, description) in blocks {
                let set = net_set(&cidr);
                let desc = description
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                let side = if egress { "egress" } else { "ingress" };
                pass.allowed = pass.allowed.union(&set);
                pass.evidence.push((
                    set,
                    Hop::new(
                        HopKind::SecurityGroup,
                        gid,
                        format!("{side} rule: allow {what} {dir} {cidr}{desc}"),
                    ),
                ));
            }
            for p in &rule.prefix_lists {
                let list = graph.by_id(&p.prefix_list_id).map(|n| graph.node(n));
                let entries = list.and_then(|n| match &n.data {
                    NodeData::ManagedPrefixList(l) => l.entries.as_ref(),
                    _ => None,
                });
                let assumed = entries.is_none();
                let (set, note) = match entries {
                    Some(entries) => {
                        let set = entries
                            .iter()
                            .fold(Addrs::empty(), |acc, e| acc.union(&net_set(&e.cidr)));
                        let list_name = list.and_then(|n| n.name.clone()).unwrap_or_default();
                        let cidrs: Vec<String> =
                            entries.iter().map(|e| e.cidr.to_string()).collect();
                        (
                            set,
                            format!("{} {list_name} = {}", p.prefix_list_id, cidrs.join(", ")),
                        )
                    }
                    // Entries unknown: the list could hold any address.
                    None => (
                        Addrs::full(),
                        format!(
                            "{} (entries not collected: assumed to hold any address)",
                            p.prefix_list_id
                        ),
                    ),
                };
                pass.allowed = pass.allowed.union(&set);
                let hop = Hop::new(
                    HopKind::SecurityGroup,
                    gid,
                    format!(
                        "{} rule: allow {what} {dir} prefix list {note}",
                        if egress { "egress" } else { "ingress" }
                    ),
                );
                pass.evidence.push((set, Hop { assumed, ..hop }));
            }
            for other in &rule.groups {
                references.push(Hop::new(HopKind::SecurityGroup, gid, format!("allows {what} {dir} security group {} only (private addresses, never the internet)", other.group_id)));
            }
        }
    }
    (pass, references)
}

/// A network ACL's answer: what it allows (with the allowing entries) and
/// what it denies (with the denying entry, or the implicit deny).
pub type AclAnswer = (Pass, Vec<(Addrs, Hop)>);

/// Memoised network ACL answers, keyed by ACL and question.
#[derive(Default)]
pub struct AclCache {
    inbound: HashMap<(NodeId, Protocol, PortRange), AclAnswer>,
    reply: HashMap<(NodeId, Protocol), AclAnswer>,
}

/// Client ports assumed for internet clients (and load balancers).
pub const EPHEMERAL: PortRange = PortRange {
    from: 1024,
    to: 65535,
};

impl AclCache {
    /// Inbound entries of `acl` for one protocol and elementary interval.
    pub fn inbound(
        &mut self,
        graph: &Graph,
        acl: NodeId,
        asked: Protocol,
        ports: PortRange,
    ) -> &AclAnswer {
        self.inbound.entry((acl, asked, ports)).or_insert_with(|| {
            let node = graph.node(acl);
            let NodeData::NetworkAcl(a) = &node.data else {
                return (Pass::default(), Vec::new());
            };
            acl_first_match(&a.ordered_entries(false), asked, ports, &node.id)
        })
    }

    /// The clients the ACL's outbound entries let the reply reach: some
    /// port in 1024-65535 (TCP/UDP), the echo reply (ICMP), or the protocol.
    pub fn reply(&mut self, graph: &Graph, acl: NodeId, asked: Protocol) -> &AclAnswer {
        self.reply.entry((acl, asked)).or_insert_with(|| {
            let node = graph.node(acl);
            let NodeData::NetworkAcl(a) = &node.data else {
                return (Pass::default(), Vec::new());
            };
            let entries = a.ordered_entries(true);
            let intervals = match asked {
                Protocol::Tcp | Protocol::Udp => elementary(
                    EPHEMERAL,
                    entries.iter().filter_map(|e| entry_ports(e, asked)),
                ),
                Protocol::Icmp => vec![PortRange::single(0)],
                Protocol::Icmpv6 => vec![PortRange::single(129)],
                Protocol::All | Protocol::Number(_) | Protocol::Other => {
                    vec![PortRange::single(0)]
                }
            };
            let mut pass = Pass::default();
            let mut denied_all: Option<Vec<(Addrs, Hop)>> = None;
            for iv in intervals {
                let (p, denied) = acl_first_match(&entries, asked, iv, &node.id);
                pass.allowed = pass.allowed.union(&p.allowed);
                for (set, hop) in p.evidence {
                    if !pass.evidence.iter().any(|(_, h)| *h == hop) {
                        pass.evidence.push((set, hop));
                    }
                }
                denied_all.get_or_insert(denied);
            }
            // What denies: the denials of the first interval, restricted to
            // clients no interval lets the reply reach.
            let denied = denied_all
                .unwrap_or_default()
                .into_iter()
                .map(|(s, h)| (s.subtract(&pass.allowed), h))
                .filter(|(s, _)| !s.is_empty())
                .collect();
            (pass, denied)
        })
    }
}

/// The route table to name when a subnet has none in the data.
pub fn missing_route_table(site: &Site, graph: &Graph) -> Hop {
    let id = site
        .subnet
        .map(|s| graph.node(s).id.clone())
        .unwrap_or_default();
    Hop::assumed(
        HopKind::RouteTable,
        id,
        "no route table known for this subnet (not collected)",
    )
}

/// Route table data for a site, or nothing.
pub fn site_route_table<'g>(graph: &'g Graph, site: &Site) -> Option<&'g RouteTable> {
    site.route_table.and_then(|rt| match &graph.node(rt).data {
        NodeData::RouteTable(t) => Some(t),
        _ => None,
    })
}

/// The public addresses that make an interface reachable, per family.
pub fn public_families(v4: &[Ipv4Addr], v6: &[Ipv6Addr]) -> Addrs {
    let mut a = Addrs::empty();
    if !v4.is_empty() {
        a = a.union(&all_v4());
    }
    if !v6.is_empty() {
        a = a.union(&all_v6());
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::network::RuleAction;
    use crate::source::build::acl_entry;

    #[test]
    fn families_never_mix() {
        let v4_world = net_set(&"0.0.0.0/0".parse().expect("cidr"));
        let v6_world = net_set(&"::/0".parse().expect("cidr"));
        assert!(!v4_world.intersects(&v6_world));
        assert_eq!(v4_world.union(&v6_world), Addrs::full());
        assert!(v4_world.contains(ip_point("8.8.8.8".parse().expect("ip"))));
        assert!(v6_world.contains(ip_point("2001:db8::1".parse().expect("ip"))));
        assert_eq!(
            cidrs(&v4_world)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["0.0.0.0/0"]
        );
        let reserved = internet().complement();
        assert!(is_world(&v4_world, &reserved));
        assert!(!is_world(
            &net_set(&"81.2.69.0/24".parse().expect("cidr")),
            &reserved
        ));
        // Everything but a VPC's own block is still the world, and shows so.
        let vpc = net_set(&"10.10.0.0/16".parse().expect("cidr"))
            .union(&net_set(&"2600:1f18::/56".parse().expect("cidr")));
        let not_net = reserved.union(&vpc);
        let world = Addrs::full().subtract(&vpc);
        assert!(is_world(&world, &not_net));
        assert_eq!(
            shown(&world, &not_net)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["0.0.0.0/0", "::/0"]
        );
        // A real gap stays visible.
        let cut = world.subtract(&net_set(&"198.51.100.0/24".parse().expect("cidr")));
        assert!(!is_world(&cut, &not_net));
        let blocks = shown(&cut, &not_net);
        // 24 blocks make 0.0.0.0/0 minus a /24; 224.0.0.0/3 holds no internet
        // source and is not shown; then ::/0.
        assert_eq!(blocks.len(), 23 + 1, "{blocks:?}");
        // A narrow source is not widened into private space.
        let narrow = net_set(&"11.0.0.0/8".parse().expect("cidr"));
        assert_eq!(
            shown(&narrow, &not_net)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["11.0.0.0/8"]
        );
    }

    #[test]
    fn first_match_honours_rule_order() {
        let deny = acl_entry(
            90,
            false,
            Protocol::Tcp,
            RuleAction::Deny,
            "192.0.2.0/24",
            Some((22, 22)),
        );
        let allow = acl_entry(
            100,
            false,
            Protocol::Tcp,
            RuleAction::Allow,
            "0.0.0.0/0",
            Some((22, 22)),
        );
        let (pass, denied) = acl_first_match(
            &[&deny, &allow],
            Protocol::Tcp,
            PortRange::single(22),
            "acl-1",
        );
        assert!(
            !pass
                .allowed
                .contains(ip_point("192.0.2.7".parse().expect("ip")))
        );
        assert!(
            pass.allowed
                .contains(ip_point("198.51.100.7".parse().expect("ip")))
        );
        assert!(denied.iter().any(|(_, h)| h.detail.contains("entry 90")));
        assert!(
            denied
                .iter()
                .any(|(_, h)| h.detail.contains("implicit deny")),
            "IPv6 falls to the implicit deny"
        );
    }

    #[test]
    fn elementary_intervals_split_at_every_boundary() {
        let parts = elementary(
            PortRange::ALL,
            [PortRange::new(22, 22), PortRange::new(20, 30)],
        );
        assert_eq!(
            parts,
            [
                PortRange::new(0, 19),
                PortRange::new(20, 21),
                PortRange::single(22),
                PortRange::new(23, 30),
                PortRange::new(31, 65535)
            ]
        );
    }
}
