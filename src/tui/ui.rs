//! Layout of the workstation and the two bottom lines (messages, key hints).
//! Each pane draws itself from `App` in `panes/`; the hint bar and the `?`
//! overlay are generated from the keymap section of the screen in front.

use super::app::{App, Input, Level, Mode, Pane};
use super::keymap::{Action, Described, Scope, Screen};
use super::panes;
use crate::text::one_line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Terminals at least this wide get three columns instead of two.
const WIDE: u16 = 140;

pub fn draw(frame: &mut Frame, app: &App) {
    // The timeline under the player gets room as the terminal grows.
    let height = frame.area().height;
    // An open email's thread takes the player's place, and more room.
    let player_height = if app.review.email.is_some() {
        (height / 2).max(8)
    } else if app.review.visit.is_some() {
        8
    } else if height >= 30 {
        10
    } else if height >= 24 {
        8
    } else {
        5
    };
    // Two lines of key hints when one does not hold them and there is room.
    let max_hint_lines = if height >= 30 { 2 } else { 1 };
    let hint_lines = hint_lines(
        hint_entries(app),
        frame.area().width as usize,
        max_hint_lines,
    );
    let [player, middle, status, hints] = Layout::vertical([
        Constraint::Length(player_height),
        Constraint::Min(6),
        Constraint::Length(1),
        Constraint::Length(hint_lines.len() as u16),
    ])
    .areas(frame.area());
    match (&app.review.email, &app.review.visit) {
        (Some(open), _) => panes::emails::draw_thread(frame, player, app, open),
        (None, Some(open)) => panes::visits::draw_details(frame, player, app, open),
        (None, None) => panes::player::draw(frame, player, app),
    }
    // An empty queue still has room to say how to import.
    let queue_len = if app.emails.shown {
        app.emails.rows.len()
    } else if app.visits.shown {
        app.visits.rows.len()
    } else {
        app.queue.len
    };
    let queue_lines = queue_len.max(if queue_len == 0 { 4 } else { 0 });
    let (queue, checklist, crm) =
        split_middle(middle, queue_lines.min(usize::from(u16::MAX)) as u16);
    panes::queue::draw(frame, queue, app);
    panes::checklist::draw(frame, checklist, app);
    panes::crm::draw(frame, crm, app);
    draw_status(frame, status, app);
    frame.render_widget(Paragraph::new(hint_lines), hints);
    if let Some(view) = &app.screen.results {
        panes::results::draw(frame, player.union(middle), app, view);
    }
    if let Some(view) = &app.screen.audit {
        panes::audit::draw(frame, player.union(middle), app, view);
    }
    if let Some(view) = &app.screen.calibration {
        panes::calibration::draw(frame, player.union(middle), app, view);
    }
    if let Some(view) = &app.screen.claims {
        panes::claims::draw(frame, player.union(middle), app, view);
    }
    if let (
        Mode::Input {
            purpose: Input::VisitForm,
            buffer,
        },
        Some(form),
    ) = (&app.screen.mode, &app.visits.form)
    {
        panes::visit_form::draw(frame, player.union(middle), app, form, buffer);
    }
    if let Mode::Help { of, scroll } = app.screen.mode {
        panes::help::draw(frame, frame.area(), app, of, scroll);
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

/// The selected row of a list pane: blue while the pane has the focus.
pub fn selection_style(focused: bool) -> Style {
    Style::new().bg(if focused {
        Color::Blue
    } else {
        Color::DarkGray
    })
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

fn input_prompt(app: &App, purpose: Input) -> String {
    let t = app.t();
    match purpose {
        Input::Comment { item } => {
            let text = app
                .checklist()
                .items
                .get(item)
                .map(|i| one_line(i.text.get(app.lang()), 40))
                .unwrap_or_default();
            format!("{} #{} {text}: ", t.comment_prompt, item + 1)
        }
        Input::Link => format!("{}: ", t.link_prompt),
        Input::GoToItem => format!("{} (1-{}): ", t.go_to_prompt, app.checklist().items.len()),
        Input::Marker { position_ms } => {
            format!("{} @{}: ", t.marker_prompt, crate::text::clock(position_ms))
        }
        Input::BestCall { position_ms } => {
            format!("{} @{}: ", t.best_prompt, crate::text::clock(position_ms))
        }
        Input::DisputeReason { value } => panes::calibration::reason_prompt(app.lang(), value),
        Input::Reassign => panes::claims::reassign_prompt(app),
        Input::VisitForm => {
            let field = app.visits.form.as_ref().map_or(0, |f| f.field);
            let field = crate::domain::mystery::form::VisitField::ALL[field];
            format!("{}: ", crate::i18n::mystery::field_label(app.lang(), field))
        }
    }
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let line = match &app.screen.mode {
        Mode::Input { purpose, buffer } => Line::from(vec![
            Span::styled(input_prompt(app, *purpose), Style::new().fg(Color::Yellow)),
            Span::raw(one_line(buffer, 2000)),
            Span::styled("█", Style::new().fg(Color::Yellow)),
        ]),
        Mode::ConfirmSubmit { unanswered } => Line::from(Span::styled(
            format!("{unanswered} {}", t.confirm_submit),
            Style::new().fg(Color::Black).bg(Color::Yellow),
        )),
        _ => match &app.screen.message {
            Some(m) => {
                let color = match m.level {
                    Level::Info => Color::Green,
                    Level::Warning => Color::Yellow,
                    Level::Error => Color::Red,
                };
                Line::from(Span::styled(one_line(&m.text, 500), Style::new().fg(color)))
            }
            None => Line::from(""),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The entries of the hint bar, most useful first: on the main screen the
/// focused pane's keys, then the ones that work everywhere.
pub fn hint_entries(app: &App) -> Vec<Described> {
    let screen = app.screen.current();
    let keymap = app.keymap();
    if screen != Screen::Main {
        let mut entries = keymap.describe(screen, app.lang(), None);
        // Moving between fields is the visit form's alone.
        let form = matches!(
            app.screen.mode,
            Mode::Input {
                purpose: Input::VisitForm,
                ..
            }
        );
        entries.retain(|d| form || !matches!(d.action, Action::NextField | Action::PrevField));
        return entries;
    }
    let scope = match app.screen.focus {
        Pane::Queue => Scope::Queue,
        // An email's thread has no player keys: the answers and `t` it has.
        Pane::Player if app.review.email.is_some() || app.review.visit.is_some() => {
            Scope::Checklist
        }
        Pane::Player => Scope::Player,
        Pane::Checklist | Pane::Crm => Scope::Checklist,
    };
    let mut entries = keymap.describe(screen, app.lang(), Some(scope));
    entries.extend(keymap.describe(screen, app.lang(), Some(Scope::Global)));
    entries
}

/// The hint bar as lines of whole hints, in order, on at most
/// `max_lines` lines; what does not fit is left out (never cut), except the
/// help key, which always shows, last.
pub fn hint_lines(entries: Vec<Described>, width: usize, max_lines: usize) -> Vec<Line<'static>> {
    let cost = |d: &Described| d.keys.width() + 1 + d.desc.width() + 2;
    let (help, rest): (Vec<_>, Vec<_>) =
        entries.into_iter().partition(|d| d.action == Action::Help);
    let help_cost: usize = help.iter().map(cost).sum();
    let mut lines: Vec<Vec<Described>> = vec![Vec::new()];
    let mut used = 0;
    for entry in rest {
        let need = cost(&entry);
        let last = lines.len() == max_lines.max(1);
        let room = width.saturating_sub(if last { help_cost } else { 0 });
        if used + need <= room {
            used += need;
            if let Some(line) = lines.last_mut() {
                line.push(entry);
            }
        } else if !last && need <= width {
            lines.push(vec![entry]);
            used = need;
        }
    }
    if used + help_cost > width && lines.len() < max_lines {
        lines.push(Vec::new());
    }
    if let Some(line) = lines.last_mut() {
        line.extend(help);
    }
    lines
        .into_iter()
        .map(|line| {
            Line::from(
                line.into_iter()
                    .flat_map(|d| {
                        [
                            Span::styled(d.keys, Style::new().fg(Color::Cyan)),
                            Span::raw(format!(" {}  ", d.desc)),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}
