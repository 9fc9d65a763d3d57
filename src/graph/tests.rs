use super::*;
use crate::model::{Instance, Node, NodeData, SecurityGroup, Subnet, Vpc};

fn sample() -> Graph {
    let vpc =
        Node::new("vpc-1", "111111111111", NodeData::Vpc(Vpc::default())).in_region("us-east-1");
    let subnet = Node::new(
        "subnet-1",
        "111111111111",
        NodeData::Subnet(Subnet {
            vpc_id: "vpc-1".into(),
            ..Subnet::default()
        }),
    )
    .in_region("us-east-1");
    let sg = Node::new(
        "sg-1",
        "111111111111",
        NodeData::SecurityGroup(SecurityGroup {
            vpc_id: Some("vpc-1".into()),
            group_name: "web".into(),
            ..SecurityGroup::default()
        }),
    )
    .in_region("us-east-1")
    .with_name("web");
    let inst = |id: &str| {
        Node::new(
            id,
            "111111111111",
            NodeData::Instance(Instance {
                subnet_id: Some("subnet-1".into()),
                security_group_ids: vec!["sg-1".into(), "sg-missing".into()],
                ..Instance::default()
            }),
        )
        .in_region("us-east-1")
        .with_arn(format!("arn:aws:ec2:us-east-1:111111111111:instance/{id}"))
        .with_name("web")
    };
    Graph::build(
        vec![vpc, subnet, sg, inst("i-1"), inst("i-2")],
        Collection::default(),
    )
}

#[test]
fn lookups_by_id_arn_and_name() {
    let g = sample();
    let i1 = g.by_id("i-1").expect("by id");
    assert_eq!(
        g.by_arn("arn:aws:ec2:us-east-1:111111111111:instance/i-1"),
        Some(i1)
    );
    assert_eq!(g.by_name("web").len(), 3);
    assert_eq!(g.resolve("i-2").len(), 1);
    assert_eq!(g.resolve("web").len(), 3, "a shared name is ambiguous");
    assert!(g.resolve("nothing").is_empty());
}

#[test]
fn neighbours_in_both_directions_and_dangling_ids_dropped() {
    let g = sample();
    let i1 = g.by_id("i-1").expect("i-1");
    let sg = g.by_id("sg-1").expect("sg");
    let groups: Vec<_> = g
        .neighbours(i1, EdgeKind::ProtectedBy, Direction::Outgoing)
        .collect();
    assert_eq!(groups, [sg], "sg-missing is not in the graph: no edge");
    let protected: Vec<_> = g
        .neighbours(sg, EdgeKind::ProtectedBy, Direction::Incoming)
        .collect();
    assert_eq!(protected.len(), 2);
    let subnet = g.by_id("subnet-1").expect("subnet");
    assert_eq!(
        g.incoming(subnet)
            .filter(|e| e.kind == EdgeKind::InSubnet)
            .count(),
        2
    );
}

#[test]
fn implied_account_and_region_nodes_complete_the_tree() {
    let g = sample();
    let region = g.by_id("111111111111/us-east-1").expect("region node");
    let account = g.by_id("111111111111").expect("account node");
    assert_eq!(
        g.neighbours(region, EdgeKind::RegionOf, Direction::Outgoing)
            .collect::<Vec<_>>(),
        [account]
    );
    let vpc = g.by_id("vpc-1").expect("vpc");
    assert_eq!(
        g.neighbours(vpc, EdgeKind::InRegion, Direction::Outgoing)
            .collect::<Vec<_>>(),
        [region]
    );
    assert_eq!(g.collection().accounts, ["111111111111"]);
}

#[test]
fn a_later_record_of_the_same_id_replaces_the_earlier() {
    let a = Node::new(
        "sg-1",
        "1",
        NodeData::SecurityGroup(SecurityGroup {
            group_name: "old".into(),
            ..SecurityGroup::default()
        }),
    )
    .with_name("old");
    let b = Node::new(
        "sg-1",
        "1",
        NodeData::SecurityGroup(SecurityGroup {
            group_name: "new".into(),
            ..SecurityGroup::default()
        }),
    )
    .with_name("new");
    let g = Graph::build(vec![a, b], Collection::default());
    assert_eq!(g.len(), 1);
    assert!(g.by_name("old").is_empty());
    assert_eq!(g.by_name("new").len(), 1);
}

#[test]
fn two_kinds_under_one_id_keep_the_later_and_say_so() {
    let a =
        Node::new("dup-1", "111111111111", NodeData::Vpc(Vpc::default())).in_region("us-east-1");
    let b = Node::new(
        "dup-1",
        "111111111111",
        NodeData::Instance(Instance::default()),
    )
    .in_region("us-east-1");
    let same = Node::new("vpc-2", "111111111111", NodeData::Vpc(Vpc::default()));
    let g = Graph::build(vec![a, b, same.clone(), same], Collection::default());
    let kept = g.by_id("dup-1").expect("kept");
    assert_eq!(g.node(kept).kind(), crate::model::NodeKind::Instance);
    let gaps: Vec<&crate::model::Gap> = g
        .collection()
        .gaps
        .iter()
        .filter(|x| x.operation == "merge resources")
        .collect();
    assert_eq!(
        gaps.len(),
        1,
        "a second record of the same VPC is no conflict"
    );
    assert!(gaps[0].reason.contains("VPC (dropped)") && gaps[0].reason.contains("instance (kept)"));
}
