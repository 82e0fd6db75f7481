//! The CRM audit screen: reps down, numbers across, the chosen column
//! marked, and the records behind a number in a box over it.

use crate::reports::audit::{COLUMNS, rep_label};
use crate::tui::app::{App, AuditView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &AuditView) {
    let t = app.t();
    let lang = app.lang;
    let header = Row::new(std::iter::once(Cell::from(t.audit_rep)).chain(
        COLUMNS.iter().enumerate().map(|(i, c)| {
            let mut title = c.title(lang).to_string();
            if view.sorted_by == Some(i) {
                title.push_str(" ▼");
            }
            let style = if i == view.column {
                Style::new().fg(Color::Black).bg(Color::Cyan)
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            };
            Cell::from(title).style(style)
        }),
    ))
    .height(2);
    let rows = (0..view.order.len()).map(|i| {
        let row = view.row_at(i);
        let cells = std::iter::once(Cell::from(rep_label(row, lang))).chain(
            COLUMNS.iter().enumerate().map(|(c, column)| {
                let value = (column.value)(row);
                let bad = value != "0" && !value.is_empty();
                let mut style = if bad {
                    Style::new().fg(Color::Red)
                } else {
                    Style::new().fg(Color::Green)
                };
                if c == view.column && i == view.row {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                Cell::from(value).style(style)
            }),
        );
        Row::new(cells)
    });
    let widths =
        std::iter::once(Constraint::Length(16)).chain(COLUMNS.iter().map(|_| Constraint::Fill(1)));
    let title = format!(
        " {} {} · {} ",
        t.audit_title,
        view.report.as_of.format("%Y-%m-%d %H:%M"),
        t.audit_hint
    );
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::bordered().title(title))
        .row_highlight_style(Style::new().add_modifier(Modifier::BOLD));
    let mut state = TableState::default().with_selected(Some(view.row));
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(table, area, &mut state);

    if let Some(drill) = &view.drill {
        let popup = area.centered(Constraint::Percentage(90), Constraint::Percentage(70));
        let lines: Vec<Line> = if drill.lines.is_empty() {
            vec![Line::from(t.audit_nothing)]
        } else {
            drill.lines.iter().map(|l| Line::from(l.clone())).collect()
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((drill.scroll, 0))
                .block(Block::bordered().title(format!(" {} ", drill.title))),
            popup,
        );
    }
}
