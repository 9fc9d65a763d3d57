//! A synthetic organization generator for benchmarks: realistic shapes and
//! ratios (accounts × regions × VPCs × subnets × security groups with rules
//! × instances × roles × findings), deterministic by seed, sized by a
//! resource count.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;

use super::build::{
    Estate, Launch, RuleExt, Scope, allow, route, tcp, trust_account, trust_service,
};
use crate::graph::{Collection, Graph};
use crate::model::network::RouteTarget;
use crate::model::{self as m, Node, NodeData};

const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"];

/// Generate about `resources` nodes (never fewer), the same for the same seed.
pub fn nodes(resources: usize, seed: u64) -> Vec<Node> {
    let mut e = Estate::new(seed, super::demo::collected_at());
    let accounts = (resources / 4000).clamp(1, 60);
    let regions_per_account = if resources >= 2000 { 2 } else { 1 };
    let admin = e.aws_policy("AdministratorAccess", allow(&["*"], &["*"]));
    let read_only = e.aws_policy(
        "ReadOnlyAccess",
        allow(&["*:Describe*", "*:Get*", "*:List*"], &["*"]),
    );
    let org = "o-synth000001";
    e.nodes.push(Node::new(
        org,
        MANAGEMENT,
        NodeData::Organization(m::Organization {
            management_account_id: Some(MANAGEMENT.into()),
            scps_collected: true,
        }),
    ));
    let account_ids: Vec<String> = (0..accounts)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i as u64))
        .collect();
    organization_tree(&mut e, org, &account_ids);
    let scale = IamScale::of(resources, accounts);

    let mut unit = 0usize;
    let mut acct_index = 0usize;
    let mut detectors: HashMap<(String, &str), String> = HashMap::new();
    let mut accounts_done: HashSet<String> = HashSet::new();
    while e.nodes.len() < resources {
        let account = format!("{:012}", 100_000_000_000u64 + acct_index as u64);
        if accounts_done.insert(account.clone()) {
            let place = Place {
                org,
                parent: OUS[acct_index % OUS.len()].0,
                next_account: format!(
                    "{:012}",
                    100_000_000_000u64 + ((acct_index + 1) % accounts) as u64
                ),
            };
            account_iam(&mut e, &account, &place, &admin, &read_only, &scale);
        }
        let region = REGIONS[(unit / accounts) % regions_per_account];
        let s = Scope::new(&account, region);
        let place_index = detectors.len();
        let detector = detectors
            .entry((account.clone(), region))
            .or_insert_with(|| {
                logging_and_data(&mut e, &s, place_index);
                e.detector(&s, true)
            })
            .clone();
        vpc_unit(&mut e, &s, unit, &detector);
        unit += 1;
        acct_index = unit % accounts;
    }
    e.place();
    e.nodes
}

/// A synthetic organization as a graph.
pub fn graph(resources: usize, seed: u64) -> Graph {
    let collection = Collection {
        collected_at: Some(super::demo::collected_at()),
        source: format!("synthetic {resources} seed {seed}"),
        ..Collection::default()
    };
    Graph::build(nodes(resources, seed), collection)
}

const MANAGEMENT: &str = "100000000000";
const ROOT: &str = "r-synt";

/// The organization's OUs (id, name, parent) and the SCPs on them.
const OUS: &[(&str, &str, &str)] = &[
    ("ou-synt-w0rk1oad", "workloads", ROOT),
    ("ou-synt-pr0duct1", "production", "ou-synt-w0rk1oad"),
    ("ou-synt-5andb0x0", "sandbox", ROOT),
];

/// The root and OUs: FullAWSAccess on the root, the workloads OUs and
/// every account, a guardrail on the workloads, and only an allow-list on
/// the sandbox (so its accounts can use a few services only).
fn organization_tree(e: &mut Estate, org: &str, accounts: &[String]) {
    e.organizational_unit(MANAGEMENT, org, ROOT, "Root", None);
    for (id, name, parent) in OUS {
        e.organizational_unit(MANAGEMENT, org, id, name, Some(parent));
    }
    let scp =
        |e: &mut Estate, id: &str, name: &str, document: serde_json::Value, targets: Vec<&str>| {
            let data = m::ServiceControlPolicy {
                description: Some(name.to_string()),
                aws_managed: id == "p-FullAWSAccess",
                document: Some(crate::model::policy::PolicyDocument(document)),
                targets: targets.into_iter().map(str::to_string).collect(),
            };
            e.service_control_policy(MANAGEMENT, org, id, name, data);
        };
    let mut everywhere = vec![ROOT, OUS[0].0, OUS[1].0];
    everywhere.extend(accounts.iter().map(String::as_str));
    scp(
        e,
        "p-FullAWSAccess",
        "FullAWSAccess",
        allow(&["*"], &["*"]),
        everywhere,
    );
    scp(
        e,
        "p-synt9uard",
        "guardrail",
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging",
                "cloudtrail:DeleteTrail", "guardduty:DeleteDetector"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "support:*"], "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]}}}]}),
        vec![OUS[0].0],
    );
    // The sandbox's own level allows a few services only.
    scp(
        e,
        "p-synt5and",
        "sandbox-services",
        allow(
            &["s3:*", "ec2:*", "lambda:*", "logs:*", "iam:*", "sts:*"],
            &["*"],
        ),
        vec![OUS[2].0],
    );
}

/// Where an account sits, and the account its cross-account roles trust.
struct Place<'a> {
    org: &'a str,
    parent: &'a str,
    next_account: String,
}

/// How much IAM each account has: at 100,000 resources about 10,000
/// users and roles and 5,000 customer managed policies over the
/// organization; never less than a small account's.
struct IamScale {
    roles: usize,
    users: usize,
    policies: usize,
}

impl IamScale {
    fn of(resources: usize, accounts: usize) -> IamScale {
        let principals = (resources / 10 / accounts).max(28);
        IamScale {
            roles: (principals * 3 / 5).max(20),
            users: (principals * 2 / 5).max(8),
            policies: (resources / 20 / accounts).max(20),
        }
    }
}

/// One customer managed policy, by its place in the account: the shapes
/// real accounts have (scoped data access, conditions, denies, NotAction,
/// passing roles, assuming roles elsewhere).
fn policy_document(account: &str, i: usize, roles: usize) -> serde_json::Value {
    use serde_json::json;
    let statements = match i % 10 {
        0 => {
            json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": format!("arn:aws:s3:::bucket-{i}/*")},
                     {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": format!("arn:aws:s3:::bucket-{i}")}])
        }
        1 => {
            json!([{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                      "Resource": format!("arn:aws:dynamodb:*:{account}:table/table-{i}"),
                      "Condition": {"StringEquals": {"aws:SourceVpc": format!("vpc-{i}")}}}])
        }
        2 => {
            json!([{"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish"], "Resource": "*"}])
        }
        3 => {
            json!([{"Effect": "Allow", "Action": ["lambda:InvokeFunction", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}])
        }
        4 => {
            json!([{"Effect": "Allow", "Action": ["ec2:Describe*", "ssm:SendCommand"], "Resource": "*",
                      "Condition": {"StringEquals": {"aws:ResourceTag/team": format!("team-{}", i % 7)}}}])
        }
        5 => {
            json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::{account}:role/service-{}", i % roles)},
                     {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}])
        }
        6 => {
            json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/deploy-*"}])
        }
        7 => {
            json!([{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                      "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}}])
        }
        8 => {
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::data-{i}"), format!("arn:aws:s3:::data-{i}/*")]},
                     {"Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"], "Resource": "*"}])
        }
        _ => json!([{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*",
                      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
                     {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListAccessKeys", "iam:CreateAccessKey"],
                      "Resource": format!("arn:aws:iam::{account}:user/${{aws:username}}")}]),
    };
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn set_boundary(e: &mut Estate, boundary: &str) {
    match e.nodes.last_mut().map(|n| &mut n.data) {
        Some(NodeData::IamUser(u)) => u.permissions_boundary = Some(boundary.into()),
        Some(NodeData::IamRole(r)) => r.permissions_boundary = Some(boundary.into()),
        _ => {}
    }
}

fn account_iam(
    e: &mut Estate,
    account: &str,
    place: &Place,
    admin: &str,
    read_only: &str,
    scale: &IamScale,
) {
    let data = m::Account {
        organization_id: Some(place.org.into()),
        parent_id: Some(
            if account == MANAGEMENT {
                ROOT
            } else {
                place.parent
            }
            .into(),
        ),
        status: Some("ACTIVE".into()),
        credential_report: Some(m::CredentialReport {
            generated: Some(super::demo::collected_at()),
        }),
        virtual_mfa_devices: Some(Vec::new()),
        ..m::Account::default()
    };
    e.nodes.push(
        Node::new(account, account, NodeData::Account(data)).with_name(format!("synth-{account}")),
    );
    e.root_user(account, true);
    e.role(
        account,
        "OrganizationAccountAccessRole",
        trust_account(MANAGEMENT, None),
        &[admin],
        vec![],
    );
    let policies: Vec<String> = (0..scale.policies)
        .map(|i| {
            e.customer_policy(
                account,
                &format!("app-{i}-access"),
                policy_document(account, i, scale.roles),
            )
        })
        .collect();
    let boundary = e.customer_policy(
        account,
        "workload-boundary",
        allow(
            &[
                "s3:*",
                "sqs:*",
                "sns:*",
                "dynamodb:*",
                "logs:*",
                "kms:Decrypt",
            ],
            &["*"],
        ),
    );
    let services = [
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
    ];
    for i in 0..scale.roles {
        let mut attached = vec![policies[i % policies.len()].as_str()];
        let second = policies[(i * 7 + 3) % policies.len()].as_str();
        if !attached.contains(&second) {
            attached.push(second);
        }
        if i < 20 || i % 25 != 0 {
            // Service roles; the first 20 are the instances' profiles.
            let role = e.role(
                account,
                &format!("service-{i}"),
                trust_service(if i < 20 { services[0] } else { services[i % 3] }),
                &attached,
                vec![],
            );
            if i % 7 == 3 {
                set_boundary(e, &boundary);
            }
            if i < 20 {
                e.instance_profile(account, &format!("service-{i}"), &role);
            }
        } else if i % 50 == 0 {
            // An admin role for people, assumed from the account.
            e.role(
                account,
                &format!("admin-{i}"),
                trust_account(account, None),
                &[admin],
                vec![],
            );
        } else {
            // A deploy role the next account assumes, with an ExternalId
            // on half of them.
            let external = (i % 4 == 1).then_some("synth-deploy");
            e.role(
                account,
                &format!("deploy-{i}"),
                trust_account(&place.next_account, external),
                &attached,
                vec![],
            );
        }
    }
    let groups = [
        e.group(account, "admins", &[admin]),
        e.group(
            account,
            "developers",
            &[&policies[0], &policies[3 % policies.len()]],
        ),
        e.group(account, "readers", &[read_only]),
        e.group(
            account,
            "operators",
            &[&policies[4 % policies.len()], &policies[6 % policies.len()]],
        ),
    ];
    let group_names: Vec<&str> = groups.iter().filter_map(|g| g.rsplit('/').next()).collect();
    for i in 0..scale.users {
        let mfa = i % 3 != 0;
        let group = match i % 40 {
            0 => group_names[0],
            n if n % 4 == 1 => group_names[2],
            n if n % 4 == 2 => group_names[3],
            _ => group_names[1],
        };
        let attached: Vec<&str> = if i % 5 == 0 {
            vec![read_only]
        } else {
            vec![policies[(i * 3) % policies.len()].as_str()]
        };
        let user = e.user(
            account,
            &format!("user-{i}"),
            i % 2 == 0,
            mfa,
            &[group],
            &attached,
        );
        if i % 9 == 4 {
            set_boundary(e, &boundary);
        }
        if i % 3 != 2 {
            let age = e.ids.below(500) as i64;
            e.access_key(account, &user, &format!("user-{i}"), age, Some(1), true);
        }
    }
}

/// One account's region as posture sees it: its Config recorder, EBS
/// default, a KMS key, log and data buckets (every seventh place a public
/// one), and in the account's first region a multi-region trail. Most
/// pass; about one in five or seven fails, as in a real organization.
fn logging_and_data(e: &mut Estate, s: &Scope, place: usize) {
    e.config_recorder(s, place % 6 != 5);
    e.ebs_default(s, place % 5 != 4);
    let key = e.kms_key(s, &format!("data-{place}"), place % 4 != 3);
    let logs = format!("logs-{}-{}", s.account, s.region);
    let data = format!("data-{}-{}", s.account, s.region);
    e.bucket(s, &logs, super::build::private_bucket(&logs, &key, None));
    e.bucket(
        s,
        &data,
        super::build::private_bucket(&data, &key, Some(&logs)),
    );
    if place % 7 == 6 {
        let public = format!("public-{}-{}", s.account, s.region);
        e.bucket(
            s,
            &public,
            super::build::public_bucket(&public, place % 2 == 0),
        );
    }
    if s.region == REGIONS[0] {
        e.trail(s, "audit", &logs, &key, false);
    }
}

fn octets(unit: usize) -> (u8, u8) {
    ((10 + (unit / 256) % 200) as u8, (unit % 256) as u8)
}

/// One VPC with public and private subnets, gateways, security groups that
/// reference each other, instances, and sometimes a load balancer.
fn vpc_unit(e: &mut Estate, s: &Scope, unit: usize, detector: &str) {
    let (a, b) = octets(unit);
    let cidr = format!("{a}.{b}.0.0/16");
    let v = e.vpc(s, &format!("vpc-{unit}"), &cidr, None, false);
    let vpc = v.vpc.clone();
    let public_a = e.subnet(
        s,
        &vpc,
        &format!("public-a-{unit}"),
        &format!("{a}.{b}.0.0/24"),
        None,
        'a',
        true,
    );
    let public_b = e.subnet(
        s,
        &vpc,
        &format!("public-b-{unit}"),
        &format!("{a}.{b}.1.0/24"),
        None,
        'b',
        true,
    );
    let private_a = e.subnet(
        s,
        &vpc,
        &format!("private-a-{unit}"),
        &format!("{a}.{b}.10.0/24"),
        None,
        'a',
        false,
    );
    let private_b = e.subnet(
        s,
        &vpc,
        &format!("private-b-{unit}"),
        &format!("{a}.{b}.11.0/24"),
        None,
        'b',
        false,
    );
    let igw = e.internet_gateway(s, &vpc, &format!("igw-{unit}"));
    let nat_ip = Ipv4Addr::new(54, (unit / 250 % 250) as u8 + 1, (unit % 250) as u8 + 1, 1);
    let nat = e.nat_gateway(
        s,
        &vpc,
        &public_a,
        &format!("nat-{unit}"),
        Ipv4Addr::new(a, b, 0, 5),
        nat_ip,
    );
    e.route_table(
        s,
        &vpc,
        &format!("public-{unit}"),
        &cidr,
        None,
        vec![route("0.0.0.0/0", RouteTarget::InternetGateway(igw))],
        &[&public_a, &public_b],
    );
    e.route_table(
        s,
        &vpc,
        &format!("private-{unit}"),
        &cidr,
        None,
        vec![route("0.0.0.0/0", RouteTarget::NatGateway(nat))],
        &[&private_a, &private_b],
    );

    let lb_sg = e.security_group(
        s,
        &vpc,
        &format!("lb-{unit}"),
        "load balancer",
        vec![
            tcp(443).allow_cidr("0.0.0.0/0"),
            tcp(80).allow_cidr("0.0.0.0/0"),
        ],
        vec![],
    );
    let mut groups = vec![lb_sg.clone()];
    for g in 0..7 {
        let mut rules = vec![
            tcp(8080 + g).allow_group(&lb_sg),
            tcp(22).allow_cidr(&format!("10.{}.0.0/16", g + 1)),
        ];
        if let Some(prev) = groups.last() {
            rules.push(tcp(5432).allow_group(prev));
        }
        if e.ids.below(10) == 0 {
            rules.push(tcp(22).allow_cidr("0.0.0.0/0"));
        }
        let sg = e.security_group(
            s,
            &vpc,
            &format!("app-{unit}-{g}"),
            "service",
            rules,
            vec![],
        );
        groups.push(sg);
    }

    let mut targets = Vec::new();
    for i in 0..12u8 {
        let (subnet, third, public) = match i % 4 {
            0 => (&public_a, 0, true),
            1 => (&public_b, 1, true),
            2 => (&private_a, 10, false),
            _ => (&private_b, 11, false),
        };
        let public_ip = (public && e.ids.below(3) == 0).then(|| {
            Ipv4Addr::new(
                3,
                (unit / 250 % 250) as u8 + 1,
                (unit % 250) as u8 + 1,
                i + 10,
            )
        });
        let name = format!("host-{unit}-{i}");
        let group = groups[1 + usize::from(i) % (groups.len() - 1)].clone();
        let profile = format!(
            "arn:aws:iam::{}:instance-profile/service-{}",
            s.account,
            i % 20
        );
        let imds_v2_required = e.ids.below(4) != 0;
        let (id, _) = e.instance(
            s,
            Launch {
                name: &name,
                subnet,
                vpc: &vpc,
                private_ip: Ipv4Addr::new(a, b, third, 10 + i),
                public_ip,
                ipv6: None,
                groups: vec![group],
                profile_arn: Some(profile),
                instance_type: "m6i.large",
                imds_v2_required,
                state: "running",
                extra_tags: &[("Service", "synthetic")],
            },
        );
        let encrypted = e.ids.below(8) != 0;
        e.volume(s, &id, encrypted, 100);
        if !public {
            targets.push(id);
        }
    }
    if unit % 3 != 2 {
        e.flow_log(s, &vpc, &format!("logs-{}-{}", s.account, s.region));
    }
    if unit % 3 == 0 {
        let encrypted = e.ids.below(6) != 0;
        let key =
            encrypted.then(|| format!("arn:aws:kms:{}:{}:alias/aws/rds", s.region, s.account));
        e.database(
            s,
            super::build::DbLaunch {
                name: &format!("db-{unit}"),
                engine: "postgres",
                port: 5432,
                vpc: &vpc,
                subnets: vec![private_a.clone(), private_b.clone()],
                groups: vec![groups[groups.len() - 1].clone()],
                private_ip: Ipv4Addr::new(a, b, 10, 200),
                public_ip: None,
                key,
            },
        );
    }
    if unit % 2 == 0 {
        let lb = e.load_balancer(
            s,
            &vpc,
            &format!("lb-{unit}"),
            "application",
            true,
            &[
                (&public_a, Ipv4Addr::new(a, b, 0, 100)),
                (&public_b, Ipv4Addr::new(a, b, 1, 100)),
            ],
            vec![lb_sg],
            false,
        );
        let refs: Vec<&str> = targets.iter().map(String::as_str).collect();
        let tg = e.target_group(s, &vpc, &format!("tg-{unit}"), 8080, &lb, &refs);
        e.listener(
            s,
            &lb,
            "HTTPS",
            443,
            m::ListenerAction {
                action_type: "forward".into(),
                target_group_arns: vec![tg],
            },
        );
    }
    if unit % 5 == 0 {
        if let Some(target) = targets.first().cloned() {
            e.finding(
                s,
                detector,
                "Recon:EC2/PortProbeUnprotectedPort",
                2.0 + (unit % 7) as f64,
                "Unprotected port is being probed.",
                "A port is being probed.",
                Some(&target),
                None,
                (unit % 48) as i64,
            );
        }
    }
}
