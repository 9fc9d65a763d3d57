//! A policy document as typed statements: parsed once, with every element
//! AWS defines, and a named problem for what does not parse (the rest of
//! the document still counts).

use serde_json::Value;

use crate::analysis::finding::Effect;

/// A policy, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// `"Version": "2012-10-17"`: only then are `${…}` policy variables.
    pub variables: bool,
    /// Shared: a policy in force for many principals is one copy.
    pub statements: std::rc::Rc<Vec<Statement>>,
}

/// Action, Resource or Principal patterns, or their `Not` form.
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    pub not: bool,
    pub items: Vec<String>,
}

/// A statement's principals: `*`, or (type, value) pairs; `not` for
/// `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct Principals {
    pub not: bool,
    pub items: Vec<(String, String)>,
}

/// How a condition compares values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Operator {
    fn parse(name: &str) -> Option<Operator> {
        use Operator::*;
        Some(match name {
            "StringEquals" => StringEquals,
            "StringNotEquals" => StringNotEquals,
            "StringEqualsIgnoreCase" => StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => StringNotEqualsIgnoreCase,
            "StringLike" => StringLike,
            "StringNotLike" => StringNotLike,
            "NumericEquals" => NumericEquals,
            "NumericNotEquals" => NumericNotEquals,
            "NumericLessThan" => NumericLessThan,
            "NumericLessThanEquals" => NumericLessThanEquals,
            "NumericGreaterThan" => NumericGreaterThan,
            "NumericGreaterThanEquals" => NumericGreaterThanEquals,
            "DateEquals" => DateEquals,
            "DateNotEquals" => DateNotEquals,
            "DateLessThan" => DateLessThan,
            "DateLessThanEquals" => DateLessThanEquals,
            "DateGreaterThan" => DateGreaterThan,
            "DateGreaterThanEquals" => DateGreaterThanEquals,
            "Bool" => Bool,
            "BinaryEquals" => BinaryEquals,
            "IpAddress" => IpAddress,
            "NotIpAddress" => NotIpAddress,
            "ArnEquals" => ArnEquals,
            "ArnLike" => ArnLike,
            "ArnNotEquals" => ArnNotEquals,
            "ArnNotLike" => ArnNotLike,
            "Null" => Null,
            _ => return None,
        })
    }

    /// A negated operator is true when the key is absent.
    pub fn negated(self) -> bool {
        use Operator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// One key of one operator of a condition block.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// As written: `ForAnyValue:StringLikeIfExists`.
    pub written: String,
    /// `None`: an operator skyhound does not know (never a match, never a
    /// miss: the statement applies conditionally).
    pub operator: Option<Operator>,
    pub if_exists: bool,
    pub set: Option<SetQualifier>,
    /// Condition keys are case-insensitive: lowercased for matching.
    pub key: String,
    /// The key as the document writes it, for people.
    pub key_written: String,
    pub values: Vec<String>,
}

impl Condition {
    /// A condition nobody knows (`written` says why): never a match, never
    /// a miss, so that the statement under it applies conditionally.
    pub fn unknown(written: String) -> Condition {
        Condition {
            written,
            operator: None,
            if_exists: false,
            set: None,
            key: "unknown".into(),
            key_written: String::new(),
            values: Vec::new(),
        }
    }

    /// As a person reads it: `Bool aws:MultiFactorAuthPresent true`.
    pub fn describe(&self) -> String {
        let values = self.values.join(",");
        [self.written.as_str(), &self.key_written, &values]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Its 0-based place in the document.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    /// `None` when the statement has neither Action nor NotAction (a
    /// problem: it matches nothing).
    pub actions: Option<Patterns>,
    /// `None` in trust and other resource policies that name no resource.
    pub resources: Option<Patterns>,
    pub principals: Option<Principals>,
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// Any action on anything, under a condition nobody knows: what stands
    /// for a statement or a policy that could not be read.
    pub fn unknown(index: usize, effect: Effect, condition: Condition) -> Statement {
        let any = || Patterns {
            not: false,
            items: vec!["*".into()],
        };
        Statement {
            index,
            sid: None,
            effect,
            actions: Some(any()),
            resources: Some(any()),
            principals: None,
            conditions: vec![condition],
        }
    }
}

/// A string or a list of strings; anything else is a problem.
fn strings(value: &Value, what: &str, problems: &mut Vec<String>) -> Vec<String> {
    if matches!(value, Value::Bool(_) | Value::Number(_)) {
        problems.push(format!(
            "{what} is {value}, not a string or a list of strings"
        ));
        return Vec::new();
    }
    values(value, what, problems)
}

/// A condition's values: strings, or numbers and booleans written bare.
fn values(value: &Value, what: &str, problems: &mut Vec<String>) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Bool(_) | Value::Number(_) if what.starts_with("Condition") => {
                    Some(v.to_string())
                }
                other => {
                    problems.push(format!("{what} holds {other}, not a string"));
                    None
                }
            })
            .collect(),
        // Condition values may be numbers or booleans written bare.
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        other => {
            problems.push(format!(
                "{what} is {other}, not a string or a list of strings"
            ));
            Vec::new()
        }
    }
}

fn patterns(
    st: &serde_json::Map<String, Value>,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<Patterns> {
    let not_name = format!("Not{name}");
    match (st.get(name), st.get(&not_name)) {
        (Some(_), Some(_)) => {
            problems.push(format!(
                "both {name} and {not_name}: the statement is invalid"
            ));
            None
        }
        (Some(v), None) => Some(Patterns {
            not: false,
            items: strings(v, name, problems),
        }),
        (None, Some(v)) => Some(Patterns {
            not: true,
            items: strings(v, &not_name, problems),
        }),
        (None, None) => None,
    }
}

fn principals(
    st: &serde_json::Map<String, Value>,
    problems: &mut Vec<String>,
) -> Option<Principals> {
    let (value, not) = match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(v), None) => (v, false),
        (None, Some(v)) => (v, true),
        (None, None) => return None,
        (Some(_), Some(_)) => {
            problems.push("both Principal and NotPrincipal: the statement is invalid".into());
            return None;
        }
    };
    let mut items = Vec::new();
    match value {
        Value::String(s) if s == "*" => items.push(("*".to_string(), "*".to_string())),
        Value::Object(map) => {
            for (kind, v) in map {
                for x in strings(v, &format!("Principal.{kind}"), problems) {
                    items.push((kind.clone(), x));
                }
            }
        }
        other => problems.push(format!("Principal is {other}: neither \"*\" nor an object")),
    }
    Some(Principals { not, items })
}

fn conditions(value: &Value, problems: &mut Vec<String>) -> Vec<Condition> {
    let Value::Object(ops) = value else {
        problems.push(format!("Condition is {value}, not an object"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (written, keys) in ops {
        let (set, rest) = if let Some(r) = written.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = written.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, written.as_str())
        };
        let (if_exists, name) = match rest.strip_suffix("IfExists") {
            Some(n) => (true, n),
            None => (false, rest),
        };
        let operator = Operator::parse(name);
        if operator.is_none() {
            problems.push(format!(
                "unknown condition operator {written}: statements using it apply conditionally"
            ));
        }
        let Value::Object(keys) = keys else {
            problems.push(format!(
                "Condition.{written} is {keys}, not an object of keys"
            ));
            continue;
        };
        for (key, values) in keys {
            out.push(Condition {
                written: written.clone(),
                operator,
                if_exists,
                set,
                key: key.to_ascii_lowercase(),
                key_written: key.clone(),
                values: self::values(values, &format!("Condition.{written}.{key}"), problems),
            });
        }
    }
    out
}

const KNOWN: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

/// The condition a statement that could not be read wholly applies under.
fn doubt(index: usize, what: &str) -> Condition {
    Condition::unknown(format!("(statement {index} could not be read: {what})"))
}

/// A statement nothing of which could be read: it may allow or deny any
/// action on anything, under a condition nobody knows.
fn unreadable(index: usize, what: &str) -> [Statement; 2] {
    [Effect::Allow, Effect::Deny]
        .map(|effect| Statement::unknown(index, effect, doubt(index, what)))
}

/// Parse a document. Problems name the statement and what is wrong; what
/// could not be read (an unknown element, a bad Effect, a wrong type)
/// makes the statement apply only under a condition nobody knows, so that
/// answers depending on it are conditional; the others still count.
pub fn parse(doc: &Value) -> (Policy, Vec<String>) {
    let mut problems = Vec::new();
    let Value::Object(top) = doc else {
        return (
            Policy::default(),
            vec![format!("the document is {doc}, not a JSON object")],
        );
    };
    let variables = top.get("Version").and_then(Value::as_str) == Some("2012-10-17");
    let listed: Vec<&Value> = match top.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(other) => {
            problems.push(format!("Statement is {other}, not a statement or a list"));
            Vec::new()
        }
        None => {
            problems.push("the document has no Statement".into());
            Vec::new()
        }
    };
    let mut statements = Vec::new();
    for (index, raw) in listed.into_iter().enumerate() {
        let mut mine = Vec::new();
        let Value::Object(st) = raw else {
            problems.push(format!(
                "statement {index} is {raw}, not an object: it may allow or deny anything"
            ));
            statements.extend(unreadable(index, "it is not an object"));
            continue;
        };
        // What could not be read makes the statement apply only under a
        // condition nobody knows: never a silent allow or deny.
        let mut doubts = Vec::new();
        if let Some(unknown) = st.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            mine.push(format!(
                "has an element IAM does not know ({unknown}): it applies only conditionally"
            ));
            doubts.push(format!("its element {unknown} is not IAM's"));
        }
        let effect = match st.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Some(Effect::Allow),
            Some("Deny") => Some(Effect::Deny),
            other => {
                let written = other
                    .map(|s| format!("{s:?}"))
                    .unwrap_or_else(|| "missing".into());
                mine.push(format!(
                    "has Effect {written}: neither Allow nor Deny, it may do either"
                ));
                doubts.push(format!("its Effect is {written}"));
                None
            }
        };
        let mut read = |name: &str, mine: &mut Vec<String>| {
            let before = mine.len();
            let mut p = patterns(st, name, mine);
            if mine.len() > before {
                // A wrong type: whatever it meant, it may match anything.
                doubts.push(format!("its {name} could not be read"));
                p = p.map(|p| Patterns {
                    not: false,
                    items: if p.not { Vec::new() } else { vec!["*".into()] },
                });
            }
            p
        };
        let actions = read("Action", &mut mine);
        if actions.is_none() {
            mine.push("has neither Action nor NotAction: it matches nothing".into());
        }
        let resources = read("Resource", &mut mine);
        let before = mine.len();
        let mut principals = principals(st, &mut mine);
        if mine.len() > before {
            doubts.push("its Principal could not be read".into());
            principals = Some(Principals {
                not: false,
                items: vec![("*".into(), "*".into())],
            });
        }
        let before = mine.len();
        let mut conditions = st
            .get("Condition")
            .map(|c| conditions(c, &mut mine))
            .unwrap_or_default();
        if mine.len() > before {
            doubts.push("its Condition could not be read whole".into());
        }
        if !doubts.is_empty() {
            conditions.push(doubt(index, &doubts.join("; ")));
        }
        problems.extend(mine.into_iter().map(|p| format!("statement {index}: {p}")));
        let statement = Statement {
            index,
            sid: st.get("Sid").and_then(Value::as_str).map(str::to_string),
            effect: effect.unwrap_or(Effect::Allow),
            actions,
            resources,
            principals,
            conditions,
        };
        if effect.is_none() {
            statements.push(Statement {
                effect: Effect::Deny,
                ..statement.clone()
            });
        }
        statements.push(statement);
    }
    (
        Policy {
            variables,
            statements: std::rc::Rc::new(statements),
        },
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_element_is_read_and_bad_ones_are_named() {
        let (p, problems) = parse(&json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*",
                 "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["team*"]}, "Bool": {"aws:MultiFactorAuthPresent": true}}},
                {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::b/*"]},
                {"Effect": "Allow", "Action": 5, "Resource": "*"},
                {"Effect": "Maybe", "Action": "*", "Resource": "*"},
                {"Effect": "Allow", "Action": "*", "Resource": "*", "Colour": "red"},
                {"Effect": "Allow", "Action": "*", "Condition": {"StringSortOf": {"k": "v"}}},
            ]
        }));
        assert!(p.variables);
        // Every statement counts; the bad Effect as both an Allow and a
        // Deny, each under a condition nobody knows.
        assert_eq!(p.statements.len(), 7, "{problems:?}");
        let a = &p.statements[0];
        assert_eq!(a.sid.as_deref(), Some("A"));
        assert_eq!(a.conditions.len(), 2);
        let tags = a
            .conditions
            .iter()
            .find(|c| c.key == "aws:tagkeys")
            .expect("key");
        assert_eq!(tags.set, Some(SetQualifier::ForAnyValue));
        assert!(tags.if_exists);
        assert_eq!(tags.operator, Some(Operator::StringLike));
        let mfa = a
            .conditions
            .iter()
            .find(|c| c.key == "aws:multifactorauthpresent")
            .expect("mfa");
        assert_eq!(mfa.values, ["true"]);
        assert!(p.statements[1].actions.as_ref().is_some_and(|x| x.not));
        assert!(p.statements[1].resources.as_ref().is_some_and(|x| x.not));
        for needle in [
            "statement 2: Action is 5",
            "Effect \"Maybe\"",
            "(Colour)",
            "StringSortOf",
        ] {
            assert!(
                problems.iter().any(|x| x.contains(needle)),
                "{needle} in {problems:?}"
            );
        }
        let doubted = |i: usize| {
            p.statements.iter().filter(|st| st.index == i).all(|st| {
                st.conditions
                    .iter()
                    .any(|c| c.operator.is_none() && c.written.contains("could not be read"))
            })
        };
        assert!(doubted(2) && doubted(3) && doubted(4), "{:?}", p.statements);
        assert!(!doubted(0) && !doubted(1));
        let wrong_type = p
            .statements
            .iter()
            .find(|st| st.index == 2)
            .expect("statement 2");
        assert_eq!(
            wrong_type.actions.as_ref().map(|a| a.items.clone()),
            Some(vec!["*".to_string()])
        );
        let effects: Vec<Effect> = p
            .statements
            .iter()
            .filter(|st| st.index == 3)
            .map(|st| st.effect)
            .collect();
        assert_eq!(effects, [Effect::Deny, Effect::Allow]);
        let unknown_operator = p
            .statements
            .iter()
            .find(|st| st.index == 5)
            .expect("statement 5");
        assert_eq!(unknown_operator.conditions[0].operator, None);
    }
}
