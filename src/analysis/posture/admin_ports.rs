//! Remote administration ports open to the world (CIS 5.1–5.3): a network
//! ACL or security group rule admitting 0.0.0.0/0 or ::/0 to TCP 22 or
//! 3389 (ranges and all-traffic rules count). The rule is a configuration
//! fact; whether the internet really gets there is the exposure analysis's
//! answer, and each finding carries it: reachable (high, with the path) or
//! not (lower, with what blocks it).

use ipnet::IpNet;

use super::account::region_flag;
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::exposure::Exposure;
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::analysis::hops::HopKind;
use crate::graph::{Direction, Graph, NodeId};
use crate::model::network::{Protocol, RuleAction};
use crate::model::{EdgeKind, NetworkAcl, Node, NodeData, NodeKind, SecurityGroup, Severity};

pub const NACL: Check = Check {
    id: "ec2.nacl-admin-ports",
    badge: Some("ADMIN PORTS"),
    title: "Network ACL admits the world to SSH/RDP",
    severity: Severity::High,
    epic: Epic::InfrastructureSecurity,
    cis: Cis::both("5.1"),
    description: "a network ACL whose first inbound entry for 0.0.0.0/0 or ::/0 on TCP 22 or 3389 allows it (a deny numbered before wins); high when the exposure analysis finds the port reachable, low otherwise",
};

pub const SG_IPV4: Check = Check {
    id: "ec2.sg-admin-ports-ipv4",
    badge: Some("ADMIN PORTS"),
    title: "Security group admits 0.0.0.0/0 to SSH/RDP",
    severity: Severity::High,
    epic: Epic::InfrastructureSecurity,
    cis: Cis::both("5.2"),
    description: "an ingress rule from 0.0.0.0/0 covering TCP 22 or 3389 (port ranges and all traffic count); high when something behind it is reachable from the internet, medium when something uses it but is not, low when nothing uses it",
};

pub const SG_IPV6: Check = Check {
    id: "ec2.sg-admin-ports-ipv6",
    badge: Some("ADMIN PORTS"),
    title: "Security group admits ::/0 to SSH/RDP",
    severity: Severity::High,
    epic: Epic::InfrastructureSecurity,
    cis: Cis::both("5.3"),
    description: "an ingress rule from ::/0 covering TCP 22 or 3389 (port ranges and all traffic count), graded by reach as for IPv4",
};

pub const DEFAULT_SG: Check = Check {
    id: "ec2.default-sg-restricts-all",
    badge: Some("DEFAULT OPEN"),
    title: "Default security group allows traffic",
    severity: Severity::Low,
    epic: Epic::InfrastructureSecurity,
    cis: Cis::both("5.4"),
    description: "a VPC's default security group has inbound or outbound rules (it should have none, so that what is put in it by mistake is cut off)",
};

/// The ports CIS calls remote administration: SSH and RDP.
const ADMIN_PORTS: [u16; 2] = [22, 3389];

fn port_name(p: u16) -> &'static str {
    if p == 22 { "SSH (22)" } else { "RDP (3389)" }
}

fn tcp(p: Protocol) -> bool {
    matches!(p, Protocol::Tcp | Protocol::All)
}

pub fn findings(graph: &Graph, exposures: &[Exposure]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::SecurityGroup) {
        let NodeData::SecurityGroup(sg) = &n.data else {
            continue;
        };
        out.push(security_group(graph, exposures, (id, n), sg, false));
        out.push(security_group(graph, exposures, (id, n), sg, true));
        if sg.group_name == "default" {
            out.push(default_group((id, n), sg));
        }
    }
    for (id, n) in graph.nodes_of(NodeKind::NetworkAcl) {
        let NodeData::NetworkAcl(acl) = &n.data else {
            continue;
        };
        out.push(network_acl(exposures, (id, n), acl));
    }
    out
}

/// The exposures on `port` whose path goes through this component.
fn reached<'e>(
    exposures: &'e [Exposure],
    kind: HopKind,
    id: &str,
    port: u16,
) -> Option<&'e Exposure> {
    let mut through = exposures.iter().filter(|e| {
        tcp(e.protocol)
            && e.from_port <= port
            && port <= e.to_port
            && e.path.iter().any(|h| h.kind == kind && h.id == id)
    });
    let first = through.next()?;
    if first.world {
        return Some(first);
    }
    Some(through.find(|e| e.world).unwrap_or(first))
}

/// How bad a reachable admin port is: high when the whole internet gets
/// there, medium when other rules narrow it to some addresses (said in
/// the title).
fn graded(e: &Exposure) -> (Severity, String) {
    if e.world {
        (Severity::High, "from anywhere".to_string())
    } else {
        let sources: Vec<String> = e.sources.iter().map(ToString::to_string).collect();
        (
            Severity::Medium,
            format!("from {} only (other rules narrow it)", sources.join(", ")),
        )
    }
}

fn security_group(
    graph: &Graph,
    exposures: &[Exposure],
    at: (NodeId, &Node),
    sg: &SecurityGroup,
    ipv6: bool,
) -> Finding {
    let (check, world) = if ipv6 {
        (&SG_IPV6, "::/0")
    } else {
        (&SG_IPV4, "0.0.0.0/0")
    };
    let n = at.1;
    let mut open: Vec<(u16, String)> = Vec::new();
    let mut fix = Remediation::new(format!(
        "Remove the rules admitting {world} to SSH/RDP; reach instances through Systems Manager Session Manager, or allow only the addresses that administer them"
    ));
    for rule in &sg.ingress {
        let Some(ports) = rule.port_range().filter(|_| tcp(rule.protocol)) else {
            continue;
        };
        let from_world = if ipv6 {
            rule.ipv6.iter().any(|c| c.cidr.prefix_len() == 0)
        } else {
            rule.ipv4.iter().any(|c| c.cidr.prefix_len() == 0)
        };
        if !from_world {
            continue;
        }
        let covered: Vec<u16> = ADMIN_PORTS
            .into_iter()
            .filter(|p| ports.contains(*p))
            .collect();
        if covered.is_empty() {
            continue;
        }
        for p in &covered {
            open.push((*p, rule.describe_ports()));
        }
        let range = if ipv6 {
            "Ipv6Ranges=[{CidrIpv6=::/0}]"
        } else {
            "IpRanges=[{CidrIp=0.0.0.0/0}]"
        };
        let proto = if rule.protocol == Protocol::All {
            "-1".to_string()
        } else {
            "tcp".to_string()
        };
        let port_args = if rule.protocol == Protocol::All {
            String::new()
        } else {
            format!(",FromPort={},ToPort={}", ports.from, ports.to)
        };
        fix = fix.with_command(format!(
            "aws ec2 revoke-security-group-ingress --group-id {} --ip-permissions 'IpProtocol={proto}{port_args},{range}'{}",
            n.id,
            region_flag(n)
        ));
    }
    if open.is_empty() {
        return Finding::passed(
            check,
            at,
            format!("no rule admits {world} to SSH or RDP"),
            vec![Evidence::property(
                &n.id,
                "ingress rules from",
                format!("no {world} on 22/3389"),
            )],
        );
    }
    let mut evidence: Vec<Evidence> = open
        .iter()
        .map(|(p, rule)| {
            Evidence::property(
                &n.id,
                "ingress rule",
                format!("{rule} from {world} covers {}", port_name(*p)),
            )
        })
        .collect();
    let ports: Vec<&str> = open.iter().map(|(p, _)| port_name(*p)).collect();
    let mut ports = ports;
    ports.dedup();
    let reach = open
        .iter()
        .find_map(|(p, _)| reached(exposures, HopKind::SecurityGroup, &n.id, *p).map(|e| (*p, e)));
    let (severity, title) = match reach {
        Some((p, e)) => {
            evidence.extend(e.path.iter().map(Evidence::from));
            let (severity, from) = graded(e);
            (
                severity,
                format!(
                    "{} open to {world}, and the internet reaches {} on port {p} {from}",
                    ports.join(" and "),
                    e.name.as_deref().unwrap_or(&e.resource)
                ),
            )
        }
        None => {
            let users: Vec<NodeId> = graph
                .neighbours(at.0, EdgeKind::ProtectedBy, Direction::Incoming)
                .collect();
            let endpoint = users.iter().copied().find(|u| {
                matches!(
                    graph.node(*u).kind(),
                    NodeKind::NetworkInterface | NodeKind::Instance
                )
            });
            match endpoint {
                None if users.is_empty() => (
                    Severity::Low,
                    format!(
                        "{} open to {world}, but nothing uses the group",
                        ports.join(" and ")
                    ),
                ),
                None => (
                    Severity::Medium,
                    format!(
                        "{} open to {world}; not reachable from the internet",
                        ports.join(" and ")
                    ),
                ),
                Some(u) => {
                    let port = open[0].0;
                    if let Ok(x) = crate::analysis::explain(graph, u, Protocol::Tcp, port, None) {
                        evidence.extend(x.blocked_by.iter().map(Evidence::from));
                    }
                    (
                        Severity::Medium,
                        format!(
                            "{} open to {world}; not reachable from the internet ({} uses it; blocked as the evidence shows)",
                            ports.join(" and "),
                            graph.node(u).display_name()
                        ),
                    )
                }
            }
        }
    };
    let mut f = Finding::on(check, Status::Fail, at, title, evidence, fix);
    f.severity = severity;
    f
}

fn default_group(at: (NodeId, &Node), sg: &SecurityGroup) -> Finding {
    let n = at.1;
    let evidence = vec![
        Evidence::property(&n.id, "inbound rules", sg.ingress.len().to_string()),
        Evidence::property(&n.id, "outbound rules", sg.egress.len().to_string()),
    ];
    if sg.ingress.is_empty() && sg.egress.is_empty() {
        return Finding::passed(&DEFAULT_SG, at, "no rules in or out", evidence);
    }
    Finding::on(
        &DEFAULT_SG,
        Status::Fail,
        at,
        format!(
            "{} inbound and {} outbound rules",
            sg.ingress.len(),
            sg.egress.len()
        ),
        evidence,
        Remediation::new(
            "Move what uses the default group into groups of its own, then remove every rule of the default group (inbound and outbound)",
        )
        .with_command(format!(
            "aws ec2 describe-security-group-rules --filters Name=group-id,Values={}{}",
            n.id,
            region_flag(n)
        )),
    )
}

fn network_acl(exposures: &[Exposure], at: (NodeId, &Node), acl: &NetworkAcl) -> Finding {
    let n = at.1;
    let mut evidence = Vec::new();
    let mut open = Vec::new();
    for port in ADMIN_PORTS {
        for world in ["0.0.0.0/0", "::/0"] {
            let Ok(world) = world.parse::<IpNet>() else {
                continue;
            };
            // The first entry that decides for the whole world: one for
            // 0.0.0.0/0 (or ::/0) covering the port. Narrower entries
            // decide for part of it only.
            let first = acl.ordered_entries(false).into_iter().find(|e| {
                e.cidr == world && tcp(e.protocol) && e.ports.is_none_or(|r| r.contains(port))
            });
            if let Some(e) = first.filter(|e| e.action == RuleAction::Allow) {
                evidence.push(Evidence::property(
                    &n.id,
                    format!("inbound entry {}", e.rule_number),
                    format!("allow {} from {world}", port_name(port)),
                ));
                open.push((port, e.rule_number, world));
            }
        }
    }
    if open.is_empty() {
        return Finding::passed(
            &NACL,
            at,
            "no entry admits the world to SSH or RDP",
            vec![Evidence::property(
                &n.id,
                "inbound entries",
                "SSH/RDP from the world denied",
            )],
        );
    }
    let reach = open
        .iter()
        .find_map(|(p, _, _)| reached(exposures, HopKind::NetworkAcl, &n.id, *p).map(|e| (*p, e)));
    let mut fix = Remediation::new(
        "Add a deny entry for TCP 22 and 3389 from 0.0.0.0/0 and ::/0 numbered before the allow (or narrow the allow to the addresses that administer the subnet)",
    );
    for (port, rule, world) in &open {
        let family = if matches!(world, IpNet::V6(_)) {
            format!("--ipv6-cidr-block {world}")
        } else {
            format!("--cidr-block {world}")
        };
        fix = fix.with_command(format!(
            "aws ec2 create-network-acl-entry --network-acl-id {} --ingress --rule-number {} --protocol tcp --port-range From={port},To={port} {family} --rule-action deny{}",
            n.id,
            rule.saturating_sub(1).max(1),
            region_flag(n)
        ));
    }
    let (severity, title) = match reach {
        Some((p, e)) => {
            evidence.extend(e.path.iter().map(Evidence::from));
            let (severity, from) = graded(e);
            (
                severity,
                format!(
                    "admits the world to SSH/RDP, and the internet reaches {} on port {p} through it {from}",
                    e.name.as_deref().unwrap_or(&e.resource)
                ),
            )
        }
        None => (
            Severity::Low,
            "admits the world to SSH/RDP; nothing behind it is reachable on those ports (security groups or routes stop it)".to_string(),
        ),
    };
    let mut f = Finding::on(&NACL, Status::Fail, at, title, evidence, fix);
    f.severity = severity;
    f
}
