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
        "100000000000",
        NodeData::Organization(m::Organization {
            management_account_id: Some("100000000000".into()),
            ..m::Organization::default()
        }),
    ));

    let mut unit = 0usize;
    let mut acct_index = 0usize;
    let mut detectors: HashMap<(String, &str), String> = HashMap::new();
    let mut accounts_done: HashSet<String> = HashSet::new();
    while e.nodes.len() < resources {
        let account = format!("{:012}", 100_000_000_000u64 + acct_index as u64);
        if accounts_done.insert(account.clone()) {
            account_iam(&mut e, &account, org, &admin, &read_only);
        }
        let region = REGIONS[(unit / accounts) % regions_per_account];
        let s = Scope::new(&account, region);
        let detector = detectors
            .entry((account.clone(), region))
            .or_insert_with(|| e.detector(&s, true))
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

fn account_iam(e: &mut Estate, account: &str, org: &str, admin: &str, read_only: &str) {
    let data = m::Account {
        organization_id: Some(org.into()),
        status: Some("ACTIVE".into()),
        ..m::Account::default()
    };
    e.nodes.push(
        Node::new(account, account, NodeData::Account(data)).with_name(format!("synth-{account}")),
    );
    e.root_user(account, true);
    e.role(
        account,
        "OrganizationAccountAccessRole",
        trust_account("100000000000", None),
        &[admin],
        vec![],
    );
    for i in 0..20 {
        let policy = e.customer_policy(
            account,
            &format!("service-{i}-access"),
            allow(
                &["s3:GetObject", "sqs:SendMessage"],
                &[&format!("arn:aws:s3:::bucket-{i}/*")],
            ),
        );
        let role = e.role(
            account,
            &format!("service-{i}"),
            trust_service("ec2.amazonaws.com"),
            &[&policy],
            vec![],
        );
        e.instance_profile(account, &format!("service-{i}"), &role);
    }
    for i in 0..8 {
        let mfa = i % 3 != 0;
        let user = e.user(
            account,
            &format!("user-{i}"),
            i % 2 == 0,
            mfa,
            &[],
            &[read_only],
        );
        let age = e.ids.below(500) as i64;
        e.access_key(account, &user, &format!("user-{i}"), age, Some(1), true);
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
        if !public {
            targets.push(id);
        }
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
