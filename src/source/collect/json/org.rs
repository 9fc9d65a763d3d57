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

pub fn roots(list: &[t::Root]) -> Value {
    json!({"Roots": list.iter().map(|r| json!({
        "Id": r.id(), "Arn": r.arn(), "Name": r.name(),
        "PolicyTypes": r.policy_types().iter().map(|p| json!({
            "Type": p.r#type().map(|x| x.as_str()), "Status": p.status().map(|x| x.as_str()),
        })).collect::<Vec<_>>(),
    })).collect::<Vec<_>>()})
}

pub fn units(list: &[t::OrganizationalUnit]) -> Value {
    json!({"OrganizationalUnits": list.iter().map(|u| json!({
        "Id": u.id(), "Arn": u.arn(), "Name": u.name(),
    })).collect::<Vec<_>>()})
}

fn summary(p: &t::PolicySummary) -> Value {
    json!({"Id": p.id(), "Arn": p.arn(), "Name": p.name(), "Description": p.description(),
           "Type": p.r#type().map(|x| x.as_str()), "AwsManaged": p.aws_managed()})
}

pub fn policies(list: &[t::PolicySummary]) -> Value {
    json!({"Policies": list.iter().map(summary).collect::<Vec<_>>()})
}

pub fn policy(p: &t::Policy) -> Value {
    json!({"Policy": {"PolicySummary": p.policy_summary().map(summary), "Content": p.content()}})
}

pub fn targets(list: &[t::PolicyTargetSummary]) -> Value {
    json!({"Targets": list.iter().map(|x| json!({
        "TargetId": x.target_id(), "Arn": x.arn(), "Name": x.name(), "Type": x.r#type().map(|t| t.as_str()),
    })).collect::<Vec<_>>()})
}
