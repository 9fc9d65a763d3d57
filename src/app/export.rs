//! Exporting the current view: Markdown for an incident ticket, JSON for
//! tools. Built here (pure); the runner writes the files.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::View;
use super::data::Data;
use super::view::{ListKind, RelRow, Scope, Tab, columns};
use crate::analysis::checks::internet;

/// Files to write: `<stem>.md` and `<stem>.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub stem: String,
    pub markdown: String,
    pub json: String,
}

fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// What to do, and the commands for it.
fn fix_lines(md: &mut String, fix: &crate::analysis::finding::Remediation) {
    let _ = writeln!(md, "  - fix: {}", md_cell(&fix.text));
    for c in &fix.commands {
        let _ = writeln!(md, "  - `{c}`");
    }
}

/// Every finding on the resource, worst first, with its evidence and what
/// to do.
fn findings_section(md: &mut String, findings: &[&crate::analysis::Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Findings\n");
    for f in findings {
        let _ = writeln!(
            md,
            "- **[{}] {}** `{}`",
            f.severity.label().to_uppercase(),
            md_cell(&f.title),
            f.check
        );
        fix_lines(md, &f.remediation);
    }
    let _ = writeln!(md);
}

/// One resource's results of a check: each with its evidence and the fix.
fn results_section(
    md: &mut String,
    d: &Data,
    id: crate::graph::NodeId,
    results: &[&crate::analysis::Finding],
) {
    let n = d.graph.node(id);
    let _ = writeln!(
        md,
        "### {} {} ({})\n",
        n.kind().label(),
        md_cell(n.display_name()),
        n.id
    );
    for f in results {
        let _ = writeln!(
            md,
            "- **{}** `{}` {}",
            super::view::status_badge(f),
            f.check,
            md_cell(&f.title)
        );
        for e in &f.evidence {
            let _ = writeln!(md, "  - {}", md_cell(&e.describe()));
        }
        fix_lines(md, &f.remediation);
    }
    let _ = writeln!(md);
}

/// Every way in from the internet, each with its path hop by hop.
fn exposure_section(
    md: &mut String,
    d: &Data,
    heading: &str,
    exposures: &[&crate::analysis::Exposure],
) {
    if exposures.is_empty() {
        let _ = writeln!(
            md,
            "## {heading}\n\nNone: nothing from the internet gets through.\n"
        );
        return;
    }
    let _ = writeln!(md, "## {heading}\n");
    for e in exposures {
        let _ = writeln!(
            md,
            "### [{}] {} open to {} {}\n",
            internet::severity(e).label().to_uppercase(),
            e.service(),
            e.sources_label(),
            crate::labels::via(&d.graph, e)
        );
        let _ = writeln!(md, "| hop | component | detail |\n| --- | --- | --- |");
        for h in &e.path {
            let _ = writeln!(
                md,
                "| {} | `{}` | {}{} |",
                h.kind.label(),
                h.id,
                md_cell(&h.detail),
                if h.assumed {
                    " (assumed: not collected)"
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(md);
    }
}

pub fn export(
    d: &Data,
    view: &View,
    scope: &Scope,
    histories: &super::history::Histories,
    now: DateTime<Utc>,
) -> Option<Export> {
    let stamp = now.format("%Y%m%d-%H%M%S");
    let collected = d
        .graph
        .collection()
        .collected_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "unknown".into());
    let source = &d.graph.collection().source;
    match view {
        View::History(h) => {
            let n = d.graph.node(h.node);
            let mut md = String::new();
            let _ = writeln!(
                md,
                "# Who changed {} `{}` ({})\n",
                n.kind().label(),
                n.id,
                md_cell(n.display_name())
            );
            let read = history_section(&mut md, histories.get(&h.resource), &n.id);
            Some(Export {
                stem: format!("skyhound-history-{}-{stamp}", slug(n.display_name())),
                markdown: crate::text::inert_text(&md).into_owned(),
                json: serde_json::to_string_pretty(&json!({"resource": n.id, "history": read}))
                    .ok()?,
            })
        }
        View::List(l) => {
            let cols = columns(l.kind);
            let (account, region) = scope.label(d);
            let mut md = String::new();
            let _ = writeln!(md, "# {}\n", l.kind.title());
            let _ = writeln!(
                md,
                "Source: {source}, collected {collected}. Scope: account {account}, region {region}."
            );
            if !l.filter.is_empty() {
                let _ = writeln!(md, "Filter: `{}`.", l.filter);
            }
            let _ = writeln!(
                md,
                "\n| {} |",
                cols.iter().map(|c| c.title).collect::<Vec<_>>().join(" | ")
            );
            let _ = writeln!(md, "|{}", cols.iter().map(|_| " --- |").collect::<String>());
            let mut rows = Vec::new();
            for id in &l.rows {
                let values: Vec<String> = cols.iter().map(|c| (c.value)(d, *id)).collect();
                let _ = writeln!(
                    md,
                    "| {} |",
                    values
                        .iter()
                        .map(|v| md_cell(v))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let mut obj = serde_json::Map::new();
                obj.insert("id".into(), json!(d.graph.node(*id).id));
                for (c, v) in cols.iter().zip(values) {
                    obj.insert(c.title.to_ascii_lowercase().replace(' ', "_"), json!(v));
                }
                rows.push(Value::Object(obj));
            }
            let _ = writeln!(md, "\n{} rows.", l.rows.len());
            // The exposed list carries every way in, with its path.
            if l.kind == ListKind::Exposed {
                let _ = writeln!(md);
                for (id, row) in l.rows.iter().zip(rows.iter_mut()) {
                    let exposures: Vec<&crate::analysis::Exposure> =
                        d.analysed().exposures_of(*id).collect();
                    let n = d.graph.node(*id);
                    exposure_section(
                        &mut md,
                        d,
                        &format!("{} {} ({})", n.kind().label(), n.display_name(), n.id),
                        &exposures,
                    );
                    if let Value::Object(obj) = row {
                        obj.insert(
                            "exposures".into(),
                            Value::Array(
                                exposures
                                    .iter()
                                    .map(|e| internet::exposure_json(e))
                                    .collect(),
                            ),
                        );
                    }
                }
            }
            // A check's list carries each resource's results in full.
            if let ListKind::Check(check) = l.kind {
                let _ = writeln!(md);
                for (id, row) in l.rows.iter().zip(rows.iter_mut()) {
                    let results: Vec<&crate::analysis::Finding> = d
                        .analysed()
                        .findings_of(*id)
                        .filter(|f| f.check == check)
                        .collect();
                    results_section(&mut md, d, *id, &results);
                    if let Value::Object(obj) = row {
                        obj.insert(
                            "results".into(),
                            json!(
                                results
                                    .iter()
                                    .filter_map(|f| crate::analysis::checks::Outcome::of(f))
                                    .collect::<Vec<_>>()
                            ),
                        );
                    }
                }
            }
            let json = serde_json::to_string_pretty(&json!({"view": l.kind.title(), "source": source, "collected_at": d.graph.collection().collected_at, "filter": l.filter, "rows": rows})).ok()?;
            Some(Export {
                stem: format!("skyhound-{}-{stamp}", slug(&l.kind.title())),
                markdown: crate::text::inert_text(&md).into_owned(),
                json,
            })
        }
        View::Resource(r) => {
            let n = d.graph.node(r.node);
            let mut md = String::new();
            let _ = writeln!(
                md,
                "# {} {}{}\n",
                n.kind().label(),
                n.id,
                n.name
                    .as_deref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            );
            let _ = writeln!(
                md,
                "Account {}, region {}. Source: {source}, collected {collected}.\n",
                n.account,
                n.region.as_deref().unwrap_or("global")
            );
            let exposures: Vec<&crate::analysis::Exposure> =
                d.analysed().exposures_of(r.node).collect();
            let findings: Vec<&crate::analysis::Finding> =
                d.analysed().findings_of(r.node).collect();
            findings_section(&mut md, &findings);
            let json = match r.tab {
                Tab::Relations => {
                    let _ = writeln!(md, "## Relationships\n");
                    let mut rels = Vec::new();
                    let mut group = String::new();
                    for row in &r.relations {
                        match row {
                            RelRow::Group(g) => {
                                let _ = writeln!(md, "\n### {}\n", md_cell(g));
                                group = g.clone();
                            }
                            RelRow::Item { node, text } => {
                                let other = d.graph.node(*node);
                                let _ = writeln!(md, "- {} `{}`", md_cell(text), other.id);
                                rels.push(json!({"relationship": group, "id": other.id, "kind": other.kind().label(), "name": other.name, "text": text}));
                            }
                        }
                    }
                    let _ = writeln!(md);
                    serde_json::to_string_pretty(
                        &json!({"resource": n, "findings": findings, "relationships": rels}),
                    )
                    .ok()?
                }
                Tab::Why => {
                    exposure_section(&mut md, d, "Internet exposure", &exposures);
                    let blocked: Vec<_> = r.answers.iter().filter(|a| !a.reachable).collect();
                    if !blocked.is_empty() {
                        let _ = writeln!(md, "## Blocked\n");
                        for a in blocked {
                            let _ =
                                writeln!(md, "- **{}** blocked by:", crate::labels::ports_asked(a));
                            for h in &a.blocked_by {
                                let _ = writeln!(
                                    md,
                                    "  - {} `{}`: {}",
                                    h.kind.label(),
                                    h.id,
                                    md_cell(&h.detail)
                                );
                            }
                        }
                    }
                    serde_json::to_string_pretty(
                        &json!({"resource": n, "findings": findings, "exposures": exposures, "explanations": r.answers}),
                    )
                    .ok()?
                }
                Tab::Permissions => {
                    let mut engine = crate::analysis::iam::Engine::new(&d.graph);
                    let found = engine.permissions(r.node);
                    let _ = writeln!(
                        md,
                        "## Permissions\n\n```\n{}```",
                        crate::report::permissions_text(&n.id, &found)
                    );
                    serde_json::to_string_pretty(
                        &json!({"resource": n, "findings": findings, "permissions": found}),
                    )
                    .ok()?
                }
                Tab::Blast | Tab::Respond => {
                    // The incident note: the finding, the resource, its
                    // exposure, its blast radius, what to do, and where
                    // its history is.
                    let start = crate::analysis::blast::start_of(&d.graph, r.node)
                        .map(|(s, _)| s)
                        .unwrap_or(r.node);
                    let target = d.graph.node(start);
                    if let crate::model::NodeData::GuardDutyFinding(f) = &n.data {
                        let _ = writeln!(
                            md,
                            "## GuardDuty finding\n\n- type: `{}`\n- severity: {:.1}\n- {}\n\n{}\n",
                            md_cell(&f.finding_type),
                            f.severity,
                            md_cell(f.title.as_deref().unwrap_or("")),
                            md_cell(f.description.as_deref().unwrap_or(""))
                        );
                    }
                    if start != r.node {
                        let _ = writeln!(
                            md,
                            "## Resource

{} `{}` ({})
",
                            target.kind().label(),
                            target.id,
                            md_cell(target.display_name())
                        );
                    }
                    let exposed: Vec<&crate::analysis::Exposure> =
                        d.analysed().exposures_of(start).collect();
                    exposure_section(&mut md, d, "Internet exposure", &exposed);
                    let mut engine = crate::analysis::iam::Engine::new(&d.graph);
                    let mut network = crate::analysis::blast::network::Search::new(&d.graph);
                    let blast = crate::analysis::blast::blast_radius(
                        &mut engine,
                        &mut network,
                        r.node,
                        crate::analysis::blast::Limits::default(),
                    )
                    .ok();
                    if let Some(b) = &blast {
                        let _ = writeln!(
                            md,
                            "## Blast radius

```
{}```
",
                            crate::report::blast_radius_text(b)
                        );
                    }
                    let plan = crate::analysis::respond::respond(&d.graph, r.node, now).ok();
                    if let Some(p) = &plan {
                        let steps = crate::report::respond_markdown(p);
                        let body = steps
                            .split_once("\n## ")
                            .map_or(String::new(), |(_, rest)| rest.replace("\n## ", "\n### "));
                        let _ = writeln!(md, "## What to do now\n\n### {body}");
                    }
                    let _ = writeln!(md, "## Who changed it\n");
                    let history = history_section(&mut md, histories.get(&target.id), &target.id);
                    serde_json::to_string_pretty(&json!({
                        "resource": n, "findings": findings, "exposures": exposed,
                        "blast_radius": blast, "respond": plan, "history": history,
                    }))
                    .ok()?
                }
                Tab::Detail => {
                    let props = serde_json::to_string_pretty(&n.data).ok()?;
                    let _ = writeln!(md, "```json\n{props}\n```");
                    serde_json::to_string_pretty(&json!({"resource": n, "findings": findings}))
                        .ok()?
                }
            };
            Some(Export {
                stem: format!(
                    "skyhound-{}-{}-{stamp}",
                    slug(r.tab.title()),
                    slug(n.display_name())
                ),
                markdown: crate::text::inert_text(&md).into_owned(),
                json,
            })
        }
        View::Checks(c) => {
            let (account, region) = scope.label(d);
            let mut md = String::new();
            let _ = writeln!(
                md,
                "# skyhound posture checks\n\nSource: {source}, collected {collected}. Scope: account {account}, region {region}.\n"
            );
            let _ = writeln!(
                md,
                "| check | CIS | epic | fail | unknown | pass | title |\n| --- | --- | --- | --- | --- | --- | --- |"
            );
            let mut checks = Vec::new();
            for r in &c.rows {
                let t = &r.tally;
                let _ = writeln!(
                    md,
                    "| `{}` | {} | {} | {} | {} | {} | {} |",
                    r.check.id,
                    r.check.cis.label(),
                    r.check.epic.label(),
                    t.failures(),
                    t.unknown,
                    t.passed,
                    md_cell(r.check.title)
                );
                checks.push(json!({
                    "check": r.check.id,
                    "cis": r.check.cis.v3_0,
                    "epic": r.check.epic,
                    "fail": t.failures(),
                    "unknown": t.unknown,
                    "pass": t.passed,
                    "worst": t.worst(),
                }));
            }
            let open: Vec<&crate::analysis::Finding> = d
                .analysed()
                .analysis
                .findings
                .iter()
                .filter(|f| scope.keeps(d, f.node))
                .collect();
            let _ = writeln!(md);
            for f in &open {
                results_section(&mut md, d, f.node, &[f]);
            }
            let results: Vec<_> = open
                .iter()
                .filter_map(|f| crate::analysis::checks::Outcome::of(f))
                .collect();
            let json = serde_json::to_string_pretty(&json!({"view": "checks", "source": source, "collected_at": d.graph.collection().collected_at, "checks": checks, "results": results})).ok()?;
            Some(Export {
                stem: format!("skyhound-checks-{stamp}"),
                markdown: crate::text::inert_text(&md).into_owned(),
                json,
            })
        }
        View::Collection { .. } => {
            let gaps = &d.graph.collection().gaps;
            let mut md = String::new();
            let _ = writeln!(
                md,
                "# skyhound collection gaps\n\nSource: {source}, collected {collected}. What could not be read, and why: answers about these accounts, regions and services are incomplete.\n"
            );
            if gaps.is_empty() {
                let _ = writeln!(md, "No gaps: every read succeeded.");
            } else {
                let _ = writeln!(
                    md,
                    "| account | region | service | operation | reason |\n| --- | --- | --- | --- | --- |"
                );
                for g in gaps {
                    let _ = writeln!(
                        md,
                        "| {} | {} | {} | {} | {} |",
                        g.account,
                        g.region.as_deref().unwrap_or("global"),
                        g.service,
                        g.operation,
                        md_cell(&g.reason)
                    );
                }
            }
            let json = serde_json::to_string_pretty(&json!({"source": source, "collected_at": d.graph.collection().collected_at, "gaps": gaps})).ok()?;
            Some(Export {
                stem: format!("skyhound-gaps-{stamp}"),
                markdown: crate::text::inert_text(&md).into_owned(),
                json,
            })
        }
        View::Overview { .. } => {
            let mut md = String::new();
            let _ = writeln!(
                md,
                "# skyhound overview\n\nSource: {source}, collected {collected}.\n"
            );
            let _ = writeln!(
                md,
                "| account | region | resources | exposed (critical/high/medium/low) | findings (critical/high/medium/low) | gaps |\n| --- | --- | --- | --- | --- | --- |"
            );
            let sev = |m: &std::collections::BTreeMap<crate::model::Severity, usize>| {
                use crate::model::Severity::*;
                [Critical, High, Medium, Low]
                    .iter()
                    .map(|s| m.get(s).copied().unwrap_or(0).to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            };
            for row in &d.overview {
                let total: usize = row.counts.values().sum();
                let _ = writeln!(
                    md,
                    "| {} {} | {} | {total} | {} | {} | {} |",
                    row.account,
                    row.account_label,
                    row.region.as_deref().unwrap_or("global"),
                    sev(d
                        .analysed()
                        .exposed_by_place
                        .get(&(row.account.clone(), row.region.clone()))
                        .unwrap_or(&Default::default())),
                    sev(&row.findings),
                    row.gaps
                );
            }
            let json = serde_json::to_string_pretty(&json!({"source": source, "collected_at": d.graph.collection().collected_at, "summary": crate::report::summary_json(&d.graph)})).ok()?;
            Some(Export {
                stem: format!("skyhound-overview-{stamp}"),
                markdown: crate::text::inert_text(&md).into_owned(),
                json,
            })
        }
    }
}

/// A resource's CloudTrail events as a Markdown table (newest first), or
/// why there are none yet; the events read, for the JSON.
fn history_section<'h>(
    md: &mut String,
    state: Option<&'h super::history::HistoryState>,
    resource: &str,
) -> Option<&'h crate::source::collect::history::History> {
    use super::history::HistoryState;
    match state {
        Some(HistoryState::Read(request, found)) => {
            let _ = writeln!(
                md,
                "CloudTrail's event history, the last {} days, looked up by {}: {}.\n",
                request.days,
                md_cell(&request.looked_up_by()),
                crate::labels::plural(found.events.len(), "event")
            );
            if !found.events.is_empty() {
                let _ = writeln!(md, "| time | event | user | source IP | request |");
                let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
            }
            for e in &found.events {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    e.time
                        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                        .unwrap_or_default(),
                    md_cell(&e.event),
                    md_cell(e.user.as_deref().unwrap_or("")),
                    md_cell(e.source_ip.as_deref().unwrap_or("")),
                    md_cell(
                        &e.request
                            .as_ref()
                            .map(|r| r.to_string())
                            .unwrap_or_default()
                    )
                );
            }
            if found.truncated {
                let _ = writeln!(
                    md,
                    "\nOnly the newest events were read (a bound of 10 pages a region)."
                );
            }
            for g in &found.gaps {
                let _ = writeln!(md, "\n- not read: {}", md_cell(g));
            }
            let _ = writeln!(md);
            Some(found)
        }
        Some(HistoryState::Reading(_)) => {
            let _ = writeln!(
                md,
                "CloudTrail's event history was still being read: export again when `:history` shows it.\n"
            );
            None
        }
        Some(HistoryState::Offline) => {
            let _ = writeln!(md, "{}\n", super::history::offline_text(resource));
            None
        }
        None => {
            let _ = writeln!(
                md,
                "Not read yet: `:history` in the explorer reads CloudTrail's event history (live), as does `skyhound history {resource}`.\n"
            );
            None
        }
    }
}
