//! EC2 responses (`ec2-describe-*.json`) as the API reference shapes them.

use std::collections::{BTreeMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Deserialize;

use super::read::{Items, Tag, tag_map, time};
use super::{Ctx, Sink};
use crate::model::network::{
    CidrSource, Destination, GroupSource, IcmpTypeCode, NaclEntry, PortRange, PrefixListSource,
    Protocol, Route, RouteState, RouteTableAssociation, RouteTarget, RuleAction, SgRule,
};
use crate::model::{self as m, Node, NodeData};

fn node(ctx: &Ctx, id: &str, owner: Option<&str>, tags: &[Tag], data: NodeData) -> Node {
    Node::new(id, owner.unwrap_or(&ctx.account), data)
        .in_region(ctx.region.clone())
        .with_tags(tag_map(tags))
}

// ---- VPCs and subnets ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vpcs {
    #[serde(default)]
    vpcs: Items<Vpc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vpc {
    vpc_id: String,
    owner_id: Option<String>,
    cidr_block: Option<Ipv4Net>,
    #[serde(default)]
    cidr_block_association_set: Vec<CidrAssoc>,
    #[serde(default)]
    ipv6_cidr_block_association_set: Vec<Ipv6CidrAssoc>,
    #[serde(default)]
    is_default: bool,
    state: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CidrAssoc {
    cidr_block: Option<Ipv4Net>,
    cidr_block_state: Option<AssocState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Ipv6CidrAssoc {
    ipv6_cidr_block: Option<Ipv6Net>,
    ipv6_cidr_block_state: Option<AssocState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssocState {
    state: Option<String>,
}

/// Associations in these states no longer apply.
fn gone(state: Option<&AssocState>) -> bool {
    matches!(
        state.and_then(|s| s.state.as_deref()),
        Some("disassociated" | "disassociating" | "failed")
    )
}

pub fn vpcs(ctx: &Ctx, r: Vpcs, out: &mut Sink) {
    for v in r.vpcs {
        let mut cidrs: Vec<Ipv4Net> = v
            .cidr_block_association_set
            .iter()
            .filter(|a| !gone(a.cidr_block_state.as_ref()))
            .filter_map(|a| a.cidr_block)
            .collect();
        if let Some(primary) = v.cidr_block {
            if !cidrs.contains(&primary) {
                cidrs.insert(0, primary);
            }
        }
        let data = m::Vpc {
            cidr_blocks: cidrs,
            ipv6_cidr_blocks: v
                .ipv6_cidr_block_association_set
                .iter()
                .filter(|a| !gone(a.ipv6_cidr_block_state.as_ref()))
                .filter_map(|a| a.ipv6_cidr_block)
                .collect(),
            is_default: v.is_default,
            state: v.state,
        };
        let n = node(
            ctx,
            &v.vpc_id,
            v.owner_id.as_deref(),
            &v.tags,
            NodeData::Vpc(data),
        );
        out.push(n);
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnets {
    #[serde(default)]
    subnets: Items<Subnet>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Subnet {
    subnet_id: String,
    vpc_id: String,
    subnet_arn: Option<String>,
    owner_id: Option<String>,
    cidr_block: Option<Ipv4Net>,
    #[serde(default)]
    ipv6_cidr_block_association_set: Vec<Ipv6CidrAssoc>,
    availability_zone: Option<String>,
    #[serde(default)]
    map_public_ip_on_launch: bool,
    #[serde(default)]
    assign_ipv6_address_on_creation: bool,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub fn subnets(ctx: &Ctx, r: Subnets, out: &mut Sink) {
    for s in r.subnets {
        let data = m::Subnet {
            vpc_id: s.vpc_id,
            cidr_block: s.cidr_block,
            ipv6_cidr_blocks: s
                .ipv6_cidr_block_association_set
                .iter()
                .filter(|a| !gone(a.ipv6_cidr_block_state.as_ref()))
                .filter_map(|a| a.ipv6_cidr_block)
                .collect(),
            availability_zone: s.availability_zone,
            map_public_ip_on_launch: s.map_public_ip_on_launch,
            assign_ipv6_on_creation: s.assign_ipv6_address_on_creation,
        };
        let mut n = node(
            ctx,
            &s.subnet_id,
            s.owner_id.as_deref(),
            &s.tags,
            NodeData::Subnet(data),
        );
        n.arn = s.subnet_arn;
        out.push(n);
    }
}

// ---- Route tables ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTables {
    #[serde(default)]
    route_tables: Vec<RouteTable>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RouteTable {
    route_table_id: String,
    vpc_id: String,
    owner_id: Option<String>,
    #[serde(default)]
    routes: Vec<RouteShape>,
    #[serde(default)]
    associations: Vec<RtAssoc>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RouteShape {
    destination_cidr_block: Option<Ipv4Net>,
    destination_ipv6_cidr_block: Option<Ipv6Net>,
    destination_prefix_list_id: Option<String>,
    gateway_id: Option<String>,
    egress_only_internet_gateway_id: Option<String>,
    nat_gateway_id: Option<String>,
    transit_gateway_id: Option<String>,
    vpc_peering_connection_id: Option<String>,
    instance_id: Option<String>,
    network_interface_id: Option<String>,
    carrier_gateway_id: Option<String>,
    local_gateway_id: Option<String>,
    core_network_arn: Option<String>,
    origin: Option<String>,
    state: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RtAssoc {
    #[serde(default)]
    main: bool,
    route_table_association_id: Option<String>,
    subnet_id: Option<String>,
    gateway_id: Option<String>,
    association_state: Option<AssocState>,
}

fn route_target(r: &RouteShape) -> RouteTarget {
    let own = |s: &Option<String>| s.clone();
    if let Some(g) = &r.gateway_id {
        return RouteTarget::from_gateway_id(g);
    }
    if let Some(id) = own(&r.egress_only_internet_gateway_id) {
        return RouteTarget::EgressOnlyInternetGateway(id);
    }
    if let Some(id) = own(&r.nat_gateway_id) {
        return RouteTarget::NatGateway(id);
    }
    if let Some(id) = own(&r.transit_gateway_id) {
        return RouteTarget::TransitGateway(id);
    }
    if let Some(id) = own(&r.vpc_peering_connection_id) {
        return RouteTarget::VpcPeeringConnection(id);
    }
    // A route to an instance names its interface too; the interface is the
    // precise hop.
    if let Some(id) = own(&r.network_interface_id) {
        return RouteTarget::NetworkInterface(id);
    }
    if let Some(id) = own(&r.instance_id) {
        return RouteTarget::Instance(id);
    }
    if let Some(id) = own(&r.carrier_gateway_id) {
        return RouteTarget::CarrierGateway(id);
    }
    if let Some(id) = own(&r.local_gateway_id) {
        return RouteTarget::LocalGateway(id);
    }
    if let Some(id) = own(&r.core_network_arn) {
        return RouteTarget::CoreNetwork(id);
    }
    RouteTarget::Other("unknown".to_string())
}

pub fn route_tables(ctx: &Ctx, r: RouteTables, out: &mut Sink) {
    for t in r.route_tables {
        let mut routes = Vec::with_capacity(t.routes.len());
        for r in &t.routes {
            let destination = match (
                &r.destination_cidr_block,
                &r.destination_ipv6_cidr_block,
                &r.destination_prefix_list_id,
            ) {
                (Some(v4), _, _) => Destination::Ipv4(*v4),
                (None, Some(v6), _) => Destination::Ipv6(*v6),
                (None, None, Some(pl)) => Destination::PrefixList(pl.clone()),
                (None, None, None) => {
                    out.warn(format!(
                        "route table {}: a route has no destination; skipped",
                        t.route_table_id
                    ));
                    continue;
                }
            };
            let state = match r.state.as_deref() {
                Some("blackhole") => RouteState::Blackhole,
                _ => RouteState::Active,
            };
            routes.push(Route {
                destination,
                target: route_target(r),
                state,
                origin: r.origin.clone(),
            });
        }
        let associations = t
            .associations
            .into_iter()
            .filter(|a| !gone(a.association_state.as_ref()))
            .map(|a| RouteTableAssociation {
                id: a.route_table_association_id,
                main: a.main,
                subnet_id: a.subnet_id,
                gateway_id: a.gateway_id,
            })
            .collect();
        let data = m::RouteTable {
            vpc_id: t.vpc_id,
            routes,
            associations,
        };
        out.push(node(
            ctx,
            &t.route_table_id,
            t.owner_id.as_deref(),
            &t.tags,
            NodeData::RouteTable(data),
        ));
    }
}

// ---- Gateways ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attachment {
    vpc_id: String,
    state: Option<String>,
}

fn attachments(list: Vec<Attachment>) -> Vec<m::GatewayAttachment> {
    list.into_iter()
        .map(|a| m::GatewayAttachment {
            vpc_id: a.vpc_id,
            state: a.state.unwrap_or_else(|| "unknown".into()),
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InternetGateways {
    #[serde(default)]
    internet_gateways: Items<InternetGateway>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InternetGateway {
    internet_gateway_id: String,
    owner_id: Option<String>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub fn internet_gateways(ctx: &Ctx, r: InternetGateways, out: &mut Sink) {
    for g in r.internet_gateways {
        let data = m::InternetGateway {
            attachments: attachments(g.attachments),
        };
        out.push(node(
            ctx,
            &g.internet_gateway_id,
            g.owner_id.as_deref(),
            &g.tags,
            NodeData::InternetGateway(data),
        ));
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EgressOnlyInternetGateways {
    #[serde(default)]
    egress_only_internet_gateways: Items<EgressOnlyInternetGateway>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EgressOnlyInternetGateway {
    egress_only_internet_gateway_id: String,
    #[serde(default)]
    attachments: Vec<Attachment>,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub fn egress_only_internet_gateways(ctx: &Ctx, r: EgressOnlyInternetGateways, out: &mut Sink) {
    for g in r.egress_only_internet_gateways {
        let data = m::EgressOnlyInternetGateway {
            attachments: attachments(g.attachments),
        };
        out.push(node(
            ctx,
            &g.egress_only_internet_gateway_id,
            None,
            &g.tags,
            NodeData::EgressOnlyInternetGateway(data),
        ));
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NatGateways {
    #[serde(default)]
    nat_gateways: Items<NatGateway>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NatGateway {
    nat_gateway_id: String,
    vpc_id: String,
    subnet_id: String,
    state: Option<String>,
    connectivity_type: Option<String>,
    #[serde(default)]
    nat_gateway_addresses: Vec<NatAddress>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NatAddress {
    public_ip: Option<Ipv4Addr>,
    private_ip: Option<Ipv4Addr>,
    network_interface_id: Option<String>,
}

pub fn nat_gateways(ctx: &Ctx, r: NatGateways, out: &mut Sink) {
    for g in r.nat_gateways {
        let data = m::NatGateway {
            vpc_id: g.vpc_id,
            subnet_id: g.subnet_id,
            state: g.state,
            connectivity_type: g.connectivity_type,
            public_ips: g
                .nat_gateway_addresses
                .iter()
                .filter_map(|a| a.public_ip)
                .collect(),
            private_ips: g
                .nat_gateway_addresses
                .iter()
                .filter_map(|a| a.private_ip)
                .collect(),
            network_interface_ids: g
                .nat_gateway_addresses
                .into_iter()
                .filter_map(|a| a.network_interface_id)
                .collect(),
        };
        out.push(node(
            ctx,
            &g.nat_gateway_id,
            None,
            &g.tags,
            NodeData::NatGateway(data),
        ));
    }
}

// ---- Peering and transit ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcPeeringConnections {
    #[serde(default)]
    vpc_peering_connections: Items<Peering>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Peering {
    vpc_peering_connection_id: String,
    accepter_vpc_info: Option<PeeringInfo>,
    requester_vpc_info: Option<PeeringInfo>,
    status: Option<PeeringStatus>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PeeringInfo {
    vpc_id: Option<String>,
    owner_id: Option<String>,
    region: Option<String>,
    cidr_block: Option<Ipv4Net>,
    #[serde(default)]
    cidr_block_set: Vec<CidrAssoc>,
    #[serde(default)]
    ipv6_cidr_block_set: Vec<Ipv6CidrAssoc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PeeringStatus {
    code: Option<String>,
}

fn peering_side(info: Option<PeeringInfo>) -> m::PeeringSide {
    let Some(i) = info else {
        return m::PeeringSide::default();
    };
    let mut cidrs: Vec<Ipv4Net> = i
        .cidr_block_set
        .iter()
        .filter_map(|c| c.cidr_block)
        .collect();
    if let Some(c) = i.cidr_block {
        if !cidrs.contains(&c) {
            cidrs.insert(0, c);
        }
    }
    m::PeeringSide {
        vpc_id: i.vpc_id.unwrap_or_default(),
        owner_id: i.owner_id,
        region: i.region,
        cidr_blocks: cidrs,
        ipv6_cidr_blocks: i
            .ipv6_cidr_block_set
            .iter()
            .filter_map(|c| c.ipv6_cidr_block)
            .collect(),
    }
}

pub fn vpc_peering_connections(ctx: &Ctx, r: VpcPeeringConnections, out: &mut Sink) {
    for p in r.vpc_peering_connections {
        let data = m::VpcPeeringConnection {
            requester: peering_side(p.requester_vpc_info),
            accepter: peering_side(p.accepter_vpc_info),
            status: p.status.and_then(|s| s.code),
        };
        out.push(node(
            ctx,
            &p.vpc_peering_connection_id,
            None,
            &p.tags,
            NodeData::VpcPeeringConnection(data),
        ));
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayAttachments {
    #[serde(default)]
    transit_gateway_attachments: Items<TgwAttachment>,
    #[serde(default)]
    transit_gateway_vpc_attachments: Items<TgwAttachment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TgwAttachment {
    transit_gateway_attachment_id: String,
    transit_gateway_id: String,
    resource_type: Option<String>,
    resource_id: Option<String>,
    resource_owner_id: Option<String>,
    vpc_id: Option<String>,
    vpc_owner_id: Option<String>,
    state: Option<String>,
    #[serde(default)]
    subnet_ids: Vec<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub fn transit_gateway_attachments(ctx: &Ctx, r: TransitGatewayAttachments, out: &mut Sink) {
    let all = r
        .transit_gateway_attachments
        .into_iter()
        .chain(r.transit_gateway_vpc_attachments);
    for a in all {
        let is_vpc_listing = a.vpc_id.is_some();
        let owner = a.resource_owner_id.clone().or(a.vpc_owner_id.clone());
        let data = m::TransitGatewayAttachment {
            transit_gateway_id: a.transit_gateway_id,
            resource_type: a.resource_type.unwrap_or_else(|| {
                if is_vpc_listing {
                    "vpc".into()
                } else {
                    "unknown".into()
                }
            }),
            resource_id: a.resource_id.or(a.vpc_id),
            resource_owner_id: owner.clone(),
            state: a.state,
            subnet_ids: a.subnet_ids,
        };
        out.push(node(
            ctx,
            &a.transit_gateway_attachment_id,
            owner.as_deref(),
            &a.tags,
            NodeData::TransitGatewayAttachment(data),
        ));
    }
}

// ---- Network ACLs ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAcls {
    #[serde(default)]
    network_acls: Vec<NetworkAcl>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkAcl {
    network_acl_id: String,
    vpc_id: String,
    owner_id: Option<String>,
    #[serde(default)]
    is_default: bool,
    #[serde(default)]
    entries: Vec<NaclEntryShape>,
    #[serde(default)]
    associations: Vec<NaclAssoc>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NaclEntryShape {
    rule_number: u32,
    #[serde(default)]
    egress: bool,
    protocol: Protocol,
    rule_action: String,
    cidr_block: Option<Ipv4Net>,
    ipv6_cidr_block: Option<Ipv6Net>,
    port_range: Option<PortRangeShape>,
    icmp_type_code: Option<IcmpShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PortRangeShape {
    from: Option<i32>,
    to: Option<i32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IcmpShape {
    #[serde(rename = "Type")]
    icmp_type: Option<i32>,
    code: Option<i32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NaclAssoc {
    subnet_id: Option<String>,
}

fn port(p: Option<i32>, default: u16) -> u16 {
    match p {
        Some(v) if v >= 0 => u16::try_from(v.min(65535)).unwrap_or(u16::MAX),
        _ => default,
    }
}

pub fn network_acls(ctx: &Ctx, r: NetworkAcls, out: &mut Sink) {
    for acl in r.network_acls {
        let mut entries = Vec::with_capacity(acl.entries.len());
        for e in acl.entries {
            let cidr = match (e.cidr_block, e.ipv6_cidr_block) {
                (Some(v4), _) => IpNet::V4(v4),
                (None, Some(v6)) => IpNet::V6(v6),
                (None, None) => {
                    out.warn(format!(
                        "network ACL {}: entry {} has no CIDR block; skipped",
                        acl.network_acl_id, e.rule_number
                    ));
                    continue;
                }
            };
            let action = if e.rule_action.eq_ignore_ascii_case("allow") {
                RuleAction::Allow
            } else {
                RuleAction::Deny
            };
            let mut ports = e
                .port_range
                .map(|p| PortRange::new(port(p.from, 0), port(p.to, 65535)));
            if let Some(p) = ports.filter(|p| p.from > p.to) {
                // AWS rejects such an entry. Read so that it never hides
                // traffic: an allow as the span between its ports, a deny
                // as matching nothing.
                if action == RuleAction::Allow {
                    ports = Some(PortRange::new(p.to, p.from));
                    out.warn(format!(
                        "network ACL {}: entry {} allows ports {}-{}, the wrong way round (AWS rejects such an entry); read as {}-{}",
                        acl.network_acl_id, e.rule_number, p.from, p.to, p.to, p.from
                    ));
                } else {
                    out.warn(format!(
                        "network ACL {}: entry {} denies ports {}-{}, the wrong way round (AWS rejects such an entry); read as denying nothing",
                        acl.network_acl_id, e.rule_number, p.from, p.to
                    ));
                    continue;
                }
            }
            entries.push(NaclEntry {
                rule_number: e.rule_number,
                egress: e.egress,
                protocol: e.protocol,
                action,
                cidr,
                ports,
                icmp: e.icmp_type_code.map(|i| IcmpTypeCode {
                    icmp_type: i.icmp_type.unwrap_or(-1),
                    code: i.code.unwrap_or(-1),
                }),
            });
        }
        let data = m::NetworkAcl {
            vpc_id: acl.vpc_id,
            is_default: acl.is_default,
            entries,
            subnet_ids: acl
                .associations
                .into_iter()
                .filter_map(|a| a.subnet_id)
                .collect(),
        };
        out.push(node(
            ctx,
            &acl.network_acl_id,
            acl.owner_id.as_deref(),
            &acl.tags,
            NodeData::NetworkAcl(data),
        ));
    }
}

// ---- Security groups ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroups {
    #[serde(default)]
    security_groups: Items<SecurityGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SecurityGroup {
    group_id: String,
    group_name: Option<String>,
    description: Option<String>,
    owner_id: Option<String>,
    vpc_id: Option<String>,
    security_group_arn: Option<String>,
    #[serde(default)]
    ip_permissions: Vec<IpPermission>,
    #[serde(default)]
    ip_permissions_egress: Vec<IpPermission>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IpPermission {
    ip_protocol: Protocol,
    from_port: Option<i32>,
    to_port: Option<i32>,
    #[serde(default)]
    ip_ranges: Vec<IpRange>,
    #[serde(default)]
    ipv6_ranges: Vec<Ipv6Range>,
    #[serde(default)]
    prefix_list_ids: Vec<PrefixListId>,
    #[serde(default)]
    user_id_group_pairs: Vec<GroupPair>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IpRange {
    cidr_ip: Ipv4Net,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Ipv6Range {
    cidr_ipv6: Ipv6Net,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrefixListId {
    prefix_list_id: String,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupPair {
    group_id: Option<String>,
    user_id: Option<String>,
    vpc_id: Option<String>,
    peering_status: Option<String>,
    description: Option<String>,
}

fn rules(perms: Vec<IpPermission>) -> Vec<SgRule> {
    perms
        .into_iter()
        .map(|p| SgRule {
            protocol: p.ip_protocol,
            from_port: p.from_port,
            to_port: p.to_port,
            ipv4: p
                .ip_ranges
                .into_iter()
                .map(|r| CidrSource {
                    cidr: r.cidr_ip,
                    description: r.description,
                })
                .collect(),
            ipv6: p
                .ipv6_ranges
                .into_iter()
                .map(|r| CidrSource {
                    cidr: r.cidr_ipv6,
                    description: r.description,
                })
                .collect(),
            prefix_lists: p
                .prefix_list_ids
                .into_iter()
                .map(|r| PrefixListSource {
                    prefix_list_id: r.prefix_list_id,
                    description: r.description,
                })
                .collect(),
            groups: p
                .user_id_group_pairs
                .into_iter()
                .filter_map(|g| {
                    Some(GroupSource {
                        group_id: g.group_id?,
                        user_id: g.user_id,
                        vpc_id: g.vpc_id,
                        peering_status: g.peering_status,
                        description: g.description,
                    })
                })
                .collect(),
        })
        .collect()
}

pub fn security_groups(ctx: &Ctx, r: SecurityGroups, out: &mut Sink) {
    for g in r.security_groups {
        let name = g.group_name.clone().unwrap_or_default();
        let data = m::SecurityGroup {
            vpc_id: g.vpc_id,
            group_name: name.clone(),
            description: g.description,
            ingress: rules(g.ip_permissions),
            egress: rules(g.ip_permissions_egress),
        };
        for (way, r) in data
            .ingress
            .iter()
            .map(|r| ("ingress", r))
            .chain(data.egress.iter().map(|r| ("egress", r)))
        {
            if let (Some(from), Some(to)) = (r.from_port, r.to_port) {
                if r.protocol.has_ports() && from >= 0 && to >= 0 && from > to {
                    out.warn(format!(
                        "security group {}: {way} rule {} {from}-{to} has its ports the wrong way round (AWS rejects such a rule); read as {to}-{from}",
                        g.group_id, r.protocol
                    ));
                }
            }
        }
        let mut n = node(
            ctx,
            &g.group_id,
            g.owner_id.as_deref(),
            &g.tags,
            NodeData::SecurityGroup(data),
        );
        if n.name.is_none() && !name.is_empty() {
            n.name = Some(name);
        }
        n.arn = g.security_group_arn;
        out.push(n);
    }
}

// ---- Managed prefix lists ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixLists {
    #[serde(default)]
    prefix_lists: Items<PrefixList>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrefixList {
    prefix_list_id: String,
    prefix_list_name: Option<String>,
    prefix_list_arn: Option<String>,
    address_family: Option<String>,
    max_entries: Option<u32>,
    owner_id: Option<String>,
    state: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListEntries {
    #[serde(default)]
    entries: Vec<PrefixListEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrefixListEntry {
    cidr: IpNet,
    description: Option<String>,
}

pub fn prefix_lists(
    ctx: &Ctx,
    r: PrefixLists,
    entries: &BTreeMap<String, PrefixListEntries>,
    out: &mut Sink,
) {
    for p in r.prefix_lists {
        let owner = p
            .owner_id
            .as_deref()
            .filter(|o| crate::graph::is_account_id(o));
        let data = m::ManagedPrefixList {
            address_family: p.address_family,
            max_entries: p.max_entries,
            owner_id: p.owner_id.clone(),
            state: p.state,
            entries: entries.get(&p.prefix_list_id).map(|e| {
                e.entries
                    .iter()
                    .map(|x| m::PrefixListEntry {
                        cidr: x.cidr,
                        description: x.description.clone(),
                    })
                    .collect()
            }),
        };
        let mut n = node(
            ctx,
            &p.prefix_list_id,
            owner,
            &p.tags,
            NodeData::ManagedPrefixList(data),
        );
        if let Some(name) = p.prefix_list_name {
            n.name.get_or_insert(name);
        }
        n.arn = p.prefix_list_arn;
        out.push(n);
    }
}

// ---- Network interfaces and instances ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterfaces {
    #[serde(default)]
    network_interfaces: Items<Eni>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Eni {
    network_interface_id: String,
    owner_id: Option<String>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
    interface_type: Option<String>,
    status: Option<String>,
    description: Option<String>,
    private_ip_address: Option<Ipv4Addr>,
    association: Option<Association>,
    #[serde(default)]
    private_ip_addresses: Vec<PrivateIpShape>,
    #[serde(default)]
    ipv6_addresses: Vec<Ipv6Shape>,
    #[serde(default)]
    groups: Vec<GroupRef>,
    attachment: Option<EniAttachment>,
    #[serde(default)]
    requester_managed: bool,
    requester_id: Option<String>,
    #[serde(default)]
    tag_set: Vec<Tag>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct Association {
    public_ip: Option<Ipv4Addr>,
    allocation_id: Option<String>,
    ip_owner_id: Option<String>,
    public_dns_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrivateIpShape {
    private_ip_address: Option<Ipv4Addr>,
    #[serde(default)]
    primary: bool,
    association: Option<Association>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Ipv6Shape {
    ipv6_address: Option<Ipv6Addr>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupRef {
    group_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EniAttachment {
    instance_id: Option<String>,
    instance_owner_id: Option<String>,
    device_index: Option<u32>,
    status: Option<String>,
}

fn association(a: Association) -> Option<m::PublicIpAssociation> {
    Some(m::PublicIpAssociation {
        public_ip: a.public_ip?,
        allocation_id: a.allocation_id,
        ip_owner_id: a.ip_owner_id,
        public_dns_name: a.public_dns_name,
    })
}

fn private_ips(
    primary: Option<Ipv4Addr>,
    top: Option<Association>,
    list: Vec<PrivateIpShape>,
) -> Vec<m::PrivateIp> {
    let mut out: Vec<m::PrivateIp> = list
        .into_iter()
        .filter_map(|p| {
            Some(m::PrivateIp {
                address: p.private_ip_address?,
                primary: p.primary,
                association: p.association.and_then(association),
            })
        })
        .collect();
    if out.is_empty() {
        if let Some(address) = primary {
            out.push(m::PrivateIp {
                address,
                primary: true,
                association: top.and_then(association),
            });
        }
    } else if let Some(top) = top.and_then(association) {
        // The top-level Association belongs to the primary address.
        if let Some(p) = out.iter_mut().find(|p| p.primary) {
            p.association.get_or_insert(top);
        }
    }
    out
}

fn eni_data(e: Eni) -> (String, Option<String>, Vec<Tag>, m::NetworkInterface) {
    let data = m::NetworkInterface {
        vpc_id: e.vpc_id,
        subnet_id: e.subnet_id,
        interface_type: e.interface_type.as_deref().map(m::InterfaceType::from),
        status: e.status,
        description: e.description.filter(|d| !d.is_empty()),
        private_ips: private_ips(e.private_ip_address, e.association, e.private_ip_addresses),
        ipv6_addresses: e
            .ipv6_addresses
            .into_iter()
            .filter_map(|a| a.ipv6_address)
            .collect(),
        security_group_ids: e.groups.into_iter().filter_map(|g| g.group_id).collect(),
        attachment: e.attachment.map(|a| m::InterfaceAttachment {
            instance_id: a.instance_id,
            instance_owner_id: a.instance_owner_id,
            device_index: a.device_index,
            status: a.status,
        }),
        requester_managed: e.requester_managed,
        requester_id: e.requester_id,
    };
    (e.network_interface_id, e.owner_id, e.tag_set, data)
}

pub fn network_interfaces(
    ctx: &Ctx,
    r: NetworkInterfaces,
    seen: &mut HashSet<String>,
    out: &mut Sink,
) {
    for e in r.network_interfaces {
        let (id, owner, tags, data) = eni_data(e);
        seen.insert(id.clone());
        out.push(node(
            ctx,
            &id,
            owner.as_deref(),
            &tags,
            NodeData::NetworkInterface(data),
        ));
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Reservations {
    #[serde(default)]
    reservations: Items<Reservation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Reservation {
    owner_id: Option<String>,
    #[serde(default)]
    instances: Vec<Instance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Instance {
    instance_id: String,
    instance_type: Option<String>,
    image_id: Option<String>,
    platform: Option<String>,
    key_name: Option<String>,
    #[serde(default, deserialize_with = "time")]
    launch_time: Option<DateTime<Utc>>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
    placement: Option<Placement>,
    private_ip_address: Option<Ipv4Addr>,
    public_ip_address: Option<Ipv4Addr>,
    state: Option<InstanceState>,
    iam_instance_profile: Option<ProfileRef>,
    metadata_options: Option<MetadataOptions>,
    #[serde(default)]
    security_groups: Vec<GroupRef>,
    #[serde(default)]
    network_interfaces: Vec<InstanceEni>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Placement {
    availability_zone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceState {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileRef {
    arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataOptions {
    http_tokens: Option<String>,
    http_endpoint: Option<String>,
    http_put_response_hop_limit: Option<u32>,
}

/// An interface as DescribeInstances embeds it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceEni {
    network_interface_id: String,
    owner_id: Option<String>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
    interface_type: Option<String>,
    status: Option<String>,
    description: Option<String>,
    private_ip_address: Option<Ipv4Addr>,
    association: Option<Association>,
    #[serde(default)]
    private_ip_addresses: Vec<PrivateIpShape>,
    #[serde(default)]
    ipv6_addresses: Vec<Ipv6Shape>,
    #[serde(default)]
    groups: Vec<GroupRef>,
    attachment: Option<EniAttachment>,
}

/// Instances, and the interfaces they embed for any interface that
/// DescribeNetworkInterfaces did not list (`seen`).
pub fn instances(ctx: &Ctx, r: Reservations, seen: &HashSet<String>, out: &mut Sink) {
    for res in r.reservations {
        for i in res.instances {
            let mut eni_ids = Vec::with_capacity(i.network_interfaces.len());
            for e in i.network_interfaces {
                eni_ids.push(e.network_interface_id.clone());
                if seen.contains(&e.network_interface_id) {
                    continue;
                }
                let mut attachment = e.attachment;
                if let Some(a) = attachment.as_mut() {
                    a.instance_id.get_or_insert_with(|| i.instance_id.clone());
                }
                let owner = e.owner_id.clone().or(res.owner_id.clone());
                let full = Eni {
                    network_interface_id: e.network_interface_id,
                    owner_id: owner,
                    vpc_id: e.vpc_id,
                    subnet_id: e.subnet_id,
                    interface_type: e.interface_type,
                    status: e.status,
                    description: e.description,
                    private_ip_address: e.private_ip_address,
                    association: e.association,
                    private_ip_addresses: e.private_ip_addresses,
                    ipv6_addresses: e.ipv6_addresses,
                    groups: e.groups,
                    attachment: attachment.or(Some(EniAttachment {
                        instance_id: Some(i.instance_id.clone()),
                        instance_owner_id: None,
                        device_index: None,
                        status: None,
                    })),
                    requester_managed: false,
                    requester_id: None,
                    tag_set: Vec::new(),
                };
                let (id, owner, tags, data) = eni_data(full);
                out.push(node(
                    ctx,
                    &id,
                    owner.as_deref(),
                    &tags,
                    NodeData::NetworkInterface(data),
                ));
            }
            let meta = i.metadata_options.map(|o| m::MetadataOptions {
                http_tokens: o.http_tokens,
                http_endpoint: o.http_endpoint,
                hop_limit: o.http_put_response_hop_limit,
            });
            let data = m::Instance {
                state: i.state.and_then(|s| s.name),
                instance_type: i.instance_type,
                image_id: i.image_id,
                platform: i.platform,
                key_name: i.key_name,
                launch_time: i.launch_time,
                vpc_id: i.vpc_id,
                subnet_id: i.subnet_id,
                availability_zone: i.placement.and_then(|p| p.availability_zone),
                private_ip: i.private_ip_address,
                public_ip: i.public_ip_address,
                instance_profile_arn: i.iam_instance_profile.and_then(|p| p.arn),
                metadata_options: meta.unwrap_or_default(),
                security_group_ids: i
                    .security_groups
                    .into_iter()
                    .filter_map(|g| g.group_id)
                    .collect(),
                network_interface_ids: eni_ids,
            };
            out.push(node(
                ctx,
                &i.instance_id,
                res.owner_id.as_deref(),
                &i.tags,
                NodeData::Instance(data),
            ));
        }
    }
}

// ---- Elastic IPs ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Addresses {
    #[serde(default)]
    addresses: Vec<Address>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Address {
    public_ip: Ipv4Addr,
    allocation_id: Option<String>,
    association_id: Option<String>,
    instance_id: Option<String>,
    network_interface_id: Option<String>,
    network_interface_owner_id: Option<String>,
    private_ip_address: Option<Ipv4Addr>,
    #[serde(default)]
    tags: Vec<Tag>,
}

/// Elastic IPs; also returns (interface, private IP, public IP) for each
/// association, so that interfaces whose listing lacks it get the address.
pub fn addresses(
    ctx: &Ctx,
    r: Addresses,
    out: &mut Sink,
) -> Vec<(String, Option<Ipv4Addr>, m::PublicIpAssociation)> {
    let mut links = Vec::new();
    for a in r.addresses {
        let id = a
            .allocation_id
            .clone()
            .unwrap_or_else(|| a.public_ip.to_string());
        if let Some(eni) = &a.network_interface_id {
            links.push((
                eni.clone(),
                a.private_ip_address,
                m::PublicIpAssociation {
                    public_ip: a.public_ip,
                    allocation_id: a.allocation_id.clone(),
                    ip_owner_id: a
                        .network_interface_owner_id
                        .clone()
                        .or(Some(ctx.account.clone())),
                    public_dns_name: None,
                },
            ));
        }
        let data = m::ElasticIp {
            public_ip: a.public_ip,
            allocation_id: a.allocation_id,
            association_id: a.association_id,
            instance_id: a.instance_id,
            network_interface_id: a.network_interface_id,
            private_ip: a.private_ip_address,
        };
        let mut n = node(ctx, &id, None, &a.tags, NodeData::ElasticIp(data));
        n.name.get_or_insert_with(|| a.public_ip.to_string());
        out.push(n);
    }
    links
}
