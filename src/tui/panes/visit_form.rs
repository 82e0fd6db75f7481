//! The visit form over the workstation: one line per field, the one being
//! typed marked with what is typed so far, each problem the last save
//! found in red beside its field. Typed text is shown through `one_line`
//! like any other text.

use crate::domain::mystery::form::VisitField;
use crate::i18n::mystery::{field_label, field_problem, mystery_strings};
use crate::text::one_line;
use crate::tui::app::{App, VisitForm};
use crate::tui::ui::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, form: &VisitForm, typing: &str) {
    let lang = app.lang();
    let t = mystery_strings(lang);
    let width = VisitField::ALL
        .iter()
        .map(|f| field_label(lang, *f).chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = Vec::with_capacity(VisitField::ALL.len() + 2);
    for (index, field) in VisitField::ALL.into_iter().enumerate() {
        let current = index == form.field;
        let value = match current {
            true => typing,
            false => form.draft.values[index].as_str(),
        };
        let label = format!("{:<width$} ", field_label(lang, field));
        let label_style = match current {
            true => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            false => Style::new().fg(Color::Cyan),
        };
        let mut spans = vec![
            Span::styled(if current { "▶ " } else { "  " }, label_style),
            Span::styled(label, label_style),
            Span::raw(one_line(value, 200)),
        ];
        if current {
            spans.push(Span::styled("█", Style::new().fg(Color::Yellow)));
        }
        if let Some(problem) = form.problem_of(field) {
            spans.push(Span::styled(
                format!("  ✘ {}", one_line(&field_problem(lang, problem), 200)),
                Style::new().fg(Color::Red),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(t.form_help, Style::new().fg(Color::Gray)));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(t.form_title.to_string(), true)),
        area,
    );
}
