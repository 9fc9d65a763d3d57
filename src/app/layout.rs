//! Where each part of the screen goes; shared by drawing and by the mouse
//! handling, so a click lands on what was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal the explorer draws in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// The side pane shows beside the main one from this width.
pub const SIDE_PANE_WIDTH: u16 = 140;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub crumbs: Rect,
    pub main: Rect,
    pub side: Option<Rect>,
    pub status: Rect,
}

/// Header, breadcrumbs, the main pane (with the side pane beside it on
/// terminals 140 columns wide or more), and the status line.
pub fn areas(area: Rect, side_pane: bool) -> Areas {
    let [header, crumbs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (main, side) = if side_pane && body.width >= SIDE_PANE_WIDTH {
        let [m, s] = Layout::horizontal([Constraint::Percentage(65), Constraint::Percentage(35)])
            .areas(body);
        (m, Some(s))
    } else {
        (body, None)
    };
    Areas {
        header,
        crumbs,
        main,
        side,
        status,
    }
}
