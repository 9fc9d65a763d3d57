//! Conditions, three-valued: a key the request is known to have (or known
//! to lack) is evaluated by the operator's rules; a key nobody knows, or an
//! operator skyhound does not know, leaves the condition *unknown*, and a
//! statement under an unknown condition applies only conditionally.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::pattern;
use super::policy::{Condition, Operator, SetQualifier};

/// True, false, or not known from what was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }

    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

/// What is known of one condition key in a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Known<'a> {
    /// Present, with its value (or values, for a multivalued key).
    Present(&'a [String]),
    /// Known not to be in the request.
    Absent,
    Unknown,
}

/// The request's condition keys: given by the user, or fixed by the
/// principal (its name, ARN, account, tags). Keys are case-insensitive.
#[derive(Debug, Clone, Default)]
pub struct Context {
    values: BTreeMap<String, Option<Vec<String>>>,
    /// `aws:PrincipalTag/` keys: every tag the principal has is here, so
    /// one it lacks is known to be absent.
    tags_known: bool,
}

impl Context {
    /// Set a key's value(s).
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_ascii_lowercase(), Some(values));
    }

    /// Record that a key is not in the request.
    pub fn absent(&mut self, key: &str) {
        self.values.insert(key.to_ascii_lowercase(), None);
    }

    /// Every principal tag has been set: others are absent.
    pub fn tags_complete(&mut self) {
        self.tags_known = true;
    }

    pub fn value(&self, key: &str) -> Known<'_> {
        let k = key.to_ascii_lowercase();
        match self.values.get(&k) {
            Some(Some(v)) => Known::Present(v),
            Some(None) => Known::Absent,
            None if self.tags_known && k.starts_with("aws:principaltag/") => Known::Absent,
            None => Known::Unknown,
        }
    }
}

/// One value against one of the condition's values, by the operator's base
/// comparison (the positive form of a negated operator).
fn compare(op: Operator, request: &str, wanted: &str) -> Tri {
    use Operator::*;
    match op {
        StringEquals | StringNotEquals => Tri::from(request == wanted),
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
            Tri::from(request.to_lowercase() == wanted.to_lowercase())
        }
        StringLike | StringNotLike => {
            Tri::from(pattern::matches_substituted(wanted, request, false))
        }
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            let Ok(w) = wanted.trim().parse::<f64>() else {
                return Tri::Unknown;
            };
            let Ok(r) = request.trim().parse::<f64>() else {
                return Tri::False;
            };
            Tri::from(match op {
                NumericEquals | NumericNotEquals => r == w,
                NumericLessThan => r < w,
                NumericLessThanEquals => r <= w,
                NumericGreaterThan => r > w,
                _ => r >= w,
            })
        }
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => {
            let Some(w) = date(wanted) else {
                return Tri::Unknown;
            };
            let Some(r) = date(request) else {
                return Tri::False;
            };
            Tri::from(match op {
                DateEquals | DateNotEquals => r == w,
                DateLessThan => r < w,
                DateLessThanEquals => r <= w,
                DateGreaterThan => r > w,
                _ => r >= w,
            })
        }
        Bool => Tri::from(request.eq_ignore_ascii_case(wanted)),
        BinaryEquals => Tri::from(request == wanted),
        IpAddress | NotIpAddress => {
            let Some(net) = cidr(wanted) else {
                return Tri::Unknown;
            };
            match request.trim().parse::<IpAddr>() {
                Ok(ip) => Tri::from(net.contains(&ip)),
                Err(_) => Tri::False,
            }
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Tri::from(arn_like(wanted, request)),
        Null => Tri::Unknown,
    }
}

/// Each of an ARN's six parts is matched on its own: a `*` never spans a
/// colon.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if p.len() != 6 || a.len() != 6 {
        return pattern::matches_substituted(pattern, arn, false);
    }
    p.iter()
        .zip(&a)
        .all(|(p, a)| pattern::matches_substituted(p, a, false))
}

fn date(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<i64>() {
        return Some(secs);
    }
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.timestamp())
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().timestamp())
        })
}

fn cidr(text: &str) -> Option<ipnet::IpNet> {
    let t = text.trim();
    t.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| t.parse::<IpAddr>().ok().map(ipnet::IpNet::from))
}

/// Evaluate one key of one operator.
pub fn evaluate(c: &Condition, ctx: &Context) -> Tri {
    let Some(op) = c.operator else {
        return Tri::Unknown;
    };
    // Policy variables in the values.
    let mut wanted = Vec::with_capacity(c.values.len());
    for v in &c.values {
        match pattern::substitute(v, ctx) {
            Ok(Some(x)) => wanted.push(x),
            Ok(None) => {}
            Err(_) => return Tri::Unknown,
        }
    }
    let present = match ctx.value(&c.key) {
        Known::Unknown => return Tri::Unknown,
        Known::Absent => None,
        Known::Present(v) => Some(v),
    };
    if op == Operator::Null {
        // "Null": "true" asks that the key be absent.
        let want_absent = wanted.iter().any(|w| w.eq_ignore_ascii_case("true"));
        return Tri::from(present.is_none() == want_absent);
    }
    let Some(values) = present else {
        // Absent: IfExists makes it true; the set qualifiers decide for an
        // empty set; else a negated operator holds and a positive one fails.
        return Tri::from(match c.set {
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => false,
            None => c.if_exists || op.negated(),
        });
    };
    // One request value against the condition's values: matches any.
    let one = |r: &str| -> Tri {
        let mut out = Tri::False;
        for w in &wanted {
            out = out.or(compare(op, r, w));
        }
        if op.negated() {
            match out {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            }
        } else {
            out
        }
    };
    match c.set {
        Some(SetQualifier::ForAllValues) => values.iter().fold(Tri::True, |acc, r| acc.and(one(r))),
        Some(SetQualifier::ForAnyValue) | None => {
            values.iter().fold(Tri::False, |acc, r| acc.or(one(r)))
        }
    }
}

/// A statement's conditions together (every operator, every key).
pub fn all(conditions: &[Condition], ctx: &Context) -> Tri {
    conditions
        .iter()
        .fold(Tri::True, |acc, c| acc.and(evaluate(c, ctx)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::iam::policy::parse;
    use serde_json::json;

    fn cond(op: &str, key: &str, values: serde_json::Value) -> Vec<Condition> {
        let (p, problems) = parse(&json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {op: {key: values}}}]}));
        let _ = problems;
        p.statements[0].conditions.clone()
    }

    fn with(key: &str, values: &[&str]) -> Context {
        let mut c = Context::default();
        c.set(key, values.iter().map(|s| s.to_string()).collect());
        c
    }

    fn absent(key: &str) -> Context {
        let mut c = Context::default();
        c.absent(key);
        c
    }

    #[test]
    fn strings_and_their_negations_with_absent_and_unknown_keys() {
        let c = cond(
            "StringEquals",
            "aws:PrincipalTag/team",
            json!(["red", "blue"]),
        );
        assert_eq!(
            all(&c, &with("aws:principaltag/team", &["blue"])),
            Tri::True
        );
        assert_eq!(
            all(&c, &with("aws:PrincipalTag/team", &["green"])),
            Tri::False
        );
        assert_eq!(all(&c, &absent("aws:PrincipalTag/team")), Tri::False);
        assert_eq!(all(&c, &Context::default()), Tri::Unknown);
        let not = cond("StringNotEquals", "k", json!("a"));
        assert_eq!(all(&not, &with("k", &["a"])), Tri::False);
        assert_eq!(all(&not, &with("k", &["b"])), Tri::True);
        assert_eq!(
            all(&not, &absent("k")),
            Tri::True,
            "a negated operator holds for an absent key"
        );
        let like = cond("StringLike", "k", json!("arn:*:role/app-?"));
        assert_eq!(all(&like, &with("k", &["arn:aws:role/app-1"])), Tri::True);
        assert_eq!(all(&like, &with("k", &["arn:aws:role/app-12"])), Tri::False);
        let ic = cond("StringEqualsIgnoreCase", "k", json!("ABC"));
        assert_eq!(all(&ic, &with("k", &["abc"])), Tri::True);
    }

    #[test]
    fn if_exists_and_the_set_qualifiers() {
        let c = cond(
            "StringEqualsIfExists",
            "ec2:InstanceType",
            json!("t3.micro"),
        );
        assert_eq!(all(&c, &absent("ec2:InstanceType")), Tri::True);
        assert_eq!(
            all(&c, &with("ec2:InstanceType", &["m5.large"])),
            Tri::False
        );
        let ip = cond("IpAddressIfExists", "aws:SourceIp", json!("203.0.113.0/24"));
        assert_eq!(all(&ip, &absent("aws:SourceIp")), Tri::True);
        assert_eq!(all(&ip, &with("aws:SourceIp", &["203.0.113.9"])), Tri::True);
        assert_eq!(
            all(&ip, &with("aws:SourceIp", &["198.51.100.1"])),
            Tri::False,
            "not inverted"
        );
        let all_of = cond(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            json!(["a", "b"]),
        );
        assert_eq!(all(&all_of, &with("aws:TagKeys", &["a"])), Tri::True);
        assert_eq!(all(&all_of, &with("aws:TagKeys", &["a", "c"])), Tri::False);
        assert_eq!(
            all(&all_of, &absent("aws:TagKeys")),
            Tri::True,
            "true for an absent set"
        );
        let any_of = cond("ForAnyValue:StringEquals", "aws:TagKeys", json!(["a", "b"]));
        assert_eq!(all(&any_of, &with("aws:TagKeys", &["c", "b"])), Tri::True);
        assert_eq!(all(&any_of, &absent("aws:TagKeys")), Tri::False);
        let num = cond("ForAnyValue:NumericLessThanIfExists", "k", json!("10"));
        assert_eq!(
            all(&num, &with("k", &["20", "5"])),
            Tri::True,
            "numeric set operators match"
        );
        assert_eq!(all(&num, &with("k", &["20"])), Tri::False);
    }

    #[test]
    fn numbers_dates_bools_addresses_arns_and_null() {
        let n = cond("NumericLessThanEquals", "k", json!("3600"));
        assert_eq!(all(&n, &with("k", &["3600"])), Tri::True);
        assert_eq!(all(&n, &with("k", &["3601"])), Tri::False);
        assert_eq!(all(&n, &with("k", &["soon"])), Tri::False);
        let d = cond(
            "DateLessThan",
            "aws:CurrentTime",
            json!("2026-12-31T00:00:00Z"),
        );
        assert_eq!(
            all(&d, &with("aws:CurrentTime", &["2026-12-02T05:00:00Z"])),
            Tri::True
        );
        assert_eq!(
            all(&d, &with("aws:CurrentTime", &["2027-01-01T00:00:00Z"])),
            Tri::False
        );
        let b = cond("Bool", "aws:MultiFactorAuthPresent", json!("true"));
        assert_eq!(
            all(&b, &with("aws:MultiFactorAuthPresent", &["true"])),
            Tri::True
        );
        assert_eq!(
            all(&b, &with("aws:MultiFactorAuthPresent", &["false"])),
            Tri::False
        );
        assert_eq!(all(&b, &Context::default()), Tri::Unknown);
        let ip = cond(
            "NotIpAddress",
            "aws:SourceIp",
            json!(["10.0.0.0/8", "192.0.2.1"]),
        );
        assert_eq!(all(&ip, &with("aws:SourceIp", &["10.1.2.3"])), Tri::False);
        assert_eq!(
            all(&ip, &with("aws:SourceIp", &["198.51.100.1"])),
            Tri::True
        );
        let arn = cond("ArnLike", "aws:SourceArn", json!("arn:aws:s3:::bucket-*"));
        assert_eq!(
            all(&arn, &with("aws:SourceArn", &["arn:aws:s3:::bucket-1"])),
            Tri::True
        );
        let arn = cond(
            "ArnLike",
            "aws:PrincipalArn",
            json!("arn:aws:iam::*:role/admin"),
        );
        assert_eq!(
            all(
                &arn,
                &with("aws:PrincipalArn", &["arn:aws:iam::111:x:role/admin"])
            ),
            Tri::False,
            "a * does not span the ARN's colons"
        );
        let null = cond("Null", "aws:TokenIssueTime", json!("true"));
        assert_eq!(all(&null, &absent("aws:TokenIssueTime")), Tri::True);
        assert_eq!(all(&null, &with("aws:TokenIssueTime", &["x"])), Tri::False);
        assert_eq!(all(&null, &Context::default()), Tri::Unknown);
    }

    #[test]
    fn an_unknown_operator_or_variable_is_unknown_never_a_match() {
        let c = cond("StringSortOf", "k", json!("v"));
        assert_eq!(all(&c, &with("k", &["v"])), Tri::Unknown);
        let v = cond(
            "StringEquals",
            "aws:username",
            json!("${aws:PrincipalTag/owner}"),
        );
        assert_eq!(all(&v, &with("aws:username", &["bob"])), Tri::Unknown);
        let mut ctx = with("aws:username", &["bob"]);
        ctx.set("aws:PrincipalTag/owner", vec!["bob".into()]);
        assert_eq!(all(&v, &ctx), Tri::True);
    }
}
