//! The `?` overlay: the keys of the screen it was opened on, generated from
//! that screen's keymap section in the workspace language, so the help can
//! never disagree with the keys. The main screen's keys come grouped by
//! pane; the overlay's own keys (close, scroll) close the list.

use crate::tui::app::App;
use crate::tui::keymap::{Described, Scope, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// The help of a screen as lines: headings, then `keys  description`.
pub fn lines(app: &App, of: Screen) -> Vec<Line<'static>> {
    let t = app.t();
    let keymap = app.keymap();
    let lang = app.lang();
    let groups: Vec<(Option<&str>, Vec<Described>)> = if of == Screen::Main {
        Scope::ORDER
            .iter()
            .map(|scope| {
                let title = match scope {
                    Scope::Player => t.player,
                    Scope::Checklist => t.checklist,
                    Scope::Queue => t.queue,
                    Scope::Global => t.help_everywhere,
                };
                (Some(title), keymap.describe(of, lang, Some(*scope)))
            })
            .collect()
    } else {
        vec![(None, keymap.describe(of, lang, None))]
    };
    let own = (
        Some(t.help_title),
        keymap.describe(Screen::Help, lang, None),
    );
    let key_width = groups
        .iter()
        .chain([&own])
        .flat_map(|(_, entries)| entries.iter().map(|d| d.keys.width()))
        .max()
        .unwrap_or(4);
    let mut out = Vec::new();
    for (title, entries) in groups.into_iter().chain([own]) {
        if entries.is_empty() {
            continue;
        }
        if let Some(title) = title {
            if !out.is_empty() {
                out.push(Line::from(""));
            }
            out.push(Line::styled(
                title.to_string(),
                Style::new().add_modifier(Modifier::BOLD),
            ));
        }
        for d in entries {
            let pad = key_width.saturating_sub(d.keys.width());
            out.push(Line::from(vec![
                Span::styled(
                    format!("{}{}  ", " ".repeat(pad), d.keys),
                    Style::new().fg(Color::Cyan),
                ),
                Span::raw(d.desc),
            ]));
        }
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, of: Screen, scroll: u16) {
    let lines = lines(app, of);
    let content_width = lines.iter().map(Line::width).max().unwrap_or(20) as u16;
    let width = (content_width + 4).min(area.width);
    let height = (lines.len() as u16 + 2).min(area.height);
    // Never scroll past the last line.
    let scroll = scroll.min((lines.len() as u16 + 2).saturating_sub(height));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(Block::bordered().title(format!(" {} ", app.t().help_title))),
        popup,
    );
}
