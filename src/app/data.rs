//! What the explorer shows, derived from a loaded graph: at once the
//! overview's counts, GuardDuty findings and the finder's index; then, from
//! the background analysis, every check's findings by resource.
//!
//! Each `Data` has a generation: a result computed for one generation is
//! only ever applied to that generation (or, for data, to an older one).
//! The analysis is set once into its own cell, through the shared value, so
//! a background job holding the data (a sort) never makes it go missing.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use crate::analysis::checks::{Epic, internet};
use crate::analysis::finding::Status;
use crate::analysis::{Analysis, Exposure, Finding, analyse};
use crate::graph::{Graph, NodeId};
use crate::model::{NodeData, NodeKind, Severity};

use super::checks::Tally;
use super::finder::Finder;

/// Which build of the data a value belongs to; later builds are larger.
pub type Generation = u64;

/// A resource's ways in from the internet, in one line.
#[derive(Debug, Clone)]
pub struct ResourceExposure {
    pub severity: Severity,
    pub count: usize,
    /// "tcp 22 open to the world (0.0.0.0/0)" for the worst one.
    pub summary: String,
    /// The same in a list's width: "tcp 22 from the world".
    pub short: String,
    /// The other ways in, worst first, in short: "tcp 3306".
    pub others: Vec<String>,
    /// Every way in, worst first: indices into `Analysis::exposures`.
    pub indices: Vec<usize>,
}

impl ResourceExposure {
    /// Every way in, in a list's width: "tcp 22 from the world +1: tcp 3306".
    pub fn column(&self) -> String {
        if self.others.is_empty() {
            return self.short.clone();
        }
        format!(
            "{} +{}: {}",
            self.short,
            self.others.len(),
            self.others.join(", ")
        )
    }

    /// Every way in, on one line: the worst in full, then the others
    /// ("tcp 22 open to the world (0.0.0.0/0); +1 more: tcp 3306").
    pub fn line(&self) -> String {
        if self.others.is_empty() {
            return self.summary.clone();
        }
        format!(
            "{}; +{} more: {}",
            self.summary,
            self.others.len(),
            self.others.join(", ")
        )
    }
}

/// "tcp 22 from the world", "tcp 443 via web-lb from the world",
/// "tcp 22 from 203.0.113.0/24 +2".
fn short_way_in(graph: &Graph, e: &crate::analysis::Exposure) -> String {
    let via = e
        .load_balancer
        .as_ref()
        .map(|lb| format!(" via {}", crate::labels::name_or_short_id(graph, lb)))
        .unwrap_or_default();
    let from = if e.world {
        "the world".to_string()
    } else {
        match e.sources.as_slice() {
            [] => "nowhere".to_string(),
            [one] => one.to_string(),
            [first, rest @ ..] => format!("{first} +{}", rest.len()),
        }
    };
    format!("{}{via} from {from}", e.service())
}

/// One row of the overview: an account and region.
#[derive(Debug, Clone, Default)]
pub struct OverviewRow {
    pub account: String,
    pub account_label: String,
    pub region: Option<String>,
    pub counts: BTreeMap<NodeKind, usize>,
    /// GuardDuty findings by severity.
    pub findings: BTreeMap<Severity, usize>,
    pub gaps: usize,
}

/// The analysis, with the indexes the views read.
#[derive(Debug, Default)]
pub struct Analysed {
    pub analysis: Analysis,
    /// Resources the internet reaches.
    pub exposed: HashMap<NodeId, ResourceExposure>,
    /// Exposed resources, worst first.
    pub exposed_order: Vec<NodeId>,
    /// Every finding of every check, by resource: indices into
    /// `analysis.findings`, worst first.
    pub by_resource: HashMap<NodeId, Vec<usize>>,
    /// Exposed resources by severity, per account and region.
    pub exposed_by_place: HashMap<(String, Option<String>), BTreeMap<Severity, usize>>,
    /// Every check's results per account, by epic.
    pub posture: BTreeMap<String, BTreeMap<Epic, Tally>>,
}

impl Analysed {
    pub fn new(graph: &Graph, analysis: Analysis) -> Analysed {
        let mut exposed: HashMap<NodeId, ResourceExposure> = HashMap::new();
        let mut order: Vec<(usize, Severity)> = analysis
            .exposures
            .iter()
            .enumerate()
            .map(|(i, e)| (i, internet::severity(e)))
            .collect();
        // Worst first within each resource.
        order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (i, sev) in order {
            let e = &analysis.exposures[i];
            let mut first = false;
            let entry = exposed.entry(e.node).or_insert_with(|| {
                first = true;
                ResourceExposure {
                    severity: sev,
                    count: 0,
                    summary: internet::title(graph, e),
                    short: short_way_in(graph, e),
                    others: Vec::new(),
                    indices: Vec::new(),
                }
            });
            if !first {
                let short = match &e.load_balancer {
                    Some(lb) => format!(
                        "{} via {}",
                        e.service(),
                        crate::labels::name_or_short_id(graph, lb)
                    ),
                    None => e.service(),
                };
                if !entry.others.contains(&short) {
                    entry.others.push(short);
                }
            }
            entry.count += 1;
            entry.indices.push(i);
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
        let mut by_resource: HashMap<NodeId, Vec<usize>> = HashMap::new();
        for (i, f) in analysis.findings.iter().enumerate() {
            by_resource.entry(f.node).or_default().push(i);
        }
        let mut exposed_by_place: HashMap<(String, Option<String>), BTreeMap<Severity, usize>> =
            HashMap::new();
        for (id, e) in &exposed {
            let n = graph.node(*id);
            *exposed_by_place
                .entry((n.account.clone(), n.region.clone()))
                .or_default()
                .entry(e.severity)
                .or_default() += 1;
        }
        let posture = super::checks::by_account(&analysis);
        Analysed {
            posture,
            analysis,
            exposed,
            exposed_order,
            by_resource,
            exposed_by_place,
        }
    }

    /// The findings of every check on one resource, worst first.
    pub fn findings_of(&self, id: NodeId) -> impl Iterator<Item = &Finding> {
        self.by_resource
            .get(&id)
            .into_iter()
            .flatten()
            .map(|i| &self.analysis.findings[*i])
    }

    /// A resource's failed posture findings (everything but exposure, which
    /// has its own badge and view).
    pub fn posture_of(&self, id: NodeId) -> impl Iterator<Item = &Finding> {
        self.findings_of(id)
            .filter(|f| f.check != internet::CHECK.id && f.status == Status::Fail)
    }

    /// The exposures of one resource, worst first.
    pub fn exposures_of(&self, id: NodeId) -> impl Iterator<Item = &Exposure> {
        self.exposed
            .get(&id)
            .into_iter()
            .flat_map(|e| e.indices.iter())
            .map(|i| &self.analysis.exposures[*i])
    }
}

pub struct Data {
    /// Set by whoever builds it; 0 unless several builds race.
    pub generation: Generation,
    /// Shared with the background analysis.
    pub graph: Arc<Graph>,
    /// Exposure and posture, shown while the identity analyses run.
    first: OnceLock<Analysed>,
    /// Every analysis.
    analysed: OnceLock<Analysed>,
    /// GuardDuty findings, worst first, newest first within a severity.
    pub findings: Vec<NodeId>,
    pub overview: Vec<OverviewRow>,
    pub finder: Finder,
    /// Files that could not be read, and warnings, from loading.
    pub problems: Vec<String>,
}

/// Nothing exposed, for views shown before the analysis is in.
static NOT_ANALYSED: OnceLock<Analysed> = OnceLock::new();

impl Data {
    /// Everything at once (tests, benchmarks, partial live builds).
    pub fn build(graph: Graph, problems: Vec<String>) -> Data {
        let d = Data::loaded(graph, problems);
        d.set_analysis(analyse(&d.graph));
        d
    }

    /// What can be shown at once, before the analysis: the overview's
    /// counts, GuardDuty findings, the finder.
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
        let overview = overview_rows(&graph, &findings);
        let finder = Finder::build(&graph);
        Data {
            generation: 0,
            graph,
            first: OnceLock::new(),
            analysed: OnceLock::new(),
            findings,
            overview,
            finder,
            problems,
        }
    }

    /// Take in the analysis of this data's graph. Returns false if one was
    /// already in (an analysis is computed once per generation).
    pub fn set_analysis(&self, analysis: Analysis) -> bool {
        self.analysed
            .set(Analysed::new(&self.graph, analysis))
            .is_ok()
    }

    /// Take in the exposure and posture analysis, which comes first. Returns
    /// false if it, or the whole analysis, was already in.
    pub fn set_first_analysis(&self, analysis: Analysis) -> bool {
        self.analysed.get().is_none()
            && self.first.set(Analysed::new(&self.graph, analysis)).is_ok()
    }

    /// Whether exposure has been analysed (the identity analyses may still
    /// run).
    pub fn is_analysed(&self) -> bool {
        self.analysed.get().is_some() || self.first.get().is_some()
    }

    /// Whether every analysis, identity included, has finished.
    pub fn identity_analysed(&self) -> bool {
        self.analysed.get().is_some()
    }

    /// The analysis so far, or an empty one while it runs.
    pub fn analysed(&self) -> &Analysed {
        self.analysed
            .get()
            .or_else(|| self.first.get())
            .unwrap_or_else(|| NOT_ANALYSED.get_or_init(Analysed::default))
    }

    /// A resource's exposure, if the internet reaches it.
    pub fn exposure(&self, id: NodeId) -> Option<&ResourceExposure> {
        self.analysed().exposed.get(&id)
    }

    /// The band of a GuardDuty finding node.
    pub fn finding_severity(&self, id: NodeId) -> Option<Severity> {
        match &self.graph.node(id).data {
            NodeData::GuardDutyFinding(f) => Some(f.severity_band()),
            _ => None,
        }
    }
}

fn overview_rows(graph: &Graph, findings: &[NodeId]) -> Vec<OverviewRow> {
    let mut rows: BTreeMap<(String, Option<String>), OverviewRow> = BTreeMap::new();
    // AWS's own managed policies and accounts known only from a trust
    // policy are not accounts of the organization: no row of their own.
    let foreign = |account: &str| {
        account == "aws"
            || graph.by_id(account).is_some_and(
                |id| matches!(&graph.node(id).data, NodeData::Account(a) if a.external),
            )
    };
    for ((account, region), counts) in graph.counts() {
        if foreign(&account) {
            continue;
        }
        let row = rows.entry((account.clone(), region.clone())).or_default();
        row.account_label = crate::labels::account_name(graph, &account);
        row.account = account;
        row.region = region;
        row.counts = counts;
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
                account_label: crate::labels::account_name(graph, &gap.account),
                region: gap.region.clone(),
                ..OverviewRow::default()
            });
        row.gaps += 1;
    }
    rows.into_values().collect()
}
