//! The visits view (the mystery shopper's visits of the period, newest
//! first) and an open visit's details, drawn in place of the player. Every
//! text of a visit is data (a visits file, a form): each is cut to one
//! line by `one_line`, which also replaces control characters.

use crate::domain::ReviewStatus;
use crate::domain::crm::Timestamp;
use crate::domain::mystery::{Verdict, Visit};
use crate::i18n::mystery::{channel, measure, mystery_strings, span, speed_text};
use crate::text::one_line;
use crate::tui::app::{App, OpenVisit, Pane, VisitRow};
use crate::tui::ui::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph, Wrap};

pub fn draw_queue(frame: &mut Frame, area: Rect, app: &App) {
    let t = mystery_strings(app.lang());
    let visits = &app.visits;
    let len = visits.rows.len();
    let at = (visits.cursor + 1).min(len);
    let period = visits.period.map_or_else(String::new, |p| format!(" {p}"));
    let title = format!(
        "{}{period} · {}/{len} {} · #{at}",
        t.view_title,
        visits.submitted(),
        crate::i18n::email::email_strings(app.lang()).submitted
    );
    let focused = app.screen.focus == Pane::Queue;
    if len == 0 {
        let text = Line::styled(t.view_empty, Style::new().fg(Color::Yellow));
        let paragraph = Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(pane_block(title, focused));
        return frame.render_widget(paragraph, area);
    }
    let open_id = app.review.visit.as_ref().map(|o| o.visit.visit_id.as_str());
    super::queue::draw_rows(
        frame,
        area,
        (title, focused),
        (visits.cursor, len, &visits.scroll),
        |index| item(app, &visits.rows[index], open_id),
    );
}

fn verdict_color(verdict: Verdict) -> Color {
    match verdict {
        Verdict::InTime => Color::Green,
        Verdict::Slow | Verdict::Missing | Verdict::OutOfOrder => Color::Red,
        Verdict::Waiting => Color::Yellow,
        Verdict::NotApplicable => Color::Gray,
    }
}

fn status_mark(app: &App, status: ReviewStatus) -> (&'static str, &'static str, Color) {
    let t = app.t();
    match status {
        ReviewStatus::New => ("·", t.status_new, Color::Gray),
        ReviewStatus::InProgress => ("◐", t.status_in_progress, Color::Yellow),
        ReviewStatus::Submitted => ("✔", t.status_submitted, Color::Green),
    }
}

fn reached(visit: &Visit, unknown: &str) -> String {
    let reached = visit.rep.as_deref().or(visit.team.as_deref());
    one_line(reached.unwrap_or(unknown), 24)
}

/// A row, the most telling first (a narrow pane cuts the end): the id,
/// channel and speeds, then who was reached, the status, the shopper and
/// what was asked.
fn item<'a>(app: &App, row: &VisitRow, open_id: Option<&str>) -> ListItem<'a> {
    let lang = app.lang();
    let t = mystery_strings(lang);
    let v = &row.visit;
    let (mark, status, color) = status_mark(app, row.status);
    let mut spans = vec![
        Span::styled(format!("{mark} "), Style::new().fg(color)),
        Span::raw(format!(
            "{} {} ",
            one_line(&v.visit_id, 16),
            channel(lang, v.channel)
        )),
    ];
    for speed in &row.speeds {
        spans.push(Span::styled(
            format!(
                "{} {} ",
                measure(lang, speed.measure),
                speed_text(lang, speed)
            ),
            Style::new().fg(verdict_color(speed.verdict)),
        ));
    }
    spans.extend([
        Span::raw(format!("→ {} ", reached(v, t.unknown))),
        Span::styled(format!("[{status}] "), Style::new().fg(color)),
        Span::raw(format!(
            "{} · {}",
            one_line(&v.shopper, 40),
            one_line(&v.scenario, 80)
        )),
    ]);
    let mut style = Style::new();
    if Some(v.visit_id.as_str()) == open_id {
        style = style.add_modifier(Modifier::BOLD);
    }
    ListItem::new(Line::from(spans)).style(style)
}

/// The open visit: what was asked on which channel, who was reached, when
/// each step happened, and each speed against the client's limit.
pub fn draw_details(frame: &mut Frame, area: Rect, app: &App, open: &OpenVisit) {
    let lang = app.lang();
    let t = mystery_strings(lang);
    let v = &open.visit;
    let focused = app.screen.focus == Pane::Player;
    let title = format!(
        "{}: {} · {} v{}",
        t.details_title,
        one_line(&v.visit_id, 40),
        t.rules,
        open.rules.version
    );
    let label = |text: &str| Span::styled(format!("{text}: "), Style::new().fg(Color::Cyan));
    let time = |ts: Option<Timestamp>| {
        ts.map_or_else(
            || t.unknown.to_string(),
            |d| d.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let mut lines = vec![
        Line::from(vec![label(t.asked), Span::raw(one_line(&v.scenario, 300))]),
        Line::from(vec![
            label(t.channel),
            Span::raw(format!("{}   ", channel(lang, v.channel))),
            label(t.shopper),
            Span::raw(format!("{}   ", one_line(&v.shopper, 60))),
            label(t.reached),
            Span::raw(reached(v, t.unknown)),
        ]),
        Line::from(vec![
            label(t.requested),
            Span::raw(format!("{}   ", time(v.requested_at))),
            label(t.answered),
            Span::raw(format!("{}   ", time(v.answered_at))),
            label(t.proposal_sent),
            Span::raw(format!("{}   ", time(v.proposal_at))),
            label(t.followed_up),
            Span::raw(time(v.callback_at)),
        ]),
    ];
    let limits = open.rules.limits(v.channel);
    for speed in &open.speeds {
        let limit = limits.of(speed.measure).0;
        lines.push(Line::from(vec![
            label(measure(lang, speed.measure)),
            Span::styled(
                speed_text(lang, speed),
                Style::new()
                    .fg(verdict_color(speed.verdict))
                    .add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("  ({} {})", t.limit, span(lang, limit)),
                Style::new().fg(Color::Gray),
            ),
        ]));
    }
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(pane_block(title, focused));
    frame.render_widget(paragraph, area);
}
