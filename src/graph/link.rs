//! Deriving relationships from the ids that resources hold.

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use super::{Edge, Graph, NodeId};
use crate::model::policy::principal_account;
use crate::model::{Account, EdgeDetail, EdgeKind, Node, NodeData, NodeKind, PeeringRole, Region};

/// The id of the node standing for one region of one account.
pub fn region_node_id(account: &str, region: &str) -> String {
    format!("{account}/{region}")
}

/// Is this a 12-digit AWS account id?
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Give every account and region that a resource names a node, so that
/// the tree organization → account → region → VPC is always whole.
pub(super) fn add_implied_nodes(graph: &mut Graph) {
    let mut accounts: BTreeSet<(String, bool)> = BTreeSet::new();
    let mut regions: BTreeSet<(String, String)> = BTreeSet::new();
    for node in &graph.nodes {
        if is_account_id(&node.account) {
            accounts.insert((node.account.clone(), false));
            if let Some(region) = &node.region {
                regions.insert((node.account.clone(), region.clone()));
            }
        }
        match &node.data {
            NodeData::IamRole(role) => {
                for p in role.trust_policy.trusted_principals() {
                    if p.principal_type == crate::model::policy::PrincipalType::Aws {
                        if let Some(acct) = principal_account(&p.value) {
                            accounts.insert((acct.to_string(), true));
                        }
                    }
                }
            }
            NodeData::VpcPeeringConnection(pcx) => {
                for side in [&pcx.requester, &pcx.accepter] {
                    if let Some(owner) = side.owner_id.as_deref().filter(|o| is_account_id(o)) {
                        accounts.insert((owner.to_string(), true));
                    }
                }
            }
            _ => {}
        }
    }
    for (account, external) in accounts {
        if graph.by_id(&account).is_none() {
            let data = NodeData::Account(Account {
                external,
                ..Account::default()
            });
            graph.insert(Node::new(account.clone(), account, data));
        }
    }
    for (account, region) in regions {
        let id = region_node_id(&account, &region);
        if graph.by_id(&id).is_none() {
            let node = Node::new(id, account, NodeData::Region(Region::default()))
                .in_region(region.clone())
                .with_name(region);
            graph.insert(node);
        }
    }
}

/// Lookup tables that linking needs beyond id and ARN.
struct Index {
    /// (vpc id, private IPv4) → network interface, for IP targets.
    interface_by_ip: HashMap<(String, Ipv4Addr), NodeId>,
    /// `app/NAME/ID` → load balancer, for interfaces named `ELB app/NAME/ID`.
    lb_by_suffix: HashMap<String, NodeId>,
    /// VPC id → main route table.
    main_route_table: HashMap<String, NodeId>,
    /// Subnet id → explicitly associated route table.
    subnet_route_table: HashMap<String, NodeId>,
    /// VPC id → default network ACL.
    default_acl: HashMap<String, NodeId>,
    /// Subnet id → explicitly associated network ACL.
    subnet_acl: HashMap<String, NodeId>,
    /// (account, IAM name) → user or group.
    iam_by_name: HashMap<(String, NodeKind, String), NodeId>,
    /// (subnet, security groups sorted) → the DB instances placed there,
    /// for the interfaces RDS creates.
    databases_by_place: HashMap<(String, Vec<String>), Vec<NodeId>>,
}

/// Where a database or an interface sits: its subnet and its security
/// groups, in order.
fn place(subnet: &str, groups: &[String]) -> (String, Vec<String>) {
    let mut groups = groups.to_vec();
    groups.sort();
    (subnet.to_string(), groups)
}

/// An interface RDS created for a DB instance: DescribeNetworkInterfaces
/// says `RequesterId: amazon-rds` and `Description: RDSNetworkInterface`,
/// and nothing names the instance.
fn is_rds_interface(eni: &crate::model::NetworkInterface) -> bool {
    eni.requester_id.as_deref() == Some("amazon-rds")
        || eni.description.as_deref() == Some("RDSNetworkInterface")
}

fn build_index(graph: &Graph) -> Index {
    let mut ix = Index {
        interface_by_ip: HashMap::new(),
        lb_by_suffix: HashMap::new(),
        main_route_table: HashMap::new(),
        subnet_route_table: HashMap::new(),
        default_acl: HashMap::new(),
        subnet_acl: HashMap::new(),
        iam_by_name: HashMap::new(),
        databases_by_place: HashMap::new(),
    };
    for (id, node) in graph.nodes() {
        match &node.data {
            NodeData::NetworkInterface(eni) => {
                if let Some(vpc) = &eni.vpc_id {
                    for ip in &eni.private_ips {
                        ix.interface_by_ip.insert((vpc.clone(), ip.address), id);
                    }
                }
            }
            NodeData::LoadBalancer(_) => {
                if let Some(suffix) = node.arn.as_deref().and_then(lb_suffix) {
                    ix.lb_by_suffix.insert(suffix.to_string(), id);
                }
            }
            NodeData::RouteTable(rt) => {
                for assoc in &rt.associations {
                    if assoc.main {
                        ix.main_route_table.insert(rt.vpc_id.clone(), id);
                    }
                    if let Some(subnet) = &assoc.subnet_id {
                        ix.subnet_route_table.insert(subnet.clone(), id);
                    }
                }
            }
            NodeData::NetworkAcl(acl) => {
                if acl.is_default {
                    ix.default_acl.insert(acl.vpc_id.clone(), id);
                }
                for subnet in &acl.subnet_ids {
                    ix.subnet_acl.insert(subnet.clone(), id);
                }
            }
            NodeData::DbInstance(db) => {
                for subnet in &db.subnet_ids {
                    ix.databases_by_place
                        .entry(place(subnet, &db.security_group_ids))
                        .or_default()
                        .push(id);
                }
            }
            NodeData::IamUser(_) | NodeData::IamGroup(_) | NodeData::IamRole(_) => {
                if let Some(name) = &node.name {
                    ix.iam_by_name
                        .insert((node.account.clone(), node.kind(), name.clone()), id);
                }
            }
            _ => {}
        }
    }
    ix
}

/// `app/NAME/ID` from `arn:aws:elasticloadbalancing:…:loadbalancer/app/NAME/ID`.
fn lb_suffix(arn: &str) -> Option<&str> {
    arn.split_once(":loadbalancer/").map(|(_, s)| s)
}

struct Linker<'g> {
    graph: &'g Graph,
    edges: Vec<Edge>,
}

impl Linker<'_> {
    fn add(
        &mut self,
        from: NodeId,
        to: Option<NodeId>,
        kind: EdgeKind,
        detail: Option<EdgeDetail>,
    ) {
        if let Some(to) = to {
            if to != from {
                self.edges.push(Edge {
                    from,
                    to,
                    kind,
                    detail,
                });
            }
        }
    }

    /// Link to the node with this id (or ARN), if it was loaded.
    fn link_to(&mut self, from: NodeId, target: &str, kind: EdgeKind, detail: Option<EdgeDetail>) {
        let to = self
            .graph
            .by_id(target)
            .or_else(|| self.graph.by_arn(target));
        self.add(from, to, kind, detail);
    }
}

pub(super) fn derive_edges(graph: &Graph) -> Vec<Edge> {
    let ix = build_index(graph);
    let mut l = Linker {
        graph,
        edges: Vec::with_capacity(graph.len() * 3),
    };
    for (id, node) in graph.nodes() {
        link_node(&mut l, &ix, id, node);
    }
    l.edges
}

fn region_of(l: &mut Linker, id: NodeId, node: &Node) {
    if let Some(region) = &node.region {
        let target = region_node_id(&node.account, region);
        l.link_to(id, &target, EdgeKind::InRegion, None);
    }
}

fn link_node(l: &mut Linker, ix: &Index, id: NodeId, node: &Node) {
    use EdgeKind as E;
    match &node.data {
        NodeData::Organization(_) => {}
        NodeData::Account(a) => {
            if let Some(org) = &a.organization_id {
                l.link_to(id, org, E::MemberOf, None);
            }
            if let Some(parent) = &a.parent_id {
                l.link_to(id, parent, E::InOrganizationalUnit, None);
            }
        }
        NodeData::OrganizationalUnit(ou) => {
            if let Some(parent) = &ou.parent_id {
                l.link_to(id, parent, E::InOrganizationalUnit, None);
            }
        }
        NodeData::ServiceControlPolicy(p) => {
            for t in &p.targets {
                l.link_to(id, t, E::AppliesTo, None);
            }
        }
        NodeData::Region(_) => l.link_to(id, &node.account, E::RegionOf, None),
        NodeData::Vpc(_) => region_of(l, id, node),
        NodeData::Subnet(s) => {
            l.link_to(id, &s.vpc_id, E::InVpc, None);
            match ix.subnet_route_table.get(&node.id) {
                Some(&rt) => l.add(id, Some(rt), E::UsesRouteTable, None),
                None => {
                    let main = ix.main_route_table.get(&s.vpc_id).copied();
                    l.add(id, main, E::UsesMainRouteTable, None);
                }
            }
            match ix.subnet_acl.get(&node.id) {
                Some(&acl) => l.add(id, Some(acl), E::UsesNetworkAcl, None),
                None => {
                    let default = ix.default_acl.get(&s.vpc_id).copied();
                    l.add(id, default, E::UsesNetworkAcl, Some(EdgeDetail::VpcDefault));
                }
            }
        }
        NodeData::RouteTable(rt) => {
            l.link_to(
                id,
                &rt.vpc_id,
                E::InVpc,
                rt.is_main().then_some(EdgeDetail::MainRouteTable),
            );
            for route in &rt.routes {
                if let Some(target) = route.target.id() {
                    let detail = EdgeDetail::Route {
                        destination: route.destination.clone(),
                        blackhole: route.state == crate::model::network::RouteState::Blackhole,
                    };
                    l.link_to(id, target, E::RoutesTo, Some(detail));
                }
                if let crate::model::network::Destination::PrefixList(pl) = &route.destination {
                    l.link_to(id, pl, E::RoutesToPrefixList, None);
                }
            }
            for assoc in &rt.associations {
                if let Some(gw) = &assoc.gateway_id {
                    if let Some(gw) = l.graph.by_id(gw) {
                        l.add(gw, Some(id), E::IngressRoutedBy, None);
                    }
                }
            }
        }
        NodeData::InternetGateway(gw) => {
            for att in &gw.attachments {
                let detail = (!att.is_attached()).then(|| EdgeDetail::State(att.state.clone()));
                l.link_to(id, &att.vpc_id, E::AttachedToVpc, detail);
            }
            region_of(l, id, node);
        }
        NodeData::EgressOnlyInternetGateway(gw) => {
            for att in &gw.attachments {
                let detail = (!att.is_attached()).then(|| EdgeDetail::State(att.state.clone()));
                l.link_to(id, &att.vpc_id, E::AttachedToVpc, detail);
            }
            region_of(l, id, node);
        }
        NodeData::NatGateway(nat) => {
            l.link_to(id, &nat.subnet_id, E::InSubnet, None);
            l.link_to(id, &nat.vpc_id, E::InVpc, None);
        }
        NodeData::VpcPeeringConnection(pcx) => {
            l.link_to(
                id,
                &pcx.requester.vpc_id,
                E::Connects,
                Some(EdgeDetail::PeeringSide(PeeringRole::Requester)),
            );
            l.link_to(
                id,
                &pcx.accepter.vpc_id,
                E::Connects,
                Some(EdgeDetail::PeeringSide(PeeringRole::Accepter)),
            );
            region_of(l, id, node);
        }
        NodeData::TransitGatewayAttachment(att) => {
            if att.resource_type == "vpc" {
                if let Some(vpc) = &att.resource_id {
                    l.link_to(
                        id,
                        vpc,
                        E::Connects,
                        Some(EdgeDetail::TransitGateway(att.transit_gateway_id.clone())),
                    );
                }
            }
            region_of(l, id, node);
        }
        NodeData::NetworkAcl(acl) => {
            l.link_to(
                id,
                &acl.vpc_id,
                E::InVpc,
                acl.is_default.then_some(EdgeDetail::DefaultAcl),
            );
        }
        NodeData::SecurityGroup(sg) => {
            if let Some(vpc) = &sg.vpc_id {
                l.link_to(id, vpc, E::InVpc, None);
            }
            for (rules, kind) in [
                (&sg.ingress, E::AllowsIngressFrom),
                (&sg.egress, E::AllowsEgressTo),
            ] {
                for rule in rules {
                    for g in &rule.groups {
                        l.link_to(
                            id,
                            &g.group_id,
                            kind,
                            Some(EdgeDetail::RulePorts(rule.ports())),
                        );
                    }
                    for p in &rule.prefix_lists {
                        l.link_to(
                            id,
                            &p.prefix_list_id,
                            kind,
                            Some(EdgeDetail::RulePorts(rule.ports())),
                        );
                    }
                }
            }
        }
        NodeData::ManagedPrefixList(_) => region_of(l, id, node),
        NodeData::NetworkInterface(eni) => {
            if let Some(subnet) = &eni.subnet_id {
                l.link_to(id, subnet, E::InSubnet, None);
            }
            for sg in &eni.security_group_ids {
                l.link_to(id, sg, E::ProtectedBy, None);
            }
            if let Some(att) = &eni.attachment {
                if let Some(instance) = &att.instance_id {
                    let detail = att.device_index.map(EdgeDetail::DeviceIndex);
                    l.link_to(id, instance, E::AttachedToInstance, detail);
                }
            }
            if let Some(suffix) = eni.load_balancer_suffix() {
                let lb = ix.lb_by_suffix.get(suffix).copied();
                l.add(id, lb, E::InterfaceOf, None);
            }
            // An RDS interface belongs to the one DB instance in its subnet
            // with its security groups; where several share both, which is
            // whose is not known, and the interface stands alone.
            if let (true, Some(subnet)) = (is_rds_interface(eni), &eni.subnet_id) {
                if let Some([db]) = ix
                    .databases_by_place
                    .get(&place(subnet, &eni.security_group_ids))
                    .map(Vec::as_slice)
                {
                    l.add(id, Some(*db), E::InterfaceOf, None);
                }
            }
        }
        NodeData::Instance(inst) => {
            if let Some(subnet) = &inst.subnet_id {
                l.link_to(id, subnet, E::InSubnet, None);
            }
            for sg in &inst.security_group_ids {
                l.link_to(id, sg, E::ProtectedBy, None);
            }
            if let Some(profile) = &inst.instance_profile_arn {
                l.link_to(id, profile, E::UsesInstanceProfile, None);
            }
        }
        NodeData::ElasticIp(eip) => {
            let detail = Some(EdgeDetail::PublicIp(eip.public_ip));
            match (&eip.network_interface_id, &eip.instance_id) {
                (Some(eni), _) => l.link_to(id, eni, E::AssociatedWith, detail),
                (None, Some(inst)) => l.link_to(id, inst, E::AssociatedWith, detail),
                (None, None) => {}
            }
            region_of(l, id, node);
        }
        NodeData::LoadBalancer(lb) => {
            if let Some(vpc) = &lb.vpc_id {
                l.link_to(id, vpc, E::InVpc, None);
            }
            for zone in &lb.zones {
                l.link_to(
                    id,
                    &zone.subnet_id,
                    E::InSubnet,
                    zone.zone.clone().map(EdgeDetail::Zone),
                );
            }
            for sg in &lb.security_group_ids {
                l.link_to(id, sg, E::ProtectedBy, None);
            }
        }
        NodeData::Listener(listener) => {
            l.link_to(id, &listener.load_balancer_arn, E::ListenerOf, None);
            let port = listener.port.map(EdgeDetail::Port);
            for tg in listener.target_group_arns() {
                l.link_to(id, tg, E::ForwardsTo, port.clone());
            }
        }
        NodeData::TargetGroup(tg) => {
            for lb in &tg.load_balancer_arns {
                l.link_to(id, lb, E::TargetGroupOf, None);
            }
            if let Some(vpc) = &tg.vpc_id {
                l.link_to(id, vpc, E::InVpc, None);
            }
            for target in tg.targets.iter().flatten() {
                let port = target.port.or(tg.port).map(EdgeDetail::Port);
                match (target.id.parse::<IpAddr>(), &tg.vpc_id) {
                    (Ok(IpAddr::V4(ip)), Some(vpc)) => {
                        let eni = ix.interface_by_ip.get(&(vpc.clone(), ip)).copied();
                        l.add(id, eni, E::Targets, port);
                    }
                    _ => l.link_to(id, &target.id, E::Targets, port),
                }
            }
        }
        NodeData::IamUser(user) => {
            l.link_to(id, &node.account, E::InAccount, None);
            for p in &user.attached_policies {
                l.link_to(id, &p.arn, E::AttachedPolicy, None);
            }
            for g in &user.group_names {
                let key = (node.account.clone(), NodeKind::IamGroup, g.clone());
                let group = ix.iam_by_name.get(&key).copied();
                l.add(id, group, E::MemberOfGroup, None);
            }
        }
        NodeData::IamGroup(group) => {
            l.link_to(id, &node.account, E::InAccount, None);
            for p in &group.attached_policies {
                l.link_to(id, &p.arn, E::AttachedPolicy, None);
            }
        }
        NodeData::IamRole(role) => {
            l.link_to(id, &node.account, E::InAccount, None);
            for p in &role.attached_policies {
                l.link_to(id, &p.arn, E::AttachedPolicy, None);
            }
            for p in role.trust_policy.trusted_principals() {
                if p.principal_type != crate::model::policy::PrincipalType::Aws {
                    continue;
                }
                let account = principal_account(&p.value);
                let cross_account = account.is_some_and(|a| a != node.account);
                let detail = cross_account.then_some(EdgeDetail::CrossAccount {
                    external_id_required: p.requires_external_id,
                });
                // `arn:aws:iam::ACCOUNT:root` and a bare id trust the whole account.
                let whole_account = p.value.ends_with(":root") || is_account_id(&p.value);
                let by_account = || account.and_then(|a| l.graph.by_id(a));
                let target = if whole_account {
                    by_account()
                } else {
                    l.graph.by_arn(&p.value).or_else(by_account)
                };
                l.add(id, target, E::Trusts, detail);
            }
        }
        NodeData::IamPolicy(_) => {
            l.link_to(id, &node.account, E::InAccount, None);
        }
        NodeData::InstanceProfile(profile) => {
            l.link_to(id, &node.account, E::InAccount, None);
            for role in &profile.role_arns {
                l.link_to(id, role, E::HasRole, None);
            }
        }
        NodeData::AccessKey(key) => {
            if let Some(user) = l
                .graph
                .by_arn(&key.user_arn)
                .or_else(|| l.graph.by_id(&key.user_arn))
            {
                l.add(
                    user,
                    Some(id),
                    E::HasAccessKey,
                    Some(EdgeDetail::KeyStatus(key.status.clone())),
                );
            }
        }
        NodeData::GuardDutyDetector(_) => region_of(l, id, node),
        NodeData::GuardDutyFinding(f) => {
            if let Some(det) = &f.detector_id {
                l.link_to(id, det, E::ReportedBy, None);
            }
            if let Some(inst) = &f.instance_id {
                l.link_to(id, inst, E::FindingAffects, None);
            }
            if let Some(key) = &f.access_key_id {
                l.link_to(id, key, E::FindingAffects, None);
            }
            if let Some(user) = &f.user_name {
                // GuardDuty names the root user `Root`.
                let target = if user == "Root" {
                    l.graph
                        .by_id(&format!("arn:aws:iam::{}:root", node.account))
                } else {
                    // Instance credentials name the role (UserType AssumedRole).
                    let user_key = (node.account.clone(), NodeKind::IamUser, user.clone());
                    let role_key = (node.account.clone(), NodeKind::IamRole, user.clone());
                    ix.iam_by_name
                        .get(&user_key)
                        .or_else(|| ix.iam_by_name.get(&role_key))
                        .copied()
                };
                l.add(id, target, E::FindingAffects, None);
            }
        }
        NodeData::Trail(t) => {
            if let Some(bucket) = &t.bucket {
                l.link_to(id, bucket, E::LogsTo, None);
            }
            if let Some(key) = &t.kms_key_id {
                l.link_to(id, key, E::EncryptedWith, None);
            }
            region_of(l, id, node);
        }
        NodeData::ConfigRecorder(_) | NodeData::KmsKey(_) => region_of(l, id, node),
        NodeData::FlowLog(f) => {
            l.link_to(id, &f.resource_id, E::Records, None);
            region_of(l, id, node);
        }
        NodeData::Bucket(b) => {
            if let Some(crate::model::Answer::Value(doc)) = &b.policy {
                let mut seen = std::collections::BTreeSet::new();
                for p in doc.trusted_principals() {
                    if p.principal_type != crate::model::policy::PrincipalType::Aws
                        || !seen.insert(p.value.clone())
                    {
                        continue;
                    }
                    let target = l.graph.by_arn(&p.value).or_else(|| {
                        crate::model::policy::principal_account(&p.value)
                            .and_then(|a| l.graph.by_id(a))
                    });
                    l.add(id, target, E::PolicyAllows, None);
                }
            }
            if let Some(crate::model::Answer::Value(e)) = &b.encryption {
                if let Some(key) = &e.kms_key_id {
                    l.link_to(id, key, E::EncryptedWith, None);
                }
            }
            region_of(l, id, node);
        }
        NodeData::Volume(v) => {
            for instance in &v.instance_ids {
                l.link_to(id, instance, E::VolumeOf, None);
            }
            if let Some(key) = &v.kms_key_id {
                l.link_to(id, key, E::EncryptedWith, None);
            }
            region_of(l, id, node);
        }
        NodeData::DbInstance(d) => {
            if let Some(vpc) = &d.vpc_id {
                l.link_to(id, vpc, E::InVpc, None);
            }
            for subnet in &d.subnet_ids {
                l.link_to(id, subnet, E::InSubnet, None);
            }
            for sg in &d.security_group_ids {
                l.link_to(id, sg, E::ProtectedBy, None);
            }
            if let Some(key) = &d.kms_key_id {
                l.link_to(id, key, E::EncryptedWith, None);
            }
        }
    }
}
