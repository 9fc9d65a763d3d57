//! Whom each role trusts: every principal its trust policy names, how far
//! that reaches (the same account, the organization, another account,
//! anyone, a service, an identity provider), the conditions that hold it
//! back (ExternalId, MFA, the organization), and which principals of the
//! graph can in fact assume it (both sides evaluated).

use std::collections::HashMap;

use serde::Serialize;

use super::evaluate::{Decision, Engine, Request};
use super::policy::{Condition, Policy};
use crate::analysis::finding::Effect;
use crate::graph::NodeId;
use crate::model::NodeKind;

/// One principal one role trusts.
#[derive(Debug, Clone, Serialize)]
pub struct Trust {
    pub role: String,
    /// As the trust policy writes it.
    pub principal: String,
    /// `AWS`, `Service`, `Federated` or `*`.
    #[serde(rename = "type")]
    pub principal_type: String,
    /// `same-account`, `organization`, `external`, `public`, `service` or
    /// `federated`.
    pub scope: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub external_id: bool,
    pub mfa: bool,
    /// A condition narrows who may come in: the organization
    /// (`aws:PrincipalOrgID`), an account or ARN (`aws:PrincipalAccount`,
    /// `aws:PrincipalArn`), or for services the calling resource
    /// (`aws:SourceArn`, `aws:SourceAccount`).
    pub limited: bool,
    /// The trust policy statement that names it (0-based), and its Sid.
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Every condition of the statement, as written.
    pub conditions: Vec<String>,
    /// The graph's users and roles that can assume the role (or can under
    /// conditions).
    pub assumable_by: Vec<String>,
}

/// Whom a role's trust policy lets in, by kind: exact ARNs, whole
/// accounts, anyone, services. Who could come in is found from these,
/// not by asking every principal.
#[derive(Debug, Default, Clone)]
pub(super) struct Named {
    pub arns: Vec<String>,
    pub accounts: Vec<String>,
    pub anyone: bool,
    /// Lowercased: `ec2.amazonaws.com`.
    pub services: Vec<String>,
}

pub(super) fn named(policy: &Policy) -> Named {
    let mut out = Named::default();
    for st in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let Some(ps) = &st.principals else { continue };
        if ps.not {
            out.anyone = true;
            continue;
        }
        for (kind, value) in &ps.items {
            match kind.as_str() {
                "*" => out.anyone = true,
                "AWS" if value == "*" => out.anyone = true,
                "AWS" => {
                    let whole = value.len() == 12 || value.ends_with(":root");
                    match crate::model::policy::principal_account(value) {
                        Some(a) if whole => out.accounts.push(a.to_string()),
                        _ => out.arns.push(value.clone()),
                    }
                }
                "Service" => out.services.push(value.to_ascii_lowercase()),
                _ => {}
            }
        }
    }
    for list in [&mut out.arns, &mut out.accounts, &mut out.services] {
        list.sort();
        list.dedup();
    }
    out
}

/// Condition keys that narrow a trust to some principals or callers.
const LIMITING: &[&str] = &[
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgpaths",
];

fn has_key(conditions: &[Condition], key: &str) -> bool {
    conditions.iter().any(|c| c.key == key)
}

impl<'g> Engine<'g> {
    /// Every role's trust, role by role.
    pub fn trusts(&mut self) -> Vec<Trust> {
        let graph = self.graph;
        let roles: Vec<NodeId> = graph
            .nodes_of(NodeKind::IamRole)
            .map(|(id, _)| id)
            .collect();
        let principals = self.principals(false);
        // Principals by account and by ARN: a role's candidates are the
        // ones its trust policy could name, not every principal.
        let mut by_account: HashMap<&str, Vec<NodeId>> = HashMap::new();
        let mut by_arn: HashMap<&str, NodeId> = HashMap::new();
        for p in &principals {
            let n = graph.node(*p);
            by_account.entry(n.account.as_str()).or_default().push(*p);
            by_arn.insert(n.id.as_str(), *p);
        }
        let mut out = Vec::new();
        for role in roles {
            let r = graph.node(role);
            let Some(policy) = self.trust_policy(role) else {
                continue;
            };
            let named = named(&policy);
            let mut candidates: Vec<NodeId> = if named.anyone {
                principals.clone()
            } else {
                let mut c: Vec<NodeId> = named
                    .arns
                    .iter()
                    .filter_map(|a| by_arn.get(a.as_str()).copied())
                    .collect();
                // A trust that names a whole account hands the decision
                // to that account's identity policies: a principal none
                // of whose statements could allow the call is not a
                // candidate, and is not decided in full.
                for a in &named.accounts {
                    for p in by_account.get(a.as_str()).into_iter().flatten() {
                        if self.identity_may(*p, "sts:AssumeRole", &r.id) {
                            c.push(*p);
                        }
                    }
                }
                c
            };
            candidates.sort();
            candidates.dedup();
            let assumable_by: Vec<String> = candidates
                .iter()
                .filter(|p| **p != role)
                .filter(|p| {
                    self.decide(&Request {
                        principal: **p,
                        action: "sts:AssumeRole",
                        resource: &r.id,
                        context: &[],
                    })
                    .decision
                        != Decision::Deny
                })
                .map(|p| graph.node(*p).id.clone())
                .collect();
            let role_org = self.organization_of(&r.account);
            for st in policy
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                let Some(ps) = &st.principals else { continue };
                if ps.not {
                    continue;
                }
                let conditions: Vec<String> = st.conditions.iter().map(|c| c.describe()).collect();
                let external_id = has_key(&st.conditions, "sts:externalid");
                let mfa = has_key(&st.conditions, "aws:multifactorauthpresent");
                let org_limited = has_key(&st.conditions, "aws:principalorgid");
                let limited = org_limited || LIMITING.iter().any(|k| has_key(&st.conditions, k));
                for (kind, value) in &ps.items {
                    let account =
                        crate::model::policy::principal_account(value).map(str::to_string);
                    let scope = match kind.as_str() {
                        "Service" => "service",
                        "Federated" => "federated",
                        _ if value == "*" => {
                            if org_limited {
                                "organization"
                            } else {
                                "public"
                            }
                        }
                        _ => match &account {
                            Some(a) if *a == r.account => "same-account",
                            Some(a)
                                if role_org.is_some() && self.organization_of(a) == role_org =>
                            {
                                "organization"
                            }
                            Some(_) => "external",
                            None => "external",
                        },
                    };
                    out.push(Trust {
                        role: r.id.clone(),
                        principal: value.clone(),
                        principal_type: if kind == "*" {
                            "*".into()
                        } else {
                            kind.clone()
                        },
                        scope,
                        account,
                        external_id,
                        mfa,
                        limited,
                        statement: st.index,
                        sid: st.sid.clone(),
                        conditions: conditions.clone(),
                        assumable_by: assumable_by.clone(),
                    });
                }
            }
        }
        out
    }
}
