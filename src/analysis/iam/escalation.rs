//! Privilege escalation: every user and role that is not admin but can
//! become admin, as the shortest path of steps. A step is one technique
//! (an access key for another user, a role assumed, a role passed to a
//! service, a command run on an instance that has the role, a policy
//! written on oneself), with the statements that allow it. Paths cross
//! accounts where roles trust other accounts.
//!
//! Each principal's moves are worked out once; the shortest paths for
//! everyone then come from one search backwards from the admins.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::rc::Rc;

use serde::Serialize;

use super::admin::{Admin, AdminKind};
use super::evaluate::{Decision, Engine, Request, StatementRef};
use super::pattern;
use super::policy::Statement;
use crate::analysis::finding::Effect;
use crate::graph::{Direction, NodeId};
use crate::model::{EdgeKind, NodeData, NodeKind};

/// One step of a path.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub from: String,
    pub to: String,
    /// `create-access-key`, `assume-role`, `pass-role-to-ec2`, …
    pub technique: &'static str,
    /// The calls the step makes.
    pub actions: Vec<String>,
    /// The statements that allow them.
    pub evidence: Vec<StatementRef>,
    /// The resource the step uses, where the graph holds it (the instance
    /// with the role, the group joined, the policy rewritten).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The conditions the step depends on, when it is allowed only under
    /// them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// A principal that can become admin, and how.
#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    pub principal: String,
    /// The admin principal reached (the principal itself when it makes
    /// itself admin).
    pub target: String,
    pub steps: Vec<Step>,
    /// Some step is allowed only under conditions, or the target is admin
    /// only under conditions.
    pub conditional: bool,
}

/// One principal another's credentials lead to.
#[derive(Debug, Clone)]
pub struct Reached {
    pub principal: NodeId,
    /// The fewest steps there.
    pub steps: Vec<Step>,
    /// Some step is allowed only under conditions.
    pub conditional: bool,
}

/// Where a principal's credentials lead (see [`Engine::onward`]).
#[derive(Debug, Clone, Default)]
pub struct Onward {
    /// The principal is admin itself.
    pub admin: bool,
    /// Its shortest way to admin, when it is not.
    pub escalation: Option<Escalation>,
    /// Every principal it can become, nearest first.
    pub reached: Vec<Reached>,
    /// The search stopped at its limit.
    pub cut: bool,
}

/// A role passed to a service that then runs with it: the service
/// principal the role must trust, the technique's name, and the sets of
/// calls that launch something with the role (any one set will do).
struct PassRole {
    service: &'static str,
    technique: &'static str,
    launch: &'static [&'static [&'static str]],
}

const PASS_ROLE: &[PassRole] = &[
    PassRole {
        service: "ec2.amazonaws.com",
        technique: "pass-role-to-ec2",
        launch: &[&["ec2:RunInstances"], &["ec2:AssociateIamInstanceProfile"]],
    },
    PassRole {
        service: "ec2.amazonaws.com",
        technique: "pass-role-to-autoscaling",
        launch: &[
            &[
                "autoscaling:CreateLaunchConfiguration",
                "autoscaling:CreateAutoScalingGroup",
            ],
            &[
                "ec2:CreateLaunchTemplate",
                "autoscaling:CreateAutoScalingGroup",
            ],
        ],
    },
    PassRole {
        service: "lambda.amazonaws.com",
        technique: "pass-role-to-lambda",
        launch: &[
            &["lambda:CreateFunction", "lambda:InvokeFunction"],
            &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
        ],
    },
    PassRole {
        service: "cloudformation.amazonaws.com",
        technique: "pass-role-to-cloudformation",
        launch: &[
            &["cloudformation:CreateStack"],
            &["cloudformation:UpdateStack"],
            &[
                "cloudformation:CreateChangeSet",
                "cloudformation:ExecuteChangeSet",
            ],
        ],
    },
    PassRole {
        service: "codebuild.amazonaws.com",
        technique: "pass-role-to-codebuild",
        launch: &[
            &["codebuild:CreateProject", "codebuild:StartBuild"],
            &["codebuild:CreateProject", "codebuild:StartBuildBatch"],
        ],
    },
    PassRole {
        service: "sagemaker.amazonaws.com",
        technique: "pass-role-to-sagemaker",
        launch: &[
            &[
                "sagemaker:CreateNotebookInstance",
                "sagemaker:CreatePresignedNotebookInstanceUrl",
            ],
            &["sagemaker:CreateTrainingJob"],
            &["sagemaker:CreateProcessingJob"],
        ],
    },
    PassRole {
        service: "glue.amazonaws.com",
        technique: "pass-role-to-glue",
        launch: &[
            &["glue:CreateDevEndpoint"],
            &["glue:CreateJob", "glue:StartJobRun"],
        ],
    },
    PassRole {
        service: "ecs-tasks.amazonaws.com",
        technique: "pass-role-to-ecs",
        launch: &[
            &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
            &["ecs:RegisterTaskDefinition", "ecs:StartTask"],
        ],
    },
    PassRole {
        service: "datapipeline.amazonaws.com",
        technique: "pass-role-to-datapipeline",
        launch: &[&[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ]],
    },
];

/// A move from one principal to another (or to admin itself).
#[derive(Debug, Clone)]
struct Move {
    to: NodeId,
    steps: Vec<Step>,
    conditional: bool,
}

/// What one principal can do towards admin.
#[derive(Debug, Default, Clone)]
struct Moves {
    /// To another principal, whose permissions it then has.
    onward: Vec<Move>,
    /// Making itself admin (its `to` is itself).
    finish: Option<Move>,
}

/// What a principal's allow statements take in at all, for a cheap "could
/// it possibly" before deciding per resource: its identity policies, and
/// what caps them (its boundary, each level of SCPs over its account),
/// each of which must allow too; with what the principal fixes of the
/// context, for policy variables in resources.
struct Mentions {
    identity: Vec<Statement>,
    /// Each cap's policies, shared with the engine rather than copied.
    caps: Vec<Vec<Rc<Vec<Statement>>>>,
    context: Rc<super::condition::Context>,
}

impl Mentions {
    fn may(&self, action: &str) -> bool {
        self.identity.iter().any(|st| names_action(st, action))
    }

    /// Whether an allow statement could grant the action on this resource,
    /// and every cap too.
    fn may_on(&self, action: &str, resource: &str) -> bool {
        could_allow(self.identity.iter(), action, resource, &self.context)
            && self.capped_may(action, resource)
    }

    /// Whether every cap could allow it: for a call a resource policy can
    /// allow without the principal's own grant.
    fn capped_may(&self, action: &str, resource: &str) -> bool {
        self.caps.iter().all(|cap| {
            could_allow(
                cap.iter().flat_map(|p| p.iter()),
                action,
                resource,
                &self.context,
            )
        })
    }
}

/// Whether an allow statement could grant the action on this resource: a
/// `NotResource`, no resource at all, or a policy variable whose value is
/// not known could, so only a pattern that cannot match rules it out.
/// Conditions are not looked at.
pub(super) fn could_allow<'a>(
    mut statements: impl Iterator<Item = &'a Statement>,
    action: &str,
    resource: &str,
    context: &super::condition::Context,
) -> bool {
    let matches = |p: &String| {
        if !p.contains("${") {
            return pattern::wildcard(p, resource, false);
        }
        match pattern::substitute(p, context) {
            Ok(Some(s)) => pattern::matches_substituted(&s, resource, false),
            // A variable this context does not hold may be the request's:
            // the full decision says.
            Ok(None) | Err(_) => true,
        }
    };
    statements.any(|st| {
        names_action(st, action)
            && st
                .resources
                .as_ref()
                .is_none_or(|r| r.not || r.items.iter().any(matches))
    })
}

/// Whether an allow statement's Action (or NotAction) takes in the action.
fn names_action(st: &Statement, action: &str) -> bool {
    st.effect == Effect::Allow
        && st
            .actions
            .as_ref()
            .is_some_and(|a| a.not != a.items.iter().any(|p| pattern::wildcard(p, action, true)))
}

/// Roles by whom their trust policies name: an ARN, an account, anyone.
#[derive(Default)]
pub(super) struct TrustIndex {
    by_arn: HashMap<String, Vec<NodeId>>,
    by_account: HashMap<String, Vec<NodeId>>,
    anyone: Vec<NodeId>,
    /// Roles by the services they trust and their account.
    by_service: HashMap<(String, String), Vec<NodeId>>,
}

impl TrustIndex {
    fn build(engine: &mut Engine) -> TrustIndex {
        let graph = engine.graph;
        let mut ix = TrustIndex::default();
        let roles: Vec<NodeId> = graph
            .nodes_of(NodeKind::IamRole)
            .map(|(id, _)| id)
            .collect();
        for role in roles {
            let Some(policy) = engine.trust_policy(role) else {
                continue;
            };
            let named = super::trust::named(&policy);
            if named.anyone {
                ix.anyone.push(role);
            }
            for a in named.arns {
                ix.by_arn.entry(a).or_default().push(role);
            }
            for a in named.accounts {
                ix.by_account.entry(a).or_default().push(role);
            }
            for s in named.services {
                let account = graph.node(role).account.clone();
                ix.by_service.entry((s, account)).or_default().push(role);
            }
        }
        ix
    }

    /// Roles whose trust policies could let this principal in, each with
    /// whether only its account is named (then its own grant is needed).
    fn candidates(&self, arn: &str, account: &str) -> Vec<(NodeId, bool)> {
        let mut out: Vec<(NodeId, bool)> = self.anyone.iter().map(|r| (*r, false)).collect();
        out.extend(
            self.by_arn
                .get(arn)
                .into_iter()
                .flatten()
                .map(|r| (*r, false)),
        );
        out.extend(
            self.by_account
                .get(account)
                .into_iter()
                .flatten()
                .map(|r| (*r, true)),
        );
        // Named by its ARN wins over named by its account.
        out.sort();
        out.dedup_by_key(|(r, _)| *r);
        out
    }
}

/// What one decision gave: whether it allows (or under conditions), its
/// statements and conditions.
#[derive(Clone)]
struct Granted {
    conditional: bool,
    evidence: Vec<StatementRef>,
    conditions: Vec<String>,
}

impl Granted {
    /// Both granted: conditional if either is, with the evidence of both.
    fn and(mut self, other: Granted) -> Granted {
        self.conditional |= other.conditional;
        for e in other.evidence {
            if !self.evidence.contains(&e) {
                self.evidence.push(e);
            }
        }
        self.conditions.extend(other.conditions);
        self
    }
}

impl<'g> Engine<'g> {
    /// Every principal that can become admin but is not, with its
    /// shortest path. With `only`, that principal's alone.
    pub fn escalations(&mut self, only: Option<NodeId>) -> Vec<Escalation> {
        let admins = self.admins();
        self.escalations_with(&admins, only)
    }

    /// The same, given what [`Engine::admins`] answered for this graph.
    pub fn escalations_with(&mut self, admins: &[Admin], only: Option<NodeId>) -> Vec<Escalation> {
        let graph = self.graph;
        let principals = self.principals(false);
        let mut admin: HashMap<NodeId, bool> = HashMap::new();
        let mut own: HashMap<NodeId, &Admin> = HashMap::new();
        for a in admins {
            let Some(p) = graph.by_id(&a.principal) else {
                continue;
            };
            match a.kind {
                AdminKind::Full => {
                    admin.insert(p, false);
                }
                AdminKind::Conditional => {
                    admin.insert(p, true);
                }
                AdminKind::SelfEscalation => {
                    own.insert(p, a);
                }
            }
        }
        let indexes = self.escalation_indexes();
        let (trusts, places) = (&indexes.0, &indexes.1);
        let mut moves: HashMap<NodeId, Moves> = HashMap::new();
        for p in &principals {
            if admin.get(p) == Some(&false) {
                continue;
            }
            let m = self.moves(*p, trusts, places, own.get(p).copied(), &admin);
            moves.insert(*p, m);
        }
        // Backwards from the admins, shortest first: first over moves
        // allowed outright, then over conditional ones for whoever is
        // still not reached.
        let mut best: HashMap<NodeId, (Vec<Step>, NodeId, bool)> = HashMap::new();
        for conditional_ok in [false, true] {
            let mut reverse: HashMap<NodeId, Vec<(NodeId, &Move)>> = HashMap::new();
            for (from, m) in &moves {
                for mv in &m.onward {
                    if conditional_ok || !mv.conditional {
                        reverse.entry(mv.to).or_default().push((*from, mv));
                    }
                }
            }
            // (steps, target, conditional) by principal, and its cost.
            let mut reached: HashMap<NodeId, (Vec<Step>, NodeId, bool)> = HashMap::new();
            let mut cost: HashMap<NodeId, usize> = HashMap::new();
            let mut heap: BinaryHeap<Reverse<(usize, NodeId)>> = BinaryHeap::new();
            for (a, conditional) in &admin {
                if conditional_ok || !*conditional {
                    reached.insert(*a, (Vec::new(), *a, *conditional));
                    cost.insert(*a, 0);
                    heap.push(Reverse((0, *a)));
                }
            }
            for (p, v) in &best {
                reached.insert(*p, v.clone());
                cost.insert(*p, v.0.len());
                heap.push(Reverse((v.0.len(), *p)));
            }
            for (p, m) in &moves {
                let Some(f) = &m.finish else { continue };
                if (conditional_ok || !f.conditional)
                    && cost.get(p).is_none_or(|c| f.steps.len() < *c)
                {
                    reached.insert(*p, (f.steps.clone(), f.to, f.conditional));
                    cost.insert(*p, f.steps.len());
                    heap.push(Reverse((f.steps.len(), *p)));
                }
            }
            while let Some(Reverse((c, node))) = heap.pop() {
                if cost.get(&node).is_some_and(|known| *known < c) {
                    continue;
                }
                let Some((tail, target, cond)) = reached.get(&node).cloned() else {
                    continue;
                };
                for (from, mv) in reverse.get(&node).into_iter().flatten() {
                    if admin.contains_key(from) {
                        continue;
                    }
                    let next = c + mv.steps.len();
                    if cost.get(from).is_some_and(|known| *known <= next) {
                        continue;
                    }
                    let mut steps = mv.steps.clone();
                    steps.extend(tail.iter().cloned());
                    reached.insert(*from, (steps, target, cond || mv.conditional));
                    cost.insert(*from, next);
                    heap.push(Reverse((next, *from)));
                }
            }
            for (p, v) in reached {
                best.entry(p).or_insert(v);
            }
        }
        let mut out: Vec<Escalation> = best
            .into_iter()
            .filter(|(p, _)| !admin.contains_key(p) && only.is_none_or(|o| o == *p))
            .map(|(p, (steps, target, conditional))| Escalation {
                principal: graph.node(p).id.clone(),
                target: graph.node(target).id.clone(),
                steps,
                conditional,
            })
            .collect();
        out.sort_by(|a, b| {
            a.conditional
                .cmp(&b.conditional)
                .then(a.steps.len().cmp(&b.steps.len()))
                .then_with(|| a.principal.cmp(&b.principal))
        });
        out
    }

    /// Whether any identity statement of the principal could allow the
    /// action on the resource, conditions not looked at. When none could,
    /// no request on another account's resource is allowed, whatever that
    /// resource's policy says; a policy that was not collected could.
    pub fn identity_may(&mut self, principal: NodeId, action: &str, resource: &str) -> bool {
        let graph = self.graph;
        if matches!(&graph.node(principal).data, NodeData::IamUser(u) if u.is_root) {
            return true;
        }
        let mut notes = Vec::new();
        let policies = self.policies_of(principal, &mut notes);
        if !notes.is_empty() {
            return true;
        }
        let context = self.context_of(principal, &[]);
        could_allow(
            policies
                .iter()
                .filter(|a| {
                    matches!(
                        a.kind,
                        super::evaluate::PolicyKind::Identity | super::evaluate::PolicyKind::Group
                    )
                })
                .flat_map(|a| a.policy.statements.iter()),
            action,
            resource,
            &context,
        )
    }

    /// Roles by whom they trust and principals by account, built once.
    fn escalation_indexes(&mut self) -> Rc<(TrustIndex, Accounts<'g>)> {
        if let Some(ix) = &self.escalation_indexes {
            return ix.clone();
        }
        let trusts = TrustIndex::build(self);
        let ix = Rc::new((trusts, Accounts::of(self.graph)));
        self.escalation_indexes = Some(ix.clone());
        ix
    }

    /// Where one principal's credentials lead, searching forwards from it
    /// alone: every principal it can become (by assuming a role, a key or
    /// password for a user, a role passed to a service, a command on an
    /// instance), each by its fewest steps, and its shortest way to admin.
    /// The search stops after `limit` principals and says so.
    pub fn onward(&mut self, from: NodeId, limit: usize) -> Onward {
        let graph = self.graph;
        let indexes = self.escalation_indexes();
        let (trusts, places) = (&indexes.0, &indexes.1);
        // Admin roles by account, for the moves that take over a function
        // running as one; worked out as accounts come into reach.
        let mut admins: HashMap<NodeId, bool> = HashMap::new();
        let mut accounts: HashSet<String> = HashSet::new();
        let mut best: HashMap<NodeId, (Vec<Step>, bool)> = HashMap::new();
        let mut order: Vec<NodeId> = Vec::new();
        let mut done: HashSet<NodeId> = HashSet::new();
        let mut owned: HashSet<String> = HashSet::new();
        let mut heap: BinaryHeap<Reverse<(usize, NodeId)>> = BinaryHeap::new();
        let mut out = Onward::default();
        let mut escalation: Option<(Vec<Step>, NodeId, bool)> = None;
        best.insert(from, (Vec::new(), false));
        heap.push(Reverse((0, from)));
        while let Some(Reverse((cost, node))) = heap.pop() {
            let Some((steps, conditional)) = best.get(&node).cloned() else {
                continue;
            };
            // A shorter (or unconditional) way there was found since.
            if steps.len() != cost || !done.insert(node) {
                continue;
            }
            let account = graph.node(node).account.clone();
            let me = self.admin(node);
            let better = |found: &Option<(Vec<Step>, NodeId, bool)>, len: usize, cond: bool| {
                found
                    .as_ref()
                    .is_none_or(|(s, _, c)| (cond, len) < (*c, s.len()))
            };
            match me.as_ref().map(|a| a.kind) {
                Some(AdminKind::Full) if node == from => out.admin = true,
                Some(kind @ (AdminKind::Full | AdminKind::Conditional)) => {
                    let cond = conditional || kind == AdminKind::Conditional;
                    if node == from {
                        out.admin = true;
                    } else if better(&escalation, steps.len(), cond) {
                        escalation = Some((steps.clone(), node, cond));
                    }
                }
                _ => {}
            }
            if node != from {
                order.push(node);
            }
            // An admin has its account already: only the roles it assumes
            // in other accounts lead further — from it, and from any other
            // principal of an account where an admin is in reach (the admin
            // can become it, and whatever it becomes there).
            // (Admin under conditions or cut down by an SCP counts: what it
            // cannot do is not what the principals of its account add.)
            if me
                .as_ref()
                .is_some_and(|a| matches!(a.kind, AdminKind::Full | AdminKind::Conditional))
            {
                owned.insert(account.clone());
            }
            let full = owned.contains(&account);
            let own = me.filter(|a| a.kind == AdminKind::SelfEscalation);
            if !full && accounts.insert(account.clone()) {
                for role in Accounts::list(&places.roles, &account).to_vec() {
                    match self.admin(role).map(|a| a.kind) {
                        Some(AdminKind::Full) => {
                            admins.insert(role, false);
                        }
                        Some(AdminKind::Conditional) => {
                            admins.insert(role, true);
                        }
                        _ => {}
                    }
                }
            }
            let moves = if full {
                let mentions = self.mentions(node);
                Moves {
                    onward: self.assume_moves(node, trusts, &mentions, true),
                    finish: None,
                }
            } else {
                self.moves(node, trusts, places, own.as_ref(), &admins)
            };
            if let Some(f) = &moves.finish {
                let cond = conditional || f.conditional;
                let mut path = steps.clone();
                path.extend(f.steps.iter().cloned());
                if better(&escalation, path.len(), cond) {
                    escalation = Some((path, node, cond));
                }
            }
            for mv in moves.onward {
                let mut path = steps.clone();
                path.extend(mv.steps);
                let cond = conditional || mv.conditional;
                let known = best.get(&mv.to);
                if known.is_some_and(|(s, c)| (*c, s.len()) <= (cond, path.len())) {
                    continue;
                }
                if known.is_none() && best.len() > limit {
                    out.cut = true;
                    continue;
                }
                heap.push(Reverse((path.len(), mv.to)));
                best.insert(mv.to, (path, cond));
            }
        }
        out.reached = order
            .into_iter()
            .filter_map(|p| {
                let (steps, conditional) = best.remove(&p)?;
                Some(Reached {
                    principal: p,
                    steps,
                    conditional,
                })
            })
            .collect();
        if !out.admin {
            out.escalation = escalation.map(|(steps, target, conditional)| Escalation {
                principal: graph.node(from).id.clone(),
                target: graph.node(target).id.clone(),
                steps,
                conditional,
            });
        }
        out
    }

    /// The statements of what caps a principal: its boundary, and each
    /// level of SCPs over its account (service-linked roles are exempt).
    fn caps_of(&mut self, p: NodeId) -> Vec<Vec<Rc<Vec<Statement>>>> {
        let graph = self.graph;
        let mut notes = Vec::new();
        let mut caps = Vec::new();
        if self.has_boundary(p) {
            caps.push(
                self.policies_of(p, &mut notes)
                    .iter()
                    .filter(|a| a.kind == super::evaluate::PolicyKind::Boundary)
                    .map(|a| a.policy.statements.clone())
                    .collect(),
            );
        }
        if !service_linked(graph.node(p))
            && let super::scp::ScpPath::Levels(levels) = &*self.scp_path(&graph.node(p).account)
        {
            for level in levels {
                caps.push(
                    level
                        .policies
                        .iter()
                        .map(|a| a.policy.statements.clone())
                        .collect(),
                );
            }
        }
        caps
    }

    /// Decide one call; `None` when it is denied.
    fn granted(&mut self, principal: NodeId, action: &str, resource: &str) -> Option<Granted> {
        let a = self.decide(&Request {
            principal,
            action,
            resource,
            context: &[],
        });
        match a.decision {
            Decision::Deny => None,
            d => Some(Granted {
                conditional: d == Decision::Conditional,
                evidence: a.evidence,
                conditions: a.conditions,
            }),
        }
    }

    /// Every call of a set allowed (on its resource), or `None`.
    fn all_granted(
        &mut self,
        principal: NodeId,
        calls: &[(&str, &str)],
        mentions: &Mentions,
    ) -> Option<Granted> {
        if !calls.iter().all(|(a, r)| mentions.may_on(a, r)) {
            return None;
        }
        let mut out = Granted {
            conditional: false,
            evidence: Vec::new(),
            conditions: Vec::new(),
        };
        for (action, resource) in calls {
            out = out.and(self.granted(principal, action, resource)?);
        }
        Some(out)
    }

    fn step(
        &self,
        from: NodeId,
        to: NodeId,
        technique: &'static str,
        calls: &[(&str, &str)],
        via: Option<String>,
        g: Granted,
    ) -> Move {
        Move {
            to,
            conditional: g.conditional,
            steps: vec![Step {
                from: self.graph.node(from).id.clone(),
                to: self.graph.node(to).id.clone(),
                technique,
                actions: calls.iter().map(|(a, _)| a.to_string()).collect(),
                evidence: g.evidence,
                via,
                conditions: g.conditions,
            }],
        }
    }

    /// What one principal can do: the principals it can become, and the
    /// call that makes it admin itself.
    /// The roles a principal can assume (only other accounts' with
    /// `elsewhere`).
    fn assume_moves(
        &mut self,
        p: NodeId,
        trusts: &TrustIndex,
        mentions: &Mentions,
        elsewhere: bool,
    ) -> Vec<Move> {
        let graph = self.graph;
        let me = graph.node(p);
        let mut out = Vec::new();
        for (role, by_account) in trusts.candidates(&me.id, &me.account) {
            if role == p || elsewhere && graph.node(role).account == me.account {
                continue;
            }
            let arn = graph.node(role).id.clone();
            let calls = [("sts:AssumeRole", arn.as_str())];
            // A trust policy that names the principal itself can let it in
            // without its own allow; one that names only its account
            // needs the principal's identity grant too. Its boundary and
            // SCPs must allow either way.
            let possible = if by_account {
                mentions.may_on("sts:AssumeRole", &arn)
            } else {
                mentions.capped_may("sts:AssumeRole", &arn)
            };
            if !possible {
                continue;
            }
            if let Some(g) = self.granted(p, "sts:AssumeRole", &arn) {
                out.push(self.step(p, role, "assume-role", &calls, None, g));
            }
        }
        out
    }

    /// What a principal's allow statements and caps take in.
    fn mentions(&mut self, p: NodeId) -> Mentions {
        let mut notes = Vec::new();
        Mentions {
            identity: self.statements_of(p, &mut notes),
            caps: self.caps_of(p),
            context: self.context_of(p, &[]),
        }
    }

    fn moves(
        &mut self,
        p: NodeId,
        trusts: &TrustIndex,
        places: &Accounts,
        own: Option<&Admin>,
        admins: &HashMap<NodeId, bool>,
    ) -> Moves {
        let graph = self.graph;
        let me = graph.node(p);
        let mentions = self.mentions(p);
        let mut out = Moves::default();
        let account = me.account.clone();
        // Users of its own account: their keys and passwords.
        let user_calls = [
            "iam:CreateAccessKey",
            "iam:CreateLoginProfile",
            "iam:UpdateLoginProfile",
        ];
        let users: Vec<NodeId> = if user_calls.iter().any(|a| mentions.may(a)) {
            Accounts::list(&places.users, &account)
                .iter()
                .copied()
                .filter(|id| {
                    *id != p && !matches!(&graph.node(*id).data, NodeData::IamUser(u) if u.is_root)
                })
                .collect()
        } else {
            Vec::new()
        };
        for u in users {
            let un = graph.node(u);
            let arn = un.id.clone();
            let keys = graph
                .neighbours(u, EdgeKind::HasAccessKey, Direction::Outgoing)
                .count();
            let mut key_calls = vec![("iam:CreateAccessKey", arn.as_str())];
            if keys >= 2 {
                // Two keys is the most a user has: one must go first.
                key_calls.insert(0, ("iam:DeleteAccessKey", arn.as_str()));
            }
            if let Some(g) = self.all_granted(p, &key_calls, &mentions) {
                out.onward
                    .push(self.step(p, u, "create-access-key", &key_calls, None, g));
                continue;
            }
            let password = match &un.data {
                NodeData::IamUser(d) => d.password_enabled,
                _ => None,
            };
            let profile: &[(&str, &str)] = match password {
                Some(true) => &[("iam:UpdateLoginProfile", &arn)],
                Some(false) => &[("iam:CreateLoginProfile", &arn)],
                None => &[],
            };
            let choices: Vec<(&'static str, Vec<(&str, &str)>)> = if profile.is_empty() {
                vec![
                    (
                        "create-login-profile",
                        vec![("iam:CreateLoginProfile", &arn)],
                    ),
                    (
                        "update-login-profile",
                        vec![("iam:UpdateLoginProfile", &arn)],
                    ),
                ]
            } else if password == Some(true) {
                vec![("update-login-profile", profile.to_vec())]
            } else {
                vec![("create-login-profile", profile.to_vec())]
            };
            for (technique, calls) in choices {
                if let Some(g) = self.all_granted(p, &calls, &mentions) {
                    out.onward.push(self.step(p, u, technique, &calls, None, g));
                    break;
                }
            }
        }
        // Roles it can assume, or whose trust policy it can rewrite.
        let assumed = self.assume_moves(p, trusts, &mentions, false);
        out.onward.extend(assumed);
        if mentions.may("iam:UpdateAssumeRolePolicy") {
            let roles: Vec<NodeId> = Accounts::list(&places.roles, &account)
                .iter()
                .copied()
                .filter(|id| *id != p && !service_linked(graph.node(*id)))
                .collect();
            for role in roles {
                if out.onward.iter().any(|m| m.to == role) {
                    continue;
                }
                let arn = graph.node(role).id.clone();
                let calls = [("iam:UpdateAssumeRolePolicy", arn.as_str())];
                if let Some(g) = self.all_granted(p, &calls, &mentions) {
                    out.onward.push(self.step(
                        p,
                        role,
                        "update-assume-role-policy",
                        &calls,
                        None,
                        g,
                    ));
                }
            }
        }
        // Roles passed to a service that runs as them.
        if mentions.may("iam:PassRole") {
            for pass in PASS_ROLE {
                let roles: Vec<NodeId> = trusts
                    .by_service
                    .get(&(pass.service.to_string(), account.clone()))
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|r| *r != p)
                    .collect();
                for role in roles {
                    if out.onward.iter().any(|m| m.to == role) {
                        continue;
                    }
                    let arn = graph.node(role).id.clone();
                    let passing = [("iam:PassRole", arn.as_str())];
                    let Some(passed) = self.all_granted(p, &passing, &mentions) else {
                        continue;
                    };
                    for launch in pass.launch {
                        let launched: Vec<(&str, &str)> =
                            launch.iter().map(|a| (*a, "*")).collect();
                        let mut calls = passing.to_vec();
                        calls.extend(launched.iter().copied());
                        if let Some(g) = self.all_granted(p, &launched, &mentions) {
                            let g = passed.clone().and(g);
                            out.onward.push(self.step(
                                p,
                                role,
                                pass.technique,
                                &calls,
                                Some(pass.service.to_string()),
                                g,
                            ));
                            break;
                        }
                    }
                }
            }
        }
        // New code in a function that runs as a role: no PassRole needed.
        // Which functions exist, and which role each runs as, is not
        // collected: each admin role Lambda may assume is reached under
        // that condition, never left out. (Only admin roles: a step to
        // every Lambda role of the account, for every principal that may
        // update code, costs more than the paths it could add.)
        let calls = [("lambda:UpdateFunctionCode", "*")];
        let lambda_admins: Vec<NodeId> = if mentions.may("lambda:UpdateFunctionCode") {
            trusts
                .by_service
                .get(&("lambda.amazonaws.com".to_string(), account.clone()))
                .into_iter()
                .flatten()
                .copied()
                .filter(|r| *r != p && admins.contains_key(r))
                .collect()
        } else {
            Vec::new()
        };
        let update = if lambda_admins.is_empty() {
            None
        } else {
            self.all_granted(p, &calls, &mentions)
        };
        if let Some(granted) = update {
            for role in lambda_admins {
                if out.onward.iter().any(|m| m.to == role) {
                    continue;
                }
                let mut g = granted.clone();
                g.conditional = true;
                g.conditions.push(format!(
                    "a Lambda function runs as {} (functions are not collected)",
                    graph.node(role).display_name()
                ));
                out.onward.push(self.step(
                    p,
                    role,
                    "update-lambda-code",
                    &calls,
                    Some("lambda.amazonaws.com".to_string()),
                    g,
                ));
            }
        }
        // Commands on an instance that runs with a role: the first of its
        // instances that allows it outright, else one that allows it under
        // conditions.
        if mentions.may("ssm:SendCommand") || mentions.may("ssm:StartSession") {
            let here = places.runs_as.get(account.as_str()).into_iter().flatten();
            for (role, instances) in here.filter(|(r, _)| *r != p) {
                if out.onward.iter().any(|m| m.to == *role) {
                    continue;
                }
                let mut found: Option<Move> = None;
                let mut after_conditional = 0;
                'instances: for i in instances.iter().take(INSTANCES_PER_ROLE) {
                    if found.is_some() {
                        after_conditional += 1;
                        if after_conditional > MORE_AFTER_CONDITIONAL {
                            break;
                        }
                    }
                    let inst = graph.node(*i);
                    let arn = format!(
                        "arn:aws:ec2:{}:{}:instance/{}",
                        inst.region.as_deref().unwrap_or("*"),
                        inst.account,
                        inst.id
                    );
                    for (technique, action) in [
                        ("ssm-send-command", "ssm:SendCommand"),
                        ("ssm-start-session", "ssm:StartSession"),
                    ] {
                        let calls = [(action, arn.as_str())];
                        if let Some(g) = self.all_granted(p, &calls, &mentions) {
                            let conditional = g.conditional;
                            if found.is_none() || !conditional {
                                found = Some(self.step(
                                    p,
                                    *role,
                                    technique,
                                    &calls,
                                    Some(inst.id.clone()),
                                    g,
                                ));
                            }
                            if !conditional {
                                break 'instances;
                            }
                        }
                    }
                }
                out.onward.extend(found);
            }
        }
        out.finish = self.finish(p, own, &mentions, &out.onward, places);
        out
    }

    /// The one call (or two) that makes a principal admin itself: a
    /// policy on itself or its group, a new version of its policy, its
    /// boundary removed, joining a group that is admin, or a policy written
    /// on a principal it can then become.
    fn finish(
        &mut self,
        p: NodeId,
        own: Option<&Admin>,
        mentions: &Mentions,
        onward: &[Move],
        places: &Accounts,
    ) -> Option<Move> {
        let graph = self.graph;
        if let Some(a) = own
            && let Some((action, resource)) = a.call.clone()
        {
            let technique = technique_of(&action);
            let via = (resource != graph.node(p).id).then(|| resource.clone());
            return Some(Move {
                to: p,
                conditional: false,
                steps: vec![Step {
                    from: graph.node(p).id.clone(),
                    to: graph.node(p).id.clone(),
                    technique,
                    actions: vec![action],
                    evidence: a.evidence.clone(),
                    via,
                    conditions: Vec::new(),
                }],
            });
        }
        let me = graph.node(p);
        if me.kind() == NodeKind::IamUser
            && !self.has_boundary(p)
            && mentions.may("iam:AddUserToGroup")
        {
            let groups: Vec<NodeId> = Accounts::list(&places.groups, &me.account).to_vec();
            let mine: HashSet<NodeId> = graph
                .neighbours(p, EdgeKind::MemberOfGroup, Direction::Outgoing)
                .collect();
            for g in groups {
                if mine.contains(&g) || !self.group_grants_everything(g) {
                    continue;
                }
                let arn = graph.node(g).id.clone();
                let calls = [("iam:AddUserToGroup", arn.as_str())];
                if let Some(gr) = self.all_granted(p, &calls, mentions) {
                    return Some(self.step(
                        p,
                        p,
                        "add-user-to-group",
                        &calls,
                        Some(arn.clone()),
                        gr,
                    ));
                }
            }
        }
        // A policy written on a principal it can become.
        for mv in onward {
            let target = graph.node(mv.to);
            if self.has_boundary(mv.to) {
                continue;
            }
            let writes: &[&str] = match target.kind() {
                NodeKind::IamUser => &["iam:AttachUserPolicy", "iam:PutUserPolicy"],
                NodeKind::IamRole => &["iam:AttachRolePolicy", "iam:PutRolePolicy"],
                _ => &[],
            };
            let arn = target.id.clone();
            for action in writes {
                let calls = [(*action, arn.as_str())];
                if let Some(g) = self.all_granted(p, &calls, mentions) {
                    let mut first = self.step(p, mv.to, "write-policy-on-other", &calls, None, g);
                    first.steps.extend(mv.steps.iter().cloned());
                    first.conditional |= mv.conditional;
                    return Some(Move { to: mv.to, ..first });
                }
            }
        }
        None
    }
}

/// The principals, groups and instance roles of each account, gathered
/// once for every principal's moves.
pub(super) struct Accounts<'g> {
    users: HashMap<&'g str, Vec<NodeId>>,
    roles: HashMap<&'g str, Vec<NodeId>>,
    groups: HashMap<&'g str, Vec<NodeId>>,
    /// Roles with the instances that run as them, by account.
    runs_as: HashMap<&'g str, Vec<(NodeId, Vec<NodeId>)>>,
}

impl<'g> Accounts<'g> {
    fn of(graph: &'g crate::graph::Graph) -> Accounts<'g> {
        let by_account = |kind: NodeKind| {
            let mut out: HashMap<&'g str, Vec<NodeId>> = HashMap::new();
            for (id, n) in graph.nodes_of(kind) {
                out.entry(n.account.as_str()).or_default().push(id);
            }
            out
        };
        let mut runs_as: HashMap<&'g str, Vec<(NodeId, Vec<NodeId>)>> = HashMap::new();
        for (role, instances) in runs_as_roles(graph) {
            runs_as
                .entry(graph.node(role).account.as_str())
                .or_default()
                .push((role, instances));
        }
        Accounts {
            users: by_account(NodeKind::IamUser),
            roles: by_account(NodeKind::IamRole),
            groups: by_account(NodeKind::IamGroup),
            runs_as,
        }
    }

    fn list<'a>(map: &'a HashMap<&'g str, Vec<NodeId>>, account: &str) -> &'a [NodeId] {
        map.get(account).map(Vec::as_slice).unwrap_or_default()
    }
}

/// How many of a role's instances are tried for a command on them: a
/// tag condition usually decides them all alike.
const INSTANCES_PER_ROLE: usize = 16;

/// Once one instance allows it under conditions, how many more are tried
/// for one that allows it outright.
const MORE_AFTER_CONDITIONAL: usize = 1;

/// The instances each role runs on, through their instance profiles, in
/// the graph's order.
fn runs_as_roles(graph: &crate::graph::Graph) -> Vec<(NodeId, Vec<NodeId>)> {
    let mut by_role: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for (i, _) in graph.nodes_of(NodeKind::Instance) {
        for prof in graph.neighbours(i, EdgeKind::UsesInstanceProfile, Direction::Outgoing) {
            for role in graph.neighbours(prof, EdgeKind::HasRole, Direction::Outgoing) {
                by_role.entry(role).or_default().push(i);
            }
        }
    }
    let mut out: Vec<(NodeId, Vec<NodeId>)> = by_role.into_iter().collect();
    out.sort_by_key(|(role, _)| *role);
    out
}

fn service_linked(n: &crate::model::Node) -> bool {
    matches!(&n.data, NodeData::IamRole(r) if r.path.as_deref().is_some_and(|p| p.starts_with("/aws-service-role/")))
}

/// The technique a call on oneself is.
fn technique_of(action: &str) -> &'static str {
    match action {
        "iam:PutUserPolicy" | "iam:PutRolePolicy" => "put-own-policy",
        "iam:AttachUserPolicy" | "iam:AttachRolePolicy" => "attach-own-policy",
        "iam:PutGroupPolicy" => "put-group-policy",
        "iam:AttachGroupPolicy" => "attach-group-policy",
        "iam:CreatePolicyVersion" => "create-policy-version",
        "iam:SetDefaultPolicyVersion" => "set-default-policy-version",
        "iam:DeleteUserPermissionsBoundary" | "iam:DeleteRolePermissionsBoundary" => {
            "delete-own-boundary"
        }
        "iam:PutUserPermissionsBoundary" | "iam:PutRolePermissionsBoundary" => {
            "replace-own-boundary"
        }
        _ => "own-policy",
    }
}
