//! Who is admin: allowed every action on every resource, by the statement
//! that says so; admin only under conditions; and principals that can make
//! themselves admin in one step.

use serde::Serialize;

use super::condition::Tri;
use super::evaluate::{Decision, Engine, Request, StatementRef};
use crate::graph::{Direction, NodeId};
use crate::model::{EdgeKind, NodeData, NodeKind};

/// `full`, `conditional` or `self-escalation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdminKind {
    /// Every action on every resource, with no condition and nothing that
    /// cuts it down.
    Full,
    /// Every action on every resource, but only under conditions (MFA, a
    /// source address) or short of what a deny or boundary takes away.
    Conditional,
    /// Not admin, but one call of its own makes it so.
    SelfEscalation,
}

/// One admin.
#[derive(Debug, Clone, Serialize)]
pub struct Admin {
    pub principal: String,
    pub kind: AdminKind,
    /// The statements that grant it (or the one step that would).
    pub evidence: Vec<StatementRef>,
    /// What makes it less than full: conditions, denies, a boundary.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
    /// Some action it cannot do at all (a Deny, an SCP, a boundary), as
    /// opposed to only under conditions.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cut_down: bool,
    /// For self-escalation: the call that makes it admin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// That call as (action, resource).
    #[serde(skip)]
    pub call: Option<(String, String)>,
    /// What was not known (service control policies not collected).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Actions a full admin must be allowed, probing the corners an `Allow *`
/// cut down by a Deny, a NotAction or a boundary would miss.
const PROBES: &[&str] = &[
    "iam:CreateUser",
    "iam:AttachRolePolicy",
    "iam:PassRole",
    "sts:AssumeRole",
    "organizations:LeaveOrganization",
    "s3:DeleteBucket",
    "ec2:RunInstances",
    "kms:Decrypt",
    "cloudtrail:StopLogging",
    "guardduty:DeleteDetector",
    "lambda:CreateFunction",
    "secretsmanager:GetSecretValue",
];

impl<'g> Engine<'g> {
    /// Every user and role that is admin, or can make itself admin.
    pub fn admins(&mut self) -> Vec<Admin> {
        let mut out = Vec::new();
        for p in self.principals(false) {
            if let Some(a) = self.admin(p) {
                out.push(a);
            }
        }
        out
    }

    /// Whether one principal is admin, and how.
    pub fn admin(&mut self, principal: NodeId) -> Option<Admin> {
        let graph = self.graph;
        let n = graph.node(principal);
        // A statement allowing every action on every resource.
        let all = self.decide(&Request {
            principal,
            action: "*",
            resource: "*",
            context: &[],
        });
        // Its own policies grant everything; what a Deny, a boundary or an
        // SCP takes away makes it admin cut down, and nothing left makes it
        // no admin at all.
        if self.grants_everything(principal) {
            let mut limits: Vec<String> = match all.decision {
                Decision::Deny => vec![format!("*: {}", all.reason)],
                _ => all.conditions.clone(),
            };
            let mut decision = all.decision;
            let mut cut_down = all.decision == Decision::Deny;
            let mut evidence = all.evidence.clone();
            let mut allowed = 0;
            for action in PROBES {
                let a = self.decide(&Request {
                    principal,
                    action,
                    resource: "*",
                    context: &[],
                });
                match a.decision {
                    Decision::Allow => {
                        allowed += 1;
                        if evidence.is_empty() {
                            evidence = a.evidence;
                        }
                    }
                    Decision::Conditional => {
                        decision = Decision::Conditional;
                        limits.extend(a.conditions.iter().map(|c| format!("{action}: {c}")));
                    }
                    Decision::Deny => {
                        decision = Decision::Conditional;
                        cut_down = true;
                        let by = a
                            .evidence
                            .first()
                            .map(|e| format!(" ({} statement {})", e.policy, e.statement))
                            .unwrap_or_default();
                        limits.push(format!("{action}: {}{by}", a.reason));
                    }
                }
            }
            limits.dedup();
            if allowed > 0 || all.decision != Decision::Deny {
                return Some(Admin {
                    principal: n.id.clone(),
                    kind: if decision == Decision::Allow {
                        AdminKind::Full
                    } else {
                        AdminKind::Conditional
                    },
                    evidence,
                    limits,
                    cut_down,
                    step: None,
                    call: None,
                    notes: all.notes,
                });
            }
        }
        // One call of its own away.
        for (action, resource) in self.own_steps(principal) {
            let a = self.decide(&Request {
                principal,
                action: &action,
                resource: &resource,
                context: &[],
            });
            if a.decision == Decision::Allow {
                return Some(Admin {
                    principal: n.id.clone(),
                    kind: AdminKind::SelfEscalation,
                    evidence: a.evidence,
                    limits: Vec::new(),
                    cut_down: false,
                    step: Some(format!("{action} on {resource}")),
                    call: Some((action.clone(), resource.clone())),
                    notes: a.notes,
                });
            }
        }
        None
    }

    /// Some allow statement names every action (`*`) on every resource.
    fn grants_everything(&mut self, principal: NodeId) -> bool {
        let mut notes = Vec::new();
        everything(&self.statements_of(principal, &mut notes))
    }

    /// A group's own policies allow every action on every resource.
    pub(super) fn group_grants_everything(&mut self, group: NodeId) -> bool {
        everything(&self.group_statements(group))
    }

    /// The calls on itself that would make a principal admin: a policy on
    /// itself or its groups, a new default version of a policy it has, its
    /// own boundary removed.
    fn own_steps(&mut self, principal: NodeId) -> Vec<(String, String)> {
        let steps = self.all_own_steps(principal);
        // Under a boundary, a policy it writes on itself is still capped;
        // removing the boundary only helps when its policies grant all.
        let boundary = self.has_boundary(principal);
        let grants = boundary && self.grants_everything(principal);
        steps
            .into_iter()
            .filter(|(a, _)| {
                if a.contains("PermissionsBoundary") {
                    grants
                } else {
                    !boundary
                }
            })
            .collect()
    }

    fn all_own_steps(&mut self, principal: NodeId) -> Vec<(String, String)> {
        let graph = self.graph;
        let n = graph.node(principal);
        let me = n.id.clone();
        let mut out = Vec::new();
        match n.kind() {
            NodeKind::IamUser => {
                for a in ["iam:PutUserPolicy", "iam:AttachUserPolicy"] {
                    out.push((a.to_string(), me.clone()));
                }
                for a in [
                    "iam:DeleteUserPermissionsBoundary",
                    "iam:PutUserPermissionsBoundary",
                ] {
                    out.push((a.to_string(), me.clone()));
                }
                for g in graph.neighbours(principal, EdgeKind::MemberOfGroup, Direction::Outgoing) {
                    for a in ["iam:PutGroupPolicy", "iam:AttachGroupPolicy"] {
                        out.push((a.to_string(), graph.node(g).id.clone()));
                    }
                }
            }
            NodeKind::IamRole => {
                for a in ["iam:PutRolePolicy", "iam:AttachRolePolicy"] {
                    out.push((a.to_string(), me.clone()));
                }
                for a in [
                    "iam:DeleteRolePermissionsBoundary",
                    "iam:PutRolePermissionsBoundary",
                ] {
                    out.push((a.to_string(), me.clone()));
                }
            }
            _ => {}
        }
        // A customer managed policy it has, itself or through a group: a
        // new version set as default (CreatePolicyVersion needs no
        // SetDefaultPolicyVersion for that), or one of its other versions
        // that grants everything made the default.
        let mut holders = vec![principal];
        holders.extend(graph.neighbours(principal, EdgeKind::MemberOfGroup, Direction::Outgoing));
        let mut policies: Vec<NodeId> = holders
            .iter()
            .flat_map(|h| graph.neighbours(*h, EdgeKind::AttachedPolicy, Direction::Outgoing))
            .collect();
        policies.sort();
        policies.dedup();
        for p in policies {
            let policy = graph.node(p);
            let NodeData::IamPolicy(data) = &policy.data else {
                continue;
            };
            if policy.account == "aws" {
                continue;
            }
            out.push(("iam:CreatePolicyVersion".to_string(), policy.id.clone()));
            let grants_all = data.other_versions.iter().any(|v| {
                v.document.as_ref().is_some_and(|d| {
                    let label = format!(
                        "{} version {}",
                        policy.id,
                        v.version_id.as_deref().unwrap_or("?")
                    );
                    everything(&self.parse_document(&label, &d.0).statements)
                })
            });
            if grants_all {
                out.push(("iam:SetDefaultPolicyVersion".to_string(), policy.id.clone()));
            }
        }
        out
    }
}

/// Some allow statement names every action (`*`) on every resource, with
/// no condition that certainly fails.
fn everything(statements: &[super::policy::Statement]) -> bool {
    statements.iter().any(|st| {
        st.effect == crate::analysis::finding::Effect::Allow
            && st
                .actions
                .as_ref()
                .is_some_and(|a| !a.not && a.items.iter().any(|x| x == "*" || x == "*:*"))
            && st
                .resources
                .as_ref()
                .is_some_and(|r| !r.not && r.items.iter().any(|x| x == "*"))
            && super::condition::all(&st.conditions, &super::condition::Context::default())
                != Tri::False
    })
}
