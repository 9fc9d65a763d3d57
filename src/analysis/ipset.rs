//! Sets of addresses (and ports) as sorted, disjoint, inclusive intervals,
//! so that "which internet sources get through" is computed exactly rather
//! than answered yes or no.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// The integer types addresses and ports are counted in.
pub trait Point: Copy + Ord + std::fmt::Debug {
    const MIN: Self;
    const MAX: Self;
    fn succ(self) -> Option<Self>;
    fn pred(self) -> Option<Self>;
}

macro_rules! point {
    ($($t:ty),*) => {$(
        impl Point for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Option<Self> { self.checked_add(1) }
            fn pred(self) -> Option<Self> { self.checked_sub(1) }
        }
    )*};
}
point!(u16, u32, u128);

/// A set of points as disjoint inclusive ranges in ascending order, with no
/// two ranges adjacent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RangeSet<T> {
    ranges: Vec<(T, T)>,
}

impl<T: Point> RangeSet<T> {
    pub fn empty() -> Self {
        RangeSet { ranges: Vec::new() }
    }

    pub fn full() -> Self {
        RangeSet {
            ranges: vec![(T::MIN, T::MAX)],
        }
    }

    pub fn range(from: T, to: T) -> Self {
        if from <= to {
            RangeSet {
                ranges: vec![(from, to)],
            }
        } else {
            Self::empty()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    pub fn contains(&self, p: T) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < p);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= p)
    }

    /// Build from any ranges, sorting and merging them.
    pub fn from_ranges(mut v: Vec<(T, T)>) -> Self {
        v.retain(|(a, b)| a <= b);
        v.sort();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            match out.last_mut() {
                Some(last) if last.1.succ().is_none_or(|n| lo <= n) => {
                    if hi > last.1 {
                        last.1 = hi;
                    }
                }
                _ => out.push((lo, hi)),
            }
        }
        RangeSet { ranges: out }
    }

    pub fn union(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        let mut v = self.ranges.clone();
        v.extend_from_slice(&other.ranges);
        Self::from_ranges(v)
    }

    pub fn intersect(&self, other: &Self) -> Self {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a_lo, a_hi) = self.ranges[i];
            let (b_lo, b_hi) = other.ranges[j];
            let lo = a_lo.max(b_lo);
            let hi = a_hi.min(b_hi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a_hi < b_hi { i += 1 } else { j += 1 }
        }
        RangeSet { ranges: out }
    }

    pub fn complement(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = Some(T::MIN);
        for &(lo, hi) in &self.ranges {
            if let Some(n) = next {
                if n < lo {
                    if let Some(p) = lo.pred() {
                        out.push((n, p));
                    }
                }
            }
            next = hi.succ();
        }
        if let Some(n) = next {
            out.push((n, T::MAX));
        }
        RangeSet { ranges: out }
    }

    pub fn subtract(&self, other: &Self) -> Self {
        if other.is_empty() || self.is_empty() {
            return self.clone();
        }
        self.intersect(&other.complement())
    }

    pub fn is_subset_of(&self, other: &Self) -> bool {
        self.subtract(other).is_empty()
    }

    pub fn intersects(&self, other: &Self) -> bool {
        !self.intersect(other).is_empty()
    }

    /// The lowest point, if any.
    pub fn first(&self) -> Option<T> {
        self.ranges.first().map(|r| r.0)
    }
}

pub type V4Set = RangeSet<u32>;
pub type V6Set = RangeSet<u128>;
pub type PortSet = RangeSet<u16>;

pub fn v4_net(net: &Ipv4Net) -> V4Set {
    RangeSet::range(u32::from(net.network()), u32::from(net.broadcast()))
}

pub fn v6_net(net: &Ipv6Net) -> V6Set {
    RangeSet::range(u128::from(net.network()), u128::from(net.broadcast()))
}

/// CIDR blocks that exactly cover the set, fewest first-fit.
pub fn v4_cidrs(set: &V4Set) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    for &(lo, hi) in set.ranges() {
        let mut start = u64::from(lo);
        let end = u64::from(hi);
        while start <= end {
            let mut len = 32u8;
            while len > 0 {
                let size = 1u64 << (32 - (len - 1));
                if start % size != 0 || start + size - 1 > end {
                    break;
                }
                len -= 1;
            }
            let addr = Ipv4Addr::from(u32::try_from(start).unwrap_or(u32::MAX));
            if let Ok(n) = Ipv4Net::new(addr, len) {
                out.push(n);
            }
            start += 1u64 << (32 - len);
        }
    }
    out
}

pub fn v6_cidrs(set: &V6Set) -> Vec<Ipv6Net> {
    let mut out = Vec::new();
    for &(lo, hi) in set.ranges() {
        let mut start = lo;
        loop {
            let mut len = 128u8;
            while len > 0 {
                let bits = 128 - (u32::from(len) - 1);
                let size_minus_one = if bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << bits) - 1
                };
                if start & size_minus_one != 0
                    || start.checked_add(size_minus_one).is_none_or(|e| e > hi)
                {
                    break;
                }
                len -= 1;
            }
            if let Ok(n) = Ipv6Net::new(Ipv6Addr::from(start), len) {
                out.push(n);
            }
            let bits = 128 - u32::from(len);
            let size_minus_one = if bits >= 128 {
                u128::MAX
            } else {
                (1u128 << bits) - 1
            };
            match start.checked_add(size_minus_one) {
                Some(last) if last < hi => start = last + 1,
                _ => break,
            }
        }
    }
    out
}

/// Addresses that are never internet sources (skyhound's exposure semantics):
/// RFC 1918, carrier-grade NAT, loopback, link-local, "this network",
/// multicast and reserved. Documentation ranges stay internet sources.
pub fn reserved_v4() -> V4Set {
    let nets = [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
    ];
    let ranges = nets
        .iter()
        .filter_map(|n| n.parse::<Ipv4Net>().ok())
        .map(|n| (u32::from(n.network()), u32::from(n.broadcast())))
        .collect();
    RangeSet::from_ranges(ranges)
}

/// Unique local, link-local, loopback, unspecified and multicast IPv6.
pub fn reserved_v6() -> V6Set {
    let nets = ["::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8"];
    let ranges = nets
        .iter()
        .filter_map(|n| n.parse::<Ipv6Net>().ok())
        .map(|n| (u128::from(n.network()), u128::from(n.broadcast())))
        .collect();
    RangeSet::from_ranges(ranges)
}

/// Every internet source of the family.
pub fn internet_v4() -> V4Set {
    reserved_v4().complement()
}

pub fn internet_v6() -> V6Set {
    reserved_v6().complement()
}

/// CIDR blocks to show for a set of sources: the exact cover, without blocks
/// that lie wholly in private or reserved space.
pub fn shown_cidrs_v4(set: &V4Set) -> Vec<IpNet> {
    let internet = internet_v4();
    // Keep a whole block such as 0.0.0.0/0 when the set holds it entirely:
    // "open to 0.0.0.0/0" is what the rule says and what the user fixes.
    v4_cidrs(set)
        .into_iter()
        .filter(|n| v4_net(n).intersects(&internet))
        .map(IpNet::V4)
        .collect()
}

pub fn shown_cidrs_v6(set: &V6Set) -> Vec<IpNet> {
    let internet = internet_v6();
    v6_cidrs(set)
        .into_iter()
        .filter(|n| v6_net(n).intersects(&internet))
        .map(IpNet::V6)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> V4Set {
        v4_net(&s.parse().expect("cidr"))
    }

    #[test]
    fn set_algebra() {
        let a = RangeSet::<u16>::from_ranges(vec![(1, 5), (10, 20), (6, 6)]);
        assert_eq!(a.ranges(), &[(1, 6), (10, 20)]);
        let b = RangeSet::range(4u16, 12);
        assert_eq!(a.intersect(&b).ranges(), &[(4, 6), (10, 12)]);
        assert_eq!(a.subtract(&b).ranges(), &[(1, 3), (13, 20)]);
        assert_eq!(a.union(&b).ranges(), &[(1, 20)]);
        assert_eq!(RangeSet::<u16>::full().complement(), RangeSet::empty());
        assert_eq!(RangeSet::<u16>::empty().complement(), RangeSet::full());
        assert!(a.contains(15) && !a.contains(8));
        assert!(RangeSet::range(2u16, 3).is_subset_of(&a));
    }

    #[test]
    fn cidr_cover_is_exact_and_minimal() {
        let world = v4("0.0.0.0/0");
        assert_eq!(
            v4_cidrs(&world)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["0.0.0.0/0"]
        );
        let cut = world.subtract(&v4("198.51.100.0/24"));
        let blocks = v4_cidrs(&cut);
        assert_eq!(blocks.len(), 24);
        let back = blocks
            .iter()
            .fold(V4Set::empty(), |acc, n| acc.union(&v4_net(n)));
        assert_eq!(back, cut);
        let v6 = v6_net(&"::/0".parse().expect("cidr"));
        assert_eq!(
            v6_cidrs(&v6)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["::/0"]
        );
        let one = v6_net(&"2001:db8::1/128".parse().expect("cidr"));
        assert_eq!(
            v6_cidrs(&one)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["2001:db8::1/128"]
        );
    }

    #[test]
    fn private_ranges_are_not_internet_sources_but_documentation_ranges_are() {
        let internet = internet_v4();
        assert!(!v4("10.1.0.0/16").intersects(&internet));
        assert!(!v4("100.64.0.0/10").intersects(&internet));
        assert!(v4("203.0.113.0/24").is_subset_of(&internet));
        assert_eq!(shown_cidrs_v4(&v4("10.0.0.0/8")), Vec::<IpNet>::new());
        assert_eq!(shown_cidrs_v4(&v4("0.0.0.0/0")).len(), 1);
        assert!(!v6_net(&"fd00::/8".parse().expect("cidr")).intersects(&internet_v6()));
    }
}
