//! Privilege escalation on accounts written as AWS CLI output: each
//! technique finds its path with the statements behind it, and the same
//! account without the permission finds none.

use serde_json::{Value, json};
use skyhound::analysis::iam::{Engine, Escalation};
use skyhound::graph::Graph;

use super::iam::{ACCOUNT, account, arn, inline, managed, policy, role, user};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn admin_policy() -> Value {
    json!({"PolicyName": "AdministratorAccess", "Arn": ADMIN, "DefaultVersionId": "v1", "AttachmentCount": 1,
           "PolicyVersionList": [{"Document": policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
                                  "VersionId": "v1", "IsDefaultVersion": true}]})
}

fn allow(sid: &str, actions: Value, resource: &str) -> Value {
    policy(json!([{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}]))
}

fn trusting(principal: Value) -> Value {
    policy(json!([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]))
}

fn admin_role(name: &str, trust: Value) -> Value {
    let mut r = role(name, trust, None);
    r["AttachedManagedPolicies"] =
        json!([{"PolicyArn": ADMIN, "PolicyName": "AdministratorAccess"}]);
    r
}

fn details(
    users: Vec<Value>,
    roles: Vec<Value>,
    groups: Vec<Value>,
    policies: Vec<Value>,
) -> Graph {
    let mut all = vec![admin_policy()];
    all.extend(policies);
    account(
        json!({"UserDetailList": users, "RoleDetailList": roles, "GroupDetailList": groups, "Policies": all}),
    )
}

fn escalations(g: &Graph) -> Vec<Escalation> {
    Engine::new(g).escalations(None)
}

fn of<'a>(found: &'a [Escalation], who: &str) -> Option<&'a Escalation> {
    found.iter().find(|e| e.principal == who)
}

fn techniques(e: &Escalation) -> Vec<&'static str> {
    e.steps.iter().map(|s| s.technique).collect()
}

#[test]
fn an_access_key_for_an_admin_user_is_one_step_with_its_statement() {
    let g = details(
        vec![
            user("admin", &[], json!([]), &[ADMIN], None),
            user(
                "dev",
                &[],
                inline(
                    "keys",
                    allow("Keys", json!("iam:CreateAccessKey"), &arn("user", "admin")),
                ),
                &[],
                None,
            ),
            user(
                "reader",
                &[],
                inline("read", allow("Read", json!("iam:Get*"), "*")),
                &[],
                None,
            ),
        ],
        vec![],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate");
    assert_eq!(dev.target, arn("user", "admin"));
    assert_eq!(techniques(dev), ["create-access-key"]);
    assert_eq!(dev.steps[0].actions, ["iam:CreateAccessKey"]);
    assert_eq!(dev.steps[0].evidence[0].sid.as_deref(), Some("Keys"));
    assert!(!dev.conditional);
    assert!(of(&found, &arn("user", "reader")).is_none(), "{found:?}");
    assert!(
        of(&found, &arn("user", "admin")).is_none(),
        "an admin is not listed"
    );
}

#[test]
fn a_login_profile_counts_by_whether_the_user_has_a_password() {
    let g = details(
        vec![
            user("admin", &[], json!([]), &[ADMIN], None),
            user(
                "dev",
                &[],
                inline(
                    "pw",
                    allow(
                        "Pw",
                        json!(["iam:CreateLoginProfile", "iam:UpdateLoginProfile"]),
                        "*",
                    ),
                ),
                &[],
                None,
            ),
        ],
        vec![],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate");
    // Without a credential report the password is unknown: the first that
    // applies is named.
    assert_eq!(techniques(dev), ["create-login-profile"]);
}

#[test]
fn assuming_an_admin_role_and_chaining_roles_are_paths() {
    let g = details(
        vec![user(
            "dev",
            &[],
            inline(
                "assume",
                allow("Hop", json!("sts:AssumeRole"), &arn("role", "hop")),
            ),
            &[],
            None,
        )],
        vec![
            role(
                "hop",
                trusting(json!({"AWS": arn("user", "dev")})),
                Some(allow("Up", json!("sts:AssumeRole"), "*")),
            ),
            admin_role("top", trusting(json!({"AWS": arn("role", "hop")}))),
            admin_role("closed", trusting(json!({"AWS": arn("role", "nobody")}))),
        ],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate");
    assert_eq!(techniques(dev), ["assume-role", "assume-role"]);
    assert_eq!(dev.target, arn("role", "top"));
    assert_eq!(dev.steps[0].to, arn("role", "hop"));
    assert_eq!(dev.steps[1].from, arn("role", "hop"));
    let hop = of(&found, &arn("role", "hop")).expect("hop can escalate");
    assert_eq!(hop.steps.len(), 1);
}

#[test]
fn a_trust_naming_the_account_needs_the_identity_allow_too() {
    let g = details(
        vec![
            user(
                "dev",
                &[],
                inline("read", allow("Read", json!("s3:GetObject"), "*")),
                &[],
                None,
            ),
            user(
                "ops",
                &[],
                inline("assume", allow("Assume", json!("sts:AssumeRole"), "*")),
                &[],
                None,
            ),
        ],
        vec![admin_role(
            "admin",
            trusting(json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")})),
        )],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    assert!(of(&found, &arn("user", "dev")).is_none(), "{found:?}");
    let ops = of(&found, &arn("user", "ops")).expect("ops can escalate");
    assert_eq!(techniques(ops), ["assume-role"]);
}

#[test]
fn a_trust_naming_the_principal_needs_no_grant_of_its_own_but_its_boundary_counts() {
    // Same account, the trust policy names each user by ARN: no identity
    // policy is needed to assume the role, but a boundary that leaves out
    // sts:AssumeRole stops it.
    let g = details(
        vec![
            user("named", &[], json!([]), &[], None),
            user(
                "bounded",
                &[],
                inline("read", allow("Read", json!("s3:GetObject"), "*")),
                &[],
                Some(&arn("policy", "s3-only")),
            ),
        ],
        vec![admin_role(
            "admin",
            trusting(json!({"AWS": [arn("user", "named"), arn("user", "bounded")]})),
        )],
        vec![],
        vec![managed("s3-only", allow("S3", json!("s3:*"), "*"))],
    );
    let found = escalations(&g);
    let named = of(&found, &arn("user", "named")).expect("named can escalate");
    assert_eq!(techniques(named), ["assume-role"]);
    assert!(
        named.steps[0]
            .evidence
            .iter()
            .any(|e| e.policy.ends_with("trust policy")),
        "{named:?}"
    );
    assert!(of(&found, &arn("user", "bounded")).is_none(), "{found:?}");
}

#[test]
fn rewriting_an_admin_roles_trust_policy_is_a_path() {
    let g = details(
        vec![user(
            "dev",
            &[],
            inline(
                "trust",
                allow(
                    "Trust",
                    json!("iam:UpdateAssumeRolePolicy"),
                    &arn("role", "admin"),
                ),
            ),
            &[],
            None,
        )],
        vec![admin_role(
            "admin",
            trusting(json!({"Service": "ec2.amazonaws.com"})),
        )],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate");
    assert_eq!(techniques(dev), ["update-assume-role-policy"]);
}

#[test]
fn passing_a_role_needs_the_service_trust_and_the_launch_calls() {
    let ec2 = trusting(json!({"Service": "ec2.amazonaws.com"}));
    let lambda = trusting(json!({"Service": "lambda.amazonaws.com"}));
    let g = details(
        vec![
            user(
                "launcher",
                &[],
                inline(
                    "run",
                    allow("Run", json!(["iam:PassRole", "ec2:RunInstances"]), "*"),
                ),
                &[],
                None,
            ),
            user(
                "half",
                &[],
                inline("pass", allow("Pass", json!("iam:PassRole"), "*")),
                &[],
                None,
            ),
            user(
                "fn",
                &[],
                inline(
                    "fn",
                    allow(
                        "Fn",
                        json!([
                            "iam:PassRole",
                            "lambda:CreateFunction",
                            "lambda:InvokeFunction"
                        ]),
                        "*",
                    ),
                ),
                &[],
                None,
            ),
        ],
        vec![admin_role("ec2-admin", ec2), admin_role("fn-admin", lambda)],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let launcher = of(&found, &arn("user", "launcher")).expect("launcher can escalate");
    assert_eq!(techniques(launcher), ["pass-role-to-ec2"]);
    assert_eq!(launcher.target, arn("role", "ec2-admin"));
    assert_eq!(
        launcher.steps[0].actions,
        ["iam:PassRole", "ec2:RunInstances"]
    );
    assert!(
        of(&found, &arn("user", "half")).is_none(),
        "PassRole alone launches nothing: {found:?}"
    );
    let f = of(&found, &arn("user", "fn")).expect("fn can escalate");
    assert_eq!(techniques(f), ["pass-role-to-lambda"]);
}

#[test]
fn new_code_in_a_function_reaches_the_roles_lambda_runs_as_under_that_condition() {
    let lambda = trusting(json!({"Service": "lambda.amazonaws.com"}));
    let ec2 = trusting(json!({"Service": "ec2.amazonaws.com"}));
    let g = details(
        vec![
            user(
                "deployer",
                &[],
                inline(
                    "code",
                    allow("Code", json!("lambda:UpdateFunctionCode"), "*"),
                ),
                &[],
                None,
            ),
            user(
                "reader",
                &[],
                inline("read", allow("Read", json!("lambda:Get*"), "*")),
                &[],
                None,
            ),
        ],
        vec![admin_role("fn-admin", lambda), admin_role("ec2-admin", ec2)],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let d = of(&found, &arn("user", "deployer")).expect("deployer can escalate");
    assert_eq!(techniques(d), ["update-lambda-code"]);
    assert_eq!(
        d.target,
        arn("role", "fn-admin"),
        "not the role EC2 runs as"
    );
    // Which functions run as the role was not collected: a condition,
    // never a silent yes or no.
    assert!(d.conditional);
    assert!(
        d.steps[0]
            .conditions
            .iter()
            .any(|c| c.contains("Lambda function runs as fn-admin")),
        "{:?}",
        d.steps[0].conditions
    );
    assert!(
        !d.steps[0].evidence.is_empty(),
        "the statement that allows it"
    );
    assert!(of(&found, &arn("user", "reader")).is_none());
}

#[test]
fn a_policy_on_oneself_or_ones_group_and_joining_an_admin_group() {
    let admins_group = json!({"GroupName": "admins", "GroupId": "AGPAADMINS", "Arn": arn("group", "admins"), "Path": "/",
        "GroupPolicyList": [], "AttachedManagedPolicies": [{"PolicyArn": ADMIN, "PolicyName": "AdministratorAccess"}]});
    let devs_group = json!({"GroupName": "devs", "GroupId": "AGPADEVS", "Arn": arn("group", "devs"), "Path": "/",
        "GroupPolicyList": [], "AttachedManagedPolicies": []});
    let g = details(
        vec![
            user(
                "self",
                &[],
                inline(
                    "self",
                    allow("Self", json!("iam:AttachUserPolicy"), &arn("user", "self")),
                ),
                &[],
                None,
            ),
            user(
                "grp",
                &["devs"],
                inline(
                    "grp",
                    allow("Grp", json!("iam:PutGroupPolicy"), &arn("group", "devs")),
                ),
                &[],
                None,
            ),
            user(
                "joiner",
                &[],
                inline("join", allow("Join", json!("iam:AddUserToGroup"), "*")),
                &[],
                None,
            ),
            user(
                "capped",
                &[],
                inline("self", allow("Self", json!("iam:AttachUserPolicy"), "*")),
                &[],
                Some(&arn("policy", "cap")),
            ),
        ],
        vec![],
        vec![admins_group, devs_group],
        vec![managed("cap", allow("Cap", json!("iam:*"), "*"))],
    );
    let found = escalations(&g);
    let me = of(&found, &arn("user", "self")).expect("self can escalate");
    assert_eq!(
        (techniques(me), me.target.as_str()),
        (vec!["attach-own-policy"], arn("user", "self").as_str())
    );
    let grp = of(&found, &arn("user", "grp")).expect("grp can escalate");
    assert_eq!(techniques(grp), ["put-group-policy"]);
    assert_eq!(
        grp.steps[0].via.as_deref(),
        Some(arn("group", "devs").as_str())
    );
    let joiner = of(&found, &arn("user", "joiner")).expect("joiner can escalate");
    assert_eq!(techniques(joiner), ["add-user-to-group"]);
    assert_eq!(
        joiner.steps[0].via.as_deref(),
        Some(arn("group", "admins").as_str())
    );
    assert!(
        of(&found, &arn("user", "capped")).is_none(),
        "a boundary caps what it attaches: {found:?}"
    );
}

#[test]
fn a_new_version_of_ones_own_policy() {
    let g = details(
        vec![user("dev", &[], json!([]), &[&arn("policy", "dev")], None)],
        vec![],
        vec![],
        vec![managed(
            "dev",
            allow(
                "Version",
                json!("iam:CreatePolicyVersion"),
                &arn("policy", "dev"),
            ),
        )],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate");
    assert_eq!(techniques(dev), ["create-policy-version"]);
    assert_eq!(
        dev.steps[0].via.as_deref(),
        Some(arn("policy", "dev").as_str())
    );
}

#[test]
fn another_version_that_grants_everything_made_the_default() {
    // The policy's default (v2) lets its holders set the default version;
    // its v1 allows everything. Through the user's group as much as on the
    // user itself.
    let devs_group = json!({"GroupName": "devs", "GroupId": "AGPADEVS", "Arn": arn("group", "devs"), "Path": "/",
        "GroupPolicyList": [], "AttachedManagedPolicies": [{"PolicyArn": arn("policy", "devs"), "PolicyName": "devs"}]});
    let mut tame = managed(
        "tame",
        allow(
            "Version",
            json!("iam:SetDefaultPolicyVersion"),
            &arn("policy", "tame"),
        ),
    );
    // Every version of this one is harmless.
    tame["PolicyVersionList"][1]["Document"] =
        allow("Read", json!("s3:GetObject"), "arn:aws:s3:::reports/*");
    let g = details(
        vec![
            user("dev", &["devs"], json!([]), &[], None),
            user("quiet", &[], json!([]), &[&arn("policy", "tame")], None),
        ],
        vec![],
        vec![devs_group],
        vec![
            managed(
                "devs",
                allow(
                    "Version",
                    json!("iam:SetDefaultPolicyVersion"),
                    &arn("policy", "devs"),
                ),
            ),
            tame,
        ],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate");
    assert_eq!(techniques(dev), ["set-default-policy-version"]);
    assert_eq!(
        dev.steps[0].via.as_deref(),
        Some(arn("policy", "devs").as_str())
    );
    assert!(of(&found, &arn("user", "quiet")).is_none(), "{found:?}");
    // The versions are in the graph, as collected.
    let n = g.node(g.by_id(&arn("policy", "devs")).expect("the policy"));
    let skyhound::model::NodeData::IamPolicy(p) = &n.data else {
        panic!("a policy")
    };
    assert_eq!(p.default_version_id.as_deref(), Some("v2"));
    assert_eq!(p.other_versions.len(), 1);
    assert_eq!(p.other_versions[0].version_id.as_deref(), Some("v1"));
}

#[test]
fn writing_a_policy_on_a_role_one_can_assume() {
    let g = details(
        vec![user(
            "dev",
            &[],
            inline(
                "dev",
                allow(
                    "Dev",
                    json!(["sts:AssumeRole", "iam:PutRolePolicy"]),
                    &arn("role", "worker"),
                ),
            ),
            &[],
            None,
        )],
        vec![role(
            "worker",
            trusting(json!({"AWS": arn("user", "dev")})),
            Some(allow("Read", json!("s3:GetObject"), "*")),
        )],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate");
    assert_eq!(techniques(dev), ["write-policy-on-other", "assume-role"]);
    assert_eq!(dev.target, arn("role", "worker"));
}

#[test]
fn a_conditional_step_makes_a_conditional_path() {
    let doc = policy(
        json!([{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]),
    );
    let g = details(
        vec![
            user("admin", &[], json!([]), &[ADMIN], None),
            user("dev", &[], inline("mfa", doc), &[], None),
        ],
        vec![],
        vec![],
        vec![],
    );
    let found = escalations(&g);
    let dev = of(&found, &arn("user", "dev")).expect("dev can escalate under conditions");
    assert!(dev.conditional);
    assert!(
        dev.steps[0]
            .conditions
            .iter()
            .any(|c| c.contains("aws:MultiFactorAuthPresent")),
        "{dev:?}"
    );
}

#[test]
fn commands_on_an_instance_that_runs_as_an_admin_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join(ACCOUNT).join("us-east-1");
    std::fs::create_dir_all(&folder).expect("folder");
    let profile = format!("arn:aws:iam::{ACCOUNT}:instance-profile/web");
    let mut web = admin_role("web", trusting(json!({"Service": "ec2.amazonaws.com"})));
    web["InstanceProfileList"] = json!([{"InstanceProfileName": "web", "InstanceProfileId": "AIPAWEB", "Arn": profile, "Path": "/",
        "Roles": [{"RoleName": "web", "Arn": arn("role", "web")}]}]);
    let details = json!({
        "UserDetailList": [user("ops", &[], inline("ssm", allow("Ssm", json!("ssm:SendCommand"), "arn:aws:ec2:*:*:instance/*")), &[], None)],
        "RoleDetailList": [web], "GroupDetailList": [], "Policies": [admin_policy()]});
    std::fs::write(
        folder.join("iam-get-account-authorization-details.json"),
        details.to_string(),
    )
    .expect("write");
    let instances = json!({"Reservations": [{"OwnerId": ACCOUNT, "Instances": [{"InstanceId": "i-0web", "State": {"Name": "running"},
        "IamInstanceProfile": {"Arn": profile, "Id": "AIPAWEB"}, "NetworkInterfaces": [], "SecurityGroups": []}]}]});
    std::fs::write(
        folder.join("ec2-describe-instances.json"),
        instances.to_string(),
    )
    .expect("write");
    let g = skyhound::source::import::import_dir(dir.path(), &Default::default())
        .expect("imports")
        .graph;
    let found = escalations(&g);
    let ops = of(&found, &arn("user", "ops")).expect("ops can escalate");
    assert_eq!(techniques(ops), ["ssm-send-command"]);
    assert_eq!(ops.steps[0].via.as_deref(), Some("i-0web"));
    assert_eq!(ops.target, arn("role", "web"));
}
