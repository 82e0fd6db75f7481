//! What the rep wrote in the CRM about this call and client: contact
//! fields (missing ones marked), deal, next task (overdue marked) and the
//! notes, newest first, with the call's own write-up marked.
//! All CRM text is data: it is sanitised before it reaches the screen.

use crate::text::{one_line, sanitize};
use crate::tui::app::{App, Pane};
use crate::tui::ui::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// A note longer than this is cut on screen; the rest is in the workspace.
const NOTE_CHARS: usize = 2_000;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let block = pane_block(t.crm.to_string(), app.screen.focus == Pane::Crm);
    let lines = match (&app.review.open, &app.review.email) {
        (Some(open), _) => lines(app, open),
        (None, Some(email)) => email_lines(app, email),
        (None, None) if app.review.visit.is_some() => {
            vec![Line::from(
                crate::i18n::mystery::mystery_strings(app.lang()).no_crm,
            )]
        }
        (None, None) => vec![Line::from(t.no_call)],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((app.review.crm_scroll, 0)),
        area,
    );
}

/// An open email's addressees, link and attachments (listed, never opened).
fn email_lines(app: &App, open: &crate::tui::app::OpenEmail) -> Vec<Line<'static>> {
    let t = crate::i18n::email::email_strings(app.lang());
    let e = &open.email;
    let boxes = |list: &[crate::domain::email::Mailbox]| {
        list.iter()
            .map(|m| match m.name.is_empty() {
                true => m.address.clone(),
                false => format!("{} <{}>", m.name, m.address),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = vec![
        heading(t.emails),
        field(t.rep, e.link.rep.as_deref().unwrap_or(""), t.unknown),
        field(t.contact, &boxes(&e.email.to), t.unknown),
        field(t.cc, &boxes(&e.email.cc), t.unknown),
        field(t.deal, e.link.deal_id.as_deref().unwrap_or(""), t.unknown),
    ];
    if !e.email.attachments.is_empty() {
        out.push(heading(t.attachments));
        for a in &e.email.attachments {
            out.push(Line::from(format!(
                "  {} ({} {})",
                one_line(&a.name, 100),
                a.size.div_ceil(1024),
                t.kilobytes
            )));
        }
    }
    out
}

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::new().add_modifier(Modifier::BOLD),
    ))
}

fn field(label: &str, value: &str, missing: &str) -> Line<'static> {
    let value = if value.trim().is_empty() {
        Span::styled(format!("✘ {missing}"), Style::new().fg(Color::Red))
    } else {
        Span::raw(one_line(value, 200))
    };
    Line::from(vec![
        Span::styled(format!("  {label}: "), Style::new().fg(Color::DarkGray)),
        value,
    ])
}

fn lines(app: &App, open: &crate::tui::app::OpenCall) -> Vec<Line<'static>> {
    let t = app.t();
    let crm = &open.crm;
    let mut out = Vec::new();
    if let Some(link) = &open.link {
        let rule = t
            .link_rules
            .iter()
            .find(|(code, _)| *code == link.rule)
            .map_or(link.rule.as_str(), |(_, text)| text);
        let mut text = format!("{}: {rule}", t.linked_by);
        if let Some(detail) = &link.detail {
            // An id kind (`call.crm_link`) reads as words; an unknown one
            // (a generic import's own) is shown as it is.
            let detail = t
                .link_details
                .iter()
                .find(|(kind, _)| kind == detail)
                .map_or_else(|| one_line(detail, 40), |(_, words)| words.to_string());
            text.push_str(&format!(" ({detail})"));
        }
        let color = match link.rule.as_str() {
            "unmatched" => Color::Red,
            "phone_only" => Color::Yellow,
            _ => Color::DarkGray,
        };
        out.push(Line::styled(text, Style::new().fg(color)));
        for ambiguity in &link.ambiguity {
            out.push(Line::styled(
                format!(
                    "  ⚠ {}",
                    one_line(&crate::i18n::ambiguity(app.lang(), ambiguity), 200)
                ),
                Style::new().fg(Color::Yellow),
            ));
        }
    }

    out.push(heading(t.contact));
    match &crm.contact {
        Some(c) => {
            for (label, value) in [
                (t.field_name, &c.name),
                (t.field_role, &c.role),
                (t.field_phone, &c.phone),
                (t.field_email, &c.email),
                (t.field_company, &c.company),
                (t.field_industry, &c.industry),
                (t.field_segment, &c.segment),
            ] {
                out.push(field(label, value, t.missing));
            }
        }
        None => out.push(Line::styled(
            format!("  {}", t.no_contact),
            Style::new().fg(Color::Red),
        )),
    }

    out.push(heading(t.deal));
    match &crm.deal {
        Some(d) => {
            out.push(Line::from(format!("  {}", one_line(&d.title, 200))));
            out.push(field(t.stage, &d.stage, t.missing));
            let amount = d
                .amount
                .map(|a| format!("{a:.0} {}", one_line(&d.currency, 8)))
                .unwrap_or_default();
            out.push(field(t.amount, &amount, t.missing));
            out.push(field(t.source, &d.source, t.missing));
        }
        None => out.push(Line::styled(
            format!("  {}", t.no_deal),
            Style::new().fg(Color::DarkGray),
        )),
    }

    out.push(heading(t.next_task));
    let now = chrono::Local::now().fixed_offset();
    let task_lines = |task: &crate::domain::crm::Task, note: Option<&str>| {
        let due = match task.due_at {
            Some(due) if task.is_overdue(now) => Span::styled(
                format!("{} {}", due.format("%Y-%m-%d %H:%M"), t.overdue),
                Style::new().fg(Color::White).bg(Color::Red),
            ),
            Some(due) => Span::raw(due.format("%Y-%m-%d %H:%M").to_string()),
            None => Span::styled(t.no_due_date, Style::new().fg(Color::Red)),
        };
        let mut first = vec![Span::raw("  "), due];
        if let Some(note) = note {
            first.push(Span::styled(
                format!(" · {note}"),
                Style::new().fg(Color::DarkGray),
            ));
        }
        [
            Line::from(first),
            Line::from(format!("  {}", one_line(&task.text, 300))),
        ]
    };
    match crm.next_step(&open.call) {
        Some(task) => out.extend(task_lines(task, None)),
        None => {
            out.push(Line::styled(
                format!("  {}", t.no_next_task),
                Style::new().fg(Color::Red),
            ));
            // Open tasks set for an earlier conversation: not this call's
            // next step, but an overdue one is still the rep's to do.
            for task in crm.tasks.iter().filter(|t| !t.done) {
                out.extend(task_lines(task, Some(t.earlier_task)));
            }
        }
    }

    out.push(heading(t.notes));
    let notes = crm.notes_newest_first();
    if !crm.is_written_up() {
        out.push(Line::styled(
            format!("  {}", t.no_notes),
            Style::new().fg(Color::Red),
        ));
    }
    for note in notes {
        // The write-up mark is the one the checklist and the audit read.
        let write_up = crm.is_write_up(note);
        let mut tags = vec![if note.created_at >= open.call.started_at {
            t.after_call
        } else {
            t.before_call
        }];
        if write_up {
            tags.push(t.this_call);
        }
        let color = if write_up {
            Color::Green
        } else {
            Color::DarkGray
        };
        out.push(Line::from(vec![
            Span::styled(
                format!("  {} ", note.created_at.format("%Y-%m-%d %H:%M")),
                Style::new().fg(color).add_modifier(Modifier::BOLD),
            ),
            Span::raw(one_line(&note.author_rep, 40)),
            Span::styled(format!(" · {}", tags.join(" · ")), Style::new().fg(color)),
        ]));
        let shown = sanitize(&note.text, true, NOTE_CHARS);
        for line in shown.lines() {
            out.push(Line::from(format!("    {line}")));
        }
        let total = note.text.chars().count();
        if total > NOTE_CHARS {
            out.push(Line::styled(
                format!("    (+{} {})", total - NOTE_CHARS, t.more_chars),
                Style::new().fg(Color::DarkGray),
            ));
        }
    }
    out
}
