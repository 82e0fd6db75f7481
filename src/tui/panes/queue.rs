//! The queue of calls with this reviewer's status for each.

use crate::domain::ReviewStatus;
use crate::domain::crm::Direction;
use crate::text::{duration, one_line};
use crate::tui::app::{App, Pane};
use crate::tui::ui::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let done = app
        .queue
        .rows
        .iter()
        .filter(|q| q.status == ReviewStatus::Submitted)
        .count();
    let mut title = format!("{} {done}/{}", t.queue, app.queue.rows.len());
    let progress = &app.analysis.progress;
    if progress.total > 0 && progress.done < progress.total {
        title.push_str(&format!(
            " · {} {}/{}",
            t.analysing, progress.done, progress.total
        ));
    }
    let open_id = app.review.open.as_ref().map(|o| o.call.call_id.as_str());
    let rep_width = (area.width as usize).saturating_sub(33).clamp(6, 24);
    let items: Vec<ListItem> = app
        .queue
        .rows
        .iter()
        .map(|q| {
            let (mark, color, label) = match q.status {
                ReviewStatus::New => ("·", Color::Gray, t.status_new),
                ReviewStatus::InProgress => ("◐", Color::Yellow, t.status_in_progress),
                ReviewStatus::Submitted => ("✔", Color::Green, t.status_submitted),
            };
            let arrow = match q.direction {
                Direction::In => "←",
                Direction::Out => "→",
            };
            let score = q
                .score
                .filter(|_| q.status == ReviewStatus::Submitted)
                .map(|s| format!("{s:.0}%"))
                .unwrap_or_else(|| label.to_string());
            let rep: String = one_line(&q.rep, rep_width);
            let mut style = Style::new();
            if Some(q.call_id.as_str()) == open_id {
                style = style.add_modifier(Modifier::BOLD);
            }
            let flags: String = app
                .queue
                .flags
                .get(&q.call_id)
                .map(|f| f.iter().map(crate::tui::panes::player::flag_mark).collect())
                .unwrap_or_default();
            ListItem::new(Line::from(vec![
                Span::styled(format!("{mark} "), Style::new().fg(color)),
                Span::raw(format!("{} {arrow} ", q.started_at.format("%d.%m %H:%M"))),
                Span::raw(format!("{rep:<rep_width$} ")),
                Span::raw(format!("{:>5} ", duration(q.duration_ms))),
                Span::styled(format!("{flags:<2}"), Style::new().fg(Color::Red)),
                Span::styled(score, Style::new().fg(color)),
            ]))
            .style(style)
        })
        .collect();
    let focused = app.screen.focus == Pane::Queue;
    if app.queue.rows.is_empty() {
        return draw_empty(frame, area, app, title, focused);
    }
    let list = List::new(items)
        .block(pane_block(title, focused))
        .highlight_style(Style::new().bg(if focused {
            Color::Blue
        } else {
            Color::DarkGray
        }));
    let mut state = ListState::default().with_selected(Some(app.queue.cursor));
    frame.render_stateful_widget(list, area, &mut state);
}

/// A workspace with no calls says how to get some.
fn draw_empty(frame: &mut Frame, area: Rect, app: &App, title: String, focused: bool) {
    let t = app.t();
    let db = app.ws.path().display().to_string();
    let lines = vec![
        Line::styled(t.empty_hint, Style::new().fg(Color::Yellow)),
        Line::styled(
            format!("  callqa import --db {} FOLDER", one_line(&db, 200)),
            Style::new().fg(Color::Cyan),
        ),
        Line::from(t.empty_demo),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(title, focused)),
        area,
    );
}
