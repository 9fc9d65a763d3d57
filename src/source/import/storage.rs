//! S3 buckets, KMS keys, EBS volumes and RDS database instances as the
//! AWS CLI writes them, into model nodes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::read::{Items, OrError, Tag, tag_map, time};
use super::{Ctx, Sink};
use crate::model::policy::PolicyDocument;
use crate::model::{self as m, Node, NodeData};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketList {
    #[serde(default)]
    buckets: Items<BucketShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BucketShape {
    name: String,
    #[serde(default, deserialize_with = "time")]
    creation_date: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Location {
    location_constraint: Option<String>,
}

impl Location {
    /// The bucket's region: none or empty is us-east-1, `EU` eu-west-1.
    pub fn region(&self) -> String {
        match self.location_constraint.as_deref() {
            None | Some("") => "us-east-1".into(),
            Some("EU") => "eu-west-1".into(),
            Some(r) => r.into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketPolicy {
    policy: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyStatus {
    policy_status: PolicyStatusShape,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyStatusShape {
    #[serde(default)]
    is_public: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Acl {
    #[serde(default)]
    grants: Vec<GrantShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GrantShape {
    grantee: Option<GranteeShape>,
    permission: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GranteeShape {
    #[serde(rename = "URI")]
    uri: Option<String>,
    #[serde(rename = "ID")]
    id: Option<String>,
    email_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlockAnswer {
    public_access_block_configuration: PublicAccessBlockShape,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PublicAccessBlockShape {
    #[serde(default)]
    block_public_acls: bool,
    #[serde(default)]
    ignore_public_acls: bool,
    #[serde(default)]
    block_public_policy: bool,
    #[serde(default)]
    restrict_public_buckets: bool,
}

impl PublicAccessBlockAnswer {
    pub fn model(self) -> m::PublicAccessBlock {
        let p = self.public_access_block_configuration;
        m::PublicAccessBlock {
            block_public_acls: p.block_public_acls,
            ignore_public_acls: p.ignore_public_acls,
            block_public_policy: p.block_public_policy,
            restrict_public_buckets: p.restrict_public_buckets,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Encryption {
    server_side_encryption_configuration: EncryptionConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EncryptionConfig {
    #[serde(default)]
    rules: Vec<EncryptionRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EncryptionRule {
    apply_server_side_encryption_by_default: Option<EncryptionDefault>,
}

#[derive(Deserialize)]
struct EncryptionDefault {
    #[serde(rename = "SSEAlgorithm")]
    algorithm: String,
    #[serde(rename = "KMSMasterKeyID")]
    kms_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Logging {
    logging_enabled: Option<LoggingTarget>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LoggingTarget {
    target_bucket: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Versioning {
    status: Option<String>,
}

/// Every per-bucket answer, by bucket name.
#[derive(Default)]
pub struct BucketDetails {
    pub location: BTreeMap<String, OrError<Location>>,
    pub policy: BTreeMap<String, OrError<BucketPolicy>>,
    pub policy_status: BTreeMap<String, OrError<PolicyStatus>>,
    pub acl: BTreeMap<String, OrError<Acl>>,
    pub public_access_block: BTreeMap<String, OrError<PublicAccessBlockAnswer>>,
    pub encryption: BTreeMap<String, OrError<Encryption>>,
    pub logging: BTreeMap<String, OrError<Logging>>,
    pub versioning: BTreeMap<String, OrError<Versioning>>,
}

/// The account's buckets. A bucket whose location was not read has no
/// region; a policy that does not parse is a problem naming the bucket,
/// and the bucket's policy is then unknown.
pub fn buckets(
    account: &str,
    r: BucketList,
    mut d: BucketDetails,
    problems: &mut Vec<String>,
    out: &mut Sink,
) {
    for b in r.buckets {
        let name = b.name;
        let region = match d.location.remove(&name) {
            Some(OrError::Answer(l)) => Some(l.region()),
            _ => None,
        };
        let policy = policy_answer(d.policy.remove(&name), &format!("bucket {name}"), problems);
        let data = m::Bucket {
            created: b.creation_date,
            policy,
            policy_public: d
                .policy_status
                .remove(&name)
                .map(|s| s.answer(|s| s.policy_status.is_public)),
            acl: d.acl.remove(&name).and_then(|a| match a {
                OrError::Answer(a) => Some(
                    a.grants
                        .into_iter()
                        .filter_map(|g| {
                            let who = g.grantee?;
                            Some(m::AclGrant {
                                grantee: who.uri.or(who.id).or(who.email_address)?,
                                permission: g.permission.unwrap_or_default(),
                            })
                        })
                        .collect(),
                ),
                OrError::Error { .. } => None,
            }),
            public_access_block: d
                .public_access_block
                .remove(&name)
                .map(|p| p.answer(PublicAccessBlockAnswer::model)),
            encryption: d.encryption.remove(&name).map(|e| {
                e.answer(|e| {
                    let first = e
                        .server_side_encryption_configuration
                        .rules
                        .into_iter()
                        .find_map(|r| r.apply_server_side_encryption_by_default);
                    match first {
                        Some(f) => m::BucketEncryption {
                            algorithm: f.algorithm,
                            kms_key_id: f.kms_key,
                        },
                        None => m::BucketEncryption::default(),
                    }
                })
            }),
            logging: d.logging.remove(&name).and_then(|l| match l {
                OrError::Answer(l) => Some(m::AccessLogging {
                    target: l.logging_enabled.and_then(|t| t.target_bucket),
                }),
                OrError::Error { .. } => None,
            }),
            versioning: d.versioning.remove(&name).and_then(|v| match v {
                OrError::Answer(v) => Some(m::Versioning { status: v.status }),
                OrError::Error { .. } => None,
            }),
        };
        let mut node = Node::new(&name, account, NodeData::Bucket(data))
            .with_arn(format!("arn:aws:s3:::{name}"))
            .with_name(&name);
        node.region = region;
        out.push(node);
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyList {
    #[serde(default)]
    keys: Items<KeyEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyEntry {
    key_id: String,
    key_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribedKey {
    key_metadata: KeyMetadata,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyMetadata {
    arn: Option<String>,
    key_manager: Option<String>,
    key_state: Option<String>,
    key_spec: Option<String>,
    customer_master_key_spec: Option<String>,
    origin: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationStatus {
    key_rotation_enabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasList {
    #[serde(default)]
    aliases: Items<AliasEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AliasEntry {
    alias_name: String,
    target_key_id: Option<String>,
}

pub struct KeyDetails {
    pub described: BTreeMap<String, OrError<DescribedKey>>,
    pub rotation: BTreeMap<String, OrError<RotationStatus>>,
    pub policy: BTreeMap<String, OrError<BucketPolicy>>,
    pub aliases: Vec<AliasList>,
}

/// A policy document read from a per-item call (`{"Policy": "<JSON>"}`),
/// or the error code AWS answered; one that does not parse is a problem
/// naming what it belongs to, and the policy is then not known.
fn policy_answer(
    answer: Option<OrError<BucketPolicy>>,
    what: &str,
    problems: &mut Vec<String>,
) -> Option<m::Answer<PolicyDocument>> {
    answer.and_then(|p| match p {
        OrError::Error { error } => Some(m::Answer::None { code: error.code }),
        OrError::Answer(p) => match PolicyDocument::from_text(&p.policy) {
            Ok(doc) => Some(m::Answer::Value(doc)),
            Err(e) => {
                problems.push(format!("{what}: policy does not parse: {}", e.0));
                None
            }
        },
    })
}

pub fn keys(ctx: &Ctx, r: KeyList, mut d: KeyDetails, problems: &mut Vec<String>, out: &mut Sink) {
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in d.aliases.iter().flat_map(|l| l.aliases.iter()) {
        if let Some(k) = &a.target_key_id {
            aliases
                .entry(k.clone())
                .or_default()
                .push(a.alias_name.clone());
        }
    }
    for k in r.keys {
        let meta = match d.described.remove(&k.key_id) {
            Some(OrError::Answer(x)) => Some(x.key_metadata),
            _ => None,
        };
        let arn = k
            .key_arn
            .or_else(|| meta.as_ref().and_then(|m| m.arn.clone()))
            .unwrap_or_else(|| {
                format!(
                    "arn:aws:kms:{}:{}:key/{}",
                    ctx.region, ctx.account, k.key_id
                )
            });
        let names = aliases.remove(&k.key_id).unwrap_or_default();
        let data = m::KmsKey {
            key_manager: meta.as_ref().and_then(|m| m.key_manager.clone()),
            key_state: meta.as_ref().and_then(|m| m.key_state.clone()),
            key_spec: meta
                .as_ref()
                .and_then(|m| m.key_spec.clone().or(m.customer_master_key_spec.clone())),
            origin: meta.as_ref().and_then(|m| m.origin.clone()),
            description: meta.and_then(|m| m.description),
            rotation_enabled: match d.rotation.remove(&k.key_id) {
                Some(OrError::Answer(r)) => Some(r.key_rotation_enabled),
                _ => None,
            },
            aliases: names.clone(),
            policy: policy_answer(
                d.policy.remove(&k.key_id),
                &format!("key {}", k.key_id),
                problems,
            ),
        };
        let mut node = Node::new(&k.key_id, &ctx.account, NodeData::KmsKey(data))
            .with_arn(arn)
            .in_region(&ctx.region);
        if let Some(first) = names.first() {
            node = node.with_name(first);
        }
        out.push(node);
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volumes {
    #[serde(default)]
    volumes: Items<VolumeShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VolumeShape {
    volume_id: String,
    #[serde(default)]
    encrypted: bool,
    kms_key_id: Option<String>,
    size: Option<i64>,
    state: Option<String>,
    availability_zone: Option<String>,
    #[serde(default)]
    attachments: Vec<VolumeAttachment>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VolumeAttachment {
    instance_id: Option<String>,
}

pub fn volumes(ctx: &Ctx, r: Volumes, out: &mut Sink) {
    for v in r.volumes {
        let data = m::Volume {
            encrypted: v.encrypted,
            kms_key_id: v.kms_key_id,
            size_gib: v.size,
            state: v.state,
            availability_zone: v.availability_zone,
            instance_ids: v
                .attachments
                .into_iter()
                .filter_map(|a| a.instance_id)
                .collect(),
        };
        out.push(
            Node::new(&v.volume_id, &ctx.account, NodeData::Volume(data))
                .with_arn(format!(
                    "arn:aws:ec2:{}:{}:volume/{}",
                    ctx.region, ctx.account, v.volume_id
                ))
                .in_region(&ctx.region)
                .with_tags(tag_map(&v.tags)),
        );
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DbInstances {
    #[serde(rename = "DBInstances", default)]
    instances: Items<DbShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DbShape {
    #[serde(rename = "DBInstanceIdentifier")]
    identifier: String,
    #[serde(rename = "DBInstanceArn")]
    arn: Option<String>,
    engine: Option<String>,
    #[serde(rename = "DBInstanceStatus")]
    status: Option<String>,
    #[serde(default)]
    publicly_accessible: bool,
    storage_encrypted: Option<bool>,
    kms_key_id: Option<String>,
    endpoint: Option<Endpoint>,
    #[serde(rename = "DBSubnetGroup")]
    subnet_group: Option<SubnetGroup>,
    #[serde(default)]
    vpc_security_groups: Vec<VpcSecurityGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Endpoint {
    address: Option<String>,
    port: Option<u16>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SubnetGroup {
    vpc_id: Option<String>,
    #[serde(default)]
    subnets: Vec<SubnetEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SubnetEntry {
    subnet_identifier: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VpcSecurityGroup {
    vpc_security_group_id: Option<String>,
}

pub fn db_instances(ctx: &Ctx, r: DbInstances, out: &mut Sink) {
    for d in r.instances {
        let arn = d.arn.unwrap_or_else(|| {
            format!(
                "arn:aws:rds:{}:{}:db:{}",
                ctx.region, ctx.account, d.identifier
            )
        });
        let data = m::DbInstance {
            engine: d.engine,
            status: d.status,
            publicly_accessible: d.publicly_accessible,
            storage_encrypted: d.storage_encrypted,
            kms_key_id: d.kms_key_id,
            vpc_id: d.subnet_group.as_ref().and_then(|g| g.vpc_id.clone()),
            subnet_ids: d
                .subnet_group
                .map(|g| {
                    g.subnets
                        .into_iter()
                        .filter_map(|s| s.subnet_identifier)
                        .collect()
                })
                .unwrap_or_default(),
            security_group_ids: d
                .vpc_security_groups
                .into_iter()
                .filter_map(|g| g.vpc_security_group_id)
                .collect(),
            endpoint: d.endpoint.as_ref().and_then(|e| e.address.clone()),
            port: d.endpoint.and_then(|e| e.port),
        };
        out.push(
            Node::new(&arn, &ctx.account, NodeData::DbInstance(data))
                .with_arn(&arn)
                .with_name(d.identifier)
                .in_region(&ctx.region),
        );
    }
}
