//! A principal's effective permissions: every action its allow statements
//! name (wildcards expanded through the catalogue), decided by the
//! evaluator on the resources those statements name — so that denies,
//! boundaries and SCPs count — and grouped by service and access level,
//! each with the statements behind it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::catalogue::{self, AccessLevel};
use super::evaluate::{Decision, Engine, Request, StatementRef};
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
        let mut named: BTreeMap<(String, &'static str), Vec<String>> = BTreeMap::new();
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
            let matched: Vec<&catalogue::Action> = if actions.not {
                let except: Vec<&catalogue::Action> = actions
                    .items
                    .iter()
                    .flat_map(|p| catalogue.expand(p))
                    .collect();
                catalogue
                    .expand("*")
                    .into_iter()
                    .filter(|a| !except.iter().any(|e| std::ptr::eq(*e, *a)))
                    .collect()
            } else {
                actions
                    .items
                    .iter()
                    .flat_map(|p| catalogue.expand(p))
                    .collect()
            };
            for a in matched {
                let entry = named.entry((a.service.to_string(), a.name)).or_default();
                for r in &resources {
                    if !entry.contains(r) {
                        entry.push(r.clone());
                    }
                }
            }
        }
        let mut by_service: BTreeMap<String, Vec<Permission>> = BTreeMap::new();
        for ((service, name), resources) in named {
            let full = format!("{service}:{name}");
            let Some(action) = catalogue.action(&full) else {
                continue;
            };
            let mut best: Option<(Decision, Vec<StatementRef>, Vec<String>)> = None;
            let mut kept = Vec::new();
            for r in &resources {
                let a = self.decide(&Request {
                    principal,
                    action: &full,
                    resource: r,
                    context: &[],
                });
                if a.decision == Decision::Deny {
                    continue;
                }
                kept.push(r.clone());
                let better = match &best {
                    None => true,
                    Some((d, _, _)) => *d == Decision::Conditional && a.decision == Decision::Allow,
                };
                if better {
                    best = Some((a.decision, a.evidence, a.conditions));
                }
            }
            if let Some((decision, evidence, conditions)) = best {
                by_service.entry(service).or_default().push(Permission {
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
