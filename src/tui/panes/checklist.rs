//! The checklist with the answers so far and the live score.

use crate::domain::{AnswerValue, ReviewStatus};
use crate::text::{clock, one_line};
use crate::tui::app::{App, Pane};
use crate::tui::ui::{pane_block, selection_style};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    // Which checklist: a call takes the sales or the telephony one.
    let mut title = format!("{}: {}", t.checklist, app.checklist().title.get(app.lang()));
    // First after the name: a narrow pane cuts the title's end.
    if let Some(set) = app
        .review
        .open
        .as_ref()
        .and_then(|o| o.calibration.as_ref())
    {
        let marker = crate::i18n::calibration::calibration_strings(app.lang())
            .on_review
            .replace("{set}", &crate::text::one_line(set, 40));
        title = format!("{title} · {marker}");
    }
    if let Some(score) = app.score() {
        let value = match score.percent {
            Some(p) => format!("{p:.0}%"),
            None => "—".to_string(),
        };
        title = format!(
            "{title} · {} {value} · {}/{} {}",
            t.score, score.answered, score.total, t.answered
        );
        if score.critical_failed {
            title = format!("{title} · {}", t.critical_failed);
        }
        if let Some(ms) = app.time_spent_ms() {
            title = format!("{title} · {} {}", t.time_spent, clock(ms));
        }
        if app.review.status() == ReviewStatus::Submitted {
            title = format!("{title} · {}", t.status_submitted);
        }
    }
    let answers = app.review.answers();
    let mut items = Vec::new();
    let mut selected = None;
    let mut section = "";
    for (index, item) in app.checklist().items.iter().enumerate() {
        if item.section != section {
            section = &item.section;
            items.push(ListItem::new(Line::from(Span::styled(
                app.checklist().section_title(section, app.lang()),
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ))));
        }
        if index == app.review.item() {
            selected = Some(items.len());
        }
        let answer = answers.and_then(|a| a.get(&item.id));
        let (mark, color) = match answer.and_then(|a| a.value) {
            Some(AnswerValue::Yes) => (format!("✔ {}", t.yes), Color::Green),
            Some(AnswerValue::No) => (format!("✘ {}", t.no), Color::Red),
            Some(AnswerValue::Na) => (format!("– {}", t.na), Color::Gray),
            None => ("·".to_string(), Color::DarkGray),
        };
        let mut spans = vec![
            Span::raw(format!("{:>2} ", index + 1)),
            Span::styled(format!("{mark:<5} "), Style::new().fg(color)),
            Span::raw(item.text.get(app.lang()).to_string()),
        ];
        if item.critical {
            spans.push(Span::styled(" !", Style::new().fg(Color::Red)));
        }
        if let Some(a) = answer {
            if a.automatic {
                spans.push(Span::styled(
                    format!(" ({})", t.auto),
                    Style::new().fg(Color::DarkGray),
                ));
            }
            if let Some(ms) = a.evidence_ms {
                spans.push(Span::styled(
                    format!(" @{}", clock(ms)),
                    Style::new().fg(Color::Cyan),
                ));
            }
            if let Some(quote) = app.review.quote_of(&item.id) {
                spans.push(Span::styled(
                    format!(" «{}»", one_line(quote, 40)),
                    Style::new().fg(Color::Cyan),
                ));
            }
            if let Some(comment) = &a.comment {
                spans.push(Span::styled(
                    format!(" ✎ {}", one_line(comment, 60)),
                    Style::new().fg(Color::Yellow),
                ));
            }
        }
        items.push(ListItem::new(Line::from(spans)));
    }
    let focused = app.screen.focus == Pane::Checklist;
    let list = List::new(items)
        .block(pane_block(title, focused))
        .highlight_style(selection_style(focused));
    let mut state = ListState::default().with_selected(selected);
    let detail = detail_lines(app);
    // The current item's hint and whole comment, when there is room.
    let detail_height = (detail.len() as u16).min(3);
    if detail_height > 0 && area.height >= 12 + detail_height {
        let [list_area, detail_area] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_height + 1)])
                .areas(area);
        frame.render_stateful_widget(list, list_area, &mut state);
        let block = Block::new()
            .borders(Borders::LEFT | Borders::RIGHT | Borders::BOTTOM)
            .border_style(Style::new().fg(if focused {
                Color::Cyan
            } else {
                Color::DarkGray
            }));
        frame.render_widget(
            Paragraph::new(detail)
                .block(block)
                .wrap(Wrap { trim: true }),
            detail_area,
        );
        return;
    }
    frame.render_stateful_widget(list, area, &mut state);
}

fn detail_lines(app: &App) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let Some(item) = app.checklist().items.get(app.review.item()) else {
        return lines;
    };
    if let Some(hint) = &item.hint {
        lines.push(Line::styled(
            hint.get(app.lang()).to_string(),
            Style::new().fg(Color::DarkGray),
        ));
    }
    if let Some(comment) = app.current_answer().and_then(|a| a.comment.as_ref()) {
        lines.push(Line::styled(
            format!("✎ {}", one_line(comment, 1000)),
            Style::new().fg(Color::Yellow),
        ));
    }
    lines
}
