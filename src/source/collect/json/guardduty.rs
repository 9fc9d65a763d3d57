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
        "Service": f.service().map(|s| json!({"DetectorId": s.detector_id(), "Archived": s.archived(), "Count": s.count()})),
    })
}

/// One detector's GetFindings, its batches put together.
pub fn findings(list: &[t::Finding]) -> Value {
    json!({"Findings": list.iter().map(finding).collect::<Vec<_>>()})
}
