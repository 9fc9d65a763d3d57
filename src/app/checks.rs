//! Posture in the explorer: every check's results within the scope, worst
//! first (the `:checks` view), and each account's results by epic (the
//! overview).

use std::collections::{BTreeMap, HashMap};

use crate::analysis::Analysis;
use crate::analysis::checks::{self, Check, Epic};
use crate::analysis::finding::{Finding, Status};
use crate::model::Severity;

use super::data::Data;
use super::view::Scope;

/// Results counted: failures by severity, unknowns and passes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub failed: BTreeMap<Severity, usize>,
    pub unknown: usize,
    pub passed: usize,
}

impl Tally {
    fn add(&mut self, f: &Finding) {
        match f.status {
            Status::Fail => *self.failed.entry(f.severity).or_default() += 1,
            Status::Unknown => self.unknown += 1,
            Status::Pass => self.passed += 1,
        }
    }

    pub fn failures(&self) -> usize {
        self.failed.values().sum()
    }

    /// The worst severity that failed.
    pub fn worst(&self) -> Option<Severity> {
        self.failed.keys().next_back().copied()
    }

    /// Whether anything was checked at all.
    pub fn applies(&self) -> bool {
        self.failures() + self.unknown + self.passed > 0
    }
}

/// One row of the checks view.
#[derive(Debug, Clone)]
pub struct CheckRow {
    pub check: &'static Check,
    pub tally: Tally,
}

/// Every check of the registry whose id, title, epic or CIS control holds
/// `filter`, with its results on the resources the scope keeps: failing
/// worst first (then most failures), then those with unknowns, those that
/// pass, and last those with nothing to check.
pub fn rows(d: &Data, scope: &Scope, filter: &str) -> Vec<CheckRow> {
    let needle = filter.to_lowercase();
    let mut rows: Vec<CheckRow> = checks::ALL
        .iter()
        .filter(|c| {
            needle.is_empty()
                || [c.id, c.title, c.epic.label()]
                    .iter()
                    .any(|t| t.to_lowercase().contains(&needle))
                || c.cis.label().contains(&needle)
        })
        .map(|c| CheckRow {
            check: c,
            tally: Tally::default(),
        })
        .collect();
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.check.id, i))
        .collect();
    for f in d.analysed().analysis.results() {
        if let Some(i) = index.get(f.check) {
            if scope.keeps(d, f.node) {
                rows[*i].tally.add(f);
            }
        }
    }
    rows.sort_by(|a, b| {
        let (a, b) = (&a.tally, &b.tally);
        b.worst()
            .cmp(&a.worst())
            .then(b.failures().cmp(&a.failures()))
            .then(b.unknown.cmp(&a.unknown))
            .then(b.applies().cmp(&a.applies()))
    });
    rows
}

/// Each account's results by epic.
pub fn by_account(analysis: &Analysis) -> BTreeMap<String, BTreeMap<Epic, Tally>> {
    let mut out: BTreeMap<String, BTreeMap<Epic, Tally>> = BTreeMap::new();
    for f in analysis.results() {
        if let Some(c) = checks::find(f.check) {
            out.entry(f.account.clone())
                .or_default()
                .entry(c.epic)
                .or_default()
                .add(f);
        }
    }
    out
}

/// The resources with a failure or unknown of any of these checks, worst
/// first, each once.
pub fn resources(d: &Data, checks: &[&str]) -> Vec<crate::graph::NodeId> {
    let mut seen = std::collections::HashSet::new();
    d.analysed()
        .analysis
        .findings
        .iter()
        .filter(|f| checks.contains(&f.check) && seen.insert(f.node))
        .map(|f| f.node)
        .collect()
}

/// The `:checks` view: its rows, computed when it opens and when the data
/// or the scope changes, and where the cursor is.
#[derive(Debug, Clone)]
pub struct ChecksView {
    pub rows: Vec<CheckRow>,
    /// What `/` narrowed the checks to.
    pub filter: String,
    pub selected: usize,
    pub offset: usize,
}

impl ChecksView {
    pub fn new(d: &Data, scope: &Scope) -> ChecksView {
        ChecksView {
            rows: rows(d, scope, ""),
            filter: String::new(),
            selected: 0,
            offset: 0,
        }
    }

    /// Recompute the rows, keeping the cursor on the same check.
    pub fn refresh(&mut self, d: &Data, scope: &Scope) {
        let current = self.current().map(|c| c.id);
        self.rows = rows(d, scope, &self.filter);
        self.selected = current
            .and_then(|id| self.rows.iter().position(|r| r.check.id == id))
            .unwrap_or(0);
    }

    pub fn current(&self) -> Option<&'static Check> {
        self.rows.get(self.selected).map(|r| r.check)
    }
}
