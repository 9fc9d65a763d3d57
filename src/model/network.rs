//! The network vocabulary shared by security groups, network ACLs and routes.

use std::fmt;
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

/// An IP protocol as EC2 names it in security group rules and network ACL entries.
///
/// EC2 accepts names (`tcp`), numbers (`6`) and `-1` for "all traffic"; every
/// spelling is folded onto one value so that rules compare as AWS compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// `-1`: every protocol and every port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IANA protocol number.
    Number(u8),
    /// Every protocol but TCP, UDP, ICMP and ICMPv6: what an all-traffic
    /// rule opens beyond those four, as exposure reports it. No EC2 rule
    /// names it.
    Other,
}

impl Protocol {
    /// The IANA number, or `None` for "all".
    pub fn number(self) -> Option<u8> {
        match self {
            Protocol::All | Protocol::Other => None,
            Protocol::Tcp => Some(6),
            Protocol::Udp => Some(17),
            Protocol::Icmp => Some(1),
            Protocol::Icmpv6 => Some(58),
            Protocol::Number(n) => Some(n),
        }
    }

    /// Whether rules for this protocol carry a port range (TCP and UDP only).
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    fn from_number(n: u8) -> Protocol {
        match n {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            1 => Protocol::Icmp,
            58 => Protocol::Icmpv6,
            n => Protocol::Number(n),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Tcp => f.write_str("tcp"),
            Protocol::Udp => f.write_str("udp"),
            Protocol::Icmp => f.write_str("icmp"),
            Protocol::Icmpv6 => f.write_str("icmpv6"),
            Protocol::Number(n) => write!(f, "{n}"),
            Protocol::Other => f.write_str("other"),
        }
    }
}

/// The text could not be read as an EC2 protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown IP protocol {0:?} (expected tcp, udp, icmp, icmpv6, -1 or a number 0-255)")]
pub struct UnknownProtocol(pub String);

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "-1" | "all" => Ok(Protocol::All),
            "tcp" => Ok(Protocol::Tcp),
            "udp" => Ok(Protocol::Udp),
            "icmp" => Ok(Protocol::Icmp),
            "icmpv6" | "icmp6" | "ipv6-icmp" => Ok(Protocol::Icmpv6),
            other => other
                .parse::<u8>()
                .map(Protocol::from_number)
                .map_err(|_| UnknownProtocol(s.to_string())),
        }
    }
}

impl Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Protocol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(i64),
        }
        match Raw::deserialize(d)? {
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Raw::Number(-1) => Ok(Protocol::All),
            Raw::Number(n) => u8::try_from(n)
                .map(Protocol::from_number)
                .map_err(|_| serde::de::Error::custom(UnknownProtocol(n.to_string()))),
        }
    }
}

/// An inclusive port range (`from..=to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };

    pub fn new(from: u16, to: u16) -> PortRange {
        PortRange { from, to }
    }

    pub fn single(port: u16) -> PortRange {
        PortRange {
            from: port,
            to: port,
        }
    }

    pub fn contains(self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// ICMP type and code of a network ACL entry; `-1` means any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IcmpTypeCode {
    pub icmp_type: i32,
    pub code: i32,
}

/// Allow or deny, as a network ACL entry says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleAction {
    Allow,
    Deny,
}

impl fmt::Display for RuleAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleAction::Allow => "allow",
            RuleAction::Deny => "deny",
        })
    }
}

/// A route's destination: an IPv4 or IPv6 prefix, or a managed prefix list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    Ipv4(Ipv4Net),
    Ipv6(Ipv6Net),
    PrefixList(String),
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Ipv4(n) => write!(f, "{n}"),
            Destination::Ipv6(n) => write!(f, "{n}"),
            Destination::PrefixList(p) => f.write_str(p),
        }
    }
}

/// What a route sends traffic to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum RouteTarget {
    /// `local`: the VPC itself.
    Local,
    InternetGateway(String),
    EgressOnlyInternetGateway(String),
    NatGateway(String),
    VpcPeeringConnection(String),
    TransitGateway(String),
    NetworkInterface(String),
    Instance(String),
    VirtualPrivateGateway(String),
    VpcEndpoint(String),
    CarrierGateway(String),
    LocalGateway(String),
    CoreNetwork(String),
    /// A target this version does not know; kept so nothing is silently lost.
    Other(String),
}

impl RouteTarget {
    /// The id of the resource the route points at, if it is one.
    pub fn id(&self) -> Option<&str> {
        match self {
            RouteTarget::Local => None,
            RouteTarget::InternetGateway(id)
            | RouteTarget::EgressOnlyInternetGateway(id)
            | RouteTarget::NatGateway(id)
            | RouteTarget::VpcPeeringConnection(id)
            | RouteTarget::TransitGateway(id)
            | RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance(id)
            | RouteTarget::VirtualPrivateGateway(id)
            | RouteTarget::VpcEndpoint(id)
            | RouteTarget::CarrierGateway(id)
            | RouteTarget::LocalGateway(id)
            | RouteTarget::CoreNetwork(id)
            | RouteTarget::Other(id) => Some(id),
        }
    }

    /// Classify a `GatewayId` value, whose prefix says what it is
    /// (`igw-`, `vgw-`, `vpce-`, or `local`).
    pub fn from_gateway_id(id: &str) -> RouteTarget {
        if id == "local" {
            RouteTarget::Local
        } else if id.starts_with("igw-") {
            RouteTarget::InternetGateway(id.to_string())
        } else if id.starts_with("eigw-") {
            RouteTarget::EgressOnlyInternetGateway(id.to_string())
        } else if id.starts_with("vgw-") {
            RouteTarget::VirtualPrivateGateway(id.to_string())
        } else if id.starts_with("vpce-") {
            RouteTarget::VpcEndpoint(id.to_string())
        } else {
            RouteTarget::Other(id.to_string())
        }
    }
}

impl fmt::Display for RouteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id() {
            Some(id) => f.write_str(id),
            None => f.write_str("local"),
        }
    }
}

/// `active` or `blackhole` (the target is gone; matching traffic is dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteState {
    Active,
    Blackhole,
}

/// One route of a route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub destination: Destination,
    pub target: RouteTarget,
    pub state: RouteState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// Which of a route table's links to subnets or gateways this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTableAssociation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Set on the VPC's main association, which has no subnet.
    #[serde(default)]
    pub main: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// Edge association (ingress routing) with an internet or virtual private gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
}

/// One numbered entry of a network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NaclEntry {
    pub rule_number: u32,
    /// `true` for outbound entries.
    pub egress: bool,
    pub protocol: Protocol,
    pub action: RuleAction,
    /// The IPv4 or IPv6 block the entry matches.
    pub cidr: IpNet,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp: Option<IcmpTypeCode>,
}

impl NaclEntry {
    /// The `*` entry (32767) that denies whatever no numbered entry matched.
    pub fn is_default_deny(&self) -> bool {
        self.rule_number == 32767
    }
}

/// A security group rule's IPv4 source or destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidrSource<N> {
    pub cidr: N,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A security group rule that names a managed prefix list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListSource {
    pub prefix_list_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A security group rule that names another security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSource {
    pub group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One permission of a security group (EC2's `IpPermission`): a protocol, a
/// port range and the sources (or destinations, for egress) it allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SgRule {
    pub protocol: Protocol,
    /// The first port, or the ICMP type; `None` or `-1` means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    /// The last port, or the ICMP code; `None` or `-1` means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4: Vec<CidrSource<Ipv4Net>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<CidrSource<Ipv6Net>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<PrefixListSource>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSource>,
}

impl SgRule {
    /// The ports the rule allows, `None` when it is not a port-bearing rule
    /// (ICMP) — `Some(ALL)` for "all traffic" and other protocol numbers.
    pub fn port_range(&self) -> Option<PortRange> {
        self.ports().port_range()
    }

    /// A short human label: `tcp 443`, `all traffic`, `icmp type 8`.
    pub fn describe_ports(&self) -> String {
        self.ports().to_string()
    }

    /// The rule's protocol and ports, without its sources.
    pub fn ports(&self) -> RulePorts {
        RulePorts {
            protocol: self.protocol,
            from_port: self.from_port,
            to_port: self.to_port,
        }
    }
}

/// A rule's protocol and ports (the ports, or the ICMP type and code, as
/// EC2 gives them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePorts {
    pub protocol: Protocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
}

impl RulePorts {
    /// The ports allowed, `None` for ICMP (types, not ports) and `Some(ALL)`
    /// for all traffic and other protocol numbers.
    pub fn port_range(&self) -> Option<PortRange> {
        match self.protocol {
            Protocol::Tcp | Protocol::Udp => {
                let from = self.from_port.unwrap_or(-1);
                let to = self.to_port.unwrap_or(-1);
                if from < 0 || to < 0 {
                    return Some(PortRange::ALL);
                }
                let clamp = |p: i32| u16::try_from(p.min(65535)).unwrap_or(u16::MAX);
                // AWS rejects a rule whose ports run backwards; one that
                // arrives so is read as the span between them, so that it
                // never hides what it may open.
                let (a, b) = (clamp(from), clamp(to));
                Some(PortRange::new(a.min(b), a.max(b)))
            }
            Protocol::Icmp | Protocol::Icmpv6 => None,
            Protocol::All | Protocol::Number(_) | Protocol::Other => Some(PortRange::ALL),
        }
    }
}

impl fmt::Display for RulePorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.protocol;
        match p {
            Protocol::All => f.write_str("all traffic"),
            Protocol::Tcp | Protocol::Udp => match self.port_range() {
                Some(PortRange::ALL) | None => write!(f, "{p} all ports"),
                Some(range) => write!(f, "{p} {range}"),
            },
            Protocol::Icmp | Protocol::Icmpv6 => match self.from_port {
                Some(t) if t >= 0 => write!(f, "{p} type {t}"),
                _ => write!(f, "{p} all types"),
            },
            Protocol::Number(n) => write!(f, "protocol {n}"),
            Protocol::Other => f.write_str("other protocols"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_fold_every_spelling() {
        assert_eq!("-1".parse::<Protocol>(), Ok(Protocol::All));
        assert_eq!("6".parse::<Protocol>(), Ok(Protocol::Tcp));
        assert_eq!("TCP".parse::<Protocol>(), Ok(Protocol::Tcp));
        assert_eq!("58".parse::<Protocol>(), Ok(Protocol::Icmpv6));
        assert_eq!("50".parse::<Protocol>(), Ok(Protocol::Number(50)));
        assert!("300".parse::<Protocol>().is_err());
        assert!("ftp".parse::<Protocol>().is_err());
    }

    #[test]
    fn protocol_round_trips_through_json() {
        for p in [
            Protocol::All,
            Protocol::Tcp,
            Protocol::Icmpv6,
            Protocol::Number(47),
        ] {
            let text = serde_json::to_string(&p).expect("serialise");
            assert_eq!(serde_json::from_str::<Protocol>(&text).expect("parse"), p);
        }
        assert_eq!(
            serde_json::from_str::<Protocol>("-1").expect("number"),
            Protocol::All
        );
    }

    #[test]
    fn rule_ports_follow_ec2_meaning() {
        let mut rule = SgRule {
            protocol: Protocol::Tcp,
            from_port: Some(22),
            to_port: Some(22),
            ipv4: vec![],
            ipv6: vec![],
            prefix_lists: vec![],
            groups: vec![],
        };
        assert_eq!(rule.port_range(), Some(PortRange::single(22)));
        assert_eq!(rule.describe_ports(), "tcp 22");
        rule.protocol = Protocol::All;
        assert_eq!(rule.port_range(), Some(PortRange::ALL));
        assert_eq!(rule.describe_ports(), "all traffic");
        rule.protocol = Protocol::Icmp;
        rule.from_port = Some(8);
        assert_eq!(rule.port_range(), None);
        assert_eq!(rule.describe_ports(), "icmp type 8");
    }
}
