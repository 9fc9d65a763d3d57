//! The IAM evaluator on accounts written as AWS CLI output
//! (`iam get-account-authorization-details`): each rule of AWS's decision
//! order, conditions with and without the keys, and bad documents.

use serde_json::{Value, json};
use skyhound::analysis::iam::{Decision, Engine, PolicyKind, Request};
use skyhound::graph::Graph;
use skyhound::source::import::{ImportOptions, import_dir};

pub(super) const ACCOUNT: &str = "111122223333";

pub(super) fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

pub(super) fn policy(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// One file of an account-data tree, as the AWS CLI writes it.
fn write_file(dir: &std::path::Path, account: &str, region: &str, rel: &str, value: &Value) {
    let path = dir.join(account).join(region).join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, serde_json::to_vec(value).expect("json")).expect("write");
}

/// An account from its authorization details.
pub(super) fn account(details: Value) -> Graph {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(
        dir.path(),
        ACCOUNT,
        "us-east-1",
        "iam-get-account-authorization-details.json",
        &details,
    );
    import_dir(dir.path(), &ImportOptions::default())
        .expect("imports")
        .graph
}

pub(super) fn user(
    name: &str,
    groups: &[&str],
    inline: Value,
    attached: &[&str],
    boundary: Option<&str>,
) -> Value {
    let mut u = json!({
        "UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Arn": arn("user", name), "Path": "/",
        "GroupList": groups, "UserPolicyList": inline,
        "AttachedManagedPolicies": attached.iter().map(|a| json!({"PolicyArn": a, "PolicyName": a.rsplit('/').next()})).collect::<Vec<_>>(),
    });
    if let Some(b) = boundary {
        u["PermissionsBoundary"] =
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b});
    }
    u
}

pub(super) fn inline(name: &str, doc: Value) -> Value {
    json!([{"PolicyName": name, "PolicyDocument": doc}])
}

pub(super) fn managed(name: &str, doc: Value) -> Value {
    json!({"PolicyName": name, "Arn": arn("policy", name), "DefaultVersionId": "v2", "AttachmentCount": 1,
           "PolicyVersionList": [
               {"Document": doc, "VersionId": "v2", "IsDefaultVersion": true},
               {"Document": policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])), "VersionId": "v1", "IsDefaultVersion": false}]})
}

pub(super) fn role(name: &str, trust: Value, inline_doc: Option<Value>) -> Value {
    json!({"RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()), "Arn": arn("role", name), "Path": "/",
           "AssumeRolePolicyDocument": trust,
           "RolePolicyList": inline_doc.map(|d| inline("own", d)).unwrap_or(json!([])),
           "AttachedManagedPolicies": [], "InstanceProfileList": []})
}

fn ask(
    g: &Graph,
    who: &str,
    action: &str,
    resource: &str,
    context: &[(&str, &str)],
) -> skyhound::analysis::iam::Answer {
    let principal = g.by_id(who).unwrap_or_else(|| panic!("{who} in the graph"));
    let context: Vec<(String, String)> = context
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Engine::new(g).decide(&Request {
        principal,
        action,
        resource,
        context: &context,
    })
}

#[test]
fn a_users_group_policies_count_and_an_explicit_deny_wins() {
    let g = account(json!({
        "UserDetailList": [
            user("alice", &["readers"], inline("no-delete", policy(json!([
                {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]))), &[], None),
            user("bob", &[], json!([]), &[], None),
        ],
        "GroupDetailList": [{"GroupName": "readers", "GroupId": "AGPA1", "Arn": arn("group", "readers"), "Path": "/",
            "GroupPolicyList": [], "AttachedManagedPolicyList": [],
            "AttachedManagedPolicies": [{"PolicyArn": arn("policy", "s3-all"), "PolicyName": "s3-all"}]}],
        "RoleDetailList": [],
        "Policies": [managed("s3-all", policy(json!([{"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}])))],
    }));
    let alice = arn("user", "alice");
    let a = ask(&g, &alice, "s3:GetObject", "arn:aws:s3:::b/k", &[]);
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    assert_eq!(
        a.evidence[0].kind,
        PolicyKind::Group,
        "the group's policy allows"
    );
    assert_eq!(a.evidence[0].sid.as_deref(), Some("S3"));
    // Only the default version counts: v1 would allow everything.
    let a = ask(&g, &alice, "iam:CreateUser", "*", &[]);
    assert_eq!(
        (a.decision, a.reason.as_str()),
        (Decision::Deny, "no allow"),
        "{a:?}"
    );
    let a = ask(&g, &alice, "s3:DeleteObject", "arn:aws:s3:::b/k", &[]);
    assert_eq!(
        (a.decision, a.reason.as_str()),
        (Decision::Deny, "explicit deny")
    );
    assert_eq!(a.evidence[0].sid.as_deref(), Some("NoDelete"));
    assert_eq!(a.evidence[0].statement, 0);
    let a = ask(&g, &arn("user", "bob"), "s3:GetObject", "*", &[]);
    assert_eq!(a.decision, Decision::Deny);
}

#[test]
fn a_permissions_boundary_caps_what_the_policies_grant() {
    let g = account(json!({
        "UserDetailList": [user("dev", &[], inline("all", policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))), &[], Some(&arn("policy", "s3-only")))],
        "GroupDetailList": [], "RoleDetailList": [],
        "Policies": [managed("s3-only", policy(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])))],
    }));
    let dev = arn("user", "dev");
    assert_eq!(
        ask(&g, &dev, "s3:PutObject", "*", &[]).decision,
        Decision::Allow
    );
    let a = ask(&g, &dev, "iam:CreateUser", "*", &[]);
    assert_eq!(
        (a.decision, a.reason.as_str()),
        (Decision::Deny, "boundary")
    );
}

#[test]
fn unknown_condition_keys_make_the_answer_conditional_and_known_ones_decide() {
    let g = account(json!({
        "UserDetailList": [user("ops", &[], inline("mfa", policy(json!([
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}},
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "*", "Condition": {"StringSortOf": {"k": "v"}}},
        ]))), &[], None)],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
    }));
    let ops = arn("user", "ops");
    let a = ask(&g, &ops, "ec2:RunInstances", "*", &[]);
    assert_eq!(a.decision, Decision::Conditional, "{a:?}");
    assert!(
        a.conditions
            .iter()
            .any(|c| c.contains("aws:MultiFactorAuthPresent")),
        "{a:?}"
    );
    assert_eq!(
        ask(
            &g,
            &ops,
            "ec2:RunInstances",
            "*",
            &[("aws:MultiFactorAuthPresent", "true")]
        )
        .decision,
        Decision::Allow
    );
    assert_eq!(
        ask(
            &g,
            &ops,
            "ec2:RunInstances",
            "*",
            &[("aws:MultiFactorAuthPresent", "false")]
        )
        .decision,
        Decision::Deny
    );
    // A Deny under an unknown condition is "allowed unless", not a deny.
    let a = ask(&g, &ops, "s3:GetObject", "*", &[]);
    assert_eq!(a.decision, Decision::Conditional);
    assert!(
        a.conditions
            .iter()
            .any(|c| c.starts_with("unless NotIpAddress")),
        "{a:?}"
    );
    assert_eq!(
        ask(
            &g,
            &ops,
            "s3:GetObject",
            "*",
            &[("aws:SourceIp", "203.0.113.7")]
        )
        .decision,
        Decision::Allow
    );
    assert_eq!(
        ask(
            &g,
            &ops,
            "s3:GetObject",
            "*",
            &[("aws:SourceIp", "198.51.100.7")]
        )
        .decision,
        Decision::Deny
    );
    // An operator skyhound does not know is never a plain allow.
    assert_eq!(
        ask(&g, &ops, "sqs:SendMessage", "*", &[("k", "v")]).decision,
        Decision::Conditional
    );
}

#[test]
fn not_action_resources_are_case_sensitive_and_variables_are_the_principals() {
    let g = account(json!({
        "UserDetailList": [
            user("alice", &[], inline("p", policy(json!([
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::Bucket/*"},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
            ]))), &[], None),
        ],
        "GroupDetailList": [],
        "RoleDetailList": [role("app", policy(json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])),
            Some(policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]))))],
        "Policies": [],
    }));
    let alice = arn("user", "alice");
    assert_eq!(
        ask(&g, &alice, "s3:PutObject", "arn:aws:s3:::Bucket/x", &[]).decision,
        Decision::Allow
    );
    assert_eq!(
        ask(&g, &alice, "iam:CreateUser", "arn:aws:s3:::Bucket/x", &[]).decision,
        Decision::Deny,
        "NotAction iam:*"
    );
    assert_eq!(
        ask(&g, &alice, "s3:PutObject", "arn:aws:s3:::bucket/x", &[]).decision,
        Decision::Deny,
        "resources are case-sensitive"
    );
    assert_eq!(
        ask(&g, &alice, "S3:getobject", "arn:aws:s3:::home/alice/x", &[]).decision,
        Decision::Allow,
        "actions are not"
    );
    assert_eq!(
        ask(&g, &alice, "s3:GetObject", "arn:aws:s3:::home/bob/x", &[]).decision,
        Decision::Deny
    );
    // A role has no aws:username: the variable matches nothing.
    assert_eq!(
        ask(
            &g,
            &arn("role", "app"),
            "s3:GetObject",
            "arn:aws:s3:::home/app/x",
            &[]
        )
        .decision,
        Decision::Deny
    );
}

#[test]
fn a_role_is_assumed_only_by_whom_its_trust_policy_names() {
    let trust_account = policy(
        json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}]),
    );
    let trust_alice = policy(
        json!([{"Effect": "Allow", "Principal": {"AWS": arn("user", "alice")}, "Action": "sts:AssumeRole"}]),
    );
    let g = account(json!({
        "UserDetailList": [
            user("alice", &[], json!([]), &[], None),
            user("bob", &[], inline("assume", policy(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]))), &[], None),
        ],
        "GroupDetailList": [],
        "RoleDetailList": [
            role("by-account", trust_account, None),
            role("by-name", trust_alice, None),
            role("ec2-only", policy(json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])), None),
        ],
        "Policies": [],
    }));
    let (alice, bob) = (arn("user", "alice"), arn("user", "bob"));
    // Naming the account needs the identity grant too.
    assert_eq!(
        ask(
            &g,
            &alice,
            "sts:AssumeRole",
            &arn("role", "by-account"),
            &[]
        )
        .decision,
        Decision::Deny
    );
    let a = ask(&g, &bob, "sts:AssumeRole", &arn("role", "by-account"), &[]);
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    assert!(a.evidence.iter().any(|e| e.kind == PolicyKind::Trust));
    // Naming the user's own ARN in the same account needs no identity grant.
    assert_eq!(
        ask(&g, &alice, "sts:AssumeRole", &arn("role", "by-name"), &[]).decision,
        Decision::Allow
    );
    // An identity grant alone never assumes a role that does not trust you.
    let a = ask(&g, &bob, "sts:AssumeRole", &arn("role", "ec2-only"), &[]);
    assert_eq!((a.decision, a.reason.as_str()), (Decision::Deny, "trust"));
}

#[test]
fn a_policy_that_was_not_collected_is_said_so() {
    let g = account(json!({
        "UserDetailList": [user("carol", &[], json!([]), &["arn:aws:iam::aws:policy/Missing"], None)],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
    }));
    let a = ask(&g, &arn("user", "carol"), "s3:GetObject", "*", &[]);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("arn:aws:iam::aws:policy/Missing") && n.contains("not collected")),
        "{a:?}"
    );
}

#[test]
fn admins_are_full_conditional_or_one_step_away_and_others_are_not() {
    let all = || policy(json!([{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]));
    let g = account(json!({
        "UserDetailList": [
            user("root-like", &[], inline("all", all()), &[], None),
            user("mfa-admin", &[], inline("all", policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]))), &[], None),
            user("no-iam", &[], inline("all", policy(json!([
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]))), &[], None),
            user("climber", &[], inline("self", policy(json!([
                {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": arn("user", "climber")}]))), &[], None),
            user("capped", &[], inline("self", policy(json!([
                {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "*"}]))), &[], Some(&arn("policy", "s3-only"))),
            user("everything-but-iam", &[], inline("p", policy(json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]))), &[], None),
            user("reader", &[], inline("p", policy(json!([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]))), &[], None),
        ],
        "GroupDetailList": [], "RoleDetailList": [],
        "Policies": [managed("s3-only", policy(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])))],
    }));
    let admins = Engine::new(&g).admins();
    let kind = |name: &str| {
        admins
            .iter()
            .find(|a| a.principal == arn("user", name))
            .map(|a| a.kind)
    };
    use skyhound::analysis::iam::AdminKind;
    assert_eq!(kind("root-like"), Some(AdminKind::Full));
    let full = admins
        .iter()
        .find(|a| a.principal == arn("user", "root-like"))
        .expect("admin");
    assert_eq!(
        full.evidence[0].sid.as_deref(),
        Some("All"),
        "the statement that makes it admin"
    );
    assert_eq!(kind("mfa-admin"), Some(AdminKind::Conditional));
    assert_eq!(
        kind("no-iam"),
        Some(AdminKind::Conditional),
        "a deny cuts it down"
    );
    let no_iam = admins
        .iter()
        .find(|a| a.principal == arn("user", "no-iam"))
        .expect("admin");
    assert!(
        no_iam
            .limits
            .iter()
            .any(|l| l.contains("iam:CreateUser") && l.contains("explicit deny")),
        "{:?}",
        no_iam.limits
    );
    assert_eq!(kind("climber"), Some(AdminKind::SelfEscalation));
    assert_eq!(
        kind("capped"),
        None,
        "a boundary caps what it could write on itself"
    );
    assert_eq!(
        kind("everything-but-iam"),
        None,
        "NotAction iam:* is not every action"
    );
    assert_eq!(kind("reader"), None);
}

/// An organization as its management account's AWS CLI output describes
/// it: the root with FullAWSAccess, OU `workloads` with a guardrail that
/// denies leaving, and OU `sandbox` whose only SCP allows S3 alone.
mod scp {
    use super::*;

    const MGMT: &str = "111111111111";
    const WORK: &str = "222222222222";
    const SANDBOX: &str = "333333333333";
    const ORG: &str = "o-exampleorg";

    fn write(dir: &std::path::Path, account: &str, name: &str, value: Value) {
        write_file(dir, account, "us-east-1", name, &value);
    }

    fn admin_role(account: &str, name: &str, path: &str) -> Value {
        json!({"RoleName": name, "RoleId": format!("AROA{name}"), "Arn": format!("arn:aws:iam::{account}:role{path}{name}"), "Path": path,
               "AssumeRolePolicyDocument": policy(json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{MGMT}:root")}, "Action": "sts:AssumeRole"}])),
               "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": policy(json!([{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]))}],
               "AttachedManagedPolicies": [], "InstanceProfileList": []})
    }

    fn organization(with_policies: bool) -> Graph {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        for account in [MGMT, WORK, SANDBOX] {
            let mut roles = vec![admin_role(account, "admin", "/")];
            roles.push(admin_role(
                account,
                "AWSServiceRoleForSupport",
                "/aws-service-role/support.amazonaws.com/",
            ));
            write(
                d,
                account,
                "iam-get-account-authorization-details.json",
                json!({"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": roles}),
            );
        }
        let acct = |id: &str| json!({"Id": id, "Arn": format!("arn:aws:organizations::{MGMT}:account/{ORG}/{id}"), "Name": id, "Status": "ACTIVE"});
        write(
            d,
            MGMT,
            "organizations-describe-organization.json",
            json!({"Organization": {"Id": ORG, "Arn": format!("arn:aws:organizations::{MGMT}:organization/{ORG}"), "MasterAccountId": MGMT}}),
        );
        write(
            d,
            MGMT,
            "organizations-list-accounts.json",
            json!({"Accounts": [acct(MGMT), acct(WORK), acct(SANDBOX)]}),
        );
        write(
            d,
            MGMT,
            "organizations-list-roots.json",
            json!({"Roots": [{"Id": "r-root", "Arn": format!("arn:aws:organizations::{MGMT}:root/{ORG}/r-root"), "Name": "Root",
            "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]}),
        );
        let ou = |id: &str, name: &str| json!({"Id": id, "Arn": format!("arn:aws:organizations::{MGMT}:ou/{ORG}/{id}"), "Name": name});
        write(
            d,
            MGMT,
            "organizations-list-organizational-units-for-parent/r-root",
            json!({"OrganizationalUnits": [ou("ou-root-work", "workloads"), ou("ou-root-sand", "sandbox")]}),
        );
        write(
            d,
            MGMT,
            "organizations-list-organizational-units-for-parent/ou-root-work",
            json!({"OrganizationalUnits": []}),
        );
        write(
            d,
            MGMT,
            "organizations-list-organizational-units-for-parent/ou-root-sand",
            json!({"OrganizationalUnits": []}),
        );
        write(
            d,
            MGMT,
            "organizations-list-accounts-for-parent/r-root",
            json!({"Accounts": [acct(MGMT)]}),
        );
        write(
            d,
            MGMT,
            "organizations-list-accounts-for-parent/ou-root-work",
            json!({"Accounts": [acct(WORK)]}),
        );
        write(
            d,
            MGMT,
            "organizations-list-accounts-for-parent/ou-root-sand",
            json!({"Accounts": [acct(SANDBOX)]}),
        );
        if with_policies {
            let summary = |id: &str, name: &str, aws: bool| {
                json!({"Id": id, "Arn": format!("arn:aws:organizations::{MGMT}:policy/{ORG}/service_control_policy/{id}"),
                "Name": name, "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": aws})
            };
            let policies = [
                (
                    "p-FullAWSAccess",
                    "FullAWSAccess",
                    true,
                    json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
                    vec!["r-root", "ou-root-work", WORK, MGMT, SANDBOX],
                ),
                (
                    "p-guardrail",
                    "guardrail",
                    false,
                    json!([{"Sid": "NoLeaving", "Effect": "Deny", "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"], "Resource": "*"}]),
                    vec!["ou-root-work"],
                ),
                (
                    "p-s3only",
                    "s3-only",
                    false,
                    json!([{"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
                    vec!["ou-root-sand"],
                ),
            ];
            write(
                d,
                MGMT,
                "organizations-list-policies.json",
                json!({"Policies": policies.iter().map(|(id, name, aws, _, _)| summary(id, name, *aws)).collect::<Vec<_>>()}),
            );
            for (id, name, aws, statements, targets) in &policies {
                write(
                    d,
                    MGMT,
                    &format!("organizations-describe-policy/{id}"),
                    json!({"Policy": {"PolicySummary": summary(id, name, *aws), "Content": policy(statements.clone()).to_string()}}),
                );
                write(
                    d,
                    MGMT,
                    &format!("organizations-list-targets-for-policy/{id}"),
                    json!({"Targets": targets.iter().map(|t| json!({"TargetId": t, "Type": "ACCOUNT"})).collect::<Vec<_>>()}),
                );
            }
        }
        let imported = import_dir(d, &ImportOptions::default()).expect("imports");
        assert!(imported.problems.is_empty(), "{:?}", imported.problems);
        imported.graph
    }

    fn role(account: &str) -> String {
        format!("arn:aws:iam::{account}:role/admin")
    }

    #[test]
    fn a_deny_at_an_ou_denies_even_an_admin_with_the_statement() {
        let g = organization(true);
        let a = ask(&g, &role(WORK), "organizations:LeaveOrganization", "*", &[]);
        assert_eq!(
            (a.decision, a.reason.as_str()),
            (Decision::Deny, "explicit deny"),
            "{a:?}"
        );
        assert_eq!(a.evidence[0].kind, PolicyKind::Scp);
        assert_eq!(a.evidence[0].sid.as_deref(), Some("NoLeaving"));
        assert!(a.evidence[0].policy.contains("p-guardrail"), "{a:?}");
        let a = ask(&g, &role(WORK), "ec2:RunInstances", "*", &[]);
        assert_eq!(a.decision, Decision::Allow, "{a:?}");
        assert!(a.notes.is_empty(), "SCPs were read: {a:?}");
    }

    #[test]
    fn a_level_without_an_allow_denies_with_reason_scp() {
        let g = organization(true);
        // The sandbox OU has only s3-only: FullAWSAccess on the root is not
        // enough, every level must allow.
        let a = ask(&g, &role(SANDBOX), "ec2:RunInstances", "*", &[]);
        assert_eq!(
            (a.decision, a.reason.as_str()),
            (Decision::Deny, "scp"),
            "{a:?}"
        );
        assert!(a.notes.iter().any(|n| n.contains("OU sandbox")), "{a:?}");
        let a = ask(&g, &role(SANDBOX), "s3:GetObject", "*", &[]);
        assert_eq!(a.decision, Decision::Allow, "{a:?}");
    }

    #[test]
    fn the_management_account_and_service_linked_roles_are_exempt() {
        let g = organization(true);
        let a = ask(&g, &role(MGMT), "organizations:LeaveOrganization", "*", &[]);
        assert_eq!(a.decision, Decision::Allow, "{a:?}");
        let linked = format!(
            "arn:aws:iam::{WORK}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"
        );
        let a = ask(&g, &linked, "cloudtrail:StopLogging", "*", &[]);
        assert_eq!(a.decision, Decision::Allow, "{a:?}");
    }

    #[test]
    fn an_admin_cut_down_by_an_scp_is_not_full_admin() {
        let g = organization(true);
        let admins = Engine::new(&g).admins();
        let work = admins
            .iter()
            .find(|a| a.principal == role(WORK))
            .expect("listed");
        assert_eq!(work.kind, skyhound::analysis::iam::AdminKind::Conditional);
        assert!(work.cut_down);
        assert!(
            work.limits.iter().any(|l| l.contains("LeaveOrganization")),
            "{work:?}"
        );
        let sandbox = admins.iter().find(|a| a.principal == role(SANDBOX));
        assert!(sandbox.is_some_and(|a| a.cut_down), "{sandbox:?}");
        let mgmt = admins
            .iter()
            .find(|a| a.principal == role(MGMT))
            .expect("listed");
        assert_eq!(mgmt.kind, skyhound::analysis::iam::AdminKind::Full);
    }

    #[test]
    fn without_the_policies_the_answer_says_scps_were_not_known() {
        let g = organization(false);
        let a = ask(&g, &role(WORK), "organizations:LeaveOrganization", "*", &[]);
        assert_eq!(a.decision, Decision::Allow, "{a:?}");
        assert!(
            a.notes
                .iter()
                .any(|n| n.contains("service control policies were not collected")),
            "{a:?}"
        );
        // The tree was read all the same.
        let ou = g.by_id("ou-root-work").expect("the OU is in the graph");
        assert_eq!(g.node(ou).name.as_deref(), Some("workloads"));
    }
}

#[test]
fn an_action_that_does_not_exist_is_a_problem_naming_the_policy_and_statement() {
    let g = account(json!({
        "UserDetailList": [user("typo", &[], inline("reads", policy(json!([
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjekt"], "Resource": "*"},
            {"Effect": "Allow", "Action": "s4:*", "Resource": "*"}]))), &[], None)],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
    }));
    let who = g.by_id(&arn("user", "typo")).expect("user");
    let mut engine = Engine::new(&g);
    let a = engine.decide(&Request {
        principal: who,
        action: "s3:GetObjekt",
        resource: "*",
        context: &[],
    });
    // Matching is literal, as AWS's is; the answer says the action is not one.
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    assert!(
        a.notes.iter().any(|n| n.contains("matches no action")),
        "{a:?}"
    );
    let problems = engine.problems.join("\n");
    assert!(
        problems
            .contains("user/typo:inline/reads: statement 0: \"s3:GetObjekt\" matches no action"),
        "{problems}"
    );
    assert!(
        problems.contains("statement 1: \"s4:*\": no service has the prefix"),
        "{problems}"
    );
    assert!(!problems.contains("\"s3:GetObject\""), "{problems}");
}

/// Two accounts' authorization details, and a bucket in the first with
/// this policy (and, when `restrict`, RestrictPublicBuckets on).
fn with_bucket(details: Value, other: Value, bucket_policy: Value, restrict: bool) -> Graph {
    with_bucket_acl(details, other, bucket_policy, restrict, None)
}

/// The same, with the bucket's ACL as GetBucketAcl answers it.
fn with_bucket_acl(
    details: Value,
    other: Value,
    bucket_policy: Value,
    restrict: bool,
    acl: Option<Value>,
) -> Graph {
    const OTHER: &str = "444455556666";
    let dir = tempfile::tempdir().expect("temp dir");
    let write =
        |account: &str, rel: &str, v: &Value| write_file(dir.path(), account, "us-east-1", rel, v);
    write(
        ACCOUNT,
        "iam-get-account-authorization-details.json",
        &details,
    );
    write(OTHER, "iam-get-account-authorization-details.json", &other);
    write(
        ACCOUNT,
        "s3-list-buckets.json",
        &json!({"Buckets": [{"Name": "reports"}]}),
    );
    write(
        ACCOUNT,
        "s3-get-bucket-location/reports",
        &json!({"LocationConstraint": null}),
    );
    write(
        ACCOUNT,
        "s3-get-bucket-policy/reports",
        &if bucket_policy.get("Error").is_some() {
            bucket_policy.clone()
        } else {
            json!({"Policy": bucket_policy.to_string()})
        },
    );
    write(
        ACCOUNT,
        "s3-get-bucket-policy-status/reports",
        &json!({"PolicyStatus": {"IsPublic": true}}),
    );
    write(
        ACCOUNT,
        "s3-get-public-access-block/reports",
        &json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": false, "IgnorePublicAcls": false,
            "BlockPublicPolicy": false, "RestrictPublicBuckets": restrict}}),
    );
    if let Some(acl) = acl {
        write(ACCOUNT, "s3-get-bucket-acl/reports", &acl);
    }
    import_dir(dir.path(), &ImportOptions::default())
        .expect("imports")
        .graph
}

#[test]
fn a_bucket_policy_allows_within_its_account_alone_and_across_accounts_with_iam() {
    let other_user = json!({"UserName": "eve", "UserId": "AIDAEVE", "Arn": "arn:aws:iam::444455556666:user/eve", "Path": "/",
        "GroupList": [], "UserPolicyList": inline("s3", policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]))),
        "AttachedManagedPolicies": []});
    let other_plain = json!({"UserName": "mallory", "UserId": "AIDAMAL", "Arn": "arn:aws:iam::444455556666:user/mallory", "Path": "/",
        "GroupList": [], "UserPolicyList": [], "AttachedManagedPolicies": []});
    let details = json!({"UserDetailList": [
        user("reader", &[], json!([]), &[], None),
        user("named", &[], json!([]), &[], None),
        user("nobody", &[], json!([]), &[], None),
    ], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let other = json!({"UserDetailList": [other_user, other_plain], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let bucket_policy = policy(json!([
        {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/public/*"},
        {"Sid": "Named", "Effect": "Allow", "Principal": {"AWS": arn("user", "named")}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
        {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::reports/*"}
    ]));
    let g = with_bucket(details.clone(), other.clone(), bucket_policy.clone(), false);
    // Within the account, a statement naming everyone or the user itself
    // is enough without any identity policy…
    let a = ask(
        &g,
        &arn("user", "reader"),
        "s3:GetObject",
        "arn:aws:s3:::reports/public/a.csv",
        &[],
    );
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    assert!(
        a.evidence
            .iter()
            .any(|e| e.kind == PolicyKind::Resource && e.sid.as_deref() == Some("Everyone"))
    );
    let a = ask(
        &g,
        &arn("user", "named"),
        "s3:GetObject",
        "arn:aws:s3:::reports/private/b.csv",
        &[],
    );
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    assert_eq!(
        ask(
            &g,
            &arn("user", "nobody"),
            "s3:GetObject",
            "arn:aws:s3:::reports/private/b.csv",
            &[]
        )
        .decision,
        Decision::Deny
    );
    // …but naming the account hands the decision to IAM.
    assert_eq!(
        ask(
            &g,
            &arn("user", "reader"),
            "s3:PutObject",
            "arn:aws:s3:::reports/private/b.csv",
            &[]
        )
        .decision,
        Decision::Deny
    );
    // The bucket's Deny wins.
    let a = ask(
        &g,
        &arn("user", "named"),
        "s3:DeleteObject",
        "arn:aws:s3:::reports/x",
        &[],
    );
    assert_eq!(
        (a.decision, a.reason.as_str()),
        (Decision::Deny, "explicit deny")
    );
    // From another account both must allow.
    let eve = "arn:aws:iam::444455556666:user/eve";
    assert_eq!(
        ask(
            &g,
            eve,
            "s3:GetObject",
            "arn:aws:s3:::reports/public/a.csv",
            &[]
        )
        .decision,
        Decision::Allow
    );
    assert_eq!(
        ask(
            &g,
            eve,
            "s3:GetObject",
            "arn:aws:s3:::reports/private/b.csv",
            &[]
        )
        .decision,
        Decision::Deny,
        "the bucket does not grant eve the private prefix"
    );
    assert_eq!(
        ask(
            &g,
            "arn:aws:iam::444455556666:user/mallory",
            "s3:GetObject",
            "arn:aws:s3:::reports/public/a.csv",
            &[]
        )
        .decision,
        Decision::Deny,
        "her own account does not allow it"
    );
    // RestrictPublicBuckets keeps the public policy to the bucket's account.
    let g = with_bucket(details, other, bucket_policy, true);
    assert_eq!(
        ask(
            &g,
            eve,
            "s3:GetObject",
            "arn:aws:s3:::reports/public/a.csv",
            &[]
        )
        .decision,
        Decision::Deny
    );
    assert_eq!(
        ask(
            &g,
            &arn("user", "reader"),
            "s3:GetObject",
            "arn:aws:s3:::reports/public/a.csv",
            &[]
        )
        .decision,
        Decision::Allow
    );
}

/// An account's authorization details and two KMS keys as the AWS CLI
/// writes them: `kms-get-key-policy/<key id>` for the first; the second's
/// policy could not be read.
fn with_keys(details: Value, other: Value, key_policy: Value) -> Graph {
    const OTHER: &str = "444455556666";
    let dir = tempfile::tempdir().expect("temp dir");
    let write =
        |account: &str, rel: &str, v: &Value| write_file(dir.path(), account, "eu-west-1", rel, v);
    write(
        ACCOUNT,
        "iam-get-account-authorization-details.json",
        &details,
    );
    write(OTHER, "iam-get-account-authorization-details.json", &other);
    let key_arn = |id: &str| format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{id}");
    write(
        ACCOUNT,
        "kms-list-keys.json",
        &json!({"Keys": [{"KeyId": "k1", "KeyArn": key_arn("k1")}, {"KeyId": "k2", "KeyArn": key_arn("k2")}]}),
    );
    write(
        ACCOUNT,
        "kms-get-key-policy/k1",
        &json!({"Policy": key_policy.to_string(), "PolicyName": "default"}),
    );
    write(
        ACCOUNT,
        "kms-get-key-policy/k2",
        &json!({"Error": {"Code": "AccessDeniedException"}}),
    );
    import_dir(dir.path(), &ImportOptions::default())
        .expect("imports")
        .graph
}

#[test]
fn a_key_policy_must_allow_and_decides_whether_iam_policies_count() {
    let admin = inline(
        "all",
        policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
    );
    let details = json!({"UserDetailList": [
        user("admin", &[], admin.clone(), &[], None),
        user("app", &[], json!([]), &[], None),
        user("ops", &[], inline("kms", policy(json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]))), &[], None),
    ], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let other = json!({"UserDetailList": [
        {"UserName": "eve", "UserId": "AIDAEVE", "Arn": "arn:aws:iam::444455556666:user/eve", "Path": "/",
         "GroupList": [], "UserPolicyList": admin, "AttachedManagedPolicies": []}
    ], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    // The account may administer the key through IAM; only app may use it.
    let key_policy = policy(json!([
        {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": ["kms:Describe*", "kms:Put*", "kms:Get*"], "Resource": "*"},
        {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": arn("user", "app")},
         "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"},
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": "kms:DescribeKey", "Resource": "*"}
    ]));
    let g = with_keys(details, other, key_policy);
    let k1 = format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/k1");
    let k2 = format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/k2");
    // An admin's `*` does not reach a key whose policy does not let IAM
    // decide the action.
    let a = ask(&g, &arn("user", "admin"), "kms:Decrypt", &k1, &[]);
    assert_eq!(
        (a.decision, a.reason.as_str()),
        (Decision::Deny, "key policy"),
        "{a:?}"
    );
    assert!(a.notes.iter().any(|n| n.contains("KMS grants")), "{a:?}");
    // Where the key policy names the account, IAM decides.
    let a = ask(&g, &arn("user", "ops"), "kms:DescribeKey", &k1, &[]);
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    assert!(a.evidence.iter().any(|e| e.kind == PolicyKind::Resource
        && e.sid.as_deref() == Some("Admins")
        && e.policy == format!("{k1} key policy")));
    assert!(a.evidence.iter().any(|e| e.kind == PolicyKind::Identity));
    assert_eq!(
        ask(&g, &arn("user", "app"), "kms:DescribeKey", &k1, &[]).decision,
        Decision::Deny,
        "app has no IAM policy, and the account's grant needs one"
    );
    // Naming the user itself lets it in without an IAM policy.
    let a = ask(&g, &arn("user", "app"), "kms:Decrypt", &k1, &[]);
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    // From another account: the key policy naming it and its own IAM.
    let eve = "arn:aws:iam::444455556666:user/eve";
    assert_eq!(
        ask(&g, eve, "kms:DescribeKey", &k1, &[]).decision,
        Decision::Allow
    );
    assert_eq!(
        ask(&g, eve, "kms:Decrypt", &k1, &[]).decision,
        Decision::Deny
    );
    // A key policy that was not read: never a plain allow, never a deny.
    let a = ask(&g, &arn("user", "admin"), "kms:Decrypt", &k2, &[]);
    assert_eq!(a.decision, Decision::Conditional, "{a:?}");
    assert!(
        a.conditions
            .iter()
            .any(|c| c.contains("key policy") && c.contains("not collected")),
        "{a:?}"
    );
    assert_eq!(
        ask(&g, &arn("user", "app"), "kms:Decrypt", &k2, &[]).decision,
        Decision::Conditional,
        "an unread key policy may name app itself, which needs no IAM policy"
    );
}

#[test]
fn a_policy_with_problems_is_a_finding_naming_each_and_the_rest_still_counts() {
    let details = json!({"UserDetailList": [
        user("typo", &[], inline("guard", policy(json!([
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:DeleteObjekt", "Resource": "*"},
            {"Effect": "Allow", "Action": 5, "Resource": "*"}
        ]))), &[], None),
        user("clean", &[], inline("read", policy(json!([
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        ]))), &[], None),
    ], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let g = account(details);
    let found = skyhound::analysis::iam::problems::findings(&g);
    let of = |name: &str| {
        found
            .iter()
            .find(|f| f.resource == arn("user", name))
            .unwrap_or_else(|| panic!("a result for {name}: {found:?}"))
    };
    let typo = of("typo");
    assert_eq!(typo.status, skyhound::analysis::finding::Status::Fail);
    let evidence: Vec<String> = typo.evidence.iter().map(|e| e.describe()).collect();
    let all = evidence.join("\n");
    assert!(all.contains("inline policy guard"), "{all}");
    assert!(
        all.contains("statement 1: \"s3:DeleteObjekt\" matches no action"),
        "{all}"
    );
    assert!(
        all.contains("statement 2"),
        "the wrong type is named: {all}"
    );
    assert_eq!(
        of("clean").status,
        skyhound::analysis::finding::Status::Pass
    );
    // What could be read still counts: the first statement allows.
    let a = ask(&g, &arn("user", "typo"), "s3:GetObject", "*", &[]);
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
}

#[test]
fn a_bucket_policy_naming_a_user_grants_past_its_boundary_and_one_naming_the_account_does_not() {
    let s3_all = inline(
        "s3",
        policy(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])),
    );
    let ec2_only = arn("policy", "ec2-only");
    let details = json!({"UserDetailList": [
        user("named", &[], json!([]), &[], Some(&ec2_only)),
        user("writer", &[], s3_all, &[], Some(&ec2_only)),
    ], "GroupDetailList": [], "RoleDetailList": [],
       "Policies": [managed("ec2-only", policy(json!([{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}])))]});
    let other =
        json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let bucket_policy = policy(json!([
        {"Sid": "Named", "Effect": "Allow", "Principal": {"AWS": arn("user", "named")}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
        {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"}
    ]));
    let g = with_bucket(details, other, bucket_policy, false);
    // The bucket names the user itself: its boundary does not limit that.
    let a = ask(
        &g,
        &arn("user", "named"),
        "s3:GetObject",
        "arn:aws:s3:::reports/a",
        &[],
    );
    assert_eq!(a.decision, Decision::Allow, "{a:?}");
    assert!(
        a.evidence.iter().any(|e| e.sid.as_deref() == Some("Named")),
        "{a:?}"
    );
    // The bucket names the account: IAM decides, boundary included.
    let a = ask(
        &g,
        &arn("user", "writer"),
        "s3:PutObject",
        "arn:aws:s3:::reports/a",
        &[],
    );
    assert_eq!(
        (a.decision, a.reason.as_str()),
        (Decision::Deny, "boundary"),
        "{a:?}"
    );
}

#[test]
fn a_bucket_policy_that_was_not_read_leaves_s3_answers_open_and_none_is_none() {
    let s3_read = inline(
        "s3",
        policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])),
    );
    let details = json!({"UserDetailList": [
        user("reader", &[], s3_read, &[], None),
        user("nobody", &[], json!([]), &[], None),
    ], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let other =
        json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let object = "arn:aws:s3:::reports/a.csv";
    // Denied: the policy may deny the reader, or let nobody in.
    let g = with_bucket(
        details.clone(),
        other.clone(),
        json!({"Error": {"Code": "AccessDenied"}}),
        false,
    );
    let a = ask(&g, &arn("user", "reader"), "s3:GetObject", object, &[]);
    assert_eq!(a.decision, Decision::Conditional, "{a:?}");
    assert!(
        a.conditions
            .iter()
            .any(|c| c.starts_with("unless the bucket policy of reports denies it")),
        "{a:?}"
    );
    assert_eq!(
        ask(&g, &arn("user", "nobody"), "s3:GetObject", object, &[]).decision,
        Decision::Conditional
    );
    // S3 answered that there is none: IAM alone decides.
    let g = with_bucket(
        details,
        other,
        json!({"Error": {"Code": "NoSuchBucketPolicy"}}),
        false,
    );
    assert_eq!(
        ask(&g, &arn("user", "reader"), "s3:GetObject", object, &[]).decision,
        Decision::Allow
    );
    assert_eq!(
        ask(&g, &arn("user", "nobody"), "s3:GetObject", object, &[]).decision,
        Decision::Deny
    );
}

/// Another account's bucket with no policy lets nobody in when its ACL
/// grants only its owner, whatever the identity policies say; when the
/// ACL grants more (or was not read) it depends on the ACL.
#[test]
fn another_accounts_bucket_without_a_policy_is_open_only_through_its_acl() {
    let eve = json!({"UserName": "eve", "UserId": "AIDAEVE", "Arn": "arn:aws:iam::444455556666:user/eve", "Path": "/",
        "GroupList": [], "UserPolicyList": inline("s3", policy(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]))),
        "AttachedManagedPolicies": []});
    let details =
        json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let other = json!({"UserDetailList": [eve], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
    let none = json!({"Error": {"Code": "NoSuchBucketPolicy"}});
    let owner = json!({"Owner": {"ID": "c0ffee"}, "Grants": [
        {"Grantee": {"ID": "c0ffee", "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]});
    let shared = json!({"Owner": {"ID": "c0ffee"}, "Grants": [
        {"Grantee": {"ID": "c0ffee", "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"ID": "beef", "Type": "CanonicalUser"}, "Permission": "READ"}]});
    let eve_arn = "arn:aws:iam::444455556666:user/eve";
    let object = "arn:aws:s3:::reports/a.csv";

    let g = with_bucket_acl(
        details.clone(),
        other.clone(),
        none.clone(),
        false,
        Some(owner),
    );
    let a = ask(&g, eve_arn, "s3:GetObject", object, &[]);
    assert_eq!(a.decision, Decision::Deny, "{a:?}");
    assert_eq!(a.reason, "cross-account", "{a:?}");
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("ACL grants only its owner")),
        "{a:?}"
    );

    for acl in [Some(shared), None] {
        let g = with_bucket_acl(
            details.clone(),
            other.clone(),
            none.clone(),
            false,
            acl.clone(),
        );
        let a = ask(&g, eve_arn, "s3:GetObject", object, &[]);
        assert_eq!(a.decision, Decision::Conditional, "{acl:?}: {a:?}");
        assert!(
            a.conditions
                .iter()
                .any(|c| c.contains("the ACL of reports")),
            "{a:?}"
        );
    }
}
