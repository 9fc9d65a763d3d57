//! A principal's permissions tab: one row per service with its access
//! levels, opened (Enter) to its actions, each run of actions followed by
//! the statements that allow them — Enter on one opens its policy with the
//! statement highlighted.

use std::collections::BTreeSet;

use crate::analysis::iam::permissions::ServicePermissions;
use crate::analysis::iam::{Decision, StatementRef};

use super::view::StatementLink;

/// The tab's state: what the evaluator found, which services are open and
/// where the cursor is.
#[derive(Debug, Clone)]
pub struct PermissionsTree {
    /// "… may use 2 services" or "… may do nothing".
    head: String,
    services: Vec<ServicePermissions>,
    open: BTreeSet<usize>,
    /// The rows as shown, rebuilt when a service opens or closes.
    rows: Vec<PermissionRow>,
    /// The row under the cursor.
    pub selected: usize,
}

/// What one row is.
#[derive(Debug, Clone, PartialEq)]
pub enum PermissionRow {
    Head(String),
    /// A service, open or not.
    Service {
        index: usize,
        open: bool,
        text: String,
    },
    /// An access level inside an open service.
    Level(String),
    Action {
        text: String,
        conditional: bool,
    },
    /// A statement behind the actions above it.
    Statement {
        text: String,
        to: Option<StatementLink>,
    },
    /// A condition the actions above depend on.
    Condition(String),
}

impl PermissionRow {
    /// The row's words, as the tab prints them.
    pub fn text(&self) -> String {
        match self {
            PermissionRow::Head(t) => t.clone(),
            PermissionRow::Service { open, text, .. } => {
                format!("{} {text}", if *open { "▾" } else { "▸" })
            }
            PermissionRow::Level(t) => format!("    {t}"),
            PermissionRow::Action { text, .. } => format!("      {text}"),
            PermissionRow::Statement { text, .. } => format!("        by {text}"),
            PermissionRow::Condition(t) => format!("        if {t}"),
        }
    }
}

impl PermissionsTree {
    pub fn new(principal: &str, services: Vec<ServicePermissions>) -> PermissionsTree {
        let head = if services.is_empty() {
            format!("{principal} may do nothing")
        } else {
            format!(
                "{principal} may use {} (Enter opens one)",
                crate::labels::plural(services.len(), "service")
            )
        };
        // One service is shown open: there is nothing to choose between.
        let open = if services.len() == 1 {
            BTreeSet::from([0])
        } else {
            BTreeSet::new()
        };
        let mut tree = PermissionsTree {
            head,
            services,
            open,
            rows: Vec::new(),
            selected: 0,
        };
        tree.rows = tree.build();
        tree
    }

    /// Every row as shown, open services expanded.
    pub fn rows(&self) -> &[PermissionRow] {
        &self.rows
    }

    fn build(&self) -> Vec<PermissionRow> {
        let mut rows = vec![PermissionRow::Head(self.head.clone())];
        for (index, s) in self.services.iter().enumerate() {
            let open = self.open.contains(&index);
            rows.push(PermissionRow::Service {
                index,
                open,
                text: format!(
                    "{} ({}): {}",
                    s.service,
                    s.name,
                    crate::report::level_counts(s)
                ),
            });
            if open {
                service_rows(s, &mut rows);
            }
        }
        rows
    }

    /// Enter on the cursor's row: a service opens or closes (the cursor
    /// stays on it); a statement gives its policy to open.
    pub fn enter(&mut self) -> Option<StatementLink> {
        match self.rows.get(self.selected)? {
            PermissionRow::Service { index, open, .. } => {
                let index = *index;
                if *open {
                    self.open.remove(&index);
                } else {
                    self.open.insert(index);
                }
            }
            PermissionRow::Statement { to: Some(to), .. } => return Some(to.clone()),
            PermissionRow::Head(_) => return None,
            // Inside a service: Enter closes it, the cursor back on it.
            _ => {
                let (at, index) = self.rows[..self.selected]
                    .iter()
                    .enumerate()
                    .rev()
                    .find_map(|(i, r)| match r {
                        PermissionRow::Service { index, .. } => Some((i, *index)),
                        _ => None,
                    })?;
                self.open.remove(&index);
                self.selected = at;
            }
        }
        self.rows = self.build();
        None
    }
}

/// An open service: each access level, its actions, and after each run
/// of actions with the same statements, those statements.
fn service_rows(s: &ServicePermissions, rows: &mut Vec<PermissionRow>) {
    for l in &s.levels {
        rows.push(PermissionRow::Level(format!(
            "{} {}",
            l.level.label(),
            crate::report::level_count(l)
        )));
        let actions: Vec<_> = s.actions.iter().filter(|p| p.level == l.level).collect();
        for (i, p) in actions.iter().enumerate() {
            let name = p.action.split_once(':').map_or(p.action.as_str(), |x| x.1);
            let on = if p.resources.iter().any(|r| r == "*") {
                String::new()
            } else {
                format!(" on {}", p.resources.join(", "))
            };
            let conditional = p.decision == Decision::Conditional;
            rows.push(PermissionRow::Action {
                text: format!("{name}{}{on}", if conditional { " IF" } else { "" }),
                conditional,
            });
            let same_as_next = actions
                .get(i + 1)
                .is_some_and(|n| n.evidence == p.evidence && n.conditions == p.conditions);
            if same_as_next {
                continue;
            }
            rows.extend(p.evidence.iter().map(statement_row));
            rows.extend(p.conditions.iter().cloned().map(PermissionRow::Condition));
        }
    }
}

/// A statement by its policy's name, not its whole ARN (Enter opens the
/// policy, ARN and all): `identity developer-self-service statement 1
/// (RotateKeys)`, `identity inline read-config statement 0`.
fn statement_row(e: &StatementRef) -> PermissionRow {
    let name = if let Some((_, inline)) = e.policy.rsplit_once(":inline/") {
        format!("inline {inline}")
    } else if let Some((_, path)) = e.policy.split_once(":policy/") {
        path.rsplit('/').next().unwrap_or(path).to_string()
    } else {
        e.policy.clone()
    };
    PermissionRow::Statement {
        text: format!("{} {}", e.kind.label(), e.named_as(&name)),
        to: e.source.node().map(|_| StatementLink {
            source: e.source.clone(),
            statement: e.statement,
        }),
    }
}
