//! EC2 answers as the API's JSON shapes (what the importer reads), so live
//! collection and imported dumps mean exactly the same thing.

use aws_sdk_ec2::types as t;
use serde_json::{Value, json};

use super::time;

fn tags(list: &[t::Tag]) -> Value {
    Value::Array(
        list.iter()
            .map(|x| json!({"Key": x.key(), "Value": x.value()}))
            .collect(),
    )
}

fn state<S: AsRef<str>>(s: Option<&S>) -> Value {
    s.map(|x| Value::String(x.as_ref().to_string()))
        .unwrap_or(Value::Null)
}

pub fn vpc(v: &t::Vpc) -> Value {
    json!({
        "VpcId": v.vpc_id(), "OwnerId": v.owner_id(), "CidrBlock": v.cidr_block(), "IsDefault": v.is_default(),
        "State": v.state().map(|s| s.as_str()), "Tags": tags(v.tags()),
        "CidrBlockAssociationSet": v.cidr_block_association_set().iter().map(|a| json!({
            "CidrBlock": a.cidr_block(), "CidrBlockState": {"State": a.cidr_block_state().and_then(|s| s.state()).map(|s| s.as_str())}})).collect::<Vec<_>>(),
        "Ipv6CidrBlockAssociationSet": v.ipv6_cidr_block_association_set().iter().map(|a| json!({
            "Ipv6CidrBlock": a.ipv6_cidr_block(), "Ipv6CidrBlockState": {"State": a.ipv6_cidr_block_state().and_then(|s| s.state()).map(|s| s.as_str())}})).collect::<Vec<_>>(),
    })
}

pub fn subnet(s: &t::Subnet) -> Value {
    json!({
        "SubnetId": s.subnet_id(), "SubnetArn": s.subnet_arn(), "VpcId": s.vpc_id(), "OwnerId": s.owner_id(), "CidrBlock": s.cidr_block(),
        "AvailabilityZone": s.availability_zone(), "MapPublicIpOnLaunch": s.map_public_ip_on_launch(),
        "AssignIpv6AddressOnCreation": s.assign_ipv6_address_on_creation(), "Tags": tags(s.tags()),
        "Ipv6CidrBlockAssociationSet": s.ipv6_cidr_block_association_set().iter().map(|a| json!({
            "Ipv6CidrBlock": a.ipv6_cidr_block(), "Ipv6CidrBlockState": {"State": a.ipv6_cidr_block_state().and_then(|s| s.state()).map(|s| s.as_str())}})).collect::<Vec<_>>(),
    })
}

pub fn route_table(r: &t::RouteTable) -> Value {
    json!({
        "RouteTableId": r.route_table_id(), "VpcId": r.vpc_id(), "OwnerId": r.owner_id(), "Tags": tags(r.tags()),
        "Routes": r.routes().iter().map(|x| json!({
            "DestinationCidrBlock": x.destination_cidr_block(), "DestinationIpv6CidrBlock": x.destination_ipv6_cidr_block(),
            "DestinationPrefixListId": x.destination_prefix_list_id(), "GatewayId": x.gateway_id(),
            "EgressOnlyInternetGatewayId": x.egress_only_internet_gateway_id(), "NatGatewayId": x.nat_gateway_id(),
            "TransitGatewayId": x.transit_gateway_id(), "VpcPeeringConnectionId": x.vpc_peering_connection_id(),
            "InstanceId": x.instance_id(), "NetworkInterfaceId": x.network_interface_id(), "CarrierGatewayId": x.carrier_gateway_id(),
            "LocalGatewayId": x.local_gateway_id(), "CoreNetworkArn": x.core_network_arn(),
            "Origin": x.origin().map(|o| o.as_str()), "State": x.state().map(|s| s.as_str()),
        })).collect::<Vec<_>>(),
        "Associations": r.associations().iter().map(|a| json!({
            "Main": a.main(), "RouteTableAssociationId": a.route_table_association_id(), "SubnetId": a.subnet_id(), "GatewayId": a.gateway_id(),
            "AssociationState": {"State": a.association_state().and_then(|s| s.state()).map(|s| s.as_str())},
        })).collect::<Vec<_>>(),
    })
}

pub fn internet_gateway(g: &t::InternetGateway) -> Value {
    json!({
        "InternetGatewayId": g.internet_gateway_id(), "OwnerId": g.owner_id(), "Tags": tags(g.tags()),
        "Attachments": g.attachments().iter().map(|a| json!({"VpcId": a.vpc_id(), "State": state(a.state())})).collect::<Vec<_>>(),
    })
}

pub fn egress_only_gateway(g: &t::EgressOnlyInternetGateway) -> Value {
    json!({
        "EgressOnlyInternetGatewayId": g.egress_only_internet_gateway_id(), "Tags": tags(g.tags()),
        "Attachments": g.attachments().iter().map(|a| json!({"VpcId": a.vpc_id(), "State": state(a.state())})).collect::<Vec<_>>(),
    })
}

pub fn nat_gateway(g: &t::NatGateway) -> Value {
    json!({
        "NatGatewayId": g.nat_gateway_id(), "VpcId": g.vpc_id(), "SubnetId": g.subnet_id(), "State": g.state().map(|s| s.as_str()),
        "ConnectivityType": g.connectivity_type().map(|s| s.as_str()), "Tags": tags(g.tags()),
        "NatGatewayAddresses": g.nat_gateway_addresses().iter().map(|a| json!({
            "PublicIp": a.public_ip(), "PrivateIp": a.private_ip(), "NetworkInterfaceId": a.network_interface_id(), "AllocationId": a.allocation_id()})).collect::<Vec<_>>(),
    })
}

pub fn network_acl(a: &t::NetworkAcl) -> Value {
    json!({
        "NetworkAclId": a.network_acl_id(), "VpcId": a.vpc_id(), "OwnerId": a.owner_id(), "IsDefault": a.is_default(), "Tags": tags(a.tags()),
        "Associations": a.associations().iter().map(|x| json!({"SubnetId": x.subnet_id(), "NetworkAclId": x.network_acl_id()})).collect::<Vec<_>>(),
        "Entries": a.entries().iter().map(|e| json!({
            "RuleNumber": e.rule_number(), "Egress": e.egress(), "Protocol": e.protocol(), "RuleAction": e.rule_action().map(|r| r.as_str()),
            "CidrBlock": e.cidr_block(), "Ipv6CidrBlock": e.ipv6_cidr_block(),
            "PortRange": e.port_range().map(|p| json!({"From": p.from(), "To": p.to()})),
            "IcmpTypeCode": e.icmp_type_code().map(|i| json!({"Type": i.r#type(), "Code": i.code()})),
        })).collect::<Vec<_>>(),
    })
}

fn permission(p: &t::IpPermission) -> Value {
    json!({
        "IpProtocol": p.ip_protocol(), "FromPort": p.from_port(), "ToPort": p.to_port(),
        "IpRanges": p.ip_ranges().iter().map(|r| json!({"CidrIp": r.cidr_ip(), "Description": r.description()})).collect::<Vec<_>>(),
        "Ipv6Ranges": p.ipv6_ranges().iter().map(|r| json!({"CidrIpv6": r.cidr_ipv6(), "Description": r.description()})).collect::<Vec<_>>(),
        "PrefixListIds": p.prefix_list_ids().iter().map(|r| json!({"PrefixListId": r.prefix_list_id(), "Description": r.description()})).collect::<Vec<_>>(),
        "UserIdGroupPairs": p.user_id_group_pairs().iter().map(|g| json!({
            "GroupId": g.group_id(), "UserId": g.user_id(), "VpcId": g.vpc_id(), "PeeringStatus": g.peering_status(), "Description": g.description()})).collect::<Vec<_>>(),
    })
}

pub fn security_group(g: &t::SecurityGroup) -> Value {
    json!({
        "GroupId": g.group_id(), "GroupName": g.group_name(), "Description": g.description(), "OwnerId": g.owner_id(), "VpcId": g.vpc_id(),
        "SecurityGroupArn": g.security_group_arn(), "Tags": tags(g.tags()),
        "IpPermissions": g.ip_permissions().iter().map(permission).collect::<Vec<_>>(),
        "IpPermissionsEgress": g.ip_permissions_egress().iter().map(permission).collect::<Vec<_>>(),
    })
}

fn association(a: Option<&t::NetworkInterfaceAssociation>) -> Value {
    a.map(|a| json!({"PublicIp": a.public_ip(), "AllocationId": a.allocation_id(), "IpOwnerId": a.ip_owner_id(), "PublicDnsName": a.public_dns_name()}))
        .unwrap_or(Value::Null)
}

pub fn network_interface(e: &t::NetworkInterface) -> Value {
    json!({
        "NetworkInterfaceId": e.network_interface_id(), "OwnerId": e.owner_id(), "VpcId": e.vpc_id(), "SubnetId": e.subnet_id(),
        "InterfaceType": e.interface_type().map(|x| x.as_str()), "Status": e.status().map(|x| x.as_str()), "Description": e.description(),
        "PrivateIpAddress": e.private_ip_address(), "Association": association(e.association()),
        "PrivateIpAddresses": e.private_ip_addresses().iter().map(|p| json!({
            "PrivateIpAddress": p.private_ip_address(), "Primary": p.primary(), "Association": association(p.association())})).collect::<Vec<_>>(),
        "Ipv6Addresses": e.ipv6_addresses().iter().map(|a| json!({"Ipv6Address": a.ipv6_address()})).collect::<Vec<_>>(),
        "Groups": e.groups().iter().map(|g| json!({"GroupId": g.group_id()})).collect::<Vec<_>>(),
        "Attachment": e.attachment().map(|a| json!({
            "InstanceId": a.instance_id(), "InstanceOwnerId": a.instance_owner_id(), "DeviceIndex": a.device_index(), "Status": a.status().map(|s| s.as_str())})),
        "RequesterManaged": e.requester_managed(), "RequesterId": e.requester_id(), "TagSet": tags(e.tag_set()),
    })
}

fn instance_interface(e: &t::InstanceNetworkInterface) -> Value {
    let assoc = |a: Option<&t::InstanceNetworkInterfaceAssociation>| {
        a.map(|a| json!({"PublicIp": a.public_ip(), "IpOwnerId": a.ip_owner_id(), "PublicDnsName": a.public_dns_name()})).unwrap_or(Value::Null)
    };
    json!({
        "NetworkInterfaceId": e.network_interface_id(), "OwnerId": e.owner_id(), "VpcId": e.vpc_id(), "SubnetId": e.subnet_id(),
        "InterfaceType": e.interface_type(), "Status": e.status().map(|s| s.as_str()), "Description": e.description(),
        "PrivateIpAddress": e.private_ip_address(), "Association": assoc(e.association()),
        "PrivateIpAddresses": e.private_ip_addresses().iter().map(|p| json!({
            "PrivateIpAddress": p.private_ip_address(), "Primary": p.primary(), "Association": assoc(p.association())})).collect::<Vec<_>>(),
        "Ipv6Addresses": e.ipv6_addresses().iter().map(|a| json!({"Ipv6Address": a.ipv6_address()})).collect::<Vec<_>>(),
        "Groups": e.groups().iter().map(|g| json!({"GroupId": g.group_id()})).collect::<Vec<_>>(),
        "Attachment": e.attachment().map(|a| json!({"DeviceIndex": a.device_index(), "Status": a.status().map(|s| s.as_str())})),
    })
}

pub fn reservation(r: &t::Reservation) -> Value {
    json!({
        "OwnerId": r.owner_id(), "ReservationId": r.reservation_id(),
        "Instances": r.instances().iter().map(|i| json!({
            "InstanceId": i.instance_id(), "InstanceType": i.instance_type().map(|x| x.as_str()), "ImageId": i.image_id(),
            "Platform": i.platform().map(|x| x.as_str()), "KeyName": i.key_name(), "LaunchTime": time(i.launch_time()),
            "VpcId": i.vpc_id(), "SubnetId": i.subnet_id(), "Placement": {"AvailabilityZone": i.placement().and_then(|p| p.availability_zone())},
            "PrivateIpAddress": i.private_ip_address(), "PublicIpAddress": i.public_ip_address(),
            "State": {"Name": i.state().and_then(|s| s.name()).map(|n| n.as_str())},
            "IamInstanceProfile": i.iam_instance_profile().map(|p| json!({"Arn": p.arn()})),
            "MetadataOptions": i.metadata_options().map(|m| json!({
                "HttpTokens": m.http_tokens().map(|x| x.as_str()), "HttpEndpoint": m.http_endpoint().map(|x| x.as_str()),
                "HttpPutResponseHopLimit": m.http_put_response_hop_limit()})),
            "SecurityGroups": i.security_groups().iter().map(|g| json!({"GroupId": g.group_id()})).collect::<Vec<_>>(),
            "NetworkInterfaces": i.network_interfaces().iter().map(instance_interface).collect::<Vec<_>>(),
            "Tags": tags(i.tags()),
        })).collect::<Vec<_>>(),
    })
}

pub fn address(a: &t::Address) -> Value {
    json!({
        "PublicIp": a.public_ip(), "AllocationId": a.allocation_id(), "AssociationId": a.association_id(), "InstanceId": a.instance_id(),
        "NetworkInterfaceId": a.network_interface_id(), "NetworkInterfaceOwnerId": a.network_interface_owner_id(),
        "PrivateIpAddress": a.private_ip_address(), "Domain": a.domain().map(|d| d.as_str()), "Tags": tags(a.tags()),
    })
}

pub fn peering(p: &t::VpcPeeringConnection) -> Value {
    let side = |v: Option<&t::VpcPeeringConnectionVpcInfo>| {
        v.map(|v| json!({
            "VpcId": v.vpc_id(), "OwnerId": v.owner_id(), "Region": v.region(), "CidrBlock": v.cidr_block(),
            "CidrBlockSet": v.cidr_block_set().iter().map(|c| json!({"CidrBlock": c.cidr_block()})).collect::<Vec<_>>(),
            "Ipv6CidrBlockSet": v.ipv6_cidr_block_set().iter().map(|c| json!({"Ipv6CidrBlock": c.ipv6_cidr_block()})).collect::<Vec<_>>(),
        }))
    };
    json!({
        "VpcPeeringConnectionId": p.vpc_peering_connection_id(), "RequesterVpcInfo": side(p.requester_vpc_info()),
        "AccepterVpcInfo": side(p.accepter_vpc_info()), "Status": {"Code": p.status().and_then(|s| s.code()).map(|c| c.as_str())}, "Tags": tags(p.tags()),
    })
}

pub fn prefix_list(p: &t::ManagedPrefixList) -> Value {
    json!({
        "PrefixListId": p.prefix_list_id(), "PrefixListName": p.prefix_list_name(), "PrefixListArn": p.prefix_list_arn(),
        "AddressFamily": p.address_family(), "MaxEntries": p.max_entries(), "OwnerId": p.owner_id(), "State": p.state().map(|s| s.as_str()),
        "Tags": tags(p.tags()),
    })
}

fn prefix_list_entry(e: &t::PrefixListEntry) -> Value {
    json!({"Cidr": e.cidr(), "Description": e.description()})
}

pub fn transit_gateway_attachment(a: &t::TransitGatewayAttachment) -> Value {
    json!({
        "TransitGatewayAttachmentId": a.transit_gateway_attachment_id(), "TransitGatewayId": a.transit_gateway_id(),
        "ResourceType": a.resource_type().map(|x| x.as_str()), "ResourceId": a.resource_id(), "ResourceOwnerId": a.resource_owner_id(),
        "State": a.state().map(|x| x.as_str()), "Tags": tags(a.tags()),
    })
}

/// One prefix list's GetManagedPrefixListEntries.
pub fn prefix_list_entries(list: &[t::PrefixListEntry]) -> Value {
    json!({"Entries": list.iter().map(prefix_list_entry).collect::<Vec<_>>()})
}

pub fn volume(v: &t::Volume) -> Value {
    json!({
        "VolumeId": v.volume_id(), "Size": v.size(), "State": v.state().map(|s| s.as_str()), "Encrypted": v.encrypted(),
        "KmsKeyId": v.kms_key_id(), "AvailabilityZone": v.availability_zone(), "Tags": tags(v.tags()),
        "Attachments": v.attachments().iter().map(|a| json!({"InstanceId": a.instance_id(), "Device": a.device(), "State": a.state().map(|s| s.as_str())})).collect::<Vec<_>>(),
    })
}

pub fn flow_log(f: &t::FlowLog) -> Value {
    json!({
        "FlowLogId": f.flow_log_id(), "ResourceId": f.resource_id(), "FlowLogStatus": f.flow_log_status(),
        "TrafficType": f.traffic_type().map(|s| s.as_str()), "LogDestination": f.log_destination(), "LogGroupName": f.log_group_name(),
    })
}

pub fn ebs_encryption_by_default(on: Option<bool>) -> Value {
    json!({"EbsEncryptionByDefault": on})
}
