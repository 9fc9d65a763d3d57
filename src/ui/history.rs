//! Drawing `:history`: who changed a resource — its CloudTrail events,
//! newest first, and the selected event's request below them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{inert, on_selection, panel};
use crate::app::App;
use crate::app::data::Data;
use crate::app::history::{HistoryState, HistoryView, offline_text};
use crate::theme::Role;

pub fn history(f: &mut Frame, app: &App, d: &Data, area: Rect, h: &HistoryView) {
    let t = &app.theme;
    let n = d.graph.node(h.node);
    let title = format!(
        "who changed {} {}",
        n.kind().label(),
        inert(n.display_name())
    );
    let block = panel(t, &title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let state = app.histories.get(&h.resource);
    let mut head: Vec<Line> = Vec::new();
    let events = match state {
        Some(HistoryState::Reading(r) | HistoryState::Read(r, _)) => {
            let account = r.place.account.as_deref().unwrap_or("of the credentials");
            let said = format!(
                "CloudTrail's event history, the last {} days · account {account} · {} · by {}",
                r.days,
                r.place.regions.join(", "),
                r.looked_up_by()
            );
            for l in crate::text::wrap(&said, usize::from(inner.width.max(20))) {
                head.push(Line::styled(inert(&l).into_owned(), t.style(Role::Muted)));
            }
            match state {
                Some(HistoryState::Read(_, found)) => {
                    let mut said = crate::labels::plural(found.events.len(), "event");
                    if found.truncated {
                        said.push_str(", only the newest (10 pages a region)");
                    }
                    head.push(Line::styled(said, t.style(Role::Title)));
                    for g in &found.gaps {
                        head.push(Line::styled(
                            inert(&format!("not read: {g}")).into_owned(),
                            t.style(Role::Warning),
                        ));
                    }
                    found.events.as_slice()
                }
                _ => {
                    head.push(Line::styled(
                        "reading… (AWS allows two requests a second: the pages are paced)",
                        t.style(Role::Accent),
                    ));
                    &[]
                }
            }
        }
        Some(HistoryState::Offline) | None => {
            for l in crate::text::wrap(&offline_text(&h.resource), usize::from(inner.width.max(20)))
            {
                head.push(Line::styled(inert(&l).into_owned(), t.style(Role::Warning)));
            }
            &[]
        }
    };
    let head_height = u16::try_from(head.len()).unwrap_or(u16::MAX);
    let request = events
        .get(h.selected)
        .and_then(|e| e.request.as_ref())
        .and_then(|r| serde_json::to_string_pretty(r).ok());
    let below = if request.is_some() && inner.height >= 16 {
        inner.height / 3
    } else {
        0
    };
    let [top, table_area, bottom] = Layout::vertical([
        Constraint::Length(head_height),
        Constraint::Min(0),
        Constraint::Length(below),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(head), top);
    if events.is_empty() {
        return;
    }
    // A region column only when the events come from more than one.
    let regions = events.iter().any(|e| e.region != events[0].region);
    let page = usize::from(table_area.height.saturating_sub(1)).max(1);
    // The cursor stays in sight whatever room the head left.
    let offset = if h.selected >= h.offset + page {
        h.selected + 1 - page
    } else {
        h.offset.min(h.selected)
    };
    let rows: Vec<Row> = events
        .iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, e)| {
            let selected = i == h.selected;
            let cell = |text: String, role: Role| {
                Cell::from(on_selection(
                    Line::styled(inert(&text).into_owned(), t.style(role)),
                    selected,
                ))
            };
            let row = Row::new(
                [
                    cell(
                        e.time
                            .map(|x| x.format("%Y-%m-%d %H:%M:%S").to_string())
                            .unwrap_or_default(),
                        Role::Muted,
                    ),
                    cell(e.event.clone(), Role::Text),
                    cell(e.user.clone().unwrap_or_default(), Role::Text),
                    cell(e.source_ip.clone().unwrap_or_default(), Role::Muted),
                ]
                .into_iter()
                .chain(regions.then(|| cell(e.region.clone(), Role::Muted)))
                .collect::<Vec<_>>(),
            );
            if selected {
                row.style(t.style(Role::Selected))
            } else {
                row
            }
        })
        .collect();
    let mut titles = vec!["TIME (UTC)", "EVENT", "USER", "SOURCE IP"];
    let mut widths = vec![
        Constraint::Length(19),
        Constraint::Min(30),
        Constraint::Min(16),
        Constraint::Length(15),
    ];
    if regions {
        titles.push("REGION");
        widths.push(Constraint::Length(14));
    }
    let header = Row::new(titles).style(t.style(Role::Header));
    let table = Table::new(rows, widths).header(header);
    f.render_widget(table, table_area);
    if let Some(request) = request.filter(|_| below > 0) {
        let lines: Vec<Line> =
            std::iter::once(Line::styled("request parameters", t.style(Role::Title)))
                .chain(
                    request
                        .lines()
                        .map(|l| Line::styled(inert(l).into_owned(), t.style(Role::Text))),
                )
                .collect();
        f.render_widget(Paragraph::new(lines), bottom);
    }
}
