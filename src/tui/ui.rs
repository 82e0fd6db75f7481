//! Layout of the workstation and the two bottom lines (messages, key hints).
//! Each pane draws itself from `App` in `panes/`.

use super::app::{App, Input, Level, Mode, Pane};
use super::keymap::Scope;
use super::panes;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Terminals at least this wide get three columns instead of two.
const WIDE: u16 = 140;

pub fn draw(frame: &mut Frame, app: &App) {
    // The timeline under the player gets room as the terminal grows.
    let height = frame.area().height;
    let player_height = if height >= 30 {
        10
    } else if height >= 24 {
        8
    } else {
        5
    };
    let [player, middle, status, hints] = Layout::vertical([
        Constraint::Length(player_height),
        Constraint::Min(6),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    panes::player::draw(frame, player, app);
    let (queue, checklist, crm) = split_middle(middle, app.queue.len() as u16);
    panes::queue::draw(frame, queue, app);
    panes::checklist::draw(frame, checklist, app);
    panes::crm::draw(frame, crm, app);
    draw_status(frame, status, app);
    draw_hints(frame, hints, app);
    if let Some(view) = &app.audit {
        panes::audit::draw(frame, player.union(middle), app, view);
    }
    if app.mode == Mode::Help {
        panes::help::draw(frame, frame.area(), app);
    }
}

fn split_middle(area: Rect, queue_len: u16) -> (Rect, Rect, Rect) {
    if area.width >= WIDE {
        let [queue, checklist, crm] = Layout::horizontal([
            Constraint::Length(40),
            Constraint::Percentage(40),
            Constraint::Fill(1),
        ])
        .areas(area);
        return (queue, checklist, crm);
    }
    let [left, crm] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(area);
    let queue_height = (queue_len + 2).clamp(3, (area.height / 3).max(3));
    let [queue, checklist] =
        Layout::vertical([Constraint::Length(queue_height), Constraint::Fill(1)]).areas(left);
    (queue, checklist, crm)
}

pub fn pane_block(title: String, focused: bool) -> ratatui::widgets::Block<'static> {
    let style = if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    ratatui::widgets::Block::bordered()
        .border_style(style)
        .title(Span::styled(format!(" {title} "), style))
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let line = match &app.mode {
        Mode::Input { purpose, buffer } => {
            let prompt = match purpose {
                Input::Comment => format!("{} #{}: ", t.comment_prompt, app.item_cursor + 1),
                Input::Link => format!("{}: ", t.link_prompt),
                Input::Marker { position_ms } => format!(
                    "{} @{}: ",
                    t.marker_prompt,
                    crate::text::clock(*position_ms)
                ),
            };
            Line::from(vec![
                Span::styled(prompt, Style::new().fg(Color::Yellow)),
                Span::raw(crate::text::one_line(buffer, 2000)),
                Span::styled("█", Style::new().fg(Color::Yellow)),
                Span::styled(
                    format!("  {}", t.comment_hint),
                    Style::new().fg(Color::DarkGray),
                ),
            ])
        }
        Mode::ConfirmSubmit { unanswered } => Line::from(Span::styled(
            format!("{unanswered} {}", t.confirm_submit),
            Style::new().fg(Color::Black).bg(Color::Yellow),
        )),
        _ => match &app.message {
            Some(m) => {
                let color = match m.level {
                    Level::Info => Color::Green,
                    Level::Warning => Color::Yellow,
                    Level::Error => Color::Red,
                };
                Line::from(Span::styled(
                    crate::text::one_line(&m.text, 500),
                    Style::new().fg(color),
                ))
            }
            None => Line::from(""),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_hints(frame: &mut Frame, area: Rect, app: &App) {
    let scope = match app.focus {
        _ if app.audit.is_some() => Scope::Audit,
        Pane::Queue => Scope::Queue,
        Pane::Player => Scope::Player,
        Pane::Checklist | Pane::Crm => Scope::Checklist,
    };
    let mut spans = Vec::new();
    let entries = app
        .keymap
        .describe(app.lang, Some(scope))
        .into_iter()
        .filter(|(_, desc)| !desc.contains('1'))
        .chain(app.keymap.describe(app.lang, Some(Scope::Global)));
    for (keys, desc) in entries {
        // Digits 1-9 are one hint, not nine.
        if keys.len() == 1 && keys.chars().all(|c| c.is_ascii_digit()) {
            if keys == "1" {
                spans.push(Span::styled("1-9", Style::new().fg(Color::Cyan)));
                spans.push(Span::raw(" # "));
            }
            continue;
        }
        spans.push(Span::styled(keys, Style::new().fg(Color::Cyan)));
        spans.push(Span::raw(format!(" {desc}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
