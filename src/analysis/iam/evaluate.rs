//! Deciding one request as AWS does: an explicit Deny anywhere denies;
//! a role's trust policy must name whoever assumes it; the identity
//! policies (the user's groups' included) must allow; a permissions
//! boundary must allow. Unknown conditions make the answer conditional,
//! never a plain allow or a certain deny. Every answer names the
//! statements behind it.

use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;

use super::condition::{self, Context, Tri};
use super::pattern;
use super::policy::{self, Policy, Statement};
use super::scp::ScpPath;
use crate::analysis::finding::Effect;
use crate::graph::{Graph, NodeId};
use crate::model::{EdgeKind, NodeData, NodeKind};

/// Where a policy applies from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// The principal's own inline or attached policy.
    Identity,
    /// A policy of a group the user is in.
    Group,
    Boundary,
    Scp,
    /// A role's trust policy.
    Trust,
    Resource,
}

impl PolicyKind {
    /// As the JSON says it: `identity`, `group`, `boundary`, …
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Group => "group",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Scp => "scp",
            PolicyKind::Trust => "trust",
            PolicyKind::Resource => "resource",
        }
    }
}

/// Where a policy's document is in the graph, so that a person can be
/// taken to the statement: a managed policy or SCP, an owner's inline
/// policy, or a role's trust policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicySource {
    Node(NodeId),
    Inline(NodeId, String),
    Trust(NodeId),
    /// Not in the graph: a policy that was not collected.
    Missing,
}

impl PolicySource {
    /// The document itself, as collected.
    pub fn document<'g>(&self, graph: &'g Graph) -> Option<&'g serde_json::Value> {
        use crate::model::InlinePolicy;
        let inline = |list: &'g [InlinePolicy], name: &str| {
            list.iter().find(|p| p.name == name).map(|p| &p.document.0)
        };
        match self {
            PolicySource::Node(id) => match &graph.node(*id).data {
                NodeData::IamPolicy(p) => p.document.as_ref().map(|d| &d.0),
                NodeData::ServiceControlPolicy(p) => p.document.as_ref().map(|d| &d.0),
                NodeData::Bucket(b) => match &b.policy {
                    Some(crate::model::Answer::Value(d)) => Some(&d.0),
                    _ => None,
                },
                NodeData::KmsKey(k) => match &k.policy {
                    Some(crate::model::Answer::Value(d)) => Some(&d.0),
                    _ => None,
                },
                _ => None,
            },
            PolicySource::Inline(owner, name) => match &graph.node(*owner).data {
                NodeData::IamUser(u) => inline(&u.inline_policies, name),
                NodeData::IamRole(r) => inline(&r.inline_policies, name),
                NodeData::IamGroup(g) => inline(&g.inline_policies, name),
                _ => None,
            },
            PolicySource::Trust(role) => match &graph.node(*role).data {
                NodeData::IamRole(r) => Some(&r.trust_policy.0),
                _ => None,
            },
            PolicySource::Missing => None,
        }
    }

    /// The node that holds the document.
    pub fn node(&self) -> Option<NodeId> {
        match self {
            PolicySource::Node(id) | PolicySource::Inline(id, _) | PolicySource::Trust(id) => {
                Some(*id)
            }
            PolicySource::Missing => None,
        }
    }
}

/// One statement that decided an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// The managed policy's ARN, or `OWNER-ARN:inline/NAME`.
    pub policy: String,
    /// Where the document is, for the explorer.
    #[serde(skip)]
    pub source: PolicySource,
    pub kind: PolicyKind,
    /// 0-based.
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
}

impl StatementRef {
    /// "POLICY statement N (SID)", as every report names a statement.
    pub fn named(&self) -> String {
        self.named_as(&self.policy)
    }

    /// The same, with the policy called as given (its name, not its ARN).
    pub fn named_as(&self, policy: &str) -> String {
        let sid = self
            .sid
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        format!("{policy} statement {}{sid}", self.statement)
    }
}

/// Whom a store's own policy could let in from another account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admits {
    Anyone,
    /// The accounts and the principal ARN patterns its Allows name.
    Named(Vec<String>, Vec<String>),
}

impl Admits {
    /// Whether this principal could be let in.
    pub fn may(&self, who: &crate::model::Node) -> bool {
        match self {
            Admits::Anyone => true,
            Admits::Named(accounts, arns) => {
                accounts.contains(&who.account)
                    || arns
                        .iter()
                        .any(|a| super::pattern::wildcard(a, &who.id, false))
            }
        }
    }
}

/// `allow`, `deny` or `conditional`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Deny,
    Conditional,
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub decision: Decision,
    /// `allowed`, `explicit deny`, `no allow`, `boundary`, `trust`, …
    pub reason: String,
    pub evidence: Vec<StatementRef>,
    /// For a conditional answer: the conditions it depends on, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// What was not known (a policy not collected, SCPs not read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A policy in force, with where it comes from.
#[derive(Debug, Clone)]
pub(super) struct Applied {
    pub name: String,
    pub source: PolicySource,
    pub kind: PolicyKind,
    pub policy: Policy,
}

/// The evaluator over one graph: every document parsed once.
pub struct Engine<'g> {
    pub graph: &'g Graph,
    /// A principal's policies, and what was not known of them.
    parsed: HashMap<NodeId, (Rc<Vec<Applied>>, Vec<String>)>,
    /// The condition keys each principal fixes, worked out once.
    contexts: HashMap<NodeId, Rc<Context>>,
    /// Actions asked about, and whether the catalogue knows them.
    actions_checked: HashMap<String, Option<String>>,
    /// Roles' trust policies, parsed once.
    trusts: HashMap<NodeId, Policy>,
    /// Bucket and key policies, parsed once each.
    resource_policies: HashMap<NodeId, Option<Policy>>,
    /// Managed policies, parsed once however many principals have them.
    managed_policies: HashMap<NodeId, Policy>,
    /// Problems found while parsing, by policy.
    pub problems: Vec<String>,
    /// Service control policies by the target they are attached to, and
    /// the levels over each account.
    pub(super) scp_attachments: Option<super::scp::Attachments>,
    pub(super) scp_paths: HashMap<String, Rc<ScpPath>>,
    /// Roles by whom they trust, and principals by account: built once,
    /// for escalation and for where credentials lead.
    pub(super) escalation_indexes: Option<
        Rc<(
            super::escalation::TrustIndex,
            super::escalation::Accounts<'g>,
        )>,
    >,
}

/// What a request asks.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub principal: NodeId,
    pub action: &'a str,
    pub resource: &'a str,
    /// Condition keys the person gave (`aws:MultiFactorAuthPresent=true`).
    pub context: &'a [(String, String)],
}

#[derive(Debug, Default, Clone)]
struct Verdict {
    /// Whether some statement of this effect applies.
    applies: Option<Tri>,
    evidence: Vec<StatementRef>,
    conditions: Vec<String>,
}

impl Verdict {
    fn tri(&self) -> Tri {
        self.applies.unwrap_or(Tri::False)
    }

    /// Either allows: the one that certainly does, else both under their
    /// conditions.
    fn or(&self, other: &Verdict) -> Verdict {
        match (self.tri(), other.tri()) {
            (Tri::True, _) => self.clone(),
            (_, Tri::True) => other.clone(),
            (Tri::False, Tri::False) => Verdict::default(),
            _ => Verdict {
                applies: Some(Tri::Unknown),
                evidence: self
                    .evidence
                    .iter()
                    .chain(&other.evidence)
                    .cloned()
                    .collect(),
                conditions: self
                    .conditions
                    .iter()
                    .chain(&other.conditions)
                    .cloned()
                    .collect(),
            },
        }
    }
}

impl<'g> Engine<'g> {
    pub fn new(graph: &'g Graph) -> Engine<'g> {
        Engine {
            graph,
            parsed: HashMap::new(),
            contexts: HashMap::new(),
            actions_checked: HashMap::new(),
            trusts: HashMap::new(),
            resource_policies: HashMap::new(),
            managed_policies: HashMap::new(),
            problems: Vec::new(),
            scp_attachments: None,
            scp_paths: HashMap::new(),
            escalation_indexes: None,
        }
    }

    pub(super) fn parse_document(&mut self, name: &str, doc: &serde_json::Value) -> Policy {
        let (p, problems) = read_document(doc);
        self.problems
            .extend(problems.into_iter().map(|x| format!("{name}: {x}")));
        p
    }

    /// A managed policy's default version, or a note that it was not
    /// collected.
    fn managed(&mut self, arn: &str, kind: PolicyKind, notes: &mut Vec<String>) -> Option<Applied> {
        let graph = self.graph;
        let found = graph.by_id(arn).and_then(|id| match &graph.node(id).data {
            NodeData::IamPolicy(p) => p.document.as_ref().map(|d| (id, d)),
            _ => None,
        });
        match found {
            Some((id, d)) => {
                let policy = match self.managed_policies.get(&id) {
                    Some(p) => p.clone(),
                    None => {
                        let p = self.parse_document(arn, &d.0);
                        self.managed_policies.insert(id, p.clone());
                        p
                    }
                };
                Some(Applied {
                    name: arn.to_string(),
                    source: PolicySource::Node(id),
                    kind,
                    policy,
                })
            }
            None => {
                notes.push(format!(
                    "the policy {arn} was not collected: what it allows or denies is not known"
                ));
                None
            }
        }
    }

    /// An owner's inline policies and the managed policies attached to it.
    fn own(
        &mut self,
        owner: NodeId,
        kind: PolicyKind,
        inline: &[crate::model::InlinePolicy],
        attached: &[crate::model::AttachedPolicy],
        notes: &mut Vec<String>,
        out: &mut Vec<Applied>,
    ) {
        for p in inline {
            let name = format!("{}:inline/{}", self.graph.node(owner).id, p.name);
            let policy = self.parse_document(&name, &p.document.0);
            out.push(Applied {
                name,
                source: PolicySource::Inline(owner, p.name.clone()),
                kind,
                policy,
            });
        }
        for a in attached {
            out.extend(self.managed(&a.arn, kind, notes));
        }
    }

    /// The identity policies, group policies and boundary of a principal.
    pub(super) fn policies_of(
        &mut self,
        principal: NodeId,
        notes: &mut Vec<String>,
    ) -> Rc<Vec<Applied>> {
        if let Some((p, known)) = self.parsed.get(&principal) {
            notes.extend(known.iter().cloned());
            return p.clone();
        }
        let mut mine = Vec::new();
        let out = Rc::new(self.gather(principal, &mut mine));
        notes.extend(mine.iter().cloned());
        self.parsed.insert(principal, (out.clone(), mine));
        out
    }

    fn gather(&mut self, principal: NodeId, notes: &mut Vec<String>) -> Vec<Applied> {
        let graph = self.graph;
        let n = graph.node(principal);
        let mut out = Vec::new();
        let mut boundary = None;
        match &n.data {
            NodeData::IamUser(u) => {
                self.own(
                    principal,
                    PolicyKind::Identity,
                    &u.inline_policies,
                    &u.attached_policies,
                    notes,
                    &mut out,
                );
                for g in graph.neighbours(
                    principal,
                    EdgeKind::MemberOfGroup,
                    crate::graph::Direction::Outgoing,
                ) {
                    let gn = graph.node(g);
                    if let NodeData::IamGroup(gd) = &gn.data {
                        self.own(
                            g,
                            PolicyKind::Group,
                            &gd.inline_policies,
                            &gd.attached_policies,
                            notes,
                            &mut out,
                        );
                    }
                }
                boundary = u.permissions_boundary.clone();
            }
            NodeData::IamRole(r) => {
                self.own(
                    principal,
                    PolicyKind::Identity,
                    &r.inline_policies,
                    &r.attached_policies,
                    notes,
                    &mut out,
                );
                boundary = r.permissions_boundary.clone();
            }
            _ => {}
        }
        if let Some(b) = boundary {
            match self.managed(&b, PolicyKind::Boundary, notes) {
                Some(a) => out.push(a),
                // A boundary whose document is unknown caps by an unknown.
                None => out.push(Applied {
                    name: b,
                    source: PolicySource::Missing,
                    kind: PolicyKind::Boundary,
                    policy: Policy {
                        variables: true,
                        statements: Rc::new(vec![unknown_statement(Effect::Allow, 0)]),
                    },
                }),
            }
        }
        out
    }

    /// Every user and role allowed (or conditionally allowed) to make a
    /// request, each with its answer.
    pub fn who_can(&mut self, action: &str, resource: &str) -> Vec<Answer> {
        self.principals(true)
            .into_iter()
            .map(|principal| {
                self.decide(&Request {
                    principal,
                    action,
                    resource,
                    context: &[],
                })
            })
            .filter(|a| a.decision != Decision::Deny)
            .collect()
    }

    /// Whom a store's own policy could let in from another account,
    /// worked out once per store: anyone when its policy was not read or
    /// an Allow names anyone (or no principal, or one in a way not
    /// compared here); the accounts and ARNs its Allows name; nobody for a
    /// store with no policy, or of a kind that has none (a database).
    /// Without that, no request on it from another account is allowed, so
    /// the full decision is not needed.
    pub fn admits(&mut self, store: NodeId) -> Admits {
        let n = self.graph.node(store);
        let arn = n.arn.clone().unwrap_or_else(|| n.id.clone());
        let found = match n.kind() {
            NodeKind::Bucket => {
                let NodeData::Bucket(b) = &n.data else {
                    return Admits::Anyone;
                };
                if matches!(&b.policy, Some(crate::model::Answer::None { code }) if code == "NoSuchBucketPolicy")
                {
                    return match owner_only(b) {
                        Some(true) => Admits::Named(Vec::new(), Vec::new()),
                        _ => Admits::Anyone,
                    };
                }
                self.bucket_policy("s3:GetObject", &arn)
            }
            NodeKind::KmsKey => self.key_policy("kms:Decrypt", &arn),
            NodeKind::DbInstance => return Admits::Named(Vec::new(), Vec::new()),
            _ => return Admits::Anyone,
        };
        let Some((_, Some(policy))) = found else {
            return Admits::Anyone;
        };
        if policy
            .statements
            .iter()
            .any(|st| st.effect == Effect::Allow && st.principals.is_none())
        {
            return Admits::Anyone;
        }
        let named = super::trust::named(&policy);
        if named.anyone || named.arns.iter().any(|a| !a.starts_with("arn:aws:iam::")) {
            return Admits::Anyone;
        }
        Admits::Named(named.accounts, named.arns)
    }

    /// A role's trust policy, parsed once (its problems reported once).
    /// The policy of the bucket a request on S3 is about (the bucket or
    /// one of its objects), where the graph has the bucket: `None` inside
    /// when the policy was not read (S3 answering that there is none is
    /// no bucket side at all).
    fn bucket_policy(&mut self, action: &str, resource: &str) -> Option<(NodeId, Option<Policy>)> {
        if !action
            .get(..3)
            .is_some_and(|p| p.eq_ignore_ascii_case("s3:"))
        {
            return None;
        }
        let name = resource.strip_prefix("arn:aws:s3:::")?.split('/').next()?;
        if name.is_empty() || name.contains(['*', '?']) {
            return None;
        }
        let graph = self.graph;
        let id = graph
            .by_id(name)
            .filter(|id| graph.node(*id).kind() == NodeKind::Bucket)?;
        let NodeData::Bucket(b) = &graph.node(id).data else {
            return None;
        };
        if matches!(&b.policy, Some(crate::model::Answer::None { code }) if code == "NoSuchBucketPolicy")
        {
            return None;
        }
        Some((
            id,
            self.resource_policy(id, &b.policy, &format!("{name} bucket policy")),
        ))
    }

    /// The bucket a request on S3 is about when S3 said it has no policy,
    /// with whether its ACL grants only its owner (`None`: not read).
    fn bucket_without_policy(
        &self,
        action: &str,
        resource: &str,
    ) -> Option<(NodeId, Option<bool>)> {
        if !action
            .get(..3)
            .is_some_and(|p| p.eq_ignore_ascii_case("s3:"))
        {
            return None;
        }
        let name = resource.strip_prefix("arn:aws:s3:::")?.split('/').next()?;
        let id = self.graph.by_id(name)?;
        let NodeData::Bucket(b) = &self.graph.node(id).data else {
            return None;
        };
        matches!(&b.policy, Some(crate::model::Answer::None { code }) if code == "NoSuchBucketPolicy")
            .then(|| (id, owner_only(b)))
    }

    /// The KMS key a request is about (by its key ARN) and its key policy,
    /// `None` inside when the policy was not read.
    fn key_policy(&mut self, action: &str, resource: &str) -> Option<(NodeId, Option<Policy>)> {
        if !action
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("kms:"))
        {
            return None;
        }
        let graph = self.graph;
        let id = graph.by_arn(resource)?;
        let NodeData::KmsKey(k) = &graph.node(id).data else {
            return None;
        };
        Some((
            id,
            self.resource_policy(id, &k.policy, &format!("{resource} key policy")),
        ))
    }

    /// A bucket's or key's policy, parsed once; `None` when it was not read.
    fn resource_policy(
        &mut self,
        id: NodeId,
        policy: &Option<crate::model::Answer<crate::model::policy::PolicyDocument>>,
        name: &str,
    ) -> Option<Policy> {
        if let Some(p) = self.resource_policies.get(&id) {
            return p.clone();
        }
        let parsed = match policy {
            Some(crate::model::Answer::Value(doc)) => Some(self.parse_document(name, &doc.0)),
            _ => None,
        };
        self.resource_policies.insert(id, parsed.clone());
        parsed
    }

    pub(super) fn trust_policy(&mut self, role: NodeId) -> Option<Policy> {
        if let Some(p) = self.trusts.get(&role) {
            return Some(p.clone());
        }
        let graph = self.graph;
        let r = graph.node(role);
        let NodeData::IamRole(data) = &r.data else {
            return None;
        };
        let p = self.parse_document(&format!("{} trust policy", r.id), &data.trust_policy.0);
        self.trusts.insert(role, p.clone());
        Some(p)
    }

    /// The users and roles of the graph (root users only if asked).
    pub(super) fn principals(&self, with_root: bool) -> Vec<NodeId> {
        let graph = self.graph;
        graph
            .nodes_of(NodeKind::IamUser)
            .filter(|(_, n)| with_root || !matches!(&n.data, NodeData::IamUser(u) if u.is_root))
            .chain(graph.nodes_of(NodeKind::IamRole))
            .map(|(id, _)| id)
            .collect()
    }

    /// The statements of a principal's own and group policies (not its
    /// boundary).
    pub(super) fn statements_of(
        &mut self,
        principal: NodeId,
        notes: &mut Vec<String>,
    ) -> Vec<Statement> {
        self.policies_of(principal, notes)
            .iter()
            .filter(|a| matches!(a.kind, PolicyKind::Identity | PolicyKind::Group))
            .flat_map(|a| a.policy.statements.iter().cloned())
            .collect()
    }

    /// The statements of a group's inline and attached policies.
    pub(super) fn group_statements(&mut self, group: NodeId) -> Vec<Statement> {
        let graph = self.graph;
        let n = graph.node(group);
        let NodeData::IamGroup(g) = &n.data else {
            return Vec::new();
        };
        let mut notes = Vec::new();
        let mut out = Vec::new();
        self.own(
            group,
            PolicyKind::Group,
            &g.inline_policies,
            &g.attached_policies,
            &mut notes,
            &mut out,
        );
        out.iter()
            .flat_map(|a| a.policy.statements.iter().cloned())
            .collect()
    }

    /// Whether a permissions boundary is set on the principal.
    pub(super) fn has_boundary(&self, principal: NodeId) -> bool {
        match &self.graph.node(principal).data {
            NodeData::IamUser(u) => u.permissions_boundary.is_some(),
            NodeData::IamRole(r) => r.permissions_boundary.is_some(),
            _ => false,
        }
    }

    /// The context of a request: what the principal fixes (worked out
    /// once), and what the person gave.
    pub(super) fn context_of(
        &mut self,
        principal: NodeId,
        given: &[(String, String)],
    ) -> Rc<Context> {
        let base = match self.contexts.get(&principal) {
            Some(c) => c.clone(),
            None => {
                let c = Rc::new(self.context(principal));
                self.contexts.insert(principal, c.clone());
                c
            }
        };
        if given.is_empty() {
            return base;
        }
        let mut ctx = (*base).clone();
        for (k, v) in given {
            ctx.set(k, vec![v.clone()]);
        }
        Rc::new(ctx)
    }

    /// The condition keys the principal itself fixes.
    fn context(&self, principal: NodeId) -> Context {
        let n = self.graph.node(principal);
        let mut ctx = Context::default();
        ctx.set("aws:PrincipalArn", vec![n.id.clone()]);
        ctx.set("aws:PrincipalAccount", vec![n.account.clone()]);
        match &n.data {
            NodeData::IamUser(u) => {
                ctx.set("aws:PrincipalType", vec!["User".into()]);
                if let Some(name) = &n.name {
                    ctx.set("aws:username", vec![name.clone()]);
                }
                if let Some(id) = &u.user_id {
                    ctx.set("aws:userid", vec![id.clone()]);
                }
            }
            NodeData::IamRole(_) => {
                ctx.set("aws:PrincipalType", vec!["AssumedRole".into()]);
                ctx.absent("aws:username");
            }
            _ => {}
        }
        for (k, v) in &n.tags {
            ctx.set(&format!("aws:PrincipalTag/{k}"), vec![v.clone()]);
        }
        ctx.tags_complete();
        if let Some(org) = self.organization_of(&n.account) {
            ctx.set("aws:PrincipalOrgID", vec![org]);
        }
        ctx
    }

    pub(super) fn organization_of(&self, account: &str) -> Option<String> {
        match self
            .graph
            .by_id(account)
            .map(|id| &self.graph.node(id).data)
        {
            Some(NodeData::Account(a)) => a.organization_id.clone(),
            _ => None,
        }
    }

    /// Decide one request.
    pub fn decide(&mut self, req: &Request) -> Answer {
        let graph = self.graph;
        let who = graph.node(req.principal);
        let mut notes = Vec::new();
        let base = Answer {
            principal: who.id.clone(),
            action: req.action.to_string(),
            resource: req.resource.to_string(),
            decision: Decision::Deny,
            reason: String::new(),
            evidence: Vec::new(),
            conditions: Vec::new(),
            notes: Vec::new(),
        };
        let root = matches!(&who.data, NodeData::IamUser(u) if u.is_root);
        if !matches!(who.kind(), NodeKind::IamUser | NodeKind::IamRole) {
            return Answer {
                reason: format!("a {} is not an IAM principal", who.kind()),
                ..base
            };
        }
        if !req.action.contains(['*', '?']) {
            let known = match self.actions_checked.get(req.action) {
                Some(p) => p.clone(),
                None => {
                    let p = super::catalogue::get().problem(req.action);
                    self.actions_checked
                        .insert(req.action.to_string(), p.clone());
                    p
                }
            };
            if let Some(problem) = known {
                notes.push(format!("{problem}: check its spelling"));
            }
        }
        let ctx = self.context_of(req.principal, req.context);
        let policies = if root {
            Rc::new(Vec::new())
        } else {
            self.policies_of(req.principal, &mut notes)
        };
        // A role's trust policy, when the request assumes that role.
        let assumes = req
            .action
            .to_ascii_lowercase()
            .starts_with("sts:assumerole");
        let trust = if assumes {
            graph
                .by_id(req.resource)
                .and_then(|id| self.trust_policy(id).map(|p| (id, graph.node(id), p)))
        } else {
            None
        };

        let mut deny = Verdict::default();
        let mut identity = Verdict::default();
        if root {
            // The root user may do anything in its own account; only an
            // SCP can stop it.
            identity.applies = Some(Tri::True);
        }
        let mut boundary: Option<Verdict> = None;
        for a in policies.iter() {
            let target = match a.kind {
                PolicyKind::Boundary => boundary.get_or_insert_with(Verdict::default),
                _ => &mut identity,
            };
            for st in a.policy.statements.iter() {
                let applies = statement_applies(
                    st,
                    a.policy.variables,
                    req.action,
                    Some(req.resource),
                    None,
                    &ctx,
                );
                if applies == Tri::False {
                    continue;
                }
                let r = reference(a, st);
                let into = if st.effect == Effect::Deny {
                    &mut deny
                } else {
                    &mut *target
                };
                record(into, applies, r, st);
            }
        }
        // A resource-based policy of the principal's own account that
        // names the user itself by its ARN grants past its permissions
        // boundary (AWS: "not limited by the boundary"); one naming a role
        // or the account does not.
        let mut user_grant = Verdict::default();
        let is_user = who.kind() == NodeKind::IamUser;
        // The trust policy: whom it names, and whether by exact ARN.
        let mut trust_verdict = None;
        let mut trust_names_principal = false;
        let who_ctx = (who.id.as_str(), who.account.as_str());
        if let Some((role_id, role, p)) = &trust {
            let mut v = Verdict::default();
            let side = ResourceSide {
                policy: p,
                name: format!("{} trust policy", role.id),
                source: PolicySource::Trust(*role_id),
                kind: PolicyKind::Trust,
            };
            side.each(
                req.action,
                None,
                who_ctx,
                &ctx,
                &mut deny,
                |st, applies, r| {
                    if applies == Tri::True && names_exactly(st, &who.id) {
                        trust_names_principal = true;
                    }
                    if is_user && role.account == who.account && names_exactly(st, &who.id) {
                        record(&mut user_grant, applies, r.clone(), st);
                    }
                    record(&mut v, applies, r, st);
                },
            );
            trust_verdict = Some((v, role.account == who.account));
        }
        // The bucket's policy, when the request is on a bucket or its
        // objects: its Deny denies; its Allow lets the principal in alone
        // within the bucket's account when it names the principal itself
        // or everyone (naming the account hands the decision to IAM);
        // from another account the identity policies must allow too.
        // A key's policy, when the request is on a KMS key, likewise — and
        // it must always allow, within its account too.
        let mut resource: Option<ResourceVerdict> = None;
        if !assumes {
            if let Some((bid, p)) = self.bucket_policy(req.action, req.resource) {
                let bucket = graph.node(bid);
                let what = format!("the bucket policy of {}", bucket.id);
                let same_account = bucket.account == who.account;
                let (mut any, direct) = match &p {
                    Some(p) => ResourceSide {
                        policy: p,
                        name: format!("{} bucket policy", bucket.id),
                        source: PolicySource::Node(bid),
                        kind: PolicyKind::Resource,
                    }
                    .grants(
                        req,
                        who_ctx,
                        is_user && same_account,
                        &ctx,
                        &mut deny,
                        &mut user_grant,
                    ),
                    // Not read: it may deny, or let the principal in.
                    None => {
                        notes.push(format!("{what} was not collected"));
                        deny.applies = Some(deny.tri().or(Tri::Unknown));
                        deny.conditions
                            .push(format!("{what} denies it (it was not collected)"));
                        (unread(&what), unread(&what))
                    }
                };
                // RestrictPublicBuckets (the bucket's or its account's)
                // keeps a public policy to the bucket's own account.
                if !same_account && restricts_public(graph, bid) {
                    any = Verdict::default();
                }
                resource = Some(ResourceVerdict {
                    any,
                    direct,
                    same_account,
                    required: false,
                });
            } else if let Some((kid, p)) = self.key_policy(req.action, req.resource) {
                let key = graph.node(kid);
                let what = format!("the key policy of {}", key.display_name());
                let same_account = key.account == who.account;
                let (any, direct) = match &p {
                    Some(p) => ResourceSide {
                        policy: p,
                        name: format!("{} key policy", req.resource),
                        source: PolicySource::Node(kid),
                        kind: PolicyKind::Resource,
                    }
                    .grants(
                        req,
                        who_ctx,
                        is_user && same_account,
                        &ctx,
                        &mut deny,
                        &mut user_grant,
                    ),
                    None => {
                        notes.push(format!("{what} was not collected"));
                        (unread(&what), unread(&what))
                    }
                };
                if any.tri() != Tri::True {
                    notes.push(format!(
                        "KMS grants on {} were not read: a grant to this principal would allow what the key policy does not",
                        key.display_name()
                    ));
                }
                resource = Some(ResourceVerdict {
                    any,
                    direct,
                    same_account,
                    required: true,
                });
            }
        }
        // Service control policies: every level must allow; a Deny at any
        // level denies. Service-linked roles are exempt.
        let mut scp_levels: Vec<(&str, Verdict)> = Vec::new();
        let path;
        let service_linked = matches!(&who.data, NodeData::IamRole(r)
            if r.path.as_deref().is_some_and(|p| p.starts_with("/aws-service-role/")));
        if !service_linked {
            path = self.scp_path(&who.account);
            match &*path {
                ScpPath::None => {}
                ScpPath::Unknown(note) => notes.push(note.clone()),
                ScpPath::Levels(levels) => {
                    for level in levels {
                        let mut v = Verdict::default();
                        for a in &level.policies {
                            for st in a.policy.statements.iter() {
                                let applies = statement_applies(
                                    st,
                                    a.policy.variables,
                                    req.action,
                                    Some(req.resource),
                                    None,
                                    &ctx,
                                );
                                if applies == Tri::False {
                                    continue;
                                }
                                let r = reference(a, st);
                                let into = if st.effect == Effect::Deny {
                                    &mut deny
                                } else {
                                    &mut v
                                };
                                record(into, applies, r, st);
                            }
                        }
                        scp_levels.push((level.name.as_str(), v));
                    }
                }
            }
        }

        // 1. An explicit Deny that certainly applies denies.
        if deny.tri() == Tri::True {
            return Answer {
                decision: Decision::Deny,
                reason: "explicit deny".into(),
                evidence: deny.evidence,
                notes,
                ..base
            };
        }
        // 2. What must allow: the trust policy (assuming a role), the
        // identity policies (unless a same-account trust names the principal
        // itself), and the boundary.
        let identity_or_resource;
        let foreign_side;
        let mut needed: Vec<(&str, &Verdict)> = Vec::new();
        if let Some((v, same_account)) = &trust_verdict {
            needed.push(("trust", v));
            if !(trust_names_principal && *same_account) {
                needed.push(("no allow", &identity));
            }
        } else if let Some(r) = &resource {
            if r.required {
                needed.push(("key policy", &r.any));
            }
            if r.same_account {
                identity_or_resource = identity.or(&r.direct);
                needed.push(("no allow", &identity_or_resource));
            } else {
                needed.push(("no allow", &identity));
                if !r.required {
                    needed.push(("resource", &r.any));
                }
            }
        } else if let Some((bid, acl)) = self
            .bucket_without_policy(req.action, req.resource)
            .filter(|(b, _)| !assumes && graph.node(*b).account != who.account)
        {
            // Another account's bucket with no policy: only its ACL could
            // let this account in.
            let bucket = graph.node(bid);
            if acl == Some(true) {
                notes.push(format!(
                    "{} (account {}) has no bucket policy and its ACL grants only its owner: a principal of account {} cannot act on it",
                    bucket.id, bucket.account, who.account
                ));
                return Answer {
                    decision: Decision::Deny,
                    reason: "cross-account".into(),
                    notes,
                    ..base
                };
            }
            needed.push(("no allow", &identity));
            foreign_side = Verdict {
                applies: Some(Tri::Unknown),
                evidence: Vec::new(),
                conditions: vec![format!(
                    "the ACL of {} (account {}) grants account {} (skyhound does not evaluate ACLs)",
                    bucket.id, bucket.account, who.account
                )],
            };
            needed.push(("resource", &foreign_side));
        } else if let Some((service, owner)) =
            foreign(req.resource, &who.account).filter(|_| !assumes)
        {
            // Another account's resource: its own policy must let this
            // account in, and some services have none to do so.
            if NO_RESOURCE_POLICIES.contains(&service) {
                notes.push(format!(
                    "{service} resources have no resource-based policy: a principal of account {} cannot act on one of account {owner}",
                    who.account
                ));
                return Answer {
                    decision: Decision::Deny,
                    reason: "cross-account".into(),
                    notes,
                    ..base
                };
            }
            needed.push(("no allow", &identity));
            foreign_side = Verdict {
                applies: Some(Tri::Unknown),
                evidence: Vec::new(),
                conditions: vec![format!(
                    "a resource-based policy of {} (account {owner}) allows it (skyhound does not read {service} resource policies)",
                    req.resource
                )],
            };
            needed.push(("resource", &foreign_side));
        } else {
            needed.push(("no allow", &identity));
        }
        let boundary_or_grant;
        if let Some(b) = &boundary {
            boundary_or_grant = b.or(&user_grant);
            needed.push(("boundary", &boundary_or_grant));
        }
        if let Some((level, _)) = scp_levels.iter().find(|(_, v)| v.tri() == Tri::False) {
            notes.push(format!(
                "no service control policy attached to {level} allows {}",
                req.action
            ));
            return Answer {
                decision: Decision::Deny,
                reason: "scp".into(),
                notes,
                ..base
            };
        }
        for (_, v) in &scp_levels {
            needed.push(("scp", v));
        }
        if let Some((why, _)) = needed.iter().find(|(_, v)| v.tri() == Tri::False) {
            return Answer {
                decision: Decision::Deny,
                reason: (*why).to_string(),
                notes,
                ..base
            };
        }
        let mut evidence: Vec<StatementRef> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        let mut allow = Tri::True;
        for (_, v) in &needed {
            allow = allow.and(v.tri());
            evidence.extend(v.evidence.iter().cloned());
            if v.tri() == Tri::Unknown {
                conditions.extend(v.conditions.iter().cloned());
            }
        }
        if deny.tri() == Tri::Unknown {
            conditions.extend(deny.conditions.iter().map(|c| format!("unless {c}")));
            evidence.extend(deny.evidence.iter().cloned());
        }
        let decision = if allow == Tri::True && deny.tri() == Tri::False {
            Decision::Allow
        } else {
            Decision::Conditional
        };
        conditions.dedup();
        // The same statement at several levels (FullAWSAccess on the root,
        // the OU and the account) is one piece of evidence.
        let mut seen = std::collections::HashSet::new();
        evidence.retain(|e| seen.insert((e.policy.clone(), e.statement, e.effect)));
        Answer {
            decision,
            reason: match decision {
                Decision::Allow => "allowed".into(),
                _ => "allowed only if the conditions hold".into(),
            },
            evidence,
            conditions,
            notes,
            ..base
        }
    }
}

/// A document as the evaluator reads it, and what is wrong with it: what
/// does not parse, and actions that do not exist (a typo allows, or
/// denies, nothing).
pub fn read_document(doc: &serde_json::Value) -> (Policy, Vec<String>) {
    let (p, mut problems) = policy::parse(doc);
    let catalogue = super::catalogue::get();
    for st in p.statements.iter() {
        for a in st.actions.iter().flat_map(|a| &a.items) {
            if let Some(problem) = catalogue.problem(a) {
                problems.push(format!("statement {}: {problem}", st.index));
            }
        }
    }
    (p, problems)
}

/// A statement standing for a policy whose document is not known.
pub(super) fn unknown_statement(effect: Effect, index: usize) -> Statement {
    Statement::unknown(
        index,
        effect,
        policy::Condition::unknown("(the document was not collected)".into()),
    )
}

fn reference(a: &Applied, st: &Statement) -> StatementRef {
    StatementRef {
        policy: a.name.clone(),
        source: a.source.clone(),
        kind: a.kind,
        statement: st.index,
        sid: st.sid.clone(),
        effect: st.effect,
    }
}

/// A policy on the other side of a request (a role's trust policy, a
/// bucket's policy), which names principals.
struct ResourceSide<'p> {
    policy: &'p Policy,
    name: String,
    source: PolicySource,
    kind: PolicyKind,
}

/// A bucket's or key's policy as it bears on one request.
struct ResourceVerdict {
    /// Whether an Allow applies: what the resource's side gives.
    any: Verdict,
    /// Whether an Allow naming the principal itself or everyone applies:
    /// within the resource's account, enough without an identity grant.
    direct: Verdict,
    same_account: bool,
    /// A key policy must allow even within its account; a bucket's need not.
    required: bool,
}

impl ResourceSide<'_> {
    /// What its Allows give this principal: any that applies, and those
    /// naming it itself or everyone. One naming the user by its ARN from
    /// its own account (`own_user`) is also recorded in `user_grant`: it
    /// passes the user's permissions boundary.
    fn grants(
        &self,
        req: &Request,
        principal: (&str, &str),
        own_user: bool,
        ctx: &Context,
        deny: &mut Verdict,
        user_grant: &mut Verdict,
    ) -> (Verdict, Verdict) {
        let (mut any, mut direct) = (Verdict::default(), Verdict::default());
        self.each(
            req.action,
            Some(req.resource),
            principal,
            ctx,
            deny,
            |st, applies, r| {
                if own_user && names_exactly(st, principal.0) {
                    record(user_grant, applies, r.clone(), st);
                }
                if names_exactly(st, principal.0) || names_everyone(st) {
                    record(&mut direct, applies, r.clone(), st);
                }
                record(&mut any, applies, r, st);
            },
        );
        (any, direct)
    }

    /// Each statement that may apply to this principal's request: every
    /// Deny recorded in `deny`, every Allow handed to `allow`.
    fn each(
        &self,
        action: &str,
        resource: Option<&str>,
        principal: (&str, &str),
        ctx: &Context,
        deny: &mut Verdict,
        mut allow: impl FnMut(&Statement, Tri, StatementRef),
    ) {
        let p = self.policy;
        for st in p.statements.iter() {
            let applies =
                statement_applies(st, p.variables, action, resource, Some(principal), ctx);
            if applies == Tri::False {
                continue;
            }
            let r = StatementRef {
                policy: self.name.clone(),
                source: self.source.clone(),
                kind: self.kind,
                statement: st.index,
                sid: st.sid.clone(),
                effect: st.effect,
            };
            if st.effect == Effect::Deny {
                record(deny, applies, r, st);
            } else {
                allow(st, applies, r);
            }
        }
    }
}

/// What a resource's policy that was not read may allow: anything, under
/// a condition nobody knows.
/// Services whose resources take no resource-based policy: no other
/// account's principal can act on them without assuming a role there.
const NO_RESOURCE_POLICIES: &[&str] = &[
    "iam",
    "rds",
    "cloudtrail",
    "config",
    "guardduty",
    "organizations",
];

/// The service and owning account of a resource ARN of another account
/// than `account` (`None` for `*`, wildcards in the account, ARNs without
/// one such as S3 buckets').
fn foreign<'r>(resource: &'r str, account: &str) -> Option<(&'r str, &'r str)> {
    let mut parts = resource.splitn(6, ':');
    let (Some("arn"), Some(_), Some(service), Some(_), Some(owner)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!owner.is_empty() && !owner.contains(['*', '?']) && owner != account && owner != "aws")
        .then_some((service, owner))
}

/// Whether a bucket's ACL grants only its owner: one FULL_CONTROL grant
/// to a canonical user, as S3 makes it (`None` when it was not read).
fn owner_only(b: &crate::model::Bucket) -> Option<bool> {
    let acl = b.acl.as_ref()?;
    Some(match acl.as_slice() {
        [] => true,
        [one] => {
            one.permission == "FULL_CONTROL"
                && !one.is_public()
                && !one.grantee.contains('@')
                && !one.grantee.starts_with("http")
        }
        _ => false,
    })
}

fn unread(what: &str) -> Verdict {
    Verdict {
        applies: Some(Tri::Unknown),
        evidence: Vec::new(),
        conditions: vec![format!("{what} allows it (it was not collected)")],
    }
}

fn record(v: &mut Verdict, applies: Tri, r: StatementRef, st: &Statement) {
    v.applies = Some(v.applies.unwrap_or(Tri::False).or(applies));
    if applies == Tri::Unknown {
        for c in &st.conditions {
            v.conditions.push(c.describe());
        }
    }
    v.evidence.push(r);
}

/// Whether a statement applies to an action, a resource (identity
/// policies) or a principal (resource policies), and its conditions.
fn statement_applies(
    st: &Statement,
    variables: bool,
    action: &str,
    resource: Option<&str>,
    principal: Option<(&str, &str)>,
    ctx: &Context,
) -> Tri {
    let Some(actions) = &st.actions else {
        return Tri::False;
    };
    let hit = actions
        .items
        .iter()
        .any(|p| pattern::wildcard(p, action, true));
    if hit == actions.not {
        return Tri::False;
    }
    let mut out = Tri::True;
    if let Some(res) = resource {
        let Some(patterns) = &st.resources else {
            // An identity statement without Resource matches nothing.
            return Tri::False;
        };
        let mut any = Tri::False;
        for p in &patterns.items {
            let m = if variables {
                match pattern::substitute(p, ctx) {
                    Ok(Some(x)) => Tri::from_bool(pattern::matches_substituted(&x, res, false)),
                    Ok(None) => Tri::False,
                    Err(_) => Tri::Unknown,
                }
            } else {
                Tri::from_bool(pattern::wildcard(p, res, false))
            };
            any = any.or(m);
        }
        out = out.and(if patterns.not { any.not() } else { any });
    }
    if let Some((arn, account)) = principal {
        let Some(ps) = &st.principals else {
            return Tri::False;
        };
        let hit = ps.items.iter().any(|(kind, value)| {
            kind == "*"
                || (kind == "AWS"
                    && (value == "*"
                        || value == arn
                        || value == account
                        || *value == format!("arn:aws:iam::{account}:root")))
        });
        if hit == ps.not {
            return Tri::False;
        }
    }
    out.and(condition::all(&st.conditions, ctx))
}

/// Whether Block Public Access keeps this bucket's public policy to its
/// own account: RestrictPublicBuckets on the bucket or its account, and S3
/// judging the policy public.
fn restricts_public(graph: &Graph, bucket: NodeId) -> bool {
    use crate::model::Answer;
    let n = graph.node(bucket);
    let NodeData::Bucket(b) = &n.data else {
        return false;
    };
    let public = matches!(b.policy_public, Some(Answer::Value(true)));
    let on_bucket =
        matches!(&b.public_access_block, Some(Answer::Value(x)) if x.restrict_public_buckets);
    let on_account = graph
        .by_id(&n.account)
        .is_some_and(|a| matches!(&graph.node(a).data,
            NodeData::Account(acc) if matches!(&acc.s3_public_access_block, Some(Answer::Value(x)) if x.restrict_public_buckets)));
    public && (on_bucket || on_account)
}

/// The statement names everyone (`"Principal": "*"` or `{"AWS": "*"}`).
fn names_everyone(st: &Statement) -> bool {
    st.principals.as_ref().is_some_and(|p| {
        !p.not
            && p.items
                .iter()
                .any(|(k, v)| k == "*" || (k == "AWS" && v == "*"))
    })
}

/// The statement names this principal by its own ARN.
fn names_exactly(st: &Statement, arn: &str) -> bool {
    st.principals
        .as_ref()
        .is_some_and(|p| !p.not && p.items.iter().any(|(k, v)| k == "AWS" && v == arn))
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}
