//! The built-in demo: two companies from the AWS security story of "Alice
//! and Bill".
//!
//! Alice runs a well-kept organization (management, security, production
//! and staging accounts in us-east-1 and eu-west-1): an internet-facing ALB
//! on 443 in front of app instances in private subnets, a database tier
//! reachable only from the app security group, a bastion open to SSH from
//! the office only, least-privilege instance roles, GuardDuty everywhere.
//!
//! Bill runs one account the way it grew: a web server open to all traffic,
//! the database beside it in the same public subnet with 3306 open to the
//! world, an instance role with AdministratorAccess, users without MFA,
//! root access keys, an old access key, GuardDuty off in one region, and a
//! role that trusts a partner account without an ExternalId.
//!
//! Every id is fixed (seeded), so the demo is the same on every machine.

use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use super::build::{
    DbLaunch, Estate, Launch, RuleExt, Scope, all_blocked, all_traffic, allow, private_bucket,
    public_bucket, route, tcp, trust_account, trust_service,
};
use crate::graph::{Collection, Graph};
use crate::model::network::{Protocol, RouteTarget, RuleAction};
use crate::model::{self as m, Node, NodeData};

pub const ALICE_ORG: &str = "o-a1icede4m0";
pub const ALICE_ROOT: &str = "r-a1ce";
pub const ALICE_OU_SECURITY: &str = "ou-a1ce-5ecur1ty";
pub const ALICE_OU_WORKLOADS: &str = "ou-a1ce-w0rk10ad";
pub const ALICE_OU_PRODUCTION: &str = "ou-a1ce-pr0duct1";
pub const ALICE_OU_STAGING: &str = "ou-a1ce-5tag1ng0";
/// Alice's SCP on the workloads OU.
pub const ALICE_GUARDRAIL: &str = "p-a1ce9uard";
pub const ALICE_MANAGEMENT: &str = "111111111111";
pub const ALICE_SECURITY: &str = "222222222222";
pub const ALICE_PRODUCTION: &str = "333333333333";
pub const ALICE_STAGING: &str = "444444444444";
pub const BILL: &str = "555555555555";
/// A partner account that Bill's role trusts; not part of either company.
pub const BILL_PARTNER: &str = "999988887777";
/// Alice's office, the only source allowed to SSH to her bastions.
pub const ALICE_OFFICE_CIDR: &str = "203.0.113.0/24";

/// When the demo was "collected": fixed, so that ages are stable.
pub fn collected_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The demo organization as a graph.
pub fn graph() -> Graph {
    let mut e = Estate::new(0xA11CE, collected_at());
    alice(&mut e);
    bill(&mut e);
    logging_and_data(&mut e);
    e.place();
    let collection = Collection {
        collected_at: Some(collected_at()),
        source: "demo".to_string(),
        accounts: vec![],
        regions: vec![],
        gaps: gaps(),
    };
    Graph::build(e.nodes, collection)
}

fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// Where an account sits: its organization and the root or OU it is in.
struct Place<'a> {
    org: &'a str,
    parent: &'a str,
}

fn account(e: &mut Estate, id: &str, name: &str, email: &str, place: Option<Place>, policy: bool) {
    let data = m::Account {
        email: Some(email.into()),
        status: Some("ACTIVE".into()),
        organization_id: place.as_ref().map(|p| p.org.to_string()),
        parent_id: place.as_ref().map(|p| p.parent.to_string()),
        aliases: vec![name.into()],
        external: false,
        // No policy is IAM's NoSuchEntity: nothing set.
        password_policy: Some(if !policy {
            m::PasswordPolicy::default()
        } else {
            m::PasswordPolicy {
                minimum_length: Some(14),
                require_symbols: true,
                require_numbers: true,
                require_uppercase: true,
                require_lowercase: true,
                allow_users_to_change: true,
                max_age_days: Some(90),
                reuse_prevention: Some(24),
                hard_expiry: false,
            }
        }),
        summary: Default::default(),
        credential_report: Some(m::CredentialReport {
            generated: Some(collected_at()),
        }),
        virtual_mfa_devices: Some(Vec::new()),
        s3_public_access_block: Some(if policy {
            m::Answer::Value(all_blocked())
        } else {
            m::Answer::None {
                code: "NoSuchPublicAccessBlockConfiguration".into(),
            }
        }),
    };
    e.nodes
        .push(Node::new(id, id, NodeData::Account(data)).with_name(name));
}

/// The default VPC that every region of every account has: an internet
/// gateway, a 0.0.0.0/0 route, a public subnet per zone, and nothing running.
fn default_vpc(e: &mut Estate, s: &Scope) {
    let v = e.vpc(s, "default", "172.31.0.0/16", None, true);
    let igw = e.internet_gateway(s, &v.vpc, "default-igw");
    e.add_route(
        &v.main_route_table,
        route("0.0.0.0/0", RouteTarget::InternetGateway(igw)),
    );
    for (i, zone) in ['a', 'b', 'c'].into_iter().enumerate() {
        let cidr = format!("172.31.{}.0/20", i * 16);
        e.subnet(
            s,
            &v.vpc,
            &format!("default-{zone}"),
            &cidr,
            None,
            zone,
            true,
        );
    }
}

/// Alice's three-tier web application in one account and region.
struct Stack<'a> {
    env: &'a str,
    second_octet: u8,
    app_count: u8,
    /// Use a managed prefix list for the office (staging) or the CIDR itself.
    office_prefix_list: bool,
}

struct StackIds {
    vpc: String,
    bastion: String,
}

fn web_stack(e: &mut Estate, s: &Scope, st: &Stack) -> StackIds {
    let o = st.second_octet;
    let cidr = format!("10.{o}.0.0/16");
    let v6 = format!("2600:1f18:{:x}00::/56", u32::from(o) + 0x40);
    let v = e.vpc(s, &format!("{}-vpc", st.env), &cidr, Some(&v6), false);
    let vpc = v.vpc.clone();
    let v6_sub = |n: u8| format!("2600:1f18:{:x}{n:02x}::/64", u32::from(o) + 0x40);
    let public_a = e.subnet(
        s,
        &vpc,
        &format!("{}-public-a", st.env),
        &format!("10.{o}.0.0/24"),
        Some(&v6_sub(0)),
        'a',
        true,
    );
    let public_b = e.subnet(
        s,
        &vpc,
        &format!("{}-public-b", st.env),
        &format!("10.{o}.1.0/24"),
        Some(&v6_sub(1)),
        'b',
        true,
    );
    let app_a = e.subnet(
        s,
        &vpc,
        &format!("{}-app-a", st.env),
        &format!("10.{o}.10.0/24"),
        Some(&v6_sub(10)),
        'a',
        false,
    );
    let app_b = e.subnet(
        s,
        &vpc,
        &format!("{}-app-b", st.env),
        &format!("10.{o}.11.0/24"),
        Some(&v6_sub(11)),
        'b',
        false,
    );
    let data_a = e.subnet(
        s,
        &vpc,
        &format!("{}-data-a", st.env),
        &format!("10.{o}.20.0/24"),
        None,
        'a',
        false,
    );
    let data_b = e.subnet(
        s,
        &vpc,
        &format!("{}-data-b", st.env),
        &format!("10.{o}.21.0/24"),
        None,
        'b',
        false,
    );

    let igw = e.internet_gateway(s, &vpc, &format!("{}-igw", st.env));
    let eigw = e.egress_only_gateway(s, &vpc, &format!("{}-eigw", st.env));
    let nat = e.nat_gateway(
        s,
        &vpc,
        &public_a,
        &format!("{}-nat", st.env),
        ip(10, o, 0, 5),
        ip(54, 80, o, 10),
    );
    e.route_table(
        s,
        &vpc,
        &format!("{}-public", st.env),
        &cidr,
        Some(&v6),
        vec![
            route("0.0.0.0/0", RouteTarget::InternetGateway(igw.clone())),
            route("::/0", RouteTarget::InternetGateway(igw)),
        ],
        &[&public_a, &public_b],
    );
    e.route_table(
        s,
        &vpc,
        &format!("{}-app", st.env),
        &cidr,
        Some(&v6),
        vec![
            route("0.0.0.0/0", RouteTarget::NatGateway(nat)),
            route("::/0", RouteTarget::EgressOnlyInternetGateway(eigw)),
        ],
        &[&app_a, &app_b],
    );
    // The data tier's subnets stay on the main table: local routes only.

    let vpc_net = format!("10.{o}.0.0/16");
    e.network_acl(
        s,
        &vpc,
        &format!("{}-data-acl", st.env),
        vec![
            super::build::acl_entry(
                100,
                false,
                Protocol::Tcp,
                RuleAction::Allow,
                &vpc_net,
                Some((5432, 5432)),
            ),
            super::build::acl_entry(
                32767,
                false,
                Protocol::All,
                RuleAction::Deny,
                "0.0.0.0/0",
                None,
            ),
            super::build::acl_entry(
                100,
                true,
                Protocol::Tcp,
                RuleAction::Allow,
                &vpc_net,
                Some((1024, 65535)),
            ),
            super::build::acl_entry(
                32767,
                true,
                Protocol::All,
                RuleAction::Deny,
                "0.0.0.0/0",
                None,
            ),
        ],
        &[&data_a, &data_b],
    );

    let office = if st.office_prefix_list {
        Some(e.prefix_list(s, "alice-office", &[ALICE_OFFICE_CIDR]))
    } else {
        None
    };
    let alb_sg = e.security_group(
        s,
        &vpc,
        &format!("{}-alb", st.env),
        "HTTPS from the internet",
        vec![
            tcp(443)
                .allow_cidr("0.0.0.0/0")
                .allow_cidr6("::/0")
                .described("public HTTPS"),
        ],
        vec![],
    );
    let app_sg = e.security_group(
        s,
        &vpc,
        &format!("{}-app", st.env),
        "app servers behind the ALB",
        vec![],
        vec![],
    );
    let db_sg = e.security_group(
        s,
        &vpc,
        &format!("{}-db", st.env),
        "PostgreSQL from the app tier",
        vec![],
        vec![],
    );
    let bastion_sg = e.security_group(
        s,
        &vpc,
        &format!("{}-bastion", st.env),
        "SSH from the office",
        vec![],
        vec![],
    );
    let ssh = match &office {
        Some(pl) => tcp(22).allow_prefix_list(pl),
        None => tcp(22)
            .allow_cidr(ALICE_OFFICE_CIDR)
            .described("Alice office"),
    };
    e.set_ingress(&bastion_sg, vec![ssh]);
    e.set_ingress(
        &app_sg,
        vec![
            tcp(8080).allow_group(&alb_sg).described("from the ALB"),
            tcp(22)
                .allow_group(&bastion_sg)
                .described("from the bastion"),
        ],
    );
    e.set_ingress(
        &db_sg,
        vec![
            tcp(5432)
                .allow_group(&app_sg)
                .described("from the app tier"),
        ],
    );

    let account = &s.account;
    let app_role = e.role(account, &format!("{}-app", st.env), trust_service("ec2.amazonaws.com"), &[], vec![(
        "read-config-and-secret",
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": format!("arn:aws:s3:::alice-{}-config/*", st.env)},
            {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": format!("arn:aws:secretsmanager:{}:{account}:secret:{}/db-*", s.region, st.env)}
        ]}),
    )]);
    let app_profile = e.instance_profile(account, &format!("{}-app", st.env), &app_role);
    let ssm = e.aws_policy(
        "AmazonSSMManagedInstanceCore",
        allow(
            &[
                "ssm:UpdateInstanceInformation",
                "ssmmessages:*",
                "ec2messages:*",
            ],
            &["*"],
        ),
    );
    let bastion_role = e.role(
        account,
        &format!("{}-bastion", st.env),
        trust_service("ec2.amazonaws.com"),
        &[&ssm],
        vec![],
    );
    let bastion_profile =
        e.instance_profile(account, &format!("{}-bastion", st.env), &bastion_role);

    let bastion_name = format!("alice-{}-bastion", st.env);
    let (bastion, _) = e.instance(
        s,
        Launch {
            name: &bastion_name,
            subnet: &public_a,
            vpc: &vpc,
            private_ip: ip(10, o, 0, 10),
            public_ip: Some(ip(54, 80, o, 20)),
            ipv6: None,
            groups: vec![bastion_sg.clone()],
            profile_arn: Some(bastion_profile),
            instance_type: "t3.micro",
            imds_v2_required: true,
            state: "running",
            extra_tags: &[("Environment", st.env), ("Owner", "platform")],
        },
    );
    let mut apps = Vec::new();
    for n in 1..=st.app_count {
        let subnet = if n % 2 == 1 { &app_a } else { &app_b };
        let third = if n % 2 == 1 { 10 } else { 11 };
        let name = format!("alice-{}-app-{n}", st.env);
        let v6addr: Ipv6Addr = format!("2600:1f18:{:x}{third:02x}::{n:x}", u32::from(o) + 0x40)
            .parse()
            .unwrap_or(Ipv6Addr::UNSPECIFIED);
        let (id, _) = e.instance(
            s,
            Launch {
                name: &name,
                subnet,
                vpc: &vpc,
                private_ip: ip(10, o, third, 10 + n),
                public_ip: None,
                ipv6: Some(v6addr),
                groups: vec![app_sg.clone()],
                profile_arn: Some(app_profile.clone()),
                instance_type: "m6i.large",
                imds_v2_required: true,
                state: "running",
                extra_tags: &[("Environment", st.env), ("Service", "storefront")],
            },
        );
        apps.push(id);
    }
    let db_name = format!("alice-{}-db", st.env);
    e.instance(
        s,
        Launch {
            name: &db_name,
            subnet: &data_a,
            vpc: &vpc,
            private_ip: ip(10, o, 20, 10),
            public_ip: None,
            ipv6: None,
            groups: vec![db_sg],
            profile_arn: None,
            instance_type: "r6i.xlarge",
            imds_v2_required: true,
            state: "running",
            extra_tags: &[("Environment", st.env), ("Service", "postgres")],
        },
    );

    let alb = e.load_balancer(
        s,
        &vpc,
        &format!("alice-{}-alb", st.env),
        "application",
        true,
        &[
            (&public_a, ip(10, o, 0, 100)),
            (&public_b, ip(10, o, 1, 100)),
        ],
        vec![alb_sg],
        true,
    );
    let app_refs: Vec<&str> = apps.iter().map(String::as_str).collect();
    let tg = e.target_group(s, &vpc, &format!("{}-app", st.env), 8080, &alb, &app_refs);
    e.listener(
        s,
        &alb,
        "HTTPS",
        443,
        m::ListenerAction {
            action_type: "forward".into(),
            target_group_arns: vec![tg],
        },
    );
    e.listener(
        s,
        &alb,
        "HTTP",
        80,
        m::ListenerAction {
            action_type: "redirect".into(),
            target_group_arns: vec![],
        },
    );

    StackIds { vpc, bastion }
}

fn alice(e: &mut Estate) {
    let org = Node::new(
        ALICE_ORG,
        ALICE_MANAGEMENT,
        NodeData::Organization(m::Organization {
            management_account_id: Some(ALICE_MANAGEMENT.into()),
            scps_collected: true,
        }),
    )
    .with_arn(format!(
        "arn:aws:organizations::{ALICE_MANAGEMENT}:organization/{ALICE_ORG}"
    ))
    .with_name("alice");
    e.nodes.push(org);
    // The tree: the management account under the root; security, and the
    // workloads with production and staging below them.
    let ou = |e: &mut Estate, id: &str, name: &str, parent: Option<&str>| {
        e.organizational_unit(ALICE_MANAGEMENT, ALICE_ORG, id, name, parent)
    };
    ou(e, ALICE_ROOT, "Root", None);
    ou(e, ALICE_OU_SECURITY, "security", Some(ALICE_ROOT));
    ou(e, ALICE_OU_WORKLOADS, "workloads", Some(ALICE_ROOT));
    ou(
        e,
        ALICE_OU_PRODUCTION,
        "production",
        Some(ALICE_OU_WORKLOADS),
    );
    ou(e, ALICE_OU_STAGING, "staging", Some(ALICE_OU_WORKLOADS));
    let at = |parent| {
        Some(Place {
            org: ALICE_ORG,
            parent,
        })
    };
    account(
        e,
        ALICE_MANAGEMENT,
        "alice-management",
        "aws-root@alice.example",
        at(ALICE_ROOT),
        true,
    );
    account(
        e,
        ALICE_SECURITY,
        "alice-security",
        "aws-security@alice.example",
        at(ALICE_OU_SECURITY),
        true,
    );
    account(
        e,
        ALICE_PRODUCTION,
        "alice-production",
        "aws-prod@alice.example",
        at(ALICE_OU_PRODUCTION),
        true,
    );
    account(
        e,
        ALICE_STAGING,
        "alice-staging",
        "aws-staging@alice.example",
        at(ALICE_OU_STAGING),
        true,
    );
    // FullAWSAccess everywhere, as AWS attaches it; and one guardrail on
    // the workloads: nobody there, not even an administrator, leaves the
    // organization or turns off GuardDuty and CloudTrail.
    let scp = |e: &mut Estate, id: &str, name: &str, document, aws_managed, targets: &[&str]| {
        let data = m::ServiceControlPolicy {
            description: Some(format!(
                "{name} ({})",
                if aws_managed {
                    "AWS managed"
                } else {
                    "Alice security team"
                }
            )),
            aws_managed,
            document: Some(crate::model::policy::PolicyDocument(document)),
            targets: targets.iter().map(|t| t.to_string()).collect(),
        };
        e.service_control_policy(ALICE_MANAGEMENT, ALICE_ORG, id, name, data);
    };
    scp(
        e,
        "p-FullAWSAccess",
        "FullAWSAccess",
        allow(&["*"], &["*"]),
        true,
        &[
            ALICE_ROOT,
            ALICE_OU_SECURITY,
            ALICE_OU_WORKLOADS,
            ALICE_OU_PRODUCTION,
            ALICE_OU_STAGING,
            ALICE_MANAGEMENT,
            ALICE_SECURITY,
            ALICE_PRODUCTION,
            ALICE_STAGING,
        ],
    );
    scp(
        e,
        ALICE_GUARDRAIL,
        "protect-security-services",
        serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "KeepSecurityServicesOn", "Effect": "Deny",
            "Action": [
                "organizations:LeaveOrganization",
                "guardduty:DeleteDetector",
                "guardduty:DisassociateFromMasterAccount",
                "cloudtrail:StopLogging",
                "cloudtrail:DeleteTrail",
            ],
            "Resource": "*"}]}),
        false,
        &[ALICE_OU_WORKLOADS],
    );

    let admin = e.aws_policy("AdministratorAccess", allow(&["*"], &["*"]));
    let audit = e.aws_policy(
        "SecurityAudit",
        allow(
            &[
                "ec2:Describe*",
                "iam:Get*",
                "iam:List*",
                "guardduty:Get*",
                "guardduty:List*",
            ],
            &["*"],
        ),
    );
    let read_only = e.aws_policy(
        "ReadOnlyAccess",
        allow(&["*:Describe*", "*:Get*", "*:List*"], &["*"]),
    );

    for acct in [
        ALICE_MANAGEMENT,
        ALICE_SECURITY,
        ALICE_PRODUCTION,
        ALICE_STAGING,
    ] {
        e.root_user(acct, true);
        for region in ["us-east-1", "eu-west-1"] {
            let s = Scope::new(acct, region);
            default_vpc(e, &s);
            e.detector(&s, true);
        }
        if acct != ALICE_MANAGEMENT {
            e.role(
                acct,
                "OrganizationAccountAccessRole",
                trust_account(ALICE_MANAGEMENT, None),
                &[&admin],
                vec![],
            );
            e.role(
                acct,
                "security-audit",
                trust_account(ALICE_SECURITY, Some("alice-audit-7f3a9c")),
                &[&audit],
                vec![],
            );
        }
    }

    // Management: people sign in here, with MFA, through groups.
    e.group(ALICE_MANAGEMENT, "administrators", &[&admin]);
    e.group(ALICE_MANAGEMENT, "readers", &[&read_only]);
    e.user(
        ALICE_MANAGEMENT,
        "alice",
        true,
        true,
        &["administrators"],
        &[],
    );
    e.user(ALICE_MANAGEMENT, "carol", true, true, &["readers"], &[]);
    let deploy = e.user(ALICE_MANAGEMENT, "deploy-bot", false, false, &[], &[]);
    let deploy_key = e.access_key(ALICE_MANAGEMENT, &deploy, "deploy-bot", 45, Some(0), true);
    let mgmt_tgw = e.ids.id("tgw");

    // Security: GuardDuty's delegated administrator and a shared-services VPC.
    let sec = Scope::new(ALICE_SECURITY, "us-east-1");
    let shared = e.vpc(&sec, "shared-services", "10.50.0.0/16", None, false);
    e.subnet(
        &sec,
        &shared.vpc,
        "shared-a",
        "10.50.0.0/24",
        None,
        'a',
        false,
    );

    // Production and staging, with the same shape.
    let prod = Scope::new(ALICE_PRODUCTION, "us-east-1");
    let p = web_stack(
        e,
        &prod,
        &Stack {
            env: "prod",
            second_octet: 10,
            app_count: 4,
            office_prefix_list: false,
        },
    );
    let stage = Scope::new(ALICE_STAGING, "us-east-1");
    let st = web_stack(
        e,
        &stage,
        &Stack {
            env: "staging",
            second_octet: 30,
            app_count: 2,
            office_prefix_list: true,
        },
    );

    // Production peers with shared services; staging reaches the
    // management account's transit gateway.
    let pcx = e.ids.id("pcx");
    let peering = m::VpcPeeringConnection {
        requester: m::PeeringSide {
            vpc_id: p.vpc.clone(),
            owner_id: Some(ALICE_PRODUCTION.into()),
            region: Some("us-east-1".into()),
            cidr_blocks: "10.10.0.0/16".parse().into_iter().collect(),
            ipv6_cidr_blocks: vec![],
        },
        accepter: m::PeeringSide {
            vpc_id: shared.vpc.clone(),
            owner_id: Some(ALICE_SECURITY.into()),
            region: Some("us-east-1".into()),
            cidr_blocks: "10.50.0.0/16".parse().into_iter().collect(),
            ipv6_cidr_blocks: vec![],
        },
        status: Some("active".into()),
    };
    e.nodes.push(
        Node::new(
            &pcx,
            ALICE_PRODUCTION,
            NodeData::VpcPeeringConnection(peering),
        )
        .in_region("us-east-1")
        .with_name("prod-to-shared-services"),
    );
    let tgw_att = e.ids.id("tgw-attach");
    let att = m::TransitGatewayAttachment {
        transit_gateway_id: mgmt_tgw,
        resource_type: "vpc".into(),
        resource_id: Some(st.vpc.clone()),
        resource_owner_id: Some(ALICE_STAGING.into()),
        state: Some("available".into()),
        subnet_ids: vec![],
    };
    e.nodes.push(
        Node::new(
            &tgw_att,
            ALICE_STAGING,
            NodeData::TransitGatewayAttachment(att),
        )
        .in_region("us-east-1")
        .with_name("staging-to-core"),
    );

    // eu-west-1 production: a batch worker in a private VPC.
    let prod_eu = Scope::new(ALICE_PRODUCTION, "eu-west-1");
    let w = e.vpc(&prod_eu, "prod-eu-vpc", "10.11.0.0/16", None, false);
    let wsub = e.subnet(
        &prod_eu,
        &w.vpc,
        "prod-eu-private-a",
        "10.11.10.0/24",
        None,
        'a',
        false,
    );
    let wsg = e.security_group(
        &prod_eu,
        &w.vpc,
        "prod-eu-worker",
        "batch workers; no inbound",
        vec![],
        vec![],
    );
    let wrole = e.role(
        ALICE_PRODUCTION,
        "prod-eu-worker",
        trust_service("ec2.amazonaws.com"),
        &[],
        vec![(
            "queue",
            allow(
                &["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                &["arn:aws:sqs:eu-west-1:333333333333:jobs"],
            ),
        )],
    );
    let wprof = e.instance_profile(ALICE_PRODUCTION, "prod-eu-worker", &wrole);
    e.instance(
        &prod_eu,
        Launch {
            name: "alice-prod-eu-worker-1",
            subnet: &wsub,
            vpc: &w.vpc,
            private_ip: ip(10, 11, 10, 10),
            public_ip: None,
            ipv6: None,
            groups: vec![wsg],
            profile_arn: Some(wprof),
            instance_type: "c6i.large",
            imds_v2_required: true,
            state: "running",
            extra_tags: &[("Environment", "prod")],
        },
    );

    // GuardDuty findings: the bastion is probed and brute-forced; the
    // deploy key behaves oddly.
    let det = detector_of(e, &prod);
    let found = e.finding(
        &prod,
        &det,
        "Recon:EC2/PortProbeUnprotectedPort",
        2.0,
        "Unprotected port on EC2 instance alice-prod-bastion is being probed.",
        "EC2 instance has an unprotected port 22 which is being probed by a known malicious host.",
        Some(&p.bastion),
        None,
        5,
    );
    e.finding_saw(
        &found,
        saw_probe(&[22], "198.51.100.14", "ExampleNet Hosting", "Netherlands"),
    );
    let found = e.finding(
        &prod,
        &det,
        "UnauthorizedAccess:EC2/SSHBruteForce",
        5.0,
        "SSH brute force attacks against alice-prod-bastion.",
        "198.51.100.23 is performing SSH brute force attacks against alice-prod-bastion.",
        Some(&p.bastion),
        None,
        3,
    );
    e.finding_saw(
        &found,
        saw_connection(22, "198.51.100.23", "Example Transit", "Romania"),
    );
    let det_m = detector_of(e, &Scope::new(ALICE_MANAGEMENT, "us-east-1"));
    let found = e.finding(
        &Scope::new(ALICE_MANAGEMENT, "us-east-1"),
        &det_m,
        "CredentialAccess:IAMUser/AnomalousBehavior",
        5.0,
        "Anomalous API call by deploy-bot.",
        "APIs commonly used to discover secrets were invoked by deploy-bot in an unusual way.",
        None,
        Some(("deploy-bot", &deploy_key)),
        20,
    );
    e.finding_saw(
        &found,
        saw_call(
            "GetSecretValue",
            "secretsmanager.amazonaws.com",
            "192.0.2.44",
            "Example Mobile",
            "Brazil",
        ),
    );
    let det_s = detector_of(e, &stage);
    let found = e.finding(
        &stage,
        &det_s,
        "Recon:EC2/PortProbeUnprotectedPort",
        2.0,
        "Unprotected port on EC2 instance alice-staging-bastion is being probed.",
        "EC2 instance has an unprotected port 22 which is being probed by a known malicious host.",
        Some(&st.bastion),
        None,
        30,
    );
    e.finding_saw(
        &found,
        saw_probe(&[22], "198.51.100.14", "ExampleNet Hosting", "Netherlands"),
    );
}

/// Who records what, and how the disks are kept. Alice: an organization
/// trail from the management account (its bucket lives in the security
/// account, which is not read here), Config everywhere — except staging's
/// eu-west-1, where someone narrowed the recorder to save money — flow
/// logs on every VPC, EBS encryption by default, encrypted volumes. Bill:
/// none of it, and his disks are not encrypted.
fn logging_and_data(e: &mut Estate) {
    let alice = [
        ALICE_MANAGEMENT,
        ALICE_SECURITY,
        ALICE_PRODUCTION,
        ALICE_STAGING,
    ];
    let management = Scope::new(ALICE_MANAGEMENT, "us-east-1");
    let trail_key = e.kms_key(&management, "alice-organization-trail", true);
    e.trail(
        &management,
        "alice-organization-trail",
        "alice-org-cloudtrail-logs",
        &trail_key,
        true,
    );
    let security = Scope::new(ALICE_SECURITY, "us-east-1");
    let logs_key = e.kms_key(&security, "alice-log-archive", true);
    for name in ["alice-org-cloudtrail-logs", "alice-org-flow-logs"] {
        e.bucket(
            &security,
            name,
            private_bucket(name, &logs_key, Some("alice-s3-access-logs")),
        );
    }
    e.bucket(
        &security,
        "alice-s3-access-logs",
        private_bucket("alice-s3-access-logs", &logs_key, None),
    );
    // Bill's backups of his database, readable by anyone who finds the
    // name; and his site's images, public on purpose.
    let bill = Scope::new(BILL, "us-east-1");
    e.bucket(&bill, "bill-backups", public_bucket("bill-backups", true));
    e.bucket(
        &bill,
        "bill-website-images",
        public_bucket("bill-website-images", false),
    );
    for acct in alice {
        for region in ["us-east-1", "eu-west-1"] {
            let s = Scope::new(acct, region);
            e.config_recorder(&s, !(acct == ALICE_STAGING && region == "eu-west-1"));
            e.ebs_default(&s, true);
        }
    }
    // us-west-2's answer is a gap (see `gaps`): unknown, not a pass.
    e.ebs_default(&Scope::new(BILL, "us-east-1"), false);
    // Alice's key for staging's application data: its key policy leaves
    // the audit role out, so neither its rotation nor the policy itself
    // could be read (gaps): who may use the key is not known.
    let staging = Scope::new(ALICE_STAGING, "us-east-1");
    e.kms_key(&staging, "alice-staging-app", true);
    if let Some(NodeData::KmsKey(k)) = e.nodes.last_mut().map(|n| &mut n.data) {
        k.rotation_enabled = None;
        k.policy = None;
    }
    // Alice's baseline empties every default security group.
    for n in e.nodes.iter_mut() {
        if let NodeData::SecurityGroup(sg) = &mut n.data {
            if sg.group_name == "default" && alice.contains(&n.account.as_str()) {
                sg.ingress.clear();
                sg.egress.clear();
            }
        }
    }
    databases(e);
    let vpcs: Vec<(String, String, String)> = e
        .nodes
        .iter()
        .filter(|n| matches!(n.data, NodeData::Vpc(_)) && alice.contains(&n.account.as_str()))
        .map(|n| {
            (
                n.account.clone(),
                n.region.clone().unwrap_or_default(),
                n.id.clone(),
            )
        })
        .collect();
    for (acct, region, vpc) in vpcs {
        e.flow_log(&Scope::new(&acct, &region), &vpc, "alice-org-flow-logs");
    }
    let instances: Vec<(String, String, String)> = e
        .nodes
        .iter()
        .filter(|n| matches!(n.data, NodeData::Instance(_)))
        .map(|n| {
            (
                n.account.clone(),
                n.region.clone().unwrap_or_default(),
                n.id.clone(),
            )
        })
        .collect();
    for (acct, region, instance) in instances {
        let encrypted = alice.contains(&acct.as_str());
        e.volume(
            &Scope::new(&acct, &region),
            &instance,
            encrypted,
            if encrypted { 20 } else { 8 },
        );
    }
}

/// The id of the node of this kind and name in an account.
fn named(e: &Estate, account: &str, name: &str, kind: m::NodeKind) -> String {
    e.nodes
        .iter()
        .find(|n| n.account == account && n.kind() == kind && n.name.as_deref() == Some(name))
        .map(|n| n.id.clone())
        .unwrap_or_default()
}

/// Alice's orders database: private, in the data subnets, encrypted.
/// Bill's reports database: in his public subnet, with a public address
/// and the `database` group that lets the world in on 3306, unencrypted.
fn databases(e: &mut Estate) {
    use m::NodeKind::{SecurityGroup, Subnet, Vpc};
    let prod = Scope::new(ALICE_PRODUCTION, "us-east-1");
    let key = e.kms_key(&prod, "alice-prod-data", true);
    let vpc = named(e, ALICE_PRODUCTION, "prod-vpc", Vpc);
    let subnets = vec![
        named(e, ALICE_PRODUCTION, "prod-data-a", Subnet),
        named(e, ALICE_PRODUCTION, "prod-data-b", Subnet),
    ];
    let groups = vec![named(e, ALICE_PRODUCTION, "prod-db", SecurityGroup)];
    e.database(
        &prod,
        DbLaunch {
            name: "alice-prod-orders",
            engine: "postgres",
            port: 5432,
            vpc: &vpc,
            subnets,
            groups,
            private_ip: ip(10, 10, 20, 50),
            public_ip: None,
            key: Some(key),
        },
    );
    let bill = Scope::new(BILL, "us-east-1");
    let vpc = named(e, BILL, "bill-vpc", Vpc);
    let subnets = vec![
        named(e, BILL, "bill-public", Subnet),
        named(e, BILL, "bill-public-b", Subnet),
    ];
    let groups = vec![named(e, BILL, "database", SecurityGroup)];
    e.database(
        &bill,
        DbLaunch {
            name: "bill-reports",
            engine: "mysql",
            port: 3306,
            vpc: &vpc,
            subnets,
            groups,
            private_ip: ip(172, 31, 5, 30),
            public_ip: Some(ip(54, 210, 33, 9)),
            key: None,
        },
    );
}

/// What the demo's collection could not read, as a live run reports it.
fn gaps() -> Vec<m::Gap> {
    vec![
        m::Gap {
            account: ALICE_STAGING.into(),
            region: Some("us-east-1".into()),
            service: "kms".into(),
            operation: "get-key-rotation-status".into(),
            reason: "AccessDeniedException: the key policy of alias/alice-staging-app does not allow the audit role kms:GetKeyRotationStatus".into(),
        },
        m::Gap {
            account: ALICE_STAGING.into(),
            region: Some("us-east-1".into()),
            service: "kms".into(),
            operation: "get-key-policy".into(),
            reason: "AccessDeniedException: the key policy of alias/alice-staging-app does not allow the audit role kms:GetKeyPolicy".into(),
        },
        m::Gap {
            account: BILL.into(),
            region: Some("us-west-2".into()),
            service: "ec2".into(),
            operation: "get-ebs-encryption-by-default".into(),
            reason: "UnauthorizedOperation: You are not authorized to perform this operation.".into(),
        },
    ]
}

fn detector_of(e: &Estate, s: &Scope) -> String {
    e.nodes
        .iter()
        .find(|n| {
            n.account == s.account
                && n.region.as_deref() == Some(&s.region)
                && matches!(n.data, NodeData::GuardDutyDetector(_))
        })
        .map(|n| n.id.clone())
        .unwrap_or_default()
}

fn bill(e: &mut Estate) {
    account(e, BILL, "bill-company", "bill@bill.example", None, false);
    let s = Scope::new(BILL, "us-east-1");
    let admin = e.aws_policy("AdministratorAccess", allow(&["*"], &["*"]));

    let v = e.vpc(
        &s,
        "bill-vpc",
        "172.31.0.0/16",
        Some("2600:1f18:bb00::/56"),
        true,
    );
    let igw = e.internet_gateway(&s, &v.vpc, "bill-igw");
    e.add_route(
        &v.main_route_table,
        route("0.0.0.0/0", RouteTarget::InternetGateway(igw.clone())),
    );
    e.add_route(
        &v.main_route_table,
        route("::/0", RouteTarget::InternetGateway(igw)),
    );
    let public = e.subnet(
        &s,
        &v.vpc,
        "bill-public",
        "172.31.0.0/20",
        Some("2600:1f18:bb00::/64"),
        'a',
        true,
    );
    e.subnet(
        &s,
        &v.vpc,
        "bill-public-b",
        "172.31.16.0/20",
        None,
        'b',
        true,
    );

    let web_sg = e.security_group(
        &s,
        &v.vpc,
        "launch-wizard-1",
        "launch-wizard-1 created 2021-03-02",
        vec![all_traffic().allow_cidr("0.0.0.0/0").allow_cidr6("::/0")],
        vec![],
    );
    let db_sg = e.security_group(
        &s,
        &v.vpc,
        "database",
        "mysql",
        vec![
            tcp(3306)
                .allow_cidr("0.0.0.0/0")
                .described("temporary, for the contractor"),
            tcp(22).allow_cidr("0.0.0.0/0"),
        ],
        vec![],
    );

    let web_role = e.role(
        BILL,
        "web-server-role",
        trust_service("ec2.amazonaws.com"),
        &[&admin],
        vec![],
    );
    let web_profile = e.instance_profile(BILL, "web-server-role", &web_role);
    let (web, _) = e.instance(
        &s,
        Launch {
            name: "bill-web-server",
            subnet: &public,
            vpc: &v.vpc,
            private_ip: ip(172, 31, 5, 10),
            public_ip: Some(ip(54, 210, 33, 7)),
            ipv6: Some(
                "2600:1f18:bb00::10"
                    .parse()
                    .unwrap_or(Ipv6Addr::UNSPECIFIED),
            ),
            groups: vec![web_sg],
            profile_arn: Some(web_profile),
            instance_type: "t2.large",
            imds_v2_required: false,
            state: "running",
            extra_tags: &[],
        },
    );
    let (db, _) = e.instance(
        &s,
        Launch {
            name: "bill-database",
            subnet: &public,
            vpc: &v.vpc,
            private_ip: ip(172, 31, 5, 20),
            public_ip: Some(ip(54, 210, 33, 8)),
            ipv6: None,
            groups: vec![db_sg],
            profile_arn: None,
            instance_type: "m5.xlarge",
            imds_v2_required: false,
            state: "running",
            extra_tags: &[],
        },
    );

    // People and keys.
    e.root_user(BILL, false);
    let root = format!("arn:aws:iam::{BILL}:root");
    let root_key = e.access_key(BILL, &root, "root", 1400, Some(12), true);
    let bill_user = e.user(BILL, "bill", true, false, &[], &[&admin]);
    e.access_key(BILL, &bill_user, "bill", 400, Some(1), true);
    let intern = e.user(BILL, "summer-intern", true, false, &[], &[&admin]);
    e.access_key(BILL, &intern, "summer-intern", 500, Some(380), false);
    // Meant for rotating one's own keys; the wildcard covers every user,
    // the admins' too.
    let keys = e.customer_policy(
        BILL,
        "developer-self-service",
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadTheConsole", "Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*", "iam:ListUsers"], "Resource": "*"},
            {"Sid": "RotateKeys", "Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:DeleteAccessKey"],
             "Resource": format!("arn:aws:iam::{BILL}:user/*")},
            // Meant to keep developers off the backups; the misspelt
            // action denies nothing.
            {"Sid": "ProtectBackups", "Effect": "Deny", "Action": ["s3:DeleteBuckets", "s3:PutBucketPolicy"],
             "Resource": "arn:aws:s3:::bill-backups"}]}),
    );
    // Its first version let developers do anything in IAM; it is kept.
    e.earlier_version(
        &keys,
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*", "iam:*"], "Resource": "*"}]}),
    );
    let dev = e.user(BILL, "dev-sam", true, false, &[], &[&keys]);
    e.access_key(BILL, &dev, "dev-sam", 90, Some(3), true);
    let ci = e.user(BILL, "ci", false, false, &[], &[&admin]);
    e.access_key(BILL, &ci, "ci", 200, Some(0), true);
    e.role(
        BILL,
        "partner-support",
        trust_account(BILL_PARTNER, None),
        &[&admin],
        vec![],
    );

    // GuardDuty in us-east-1 only: us-west-2 has none.
    let det = e.detector(&s, true);
    let found = e.finding(&s, &det, "CryptoCurrency:EC2/BitcoinTool.B!DNS", 8.0, "bill-web-server is querying a domain name associated with Bitcoin activity.",
        "EC2 instance bill-web-server is querying a domain name that is associated with Bitcoin-related activity.", Some(&web), None, 2);
    e.finding_saw(&found, saw_dns("pool.coinmine.example"));
    let found = e.finding(
        &s,
        &det,
        "UnauthorizedAccess:EC2/SSHBruteForce",
        5.0,
        "SSH brute force attacks against bill-database.",
        "198.51.100.77 is performing SSH brute force attacks against bill-database.",
        Some(&db),
        None,
        9,
    );
    e.finding_saw(
        &found,
        saw_connection(22, "198.51.100.77", "Example Transit", "Romania"),
    );
    let found = e.finding(&s, &det, "Recon:EC2/PortProbeUnprotectedPort", 5.0, "Unprotected port on EC2 instance bill-database is being probed.",
        "EC2 instance has an unprotected port 3306 which is being probed by a known malicious host.", Some(&db), None, 4);
    e.finding_saw(
        &found,
        saw_probe(
            &[3306],
            "198.51.100.31",
            "ExampleNet Hosting",
            "Netherlands",
        ),
    );
    let found = e.finding(&s, &det, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", 8.0,
        "Credentials for instance role web-server-role used from external IP address.",
        "Credentials created exclusively for an EC2 instance using instance role web-server-role have been used from external IP address 198.51.100.200.",
        None, Some(("web-server-role", "ASIA0000000000000000")), 1);
    e.finding_saw(
        &found,
        saw_call(
            "ListBuckets",
            "s3.amazonaws.com",
            "198.51.100.200",
            "Example VPS",
            "Singapore",
        ),
    );
    let found = e.finding(
        &s,
        &det,
        "Policy:IAMUser/RootCredentialUsage",
        2.0,
        "API ListBuckets was invoked using root credentials.",
        "API ListBuckets was invoked using root credentials from IP address 198.51.100.9.",
        None,
        Some(("Root", &root_key)),
        12,
    );
    e.finding_saw(
        &found,
        saw_call(
            "ListBuckets",
            "s3.amazonaws.com",
            "198.51.100.9",
            "Example Broadband",
            "United States",
        ),
    );

    let west = Scope::new(BILL, "us-west-2");
    let wv = e.vpc(&west, "default", "172.31.0.0/16", None, true);
    let wigw = e.internet_gateway(&west, &wv.vpc, "default-igw");
    e.add_route(
        &wv.main_route_table,
        route("0.0.0.0/0", RouteTarget::InternetGateway(wigw)),
    );
    let wsub = e.subnet(
        &west,
        &wv.vpc,
        "default-a",
        "172.31.0.0/20",
        None,
        'a',
        true,
    );
    let old_sg = e.security_group(
        &west,
        &wv.vpc,
        "old-test",
        "testing",
        vec![tcp(8080).allow_cidr("0.0.0.0/0")],
        vec![],
    );
    e.instance(
        &west,
        Launch {
            name: "bill-old-test",
            subnet: &wsub,
            vpc: &wv.vpc,
            private_ip: ip(172, 31, 2, 40),
            public_ip: None,
            ipv6: None,
            groups: vec![old_sg],
            profile_arn: None,
            instance_type: "t2.micro",
            imds_v2_required: false,
            state: "stopped",
            extra_tags: &[],
        },
    );
}

/// What a demo finding saw: a probe of these ports, from this host.
fn saw_probe(ports: &[u16], ip: &str, org: &str, country: &str) -> m::FindingAction {
    m::FindingAction {
        action_type: "PORT_PROBE".into(),
        local_ports: ports.to_vec(),
        ..remote(ip, org, country)
    }
}

/// An inbound TCP connection to this port.
fn saw_connection(port: u16, ip: &str, org: &str, country: &str) -> m::FindingAction {
    m::FindingAction {
        action_type: "NETWORK_CONNECTION".into(),
        local_ports: vec![port],
        protocol: Some("TCP".into()),
        direction: Some("INBOUND".into()),
        ..remote(ip, org, country)
    }
}

/// An AWS API call from this address.
fn saw_call(api: &str, service: &str, ip: &str, org: &str, country: &str) -> m::FindingAction {
    m::FindingAction {
        action_type: "AWS_API_CALL".into(),
        api: Some(api.into()),
        service_name: Some(service.into()),
        ..remote(ip, org, country)
    }
}

/// A DNS request for this domain.
fn saw_dns(domain: &str) -> m::FindingAction {
    m::FindingAction {
        action_type: "DNS_REQUEST".into(),
        domain: Some(domain.into()),
        protocol: Some("UDP".into()),
        ..m::FindingAction::default()
    }
}

fn remote(ip: &str, org: &str, country: &str) -> m::FindingAction {
    m::FindingAction {
        remote_ip: ip.parse().ok(),
        remote_org: Some(org.into()),
        remote_country: Some(country.into()),
        ..m::FindingAction::default()
    }
}
