//! The demo organization holds the Alice and Bill story, consistently.

use skyhound::graph::{Direction, Graph};
use skyhound::model::network::Protocol;
use skyhound::model::{EdgeKind, NodeData, NodeKind};
use skyhound::source::demo::{self, ALICE_OFFICE_CIDR, BILL, BILL_PARTNER};

fn named(g: &Graph, name: &str) -> skyhound::graph::NodeId {
    let found = g.by_name(name);
    assert_eq!(found.len(), 1, "exactly one {name}");
    found[0]
}

fn groups_of<'g>(g: &'g Graph, name: &str) -> Vec<&'g skyhound::model::SecurityGroup> {
    let id = named(g, name);
    g.neighbours(id, EdgeKind::ProtectedBy, Direction::Outgoing)
        .filter_map(|sg| match &g.node(sg).data {
            NodeData::SecurityGroup(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn is_a_few_hundred_consistent_resources() {
    let g = demo::graph();
    assert!((200..1000).contains(&g.len()), "{} resources", g.len());
    // Every id a resource names resolves: no dangling subnet, group or VPC.
    for (_, n) in g.nodes() {
        let refs: Vec<&str> = match &n.data {
            NodeData::Instance(i) => i
                .security_group_ids
                .iter()
                .map(String::as_str)
                .chain(i.subnet_id.as_deref())
                .chain(i.vpc_id.as_deref())
                .collect(),
            NodeData::NetworkInterface(e) => e
                .security_group_ids
                .iter()
                .map(String::as_str)
                .chain(e.subnet_id.as_deref())
                .collect(),
            NodeData::Subnet(s) => vec![s.vpc_id.as_str()],
            NodeData::RouteTable(r) => r
                .routes
                .iter()
                .filter_map(|x| x.target.id())
                .chain([r.vpc_id.as_str()])
                .collect(),
            _ => vec![],
        };
        for r in refs {
            assert!(
                g.by_id(r).is_some(),
                "{} {} names missing {r}",
                n.kind(),
                n.id
            );
        }
    }
    // Every subnet has a route table and a network ACL.
    for (id, n) in g.nodes_of(NodeKind::Subnet) {
        let rt = g.outgoing(id).any(|e| {
            matches!(
                e.kind,
                EdgeKind::UsesRouteTable | EdgeKind::UsesMainRouteTable
            )
        });
        let acl = g.outgoing(id).any(|e| e.kind == EdgeKind::UsesNetworkAcl);
        assert!(rt && acl, "subnet {} lacks a route table or ACL", n.id);
    }
}

#[test]
fn bill_database_allows_3306_from_anywhere_and_sits_in_the_public_subnet() {
    let g = demo::graph();
    let sgs = groups_of(&g, "bill-database");
    assert!(
        sgs.iter()
            .flat_map(|s| &s.ingress)
            .any(|r| r.protocol == Protocol::Tcp
                && r.from_port == Some(3306)
                && r.ipv4.iter().any(|c| c.cidr.to_string() == "0.0.0.0/0"))
    );
    let web = g.node(named(&g, "bill-web-server"));
    let db = g.node(named(&g, "bill-database"));
    let (NodeData::Instance(w), NodeData::Instance(d)) = (&web.data, &db.data) else {
        panic!()
    };
    assert_eq!(w.subnet_id, d.subnet_id);
    assert!(d.public_ip.is_some());
}

#[test]
fn bill_web_server_is_open_to_all_traffic_and_runs_as_administrator() {
    let g = demo::graph();
    let sgs = groups_of(&g, "bill-web-server");
    assert!(sgs.iter().flat_map(|s| &s.ingress).any(|r| r.protocol == Protocol::All && r.ipv4.iter().any(|c| c.cidr.prefix_len() == 0)));
    let web = named(&g, "bill-web-server");
    let profile = g
        .neighbours(web, EdgeKind::UsesInstanceProfile, Direction::Outgoing)
        .next()
        .expect("profile");
    let role = g
        .neighbours(profile, EdgeKind::HasRole, Direction::Outgoing)
        .next()
        .expect("role");
    let policies: Vec<String> = g
        .neighbours(role, EdgeKind::AttachedPolicy, Direction::Outgoing)
        .map(|p| g.node(p).id.clone())
        .collect();
    assert_eq!(policies, ["arn:aws:iam::aws:policy/AdministratorAccess"]);
}

#[test]
fn bill_has_users_without_mfa_root_keys_an_old_key_and_a_blind_region() {
    let g = demo::graph();
    let now = demo::collected_at();
    let users: Vec<_> = g
        .nodes_of(NodeKind::IamUser)
        .filter(|(_, n)| n.account == BILL)
        .collect();
    assert!(users.iter().filter(|(_, n)| matches!(&n.data, NodeData::IamUser(u) if u.mfa_active == Some(false) && !u.is_root)).count() >= 2);
    let root = g.by_id(&format!("arn:aws:iam::{BILL}:root")).expect("root");
    assert!(
        g.neighbours(root, EdgeKind::HasAccessKey, Direction::Outgoing)
            .count()
            >= 1
    );
    assert!(g.nodes_of(NodeKind::AccessKey).any(|(_, n)| n.account == BILL
        && matches!(&n.data, NodeData::AccessKey(k) if k.is_active() && k.age_days(now).unwrap_or(0) > 90)));
    assert!(
        g.nodes_of(NodeKind::GuardDutyDetector)
            .any(|(_, n)| n.account == BILL && n.region.as_deref() == Some("us-east-1"))
    );
    assert!(
        !g.nodes_of(NodeKind::GuardDutyDetector)
            .any(|(_, n)| n.account == BILL && n.region.as_deref() == Some("us-west-2"))
    );
    assert!(
        g.nodes_of(NodeKind::Vpc)
            .any(|(_, n)| n.account == BILL && n.region.as_deref() == Some("us-west-2")),
        "the region is in use"
    );
}

#[test]
fn bill_role_trusts_a_partner_account_without_external_id() {
    let g = demo::graph();
    let role = g
        .by_id(&format!("arn:aws:iam::{BILL}:role/partner-support"))
        .expect("role");
    let trust = g
        .outgoing(role)
        .find(|e| e.kind == EdgeKind::Trusts)
        .expect("trust");
    assert_eq!(g.node(trust.to).id, BILL_PARTNER);
    assert_eq!(
        trust.detail.as_ref(),
        Some(&skyhound::model::EdgeDetail::CrossAccount {
            external_id_required: false
        })
    );
}

#[test]
fn alice_bastion_allows_ssh_from_the_office_only() {
    let g = demo::graph();
    let sgs = groups_of(&g, "alice-prod-bastion");
    let ingress: Vec<_> = sgs.iter().flat_map(|s| &s.ingress).collect();
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0].from_port, Some(22));
    assert_eq!(
        ingress[0]
            .ipv4
            .iter()
            .map(|c| c.cidr.to_string())
            .collect::<Vec<_>>(),
        [ALICE_OFFICE_CIDR]
    );
    // Staging names the office through a managed prefix list.
    let staging = groups_of(&g, "alice-staging-bastion");
    let pl = &staging[0].ingress[0].prefix_lists[0].prefix_list_id;
    let NodeData::ManagedPrefixList(list) = &g.node(g.by_id(pl).expect("list")).data else {
        panic!()
    };
    assert_eq!(
        list.entries.as_ref().map(|e| e[0].cidr.to_string()),
        Some(ALICE_OFFICE_CIDR.to_string())
    );
}

#[test]
fn alice_apps_sit_in_private_subnets_behind_an_internet_facing_alb_on_443() {
    let g = demo::graph();
    let alb = named(&g, "alice-prod-alb");
    let NodeData::LoadBalancer(lb) = &g.node(alb).data else {
        panic!()
    };
    assert!(lb.is_internet_facing());
    let listener = g
        .neighbours(alb, EdgeKind::ListenerOf, Direction::Incoming)
        .find(|l| matches!(&g.node(*l).data, NodeData::Listener(x) if x.port == Some(443)))
        .expect("443 listener");
    let tg = g
        .neighbours(listener, EdgeKind::ForwardsTo, Direction::Outgoing)
        .next()
        .expect("target group");
    let targets: Vec<String> = g
        .neighbours(tg, EdgeKind::Targets, Direction::Outgoing)
        .filter_map(|t| g.node(t).name.clone())
        .collect();
    assert_eq!(targets.len(), 4);
    for name in &targets {
        let NodeData::Instance(i) = &g.node(named(&g, name)).data else {
            panic!()
        };
        assert!(i.public_ip.is_none(), "{name} has no public address");
        let subnet = g.node(
            g.by_id(i.subnet_id.as_deref().unwrap_or_default())
                .expect("subnet"),
        );
        assert!(
            subnet.name.as_deref().is_some_and(|n| n.contains("-app-")),
            "{name} is in an app subnet"
        );
        let sgs = groups_of(&g, name);
        assert!(
            sgs.iter()
                .flat_map(|s| &s.ingress)
                .all(|r| r.ipv4.is_empty() && r.ipv6.is_empty()),
            "{name}: no CIDR rules"
        );
    }
    // The database tier only admits the app security group.
    let db = groups_of(&g, "alice-prod-db");
    assert!(
        db[0]
            .ingress
            .iter()
            .all(|r| r.ipv4.is_empty() && r.groups.len() == 1)
    );
}

#[test]
fn guardduty_is_on_in_every_alice_region_with_realistic_findings() {
    let g = demo::graph();
    for account in [
        demo::ALICE_MANAGEMENT,
        demo::ALICE_SECURITY,
        demo::ALICE_PRODUCTION,
        demo::ALICE_STAGING,
    ] {
        for region in ["us-east-1", "eu-west-1"] {
            assert!(
                g.nodes_of(NodeKind::GuardDutyDetector)
                    .any(|(_, n)| n.account == account
                        && n.region.as_deref() == Some(region)
                        && matches!(&n.data, NodeData::GuardDutyDetector(d) if d.is_enabled())),
                "{account}/{region}"
            );
        }
    }
    let types: Vec<String> = g
        .nodes_of(NodeKind::GuardDutyFinding)
        .filter_map(|(_, n)| match &n.data {
            NodeData::GuardDutyFinding(f) => Some(f.finding_type.clone()),
            _ => None,
        })
        .collect();
    for t in [
        "Recon:EC2/PortProbeUnprotectedPort",
        "UnauthorizedAccess:EC2/SSHBruteForce",
        "CredentialAccess:IAMUser/AnomalousBehavior",
    ] {
        assert!(types.iter().any(|x| x == t), "{t}");
    }
    let bastion = named(&g, "alice-prod-bastion");
    assert_eq!(
        g.neighbours(bastion, EdgeKind::FindingAffects, Direction::Incoming)
            .count(),
        2
    );
}

#[test]
fn is_the_same_every_time() {
    let a = demo::graph();
    let b = demo::graph();
    assert!(a.nodes().zip(b.nodes()).all(|((_, x), (_, y))| x == y));
}

#[test]
fn a_result_about_a_trail_is_the_trails_own_even_when_its_bucket_is_elsewhere() {
    // Alice's organization trail lives in the management account and
    // writes to a bucket in the security account.
    let g = demo::graph();
    let analysis = skyhound::analysis::analyse(&g);
    let trail = analysis
        .results()
        .find(|f| {
            f.check == "cloudtrail.bucket-public" && f.resource.contains("alice-organization-trail")
        })
        .expect("the trail's bucket is checked");
    assert_eq!(trail.account, demo::ALICE_MANAGEMENT);
    assert_eq!(trail.region.as_deref(), Some("us-east-1"));
    assert_eq!(g.node(trail.node).account, demo::ALICE_MANAGEMENT);
    assert!(
        trail.title.contains("alice-org-cloudtrail-logs"),
        "{}",
        trail.title
    );
}
