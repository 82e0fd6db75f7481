//! The `?` overlay: every binding from the keymap, in the workspace
//! language, so the help can never disagree with the keys.

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let entries = app.keymap.describe(app.lang, None);
    let key_width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(4);
    let mut lines: Vec<Line> = entries
        .into_iter()
        .map(|(keys, desc)| {
            Line::from(vec![
                Span::styled(
                    format!("{keys:>key_width$}  "),
                    Style::new().fg(Color::Cyan),
                ),
                Span::raw(desc),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::styled(t.help_close, Style::new().fg(Color::DarkGray)));
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 64.min(area.width);
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(format!(" {} ", t.help_title))),
        popup,
    );
}
