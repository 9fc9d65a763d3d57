//! Plain-text and JSON reports for the command line: the summary of a
//! graph and one resource with its relationships.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use serde_json::{Value, json};

use crate::analysis::checks::{self, internet};
use crate::analysis::finding::{Finding, Status};
use crate::graph::{Graph, NodeId};
use crate::model::{NodeData, NodeKind, Severity};

/// Counts by kind for each region of one account (`None`: global).
type AccountRows = Vec<(Option<String>, BTreeMap<NodeKind, usize>)>;

fn account_label(graph: &Graph, account: &str) -> String {
    crate::labels::account_with_name(graph, account)
}

/// The summary: where the data came from, counts by kind per account and
/// region, and the gaps.
pub fn summary_text(graph: &Graph) -> String {
    let c = graph.collection();
    let mut out = String::new();
    let when = c
        .collected_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "unknown time".into());
    let source = if c.source.is_empty() {
        "unknown source"
    } else {
        c.source.as_str()
    };
    let _ = writeln!(out, "skyhound: {source}, collected {when}");
    let _ = writeln!(
        out,
        "{} accounts, {} regions, {} resources, {} relationships",
        c.accounts.len(),
        c.regions.len(),
        graph.len(),
        graph.edge_count()
    );
    for (_, org) in graph.nodes_of(NodeKind::Organization) {
        let members = graph.nodes_of(NodeKind::Account).filter(|(_, a)| matches!(&a.data, NodeData::Account(x) if x.organization_id.as_deref() == Some(&org.id))).count();
        let _ = writeln!(
            out,
            "organization {} ({}): {members} member accounts",
            org.id,
            org.display_name()
        );
    }
    let mut by_account: BTreeMap<String, AccountRows> = BTreeMap::new();
    for ((account, region), counts) in graph.counts() {
        by_account
            .entry(account)
            .or_default()
            .push((region, counts));
    }
    for (account, rows) in by_account {
        let _ = writeln!(out, "\n{}", account_label(graph, &account));
        for (region, counts) in rows {
            let list: Vec<String> = counts
                .iter()
                .map(|(k, n)| crate::labels::kinds(*n, *k))
                .collect();
            let _ = writeln!(
                out,
                "  {:<15} {}",
                region.as_deref().unwrap_or("global"),
                list.join(", ")
            );
        }
    }
    let external: Vec<&str> = graph
        .nodes_of(NodeKind::Account)
        .filter(|(_, n)| matches!(&n.data, NodeData::Account(a) if a.external))
        .map(|(_, n)| n.id.as_str())
        .collect();
    if !external.is_empty() {
        let _ = writeln!(
            out,
            "\nexternal accounts (referenced, not loaded): {}",
            external.join(", ")
        );
    }
    if c.gaps.is_empty() {
        let _ = writeln!(out, "\nno collection gaps");
    } else {
        let _ = writeln!(
            out,
            "\ncollection gaps ({}): what could not be read, and why",
            c.gaps.len()
        );
        // One line per place and reason, naming every operation it hit.
        let mut grouped: BTreeMap<(String, Option<String>, String), Vec<String>> = BTreeMap::new();
        for g in &c.gaps {
            grouped
                .entry((g.account.clone(), g.region.clone(), g.reason.clone()))
                .or_default()
                .push(format!("{}:{}", g.service, g.operation));
        }
        for ((account, region, reason), ops) in grouped {
            let place = match region {
                Some(r) => format!("{account}/{r}"),
                None => account,
            };
            let _ = writeln!(out, "  {place}: {reason}: {}", ops.join(", "));
        }
    }
    out
}

#[derive(Serialize)]
struct CountRow<'a> {
    account: &'a str,
    region: Option<&'a str>,
    kind: NodeKind,
    count: usize,
}

pub fn summary_json(graph: &Graph) -> Value {
    let counts = graph.counts();
    let rows: Vec<CountRow> = counts
        .iter()
        .flat_map(|((account, region), kinds)| {
            kinds.iter().map(move |(kind, count)| CountRow {
                account,
                region: region.as_deref(),
                kind: *kind,
                count: *count,
            })
        })
        .collect();
    json!({
        "collection": graph.collection(),
        "resources": graph.len(),
        "relationships": graph.edge_count(),
        "counts": rows,
    })
}

/// One relationship as seen from a node.
#[derive(Debug, Serialize)]
pub struct Relation {
    pub direction: &'static str,
    pub label: &'static str,
    pub id: String,
    pub kind: NodeKind,
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A node's relationships, outgoing then incoming, each sorted by label.
pub fn relations(graph: &Graph, id: NodeId) -> Vec<Relation> {
    let mut out: Vec<Relation> = graph
        .outgoing(id)
        .map(|e| (e, e.to, "outgoing", e.kind.label()))
        .chain(
            graph
                .incoming(id)
                .map(|e| (e, e.from, "incoming", e.kind.reverse_label())),
        )
        .map(|(e, other, direction, label)| {
            let n = graph.node(other);
            Relation {
                direction,
                label,
                id: n.id.clone(),
                kind: n.kind(),
                name: n.name.clone(),
                detail: e.detail.as_ref().map(ToString::to_string),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.direction != "outgoing", a.label, &a.id).cmp(&(
            b.direction != "outgoing",
            b.label,
            &b.id,
        ))
    });
    out
}

pub fn show_json(graph: &Graph, id: NodeId) -> Value {
    let node = graph.node(id);
    let analysis = crate::analysis::analyse(graph);
    let findings: Vec<&Finding> = analysis.findings.iter().filter(|f| f.node == id).collect();
    let mut v =
        json!({ "resource": node, "relationships": relations(graph, id), "findings": findings });
    if is_endpoint(node.kind()) {
        let exposures: Vec<&crate::analysis::Exposure> =
            analysis.exposures.iter().filter(|e| e.node == id).collect();
        v["exposures"] = serde_json::to_value(exposures).unwrap_or(Value::Null);
        v["lateral"] = serde_json::to_value(crate::analysis::lateral::lateral(graph, id))
            .unwrap_or(Value::Null);
    }
    v
}

fn is_endpoint(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Instance | NodeKind::NetworkInterface | NodeKind::LoadBalancer
    )
}

pub fn show_text(graph: &Graph, id: NodeId) -> String {
    let n = graph.node(id);
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", n.kind().label(), n.id);
    if let Some(name) = &n.name {
        let _ = writeln!(out, "  name      {name}");
    }
    if let Some(arn) = &n.arn {
        let _ = writeln!(out, "  arn       {arn}");
    }
    let _ = writeln!(out, "  account   {}", account_label(graph, &n.account));
    if let Some(r) = &n.region {
        let _ = writeln!(out, "  region    {r}");
    }
    for (k, v) in &n.tags {
        let _ = writeln!(out, "  tag       {k} = {v}");
    }
    let props = serde_json::to_value(&n.data)
        .ok()
        .and_then(|v| v.as_object().and_then(|o| o.values().next().cloned()));
    if let Some(props) = props {
        let pretty = serde_json::to_string_pretty(&props).unwrap_or_default();
        let _ = writeln!(out, "\nproperties");
        for line in pretty.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let rels = relations(graph, id);
    let _ = writeln!(out, "\nrelationships ({})", rels.len());
    for r in rels {
        let arrow = if r.direction == "outgoing" {
            "->"
        } else {
            "<-"
        };
        let name = r
            .name
            .as_deref()
            .map(|n| format!(" \"{n}\""))
            .unwrap_or_default();
        let detail = r
            .detail
            .as_deref()
            .map(|d| format!("  [{d}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {arrow} {:<28} {} {}{name}{detail}",
            r.label,
            r.kind.label(),
            r.id
        );
    }
    let analysis = crate::analysis::analyse(graph);
    let posture: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.node == id && f.check != internet::CHECK.id)
        .collect();
    if !posture.is_empty() {
        let _ = writeln!(out, "\nfindings ({})", posture.len());
        for f in posture {
            finding_lines(&mut out, f);
        }
    }
    if is_endpoint(n.kind()) {
        let exposures: Vec<&crate::analysis::Exposure> =
            analysis.exposures.iter().filter(|e| e.node == id).collect();
        if exposures.is_empty() {
            let _ = writeln!(out, "\ninternet exposure: none");
        } else {
            let _ = writeln!(out, "\ninternet exposure ({})", exposures.len());
            for e in &exposures {
                let via = match e.via {
                    crate::analysis::Via::Direct => String::new(),
                    crate::analysis::Via::LoadBalancer => {
                        format!(" {}", crate::labels::via(graph, e))
                    }
                };
                let _ = writeln!(out, "  {} open to {}{via}", e.service(), e.sources_label());
            }
        }
        let lateral = crate::analysis::lateral::lateral(graph, id);
        if !lateral.is_empty() {
            let _ = writeln!(out, "\nreachable from inside ({})", lateral.len());
            for l in lateral {
                let members = if l.members.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", l.members.join(", "))
                };
                let _ = writeln!(
                    out,
                    "  {} from {} {} ({}){members}",
                    l.ports, l.source_kind, l.source, l.scope
                );
            }
        }
    }
    out
}

/// The exposure list as a table, most open first within each resource.
pub fn exposure_text(graph: &Graph, found: &[crate::analysis::Exposure]) -> String {
    let mut out = String::new();
    if found.is_empty() {
        let _ = writeln!(out, "nothing is reachable from the internet");
        return out;
    }
    let resources: std::collections::BTreeSet<&str> =
        found.iter().map(|e| e.resource.as_str()).collect();
    let _ = writeln!(
        out,
        "{:<24} {:<26} {:<13} {:<15} {:<18} {:<30} VIA",
        "RESOURCE", "NAME", "ACCOUNT", "REGION", "OPEN", "TO"
    );
    for e in found {
        let via = crate::labels::via(graph, e);
        let via = via.strip_prefix("via ").unwrap_or(&via);
        let _ = writeln!(
            out,
            "{:<24} {:<26} {:<13} {:<15} {:<18} {:<30} {via}",
            crate::labels::short_id(&e.resource),
            e.name.as_deref().unwrap_or("-"),
            e.account,
            e.region.as_deref().unwrap_or("-"),
            e.service(),
            e.sources_label()
        );
    }
    let _ = writeln!(
        out,
        "\n{} exposures on {} resources; `skyhound explain RESOURCE --port N` shows the path",
        found.len(),
        resources.len()
    );
    out
}

fn hop_lines(out: &mut String, hops: &[crate::analysis::Hop], indent: &str) {
    for h in hops {
        let _ = writeln!(
            out,
            "{indent}{:<18} {:<24} {}",
            h.kind.label(),
            h.id,
            h.detail
        );
    }
}

/// Explanations as text: the path, or what blocks.
pub fn explain_text(graph: &Graph, id: NodeId, answers: &[crate::analysis::Explanation]) -> String {
    let n = graph.node(id);
    let mut out = String::new();
    let name = n
        .name
        .as_deref()
        .map(|x| format!(" ({x})"))
        .unwrap_or_default();
    if answers.is_empty() {
        let _ = writeln!(
            out,
            "{} {}{name}: no security group rule opens any port to an address range, and no load balancer forwards to it: not reachable from the internet",
            n.kind(),
            n.id
        );
        return out;
    }
    for a in answers {
        let from = a
            .source
            .map(|s| format!("from {s}"))
            .unwrap_or_else(|| "from the internet".into());
        let _ = writeln!(
            out,
            "{} {}{name}: {} {from}",
            n.kind(),
            n.id,
            crate::labels::ports_asked(a)
        );
        let _ = writeln!(out, "  {}", crate::labels::reach_verdict(graph, a));
        for t in &a.attempts {
            let how = match t.via {
                crate::analysis::Via::Direct => format!("direct, through {}", t.through),
                crate::analysis::Via::LoadBalancer => format!(
                    "through load balancer {} (listener {} -> target port {})",
                    crate::labels::name_or_short_id(graph, &t.through),
                    t.listener_port.map(|p| p.to_string()).unwrap_or_default(),
                    t.target_port.map(|p| p.to_string()).unwrap_or_default()
                ),
            };
            if t.reachable {
                let _ = writeln!(out, "  open: {how}");
                hop_lines(&mut out, &t.path, "    ");
            } else {
                let _ = writeln!(out, "  blocked: {how}");
                hop_lines(&mut out, &t.blocked_by, "    ");
            }
        }
        let _ = writeln!(out);
    }
    out
}

pub fn explain_json(graph: &Graph, id: NodeId, answers: &[crate::analysis::Explanation]) -> Value {
    if let [one] = answers {
        return serde_json::to_value(one).unwrap_or(Value::Null);
    }
    let n = graph.node(id);
    let reachable = answers.iter().any(|a| a.reachable);
    let first_open = answers.iter().find(|a| a.reachable);
    let blocked: Vec<&crate::analysis::Hop> = if reachable {
        Vec::new()
    } else {
        answers.iter().flat_map(|a| a.blocked_by.iter()).collect()
    };
    json!({
        "resource": n.id,
        "name": n.name,
        "reachable": reachable,
        "path": first_open.map(|a| a.path.clone()).unwrap_or_default(),
        "blocked_by": blocked,
        "answers": answers,
    })
}

/// One finding as text: the title, the evidence and what to do.
fn finding_lines(out: &mut String, f: &Finding) {
    let status = match f.status {
        Status::Fail => "",
        Status::Unknown => " (unknown: not collected)",
        Status::Pass => " (pass)",
    };
    let name = f
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  [{}] {}{name}: {}{status}",
        f.severity.label().to_uppercase(),
        f.resource,
        f.title
    );
    for e in &f.evidence {
        let _ = writeln!(out, "      evidence: {}", e.describe());
    }
    let _ = writeln!(out, "      fix: {}", f.remediation.text);
    for c in &f.remediation.commands {
        let _ = writeln!(out, "        $ {c}");
    }
}

/// Which findings a person asked for.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub check: Option<String>,
    /// This severity or worse.
    pub severity: Option<Severity>,
}

impl FindingFilter {
    pub fn keeps(&self, f: &Finding) -> bool {
        self.check.as_deref().is_none_or(|c| c == f.check)
            && self.severity.is_none_or(|s| f.severity >= s)
    }
}

/// Every finding, worst first, grouped under its check.
pub fn findings_text(findings: &[&Finding]) -> String {
    let mut out = String::new();
    if findings.is_empty() {
        let _ = writeln!(out, "no findings");
        return out;
    }
    let mut by_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_check.entry(f.check).or_default().push(f);
    }
    for c in checks::ALL {
        let Some(list) = by_check.get(c.id) else {
            continue;
        };
        let _ = writeln!(out, "{} ({}): {}", c.id, list.len(), c.title);
        for f in list {
            finding_lines(&mut out, f);
        }
        let _ = writeln!(out);
    }
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in findings {
        *counts.entry(f.severity).or_default() += 1;
    }
    let by_severity: Vec<String> = counts
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {}", s.label()))
        .collect();
    let _ = writeln!(
        out,
        "{} findings: {}",
        findings.len(),
        by_severity.join(", ")
    );
    out
}

/// The check registry as a table.
pub fn checks_text() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<36} {:<16} {:<9} {:<24} TITLE: WHAT IT LOOKS FOR",
        "CHECK", "CIS", "SEVERITY", "EPIC"
    );
    for c in checks::ALL {
        let _ = writeln!(
            out,
            "{:<36} {:<16} {:<9} {:<24} {}: {}",
            c.id,
            c.cis.label(),
            c.severity.label(),
            c.epic.label(),
            c.title,
            c.description
        );
    }
    out
}

/// `skyhound checks`: per epic, each check's passes, failures and
/// unknowns; then the failures and unknowns with evidence and remediation.
pub fn check_results_text(
    results: &[(checks::Outcome, &Finding)],
    selection: &checks::Selection,
) -> String {
    let mut out = String::new();
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for (o, _) in results {
        let slot = match o.status {
            Status::Pass => 0,
            Status::Fail => 1,
            Status::Unknown => 2,
        };
        counts.entry(o.check).or_default()[slot] += 1;
    }
    for epic in checks::Epic::ALL {
        let in_epic: Vec<&checks::Check> = checks::ALL
            .iter()
            .copied()
            .filter(|c| c.epic == *epic && selection.keeps_check(c))
            .collect();
        if in_epic.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", epic.label().to_uppercase());
        let _ = writeln!(
            out,
            "  {:<40} {:<20} {:>5} {:>5} {:>7}  TITLE",
            "CHECK", "CIS", "PASS", "FAIL", "UNKNOWN"
        );
        for c in in_epic {
            let [pass, fail, unknown] = counts.get(c.id).copied().unwrap_or_default();
            let note = if pass + fail + unknown == 0 {
                " (nothing to check)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:<40} {:<20} {pass:>5} {fail:>5} {unknown:>7}  {}{note}",
                c.id,
                c.cis.label(),
                c.title
            );
        }
        let _ = writeln!(out);
    }
    let open: Vec<&Finding> = results
        .iter()
        .filter(|(o, _)| o.status != Status::Pass)
        .map(|(_, f)| *f)
        .collect();
    let passed = results.len() - open.len();
    if open.is_empty() {
        let _ = writeln!(out, "{passed} passed, nothing failed or unknown");
        return out;
    }
    let _ = writeln!(out, "FAILURES AND UNKNOWNS\n");
    out.push_str(&findings_text(&open));
    let _ = writeln!(out, "{passed} passed");
    out
}

/// `skyhound can`: the decision, why, and the statements behind it.
pub fn can_text(a: &crate::analysis::iam::Answer) -> String {
    use crate::analysis::iam::Decision;
    let verdict = match a.decision {
        Decision::Allow => "ALLOWED",
        Decision::Deny => "DENIED",
        Decision::Conditional => "ALLOWED ONLY IF",
    };
    let why = if a.decision == Decision::Allow {
        String::new()
    } else {
        format!(": {}", a.reason)
    };
    let mut out = format!(
        "{} -> {} on {}\n  {verdict}{why}\n",
        a.principal, a.action, a.resource
    );
    for c in &a.conditions {
        let _ = writeln!(out, "    condition: {c}");
    }
    for e in &a.evidence {
        let effect = match e.effect {
            crate::analysis::finding::Effect::Allow => "allow",
            crate::analysis::finding::Effect::Deny => "deny",
        };
        let _ = writeln!(out, "  {effect:<5} {:<9} {}", e.kind.label(), e.named());
    }
    for n in &a.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}

/// `skyhound admins`: each admin, how, and the statement that makes it so.
pub fn admins_text(admins: &[crate::analysis::iam::Admin]) -> String {
    use crate::analysis::iam::AdminKind;
    if admins.is_empty() {
        return "no user or role is admin, or can make itself admin in one step\n".into();
    }
    let mut out = String::new();
    for a in admins {
        let kind = match a.kind {
            AdminKind::Full => "ADMIN",
            AdminKind::Conditional if a.cut_down => "ADMIN EXCEPT",
            AdminKind::Conditional => "ADMIN IF",
            AdminKind::SelfEscalation => "CAN MAKE ITSELF ADMIN",
        };
        let _ = writeln!(out, "{kind:<22} {}", a.principal);
        if let Some(step) = &a.step {
            let _ = writeln!(out, "  by {step}");
        }
        for e in &a.evidence {
            let _ = writeln!(out, "  {:<9} {}", e.kind.label(), e.named());
        }
        for l in &a.limits {
            let _ = writeln!(out, "  limit: {l}");
        }
    }
    let _ = writeln!(out, "{}", crate::labels::plural(admins.len(), "principal"));
    let mut notes: Vec<&String> = admins.iter().flat_map(|a| &a.notes).collect();
    notes.sort();
    notes.dedup();
    for n in notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

/// "3/62 (+1 if)": how many actions of one access level are allowed, of
/// how many the service has, and how many more under conditions.
pub fn level_count(l: &crate::analysis::iam::permissions::LevelCount) -> String {
    let conditional = if l.conditional > 0 {
        format!(" (+{} if)", l.conditional)
    } else {
        String::new()
    };
    format!("{}/{}{conditional}", l.allowed, l.of)
}

/// "Read 1/62 · Write 3/40": a service's access levels in one line.
pub fn level_counts(s: &crate::analysis::iam::permissions::ServicePermissions) -> String {
    s.levels
        .iter()
        .map(|l| format!("{} {}", l.level.label(), level_count(l)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `skyhound permissions`: service by service, how much of each access
/// level, then the actions with their resources and statements.
pub fn permissions_text(
    principal: &str,
    found: &[crate::analysis::iam::permissions::ServicePermissions],
) -> String {
    use crate::analysis::iam::Decision;
    if found.is_empty() {
        return format!("{principal} may do nothing\n");
    }
    let mut out = format!(
        "{principal} may use {}:\n",
        crate::labels::plural(found.len(), "service")
    );
    for s in found {
        let _ = writeln!(out, "{} ({}): {}", s.service, s.name, level_counts(s));
        for l in &s.levels {
            let names: Vec<String> = s
                .actions
                .iter()
                .filter(|p| p.level == l.level)
                .map(|p| {
                    let name = p.action.split_once(':').map_or(p.action.as_str(), |x| x.1);
                    let on = if p.resources.iter().any(|r| r == "*") {
                        String::new()
                    } else {
                        format!(" on {}", p.resources.join(", "))
                    };
                    let how = if p.decision == Decision::Conditional {
                        " IF"
                    } else {
                        ""
                    };
                    format!("{name}{how}{on}")
                })
                .collect();
            let plain = names.iter().all(|n| !n.contains(' '));
            let missing: Vec<&str> = crate::analysis::iam::catalogue::get()
                .service(&s.service)
                .map(|svc| {
                    svc.actions
                        .iter()
                        .filter(|a| a.level == l.level && !names.iter().any(|n| n == a.name))
                        .map(|a| a.name)
                        .collect()
                })
                .unwrap_or_default();
            let shown = if plain && missing.is_empty() {
                format!("all {}", l.of)
            } else if plain && missing.len() <= 8 && names.len() > missing.len() {
                format!("all {} but {}", l.of, missing.join(", "))
            } else if names.len() > 8 {
                format!("{}, … +{} more", names[..8].join(", "), names.len() - 8)
            } else {
                names.join(", ")
            };
            let _ = writeln!(out, "  {}: {shown}", l.level.label());
        }
        let mut by: Vec<String> = s
            .actions
            .iter()
            .flat_map(|p| &p.evidence)
            .map(|e| format!("{} {}", e.kind.label(), e.named()))
            .collect();
        by.sort();
        by.dedup();
        for b in by {
            let _ = writeln!(out, "    by {b}");
        }
        let mut conditions: Vec<&String> = s.actions.iter().flat_map(|p| &p.conditions).collect();
        conditions.sort();
        conditions.dedup();
        for c in conditions {
            let _ = writeln!(out, "    if {c}");
        }
    }
    out
}

/// `skyhound escalation`: each principal that can become admin, step by
/// step, with the statements behind each step.
pub fn escalation_text(found: &[crate::analysis::iam::Escalation]) -> String {
    if found.is_empty() {
        return "no user or role that is not admin can become admin\n".into();
    }
    let mut out = String::new();
    for e in found {
        let how = if e.conditional {
            " if conditions hold"
        } else {
            ""
        };
        let through = if e.target == e.principal {
            "itself".to_string()
        } else {
            e.target.clone()
        };
        let _ = writeln!(
            out,
            "{} can become admin{how} as {through} in {}",
            e.principal,
            crate::labels::plural(e.steps.len(), "step")
        );
        for (i, s) in e.steps.iter().enumerate() {
            let via = s
                .via
                .as_deref()
                .map(|v| format!(" via {v}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}. {} → {}: {}{via} ({})",
                i + 1,
                s.from,
                s.to,
                s.technique,
                s.actions.join(", ")
            );
            for ev in &s.evidence {
                let _ = writeln!(out, "     {:<9} {}", ev.kind.label(), ev.named());
            }
            for c in &s.conditions {
                let _ = writeln!(out, "     if {c}");
            }
        }
    }
    let _ = writeln!(out, "{}", crate::labels::plural(found.len(), "principal"));
    out
}

/// `skyhound who-can`: each principal allowed, and how.
pub fn who_can_text(
    action: &str,
    resource: &str,
    answers: &[crate::analysis::iam::Answer],
) -> String {
    use crate::analysis::iam::Decision;
    let mut out = format!("who can {action} on {resource}:\n");
    if answers.is_empty() {
        out.push_str("  no user or role\n");
    }
    for a in answers {
        let how = match a.decision {
            Decision::Allow => "allowed",
            _ => "only if",
        };
        let by: Vec<String> = a
            .evidence
            .iter()
            .map(|e| format!("{} statement {}", e.policy, e.statement))
            .collect();
        let why = if by.is_empty() {
            a.reason.clone()
        } else {
            by.join("; ")
        };
        let _ = writeln!(out, "  {how:<8} {}  ({why})", a.principal);
        for c in &a.conditions {
            let _ = writeln!(out, "           if {c}");
        }
    }
    out
}

/// `skyhound trust`: each role's trusted principals, widest reach first.
pub fn trust_text(trusts: &[crate::analysis::iam::Trust]) -> String {
    let rank = |scope: &str| match scope {
        "public" => 0,
        "external" => 1,
        "federated" => 2,
        "organization" => 3,
        "same-account" => 4,
        _ => 5,
    };
    let mut sorted: Vec<&crate::analysis::iam::Trust> = trusts.iter().collect();
    sorted.sort_by_key(|t| (rank(t.scope), t.role.clone()));
    let mut out = String::new();
    for t in sorted {
        let mut holds = Vec::new();
        if t.external_id {
            holds.push("ExternalId required".to_string());
        } else if matches!(t.scope, "external" | "public") {
            holds.push("no ExternalId".to_string());
        }
        if t.mfa {
            holds.push("MFA".to_string());
        }
        let _ = writeln!(
            out,
            "{:<13} {}  trusts {} {}{}",
            t.scope.to_uppercase(),
            t.role,
            t.principal_type,
            t.principal,
            if holds.is_empty() {
                String::new()
            } else {
                format!(" ({})", holds.join(", "))
            }
        );
        if !t.assumable_by.is_empty() {
            let _ = writeln!(out, "  assumable by: {}", t.assumable_by.join(", "));
        }
    }
    out
}

/// `skyhound blast-radius`: the summary, the story, then each part with
/// its evidence.
pub fn blast_radius_text(b: &crate::analysis::blast::BlastRadius) -> String {
    use crate::analysis::blast::ports_text;
    let mut out = String::new();
    if let Some(f) = &b.finding {
        let _ = writeln!(out, "finding {f} is about {}", b.resource);
    }
    let _ = writeln!(out, "{}", b.summary);
    if !b.story.is_empty() {
        let _ = writeln!(out, "\nthe attack, step by step");
        for (i, s) in b.story.iter().enumerate() {
            let _ = writeln!(out, "  {}. {:<18} {}", i + 1, s.step, s.detail);
        }
    }
    let _ = writeln!(out, "\nnetwork ({})", b.network.len());
    for r in &b.network {
        let name = r
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let via = if r.hops > 1 {
            format!(", {} hops, from {}", r.hops, r.from)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} {}{name}: {} {}{via}",
            r.kind.label(),
            r.resource,
            r.protocol,
            ports_text(r.from_port, r.to_port)
        );
        for h in &r.evidence {
            let assumed = if h.assumed { " (assumed)" } else { "" };
            let _ = writeln!(
                out,
                "      {} {}: {}{assumed}",
                h.kind.label(),
                h.id,
                h.detail
            );
        }
    }
    let id = &b.identity;
    let _ = writeln!(out, "\nidentity");
    if id.principals.is_empty() {
        let _ = writeln!(out, "  no credentials on it");
    }
    for p in &id.principals {
        let admin = if id.admins.contains(p) {
            " — ADMIN"
        } else {
            ""
        };
        let _ = writeln!(out, "  credentials of {p}{admin}");
    }
    if let Some(e) = &id.escalation {
        let _ = writeln!(
            out,
            "  can become admin as {} in {}",
            e.target,
            crate::labels::plural(e.steps.len(), "step")
        );
        for (i, s) in e.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "    {}. {} → {}: {} ({})",
                i + 1,
                s.from,
                s.to,
                s.technique,
                s.actions.join(", ")
            );
        }
    }
    for r in id.reached.iter().take(10) {
        let how = if r.conditional {
            " if conditions hold"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  can become {} (account {}){how}",
            r.principal, r.account
        );
        for s in &r.steps {
            let ev: Vec<String> = s.evidence.iter().map(|e| e.named()).collect();
            let _ = writeln!(out, "    {}: {} — {}", s.technique, s.to, ev.join("; "));
        }
    }
    if id.reached.len() > 10 {
        let _ = writeln!(out, "  … and {} more principals", id.reached.len() - 10);
    }
    if !id.accounts.is_empty() {
        let _ = writeln!(out, "  accounts reached: {}", id.accounts.join(", "));
    }
    for p in &id.principals {
        let services: Vec<_> = id
            .permissions
            .iter()
            .filter(|s| &s.principal == p)
            .collect();
        if id.admins.contains(p) {
            let _ = writeln!(
                out,
                "  {p} may do every action on every resource ({} services)",
                services.len()
            );
            continue;
        }
        let _ = writeln!(out, "  {p} may do, by service:");
        for s in services.iter().take(12) {
            let levels: Vec<String> = s.levels.iter().map(level_count).collect();
            let _ = writeln!(out, "    {:<14} {}", s.service, levels.join(", "));
        }
        if services.len() > 12 {
            let _ = writeln!(
                out,
                "    … and {} more services (skyhound permissions {p} lists them)",
                services.len() - 12
            );
        }
    }
    for n in &id.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    let _ = writeln!(out, "\ndata ({})", b.data.len());
    for d in &b.data {
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
        let _ = writeln!(
            out,
            "  {} {}: {}",
            d.kind.label(),
            d.label(),
            access.join(", ")
        );
        for g in &d.evidence {
            let ev: Vec<String> = g.evidence.iter().map(|e| e.named()).collect();
            let _ = writeln!(
                out,
                "      {} by {} as {}: {}",
                g.action,
                g.principal,
                g.access.label(),
                ev.join("; ")
            );
            for c in &g.conditions {
                let _ = writeln!(out, "        if {c}");
            }
        }
    }
    for bound in &b.bounds {
        let _ = writeln!(
            out,
            "\nbound ({}, {}): {}",
            bound.part, bound.limit, bound.detail
        );
    }
    out
}

/// ` (bill-web-server)` after a resource's id, when its name is not the id.
fn respond_name(plan: &crate::analysis::respond::Plan) -> String {
    plan.name
        .as_deref()
        .filter(|n| *n != plan.resource)
        .map(|n| format!(" ({n})"))
        .unwrap_or_default()
}

/// `skyhound respond`: the steps by phase, each with its command.
pub fn respond_text(plan: &crate::analysis::respond::Plan) -> String {
    let mut out = String::new();
    let name = respond_name(plan);
    let _ = writeln!(
        out,
        "responding to {} {}{name}",
        plan.kind.label(),
        plan.resource
    );
    if let Some(f) = &plan.finding {
        let _ = writeln!(out, "for finding {f}");
    }
    let _ = writeln!(
        out,
        "skyhound runs none of these: read each, then run it yourself"
    );
    let mut phase = None;
    for (i, s) in plan.steps.iter().enumerate() {
        if phase != Some(s.phase) {
            phase = Some(s.phase);
            let _ = writeln!(out, "\n{}", s.phase.label().to_uppercase());
        }
        let _ = writeln!(out, "  {}. {}", i + 1, s.title);
        if let Some(c) = &s.command {
            let _ = writeln!(out, "     $ {c}");
        }
        if let Some(w) = &s.warning {
            let _ = writeln!(out, "     ! {w}");
        }
    }
    out
}

/// `skyhound respond --markdown`: the same, for a ticket.
pub fn respond_markdown(plan: &crate::analysis::respond::Plan) -> String {
    let mut out = String::new();
    let name = respond_name(plan);
    let _ = writeln!(
        out,
        "# Response: {} `{}`{name}\n",
        plan.kind.label(),
        plan.resource
    );
    if let Some(f) = &plan.finding {
        let _ = writeln!(out, "For GuardDuty finding `{f}`.\n");
    }
    let _ = writeln!(
        out,
        "Steps written by skyhound from what was collected; none has been run.\n"
    );
    let mut phase = None;
    for (i, s) in plan.steps.iter().enumerate() {
        if phase != Some(s.phase) {
            phase = Some(s.phase);
            let label = s.phase.label();
            let mut c = label.chars();
            let title: String = c
                .next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default();
            let _ = writeln!(out, "## {title}\n");
        }
        let _ = writeln!(out, "{}. {}", i + 1, s.title);
        if let Some(c) = &s.command {
            let _ = writeln!(out, "   ```sh\n   {c}\n   ```");
        }
        if let Some(w) = &s.warning {
            let _ = writeln!(out, "   > **Warning:** {w}");
        }
        let _ = writeln!(out);
    }
    out
}

/// `skyhound history`: one line per event, newest first.
pub fn history_text(what: &str, events: &[crate::source::collect::history::Event]) -> String {
    let mut out = String::new();
    if events.is_empty() {
        let _ = writeln!(out, "no management events name {what} in the period read");
        return out;
    }
    for e in events {
        let time = e
            .time
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "(no time)".into());
        let request = e
            .request
            .as_ref()
            .map(|r| {
                let text = r.to_string();
                let short: String = text.chars().take(160).collect();
                if short.len() < text.len() {
                    format!(" {short}…")
                } else {
                    format!(" {short}")
                }
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{time}  {:<9} {}  by {}  from {}{request}",
            e.region,
            e.event,
            e.user.as_deref().unwrap_or("?"),
            e.source_ip.as_deref().unwrap_or("?")
        );
    }
    let _ = writeln!(
        out,
        "{} naming {what}",
        crate::labels::plural(events.len(), "event")
    );
    out
}
