//! The CRM audit screen: reps down, numbers across, the chosen column
//! marked, and the records behind a number in a box over it. Each column is
//! as wide as its content: headers wrap onto two lines at the space nearest
//! their middle rather than being cut.

use crate::reports::audit::{COLUMNS, rep_label};
use crate::tui::app::{App, AuditView, Drill};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::UnicodeWidthStr;

/// Room for the sort mark after a header.
const SORT_MARK: &str = " ▼";

/// A header on at most two lines, split at the space that leaves the
/// longer line shortest.
pub fn wrap_header(title: &str) -> Vec<String> {
    let best = title
        .match_indices(' ')
        .map(|(i, _)| (title[..i].width().max(title[i + 1..].width()), i))
        .min();
    match best {
        Some((widest, i)) if widest < title.width() => {
            vec![title[..i].to_string(), title[i + 1..].to_string()]
        }
        _ => vec![title.to_string()],
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &AuditView) {
    let t = app.t();
    let lang = app.lang();
    let rows: Vec<Vec<String>> = (0..view.order.len())
        .map(|i| {
            let row = view.row_at(i);
            std::iter::once(rep_label(row, lang))
                .chain(COLUMNS.iter().map(|c| (c.value)(row)))
                .collect()
        })
        .collect();
    let headers: Vec<Vec<String>> = std::iter::once(vec![t.audit_rep.to_string()])
        .chain(COLUMNS.iter().map(|c| wrap_header(c.title(lang))))
        .collect();
    // Every number column keeps room for the sort mark, so sorting never
    // moves the columns.
    let widths: Vec<u16> = headers
        .iter()
        .enumerate()
        .map(|(c, header)| {
            let mark = if c > 0 { SORT_MARK.width() } else { 0 };
            let head = header.iter().map(|l| l.width()).max().unwrap_or(0) + mark;
            let cells = rows.iter().map(|r| r[c].width()).max().unwrap_or(0);
            head.max(cells) as u16
        })
        .collect();
    let headers = headers.into_iter().enumerate().map(|(c, mut lines)| {
        if c > 0
            && view.sorted_by == Some(c - 1)
            && let Some(last) = lines.last_mut()
        {
            last.push_str(SORT_MARK);
        }
        lines
    });
    let header = Row::new(headers.enumerate().map(|(c, lines)| {
        let style = if c == view.column + 1 {
            Style::new().fg(Color::Black).bg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        };
        Cell::from(Text::from(
            lines.into_iter().map(Line::from).collect::<Vec<_>>(),
        ))
        .style(style)
    }))
    .height(2);
    let body = rows.into_iter().enumerate().map(|(i, cells)| {
        Row::new(cells.into_iter().enumerate().map(|(c, value)| {
            if c == 0 {
                return Cell::from(value);
            }
            let bad = value != "0" && !value.is_empty();
            let mut style = Style::new().fg(if bad { Color::Red } else { Color::Green });
            if c == view.column + 1 && i == view.row {
                style = style.add_modifier(Modifier::REVERSED);
            }
            Cell::from(value).style(style)
        }))
    });
    let title = format!(
        " {} {} ",
        t.audit_title,
        view.report.as_of.format("%Y-%m-%d %H:%M")
    );
    let table = Table::new(body, widths.into_iter().map(Constraint::Length))
        .header(header)
        .block(Block::bordered().title(title))
        .row_highlight_style(Style::new().add_modifier(Modifier::BOLD));
    let mut state = TableState::default().with_selected(Some(view.row));
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(table, area, &mut state);

    if let Some(drill) = &view.drill {
        draw_drill(frame, area, drill, t.audit_nothing);
    }
}

/// The records behind a number, in a box over the table.
pub fn draw_drill(frame: &mut Frame, area: Rect, drill: &Drill, nothing: &str) {
    let popup = area.centered(Constraint::Percentage(90), Constraint::Percentage(70));
    let lines: Vec<Line> = if drill.lines.is_empty() {
        vec![Line::from(nothing.to_string())]
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
