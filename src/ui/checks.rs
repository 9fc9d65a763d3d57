//! Drawing posture: the `:checks` table, the overview's posture by account
//! and epic, and what the side pane says about a check and its results.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::{on_selection, panel, severity_counts};
use crate::analysis::Finding;
use crate::analysis::checks::{Check, Epic};
use crate::app::App;
use crate::app::checks::{ChecksView, Tally};
use crate::app::data::Data;
use crate::model::Severity;
use crate::theme::{Role, Theme};

/// A tally's worst in words: "FAIL HIGH", "UNKNOWN", "PASS", or "-" when
/// nothing was there to check.
fn status<'a>(t: &Theme, tally: &Tally) -> Line<'a> {
    match tally.worst() {
        Some(s) => Line::styled(format!("FAIL {}", s.label().to_uppercase()), t.severity(s)),
        None if tally.unknown > 0 => Line::styled("UNKNOWN", t.style(Role::Warning)),
        None if tally.passed > 0 => Line::styled("PASS", t.style(Role::Ok)),
        None => Line::styled("-", t.style(Role::Muted)),
    }
}

fn number<'a>(t: &Theme, n: usize, role: Role) -> Line<'a> {
    if n == 0 {
        Line::styled("-", t.style(Role::Muted))
    } else {
        Line::styled(n.to_string(), t.style(role))
    }
}

/// Every check, worst first, with its failures by severity, unknowns and
/// passes in the scope.
pub fn checks(f: &mut Frame, app: &App, area: Rect, c: &ChecksView) {
    let t = &app.theme;
    let narrow = area.width < 130;
    // Below 100 columns the id (what `:check` takes) keeps its room and
    // the title gives way; the side pane and the check's list say it.
    let titled = area.width >= 100;
    // The longest check id, where there is room for it.
    let id_width = c
        .rows
        .iter()
        .map(|r| r.check.id.len())
        .max()
        .unwrap_or(30)
        .min(if narrow { 38 } else { 40 });
    let page = usize::from(area.height.saturating_sub(3));
    let rows: Vec<Row> = c
        .rows
        .iter()
        .enumerate()
        .skip(c.offset)
        .take(page)
        .map(|(i, r)| {
            let selected = i == c.selected;
            let mut cells = vec![
                Cell::from(on_selection(status(t, &r.tally), selected)),
                Cell::from(r.check.id),
            ];
            if !narrow {
                cells.push(Cell::from(r.check.cis.label()));
            }
            let failed = if r.tally.failed.is_empty() {
                Line::styled("-", t.style(Role::Muted))
            } else {
                Line::from(compact(t, &r.tally.failed))
            };
            cells.extend([
                Cell::from(on_selection(failed, selected)),
                Cell::from(on_selection(
                    number(t, r.tally.unknown, Role::Warning),
                    selected,
                )),
                Cell::from(on_selection(number(t, r.tally.passed, Role::Ok), selected)),
            ]);
            if titled {
                cells.push(Cell::from(r.check.title));
            }
            Row::new(cells).style(if selected {
                t.style(Role::Selected)
            } else {
                t.style(Role::Text)
            })
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(13),
        Constraint::Length(u16::try_from(id_width).unwrap_or(30)),
    ];
    let mut titles = vec!["STATUS", "CHECK"];
    if !narrow {
        // "2.1.4 (v1.5 2.1.5)"
        widths.push(Constraint::Length(18));
        titles.push("CIS");
    }
    widths.extend([
        Constraint::Length(12),
        Constraint::Length(7),
        Constraint::Length(5),
    ]);
    titles.extend(["FAILED", "UNKNOWN", "PASS"]);
    if titled {
        widths.push(Constraint::Min(20));
        titles.push("TITLE");
    }
    let failing = c.rows.iter().filter(|r| r.tally.failures() > 0).count();
    let unknown = c
        .rows
        .iter()
        .filter(|r| r.tally.failures() == 0 && r.tally.unknown > 0)
        .count();
    let title = format!(
        "checks: {failing} failing, {unknown} unknown, of {} (Enter: the resources, with evidence)",
        c.rows.len()
    );
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(titles).style(t.style(Role::Title)))
            .block(panel(t, &title))
            .column_spacing(1),
        area,
    );
}

/// The epics as the overview's columns: a short title for each.
const EPICS: [(Epic, &str); 5] = [
    (Epic::IdentityAndAccess, "IDENTITY"),
    (Epic::LoggingAndMonitoring, "LOGGING"),
    (Epic::InfrastructureSecurity, "INFRASTRUCTURE"),
    (Epic::DataProtection, "DATA"),
    (Epic::IncidentResponse, "INCIDENT RESPONSE"),
];

/// Failures by severity in a few characters: "4c 2m 8l".
fn compact<'a>(t: &Theme, failed: &std::collections::BTreeMap<Severity, usize>) -> Vec<Span<'a>> {
    failed
        .iter()
        .rev()
        .map(|(s, n)| {
            let letter = match s {
                Severity::Critical => 'c',
                Severity::High => 'h',
                Severity::Medium => 'm',
                Severity::Low => 'l',
            };
            Span::styled(format!("{n}{letter} "), t.severity(*s))
        })
        .collect()
}

/// One epic's cell, in a few characters: failures by severity, then
/// unknowns ("2c 9h 1m ?3"); "pass" when everything checked passed.
fn epic_cell<'a>(t: &Theme, tally: Option<&Tally>) -> Line<'a> {
    let Some(tally) = tally.filter(|x| x.applies()) else {
        return Line::styled("-", t.style(Role::Muted));
    };
    let mut spans = compact(t, &tally.failed);
    if tally.unknown > 0 {
        spans.push(Span::styled(
            format!("?{}", tally.unknown),
            t.style(Role::Warning),
        ));
    }
    if spans.is_empty() {
        spans.push(Span::styled("pass", t.style(Role::Ok)));
    }
    Line::from(spans)
}

/// Rows the posture panel wants: one per account, a header and borders.
pub fn posture_height(d: &Data) -> u16 {
    u16::try_from(d.analysed().posture.len() + 3).unwrap_or(u16::MAX)
}

/// Each account's posture by epic: what fails, by severity, and what could
/// not be told.
pub fn posture(f: &mut Frame, app: &App, d: &Data, area: Rect) {
    let t = &app.theme;
    let all = d.analysed().posture.len();
    let shown = usize::from(area.height.saturating_sub(3));
    let rows: Vec<Row> = d
        .analysed()
        .posture
        .iter()
        .take(shown)
        .map(|(account, epics)| {
            let label = crate::labels::account_name(&d.graph, account);
            let mut cells = vec![Cell::from(if label.is_empty() {
                account.clone()
            } else {
                format!("{account} {label}")
            })];
            cells.extend(
                EPICS
                    .iter()
                    .map(|(e, _)| Cell::from(epic_cell(t, epics.get(e)))),
            );
            Row::new(cells).style(t.style(Role::Text))
        })
        .collect();
    // The account's id and name, as far as a quarter of the width allows.
    let longest = d
        .analysed()
        .posture
        .keys()
        .map(|a| a.len() + 1 + crate::labels::account_name(&d.graph, a).chars().count())
        .max()
        .unwrap_or(12);
    let account = u16::try_from(longest)
        .unwrap_or(u16::MAX)
        .min(area.width / 4);
    let mut widths = vec![Constraint::Length(account.max(12))];
    widths.extend(EPICS.iter().map(|_| Constraint::Fill(1)));
    let mut header = vec!["ACCOUNT"];
    header.extend(EPICS.iter().map(|(_, h)| *h));
    let more = if shown < all {
        format!(", first {shown} of {all} accounts")
    } else {
        String::new()
    };
    let title = format!(
        "posture: failed checks (c crit, h high, m med, l low), ?unknown{more}; :checks lists them"
    );
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.style(Role::Title)))
            .block(panel(t, &title))
            .column_spacing(1),
        area,
    );
}

/// What the side pane says about a check: what it asks, where it comes
/// from, and its results in the scope.
pub fn check_lines<'a>(t: &Theme, check: &Check, tally: &Tally) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::styled(check.title.to_string(), t.style(Role::Title)),
        Line::styled(check.id.to_string(), t.style(Role::Muted)),
        Line::raw(match check.cis.label() {
            cis if cis.is_empty() => format!(
                "not a CIS control · {} · {}",
                check.epic.label(),
                check.severity.label()
            ),
            cis => format!(
                "CIS {cis} · {} · {}",
                check.epic.label(),
                check.severity.label()
            ),
        }),
        Line::raw(""),
        Line::raw(check.description.to_string()),
        Line::raw(""),
    ];
    let mut counts = severity_counts(t, &tally.failed);
    counts.spans.insert(0, Span::raw("failed: "));
    lines.push(counts);
    lines.push(Line::raw(format!(
        "unknown: {} · passed: {}",
        tally.unknown, tally.passed
    )));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Enter: the resources it fails on, each with its evidence and what to do",
        t.style(Role::Muted),
    ));
    lines
}

/// One result in the side pane: what failed, the evidence, and the fix
/// with its commands.
pub fn result_lines<'a>(t: &Theme, f: &Finding) -> Vec<Line<'a>> {
    let role = match f.status {
        crate::analysis::finding::Status::Unknown => Role::Warning,
        _ => Role::Text,
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(crate::app::view::status_badge(f), t.severity(f.severity)),
        Span::raw(" "),
        Span::styled(f.title.clone(), t.style(role)),
    ])];
    for e in &f.evidence {
        lines.push(Line::styled(
            format!("  {}", e.describe()),
            t.style(Role::Muted),
        ));
    }
    lines.push(Line::raw(format!("fix: {}", f.remediation.text)));
    for c in &f.remediation.commands {
        lines.push(Line::styled(format!("  $ {c}"), t.style(Role::Accent)));
    }
    lines
}
