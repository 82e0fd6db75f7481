//! The claims board: the pool's unclaimed count, then one row per call
//! someone holds (call, rep, holder, lease, calibration set, submitted),
//! the selected one highlighted for a lead's reassignment.

use super::calibration::text_table;
use crate::i18n::team::board_strings;
use crate::store::Claim;
use crate::text::one_line;
use crate::tui::app::{App, ClaimsView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

/// The status-line prompt for whom the selected call goes to.
pub fn reassign_prompt(app: &App) -> String {
    let call = app
        .screen
        .claims
        .as_ref()
        .and_then(ClaimsView::selected)
        .map_or_else(String::new, |c| one_line(&c.call_id, 60));
    format!(
        "{}: ",
        board_strings(app.lang()).hand_to.replace("{call}", &call)
    )
}

/// A claim's lease as of `read_at_ms`: minutes left, run out, or none
/// (drawn for the reviewer).
fn lease_text(app: &App, claim: &Claim, read_at_ms: i64) -> String {
    let t = board_strings(app.lang());
    let left_ms = claim.expires_ms - read_at_ms;
    match (claim.claimed, left_ms > 0) {
        (false, _) => t.drawn.to_string(),
        (true, false) => t.run_out.to_string(),
        (true, true) => t
            .minutes_left
            .replace("{n}", &((left_ms + 59_999) / 60_000).to_string()),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &ClaimsView) {
    let t = board_strings(app.lang());
    let title = match view.period {
        Some(period) => format!(" {} · {period} ", t.title),
        None => format!(" {} ", t.title),
    };
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Line::styled(
        title,
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.period.is_none() {
        frame.render_widget(Paragraph::new(t.no_plan), inner);
        return;
    }
    let [pool, table_area] =
        Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(t.unclaimed.replace("{n}", &view.unclaimed.to_string())),
        pool,
    );
    if view.rows.is_empty() {
        frame.render_widget(Paragraph::new(t.nobody_holds), table_area);
        return;
    }
    let header = [t.call, t.rep, t.holder, t.lease, t.calibration, t.submitted]
        .map(str::to_string)
        .to_vec();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(view.rows.iter().map(|c| {
            vec![
                c.call_id.clone(),
                c.rep.clone(),
                c.reviewer.clone(),
                lease_text(app, c, view.read_at_ms),
                c.calibration.clone().unwrap_or_default(),
                if c.submitted { "✓" } else { "" }.to_string(),
            ]
        }))
        .collect();
    let (table, mut state) = text_table(&rows, Some(view.row));
    frame.render_stateful_widget(table, table_area, &mut state);
}
