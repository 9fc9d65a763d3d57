//! IAM responses: the authorization details, password policy, account
//! summary, credential report and access-key listings.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::Sink;
use super::read::{Tag, parse_time, time};
use crate::model::policy::PolicyDocument;
use crate::model::{self as m, Node, NodeData};

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails {
    #[serde(default)]
    user_detail_list: Vec<User>,
    #[serde(default)]
    group_detail_list: Vec<Group>,
    #[serde(default)]
    role_detail_list: Vec<Role>,
    #[serde(default)]
    policies: Vec<Policy>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct User {
    user_name: String,
    user_id: Option<String>,
    arn: String,
    path: Option<String>,
    #[serde(default, deserialize_with = "time")]
    create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    user_policy_list: Vec<InlineShape>,
    #[serde(default)]
    group_list: Vec<String>,
    #[serde(default)]
    attached_managed_policies: Vec<AttachedShape>,
    permissions_boundary: Option<Boundary>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Group {
    group_name: String,
    group_id: Option<String>,
    arn: String,
    path: Option<String>,
    #[serde(default)]
    group_policy_list: Vec<InlineShape>,
    #[serde(default)]
    attached_managed_policies: Vec<AttachedShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Role {
    role_name: String,
    role_id: Option<String>,
    arn: String,
    path: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "time")]
    create_date: Option<DateTime<Utc>>,
    assume_role_policy_document: Option<Value>,
    #[serde(default)]
    instance_profile_list: Vec<Profile>,
    #[serde(default)]
    role_policy_list: Vec<InlineShape>,
    #[serde(default)]
    attached_managed_policies: Vec<AttachedShape>,
    permissions_boundary: Option<Boundary>,
    role_last_used: Option<LastUsed>,
    max_session_duration: Option<u32>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Profile {
    instance_profile_name: String,
    instance_profile_id: Option<String>,
    arn: String,
    path: Option<String>,
    #[serde(default)]
    roles: Vec<ProfileRole>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileRole {
    arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LastUsed {
    #[serde(default, deserialize_with = "time")]
    last_used_date: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Boundary {
    permissions_boundary_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InlineShape {
    policy_name: String,
    policy_document: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttachedShape {
    policy_arn: String,
    policy_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Policy {
    arn: String,
    policy_name: Option<String>,
    policy_id: Option<String>,
    path: Option<String>,
    default_version_id: Option<String>,
    attachment_count: Option<u32>,
    #[serde(default)]
    policy_version_list: Vec<PolicyVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyVersion {
    document: Option<Value>,
    version_id: Option<String>,
    #[serde(default)]
    is_default_version: bool,
}

fn attached(list: Vec<AttachedShape>) -> Vec<m::AttachedPolicy> {
    list.into_iter()
        .map(|a| m::AttachedPolicy {
            arn: a.policy_arn,
            name: a.policy_name,
        })
        .collect()
}

fn document(owner: &str, what: &str, value: Value, out: &mut Sink) -> PolicyDocument {
    PolicyDocument::from_api(value).unwrap_or_else(|e| {
        out.warn(format!("{owner}: {what}: {e}; kept as empty"));
        PolicyDocument(Value::Null)
    })
}

fn inline(owner: &str, list: Vec<InlineShape>, out: &mut Sink) -> Vec<m::InlinePolicy> {
    list.into_iter()
        .map(|p| {
            let what = format!("inline policy {}", p.policy_name);
            m::InlinePolicy {
                document: document(owner, &what, p.policy_document, out),
                name: p.policy_name,
            }
        })
        .collect()
}

/// The name at the end of an IAM ARN (`…:policy/path/NAME`).
fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn global(id: &str, account: &str, arn: &str, name: &str, tags: &[Tag], data: NodeData) -> Node {
    Node::new(id, account, data)
        .with_arn(arn)
        .with_name(name)
        .with_tags(super::read::tag_map(tags))
}

pub fn authorization_details(account: &str, r: AuthorizationDetails, out: &mut Sink) {
    for u in r.user_detail_list {
        let data = m::IamUser {
            user_id: u.user_id,
            path: u.path,
            created: u.create_date,
            group_names: u.group_list,
            attached_policies: attached(u.attached_managed_policies),
            inline_policies: inline(&u.arn, u.user_policy_list, out),
            permissions_boundary: u
                .permissions_boundary
                .and_then(|b| b.permissions_boundary_arn),
            ..m::IamUser::default()
        };
        out.push(global(
            &u.arn,
            account,
            &u.arn,
            &u.user_name,
            &u.tags,
            NodeData::IamUser(data),
        ));
    }
    for g in r.group_detail_list {
        let data = m::IamGroup {
            group_id: g.group_id,
            path: g.path,
            attached_policies: attached(g.attached_managed_policies),
            inline_policies: inline(&g.arn, g.group_policy_list, out),
        };
        out.push(global(
            &g.arn,
            account,
            &g.arn,
            &g.group_name,
            &[],
            NodeData::IamGroup(data),
        ));
    }
    let mut profiles: BTreeMap<String, Profile> = BTreeMap::new();
    for r in r.role_detail_list {
        let trust = match r.assume_role_policy_document {
            Some(v) => document(&r.arn, "trust policy", v, out),
            None => PolicyDocument(Value::Null),
        };
        let data = m::IamRole {
            role_id: r.role_id,
            path: r.path,
            created: r.create_date,
            description: r.description,
            trust_policy: trust,
            attached_policies: attached(r.attached_managed_policies),
            inline_policies: inline(&r.arn, r.role_policy_list, out),
            permissions_boundary: r
                .permissions_boundary
                .and_then(|b| b.permissions_boundary_arn),
            last_used: r.role_last_used.and_then(|l| l.last_used_date),
            max_session_duration: r.max_session_duration,
        };
        for p in r.instance_profile_list {
            profiles.entry(p.arn.clone()).or_insert(p);
        }
        out.push(global(
            &r.arn,
            account,
            &r.arn,
            &r.role_name,
            &r.tags,
            NodeData::IamRole(data),
        ));
    }
    for (arn, p) in profiles {
        let data = m::InstanceProfile {
            instance_profile_id: p.instance_profile_id,
            path: p.path,
            role_arns: p.roles.into_iter().map(|r| r.arn).collect(),
        };
        out.push(global(
            &arn,
            account,
            &arn,
            &p.instance_profile_name,
            &[],
            NodeData::InstanceProfile(data),
        ));
    }
    for p in r.policies {
        let aws_managed =
            p.arn.starts_with("arn:aws:iam::aws:") || p.arn.contains(":iam::aws:policy/");
        let (default, others): (Vec<PolicyVersion>, Vec<PolicyVersion>) =
            p.policy_version_list.into_iter().partition(|v| {
                v.is_default_version
                    || (v.version_id.is_some() && v.version_id == p.default_version_id)
            });
        let doc = default
            .into_iter()
            .next()
            .and_then(|v| v.document)
            .map(|d| document(&p.arn, "default version", d, out));
        let other_versions = others
            .into_iter()
            .map(|v| {
                let what = format!(
                    "version {}",
                    v.version_id.as_deref().unwrap_or("without an id")
                );
                m::PolicyVersion {
                    document: v.document.map(|d| document(&p.arn, &what, d, out)),
                    version_id: v.version_id,
                }
            })
            .collect();
        let name = p
            .policy_name
            .unwrap_or_else(|| arn_name(&p.arn).to_string());
        let data = m::IamPolicy {
            policy_id: p.policy_id,
            path: p.path,
            default_version_id: p.default_version_id,
            document: doc,
            attachment_count: p.attachment_count,
            aws_managed,
            other_versions,
        };
        let owner = if aws_managed { "aws" } else { account };
        out.push(global(
            &p.arn,
            owner,
            &p.arn,
            &name,
            &[],
            NodeData::IamPolicy(data),
        ));
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicyResponse {
    password_policy: PasswordPolicyShape,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PasswordPolicyShape {
    minimum_password_length: Option<u32>,
    #[serde(default)]
    require_symbols: bool,
    #[serde(default)]
    require_numbers: bool,
    #[serde(default)]
    require_uppercase_characters: bool,
    #[serde(default)]
    require_lowercase_characters: bool,
    #[serde(default)]
    allow_users_to_change_password: bool,
    max_password_age: Option<u32>,
    password_reuse_prevention: Option<u32>,
    #[serde(default)]
    hard_expiry: bool,
}

pub fn password_policy(r: PasswordPolicyResponse) -> m::PasswordPolicy {
    let p = r.password_policy;
    m::PasswordPolicy {
        minimum_length: p.minimum_password_length,
        require_symbols: p.require_symbols,
        require_numbers: p.require_numbers,
        require_uppercase: p.require_uppercase_characters,
        require_lowercase: p.require_lowercase_characters,
        allow_users_to_change: p.allow_users_to_change_password,
        max_age_days: p.max_password_age,
        reuse_prevention: p.password_reuse_prevention,
        hard_expiry: p.hard_expiry,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountSummary {
    #[serde(default)]
    summary_map: BTreeMap<String, i64>,
}

pub fn account_summary(r: AccountSummary) -> BTreeMap<String, i64> {
    r.summary_map
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountAliases {
    #[serde(default)]
    account_aliases: Vec<String>,
}

pub fn account_aliases(r: AccountAliases) -> Vec<String> {
    r.account_aliases
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialReport {
    content: String,
    #[serde(default, deserialize_with = "time")]
    generated_time: Option<DateTime<Utc>>,
}

impl CredentialReport {
    /// That the report was read, and when IAM generated it.
    pub fn meta(&self) -> m::CredentialReport {
        m::CredentialReport {
            generated: self.generated_time,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VirtualMfaDevices {
    #[serde(default, rename = "VirtualMFADevices")]
    devices: Vec<VirtualMfaDeviceShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VirtualMfaDeviceShape {
    serial_number: String,
    user: Option<MfaUserShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MfaUserShape {
    arn: Option<String>,
}

pub fn virtual_mfa_devices(r: VirtualMfaDevices) -> Vec<m::VirtualMfaDevice> {
    r.devices
        .into_iter()
        .map(|d| m::VirtualMfaDevice {
            serial_number: d.serial_number,
            user_arn: d.user.and_then(|u| u.arn),
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyListing {
    #[serde(default)]
    access_key_metadata: Vec<AccessKeyMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccessKeyMeta {
    user_name: Option<String>,
    access_key_id: String,
    status: Option<String>,
    #[serde(default, deserialize_with = "time")]
    create_date: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyLastUsed {
    access_key_last_used: Option<LastUsedShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LastUsedShape {
    #[serde(default, deserialize_with = "time")]
    last_used_date: Option<DateTime<Utc>>,
    service_name: Option<String>,
    region: Option<String>,
}

/// The report's CSV: as the API returns it (base64) or already decoded.
fn report_text(content: &str) -> Result<String, String> {
    if content.trim_start().starts_with("user,") {
        return Ok(content.to_string());
    }
    let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| format!("Content is neither CSV nor base64: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "Content does not decode to UTF-8 text".to_string())
}

fn flag(v: Option<&str>) -> Option<bool> {
    match v? {
        "true" | "TRUE" | "True" => Some(true),
        "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Everything IAM says about access keys and console access, applied to the
/// users already read from the authorization details.
pub struct KeySources {
    pub report: Option<CredentialReport>,
    /// user name → listed keys.
    pub listings: Vec<AccessKeyListing>,
    /// access key id → last use.
    pub last_used: BTreeMap<String, AccessKeyLastUsed>,
}

pub fn access_keys(account: &str, src: KeySources, out: &mut Sink) -> Result<(), String> {
    // Keys listed by id, per user name.
    let mut listed: HashMap<String, Vec<AccessKeyMeta>> = HashMap::new();
    for l in src.listings {
        for k in l.access_key_metadata {
            listed
                .entry(k.user_name.clone().unwrap_or_default())
                .or_default()
                .push(k);
        }
    }
    let user_arn_by_name: HashMap<String, String> = out
        .nodes()
        .iter()
        .filter(|n| matches!(n.data, NodeData::IamUser(_)) && n.account == account)
        .filter_map(|n| Some((n.name.clone()?, n.id.clone())))
        .collect();
    let mut keys: Vec<Node> = Vec::new();
    let push_key =
        |id: String, user_arn: &str, user: &str, key: m::AccessKey, keys: &mut Vec<Node>| {
            let name = format!("access key of {user}");
            keys.push(
                Node::new(
                    id,
                    account,
                    NodeData::AccessKey(m::AccessKey {
                        user_arn: user_arn.to_string(),
                        ..key
                    }),
                )
                .with_name(name),
            );
        };
    for (user, metas) in &listed {
        let Some(arn) = user_arn_by_name.get(user) else {
            continue;
        };
        for k in metas {
            let used = src
                .last_used
                .get(&k.access_key_id)
                .and_then(|u| u.access_key_last_used.as_ref());
            let key = m::AccessKey {
                user_arn: String::new(),
                status: k.status.clone().unwrap_or_else(|| "Active".into()),
                created: k.create_date,
                last_used: used.and_then(|u| u.last_used_date),
                last_used_service: used
                    .and_then(|u| u.service_name.clone())
                    .filter(|s| s != "N/A"),
                last_used_region: used.and_then(|u| u.region.clone()).filter(|s| s != "N/A"),
            };
            push_key(k.access_key_id.clone(), arn, user, key, &mut keys);
        }
    }

    let Some(report) = src.report else {
        for k in keys {
            out.push(k);
        }
        return Ok(());
    };
    // The listed keys by user and creation time, for the report's slots.
    let by_creation: HashMap<(String, Option<DateTime<Utc>>), usize> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match &n.data {
            NodeData::AccessKey(k) if k.created.is_some() => {
                Some(((k.user_arn.clone(), k.created), i))
            }
            _ => None,
        })
        .collect();
    let text = report_text(&report.content)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |row: &[&str], name: &str| -> Option<String> {
        let i = header.iter().position(|h| *h == name)?;
        row.get(i).map(|s| s.to_string())
    };
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let row: Vec<&str> = line.split(',').collect();
        let Some(user) = col(&row, "user") else {
            continue;
        };
        let is_root = user == "<root_account>";
        let arn = col(&row, "arn").unwrap_or_default();
        let password_enabled = if is_root {
            None
        } else {
            flag(col(&row, "password_enabled").as_deref())
        };
        let mfa_active = flag(col(&row, "mfa_active").as_deref());
        let password_last_used = col(&row, "password_last_used").and_then(|t| parse_time(&t));
        let password_last_changed = col(&row, "password_last_changed").and_then(|t| parse_time(&t));
        let created = col(&row, "user_creation_time").and_then(|t| parse_time(&t));
        let user_arn = if is_root {
            format!("arn:aws:iam::{account}:root")
        } else {
            arn.clone()
        };

        match out.find_mut(&user_arn) {
            Some(Node {
                data: NodeData::IamUser(u),
                ..
            }) => {
                u.password_enabled = password_enabled.or(u.password_enabled);
                u.mfa_active = mfa_active.or(u.mfa_active);
                u.password_last_used = password_last_used.or(u.password_last_used);
                u.password_last_changed = password_last_changed.or(u.password_last_changed);
            }
            _ => {
                let data = m::IamUser {
                    is_root,
                    created,
                    password_enabled,
                    password_last_used,
                    password_last_changed,
                    mfa_active,
                    ..m::IamUser::default()
                };
                let name = if is_root {
                    "root".to_string()
                } else {
                    user.clone()
                };
                out.push(
                    Node::new(&user_arn, account, NodeData::IamUser(data))
                        .with_arn(&user_arn)
                        .with_name(name),
                );
            }
        }

        for slot in 1..=2 {
            let active = flag(col(&row, &format!("access_key_{slot}_active")).as_deref());
            let rotated =
                col(&row, &format!("access_key_{slot}_last_rotated")).and_then(|t| parse_time(&t));
            if active != Some(true) && rotated.is_none() {
                continue;
            }
            let key = m::AccessKey {
                user_arn: String::new(),
                status: if active == Some(true) {
                    "Active".into()
                } else {
                    "Inactive".into()
                },
                created: rotated,
                last_used: col(&row, &format!("access_key_{slot}_last_used_date"))
                    .and_then(|t| parse_time(&t)),
                last_used_service: col(&row, &format!("access_key_{slot}_last_used_service"))
                    .filter(|s| s != "N/A"),
                last_used_region: col(&row, &format!("access_key_{slot}_last_used_region"))
                    .filter(|s| s != "N/A"),
            };
            if listed.contains_key(&user) {
                // The listing named the keys; the report's slot is the key
                // created when the slot was last rotated. Its last use fills
                // in what no GetAccessKeyLastUsed answer gave.
                if let Some(NodeData::AccessKey(k)) = by_creation
                    .get(&(user_arn.clone(), rotated))
                    .and_then(|i| keys.get_mut(*i))
                    .map(|n| &mut n.data)
                {
                    if k.last_used.is_none() {
                        k.last_used = key.last_used;
                        k.last_used_service = key.last_used_service;
                        k.last_used_region = key.last_used_region;
                    }
                }
                continue;
            }
            // The report does not give key ids: name the key by its slot.
            let display = if is_root { "root" } else { user.as_str() };
            push_key(
                format!("{user_arn}#access-key-{slot}"),
                &user_arn,
                display,
                key,
                &mut keys,
            );
        }
    }
    for k in keys {
        out.push(k);
    }
    Ok(())
}
