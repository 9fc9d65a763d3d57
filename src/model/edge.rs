//! The kinds of relationship between resources, each with the words that
//! say why it exists, read from either end.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! edge_kinds {
    ($( $(#[$doc:meta])* $variant:ident => $forward:literal, $reverse:literal; )*) => {
        /// A typed relationship, always stored from its subject to its object
        /// (an instance is "in subnet" a subnet; the subnet "contains" it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EdgeKind { $( $(#[$doc])* $variant, )* }

        impl EdgeKind {
            pub const ALL: &'static [EdgeKind] = &[$(EdgeKind::$variant,)*];

            /// The label read from the subject: "in subnet".
            pub fn label(self) -> &'static str {
                match self { $(EdgeKind::$variant => $forward,)* }
            }

            /// The label read from the object: "contains".
            pub fn reverse_label(self) -> &'static str {
                match self { $(EdgeKind::$variant => $reverse,)* }
            }
        }
    };
}

edge_kinds! {
    /// Account → organization.
    MemberOf => "member of organization", "member account";
    /// Account or organizational unit → the root or OU it sits in.
    InOrganizationalUnit => "in organizational unit", "contains";
    /// Service control policy → root, OU or account it is attached to.
    AppliesTo => "applies to", "governed by";
    /// Region → account.
    RegionOf => "region of account", "has region";
    /// Regional top-level resource → region.
    InRegion => "in region", "contains";
    /// IAM resource → account.
    InAccount => "in account", "contains";
    /// Subnet, route table, network ACL, security group, … → VPC.
    InVpc => "in VPC", "contains";
    /// Interface, instance, NAT gateway, load balancer → subnet.
    InSubnet => "in subnet", "contains";
    /// Subnet → its explicitly associated route table.
    UsesRouteTable => "uses route table", "route table of";
    /// Subnet → its VPC's main route table (no explicit association).
    UsesMainRouteTable => "uses route table (main)", "main route table of";
    /// Gateway → route table associated with it for ingress routing.
    IngressRoutedBy => "ingress routed by", "ingress routing for";
    /// Route table → route target (gateway, peering, interface, …).
    RoutesTo => "routes to", "route target of";
    /// Subnet → network ACL (explicit or the VPC default).
    UsesNetworkAcl => "uses network ACL", "network ACL of";
    /// Interface, instance, load balancer → security group.
    ProtectedBy => "protected by", "protects";
    /// Security group → security group or prefix list its ingress rules name.
    AllowsIngressFrom => "allows ingress from", "granted ingress to";
    /// Security group → security group or prefix list its egress rules name.
    AllowsEgressTo => "allows egress to", "granted egress from";
    /// Internet or egress-only gateway → VPC.
    AttachedToVpc => "attached to", "has gateway";
    /// Network interface → instance.
    AttachedToInstance => "attached to", "has network interface";
    /// Network interface → load balancer it serves.
    InterfaceOf => "network interface of", "has network interface";
    /// Elastic IP → network interface or instance.
    AssociatedWith => "associated with", "has Elastic IP";
    /// Instance → instance profile.
    UsesInstanceProfile => "uses instance profile", "instance profile of";
    /// Instance profile → role.
    HasRole => "has role", "role of instance profile";
    /// Role → principal its trust policy allows (account, role, user).
    Trusts => "trusts", "trusted by";
    /// User, group or role → managed policy.
    AttachedPolicy => "attached policy", "attached to";
    /// User → group.
    MemberOfGroup => "member of group", "has member";
    /// User → access key.
    HasAccessKey => "has access key", "access key of";
    /// Listener → load balancer.
    ListenerOf => "listener of", "has listener";
    /// Listener → target group.
    ForwardsTo => "forwards to", "receives from listener";
    /// Target group → load balancer.
    TargetGroupOf => "target group of", "has target group";
    /// Target group → instance or interface.
    Targets => "targets", "target of";
    /// Finding → the resource it is about.
    FindingAffects => "finding affects", "has finding";
    /// Finding → detector.
    ReportedBy => "reported by", "reported";
    /// Peering connection or transit gateway attachment → VPC.
    Connects => "connects", "connected by";
    /// Managed prefix list referenced by a route.
    RoutesToPrefixList => "routes prefix list", "routed by";
    /// Trail → the bucket it delivers logs to.
    LogsTo => "logs to", "receives logs from";
    /// Trail, bucket, volume, DB instance → the KMS key that encrypts it.
    EncryptedWith => "encrypted with", "encrypts";
    /// Bucket → a principal (account, role, user) its policy allows.
    PolicyAllows => "policy allows", "allowed by the policy of";
    /// Flow log → the VPC, subnet or interface it records.
    Records => "records traffic of", "flow logged by";
    /// Volume → the instance it is attached to.
    VolumeOf => "attached to", "has volume";
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The side of a VPC peering connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeeringRole {
    Requester,
    Accepter,
}

/// What more an edge says about its relationship, typed so that an
/// analysis reads the value, never the words shown for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeDetail {
    /// The port a listener forwards to, or a target receives on.
    Port(u16),
    /// A route's destination, and whether the route is a blackhole.
    Route {
        destination: super::network::Destination,
        blackhole: bool,
    },
    /// A gateway's attachment state when it is not attached.
    State(String),
    /// The VPC's default network ACL, used for want of an association.
    VpcDefault,
    /// A VPC's main route table.
    MainRouteTable,
    /// A VPC's default network ACL.
    DefaultAcl,
    /// Which side of a peering connection the VPC is.
    PeeringSide(PeeringRole),
    /// The transit gateway of an attachment.
    TransitGateway(String),
    /// The protocol and ports of the security group rule.
    RulePorts(super::network::RulePorts),
    /// An interface's device index on its instance.
    DeviceIndex(u32),
    /// The Elastic IP's address.
    PublicIp(std::net::Ipv4Addr),
    /// The availability zone of a load balancer's subnet.
    Zone(String),
    /// A trust from another account, and whether it needs an ExternalId.
    CrossAccount { external_id_required: bool },
    /// An access key's status (`Active`, `Inactive`).
    KeyStatus(String),
}

impl fmt::Display for EdgeDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeDetail::Port(p) => write!(f, "port {p}"),
            EdgeDetail::Route {
                destination,
                blackhole,
            } => {
                write!(f, "{destination}")?;
                if *blackhole {
                    f.write_str(" (blackhole)")?;
                }
                Ok(())
            }
            EdgeDetail::State(s) => write!(f, "state {s}"),
            EdgeDetail::VpcDefault => f.write_str("VPC default"),
            EdgeDetail::MainRouteTable => f.write_str("main"),
            EdgeDetail::DefaultAcl => f.write_str("default"),
            EdgeDetail::PeeringSide(PeeringRole::Requester) => f.write_str("requester"),
            EdgeDetail::PeeringSide(PeeringRole::Accepter) => f.write_str("accepter"),
            EdgeDetail::TransitGateway(t) => f.write_str(t),
            EdgeDetail::RulePorts(p) => write!(f, "{p}"),
            EdgeDetail::DeviceIndex(d) => write!(f, "device index {d}"),
            EdgeDetail::PublicIp(ip) => write!(f, "{ip}"),
            EdgeDetail::Zone(z) => f.write_str(z),
            EdgeDetail::CrossAccount {
                external_id_required: false,
            } => f.write_str("cross-account, no ExternalId"),
            EdgeDetail::CrossAccount {
                external_id_required: true,
            } => f.write_str("cross-account, ExternalId required"),
            EdgeDetail::KeyStatus(s) => f.write_str(s),
        }
    }
}
