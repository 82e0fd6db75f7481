//! The email queue (the reps' outgoing emails, newest first) and the open
//! email's thread, drawn in place of the player. Every thread line was
//! sanitised when the thread was read (`app::thread_lines`): mail is data.

use crate::domain::ReviewStatus;
use crate::i18n::email::email_strings;
use crate::i18n::plan::plan_strings;
use crate::text::one_line;
use crate::tui::app::{App, EmailRow, LineKind, OpenEmail, Pane};
use crate::tui::ui::{pane_block, selection_style};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph};

pub fn draw_queue(frame: &mut Frame, area: Rect, app: &App) {
    let t = email_strings(app.lang());
    let emails = &app.emails;
    let len = emails.rows.len();
    let at = (emails.cursor + 1).min(len);
    let title = match emails.plan_progress() {
        // The week's planned emails: how many of them are done.
        Some((period, done, planned)) => {
            let p = plan_strings(app.lang());
            let t = app.t();
            format!(
                "{} {period} · {} {done}/{planned} {} · #{at}",
                t.plan, p.emails_in_queue, t.plan_done
            )
        }
        None => format!(
            "{} {}/{} {} · #{at}",
            t.queue,
            emails.submitted(),
            len,
            t.submitted
        ),
    };
    let focused = app.screen.focus == Pane::Queue;
    if len == 0 {
        let text = Line::styled(t.no_emails, Style::new().fg(Color::Yellow));
        return frame.render_widget(Paragraph::new(text).block(pane_block(title, focused)), area);
    }
    let open_id = app
        .review
        .email
        .as_ref()
        .map(|o| o.email.email.message_id.as_str());
    super::queue::draw_rows(
        frame,
        area,
        (title, focused),
        (emails.cursor, len, &emails.scroll),
        |index| item(app, &emails.rows[index], open_id),
    );
}

fn item<'a>(app: &App, row: &EmailRow, open_id: Option<&str>) -> ListItem<'a> {
    let t = app.t();
    let unknown = email_strings(app.lang()).undated;
    let (mark, color) = match row.status {
        ReviewStatus::New => ("·", Color::Gray),
        ReviewStatus::InProgress => ("◐", Color::Yellow),
        ReviewStatus::Submitted => ("✔", Color::Green),
    };
    let status = match row.status {
        ReviewStatus::New => t.status_new,
        ReviewStatus::InProgress => t.status_in_progress,
        ReviewStatus::Submitted => t.status_submitted,
    };
    let mut style = Style::new();
    if Some(row.message_id.as_str()) == open_id {
        style = style.add_modifier(Modifier::BOLD);
    }
    let mut spans = Vec::with_capacity(6);
    // Planned emails carry the plan's mark, as planned calls carry Q or T.
    if app.emails.plan.is_some() {
        let tag = match app.emails.planned(&row.message_id) {
            true => plan_strings(app.lang()).tag_email,
            false => " ",
        };
        spans.push(Span::styled(
            format!("{tag} "),
            Style::new().fg(Color::Cyan),
        ));
    }
    spans.extend([
        Span::styled(format!("{mark} "), Style::new().fg(color)),
        Span::raw(format!("{} ", row.sent.as_deref().unwrap_or(unknown))),
        Span::raw(format!(
            "{} → {} ",
            one_line(&row.rep, 24),
            one_line(&row.contact, 24)
        )),
        Span::styled(format!("[{status}] "), Style::new().fg(color)),
        Span::raw(one_line(&row.subject, 120)),
    ]);
    ListItem::new(Line::from(spans)).style(style)
}

/// The thread, oldest message first, the reviewed email's own words set
/// apart, the line cursor on the line `t` quotes.
pub fn draw_thread(frame: &mut Frame, area: Rect, app: &App, open: &OpenEmail) {
    let t = email_strings(app.lang());
    let focused = app.screen.focus == Pane::Player;
    let title = format!(
        "{}: {}",
        t.thread_title,
        one_line(&open.email.email.subject, 80)
    );
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text_area, status_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let height = usize::from(text_area.height).max(1);
    // The cursor stays a third of the way down once the thread is longer
    // than the pane, so the lines after it are in view.
    let scroll = open
        .line
        .saturating_sub(height / 3)
        .min(open.lines.len().saturating_sub(height));
    let lines: Vec<Line> = open
        .lines
        .iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(index, line)| {
            let style = match line.kind {
                LineKind::Header => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                LineKind::Reviewed => Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
                LineKind::Context => Style::new().fg(Color::Gray),
                LineKind::Quoted => Style::new().fg(Color::DarkGray),
            };
            let bar = if line.kind == LineKind::Reviewed {
                Span::styled("▌", Style::new().fg(Color::Yellow))
            } else {
                Span::raw(" ")
            };
            let mut spans = vec![bar];
            spans.extend(super::spelling::styled_words(
                open, index, &line.text, style,
            ));
            let mut shown = Line::from(spans);
            if index == open.line {
                shown = shown.style(selection_style(focused));
            }
            shown
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), text_area);
    frame.render_widget(
        Paragraph::new(super::spelling::status_line(app, open)),
        status_area,
    );
}
