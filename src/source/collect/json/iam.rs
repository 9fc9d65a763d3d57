//! IAM and STS answers as the API's JSON shapes.

use std::collections::HashMap;

use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
use aws_sdk_iam::types as t;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use serde_json::{Value, json};

use super::time;

pub fn caller_identity(me: &GetCallerIdentityOutput) -> Value {
    json!({"Account": me.account(), "Arn": me.arn(), "UserId": me.user_id()})
}

/// GetAccountAuthorizationDetails, its pages put together.
pub fn authorization_details(
    users: &[t::UserDetail],
    groups: &[t::GroupDetail],
    roles: &[t::RoleDetail],
    policies: &[t::ManagedPolicyDetail],
) -> Value {
    json!({
        "UserDetailList": users.iter().map(user).collect::<Vec<_>>(),
        "GroupDetailList": groups.iter().map(group).collect::<Vec<_>>(),
        "RoleDetailList": roles.iter().map(role).collect::<Vec<_>>(),
        "Policies": policies.iter().map(policy).collect::<Vec<_>>(),
    })
}

/// The account's password policy; `None` when it has none (IAM answers
/// NoSuchEntity), which is an answer too.
pub fn password_policy(p: Option<&t::PasswordPolicy>) -> Value {
    let Some(p) = p else {
        return json!({"PasswordPolicy": {}});
    };
    json!({"PasswordPolicy": {
        "MinimumPasswordLength": p.minimum_password_length(), "RequireSymbols": p.require_symbols(), "RequireNumbers": p.require_numbers(),
        "RequireUppercaseCharacters": p.require_uppercase_characters(), "RequireLowercaseCharacters": p.require_lowercase_characters(),
        "AllowUsersToChangePassword": p.allow_users_to_change_password(), "MaxPasswordAge": p.max_password_age(),
        "PasswordReusePrevention": p.password_reuse_prevention(), "HardExpiry": p.hard_expiry()}})
}

pub fn account_summary(map: Option<&HashMap<t::SummaryKeyType, i32>>) -> Value {
    let map: serde_json::Map<String, Value> = map
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str().to_string(), json!(v)))
                .collect()
        })
        .unwrap_or_default();
    json!({"SummaryMap": map})
}

pub fn virtual_mfa_devices(devices: &[t::VirtualMfaDevice]) -> Value {
    json!({"VirtualMFADevices": devices.iter().map(|d| {
        let mut v = json!({"SerialNumber": d.serial_number(), "EnableDate": time(d.enable_date())});
        if let Some(u) = d.user() {
            v["User"] = json!({"UserName": u.user_name(), "Arn": u.arn(), "UserId": u.user_id()});
        }
        v
    }).collect::<Vec<_>>()})
}

pub fn account_aliases(aliases: &[String]) -> Value {
    json!({"AccountAliases": aliases})
}

/// The credential report, its CSV decoded.
pub fn credential_report(r: &GetCredentialReportOutput) -> Value {
    let csv = r
        .content()
        .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
        .unwrap_or_default();
    json!({"Content": csv, "ReportFormat": r.report_format().map(|f| f.as_str()), "GeneratedTime": time(r.generated_time())})
}

pub fn access_keys(keys: &[t::AccessKeyMetadata]) -> Value {
    json!({"AccessKeyMetadata": keys.iter().map(|k| json!({
        "UserName": k.user_name(), "AccessKeyId": k.access_key_id(), "Status": k.status().map(|s| s.as_str()), "CreateDate": time(k.create_date()),
    })).collect::<Vec<_>>()})
}

fn inline(list: &[t::PolicyDetail]) -> Vec<Value> {
    list.iter()
        .map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": p.policy_document()}))
        .collect()
}

fn attached(list: &[t::AttachedPolicy]) -> Vec<Value> {
    list.iter()
        .map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()}))
        .collect()
}

fn tags(list: &[t::Tag]) -> Vec<Value> {
    list.iter()
        .map(|t| json!({"Key": t.key(), "Value": t.value()}))
        .collect()
}

fn boundary(b: Option<&t::AttachedPermissionsBoundary>) -> Value {
    b.map(|b| json!({"PermissionsBoundaryArn": b.permissions_boundary_arn()}))
        .unwrap_or(Value::Null)
}

fn user(u: &t::UserDetail) -> Value {
    json!({
        "UserName": u.user_name(), "UserId": u.user_id(), "Arn": u.arn(), "Path": u.path(), "CreateDate": time(u.create_date()),
        "GroupList": u.group_list(), "UserPolicyList": inline(u.user_policy_list()), "AttachedManagedPolicies": attached(u.attached_managed_policies()),
        "PermissionsBoundary": boundary(u.permissions_boundary()), "Tags": tags(u.tags()),
    })
}

fn group(g: &t::GroupDetail) -> Value {
    json!({
        "GroupName": g.group_name(), "GroupId": g.group_id(), "Arn": g.arn(), "Path": g.path(),
        "GroupPolicyList": inline(g.group_policy_list()), "AttachedManagedPolicies": attached(g.attached_managed_policies()),
    })
}

fn role(r: &t::RoleDetail) -> Value {
    json!({
        "RoleName": r.role_name(), "RoleId": r.role_id(), "Arn": r.arn(), "Path": r.path(), "CreateDate": time(r.create_date()),
        "AssumeRolePolicyDocument": r.assume_role_policy_document(),
        "InstanceProfileList": r.instance_profile_list().iter().map(|p| json!({
            "InstanceProfileName": p.instance_profile_name(), "InstanceProfileId": p.instance_profile_id(), "Arn": p.arn(), "Path": p.path(),
            "Roles": p.roles().iter().map(|x| json!({"Arn": x.arn()})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "RolePolicyList": inline(r.role_policy_list()), "AttachedManagedPolicies": attached(r.attached_managed_policies()),
        "PermissionsBoundary": boundary(r.permissions_boundary()),
        "RoleLastUsed": r.role_last_used().map(|l| json!({"LastUsedDate": time(l.last_used_date())})), "Tags": tags(r.tags()),
    })
}

fn policy(p: &t::ManagedPolicyDetail) -> Value {
    json!({
        "PolicyName": p.policy_name(), "PolicyId": p.policy_id(), "Arn": p.arn(), "Path": p.path(), "DefaultVersionId": p.default_version_id(),
        "AttachmentCount": p.attachment_count(),
        "PolicyVersionList": p.policy_version_list().iter().map(|v| json!({"Document": v.document(), "VersionId": v.version_id(), "IsDefaultVersion": v.is_default_version()})).collect::<Vec<_>>(),
    })
}
