//! The calibration screen: the selected set's agreement tables (items,
//! then reviewers, as `callqa calibration show` prints them), or a line
//! saying they stay hidden while the reviewer scores blind; on the second
//! tab the reps' disputes, open ones first.

use crate::domain::{AnswerValue, Lang};
use crate::i18n::calibration::{calibration_strings, dispute_strings};
use crate::reports::results::calibration::{item_rows, notes, reviewer_rows, set_line};
use crate::reports::results::disputes::{item_text_in, rows};
use crate::text::one_line;
use crate::tui::app::{App, CalibrationTab, CalibrationView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState};
use unicode_width::UnicodeWidthStr;

/// The status-line prompt for a dispute's reason.
pub fn reason_prompt(lang: Lang, value: AnswerValue) -> String {
    let t = dispute_strings(lang);
    let outcome = match value {
        AnswerValue::No => t.upheld.to_string(),
        other => format!("{} → {}", t.changed, other.code()),
    };
    format!("{outcome} · {}: ", t.resolve_prompt)
}

/// Text rows (header first) as a table sized to its cells.
pub(super) fn text_table(
    rows: &[Vec<String>],
    selected: Option<usize>,
) -> (Table<'static>, TableState) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<Constraint> = (0..columns)
        .map(|c| {
            let w = rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0);
            Constraint::Length(w.min(60) as u16)
        })
        .collect();
    let mut rows = rows.iter().map(|r| {
        Row::new(
            r.iter()
                .map(|c| Cell::from(one_line(c, 200)))
                .collect::<Vec<_>>(),
        )
    });
    let header = rows
        .next()
        .unwrap_or_default()
        .style(Style::new().add_modifier(Modifier::BOLD));
    let table = Table::new(rows.collect::<Vec<_>>(), widths)
        .header(header)
        .column_spacing(2)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    (table, TableState::default().with_selected(selected))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &CalibrationView) {
    let lang = app.lang();
    let t = calibration_strings(lang);
    let d = dispute_strings(lang);
    let tab = |name: &str, on: bool| {
        let style = if on {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(Color::DarkGray)
        };
        Span::styled(format!(" {name} "), style)
    };
    let title = Line::from(vec![
        tab(t.title, view.tab == CalibrationTab::Agreement),
        Span::raw("·"),
        tab(d.title, view.tab == CalibrationTab::Disputes),
    ]);
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match view.tab {
        CalibrationTab::Agreement => draw_agreement(frame, inner, app, view),
        CalibrationTab::Disputes => draw_disputes(frame, inner, lang, view),
    }
}

fn draw_agreement(frame: &mut Frame, area: Rect, app: &App, view: &CalibrationView) {
    let lang = app.lang();
    let t = calibration_strings(lang);
    let Some((set, blind)) = view.sets.get(view.row) else {
        frame.render_widget(Paragraph::new(t.no_sets), area);
        return;
    };
    let heading = format!(
        "[{}/{}] {}",
        view.row + 1,
        view.sets.len(),
        one_line(&set_line(lang, set), 300)
    );
    if !blind.is_empty() {
        let calls = one_line(&blind.join(", "), 300);
        let lines = vec![
            Line::from(heading),
            Line::from(format!("{} {calls}", t.hidden_blind)),
        ];
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let items = item_rows(lang, &app.session.sales, &set.figures);
    let reviewers = reviewer_rows(lang, &set.figures);
    let [top, item_area, reviewer_area, note_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(items.len() as u16 + 1),
        Constraint::Length(reviewers.len() as u16 + 1),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(heading), top);
    let (table, mut state) = text_table(&items, None);
    frame.render_stateful_widget(table, item_area, &mut state);
    let (table, mut state) = text_table(&reviewers, None);
    frame.render_stateful_widget(table, reviewer_area, &mut state);
    let notes: Vec<Line> = notes(lang).into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(notes).style(Style::new().fg(Color::DarkGray)),
        note_area,
    );
}

fn draw_disputes(frame: &mut Frame, area: Rect, lang: Lang, view: &CalibrationView) {
    let d = dispute_strings(lang);
    if view.disputes.is_empty() {
        frame.render_widget(Paragraph::new(d.no_disputes), area);
        return;
    }
    let sales = crate::domain::Checklist::default_sales_call();
    let rows = rows(lang, &view.disputes, &|id| item_text_in(&sales, lang, id));
    let [table_area, hint] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let (table, mut state) = text_table(&rows, Some(view.row));
    frame.render_stateful_widget(table, table_area, &mut state);
    frame.render_widget(
        Paragraph::new(d.keys_hint).style(Style::new().fg(Color::DarkGray)),
        hint,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_prompt_names_the_outcome() {
        assert!(reason_prompt(Lang::En, AnswerValue::No).starts_with("upheld"));
        assert!(reason_prompt(Lang::En, AnswerValue::Yes).contains("yes"));
        assert!(reason_prompt(Lang::Ru, AnswerValue::Na).contains("изменена"));
    }
}
