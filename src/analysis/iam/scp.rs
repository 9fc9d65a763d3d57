//! Service control policies on an account's path through its organization:
//! every level from the root through each OU to the account must allow;
//! a Deny at any level denies. The management account is exempt, and so
//! are service-linked roles.

use std::collections::HashMap;
use std::rc::Rc;

use super::evaluate::{Applied, Engine, PolicyKind, unknown_statement};
use super::policy::Policy;
use crate::analysis::finding::Effect;
use crate::graph::NodeId;
use crate::model::{NodeData, NodeKind};

/// One level of the path: the root, an OU or the account, and the SCPs
/// attached to it.
#[derive(Debug, Clone)]
pub(super) struct Level {
    /// `OU workloads (ou-…)`.
    pub name: String,
    pub policies: Vec<Applied>,
}

/// What SCPs mean for one account.
#[derive(Debug, Clone)]
pub(super) enum ScpPath {
    /// Not in an organization, its management account, or SCPs not enabled.
    None,
    /// SCPs apply but were not read (or the account's place in the tree
    /// was not): the note says so.
    Unknown(String),
    Levels(Vec<Level>),
}

/// The SCPs attached to each target (root, OU or account id).
pub(super) type Attachments = HashMap<String, Vec<NodeId>>;

impl<'g> Engine<'g> {
    fn attachments(&mut self) -> &Attachments {
        let graph = self.graph;
        self.scp_attachments.get_or_insert_with(|| {
            let mut out: Attachments = HashMap::new();
            for (id, n) in graph.nodes_of(NodeKind::ServiceControlPolicy) {
                if let NodeData::ServiceControlPolicy(p) = &n.data {
                    for t in &p.targets {
                        out.entry(t.clone()).or_default().push(id);
                    }
                }
            }
            out
        })
    }

    /// The SCP levels over an account, worked out once per account.
    pub(super) fn scp_path(&mut self, account: &str) -> Rc<ScpPath> {
        if let Some(p) = self.scp_paths.get(account) {
            return p.clone();
        }
        let path = Rc::new(self.work_out_path(account));
        self.scp_paths.insert(account.to_string(), path.clone());
        path
    }

    fn work_out_path(&mut self, account: &str) -> ScpPath {
        let graph = self.graph;
        let Some(org_id) = self.organization_of(account) else {
            return ScpPath::None;
        };
        let org = graph.by_id(&org_id).map(|id| &graph.node(id).data);
        let (management, collected) = match org {
            Some(NodeData::Organization(o)) => (o.management_account_id.clone(), o.scps_collected),
            _ => (None, false),
        };
        if management.as_deref() == Some(account) {
            return ScpPath::None;
        }
        if !collected {
            return ScpPath::Unknown(
                "service control policies were not collected: one may deny this".into(),
            );
        }
        // Up from the account to the root.
        let mut chain: Vec<(String, String)> =
            vec![(account.to_string(), format!("account {account}"))];
        let mut parent = match graph.by_id(account).map(|id| &graph.node(id).data) {
            Some(NodeData::Account(a)) => a.parent_id.clone(),
            _ => None,
        };
        let mut reached_root = false;
        while let Some(p) = parent.take() {
            if chain.len() > 10 || chain.iter().any(|(id, _)| *id == p) {
                break;
            }
            let Some(node) = graph.by_id(&p).map(|id| graph.node(id)) else {
                break;
            };
            let NodeData::OrganizationalUnit(ou) = &node.data else {
                break;
            };
            let name = match (&node.name, ou.is_root) {
                (_, true) => format!("the root ({p})"),
                (Some(n), false) => format!("OU {n} ({p})"),
                (None, false) => format!("OU {p}"),
            };
            chain.push((p.clone(), name));
            if ou.is_root {
                reached_root = true;
                if !ou.policy_types.is_empty()
                    && !ou
                        .policy_types
                        .iter()
                        .any(|t| t == "SERVICE_CONTROL_POLICY")
                {
                    return ScpPath::None;
                }
            }
            parent = ou.parent_id.clone();
        }
        if !reached_root {
            return ScpPath::Unknown(format!(
                "account {account}'s place in the organization was not read: the service control policies over it are not known"
            ));
        }
        chain.reverse();
        let mut levels = Vec::new();
        for (target, name) in chain {
            let attached = self.attachments().get(&target).cloned().unwrap_or_default();
            let mut policies = Vec::new();
            for id in attached {
                let n = graph.node(id);
                let NodeData::ServiceControlPolicy(p) = &n.data else {
                    continue;
                };
                let label = match &n.name {
                    Some(name) => format!("{name} ({})", n.id),
                    None => n.id.clone(),
                };
                let policy = match &p.document {
                    Some(d) => self.parse_document(&label, &d.0),
                    None => Policy {
                        variables: true,
                        statements: std::rc::Rc::new(vec![
                            unknown_statement(Effect::Allow, 0),
                            unknown_statement(Effect::Deny, 1),
                        ]),
                    },
                };
                policies.push(Applied {
                    name: label,
                    source: super::evaluate::PolicySource::Node(id),
                    kind: PolicyKind::Scp,
                    policy,
                });
            }
            levels.push(Level { name, policies });
        }
        ScpPath::Levels(levels)
    }
}
