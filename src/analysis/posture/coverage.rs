//! What must cover every region or network: a multi-region CloudTrail
//! trail recording management events read and write (CIS 3.1), AWS Config
//! recording everything in every region (3.3), and an active flow log on
//! every VPC (3.7). Where the listing was not read, unknown.

use std::collections::BTreeMap;

use super::account;
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::{Direction, Graph, NodeId};
use crate::model::{EdgeKind, Node, NodeData, NodeKind, Severity, Trail};
use crate::source::operations as ops;

pub const TRAIL_MULTI_REGION: Check = Check {
    id: "cloudtrail.multi-region",
    badge: Some("NO TRAIL"),
    title: "No multi-region trail recording management events",
    severity: Severity::High,
    epic: Epic::LoggingAndMonitoring,
    cis: Cis::both("3.1"),
    description: "an account with no multi-region trail that is logging and whose event selectors (basic or advanced) record management events both read and write; a logging trail alone is not enough",
};

pub const CONFIG_ALL_REGIONS: Check = Check {
    id: "config.all-regions",
    badge: Some("NO CONFIG"),
    title: "AWS Config not recording everything",
    severity: Severity::Medium,
    epic: Epic::LoggingAndMonitoring,
    cis: Cis::moved("3.3", "3.5"),
    description: "a region with no configuration recorder that records all supported resource types (global ones included), is recording, and whose last status is not a failure",
};

pub const FLOW_LOGS: Check = Check {
    id: "vpc.flow-logs",
    badge: Some("NO FLOW LOGS"),
    title: "VPC without flow logs",
    severity: Severity::Medium,
    epic: Epic::LoggingAndMonitoring,
    cis: Cis::moved("3.7", "3.9"),
    description: "a VPC with no active flow log on it (one that exists but is not active does not count)",
};

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = trails(graph);
    out.extend(recorders(graph));
    out.extend(flow_logs(graph));
    out
}

/// Why a trail does not cover the account, or `None` when it does.
fn shortfall(t: &Trail) -> Option<String> {
    if !t.multi_region {
        return Some("single-region".into());
    }
    match t.logging {
        Some(true) => {}
        Some(false) => return Some("not logging".into()),
        None => return Some("status not collected".into()),
    }
    let Some(selectors) = &t.selectors else {
        return Some("event selectors not collected".into());
    };
    match selectors.management_events() {
        (true, true) => None,
        (true, false) => Some("records only reads of management events".into()),
        (false, true) => Some("records only writes of management events".into()),
        (false, false) => Some("records no management events".into()),
    }
}

/// Whether a trail records each account's management events in every
/// region (CIS 3.1), one result per account.
pub fn trails(graph: &Graph) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<(&Node, &Trail)>> = BTreeMap::new();
    for (_, n) in graph.nodes_of(NodeKind::Trail) {
        if let NodeData::Trail(t) = &n.data {
            by_account
                .entry(n.account.as_str())
                .or_default()
                .push((n, t));
            // An organization trail covers every member account too.
        }
    }
    let org_trails: Vec<(&Node, &Trail)> = by_account
        .values()
        .flatten()
        .filter(|(_, t)| t.organization)
        .copied()
        .collect();
    let mut out = Vec::new();
    for (id, n, a) in account::loaded(graph) {
        let mut candidates: Vec<(&Node, &Trail)> =
            by_account.get(n.id.as_str()).cloned().unwrap_or_default();
        if a.organization_id.is_some() {
            for t in &org_trails {
                if !candidates.iter().any(|(c, _)| c.id == t.0.id) {
                    candidates.push(*t);
                }
            }
        }
        let evidence: Vec<Evidence> = candidates
            .iter()
            .map(|(tn, t)| {
                Evidence::property(
                    tn.display_name(),
                    "coverage",
                    shortfall(t).unwrap_or_else(|| {
                        "multi-region, logging, management read and write".into()
                    }),
                )
            })
            .collect();
        if let Some((tn, _)) = candidates.iter().find(|(_, t)| shortfall(t).is_none()) {
            out.push(Finding::passed(
                &TRAIL_MULTI_REGION,
                (id, n),
                format!("trail {} covers every region", tn.display_name()),
                evidence,
            ));
            continue;
        }
        let gap = graph.collection().gaps.iter().find(|g| {
            g.account == n.id
                && g.service == ops::DESCRIBE_TRAILS.service.prefix()
                && g.operation == ops::DESCRIBE_TRAILS.cli
        });
        let unread = candidates
            .iter()
            .any(|(_, t)| t.multi_region && (t.logging.is_none() || t.selectors.is_none()));
        if let Some(g) = gap.filter(|_| candidates.is_empty()) {
            out.push(Finding::on(
                &TRAIL_MULTI_REGION,
                Status::Unknown,
                (id, n),
                format!("trails not listed: {}", g.reason),
                vec![Evidence::property(&n.id, "describe-trails", &g.reason)],
                Remediation::new("Collect with cloudtrail:DescribeTrails, GetTrailStatus and GetEventSelectors allowed"),
            ));
            continue;
        }
        if unread {
            out.push(Finding::on(
                &TRAIL_MULTI_REGION,
                Status::Unknown,
                (id, n),
                "a multi-region trail's status or event selectors were not collected",
                evidence,
                Remediation::new(
                    "Collect with cloudtrail:GetTrailStatus and GetEventSelectors allowed",
                ),
            ));
            continue;
        }
        let title = if candidates.is_empty() {
            "no trail at all: nothing records who did what".to_string()
        } else {
            "no trail records management events in every region".to_string()
        };
        out.push(Finding::on(
            &TRAIL_MULTI_REGION,
            Status::Fail,
            (id, n),
            title,
            if evidence.is_empty() {
                vec![Evidence::property(&n.id, "trails", "none")]
            } else {
                evidence
            },
            Remediation::new(
                "Create a multi-region trail (an organization trail from the management account covers every member) delivering to a bucket in a logging account, with log file validation and KMS encryption",
            )
            .with_command(format!(
                "aws cloudtrail create-trail --name management-events --s3-bucket-name LOG_BUCKET --is-multi-region-trail --enable-log-file-validation # in account {}",
                n.id
            ))
            .with_command("aws cloudtrail start-logging --name management-events"),
        ));
    }
    out
}

fn recorders(graph: &Graph) -> Vec<Finding> {
    let mut by_region: BTreeMap<(&str, &str), Vec<(&Node, &crate::model::ConfigRecorder)>> =
        BTreeMap::new();
    for (_, n) in graph.nodes_of(NodeKind::ConfigRecorder) {
        if let (NodeData::ConfigRecorder(r), Some(region)) = (&n.data, n.region.as_deref()) {
            by_region
                .entry((n.account.as_str(), region))
                .or_default()
                .push((n, r));
        }
    }
    let loaded: std::collections::BTreeSet<&str> = account::loaded(graph)
        .map(|(_, n, _)| n.id.as_str())
        .collect();
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::Region) {
        let Some(region) = n.region.as_deref() else {
            continue;
        };
        if !loaded.contains(n.account.as_str()) {
            continue;
        }
        let list = by_region
            .get(&(n.account.as_str(), region))
            .cloned()
            .unwrap_or_default();
        let why_not = |r: &crate::model::ConfigRecorder| -> Option<String> {
            match (r.all_supported, r.include_global) {
                (Some(true), Some(true)) => {}
                (Some(true), _) => return Some("does not record global resource types".into()),
                (None, _) => return Some("recording group not collected".into()),
                _ => return Some("records only some resource types".into()),
            }
            match r.recording {
                Some(true) => {}
                Some(false) => return Some("not recording".into()),
                None => return Some("status not collected".into()),
            }
            if r.last_status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("failure"))
            {
                return Some("last status failure".into());
            }
            None
        };
        let evidence: Vec<Evidence> = list
            .iter()
            .map(|(rn, r)| {
                Evidence::property(
                    rn.display_name(),
                    "recorder",
                    why_not(r).unwrap_or_else(|| "records everything".into()),
                )
            })
            .collect();
        let fix = Remediation::new(
            "Record all supported resource types, global ones included, in this region (with an organization, through a conformance of Config across accounts)",
        )
        .with_command(format!(
            "aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=ROLE_ARN --recording-group allSupported=true,includeGlobalResourceTypes=true --region {region}"
        ))
        .with_command(format!(
            "aws configservice start-configuration-recorder --configuration-recorder-name default --region {region}"
        ));
        let f = if list.iter().any(|(_, r)| why_not(r).is_none()) {
            Finding::passed(
                &CONFIG_ALL_REGIONS,
                (id, n),
                "recording everything",
                evidence,
            )
        } else if let Some(g) = account::gap(
            graph,
            &n.account,
            Some(region),
            &ops::DESCRIBE_CONFIGURATION_RECORDERS,
        )
        .filter(|_| list.is_empty())
        {
            Finding::on(
                &CONFIG_ALL_REGIONS,
                Status::Unknown,
                (id, n),
                format!("recorders not listed: {}", g.reason),
                vec![Evidence::property(
                    region,
                    "describe-configuration-recorders",
                    &g.reason,
                )],
                Remediation::new(
                    "Collect with config:DescribeConfigurationRecorders and DescribeConfigurationRecorderStatus allowed",
                ),
            )
        } else if list
            .iter()
            .any(|(_, r)| why_not(r).is_some_and(|w| w.contains("not collected")))
        {
            Finding::on(
                &CONFIG_ALL_REGIONS,
                Status::Unknown,
                (id, n),
                "the recorder's settings or status were not collected",
                evidence,
                Remediation::new("Collect with config:DescribeConfigurationRecorderStatus allowed"),
            )
        } else {
            Finding::on(
                &CONFIG_ALL_REGIONS,
                Status::Fail,
                (id, n),
                if list.is_empty() {
                    "no configuration recorder".to_string()
                } else {
                    "no recorder records everything".to_string()
                },
                if evidence.is_empty() {
                    vec![Evidence::property(
                        region,
                        "configuration recorders",
                        "none",
                    )]
                } else {
                    evidence
                },
                fix,
            )
        };
        out.push(f);
    }
    out
}

fn flow_logs(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::Vpc) {
        let logs: Vec<NodeId> = graph
            .neighbours(id, EdgeKind::Records, Direction::Incoming)
            .collect();
        let evidence: Vec<Evidence> = logs
            .iter()
            .map(|l| {
                let ln = graph.node(*l);
                let status = match &ln.data {
                    NodeData::FlowLog(f) => f.status.clone().unwrap_or_else(|| "?".into()),
                    _ => "?".into(),
                };
                Evidence::property(&ln.id, "FlowLogStatus", status)
            })
            .collect();
        let active = logs
            .iter()
            .any(|l| matches!(&graph.node(*l).data, NodeData::FlowLog(f) if f.is_active()));
        let region = n.region.as_deref();
        let f = if active {
            Finding::passed(
                &FLOW_LOGS,
                (id, n),
                "an active flow log records it",
                evidence,
            )
        } else if let Some(g) = account::gap(graph, &n.account, region, &ops::DESCRIBE_FLOW_LOGS)
            .filter(|_| logs.is_empty())
        {
            Finding::on(
                &FLOW_LOGS,
                Status::Unknown,
                (id, n),
                format!("flow logs not listed: {}", g.reason),
                vec![Evidence::property(&n.id, "describe-flow-logs", &g.reason)],
                Remediation::new("Collect with ec2:DescribeFlowLogs allowed"),
            )
        } else {
            Finding::on(
                &FLOW_LOGS,
                Status::Fail,
                (id, n),
                if logs.is_empty() {
                    "no flow log".to_string()
                } else {
                    "its flow logs are not active".to_string()
                },
                if evidence.is_empty() {
                    vec![Evidence::property(&n.id, "flow logs", "none")]
                } else {
                    evidence
                },
                Remediation::new(
                    "Create a flow log for the VPC (rejected traffic at least; all traffic where incidents must be reconstructed)",
                )
                .with_command(format!(
                    "aws ec2 create-flow-logs --resource-type VPC --resource-ids {} --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::LOG_BUCKET{}",
                    n.id,
                    account::region_flag(n)
                )),
            )
        };
        out.push(f);
    }
    out
}
