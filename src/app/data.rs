//! What the explorer shows, derived once from a loaded graph (in the
//! background): exposures per resource, findings by severity, the overview
//! and the finder's index.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::analysis::{Exposure, exposures};
use crate::graph::{Graph, NodeId};
use crate::model::{NodeData, NodeKind, Severity};

use super::finder::Finder;

/// A resource's exposures in one line.
#[derive(Debug, Clone)]
pub struct ResourceExposure {
    pub severity: Severity,
    pub count: usize,
    /// "tcp 22 open to the world (0.0.0.0/0)" for the worst one.
    pub summary: String,
    /// Indices into `Data::exposures`.
    pub indices: Vec<usize>,
}

/// One row of the overview: an account and region.
#[derive(Debug, Clone, Default)]
pub struct OverviewRow {
    pub account: String,
    pub account_label: String,
    pub region: Option<String>,
    pub counts: BTreeMap<NodeKind, usize>,
    pub exposed: BTreeMap<Severity, usize>,
    pub findings: BTreeMap<Severity, usize>,
    pub gaps: usize,
}

pub struct Data {
    /// Shared with the background analysis.
    pub graph: Arc<Graph>,
    /// Whether the exposure analysis has finished.
    pub analysed: bool,
    pub exposures: Vec<Exposure>,
    pub exposed: HashMap<NodeId, ResourceExposure>,
    /// Exposed resources, worst first.
    pub exposed_order: Vec<NodeId>,
    /// Findings, worst first, newest first within a severity.
    pub findings: Vec<NodeId>,
    pub overview: Vec<OverviewRow>,
    pub finder: Finder,
    /// Files that could not be read, and warnings, from loading.
    pub problems: Vec<String>,
}

pub fn account_label(graph: &Graph, account: &str) -> String {
    match graph.by_id(account).map(|id| graph.node(id)) {
        Some(n) => match &n.data {
            NodeData::Account(a) => n
                .name
                .clone()
                .or_else(|| a.aliases.first().cloned())
                .unwrap_or_default(),
            _ => String::new(),
        },
        None if account == "aws" => "AWS managed".to_string(),
        None => String::new(),
    }
}

impl Data {
    /// Everything at once (tests, benchmarks, the command line).
    pub fn build(graph: Graph, problems: Vec<String>) -> Data {
        let mut d = Data::loaded(graph, problems);
        let found = exposures(&d.graph);
        d.set_exposures(found);
        d
    }

    /// What can be shown at once, before the exposure analysis: the
    /// overview's counts, findings, the finder.
    pub fn loaded(graph: Graph, problems: Vec<String>) -> Data {
        let graph = Arc::new(graph);
        let mut findings: Vec<NodeId> = graph
            .nodes_of(NodeKind::GuardDutyFinding)
            .map(|(id, _)| id)
            .collect();
        let key = |id: &NodeId| match &graph.node(*id).data {
            NodeData::GuardDutyFinding(f) => (f.severity, f.updated_at),
            _ => (0.0, None),
        };
        findings.sort_by(|a, b| {
            let (sa, ta) = key(a);
            let (sb, tb) = key(b);
            sb.total_cmp(&sa).then(tb.cmp(&ta))
        });
        let exposed = HashMap::new();
        let overview = overview_rows(&graph, &exposed, &findings);
        let finder = Finder::build(&graph);
        Data {
            graph,
            analysed: false,
            exposures: Vec::new(),
            exposed,
            exposed_order: Vec::new(),
            findings,
            overview,
            finder,
            problems,
        }
    }

    /// Take in the exposure analysis's answer.
    pub fn set_exposures(&mut self, exposures: Vec<Exposure>) {
        let graph = &self.graph;
        let mut exposed: HashMap<NodeId, ResourceExposure> = HashMap::new();
        for (i, e) in exposures.iter().enumerate() {
            let Some(id) = graph.by_id(&e.resource) else {
                continue;
            };
            let sev = e.severity();
            let summary = format!("{} open to {}", e.service(), e.sources_label());
            let entry = exposed.entry(id).or_insert_with(|| ResourceExposure {
                severity: sev,
                count: 0,
                summary: summary.clone(),
                indices: Vec::new(),
            });
            entry.count += 1;
            entry.indices.push(i);
            if sev > entry.severity {
                entry.severity = sev;
                entry.summary = summary;
            }
        }
        let mut exposed_order: Vec<NodeId> = exposed.keys().copied().collect();
        exposed_order.sort_by(|a, b| {
            exposed[b].severity.cmp(&exposed[a].severity).then_with(|| {
                graph
                    .node(*a)
                    .display_name()
                    .cmp(graph.node(*b).display_name())
            })
        });
        self.overview = overview_rows(graph, &exposed, &self.findings);
        self.exposures = exposures;
        self.exposed = exposed;
        self.exposed_order = exposed_order;
        self.analysed = true;
    }

    /// The worst severity of a finding node.
    pub fn finding_severity(&self, id: NodeId) -> Option<Severity> {
        match &self.graph.node(id).data {
            NodeData::GuardDutyFinding(f) => Some(f.severity_band()),
            _ => None,
        }
    }
}

fn overview_rows(
    graph: &Graph,
    exposed: &HashMap<NodeId, ResourceExposure>,
    findings: &[NodeId],
) -> Vec<OverviewRow> {
    let mut rows: BTreeMap<(String, Option<String>), OverviewRow> = BTreeMap::new();
    for ((account, region), counts) in graph.counts() {
        let row = rows.entry((account.clone(), region.clone())).or_default();
        row.account_label = account_label(graph, &account);
        row.account = account;
        row.region = region;
        row.counts = counts;
    }
    for (id, e) in exposed {
        let n = graph.node(*id);
        if let Some(row) = rows.get_mut(&(n.account.clone(), n.region.clone())) {
            *row.exposed.entry(e.severity).or_default() += 1;
        }
    }
    for id in findings {
        let n = graph.node(*id);
        if let (Some(row), NodeData::GuardDutyFinding(f)) = (
            rows.get_mut(&(n.account.clone(), n.region.clone())),
            &n.data,
        ) {
            *row.findings.entry(f.severity_band()).or_default() += 1;
        }
    }
    for gap in &graph.collection().gaps {
        let row = rows
            .entry((gap.account.clone(), gap.region.clone()))
            .or_insert_with(|| OverviewRow {
                account: gap.account.clone(),
                account_label: account_label(graph, &gap.account),
                region: gap.region.clone(),
                ..OverviewRow::default()
            });
        row.gaps += 1;
    }
    rows.into_values().collect()
}
