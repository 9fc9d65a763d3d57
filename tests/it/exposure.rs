//! Internet exposure, scenario by scenario. Each scenario is an AWS JSON
//! tree (the shapes of the EC2 and ELBv2 API references), written to a
//! folder and loaded through the importer, then asked about.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use skyhound::analysis::{Exposure, HopKind, Via, explain, exposures};
use skyhound::graph::Graph;
use skyhound::model::network::Protocol;
use skyhound::source::import::{ImportOptions, import_dir};

const ACCOUNT: &str = "111122223333";

/// One region of one account as AWS JSON files.
struct World {
    files: Vec<(String, Value)>,
}

fn tags(name: &str) -> Value {
    json!([{"Key": "Name", "Value": name}])
}

fn allow_all_acl(id: &str, vpc: &str, default: bool, subnets: &[&str]) -> Value {
    json!({
        "NetworkAclId": id, "VpcId": vpc, "IsDefault": default, "OwnerId": ACCOUNT,
        "Associations": subnets.iter().map(|s| json!({"SubnetId": s, "NetworkAclId": id})).collect::<Vec<_>>(),
        "Entries": [
            {"RuleNumber": 100, "Egress": false, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 101, "Egress": false, "Protocol": "-1", "RuleAction": "allow", "Ipv6CidrBlock": "::/0"},
            {"RuleNumber": 32767, "Egress": false, "Protocol": "-1", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32768, "Egress": false, "Protocol": "-1", "RuleAction": "deny", "Ipv6CidrBlock": "::/0"},
            {"RuleNumber": 100, "Egress": true, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 101, "Egress": true, "Protocol": "-1", "RuleAction": "allow", "Ipv6CidrBlock": "::/0"},
            {"RuleNumber": 32767, "Egress": true, "Protocol": "-1", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32768, "Egress": true, "Protocol": "-1", "RuleAction": "deny", "Ipv6CidrBlock": "::/0"}
        ]
    })
}

fn perm(proto: &str, from: i64, to: i64, cidrs: &[&str]) -> Value {
    let v4: Vec<Value> = cidrs
        .iter()
        .filter(|c| !c.contains(':'))
        .map(|c| json!({"CidrIp": c}))
        .collect();
    let v6: Vec<Value> = cidrs
        .iter()
        .filter(|c| c.contains(':'))
        .map(|c| json!({"CidrIpv6": c}))
        .collect();
    json!({"IpProtocol": proto, "FromPort": from, "ToPort": to, "IpRanges": v4, "Ipv6Ranges": v6, "PrefixListIds": [], "UserIdGroupPairs": []})
}

fn sg(id: &str, vpc: &str, ingress: Vec<Value>) -> Value {
    json!({"GroupId": id, "GroupName": id, "Description": id, "VpcId": vpc, "OwnerId": ACCOUNT, "IpPermissions": ingress,
        "IpPermissionsEgress": [perm("-1", -1, -1, &["0.0.0.0/0", "::/0"])], "Tags": tags(id)})
}

fn eni(
    id: &str,
    subnet: &str,
    ip: &str,
    public: Option<&str>,
    ipv6: &[&str],
    groups: &[&str],
    instance: Option<(&str, u32)>,
) -> Value {
    let assoc = public.map(|p| json!({"PublicIp": p, "IpOwnerId": "amazon"}));
    json!({
        "NetworkInterfaceId": id, "SubnetId": subnet, "VpcId": "vpc-a", "OwnerId": ACCOUNT, "InterfaceType": "interface", "Status": "in-use",
        "PrivateIpAddress": ip, "Association": assoc,
        "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": true, "Association": assoc}],
        "Ipv6Addresses": ipv6.iter().map(|a| json!({"Ipv6Address": a})).collect::<Vec<_>>(),
        "Groups": groups.iter().map(|g| json!({"GroupId": g})).collect::<Vec<_>>(),
        "Attachment": instance.map(|(i, d)| json!({"InstanceId": i, "DeviceIndex": d, "Status": "attached", "InstanceOwnerId": ACCOUNT})),
    })
}

fn instance(id: &str, name: &str, subnet: &str, groups: &[&str], enis: &[&str]) -> Value {
    json!({
        "InstanceId": id, "State": {"Name": "running"}, "SubnetId": subnet, "VpcId": "vpc-a", "Placement": {"AvailabilityZone": "us-east-1a"},
        "SecurityGroups": groups.iter().map(|g| json!({"GroupId": g})).collect::<Vec<_>>(),
        "NetworkInterfaces": enis.iter().enumerate().map(|(i, e)| json!({"NetworkInterfaceId": e, "Attachment": {"DeviceIndex": i}})).collect::<Vec<_>>(),
        "Tags": tags(name),
    })
}

impl World {
    /// Two VPCs in one region. In vpc-a, subnet-pub and subnet-lb use
    /// rtb-pub (0.0.0.0/0 and ::/0 to igw-a); subnet-app uses vpc-a's main
    /// table (local only). vpc-b's main table routes to its own gateway.
    /// i-web in subnet-pub has a public IPv4 and an IPv6 address, and sg-web
    /// opens tcp 22 to 0.0.0.0/0.
    fn base() -> World {
        let files = vec![
            (
                "ec2-describe-vpcs",
                json!({"Vpcs": [
                {"VpcId": "vpc-a", "OwnerId": ACCOUNT, "CidrBlock": "10.0.0.0/16", "State": "available",
                 "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:aaaa::/56", "Ipv6CidrBlockState": {"State": "associated"}}]},
                {"VpcId": "vpc-b", "OwnerId": ACCOUNT, "CidrBlock": "10.1.0.0/16", "State": "available"}]}),
            ),
            (
                "ec2-describe-subnets",
                json!({"Subnets": [
                {"SubnetId": "subnet-pub", "VpcId": "vpc-a", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a", "OwnerId": ACCOUNT,
                 "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:aaaa:1::/64", "Ipv6CidrBlockState": {"State": "associated"}}]},
                {"SubnetId": "subnet-lb", "VpcId": "vpc-a", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1b", "OwnerId": ACCOUNT},
                {"SubnetId": "subnet-app", "VpcId": "vpc-a", "CidrBlock": "10.0.3.0/24", "AvailabilityZone": "us-east-1a", "OwnerId": ACCOUNT},
                {"SubnetId": "subnet-b", "VpcId": "vpc-b", "CidrBlock": "10.1.1.0/24", "AvailabilityZone": "us-east-1a", "OwnerId": ACCOUNT}]}),
            ),
            (
                "ec2-describe-internet-gateways",
                json!({"InternetGateways": [
                {"InternetGatewayId": "igw-a", "OwnerId": ACCOUNT, "Attachments": [{"VpcId": "vpc-a", "State": "available"}]},
                {"InternetGatewayId": "igw-b", "OwnerId": ACCOUNT, "Attachments": [{"VpcId": "vpc-b", "State": "available"}]}]}),
            ),
            (
                "ec2-describe-route-tables",
                json!({"RouteTables": [
                {"RouteTableId": "rtb-a-main", "VpcId": "vpc-a", "OwnerId": ACCOUNT,
                 "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-am", "AssociationState": {"State": "associated"}}],
                 "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                            {"DestinationIpv6CidrBlock": "2600:1f18:aaaa::/56", "GatewayId": "local", "State": "active"}]},
                {"RouteTableId": "rtb-b-main", "VpcId": "vpc-b", "OwnerId": ACCOUNT,
                 "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-bm", "AssociationState": {"State": "associated"}}],
                 "Routes": [{"DestinationCidrBlock": "10.1.0.0/16", "GatewayId": "local", "State": "active"},
                            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-b", "State": "active"}]},
                {"RouteTableId": "rtb-pub", "VpcId": "vpc-a", "OwnerId": ACCOUNT,
                 "Associations": [{"Main": false, "SubnetId": "subnet-pub", "RouteTableAssociationId": "rtbassoc-p1", "AssociationState": {"State": "associated"}},
                                  {"Main": false, "SubnetId": "subnet-lb", "RouteTableAssociationId": "rtbassoc-p2", "AssociationState": {"State": "associated"}}],
                 "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                            {"DestinationIpv6CidrBlock": "2600:1f18:aaaa::/56", "GatewayId": "local", "State": "active"},
                            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-a", "State": "active"},
                            {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-a", "State": "active"}]}]}),
            ),
            (
                "ec2-describe-network-acls",
                json!({"NetworkAcls": [allow_all_acl("acl-a", "vpc-a", true, &[]), allow_all_acl("acl-b", "vpc-b", true, &[])]}),
            ),
            (
                "ec2-describe-security-groups",
                json!({"SecurityGroups": [sg("sg-web", "vpc-a", vec![perm("tcp", 22, 22, &["0.0.0.0/0"])])]}),
            ),
            (
                "ec2-describe-network-interfaces",
                json!({"NetworkInterfaces": [
                eni("eni-web", "subnet-pub", "10.0.1.10", Some("198.51.100.10"), &["2600:1f18:aaaa:1::10"], &["sg-web"], Some(("i-web", 0)))]}),
            ),
            (
                "ec2-describe-instances",
                json!({"Reservations": [{"OwnerId": ACCOUNT, "Instances": [instance("i-web", "web", "subnet-pub", &["sg-web"], &["eni-web"])]}]}),
            ),
            ("ec2-describe-addresses", json!({"Addresses": []})),
            (
                "ec2-describe-managed-prefix-lists",
                json!({"PrefixLists": []}),
            ),
            (
                "elbv2-describe-load-balancers",
                json!({"LoadBalancers": []}),
            ),
        ];
        World {
            files: files.into_iter().map(|(n, v)| (n.to_string(), v)).collect(),
        }
    }

    fn file(&mut self, name: &str) -> &mut Value {
        match self.files.iter().position(|(n, _)| n == name) {
            Some(i) => &mut self.files[i].1,
            None => panic!("no file {name}"),
        }
    }

    fn list(&mut self, name: &str, key: &str) -> &mut Vec<Value> {
        self.file(name)[key].as_array_mut().expect("a list")
    }

    fn find(&mut self, name: &str, key: &str, id_key: &str, id: &str) -> &mut Value {
        self.list(name, key)
            .iter_mut()
            .find(|v| v[id_key] == id)
            .unwrap_or_else(|| panic!("no {id} in {name}"))
    }

    fn route_table(&mut self, id: &str) -> &mut Value {
        self.find(
            "ec2-describe-route-tables",
            "RouteTables",
            "RouteTableId",
            id,
        )
    }

    fn sg_ingress(&mut self, id: &str, rules: Vec<Value>) {
        self.find(
            "ec2-describe-security-groups",
            "SecurityGroups",
            "GroupId",
            id,
        )["IpPermissions"] = json!(rules);
    }

    fn add(&mut self, name: &str, key: &str, item: Value) {
        if !self.files.iter().any(|(n, _)| n == name) {
            self.files.push((name.to_string(), json!({ key: [] })));
        }
        self.list(name, key).push(item);
    }

    fn custom_acl(&mut self, subnet: &str, entries: Value) {
        self.add("ec2-describe-network-acls", "NetworkAcls", json!({
            "NetworkAclId": "acl-custom", "VpcId": "vpc-a", "IsDefault": false, "OwnerId": ACCOUNT,
            "Associations": [{"SubnetId": subnet, "NetworkAclId": "acl-custom"}], "Entries": entries,
        }));
    }

    /// Write the files and import them.
    fn load(&self) -> Graph {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir: PathBuf =
            crate::scratch(&format!("exposure-{}", N.fetch_add(1, Ordering::SeqCst)));
        let region = dir.join(ACCOUNT).join("us-east-1");
        std::fs::create_dir_all(&region).expect("mkdir");
        for (name, value) in &self.files {
            // `operation/parameter` files sit in the operation's folder, as CloudMapper writes them.
            let path = if name.contains('/') {
                region.join(name)
            } else {
                region.join(format!("{name}.json"))
            };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(path, serde_json::to_vec_pretty(value).expect("json")).expect("write");
        }
        let imported = import_dir(&dir, &ImportOptions::default()).expect("imports");
        assert!(imported.problems.is_empty(), "{:?}", imported.problems);
        let _ = std::fs::remove_dir_all(&dir);
        imported.graph
    }
}

fn of<'e>(found: &'e [Exposure], resource: &str) -> Vec<&'e Exposure> {
    found.iter().filter(|e| e.resource == resource).collect()
}

fn sources(e: &Exposure) -> Vec<String> {
    e.sources.iter().map(ToString::to_string).collect()
}

fn ask(
    g: &Graph,
    resource: &str,
    protocol: Protocol,
    port: u16,
    source: Option<&str>,
) -> skyhound::analysis::Explanation {
    let id = g.by_id(resource).unwrap_or_else(|| panic!("{resource}"));
    explain(
        g,
        id,
        protocol,
        port,
        source.map(|s| s.parse().expect("ip")),
    )
    .expect("explains")
}

fn blocked_kinds(x: &skyhound::analysis::Explanation) -> Vec<HopKind> {
    x.blocked_by.iter().map(|h| h.kind).collect()
}

#[test]
fn open_to_the_world_with_the_whole_path_as_evidence() {
    let g = World::base().load();
    let found = exposures(&g);
    let web = of(&found, "i-web");
    assert_eq!(web.len(), 1, "{web:#?}");
    let e = web[0];
    assert_eq!(
        (e.protocol.to_string(), e.from_port, e.to_port, e.via),
        ("tcp".to_string(), 22, 22, Via::Direct)
    );
    assert_eq!(sources(e), ["0.0.0.0/0"]);
    assert!(e.world);
    assert_eq!(e.account, ACCOUNT);
    assert_eq!(e.interface.as_deref(), Some("eni-web"));
    let kinds: Vec<HopKind> = e.path.iter().map(|h| h.kind).collect();
    for k in [
        HopKind::InternetGateway,
        HopKind::RouteTable,
        HopKind::PublicAddress,
        HopKind::NetworkAcl,
        HopKind::SecurityGroup,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {:#?}", e.path);
    }
    assert!(e.path.iter().any(|h| h.id == "rtb-pub"
        && h.detail.contains("0.0.0.0/0")
        && h.detail.contains("igw-a")));
    assert!(e.path.iter().any(|h| h.id == "sg-web"
        && h.detail.contains("tcp 22")
        && h.detail.contains("0.0.0.0/0")));
    assert!(
        e.path
            .iter()
            .any(|h| h.id == "acl-a" && h.detail.contains("outbound")),
        "the reply's entry is named"
    );
    // No IPv6 rule: IPv6 clients do not get in.
    let x = ask(&g, "i-web", Protocol::Tcp, 22, Some("2001:db8::1"));
    assert!(!x.reachable);
    let mut kinds = blocked_kinds(&x);
    kinds.dedup();
    assert_eq!(kinds, [HopKind::SecurityGroup]);
    // And the answer names what the group does allow.
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.detail.contains("0.0.0.0/0") && h.detail.contains("only these sources")),
        "{:#?}",
        x.blocked_by
    );
}

#[test]
fn a_detached_gateway_blocks_and_is_named() {
    let mut w = World::base();
    w.find(
        "ec2-describe-internet-gateways",
        "InternetGateways",
        "InternetGatewayId",
        "igw-a",
    )["Attachments"] = json!([]);
    let g = w.load();
    assert!(of(&exposures(&g), "i-web").is_empty());
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    assert!(!x.reachable);
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.kind == HopKind::InternetGateway && h.detail.contains("vpc-a")),
        "{:#?}",
        x.blocked_by
    );
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.kind == HopKind::RouteTable && h.detail.contains("not attached")),
        "{:#?}",
        x.blocked_by
    );
}

#[test]
fn no_public_address_blocks_ipv4() {
    let mut w = World::base();
    let e = w.find(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-web",
    );
    e["Association"] = Value::Null;
    e["PrivateIpAddresses"][0]["Association"] = Value::Null;
    let g = w.load();
    assert!(of(&exposures(&g), "i-web").is_empty());
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    assert!(
        blocked_kinds(&x).contains(&HopKind::PublicAddress),
        "{:#?}",
        x.blocked_by
    );
}

#[test]
fn a_subnet_without_association_uses_its_own_vpcs_main_table_not_another_vpcs() {
    let mut w = World::base();
    let rt = w.route_table("rtb-pub");
    rt["Associations"]
        .as_array_mut()
        .expect("list")
        .retain(|a| a["SubnetId"] != "subnet-pub");
    let g = w.load();
    assert!(
        of(&exposures(&g), "i-web").is_empty(),
        "vpc-b's main table must not be used for vpc-a's subnet"
    );
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.kind == HopKind::RouteTable && h.id == "rtb-a-main"),
        "{:#?}",
        x.blocked_by
    );
}

#[test]
fn a_nat_gateway_or_egress_only_gateway_never_carries_inbound_traffic() {
    let mut w = World::base();
    let rt = w.route_table("rtb-pub");
    rt["Routes"][2] =
        json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"});
    rt["Routes"][3] = json!({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"});
    w.sg_ingress("sg-web", vec![perm("tcp", 22, 22, &["0.0.0.0/0", "::/0"])]);
    let g = w.load();
    assert!(of(&exposures(&g), "i-web").is_empty());
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    let details: Vec<&str> = x.blocked_by.iter().map(|h| h.detail.as_str()).collect();
    assert!(details.iter().any(|d| d.contains("nat-1")), "{details:#?}");
    assert!(details.iter().any(|d| d.contains("eigw-1")), "{details:#?}");
}

#[test]
fn a_blackhole_route_wins_its_match_and_cuts_its_range_out() {
    let mut w = World::base();
    w.route_table("rtb-pub")["Routes"].as_array_mut().expect("routes").push(json!({
        "DestinationCidrBlock": "203.0.113.0/24", "NetworkInterfaceId": "eni-gone", "State": "blackhole"}));
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web")[0];
    assert!(!e.world);
    assert!(!sources(e).iter().any(|s| s == "0.0.0.0/0"));
    assert!(
        sources(e).iter().any(|s| s == "203.0.112.0/24"),
        "{:?}",
        sources(e)
    );
    assert!(
        !e.sources
            .iter()
            .any(|s| s.contains(&"203.0.113.9".parse::<std::net::IpAddr>().expect("ip")))
    );
    let cut = ask(&g, "i-web", Protocol::Tcp, 22, Some("203.0.113.9"));
    assert!(!cut.reachable);
    assert!(
        cut.blocked_by
            .iter()
            .any(|h| h.kind == HopKind::RouteTable && h.detail.contains("blackhole")),
        "{:#?}",
        cut.blocked_by
    );
    assert!(ask(&g, "i-web", Protocol::Tcp, 22, Some("198.51.100.99")).reachable);
}

#[test]
fn network_acl_entries_apply_in_rule_order() {
    let deny_first = json!([
        {"RuleNumber": 90, "Egress": false, "Protocol": "6", "PortRange": {"From": 22, "To": 22}, "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": false, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]);
    let mut w = World::base();
    w.custom_acl("subnet-pub", deny_first);
    let g = w.load();
    assert!(of(&exposures(&g), "i-web").is_empty());
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    assert!(
        x.blocked_by.iter().any(|h| h.id == "acl-custom"
            && h.detail.contains("entry 90")
            && h.detail.contains("deny")),
        "{:#?}",
        x.blocked_by
    );

    let allow_first = json!([
        {"RuleNumber": 90, "Egress": false, "Protocol": "6", "PortRange": {"From": 22, "To": 22}, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": false, "Protocol": "6", "PortRange": {"From": 22, "To": 22}, "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]);
    let mut w = World::base();
    w.custom_acl("subnet-pub", allow_first);
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    assert_eq!(e.len(), 1);
    assert!(e[0].path.iter().any(|h| h.detail.contains("entry 90")));
}

#[test]
fn a_partial_deny_narrows_the_sources() {
    let mut w = World::base();
    w.custom_acl("subnet-pub", json!([
        {"RuleNumber": 50, "Egress": false, "Protocol": "6", "PortRange": {"From": 22, "To": 22}, "RuleAction": "deny", "CidrBlock": "192.0.2.0/24"},
        {"RuleNumber": 100, "Egress": false, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]));
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web")[0];
    assert!(!e.world);
    let denied = ask(&g, "i-web", Protocol::Tcp, 22, Some("192.0.2.10"));
    assert!(!denied.reachable);
    assert!(
        denied
            .blocked_by
            .iter()
            .any(|h| h.detail.contains("entry 50"))
    );
}

#[test]
fn the_stateless_reply_must_be_allowed_out() {
    let mut w = World::base();
    w.custom_acl("subnet-pub", json!([
        {"RuleNumber": 100, "Egress": false, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "Protocol": "6", "PortRange": {"From": 0, "To": 1023}, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]));
    let g = w.load();
    assert!(
        of(&exposures(&g), "i-web").is_empty(),
        "replies to ports 1024-65535 are denied"
    );
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.id == "acl-custom" && h.detail.contains("outbound")),
        "{:#?}",
        x.blocked_by
    );

    // Linux's ephemeral range is enough: some port in 1024-65535.
    let mut w = World::base();
    w.custom_acl("subnet-pub", json!([
        {"RuleNumber": 100, "Egress": false, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "Protocol": "6", "PortRange": {"From": 32768, "To": 60999}, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]));
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].path
            .iter()
            .any(|h| h.detail.contains("outbound entry 100") && h.detail.contains("32768-60999"))
    );
}

#[test]
fn a_custom_acl_without_the_final_star_entry_still_denies_by_default() {
    let mut w = World::base();
    w.custom_acl("subnet-pub", json!([
        {"RuleNumber": 100, "Egress": false, "Protocol": "6", "PortRange": {"From": 80, "To": 80}, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}]));
    let g = w.load();
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    assert!(!x.reachable);
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.detail.contains("implicit deny")),
        "{:#?}",
        x.blocked_by
    );
}

#[test]
fn prefix_lists_expand_to_their_entries() {
    let mut w = World::base();
    w.list("ec2-describe-managed-prefix-lists", "PrefixLists").push(json!({"PrefixListId": "pl-office", "PrefixListName": "office", "AddressFamily": "IPv4", "OwnerId": ACCOUNT}));
    w.files.push((
        "ec2-get-managed-prefix-list-entries/pl-office".to_string(),
        json!({"Entries": [{"Cidr": "81.2.69.0/24"}, {"Cidr": "10.20.0.0/16"}]}),
    ));
    w.sg_ingress("sg-web", vec![json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": "pl-office"}]})]);
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    assert_eq!(e.len(), 1);
    assert_eq!(
        sources(e[0]),
        ["81.2.69.0/24"],
        "the private entry is no internet source"
    );
    assert!(!e[0].world);
    assert!(e[0].path.iter().any(|h| h.detail.contains("pl-office")));
    assert!(!ask(&g, "i-web", Protocol::Tcp, 22, Some("198.51.100.1")).reachable);
}

#[test]
fn protocol_minus_one_is_all_traffic_on_every_port() {
    let mut w = World::base();
    w.sg_ingress("sg-web", vec![perm("-1", 0, 0, &["0.0.0.0/0"])]);
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(
        (e[0].protocol.to_string(), e[0].from_port, e[0].to_port),
        ("all".to_string(), 0, 65535)
    );
    assert!(ask(&g, "i-web", Protocol::Udp, 53, None).reachable);
    assert!(ask(&g, "i-web", Protocol::Tcp, 65000, None).reachable);
    assert!(ask(&g, "i-web", Protocol::Number(47), 0, None).reachable);
}

#[test]
fn udp_and_icmp_are_their_own_exposures() {
    let mut w = World::base();
    w.sg_ingress(
        "sg-web",
        vec![
            perm("udp", 53, 53, &["0.0.0.0/0"]),
            perm("icmp", 8, -1, &["0.0.0.0/0"]),
        ],
    );
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    let got: Vec<(String, u16, u16)> = e
        .iter()
        .map(|x| (x.protocol.to_string(), x.from_port, x.to_port))
        .collect();
    assert_eq!(
        got,
        [("udp".to_string(), 53, 53), ("icmp".to_string(), 8, 8)]
    );
    assert!(!ask(&g, "i-web", Protocol::Tcp, 53, None).reachable);
}

#[test]
fn ipv6_is_its_own_family() {
    let mut w = World::base();
    let e = w.find(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-web",
    );
    e["Association"] = Value::Null;
    e["PrivateIpAddresses"][0]["Association"] = Value::Null;
    w.sg_ingress("sg-web", vec![perm("tcp", 443, 443, &["::/0"])]);
    let g = w.load();
    let found = exposures(&g);
    let ex = of(&found, "i-web");
    assert_eq!(ex.len(), 1);
    assert_eq!(sources(ex[0]), ["::/0"]);
    assert!(
        ex[0]
            .path
            .iter()
            .any(|h| h.kind == HopKind::PublicAddress && h.detail.contains("2600:1f18:aaaa:1::10"))
    );
    assert!(ask(&g, "i-web", Protocol::Tcp, 443, Some("2001:db8::7")).reachable);
    assert!(!ask(&g, "i-web", Protocol::Tcp, 443, Some("198.51.100.7")).reachable);

    // A ::/0 route to an egress-only gateway carries nothing in.
    let mut w2 = World::base();
    w2.route_table("rtb-pub")["Routes"][3] = json!({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"});
    w2.sg_ingress("sg-web", vec![perm("tcp", 443, 443, &["::/0"])]);
    let g2 = w2.load();
    assert!(of(&exposures(&g2), "i-web").is_empty());
}

#[test]
fn an_elastic_ip_on_a_secondary_interface_exposes_the_instance() {
    let mut w = World::base();
    // The primary interface has no public address; the second has an EIP
    // that only describe-addresses shows.
    let e = w.find(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-web",
    );
    e["Association"] = Value::Null;
    e["PrivateIpAddresses"][0]["Association"] = Value::Null;
    w.sg_ingress("sg-web", vec![]);
    w.add(
        "ec2-describe-security-groups",
        "SecurityGroups",
        sg(
            "sg-admin",
            "vpc-a",
            vec![perm("tcp", 3389, 3389, &["0.0.0.0/0"])],
        ),
    );
    w.add(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        eni(
            "eni-web2",
            "subnet-pub",
            "10.0.1.20",
            None,
            &[],
            &["sg-admin"],
            Some(("i-web", 1)),
        ),
    );
    w.add("ec2-describe-addresses", "Addresses", json!({"PublicIp": "198.51.100.44", "AllocationId": "eipalloc-2", "AssociationId": "eipassoc-2",
        "NetworkInterfaceId": "eni-web2", "PrivateIpAddress": "10.0.1.20", "InstanceId": "i-web", "Domain": "vpc"}));
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].interface.as_deref(), Some("eni-web2"));
    assert_eq!(e[0].from_port, 3389);
    assert!(
        e[0].path
            .iter()
            .any(|h| h.kind == HopKind::PublicAddress && h.detail.contains("eipalloc-2"))
    );
    assert!(ask(&g, "i-web", Protocol::Tcp, 3389, None).reachable);
}

#[test]
fn the_rules_of_every_group_on_an_interface_are_combined() {
    let mut w = World::base();
    w.sg_ingress("sg-web", vec![perm("tcp", 22, 22, &["81.2.69.0/24"])]);
    w.add(
        "ec2-describe-security-groups",
        "SecurityGroups",
        sg(
            "sg-ops",
            "vpc-a",
            vec![
                perm("tcp", 22, 22, &["198.51.100.0/24"]),
                perm("tcp", 8000, 8100, &["0.0.0.0/0"]),
            ],
        ),
    );
    w.find(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-web",
    )["Groups"] = json!([{"GroupId": "sg-web"}, {"GroupId": "sg-ops"}]);
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    let ssh = e.iter().find(|x| x.from_port == 22).expect("22");
    assert_eq!(sources(ssh), ["81.2.69.0/24", "198.51.100.0/24"]);
    assert!(ssh.path.iter().any(|h| h.id == "sg-web") && ssh.path.iter().any(|h| h.id == "sg-ops"));
    let range = e.iter().find(|x| x.from_port == 8000).expect("8000-8100");
    assert_eq!(range.to_port, 8100);
}

#[test]
fn a_security_group_reference_is_never_an_internet_source() {
    let mut w = World::base();
    w.add(
        "ec2-describe-security-groups",
        "SecurityGroups",
        sg("sg-bastion", "vpc-a", vec![]),
    );
    w.sg_ingress("sg-web", vec![json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": "sg-bastion", "UserId": ACCOUNT}]})]);
    let g = w.load();
    assert!(of(&exposures(&g), "i-web").is_empty());
    let x = ask(&g, "i-web", Protocol::Tcp, 22, None);
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.detail.contains("sg-bastion") && h.detail.contains("never the internet")),
        "{:#?}",
        x.blocked_by
    );
    // Lateral reach names it instead.
    let lateral = skyhound::analysis::lateral::lateral(&g, g.by_id("i-web").expect("i-web"));
    assert!(
        lateral
            .iter()
            .any(|l| l.source == "sg-bastion" && l.ports == "tcp 22")
    );
}

/// An application or network load balancer in subnet-lb forwarding 443 to
/// i-app (subnet-app, no public address) on 8080.
fn with_load_balancer(
    w: &mut World,
    lb_type: &str,
    scheme: &str,
    lb_groups: &[&str],
    app_rules: Vec<Value>,
) {
    let lb = format!(
        "arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/{}/edge/1234567890abcdef",
        if lb_type == "network" { "net" } else { "app" }
    );
    let tg = format!(
        "arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/app/abcdef1234567890"
    );
    w.add(
        "ec2-describe-security-groups",
        "SecurityGroups",
        sg(
            "sg-alb",
            "vpc-a",
            vec![perm("tcp", 443, 443, &["0.0.0.0/0"])],
        ),
    );
    w.add(
        "ec2-describe-security-groups",
        "SecurityGroups",
        sg("sg-app", "vpc-a", app_rules),
    );
    w.add(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        eni(
            "eni-app",
            "subnet-app",
            "10.0.3.10",
            None,
            &[],
            &["sg-app"],
            Some(("i-app", 0)),
        ),
    );
    w.list("ec2-describe-instances", "Reservations").push(json!({"OwnerId": ACCOUNT, "Instances": [instance("i-app", "app", "subnet-app", &["sg-app"], &["eni-app"])]}));
    w.add("ec2-describe-network-interfaces", "NetworkInterfaces", json!({
        "NetworkInterfaceId": "eni-lb", "SubnetId": "subnet-lb", "VpcId": "vpc-a", "OwnerId": ACCOUNT, "InterfaceType": if lb_type == "network" { "network_load_balancer" } else { "interface" },
        "Description": format!("ELB {}", lb.split(":loadbalancer/").nth(1).unwrap_or("")), "PrivateIpAddress": "10.0.2.50",
        "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.2.50", "Primary": true, "Association": {"PublicIp": "198.51.100.50", "IpOwnerId": "amazon-elb"}}],
        "Groups": lb_groups.iter().map(|g| json!({"GroupId": g})).collect::<Vec<_>>(), "RequesterManaged": true}));
    w.list("elbv2-describe-load-balancers", "LoadBalancers").push(json!({
        "LoadBalancerArn": lb, "LoadBalancerName": "edge", "Scheme": scheme, "VpcId": "vpc-a", "Type": lb_type, "State": {"Code": "active"},
        "IpAddressType": "ipv4", "SecurityGroups": lb_groups, "AvailabilityZones": [{"ZoneName": "us-east-1b", "SubnetId": "subnet-lb"}]}));
    let quoted = |s: &str| s.replace(':', "%3A").replace('/', "%2F");
    let protocol = if lb_type == "network" { "TCP" } else { "HTTPS" };
    w.files.push((format!("elbv2-describe-listeners/{}", quoted(&lb)), json!({"Listeners": [{
        "ListenerArn": format!("{}/listener/1", lb.replace("loadbalancer", "listener")), "LoadBalancerArn": lb, "Port": 443, "Protocol": protocol,
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]}]})));
    w.files.push(("elbv2-describe-target-groups".to_string(), json!({"TargetGroups": [{"TargetGroupArn": tg, "TargetGroupName": "app", "Protocol": "HTTP", "Port": 8080,
        "VpcId": "vpc-a", "TargetType": "instance", "LoadBalancerArns": [lb]}]})));
    w.files.push((
        format!("elbv2-describe-target-health/{}", quoted(&tg)),
        json!({"TargetHealthDescriptions": [
        {"Target": {"Id": "i-app", "Port": 8080}, "TargetHealth": {"State": "unhealthy"}}]}),
    ));
}

fn lb_arn(g: &Graph) -> String {
    g.nodes_of(skyhound::model::NodeKind::LoadBalancer)
        .map(|(_, n)| n.id.clone())
        .next()
        .expect("a load balancer")
}

#[test]
fn an_alb_exposes_its_targets_on_the_listener_port() {
    let mut w = World::base();
    with_load_balancer(
        &mut w,
        "application",
        "internet-facing",
        &["sg-alb"],
        vec![
            json!({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}),
        ],
    );
    let g = w.load();
    let lb = lb_arn(&g);
    let found = exposures(&g);
    let direct = of(&found, &lb);
    assert_eq!(direct.len(), 1);
    assert_eq!((direct[0].via, direct[0].from_port), (Via::Direct, 443));
    assert!(
        of(&found, "eni-lb").is_empty(),
        "the load balancer's own interface is reported as the load balancer"
    );
    let app = of(&found, "i-app");
    assert_eq!(app.len(), 1, "{app:#?}");
    let e = app[0];
    assert_eq!(
        (e.via, e.from_port, e.to_port, e.target_port),
        (Via::LoadBalancer, 443, 443, Some(8080))
    );
    assert_eq!(e.load_balancer.as_deref(), Some(lb.as_str()));
    assert_eq!(sources(e), ["0.0.0.0/0"]);
    let kinds: Vec<HopKind> = e.path.iter().map(|h| h.kind).collect();
    for k in [
        HopKind::LoadBalancer,
        HopKind::Listener,
        HopKind::TargetGroup,
        HopKind::InternetGateway,
        HopKind::SecurityGroup,
    ] {
        assert!(kinds.contains(&k), "{k:?} in {:#?}", e.path);
    }
    // Unhealthy targets still receive traffic: health is not configuration.
    // Directly, the app instance is closed: no route, no public address.
    let x = ask(&g, "i-app", Protocol::Tcp, 8080, None);
    assert!(x.reachable, "reachable through the load balancer");
    let direct_attempt = x
        .attempts
        .iter()
        .find(|a| a.via == Via::Direct)
        .expect("direct attempt");
    assert!(!direct_attempt.reachable);
    assert!(
        direct_attempt
            .blocked_by
            .iter()
            .any(|h| h.kind == HopKind::PublicAddress)
    );
}

#[test]
fn an_internal_load_balancer_exposes_nothing() {
    let mut w = World::base();
    with_load_balancer(
        &mut w,
        "application",
        "internal",
        &["sg-alb"],
        vec![
            json!({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}),
        ],
    );
    let g = w.load();
    let found = exposures(&g);
    assert!(of(&found, &lb_arn(&g)).is_empty());
    assert!(of(&found, "i-app").is_empty());
    let x = ask(&g, "i-app", Protocol::Tcp, 443, None);
    assert!(!x.reachable);
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.kind == HopKind::LoadBalancer && h.detail.contains("internal")),
        "{:#?}",
        x.blocked_by
    );
}

#[test]
fn a_target_must_admit_the_load_balancer() {
    // Neither the ALB's group nor its subnet: the target is closed, the ALB open.
    let mut w = World::base();
    with_load_balancer(
        &mut w,
        "application",
        "internet-facing",
        &["sg-alb"],
        vec![perm("tcp", 8080, 8080, &["10.9.0.0/16"])],
    );
    let g = w.load();
    let found = exposures(&g);
    assert_eq!(of(&found, &lb_arn(&g)).len(), 1);
    assert!(of(&found, "i-app").is_empty());
    let x = ask(&g, "i-app", Protocol::Tcp, 443, None);
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.kind == HopKind::SecurityGroup && h.detail.contains("load balancer")),
        "{:#?}",
        x.blocked_by
    );

    // A CIDR covering the load balancer's subnet is enough.
    let mut w = World::base();
    with_load_balancer(
        &mut w,
        "application",
        "internet-facing",
        &["sg-alb"],
        vec![perm("tcp", 8080, 8080, &["10.0.0.0/16"])],
    );
    let g = w.load();
    assert_eq!(of(&exposures(&g), "i-app").len(), 1);
}

#[test]
fn an_nlb_without_security_groups_passes_the_client_address_to_instance_targets() {
    let mut w = World::base();
    with_load_balancer(
        &mut w,
        "network",
        "internet-facing",
        &[],
        vec![perm("tcp", 8080, 8080, &["0.0.0.0/0"])],
    );
    let g = w.load();
    let found = exposures(&g);
    let lb = of(&found, &lb_arn(&g));
    assert_eq!(lb.len(), 1);
    assert!(
        lb[0]
            .path
            .iter()
            .any(|h| h.kind == HopKind::LoadBalancer && h.detail.contains("no security groups"))
    );
    let app = of(&found, "i-app");
    assert_eq!(app.len(), 1);
    assert_eq!(app[0].target_port, Some(8080));

    // Only the NLB's subnet admitted: client addresses are preserved, so
    // internet clients are refused by the target's group.
    let mut w = World::base();
    with_load_balancer(
        &mut w,
        "network",
        "internet-facing",
        &[],
        vec![perm("tcp", 8080, 8080, &["10.0.2.0/24"])],
    );
    let g = w.load();
    assert!(of(&exposures(&g), "i-app").is_empty());
}

#[test]
fn the_load_balancer_subnet_needs_a_route_to_the_gateway() {
    let mut w = World::base();
    with_load_balancer(
        &mut w,
        "application",
        "internet-facing",
        &["sg-alb"],
        vec![
            json!({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}),
        ],
    );
    w.route_table("rtb-pub")["Associations"]
        .as_array_mut()
        .expect("list")
        .retain(|a| a["SubnetId"] != "subnet-lb");
    let g = w.load();
    let found = exposures(&g);
    assert!(of(&found, &lb_arn(&g)).is_empty());
    assert!(of(&found, "i-app").is_empty());
    let lb = g.by_id(&lb_arn(&g)).expect("lb");
    let x = explain(&g, lb, Protocol::Tcp, 443, None).expect("explains");
    assert!(
        x.blocked_by
            .iter()
            .any(|h| h.kind == HopKind::RouteTable && h.id == "rtb-a-main"),
        "{:#?}",
        x.blocked_by
    );
    let none = explain(&g, lb, Protocol::Tcp, 80, None).expect("explains");
    assert!(
        none.blocked_by.iter().any(|h| h.kind == HopKind::Listener),
        "{:#?}",
        none.blocked_by
    );
}

#[test]
fn demo_answers_match_the_story() {
    let g = skyhound::source::demo::graph();
    let found = exposures(&g);
    let by_name = |name: &str| -> Vec<&Exposure> {
        found
            .iter()
            .filter(|e| e.name.as_deref() == Some(name))
            .collect()
    };

    let web = by_name("bill-web-server");
    assert_eq!(web.len(), 1);
    assert_eq!(web[0].protocol.to_string(), "all");
    assert!(web[0].world);
    let db = by_name("bill-database");
    assert!(
        db.iter()
            .any(|e| e.protocol.to_string() == "tcp" && e.from_port == 3306 && e.world)
    );

    for bastion in ["alice-prod-bastion", "alice-staging-bastion"] {
        let b = by_name(bastion);
        assert_eq!(b.len(), 1, "{bastion}: {b:#?}");
        assert_eq!(
            (b[0].from_port, sources(b[0])),
            (22, vec!["203.0.113.0/24".to_string()])
        );
        assert!(!b[0].world);
    }
    for app in [
        "alice-prod-app-1",
        "alice-prod-app-2",
        "alice-prod-app-3",
        "alice-prod-app-4",
        "alice-staging-app-1",
        "alice-staging-app-2",
    ] {
        let a = by_name(app);
        assert!(!a.is_empty(), "{app} is reachable through the ALB");
        assert!(
            a.iter().all(|e| e.via == Via::LoadBalancer
                && e.from_port == 443
                && e.target_port == Some(8080)),
            "{app}: {a:#?}"
        );
    }
    for closed in [
        "alice-prod-db",
        "alice-staging-db",
        "alice-prod-eu-worker-1",
        "bill-old-test",
    ] {
        assert!(by_name(closed).is_empty(), "{closed} is not exposed");
    }
}

#[test]
fn an_ingress_routing_appliance_is_named_on_the_path() {
    let mut w = World::base();
    w.list("ec2-describe-route-tables", "RouteTables").push(json!({
        "RouteTableId": "rtb-edge", "VpcId": "vpc-a", "OwnerId": ACCOUNT,
        "Associations": [{"Main": false, "GatewayId": "igw-a", "RouteTableAssociationId": "rtbassoc-edge", "AssociationState": {"State": "associated"}}],
        "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                   {"DestinationCidrBlock": "10.0.1.0/24", "NetworkInterfaceId": "eni-firewall", "State": "active"}]}));
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web")[0];
    assert!(
        e.path
            .iter()
            .any(|h| h.id == "rtb-edge" && h.detail.contains("eni-firewall")),
        "{:#?}",
        e.path
    );
}

#[test]
fn a_stopped_instance_is_still_reported_and_says_so() {
    let mut w = World::base();
    w.list("ec2-describe-instances", "Reservations")[0]["Instances"][0]["State"] =
        json!({"Name": "stopped"});
    let g = w.load();
    let found = exposures(&g);
    let e = of(&found, "i-web");
    assert_eq!(e.len(), 1, "its configuration is open the moment it starts");
    assert!(
        e[0].path
            .iter()
            .any(|h| h.detail.contains("instance stopped")),
        "{:#?}",
        e[0].path
    );
}

#[test]
fn a_backwards_port_range_hides_nothing_and_is_said() {
    let mut w = World::base();
    // AWS rejects such a rule; data that holds one is read as the span.
    w.sg_ingress(
        "sg-web",
        vec![json!({"IpProtocol": "tcp", "FromPort": 3310, "ToPort": 3300, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})],
    );
    let g = w.load();
    let found = exposures(&g);
    let web = of(&found, "i-web");
    assert!(
        web.iter()
            .any(|e| e.protocol == Protocol::Tcp && e.from_port <= 3306 && 3306 <= e.to_port),
        "3306 lies between the rule's ports: {web:#?}"
    );
    assert!(ask(&g, "i-web", Protocol::Tcp, 3306, None).reachable);
}

#[test]
fn a_hop_assumed_open_because_it_was_not_collected_says_so() {
    let mut w = World::base();
    w.files.retain(|(n, _)| n != "ec2-describe-network-acls");
    let g = w.load();
    let found = exposures(&g);
    let web = of(&found, "i-web");
    assert!(!web.is_empty());
    assert!(
        web[0]
            .path
            .iter()
            .any(|h| h.kind == HopKind::NetworkAcl && h.assumed),
        "{:#?}",
        web[0].path
    );
    assert!(
        web[0]
            .path
            .iter()
            .filter(|h| h.kind == HopKind::SecurityGroup)
            .all(|h| !h.assumed)
    );
}

/// The interface RDS creates for a DB instance: nothing in it names the
/// instance.
fn rds_eni(id: &str, ip: &str, public: Option<&str>, groups: &[&str]) -> Value {
    let mut v = eni(id, "subnet-pub", ip, public, &[], groups, None);
    v["RequesterId"] = json!("amazon-rds");
    v["RequesterManaged"] = json!(true);
    v["Description"] = json!("RDSNetworkInterface");
    v
}

fn db_instance(id: &str, groups: &[&str], public: bool, port: u16) -> Value {
    json!({
        "DBInstanceIdentifier": id, "DBInstanceArn": format!("arn:aws:rds:us-east-1:{ACCOUNT}:db:{id}"),
        "Engine": "mysql", "DBInstanceStatus": "available", "PubliclyAccessible": public, "StorageEncrypted": false,
        "Endpoint": {"Address": format!("{id}.abc.us-east-1.rds.amazonaws.com"), "Port": port},
        "DBSubnetGroup": {"VpcId": "vpc-a", "Subnets": [{"SubnetIdentifier": "subnet-pub"}, {"SubnetIdentifier": "subnet-lb"}]},
        "VpcSecurityGroups": groups.iter().map(|g| json!({"VpcSecurityGroupId": g, "Status": "active"})).collect::<Vec<_>>(),
    })
}

#[test]
fn a_public_database_is_exposed_on_its_port_alone_through_the_interface_rds_made() {
    let mut w = World::base();
    w.add(
        "ec2-describe-security-groups",
        "SecurityGroups",
        sg("sg-db", "vpc-a", vec![perm("-1", -1, -1, &["0.0.0.0/0"])]),
    );
    w.add(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        rds_eni("eni-db", "10.0.1.30", Some("198.51.100.30"), &["sg-db"]),
    );
    w.add(
        "rds-describe-db-instances",
        "DBInstances",
        db_instance("reports", &["sg-db"], true, 3306),
    );
    let g = w.load();
    let arn = format!("arn:aws:rds:us-east-1:{ACCOUNT}:db:reports");
    let found = exposures(&g);
    let db = of(&found, &arn);
    // All traffic is allowed, but a database answers on its port only.
    assert_eq!(db.len(), 1, "{db:#?}");
    assert_eq!(
        (db[0].protocol, db[0].from_port, db[0].to_port),
        (Protocol::Tcp, 3306, 3306)
    );
    assert!(db[0].world);
    assert!(
        of(&found, "eni-db").is_empty(),
        "reported as the database, not its interface"
    );
    let why = ask(&g, &arn, Protocol::Tcp, 22, None);
    assert!(!why.reachable);
    assert!(
        why.blocked_by
            .iter()
            .any(|h| h.detail.contains("serves tcp 3306 only")),
        "{:#?}",
        why.blocked_by
    );
    assert!(ask(&g, &arn, Protocol::Tcp, 3306, None).reachable);
    // The posture check takes the exposure's answer: critical, with the path.
    let analysis = skyhound::analysis::analyse(&g);
    let f = analysis
        .findings
        .iter()
        .find(|f| f.check == "rds.public")
        .expect("rds.public fails");
    assert_eq!(f.severity, skyhound::model::Severity::Critical);
    assert!(f.title.contains("the internet reaches it"), "{}", f.title);
}

#[test]
fn an_interface_two_databases_could_own_stays_the_interfaces_own() {
    let mut w = World::base();
    w.add(
        "ec2-describe-security-groups",
        "SecurityGroups",
        sg(
            "sg-db",
            "vpc-a",
            vec![perm("tcp", 3306, 3306, &["0.0.0.0/0"])],
        ),
    );
    w.add(
        "ec2-describe-network-interfaces",
        "NetworkInterfaces",
        rds_eni("eni-db", "10.0.1.30", Some("198.51.100.30"), &["sg-db"]),
    );
    for id in ["reports", "reports-replica"] {
        w.add(
            "rds-describe-db-instances",
            "DBInstances",
            db_instance(id, &["sg-db"], true, 3306),
        );
    }
    let g = w.load();
    let found = exposures(&g);
    // Still exposed, and said so: under the interface, which is known.
    assert!(!of(&found, "eni-db").is_empty());
    let analysis = skyhound::analysis::analyse(&g);
    let public: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.check == "rds.public")
        .collect();
    assert_eq!(public.len(), 2);
    assert!(public.iter().all(|f| f.severity == skyhound::model::Severity::High
        && f.title.contains("not known")));
}
