//! Each CloudTrail trail's settings: log file validation (CIS 3.2), its
//! bucket not public and logging access (3.4), encrypted with KMS (3.5).
//! A trail's bucket that was not read (another account's, say) is unknown.

use super::data;
use crate::analysis::checks::{Check, Cis, Epic};
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::{Graph, NodeId};
use crate::model::{Bucket, Node, NodeData, NodeKind, Severity, Trail};

pub const LOG_VALIDATION: Check = Check {
    id: "cloudtrail.log-validation",
    badge: Some("NO VALIDATION"),
    title: "Trail without log file validation",
    severity: Severity::Medium,
    epic: Epic::LoggingAndMonitoring,
    cis: Cis::both("3.2"),
    description: "a trail whose log files carry no digest, so that a changed or deleted log goes unnoticed",
};

pub const BUCKET_PUBLIC: Check = Check {
    id: "cloudtrail.bucket-public",
    badge: Some("PUBLIC LOGS"),
    title: "Trail bucket is public",
    severity: Severity::Critical,
    epic: Epic::LoggingAndMonitoring,
    cis: Cis::v1_5_only("3.3"),
    description: "the bucket a trail delivers to is public by its policy or ACL (AllUsers or AuthenticatedUsers) and Block Public Access does not stop it",
};

pub const BUCKET_LOGGING: Check = Check {
    id: "cloudtrail.bucket-logging",
    badge: Some("NO ACCESS LOGS"),
    title: "Trail bucket without access logging",
    severity: Severity::Low,
    epic: Epic::LoggingAndMonitoring,
    cis: Cis::moved("3.4", "3.6"),
    description: "the bucket a trail delivers to does not log access to itself",
};

pub const KMS: Check = Check {
    id: "cloudtrail.kms",
    badge: Some("NO KMS"),
    title: "Trail not encrypted with KMS",
    severity: Severity::Medium,
    epic: Epic::LoggingAndMonitoring,
    cis: Cis::moved("3.5", "3.7"),
    description: "a trail whose logs are not encrypted with a KMS key (SSE-KMS), so that reading them needs no key permission",
};

pub fn findings(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes_of(NodeKind::Trail) {
        let NodeData::Trail(t) = &n.data else {
            continue;
        };
        let name = n.display_name();
        let region = t
            .home_region
            .as_deref()
            .map(|r| format!(" --region {r}"))
            .unwrap_or_default();
        out.push(if t.log_file_validation {
            Finding::passed(
                &LOG_VALIDATION,
                (id, n),
                "log file validation on",
                vec![Evidence::property(name, "LogFileValidationEnabled", "true")],
            )
        } else {
            Finding::on(
                &LOG_VALIDATION,
                Status::Fail,
                (id, n),
                "log file validation off",
                vec![Evidence::property(
                    name,
                    "LogFileValidationEnabled",
                    "false",
                )],
                Remediation::new("Turn on log file validation").with_command(format!(
                    "aws cloudtrail update-trail --name {} --enable-log-file-validation{region}",
                    n.id
                )),
            )
        });
        out.push(match &t.kms_key_id {
            Some(key) => Finding::passed(
                &KMS,
                (id, n),
                "encrypted with KMS",
                vec![Evidence::property(name, "KmsKeyId", key)],
            ),
            None => Finding::on(
                &KMS,
                Status::Fail,
                (id, n),
                "logs not encrypted with KMS",
                vec![Evidence::property(name, "KmsKeyId", "none")],
                Remediation::new(
                    "Encrypt the trail with a customer managed KMS key whose policy lets CloudTrail encrypt and only the log readers decrypt",
                )
                .with_command(format!(
                    "aws cloudtrail update-trail --name {} --kms-key-id KEY_ARN{region}",
                    n.id
                )),
            ),
        });
        out.extend(bucket_checks(graph, (id, n), t));
    }
    out
}

fn bucket_checks(graph: &Graph, at: (NodeId, &Node), t: &Trail) -> Vec<Finding> {
    let Some(bucket) = &t.bucket else {
        return Vec::new();
    };
    let found = graph.by_id(bucket).and_then(|b| match &graph.node(b).data {
        NodeData::Bucket(data) => Some((b, graph.node(b), data)),
        _ => None,
    });
    let Some((bid, bn, b)) = found else {
        let why = "the bucket was not collected (it may be in another account)";
        return [&BUCKET_PUBLIC, &BUCKET_LOGGING]
            .into_iter()
            .map(|check| {
                Finding::on(
                    check,
                    Status::Unknown,
                    at,
                    format!("bucket {bucket}: {why}"),
                    vec![Evidence::property(bucket, "bucket", why)],
                    Remediation::new("Collect the account that owns the bucket"),
                )
            })
            .collect();
    };
    let account = graph
        .by_id(&bn.account)
        .and_then(|a| match &graph.node(a).data {
            NodeData::Account(a) => a.s3_public_access_block.as_ref(),
            _ => None,
        });
    let public = data::bucket_public((bid, bn), b, account);
    let mut public = Finding {
        check: BUCKET_PUBLIC.id,
        severity: match public.status {
            Status::Unknown => Severity::Low,
            Status::Fail | Status::Pass => BUCKET_PUBLIC.severity,
        },
        title: format!("bucket {bucket}: {}", public.title),
        badge: BUCKET_PUBLIC
            .badge
            .filter(|_| public.status == Status::Fail),
        ..public
    };
    // The result is the trail's: its account and region, not the bucket's.
    public.node = at.0;
    public.resource = at.1.id.clone();
    public.name = at.1.name.clone();
    public.account = at.1.account.clone();
    public.region = at.1.region.clone();
    vec![public, logging(at, bucket, b)]
}

fn logging(at: (NodeId, &Node), bucket: &str, b: &Bucket) -> Finding {
    match b.logging.as_ref().map(|l| l.target.as_ref()) {
        Some(Some(target)) => Finding::passed(
            &BUCKET_LOGGING,
            at,
            format!("bucket {bucket} logs access to {target}"),
            vec![Evidence::property(bucket, "LoggingEnabled.TargetBucket", target)],
        ),
        Some(None) => Finding::on(
            &BUCKET_LOGGING,
            Status::Fail,
            at,
            format!("bucket {bucket} does not log access"),
            vec![Evidence::property(bucket, "LoggingEnabled", "none")],
            Remediation::new("Turn on server access logging for the trail's bucket, to another bucket")
                .with_command(format!(
                    "aws s3api put-bucket-logging --bucket {bucket} --bucket-logging-status '{{\"LoggingEnabled\":{{\"TargetBucket\":\"LOG_BUCKET\",\"TargetPrefix\":\"{bucket}/\"}}}}'"
                )),
        ),
        None => Finding::on(
            &BUCKET_LOGGING,
            Status::Unknown,
            at,
            format!("bucket {bucket}: access logging not collected"),
            vec![Evidence::property(bucket, "get-bucket-logging", "not collected")],
            Remediation::new("Collect with s3:GetBucketLogging allowed"),
        ),
    }
}
