//! Drawing the explorer. Everything here reads the app's state and writes
//! to the frame; nothing changes state.

mod checks;
mod history;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use crate::app::blast::Look;
use crate::app::data::Data;
use crate::app::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::app::permissions::PermissionRow;
use crate::app::view::{
    DetailRow, ListKind, ListView, RelRow, ResourceView, Tab, WhyTone, badge, columns, detail_rows,
    iam_badge,
};
use crate::app::{App, COMMANDS, Level, Mode, Status, View, suggestions};
use crate::graph::NodeId;
use crate::model::{NodeData, NodeKind, Severity};
use crate::text::inert;
use crate::theme::{Role, Theme};

/// Draw the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "terminal too small: skyhound needs {MIN_WIDTH}×{MIN_HEIGHT}, this is {}×{}",
            area.width, area.height
        );
        f.render_widget(
            Paragraph::new(msg)
                .wrap(Wrap { trim: true })
                .style(app.theme.style(Role::Warning)),
            area,
        );
        return;
    }
    let a = app.areas_in(area);
    header(f, app, a.header);
    crumbs(f, app, a.crumbs);
    match (&app.status, app.data.as_deref()) {
        (_, Some(d)) => {
            main(f, app, d, a.main);
            if let Some(side) = a.side {
                side_pane(f, app, d, side);
            }
        }
        (Status::Loading { since }, None) => {
            let secs = (app.now - *since).num_milliseconds().max(0) as f64 / 1000.0;
            let spinner =
                ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][(secs * 10.0) as usize % 10];
            let mut lines = vec![Line::raw(format!(
                "{spinner} loading {} … {secs:.1}s",
                app.source
            ))];
            if app.collecting.accounts > 0 {
                lines.push(Line::raw(""));
                lines.push(Line::raw(app.collecting.summary()));
                lines.push(Line::styled(
                    app.collecting.last.clone(),
                    app.theme.style(Role::Muted),
                ));
            }
            let p = Paragraph::new(lines).block(panel(&app.theme, "loading"));
            f.render_widget(p, a.main);
        }
        (Status::Failed(e), None) => {
            let p = Paragraph::new(vec![
                Line::styled(
                    format!("could not load {}", app.source),
                    app.theme.style(Role::Error),
                ),
                Line::raw(""),
                Line::raw(e.clone()),
                Line::raw(""),
                Line::styled("q quits", app.theme.style(Role::Muted)),
            ])
            .wrap(Wrap { trim: false })
            .block(panel(&app.theme, "error"));
            f.render_widget(p, a.main);
        }
        (Status::Ready, None) => {}
    }
    status_line(f, app, a.status);
    match &app.mode {
        Mode::Help { scroll } => help(f, app, area, *scroll),
        Mode::Find(st) => finder(f, app, area, st),
        _ => {}
    }
    make_inert(f.buffer_mut());
}

/// No cell reaches the terminal with a control or bidirectional character
/// (names, tags and descriptions come from outside): such a cell shows a
/// replacement character instead.
fn make_inert(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        if cell.symbol().chars().any(crate::text::is_unsafe) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

fn panel<'a>(theme: &Theme, title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(format!(" {title} "), theme.style(Role::Title)))
}

/// "3d ago", "5h ago", "just now".
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now - then;
    if d.num_days() > 0 {
        format!("{}d ago", d.num_days())
    } else if d.num_hours() > 0 {
        format!("{}h ago", d.num_hours())
    } else if d.num_minutes() > 0 {
        format!("{}m ago", d.num_minutes())
    } else {
        "just now".to_string()
    }
}

fn header(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    // (text, style, rank): on a narrow terminal the highest ranks go first;
    // the scope and the counts always stay.
    let mut parts: Vec<(String, Style, u8)> = Vec::new();
    match app.data.as_deref() {
        Some(d) => {
            let org = d
                .graph
                .nodes_of(NodeKind::Organization)
                .map(|(_, n)| n.display_name().to_string())
                .collect::<Vec<_>>()
                .join(",");
            let (account, region) = app.scope.label(d);
            if !org.is_empty() {
                parts.push((format!("org {org}"), t.style(Role::Text), 3));
            }
            parts.push((format!("account {account}"), t.style(Role::Text), 0));
            parts.push((format!("region {region}"), t.style(Role::Text), 0));
            let c = d.graph.collection();
            let collecting =
                matches!(app.status, Status::Loading { .. }) && app.collecting.accounts > 0;
            // Still collecting: there is no "collected at" yet.
            let when = c
                .collected_at
                .filter(|_| !collecting)
                .map(|t| format!(" · collected {}", age(t, app.now)))
                .unwrap_or_default();
            parts.push((format!("{}{when}", app.source), t.style(Role::Muted), 2));
            let gaps = match c.gaps.len() {
                0 => String::new(),
                n => format!(", {}", crate::labels::plural(n, "gap")),
            };
            if d.is_analysed() {
                let identity = if d.identity_analysed() {
                    ""
                } else {
                    ", analysing identity…"
                };
                parts.push((
                    format!(
                        "{} resources, {} open{gaps}{identity}",
                        d.graph.len(),
                        d.analysed().exposed.len()
                    ),
                    t.style(Role::Ok),
                    0,
                ));
            } else {
                parts.push((
                    format!("{} resources{gaps}, analysing exposure…", d.graph.len()),
                    t.style(Role::Warning),
                    0,
                ));
            }
            // Live data still arriving: what is shown is what is in so far.
            if collecting {
                parts.push((
                    format!("collecting: {}", app.collecting.summary()),
                    t.style(Role::Warning),
                    1,
                ));
            }
        }
        None => {
            let s = match &app.status {
                Status::Loading { .. } if app.collecting.accounts > 0 => (
                    format!("collecting: {}", app.collecting.summary()),
                    t.style(Role::Warning),
                ),
                Status::Loading { .. } => {
                    (format!("loading {}", app.source), t.style(Role::Warning))
                }
                Status::Failed(_) => ("load failed".to_string(), t.style(Role::Error)),
                Status::Ready => (String::new(), Style::default()),
            };
            parts.push((s.0, s.1, 0));
        }
    }
    let brand = " skyhound ";
    let width = |parts: &[(String, Style, u8)]| {
        brand.len() + parts.iter().map(|p| p.0.chars().count() + 3).sum::<usize>()
    };
    while width(&parts) > usize::from(area.width) {
        let Some(i) = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.2 > 0)
            .max_by_key(|(_, p)| p.2)
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(i);
    }
    let mut spans = vec![Span::styled(
        brand,
        t.style(Role::Header).add_modifier(Modifier::BOLD),
    )];
    for (text, style, _) in parts {
        spans.push(Span::styled(" │ ", t.style(Role::Muted)));
        spans.push(Span::styled(text, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn crumbs(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let trail = app.breadcrumbs();
    let ahead = if app.forward.is_empty() {
        String::new()
    } else {
        format!("  ({} ahead: ])", app.forward.len())
    };
    let room = usize::from(area.width).saturating_sub(1 + ahead.chars().count());
    let mut spans = vec![Span::raw(" ")];
    for (i, (text, current)) in trail_to_fit(&trail, room).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", t.style(Role::Muted)));
        }
        let style = if current {
            t.style(Role::Accent).add_modifier(Modifier::BOLD)
        } else {
            t.style(Role::Muted)
        };
        spans.push(Span::styled(text, style));
    }
    if !ahead.is_empty() {
        spans.push(Span::styled(ahead, t.style(Role::Muted)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The crumbs that fit in `room` columns, the current view (last) always
/// among them: the middle of a long trail gives way to "…", then the
/// first crumb, then the start of the current one's name.
fn trail_to_fit(trail: &[String], room: usize) -> Vec<(String, bool)> {
    let len = |parts: &[String]| {
        parts.iter().map(|p| p.chars().count()).sum::<usize>() + 3 * parts.len().saturating_sub(1)
    };
    let Some((current, before)) = trail.split_last() else {
        return Vec::new();
    };
    // Keep the first and as many of the last as fit.
    let mut kept: Vec<String> = before.to_vec();
    let mut elided = false;
    loop {
        let mut parts = kept.clone();
        if elided {
            parts.insert(usize::from(!parts.is_empty()).min(parts.len()), "…".into());
        }
        parts.push(current.clone());
        if len(&parts) <= room || kept.is_empty() {
            // Even alone, the current view's name may need cutting.
            let others = len(&parts) - current.chars().count();
            let fit = room.saturating_sub(others);
            let chars: Vec<char> = current.chars().collect();
            if chars.len() > fit && fit > 1 {
                if let Some(last) = parts.last_mut() {
                    *last = format!("{}…", chars[..fit - 1].iter().collect::<String>());
                }
            }
            let n = parts.len();
            return parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (p, i + 1 == n))
                .collect();
        }
        // Drop from the middle first (after the first crumb), then the first.
        if kept.len() > 1 {
            kept.remove(1);
        } else {
            kept.remove(0);
        }
        elided = true;
    }
}

fn status_line(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let line = match &app.mode {
        Mode::Command(i) => {
            let hint = suggestions(app.data.as_deref(), &i.text).join(" ");
            Line::from(vec![
                Span::styled(format!(":{}", i.text), t.style(Role::Accent)),
                Span::styled("▏", t.style(Role::Accent)),
                Span::styled(
                    format!("   {hint}  (tab completes and cycles, enter runs, esc cancels)"),
                    t.style(Role::Muted),
                ),
            ])
        }
        Mode::Filter(i) => Line::from(vec![
            Span::styled(format!("/{}", i.text), t.style(Role::Accent)),
            Span::styled("▏", t.style(Role::Accent)),
            Span::styled(
                "   filters as you type; enter keeps it, esc clears it",
                t.style(Role::Muted),
            ),
        ]),
        Mode::Ask(i) => Line::from(vec![
            Span::styled(
                match app.view() {
                    View::Resource(r) if r.tab != Tab::Why => {
                        "can it (action [resource] [key=value]…)> "
                    }
                    _ => "ask (protocol port [source])> ",
                },
                t.style(Role::Muted),
            ),
            Span::styled(i.text.clone(), t.style(Role::Accent)),
            Span::styled("▏", t.style(Role::Accent)),
        ]),
        _ => match &app.message {
            Some(m) => {
                let role = match m.level {
                    Level::Info => Role::Ok,
                    Level::Warning => Role::Warning,
                    Level::Error => Role::Error,
                };
                let room = usize::from(area.width).saturating_sub(1);
                Line::styled(format!(" {}", fit_middle(&m.text, room)), t.style(role))
            }
            None => {
                let mut spans = Vec::new();
                // Help and quit first, so narrow terminals still show them.
                let first = |a: crate::app::keymap::Action| {
                    matches!(
                        a,
                        crate::app::keymap::Action::Help | crate::app::keymap::Action::Quit
                    )
                };
                let ordered = app
                    .keymap
                    .bindings
                    .iter()
                    .filter(|b| first(b.action))
                    .chain(app.keymap.bindings.iter().filter(|b| !first(b.action)));
                // Only whole hints: a cut one ("y cop") helps nobody.
                let mut used = 0;
                for b in ordered {
                    if let (Some(k), Some(word)) = (b.keys.first(), b.status) {
                        let (key, what) = (format!(" {k}"), format!(" {word} "));
                        let len = key.chars().count() + what.chars().count();
                        if used + len > usize::from(area.width) {
                            break;
                        }
                        used += len;
                        spans.push(Span::styled(key, t.style(Role::Accent)));
                        spans.push(Span::styled(what, t.style(Role::Muted)));
                    }
                }
                Line::from(spans)
            }
        },
    };
    f.render_widget(Paragraph::new(line), area);
}

fn main(f: &mut Frame, app: &App, d: &Data, area: Rect) {
    match app.view() {
        View::Overview { selected, offset } => {
            // Posture by account below the regions, when there is room.
            let wanted = checks::posture_height(d);
            if d.is_analysed() && !d.analysed().posture.is_empty() && area.height >= 28 {
                let [top, bottom] = Layout::vertical([
                    Constraint::Min(8),
                    Constraint::Length(wanted.min(area.height / 2)),
                ])
                .areas(area);
                overview(f, app, d, top, *selected, *offset);
                checks::posture(f, app, d, bottom);
            } else {
                overview(f, app, d, area, *selected, *offset);
            }
        }
        View::Checks(c) => checks::checks(f, app, area, c),
        View::Collection { selected, offset } => collection(f, app, d, area, *selected, *offset),
        View::List(l) => list(f, app, d, area, l),
        View::Resource(r) => resource(f, app, d, area, r),
        View::History(h) => history::history(f, app, d, area, h),
    }
}

/// A cell of a selected row takes the selection's colours only: a red or
/// grey word on the selection's background can be unreadable, and the
/// words carry the meaning anyway.
fn on_selection(line: Line<'_>, selected: bool) -> Line<'_> {
    if !selected {
        return line;
    }
    let spans = line
        .spans
        .into_iter()
        .map(|s| {
            let style = Style {
                fg: None,
                bg: None,
                ..s.style
            };
            Span::styled(s.content, style)
        })
        .collect::<Vec<_>>();
    Line::from(spans)
}

fn severity_counts<'a>(t: &Theme, m: &std::collections::BTreeMap<Severity, usize>) -> Line<'a> {
    if m.is_empty() {
        return Line::styled("-", t.style(Role::Muted));
    }
    let mut spans = Vec::new();
    for s in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ] {
        if let Some(n) = m.get(&s) {
            let word = match s {
                Severity::Critical => "crit",
                Severity::High => "high",
                Severity::Medium => "med",
                Severity::Low => "low",
            };
            spans.push(Span::styled(format!("{n} {word}"), t.severity(s)));
            spans.push(Span::raw(" "));
        }
    }
    Line::from(spans)
}

fn overview(f: &mut Frame, app: &App, d: &Data, area: Rect, selected: usize, offset: usize) {
    let t = &app.theme;
    let count = |row: &crate::app::data::OverviewRow, kinds: &[NodeKind]| -> String {
        let n: usize = kinds
            .iter()
            .map(|k| row.counts.get(k).copied().unwrap_or(0))
            .sum();
        if n == 0 { "-".into() } else { n.to_string() }
    };
    // The counts keep their width; the account and the severity columns
    // share the rest.
    // Below 100 columns the VPC, SG, LB and IAM counts give way to the
    // account's name and the exposure and finding counts.
    let narrow = area.width < 100;
    let counted = |i: usize| !narrow || !matches!(i, 2 | 4 | 5 | 6);
    let widths: Vec<Constraint> = [
        Constraint::Fill(3),
        // ap-southeast-2, ap-northeast-3: fourteen characters.
        Constraint::Length(14),
        Constraint::Length(3),
        Constraint::Length(4),
        Constraint::Length(4),
        Constraint::Length(3),
        Constraint::Length(4),
        Constraint::Fill(2),
        // Finding counts by severity run longest: "2 high 2 med 1 low".
        Constraint::Fill(if narrow { 3 } else { 2 }),
        Constraint::Length(if narrow { 6 } else { 7 }),
    ]
    .into_iter()
    .enumerate()
    .filter(|(i, _)| counted(*i))
    .map(|(_, c)| c)
    .collect();
    let account_width = usize::from(
        Layout::horizontal(widths.clone())
            .spacing(1)
            .split(Rect::new(0, 0, area.width.saturating_sub(2), 1))[0]
            .width,
    );
    let height = usize::from(area.height.saturating_sub(3));
    // The posture panel may leave fewer rows than the app pages by: keep
    // the selected row on screen.
    let offset = if selected >= offset + height.max(1) {
        selected + 1 - height.max(1)
    } else {
        offset
    };
    let rows: Vec<Row> = d
        .overview
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, r)| {
            // The id and the name where both fit, else the name (the
            // header shows the id once the row is in scope).
            let both = r.account.len() + 1 + r.account_label.chars().count();
            let account = if r.account_label.is_empty() {
                r.account.clone()
            } else if both <= account_width {
                format!("{} {}", r.account, r.account_label)
            } else {
                r.account_label.clone()
            };
            let style = if i == selected {
                t.style(Role::Selected)
            } else {
                t.style(Role::Text)
            };
            let cells = vec![
                Cell::from(account),
                Cell::from(r.region.clone().unwrap_or_else(|| "global".into())),
                Cell::from(count(r, &[NodeKind::Vpc])),
                Cell::from(count(r, &[NodeKind::Instance])),
                Cell::from(count(r, &[NodeKind::SecurityGroup])),
                Cell::from(count(r, &[NodeKind::LoadBalancer])),
                Cell::from(count(r, &[NodeKind::IamUser, NodeKind::IamRole])),
                Cell::from(on_selection(
                    severity_counts(
                        t,
                        d.analysed()
                            .exposed_by_place
                            .get(&(r.account.clone(), r.region.clone()))
                            .unwrap_or(&std::collections::BTreeMap::new()),
                    ),
                    i == selected,
                )),
                Cell::from(on_selection(severity_counts(t, &r.findings), i == selected)),
                Cell::from(on_selection(
                    if r.gaps == 0 {
                        Line::styled("-", t.style(Role::Muted))
                    } else {
                        Line::styled(crate::labels::plural(r.gaps, "gap"), t.style(Role::Warning))
                    },
                    i == selected,
                )),
            ];
            let cells: Vec<Cell> = cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| counted(*i))
                .map(|(_, c)| c)
                .collect();
            Row::new(cells).style(style)
        })
        .collect();
    let header = Row::new(
        [
            "ACCOUNT", "REGION", "VPC", "EC2", "SG", "LB", "IAM", "EXPOSED", "FINDINGS", "GAPS",
        ]
        .into_iter()
        .enumerate()
        .filter(|(i, _)| counted(*i))
        .map(|(_, h)| h),
    )
    .style(t.style(Role::Title));
    let c = d.graph.collection();
    let plural = crate::labels::plural;
    let title = format!(
        "overview: {}, {} (enter scopes to a row)",
        plural(c.accounts.len(), "account"),
        plural(c.regions.len(), "region")
    );
    f.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(panel(t, &title))
            .column_spacing(1),
        area,
    );
}

/// What was read and what could not be: a row per gap (with why) and per
/// service read without one; while collecting, what is still being read.
fn collection(f: &mut Frame, app: &App, d: &Data, area: Rect, selected: usize, offset: usize) {
    use crate::app::collection::{ReadState, rows};
    let t = &app.theme;
    let all = rows(Some(d), &app.collecting);
    let gaps = all.iter().filter(|r| r.state == ReadState::Gap).count();
    let collecting = matches!(app.status, Status::Loading { .. }) && app.collecting.accounts > 0;
    let title = match (gaps, collecting) {
        (_, true) => format!("collection (live): {}", app.collecting.summary()),
        (0, false) => "collection: no gaps, every read succeeded".to_string(),
        (1, false) => "collection: 1 gap, what could not be read and why".to_string(),
        (n, false) => format!("collection: {n} gaps, what could not be read and why"),
    };
    let page = usize::from(area.height.saturating_sub(3));
    let shown: Vec<Row> = all
        .iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, r)| {
            let state = match r.state {
                ReadState::Gap => Line::styled(r.state.label(), t.style(Role::Warning)),
                ReadState::Reading => Line::styled(r.state.label(), t.style(Role::Muted)),
                ReadState::Done => Line::styled(r.state.label(), t.style(Role::Ok)),
            };
            Row::new(vec![
                Cell::from(r.account.clone()),
                Cell::from(r.region.clone().unwrap_or_else(|| "global".into())),
                Cell::from(r.service.clone()),
                Cell::from(state),
                Cell::from(r.detail.clone()),
            ])
            .style(if i == selected {
                t.style(Role::Selected)
            } else {
                t.style(Role::Text)
            })
        })
        .collect();
    let widths = [
        Constraint::Length(12),
        Constraint::Length(14),
        Constraint::Length(13),
        Constraint::Length(8),
        Constraint::Min(20),
    ];
    let header = Row::new([
        "ACCOUNT",
        "REGION",
        "SERVICE",
        "STATE",
        "WHAT FAILED, AND WHY",
    ])
    .style(t.style(Role::Title));
    f.render_widget(
        Table::new(shown, widths)
            .header(header)
            .block(panel(t, &title))
            .column_spacing(1),
        area,
    );
}

fn list(f: &mut Frame, app: &App, d: &Data, area: Rect, l: &ListView) {
    let t = &app.theme;
    let mut cols = columns(l.kind);
    // On narrow terminals, leave out the columns that matter least.
    let fits = |cols: &[crate::app::view::Column]| {
        cols.iter().map(|c| c.least() + 1).sum::<u16>() <= area.width.saturating_sub(1)
    };
    while !fits(&cols) {
        let Some(worst) = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.drop > 0)
            .max_by_key(|(_, c)| c.drop)
            .map(|(i, _)| i)
        else {
            break;
        };
        cols.remove(worst);
    }
    let sort_title = columns(l.kind).get(l.sort).map(|c| c.title);
    let height = usize::from(area.height.saturating_sub(3));
    // Only the rows on screen are read and drawn.
    let rows: Vec<Row> = l
        .rows
        .iter()
        .enumerate()
        .skip(l.offset)
        .take(height)
        .map(|(i, id)| {
            let cells: Vec<Cell> = cols
                .iter()
                .map(|c| {
                    let text = inert((c.value)(d, *id).as_str()).into_owned();
                    let style = cell_style(t, d, l.kind, c.title, *id);
                    Cell::from(on_selection(
                        Line::from(Span::styled(text, style)),
                        i == l.selected,
                    ))
                })
                .collect();
            let style = if i == l.selected {
                t.style(Role::Selected)
            } else {
                Style::default()
            };
            Row::new(cells).style(style)
        })
        .collect();
    let header = Row::new(cols.iter().map(|c| {
        let arrow = if Some(c.title) == sort_title {
            if l.reverse { " ▲" } else { " ▼" }
        } else {
            ""
        };
        Cell::from(format!("{}{arrow}", c.title))
    }))
    .style(t.style(Role::Title));
    // Names and summaries share the room that is left.
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|c| match c.flex {
            Some(_) => Constraint::Fill(c.width),
            None => Constraint::Length(c.width),
        })
        .collect();
    let filter = if l.filter.is_empty() {
        String::new()
    } else {
        format!(" /{}", l.filter)
    };
    let pos = if l.rows.is_empty() {
        "0".to_string()
    } else {
        format!("{}/{}", l.selected + 1, l.rows.len())
    };
    let sorting = if l.sorting { " sorting…" } else { "" };
    let scoped = scope_note(app, d, l);
    let title = format!("{}{filter} [{pos}]{sorting}{scoped}", l.kind.title());
    let table = Table::new(rows, widths)
        .header(header)
        .block(panel(t, &title))
        .column_spacing(1);
    f.render_widget(table, area);
    if l.rows.is_empty() {
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1,
        };
        let why = if matches!(l.kind, ListKind::Identity(_)) && !d.identity_analysed() {
            "analysing identity… (this list fills when it finishes)"
        } else if matches!(l.kind, ListKind::Exposed) && !d.is_analysed() {
            "analysing exposure… (this list fills when it finishes)"
        } else if !l.filter.is_empty() {
            "nothing matches the filter (esc clears it)"
        } else if l.outside_scope > 0 {
            "nothing here in this scope (:account all and :region all widen it)"
        } else {
            "nothing here"
        };
        f.render_widget(Paragraph::new(why).style(t.style(Role::Muted)), inner);
    }
}

/// " · scoped to bill-company, us-east-1; 3 exposed elsewhere": a scope that
/// hides rows says so, so a short list never reads as the whole answer.
fn scope_note(app: &App, d: &Data, l: &ListView) -> String {
    if app.scope.account.is_none() && app.scope.region.is_none() {
        return String::new();
    }
    let mut parts = Vec::new();
    if let Some(a) = &app.scope.account {
        let name = crate::labels::account_name(&d.graph, a);
        parts.push(if name.is_empty() { a.clone() } else { name });
    }
    if let Some(r) = &app.scope.region {
        parts.push(r.clone());
    }
    let elsewhere = match (l.outside_scope, l.kind) {
        (0, _) => String::new(),
        (n, ListKind::Exposed) => format!("; {n} exposed elsewhere"),
        (n, ListKind::Findings) => format!("; {} elsewhere", crate::labels::plural(n, "finding")),
        (n, _) => format!("; {n} more elsewhere"),
    };
    format!(" · scoped to {}{elsewhere}", parts.join(", "))
}

fn cell_style(t: &Theme, d: &Data, kind: ListKind, title: &str, id: NodeId) -> Style {
    match (kind, title) {
        (_, "EXPOSURE") => d
            .exposure(id)
            .map(|e| t.severity(e.severity))
            .unwrap_or_default(),
        (ListKind::Exposed, "WAYS IN") => t.style(Role::Exposed),
        (ListKind::Findings, "SEVERITY") => d
            .finding_severity(id)
            .map(|s| t.severity(s))
            .unwrap_or_default(),
        (_, "NAME") => t.style(Role::Text),
        // A failed check's words stand out from the settings that pass.
        (_, "INFO") if d.analysed().posture_of(id).next().is_some() => t.style(Role::Warning),
        _ => t.style(Role::Muted),
    }
}

fn tabs<'a>(t: &Theme, d: &Data, r: &ResourceView) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, tab) in Tab::of(d.graph.node(r.node).kind()).iter().enumerate() {
        let style = if *tab == r.tab {
            t.style(Role::Selected)
        } else {
            t.style(Role::Muted)
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, tab.title()), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn resource(f: &mut Frame, app: &App, d: &Data, area: Rect, r: &ResourceView) {
    let t = &app.theme;
    let n = d.graph.node(r.node);
    let title = format!("{} {}", n.kind().label(), inert(n.display_name()));
    let block = panel(t, &title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [tab_row, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(tabs(t, d, r)), tab_row);
    let height = usize::from(body.height);
    match r.tab {
        Tab::Permissions => {
            let asked = r
                .asked
                .iter()
                .map(|l| Line::styled(inert(l).into_owned(), t.style(Role::Accent)));
            let tree = r.permissions.iter().flat_map(|p| {
                p.rows().iter().enumerate().map(move |(i, row)| {
                    let role = if i == p.selected {
                        Role::Selected
                    } else {
                        match row {
                            PermissionRow::Head(_) | PermissionRow::Service { .. } => Role::Title,
                            PermissionRow::Statement { .. } | PermissionRow::Condition(_) => {
                                Role::Muted
                            }
                            PermissionRow::Action {
                                conditional: true, ..
                            } => Role::Warning,
                            PermissionRow::Level(_) | PermissionRow::Action { .. } => Role::Text,
                        }
                    };
                    let text = match row {
                        // The answer a responder looks for first.
                        PermissionRow::Head(h) => match iam_badge(d, r.node).as_str() {
                            "" => h.clone(),
                            badge => format!("{badge} · {h}"),
                        },
                        _ => row.text(),
                    };
                    Line::styled(inert(&text).into_owned(), t.style(role))
                })
            });
            let lines: Vec<Line> = asked.chain(tree).skip(r.scroll).take(height).collect();
            f.render_widget(Paragraph::new(lines), body);
        }
        Tab::Blast => {
            let lines: Vec<Line> = match &r.blast {
                Some(tree) => tree
                    .rows()
                    .iter()
                    .enumerate()
                    .skip(r.scroll)
                    .take(height)
                    .map(|(i, row)| {
                        let role = if i == tree.selected {
                            Role::Selected
                        } else {
                            match row.look {
                                Look::Head | Look::Part => Role::Title,
                                Look::Item => Role::Text,
                                Look::Alarm => Role::Warning,
                                Look::Evidence => Role::Muted,
                            }
                        };
                        Line::styled(inert(&row.text).into_owned(), t.style(role))
                    })
                    .collect(),
                None => vec![Line::styled("working it out…", t.style(Role::Muted))],
            };
            f.render_widget(Paragraph::new(lines), body);
        }
        Tab::Respond => {
            let lines: Vec<Line> = match &r.respond {
                Some(text) => text
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let role = if i == 0 {
                            Role::Title
                        } else if l.trim_start().starts_with('!') {
                            Role::Warning
                        } else if l.trim_start().starts_with('$') {
                            Role::Accent
                        } else if !l.starts_with(' ') && !l.is_empty() {
                            Role::Title
                        } else {
                            Role::Text
                        };
                        Line::styled(inert(l).into_owned(), t.style(role))
                    })
                    .collect(),
                None => vec![Line::styled("working it out…", t.style(Role::Muted))],
            };
            let max = lines.len().saturating_sub(height);
            let p = Paragraph::new(lines)
                .scroll((u16::try_from(r.scroll.min(max)).unwrap_or(u16::MAX), 0));
            f.render_widget(p, body);
        }
        Tab::Detail => {
            let lines = detail_lines(t, d, r);
            let max = lines.len().saturating_sub(height);
            let p = Paragraph::new(lines)
                .scroll((u16::try_from(r.scroll.min(max)).unwrap_or(u16::MAX), 0));
            f.render_widget(p, body);
        }
        Tab::Relations => {
            let offset = r.rel_selected.saturating_sub(height.saturating_sub(1));
            let lines: Vec<Line> = r
                .relations
                .iter()
                .enumerate()
                .skip(offset)
                .take(height)
                .map(|(i, row)| match row {
                    RelRow::Group(g) => Line::styled(g.clone(), t.style(Role::Title)),
                    RelRow::Item { node, text } => {
                        let style = if i == r.rel_selected {
                            t.style(Role::Selected)
                        } else if d.exposure(*node).is_some() {
                            t.style(Role::Exposed)
                        } else {
                            t.style(Role::Text)
                        };
                        Line::styled(format!("  {}", inert(text)), style)
                    }
                })
                .collect();
            if lines.is_empty() {
                f.render_widget(
                    Paragraph::new("no relationships").style(t.style(Role::Muted)),
                    body,
                );
            } else {
                f.render_widget(Paragraph::new(lines), body);
            }
        }
        Tab::Why => {
            let mut lines: Vec<Line> = Vec::new();
            if let Some(q) = &r.question {
                let from = q.source.map(|s| format!(" from {s}")).unwrap_or_default();
                lines.push(Line::styled(
                    format!(
                        "asked: {} {}{from}   (a asks again; esc returns)",
                        q.protocol, q.port
                    ),
                    t.style(Role::Accent),
                ));
            }
            let width = usize::from(body.width);
            let mut last_drawn = r.scroll;
            for (i, w) in r.why.iter().enumerate().skip(r.scroll) {
                let indent = "  ".repeat(usize::from(w.depth));
                // A hop is the last of its branch when the next line is not
                // a hop at the same depth.
                let last = !r
                    .why
                    .get(i + 1)
                    .is_some_and(|n| n.depth == w.depth && is_hop(n.tone));
                let glyph = match (w.tone, last) {
                    (WhyTone::Hop, false) => "├ ",
                    (WhyTone::Hop, true) => "└ ",
                    (WhyTone::BlockingHop, _) => "✗ ",
                    _ => "",
                };
                let style = if i == r.why_selected {
                    t.style(Role::Selected)
                } else {
                    match w.tone {
                        WhyTone::Heading => t.style(Role::Title).add_modifier(Modifier::BOLD),
                        WhyTone::Open(s) => t.severity(s),
                        WhyTone::Blocked => t.style(Role::Blocked),
                        WhyTone::Hop => t.style(Role::Text),
                        WhyTone::BlockingHop => t.style(Role::Error),
                        WhyTone::Note => t.style(Role::Muted),
                    }
                };
                // Wrapped lines keep the tree's indentation.
                let lead = format!("{indent}{glyph}");
                let hang = if glyph == "├ " {
                    format!("{indent}│ ")
                } else {
                    " ".repeat(lead.chars().count())
                };
                let pieces = crate::text::wrap(
                    &inert(&w.text),
                    width.saturating_sub(lead.chars().count()).max(10),
                );
                for (k, piece) in pieces.into_iter().enumerate() {
                    let prefix = if k == 0 { lead.clone() } else { hang.clone() };
                    lines.push(Line::styled(format!("{prefix}{piece}"), style));
                }
                last_drawn = i;
                if lines.len() >= usize::from(body.height) {
                    break;
                }
            }
            let below = r.why.len().saturating_sub(last_drawn + 1);
            if below > 0 && body.height > 1 {
                lines.truncate(usize::from(body.height) - 1);
                lines.push(Line::styled(
                    format!("↓ {below} more below"),
                    t.style(Role::Muted),
                ));
            }
            f.render_widget(Paragraph::new(lines), body);
        }
    }
}

/// Text cut to `room` characters in the middle, so both its start (what
/// happened) and its end (a file name) stay.
fn fit_middle(text: &str, room: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= room || room < 5 {
        return text.to_string();
    }
    let head = (room - 1) / 3;
    let tail = room - 1 - head;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

fn is_hop(tone: WhyTone) -> bool {
    matches!(tone, WhyTone::Hop | WhyTone::BlockingHop)
}

/// A resource's properties: the common fields, then its kind's properties
/// as pretty, coloured JSON (policy documents included).
fn detail_lines<'a>(t: &Theme, d: &Data, r: &ResourceView) -> Vec<Line<'a>> {
    let kv = |k: &str, v: &str, style: Style| {
        Line::from(vec![
            Span::styled(format!("{k:<10}"), t.style(Role::Muted)),
            Span::styled(inert(v).into_owned(), style),
        ])
    };
    let rows = detail_rows(d, r.node, r.highlight.as_ref());
    let selected = r
        .link
        .and_then(|k| crate::app::view::detail_link(&rows, k))
        .map(|(i, _)| i);
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| match row {
            DetailRow::Field { key, value } => kv(key, &value, t.style(Role::Text)),
            DetailRow::Finding {
                key,
                severity,
                text,
            } => kv(key, &text, t.severity(severity)),
            DetailRow::Blank => Line::raw(""),
            DetailRow::Json(l) => json_line(t, &l),
            DetailRow::Marked(l) => Line::styled(inert(&l).into_owned(), t.style(Role::Selected)),
            DetailRow::Link { text, .. } => {
                let style = if selected == Some(i) {
                    t.style(Role::Selected)
                } else {
                    t.style(Role::Accent)
                };
                kv("", &text, style)
            }
        })
        .collect()
}

/// Colour one line of pretty-printed JSON: keys, strings, numbers, literals.
pub fn json_line<'a>(t: &Theme, line: &str) -> Line<'a> {
    let mut spans = Vec::new();
    let indent_len = line.len() - line.trim_start().len();
    spans.push(Span::raw(line[..indent_len].to_string()));
    let mut rest = &line[indent_len..];
    if rest.starts_with('"') {
        if let Some(end) = closing_quote(rest) {
            let after = &rest[end + 1..];
            if let Some(after_colon) = after.strip_prefix(": ") {
                spans.push(Span::styled(
                    rest[..=end].to_string(),
                    t.style(Role::JsonKey),
                ));
                spans.push(Span::raw(": "));
                rest = after_colon;
            }
        }
    }
    let (value, tail) = match rest.strip_suffix(',') {
        Some(v) => (v, ","),
        None => (rest, ""),
    };
    let role = if value.starts_with('"') {
        Some(Role::JsonString)
    } else if matches!(value, "true" | "false" | "null") {
        Some(Role::JsonLiteral)
    } else if value.parse::<f64>().is_ok() {
        Some(Role::JsonNumber)
    } else {
        None
    };
    match role {
        Some(r) => spans.push(Span::styled(value.to_string(), t.style(r))),
        None => spans.push(Span::styled(value.to_string(), t.style(Role::Muted))),
    }
    spans.push(Span::raw(tail.to_string()));
    Line::from(spans)
}

fn closing_quote(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn side_pane(f: &mut Frame, app: &App, d: &Data, area: Rect) {
    let t = &app.theme;
    let node = app.selected_node();
    let block = panel(t, "selected");
    if let View::Checks(c) = app.view() {
        let lines = c
            .rows
            .get(c.selected)
            .map(|r| checks::check_lines(t, r.check, &r.tally))
            .unwrap_or_default();
        f.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    }
    let Some(id) = node else {
        let text = match app.view() {
            View::Overview { .. } => {
                "GuardDuty, exposure and collection gaps by account and region.\n\n:exposed    every open resource\n:findings   GuardDuty findings\n:collection what could not be read, and why\nf           find anything"
            }
            _ => "",
        };
        f.render_widget(
            Paragraph::new(text)
                .style(t.style(Role::Muted))
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    let n = d.graph.node(id);
    let mut lines = vec![
        Line::styled(
            format!("{} {}", n.kind().label(), inert(n.display_name())),
            t.style(Role::Title),
        ),
        Line::styled(n.id.clone(), t.style(Role::Muted)),
    ];
    if let Some(e) = d.exposure(id) {
        let b = badge(d, id);
        lines.push(Line::styled(
            format!("{b}: {}", e.line()),
            t.severity(e.severity),
        ));
        if e.count > 1 {
            lines.push(Line::styled(
                format!("{} ways in; w shows each", e.count),
                t.style(Role::Muted),
            ));
        }
    }
    match &n.data {
        NodeData::GuardDutyFinding(gf) => {
            lines.push(Line::styled(
                format!(
                    "{} {:.1}",
                    gf.severity_band().label().to_uppercase(),
                    gf.severity
                ),
                t.severity(gf.severity_band()),
            ));
            lines.push(Line::raw(gf.finding_type.clone()));
            if let Some(desc) = &gf.description {
                lines.push(Line::styled(desc.clone(), t.style(Role::Muted)));
            }
        }
        NodeData::Instance(i) => {
            lines.push(Line::raw(format!(
                "{} {}",
                i.state.as_deref().unwrap_or(""),
                i.instance_type.as_deref().unwrap_or("")
            )));
        }
        _ => {}
    }
    match app.view() {
        // A check's list: this resource's results of it in full.
        View::List(ListView {
            kind: ListKind::Check(check),
            ..
        }) => {
            for f in d.analysed().findings_of(id).filter(|f| f.check == *check) {
                lines.push(Line::raw(""));
                lines.extend(checks::result_lines(t, f));
            }
        }
        _ => {
            for f in d.analysed().posture_of(id) {
                lines.push(Line::styled(f.title.clone(), t.style(Role::Warning)));
            }
        }
    }
    lines.push(Line::raw(""));
    let mut groups: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for e in d.graph.outgoing(id) {
        *groups.entry(format!("→ {}", e.kind.label())).or_default() += 1;
    }
    for e in d.graph.incoming(id) {
        *groups
            .entry(format!("← {}", e.kind.reverse_label()))
            .or_default() += 1;
    }
    for (label, count) in groups {
        lines.push(Line::styled(
            format!("{label}: {count}"),
            t.style(Role::Text),
        ));
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn help(f: &mut Frame, app: &App, area: Rect, scroll: usize) {
    let t = &app.theme;
    let popup = centered(area, 90, 40);
    let mut lines = vec![Line::styled("keys", t.style(Role::Title))];
    for (keys, what) in app.keymap.help() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<18}"), t.style(Role::Accent)),
            Span::raw(what),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "commands (type : then the command; tab completes)",
        t.style(Role::Title),
    ));
    for (c, what) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("  :{c:<17}"), t.style(Role::Accent)),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "finder: f, then text; prefix a kind to narrow it (sg:web, role:admin, ec2:bill)",
        t.style(Role::Muted),
    ));
    lines.push(Line::styled(
        "badges say OPEN critical/high/medium/low in words, not only in colour",
        t.style(Role::Muted),
    ));
    f.render_widget(Clear, popup);
    let p = Paragraph::new(lines)
        .scroll((u16::try_from(scroll).unwrap_or(0), 0))
        .block(panel(t, "help: ↑↓ or j k scroll; any other key closes"));
    f.render_widget(p, popup);
}

fn finder(f: &mut Frame, app: &App, area: Rect, st: &crate::app::FindState) {
    let t = &app.theme;
    let Some(d) = app.data.as_deref() else { return };
    let popup = centered(area, 100, 24);
    f.render_widget(Clear, popup);
    let block = panel(t, "find (name, id, ARN, tag; kind prefix such as sg:web)");
    let inner = block.inner(popup);
    f.render_widget(block, popup);
    let [input, results] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", t.style(Role::Accent)),
            Span::raw(st.input.text.clone()),
            Span::styled("▏", t.style(Role::Accent)),
        ])),
        input,
    );
    let height = usize::from(results.height);
    let offset = st.selected.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = st
        .hits
        .hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, (entry, _))| {
            let id = d.finder.node(*entry);
            let n = d.graph.node(id);
            let flag = d
                .exposure(id)
                .map(|e| format!("  OPEN {}", e.severity.label()))
                .unwrap_or_default();
            let text = format!(
                "{:<18} {:<32} {}{flag}",
                n.kind().label(),
                n.display_name(),
                n.id
            );
            let style = if i == st.selected {
                t.style(Role::Selected)
            } else {
                t.style(Role::Text)
            };
            Line::styled(inert(&text).into_owned(), style)
        })
        .collect();
    let empty = st.input.text.is_empty();
    if lines.is_empty() {
        let msg = if empty {
            "type to search every resource"
        } else {
            "no match"
        };
        f.render_widget(Paragraph::new(msg).style(t.style(Role::Muted)), results);
    } else {
        f.render_widget(Paragraph::new(lines).alignment(Alignment::Left), results);
    }
}

#[cfg(test)]
mod tests {
    use super::trail_to_fit;

    #[test]
    fn a_long_trail_keeps_the_first_and_the_current_view() {
        let trail: Vec<String> = [
            "overview",
            "instances",
            "bill-web-server (detail)",
            "sg-1 (relationships)",
            "bill-database (why exposed)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(trail_to_fit(&trail, 200).len(), 5);
        let fit = trail_to_fit(&trail, 60);
        let names: Vec<&str> = fit.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.first(), Some(&"overview"));
        assert_eq!(names.last(), Some(&"bill-database (why exposed)"));
        assert!(names.contains(&"…"), "{names:?}");
        assert!(fit.last().is_some_and(|(_, current)| *current));
        let tiny = trail_to_fit(&trail, 12);
        assert!(
            tiny.last().is_some_and(|(n, _)| n.starts_with("bill-da")),
            "{tiny:?}"
        );
    }
}
