//! The API's answers as the JSON the AWS CLI prints, which is what the
//! importer reads. Each shape is written once, here: live collection
//! serializes what the SDK returned, and the account-data writer builds the
//! same SDK types from a graph and serializes them through these functions,
//! so the two can never drift apart.

pub mod ec2;
pub mod elbv2;
pub mod guardduty;
pub mod iam;
pub mod logging;
pub mod org;
pub mod storage;

use serde_json::Value;

/// A timestamp as the API prints it.
pub fn time(t: Option<&aws_smithy_types::DateTime>) -> Value {
    t.and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
        .map(Value::String)
        .unwrap_or(Value::Null)
}
