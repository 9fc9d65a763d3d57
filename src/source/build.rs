//! A builder for consistent example estates, shared by the demo
//! organization and the synthetic generator: each call creates a resource
//! the way AWS would (an instance gets its primary interface, a VPC its main
//! route table, default network ACL and default security group).
//!
//! Builder methods take every property positionally, as the AWS calls do.
#![allow(clippy::too_many_arguments)]

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde_json::{Value, json};

use crate::model::network::{
    CidrSource, Destination, GroupSource, NaclEntry, PortRange, PrefixListSource, Protocol, Route,
    RouteState, RouteTableAssociation, RouteTarget, RuleAction, SgRule,
};
use crate::model::policy::PolicyDocument;
use crate::model::{self as m, Node, NodeData};

/// A deterministic id source: ids look like AWS's (`sg-0` + 16 hex digits).
#[derive(Debug, Clone)]
pub struct Ids {
    state: u64,
}

impl Ids {
    pub fn new(seed: u64) -> Ids {
        Ids {
            state: seed ^ 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// splitmix64: a small, well-mixed, reproducible sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}-0{:016x}", self.next_u64())
    }
}

/// Where resources being built go.
pub struct Estate {
    pub ids: Ids,
    pub nodes: Vec<Node>,
    pub now: DateTime<Utc>,
}

/// One region of one account, the scope most resources are built in.
#[derive(Debug, Clone)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Scope {
    pub fn new(account: &str, region: &str) -> Scope {
        Scope {
            account: account.to_string(),
            region: region.to_string(),
        }
    }
}

/// What `database` builds: an RDS DB instance where it sits, public when
/// it has a public address, encrypted when it has a key.
pub struct DbLaunch<'a> {
    pub name: &'a str,
    pub engine: &'a str,
    pub port: u16,
    pub vpc: &'a str,
    pub subnets: Vec<String>,
    pub groups: Vec<String>,
    pub private_ip: Ipv4Addr,
    pub public_ip: Option<Ipv4Addr>,
    pub key: Option<String>,
}

/// What `vpc` returns: the ids of the VPC and its defaults.
#[derive(Debug, Clone)]
pub struct VpcIds {
    pub vpc: String,
    pub main_route_table: String,
    pub default_acl: String,
    pub default_sg: String,
}

/// A security group rule under construction.
pub fn rule(protocol: Protocol, from: i32, to: i32) -> SgRule {
    SgRule {
        protocol,
        from_port: Some(from),
        to_port: Some(to),
        ipv4: vec![],
        ipv6: vec![],
        prefix_lists: vec![],
        groups: vec![],
    }
}

pub fn tcp(port: i32) -> SgRule {
    rule(Protocol::Tcp, port, port)
}

pub fn all_traffic() -> SgRule {
    SgRule {
        from_port: None,
        to_port: None,
        ..rule(Protocol::All, -1, -1)
    }
}

pub trait RuleExt {
    fn allow_cidr(self, cidr: &str) -> SgRule;
    fn allow_cidr6(self, cidr: &str) -> SgRule;
    fn allow_group(self, group: &str) -> SgRule;
    fn allow_prefix_list(self, pl: &str) -> SgRule;
    fn described(self, text: &str) -> SgRule;
}

impl RuleExt for SgRule {
    fn allow_cidr(mut self, cidr: &str) -> SgRule {
        if let Ok(c) = cidr.parse::<Ipv4Net>() {
            self.ipv4.push(CidrSource {
                cidr: c,
                description: None,
            });
        }
        self
    }
    fn allow_cidr6(mut self, cidr: &str) -> SgRule {
        if let Ok(c) = cidr.parse::<Ipv6Net>() {
            self.ipv6.push(CidrSource {
                cidr: c,
                description: None,
            });
        }
        self
    }
    fn allow_group(mut self, group: &str) -> SgRule {
        self.groups.push(GroupSource {
            group_id: group.to_string(),
            user_id: None,
            vpc_id: None,
            peering_status: None,
            description: None,
        });
        self
    }
    fn allow_prefix_list(mut self, pl: &str) -> SgRule {
        self.prefix_lists.push(PrefixListSource {
            prefix_list_id: pl.to_string(),
            description: None,
        });
        self
    }
    fn described(mut self, text: &str) -> SgRule {
        for c in &mut self.ipv4 {
            c.description = Some(text.to_string());
        }
        for c in &mut self.ipv6 {
            c.description = Some(text.to_string());
        }
        for g in &mut self.groups {
            g.description = Some(text.to_string());
        }
        self
    }
}

/// A network ACL entry.
pub fn acl_entry(
    n: u32,
    egress: bool,
    protocol: Protocol,
    action: RuleAction,
    cidr: &str,
    ports: Option<(u16, u16)>,
) -> NaclEntry {
    NaclEntry {
        rule_number: n,
        egress,
        protocol,
        action,
        cidr: cidr
            .parse::<IpNet>()
            .unwrap_or(IpNet::V4(Ipv4Net::default())),
        ports: ports.map(|(a, b)| PortRange::new(a, b)),
        icmp: None,
    }
}

/// The entries of a default network ACL: allow everything, then deny.
pub fn default_acl_entries(ipv6: bool) -> Vec<NaclEntry> {
    let mut out = Vec::new();
    for egress in [false, true] {
        out.push(acl_entry(
            100,
            egress,
            Protocol::All,
            RuleAction::Allow,
            "0.0.0.0/0",
            None,
        ));
        out.push(acl_entry(
            32767,
            egress,
            Protocol::All,
            RuleAction::Deny,
            "0.0.0.0/0",
            None,
        ));
        if ipv6 {
            out.push(acl_entry(
                101,
                egress,
                Protocol::All,
                RuleAction::Allow,
                "::/0",
                None,
            ));
            out.push(acl_entry(
                32768,
                egress,
                Protocol::All,
                RuleAction::Deny,
                "::/0",
                None,
            ));
        }
    }
    out
}

fn tags(name: &str, extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut t = BTreeMap::from([("Name".to_string(), name.to_string())]);
    for (k, v) in extra {
        t.insert(k.to_string(), v.to_string());
    }
    t
}

/// An instance to launch.
pub struct Launch<'a> {
    pub name: &'a str,
    pub subnet: &'a str,
    pub vpc: &'a str,
    pub private_ip: Ipv4Addr,
    pub public_ip: Option<Ipv4Addr>,
    pub ipv6: Option<Ipv6Addr>,
    pub groups: Vec<String>,
    pub profile_arn: Option<String>,
    pub instance_type: &'a str,
    pub imds_v2_required: bool,
    pub state: &'a str,
    pub extra_tags: &'a [(&'a str, &'a str)],
}

impl Estate {
    pub fn new(seed: u64, now: DateTime<Utc>) -> Estate {
        Estate {
            ids: Ids::new(seed),
            nodes: Vec::new(),
            now,
        }
    }

    fn regional(&self, s: &Scope, id: &str, name: Option<&str>, data: NodeData) -> Node {
        let n = Node::new(id, &s.account, data).in_region(&s.region);
        match name {
            Some(name) => n.with_tags(tags(name, &[])),
            None => n,
        }
    }

    pub fn days_ago(&self, days: i64) -> DateTime<Utc> {
        self.now - Duration::days(days)
    }

    /// A VPC with its main route table, default network ACL and default
    /// security group, as EC2 creates them.
    pub fn vpc(
        &mut self,
        s: &Scope,
        name: &str,
        cidr: &str,
        ipv6: Option<&str>,
        is_default: bool,
    ) -> VpcIds {
        let vpc = self.ids.id("vpc");
        let data = m::Vpc {
            cidr_blocks: cidr.parse().into_iter().collect(),
            ipv6_cidr_blocks: ipv6.and_then(|c| c.parse().ok()).into_iter().collect(),
            is_default,
            state: Some("available".into()),
        };
        let node = self.regional(s, &vpc, Some(name), NodeData::Vpc(data));
        self.nodes.push(node);

        let main = self.ids.id("rtb");
        let routes = local_routes(cidr, ipv6);
        let rt = m::RouteTable {
            vpc_id: vpc.clone(),
            routes,
            associations: vec![RouteTableAssociation {
                id: Some(self.ids.id("rtbassoc")),
                main: true,
                subnet_id: None,
                gateway_id: None,
            }],
        };
        let node = self.regional(
            s,
            &main,
            Some(&format!("{name}-main")),
            NodeData::RouteTable(rt),
        );
        self.nodes.push(node);

        let acl = self.ids.id("acl");
        let data = m::NetworkAcl {
            vpc_id: vpc.clone(),
            is_default: true,
            entries: default_acl_entries(ipv6.is_some()),
            subnet_ids: vec![],
        };
        let node = self.regional(s, &acl, None, NodeData::NetworkAcl(data));
        self.nodes.push(node);

        let sg = self.ids.id("sg");
        let data = m::SecurityGroup {
            vpc_id: Some(vpc.clone()),
            group_name: "default".into(),
            description: Some("default VPC security group".into()),
            ingress: vec![all_traffic().allow_group(&sg)],
            egress: vec![all_traffic().allow_cidr("0.0.0.0/0")],
        };
        let mut node = self.regional(s, &sg, None, NodeData::SecurityGroup(data));
        node.name = Some("default".into());
        self.nodes.push(node);

        VpcIds {
            vpc,
            main_route_table: main,
            default_acl: acl,
            default_sg: sg,
        }
    }

    pub fn subnet(
        &mut self,
        s: &Scope,
        vpc: &str,
        name: &str,
        cidr: &str,
        ipv6: Option<&str>,
        zone: char,
        public: bool,
    ) -> String {
        let id = self.ids.id("subnet");
        let data = m::Subnet {
            vpc_id: vpc.to_string(),
            cidr_block: cidr.parse().ok(),
            ipv6_cidr_blocks: ipv6.and_then(|c| c.parse().ok()).into_iter().collect(),
            availability_zone: Some(format!("{}{zone}", s.region)),
            map_public_ip_on_launch: public,
            assign_ipv6_on_creation: ipv6.is_some(),
        };
        let mut node = self.regional(s, &id, Some(name), NodeData::Subnet(data));
        node.arn = Some(format!(
            "arn:aws:ec2:{}:{}:subnet/{id}",
            s.region, s.account
        ));
        self.nodes.push(node);
        id
    }

    pub fn internet_gateway(&mut self, s: &Scope, vpc: &str, name: &str) -> String {
        let id = self.ids.id("igw");
        let data = m::InternetGateway {
            attachments: vec![m::GatewayAttachment {
                vpc_id: vpc.into(),
                state: "available".into(),
            }],
        };
        let node = self.regional(s, &id, Some(name), NodeData::InternetGateway(data));
        self.nodes.push(node);
        id
    }

    pub fn egress_only_gateway(&mut self, s: &Scope, vpc: &str, name: &str) -> String {
        let id = self.ids.id("eigw");
        let data = m::EgressOnlyInternetGateway {
            attachments: vec![m::GatewayAttachment {
                vpc_id: vpc.into(),
                state: "attached".into(),
            }],
        };
        let node = self.regional(
            s,
            &id,
            Some(name),
            NodeData::EgressOnlyInternetGateway(data),
        );
        self.nodes.push(node);
        id
    }

    /// A route table explicitly associated with `subnets`.
    pub fn route_table(
        &mut self,
        s: &Scope,
        vpc: &str,
        name: &str,
        vpc_cidr: &str,
        vpc_ipv6: Option<&str>,
        extra: Vec<Route>,
        subnets: &[&str],
    ) -> String {
        let id = self.ids.id("rtb");
        let mut routes = local_routes(vpc_cidr, vpc_ipv6);
        routes.extend(extra);
        let associations = subnets
            .iter()
            .map(|sub| RouteTableAssociation {
                id: Some(self.ids.id("rtbassoc")),
                main: false,
                subnet_id: Some(sub.to_string()),
                gateway_id: None,
            })
            .collect();
        let data = m::RouteTable {
            vpc_id: vpc.into(),
            routes,
            associations,
        };
        let node = self.regional(s, &id, Some(name), NodeData::RouteTable(data));
        self.nodes.push(node);
        id
    }

    /// Add a route to an existing route table (the main one, say).
    pub fn add_route(&mut self, route_table: &str, route: Route) {
        if let Some(NodeData::RouteTable(rt)) = self
            .nodes
            .iter_mut()
            .find(|n| n.id == route_table)
            .map(|n| &mut n.data)
        {
            rt.routes.push(route);
        }
    }

    pub fn network_acl(
        &mut self,
        s: &Scope,
        vpc: &str,
        name: &str,
        entries: Vec<NaclEntry>,
        subnets: &[&str],
    ) -> String {
        let id = self.ids.id("acl");
        let data = m::NetworkAcl {
            vpc_id: vpc.into(),
            is_default: false,
            entries,
            subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        };
        let node = self.regional(s, &id, Some(name), NodeData::NetworkAcl(data));
        self.nodes.push(node);
        id
    }

    /// A security group; `egress` empty means the AWS default (all out).
    pub fn security_group(
        &mut self,
        s: &Scope,
        vpc: &str,
        name: &str,
        description: &str,
        ingress: Vec<SgRule>,
        egress: Vec<SgRule>,
    ) -> String {
        let id = self.ids.id("sg");
        let egress = if egress.is_empty() {
            vec![all_traffic().allow_cidr("0.0.0.0/0")]
        } else {
            egress
        };
        let data = m::SecurityGroup {
            vpc_id: Some(vpc.into()),
            group_name: name.into(),
            description: Some(description.into()),
            ingress,
            egress,
        };
        let mut node = self.regional(s, &id, Some(name), NodeData::SecurityGroup(data));
        node.arn = Some(format!(
            "arn:aws:ec2:{}:{}:security-group/{id}",
            s.region, s.account
        ));
        self.nodes.push(node);
        id
    }

    /// Replace a security group's ingress rules (for groups that refer to
    /// each other, created before their rules can name one another).
    pub fn set_ingress(&mut self, sg: &str, ingress: Vec<SgRule>) {
        if let Some(NodeData::SecurityGroup(g)) = self
            .nodes
            .iter_mut()
            .find(|n| n.id == sg)
            .map(|n| &mut n.data)
        {
            g.ingress = ingress;
        }
    }

    pub fn prefix_list(&mut self, s: &Scope, name: &str, cidrs: &[&str]) -> String {
        let id = self.ids.id("pl");
        let data = m::ManagedPrefixList {
            address_family: Some("IPv4".into()),
            max_entries: Some(10),
            owner_id: Some(s.account.clone()),
            state: Some("create-complete".into()),
            entries: Some(
                cidrs
                    .iter()
                    .filter_map(|c| c.parse().ok())
                    .map(|cidr| m::PrefixListEntry {
                        cidr,
                        description: Some("office".into()),
                    })
                    .collect(),
            ),
        };
        let mut node = self.regional(s, &id, None, NodeData::ManagedPrefixList(data));
        node.name = Some(name.into());
        node.arn = Some(format!(
            "arn:aws:ec2:{}:{}:prefix-list/{id}",
            s.region, s.account
        ));
        self.nodes.push(node);
        id
    }

    /// A network interface (not attached to an instance).
    pub fn interface(
        &mut self,
        s: &Scope,
        vpc: &str,
        subnet: &str,
        private_ip: Ipv4Addr,
        public_ip: Option<(Ipv4Addr, Option<String>)>,
        groups: Vec<String>,
        interface_type: &str,
        description: &str,
    ) -> String {
        let id = self.ids.id("eni");
        let association = public_ip.map(|(ip, alloc)| m::PublicIpAssociation {
            public_ip: ip,
            ip_owner_id: Some(if alloc.is_some() {
                s.account.clone()
            } else {
                "amazon".into()
            }),
            allocation_id: alloc,
            public_dns_name: None,
        });
        let data = m::NetworkInterface {
            vpc_id: Some(vpc.into()),
            subnet_id: Some(subnet.into()),
            interface_type: Some(interface_type.into()),
            status: Some("in-use".into()),
            description: (!description.is_empty()).then(|| description.to_string()),
            private_ips: vec![m::PrivateIp {
                address: private_ip,
                primary: true,
                association,
            }],
            ipv6_addresses: vec![],
            security_group_ids: groups,
            attachment: None,
            requester_managed: interface_type != "interface",
            requester_id: None,
        };
        let node = self.regional(s, &id, None, NodeData::NetworkInterface(data));
        self.nodes.push(node);
        id
    }

    /// An Elastic IP, optionally associated with an interface.
    pub fn elastic_ip(
        &mut self,
        s: &Scope,
        ip: Ipv4Addr,
        eni: Option<(&str, Ipv4Addr)>,
        name: &str,
    ) -> String {
        let id = self.ids.id("eipalloc");
        let data = m::ElasticIp {
            public_ip: ip,
            allocation_id: Some(id.clone()),
            association_id: eni.map(|_| self.ids.id("eipassoc")),
            instance_id: None,
            network_interface_id: eni.map(|(e, _)| e.to_string()),
            private_ip: eni.map(|(_, p)| p),
        };
        let node = self.regional(s, &id, Some(name), NodeData::ElasticIp(data));
        self.nodes.push(node);
        id
    }

    /// Launch an instance with its primary interface (device index 0).
    pub fn instance(&mut self, s: &Scope, l: Launch) -> (String, String) {
        let id = self.ids.id("i");
        let eni = self.ids.id("eni");
        let association = l.public_ip.map(|ip| m::PublicIpAssociation {
            public_ip: ip,
            allocation_id: None,
            ip_owner_id: Some("amazon".into()),
            public_dns_name: Some(format!(
                "ec2-{}.compute-1.amazonaws.com",
                ip.to_string().replace('.', "-")
            )),
        });
        let data = m::NetworkInterface {
            vpc_id: Some(l.vpc.into()),
            subnet_id: Some(l.subnet.into()),
            interface_type: Some("interface".into()),
            status: Some(if l.state == "terminated" {
                "available".into()
            } else {
                "in-use".into()
            }),
            description: Some(format!("Primary network interface of {}", l.name)),
            private_ips: vec![m::PrivateIp {
                address: l.private_ip,
                primary: true,
                association,
            }],
            ipv6_addresses: l.ipv6.into_iter().collect(),
            security_group_ids: l.groups.clone(),
            attachment: Some(m::InterfaceAttachment {
                instance_id: Some(id.clone()),
                instance_owner_id: Some(s.account.clone()),
                device_index: Some(0),
                status: Some("attached".into()),
            }),
            requester_managed: false,
            requester_id: None,
        };
        let node = self.regional(s, &eni, None, NodeData::NetworkInterface(data));
        self.nodes.push(node);

        let launch_age = 30 + self.ids.below(300) as i64;
        let data = m::Instance {
            state: Some(l.state.into()),
            instance_type: Some(l.instance_type.into()),
            image_id: Some(format!("ami-0{:016x}", self.ids.next_u64())),
            platform: None,
            key_name: Some(format!("{}-key", s.account)),
            launch_time: Some(self.days_ago(launch_age)),
            vpc_id: Some(l.vpc.into()),
            subnet_id: Some(l.subnet.into()),
            availability_zone: None,
            private_ip: Some(l.private_ip),
            public_ip: l.public_ip,
            instance_profile_arn: l.profile_arn,
            metadata_options: m::MetadataOptions {
                http_tokens: Some(if l.imds_v2_required {
                    "required".into()
                } else {
                    "optional".into()
                }),
                http_endpoint: Some("enabled".into()),
                hop_limit: Some(if l.imds_v2_required { 1 } else { 2 }),
            },
            security_group_ids: l.groups,
            network_interface_ids: vec![eni.clone()],
        };
        let mut node = Node::new(&id, &s.account, NodeData::Instance(data))
            .in_region(&s.region)
            .with_tags(tags(l.name, l.extra_tags));
        node.arn = Some(format!(
            "arn:aws:ec2:{}:{}:instance/{id}",
            s.region, s.account
        ));
        self.nodes.push(node);
        (id, eni)
    }

    /// Set an instance's availability zone from its subnet.
    pub fn place(&mut self) {
        let zones: BTreeMap<String, String> = self
            .nodes
            .iter()
            .filter_map(|n| match &n.data {
                NodeData::Subnet(s) => Some((n.id.clone(), s.availability_zone.clone()?)),
                _ => None,
            })
            .collect();
        for n in &mut self.nodes {
            if let NodeData::Instance(i) = &mut n.data {
                if let Some(sub) = &i.subnet_id {
                    i.availability_zone = zones.get(sub).cloned();
                }
            }
        }
    }

    pub fn nat_gateway(
        &mut self,
        s: &Scope,
        vpc: &str,
        subnet: &str,
        name: &str,
        private_ip: Ipv4Addr,
        public_ip: Ipv4Addr,
    ) -> String {
        let id = self.ids.id("nat");
        let alloc = self.ids.id("eipalloc");
        let eni = self.interface(
            s,
            vpc,
            subnet,
            private_ip,
            Some((public_ip, Some(alloc))),
            vec![],
            "nat_gateway",
            &format!("Interface for NAT Gateway {id}"),
        );
        let data = m::NatGateway {
            vpc_id: vpc.into(),
            subnet_id: subnet.into(),
            state: Some("available".into()),
            connectivity_type: Some("public".into()),
            public_ips: vec![public_ip],
            private_ips: vec![private_ip],
            network_interface_ids: vec![eni],
        };
        let node = self.regional(s, &id, Some(name), NodeData::NatGateway(data));
        self.nodes.push(node);
        id
    }

    /// An ELBv2 load balancer with one interface per subnet.
    pub fn load_balancer(
        &mut self,
        s: &Scope,
        vpc: &str,
        name: &str,
        lb_type: &str,
        internet_facing: bool,
        subnets: &[(&str, Ipv4Addr)],
        groups: Vec<String>,
        dualstack: bool,
    ) -> String {
        let suffix = format!(
            "{}/{name}/{:016x}",
            if lb_type == "network" { "net" } else { "app" },
            self.ids.next_u64()
        );
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{suffix}",
            s.region, s.account
        );
        let mut zones = Vec::new();
        for (i, (subnet, ip)) in subnets.iter().enumerate() {
            let iface_type = if lb_type == "network" {
                "network_load_balancer"
            } else {
                "interface"
            };
            let public = internet_facing.then(|| {
                (
                    Ipv4Addr::new(
                        52,
                        4,
                        (self.ids.below(250) + 1) as u8,
                        (self.ids.below(250) + 1) as u8,
                    ),
                    None,
                )
            });
            self.interface(
                s,
                vpc,
                subnet,
                *ip,
                public,
                groups.clone(),
                iface_type,
                &format!("ELB {suffix}"),
            );
            zones.push(m::LoadBalancerZone {
                subnet_id: subnet.to_string(),
                zone: Some(format!("{}{}", s.region, (b'a' + i as u8) as char)),
                addresses: vec![],
            });
        }
        let data = m::LoadBalancer {
            lb_type: lb_type.into(),
            scheme: if internet_facing {
                "internet-facing".into()
            } else {
                "internal".into()
            },
            vpc_id: Some(vpc.into()),
            dns_name: Some(format!(
                "{name}-{}.{}.elb.amazonaws.com",
                self.ids.below(1_000_000_000),
                s.region
            )),
            state: Some("active".into()),
            ip_address_type: Some(if dualstack {
                "dualstack".into()
            } else {
                "ipv4".into()
            }),
            security_group_ids: groups,
            zones,
        };
        let node = Node::new(&arn, &s.account, NodeData::LoadBalancer(data))
            .in_region(&s.region)
            .with_arn(&arn)
            .with_name(name);
        self.nodes.push(node);
        arn
    }

    pub fn target_group(
        &mut self,
        s: &Scope,
        vpc: &str,
        name: &str,
        port: u16,
        lb: &str,
        targets: &[&str],
    ) -> String {
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{name}/{:016x}",
            s.region,
            s.account,
            self.ids.next_u64()
        );
        let data = m::TargetGroup {
            protocol: Some("HTTP".into()),
            port: Some(port),
            target_type: Some("instance".into()),
            vpc_id: Some(vpc.into()),
            load_balancer_arns: vec![lb.into()],
            targets: Some(
                targets
                    .iter()
                    .map(|t| m::Target {
                        id: t.to_string(),
                        port: Some(port),
                        availability_zone: None,
                        health: Some("healthy".into()),
                    })
                    .collect(),
            ),
        };
        let node = Node::new(&arn, &s.account, NodeData::TargetGroup(data))
            .in_region(&s.region)
            .with_arn(&arn)
            .with_name(name);
        self.nodes.push(node);
        arn
    }

    pub fn listener(
        &mut self,
        s: &Scope,
        lb: &str,
        protocol: &str,
        port: u16,
        action: m::ListenerAction,
    ) -> String {
        let lb_tail = lb
            .split_once(":loadbalancer/")
            .map(|(_, t)| t)
            .unwrap_or("");
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:listener/{lb_tail}/{:016x}",
            s.region,
            s.account,
            self.ids.next_u64()
        );
        let data = m::Listener {
            load_balancer_arn: lb.into(),
            port: Some(port),
            protocol: Some(protocol.into()),
            default_actions: vec![action],
        };
        let node = Node::new(&arn, &s.account, NodeData::Listener(data))
            .in_region(&s.region)
            .with_arn(&arn)
            .with_name(format!("{protocol}:{port}"));
        self.nodes.push(node);
        arn
    }

    // ---- IAM ----

    fn iam(&mut self, account: &str, arn: &str, name: &str, data: NodeData) {
        self.nodes
            .push(Node::new(arn, account, data).with_arn(arn).with_name(name));
    }

    /// An AWS managed policy, by name (`AdministratorAccess`).
    pub fn aws_policy(&mut self, name: &str, document: Value) -> String {
        let arn = format!("arn:aws:iam::aws:policy/{name}");
        if !self.nodes.iter().any(|n| n.id == arn) {
            let data = m::IamPolicy {
                policy_id: Some(format!("ANPA{:016X}", self.ids.next_u64())),
                path: Some("/".into()),
                default_version_id: Some("v1".into()),
                document: Some(PolicyDocument(document)),
                attachment_count: None,
                aws_managed: true,
                other_versions: Vec::new(),
            };
            self.iam("aws", &arn, name, NodeData::IamPolicy(data));
        }
        arn
    }

    /// An earlier version of a customer managed policy, kept beside the
    /// default; the default becomes the next version.
    pub fn earlier_version(&mut self, policy: &str, document: Value) {
        let Some(NodeData::IamPolicy(p)) = self
            .nodes
            .iter_mut()
            .find(|n| n.id == policy)
            .map(|n| &mut n.data)
        else {
            return;
        };
        let n = p.other_versions.len() + 1;
        p.other_versions.push(m::PolicyVersion {
            version_id: Some(format!("v{n}")),
            document: Some(PolicyDocument(document)),
        });
        p.default_version_id = Some(format!("v{}", n + 1));
    }

    pub fn customer_policy(&mut self, account: &str, name: &str, document: Value) -> String {
        let arn = format!("arn:aws:iam::{account}:policy/{name}");
        let data = m::IamPolicy {
            policy_id: Some(format!("ANPA{:016X}", self.ids.next_u64())),
            path: Some("/".into()),
            default_version_id: Some("v1".into()),
            document: Some(PolicyDocument(document)),
            attachment_count: Some(1),
            aws_managed: false,
            other_versions: Vec::new(),
        };
        self.iam(account, &arn, name, NodeData::IamPolicy(data));
        arn
    }

    /// A role with a trust policy; returns its ARN.
    pub fn role(
        &mut self,
        account: &str,
        name: &str,
        trust: Value,
        attached: &[&str],
        inline: Vec<(&str, Value)>,
    ) -> String {
        let arn = format!("arn:aws:iam::{account}:role/{name}");
        let data = m::IamRole {
            role_id: Some(format!("AROA{:016X}", self.ids.next_u64())),
            path: Some("/".into()),
            created: Some(self.days_ago(400)),
            description: None,
            trust_policy: PolicyDocument(trust),
            attached_policies: attached
                .iter()
                .map(|a| m::AttachedPolicy {
                    arn: a.to_string(),
                    name: a.rsplit('/').next().map(str::to_string),
                })
                .collect(),
            inline_policies: inline
                .into_iter()
                .map(|(n, d)| m::InlinePolicy {
                    name: n.into(),
                    document: PolicyDocument(d),
                })
                .collect(),
            permissions_boundary: None,
            last_used: Some(self.days_ago(1)),
            max_session_duration: Some(3600),
        };
        self.iam(account, &arn, name, NodeData::IamRole(data));
        arn
    }

    pub fn instance_profile(&mut self, account: &str, name: &str, role_arn: &str) -> String {
        let arn = format!("arn:aws:iam::{account}:instance-profile/{name}");
        let data = m::InstanceProfile {
            instance_profile_id: Some(format!("AIPA{:016X}", self.ids.next_u64())),
            path: Some("/".into()),
            role_arns: vec![role_arn.into()],
        };
        self.iam(account, &arn, name, NodeData::InstanceProfile(data));
        arn
    }

    pub fn group(&mut self, account: &str, name: &str, attached: &[&str]) -> String {
        let arn = format!("arn:aws:iam::{account}:group/{name}");
        let data = m::IamGroup {
            group_id: Some(format!("AGPA{:016X}", self.ids.next_u64())),
            path: Some("/".into()),
            attached_policies: attached
                .iter()
                .map(|a| m::AttachedPolicy {
                    arn: a.to_string(),
                    name: None,
                })
                .collect(),
            inline_policies: vec![],
        };
        self.iam(account, &arn, name, NodeData::IamGroup(data));
        arn
    }

    /// A user with console access (`password`), MFA, groups and policies.
    pub fn user(
        &mut self,
        account: &str,
        name: &str,
        password: bool,
        mfa: bool,
        groups: &[&str],
        attached: &[&str],
    ) -> String {
        let arn = format!("arn:aws:iam::{account}:user/{name}");
        let data = m::IamUser {
            user_id: Some(format!("AIDA{:016X}", self.ids.next_u64())),
            path: Some("/".into()),
            created: Some(self.days_ago(500)),
            is_root: false,
            group_names: groups.iter().map(|g| g.to_string()).collect(),
            attached_policies: attached
                .iter()
                .map(|a| m::AttachedPolicy {
                    arn: a.to_string(),
                    name: None,
                })
                .collect(),
            inline_policies: vec![],
            permissions_boundary: None,
            password_enabled: Some(password),
            password_last_used: password.then(|| self.days_ago(2)),
            password_last_changed: password.then(|| self.days_ago(60)),
            mfa_active: Some(mfa),
        };
        self.iam(account, &arn, name, NodeData::IamUser(data));
        arn
    }

    /// The account's root user, as the credential report shows it.
    pub fn root_user(&mut self, account: &str, mfa: bool) -> String {
        let arn = format!("arn:aws:iam::{account}:root");
        let data = m::IamUser {
            is_root: true,
            created: Some(self.days_ago(900)),
            mfa_active: Some(mfa),
            ..m::IamUser::default()
        };
        self.iam(account, &arn, "root", NodeData::IamUser(data));
        arn
    }

    /// An access key `age_days` old, last used `used_days` ago.
    pub fn access_key(
        &mut self,
        account: &str,
        user_arn: &str,
        user: &str,
        age_days: i64,
        used_days: Option<i64>,
        active: bool,
    ) -> String {
        let id = format!("AKIA{:016X}", self.ids.next_u64());
        let data = m::AccessKey {
            user_arn: user_arn.into(),
            status: if active {
                "Active".into()
            } else {
                "Inactive".into()
            },
            created: Some(self.days_ago(age_days)),
            last_used: used_days.map(|d| self.days_ago(d)),
            last_used_service: used_days.map(|_| "sts".into()),
            last_used_region: used_days.map(|_| "us-east-1".into()),
        };
        self.nodes.push(
            Node::new(&id, account, NodeData::AccessKey(data))
                .with_name(format!("access key of {user}")),
        );
        id
    }

    // ---- Organizations ----

    /// An organization's root (no parent) or an OU under its parent, as
    /// Organizations lists them; SCPs are enabled on the root.
    pub fn organizational_unit(
        &mut self,
        management: &str,
        org: &str,
        id: &str,
        name: &str,
        parent: Option<&str>,
    ) {
        let kind = if parent.is_some() { "ou" } else { "root" };
        let data = m::OrganizationalUnit {
            parent_id: parent.map(str::to_string),
            is_root: parent.is_none(),
            policy_types: if parent.is_none() {
                vec!["SERVICE_CONTROL_POLICY".into()]
            } else {
                Vec::new()
            },
        };
        self.nodes.push(
            Node::new(id, management, NodeData::OrganizationalUnit(data))
                .with_arn(format!(
                    "arn:aws:organizations::{management}:{kind}/{org}/{id}"
                ))
                .with_name(name),
        );
    }

    /// A service control policy of the organization, AWS managed or its
    /// own.
    pub fn service_control_policy(
        &mut self,
        management: &str,
        org: &str,
        id: &str,
        name: &str,
        data: m::ServiceControlPolicy,
    ) {
        let arn = if data.aws_managed {
            format!("arn:aws:organizations::aws:policy/service_control_policy/{id}")
        } else {
            format!("arn:aws:organizations::{management}:policy/{org}/service_control_policy/{id}")
        };
        self.nodes.push(
            Node::new(id, management, NodeData::ServiceControlPolicy(data))
                .with_arn(arn)
                .with_name(name),
        );
    }

    // ---- GuardDuty ----

    pub fn detector(&mut self, s: &Scope, enabled: bool) -> String {
        let id = format!(
            "{:032x}",
            u128::from(self.ids.next_u64()) << 64 | u128::from(self.ids.next_u64())
        );
        let data = m::GuardDutyDetector {
            status: Some(if enabled {
                "ENABLED".into()
            } else {
                "DISABLED".into()
            }),
            finding_publishing_frequency: Some("SIX_HOURS".into()),
            created_at: Some(self.days_ago(700)),
            service_role: Some(format!(
                "arn:aws:iam::{}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
                s.account
            )),
        };
        let node = Node::new(&id, &s.account, NodeData::GuardDutyDetector(data))
            .in_region(&s.region)
            .with_arn(format!(
                "arn:aws:guardduty:{}:{}:detector/{id}",
                s.region, s.account
            ));
        self.nodes.push(node);
        id
    }

    /// A finding about an instance (`instance`) or an IAM user's key (`user`).
    pub fn finding(
        &mut self,
        s: &Scope,
        detector: &str,
        finding_type: &str,
        severity: f64,
        title: &str,
        description: &str,
        instance: Option<&str>,
        user: Option<(&str, &str)>,
        hours_ago: i64,
    ) -> String {
        let id = format!(
            "{:032x}",
            u128::from(self.ids.next_u64()) << 64 | u128::from(self.ids.next_u64())
        );
        let seen = self.now - Duration::hours(hours_ago);
        let data = m::GuardDutyFinding {
            detector_id: Some(detector.into()),
            finding_type: finding_type.into(),
            severity,
            title: Some(title.into()),
            description: Some(description.into()),
            resource_type: Some(if instance.is_some() {
                "Instance".into()
            } else {
                "AccessKey".into()
            }),
            instance_id: instance.map(str::to_string),
            access_key_id: user.map(|(_, k)| k.to_string()),
            user_name: user.map(|(u, _)| u.to_string()),
            created_at: Some(seen - Duration::hours(6)),
            updated_at: Some(seen),
            count: Some(1 + self.ids.below(40)),
            archived: false,
            first_seen: Some(seen - Duration::hours(6)),
            last_seen: Some(seen),
            action: None,
        };
        let arn = format!(
            "arn:aws:guardduty:{}:{}:detector/{detector}/finding/{id}",
            s.region, s.account
        );
        let node = Node::new(&id, &s.account, NodeData::GuardDutyFinding(data))
            .in_region(&s.region)
            .with_arn(arn)
            .with_name(title);
        self.nodes.push(node);
        id
    }
}

impl Estate {
    /// What a finding saw: the call, connection, probe or DNS request.
    pub fn finding_saw(&mut self, id: &str, action: m::FindingAction) {
        if let Some(NodeData::GuardDutyFinding(f)) = self
            .nodes
            .iter_mut()
            .rev()
            .find(|n| n.id == id)
            .map(|n| &mut n.data)
        {
            f.action = Some(Box::new(action));
        }
    }
}

/// The `local` routes every route table has.
fn local_routes(cidr: &str, ipv6: Option<&str>) -> Vec<Route> {
    let mut routes: Vec<Route> = cidr
        .parse::<Ipv4Net>()
        .into_iter()
        .map(|c| Route {
            destination: Destination::Ipv4(c),
            target: RouteTarget::Local,
            state: RouteState::Active,
            origin: Some("CreateRouteTable".into()),
        })
        .collect();
    if let Some(c) = ipv6.and_then(|c| c.parse::<Ipv6Net>().ok()) {
        routes.push(Route {
            destination: Destination::Ipv6(c),
            target: RouteTarget::Local,
            state: RouteState::Active,
            origin: Some("CreateRouteTable".into()),
        });
    }
    routes
}

/// A route to a target.
pub fn route(destination: &str, target: RouteTarget) -> Route {
    let destination = if let Ok(v4) = destination.parse::<Ipv4Net>() {
        Destination::Ipv4(v4)
    } else if let Ok(v6) = destination.parse::<Ipv6Net>() {
        Destination::Ipv6(v6)
    } else {
        Destination::PrefixList(destination.to_string())
    };
    Route {
        destination,
        target,
        state: RouteState::Active,
        origin: Some("CreateRoute".into()),
    }
}

/// A trust policy letting an AWS service assume the role.
pub fn trust_service(service: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
}

/// A trust policy letting another account assume the role.
pub fn trust_account(account: &str, external_id: Option<&str>) -> Value {
    let mut st = json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"});
    if let Some(x) = external_id {
        st["Condition"] = json!({"StringEquals": {"sts:ExternalId": x}});
    }
    json!({"Version": "2012-10-17", "Statement": [st]})
}

/// An identity policy allowing `actions` on `resources`.
pub fn allow(actions: &[&str], resources: &[&str]) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]})
}

impl Estate {
    // ---- Logging and data protection ----

    /// A trail recording management events read and write, logging,
    /// encrypted with `key` (an ARN).
    pub fn trail(
        &mut self,
        s: &Scope,
        name: &str,
        bucket: &str,
        key: &str,
        organization: bool,
    ) -> String {
        let arn = format!("arn:aws:cloudtrail:{}:{}:trail/{name}", s.region, s.account);
        let data = m::Trail {
            home_region: Some(s.region.clone()),
            multi_region: true,
            organization,
            bucket: Some(bucket.into()),
            kms_key_id: Some(key.into()),
            log_file_validation: true,
            logging: Some(true),
            selectors: Some(m::EventSelectors {
                basic: vec![m::BasicSelector {
                    read_write_type: "All".into(),
                    include_management_events: true,
                }],
                advanced: vec![],
            }),
        };
        self.nodes.push(
            Node::new(&arn, &s.account, NodeData::Trail(data))
                .with_arn(&arn)
                .with_name(name)
                .in_region(&s.region),
        );
        arn
    }

    /// The region's Config recorder: everything, or only the listed types.
    pub fn config_recorder(&mut self, s: &Scope, everything: bool) {
        let data = m::ConfigRecorder {
            role_arn: Some(format!(
                "arn:aws:iam::{}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                s.account
            )),
            all_supported: Some(everything),
            include_global: Some(everything),
            recording: Some(true),
            last_status: Some("SUCCESS".into()),
        };
        let id = m::ConfigRecorder::node_id(&s.account, &s.region, "default");
        self.nodes.push(
            Node::new(id, &s.account, NodeData::ConfigRecorder(data))
                .with_name("default")
                .in_region(&s.region),
        );
    }

    /// An active flow log of all traffic of a VPC, to S3.
    pub fn flow_log(&mut self, s: &Scope, vpc: &str, bucket: &str) {
        let id = format!("fl-{:017x}", self.ids.next_u64() >> 4);
        let data = m::FlowLog {
            resource_id: vpc.into(),
            status: Some("ACTIVE".into()),
            traffic_type: Some("ALL".into()),
            destination: Some(format!("arn:aws:s3:::{bucket}")),
        };
        self.nodes
            .push(Node::new(id, &s.account, NodeData::FlowLog(data)).in_region(&s.region));
    }

    /// The region's EBS encryption by default.
    pub fn ebs_default(&mut self, s: &Scope, on: bool) {
        let data = m::Region {
            ebs_encryption_by_default: Some(on),
        };
        self.nodes.push(
            Node::new(
                crate::graph::region_node_id(&s.account, &s.region),
                &s.account,
                NodeData::Region(data),
            )
            .in_region(&s.region)
            .with_name(&s.region),
        );
    }

    /// An instance's root volume.
    pub fn volume(&mut self, s: &Scope, instance: &str, encrypted: bool, size_gib: i64) {
        let id = format!("vol-{:017x}", self.ids.next_u64() >> 4);
        let data = m::Volume {
            encrypted,
            kms_key_id: encrypted
                .then(|| format!("arn:aws:kms:{}:{}:alias/aws/ebs", s.region, s.account)),
            size_gib: Some(size_gib),
            state: Some("in-use".into()),
            availability_zone: Some(format!("{}a", s.region)),
            instance_ids: vec![instance.into()],
        };
        self.nodes.push(
            Node::new(&id, &s.account, NodeData::Volume(data))
                .with_arn(format!(
                    "arn:aws:ec2:{}:{}:volume/{id}",
                    s.region, s.account
                ))
                .in_region(&s.region),
        );
    }

    /// An RDS DB instance and the network interface RDS creates for it in
    /// its first subnet (nothing in it names the instance); returns its ARN.
    pub fn database(&mut self, s: &Scope, db: DbLaunch) -> String {
        let arn = format!("arn:aws:rds:{}:{}:db:{}", s.region, s.account, db.name);
        let eni = self.interface(
            s,
            db.vpc,
            &db.subnets[0],
            db.private_ip,
            db.public_ip.map(|ip| (ip, None)),
            db.groups.clone(),
            "interface",
            "RDSNetworkInterface",
        );
        if let Some(NodeData::NetworkInterface(e)) = self
            .nodes
            .iter_mut()
            .rev()
            .find(|n| n.id == eni)
            .map(|n| &mut n.data)
        {
            e.requester_managed = true;
            e.requester_id = Some("amazon-rds".into());
        }
        let data = m::DbInstance {
            engine: Some(db.engine.into()),
            status: Some("available".into()),
            publicly_accessible: db.public_ip.is_some(),
            storage_encrypted: Some(db.key.is_some()),
            kms_key_id: db.key,
            vpc_id: Some(db.vpc.into()),
            subnet_ids: db.subnets,
            security_group_ids: db.groups,
            endpoint: Some(format!(
                "{}.c9akciq32.{}.rds.amazonaws.com",
                db.name, s.region
            )),
            port: Some(db.port),
        };
        self.nodes.push(
            Node::new(&arn, &s.account, NodeData::DbInstance(data))
                .with_arn(&arn)
                .with_name(db.name)
                .in_region(&s.region),
        );
        arn
    }

    /// A customer managed symmetric key; returns its ARN.
    pub fn kms_key(&mut self, s: &Scope, alias: &str, rotation: bool) -> String {
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            self.ids.next_u64() as u32,
            self.ids.next_u64() as u16,
            self.ids.next_u64() as u16 & 0xfff,
            self.ids.next_u64() as u16 & 0xfff,
            self.ids.next_u64() & 0xffff_ffff_ffff
        );
        let arn = format!("arn:aws:kms:{}:{}:key/{id}", s.region, s.account);
        let data = m::KmsKey {
            key_manager: Some("CUSTOMER".into()),
            key_state: Some("Enabled".into()),
            key_spec: Some("SYMMETRIC_DEFAULT".into()),
            origin: Some("AWS_KMS".into()),
            description: None,
            rotation_enabled: Some(rotation),
            aliases: vec![format!("alias/{alias}")],
            // The policy KMS gives a key made in the console: the account
            // may use it through IAM policies.
            policy: Some(m::Answer::Value(m::policy::PolicyDocument(
                serde_json::json!({
                    "Version": "2012-10-17",
                    "Id": "key-default-1",
                    "Statement": [{
                        "Sid": "Enable IAM User Permissions",
                        "Effect": "Allow",
                        "Principal": {"AWS": format!("arn:aws:iam::{}:root", s.account)},
                        "Action": "kms:*",
                        "Resource": "*"
                    }]
                }),
            ))),
        };
        self.nodes.push(
            Node::new(&id, &s.account, NodeData::KmsKey(data))
                .with_arn(&arn)
                .with_name(format!("alias/{alias}"))
                .in_region(&s.region),
        );
        arn
    }

    /// A bucket and what S3 answers about it.
    pub fn bucket(&mut self, s: &Scope, name: &str, data: m::Bucket) {
        self.nodes.push(
            Node::new(name, &s.account, NodeData::Bucket(data))
                .with_arn(format!("arn:aws:s3:::{name}"))
                .with_name(name)
                .in_region(&s.region),
        );
    }
}

/// Block Public Access with all four flags.
pub fn all_blocked() -> m::PublicAccessBlock {
    m::PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    }
}

/// A log bucket kept as Alice keeps them: private, KMS, TLS only, access
/// logged (except the access-log bucket itself), versioned.
pub fn private_bucket(name: &str, key: &str, access_logs: Option<&str>) -> m::Bucket {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    m::Bucket {
        created: None,
        policy: m::policy::PolicyDocument::from_api(policy)
            .ok()
            .map(m::Answer::Value),
        policy_public: Some(m::Answer::Value(false)),
        acl: Some(vec![m::AclGrant {
            grantee: "a1ce0000000000000000000000000000000000000000000000000000000000aa".into(),
            permission: "FULL_CONTROL".into(),
        }]),
        public_access_block: Some(m::Answer::Value(all_blocked())),
        encryption: Some(m::Answer::Value(m::BucketEncryption {
            algorithm: "aws:kms".into(),
            kms_key_id: Some(key.into()),
        })),
        logging: Some(m::AccessLogging {
            target: access_logs.map(str::to_string),
        }),
        versioning: Some(m::Versioning {
            status: Some("Enabled".into()),
        }),
    }
}

/// One of Bill's buckets: public by its policy (anyone may get objects)
/// and, for the backups, by an ACL grant to AllUsers too.
pub fn public_bucket(name: &str, acl_too: bool) -> m::Bucket {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{name}/*")}]});
    let mut acl = vec![m::AclGrant {
        grantee: "b111000000000000000000000000000000000000000000000000000000000bb".into(),
        permission: "FULL_CONTROL".into(),
    }];
    if acl_too {
        acl.push(m::AclGrant {
            grantee: m::ALL_USERS.into(),
            permission: "READ".into(),
        });
    }
    m::Bucket {
        created: None,
        policy: m::policy::PolicyDocument::from_api(policy)
            .ok()
            .map(m::Answer::Value),
        policy_public: Some(m::Answer::Value(true)),
        acl: Some(acl),
        public_access_block: Some(m::Answer::None {
            code: "NoSuchPublicAccessBlockConfiguration".into(),
        }),
        encryption: Some(m::Answer::Value(m::BucketEncryption {
            algorithm: "AES256".into(),
            kms_key_id: None,
        })),
        logging: Some(m::AccessLogging::default()),
        versioning: Some(m::Versioning::default()),
    }
}
