//! Elastic Load Balancing (v2) answers as the API's JSON shapes.

use aws_sdk_elasticloadbalancingv2::types as t;
use serde_json::{Value, json};

pub fn load_balancer(l: &t::LoadBalancer) -> Value {
    json!({
        "LoadBalancerArn": l.load_balancer_arn(), "LoadBalancerName": l.load_balancer_name(), "DNSName": l.dns_name(),
        "Scheme": l.scheme().map(|s| s.as_str()), "VpcId": l.vpc_id(), "State": {"Code": l.state().and_then(|s| s.code()).map(|c| c.as_str())},
        "Type": l.r#type().map(|t| t.as_str()), "IpAddressType": l.ip_address_type().map(|t| t.as_str()), "SecurityGroups": l.security_groups(),
        "AvailabilityZones": l.availability_zones().iter().map(|z| json!({
            "ZoneName": z.zone_name(), "SubnetId": z.subnet_id(),
            "LoadBalancerAddresses": z.load_balancer_addresses().iter().map(|a| json!({
                "IpAddress": a.ip_address(), "PrivateIPv4Address": a.private_ipv4_address(), "IPv6Address": a.ipv6_address()})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn listener(l: &t::Listener) -> Value {
    json!({
        "ListenerArn": l.listener_arn(), "LoadBalancerArn": l.load_balancer_arn(), "Port": l.port(), "Protocol": l.protocol().map(|p| p.as_str()),
        "DefaultActions": l.default_actions().iter().map(|a| json!({
            "Type": a.r#type().map(|t| t.as_str()), "TargetGroupArn": a.target_group_arn(),
            "ForwardConfig": a.forward_config().map(|f| json!({"TargetGroups": f.target_groups().iter().map(|t| json!({
                "TargetGroupArn": t.target_group_arn(), "Weight": t.weight()})).collect::<Vec<_>>()})),
        })).collect::<Vec<_>>(),
    })
}

pub fn target_group(t: &t::TargetGroup) -> Value {
    json!({
        "TargetGroupArn": t.target_group_arn(), "TargetGroupName": t.target_group_name(), "Protocol": t.protocol().map(|p| p.as_str()),
        "Port": t.port(), "TargetType": t.target_type().map(|x| x.as_str()), "VpcId": t.vpc_id(), "LoadBalancerArns": t.load_balancer_arns(),
    })
}

fn target_health(h: &t::TargetHealthDescription) -> Value {
    json!({
        "Target": h.target().map(|t| json!({"Id": t.id(), "Port": t.port(), "AvailabilityZone": t.availability_zone()})),
        "TargetHealth": {"State": h.target_health().and_then(|s| s.state()).map(|s| s.as_str())},
    })
}

/// One load balancer's DescribeListeners.
pub fn listeners(list: &[t::Listener]) -> Value {
    json!({"Listeners": list.iter().map(listener).collect::<Vec<_>>()})
}

/// One target group's DescribeTargetHealth.
pub fn target_healths(list: &[t::TargetHealthDescription]) -> Value {
    json!({"TargetHealthDescriptions": list.iter().map(target_health).collect::<Vec<_>>()})
}
