//! Spelling in the thread pane: the reviewed email's unknown words set
//! apart inline, and under the thread the selected line's unknown words
//! with the dictionary's suggestions, or why spelling was not checked.

use crate::i18n::email::email_strings;
use crate::text::one_line;
use crate::tui::app::{App, OpenEmail, SpellingView};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// A thread line's text as spans, its unknown words underlined in red.
pub fn styled_words(
    open: &OpenEmail,
    index: usize,
    text: &str,
    style: Style,
) -> Vec<Span<'static>> {
    let misspelt = style.fg(Color::Red).add_modifier(Modifier::UNDERLINED);
    let mut spans = Vec::new();
    let mut rest = text;
    for (m, _) in open.spelling.on_line(index) {
        let Some(at) = rest.find(&m.word) else {
            continue;
        };
        spans.push(Span::styled(rest[..at].to_string(), style));
        spans.push(Span::styled(m.word.clone(), misspelt));
        rest = &rest[at + m.word.len()..];
    }
    spans.push(Span::styled(rest.to_string(), style));
    spans
}

/// The line under the thread: the selected line's unknown words and what
/// to write instead, else how the spelling went.
pub fn status_line(app: &App, open: &OpenEmail) -> Line<'static> {
    let t = email_strings(app.lang());
    let on_line = open.spelling.on_line(open.line);
    if !on_line.is_empty() {
        let words: Vec<String> = on_line
            .iter()
            .map(|(m, suggestions)| match suggestions.is_empty() {
                true => m.word.clone(),
                false => format!("{} ({}: {})", m.word, t.suggestions, suggestions.join(", ")),
            })
            .collect();
        let text = format!("{}: {}", t.misspelt, words.join(" · "));
        return Line::styled(one_line(&text, 400), Style::new().fg(Color::Red));
    }
    match &open.spelling {
        SpellingView::NotChecked(why) => Line::styled(
            one_line(&t.no_dictionaries.replace("{dir}", why), 400),
            Style::new().fg(Color::Yellow),
        ),
        SpellingView::Checked { words, .. } if words.is_empty() => {
            Line::styled(t.spelling_ok, Style::new().fg(Color::Green))
        }
        SpellingView::Checked { words, .. } => {
            let all: Vec<&str> = words.iter().map(|(m, _)| m.word.as_str()).collect();
            let text = format!("{} ({}): {}", t.misspelt, all.len(), all.join(", "));
            Line::styled(one_line(&text, 400), Style::new().fg(Color::Red))
        }
    }
}
