//! Check results as OCSF 1.1 Compliance Findings (class 2003), the schema
//! AWS Security Lake and Prowler write, so that a data lake or SIEM takes
//! them as they are.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::analysis::checks::Outcome;
use crate::analysis::finding::Status;
use crate::graph::{Graph, NodeId};
use crate::model::Severity;

/// The OCSF schema version the records follow.
pub const VERSION: &str = "1.1.0";

const CIS_STANDARD: &str = "CIS AWS Foundations Benchmark v3.0.0";

fn severity_id(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn compliance_status(s: Status) -> (u8, &'static str) {
    match s {
        Status::Pass => (1, "Pass"),
        Status::Fail => (3, "Fail"),
        Status::Unknown => (0, "Unknown"),
    }
}

/// One Compliance Finding. `at` is when the data was collected (the
/// finding's time, so that the same data gives the same records); `node`
/// is the resource in the graph, for its kind and ARN.
pub fn record(o: &Outcome, graph: &Graph, node: NodeId, at: DateTime<Utc>) -> Value {
    let (severity_id, severity) = severity_id(o.severity);
    let (status_id, status) = compliance_status(o.status);
    let millis = at.timestamp_millis();
    let n = graph.node(node);
    let uid = format!(
        "skyhound-{}-{}-{}-{}",
        o.check,
        o.account,
        o.region.unwrap_or("global"),
        o.resource
    );
    let mut compliance = json!({
        "status_id": status_id,
        "status": status,
        "status_detail": o.title,
        "requirements": [o.check],
    });
    if let Some(control) = o.cis {
        compliance["control"] = json!(control);
        compliance["standards"] = json!([CIS_STANDARD]);
        compliance["requirements"] = json!([format!("CIS {control}"), o.check]);
    }
    let evidence: Vec<String> = o.evidence.iter().map(|e| e.describe()).collect();
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "New",
        "time": millis,
        "time_dt": at.to_rfc3339(),
        "message": o.title,
        "metadata": {
            "version": VERSION,
            "event_code": o.check,
            "profiles": ["cloud"],
            "product": {
                "name": "skyhound",
                "vendor_name": "skyhound",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
        "finding_info": {
            "uid": uid,
            "title": crate::analysis::checks::find(o.check).map_or(o.title, |c| c.title),
            "desc": o.title,
            "types": [o.epic.label()],
            "created_time": millis,
        },
        "compliance": compliance,
        "cloud": {
            "provider": "AWS",
            "region": o.region,
            "account": {"uid": o.account, "type": "AWS Account", "type_id": 10},
        },
        "resources": [{
            "uid": n.arn.as_deref().unwrap_or(o.resource),
            "name": o.name.unwrap_or(o.resource),
            "type": n.kind().label(),
            "region": o.region,
            "cloud_partition": "aws",
            "owner": {"account": {"uid": o.account, "type": "AWS Account", "type_id": 10}},
        }],
        "remediation": {
            "desc": o.remediation.text,
            "references": o.remediation.commands,
        },
        "unmapped": {"evidence": evidence, "epic": o.epic},
    })
}
