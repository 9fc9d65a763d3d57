//! The posture checks over files shaped as the AWS CLI and CloudMapper
//! write them: error answers that mean "asked, and AWS said none", what
//! other tools get wrong, and bad input that stays local.

use serde_json::{Value, json};
use skyhound::analysis::finding::Status;
use skyhound::source::import::{ImportOptions, import_dir};

const ACCOUNT: &str = "123456789012";

fn write(dir: &std::path::Path, region: &str, name: &str, value: Value) {
    let path = dir.join(ACCOUNT).join(region).join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, serde_json::to_vec(&value).expect("json")).expect("write");
}

fn error(code: &str) -> Value {
    json!({"Error": {"Code": code, "Message": "as S3 answers"}})
}

fn results(dir: &std::path::Path) -> (Vec<skyhound::analysis::Finding>, Vec<String>) {
    let imported = import_dir(dir, &ImportOptions::default()).expect("imports");
    let problems = imported.problems.iter().map(|p| p.to_string()).collect();
    let a = skyhound::analysis::analyse(&imported.graph);
    (a.results().cloned().collect(), problems)
}

fn status(found: &[skyhound::analysis::Finding], check: &str, resource: &str) -> Vec<Status> {
    found
        .iter()
        .filter(|f| f.check == check && f.resource == resource)
        .map(|f| f.status)
        .collect()
}

#[test]
fn buckets_read_error_answers_regions_and_bad_policies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let east = "us-east-1";
    write(
        d,
        east,
        "sts-get-caller-identity.json",
        json!({"Account": ACCOUNT, "Arn": format!("arn:aws:iam::{ACCOUNT}:user/me"), "UserId": "AIDA"}),
    );
    write(
        d,
        east,
        "s3-list-buckets.json",
        json!({"Buckets": [
            {"Name": "backups", "CreationDate": "2024-01-01T00:00:00+00:00"},
            {"Name": "eu-data"},
            {"Name": "broken"},
            {"Name": "tls-only"}
        ]}),
    );
    write(
        d,
        east,
        "s3control-get-public-access-block.json",
        json!({"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": true, "IgnorePublicAcls": false, "BlockPublicPolicy": true, "RestrictPublicBuckets": false}}),
    );
    // backups: public through an AllUsers ACL grant, no policy at all.
    write(
        d,
        east,
        "s3-get-bucket-location/backups",
        json!({"LocationConstraint": null}),
    );
    write(
        d,
        east,
        "s3-get-bucket-policy/backups",
        error("NoSuchBucketPolicy"),
    );
    write(
        d,
        east,
        "s3-get-bucket-policy-status/backups",
        error("NoSuchBucketPolicy"),
    );
    write(
        d,
        east,
        "s3-get-bucket-acl/backups",
        json!({"Grants": [
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}),
    );
    write(
        d,
        east,
        "s3-get-public-access-block/backups",
        error("NoSuchPublicAccessBlockConfiguration"),
    );
    write(
        d,
        east,
        "s3-get-bucket-encryption/backups",
        error("ServerSideEncryptionConfigurationNotFoundError"),
    );
    // eu-data: EU is eu-west-1; nothing else was collected.
    write(
        d,
        east,
        "s3-get-bucket-location/eu-data",
        json!({"LocationConstraint": "EU"}),
    );
    // broken: a policy that does not parse.
    write(
        d,
        east,
        "s3-get-bucket-policy/broken",
        json!({"Policy": "{not json"}),
    );
    // tls-only: a policy denying plain HTTP, judged not public by S3.
    let tls = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    write(
        d,
        east,
        "s3-get-bucket-policy/tls-only",
        json!({"Policy": tls.to_string()}),
    );
    write(
        d,
        east,
        "s3-get-bucket-policy-status/tls-only",
        json!({"PolicyStatus": {"IsPublic": false}}),
    );
    write(
        d,
        east,
        "s3-get-bucket-acl/tls-only",
        json!({"Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}]}),
    );
    write(
        d,
        east,
        "s3-get-bucket-encryption/tls-only",
        json!({"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/k1"}}]}}),
    );

    let (found, problems) = results(d);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("bucket broken") && p.contains("policy does not parse")),
        "{problems:?}"
    );
    let bpa = found
        .iter()
        .find(|f| f.check == "s3.account-public-access-block")
        .expect("account result");
    assert_eq!(bpa.status, Status::Fail, "two of four flags is a fail");
    assert!(bpa.title.contains("IgnorePublicAcls") && bpa.title.contains("RestrictPublicBuckets"));

    assert_eq!(
        status(&found, "s3.bucket-public", "backups"),
        [Status::Fail]
    );
    assert_eq!(
        status(&found, "s3.bucket-encryption", "backups"),
        [Status::Fail]
    );
    assert_eq!(
        status(&found, "s3.bucket-tls-only", "backups"),
        [Status::Fail]
    );
    assert_eq!(
        status(&found, "s3.bucket-public", "eu-data"),
        [Status::Unknown]
    );
    assert_eq!(
        status(&found, "s3.bucket-tls-only", "broken"),
        [Status::Unknown]
    );
    assert_eq!(
        status(&found, "s3.bucket-public", "tls-only"),
        [Status::Pass]
    );
    assert_eq!(
        status(&found, "s3.bucket-tls-only", "tls-only"),
        [Status::Pass]
    );
    assert_eq!(
        status(&found, "s3.bucket-encryption", "tls-only"),
        [Status::Pass]
    );
    let eu = found
        .iter()
        .find(|f| f.resource == "eu-data")
        .expect("eu-data");
    assert_eq!(eu.region.as_deref(), Some("eu-west-1"));
}

#[test]
fn trails_volumes_keys_and_databases_from_their_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let east = "us-east-1";
    let arn = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main");
    write(
        d,
        east,
        "sts-get-caller-identity.json",
        json!({"Account": ACCOUNT, "Arn": format!("arn:aws:iam::{ACCOUNT}:user/me"), "UserId": "AIDA"}),
    );
    write(
        d,
        east,
        "cloudtrail-describe-trails.json",
        json!({"trailList": [{
        "Name": "main", "TrailARN": arn, "HomeRegion": "us-east-1", "IsMultiRegionTrail": true,
        "S3BucketName": "trail-logs", "LogFileValidationEnabled": false}]}),
    );
    write(
        d,
        "eu-west-1",
        "cloudtrail-describe-trails.json",
        json!({"trailList": [{
        "Name": "main", "TrailARN": arn, "HomeRegion": "us-east-1", "IsMultiRegionTrail": true,
        "S3BucketName": "trail-logs", "LogFileValidationEnabled": false}]}),
    );
    write(
        d,
        east,
        &format!("cloudtrail-get-trail-status/{}", urlencode(&arn)),
        json!({"IsLogging": true}),
    );
    write(
        d,
        east,
        "ec2-describe-volumes.json",
        json!({"Volumes": [
        {"VolumeId": "vol-plain", "Encrypted": false, "Size": 8, "Attachments": [{"InstanceId": "i-1"}]},
        {"VolumeId": "vol-safe", "Encrypted": true, "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1"}]}),
    );
    write(
        d,
        east,
        "ec2-get-ebs-encryption-by-default.json",
        json!({"EbsEncryptionByDefault": false}),
    );
    write(
        d,
        east,
        "kms-list-keys.json",
        json!({"Keys": [{"KeyId": "k1"}, {"KeyId": "k-aws"}, {"KeyId": "k-rsa"}]}),
    );
    write(
        d,
        east,
        "kms-describe-key/k1",
        json!({"KeyMetadata": {"KeyId": "k1", "KeyManager": "CUSTOMER", "KeyState": "Enabled", "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS"}}),
    );
    write(
        d,
        east,
        "kms-get-key-rotation-status/k1",
        json!({"KeyRotationEnabled": false}),
    );
    write(
        d,
        east,
        "kms-describe-key/k-aws",
        json!({"KeyMetadata": {"KeyId": "k-aws", "KeyManager": "AWS", "KeyState": "Enabled", "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS"}}),
    );
    write(
        d,
        east,
        "kms-describe-key/k-rsa",
        json!({"KeyMetadata": {"KeyId": "k-rsa", "KeyManager": "CUSTOMER", "KeyState": "Enabled", "KeySpec": "RSA_2048", "Origin": "AWS_KMS"}}),
    );
    write(
        d,
        east,
        "rds-describe-db-instances.json",
        json!({"DBInstances": [{
        "DBInstanceIdentifier": "orders", "DBInstanceArn": format!("arn:aws:rds:us-east-1:{ACCOUNT}:db:orders"),
        "Engine": "mysql", "PubliclyAccessible": true, "StorageEncrypted": false,
        "DBSubnetGroup": {"VpcId": "vpc-1", "Subnets": [{"SubnetIdentifier": "subnet-1"}]},
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1"}]}]}),
    );

    let (found, problems) = results(d);
    assert!(problems.is_empty(), "{problems:?}");
    let trails: Vec<&skyhound::analysis::Finding> = found
        .iter()
        .filter(|f| f.check == "cloudtrail.log-validation")
        .collect();
    assert_eq!(trails.len(), 1, "a shadow trail is the same trail");
    assert_eq!(trails[0].status, Status::Fail);
    assert_eq!(
        status(&found, "cloudtrail.bucket-public", &arn),
        [Status::Unknown],
        "the trail's bucket was not collected"
    );
    assert_eq!(
        status(&found, "ec2.volume-encrypted", "vol-plain"),
        [Status::Fail]
    );
    assert_eq!(
        status(&found, "ec2.volume-encrypted", "vol-safe"),
        [Status::Pass]
    );
    assert_eq!(
        status(
            &found,
            "ec2.ebs-default-encryption",
            &format!("{ACCOUNT}/us-east-1")
        ),
        [Status::Fail]
    );
    assert_eq!(status(&found, "kms.rotation", "k1"), [Status::Fail]);
    assert!(
        status(&found, "kms.rotation", "k-aws").is_empty(),
        "AWS managed keys are not evaluated"
    );
    assert!(
        status(&found, "kms.rotation", "k-rsa").is_empty(),
        "asymmetric keys are not evaluated"
    );
    let db = format!("arn:aws:rds:us-east-1:{ACCOUNT}:db:orders");
    assert_eq!(status(&found, "rds.encrypted", &db), [Status::Fail]);
    assert_eq!(status(&found, "rds.public", &db), [Status::Fail]);
}

/// Python's `urllib.parse.quote_plus`, as CloudMapper names its files.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
