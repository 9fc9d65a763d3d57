//! skyhound's model of an AWS estate: resources (nodes) and the typed,
//! labelled relationships between them (edges).
//!
//! Nothing here knows about the AWS SDK, tokio or the terminal: every source
//! fills the same types.

mod aws_enum;
mod edge;
mod logging;
pub mod network;
pub mod policy;
mod resources;
mod storage;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use edge::{EdgeDetail, EdgeKind, PeeringRole};
pub use logging::*;
pub use resources::*;
pub use storage::*;

/// One resource: what every kind has in common, plus its kind's properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The resource's own id (`sg-…`, `i-…`), or its ARN where AWS has no
    /// shorter unique id (IAM, load balancers); unique in a graph.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The Name tag, or the IAM / ELB name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The account that owns the resource.
    pub account: String,
    /// `None` for global resources (IAM, accounts, the organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    pub data: NodeData,
}

impl Node {
    pub fn new(id: impl Into<String>, account: impl Into<String>, data: NodeData) -> Node {
        Node {
            id: id.into(),
            arn: None,
            name: None,
            account: account.into(),
            region: None,
            tags: BTreeMap::new(),
            data,
        }
    }

    pub fn kind(&self) -> NodeKind {
        self.data.kind()
    }

    /// The name to show: the Name tag or name, else the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// Builder-style setters, used by the sources.
    pub fn in_region(mut self, region: impl Into<String>) -> Node {
        self.region = Some(region.into());
        self
    }

    pub fn with_arn(mut self, arn: impl Into<String>) -> Node {
        self.arn = Some(arn.into());
        self
    }

    pub fn with_name(mut self, name: impl Into<String>) -> Node {
        self.name = Some(name.into());
        self
    }

    /// Set the tags, taking the Name tag as the node's name when it has none.
    pub fn with_tags(mut self, tags: BTreeMap<String, String>) -> Node {
        if self.name.is_none() {
            self.name = tags.get("Name").filter(|n| !n.is_empty()).cloned();
        }
        self.tags = tags;
        self
    }
}

macro_rules! node_kinds {
    ($( $variant:ident($ty:ty) => $label:literal, $plural:literal, $short:literal; )*) => {
        /// The kind of a node.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum NodeKind { $($variant,)* }

        /// A node's kind-specific properties.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum NodeData { $($variant($ty),)* }

        impl NodeData {
            pub fn kind(&self) -> NodeKind {
                match self { $(NodeData::$variant(_) => NodeKind::$variant,)* }
            }
        }

        impl NodeKind {
            /// Every kind, in the order the summary lists them.
            pub const ALL: &'static [NodeKind] = &[$(NodeKind::$variant,)*];

            /// The kind as a person says it: "security group".
            pub fn label(self) -> &'static str {
                match self { $(NodeKind::$variant => $label,)* }
            }

            /// Plural label: "security groups".
            pub fn plural(self) -> &'static str {
                match self { $(NodeKind::$variant => $plural,)* }
            }

            /// A short alias for command lines and filters: `sg`, `eni`.
            pub fn short(self) -> &'static str {
                match self { $(NodeKind::$variant => $short,)* }
            }
        }
    };
}

node_kinds! {
    Organization(Organization) => "organization", "organizations", "org";
    OrganizationalUnit(OrganizationalUnit) => "organizational unit", "organizational units", "ou";
    ServiceControlPolicy(ServiceControlPolicy) => "service control policy", "service control policies", "scp";
    Account(Account) => "account", "accounts", "account";
    Region(Region) => "region", "regions", "region";
    Vpc(Vpc) => "VPC", "VPCs", "vpc";
    Subnet(Subnet) => "subnet", "subnets", "subnet";
    RouteTable(RouteTable) => "route table", "route tables", "rtb";
    InternetGateway(InternetGateway) => "internet gateway", "internet gateways", "igw";
    EgressOnlyInternetGateway(EgressOnlyInternetGateway) => "egress-only internet gateway", "egress-only internet gateways", "eigw";
    NatGateway(NatGateway) => "NAT gateway", "NAT gateways", "nat";
    VpcPeeringConnection(VpcPeeringConnection) => "VPC peering connection", "VPC peering connections", "pcx";
    TransitGatewayAttachment(TransitGatewayAttachment) => "transit gateway attachment", "transit gateway attachments", "tgw";
    NetworkAcl(NetworkAcl) => "network ACL", "network ACLs", "nacl";
    SecurityGroup(SecurityGroup) => "security group", "security groups", "sg";
    ManagedPrefixList(ManagedPrefixList) => "managed prefix list", "managed prefix lists", "pl";
    NetworkInterface(NetworkInterface) => "network interface", "network interfaces", "eni";
    Instance(Instance) => "instance", "instances", "ec2";
    ElasticIp(ElasticIp) => "Elastic IP", "Elastic IPs", "eip";
    LoadBalancer(LoadBalancer) => "load balancer", "load balancers", "lb";
    Listener(Listener) => "listener", "listeners", "listener";
    TargetGroup(TargetGroup) => "target group", "target groups", "tg";
    IamUser(IamUser) => "IAM user", "IAM users", "user";
    IamGroup(IamGroup) => "IAM group", "IAM groups", "group";
    IamRole(IamRole) => "IAM role", "IAM roles", "role";
    IamPolicy(IamPolicy) => "IAM policy", "IAM policies", "policy";
    InstanceProfile(InstanceProfile) => "instance profile", "instance profiles", "profile";
    AccessKey(AccessKey) => "access key", "access keys", "key";
    GuardDutyDetector(GuardDutyDetector) => "GuardDuty detector", "GuardDuty detectors", "detector";
    GuardDutyFinding(GuardDutyFinding) => "GuardDuty finding", "GuardDuty findings", "finding";
    Trail(Trail) => "CloudTrail trail", "CloudTrail trails", "trail";
    ConfigRecorder(ConfigRecorder) => "Config recorder", "Config recorders", "recorder";
    FlowLog(FlowLog) => "flow log", "flow logs", "flowlog";
    Bucket(Bucket) => "S3 bucket", "S3 buckets", "bucket";
    KmsKey(KmsKey) => "KMS key", "KMS keys", "kms";
    Volume(Volume) => "EBS volume", "EBS volumes", "vol";
    DbInstance(DbInstance) => "DB instance", "DB instances", "rds";
}

impl NodeKind {
    /// Find a kind by its short alias, label or snake_case name.
    pub fn parse(text: &str) -> Option<NodeKind> {
        let t = text.trim().to_ascii_lowercase();
        NodeKind::ALL.iter().copied().find(|k| {
            k.short() == t
                || k.label().eq_ignore_ascii_case(&t)
                || k.plural().eq_ignore_ascii_case(&t)
                || serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    == Some(t.clone())
        })
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a collection could not read something, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gap {
    pub account: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `ec2`, `iam`, `elbv2`, `guardduty`, …
    pub service: String,
    /// The API operation, as the CLI names it (`describe-security-groups`).
    pub operation: String,
    pub reason: String,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.account)?;
        if let Some(r) = &self.region {
            write!(f, "/{r}")?;
        }
        write!(f, " {}:{}: {}", self.service, self.operation, self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_alias_label_and_name() {
        assert_eq!(NodeKind::parse("sg"), Some(NodeKind::SecurityGroup));
        assert_eq!(
            NodeKind::parse("Security Groups"),
            Some(NodeKind::SecurityGroup)
        );
        assert_eq!(
            NodeKind::parse("network_interface"),
            Some(NodeKind::NetworkInterface)
        );
        assert_eq!(NodeKind::parse("nothing"), None);
    }

    #[test]
    fn name_tag_becomes_the_name() {
        let tags = BTreeMap::from([("Name".to_string(), "web".to_string())]);
        let node = Node::new(
            "i-1",
            "111111111111",
            NodeData::Instance(Instance::default()),
        )
        .with_tags(tags);
        assert_eq!(node.display_name(), "web");
        assert_eq!(node.kind(), NodeKind::Instance);
    }
}

#[cfg(test)]
mod size_tests {
    /// Every node is as large as the largest kind: a kind that grows past
    /// the others (a finding's details inline) costs every node of the
    /// graph. Large, rare parts are boxed.
    #[test]
    fn no_kind_makes_every_node_larger() {
        let largest = std::mem::size_of::<super::Instance>();
        assert!(
            std::mem::size_of::<super::GuardDutyFinding>() <= largest,
            "a GuardDuty finding ({} bytes) outgrows an instance ({largest})",
            std::mem::size_of::<super::GuardDutyFinding>()
        );
        assert!(std::mem::size_of::<super::NodeData>() <= 400);
    }
}
