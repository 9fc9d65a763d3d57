//! The blast radius tab: the summary and the attack's story, then the
//! network, identity and data parts as a tree with their counts. Enter on
//! a part opens or closes it; Enter on a resource, principal or account
//! follows it; Enter on a statement opens its policy with it highlighted.
//! Space opens or closes the evidence of the item under the cursor (the
//! rules of a reach, the steps of a way to a principal, the statements of
//! a grant).

use std::collections::BTreeSet;

use crate::analysis::blast::{BlastRadius, ports_text};
use crate::analysis::iam::StatementRef;
use crate::graph::{Graph, NodeId};
use crate::labels::plural;

use super::view::StatementLink;

/// A part of the tree, opened and closed as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    Story,
    Network,
    Identity,
    Data,
    Bounds,
}

/// Where Enter on a row goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Follow {
    /// A resource, principal or account of the graph: its detail.
    Resource(NodeId),
    /// A principal's permissions tab.
    Permissions(NodeId),
    Statement(StatementLink),
}

/// What a row is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Head,
    Part,
    Item,
    /// Something a responder must see: admin, destroy, unseen.
    Alarm,
    Evidence,
}

/// An item of a part that has evidence under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Item {
    part: Part,
    index: usize,
}

/// One screen line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct BlastRow {
    pub text: String,
    pub look: Look,
    /// The part this row opens or closes (its heading).
    pub part: Option<Part>,
    /// The item this row is, or is the evidence of.
    item: Option<(Item, bool)>,
    pub to: Option<Follow>,
}

/// The tab's state: the answer, which parts are open, the cursor.
#[derive(Debug, Clone)]
pub struct BlastTree {
    answer: Result<BlastRadius, String>,
    /// Graph ids of what the answer names, found once.
    targets: Targets,
    width: usize,
    open: BTreeSet<Part>,
    /// Items whose evidence is shown.
    shown: BTreeSet<Item>,
    rows: Vec<BlastRow>,
    pub selected: usize,
}

/// The answer's names resolved to the graph's nodes.
#[derive(Debug, Clone, Default)]
struct Targets {
    network: Vec<Option<NodeId>>,
    hops: Vec<Vec<Option<NodeId>>>,
    data: Vec<Option<NodeId>>,
    principals: std::collections::HashMap<String, NodeId>,
    accounts: std::collections::HashMap<String, NodeId>,
}

fn find(graph: &Graph, text: &str) -> Option<NodeId> {
    graph.by_id(text).or_else(|| graph.by_arn(text))
}

impl Targets {
    fn of(graph: &Graph, b: &BlastRadius) -> Targets {
        let mut t = Targets {
            network: b.network.iter().map(|r| find(graph, &r.resource)).collect(),
            hops: b
                .network
                .iter()
                .map(|r| {
                    r.evidence
                        .iter()
                        .map(|h| h.id.split(',').find_map(|id| find(graph, id.trim())))
                        .collect()
                })
                .collect(),
            data: b.data.iter().map(|d| find(graph, &d.resource)).collect(),
            ..Targets::default()
        };
        let id = &b.identity;
        let named = id
            .principals
            .iter()
            .chain(&id.assumable)
            .chain(id.reached.iter().map(|r| &r.principal))
            .chain(id.escalation.iter().flat_map(|e| {
                std::iter::once(&e.target).chain(e.steps.iter().flat_map(|s| [&s.from, &s.to]))
            }));
        for p in named {
            if let Some(n) = find(graph, p) {
                t.principals.insert(p.clone(), n);
            }
        }
        for a in &id.accounts {
            if let Some(n) = find(graph, a) {
                t.accounts.insert(a.clone(), n);
            }
        }
        t
    }
}

/// Parts longer than this start closed: the others stay in sight.
const OPEN_UP_TO: usize = 25;

impl BlastTree {
    pub fn new(graph: &Graph, answer: Result<BlastRadius, String>, width: usize) -> BlastTree {
        let targets = match &answer {
            Ok(b) => Targets::of(graph, b),
            Err(_) => Targets::default(),
        };
        let mut tree = BlastTree {
            answer,
            targets,
            width: width.max(20),
            open: BTreeSet::new(),
            shown: BTreeSet::new(),
            rows: Vec::new(),
            selected: 0,
        };
        tree.open.insert(Part::Story);
        tree.open.insert(Part::Bounds);
        if let Ok(b) = &tree.answer {
            if b.network.len() <= OPEN_UP_TO {
                tree.open.insert(Part::Network);
            }
            if b.identity.reached.len() <= OPEN_UP_TO {
                tree.open.insert(Part::Identity);
            }
            if b.data.len() <= OPEN_UP_TO {
                tree.open.insert(Part::Data);
            }
        }
        tree.rows = tree.build();
        // The cursor starts on the first part, under the summary.
        tree.selected = tree.rows.iter().position(|r| r.part.is_some()).unwrap_or(0);
        tree
    }

    pub fn rows(&self) -> &[BlastRow] {
        &self.rows
    }

    /// The answer, for the export.
    pub fn answer(&self) -> Option<&BlastRadius> {
        self.answer.as_ref().ok()
    }

    /// The screen is wider or narrower: the lines wrap again.
    pub fn resize(&mut self, width: usize) {
        let width = width.max(20);
        if width != self.width {
            self.width = width;
            self.rebuild();
        }
    }

    /// Enter on the cursor's row: a part opens or closes (the cursor stays
    /// on its heading); elsewhere, where the row leads, or an item with
    /// nowhere to lead shows or hides its evidence.
    pub fn enter(&mut self) -> Option<Follow> {
        let row = self.rows.get(self.selected)?;
        match (&row.to, row.part, row.item) {
            (_, Some(_), _) | (None, None, Some((_, true))) => {
                self.toggle();
                None
            }
            (to, _, _) => to.clone(),
        }
    }

    /// Space: the part or the item under the cursor opens or closes; on
    /// evidence, its item closes and the cursor goes back to it.
    pub fn toggle(&mut self) {
        let Some(row) = self.rows.get(self.selected) else {
            return;
        };
        if let Some(part) = row.part {
            if !self.open.remove(&part) {
                self.open.insert(part);
            }
        } else if let Some((item, head)) = row.item {
            if !self.shown.remove(&item) {
                self.shown.insert(item);
            } else if !head {
                self.selected = self
                    .rows
                    .iter()
                    .position(|r| r.item == Some((item, true)))
                    .unwrap_or(self.selected);
            }
        }
        self.rebuild();
    }

    fn rebuild(&mut self) {
        // The cursor stays on the same logical line: the heading or item
        // it was on, found again by its first words.
        let at = self
            .rows
            .get(self.selected)
            .map(|r| (r.part, r.item, r.text.clone()));
        self.rows = self.build();
        self.selected = at
            .and_then(|(part, item, text)| {
                self.rows
                    .iter()
                    .position(|r| r.part == part && r.item == item && r.text == text)
            })
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
    }

    fn build(&self) -> Vec<BlastRow> {
        let mut out = Rows {
            width: self.width,
            rows: Vec::new(),
            item: None,
        };
        let b = match &self.answer {
            Ok(b) => b,
            Err(e) => {
                out.push(0, e, Look::Head, None);
                return out.rows;
            }
        };
        if let Some(f) = &b.finding {
            out.push(
                0,
                &format!("finding {f} is about {}", b.resource),
                Look::Head,
                None,
            );
        }
        out.push(0, &b.summary, Look::Head, None);
        out.push(
            0,
            "Enter opens what a line names, space shows the evidence under it",
            Look::Evidence,
            None,
        );
        if !b.story.is_empty() && self.heading(&mut out, Part::Story, "the attack, step by step") {
            for (i, s) in b.story.iter().enumerate() {
                let look = if matches!(s.step, "destroy" | "unseen" | "exfiltrate") {
                    Look::Alarm
                } else {
                    Look::Item
                };
                out.push(
                    2,
                    &format!("{}. {}: {}", i + 1, s.step, s.detail),
                    look,
                    None,
                );
            }
        }
        self.network(b, &mut out);
        self.identity(b, &mut out);
        self.data(b, &mut out);
        out.item = None;
        if !b.bounds.is_empty() && self.heading(&mut out, Part::Bounds, "bounds reached") {
            for bound in &b.bounds {
                out.push(
                    2,
                    &format!("{} (at {}): {}", bound.part, bound.limit, bound.detail),
                    Look::Alarm,
                    None,
                );
            }
        }
        out.rows
    }

    /// A part's heading, open or closed; true when it is open.
    fn heading(&self, out: &mut Rows, part: Part, text: &str) -> bool {
        let open = self.open.contains(&part);
        out.rows.push(BlastRow {
            text: format!("{} {text}", if open { "▾" } else { "▸" }),
            look: Look::Part,
            part: Some(part),
            item: None,
            to: None,
        });
        open
    }

    /// An item with evidence under it, marked open or closed; true when
    /// its evidence is shown (the rows pushed after it belong to it until
    /// the next item).
    fn item(
        &self,
        out: &mut Rows,
        part: Part,
        index: usize,
        (text, evidence): (&str, bool),
        look: Look,
        to: Option<Follow>,
    ) -> bool {
        if !evidence {
            out.item = None;
            out.push(2, text, look, to);
            return false;
        }
        let item = Item { part, index };
        let shown = self.shown.contains(&item);
        out.item = Some((item, true));
        out.push(
            2,
            &format!("{} {text}", if shown { "▾" } else { "▸" }),
            look,
            to,
        );
        out.item = Some((item, false));
        shown
    }

    fn network(&self, b: &BlastRadius, out: &mut Rows) {
        let ports: usize = b
            .network
            .iter()
            .map(|r| (r.protocol.as_str(), r.from_port, r.to_port))
            .collect::<BTreeSet<_>>()
            .len();
        let head = if b.network.is_empty() {
            "network: reaches nothing".to_string()
        } else {
            format!(
                "network: {} on {}",
                plural(b.network.len(), "resource"),
                plural(ports, "port range")
            )
        };
        if !self.heading(out, Part::Network, &head) {
            return;
        }
        for (i, r) in b.network.iter().enumerate() {
            let name = r
                .name
                .as_deref()
                .filter(|n| *n != r.resource)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let via = if r.hops > 1 {
                format!(", {} hops, from {}", r.hops, r.from)
            } else {
                String::new()
            };
            let to = self.targets.network.get(i).copied().flatten();
            let shown = self.item(
                out,
                Part::Network,
                i,
                (
                    &format!(
                        "{} {}{name}: {} {}{via}",
                        r.kind.label(),
                        r.resource,
                        r.protocol,
                        ports_text(r.from_port, r.to_port)
                    ),
                    !r.evidence.is_empty(),
                ),
                Look::Item,
                to.map(Follow::Resource),
            );
            if !shown {
                continue;
            }
            for (k, h) in r.evidence.iter().enumerate() {
                let assumed = if h.assumed { " (assumed)" } else { "" };
                let to = self
                    .targets
                    .hops
                    .get(i)
                    .and_then(|hops| hops.get(k))
                    .copied()
                    .flatten();
                out.push(
                    4,
                    &format!("{} {}: {}{assumed}", h.kind.label(), h.id, h.detail),
                    Look::Evidence,
                    to.map(Follow::Resource),
                );
            }
        }
    }

    fn identity(&self, b: &BlastRadius, out: &mut Rows) {
        let id = &b.identity;
        let mut head = vec![if id.principals.is_empty() {
            "no credentials".to_string()
        } else {
            plural(id.principals.len(), "principal")
        }];
        if id.admin {
            head.push(format!(
                "admin in {}",
                plural(id.admin_accounts.len(), "account")
            ));
        }
        if !id.assumable.is_empty() {
            head.push(format!("{} assumable", plural(id.assumable.len(), "role")));
        }
        if !id.accounts.is_empty() {
            head.push(format!("{} reached", plural(id.accounts.len(), "account")));
        }
        if !self.heading(
            out,
            Part::Identity,
            &format!("identity: {}", head.join(", ")),
        ) {
            return;
        }
        let principal = |p: &str| self.targets.principals.get(p).copied();
        out.item = None;
        for p in &id.principals {
            let (look, admin) = if id.admins.contains(p) {
                (Look::Alarm, " — ADMIN")
            } else {
                (Look::Item, "")
            };
            out.push(
                2,
                &format!("credentials of {p}{admin}"),
                look,
                principal(p).map(Follow::Resource),
            );
            let services: Vec<_> = id
                .permissions
                .iter()
                .filter(|s| &s.principal == p)
                .collect();
            let text = if id.admins.contains(p) {
                format!(
                    "may do every action on every resource ({})",
                    plural(services.len(), "service")
                )
            } else {
                let mut names: Vec<&str> = services.iter().map(|s| s.service.as_str()).collect();
                names.truncate(8);
                let more = services.len().saturating_sub(names.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                if services.is_empty() {
                    "may do nothing".to_string()
                } else {
                    format!(
                        "may use {}: {}{more} (Enter lists them)",
                        plural(services.len(), "service"),
                        names.join(", ")
                    )
                }
            };
            out.push(
                4,
                &text,
                Look::Evidence,
                principal(p).map(Follow::Permissions),
            );
        }
        if let Some(e) = &id.escalation {
            let conditional = if e.conditional {
                " if conditions hold"
            } else {
                ""
            };
            let shown = self.item(
                out,
                Part::Identity,
                0,
                (
                    &format!(
                        "can become admin as {} in {}{conditional}",
                        e.target,
                        plural(e.steps.len(), "step")
                    ),
                    !e.steps.is_empty(),
                ),
                Look::Alarm,
                principal(&e.target).map(Follow::Resource),
            );
            for (i, s) in e.steps.iter().enumerate().filter(|_| shown) {
                out.push(
                    4,
                    &format!(
                        "{}. {} → {}: {} ({})",
                        i + 1,
                        s.from,
                        s.to,
                        s.technique,
                        s.actions.join(", ")
                    ),
                    Look::Item,
                    principal(&s.to).map(Follow::Resource),
                );
                statements(out, 6, &s.evidence);
            }
        }
        for (i, r) in id.reached.iter().enumerate() {
            let how = if r.conditional {
                " if conditions hold"
            } else {
                ""
            };
            let shown = self.item(
                out,
                Part::Identity,
                i + 1,
                (
                    &format!("can become {} (account {}){how}", r.principal, r.account),
                    !r.steps.is_empty(),
                ),
                Look::Item,
                principal(&r.principal).map(Follow::Resource),
            );
            for s in r.steps.iter().filter(|_| shown) {
                out.push(
                    4,
                    &format!("{}: {}", s.technique, s.to),
                    Look::Evidence,
                    principal(&s.to).map(Follow::Resource),
                );
                statements(out, 6, &s.evidence);
            }
        }
        out.item = None;
        out.item = None;
        for a in &id.accounts {
            let admin = if id.admin_accounts.contains(a) {
                " — ADMIN"
            } else {
                ""
            };
            out.push(
                2,
                &format!("account {a} reached{admin}"),
                if admin.is_empty() {
                    Look::Item
                } else {
                    Look::Alarm
                },
                self.targets.accounts.get(a).copied().map(Follow::Resource),
            );
        }
        for n in &id.notes {
            out.push(2, &format!("note: {n}"), Look::Evidence, None);
        }
    }

    fn data(&self, b: &BlastRadius, out: &mut Rows) {
        let head = if b.data.is_empty() {
            "data: none within reach".to_string()
        } else {
            format!("data: {}", plural(b.data.len(), "store"))
        };
        if !self.heading(out, Part::Data, &head) {
            return;
        }
        for (i, d) in b.data.iter().enumerate() {
            let access: Vec<String> = d
                .access
                .iter()
                .map(|a| {
                    if d.conditional.contains(a) {
                        format!("{} (if conditions hold)", a.label())
                    } else {
                        a.label().to_string()
                    }
                })
                .collect();
            let harmful = d.access.iter().any(|a| {
                matches!(
                    a,
                    crate::analysis::blast::Access::Delete
                        | crate::analysis::blast::Access::Permissions
                ) && !d.conditional.contains(a)
            });
            let shown = self.item(
                out,
                Part::Data,
                i,
                (
                    &format!("{} {}: {}", d.kind.label(), d.label(), access.join(", ")),
                    !d.evidence.is_empty(),
                ),
                if harmful { Look::Alarm } else { Look::Item },
                self.targets
                    .data
                    .get(i)
                    .copied()
                    .flatten()
                    .map(Follow::Resource),
            );
            for g in d.evidence.iter().filter(|_| shown) {
                out.push(
                    4,
                    &format!("{} by {} as {}", g.action, g.principal, g.access.label()),
                    Look::Evidence,
                    None,
                );
                statements(out, 6, &g.evidence);
                for c in &g.conditions {
                    out.push(6, &format!("if {c}"), Look::Evidence, None);
                }
            }
        }
    }
}

/// The statements behind a step or a grant, each opening its policy.
fn statements(out: &mut Rows, indent: usize, evidence: &[StatementRef]) {
    for e in evidence {
        let to = e.source.node().map(|_| {
            Follow::Statement(StatementLink {
                source: e.source.clone(),
                statement: e.statement,
            })
        });
        out.push(indent, &format!("by {}", e.named()), Look::Evidence, to);
    }
}

/// Rows being built, each logical line wrapped to the screen.
struct Rows {
    width: usize,
    rows: Vec<BlastRow>,
    /// The item the rows pushed now belong to.
    item: Option<(Item, bool)>,
}

impl Rows {
    fn push(&mut self, indent: usize, text: &str, look: Look, to: Option<Follow>) {
        let pieces = crate::text::wrap(text, self.width.saturating_sub(indent + 2).max(10));
        for (i, p) in pieces.into_iter().enumerate() {
            let pad = if i == 0 { indent } else { indent + 2 };
            self.rows.push(BlastRow {
                text: format!("{}{p}", " ".repeat(pad)),
                look,
                part: None,
                item: self.item,
                to: to.clone(),
            });
        }
    }
}
