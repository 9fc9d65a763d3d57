//! Import of AWS JSON: every file kind, both layouts, and broken input.

use skyhound::graph::{Direction, Graph};
use skyhound::model::network::{Destination, Protocol, RouteState, RouteTarget, RuleAction};
use skyhound::model::{EdgeKind, NodeData, NodeKind};
use skyhound::source::import::{ImportOptions, import_dir};

use crate::fixture;

const A: &str = "123456789012";

fn alias_tree() -> Graph {
    let imported =
        import_dir(&fixture("import/alias-tree"), &ImportOptions::default()).expect("imports");
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    imported.graph
}

fn data<'g>(g: &'g Graph, id: &str) -> &'g NodeData {
    let n = g.by_id(id).unwrap_or_else(|| panic!("{id} was imported"));
    &g.node(n).data
}

fn neighbour_ids(g: &Graph, id: &str, kind: EdgeKind, dir: Direction) -> Vec<String> {
    let n = g.by_id(id).expect("node");
    let mut v: Vec<String> = g
        .neighbours(n, kind, dir)
        .map(|x| g.node(x).id.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn alias_named_account_folder_takes_its_id_from_sts() {
    let g = alias_tree();
    let NodeData::Account(acct) = data(&g, A) else {
        panic!("account node")
    };
    assert!(acct.aliases.contains(&"acme-prod".to_string()));
    assert_eq!(g.node(g.by_id("vpc-0a1").expect("vpc")).account, A);
    assert_eq!(
        g.node(g.by_id("vpc-0a1").expect("vpc")).region.as_deref(),
        Some("us-east-1")
    );
    assert_eq!(acct.organization_id.as_deref(), Some("o-exampleorg"));
    // The sibling account from organizations-list-accounts is known too.
    assert!(g.by_id("210987654321").is_some());
    assert!(g.by_id("o-exampleorg").is_some());
}

#[test]
fn vpcs_keep_every_associated_block_and_drop_released_ones() {
    let g = alias_tree();
    let NodeData::Vpc(v) = data(&g, "vpc-0a1") else {
        panic!()
    };
    let blocks: Vec<String> = v.cidr_blocks.iter().map(ToString::to_string).collect();
    assert_eq!(blocks, ["10.0.0.0/16", "10.1.0.0/16"]);
    assert_eq!(v.ipv6_cidr_blocks[0].to_string(), "2600:1f18:aa00::/56");
}

#[test]
fn route_tables_with_main_explicit_blackhole_ipv6_and_prefix_list_routes() {
    let g = alias_tree();
    let NodeData::RouteTable(rt) = data(&g, "rtb-pub") else {
        panic!()
    };
    assert_eq!(rt.routes.len(), 5);
    let blackhole = rt
        .routes
        .iter()
        .find(|r| r.state == RouteState::Blackhole)
        .expect("blackhole route kept");
    assert_eq!(
        blackhole.target,
        RouteTarget::NetworkInterface("eni-gone".into())
    );
    assert!(
        rt.routes
            .iter()
            .any(|r| matches!(&r.destination, Destination::Ipv6(n) if n.to_string() == "::/0"))
    );
    assert!(
        rt.routes
            .iter()
            .any(|r| r.destination == Destination::PrefixList("pl-0office".into()))
    );
    // The disassociated association no longer applies.
    assert_eq!(rt.associations.len(), 1);

    // Explicit association wins; a subnet without one uses its own VPC's main table.
    assert_eq!(
        neighbour_ids(
            &g,
            "subnet-pub",
            EdgeKind::UsesRouteTable,
            Direction::Outgoing
        ),
        ["rtb-pub"]
    );
    assert_eq!(
        neighbour_ids(
            &g,
            "subnet-priv",
            EdgeKind::UsesMainRouteTable,
            Direction::Outgoing
        ),
        ["rtb-main"]
    );
    assert_eq!(
        neighbour_ids(
            &g,
            "subnet-def",
            EdgeKind::UsesMainRouteTable,
            Direction::Outgoing
        ),
        ["rtb-def"]
    );
    let NodeData::RouteTable(main) = data(&g, "rtb-main") else {
        panic!()
    };
    assert!(
        main.routes
            .iter()
            .any(|r| r.target == RouteTarget::EgressOnlyInternetGateway("eigw-1".into()))
    );
    assert!(
        main.routes
            .iter()
            .any(|r| r.target == RouteTarget::NatGateway("nat-1".into()))
    );
    assert!(
        main.routes
            .iter()
            .any(|r| r.target == RouteTarget::VpcPeeringConnection("pcx-1".into()))
    );
}

#[test]
fn gateways_and_their_attachments() {
    let g = alias_tree();
    let NodeData::InternetGateway(igw) = data(&g, "igw-1") else {
        panic!()
    };
    assert!(igw.attachments[0].is_attached());
    let NodeData::InternetGateway(detached) = data(&g, "igw-detached") else {
        panic!()
    };
    assert!(detached.attachments.is_empty());
    assert_eq!(
        neighbour_ids(&g, "igw-1", EdgeKind::AttachedToVpc, Direction::Outgoing),
        ["vpc-0a1"]
    );
    assert!(matches!(
        data(&g, "eigw-1"),
        NodeData::EgressOnlyInternetGateway(_)
    ));
    let NodeData::NatGateway(nat) = data(&g, "nat-1") else {
        panic!()
    };
    assert_eq!(nat.public_ips[0].to_string(), "198.51.100.5");
    let NodeData::VpcPeeringConnection(pcx) = data(&g, "pcx-1") else {
        panic!()
    };
    assert_eq!(pcx.accepter.owner_id.as_deref(), Some("210987654321"));
}

#[test]
fn network_acl_entries_in_both_families_with_ports_and_icmp() {
    let g = alias_tree();
    let NodeData::NetworkAcl(acl) = data(&g, "acl-pub") else {
        panic!()
    };
    let inbound = acl.ordered_entries(false);
    let numbers: Vec<u32> = inbound.iter().map(|e| e.rule_number).collect();
    assert_eq!(numbers, [90, 100, 110, 32767]);
    assert_eq!(inbound[0].action, RuleAction::Deny);
    assert_eq!(inbound[0].protocol, Protocol::Tcp);
    assert_eq!(inbound[0].ports.map(|p| (p.from, p.to)), Some((22, 22)));
    assert_eq!(inbound[2].protocol, Protocol::Icmpv6);
    assert_eq!(inbound[2].icmp.map(|i| i.icmp_type), Some(128));
    assert!(inbound[2].cidr.to_string().starts_with("::/0"));
    // subnet-priv is explicitly associated with the default ACL.
    assert_eq!(
        neighbour_ids(
            &g,
            "subnet-priv",
            EdgeKind::UsesNetworkAcl,
            Direction::Outgoing
        ),
        ["acl-def"]
    );
}

#[test]
fn security_group_rules_keep_cidrs_ipv6_prefix_lists_and_groups() {
    let g = alias_tree();
    let NodeData::SecurityGroup(sg) = data(&g, "sg-web") else {
        panic!()
    };
    assert_eq!(sg.ingress.len(), 4);
    assert_eq!(sg.ingress[0].ipv4[0].cidr.to_string(), "0.0.0.0/0");
    assert_eq!(sg.ingress[0].ipv6[0].cidr.to_string(), "::/0");
    assert_eq!(sg.ingress[1].prefix_lists[0].prefix_list_id, "pl-0office");
    assert_eq!(sg.ingress[2].protocol, Protocol::All);
    assert_eq!(sg.ingress[2].groups[0].group_id, "sg-web");
    assert_eq!(sg.ingress[3].protocol, Protocol::Icmp);
    let NodeData::SecurityGroup(db) = data(&g, "sg-db") else {
        panic!()
    };
    assert_eq!(
        db.ingress[1].protocol,
        Protocol::Tcp,
        "numbered protocol 6 reads as tcp"
    );
    assert_eq!(
        neighbour_ids(
            &g,
            "sg-db",
            EdgeKind::AllowsIngressFrom,
            Direction::Outgoing
        ),
        ["sg-web"]
    );
    assert_eq!(
        neighbour_ids(
            &g,
            "sg-web",
            EdgeKind::AllowsIngressFrom,
            Direction::Outgoing
        ),
        ["pl-0office"]
    );
}

#[test]
fn prefix_list_entries_come_from_the_per_list_files() {
    let g = alias_tree();
    let NodeData::ManagedPrefixList(pl) = data(&g, "pl-0office") else {
        panic!()
    };
    let entries = pl.entries.as_ref().expect("entries collected");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].cidr.to_string(), "203.0.113.0/24");
    let NodeData::ManagedPrefixList(s3) = data(&g, "pl-63a5400a") else {
        panic!()
    };
    assert!(
        s3.entries.is_none(),
        "AWS-managed list without entries stays 'not collected'"
    );
    assert!(s3.is_aws_managed(Some("com.amazonaws.us-east-1.s3")));
}

#[test]
fn interfaces_carry_public_addresses_per_private_ip_including_elastic_ips() {
    let g = alias_tree();
    let NodeData::NetworkInterface(primary) = data(&g, "eni-web0") else {
        panic!()
    };
    assert_eq!(
        primary
            .public_ips()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        ["203.0.113.10"]
    );
    assert_eq!(
        primary.ipv6_addresses[0].to_string(),
        "2600:1f18:aa00:1::10"
    );
    // The Elastic IP on the secondary interface's secondary address comes
    // from describe-addresses.
    let NodeData::NetworkInterface(secondary) = data(&g, "eni-web1") else {
        panic!()
    };
    let with_eip = secondary
        .private_ips
        .iter()
        .find(|p| p.association.is_some())
        .expect("EIP applied");
    assert_eq!(with_eip.address.to_string(), "10.0.1.12");
    assert_eq!(
        with_eip
            .association
            .as_ref()
            .map(|a| a.public_ip.to_string()),
        Some("192.0.2.44".into())
    );
    assert_eq!(secondary.security_group_ids, ["sg-db", "sg-web"]);
    assert_eq!(
        neighbour_ids(
            &g,
            "eni-web1",
            EdgeKind::AttachedToInstance,
            Direction::Outgoing
        ),
        ["i-web"]
    );
    assert_eq!(
        neighbour_ids(
            &g,
            "eipalloc-web1",
            EdgeKind::AssociatedWith,
            Direction::Outgoing
        ),
        ["eni-web1"]
    );
}

#[test]
fn instances_from_merged_pages_and_their_embedded_interfaces() {
    let g = alias_tree();
    let NodeData::Instance(web) = data(&g, "i-web") else {
        panic!()
    };
    assert_eq!(
        web.metadata_options.http_tokens.as_deref(),
        Some("optional")
    );
    assert_eq!(web.network_interface_ids, ["eni-web0", "eni-web1"]);
    assert_eq!(web.state.as_deref(), Some("running"));
    // i-db's interface is only in DescribeInstances: it is created from there.
    let NodeData::NetworkInterface(db_eni) = data(&g, "eni-db0") else {
        panic!()
    };
    assert_eq!(
        db_eni
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_deref()),
        Some("i-db")
    );
    let profile = neighbour_ids(
        &g,
        "i-web",
        EdgeKind::UsesInstanceProfile,
        Direction::Outgoing,
    );
    assert_eq!(profile, [format!("arn:aws:iam::{A}:instance-profile/web")]);
    assert_eq!(
        neighbour_ids(&g, &profile[0], EdgeKind::HasRole, Direction::Outgoing),
        [format!("arn:aws:iam::{A}:role/web")]
    );
}

#[test]
fn load_balancers_listeners_target_groups_and_health() {
    let g = alias_tree();
    let lb = g.by_name("acme-alb");
    assert_eq!(lb.len(), 1);
    let lb_id = g.node(lb[0]).id.clone();
    let listeners = neighbour_ids(&g, &lb_id, EdgeKind::ListenerOf, Direction::Incoming);
    assert_eq!(listeners.len(), 2);
    let tg = g
        .by_name("web")
        .iter()
        .copied()
        .find(|n| g.node(*n).kind() == NodeKind::TargetGroup)
        .expect("target group");
    let NodeData::TargetGroup(t) = &g.node(tg).data else {
        panic!()
    };
    let targets = t.targets.as_ref().expect("health collected");
    assert_eq!(targets[0].health.as_deref(), Some("unhealthy"));
    assert!(
        g.neighbours(tg, EdgeKind::Targets, Direction::Outgoing)
            .any(|n| g.node(n).id == "i-web")
    );
    // The ALB's interface is linked to it through its description.
    assert_eq!(
        neighbour_ids(&g, "eni-alb", EdgeKind::InterfaceOf, Direction::Outgoing),
        [lb_id]
    );
}

#[test]
fn guardduty_detectors_findings_and_a_region_where_it_is_off() {
    let g = alias_tree();
    let NodeData::GuardDutyDetector(d) = data(&g, "12abc34d567e8fa901bc2d34e56789f0") else {
        panic!()
    };
    assert!(d.is_enabled());
    let NodeData::GuardDutyFinding(f) = data(&g, "f1") else {
        panic!()
    };
    assert_eq!(f.finding_type, "UnauthorizedAccess:EC2/SSHBruteForce");
    assert_eq!(f.severity, 5.0);
    assert_eq!(
        neighbour_ids(&g, "f1", EdgeKind::FindingAffects, Direction::Outgoing),
        ["i-web"]
    );
    let NodeData::GuardDutyFinding(f2) = data(&g, "f2") else {
        panic!()
    };
    assert!(f2.archived);
    assert_eq!(
        neighbour_ids(&g, "f2", EdgeKind::FindingAffects, Direction::Outgoing),
        [format!("arn:aws:iam::{A}:user/deploy")]
    );
    // us-west-2 was collected and has no detector: GuardDuty is off there, not a gap.
    assert!(
        !g.collection()
            .gaps
            .iter()
            .any(|gap| gap.region.as_deref() == Some("us-west-2") && gap.service == "guardduty")
    );
    assert!(
        !g.nodes_of(NodeKind::GuardDutyDetector)
            .any(|(_, n)| n.region.as_deref() == Some("us-west-2"))
    );
}

#[test]
fn iam_documents_decode_from_url_encoding_and_keep_plus_signs() {
    let g = alias_tree();
    let NodeData::IamUser(deploy) = data(&g, &format!("arn:aws:iam::{A}:user/deploy")) else {
        panic!()
    };
    let doc = &deploy.inline_policies[0].document;
    assert_eq!(
        doc.statements()[0]["Resource"],
        "arn:aws:s3:::reports+2024/*"
    );
    let NodeData::IamRole(web) = data(&g, &format!("arn:aws:iam::{A}:role/web")) else {
        panic!()
    };
    assert_eq!(
        web.trust_policy.statements()[0]["Principal"]["Service"],
        "ec2.amazonaws.com"
    );
    assert_eq!(
        web.inline_policies[0].document.statements()[0]["Action"],
        "*"
    );
    let NodeData::IamPolicy(p) = data(&g, &format!("arn:aws:iam::{A}:policy/ops-read")) else {
        panic!()
    };
    let doc = p.document.as_ref().expect("default version");
    assert_eq!(
        doc.statements()[0]["Action"],
        "ec2:Describe*",
        "the default version, not v1"
    );
    // An AWS managed policy without a name (as moto returns it) is named from its ARN.
    let admin = g
        .by_id("arn:aws:iam::aws:policy/AdministratorAccess")
        .expect("managed policy");
    assert_eq!(g.node(admin).name.as_deref(), Some("AdministratorAccess"));
    // Group membership and attachments become edges.
    assert_eq!(
        neighbour_ids(
            &g,
            &format!("arn:aws:iam::{A}:user/deploy"),
            EdgeKind::MemberOfGroup,
            Direction::Outgoing
        ),
        [format!("arn:aws:iam::{A}:group/ops")]
    );
}

#[test]
fn cross_account_trust_without_external_id_is_an_edge_to_an_external_account() {
    let g = alias_tree();
    let role = g
        .by_id(&format!("arn:aws:iam::{A}:role/vendor"))
        .expect("role");
    let edge = g
        .outgoing(role)
        .find(|e| e.kind == EdgeKind::Trusts)
        .expect("trust edge");
    assert_eq!(g.node(edge.to).id, "210987654321");
    assert_eq!(
        edge.detail.as_ref(),
        Some(&skyhound::model::EdgeDetail::CrossAccount {
            external_id_required: false
        })
    );
}

#[test]
fn credential_report_gives_root_keys_mfa_and_key_ages() {
    let g = alias_tree();
    let NodeData::IamUser(root) = data(&g, &format!("arn:aws:iam::{A}:root")) else {
        panic!()
    };
    assert!(root.is_root);
    assert_eq!(root.mfa_active, Some(false));
    let root_id = g.by_id(&format!("arn:aws:iam::{A}:root")).expect("root");
    let keys: Vec<_> = g
        .neighbours(root_id, EdgeKind::HasAccessKey, Direction::Outgoing)
        .collect();
    assert_eq!(keys.len(), 1, "root has an active access key");
    let NodeData::AccessKey(k) = &g.node(keys[0]).data else {
        panic!()
    };
    assert!(k.is_active());
    assert_eq!(
        k.created.map(|c| c.to_rfc3339()),
        Some("2019-02-01T00:00:00+00:00".into())
    );
    let NodeData::IamUser(alice) = data(&g, &format!("arn:aws:iam::{A}:user/alice")) else {
        panic!()
    };
    assert_eq!(
        (alice.password_enabled, alice.mfa_active),
        (Some(true), Some(true))
    );
    let deploy = g
        .by_id(&format!("arn:aws:iam::{A}:user/deploy"))
        .expect("deploy");
    let deploy_keys: Vec<_> = g
        .neighbours(deploy, EdgeKind::HasAccessKey, Direction::Outgoing)
        .collect();
    assert_eq!(
        deploy_keys.len(),
        2,
        "an active key and a rotated, inactive one"
    );
    let NodeData::Account(acct) = data(&g, A) else {
        panic!()
    };
    assert_eq!(
        acct.password_policy.as_ref().and_then(|p| p.minimum_length),
        Some(8)
    );
    assert_eq!(acct.summary.get("AccountAccessKeysPresent"), Some(&1));
}

#[test]
fn missing_files_are_gaps_not_errors() {
    let g = alias_tree();
    let gaps = &g.collection().gaps;
    // us-west-2 has only two files: every other regional listing is a gap.
    assert!(
        gaps.iter()
            .any(|gap| gap.region.as_deref() == Some("us-west-2")
                && gap.operation == "describe-security-groups")
    );
    // us-east-1 has them all.
    assert!(
        !gaps
            .iter()
            .any(|gap| gap.region.as_deref() == Some("us-east-1")),
        "{gaps:?}"
    );
}

#[test]
fn flat_folder_reads_a_plain_findings_array_and_infers_account_and_region() {
    let imported = import_dir(&fixture("import/flat"), &ImportOptions::default()).expect("imports");
    let g = imported.graph;
    let sg = g.node(g.by_id("sg-flat").expect("sg"));
    assert_eq!(sg.account, "345678901234");
    assert_eq!(
        sg.region.as_deref(),
        Some("eu-central-1"),
        "region from the findings"
    );
    let NodeData::GuardDutyFinding(f) = data(&g, "flat-1") else {
        panic!()
    };
    assert_eq!(f.instance_id.as_deref(), Some("i-flat"));

    let named = import_dir(
        &fixture("import/flat"),
        &ImportOptions {
            region: Some("ap-south-1".into()),
        },
    )
    .expect("imports");
    let sg = named.graph.node(named.graph.by_id("sg-flat").expect("sg"));
    assert_eq!(
        sg.region.as_deref(),
        Some("ap-south-1"),
        "--region names the region"
    );
}

#[test]
fn broken_files_are_reported_by_name_and_place_and_the_rest_loads() {
    let imported =
        import_dir(&fixture("import/broken"), &ImportOptions::default()).expect("imports");
    let messages: Vec<String> = imported.problems.iter().map(ToString::to_string).collect();
    let find = |file: &str| {
        messages
            .iter()
            .find(|m| m.contains(file))
            .unwrap_or_else(|| panic!("no problem reported for {file}: {messages:#?}"))
            .clone()
    };
    assert!(
        find("ec2-describe-vpcs.json").contains("line"),
        "truncated JSON names the line"
    );
    assert!(find("ec2-describe-subnets.json").contains("empty"));
    let sg = find("ec2-describe-security-groups.json");
    assert!(
        sg.contains("item 0 (GroupId sg-1) skipped") && sg.contains("IpPermissions[0].FromPort"),
        "{sg}"
    );
    assert!(find("ec2-describe-network-acls.json").contains("RuleNumber"));
    assert!(find("iam-get-account-authorization-details.json").contains("recursion"));
    // Deep nesting in a field skyhound ignores is skipped without harm.
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("ec2-describe-route-tables.json"))
    );
    assert!(find("ec2-describe-instances.json").contains("PrivateIpAddress"));
    assert!(find("ec2-describe-addresses.json").contains("malformed"));
    assert!(find("iam-get-credential-report.json").contains("base64"));
    // Unknown fields are ignored: the internet gateway loaded.
    assert!(imported.graph.by_id("igw-ok").is_some());
}

#[test]
fn a_folder_without_aws_json_is_a_clear_error() {
    let dir = crate::scratch("import-empty");
    let err = import_dir(&dir, &ImportOptions::default()).expect_err("nothing to import");
    assert!(err.to_string().contains("no AWS JSON found"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    let missing = import_dir(&dir.join("nope"), &ImportOptions::default()).expect_err("missing");
    assert!(missing.to_string().contains("no such file"), "{missing}");
}

/// What survives a trip through the API's answers: the attached policies'
/// names are always given, GetAccountAuthorizationDetails has no role
/// session duration, and only an organization's account list has an
/// account's email and status.
fn as_the_api_answers(data: &skyhound::model::NodeData) -> skyhound::model::NodeData {
    use skyhound::model::{AttachedPolicy, NodeData};
    let named = |list: &[AttachedPolicy]| -> Vec<AttachedPolicy> {
        list.iter()
            .map(|p| AttachedPolicy {
                arn: p.arn.clone(),
                name: p
                    .name
                    .clone()
                    .or_else(|| p.arn.rsplit('/').next().map(str::to_string)),
            })
            .collect()
    };
    let mut data = data.clone();
    match &mut data {
        NodeData::IamUser(u) => u.attached_policies = named(&u.attached_policies),
        NodeData::IamGroup(g) => g.attached_policies = named(&g.attached_policies),
        NodeData::IamRole(r) => {
            r.attached_policies = named(&r.attached_policies);
            r.max_session_duration = None;
        }
        NodeData::Account(a) if a.organization_id.is_none() => {
            a.email = None;
            a.status = None;
        }
        _ => {}
    }
    data
}

#[test]
fn the_demo_round_trips_through_an_account_data_tree() {
    let demo = skyhound::source::demo::graph();
    let dir = crate::scratch("import-roundtrip");
    skyhound::source::collect::account_data::write_tree(&demo, &dir).expect("writes");
    let imported = import_dir(&dir, &ImportOptions::default()).expect("imports");
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    let g = imported.graph;
    // Every resource comes back as it was, except access keys that only the
    // credential report knows (root's), which come back under a slot name.
    for (_, n) in demo.nodes() {
        if n.kind() == NodeKind::AccessKey && n.name.as_deref() == Some("access key of root") {
            continue;
        }
        let back = g
            .by_id(&n.id)
            .unwrap_or_else(|| panic!("{} {} came back", n.kind(), n.id));
        assert_eq!(g.node(back).kind(), n.kind());
        assert_eq!(
            g.node(back).data,
            as_the_api_answers(&n.data),
            "{} {}",
            n.kind(),
            n.id
        );
    }
    assert_eq!(g.len(), demo.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn answers_not_in_yet_are_not_gaps_while_live_collection_runs() {
    use skyhound::source::import::read::MemoryFolder;
    use skyhound::source::import::{MemoryAccount, import_memory, import_partial};
    // Only the VPCs have arrived; a gap the collector reported comes along.
    let mut folder = MemoryFolder::default();
    folder.put(
        &skyhound::source::operations::DESCRIBE_VPCS,
        None,
        serde_json::json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": A}]}),
    );
    let accounts = || {
        vec![MemoryAccount {
            account_id: A.to_string(),
            regions: vec![(
                "us-east-1".to_string(),
                vec![std::sync::Arc::new(folder.clone())],
            )],
        }]
    };
    let reported = skyhound::model::Gap {
        account: A.to_string(),
        region: Some("us-east-1".to_string()),
        service: "ec2".to_string(),
        operation: "describe-instances".to_string(),
        reason: "AccessDenied: not allowed".to_string(),
    };
    let now = chrono::Utc::now();
    let partial = import_partial(accounts(), vec![reported.clone()], "live".into(), now);
    assert!(partial.graph.by_id("vpc-1").is_some());
    assert_eq!(partial.graph.collection().gaps, vec![reported.clone()]);
    // Once the collection is over, what never came is a gap.
    let done = import_memory(accounts(), vec![reported.clone()], "live".into(), now);
    let gaps = &done.graph.collection().gaps;
    assert!(gaps.contains(&reported));
    assert!(
        gaps.iter()
            .any(|g| g.operation == "describe-subnets" && g.reason.contains("not collected")),
        "{gaps:#?}"
    );
}

/// skyhound as an unprivileged user when the tests run as root (root reads
/// any folder, so a permission error needs someone else).
fn skyhound_unprivileged(args: &[&str], home: &std::path::Path) -> std::process::Output {
    let bin = env!("CARGO_BIN_EXE_skyhound");
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        std::process::Command::new(bin)
    };
    cmd.args(args).env("HOME", home).output().expect("runs")
}

fn open_to_all(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in walk(path) {
        let mode = if entry.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

fn walk(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![path.to_path_buf()];
    if path.is_dir() {
        for e in std::fs::read_dir(path).expect("dir").flatten() {
            out.extend(walk(&e.path()));
        }
    }
    out
}

#[test]
fn an_unreadable_folder_is_a_gap_and_the_rest_imports() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("account-data");
    skyhound::source::collect::account_data::write_tree(&skyhound::source::demo::graph(), &tree)
        .expect("tree");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    open_to_all(dir.path());
    let bill = tree.join(skyhound::source::demo::BILL);
    let alice_eu = tree.join("333333333333").join("eu-west-1");
    for locked in [&bill, &alice_eu] {
        std::fs::set_permissions(locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    }
    let out = skyhound_unprivileged(&["--from", tree.to_str().expect("utf8"), "summary"], &home);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("333333333333"),
        "the rest imports: {stdout}"
    );
    for locked in [&bill, &alice_eu] {
        assert!(
            stdout.contains(&format!("cannot read folder {}", locked.display()))
                || stdout.contains(&format!("{}: cannot list folder", locked.display())),
            "a gap names {}: {stdout}",
            locked.display()
        );
    }
    assert!(stdout.contains("Permission denied"), "{stdout}");
    assert!(
        !stdout.contains("333333333333/eu-west-1: not collected (no file)"),
        "no per-file gaps for the unreadable region: {stdout}"
    );
    assert_eq!(
        stderr.matches("os error 13").count(),
        0,
        "nothing on stderr repeats the OS error: {stderr}"
    );
}

#[test]
fn one_malformed_item_loses_only_itself_and_is_a_gap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("account-data");
    skyhound::source::collect::account_data::write_tree(&skyhound::source::demo::graph(), &tree)
        .expect("tree");
    let file = tree
        .join(skyhound::source::demo::BILL)
        .join("us-east-1")
        .join("ec2-describe-security-groups.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    let groups = v["SecurityGroups"].as_array_mut().expect("groups");
    let total = groups.len();
    assert!(total > 1);
    // The web server's group, with one rule's port as a string.
    let bad = groups
        .iter_mut()
        .find(|g| g["IpPermissions"].as_array().is_some_and(|p| !p.is_empty()))
        .expect("a group with rules");
    bad["IpPermissions"][0]["FromPort"] = serde_json::json!("22");
    let bad_id = bad["GroupId"].as_str().expect("id").to_string();
    std::fs::write(&file, serde_json::to_vec(&v).expect("json")).expect("write");

    let imported =
        skyhound::source::import::import_dir(&tree, &Default::default()).expect("imports");
    let g = &imported.graph;
    let kept = g
        .nodes_of(skyhound::model::NodeKind::SecurityGroup)
        .filter(|(_, n)| {
            n.account == skyhound::source::demo::BILL && n.region.as_deref() == Some("us-east-1")
        })
        .count();
    assert_eq!(kept, total - 1, "every other group of the file is kept");
    assert!(g.by_id(&bad_id).is_none());
    let gap = g
        .collection()
        .gaps
        .iter()
        .find(|gap| {
            gap.operation == "describe-security-groups"
                && gap.account == skyhound::source::demo::BILL
        })
        .expect("a gap records it");
    assert!(
        gap.reason.contains(&bad_id)
            && gap.reason.contains("FromPort")
            && gap.reason.contains("skipped"),
        "{}",
        gap.reason
    );
    // What used the dropped group is still answered conservatively.
    let users: Vec<String> = g
        .nodes_of(skyhound::model::NodeKind::NetworkInterface)
        .filter(|(_, n)| matches!(&n.data, skyhound::model::NodeData::NetworkInterface(e) if e.security_group_ids.contains(&bad_id)))
        .map(|(_, n)| n.id.clone())
        .collect();
    let exposed = skyhound::analysis::exposures(g);
    for eni in &users {
        let e = exposed
            .iter()
            .filter(|x| x.interface.as_deref() == Some(eni.as_str()))
            .count();
        let public = matches!(&g.node(g.by_id(eni).expect("eni")).data,
            skyhound::model::NodeData::NetworkInterface(x) if x.public_ips().next().is_some());
        if public {
            assert!(
                e > 0,
                "{eni} behind a group that was not read is assumed open"
            );
        }
    }
    // The snapshot keeps the gap.
    let snap = dir.path().join("s.snapshot");
    skyhound::graph::snapshot::save(g, &snap).expect("save");
    let back = skyhound::graph::snapshot::load(&snap).expect("load");
    assert!(
        back.collection()
            .gaps
            .iter()
            .any(|x| x.reason.contains(&bad_id))
    );
}

#[test]
fn a_backwards_port_range_is_warned_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    let region = dir.path().join("111122223333").join("us-east-1");
    std::fs::create_dir_all(&region).expect("region");
    std::fs::write(
        region.join("ec2-describe-security-groups.json"),
        r#"{"SecurityGroups": [{"GroupId": "sg-odd", "GroupName": "odd", "OwnerId": "111122223333",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 100, "ToPort": 10, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#,
    )
    .expect("write");
    std::fs::write(
        region.join("ec2-describe-network-acls.json"),
        r#"{"NetworkAcls": [{"NetworkAclId": "acl-odd", "VpcId": "vpc-1", "IsDefault": true, "Entries": [
            {"RuleNumber": 90, "Egress": false, "Protocol": "6", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 20}},
            {"RuleNumber": 100, "Egress": false, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]}]}"#,
    )
    .expect("write");
    let imported = import_dir(dir.path(), &ImportOptions::default()).expect("imports");
    let said = imported.warnings.join("\n");
    assert!(
        said.contains("sg-odd") && said.contains("100-10") && said.contains("read as 10-100"),
        "{said}"
    );
    assert!(
        said.contains("acl-odd") && said.contains("denying nothing"),
        "{said}"
    );
    let acl = imported.graph.by_id("acl-odd").expect("acl");
    let NodeData::NetworkAcl(a) = &imported.graph.node(acl).data else {
        panic!("acl")
    };
    assert_eq!(a.entries.len(), 1, "the backwards deny blocks nothing");
}
