//! S3, S3 Control, KMS and RDS answers as the API's JSON shapes.

use aws_sdk_kms::types as kms;
use aws_sdk_rds::types as rds;
use aws_sdk_s3::types as s3;
use serde_json::{Value, json};

use super::time;

/// An error answer kept as the CLI prints it: asked, and AWS said none.
pub fn error(code: &str) -> Value {
    json!({"Error": {"Code": code}})
}

pub fn bucket(b: &s3::Bucket) -> Value {
    json!({"Name": b.name(), "CreationDate": time(b.creation_date())})
}

pub fn buckets(list: &[s3::Bucket]) -> Value {
    json!({"Buckets": list.iter().map(bucket).collect::<Vec<_>>()})
}

pub fn location(constraint: Option<&str>) -> Value {
    json!({"LocationConstraint": constraint})
}

pub fn policy(text: Option<&str>) -> Value {
    json!({"Policy": text})
}

pub fn policy_status(public: Option<bool>) -> Value {
    json!({"PolicyStatus": {"IsPublic": public.unwrap_or(false)}})
}

pub fn acl(grants: &[s3::Grant]) -> Value {
    json!({"Grants": grants.iter().map(|g| json!({
        "Grantee": g.grantee().map(|e| json!({
            "Type": e.r#type().as_str(), "URI": e.uri(), "ID": e.id(), "EmailAddress": e.email_address(),
        })),
        "Permission": g.permission().map(|p| p.as_str()),
    })).collect::<Vec<_>>()})
}

pub fn public_access_block(
    block_acls: Option<bool>,
    ignore_acls: Option<bool>,
    block_policy: Option<bool>,
    restrict: Option<bool>,
) -> Value {
    json!({"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": block_acls.unwrap_or(false), "IgnorePublicAcls": ignore_acls.unwrap_or(false),
        "BlockPublicPolicy": block_policy.unwrap_or(false), "RestrictPublicBuckets": restrict.unwrap_or(false),
    }})
}

pub fn encryption(rules: &[s3::ServerSideEncryptionRule]) -> Value {
    json!({"ServerSideEncryptionConfiguration": {"Rules": rules.iter().map(|r| json!({
        "ApplyServerSideEncryptionByDefault": r.apply_server_side_encryption_by_default().map(|d| json!({
            "SSEAlgorithm": d.sse_algorithm().as_str(), "KMSMasterKeyID": d.kms_master_key_id(),
        })),
    })).collect::<Vec<_>>()}})
}

pub fn logging(target: Option<&s3::LoggingEnabled>) -> Value {
    match target {
        Some(t) => {
            json!({"LoggingEnabled": {"TargetBucket": t.target_bucket(), "TargetPrefix": t.target_prefix()}})
        }
        None => json!({}),
    }
}

pub fn versioning(status: Option<&str>) -> Value {
    match status {
        Some(s) => json!({"Status": s}),
        None => json!({}),
    }
}

pub fn key(k: &kms::KeyListEntry) -> Value {
    json!({"KeyId": k.key_id(), "KeyArn": k.key_arn()})
}

pub fn key_metadata(m: &kms::KeyMetadata) -> Value {
    json!({"KeyMetadata": {
        "KeyId": m.key_id(), "Arn": m.arn(), "KeyManager": m.key_manager().map(|x| x.as_str()),
        "KeyState": m.key_state().map(|x| x.as_str()), "KeySpec": m.key_spec().map(|x| x.as_str()),
        "Origin": m.origin().map(|x| x.as_str()), "Description": m.description(), "Enabled": m.enabled(),
    }})
}

pub fn rotation(enabled: bool) -> Value {
    json!({"KeyRotationEnabled": enabled})
}

pub fn alias(a: &kms::AliasListEntry) -> Value {
    json!({"AliasName": a.alias_name(), "TargetKeyId": a.target_key_id(), "AliasArn": a.alias_arn()})
}

pub fn db_instance(d: &rds::DbInstance) -> Value {
    json!({
        "DBInstanceIdentifier": d.db_instance_identifier(), "DBInstanceArn": d.db_instance_arn(), "Engine": d.engine(),
        "DBInstanceStatus": d.db_instance_status(), "PubliclyAccessible": d.publicly_accessible(),
        "StorageEncrypted": d.storage_encrypted(), "KmsKeyId": d.kms_key_id(),
        "Endpoint": d.endpoint().map(|e| json!({"Address": e.address(), "Port": e.port()})),
        "DBSubnetGroup": d.db_subnet_group().map(|g| json!({
            "VpcId": g.vpc_id(), "DBSubnetGroupName": g.db_subnet_group_name(),
            "Subnets": g.subnets().iter().map(|s| json!({"SubnetIdentifier": s.subnet_identifier()})).collect::<Vec<_>>(),
        })),
        "VpcSecurityGroups": d.vpc_security_groups().iter().map(|g| json!({
            "VpcSecurityGroupId": g.vpc_security_group_id(), "Status": g.status(),
        })).collect::<Vec<_>>(),
    })
}
