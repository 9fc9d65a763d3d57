//! Writing a graph back out as AWS JSON in CloudMapper's `account-data`
//! layout, one file per operation, exactly as live collection writes it:
//! each resource becomes the SDK type the API would have answered with, and
//! the collector's own shapes (`json`) turn that into JSON.
//!
//! Used to benchmark the importer at scale, to check it against a known
//! graph, and to hand a synthetic organization to other tools.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aws_sdk_ec2::types as ec2;
use aws_sdk_elasticloadbalancingv2::types as elb;
use aws_sdk_guardduty::types as gd;
use aws_sdk_iam::types as iam;
use aws_sdk_organizations::types as org;
use aws_smithy_types::DateTime;
use chrono::Utc;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::json;
use crate::graph::{Graph, NodeId};
use crate::model::network::{Destination, Protocol, RouteState, RouteTarget, SgRule};
use crate::model::policy::PolicyDocument;
use crate::model::{self as m, EdgeKind, Node, NodeData, NodeKind};
use crate::source::operations::{self as ops, Operation};

/// Python's `quote_plus` keeps these; everything else is escaped.
const QUOTE_PLUS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b' ');

/// What IAM leaves unescaped in the policy documents it returns.
const URL_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

fn quote_plus(s: &str) -> String {
    utf8_percent_encode(s, QUOTE_PLUS)
        .to_string()
        .replace(' ', "+")
}

/// Where IAM and the other global services go, as CloudMapper does it.
const GLOBAL_REGION: &str = "us-east-1";

/// An account and region's folder.
type At = (String, String);

/// What goes in each folder, gathered resource by resource.
#[derive(Default)]
struct Tree {
    /// (folder, operation's file name) → the listing's items.
    lists: BTreeMap<(At, String), Vec<Value>>,
    /// (folder, file name) → a whole answer.
    files: BTreeMap<(At, String), Value>,
    listeners: BTreeMap<(At, String), Vec<elb::Listener>>,
    findings: BTreeMap<(At, String), Vec<gd::Finding>>,
}

impl Tree {
    fn list(&mut self, at: &At, op: &'static Operation, item: Value) {
        self.lists
            .entry((at.clone(), op.file()))
            .or_default()
            .push(item);
    }

    fn file(&mut self, at: &At, op: &Operation, item: Option<&str>, answer: Value) {
        self.files.insert((at.clone(), file_name(op, item)), answer);
    }
}

fn file_name(op: &Operation, item: Option<&str>) -> String {
    match item {
        Some(i) => format!("{}/{}", op.file(), quote_plus(i)),
        None => op.file(),
    }
}

/// Write the graph as `<dir>/<account>/<region>/<service>-<operation>.json`.
pub fn write_tree(graph: &Graph, dir: &Path) -> std::io::Result<()> {
    let mut tree = Tree::default();
    for (_, n) in graph.nodes() {
        let region = n.region.as_deref().unwrap_or(GLOBAL_REGION);
        resource(
            graph,
            n,
            &(n.account.clone(), region.to_string()),
            &mut tree,
        );
    }
    global(graph, &mut tree);

    let mut folders: BTreeMap<At, BTreeMap<String, Value>> = BTreeMap::new();
    for ((at, file), items) in tree.lists {
        if let Some((op, field)) = ops::by_file(&file).and_then(|o| Some((o, o.list_field?))) {
            folders
                .entry(at)
                .or_default()
                .insert(op.file(), json!({ field: items }));
        }
    }
    for ((at, lb), listeners) in tree.listeners {
        folders.entry(at).or_default().insert(
            file_name(&ops::DESCRIBE_LISTENERS, Some(&lb)),
            json::elbv2::listeners(&listeners),
        );
    }
    for ((at, detector), findings) in tree.findings {
        folders.entry(at).or_default().insert(
            file_name(&ops::GET_FINDINGS, Some(&detector)),
            json::guardduty::findings(&findings),
        );
    }
    for ((at, name), answer) in tree.files {
        folders.entry(at).or_default().insert(name, answer);
    }

    // Accounts known only by reference (a trust policy) were not collected.
    let loaded: BTreeSet<&str> = graph
        .nodes_of(NodeKind::Account)
        .filter(|(_, n)| matches!(&n.data, NodeData::Account(a) if !a.external))
        .map(|(_, n)| n.id.as_str())
        .collect();
    for ((account, region), files) in folders.iter_mut() {
        if !loaded.contains(account.as_str()) {
            continue;
        }
        // A collected operation that found nothing still leaves its file.
        let global = region == GLOBAL_REGION;
        for op in ops::ALL.iter().filter(|o| o.absent == ops::Absent::Gap) {
            let here = op.scope == ops::Scope::Regional || global;
            if let (true, Some(list)) = (here, op.list_field) {
                files
                    .entry(op.file())
                    .or_insert_with(|| json!({ list: [] }));
            }
        }
    }
    for ((account, region), files) in &folders {
        if !loaded.contains(account.as_str()) {
            continue;
        }
        let base = dir.join(account).join(region);
        for (name, value) in files {
            let path = base.join(format!("{name}.json"));
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(
                &path,
                serde_json::to_vec(value).map_err(std::io::Error::other)?,
            )?;
        }
    }
    Ok(())
}

/// One regional resource, as its listing would have answered.
fn resource(graph: &Graph, n: &Node, at: &At, tree: &mut Tree) {
    match &n.data {
        NodeData::Vpc(v) => tree.list(at, &ops::DESCRIBE_VPCS, json::ec2::vpc(&vpc(n, v))),
        NodeData::Subnet(s) => {
            tree.list(at, &ops::DESCRIBE_SUBNETS, json::ec2::subnet(&subnet(n, s)))
        }
        NodeData::RouteTable(rt) => tree.list(
            at,
            &ops::DESCRIBE_ROUTE_TABLES,
            json::ec2::route_table(&route_table(n, rt)),
        ),
        NodeData::InternetGateway(g) => {
            let g = ec2::InternetGateway::builder()
                .internet_gateway_id(&n.id)
                .owner_id(&n.account)
                .set_tags(Some(ec2_tags(n)))
                .set_attachments(Some(gateway_attachments(&g.attachments)))
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_INTERNET_GATEWAYS,
                json::ec2::internet_gateway(&g),
            );
        }
        NodeData::EgressOnlyInternetGateway(g) => {
            let g = ec2::EgressOnlyInternetGateway::builder()
                .egress_only_internet_gateway_id(&n.id)
                .set_tags(Some(ec2_tags(n)))
                .set_attachments(Some(gateway_attachments(&g.attachments)))
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS,
                json::ec2::egress_only_gateway(&g),
            );
        }
        NodeData::NatGateway(g) => {
            let addresses = g
                .network_interface_ids
                .iter()
                .enumerate()
                .map(|(i, eni)| {
                    ec2::NatGatewayAddress::builder()
                        .network_interface_id(eni)
                        .set_public_ip(g.public_ips.get(i).map(ToString::to_string))
                        .set_private_ip(g.private_ips.get(i).map(ToString::to_string))
                        .build()
                })
                .collect();
            let g = ec2::NatGateway::builder()
                .nat_gateway_id(&n.id)
                .vpc_id(&g.vpc_id)
                .subnet_id(&g.subnet_id)
                .set_state(g.state.as_deref().map(ec2::NatGatewayState::from))
                .set_connectivity_type(
                    g.connectivity_type
                        .as_deref()
                        .map(ec2::ConnectivityType::from),
                )
                .set_nat_gateway_addresses(Some(addresses))
                .set_tags(Some(ec2_tags(n)))
                .build();
            tree.list(at, &ops::DESCRIBE_NAT_GATEWAYS, json::ec2::nat_gateway(&g));
        }
        NodeData::VpcPeeringConnection(p) => {
            let p = ec2::VpcPeeringConnection::builder()
                .vpc_peering_connection_id(&n.id)
                .requester_vpc_info(peering_side(&p.requester))
                .accepter_vpc_info(peering_side(&p.accepter))
                .status(
                    ec2::VpcPeeringConnectionStateReason::builder()
                        .set_code(
                            p.status
                                .as_deref()
                                .map(ec2::VpcPeeringConnectionStateReasonCode::from),
                        )
                        .build(),
                )
                .set_tags(Some(ec2_tags(n)))
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_VPC_PEERING_CONNECTIONS,
                json::ec2::peering(&p),
            );
        }
        NodeData::TransitGatewayAttachment(a) => {
            let a = ec2::TransitGatewayAttachment::builder()
                .transit_gateway_attachment_id(&n.id)
                .transit_gateway_id(&a.transit_gateway_id)
                .resource_type(ec2::TransitGatewayAttachmentResourceType::from(
                    a.resource_type.as_str(),
                ))
                .set_resource_id(a.resource_id.clone())
                .set_resource_owner_id(a.resource_owner_id.clone())
                .set_state(
                    a.state
                        .as_deref()
                        .map(ec2::TransitGatewayAttachmentState::from),
                )
                .set_tags(Some(ec2_tags(n)))
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
                json::ec2::transit_gateway_attachment(&a),
            );
        }
        NodeData::NetworkAcl(acl) => tree.list(
            at,
            &ops::DESCRIBE_NETWORK_ACLS,
            json::ec2::network_acl(&network_acl(n, acl)),
        ),
        NodeData::SecurityGroup(sg) => {
            let g = ec2::SecurityGroup::builder()
                .group_id(&n.id)
                .group_name(&sg.group_name)
                .set_description(sg.description.clone())
                .set_vpc_id(sg.vpc_id.clone())
                .owner_id(&n.account)
                .set_ip_permissions(Some(sg.ingress.iter().map(permission).collect()))
                .set_ip_permissions_egress(Some(sg.egress.iter().map(permission).collect()))
                .set_tags(Some(ec2_tags(n)))
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_SECURITY_GROUPS,
                json::ec2::security_group(&g),
            );
        }
        NodeData::ManagedPrefixList(pl) => {
            let list = ec2::ManagedPrefixList::builder()
                .prefix_list_id(&n.id)
                .set_prefix_list_name(n.name.clone())
                .set_prefix_list_arn(n.arn.clone())
                .set_address_family(pl.address_family.clone())
                .set_max_entries(pl.max_entries.and_then(|x| i32::try_from(x).ok()))
                .set_owner_id(pl.owner_id.clone())
                .set_state(pl.state.as_deref().map(ec2::PrefixListState::from))
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_MANAGED_PREFIX_LISTS,
                json::ec2::prefix_list(&list),
            );
            if let Some(entries) = &pl.entries {
                let entries: Vec<ec2::PrefixListEntry> = entries
                    .iter()
                    .map(|e| {
                        ec2::PrefixListEntry::builder()
                            .cidr(e.cidr.to_string())
                            .set_description(e.description.clone())
                            .build()
                    })
                    .collect();
                tree.file(
                    at,
                    &ops::GET_MANAGED_PREFIX_LIST_ENTRIES,
                    Some(&n.id),
                    json::ec2::prefix_list_entries(&entries),
                );
            }
        }
        NodeData::NetworkInterface(e) => tree.list(
            at,
            &ops::DESCRIBE_NETWORK_INTERFACES,
            json::ec2::network_interface(&network_interface(n, e)),
        ),
        NodeData::Instance(i) => tree.list(
            at,
            &ops::DESCRIBE_INSTANCES,
            json::ec2::reservation(&reservation(graph, n, i)),
        ),
        NodeData::Volume(v) => {
            let attachments = v
                .instance_ids
                .iter()
                .map(|i| ec2::VolumeAttachment::builder().instance_id(i).build())
                .collect();
            let v = ec2::Volume::builder()
                .volume_id(&n.id)
                .encrypted(v.encrypted)
                .set_kms_key_id(v.kms_key_id.clone())
                .set_size(v.size_gib.and_then(|s| i32::try_from(s).ok()))
                .set_state(v.state.as_deref().map(ec2::VolumeState::from))
                .set_availability_zone(v.availability_zone.clone())
                .set_attachments(Some(attachments))
                .set_tags(Some(ec2_tags(n)))
                .build();
            tree.list(at, &ops::DESCRIBE_VOLUMES, json::ec2::volume(&v));
        }
        NodeData::FlowLog(f) => {
            let f = ec2::FlowLog::builder()
                .flow_log_id(&n.id)
                .resource_id(&f.resource_id)
                .set_flow_log_status(f.status.clone())
                .set_traffic_type(f.traffic_type.as_deref().map(ec2::TrafficType::from))
                .set_log_destination(f.destination.clone())
                .build();
            tree.list(at, &ops::DESCRIBE_FLOW_LOGS, json::ec2::flow_log(&f));
        }
        NodeData::Trail(t) => trail(n, t, at, tree),
        NodeData::Bucket(b) => bucket(n, b, tree),
        NodeData::KmsKey(k) => kms_key(n, k, at, tree),
        NodeData::DbInstance(d) => db_instance(n, d, at, tree),
        NodeData::ConfigRecorder(r) => {
            let name = n.name.clone().unwrap_or_default();
            let group = aws_sdk_config::types::RecordingGroup::builder()
                .set_all_supported(r.all_supported)
                .set_include_global_resource_types(r.include_global)
                .build();
            let recorder = aws_sdk_config::types::ConfigurationRecorder::builder()
                .name(&name)
                .set_role_arn(r.role_arn.clone())
                .recording_group(group)
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_CONFIGURATION_RECORDERS,
                json::logging::recorder(&recorder),
            );
            if r.recording.is_some() || r.last_status.is_some() {
                let status = aws_sdk_config::types::ConfigurationRecorderStatus::builder()
                    .name(&name)
                    .set_recording(r.recording)
                    .set_last_status(
                        r.last_status
                            .as_deref()
                            .map(aws_sdk_config::types::RecorderStatus::from),
                    )
                    .build();
                tree.list(
                    at,
                    &ops::DESCRIBE_CONFIGURATION_RECORDER_STATUS,
                    json::logging::recorder_status(&status),
                );
            }
        }
        NodeData::Region(r) => {
            if let Some(on) = r.ebs_encryption_by_default {
                tree.file(
                    at,
                    &ops::GET_EBS_ENCRYPTION_BY_DEFAULT,
                    None,
                    json::ec2::ebs_encryption_by_default(Some(on)),
                );
            }
        }
        NodeData::ElasticIp(e) => {
            let a = ec2::Address::builder()
                .public_ip(e.public_ip.to_string())
                .set_allocation_id(e.allocation_id.clone())
                .set_association_id(e.association_id.clone())
                .set_instance_id(e.instance_id.clone())
                .set_network_interface_id(e.network_interface_id.clone())
                .set_private_ip_address(e.private_ip.map(|x| x.to_string()))
                .domain(ec2::DomainType::Vpc)
                .set_tags(Some(ec2_tags(n)))
                .build();
            tree.list(at, &ops::DESCRIBE_ADDRESSES, json::ec2::address(&a));
        }
        NodeData::LoadBalancer(lb) => tree.list(
            at,
            &ops::DESCRIBE_LOAD_BALANCERS,
            json::elbv2::load_balancer(&load_balancer(n, lb)),
        ),
        NodeData::Listener(l) => tree
            .listeners
            .entry((at.clone(), l.load_balancer_arn.clone()))
            .or_default()
            .push(listener(n, l)),
        NodeData::TargetGroup(tg) => {
            let g = elb::TargetGroup::builder()
                .target_group_arn(&n.id)
                .set_target_group_name(n.name.clone())
                .set_protocol(tg.protocol.as_deref().map(elb::ProtocolEnum::from))
                .set_port(tg.port.map(i32::from))
                .set_target_type(tg.target_type.as_deref().map(elb::TargetTypeEnum::from))
                .set_vpc_id(tg.vpc_id.clone())
                .set_load_balancer_arns(Some(tg.load_balancer_arns.clone()))
                .build();
            tree.list(
                at,
                &ops::DESCRIBE_TARGET_GROUPS,
                json::elbv2::target_group(&g),
            );
            if let Some(targets) = &tg.targets {
                let health: Vec<elb::TargetHealthDescription> = targets
                    .iter()
                    .map(|t| {
                        elb::TargetHealthDescription::builder()
                            .target(
                                elb::TargetDescription::builder()
                                    .id(&t.id)
                                    .set_port(t.port.map(i32::from))
                                    .set_availability_zone(t.availability_zone.clone())
                                    .build(),
                            )
                            .target_health(
                                elb::TargetHealth::builder()
                                    .set_state(
                                        t.health.as_deref().map(elb::TargetHealthStateEnum::from),
                                    )
                                    .build(),
                            )
                            .build()
                    })
                    .collect();
                tree.file(
                    at,
                    &ops::DESCRIBE_TARGET_HEALTH,
                    Some(&n.id),
                    json::elbv2::target_healths(&health),
                );
            }
        }
        NodeData::GuardDutyDetector(d) => {
            tree.list(at, &ops::LIST_DETECTORS, json!(n.id));
            let detector = aws_sdk_guardduty::operation::get_detector::GetDetectorOutput::builder()
                .set_status(d.status.as_deref().map(gd::DetectorStatus::from))
                .set_finding_publishing_frequency(
                    d.finding_publishing_frequency
                        .as_deref()
                        .map(gd::FindingPublishingFrequency::from),
                )
                .set_created_at(d.created_at.map(stamp))
                .set_service_role(d.service_role.clone())
                .build();
            tree.file(
                at,
                &ops::GET_DETECTOR,
                Some(&n.id),
                json::guardduty::detector(&detector),
            );
            tree.findings.entry((at.clone(), n.id.clone())).or_default();
        }
        NodeData::GuardDutyFinding(f) => {
            let detector = f.detector_id.clone().unwrap_or_default();
            tree.findings
                .entry((at.clone(), detector))
                .or_default()
                .push(finding(n, f));
        }
        _ => {}
    }
}

fn ec2_tags(n: &Node) -> Vec<ec2::Tag> {
    n.tags
        .iter()
        .map(|(k, v)| ec2::Tag::builder().key(k).value(v).build())
        .collect()
}

fn smithy_time(t: chrono::DateTime<Utc>) -> DateTime {
    DateTime::from_millis(t.timestamp_millis())
}

/// A time as GuardDuty writes it, in a string field.
fn stamp(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn gateway_attachments(list: &[m::GatewayAttachment]) -> Vec<ec2::InternetGatewayAttachment> {
    list.iter()
        .map(|a| {
            ec2::InternetGatewayAttachment::builder()
                .vpc_id(&a.vpc_id)
                .state(ec2::AttachmentStatus::from(a.state.as_str()))
                .build()
        })
        .collect()
}

fn vpc(n: &Node, v: &m::Vpc) -> ec2::Vpc {
    let associated = || {
        ec2::VpcCidrBlockState::builder()
            .state(ec2::VpcCidrBlockStateCode::Associated)
            .build()
    };
    ec2::Vpc::builder()
        .vpc_id(&n.id)
        .owner_id(&n.account)
        .set_cidr_block(v.cidr_blocks.first().map(ToString::to_string))
        .is_default(v.is_default)
        .set_state(v.state.as_deref().map(ec2::VpcState::from))
        .set_tags(Some(ec2_tags(n)))
        .set_cidr_block_association_set(Some(
            v.cidr_blocks
                .iter()
                .map(|c| {
                    ec2::VpcCidrBlockAssociation::builder()
                        .cidr_block(c.to_string())
                        .cidr_block_state(associated())
                        .build()
                })
                .collect(),
        ))
        .set_ipv6_cidr_block_association_set(Some(
            v.ipv6_cidr_blocks
                .iter()
                .map(|c| {
                    ec2::VpcIpv6CidrBlockAssociation::builder()
                        .ipv6_cidr_block(c.to_string())
                        .ipv6_cidr_block_state(associated())
                        .build()
                })
                .collect(),
        ))
        .build()
}

fn subnet(n: &Node, s: &m::Subnet) -> ec2::Subnet {
    ec2::Subnet::builder()
        .subnet_id(&n.id)
        .set_subnet_arn(n.arn.clone())
        .vpc_id(&s.vpc_id)
        .owner_id(&n.account)
        .set_cidr_block(s.cidr_block.map(|c| c.to_string()))
        .set_availability_zone(s.availability_zone.clone())
        .map_public_ip_on_launch(s.map_public_ip_on_launch)
        .assign_ipv6_address_on_creation(s.assign_ipv6_on_creation)
        .set_tags(Some(ec2_tags(n)))
        .set_ipv6_cidr_block_association_set(Some(
            s.ipv6_cidr_blocks
                .iter()
                .map(|c| {
                    ec2::SubnetIpv6CidrBlockAssociation::builder()
                        .ipv6_cidr_block(c.to_string())
                        .ipv6_cidr_block_state(
                            ec2::SubnetCidrBlockState::builder()
                                .state(ec2::SubnetCidrBlockStateCode::Associated)
                                .build(),
                        )
                        .build()
                })
                .collect(),
        ))
        .build()
}

fn route_table(n: &Node, rt: &m::RouteTable) -> ec2::RouteTable {
    let routes = rt.routes.iter().map(|r| {
        let b = ec2::Route::builder()
            .state(match r.state {
                RouteState::Blackhole => ec2::RouteState::Blackhole,
                RouteState::Active => ec2::RouteState::Active,
            })
            .set_origin(r.origin.as_deref().map(ec2::RouteOrigin::from));
        let b = match &r.destination {
            Destination::Ipv4(c) => b.destination_cidr_block(c.to_string()),
            Destination::Ipv6(c) => b.destination_ipv6_cidr_block(c.to_string()),
            Destination::PrefixList(p) => b.destination_prefix_list_id(p),
        };
        match &r.target {
            RouteTarget::Local => b.gateway_id("local"),
            RouteTarget::InternetGateway(id)
            | RouteTarget::VirtualPrivateGateway(id)
            | RouteTarget::VpcEndpoint(id)
            | RouteTarget::Other(id) => b.gateway_id(id),
            RouteTarget::EgressOnlyInternetGateway(id) => b.egress_only_internet_gateway_id(id),
            RouteTarget::NatGateway(id) => b.nat_gateway_id(id),
            RouteTarget::TransitGateway(id) => b.transit_gateway_id(id),
            RouteTarget::VpcPeeringConnection(id) => b.vpc_peering_connection_id(id),
            RouteTarget::NetworkInterface(id) => b.network_interface_id(id),
            RouteTarget::Instance(id) => b.instance_id(id),
            RouteTarget::CarrierGateway(id) => b.carrier_gateway_id(id),
            RouteTarget::LocalGateway(id) => b.local_gateway_id(id),
            RouteTarget::CoreNetwork(id) => b.core_network_arn(id),
        }
        .build()
    });
    let associations = rt.associations.iter().map(|a| {
        ec2::RouteTableAssociation::builder()
            .main(a.main)
            .set_route_table_association_id(a.id.clone())
            .route_table_id(&n.id)
            .set_subnet_id(a.subnet_id.clone())
            .set_gateway_id(a.gateway_id.clone())
            .association_state(
                ec2::RouteTableAssociationState::builder()
                    .state(ec2::RouteTableAssociationStateCode::Associated)
                    .build(),
            )
            .build()
    });
    ec2::RouteTable::builder()
        .route_table_id(&n.id)
        .vpc_id(&rt.vpc_id)
        .owner_id(&n.account)
        .set_routes(Some(routes.collect()))
        .set_associations(Some(associations.collect()))
        .set_tags(Some(ec2_tags(n)))
        .build()
}

fn peering_side(s: &m::PeeringSide) -> ec2::VpcPeeringConnectionVpcInfo {
    ec2::VpcPeeringConnectionVpcInfo::builder()
        .vpc_id(&s.vpc_id)
        .set_owner_id(s.owner_id.clone())
        .set_region(s.region.clone())
        .set_cidr_block(s.cidr_blocks.first().map(ToString::to_string))
        .set_cidr_block_set(Some(
            s.cidr_blocks
                .iter()
                .map(|c| ec2::CidrBlock::builder().cidr_block(c.to_string()).build())
                .collect(),
        ))
        .set_ipv6_cidr_block_set(Some(
            s.ipv6_cidr_blocks
                .iter()
                .map(|c| {
                    ec2::Ipv6CidrBlock::builder()
                        .ipv6_cidr_block(c.to_string())
                        .build()
                })
                .collect(),
        ))
        .build()
}

/// The protocol as network ACL entries give it: a number, `-1` for all.
fn protocol_number(p: Protocol) -> String {
    p.number()
        .map(|n| n.to_string())
        .unwrap_or_else(|| "-1".into())
}

fn network_acl(n: &Node, acl: &m::NetworkAcl) -> ec2::NetworkAcl {
    let entries = acl.entries.iter().map(|e| {
        let b = ec2::NetworkAclEntry::builder()
            .set_rule_number(i32::try_from(e.rule_number).ok())
            .egress(e.egress)
            .protocol(protocol_number(e.protocol))
            .rule_action(ec2::RuleAction::from(e.action.to_string().as_str()))
            .set_port_range(e.ports.map(|p| {
                ec2::PortRange::builder()
                    .from(i32::from(p.from))
                    .to(i32::from(p.to))
                    .build()
            }))
            .set_icmp_type_code(e.icmp.map(|i| {
                ec2::IcmpTypeCode::builder()
                    .r#type(i.icmp_type)
                    .code(i.code)
                    .build()
            }));
        match e.cidr {
            ipnet::IpNet::V4(c) => b.cidr_block(c.to_string()),
            ipnet::IpNet::V6(c) => b.ipv6_cidr_block(c.to_string()),
        }
        .build()
    });
    let associations = acl.subnet_ids.iter().map(|s| {
        ec2::NetworkAclAssociation::builder()
            .subnet_id(s)
            .network_acl_id(&n.id)
            .build()
    });
    ec2::NetworkAcl::builder()
        .network_acl_id(&n.id)
        .vpc_id(&acl.vpc_id)
        .owner_id(&n.account)
        .is_default(acl.is_default)
        .set_tags(Some(ec2_tags(n)))
        .set_associations(Some(associations.collect()))
        .set_entries(Some(entries.collect()))
        .build()
}

fn permission(r: &SgRule) -> ec2::IpPermission {
    ec2::IpPermission::builder()
        .ip_protocol(match r.protocol {
            Protocol::All => "-1".to_string(),
            p => p.to_string(),
        })
        .set_from_port(r.from_port)
        .set_to_port(r.to_port)
        .set_ip_ranges(Some(
            r.ipv4
                .iter()
                .map(|c| {
                    ec2::IpRange::builder()
                        .cidr_ip(c.cidr.to_string())
                        .set_description(c.description.clone())
                        .build()
                })
                .collect(),
        ))
        .set_ipv6_ranges(Some(
            r.ipv6
                .iter()
                .map(|c| {
                    ec2::Ipv6Range::builder()
                        .cidr_ipv6(c.cidr.to_string())
                        .set_description(c.description.clone())
                        .build()
                })
                .collect(),
        ))
        .set_prefix_list_ids(Some(
            r.prefix_lists
                .iter()
                .map(|p| {
                    ec2::PrefixListId::builder()
                        .prefix_list_id(&p.prefix_list_id)
                        .set_description(p.description.clone())
                        .build()
                })
                .collect(),
        ))
        .set_user_id_group_pairs(Some(
            r.groups
                .iter()
                .map(|g| {
                    ec2::UserIdGroupPair::builder()
                        .group_id(&g.group_id)
                        .set_user_id(g.user_id.clone())
                        .set_vpc_id(g.vpc_id.clone())
                        .set_peering_status(g.peering_status.clone())
                        .set_description(g.description.clone())
                        .build()
                })
                .collect(),
        ))
        .build()
}

fn public_association(a: &m::PublicIpAssociation) -> ec2::NetworkInterfaceAssociation {
    ec2::NetworkInterfaceAssociation::builder()
        .public_ip(a.public_ip.to_string())
        .set_allocation_id(a.allocation_id.clone())
        .set_ip_owner_id(a.ip_owner_id.clone())
        .set_public_dns_name(a.public_dns_name.clone())
        .build()
}

fn network_interface(n: &Node, e: &m::NetworkInterface) -> ec2::NetworkInterface {
    let primary = e.private_ips.iter().find(|p| p.primary);
    ec2::NetworkInterface::builder()
        .network_interface_id(&n.id)
        .owner_id(&n.account)
        .set_vpc_id(e.vpc_id.clone())
        .set_subnet_id(e.subnet_id.clone())
        .set_interface_type(
            e.interface_type
                .as_ref()
                .map(|t| ec2::NetworkInterfaceType::from(t.as_str())),
        )
        .set_status(e.status.as_deref().map(ec2::NetworkInterfaceStatus::from))
        .set_description(e.description.clone())
        .set_private_ip_address(e.primary_private_ip().map(|x| x.to_string()))
        .set_association(
            primary
                .and_then(|p| p.association.as_ref())
                .map(public_association),
        )
        .set_private_ip_addresses(Some(
            e.private_ips
                .iter()
                .map(|p| {
                    ec2::NetworkInterfacePrivateIpAddress::builder()
                        .private_ip_address(p.address.to_string())
                        .primary(p.primary)
                        .set_association(p.association.as_ref().map(public_association))
                        .build()
                })
                .collect(),
        ))
        .set_ipv6_addresses(Some(
            e.ipv6_addresses
                .iter()
                .map(|a| {
                    ec2::NetworkInterfaceIpv6Address::builder()
                        .ipv6_address(a.to_string())
                        .build()
                })
                .collect(),
        ))
        .set_groups(Some(group_ids(&e.security_group_ids)))
        .set_attachment(e.attachment.as_ref().map(|a| {
            ec2::NetworkInterfaceAttachment::builder()
                .set_instance_id(a.instance_id.clone())
                .set_instance_owner_id(a.instance_owner_id.clone())
                .set_device_index(a.device_index.and_then(|d| i32::try_from(d).ok()))
                .set_status(a.status.as_deref().map(ec2::AttachmentStatus::from))
                .build()
        }))
        .requester_managed(e.requester_managed)
        .set_requester_id(e.requester_id.clone())
        .set_tag_set(Some(ec2_tags(n)))
        .build()
}

fn group_ids(ids: &[String]) -> Vec<ec2::GroupIdentifier> {
    ids.iter()
        .map(|g| ec2::GroupIdentifier::builder().group_id(g).build())
        .collect()
}

/// An instance's interface, as DescribeInstances nests it.
fn instance_interface(n: &Node, e: &m::NetworkInterface) -> ec2::InstanceNetworkInterface {
    let association = |a: &m::PublicIpAssociation| {
        ec2::InstanceNetworkInterfaceAssociation::builder()
            .public_ip(a.public_ip.to_string())
            .set_ip_owner_id(a.ip_owner_id.clone())
            .set_public_dns_name(a.public_dns_name.clone())
            .build()
    };
    let primary = e.private_ips.iter().find(|p| p.primary);
    ec2::InstanceNetworkInterface::builder()
        .network_interface_id(&n.id)
        .owner_id(&n.account)
        .set_vpc_id(e.vpc_id.clone())
        .set_subnet_id(e.subnet_id.clone())
        .set_interface_type(e.interface_type.as_ref().map(|t| t.as_str().to_string()))
        .set_status(e.status.as_deref().map(ec2::NetworkInterfaceStatus::from))
        .set_description(e.description.clone())
        .set_private_ip_address(e.primary_private_ip().map(|x| x.to_string()))
        .set_association(
            primary
                .and_then(|p| p.association.as_ref())
                .map(association),
        )
        .set_private_ip_addresses(Some(
            e.private_ips
                .iter()
                .map(|p| {
                    ec2::InstancePrivateIpAddress::builder()
                        .private_ip_address(p.address.to_string())
                        .primary(p.primary)
                        .set_association(p.association.as_ref().map(association))
                        .build()
                })
                .collect(),
        ))
        .set_ipv6_addresses(Some(
            e.ipv6_addresses
                .iter()
                .map(|a| {
                    ec2::InstanceIpv6Address::builder()
                        .ipv6_address(a.to_string())
                        .build()
                })
                .collect(),
        ))
        .set_groups(Some(group_ids(&e.security_group_ids)))
        .set_attachment(e.attachment.as_ref().map(|a| {
            ec2::InstanceNetworkInterfaceAttachment::builder()
                .set_device_index(a.device_index.and_then(|d| i32::try_from(d).ok()))
                .set_status(a.status.as_deref().map(ec2::AttachmentStatus::from))
                .build()
        }))
        .build()
}

fn reservation(graph: &Graph, n: &Node, i: &m::Instance) -> ec2::Reservation {
    let interfaces = i
        .network_interface_ids
        .iter()
        .filter_map(|id| graph.by_id(id).map(|x| graph.node(x)))
        .filter_map(|eni| match &eni.data {
            NodeData::NetworkInterface(e) => Some(instance_interface(eni, e)),
            _ => None,
        })
        .collect();
    let metadata = ec2::InstanceMetadataOptionsResponse::builder()
        .set_http_tokens(
            i.metadata_options
                .http_tokens
                .as_deref()
                .map(ec2::HttpTokensState::from),
        )
        .set_http_endpoint(
            i.metadata_options
                .http_endpoint
                .as_deref()
                .map(ec2::InstanceMetadataEndpointState::from),
        )
        .set_http_put_response_hop_limit(
            i.metadata_options
                .hop_limit
                .and_then(|h| i32::try_from(h).ok()),
        )
        .build();
    let instance = ec2::Instance::builder()
        .instance_id(&n.id)
        .set_instance_type(i.instance_type.as_deref().map(ec2::InstanceType::from))
        .set_image_id(i.image_id.clone())
        .set_platform(i.platform.as_deref().map(ec2::PlatformValues::from))
        .set_key_name(i.key_name.clone())
        .set_launch_time(i.launch_time.map(smithy_time))
        .set_vpc_id(i.vpc_id.clone())
        .set_subnet_id(i.subnet_id.clone())
        .placement(
            ec2::Placement::builder()
                .set_availability_zone(i.availability_zone.clone())
                .build(),
        )
        .set_private_ip_address(i.private_ip.map(|x| x.to_string()))
        .set_public_ip_address(i.public_ip.map(|x| x.to_string()))
        .state(
            ec2::InstanceState::builder()
                .set_name(i.state.as_deref().map(ec2::InstanceStateName::from))
                .build(),
        )
        .set_iam_instance_profile(
            i.instance_profile_arn
                .as_ref()
                .map(|a| ec2::IamInstanceProfile::builder().arn(a).build()),
        )
        .metadata_options(metadata)
        .set_security_groups(Some(group_ids(&i.security_group_ids)))
        .set_network_interfaces(Some(interfaces))
        .set_tags(Some(ec2_tags(n)))
        .build();
    ec2::Reservation::builder()
        .owner_id(&n.account)
        .reservation_id(format!("r-{}", n.id.trim_start_matches("i-")))
        .instances(instance)
        .build()
}

fn load_balancer(n: &Node, lb: &m::LoadBalancer) -> elb::LoadBalancer {
    let zones = lb.zones.iter().map(|z| {
        let addresses = z
            .addresses
            .iter()
            .map(|a| match a {
                std::net::IpAddr::V4(x) => elb::LoadBalancerAddress::builder()
                    .ip_address(x.to_string())
                    .build(),
                std::net::IpAddr::V6(x) => elb::LoadBalancerAddress::builder()
                    .ipv6_address(x.to_string())
                    .build(),
            })
            .collect();
        elb::AvailabilityZone::builder()
            .set_zone_name(z.zone.clone())
            .subnet_id(&z.subnet_id)
            .set_load_balancer_addresses(Some(addresses))
            .build()
    });
    elb::LoadBalancer::builder()
        .load_balancer_arn(&n.id)
        .set_load_balancer_name(n.name.clone())
        .set_dns_name(lb.dns_name.clone())
        .scheme(elb::LoadBalancerSchemeEnum::from(lb.scheme.as_str()))
        .set_vpc_id(lb.vpc_id.clone())
        .state(
            elb::LoadBalancerState::builder()
                .set_code(lb.state.as_deref().map(elb::LoadBalancerStateEnum::from))
                .build(),
        )
        .r#type(elb::LoadBalancerTypeEnum::from(lb.lb_type.as_str()))
        .set_ip_address_type(lb.ip_address_type.as_deref().map(elb::IpAddressType::from))
        .set_security_groups(Some(lb.security_group_ids.clone()))
        .set_availability_zones(Some(zones.collect()))
        .build()
}

fn listener(n: &Node, l: &m::Listener) -> elb::Listener {
    let actions = l.default_actions.iter().map(|a| {
        let groups = a.target_group_arns.iter().map(|t| {
            elb::TargetGroupTuple::builder()
                .target_group_arn(t)
                .weight(1)
                .build()
        });
        elb::Action::builder()
            .r#type(elb::ActionTypeEnum::from(a.action_type.as_str()))
            .set_target_group_arn(a.target_group_arns.first().cloned())
            .forward_config(
                elb::ForwardActionConfig::builder()
                    .set_target_groups(Some(groups.collect()))
                    .build(),
            )
            .build()
    });
    elb::Listener::builder()
        .listener_arn(&n.id)
        .load_balancer_arn(&l.load_balancer_arn)
        .set_port(l.port.map(i32::from))
        .set_protocol(l.protocol.as_deref().map(elb::ProtocolEnum::from))
        .set_default_actions(Some(actions.collect()))
        .build()
}

fn finding(n: &Node, f: &m::GuardDutyFinding) -> gd::Finding {
    let resource = gd::Resource::builder()
        .set_resource_type(f.resource_type.clone())
        .set_instance_details(
            f.instance_id
                .as_ref()
                .map(|i| gd::InstanceDetails::builder().instance_id(i).build()),
        )
        .set_access_key_details(
            (f.access_key_id.is_some() || f.user_name.is_some()).then(|| {
                gd::AccessKeyDetails::builder()
                    .set_access_key_id(f.access_key_id.clone())
                    .set_user_name(f.user_name.clone())
                    .build()
            }),
        )
        .build();
    gd::Finding::builder()
        .id(&n.id)
        .set_arn(n.arn.clone())
        .account_id(&n.account)
        .set_region(n.region.clone())
        .r#type(&f.finding_type)
        .severity(f.severity)
        .set_title(f.title.clone())
        .set_description(f.description.clone())
        .set_created_at(f.created_at.map(stamp))
        .set_updated_at(f.updated_at.map(stamp))
        .schema_version("2.0")
        .resource(resource)
        .service(
            gd::Service::builder()
                .set_detector_id(f.detector_id.clone())
                .archived(f.archived)
                .set_count(f.count.and_then(|c| i32::try_from(c).ok()))
                .set_event_first_seen(f.first_seen.map(stamp))
                .set_event_last_seen(f.last_seen.map(stamp))
                .set_action(f.action.as_deref().map(finding_action))
                .build(),
        )
        .build()
}

/// A finding's action as GuardDuty nests it: the part its type names.
fn finding_action(a: &m::FindingAction) -> gd::Action {
    let remote = || {
        let (v4, v6) = match a.remote_ip {
            Some(std::net::IpAddr::V4(ip)) => (Some(ip.to_string()), None),
            Some(std::net::IpAddr::V6(ip)) => (None, Some(ip.to_string())),
            None => (None, None),
        };
        gd::RemoteIpDetails::builder()
            .set_ip_address_v4(v4)
            .set_ip_address_v6(v6)
            .set_organization(
                a.remote_org
                    .as_ref()
                    .map(|o| gd::Organization::builder().asn_org(o).build()),
            )
            .set_country(
                a.remote_country
                    .as_ref()
                    .map(|c| gd::Country::builder().country_name(c).build()),
            )
            .build()
    };
    let port = |p: u16| gd::LocalPortDetails::builder().port(i32::from(p)).build();
    let b = gd::Action::builder().action_type(&a.action_type);
    let b = match a.action_type.as_str() {
        "AWS_API_CALL" => b.aws_api_call_action(
            gd::AwsApiCallAction::builder()
                .set_api(a.api.clone())
                .set_service_name(a.service_name.clone())
                .remote_ip_details(remote())
                .build(),
        ),
        "NETWORK_CONNECTION" => b.network_connection_action(
            gd::NetworkConnectionAction::builder()
                .set_connection_direction(a.direction.clone())
                .set_protocol(a.protocol.clone())
                .set_local_port_details(a.local_ports.first().map(|p| port(*p)))
                .remote_ip_details(remote())
                .build(),
        ),
        "PORT_PROBE" => b.port_probe_action(
            gd::PortProbeAction::builder()
                .set_port_probe_details(Some(
                    a.local_ports
                        .iter()
                        .map(|p| {
                            gd::PortProbeDetail::builder()
                                .local_port_details(port(*p))
                                .remote_ip_details(remote())
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        ),
        "DNS_REQUEST" => b.dns_request_action(
            gd::DnsRequestAction::builder()
                .set_domain(a.domain.clone())
                .set_protocol(a.protocol.clone())
                .build(),
        ),
        _ => b,
    };
    b.build()
}

/// A policy document as IAM returns it: URL-encoded JSON text.
fn document(d: &PolicyDocument) -> Option<String> {
    (!d.0.is_null()).then(|| utf8_percent_encode(&d.0.to_string(), URL_SAFE).to_string())
}

fn iam_tags(n: &Node) -> Vec<iam::Tag> {
    n.tags
        .iter()
        .filter_map(|(k, v)| iam::Tag::builder().key(k).value(v).build().ok())
        .collect()
}

fn attached(list: &[m::AttachedPolicy]) -> Vec<iam::AttachedPolicy> {
    list.iter()
        .map(|p| {
            let name = p
                .name
                .clone()
                .unwrap_or_else(|| p.arn.rsplit('/').next().unwrap_or("").to_string());
            iam::AttachedPolicy::builder()
                .policy_arn(&p.arn)
                .policy_name(name)
                .build()
        })
        .collect()
}

fn inline(list: &[m::InlinePolicy]) -> Vec<iam::PolicyDetail> {
    list.iter()
        .map(|p| {
            iam::PolicyDetail::builder()
                .policy_name(&p.name)
                .set_policy_document(document(&p.document))
                .build()
        })
        .collect()
}

fn boundary(arn: &Option<String>) -> Option<iam::AttachedPermissionsBoundary> {
    arn.as_ref().map(|a| {
        iam::AttachedPermissionsBoundary::builder()
            .permissions_boundary_arn(a)
            .build()
    })
}

fn managed_policy(n: &Node) -> Option<iam::ManagedPolicyDetail> {
    let NodeData::IamPolicy(p) = &n.data else {
        return None;
    };
    let version = iam::PolicyVersion::builder()
        .set_document(p.document.as_ref().and_then(document))
        .set_version_id(p.default_version_id.clone())
        .is_default_version(true)
        .build();
    let others = p.other_versions.iter().map(|v| {
        iam::PolicyVersion::builder()
            .set_document(v.document.as_ref().and_then(document))
            .set_version_id(v.version_id.clone())
            .is_default_version(false)
            .build()
    });
    Some(
        iam::ManagedPolicyDetail::builder()
            .arn(&n.id)
            .set_policy_name(n.name.clone())
            .set_policy_id(p.policy_id.clone())
            .set_path(p.path.clone())
            .set_default_version_id(p.default_version_id.clone())
            .set_attachment_count(p.attachment_count.and_then(|c| i32::try_from(c).ok()))
            .set_policy_version_list(Some(std::iter::once(version).chain(others).collect()))
            .build(),
    )
}

/// The instance profiles that hold a role.
fn profiles(graph: &Graph, role: NodeId) -> Vec<iam::InstanceProfile> {
    let role_of = |arn: &String| {
        let n = graph.node(graph.by_id(arn)?);
        let NodeData::IamRole(r) = &n.data else {
            return None;
        };
        iam::Role::builder()
            .arn(arn)
            .path(r.path.as_deref().unwrap_or("/"))
            .role_name(n.name.as_deref().unwrap_or_default())
            .role_id(r.role_id.as_deref().unwrap_or_default())
            .create_date(r.created.map(smithy_time).unwrap_or(DateTime::from_secs(0)))
            .build()
            .ok()
    };
    graph
        .incoming(role)
        .filter(|edge| edge.kind == EdgeKind::HasRole)
        .map(|edge| graph.node(edge.from))
        .filter_map(|p| match &p.data {
            NodeData::InstanceProfile(ip) => iam::InstanceProfile::builder()
                .instance_profile_name(p.name.as_deref().unwrap_or_default())
                .instance_profile_id(ip.instance_profile_id.as_deref().unwrap_or_default())
                .arn(&p.id)
                .path(ip.path.as_deref().unwrap_or("/"))
                .create_date(DateTime::from_secs(0))
                .set_roles(Some(ip.role_arns.iter().filter_map(role_of).collect()))
                .build()
                .ok(),
            _ => None,
        })
        .collect()
}

/// One account's IAM, as GetAccountAuthorizationDetails and the credential
/// report give it.
#[derive(Default)]
struct Iam {
    users: Vec<iam::UserDetail>,
    groups: Vec<iam::GroupDetail>,
    roles: Vec<iam::RoleDetail>,
    policies: Vec<iam::ManagedPolicyDetail>,
    /// AWS managed policies attached to something here.
    used: BTreeSet<String>,
    report: Vec<String>,
    keys: BTreeMap<String, Vec<iam::AccessKeyMetadata>>,
}

/// A bucket in its account's listing, with its settings in the account's
/// global folder (as CloudMapper writes them, whatever the bucket's region).
fn bucket(n: &Node, b: &m::Bucket, tree: &mut Tree) {
    use aws_sdk_s3::types as s3;
    let at = (n.account.clone(), GLOBAL_REGION.to_string());
    let name = n.id.as_str();
    let listed = s3::Bucket::builder()
        .name(name)
        .set_creation_date(b.created.map(smithy_time))
        .build();
    tree.list(&at, &ops::LIST_BUCKETS, json::storage::bucket(&listed));
    let constraint = match n.region.as_deref() {
        None | Some("us-east-1") => None,
        Some(r) => Some(r),
    };
    if n.region.is_some() {
        tree.file(
            &at,
            &ops::GET_BUCKET_LOCATION,
            Some(name),
            json::storage::location(constraint),
        );
    }
    fn answer<T>(a: &Option<m::Answer<T>>, value: impl FnOnce(&T) -> Value) -> Option<Value> {
        match a.as_ref()? {
            m::Answer::Value(v) => Some(value(v)),
            m::Answer::None { code } => Some(json::storage::error(code)),
        }
    }
    let block = |p: &m::PublicAccessBlock| {
        json::storage::public_access_block(
            Some(p.block_public_acls),
            Some(p.ignore_public_acls),
            Some(p.block_public_policy),
            Some(p.restrict_public_buckets),
        )
    };
    let files = [
        (
            &ops::GET_BUCKET_POLICY,
            answer(&b.policy, |d| json::storage::policy(Some(&d.0.to_string()))),
        ),
        (
            &ops::GET_BUCKET_POLICY_STATUS,
            answer(&b.policy_public, |p| json::storage::policy_status(Some(*p))),
        ),
        (
            &ops::GET_PUBLIC_ACCESS_BLOCK,
            answer(&b.public_access_block, block),
        ),
        (
            &ops::GET_BUCKET_ENCRYPTION,
            answer(&b.encryption, |e| {
                let default = s3::ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(s3::ServerSideEncryption::from(e.algorithm.as_str()))
                    .set_kms_master_key_id(e.kms_key_id.clone())
                    .build()
                    .ok();
                let rule = s3::ServerSideEncryptionRule::builder()
                    .set_apply_server_side_encryption_by_default(default)
                    .build();
                json::storage::encryption(&[rule])
            }),
        ),
        (
            &ops::GET_BUCKET_ACL,
            b.acl.as_ref().map(|grants| {
                let grants: Vec<s3::Grant> = grants
                    .iter()
                    .filter_map(|g| {
                        let group = g.grantee.starts_with("http");
                        let grantee = if group {
                            s3::Grantee::builder()
                                .r#type(s3::Type::Group)
                                .uri(&g.grantee)
                        } else {
                            s3::Grantee::builder()
                                .r#type(s3::Type::CanonicalUser)
                                .id(&g.grantee)
                        }
                        .build()
                        .ok()?;
                        Some(
                            s3::Grant::builder()
                                .grantee(grantee)
                                .permission(s3::Permission::from(g.permission.as_str()))
                                .build(),
                        )
                    })
                    .collect();
                json::storage::acl(&grants)
            }),
        ),
        (
            &ops::GET_BUCKET_LOGGING,
            b.logging.as_ref().map(|logging| {
                let enabled = logging.target.as_ref().and_then(|t| {
                    s3::LoggingEnabled::builder()
                        .target_bucket(t)
                        .target_prefix(format!("{name}/"))
                        .build()
                        .ok()
                });
                json::storage::logging(enabled.as_ref())
            }),
        ),
        (
            &ops::GET_BUCKET_VERSIONING,
            b.versioning
                .as_ref()
                .map(|s| json::storage::versioning(s.status.as_deref())),
        ),
    ];
    for (op, value) in files {
        if let Some(v) = value {
            tree.file(&at, op, Some(name), v);
        }
    }
}

fn kms_key(n: &Node, k: &m::KmsKey, at: &At, tree: &mut Tree) {
    use aws_sdk_kms::types as kms;
    let entry = kms::KeyListEntry::builder()
        .key_id(&n.id)
        .set_key_arn(n.arn.clone())
        .build();
    tree.list(at, &ops::LIST_KEYS, json::storage::key(&entry));
    if k.key_manager.is_some() {
        let meta = kms::KeyMetadata::builder()
            .key_id(&n.id)
            .set_arn(n.arn.clone())
            .set_key_manager(k.key_manager.as_deref().map(kms::KeyManagerType::from))
            .set_key_state(k.key_state.as_deref().map(kms::KeyState::from))
            .set_key_spec(k.key_spec.as_deref().map(kms::KeySpec::from))
            .set_origin(k.origin.as_deref().map(kms::OriginType::from))
            .set_description(k.description.clone())
            .build()
            .ok();
        if let Some(meta) = meta {
            tree.file(
                at,
                &ops::DESCRIBE_KEY,
                Some(&n.id),
                json::storage::key_metadata(&meta),
            );
        }
    }
    if let Some(r) = k.rotation_enabled {
        tree.file(
            at,
            &ops::GET_KEY_ROTATION_STATUS,
            Some(&n.id),
            json::storage::rotation(r),
        );
    }
    match &k.policy {
        Some(m::Answer::Value(d)) => tree.file(
            at,
            &ops::GET_KEY_POLICY,
            Some(&n.id),
            json::storage::policy(Some(&d.0.to_string())),
        ),
        Some(m::Answer::None { code }) => tree.file(
            at,
            &ops::GET_KEY_POLICY,
            Some(&n.id),
            json::storage::error(code),
        ),
        None => {}
    }
    for alias in &k.aliases {
        let a = kms::AliasListEntry::builder()
            .alias_name(alias)
            .target_key_id(&n.id)
            .build();
        tree.list(at, &ops::LIST_ALIASES, json::storage::alias(&a));
    }
}

fn db_instance(n: &Node, d: &m::DbInstance, at: &At, tree: &mut Tree) {
    use aws_sdk_rds::types as rds;
    let group = rds::DbSubnetGroup::builder()
        .set_vpc_id(d.vpc_id.clone())
        .set_subnets(Some(
            d.subnet_ids
                .iter()
                .map(|s| rds::Subnet::builder().subnet_identifier(s).build())
                .collect(),
        ))
        .build();
    let db = rds::DbInstance::builder()
        .set_db_instance_identifier(n.name.clone())
        .set_db_instance_arn(n.arn.clone())
        .set_engine(d.engine.clone())
        .set_db_instance_status(d.status.clone())
        .publicly_accessible(d.publicly_accessible)
        .set_storage_encrypted(d.storage_encrypted)
        .set_kms_key_id(d.kms_key_id.clone())
        .set_endpoint(d.endpoint.as_ref().map(|a| {
            rds::Endpoint::builder()
                .address(a)
                .set_port(d.port.map(i32::from))
                .build()
        }))
        .db_subnet_group(group)
        .set_vpc_security_groups(Some(
            d.security_group_ids
                .iter()
                .map(|g| {
                    rds::VpcSecurityGroupMembership::builder()
                        .vpc_security_group_id(g)
                        .build()
                })
                .collect(),
        ))
        .build();
    tree.list(
        at,
        &ops::DESCRIBE_DB_INSTANCES,
        json::storage::db_instance(&db),
    );
}

/// A trail in its home region's listing, with its status and selectors.
fn trail(n: &Node, t: &m::Trail, at: &At, tree: &mut Tree) {
    use aws_sdk_cloudtrail::types as ct;
    let arn = n.arn.clone().unwrap_or_else(|| n.id.clone());
    let listed = ct::Trail::builder()
        .set_name(n.name.clone())
        .trail_arn(&arn)
        .set_home_region(t.home_region.clone())
        .set_s3_bucket_name(t.bucket.clone())
        .is_multi_region_trail(t.multi_region)
        .is_organization_trail(t.organization)
        .log_file_validation_enabled(t.log_file_validation)
        .set_kms_key_id(t.kms_key_id.clone())
        .build();
    tree.list(at, &ops::DESCRIBE_TRAILS, json::logging::trail(&listed));
    if let Some(logging) = t.logging {
        tree.file(
            at,
            &ops::GET_TRAIL_STATUS,
            Some(&arn),
            json::logging::trail_status(Some(logging)),
        );
    }
    if let Some(s) = &t.selectors {
        let basic: Vec<ct::EventSelector> = s
            .basic
            .iter()
            .map(|b| {
                ct::EventSelector::builder()
                    .read_write_type(ct::ReadWriteType::from(b.read_write_type.as_str()))
                    .include_management_events(b.include_management_events)
                    .build()
            })
            .collect();
        let advanced: Vec<ct::AdvancedEventSelector> = s
            .advanced
            .iter()
            .filter_map(|a| {
                let fields = a
                    .fields
                    .iter()
                    .filter_map(|f| {
                        ct::AdvancedFieldSelector::builder()
                            .field(&f.field)
                            .set_equals((!f.equals.is_empty()).then(|| f.equals.clone()))
                            .set_not_equals(
                                (!f.not_equals.is_empty()).then(|| f.not_equals.clone()),
                            )
                            .build()
                            .ok()
                    })
                    .collect();
                ct::AdvancedEventSelector::builder()
                    .set_name(a.name.clone())
                    .set_field_selectors(Some(fields))
                    .build()
                    .ok()
            })
            .collect();
        tree.file(
            at,
            &ops::GET_EVENT_SELECTORS,
            Some(&arn),
            json::logging::event_selectors(Some(&arn), &basic, &advanced),
        );
    }
}

/// The credential report's columns.
const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn report_time(t: Option<chrono::DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_else(|| "N/A".into())
}

/// A user's line of the credential report, and its access keys.
fn credentials(graph: &Graph, id: NodeId, n: &Node, u: &m::IamUser, out: &mut Iam) {
    let keys: Vec<(&Node, &m::AccessKey)> = graph
        .outgoing(id)
        .filter(|edge| edge.kind == EdgeKind::HasAccessKey)
        .filter_map(|edge| {
            let k = graph.node(edge.to);
            match &k.data {
                NodeData::AccessKey(a) => Some((k, a)),
                _ => None,
            }
        })
        .collect();
    let key_cols = |slot: usize| -> String {
        match keys.get(slot) {
            Some((_, k)) => format!(
                "{},{},{},{},{}",
                k.is_active(),
                report_time(k.created),
                report_time(k.last_used),
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
    out.report.push(format!(
        "{user},{},{},{password},{},{},N/A,{},{},{},false,N/A,false,N/A",
        n.id,
        report_time(u.created),
        report_time(u.password_last_used),
        report_time(u.password_last_changed),
        u.mfa_active.unwrap_or(false),
        key_cols(0),
        key_cols(1)
    ));
    if !u.is_root && !keys.is_empty() {
        let listed: Vec<iam::AccessKeyMetadata> = keys
            .iter()
            .map(|(node, k)| {
                iam::AccessKeyMetadata::builder()
                    .user_name(&user)
                    .access_key_id(&node.id)
                    .status(iam::StatusType::from(k.status.as_str()))
                    .set_create_date(k.created.map(smithy_time))
                    .build()
            })
            .collect();
        out.keys.entry(user).or_default().extend(listed);
    }
}

/// IAM, STS and Organizations files, in each account's global region.
fn global(graph: &Graph, tree: &mut Tree) {
    let mut per: BTreeMap<String, Iam> = BTreeMap::new();
    for (id, n) in graph.nodes() {
        let e = per.entry(n.account.clone()).or_default();
        match &n.data {
            NodeData::IamUser(u) => {
                credentials(graph, id, n, u, e);
                if u.is_root {
                    continue;
                }
                e.users.push(
                    iam::UserDetail::builder()
                        .set_user_name(n.name.clone())
                        .set_user_id(u.user_id.clone())
                        .arn(&n.id)
                        .set_path(u.path.clone())
                        .set_create_date(u.created.map(smithy_time))
                        .set_group_list(Some(u.group_names.clone()))
                        .set_attached_managed_policies(Some(attached(&u.attached_policies)))
                        .set_user_policy_list(Some(inline(&u.inline_policies)))
                        .set_permissions_boundary(boundary(&u.permissions_boundary))
                        .set_tags(Some(iam_tags(n)))
                        .build(),
                );
                e.used
                    .extend(u.attached_policies.iter().map(|p| p.arn.clone()));
            }
            NodeData::IamGroup(g) => {
                e.groups.push(
                    iam::GroupDetail::builder()
                        .set_group_name(n.name.clone())
                        .set_group_id(g.group_id.clone())
                        .arn(&n.id)
                        .set_path(g.path.clone())
                        .set_attached_managed_policies(Some(attached(&g.attached_policies)))
                        .set_group_policy_list(Some(inline(&g.inline_policies)))
                        .build(),
                );
                e.used
                    .extend(g.attached_policies.iter().map(|p| p.arn.clone()));
            }
            NodeData::IamRole(r) => {
                e.roles.push(
                    iam::RoleDetail::builder()
                        .set_role_name(n.name.clone())
                        .set_role_id(r.role_id.clone())
                        .arn(&n.id)
                        .set_path(r.path.clone())
                        .set_create_date(r.created.map(smithy_time))
                        .set_assume_role_policy_document(document(&r.trust_policy))
                        .set_instance_profile_list(Some(profiles(graph, id)))
                        .set_attached_managed_policies(Some(attached(&r.attached_policies)))
                        .set_role_policy_list(Some(inline(&r.inline_policies)))
                        .set_permissions_boundary(boundary(&r.permissions_boundary))
                        .role_last_used(
                            iam::RoleLastUsed::builder()
                                .set_last_used_date(r.last_used.map(smithy_time))
                                .build(),
                        )
                        .set_tags(Some(iam_tags(n)))
                        .build(),
                );
                e.used
                    .extend(r.attached_policies.iter().map(|p| p.arn.clone()));
            }
            NodeData::IamPolicy(_) if n.account != "aws" => e.policies.extend(managed_policy(n)),
            _ => {}
        }
    }
    for (account, mut i) in per {
        if !crate::graph::is_account_id(&account) {
            continue;
        }
        // AWS managed policies appear in each account that uses them.
        i.policies.extend(
            i.used
                .iter()
                .filter_map(|arn| graph.by_id(arn).map(|x| graph.node(x)))
                .filter(|n| n.account == "aws")
                .filter_map(managed_policy),
        );
        let at = (account.clone(), GLOBAL_REGION.to_string());
        let me = aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .account(&account)
            .arn(format!("arn:aws:iam::{account}:user/skyhound"))
            .user_id("AIDASKYHOUND")
            .build();
        tree.file(
            &at,
            &ops::GET_CALLER_IDENTITY,
            None,
            json::iam::caller_identity(&me),
        );
        tree.file(
            &at,
            &ops::GET_ACCOUNT_AUTHORIZATION_DETAILS,
            None,
            json::iam::authorization_details(&i.users, &i.groups, &i.roles, &i.policies),
        );
        let csv = std::iter::once(REPORT_HEADER.to_string())
            .chain(i.report)
            .collect::<Vec<_>>()
            .join("\n");
        let account_data = graph
            .by_id(&account)
            .map(|id| &graph.node(id).data)
            .and_then(|d| match d {
                NodeData::Account(a) => Some(a),
                _ => None,
            });
        let generated = account_data
            .and_then(|a| a.credential_report.as_ref())
            .and_then(|r| r.generated)
            .or(graph.collection().collected_at)
            .map_or(DateTime::from_secs(1_795_662_000), smithy_time);
        let report =
            aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput::builder()
                .content(aws_smithy_types::Blob::new(csv))
                .report_format(iam::ReportFormatType::TextCsv)
                .generated_time(generated)
                .build();
        tree.file(
            &at,
            &ops::GET_CREDENTIAL_REPORT,
            None,
            json::iam::credential_report(&report),
        );
        for (user, keys) in &i.keys {
            tree.file(
                &at,
                &ops::LIST_ACCESS_KEYS,
                Some(user),
                json::iam::access_keys(keys),
            );
        }
        if let Some(a) = account_data {
            account_settings(a, &at, tree);
        }
    }
    for (_, o) in graph.nodes_of(NodeKind::Organization) {
        organization(graph, o, tree);
    }
}

/// An account's summary, password policy and aliases.
fn account_settings(a: &m::Account, at: &At, tree: &mut Tree) {
    let summary = a
        .summary
        .iter()
        .filter_map(|(k, v)| {
            Some((
                iam::SummaryKeyType::from(k.as_str()),
                i32::try_from(*v).ok()?,
            ))
        })
        .collect();
    tree.file(
        at,
        &ops::GET_ACCOUNT_SUMMARY,
        None,
        json::iam::account_summary(Some(&summary)),
    );
    if let Some(p) = &a.password_policy {
        let number = |x: Option<u32>| x.and_then(|v| i32::try_from(v).ok());
        let policy = iam::PasswordPolicy::builder()
            .set_minimum_password_length(number(p.minimum_length))
            .require_symbols(p.require_symbols)
            .require_numbers(p.require_numbers)
            .require_uppercase_characters(p.require_uppercase)
            .require_lowercase_characters(p.require_lowercase)
            .allow_users_to_change_password(p.allow_users_to_change)
            .set_max_password_age(number(p.max_age_days))
            .set_password_reuse_prevention(number(p.reuse_prevention))
            .hard_expiry(p.hard_expiry)
            .build();
        tree.file(
            at,
            &ops::GET_ACCOUNT_PASSWORD_POLICY,
            None,
            json::iam::password_policy(Some(&policy)),
        );
    }
    if let Some(devices) = &a.virtual_mfa_devices {
        let devices: Vec<iam::VirtualMfaDevice> = devices
            .iter()
            .filter_map(|d| {
                let user = d.user_arn.as_deref().and_then(|arn| {
                    let name = arn.rsplit(['/', ':']).next().unwrap_or(arn);
                    iam::User::builder()
                        .path("/")
                        .user_name(name)
                        .user_id(name)
                        .arn(arn)
                        .create_date(DateTime::from_secs(0))
                        .build()
                        .ok()
                });
                iam::VirtualMfaDevice::builder()
                    .serial_number(&d.serial_number)
                    .set_user(user)
                    .build()
                    .ok()
            })
            .collect();
        tree.file(
            at,
            &ops::LIST_VIRTUAL_MFA_DEVICES,
            None,
            json::iam::virtual_mfa_devices(&devices),
        );
    }
    if let Some(block) = &a.s3_public_access_block {
        let v = match block {
            m::Answer::Value(p) => json::storage::public_access_block(
                Some(p.block_public_acls),
                Some(p.ignore_public_acls),
                Some(p.block_public_policy),
                Some(p.restrict_public_buckets),
            ),
            m::Answer::None { code } => json::storage::error(code),
        };
        tree.file(at, &ops::GET_ACCOUNT_PUBLIC_ACCESS_BLOCK, None, v);
    }
    if !a.aliases.is_empty() {
        tree.file(
            at,
            &ops::LIST_ACCOUNT_ALIASES,
            None,
            json::iam::account_aliases(&a.aliases),
        );
    }
}

/// The organization's account list, in its management account.
fn organization(graph: &Graph, o: &Node, tree: &mut Tree) {
    let NodeData::Organization(data) = &o.data else {
        return;
    };
    let Some(mgmt) = &data.management_account_id else {
        return;
    };
    let accounts: Vec<org::Account> = graph
        .nodes_of(NodeKind::Account)
        .filter_map(|(_, a)| match &a.data {
            NodeData::Account(x) if x.organization_id.as_deref() == Some(&o.id) => Some(
                org::Account::builder()
                    .id(&a.id)
                    .arn(format!(
                        "arn:aws:organizations::{mgmt}:account/{}/{}",
                        o.id, a.id
                    ))
                    .set_name(a.name.clone())
                    .set_email(x.email.clone())
                    .set_status(x.status.as_deref().map(org::AccountStatus::from))
                    .build(),
            ),
            _ => None,
        })
        .collect();
    let at = (mgmt.clone(), GLOBAL_REGION.to_string());
    tree.file(
        &at,
        &ops::LIST_ACCOUNTS,
        None,
        json::org::accounts(&accounts),
    );
    let described = org::Organization::builder()
        .id(&o.id)
        .set_arn(o.arn.clone())
        .master_account_id(mgmt)
        .build();
    tree.file(
        &at,
        &ops::DESCRIBE_ORGANIZATION,
        None,
        json::org::organization(&described),
    );
    organization_tree(graph, o, &at, tree);
}

/// The root, the OUs and accounts under each parent, and the service
/// control policies with their documents and targets.
fn organization_tree(graph: &Graph, o: &Node, at: &At, tree: &mut Tree) {
    let in_org = |n: &Node| n.arn.as_deref().is_some_and(|a| a.contains(&o.id));
    let mut children: BTreeMap<String, Vec<org::OrganizationalUnit>> = BTreeMap::new();
    let mut roots = Vec::new();
    for (_, n) in graph.nodes_of(NodeKind::OrganizationalUnit) {
        let NodeData::OrganizationalUnit(u) = &n.data else {
            continue;
        };
        if !in_org(n) {
            continue;
        }
        match &u.parent_id {
            None => roots.push(
                org::Root::builder()
                    .id(&n.id)
                    .set_arn(n.arn.clone())
                    .set_name(n.name.clone())
                    .set_policy_types(Some(
                        u.policy_types
                            .iter()
                            .map(|t| {
                                org::PolicyTypeSummary::builder()
                                    .r#type(org::PolicyType::from(t.as_str()))
                                    .status(org::PolicyTypeStatus::Enabled)
                                    .build()
                            })
                            .collect(),
                    ))
                    .build(),
            ),
            Some(parent) => children.entry(parent.clone()).or_default().push(
                org::OrganizationalUnit::builder()
                    .id(&n.id)
                    .set_arn(n.arn.clone())
                    .set_name(n.name.clone())
                    .build(),
            ),
        }
    }
    if roots.is_empty() {
        return;
    }
    let mut parents: Vec<String> = roots
        .iter()
        .filter_map(|r| r.id().map(str::to_string))
        .collect();
    parents.extend(
        children
            .values()
            .flatten()
            .filter_map(|u| u.id().map(str::to_string)),
    );
    tree.file(at, &ops::LIST_ROOTS, None, json::org::roots(&roots));
    let mgmt = at.0.as_str();
    for parent in &parents {
        let units = children.remove(parent).unwrap_or_default();
        tree.file(
            at,
            &ops::LIST_ORGANIZATIONAL_UNITS_FOR_PARENT,
            Some(parent),
            json::org::units(&units),
        );
        let accounts: Vec<org::Account> = graph
            .nodes_of(NodeKind::Account)
            .filter_map(|(_, a)| match &a.data {
                NodeData::Account(x) if x.parent_id.as_deref() == Some(parent.as_str()) => Some(
                    org::Account::builder()
                        .id(&a.id)
                        .arn(format!(
                            "arn:aws:organizations::{mgmt}:account/{}/{}",
                            o.id, a.id
                        ))
                        .set_name(a.name.clone())
                        .set_email(x.email.clone())
                        .set_status(x.status.as_deref().map(org::AccountStatus::from))
                        .build(),
                ),
                _ => None,
            })
            .collect();
        tree.file(
            at,
            &ops::LIST_ACCOUNTS_FOR_PARENT,
            Some(parent),
            json::org::accounts(&accounts),
        );
    }
    let NodeData::Organization(data) = &o.data else {
        return;
    };
    if !data.scps_collected {
        return;
    }
    let mut summaries = Vec::new();
    for (_, n) in graph.nodes_of(NodeKind::ServiceControlPolicy) {
        let NodeData::ServiceControlPolicy(p) = &n.data else {
            continue;
        };
        if n.account != mgmt {
            continue;
        }
        let summary = org::PolicySummary::builder()
            .id(&n.id)
            .set_arn(n.arn.clone())
            .set_name(n.name.clone())
            .set_description(p.description.clone())
            .r#type(org::PolicyType::ServiceControlPolicy)
            .aws_managed(p.aws_managed)
            .build();
        if let Some(d) = &p.document {
            let described = org::Policy::builder()
                .policy_summary(summary.clone())
                .content(d.0.to_string())
                .build();
            tree.file(
                at,
                &ops::DESCRIBE_POLICY,
                Some(&n.id),
                json::org::policy(&described),
            );
        }
        let targets: Vec<org::PolicyTargetSummary> = p
            .targets
            .iter()
            .map(|t| {
                let kind = if t.starts_with("r-") {
                    org::TargetType::Root
                } else if t.starts_with("ou-") {
                    org::TargetType::OrganizationalUnit
                } else {
                    org::TargetType::Account
                };
                org::PolicyTargetSummary::builder()
                    .target_id(t)
                    .r#type(kind)
                    .build()
            })
            .collect();
        tree.file(
            at,
            &ops::LIST_TARGETS_FOR_POLICY,
            Some(&n.id),
            json::org::targets(&targets),
        );
        summaries.push(summary);
    }
    tree.file(
        at,
        &ops::LIST_POLICIES,
        None,
        json::org::policies(&summaries),
    );
}
