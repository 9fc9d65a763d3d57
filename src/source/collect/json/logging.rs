//! CloudTrail and AWS Config answers as the API's JSON shapes.

use aws_sdk_cloudtrail::types as ct;
use aws_sdk_config::types as cfg;
use serde_json::{Value, json};

pub fn trails(list: &[ct::Trail]) -> Value {
    json!({"trailList": list.iter().map(trail).collect::<Vec<_>>()})
}

pub fn trail(t: &ct::Trail) -> Value {
    json!({
        "Name": t.name(), "TrailARN": t.trail_arn(), "HomeRegion": t.home_region(), "S3BucketName": t.s3_bucket_name(),
        "IsMultiRegionTrail": t.is_multi_region_trail(), "IsOrganizationTrail": t.is_organization_trail(),
        "IncludeGlobalServiceEvents": t.include_global_service_events(), "LogFileValidationEnabled": t.log_file_validation_enabled(),
        "KmsKeyId": t.kms_key_id(), "HasCustomEventSelectors": t.has_custom_event_selectors(),
    })
}

pub fn trail_status(is_logging: Option<bool>) -> Value {
    json!({"IsLogging": is_logging})
}

pub fn event_selectors(
    trail_arn: Option<&str>,
    basic: &[ct::EventSelector],
    advanced: &[ct::AdvancedEventSelector],
) -> Value {
    json!({
        "TrailARN": trail_arn,
        "EventSelectors": basic.iter().map(|s| json!({
            "ReadWriteType": s.read_write_type().map(|r| r.as_str()),
            "IncludeManagementEvents": s.include_management_events(),
        })).collect::<Vec<_>>(),
        "AdvancedEventSelectors": advanced.iter().map(|s| json!({
            "Name": s.name(),
            "FieldSelectors": s.field_selectors().iter().map(|f| json!({
                "Field": f.field(), "Equals": f.equals(), "NotEquals": f.not_equals(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn recorders(list: &[cfg::ConfigurationRecorder]) -> Value {
    json!({"ConfigurationRecorders": list.iter().map(recorder).collect::<Vec<_>>()})
}

pub fn recorder(r: &cfg::ConfigurationRecorder) -> Value {
    json!({
        "name": r.name(), "roleARN": r.role_arn(),
        "recordingGroup": r.recording_group().map(|g| json!({
            "allSupported": g.all_supported(), "includeGlobalResourceTypes": g.include_global_resource_types(),
        })),
    })
}

pub fn recorder_statuses(list: &[cfg::ConfigurationRecorderStatus]) -> Value {
    json!({"ConfigurationRecordersStatus": list.iter().map(recorder_status).collect::<Vec<_>>()})
}

pub fn recorder_status(s: &cfg::ConfigurationRecorderStatus) -> Value {
    json!({"name": s.name(), "recording": s.recording(), "lastStatus": s.last_status().map(|l| l.as_str())})
}
