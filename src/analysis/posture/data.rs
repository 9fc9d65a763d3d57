//! Data protection: S3 Block Public Access for the account (CIS 2.1.4, all
//! four flags), buckets not public, encrypted and TLS-only (2.1.1), EBS
//! default encryption (2.2.1) and encrypted volumes, RDS encrypted (2.3.1),
//! KMS key rotation (3.6). A setting not read is unknown.

use serde_json::Value;

use super::account::{self, region_flag};
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::{Graph, NodeId};
use crate::model::policy::string_or_list;
use crate::model::{Answer, Bucket, Node, NodeData, PublicAccessBlock, Severity};
use crate::source::operations as ops;

pub const ACCOUNT_BPA: Check = Check {
    id: "s3.account-public-access-block",
    badge: Some("NO BPA"),
    title: "S3 Block Public Access off for the account",
    severity: Severity::High,
    epic: Epic::DataProtection,
    cis: Cis::moved("2.1.4", "2.1.5"),
    description: "the account's S3 Block Public Access does not have all four flags on (two of four is a fail)",
};

pub const BUCKET_PUBLIC: Check = Check {
    id: "s3.bucket-public",
    badge: Some("PUBLIC"),
    title: "Public bucket",
    severity: Severity::Critical,
    epic: Epic::DataProtection,
    cis: Cis::NONE,
    description: "a bucket S3 judges public by its policy (GetBucketPolicyStatus), or with an ACL grant to AllUsers or AuthenticatedUsers, that Block Public Access at the bucket or account does not neutralise",
};

pub const BUCKET_ENCRYPTION: Check = Check {
    id: "s3.bucket-encryption",
    badge: Some("UNENCRYPTED"),
    title: "Bucket without default encryption",
    severity: Severity::Low,
    epic: Epic::DataProtection,
    cis: Cis::v1_5_only("2.1.1"),
    description: "a bucket with no default encryption configuration (S3 encrypts new objects with SSE-S3 since January 2023; a bucket that says so explicitly, or uses KMS, passes)",
};

pub const BUCKET_TLS: Check = Check {
    id: "s3.bucket-tls-only",
    badge: Some("HTTP ALLOWED"),
    title: "Bucket accepts plain HTTP",
    severity: Severity::Medium,
    epic: Epic::DataProtection,
    cis: Cis::moved("2.1.1", "2.1.2"),
    description: "a bucket whose policy has no statement denying requests with aws:SecureTransport false",
};

pub const EBS_DEFAULT: Check = Check {
    id: "ec2.ebs-default-encryption",
    badge: Some("NO EBS DEFAULT"),
    title: "EBS encryption by default off",
    severity: Severity::Medium,
    epic: Epic::DataProtection,
    cis: Cis::both("2.2.1"),
    description: "a region where new EBS volumes are not encrypted by default (GetEbsEncryptionByDefault)",
};

pub const VOLUME_ENCRYPTED: Check = Check {
    id: "ec2.volume-encrypted",
    badge: Some("UNENCRYPTED"),
    title: "Unencrypted EBS volume",
    severity: Severity::Medium,
    epic: Epic::DataProtection,
    cis: Cis::NONE,
    description: "an EBS volume that is not encrypted: its data and snapshots can be read by whoever gets a copy",
};

pub const RDS_ENCRYPTED: Check = Check {
    id: "rds.encrypted",
    badge: Some("UNENCRYPTED"),
    title: "Unencrypted database",
    severity: Severity::High,
    epic: Epic::DataProtection,
    cis: Cis::both("2.3.1"),
    description: "an RDS DB instance whose storage is not encrypted",
};

pub const KMS_ROTATION: Check = Check {
    id: "kms.rotation",
    badge: Some("NO ROTATION"),
    title: "KMS key without rotation",
    severity: Severity::Medium,
    epic: Epic::DataProtection,
    cis: Cis::moved("3.6", "3.8"),
    description: "a customer managed, enabled, symmetric key with AWS-generated material whose automatic rotation is off (AWS managed, imported, asymmetric and pending-deletion keys are not evaluated)",
};

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut account_bpa = std::collections::BTreeMap::new();
    for (id, n, a) in account::loaded(graph) {
        account_bpa.insert(n.id.as_str(), a.s3_public_access_block.as_ref());
        out.push(account_block(id, n, a.s3_public_access_block.as_ref()));
    }
    for (id, n) in graph.nodes() {
        match &n.data {
            NodeData::Bucket(b) => {
                let account = account_bpa.get(n.account.as_str()).copied().flatten();
                out.push(bucket_public((id, n), b, account));
                out.push(bucket_encryption((id, n), b));
                out.push(bucket_tls((id, n), b));
            }
            NodeData::Region(r) if graph.by_id(&n.account).is_some() => {
                out.push(ebs_default(graph, (id, n), r.ebs_encryption_by_default));
            }
            NodeData::Volume(v) => {
                let evidence = vec![Evidence::property(
                    &n.id,
                    "Encrypted",
                    v.encrypted.to_string(),
                )];
                out.push(if v.encrypted {
                    Finding::passed(&VOLUME_ENCRYPTED, (id, n), "encrypted", evidence)
                } else {
                    Finding::on(
                        &VOLUME_ENCRYPTED,
                        Status::Fail,
                        (id, n),
                        "not encrypted",
                        evidence,
                        Remediation::new(
                            "Snapshot the volume, copy the snapshot with encryption on, create a volume from the copy and swap it in; turn on EBS encryption by default so new volumes are encrypted",
                        )
                        .with_command(format!(
                            "aws ec2 create-snapshot --volume-id {} --description 'before encrypting'{}",
                            n.id,
                            region_flag(n)
                        )),
                    )
                });
            }
            NodeData::DbInstance(d) => {
                let name = n.display_name();
                out.push(match d.storage_encrypted {
                    Some(true) => Finding::passed(
                        &RDS_ENCRYPTED,
                        (id, n),
                        "storage encrypted",
                        vec![Evidence::property(name, "StorageEncrypted", "true")],
                    ),
                    Some(false) => Finding::on(
                        &RDS_ENCRYPTED,
                        Status::Fail,
                        (id, n),
                        "storage not encrypted",
                        vec![Evidence::property(name, "StorageEncrypted", "false")],
                        Remediation::new(
                            "Encryption cannot be turned on in place: snapshot the instance, copy the snapshot with a KMS key, restore from the copy and switch the application over",
                        )
                        .with_command(format!(
                            "aws rds create-db-snapshot --db-instance-identifier {name} --db-snapshot-identifier {name}-before-encryption{}",
                            region_flag(n)
                        )),
                    ),
                    None => Finding::on(
                        &RDS_ENCRYPTED,
                        Status::Unknown,
                        (id, n),
                        "the answer did not say whether storage is encrypted",
                        vec![Evidence::property(name, "StorageEncrypted", "not collected")],
                        Remediation::new("Collect with rds:DescribeDBInstances allowed"),
                    ),
                });
            }
            NodeData::KmsKey(k) => {
                if let Some(f) = kms_rotation(graph, (id, n), k) {
                    out.push(f);
                }
            }
            _ => {}
        }
    }
    out
}

fn account_block(id: NodeId, n: &Node, bpa: Option<&Answer<PublicAccessBlock>>) -> Finding {
    let fix = Remediation::new(
        "Turn on all four Block Public Access settings for the account (check first that no bucket must stay public: a website belongs behind CloudFront)",
    )
    .with_command(format!(
        "aws s3control put-public-access-block --account-id {} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        n.id
    ));
    match bpa {
        None => Finding::on(
            &ACCOUNT_BPA,
            Status::Unknown,
            (id, n),
            "the account's Block Public Access was not collected",
            vec![Evidence::property(
                &n.id,
                "s3control get-public-access-block",
                "not collected",
            )],
            Remediation::new("Collect with s3:GetAccountPublicAccessBlock allowed"),
        ),
        Some(Answer::None { code }) => Finding::on(
            &ACCOUNT_BPA,
            Status::Fail,
            (id, n),
            "no Block Public Access configuration for the account",
            vec![Evidence::property(&n.id, "get-public-access-block", code)],
            fix,
        ),
        Some(Answer::Value(b)) if b.all() => Finding::passed(
            &ACCOUNT_BPA,
            (id, n),
            "all four flags on",
            vec![Evidence::property(
                &n.id,
                "PublicAccessBlockConfiguration",
                "all four true",
            )],
        ),
        Some(Answer::Value(b)) => Finding::on(
            &ACCOUNT_BPA,
            Status::Fail,
            (id, n),
            format!("off: {}", b.missing().join(", ")),
            b.missing()
                .into_iter()
                .map(|f| Evidence::property(&n.id, f, "false"))
                .collect(),
            fix,
        ),
    }
}

pub(super) fn bucket_public(
    at: (NodeId, &Node),
    b: &Bucket,
    account: Option<&Answer<PublicAccessBlock>>,
) -> Finding {
    let n = at.1;
    let block = |pick: fn(&PublicAccessBlock) -> bool| {
        let bucket = b
            .public_access_block
            .as_ref()
            .and_then(Answer::value)
            .is_some_and(pick);
        let acct = account.and_then(Answer::value).is_some_and(pick);
        bucket || acct
    };
    let mut evidence = Vec::new();
    let mut unknown = Vec::new();
    let policy_public = match &b.policy_public {
        Some(Answer::Value(p)) => {
            evidence.push(Evidence::property(
                &n.id,
                "PolicyStatus.IsPublic",
                p.to_string(),
            ));
            *p && !block(|p| p.restrict_public_buckets)
        }
        Some(Answer::None { code }) => {
            evidence.push(Evidence::property(&n.id, "bucket policy", code));
            false
        }
        None => {
            unknown.push("policy status");
            false
        }
    };
    let acl_public = match &b.acl {
        Some(grants) => {
            let public: Vec<_> = grants.iter().filter(|g| g.is_public()).collect();
            for g in &public {
                evidence.push(Evidence::property(
                    &n.id,
                    "ACL grant",
                    format!("{} to {}", g.permission, g.grantee),
                ));
            }
            !public.is_empty() && !block(|p| p.ignore_public_acls)
        }
        None => {
            unknown.push("ACL");
            false
        }
    };
    if policy_public || acl_public {
        let how = match (policy_public, acl_public) {
            (true, true) => "by its policy and its ACL",
            (true, false) => "by its policy",
            _ => "by its ACL",
        };
        return Finding::on(
            &BUCKET_PUBLIC,
            Status::Fail,
            at,
            format!("public {how}, and Block Public Access does not stop it"),
            evidence,
            Remediation::new(
                "Save the policy and ACL as evidence, then turn on Block Public Access for the bucket (and the account); find what read the bucket in CloudTrail data events or S3 access logs",
            )
            .with_command(format!("aws s3api get-bucket-policy --bucket {}", n.id))
            .with_command(format!("aws s3api get-bucket-acl --bucket {}", n.id))
            .with_command(format!(
                "aws s3api put-public-access-block --bucket {} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
                n.id
            )),
        );
    }
    if !unknown.is_empty() {
        return Finding::on(
            &BUCKET_PUBLIC,
            Status::Unknown,
            at,
            format!("not collected: {}", unknown.join(", ")),
            evidence,
            Remediation::new("Collect with s3:GetBucketPolicyStatus and s3:GetBucketAcl allowed"),
        );
    }
    Finding::passed(&BUCKET_PUBLIC, at, "not public", evidence)
}

fn bucket_encryption(at: (NodeId, &Node), b: &Bucket) -> Finding {
    let n = at.1;
    match &b.encryption {
        Some(Answer::Value(e)) => Finding::passed(
            &BUCKET_ENCRYPTION,
            at,
            format!("default encryption {}", e.algorithm),
            vec![Evidence::property(&n.id, "SSEAlgorithm", &e.algorithm)],
        ),
        Some(Answer::None { code }) => Finding::on(
            &BUCKET_ENCRYPTION,
            Status::Fail,
            at,
            "no default encryption configuration",
            vec![Evidence::property(&n.id, "get-bucket-encryption", code)],
            Remediation::new("Set default encryption (SSE-KMS with a customer managed key where access must be audited)")
                .with_command(format!(
                    "aws s3api put-bucket-encryption --bucket {} --server-side-encryption-configuration '{{\"Rules\":[{{\"ApplyServerSideEncryptionByDefault\":{{\"SSEAlgorithm\":\"aws:kms\"}}}}]}}'",
                    n.id
                )),
        ),
        None => Finding::on(
            &BUCKET_ENCRYPTION,
            Status::Unknown,
            at,
            "default encryption not collected",
            vec![Evidence::property(&n.id, "get-bucket-encryption", "not collected")],
            Remediation::new("Collect with s3:GetEncryptionConfiguration allowed"),
        ),
    }
}

/// A statement denying every request made without TLS.
fn denies_plain_http(s: &Value) -> bool {
    if s.get("Effect").and_then(Value::as_str) != Some("Deny") {
        return false;
    }
    let Some(cond) = s.get("Condition").and_then(Value::as_object) else {
        return false;
    };
    cond.iter().any(|(op, keys)| {
        op.eq_ignore_ascii_case("Bool")
            && keys.as_object().is_some_and(|k| {
                k.iter().any(|(key, v)| {
                    key.eq_ignore_ascii_case("aws:SecureTransport")
                        && string_or_list(v)
                            .iter()
                            .any(|x| x.eq_ignore_ascii_case("false"))
                        || (key.eq_ignore_ascii_case("aws:SecureTransport")
                            && v == &Value::Bool(false))
                })
            })
    })
}

fn bucket_tls(at: (NodeId, &Node), b: &Bucket) -> Finding {
    let n = at.1;
    let fix = Remediation::new(
        "Add a statement to the bucket policy denying s3:* on the bucket and its objects when aws:SecureTransport is false",
    );
    match &b.policy {
        None => Finding::on(
            &BUCKET_TLS,
            Status::Unknown,
            at,
            "bucket policy not collected",
            vec![Evidence::property(
                &n.id,
                "get-bucket-policy",
                "not collected",
            )],
            Remediation::new("Collect with s3:GetBucketPolicy allowed"),
        ),
        Some(Answer::None { code }) => Finding::on(
            &BUCKET_TLS,
            Status::Fail,
            at,
            "no bucket policy, so nothing refuses plain HTTP",
            vec![Evidence::property(&n.id, "bucket policy", code)],
            fix,
        ),
        Some(Answer::Value(doc)) => {
            match doc.statements().iter().position(|s| denies_plain_http(s)) {
                Some(i) => Finding::passed(
                    &BUCKET_TLS,
                    at,
                    "the policy denies requests without TLS",
                    vec![Evidence::property(
                        &n.id,
                        format!("policy statement {i}"),
                        "Deny when aws:SecureTransport is false",
                    )],
                ),
                None => Finding::on(
                    &BUCKET_TLS,
                    Status::Fail,
                    at,
                    "the policy does not deny requests without TLS",
                    vec![Evidence::property(
                        &n.id,
                        "bucket policy",
                        "no Deny on aws:SecureTransport false",
                    )],
                    fix,
                ),
            }
        }
    }
}

fn ebs_default(graph: &Graph, at: (NodeId, &Node), on: Option<bool>) -> Finding {
    let n = at.1;
    let region = n.region.as_deref().unwrap_or("?");
    match on {
        Some(true) => Finding::passed(
            &EBS_DEFAULT,
            at,
            "new volumes are encrypted by default",
            vec![Evidence::property(region, "EbsEncryptionByDefault", "true")],
        ),
        Some(false) => Finding::on(
            &EBS_DEFAULT,
            Status::Fail,
            at,
            "new volumes are not encrypted by default",
            vec![Evidence::property(region, "EbsEncryptionByDefault", "false")],
            Remediation::new("Turn on EBS encryption by default in this region (existing volumes stay as they are)")
                .with_command(format!("aws ec2 enable-ebs-encryption-by-default --region {region}")),
        ),
        None => Finding::on(
            &EBS_DEFAULT,
            Status::Unknown,
            at,
            "EBS encryption by default not collected",
            vec![Evidence::property(
                region,
                "get-ebs-encryption-by-default",
                account::not_collected(account::gap(
                    graph,
                    &n.account,
                    n.region.as_deref(),
                    &ops::GET_EBS_ENCRYPTION_BY_DEFAULT,
                )),
            )],
            Remediation::new("Collect with ec2:GetEbsEncryptionByDefault allowed"),
        ),
    }
}

fn kms_rotation(graph: &Graph, at: (NodeId, &Node), k: &crate::model::KmsKey) -> Option<Finding> {
    let n = at.1;
    let is = |v: &Option<String>, want: &str| v.as_deref() == Some(want);
    // Only customer managed, enabled, symmetric keys with AWS material
    // rotate automatically; the rest are not evaluated.
    if k.key_manager.is_none() || k.key_state.is_none() {
        return Some(Finding::on(
            &KMS_ROTATION,
            Status::Unknown,
            at,
            "the key was not described",
            vec![Evidence::property(&n.id, "describe-key", "not collected")],
            Remediation::new("Collect with kms:DescribeKey allowed"),
        ));
    }
    if !is(&k.key_manager, "CUSTOMER")
        || !is(&k.key_state, "Enabled")
        || !(k.key_spec.is_none() || is(&k.key_spec, "SYMMETRIC_DEFAULT"))
        || !(k.origin.is_none() || is(&k.origin, "AWS_KMS"))
    {
        return None;
    }
    Some(match k.rotation_enabled {
        Some(true) => Finding::passed(
            &KMS_ROTATION,
            at,
            "automatic rotation on",
            vec![Evidence::property(&n.id, "KeyRotationEnabled", "true")],
        ),
        Some(false) => Finding::on(
            &KMS_ROTATION,
            Status::Fail,
            at,
            "automatic rotation off",
            vec![Evidence::property(&n.id, "KeyRotationEnabled", "false")],
            Remediation::new("Turn on automatic key rotation").with_command(format!(
                "aws kms enable-key-rotation --key-id {}{}",
                n.id,
                region_flag(n)
            )),
        ),
        None => Finding::on(
            &KMS_ROTATION,
            Status::Unknown,
            at,
            "rotation status not collected",
            vec![Evidence::property(
                &n.id,
                "get-key-rotation-status",
                account::not_collected(account::gap(
                    graph,
                    &n.account,
                    n.region.as_deref(),
                    &ops::GET_KEY_ROTATION_STATUS,
                )),
            )],
            Remediation::new("Collect with kms:GetKeyRotationStatus allowed"),
        ),
    })
}
