//! Internet exposure as findings: each way the internet reaches a resource
//! is one finding, graded by what the port serves and how wide the
//! sources are, with the hops as evidence and the rules to change.

use super::{Check, Cis, Epic};
use crate::analysis::exposure::{Exposure, Via};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::analysis::hops::{HopKind, net_set};
use crate::graph::Graph;
use crate::model::network::{PortRange, Protocol};
use crate::model::{NodeData, Severity};

pub const CHECK: Check = Check {
    id: "exposure.internet",
    badge: None,
    title: "Reachable from the internet",
    severity: Severity::High,
    epic: Epic::InfrastructureSecurity,
    cis: Cis::NONE,
    description: "a resource the internet can open connections to, hop by hop: gateway, route, address, network ACL, security group, load balancer",
};

/// Ports that administer a host or hold data: open to the world, critical.
const SENSITIVE: &[u16] = &[
    22, 23, 135, 139, 445, 1433, 1521, 2375, 2376, 3306, 3389, 5432, 5900, 5984, 6379, 7001, 8020,
    9042, 9200, 9300, 11211, 27017, 50070,
];

/// Ports a web service answers on.
const WEB: &[u16] = &[80, 443, 8080, 8443];

/// How bad one exposure is: anything open to the world on an
/// administration or database port (or all traffic) is critical; other
/// ports open to the world are high, except web ports on or behind a load
/// balancer (low: that is its job) or on an instance (medium); ports open
/// to narrower ranges are medium when they administer or store, else low.
pub fn severity(e: &Exposure) -> Severity {
    let ports = PortRange::new(e.from_port, e.to_port);
    let all = e.protocol == Protocol::All;
    let sensitive = all
        || SENSITIVE.iter().any(|p| ports.contains(*p))
        || (e.protocol == Protocol::Tcp && e.to_port - e.from_port > 1000);
    let web = e.protocol == Protocol::Tcp && e.from_port == e.to_port && WEB.contains(&e.from_port);
    match (e.world, sensitive) {
        (true, true) => Severity::Critical,
        // A load balancer serving the web, and what it serves it from.
        (true, false) if web && (e.interface.is_none() || e.via == Via::LoadBalancer) => {
            Severity::Low
        }
        (true, false) if web => Severity::Medium,
        (true, false) => Severity::High,
        (false, true) => Severity::Medium,
        (false, false) => Severity::Low,
    }
}

/// The exposure's one-line title: "tcp 22 open to the world (0.0.0.0/0)",
/// with the load balancer it comes through.
pub fn title(graph: &Graph, e: &Exposure) -> String {
    let via = match (&e.load_balancer, e.target_port) {
        (Some(lb), Some(port)) => format!(
            " via load balancer {} (to port {port})",
            crate::labels::name_or_short_id(graph, lb)
        ),
        _ => String::new(),
    };
    format!("{} open to {}{via}", e.service(), e.sources_label())
}

/// An exposure as `exposure --json` and the explorer's exports give it:
/// every field of the exposure, and its severity.
pub fn exposure_json(e: &Exposure) -> serde_json::Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut v {
        map.insert(
            "severity".into(),
            serde_json::Value::String(severity(e).label().to_string()),
        );
    }
    v
}

/// Every exposure as a finding.
pub fn findings(graph: &Graph, exposures: &[Exposure]) -> Vec<Finding> {
    exposures.iter().map(|e| finding(graph, e)).collect()
}

fn finding(graph: &Graph, e: &Exposure) -> Finding {
    Finding {
        check: CHECK.id,
        status: Status::Fail,
        severity: severity(e),
        account: e.account.clone(),
        region: e.region.clone(),
        resource: e.resource.clone(),
        name: e.name.clone(),
        node: e.node,
        title: title(graph, e),
        badge: None,
        evidence: e.path.iter().map(Evidence::from).collect(),
        remediation: remediation(graph, e),
    }
}

fn remediation(graph: &Graph, e: &Exposure) -> Remediation {
    let region = e
        .region
        .as_deref()
        .map(|r| format!(" --region {r}"))
        .unwrap_or_default();
    match (e.via, &e.load_balancer) {
        (Via::LoadBalancer, Some(lb)) => Remediation::new(format!(
            "The internet reaches this through load balancer {}: if the service is not meant to be public, make the load balancer internal or remove the listener; otherwise restrict the load balancer's security groups to the clients that need it, and keep the target's own rules admitting only the load balancer",
            crate::labels::name_or_short_id(graph, lb)
        )),
        _ => {
            let mut r = Remediation::new(
                "Remove or narrow the security group rules that admit these internet sources (or deny them in the subnet's network ACL); if the resource needs no public address, remove it",
            );
            for cmd in revoke_commands(graph, e) {
                r = r.with_command(format!("{cmd}{region}"));
            }
            r
        }
    }
}

/// `aws ec2 revoke-security-group-ingress` for each rule on the path that
/// admits some of the exposure's sources on its ports, exactly as the rule
/// is written (a revoke must match the rule to remove it).
fn revoke_commands(graph: &Graph, e: &Exposure) -> Vec<String> {
    let mut out = Vec::new();
    let asked = PortRange::new(e.from_port, e.to_port);
    for hop in e.path.iter().filter(|h| h.kind == HopKind::SecurityGroup) {
        let Some(NodeData::SecurityGroup(sg)) = graph.by_id(&hop.id).map(|n| &graph.node(n).data)
        else {
            continue;
        };
        for rule in &sg.ingress {
            let protocol_matches = rule.protocol == Protocol::All
                || e.protocol == Protocol::All
                || rule.protocol == e.protocol;
            let ports_overlap = rule
                .port_range()
                .is_none_or(|r| r.from <= asked.to && asked.from <= r.to);
            if !protocol_matches || !ports_overlap {
                continue;
            }
            let ip_protocol = match rule.protocol {
                Protocol::All => "-1".to_string(),
                p => p.to_string(),
            };
            let ports = match (rule.from_port, rule.to_port) {
                (Some(f), Some(t)) if rule.protocol != Protocol::All => {
                    format!(",FromPort={f},ToPort={t}")
                }
                _ => String::new(),
            };
            for c in rule
                .ipv4
                .iter()
                .filter(|c| net_set(&ipnet::IpNet::V4(c.cidr)).intersects(&e.source_set))
            {
                out.push(format!(
                    "aws ec2 revoke-security-group-ingress --group-id {} --ip-permissions 'IpProtocol={ip_protocol}{ports},IpRanges=[{{CidrIp={}}}]'",
                    hop.id, c.cidr
                ));
            }
            for c in rule
                .ipv6
                .iter()
                .filter(|c| net_set(&ipnet::IpNet::V6(c.cidr)).intersects(&e.source_set))
            {
                out.push(format!(
                    "aws ec2 revoke-security-group-ingress --group-id {} --ip-permissions 'IpProtocol={ip_protocol}{ports},Ipv6Ranges=[{{CidrIpv6={}}}]'",
                    hop.id, c.cidr
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
