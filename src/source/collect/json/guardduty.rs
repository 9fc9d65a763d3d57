//! GuardDuty answers as the API's JSON shapes.

use aws_sdk_guardduty::operation::get_detector::GetDetectorOutput;
use aws_sdk_guardduty::types as t;
use serde_json::{Value, json};

pub fn detector(d: &GetDetectorOutput) -> Value {
    json!({
        "Status": d.status().map(|s| s.as_str()), "FindingPublishingFrequency": d.finding_publishing_frequency().map(|f| f.as_str()),
        "CreatedAt": d.created_at(), "ServiceRole": d.service_role(),
    })
}

fn finding(f: &t::Finding) -> Value {
    let r = f.resource();
    json!({
        "Id": f.id(), "Arn": f.arn(), "AccountId": f.account_id(), "Region": f.region(), "Type": f.r#type(), "Severity": f.severity(),
        "Title": f.title(), "Description": f.description(), "CreatedAt": f.created_at(), "UpdatedAt": f.updated_at(),
        "SchemaVersion": f.schema_version(),
        "Resource": {
            "ResourceType": r.and_then(|r| r.resource_type()),
            "InstanceDetails": r.and_then(|r| r.instance_details()).map(|i| json!({"InstanceId": i.instance_id()})),
            "AccessKeyDetails": r.and_then(|r| r.access_key_details()).map(|k| json!({"AccessKeyId": k.access_key_id(), "UserName": k.user_name()})),
        },
        "Service": f.service().map(|s| json!({
            "DetectorId": s.detector_id(), "Archived": s.archived(), "Count": s.count(),
            "EventFirstSeen": s.event_first_seen(), "EventLastSeen": s.event_last_seen(),
            "Action": s.action().map(action),
        })),
    })
}

/// One detector's GetFindings, its batches put together.
pub fn findings(list: &[t::Finding]) -> Value {
    json!({"Findings": list.iter().map(finding).collect::<Vec<_>>()})
}

fn remote_ip(r: &t::RemoteIpDetails) -> Value {
    json!({
        "IpAddressV4": r.ip_address_v4(), "IpAddressV6": r.ip_address_v6(),
        "Organization": r.organization().map(|o| json!({"AsnOrg": o.asn_org(), "Org": o.org(), "Isp": o.isp()})),
        "Country": r.country().map(|c| json!({"CountryName": c.country_name()})),
    })
}

fn local_port(p: &t::LocalPortDetails) -> Value {
    json!({"Port": p.port(), "PortName": p.port_name()})
}

fn action(a: &t::Action) -> Value {
    json!({
        "ActionType": a.action_type(),
        "AwsApiCallAction": a.aws_api_call_action().map(|c| json!({
            "Api": c.api(), "ServiceName": c.service_name(), "CallerType": c.caller_type(),
            "RemoteIpDetails": c.remote_ip_details().map(remote_ip),
        })),
        "NetworkConnectionAction": a.network_connection_action().map(|c| json!({
            "ConnectionDirection": c.connection_direction(), "Protocol": c.protocol(), "Blocked": c.blocked(),
            "LocalPortDetails": c.local_port_details().map(local_port),
            "RemoteIpDetails": c.remote_ip_details().map(remote_ip),
        })),
        "PortProbeAction": a.port_probe_action().map(|p| json!({
            "Blocked": p.blocked(),
            "PortProbeDetails": p.port_probe_details().iter().map(|d| json!({
                "LocalPortDetails": d.local_port_details().map(local_port),
                "RemoteIpDetails": d.remote_ip_details().map(remote_ip),
            })).collect::<Vec<_>>(),
        })),
        "DnsRequestAction": a.dns_request_action().map(|d| json!({"Domain": d.domain(), "Protocol": d.protocol()})),
    })
}
