//! The queue of calls with this reviewer's status for each.

use crate::domain::ReviewStatus;
use crate::domain::crm::Direction;
use crate::domain::sampling::Bucket;
use crate::store::QueueRow;
use crate::text::{duration, one_line};
use crate::tui::app::{App, Pane};
use crate::tui::ui::{pane_block, selection_style};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    if app.emails.shown {
        return super::emails::draw_queue(frame, area, app);
    }
    if app.visits.shown {
        return super::visits::draw_queue(frame, area, app);
    }
    let t = app.t();
    let queue = &app.queue;
    // Submitted of all, and where the cursor is: a long queue has no
    // scrollbar to tell.
    let mut title = match queue.plan.as_ref().filter(|_| queue.plan_shown()) {
        // The week's work: how much of it is done.
        Some(plan) => format!(
            "{} {} · {}/{} {} · #{}",
            t.plan,
            plan.period,
            queue.submitted,
            queue.len,
            t.plan_done,
            queue.cursor + 1
        ),
        None => format!(
            "{} {}/{} · #{}",
            t.queue,
            queue.submitted,
            queue.len,
            queue.cursor + 1
        ),
    };
    let progress = &app.analysis.progress;
    if progress.total > 0 && progress.done < progress.total {
        let doing = if app.analysis.held {
            t.analysis_paused
        } else {
            t.analysing
        };
        title.push_str(&format!(" · {doing} {}/{}", progress.done, progress.total));
    }
    let focused = app.screen.focus == Pane::Queue;
    if queue.is_empty() {
        return draw_empty(frame, area, app, title, focused);
    }
    // Only the rows on screen are built: the queue may hold a million.
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let scroll = scroll_to_show(queue.scroll.get(), queue.cursor, height, queue.len);
    queue.scroll.set(scroll);
    let open_id = app.review.open.as_ref().map(|o| o.call.call_id.as_str());
    let rep_width = (area.width as usize).saturating_sub(33).clamp(6, 24);
    let items: Vec<ListItem> = (scroll..(scroll + height).min(queue.len))
        .map(|position| match queue.row(position) {
            Some(row) => item(app, row, open_id, rep_width),
            None => ListItem::new("…"),
        })
        .collect();
    let list = List::new(items)
        .block(pane_block(title, focused))
        .highlight_style(selection_style(focused));
    let mut state = ListState::default().with_selected(Some(queue.cursor - scroll));
    frame.render_stateful_widget(list, area, &mut state);
}

/// A list pane of `len` rows kept in memory, scrolled as little as shows
/// the `cursor` (the first row on screen kept in `scroll` between frames),
/// the cursor's row highlighted; only the rows on screen are built.
pub(super) fn draw_rows<'a>(
    frame: &mut Frame,
    area: Rect,
    (title, focused): (String, bool),
    (cursor, len, scroll): (usize, usize, &std::cell::Cell<usize>),
    row: impl Fn(usize) -> ListItem<'a>,
) {
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let first = scroll_to_show(scroll.get(), cursor, height, len);
    scroll.set(first);
    let items: Vec<ListItem> = (first..(first + height).min(len)).map(row).collect();
    let list = List::new(items)
        .block(pane_block(title, focused))
        .highlight_style(selection_style(focused));
    let mut state = ListState::default().with_selected(Some(cursor - first));
    frame.render_stateful_widget(list, area, &mut state);
}

/// The first row on screen: as before, unless the cursor left the screen.
pub(super) fn scroll_to_show(scroll: usize, cursor: usize, height: usize, len: usize) -> usize {
    let scroll = if cursor < scroll {
        cursor
    } else if cursor >= scroll + height {
        cursor + 1 - height
    } else {
        scroll
    };
    scroll.min(len.saturating_sub(height))
}

fn item<'a>(app: &App, q: &'a QueueRow, open_id: Option<&str>, rep_width: usize) -> ListItem<'a> {
    let t = app.t();
    let (mark, color, label) = match q.status {
        ReviewStatus::New => ("·", Color::Gray, t.status_new),
        ReviewStatus::InProgress => ("◐", Color::Yellow, t.status_in_progress),
        ReviewStatus::Submitted => ("✔", Color::Green, t.status_submitted),
    };
    let mut style = Style::new();
    if Some(q.call_id.as_str()) == open_id {
        style = style.add_modifier(Modifier::BOLD);
    }
    if let Some(problem) = &q.problem {
        // A damaged row names itself; the rest of the queue reads on.
        let text = format!(
            "⚠ {} {}: {}",
            one_line(&q.call_id, 20),
            t.queue_bad_row,
            problem
        );
        return ListItem::new(Line::styled(
            one_line(&text, 200),
            Style::new().fg(Color::Red),
        ))
        .style(style);
    }
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
    let flags: String = q
        .flags
        .iter()
        .map(crate::tui::panes::player::flag_mark)
        .collect();
    let when = q.started_at.map_or_else(
        || "--.-- --:--".into(),
        |at| at.format("%d.%m %H:%M").to_string(),
    );
    let mut spans = Vec::with_capacity(7);
    if let Some(plan) = app.queue.plan.as_ref().filter(|_| app.queue.plan_shown()) {
        let (tag, tag_color) = match plan.bucket_of(&q.call_id) {
            Some(Bucket::Telephony) => (t.tag_telephony, Color::Magenta),
            _ => (t.tag_quality, Color::Cyan),
        };
        spans.push(Span::styled(format!("{tag} "), Style::new().fg(tag_color)));
    }
    spans.extend([
        Span::styled(format!("{mark} "), Style::new().fg(color)),
        Span::raw(format!("{when} {arrow} ")),
        Span::raw(format!("{rep:<rep_width$} ")),
        Span::raw(format!("{:>5} ", duration(q.duration_ms))),
        Span::styled(format!("{flags:<2}"), Style::new().fg(Color::Red)),
        Span::styled(score, Style::new().fg(color)),
    ]);
    ListItem::new(Line::from(spans)).style(style)
}

/// A workspace with no calls says how to get some.
fn draw_empty(frame: &mut Frame, area: Rect, app: &App, title: String, focused: bool) {
    let t = app.t();
    let db = app.ws.address().to_string();
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
