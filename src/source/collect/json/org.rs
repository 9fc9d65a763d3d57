//! AWS Organizations answers as the API's JSON shapes.

use aws_sdk_organizations::types as t;
use serde_json::{Value, json};

pub fn accounts(list: &[t::Account]) -> Value {
    json!({"Accounts": list.iter().map(|a| json!({
        "Id": a.id(), "Arn": a.arn(), "Name": a.name(), "Email": a.email(), "Status": a.status().map(|s| s.as_str()),
    })).collect::<Vec<_>>()})
}

pub fn organization(o: &t::Organization) -> Value {
    json!({"Organization": {"Id": o.id(), "Arn": o.arn(), "MasterAccountId": o.master_account_id()}})
}
