//! The queue of calls with this reviewer's status for each.

use crate::domain::ReviewStatus;
use crate::domain::crm::Direction;
use crate::text::{clock, one_line};
use crate::tui::app::{App, Pane};
use crate::tui::ui::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let done = app
        .queue
        .iter()
        .filter(|q| q.status == ReviewStatus::Submitted)
        .count();
    let mut title = format!("{} {done}/{}", t.queue, app.queue.len());
    let progress = &app.analysis_progress;
    if progress.total > 0 && progress.done < progress.total {
        title.push_str(&format!(
            " · {} {}/{}",
            t.analysing, progress.done, progress.total
        ));
    }
    let open_id = app.open.as_ref().map(|o| o.call.call_id.as_str());
    let rep_width = (area.width as usize).saturating_sub(33).clamp(6, 24);
    let items: Vec<ListItem> = app
        .queue
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
                .flags
                .get(&q.call_id)
                .map(|f| f.iter().map(crate::tui::panes::player::flag_mark).collect())
                .unwrap_or_default();
            ListItem::new(Line::from(vec![
                Span::styled(format!("{mark} "), Style::new().fg(color)),
                Span::raw(format!("{} {arrow} ", q.started_at.format("%d.%m %H:%M"))),
                Span::raw(format!("{rep:<rep_width$} ")),
                Span::raw(format!("{:>5} ", clock(q.duration_ms))),
                Span::styled(format!("{flags:<2}"), Style::new().fg(Color::Red)),
                Span::styled(score, Style::new().fg(color)),
            ]))
            .style(style)
        })
        .collect();
    let focused = app.focus == Pane::Queue;
    let list = List::new(items)
        .block(pane_block(title, focused))
        .highlight_style(Style::new().bg(if focused {
            Color::Blue
        } else {
            Color::DarkGray
        }));
    let mut state = ListState::default().with_selected(Some(app.queue_cursor));
    frame.render_stateful_widget(list, area, &mut state);
}
