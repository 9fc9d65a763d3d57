//! GuardDuty responses: detectors and findings.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::read::{Items, arn_account, time};
use super::{Ctx, Sink};
use crate::model::{self as m, Node, NodeData};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DetectorList {
    #[serde(default)]
    pub detector_ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Detector {
    status: Option<String>,
    finding_publishing_frequency: Option<String>,
    #[serde(default, deserialize_with = "time")]
    created_at: Option<DateTime<Utc>>,
    service_role: Option<String>,
}

pub fn detector(ctx: &Ctx, id: &str, d: Option<Detector>, out: &mut Sink) {
    let data = match d {
        Some(d) => m::GuardDutyDetector {
            status: d.status,
            finding_publishing_frequency: d.finding_publishing_frequency,
            created_at: d.created_at,
            service_role: d.service_role,
        },
        // Listed but not described: it exists, its status is unknown.
        None => m::GuardDutyDetector::default(),
    };
    let arn = format!(
        "arn:aws:guardduty:{}:{}:detector/{id}",
        ctx.region, ctx.account
    );
    out.push(
        Node::new(id, &ctx.account, NodeData::GuardDutyDetector(data))
            .in_region(&ctx.region)
            .with_arn(arn),
    );
}

/// GetFindings' answer, or a bare array of findings as exported.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Findings {
    Response {
        #[serde(rename = "Findings", default)]
        findings: Items<Finding>,
    },
    List(Items<Finding>),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Finding {
    id: String,
    arn: Option<String>,
    account_id: Option<String>,
    region: Option<String>,
    #[serde(rename = "Type")]
    finding_type: String,
    severity: f64,
    title: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "time")]
    created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    updated_at: Option<DateTime<Utc>>,
    resource: Option<Resource>,
    service: Option<Service>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    resource_type: Option<String>,
    instance_details: Option<InstanceDetails>,
    access_key_details: Option<AccessKeyDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceDetails {
    instance_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccessKeyDetails {
    access_key_id: Option<String>,
    user_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Service {
    detector_id: Option<String>,
    #[serde(default)]
    archived: bool,
    count: Option<u64>,
    #[serde(default, deserialize_with = "time")]
    event_first_seen: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    event_last_seen: Option<DateTime<Utc>>,
    action: Option<ActionShape>,
}

/// `Service.Action`: one of its parts is filled, by `ActionType`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ActionShape {
    action_type: Option<String>,
    aws_api_call_action: Option<ApiCall>,
    network_connection_action: Option<Connection>,
    port_probe_action: Option<PortProbe>,
    dns_request_action: Option<DnsRequest>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ApiCall {
    api: Option<String>,
    service_name: Option<String>,
    remote_ip_details: Option<RemoteIp>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Connection {
    connection_direction: Option<String>,
    protocol: Option<String>,
    local_port_details: Option<PortDetails>,
    remote_ip_details: Option<RemoteIp>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PortProbe {
    port_probe_details: Vec<ProbeDetail>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ProbeDetail {
    local_port_details: Option<PortDetails>,
    remote_ip_details: Option<RemoteIp>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct DnsRequest {
    domain: Option<String>,
    protocol: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PortDetails {
    port: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RemoteIp {
    ip_address_v4: Option<String>,
    ip_address_v6: Option<String>,
    organization: Option<RemoteOrg>,
    country: Option<RemoteCountry>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RemoteOrg {
    asn_org: Option<String>,
    org: Option<String>,
    isp: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RemoteCountry {
    country_name: Option<String>,
}

/// What the finding saw, in the model's terms. Addresses that do not
/// parse are dropped rather than the finding.
fn action(a: ActionShape) -> m::FindingAction {
    let mut out = m::FindingAction {
        action_type: a.action_type.unwrap_or_default(),
        ..m::FindingAction::default()
    };
    let port = |p: Option<PortDetails>| p.and_then(|d| d.port).and_then(|n| u16::try_from(n).ok());
    let mut remote: Option<RemoteIp> = None;
    if let Some(c) = a.aws_api_call_action {
        out.api = c.api;
        out.service_name = c.service_name;
        remote = c.remote_ip_details;
    }
    if let Some(c) = a.network_connection_action {
        out.direction = c.connection_direction;
        out.protocol = c.protocol;
        out.local_ports.extend(port(c.local_port_details));
        remote = remote.or(c.remote_ip_details);
    }
    if let Some(p) = a.port_probe_action {
        for d in p.port_probe_details {
            if let Some(n) = port(d.local_port_details) {
                if !out.local_ports.contains(&n) {
                    out.local_ports.push(n);
                }
            }
            if remote.is_none() {
                remote = d.remote_ip_details;
            }
        }
    }
    if let Some(d) = a.dns_request_action {
        out.domain = d.domain;
        out.protocol = out.protocol.or(d.protocol);
    }
    if let Some(r) = remote {
        out.remote_ip = r
            .ip_address_v4
            .or(r.ip_address_v6)
            .and_then(|ip| ip.parse().ok());
        out.remote_org = r.organization.and_then(|o| o.asn_org.or(o.org).or(o.isp));
        out.remote_country = r.country.and_then(|c| c.country_name);
    }
    out
}

pub fn findings(ctx: &Ctx, detector_id: Option<&str>, r: Findings, out: &mut Sink) {
    let list = match r {
        Findings::Response { findings } => findings.0,
        Findings::List(list) => list.0,
    };
    for f in list {
        if !f.severity.is_finite() {
            out.warn(format!(
                "finding {} has a severity that is not a number; skipped",
                f.id
            ));
            continue;
        }
        let account = f
            .account_id
            .clone()
            .or_else(|| f.arn.as_deref().and_then(arn_account).map(str::to_string))
            .unwrap_or_else(|| ctx.account.clone());
        let region = f.region.clone().unwrap_or_else(|| ctx.region.clone());
        let resource = f.resource;
        let instance_id = resource
            .as_ref()
            .and_then(|r| r.instance_details.as_ref())
            .and_then(|i| i.instance_id.clone());
        let key = resource
            .as_ref()
            .and_then(|r| r.access_key_details.as_ref());
        let service = f.service;
        let data = m::GuardDutyFinding {
            detector_id: service
                .as_ref()
                .and_then(|s| s.detector_id.clone())
                .or(detector_id.map(str::to_string)),
            finding_type: f.finding_type,
            severity: f.severity.clamp(0.0, 10.0),
            title: f.title.clone(),
            description: f.description,
            resource_type: resource.as_ref().and_then(|r| r.resource_type.clone()),
            instance_id,
            access_key_id: key
                .and_then(|k| k.access_key_id.clone())
                .filter(|k| k != "GeneratedFindingAccessKeyId"),
            user_name: key.and_then(|k| k.user_name.clone()),
            created_at: f.created_at,
            updated_at: f.updated_at,
            count: service.as_ref().and_then(|s| s.count),
            archived: service.as_ref().is_some_and(|s| s.archived),
            first_seen: service.as_ref().and_then(|s| s.event_first_seen),
            last_seen: service.as_ref().and_then(|s| s.event_last_seen),
            action: service.and_then(|s| s.action).map(|a| Box::new(action(a))),
        };
        let mut n = Node::new(f.id, account, NodeData::GuardDutyFinding(data)).in_region(region);
        n.arn = f.arn;
        n.name = f.title;
        out.push(n);
    }
}
