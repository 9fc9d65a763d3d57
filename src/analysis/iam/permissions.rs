//! A principal's effective permissions: every action its allow statements
//! name (wildcards expanded through the catalogue), decided by the
//! evaluator on the resources those statements name — so that denies,
//! boundaries and SCPs count — and grouped by service and access level,
//! each with the statements behind it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::catalogue::{self, AccessLevel};
use super::evaluate::{Decision, Engine, Request, StatementRef};
use super::pattern;
use super::policy::Statement;
use crate::analysis::finding::Effect;
use crate::graph::NodeId;

/// One action it may do.
#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    /// `s3:GetObject`
    pub action: String,
    pub level: AccessLevel,
    /// `allow` or `conditional` (denied actions are left out).
    pub decision: Decision,
    /// The resources its statements name for it.
    pub resources: Vec<String>,
    pub evidence: Vec<StatementRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// How much of one access level of a service it has.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LevelCount {
    pub level: AccessLevel,
    pub allowed: usize,
    pub conditional: usize,
    /// The actions of that level the service has.
    pub of: usize,
}

/// One service's share.
#[derive(Debug, Clone, Serialize)]
pub struct ServicePermissions {
    /// `s3`
    pub service: String,
    /// `Amazon S3`
    pub name: String,
    pub levels: Vec<LevelCount>,
    pub actions: Vec<Permission>,
}

impl<'g> Engine<'g> {
    /// What a user or role may do, service by service.
    pub fn permissions(&mut self, principal: NodeId) -> Vec<ServicePermissions> {
        let catalogue = catalogue::get();
        let mut notes = Vec::new();
        // Each action its allow statements name, with their resources.
        let mut named: BTreeMap<
            (&'static str, &'static str),
            (&'static catalogue::Action, Vec<String>),
        > = BTreeMap::new();
        for st in self.statements_of(principal, &mut notes) {
            if st.effect != Effect::Allow {
                continue;
            }
            let Some(actions) = &st.actions else { continue };
            let resources: Vec<String> = match &st.resources {
                Some(r) if !r.not => r.items.clone(),
                // NotResource: everything but; decided on `*`.
                _ => vec!["*".to_string()],
            };
            let matched: Vec<&'static catalogue::Action> = if actions.not {
                let except: HashSet<*const catalogue::Action> = actions
                    .items
                    .iter()
                    .flat_map(|p| catalogue.expand(p))
                    .map(std::ptr::from_ref)
                    .collect();
                catalogue
                    .expand("*")
                    .into_iter()
                    .filter(|a| !except.contains(&std::ptr::from_ref(*a)))
                    .collect()
            } else {
                actions
                    .items
                    .iter()
                    .flat_map(|p| catalogue.expand(p))
                    .collect()
            };
            for a in matched {
                let (_, entry) = named
                    .entry((a.service, a.name))
                    .or_insert_with(|| (a, Vec::new()));
                for r in &resources {
                    if !entry.contains(r) {
                        entry.push(r.clone());
                    }
                }
            }
        }
        let mut by_service: BTreeMap<String, Vec<Permission>> = BTreeMap::new();
        let deciding = self.deciding_statements(principal);
        let names_of: Vec<(&Statement, Names)> = deciding
            .iter()
            .flat_map(|st| st.iter())
            .map(|st| (st, Names::of(catalogue, st)))
            .collect();
        let mut decided: HashMap<Vec<bool>, HashMap<String, Decided>> = HashMap::new();
        for ((service, name), (action, resources)) in named {
            let full = format!("{service}:{name}");
            // Actions that every statement in force takes in or leaves out
            // alike are decided alike on the same resource: decided once.
            // Not those whose decision reads a bucket's, key's or role's
            // own policy as well.
            let matches: Option<Vec<bool>> = (!reads_resource_policy(&full)).then(|| {
                names_of
                    .iter()
                    .map(|(st, n)| n.takes_in(st, action, &full))
                    .collect()
            });
            let mut best: Option<Decided> = None;
            let mut kept = Vec::new();
            for r in &resources {
                let known = matches
                    .as_ref()
                    .and_then(|m| decided.get(m))
                    .and_then(|by_resource| by_resource.get(r));
                let a = match known {
                    Some(a) => a.clone(),
                    None => {
                        let a = self.decide(&Request {
                            principal,
                            action: &full,
                            resource: r,
                            context: &[],
                        });
                        let a = (a.decision, a.evidence, a.conditions);
                        if let Some(m) = &matches {
                            decided
                                .entry(m.clone())
                                .or_default()
                                .insert(r.clone(), a.clone());
                        }
                        a
                    }
                };
                if a.0 == Decision::Deny {
                    continue;
                }
                kept.push(r.clone());
                let better = match &best {
                    None => true,
                    Some((d, _, _)) => *d == Decision::Conditional && a.0 == Decision::Allow,
                };
                if better {
                    best = Some(a);
                }
            }
            if let Some((decision, evidence, conditions)) = best {
                by_service
                    .entry(service.to_string())
                    .or_default()
                    .push(Permission {
                        action: full,
                        level: action.level,
                        decision,
                        resources: kept,
                        evidence,
                        conditions,
                    });
            }
        }
        by_service
            .into_iter()
            .map(|(service, mut actions)| {
                actions.sort_by(|a, b| a.level.cmp(&b.level).then_with(|| a.action.cmp(&b.action)));
                let known = catalogue.service(&service);
                let levels = AccessLevel::ALL
                    .iter()
                    .map(|level| LevelCount {
                        level: *level,
                        allowed: actions
                            .iter()
                            .filter(|p| p.level == *level && p.decision == Decision::Allow)
                            .count(),
                        conditional: actions
                            .iter()
                            .filter(|p| p.level == *level && p.decision == Decision::Conditional)
                            .count(),
                        of: known.map_or(0, |s| {
                            s.actions.iter().filter(|a| a.level == *level).count()
                        }),
                    })
                    .filter(|c| c.allowed + c.conditional > 0)
                    .collect();
                ServicePermissions {
                    name: known.map(|s| s.name.to_string()).unwrap_or_default(),
                    service,
                    levels,
                    actions,
                }
            })
            .collect()
    }
}

/// A decision kept for reuse: what it was, its statements, its conditions.
type Decided = (Decision, Vec<StatementRef>, Vec<String>);

impl Engine<'_> {
    /// Every statement whose Action bears on this principal's requests:
    /// its own, group and boundary policies', and its account's service
    /// control policies'.
    fn deciding_statements(&mut self, principal: NodeId) -> Vec<std::rc::Rc<Vec<Statement>>> {
        let mut notes = Vec::new();
        let mut out: Vec<std::rc::Rc<Vec<Statement>>> = self
            .policies_of(principal, &mut notes)
            .iter()
            .map(|a| a.policy.statements.clone())
            .collect();
        let account = self.graph.node(principal).account.clone();
        if let super::scp::ScpPath::Levels(levels) = &*self.scp_path(&account) {
            for level in levels {
                out.extend(level.policies.iter().map(|a| a.policy.statements.clone()));
            }
        }
        out
    }
}

/// Whether a statement's Action (or NotAction) takes in the action.
fn names(st: &Statement, action: &str) -> bool {
    st.actions
        .as_ref()
        .is_some_and(|a| a.not != a.items.iter().any(|p| pattern::wildcard(p, action, true)))
}

/// The catalogue actions one statement's Action (or NotAction) patterns
/// name, worked out once rather than matched again for every action.
enum Names {
    /// It has no Action (nor NotAction).
    Nothing,
    /// A `*` among them.
    All,
    Some(HashSet<*const catalogue::Action>),
    /// A pattern without a service prefix: matched action by action.
    ByPattern,
}

impl Names {
    fn of(catalogue: &catalogue::Catalogue, st: &Statement) -> Names {
        let Some(actions) = &st.actions else {
            return Names::Nothing;
        };
        if actions.items.iter().any(|p| p == "*") {
            return Names::All;
        }
        if actions.items.iter().any(|p| !p.contains(':')) {
            return Names::ByPattern;
        }
        Names::Some(
            actions
                .items
                .iter()
                .flat_map(|p| catalogue.expand(p))
                .map(std::ptr::from_ref)
                .collect(),
        )
    }

    /// What `names(st, full)` says, for a catalogue action.
    fn takes_in(&self, st: &Statement, action: &catalogue::Action, full: &str) -> bool {
        let not = st.actions.as_ref().is_some_and(|a| a.not);
        match self {
            Names::Nothing => false,
            Names::All => !not,
            Names::Some(set) => not != set.contains(&std::ptr::from_ref(action)),
            Names::ByPattern => names(st, full),
        }
    }
}

/// Actions whose decision reads more than the principal's statements: a
/// bucket's or key's own policy, a role's trust policy.
fn reads_resource_policy(action: &str) -> bool {
    let lower = action.to_ascii_lowercase();
    lower.starts_with("s3:") || lower.starts_with("kms:") || lower.starts_with("sts:")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Working out once which actions a statement names gives what
    /// matching each action against its patterns gives, for every action
    /// of the catalogue.
    #[test]
    fn names_worked_out_once_agree_with_matching_each_action() {
        let catalogue = catalogue::get();
        let all = catalogue.expand("*");
        let patterns: [&[&str]; 8] = [
            &["s3:Get*"],
            &["*:Describe*"],
            &["iam:*", "sts:AssumeRole"],
            &["S3:getobject"],
            &["*"],
            &["ec2:*Instances", "ec2:?escribeVpcs"],
            &["s3*"],
            &[],
        ];
        for items in patterns {
            for not in [false, true] {
                let st = Statement {
                    index: 0,
                    sid: None,
                    effect: Effect::Allow,
                    actions: Some(super::super::policy::Patterns {
                        not,
                        items: items.iter().map(|s| s.to_string()).collect(),
                    }),
                    resources: None,
                    principals: None,
                    conditions: Vec::new(),
                };
                let once = Names::of(catalogue, &st);
                for a in &all {
                    let full = format!("{}:{}", a.service, a.name);
                    assert_eq!(
                        once.takes_in(&st, a, &full),
                        names(&st, &full),
                        "{items:?} not={not} {full}"
                    );
                }
            }
        }
    }
}
