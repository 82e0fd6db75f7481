//! The player: which call, where in it, playing or not, at what speed, and
//! whether there is sound at all.

use crate::audio::OutputState;
use crate::domain::crm::Direction;
use crate::text::{clock, one_line};
use crate::tui::app::{App, Pane};
use crate::tui::ui::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let block = pane_block(t.player.to_string(), app.focus == Pane::Player);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [meta, state, bar] = Layout::vertical([Constraint::Length(1); 3]).areas(inner);
    let Some(open) = &app.open else {
        frame.render_widget(Paragraph::new(t.no_call), meta);
        return;
    };
    let call = &open.call;
    let rec = &call.recording;
    let direction = match call.direction {
        Direction::In => t.direction_in,
        Direction::Out => t.direction_out,
    };
    let mut meta_spans = vec![
        Span::styled(one_line(&call.call_id, 40), Style::new().fg(Color::Cyan)),
        Span::raw(format!(
            " · {} · {direction} · {} · {}",
            one_line(&call.rep, 40),
            one_line(&call.phone, 24),
            call.started_at.format("%Y-%m-%d %H:%M %:z"),
        )),
        Span::styled(
            format!(
                " · {}/{} {} Hz {}ch",
                one_line(&rec.container, 8),
                one_line(&rec.codec, 16),
                rec.sample_rate,
                rec.channels
            ),
            Style::new().fg(Color::DarkGray),
        ),
    ];
    if let Some(script) = &call.script {
        meta_spans.push(Span::raw(format!(
            " · {}: {}",
            t.script,
            one_line(script, 30)
        )));
    }
    frame.render_widget(Paragraph::new(Line::from(meta_spans)), meta);

    let status = &app.player_status;
    let duration = status
        .duration
        .map_or(rec.duration_ms, |d| d.as_millis() as u64);
    let position = (status.position.as_millis() as u64).min(duration);
    let (icon, label, color) = if status.playing {
        ("▶", t.playing, Color::Green)
    } else if status.finished {
        ("■", t.finished, Color::Gray)
    } else {
        ("⏸", t.paused, Color::Yellow)
    };
    let mut spans = vec![
        Span::styled(format!("{icon} {label}  "), Style::new().fg(color)),
        Span::raw(format!("{} / {}  ", clock(position), clock(duration))),
        Span::raw(format!("{} {:.2}x  ", t.speed, status.speed)),
    ];
    if !open.markers.is_empty() {
        let list: Vec<String> = open
            .markers
            .iter()
            .take(6)
            .map(|m| clock(m.position_ms))
            .collect();
        spans.push(Span::styled(
            format!("⚑ {} ", list.join(" ")),
            Style::new().fg(Color::Magenta),
        ));
    }
    if let OutputState::NoDevice(reason) = &status.output {
        spans.push(Span::styled(
            format!(
                "{}: {}",
                t.no_sound,
                one_line(reason.trim_start_matches("no sound: "), 200)
            ),
            Style::new().fg(Color::Yellow),
        ));
    }
    if let Some(error) = &status.error {
        spans.push(Span::styled(
            format!(" {}", one_line(error, 200)),
            Style::new().fg(Color::Red),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), state);

    let ratio = if duration == 0 {
        0.0
    } else {
        position as f64 / duration as f64
    };
    frame.render_widget(
        LineGauge::default()
            .filled_style(Style::new().fg(Color::Cyan))
            .unfilled_style(Style::new().fg(Color::DarkGray))
            .ratio(ratio.clamp(0.0, 1.0))
            .label(""),
        bar,
    );
}
