//! Internet exposure of every network interface, instance and load
//! balancer: which protocols and ports, from which internet sources,
//! directly or through which load balancer, and the hop-by-hop evidence.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use serde::Serialize;

use super::hops::{
    AclCache, Addrs, EPHEMERAL, Hop, HopKind, Pass, Site, all_v4, all_v6, elementary, entry_ports,
    groups_pass, internet, internet_gateways, is_world, not_internet, port_space, public_families,
    route_claims, routed_pass, rule_ports, shown, v4_point,
};
use crate::graph::{Graph, NodeId};
use crate::model::network::{PortRange, Protocol};
use crate::model::{EdgeKind, NodeData, NodeKind};

/// How the internet reaches the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    Direct,
    LoadBalancer,
}

/// One way a resource is open to the internet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exposure {
    /// The instance id (for an instance's interface), else the interface id,
    /// or the load balancer's ARN.
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `all` (every protocol and port),
    /// `other` (every protocol but those four) or a protocol number.
    pub protocol: Protocol,
    /// Ports for TCP/UDP (the listener's, via a load balancer); ICMP types for ICMP.
    pub from_port: u16,
    pub to_port: u16,
    /// The internet sources that get through, as CIDR blocks.
    pub sources: Vec<IpNet>,
    /// Every internet address of the families reached gets through.
    pub world: bool,
    pub via: Via,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_port: Option<u16>,
    /// The network interface the traffic arrives on (none for a load balancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    pub path: Vec<Hop>,
    #[serde(skip)]
    pub source_set: Addrs,
    /// The graph's node for `resource`.
    #[serde(skip)]
    pub node: NodeId,
}

impl Exposure {
    /// "tcp 22", "all traffic", "icmp type 8".
    pub fn service(&self) -> String {
        let ports = PortRange::new(self.from_port, self.to_port);
        match self.protocol {
            Protocol::All => "all traffic".to_string(),
            Protocol::Other => "other protocols".to_string(),
            Protocol::Icmp | Protocol::Icmpv6 if ports == PortRange::new(0, 255) => {
                format!("{} all types", self.protocol)
            }
            Protocol::Icmp | Protocol::Icmpv6 => format!("{} type {ports}", self.protocol),
            Protocol::Tcp | Protocol::Udp if ports == PortRange::ALL => {
                format!("{} all ports", self.protocol)
            }
            p => format!("{p} {ports}"),
        }
    }

    /// "the world" or the blocks.
    pub fn sources_label(&self) -> String {
        if self.world {
            let mut fams = Vec::new();
            if self.source_set.intersects(&all_v4()) {
                fams.push("0.0.0.0/0");
            }
            if self.source_set.intersects(&all_v6()) {
                fams.push("::/0");
            }
            format!("the world ({})", fams.join(", "))
        } else {
            let list: Vec<String> = self.sources.iter().map(ToString::to_string).collect();
            if list.len() > 4 {
                format!(
                    "{} and {} more blocks",
                    list[..4].join(", "),
                    list.len() - 4
                )
            } else {
                list.join(", ")
            }
        }
    }
}

/// A receiving interface with everything the analysis needs about it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub eni: NodeId,
    pub eni_id: String,
    /// The instance id, else the interface id.
    pub resource: String,
    pub resource_node: NodeId,
    pub site: Site,
    pub groups: Vec<String>,
    pub public_v4: Vec<(Ipv4Addr, String)>,
    pub ipv6: Vec<Ipv6Addr>,
    pub private_v4: Option<Ipv4Addr>,
    pub device_index: Option<u32>,
    /// The one TCP port the resource answers on, where only one is served
    /// (a database's): other ports reach nothing.
    pub serves: Option<u16>,
}

impl Endpoint {
    pub fn of(graph: &Graph, eni: NodeId) -> Option<Endpoint> {
        let node = graph.node(eni);
        let NodeData::NetworkInterface(e) = &node.data else {
            return None;
        };
        // The instance it is attached to, else the database it serves.
        let instance = e
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_deref())
            .and_then(|i| graph.by_id(i))
            .or_else(|| {
                graph
                    .outgoing(eni)
                    .find(|x| {
                        x.kind == EdgeKind::InterfaceOf
                            && graph.node(x.to).kind() == NodeKind::DbInstance
                    })
                    .map(|x| x.to)
            });
        let (resource, resource_node) = match instance {
            Some(i) => (graph.node(i).id.clone(), i),
            None => (node.id.clone(), eni),
        };
        let public_v4 = e
            .private_ips
            .iter()
            .filter_map(|p| {
                let a = p.association.as_ref()?;
                let how = match (&a.allocation_id, a.ip_owner_id.as_deref()) {
                    (Some(alloc), _) => format!("Elastic IP {alloc} on private {}", p.address),
                    (None, Some("amazon")) | (None, None) => {
                        format!("auto-assigned public IP on private {}", p.address)
                    }
                    (None, Some(owner)) => {
                        format!("public IP owned by {owner} on private {}", p.address)
                    }
                };
                Some((a.public_ip, how))
            })
            .collect();
        Some(Endpoint {
            eni,
            eni_id: node.id.clone(),
            resource,
            resource_node,
            site: e
                .subnet_id
                .as_deref()
                .map(|s| Site::of_subnet(graph, s))
                .unwrap_or(Site {
                    subnet: None,
                    vpc_id: e.vpc_id.clone(),
                    route_table: None,
                    main_route_table: false,
                    acl: None,
                }),
            groups: e.security_group_ids.clone(),
            public_v4,
            ipv6: e.ipv6_addresses.clone(),
            private_v4: e.primary_private_ip(),
            device_index: e.attachment.as_ref().and_then(|a| a.device_index),
            serves: match &graph.node(resource_node).data {
                NodeData::DbInstance(db) => db.port,
                _ => None,
            },
        })
    }

    fn public_pass(&self) -> Pass {
        let v4: Vec<Ipv4Addr> = self.public_v4.iter().map(|(a, _)| *a).collect();
        let allowed = public_families(&v4, &self.ipv6);
        let mut evidence = Vec::new();
        for (ip, how) in &self.public_v4 {
            evidence.push((
                all_v4(),
                Hop::new(
                    HopKind::PublicAddress,
                    &self.eni_id,
                    format!("{ip} ({how})"),
                ),
            ));
        }
        for ip in &self.ipv6 {
            evidence.push((
                all_v6(),
                Hop::new(
                    HopKind::PublicAddress,
                    &self.eni_id,
                    format!("{ip} (IPv6, globally routable)"),
                ),
            ));
        }
        Pass { allowed, evidence }
    }
}

/// Every hop's answer for one endpoint, protocol and port interval.
#[derive(Debug, Clone)]
pub struct HopAnswers {
    pub routed: Pass,
    pub public: Pass,
    pub acl_in: Pass,
    pub acl_in_denied: Vec<(Addrs, Hop)>,
    pub groups: Pass,
    pub group_references: Vec<Hop>,
    /// The security groups checked, to name them when none allows.
    pub group_ids: Vec<String>,
    pub reply: Pass,
    pub reply_denied: Vec<(Addrs, Hop)>,
    /// Whether the reply check applies (not for ICMP types without a reply).
    pub reply_checked: bool,
}

impl HopAnswers {
    pub fn reaching(&self, candidates: &Addrs) -> Addrs {
        let mut s = candidates
            .intersect(&self.routed.allowed)
            .intersect(&self.public.allowed)
            .intersect(&self.acl_in.allowed)
            .intersect(&self.groups.allowed);
        if self.reply_checked {
            s = s.intersect(&self.reply.allowed);
        }
        s
    }
}

/// The engine, with its caches; one per graph.
pub struct Engine<'g> {
    pub graph: &'g Graph,
    acls: AclCache,
    routes: HashMap<(NodeId, String), Pass>,
    internet: Addrs,
    outside: HashMap<Option<String>, (Addrs, Addrs)>,
}

/// Addresses with the family a protocol exists in.
pub fn family_of(p: Protocol) -> Addrs {
    match p {
        Protocol::Icmp => all_v4(),
        Protocol::Icmpv6 => all_v6(),
        _ => Addrs::full(),
    }
}

/// Does the reply check apply to this interval of this protocol?
fn needs_reply(p: Protocol, iv: PortRange) -> bool {
    match p {
        Protocol::Icmp => iv.contains(8),
        Protocol::Icmpv6 => iv.contains(128),
        _ => true,
    }
}

fn dedup(hops: impl IntoIterator<Item = Hop>) -> Vec<Hop> {
    let mut seen = BTreeSet::new();
    hops.into_iter()
        .filter(|h| seen.insert(h.clone()))
        .collect()
}

impl<'g> Engine<'g> {
    pub fn new(graph: &'g Graph) -> Engine<'g> {
        Engine {
            graph,
            acls: AclCache::default(),
            routes: HashMap::new(),
            internet: internet(),
            outside: HashMap::new(),
        }
    }

    pub fn internet(&self) -> &Addrs {
        &self.internet
    }

    /// (internet sources as seen from a VPC, addresses that are not): the
    /// VPC's own blocks never come from the internet.
    pub fn seen_from(&mut self, vpc: Option<&str>) -> (Addrs, Addrs) {
        let graph = self.graph;
        self.outside
            .entry(vpc.map(str::to_string))
            .or_insert_with(|| {
                let not = not_internet(graph, vpc);
                (not.complement(), not)
            })
            .clone()
    }

    /// The clients whose replies a site routes to an attached internet gateway.
    pub fn routed(&mut self, site: &Site) -> Pass {
        let Some(rt) = site.route_table else {
            let id = site
                .subnet
                .map(|s| self.graph.node(s).id.clone())
                .unwrap_or_default();
            return Pass {
                allowed: Addrs::full(),
                evidence: vec![(
                    Addrs::full(),
                    Hop::assumed(
                        HopKind::RouteTable,
                        id,
                        "route table not collected: assumed to route to the internet",
                    ),
                )],
            };
        };
        let vpc = site.vpc_id.clone().unwrap_or_default();
        let graph = self.graph;
        self.routes
            .entry((rt, vpc.clone()))
            .or_insert_with(|| {
                routed_pass(&route_claims(graph, rt, &vpc, site.main_route_table), &vpc)
            })
            .clone()
    }

    fn acl_in(&mut self, site: &Site, p: Protocol, iv: PortRange) -> (Pass, Vec<(Addrs, Hop)>) {
        match site.acl {
            Some(acl) => self.acls.inbound(self.graph, acl, p, iv).clone(),
            None => (not_collected_acl(site, self.graph), Vec::new()),
        }
    }

    fn acl_reply(&mut self, site: &Site, p: Protocol) -> (Pass, Vec<(Addrs, Hop)>) {
        match site.acl {
            Some(acl) => self.acls.reply(self.graph, acl, p).clone(),
            None => (not_collected_acl(site, self.graph), Vec::new()),
        }
    }

    /// Every hop's answer for one endpoint.
    pub fn answers(&mut self, ep: &Endpoint, p: Protocol, iv: PortRange) -> HopAnswers {
        let routed = self.routed(&ep.site);
        let public = ep.public_pass();
        let (acl_in, acl_in_denied) = self.acl_in(&ep.site, p, iv);
        let (groups, group_references) = groups_pass(self.graph, &ep.groups, false, p, iv);
        let (reply, reply_denied) = self.acl_reply(&ep.site, p);
        HopAnswers {
            routed,
            public,
            acl_in,
            acl_in_denied,
            groups,
            group_references,
            group_ids: ep.groups.clone(),
            reply,
            reply_denied,
            reply_checked: needs_reply(p, iv),
        }
    }

    /// The protocol classes and port intervals worth evaluating for a set of
    /// security groups: those some CIDR or prefix-list rule opens.
    pub fn intervals(&self, groups: &[String], site: &Site) -> Vec<(Protocol, PortRange)> {
        let mut classes: BTreeSet<Protocol> = BTreeSet::new();
        let mut rules = Vec::new();
        let mut unknown_group = false;
        for gid in groups {
            match self.graph.by_id(gid).map(|g| &self.graph.node(g).data) {
                Some(NodeData::SecurityGroup(sg)) => {
                    for r in sg.ingress.iter().filter(|r| {
                        !r.ipv4.is_empty() || !r.ipv6.is_empty() || !r.prefix_lists.is_empty()
                    }) {
                        match r.protocol {
                            Protocol::All => classes.extend([
                                Protocol::Tcp,
                                Protocol::Udp,
                                Protocol::Icmp,
                                Protocol::Icmpv6,
                                Protocol::Other,
                            ]),
                            p => {
                                classes.insert(p);
                            }
                        }
                        rules.push(r);
                    }
                }
                _ => unknown_group = true,
            }
        }
        if unknown_group {
            classes.extend([
                Protocol::Tcp,
                Protocol::Udp,
                Protocol::Icmp,
                Protocol::Icmpv6,
                Protocol::Other,
            ]);
        }
        let acl_entries: Vec<crate::model::network::NaclEntry> = site
            .acl
            .and_then(|a| match &self.graph.node(a).data {
                NodeData::NetworkAcl(acl) => {
                    Some(acl.entries.iter().filter(|e| !e.egress).cloned().collect())
                }
                _ => None,
            })
            .unwrap_or_default();
        let mut out = Vec::new();
        for p in classes {
            let opened: Vec<PortRange> = rules.iter().filter_map(|r| rule_ports(r, p)).collect();
            if opened.is_empty() && !unknown_group {
                continue;
            }
            let bounds = opened
                .iter()
                .copied()
                .chain(acl_entries.iter().filter_map(|e| entry_ports(e, p)));
            for iv in elementary(port_space(p), bounds) {
                if unknown_group || opened.iter().any(|r| r.from <= iv.from && iv.to <= r.to) {
                    out.push((p, iv));
                }
            }
        }
        out
    }

    /// Direct exposures of one interface.
    pub fn direct(&mut self, ep: &Endpoint) -> Vec<Exposure> {
        let public = ep.public_pass();
        if public.allowed.is_empty() {
            return Vec::new();
        }
        let routed = self.routed(&ep.site);
        // Sets are kept whole (0.0.0.0/0, not its public part) so that the
        // answer reads as the rules do; only the internet part decides.
        let base = public.allowed.intersect(&routed.allowed);
        let (net, _) = self.seen_from(ep.site.vpc_id.as_deref());
        if !base.intersects(&net) {
            return Vec::new();
        }
        let mut raw: Vec<(Protocol, PortRange, Addrs, Vec<Hop>)> = Vec::new();
        for (p, iv) in self.intervals(&ep.groups, &ep.site) {
            let iv = match ep.serves {
                None => iv,
                Some(port) if p == Protocol::Tcp && iv.contains(port) => PortRange::new(port, port),
                Some(_) => continue,
            };
            let answers = self.answers(ep, p, iv);
            let reach = answers.reaching(&base.intersect(&family_of(p)));
            if !reach.intersects(&net) {
                continue;
            }
            raw.push((p, iv, reach.clone(), self.direct_path(ep, &answers, &reach)));
        }
        self.finish(ep, raw, Via::Direct, None, None)
    }

    pub fn direct_path(&self, ep: &Endpoint, a: &HopAnswers, reach: &Addrs) -> Vec<Hop> {
        let mut path: Vec<Hop> = Vec::new();
        for hop in a.routed.evidence_for(reach) {
            path.push(hop.clone());
            if hop.kind == HopKind::InternetGateway {
                if let Some(ip) = ep.private_v4 {
                    path.extend(ingress_routing(self.graph, &hop.id, ip));
                }
            }
        }
        path.extend(a.public.evidence_for(reach).cloned());
        path.extend(a.acl_in.evidence_for(reach).cloned());
        path.extend(a.groups.evidence_for(reach).cloned());
        if a.reply_checked {
            path.extend(a.reply.evidence_for(reach).cloned());
        }
        let at = match (ep.device_index, ep.private_v4) {
            (Some(d), Some(ip)) => format!("device index {d}, private {ip}"),
            (None, Some(ip)) => format!("private {ip}"),
            _ => String::new(),
        };
        let of = if ep.resource != ep.eni_id {
            let state = match &self.graph.node(ep.resource_node).data {
                NodeData::Instance(i) => i
                    .state
                    .as_deref()
                    .filter(|s| *s != "running")
                    .map(|s| format!(" (instance {s}: open again when it runs)")),
                _ => None,
            };
            format!(" of {}{}", ep.resource, state.unwrap_or_default())
        } else {
            String::new()
        };
        path.push(Hop::new(
            HopKind::NetworkInterface,
            &ep.eni_id,
            format!("{at}{of}").trim().to_string(),
        ));
        dedup(path)
    }

    /// Merge adjacent port intervals with the same answer, collapse "every
    /// protocol" into one `all` row, and make exposures.
    fn finish(
        &self,
        ep: &Endpoint,
        raw: Vec<(Protocol, PortRange, Addrs, Vec<Hop>)>,
        via: Via,
        lb: Option<&str>,
        target_port: Option<u16>,
    ) -> Vec<Exposure> {
        let mut merged: Vec<(Protocol, PortRange, Addrs, Vec<Hop>)> = Vec::new();
        for (p, iv, set, path) in raw {
            if let Some(last) = merged.last_mut() {
                if last.0 == p
                    && u32::from(last.1.to) + 1 == u32::from(iv.from)
                    && last.2 == set
                    && last.3 == path
                {
                    last.1.to = iv.to;
                    continue;
                }
            }
            merged.push((p, iv, set, path));
        }
        let node = self.graph.node(ep.resource_node);
        let outside = self
            .outside
            .get(&ep.site.vpc_id)
            .map(|o| o.1.clone())
            .unwrap_or_else(|| not_internet(self.graph, ep.site.vpc_id.as_deref()));
        let make = |p: Protocol, iv: PortRange, set: Addrs, path: Vec<Hop>| Exposure {
            resource: ep.resource.clone(),
            name: node.name.clone(),
            account: node.account.clone(),
            region: node.region.clone(),
            protocol: p,
            from_port: iv.from,
            to_port: iv.to,
            sources: shown(&set, &outside),
            world: is_world(&set, &outside),
            via,
            load_balancer: lb.map(str::to_string),
            target_port,
            interface: Some(ep.eni_id.clone()),
            path,
            source_set: set,
            node: ep.resource_node,
        };
        if let Some(all) = collapse_all(&merged) {
            return vec![make(Protocol::All, PortRange::ALL, all.0, all.1)];
        }
        merged
            .into_iter()
            .map(|(p, iv, set, path)| make(p, iv, set, path))
            .collect()
    }
}

fn not_collected_acl(site: &Site, graph: &Graph) -> Pass {
    let id = site
        .subnet
        .map(|s| graph.node(s).id.clone())
        .unwrap_or_default();
    Pass {
        allowed: Addrs::full(),
        evidence: vec![(
            Addrs::full(),
            Hop::assumed(
                HopKind::NetworkAcl,
                id,
                "network ACL not collected: assumed to allow",
            ),
        )],
    }
}

/// When TCP and UDP on every port, ICMP, ICMPv6 and every other protocol
/// reach the same sources, that is "all traffic".
fn collapse_all(rows: &[(Protocol, PortRange, Addrs, Vec<Hop>)]) -> Option<(Addrs, Vec<Hop>)> {
    let find = |p: Protocol| -> Vec<&(Protocol, PortRange, Addrs, Vec<Hop>)> {
        rows.iter().filter(|r| r.0 == p).collect()
    };
    let other = find(Protocol::Other);
    let [other] = other.as_slice() else {
        return None;
    };
    let set = &other.2;
    for (p, space, family) in [
        (Protocol::Tcp, PortRange::ALL, Addrs::full()),
        (Protocol::Udp, PortRange::ALL, Addrs::full()),
        (Protocol::Icmp, PortRange::new(0, 255), all_v4()),
        (Protocol::Icmpv6, PortRange::new(0, 255), all_v6()),
    ] {
        let want = set.intersect(&family);
        let got = find(p);
        match got.as_slice() {
            [] if want.is_empty() => {}
            [one] if one.1 == space && one.2 == want => {}
            _ => return None,
        }
    }
    let path = dedup(rows.iter().flat_map(|r| r.3.iter().cloned()));
    Some((set.clone(), path))
}

/// Ingress routing: a route table associated with the internet gateway
/// that sends traffic for the destination through an appliance first.
/// The appliance is named as a hop; what it filters is not known.
fn ingress_routing(graph: &Graph, igw: &str, dest: Ipv4Addr) -> Vec<Hop> {
    let Some(gw) = graph.by_id(igw) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rt in graph.neighbours(gw, EdgeKind::IngressRoutedBy, Direction::Outgoing) {
        let node = graph.node(rt);
        let NodeData::RouteTable(table) = &node.data else {
            continue;
        };
        let best = table
            .routes
            .iter()
            .filter_map(|r| match &r.destination {
                crate::model::network::Destination::Ipv4(n) if n.contains(&dest) => {
                    Some((n.prefix_len(), r))
                }
                _ => None,
            })
            .max_by_key(|(len, _)| *len);
        if let Some((_, r)) = best {
            if !matches!(r.target, crate::model::network::RouteTarget::Local) {
                out.push(Hop::new(
                    HopKind::RouteTable,
                    &node.id,
                    format!(
                        "ingress routing: {igw} sends {} through {} before it reaches the subnet",
                        r.destination, r.target
                    ),
                ));
            }
        }
    }
    out
}

/// Every interface that is not a load balancer's or a NAT gateway's own.
fn plain_interfaces(graph: &Graph) -> impl Iterator<Item = NodeId> + '_ {
    graph
        .nodes_of(NodeKind::NetworkInterface)
        .filter_map(move |(id, n)| {
            let NodeData::NetworkInterface(e) = &n.data else {
                return None;
            };
            let lb_owned = graph.outgoing(id).any(|x| {
                x.kind == EdgeKind::InterfaceOf && graph.node(x.to).kind() == NodeKind::LoadBalancer
            }) || e.load_balancer_suffix().is_some();
            let nat = e.interface_type == Some(crate::model::InterfaceType::NatGateway);
            (!lb_owned && !nat).then_some(id)
        })
}

/// Listener protocols as IP protocols.
pub fn listener_protocols(protocol: Option<&str>) -> Vec<Protocol> {
    match protocol.unwrap_or("TCP").to_ascii_uppercase().as_str() {
        "UDP" => vec![Protocol::Udp],
        "TCP_UDP" => vec![Protocol::Tcp, Protocol::Udp],
        "GENEVE" => vec![],
        _ => vec![Protocol::Tcp],
    }
}

/// One zone of a load balancer: its subnet's site and the addresses it
/// takes traffic from the internet for, with the evidence.
#[derive(Debug, Clone)]
pub struct ZoneReach {
    pub subnet_id: String,
    pub site: Site,
    pub reach: Addrs,
    pub path: Vec<Hop>,
    pub blocks: Vec<Hop>,
}

/// A load balancer listener's reach from the internet.
#[derive(Debug, Clone)]
pub struct ListenerReach {
    pub listener: NodeId,
    pub port: u16,
    pub protocol: Protocol,
    pub zones: Vec<ZoneReach>,
}

impl ListenerReach {
    pub fn sources(&self) -> Addrs {
        self.zones
            .iter()
            .fold(Addrs::empty(), |acc, z| acc.union(&z.reach))
    }
}

impl Engine<'_> {
    /// For each listener of an internet-facing load balancer and each of its
    /// protocols: which internet sources each zone accepts.
    pub fn listeners(&mut self, lb: NodeId, restrict: &Addrs) -> Vec<ListenerReach> {
        let graph = self.graph;
        let node = graph.node(lb);
        let NodeData::LoadBalancer(l) = &node.data else {
            return Vec::new();
        };
        if !l.is_internet_facing() {
            return Vec::new();
        }
        let families = if l
            .ip_address_type
            .as_deref()
            .is_some_and(|t| t.starts_with("dualstack"))
        {
            Addrs::full()
        } else {
            all_v4()
        };
        let (net, _) = self.seen_from(l.vpc_id.as_deref());
        let mut out = Vec::new();
        let mut listeners: Vec<NodeId> = graph
            .neighbours(lb, EdgeKind::ListenerOf, Direction::Incoming)
            .collect();
        listeners.sort_by_key(|x| match &graph.node(*x).data {
            NodeData::Listener(li) => li.port,
            _ => None,
        });
        for lid in listeners {
            let NodeData::Listener(li) = &graph.node(lid).data else {
                continue;
            };
            let Some(port) = li.port else { continue };
            for p in listener_protocols(li.protocol.as_deref()) {
                let iv = PortRange::single(port);
                let mut zones = Vec::new();
                for z in &l.zones {
                    let site = Site::of_subnet(graph, &z.subnet_id);
                    let routed = self.routed(&site);
                    let (acl_in, acl_denied) = self.acl_in(&site, p, iv);
                    let (reply, reply_denied) = self.acl_reply(&site, p);
                    let (groups, refs) = if l.security_group_ids.is_empty() {
                        let hop = Hop::new(
                            HopKind::LoadBalancer,
                            &node.id,
                            "no security groups (a network load balancer without security groups filters nothing)",
                        );
                        (
                            Pass {
                                allowed: Addrs::full(),
                                evidence: vec![(Addrs::full(), hop)],
                            },
                            Vec::new(),
                        )
                    } else {
                        groups_pass(graph, &l.security_group_ids, false, p, iv)
                    };
                    // A load balancer is public by its scheme: no address check.
                    let a = HopAnswers {
                        routed,
                        public: Pass {
                            allowed: Addrs::full(),
                            evidence: Vec::new(),
                        },
                        acl_in,
                        acl_in_denied: acl_denied,
                        groups,
                        group_references: refs,
                        group_ids: l.security_group_ids.clone(),
                        reply,
                        reply_denied,
                        reply_checked: true,
                    };
                    let candidates = families.intersect(restrict).intersect(&family_of(p));
                    let mut reach = a.reaching(&candidates);
                    if !reach.intersects(&net) {
                        reach = Addrs::empty();
                    }
                    let candidates = candidates.intersect(&net);
                    let mut path: Vec<Hop> = a.routed.evidence_for(&reach).cloned().collect();
                    path.extend(a.acl_in.evidence_for(&reach).cloned());
                    path.extend(a.groups.evidence_for(&reach).cloned());
                    path.extend(a.reply.evidence_for(&reach).cloned());
                    let mut blocks = Vec::new();
                    if reach.is_empty() {
                        blocks = block_hops(self, &site, &candidates, &a, None);
                    }
                    zones.push(ZoneReach {
                        subnet_id: z.subnet_id.clone(),
                        site,
                        reach,
                        path: dedup(path),
                        blocks,
                    });
                }
                out.push(ListenerReach {
                    listener: lid,
                    port,
                    protocol: p,
                    zones,
                });
            }
        }
        out
    }

    /// Direct exposures of a load balancer: each listener the internet reaches.
    pub fn load_balancer(&mut self, lb: NodeId) -> Vec<Exposure> {
        let graph = self.graph;
        let node = graph.node(lb);
        let vpc = match &node.data {
            NodeData::LoadBalancer(l) => l.vpc_id.clone(),
            _ => None,
        };
        let (_, outside) = self.seen_from(vpc.as_deref());
        let mut out = Vec::new();
        for lr in self.listeners(lb, &Addrs::full()) {
            let set = lr.sources();
            if set.is_empty() {
                continue;
            }
            let mut path = vec![lb_hop(graph, lb), listener_hop(graph, lr.listener)];
            for z in lr.zones.iter().filter(|z| !z.reach.is_empty()) {
                path.extend(z.path.iter().cloned());
            }
            out.push(Exposure {
                resource: node.id.clone(),
                name: node.name.clone(),
                account: node.account.clone(),
                region: node.region.clone(),
                protocol: lr.protocol,
                from_port: lr.port,
                to_port: lr.port,
                sources: shown(&set, &outside),
                world: is_world(&set, &outside),
                via: Via::Direct,
                load_balancer: None,
                target_port: None,
                interface: None,
                path: dedup(path),
                source_set: set,
                node: lb,
            });
        }
        out
    }

    /// Exposures of the targets behind a load balancer.
    pub fn targets(&mut self, lb: NodeId) -> Vec<Exposure> {
        let graph = self.graph;
        let mut out = Vec::new();
        for lr in self.listeners(lb, &Addrs::full()) {
            if lr.sources().is_empty() {
                continue;
            }
            for (tg, target, target_port) in forwarded_targets(graph, lr.listener) {
                let Some(ep) = target_endpoint(graph, target) else {
                    continue;
                };
                if let Ok(TargetReach { sources, path }) =
                    self.lb_to_target(lb, &lr, tg, &ep, target_port)
                {
                    let mut ex = self.finish(
                        &ep,
                        vec![(lr.protocol, PortRange::single(lr.port), sources, path)],
                        Via::LoadBalancer,
                        Some(&graph.node(lb).id),
                        Some(target_port),
                    );
                    out.append(&mut ex);
                }
            }
        }
        out
    }

    /// Whether a load balancer's zones reach a target, and from which
    /// internet sources; or every reason it does not.
    pub fn lb_to_target(
        &mut self,
        lb: NodeId,
        lr: &ListenerReach,
        tg: NodeId,
        ep: &Endpoint,
        target_port: u16,
    ) -> Result<TargetReach, Vec<Hop>> {
        let graph = self.graph;
        let NodeData::LoadBalancer(l) = &graph.node(lb).data else {
            return Err(Vec::new());
        };
        let p = lr.protocol;
        let tiv = PortRange::single(target_port);
        let target_ip = ep.private_v4.map(v4_point);
        let is_nlb = l.lb_type == crate::model::LoadBalancerType::Network;
        let target_is_instance = ep.resource != ep.eni_id;
        // An NLB passes the client's own address to instance targets.
        let preserves_client = is_nlb && target_is_instance;
        let mut sources = Addrs::empty();
        let mut path = Vec::new();
        let mut blocks = Vec::new();
        let (t_groups, t_refs) = groups_pass(graph, &ep.groups, false, p, tiv);
        let lb_referenced = rule_names_group(
            graph,
            &ep.groups,
            false,
            p,
            target_port,
            &l.security_group_ids,
        );
        for z in lr.zones.iter().filter(|z| !z.reach.is_empty()) {
            let zone_cidr = z.site.subnet_addrs(graph);
            // Where the target sees the traffic come from.
            let from = if preserves_client {
                z.reach.clone()
            } else {
                zone_cidr.clone()
            };
            let mut zone_blocks = Vec::new();
            let mut zone_path = Vec::new();
            // Target security groups: the load balancer's group, or CIDRs.
            let sg_ok = if preserves_client {
                let s = from.intersect(&t_groups.allowed);
                zone_path.extend(t_groups.evidence_for(&s).cloned());
                !s.is_empty()
            } else if lb_referenced {
                zone_path.push(Hop::new(
                    HopKind::SecurityGroup,
                    ep.groups.join(","),
                    format!(
                        "allows {} {target_port} from the load balancer's security group",
                        p
                    ),
                ));
                true
            } else if !zone_cidr.is_empty() && zone_cidr.is_subset_of(&t_groups.allowed) {
                zone_path.extend(t_groups.evidence_for(&zone_cidr).cloned());
                true
            } else {
                false
            };
            if !sg_ok {
                let mut detail = format!(
                    "no rule of {} allows {p} {target_port} from the load balancer ({}{})",
                    ep.groups.join(", "),
                    if preserves_client {
                        "client addresses, which the NLB preserves"
                    } else {
                        "its security group or subnet "
                    },
                    if preserves_client {
                        String::new()
                    } else {
                        z.subnet_id.clone()
                    }
                );
                if !t_refs.is_empty() {
                    detail.push_str("; group references allow other groups only");
                }
                zone_blocks.push(Hop::new(
                    HopKind::SecurityGroup,
                    ep.groups.join(","),
                    detail,
                ));
            }
            // The load balancer's own egress rules must let it reach the target.
            if !l.security_group_ids.is_empty() {
                let (egress, _) = groups_pass(graph, &l.security_group_ids, true, p, tiv);
                let by_ref = rule_names_group(
                    graph,
                    &l.security_group_ids,
                    true,
                    p,
                    target_port,
                    &ep.groups,
                );
                let by_cidr = target_ip.is_some_and(|ip| egress.allowed.contains(ip));
                if by_ref || by_cidr {
                    if let Some(ip) = target_ip.filter(|_| by_cidr) {
                        zone_path.extend(egress.evidence_for(&Addrs::range(ip, ip)).cloned());
                    }
                } else {
                    zone_blocks.push(Hop::new(HopKind::SecurityGroup, l.security_group_ids.join(","), format!("the load balancer's egress rules do not allow {p} {target_port} to the target")));
                }
            }
            // Network ACLs on both sides, unless both ends share a subnet.
            if z.site.subnet != ep.site.subnet {
                if let (Some(acl), Some(ip)) = (ep.site.acl, target_ip) {
                    let (pass, denied) = self.acls.inbound(graph, acl, p, tiv).clone();
                    let s = pass.allowed.intersect(&from);
                    if s.is_empty() {
                        zone_blocks.extend(
                            denied
                                .iter()
                                .filter(|(d, _)| d.intersects(&from))
                                .map(|(_, h)| h.clone())
                                .take(1),
                        );
                    } else {
                        zone_path.extend(pass.evidence_for(&s).cloned());
                    }
                    let (reply, rdenied) = self.acls.reply(graph, acl, p).clone();
                    if !reply.allowed.intersects(&from) {
                        zone_blocks.extend(
                            rdenied
                                .iter()
                                .filter(|(d, _)| d.intersects(&from))
                                .map(|(_, h)| h.clone())
                                .take(1),
                        );
                    }
                    if let Some(lb_acl) = z.site.acl {
                        let out_ok = acl_outbound_allows(graph, lb_acl, p, tiv, ip);
                        if let Err(h) = out_ok {
                            zone_blocks.push(h);
                        }
                        let (back, bdenied) = acl_ephemeral_inbound(graph, lb_acl, p, ip);
                        if !back {
                            zone_blocks.extend(bdenied);
                        }
                    }
                }
            }
            if zone_blocks.is_empty() {
                let got = if preserves_client {
                    from.intersect(&t_groups.allowed)
                } else {
                    z.reach.clone()
                };
                sources = sources.union(&got);
                path.extend(z.path.iter().cloned());
                path.extend(zone_path);
            } else {
                blocks.extend(zone_blocks);
            }
        }
        if sources.is_empty() {
            return Err(dedup(blocks));
        }
        let mut full = vec![
            lb_hop(graph, lb),
            listener_hop(graph, lr.listener),
            target_group_hop(graph, tg, &ep.resource, target_port),
        ];
        full.extend(path);
        full.push(Hop::new(
            HopKind::NetworkInterface,
            &ep.eni_id,
            format!("receives {p} {target_port} from the load balancer"),
        ));
        Ok(TargetReach {
            sources,
            path: dedup(full),
        })
    }
}

/// A target's reach through a load balancer.
pub struct TargetReach {
    pub sources: Addrs,
    pub path: Vec<Hop>,
}

use crate::graph::Direction;

pub fn lb_hop(graph: &Graph, lb: NodeId) -> Hop {
    let n = graph.node(lb);
    let (scheme, kind) = match &n.data {
        NodeData::LoadBalancer(l) => (l.scheme.clone(), l.lb_type.to_string()),
        _ => (String::new(), String::new()),
    };
    Hop::new(
        HopKind::LoadBalancer,
        &n.id,
        format!("{} {kind} load balancer {}", scheme, n.display_name()),
    )
}

pub fn listener_hop(graph: &Graph, listener: NodeId) -> Hop {
    let n = graph.node(listener);
    let detail = match &n.data {
        NodeData::Listener(l) => {
            let action = l
                .default_actions
                .first()
                .map(|a| a.action_type.clone())
                .unwrap_or_else(|| "no action".into());
            format!(
                "{} {} ({action})",
                l.protocol.as_deref().unwrap_or("?"),
                l.port.map(|p| p.to_string()).unwrap_or_default()
            )
        }
        _ => String::new(),
    };
    Hop::new(HopKind::Listener, &n.id, detail)
}

fn target_group_hop(graph: &Graph, tg: NodeId, target: &str, port: u16) -> Hop {
    let n = graph.node(tg);
    Hop::new(
        HopKind::TargetGroup,
        &n.id,
        format!("{} forwards to {target} on port {port}", n.display_name()),
    )
}

/// The target groups a listener forwards to, with each target and port.
pub fn forwarded_targets(graph: &Graph, listener: NodeId) -> Vec<(NodeId, NodeId, u16)> {
    let mut out = Vec::new();
    for tg in graph.neighbours(listener, EdgeKind::ForwardsTo, Direction::Outgoing) {
        let NodeData::TargetGroup(t) = &graph.node(tg).data else {
            continue;
        };
        for e in graph.outgoing(tg).filter(|e| e.kind == EdgeKind::Targets) {
            let port = match e.detail.as_ref() {
                Some(crate::model::EdgeDetail::Port(p)) => Some(*p),
                _ => t.port,
            };
            if let Some(port) = port {
                out.push((tg, e.to, port));
            }
        }
    }
    out
}

/// The interface a target receives traffic on: an instance's primary
/// interface, or the interface itself (IP targets).
pub fn target_endpoint(graph: &Graph, target: NodeId) -> Option<Endpoint> {
    match &graph.node(target).data {
        NodeData::NetworkInterface(_) => Endpoint::of(graph, target),
        NodeData::Instance(_) => {
            let mut enis: Vec<Endpoint> = graph
                .neighbours(target, EdgeKind::AttachedToInstance, Direction::Incoming)
                .filter_map(|e| Endpoint::of(graph, e))
                .collect();
            enis.sort_by_key(|e| e.device_index.unwrap_or(u32::MAX));
            enis.into_iter().next()
        }
        _ => None,
    }
}

/// Does a network ACL's outbound side let traffic to `ip` on the port out?
fn acl_outbound_allows(
    graph: &Graph,
    acl: NodeId,
    p: Protocol,
    iv: PortRange,
    ip: u128,
) -> Result<(), Hop> {
    let node = graph.node(acl);
    let NodeData::NetworkAcl(a) = &node.data else {
        return Ok(());
    };
    let (pass, denied) = super::hops::acl_first_match(&a.ordered_entries(true), p, iv, &node.id);
    if pass.allowed.contains(ip) {
        Ok(())
    } else {
        Err(denied
            .into_iter()
            .find(|(s, _)| s.contains(ip))
            .map(|(_, h)| h)
            .unwrap_or_else(|| {
                Hop::new(
                    HopKind::NetworkAcl,
                    &node.id,
                    "outbound traffic to the target is denied",
                )
            }))
    }
}

/// Does a network ACL let replies from `ip` back in on ephemeral ports?
fn acl_ephemeral_inbound(graph: &Graph, acl: NodeId, p: Protocol, ip: u128) -> (bool, Vec<Hop>) {
    let node = graph.node(acl);
    let NodeData::NetworkAcl(a) = &node.data else {
        return (true, Vec::new());
    };
    let entries = a.ordered_entries(false);
    let mut denied_hops = Vec::new();
    for iv in elementary(EPHEMERAL, entries.iter().filter_map(|e| entry_ports(e, p))) {
        let (pass, denied) = super::hops::acl_first_match(&entries, p, iv, &node.id);
        if pass.allowed.contains(ip) {
            return (true, Vec::new());
        }
        if denied_hops.is_empty() {
            denied_hops = denied
                .into_iter()
                .filter(|(s, _)| s.contains(ip))
                .map(|(_, h)| h)
                .collect();
        }
    }
    (false, denied_hops)
}

/// Every hop that blocks `candidates`, family by family, each with the
/// exact entry, rule or missing piece; when no hop blocks alone, the hops
/// that together leave nothing, with what each allows.
/// `interface` names the interface whose public addresses count (none for
/// a load balancer, which is public by its scheme).
pub fn block_hops(
    engine: &Engine,
    site: &Site,
    candidates: &Addrs,
    a: &HopAnswers,
    interface: Option<&str>,
) -> Vec<Hop> {
    let mut out = Vec::new();
    for family in [all_v4(), all_v6()] {
        let c = candidates.intersect(&family);
        if c.is_empty() {
            continue;
        }
        out.extend(block_hops_family(engine, site, &c, a, interface));
    }
    dedup(out)
}

fn block_hops_family(
    engine: &Engine,
    site: &Site,
    candidates: &Addrs,
    a: &HopAnswers,
    interface: Option<&str>,
) -> Vec<Hop> {
    let (routed, acl_in, acl_denied, groups, group_refs) = (
        &a.routed,
        &a.acl_in,
        &a.acl_in_denied[..],
        &a.groups,
        &a.group_references[..],
    );
    let (reply, reply_denied, reply_checked) = (&a.reply, &a.reply_denied[..], a.reply_checked);
    let public = interface.map(|eni| (&a.public, eni));
    let graph = engine.graph;
    let mut out = Vec::new();
    if candidates.is_empty() {
        return out;
    }
    // Internet gateway.
    if let Some(vpc) = &site.vpc_id {
        let igws = internet_gateways(graph, vpc);
        if igws.is_empty() {
            out.push(Hop::new(
                HopKind::InternetGateway,
                vpc,
                format!("no internet gateway is attached to {vpc}"),
            ));
        }
        for (id, attached) in &igws {
            if !attached {
                out.push(Hop::new(
                    HopKind::InternetGateway,
                    id,
                    format!("{id} is not attached to {vpc}"),
                ));
            }
        }
    }
    // Route table: what the longest prefix match does with the candidates.
    if !routed.allowed.intersects(candidates) {
        match site.route_table {
            Some(rt) => {
                let claims = route_claims(
                    graph,
                    rt,
                    site.vpc_id.as_deref().unwrap_or(""),
                    site.main_route_table,
                );
                let mut named = false;
                for c in claims.iter().filter(|c| c.claimed.intersects(candidates)) {
                    out.push(c.hop.clone());
                    named = true;
                }
                for fam in [all_v4(), all_v6()] {
                    let uncovered = candidates.intersect(&fam).subtract(
                        &claims
                            .iter()
                            .fold(Addrs::empty(), |a, c| a.union(&c.claimed)),
                    );
                    if !uncovered.is_empty() {
                        let which = if fam == all_v4() { "0.0.0.0/0" } else { "::/0" };
                        let id = graph.node(rt).id.clone();
                        out.push(Hop::new(
                            HopKind::RouteTable,
                            id,
                            format!(
                                "no route covers {which} clients: their replies have no way out"
                            ),
                        ));
                        named = true;
                    }
                }
                if !named {
                    out.push(Hop::new(
                        HopKind::RouteTable,
                        graph.node(rt).id.clone(),
                        "no route to an internet gateway",
                    ));
                }
            }
            None => out.push(Hop::new(
                HopKind::RouteTable,
                site.subnet
                    .map(|s| graph.node(s).id.clone())
                    .unwrap_or_default(),
                "the subnet has no route table",
            )),
        }
    }
    // Public address.
    if let Some((public, eni)) = public {
        if !public.allowed.intersects(candidates) {
            let what = match (
                candidates.intersects(&all_v4()),
                candidates.intersects(&all_v6()),
            ) {
                (true, true) => "no public IPv4 address and no IPv6 address",
                (true, false) => {
                    "no public IPv4 address (no auto-assigned public IP and no Elastic IP)"
                }
                _ => "no IPv6 address",
            };
            out.push(Hop::new(HopKind::PublicAddress, eni, what));
        }
    }
    // Network ACL inbound.
    if !acl_in.allowed.intersects(candidates) {
        out.extend(
            acl_denied
                .iter()
                .filter(|(s, _)| s.intersects(candidates))
                .map(|(_, h)| h.clone()),
        );
    }
    // Security groups.
    if !groups.allowed.intersects(candidates) {
        let ids = site_groups_label(&a.group_ids, groups, group_refs);
        out.push(Hop::new(
            HopKind::SecurityGroup,
            ids.clone(),
            "no rule allows this protocol and port from these sources".to_string(),
        ));
        // What the rules do allow here: the sources that would get through.
        out.extend(groups.evidence.iter().map(|(_, h)| {
            Hop::new(
                h.kind,
                h.id.clone(),
                format!("{} (only these sources)", h.detail),
            )
        }));
        out.extend(group_refs.iter().cloned());
    }
    // The reply.
    if reply_checked && !reply.allowed.intersects(candidates) {
        out.extend(
            reply_denied
                .iter()
                .filter(|(s, _)| s.intersects(candidates))
                .map(|(_, h)| h.clone()),
        );
    }
    if out.is_empty() {
        // Each hop lets some candidates through, but no candidate passes
        // them all: name what each allows.
        let mut named = BTreeMap::new();
        for (label, pass) in [
            ("route table", routed),
            ("network ACL", acl_in),
            ("security groups", groups),
            ("network ACL reply", reply),
        ] {
            let s = pass.allowed.intersect(candidates);
            if s != *candidates {
                for h in pass.evidence_for(&s) {
                    named.entry(label).or_insert_with(Vec::new).push(Hop::new(
                        h.kind,
                        h.id.clone(),
                        format!("{} (only this; no source passes every hop)", h.detail),
                    ));
                }
            }
        }
        out.extend(named.into_values().flatten());
    }
    dedup(out)
}

/// The security groups a blocking answer is about: those whose rules were
/// read, or else every group on the resource (or "no security group").
fn site_groups_label(checked: &[String], groups: &Pass, refs: &[Hop]) -> String {
    let mut ids: BTreeSet<String> = groups.evidence.iter().map(|(_, h)| h.id.clone()).collect();
    ids.extend(refs.iter().map(|h| h.id.clone()));
    if ids.is_empty() {
        ids.extend(checked.iter().cloned());
    }
    if ids.is_empty() {
        return "(no security group)".to_string();
    }
    ids.into_iter().collect::<Vec<_>>().join(",")
}

/// Every exposure in the graph, sorted by account, region and resource.
pub fn exposures(graph: &Graph) -> Vec<Exposure> {
    let mut engine = Engine::new(graph);
    let mut out = Vec::new();
    let interfaces: Vec<NodeId> = plain_interfaces(graph).collect();
    for eni in interfaces {
        if let Some(ep) = Endpoint::of(graph, eni) {
            out.extend(engine.direct(&ep));
        }
    }
    let lbs: Vec<NodeId> = graph
        .nodes_of(NodeKind::LoadBalancer)
        .map(|(id, _)| id)
        .collect();
    for lb in lbs {
        out.extend(engine.load_balancer(lb));
        out.extend(engine.targets(lb));
    }
    out.sort_by(|a, b| {
        (
            &a.account,
            &a.region,
            &a.resource,
            a.via,
            &a.protocol,
            a.from_port,
            &a.interface,
        )
            .cmp(&(
                &b.account,
                &b.region,
                &b.resource,
                b.via,
                &b.protocol,
                b.from_port,
                &b.interface,
            ))
    });
    out
}

/// The resources with at least one exposure.
pub fn exposed_resources(exposures: &[Exposure]) -> BTreeSet<&str> {
    exposures.iter().map(|e| e.resource.as_str()).collect()
}

/// The addresses of a source given by the user, or every address (of
/// which only the internet part ever counts).
pub fn source_set(source: Option<std::net::IpAddr>) -> Addrs {
    match source {
        Some(ip) => {
            let p = super::hops::ip_point(ip);
            Addrs::range(p, p)
        }
        None => Addrs::full(),
    }
}

/// Does an ingress (or egress) rule of one of `groups`, covering `port` of
/// `protocol`, name one of `others` as its source (or destination)?
fn rule_names_group(
    graph: &Graph,
    groups: &[String],
    egress: bool,
    protocol: Protocol,
    port: u16,
    others: &[String],
) -> bool {
    groups.iter().any(|g| {
        graph
            .by_id(g)
            .is_some_and(|gid| match &graph.node(gid).data {
                NodeData::SecurityGroup(sg) => {
                    let rules = if egress { &sg.egress } else { &sg.ingress };
                    rules.iter().any(|r| {
                        rule_ports(r, protocol).is_some_and(|x| x.contains(port))
                            && r.groups.iter().any(|x| others.contains(&x.group_id))
                    })
                }
                _ => false,
            })
    })
}
