//! Where data lives: S3 buckets, KMS keys, EBS volumes and RDS database
//! instances. A setting read from a per-item call has three states: not
//! read (`None`), asked and AWS answered there is none (an error code such
//! as `NoSuchBucketPolicy`), or its value.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::PolicyDocument;

fn is_false(b: &bool) -> bool {
    !*b
}

/// What a per-item call answered: a value, or that there is none (the
/// error code AWS gave, `NoSuchBucketPolicy`). Not asked is `None` around
/// it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer<T> {
    Value(T),
    None { code: String },
}

impl<T> Answer<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Answer::Value(v) => Some(v),
            Answer::None { .. } => None,
        }
    }
}

/// S3 Block Public Access, for a bucket or the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn all(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }

    /// The flags that are off, as S3 names them.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            (self.block_public_acls, "BlockPublicAcls"),
            (self.ignore_public_acls, "IgnorePublicAcls"),
            (self.block_public_policy, "BlockPublicPolicy"),
            (self.restrict_public_buckets, "RestrictPublicBuckets"),
        ]
        .into_iter()
        .filter(|(on, _)| !on)
        .map(|(_, name)| name)
        .collect()
    }
}

/// One grant of a bucket ACL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AclGrant {
    /// A group's URI (`http://acs.amazonaws.com/groups/global/AllUsers`),
    /// a canonical user id, or an email.
    pub grantee: String,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`.
    pub permission: String,
}

pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

impl AclGrant {
    /// Granted to everyone, or to every AWS account.
    pub fn is_public(&self) -> bool {
        self.grantee == ALL_USERS || self.grantee == AUTHENTICATED_USERS
    }
}

/// Default encryption of a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// An S3 bucket. Its region is the node's (from GetBucketLocation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Bucket {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Answer<PolicyDocument>>,
    /// GetBucketPolicyStatus: S3's own judgement of the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_public: Option<Answer<bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Vec<AclGrant>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<Answer<PublicAccessBlock>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Answer<BucketEncryption>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<AccessLogging>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<Versioning>,
}

/// A bucket's server access logging, as read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccessLogging {
    /// The bucket the access logs go to; `None`: logging off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// A bucket's versioning, as read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Versioning {
    /// `Enabled`, `Suspended`; `None`: never enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A KMS key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KmsKey {
    /// `CUSTOMER` or `AWS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_state: Option<String>,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// GetKeyRotationStatus; `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// GetKeyPolicy: who may use the key (IAM policies count only where it
    /// lets them). `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Answer<PolicyDocument>>,
}

/// An EBS volume.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Volume {
    #[serde(default, skip_serializing_if = "is_false")]
    pub encrypted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_gib: Option<i64>,
    /// `in-use`, `available`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// The instances it is attached to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_ids: Vec<String>,
}

/// An RDS database instance.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DbInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub publicly_accessible: bool,
    /// `None` when the answer did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_encrypted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}
