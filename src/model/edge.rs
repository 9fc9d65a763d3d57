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
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
