//! Writing a graph back out as AWS JSON in CloudMapper's `account-data`
//! layout: the shapes the importer reads, one file per operation.
//!
//! Used to benchmark the importer at scale, to check it against a known
//! graph, and to hand a synthetic organization to other tools.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::graph::Graph;
use crate::model::network::{Destination, RouteState, RouteTarget, SgRule};
use crate::model::{Node, NodeData};
use crate::source::operations::{self as ops, Operation};

/// Python's `quote_plus` keeps these; everything else is escaped.
const QUOTE_PLUS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b' ');

fn quote_plus(s: &str) -> String {
    utf8_percent_encode(s, QUOTE_PLUS)
        .to_string()
        .replace(' ', "+")
}

/// Where IAM and the other global services go, as CloudMapper does it.
const GLOBAL_REGION: &str = "us-east-1";

type Files = BTreeMap<String, Value>;

/// One account's users, groups, roles and policies for the authorization details.
#[derive(Default)]
struct IamLists {
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
}

/// Write the graph as `<dir>/<account>/<region>/<service>-<operation>.json`.
pub fn write_tree(graph: &Graph, dir: &Path) -> std::io::Result<()> {
    // account → region → file name → content
    let mut tree: BTreeMap<String, BTreeMap<String, Files>> = BTreeMap::new();
    // (account, region, operation's CLI name) → the listing's items
    let mut lists: BTreeMap<(String, String, &'static str), Vec<Value>> = BTreeMap::new();

    for (_, n) in graph.nodes() {
        let region = n
            .region
            .clone()
            .unwrap_or_else(|| GLOBAL_REGION.to_string());
        let key = |op: &'static Operation| (n.account.clone(), region.clone(), op.cli);
        match &n.data {
            NodeData::Vpc(_) => lists.entry(key(&ops::DESCRIBE_VPCS)).or_default().push(vpc(n)),
            NodeData::Subnet(_) => lists.entry(key(&ops::DESCRIBE_SUBNETS)).or_default().push(subnet(n)),
            NodeData::RouteTable(_) => lists.entry(key(&ops::DESCRIBE_ROUTE_TABLES)).or_default().push(route_table(n)),
            NodeData::InternetGateway(g) => lists.entry(key(&ops::DESCRIBE_INTERNET_GATEWAYS)).or_default().push(json!({
                "InternetGatewayId": n.id, "OwnerId": n.account, "Tags": tags(n),
                "Attachments": g.attachments.iter().map(|a| json!({"VpcId": a.vpc_id, "State": a.state})).collect::<Vec<_>>(),
            })),
            NodeData::EgressOnlyInternetGateway(g) => lists.entry(key(&ops::DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS)).or_default().push(json!({
                "EgressOnlyInternetGatewayId": n.id, "Tags": tags(n),
                "Attachments": g.attachments.iter().map(|a| json!({"VpcId": a.vpc_id, "State": a.state})).collect::<Vec<_>>(),
            })),
            NodeData::NatGateway(g) => lists.entry(key(&ops::DESCRIBE_NAT_GATEWAYS)).or_default().push(json!({
                "NatGatewayId": n.id, "VpcId": g.vpc_id, "SubnetId": g.subnet_id, "State": g.state, "ConnectivityType": g.connectivity_type, "Tags": tags(n),
                "NatGatewayAddresses": g.network_interface_ids.iter().enumerate().map(|(i, eni)| json!({
                    "NetworkInterfaceId": eni, "PublicIp": g.public_ips.get(i), "PrivateIp": g.private_ips.get(i),
                })).collect::<Vec<_>>(),
            })),
            NodeData::VpcPeeringConnection(p) => {
                let side = |s: &crate::model::PeeringSide| json!({
                    "VpcId": s.vpc_id, "OwnerId": s.owner_id, "Region": s.region, "CidrBlock": s.cidr_blocks.first(),
                    "CidrBlockSet": s.cidr_blocks.iter().map(|c| json!({"CidrBlock": c})).collect::<Vec<_>>(),
                    "Ipv6CidrBlockSet": s.ipv6_cidr_blocks.iter().map(|c| json!({"Ipv6CidrBlock": c})).collect::<Vec<_>>(),
                });
                lists.entry(key(&ops::DESCRIBE_VPC_PEERING_CONNECTIONS)).or_default().push(json!({
                    "VpcPeeringConnectionId": n.id, "RequesterVpcInfo": side(&p.requester), "AccepterVpcInfo": side(&p.accepter),
                    "Status": {"Code": p.status}, "Tags": tags(n),
                }));
            }
            NodeData::TransitGatewayAttachment(a) => lists.entry(key(&ops::DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS)).or_default().push(json!({
                "TransitGatewayAttachmentId": n.id, "TransitGatewayId": a.transit_gateway_id, "ResourceType": a.resource_type,
                "ResourceId": a.resource_id, "ResourceOwnerId": a.resource_owner_id, "State": a.state, "Tags": tags(n),
            })),
            NodeData::NetworkAcl(acl) => lists.entry(key(&ops::DESCRIBE_NETWORK_ACLS)).or_default().push(json!({
                "NetworkAclId": n.id, "VpcId": acl.vpc_id, "OwnerId": n.account, "IsDefault": acl.is_default, "Tags": tags(n),
                "Associations": acl.subnet_ids.iter().map(|s| json!({"SubnetId": s, "NetworkAclId": n.id})).collect::<Vec<_>>(),
                "Entries": acl.entries.iter().map(|e| {
                    let mut v = json!({"RuleNumber": e.rule_number, "Egress": e.egress, "Protocol": protocol_number(e.protocol), "RuleAction": e.action.to_string()});
                    match e.cidr {
                        ipnet::IpNet::V4(c) => v["CidrBlock"] = json!(c),
                        ipnet::IpNet::V6(c) => v["Ipv6CidrBlock"] = json!(c),
                    }
                    if let Some(p) = e.ports { v["PortRange"] = json!({"From": p.from, "To": p.to}); }
                    if let Some(i) = e.icmp { v["IcmpTypeCode"] = json!({"Type": i.icmp_type, "Code": i.code}); }
                    v
                }).collect::<Vec<_>>(),
            })),
            NodeData::SecurityGroup(sg) => lists.entry(key(&ops::DESCRIBE_SECURITY_GROUPS)).or_default().push(json!({
                "GroupId": n.id, "GroupName": sg.group_name, "Description": sg.description, "VpcId": sg.vpc_id, "OwnerId": n.account,
                "IpPermissions": sg.ingress.iter().map(permission).collect::<Vec<_>>(),
                "IpPermissionsEgress": sg.egress.iter().map(permission).collect::<Vec<_>>(),
                "Tags": tags(n),
            })),
            NodeData::ManagedPrefixList(pl) => {
                lists.entry(key(&ops::DESCRIBE_MANAGED_PREFIX_LISTS)).or_default().push(json!({
                    "PrefixListId": n.id, "PrefixListName": n.name, "PrefixListArn": n.arn, "AddressFamily": pl.address_family,
                    "MaxEntries": pl.max_entries, "OwnerId": pl.owner_id, "State": pl.state,
                }));
                if let Some(entries) = &pl.entries {
                    let file = format!("{}/{}", ops::GET_MANAGED_PREFIX_LIST_ENTRIES.file(), quote_plus(&n.id));
                    let entries: Vec<Value> = entries.iter().map(|e| json!({"Cidr": e.cidr, "Description": e.description})).collect();
                    tree.entry(n.account.clone()).or_default().entry(region.clone()).or_default().insert(file, json!({"Entries": entries}));
                }
            }
            NodeData::NetworkInterface(_) => lists.entry(key(&ops::DESCRIBE_NETWORK_INTERFACES)).or_default().push(interface(n)),
            NodeData::Instance(_) => lists.entry(key(&ops::DESCRIBE_INSTANCES)).or_default().push(json!({
                "OwnerId": n.account, "ReservationId": format!("r-{}", n.id.trim_start_matches("i-")), "Instances": [instance(graph, n)],
            })),
            NodeData::ElasticIp(e) => lists.entry(key(&ops::DESCRIBE_ADDRESSES)).or_default().push(json!({
                "PublicIp": e.public_ip, "AllocationId": e.allocation_id, "AssociationId": e.association_id, "InstanceId": e.instance_id,
                "NetworkInterfaceId": e.network_interface_id, "PrivateIpAddress": e.private_ip, "Domain": "vpc", "Tags": tags(n),
            })),
            NodeData::LoadBalancer(lb) => lists.entry(key(&ops::DESCRIBE_LOAD_BALANCERS)).or_default().push(json!({
                "LoadBalancerArn": n.id, "LoadBalancerName": n.name, "DNSName": lb.dns_name, "Scheme": lb.scheme, "VpcId": lb.vpc_id,
                "State": {"Code": lb.state}, "Type": lb.lb_type, "IpAddressType": lb.ip_address_type, "SecurityGroups": lb.security_group_ids,
                "AvailabilityZones": lb.zones.iter().map(|z| json!({"ZoneName": z.zone, "SubnetId": z.subnet_id,
                    "LoadBalancerAddresses": z.addresses.iter().map(|a| json!({"IpAddress": a})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            })),
            NodeData::Listener(l) => {
                let file = format!("{}/{}", ops::DESCRIBE_LISTENERS.file(), quote_plus(&l.load_balancer_arn));
                let entry = tree.entry(n.account.clone()).or_default().entry(region.clone()).or_default().entry(file).or_insert_with(|| json!({"Listeners": []}));
                if let Some(list) = entry["Listeners"].as_array_mut() {
                    list.push(json!({
                        "ListenerArn": n.id, "LoadBalancerArn": l.load_balancer_arn, "Port": l.port, "Protocol": l.protocol,
                        "DefaultActions": l.default_actions.iter().map(|a| json!({
                            "Type": a.action_type, "TargetGroupArn": a.target_group_arns.first(),
                            "ForwardConfig": {"TargetGroups": a.target_group_arns.iter().map(|t| json!({"TargetGroupArn": t, "Weight": 1})).collect::<Vec<_>>()},
                        })).collect::<Vec<_>>(),
                    }));
                }
            }
            NodeData::TargetGroup(tg) => {
                lists.entry(key(&ops::DESCRIBE_TARGET_GROUPS)).or_default().push(json!({
                    "TargetGroupArn": n.id, "TargetGroupName": n.name, "Protocol": tg.protocol, "Port": tg.port, "TargetType": tg.target_type,
                    "VpcId": tg.vpc_id, "LoadBalancerArns": tg.load_balancer_arns,
                }));
                if let Some(targets) = &tg.targets {
                    let file = format!("{}/{}", ops::DESCRIBE_TARGET_HEALTH.file(), quote_plus(&n.id));
                    let descs: Vec<Value> = targets.iter().map(|t| json!({
                        "Target": {"Id": t.id, "Port": t.port, "AvailabilityZone": t.availability_zone}, "TargetHealth": {"State": t.health},
                    })).collect();
                    tree.entry(n.account.clone()).or_default().entry(region.clone()).or_default().insert(file, json!({"TargetHealthDescriptions": descs}));
                }
            }
            NodeData::GuardDutyDetector(d) => {
                lists.entry(key(&ops::LIST_DETECTORS)).or_default().push(json!(n.id));
                let files = tree.entry(n.account.clone()).or_default().entry(region.clone()).or_default();
                files.insert(format!("{}/{}", ops::GET_DETECTOR.file(), quote_plus(&n.id)), json!({
                    "Status": d.status, "FindingPublishingFrequency": d.finding_publishing_frequency, "CreatedAt": d.created_at, "ServiceRole": d.service_role,
                }));
                files.entry(format!("{}/{}", ops::GET_FINDINGS.file(), quote_plus(&n.id))).or_insert_with(|| json!({"Findings": []}));
            }
            NodeData::GuardDutyFinding(f) => {
                let det = f.detector_id.clone().unwrap_or_default();
                let file = format!("{}/{}", ops::GET_FINDINGS.file(), quote_plus(&det));
                let entry = tree.entry(n.account.clone()).or_default().entry(region.clone()).or_default().entry(file).or_insert_with(|| json!({"Findings": []}));
                if let Some(list) = entry["Findings"].as_array_mut() {
                    list.push(finding(n, f));
                }
            }
            _ => {}
        }
    }
    for ((account, region, cli), items) in lists {
        let Some((op, list)) = ops::by_cli(cli).and_then(|o| Some((o, o.list_field?))) else {
            continue;
        };
        tree.entry(account)
            .or_default()
            .entry(region)
            .or_default()
            .insert(op.file(), json!({ list: items }));
    }
    iam(graph, &mut tree);

    // Accounts known only by reference (a trust policy) were not collected.
    let loaded: std::collections::BTreeSet<&str> = graph
        .nodes_of(crate::model::NodeKind::Account)
        .filter(|(_, n)| matches!(&n.data, NodeData::Account(a) if !a.external))
        .map(|(_, n)| n.id.as_str())
        .collect();
    for (account, regions) in &mut tree {
        if !loaded.contains(account.as_str()) {
            continue;
        }
        // A collected operation that found nothing still leaves its file.
        for files in regions.values_mut() {
            for op in ops::ALL.iter().filter(|o| o.absent == ops::Absent::Gap) {
                if let (ops::Scope::Regional, Some(list)) = (op.scope, op.list_field) {
                    files
                        .entry(op.file())
                        .or_insert_with(|| json!({ list: [] }));
                }
            }
        }
    }
    for (account, regions) in &tree {
        if !loaded.contains(account.as_str()) {
            continue;
        }
        for (region, files) in regions {
            let base = dir.join(account).join(region);
            std::fs::create_dir_all(&base)?;
            for (name, value) in files {
                let path = if name.contains('/') {
                    base.join(name)
                } else {
                    base.join(format!("{name}.json"))
                };
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(
                    &path,
                    serde_json::to_vec(value).map_err(std::io::Error::other)?,
                )?;
            }
        }
    }
    Ok(())
}

fn tags(n: &Node) -> Vec<Value> {
    n.tags
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect()
}

fn protocol_number(p: crate::model::network::Protocol) -> String {
    p.number()
        .map(|n| n.to_string())
        .unwrap_or_else(|| "-1".into())
}

fn permission(r: &SgRule) -> Value {
    json!({
        "IpProtocol": match r.protocol { crate::model::network::Protocol::All => "-1".to_string(), p => p.to_string() },
        "FromPort": r.from_port, "ToPort": r.to_port,
        "IpRanges": r.ipv4.iter().map(|c| json!({"CidrIp": c.cidr, "Description": c.description})).collect::<Vec<_>>(),
        "Ipv6Ranges": r.ipv6.iter().map(|c| json!({"CidrIpv6": c.cidr, "Description": c.description})).collect::<Vec<_>>(),
        "PrefixListIds": r.prefix_lists.iter().map(|p| json!({"PrefixListId": p.prefix_list_id, "Description": p.description})).collect::<Vec<_>>(),
        "UserIdGroupPairs": r.groups.iter().map(|g| json!({"GroupId": g.group_id, "UserId": g.user_id, "VpcId": g.vpc_id, "Description": g.description})).collect::<Vec<_>>(),
    })
}

fn vpc(n: &Node) -> Value {
    let NodeData::Vpc(v) = &n.data else {
        return Value::Null;
    };
    json!({
        "VpcId": n.id, "OwnerId": n.account, "CidrBlock": v.cidr_blocks.first(), "IsDefault": v.is_default, "State": v.state, "Tags": tags(n),
        "CidrBlockAssociationSet": v.cidr_blocks.iter().map(|c| json!({"CidrBlock": c, "CidrBlockState": {"State": "associated"}})).collect::<Vec<_>>(),
        "Ipv6CidrBlockAssociationSet": v.ipv6_cidr_blocks.iter().map(|c| json!({"Ipv6CidrBlock": c, "Ipv6CidrBlockState": {"State": "associated"}})).collect::<Vec<_>>(),
    })
}

fn subnet(n: &Node) -> Value {
    let NodeData::Subnet(s) = &n.data else {
        return Value::Null;
    };
    json!({
        "SubnetId": n.id, "SubnetArn": n.arn, "VpcId": s.vpc_id, "OwnerId": n.account, "CidrBlock": s.cidr_block,
        "AvailabilityZone": s.availability_zone, "MapPublicIpOnLaunch": s.map_public_ip_on_launch,
        "AssignIpv6AddressOnCreation": s.assign_ipv6_on_creation, "Tags": tags(n),
        "Ipv6CidrBlockAssociationSet": s.ipv6_cidr_blocks.iter().map(|c| json!({"Ipv6CidrBlock": c, "Ipv6CidrBlockState": {"State": "associated"}})).collect::<Vec<_>>(),
    })
}

fn route_table(n: &Node) -> Value {
    let NodeData::RouteTable(rt) = &n.data else {
        return Value::Null;
    };
    let routes: Vec<Value> = rt
        .routes
        .iter()
        .map(|r| {
            let mut v = json!({"State": if r.state == RouteState::Blackhole { "blackhole" } else { "active" }, "Origin": r.origin});
            match &r.destination {
                Destination::Ipv4(c) => v["DestinationCidrBlock"] = json!(c),
                Destination::Ipv6(c) => v["DestinationIpv6CidrBlock"] = json!(c),
                Destination::PrefixList(p) => v["DestinationPrefixListId"] = json!(p),
            }
            let (field, id) = match &r.target {
                RouteTarget::Local => ("GatewayId", "local".to_string()),
                RouteTarget::InternetGateway(id) | RouteTarget::VirtualPrivateGateway(id) | RouteTarget::VpcEndpoint(id) | RouteTarget::Other(id) => ("GatewayId", id.clone()),
                RouteTarget::EgressOnlyInternetGateway(id) => ("EgressOnlyInternetGatewayId", id.clone()),
                RouteTarget::NatGateway(id) => ("NatGatewayId", id.clone()),
                RouteTarget::TransitGateway(id) => ("TransitGatewayId", id.clone()),
                RouteTarget::VpcPeeringConnection(id) => ("VpcPeeringConnectionId", id.clone()),
                RouteTarget::NetworkInterface(id) => ("NetworkInterfaceId", id.clone()),
                RouteTarget::Instance(id) => ("InstanceId", id.clone()),
                RouteTarget::CarrierGateway(id) => ("CarrierGatewayId", id.clone()),
                RouteTarget::LocalGateway(id) => ("LocalGatewayId", id.clone()),
                RouteTarget::CoreNetwork(id) => ("CoreNetworkArn", id.clone()),
            };
            v[field] = json!(id);
            v
        })
        .collect();
    json!({
        "RouteTableId": n.id, "VpcId": rt.vpc_id, "OwnerId": n.account, "Routes": routes, "Tags": tags(n),
        "Associations": rt.associations.iter().map(|a| json!({
            "Main": a.main, "RouteTableAssociationId": a.id, "RouteTableId": n.id, "SubnetId": a.subnet_id, "GatewayId": a.gateway_id,
            "AssociationState": {"State": "associated"},
        })).collect::<Vec<_>>(),
    })
}

fn interface_body(e: &crate::model::NetworkInterface) -> Value {
    let assoc = |a: &crate::model::PublicIpAssociation| json!({"PublicIp": a.public_ip, "AllocationId": a.allocation_id, "IpOwnerId": a.ip_owner_id, "PublicDnsName": a.public_dns_name});
    let primary = e.private_ips.iter().find(|p| p.primary);
    json!({
        "VpcId": e.vpc_id, "SubnetId": e.subnet_id, "InterfaceType": e.interface_type, "Status": e.status, "Description": e.description,
        "PrivateIpAddress": e.primary_private_ip(),
        "Association": primary.and_then(|p| p.association.as_ref()).map(assoc),
        "PrivateIpAddresses": e.private_ips.iter().map(|p| json!({"PrivateIpAddress": p.address, "Primary": p.primary, "Association": p.association.as_ref().map(assoc)})).collect::<Vec<_>>(),
        "Ipv6Addresses": e.ipv6_addresses.iter().map(|a| json!({"Ipv6Address": a})).collect::<Vec<_>>(),
        "Groups": e.security_group_ids.iter().map(|g| json!({"GroupId": g})).collect::<Vec<_>>(),
        "Attachment": e.attachment.as_ref().map(|a| json!({"InstanceId": a.instance_id, "InstanceOwnerId": a.instance_owner_id, "DeviceIndex": a.device_index, "Status": a.status})),
        "RequesterManaged": e.requester_managed, "RequesterId": e.requester_id,
    })
}

fn interface(n: &Node) -> Value {
    let NodeData::NetworkInterface(e) = &n.data else {
        return Value::Null;
    };
    let mut v = interface_body(e);
    v["NetworkInterfaceId"] = json!(n.id);
    v["OwnerId"] = json!(n.account);
    v["TagSet"] = json!(tags(n));
    v
}

fn instance(graph: &Graph, n: &Node) -> Value {
    let NodeData::Instance(i) = &n.data else {
        return Value::Null;
    };
    let enis: Vec<Value> = i
        .network_interface_ids
        .iter()
        .filter_map(|id| graph.by_id(id).map(|x| graph.node(x)))
        .filter_map(|eni| match &eni.data {
            NodeData::NetworkInterface(e) => {
                let mut v = interface_body(e);
                v["NetworkInterfaceId"] = json!(eni.id);
                v["OwnerId"] = json!(eni.account);
                Some(v)
            }
            _ => None,
        })
        .collect();
    json!({
        "InstanceId": n.id, "InstanceType": i.instance_type, "ImageId": i.image_id, "Platform": i.platform, "KeyName": i.key_name,
        "LaunchTime": i.launch_time, "VpcId": i.vpc_id, "SubnetId": i.subnet_id, "Placement": {"AvailabilityZone": i.availability_zone},
        "PrivateIpAddress": i.private_ip, "PublicIpAddress": i.public_ip, "State": {"Name": i.state},
        "IamInstanceProfile": i.instance_profile_arn.as_ref().map(|a| json!({"Arn": a})),
        "MetadataOptions": {"HttpTokens": i.metadata_options.http_tokens, "HttpEndpoint": i.metadata_options.http_endpoint, "HttpPutResponseHopLimit": i.metadata_options.hop_limit},
        "SecurityGroups": i.security_group_ids.iter().map(|g| json!({"GroupId": g})).collect::<Vec<_>>(),
        "NetworkInterfaces": enis, "Tags": tags(n),
    })
}

fn finding(n: &Node, f: &crate::model::GuardDutyFinding) -> Value {
    let mut resource = json!({"ResourceType": f.resource_type});
    if let Some(i) = &f.instance_id {
        resource["InstanceDetails"] = json!({"InstanceId": i});
    }
    if f.access_key_id.is_some() || f.user_name.is_some() {
        resource["AccessKeyDetails"] =
            json!({"AccessKeyId": f.access_key_id, "UserName": f.user_name});
    }
    json!({
        "Id": n.id, "Arn": n.arn, "AccountId": n.account, "Region": n.region, "Type": f.finding_type, "Severity": f.severity,
        "Title": f.title, "Description": f.description, "CreatedAt": f.created_at, "UpdatedAt": f.updated_at, "SchemaVersion": "2.0",
        "Resource": resource, "Service": {"DetectorId": f.detector_id, "Archived": f.archived, "Count": f.count},
    })
}

fn attached(list: &[crate::model::AttachedPolicy]) -> Vec<Value> {
    list.iter().map(|p| json!({"PolicyArn": p.arn, "PolicyName": p.name.clone().unwrap_or_else(|| p.arn.rsplit('/').next().unwrap_or("").to_string())})).collect()
}

fn inline(list: &[crate::model::InlinePolicy]) -> Vec<Value> {
    list.iter()
        .map(|p| json!({"PolicyName": p.name, "PolicyDocument": p.document.0}))
        .collect()
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_else(|| "N/A".into())
}

/// IAM, STS and Organizations files, in each account's global region.
fn iam(graph: &Graph, tree: &mut BTreeMap<String, BTreeMap<String, Files>>) {
    let mut per: BTreeMap<String, IamLists> = BTreeMap::new();
    let mut report: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut key_listing: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    let mut policies_used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let aws_policies: BTreeMap<&str, &Node> = graph
        .nodes()
        .filter(|(_, n)| n.account == "aws")
        .map(|(_, n)| (n.id.as_str(), n))
        .collect();
    let policy_json = |n: &Node| -> Value {
        let NodeData::IamPolicy(p) = &n.data else {
            return Value::Null;
        };
        json!({
            "Arn": n.id, "PolicyName": n.name, "PolicyId": p.policy_id, "Path": p.path, "DefaultVersionId": p.default_version_id,
            "AttachmentCount": p.attachment_count,
            "PolicyVersionList": [{"Document": p.document.as_ref().map(|d| d.0.clone()), "VersionId": p.default_version_id, "IsDefaultVersion": true}],
        })
    };
    for (id, n) in graph.nodes() {
        let e = per.entry(n.account.clone()).or_default();
        match &n.data {
            NodeData::IamUser(u) if !u.is_root => {
                e.users.push(json!({
                    "UserName": n.name, "UserId": u.user_id, "Arn": n.id, "Path": u.path, "CreateDate": u.created, "GroupList": u.group_names,
                    "AttachedManagedPolicies": attached(&u.attached_policies), "UserPolicyList": inline(&u.inline_policies), "Tags": tags(n),
                }));
                policies_used
                    .entry(n.account.clone())
                    .or_default()
                    .extend(u.attached_policies.iter().map(|p| p.arn.clone()));
            }
            NodeData::IamGroup(g) => {
                e.groups.push(json!({"GroupName": n.name, "GroupId": g.group_id, "Arn": n.id, "Path": g.path,
                    "AttachedManagedPolicies": attached(&g.attached_policies), "GroupPolicyList": inline(&g.inline_policies)}));
                policies_used
                    .entry(n.account.clone())
                    .or_default()
                    .extend(g.attached_policies.iter().map(|p| p.arn.clone()));
            }
            NodeData::IamRole(r) => {
                let profiles: Vec<Value> = graph
                    .incoming(id)
                    .filter(|edge| edge.kind == crate::model::EdgeKind::HasRole)
                    .map(|edge| graph.node(edge.from))
                    .filter_map(|p| match &p.data {
                        NodeData::InstanceProfile(ip) => Some(json!({"InstanceProfileName": p.name, "InstanceProfileId": ip.instance_profile_id, "Arn": p.id, "Path": ip.path,
                            "Roles": ip.role_arns.iter().map(|a| json!({"Arn": a})).collect::<Vec<_>>()})),
                        _ => None,
                    })
                    .collect();
                e.roles.push(json!({
                    "RoleName": n.name, "RoleId": r.role_id, "Arn": n.id, "Path": r.path, "CreateDate": r.created, "Description": r.description,
                    "AssumeRolePolicyDocument": r.trust_policy.0, "InstanceProfileList": profiles,
                    "AttachedManagedPolicies": attached(&r.attached_policies), "RolePolicyList": inline(&r.inline_policies),
                    "RoleLastUsed": {"LastUsedDate": r.last_used}, "MaxSessionDuration": r.max_session_duration, "Tags": tags(n),
                }));
                policies_used
                    .entry(n.account.clone())
                    .or_default()
                    .extend(r.attached_policies.iter().map(|p| p.arn.clone()));
            }
            NodeData::IamPolicy(_) if n.account != "aws" => e.policies.push(policy_json(n)),
            _ => {}
        }
        if let NodeData::IamUser(u) = &n.data {
            let keys: Vec<&crate::model::AccessKey> = graph
                .outgoing(id)
                .filter(|edge| edge.kind == crate::model::EdgeKind::HasAccessKey)
                .filter_map(|edge| match &graph.node(edge.to).data {
                    NodeData::AccessKey(k) => Some(k),
                    _ => None,
                })
                .collect();
            let key_cols = |slot: usize| -> String {
                match keys.get(slot) {
                    Some(k) => format!(
                        "{},{},{},{},{}",
                        k.is_active(),
                        time(k.created),
                        time(k.last_used),
                        k.last_used_region.as_deref().unwrap_or("N/A"),
                        k.last_used_service.as_deref().unwrap_or("N/A")
                    ),
                    None => "false,N/A,N/A,N/A,N/A".into(),
                }
            };
            let user = if u.is_root {
                "<root_account>".to_string()
            } else {
                n.name.clone().unwrap_or_default()
            };
            let password = if u.is_root {
                "not_supported".to_string()
            } else {
                u.password_enabled.unwrap_or(false).to_string()
            };
            report.entry(n.account.clone()).or_default().push(format!(
                "{user},{},{},{password},{},N/A,N/A,{},{},{},false,N/A,false,N/A",
                n.id,
                time(u.created),
                time(u.password_last_used),
                u.mfa_active.unwrap_or(false),
                key_cols(0),
                key_cols(1)
            ));
            if !u.is_root {
                for (edge, k) in graph
                    .outgoing(id)
                    .filter(|e| e.kind == crate::model::EdgeKind::HasAccessKey)
                    .zip(&keys)
                {
                    key_listing.entry((n.account.clone(), user.clone())).or_default().push(json!({
                        "UserName": user, "AccessKeyId": graph.node(edge.to).id, "Status": k.status, "CreateDate": k.created,
                    }));
                }
            }
        }
    }
    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    for (
        account,
        IamLists {
            users,
            groups,
            roles,
            mut policies,
        },
    ) in per
    {
        if !crate::graph::is_account_id(&account) {
            continue;
        }
        let mut used: Vec<String> = policies_used.remove(&account).unwrap_or_default();
        used.sort();
        used.dedup();
        policies.extend(
            used.iter()
                .filter_map(|arn| aws_policies.get(arn.as_str()))
                .map(|n| policy_json(n)),
        );
        let files = tree
            .entry(account.clone())
            .or_default()
            .entry(GLOBAL_REGION.to_string())
            .or_default();
        files.insert(ops::GET_CALLER_IDENTITY.file(), json!({"Account": account, "Arn": format!("arn:aws:iam::{account}:user/skyhound"), "UserId": "AIDASKYHOUND"}));
        files.insert(ops::GET_ACCOUNT_AUTHORIZATION_DETAILS.file(), json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}));
        let csv = std::iter::once(HEADER.to_string())
            .chain(report.remove(&account).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        files.insert(ops::GET_CREDENTIAL_REPORT.file(), json!({"Content": base64::engine::general_purpose::STANDARD.encode(csv), "ReportFormat": "text/csv", "GeneratedTime": "2026-11-20T03:00:00Z"}));
        if let Some(NodeData::Account(a)) = graph.by_id(&account).map(|id| &graph.node(id).data) {
            files.insert(
                ops::GET_ACCOUNT_SUMMARY.file(),
                json!({"SummaryMap": a.summary}),
            );
            if let Some(p) = &a.password_policy {
                files.insert(ops::GET_ACCOUNT_PASSWORD_POLICY.file(), json!({"PasswordPolicy": {
                    "MinimumPasswordLength": p.minimum_length, "RequireSymbols": p.require_symbols, "RequireNumbers": p.require_numbers,
                    "RequireUppercaseCharacters": p.require_uppercase, "RequireLowercaseCharacters": p.require_lowercase,
                    "AllowUsersToChangePassword": p.allow_users_to_change, "MaxPasswordAge": p.max_age_days,
                    "PasswordReusePrevention": p.reuse_prevention, "HardExpiry": p.hard_expiry}}));
            }
            if !a.aliases.is_empty() {
                files.insert(
                    ops::LIST_ACCOUNT_ALIASES.file(),
                    json!({"AccountAliases": a.aliases}),
                );
            }
        }
        for ((acct, user), keys) in &key_listing {
            if *acct == account {
                files.insert(
                    format!("{}/{}", ops::LIST_ACCESS_KEYS.file(), quote_plus(user)),
                    json!({"AccessKeyMetadata": keys}),
                );
            }
        }
    }
    // The organization's account list, in its management account.
    for (_, org) in graph.nodes_of(crate::model::NodeKind::Organization) {
        let NodeData::Organization(o) = &org.data else {
            continue;
        };
        let Some(mgmt) = &o.management_account_id else {
            continue;
        };
        let accounts: Vec<Value> = graph
            .nodes_of(crate::model::NodeKind::Account)
            .filter(|(_, a)| matches!(&a.data, NodeData::Account(x) if x.organization_id.as_deref() == Some(&org.id)))
            .map(|(_, a)| {
                let NodeData::Account(x) = &a.data else { return Value::Null };
                json!({"Id": a.id, "Arn": format!("arn:aws:organizations::{mgmt}:account/{}/{}", org.id, a.id), "Name": a.name, "Email": x.email, "Status": x.status})
            })
            .collect();
        let files = tree
            .entry(mgmt.clone())
            .or_default()
            .entry(GLOBAL_REGION.to_string())
            .or_default();
        files.insert(ops::LIST_ACCOUNTS.file(), json!({"Accounts": accounts}));
        files.insert(
            ops::DESCRIBE_ORGANIZATION.file(),
            json!({"Organization": {"Id": org.id, "Arn": org.arn, "MasterAccountId": mgmt}}),
        );
    }
}
