//! The results screen: a row per rep of the latest reviewed week with the
//! rep's team, the figures of `callqa report` (quality reviewed against the plan, average
//! score, critical failures, repeated errors, weeks in a row without one)
//! and a sparkline of the score by week, then the rep's average email
//! score; the reviews and moments behind a rep in a box over it.

use crate::domain::reps::same_rep;
use crate::text::one_line;
use crate::tui::app::{App, ResultsView};
use crate::tui::panes::audit::draw_drill;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState};
use unicode_width::UnicodeWidthStr;

/// A score trend as one character per week: `▁`…`█` from 0 to 100 %,
/// `·` for a week without a review.
pub fn sparkline(trend: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    trend
        .iter()
        .map(|score| match score {
            Some(p) => BARS[((p.clamp(0.0, 100.0) / 100.0) * 7.0).round() as usize],
            None => '·',
        })
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &ResultsView) {
    let t = app.t();
    let words = crate::i18n::report::report_strings(app.lang());
    let results = &view.report.results;
    // The team (from the roster) next to the rep, as in the report's overview.
    let team = words.team.to_lowercase();
    let emails = words.emails.to_lowercase();
    let mut columns: Vec<&str> = t.results_columns.to_vec();
    columns.insert(1, &team);
    columns.push(&emails);
    let email_score = |rep: &str| {
        let score = results
            .emails
            .iter()
            .flat_map(|e| &e.reps)
            .find(|e| same_rep(&e.rep, rep))
            .and_then(|e| e.average_score);
        score.map_or_else(|| "—".into(), |s| format!("{s:.0}%"))
    };
    let rows: Vec<[String; 9]> = results
        .reps
        .iter()
        .map(|rep| {
            [
                one_line(&rep.rep, 40),
                one_line(view.report.team_of(&rep.rep), 24),
                format!("{}/{}", rep.reviews, rep.expected),
                rep.average_score
                    .map_or_else(|| "—".into(), |s| format!("{s:.0}%")),
                rep.critical_failures.to_string(),
                rep.repeated_errors.to_string(),
                rep.weeks_without_repeated.to_string(),
                sparkline(&rep.trend),
                email_score(&rep.rep),
            ]
        })
        .collect();
    let widths: Vec<u16> = (0..columns.len())
        .map(|c| {
            let cells = rows.iter().map(|r| r[c].width()).max().unwrap_or(0);
            cells.max(columns[c].width()) as u16
        })
        .collect();
    let header = Row::new(columns.iter().map(|h| Cell::from(*h)))
        .style(Style::new().add_modifier(Modifier::BOLD));
    let body = rows.into_iter().map(|cells| {
        Row::new(cells.into_iter().enumerate().map(|(c, value)| {
            let style = match c {
                4 | 5 if value != "0" => Style::new().fg(Color::Red),
                4 | 5 => Style::new().fg(Color::Green),
                7 => Style::new().fg(Color::Cyan),
                _ => Style::new(),
            };
            Cell::from(value).style(style)
        }))
    });
    let title = format!(
        " {} · {} ",
        t.results_title,
        one_line(&view.report.period_label(), 60)
    );
    frame.render_widget(Clear, area);
    if results.reps.is_empty() {
        frame.render_widget(
            Paragraph::new(words.no_reviews).block(Block::bordered().title(title)),
            area,
        );
        return;
    }
    let table = Table::new(body, widths.into_iter().map(Constraint::Length))
        .header(header)
        .column_spacing(2)
        .block(Block::bordered().title(title))
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state = TableState::default().with_selected(Some(view.row));
    frame.render_stateful_widget(table, area, &mut state);
    if let Some(drill) = &view.drill {
        draw_drill(frame, area, drill, t.audit_nothing);
    }
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn a_trend_reads_as_bars_and_gaps() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(50.0), None, Some(100.0), Some(140.0)]),
            "▁▅·██"
        );
    }
}
