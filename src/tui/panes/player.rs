//! The player: which call, where in it, playing or not, at what speed, and
//! whether there is sound at all.

use crate::audio::OutputState;
use crate::domain::crm::Direction;
use crate::text::{self, clock, one_line};
use crate::tui::app::{App, Pane};
use crate::tui::panes::timeline;
use crate::tui::ui::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.t();
    let block = pane_block(t.player.to_string(), app.screen.focus == Pane::Player);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [meta, state, bar, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let Some(open) = &app.review.open else {
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

    let status = &app.listening.status;
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
        Span::raw(format!(
            "{} / {}  ",
            clock(position),
            text::duration(duration)
        )),
        Span::raw(format!("{} {:.2}x  ", t.speed, status.speed)),
    ];
    if status.skip_silence {
        spans.push(Span::styled(
            format!(
                "⏭ {} ({})  ",
                t.skip_on,
                text::duration(status.skipped.as_millis() as u64)
            ),
            Style::new().fg(Color::Cyan),
        ));
    }
    {
        use crate::audio::ChannelMode;
        use crate::domain::crm::ChannelLayout;
        let rep_left = rec.channel_layout == ChannelLayout::RepLeft;
        let solo = match status.channel_mode {
            ChannelMode::Both => None,
            ChannelMode::LeftOnly => Some(if rep_left { t.solo_rep } else { t.solo_client }),
            ChannelMode::RightOnly => Some(if rep_left { t.solo_client } else { t.solo_rep }),
        };
        if let Some(solo) = solo.filter(|_| rec.channel_layout != ChannelLayout::Mono) {
            spans.push(Span::styled(
                format!("◐ {solo}  "),
                Style::new().fg(Color::Cyan),
            ));
        }
    }
    if (status.volume - 1.0).abs() > 0.01 {
        spans.push(Span::raw(format!(
            "{} {:.0}%  ",
            t.volume,
            status.volume * 100.0
        )));
    }
    if status.auto_gain {
        spans.push(Span::styled(
            format!("{}  ", t.auto_gain),
            Style::new().fg(Color::Cyan),
        ));
    }
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
    if let Some(best) = &open.best {
        spans.push(Span::styled(
            format!("★ {} @{} ", t.best_label, clock(best.position_ms)),
            Style::new().fg(Color::Yellow),
        ));
    }
    if let OutputState::NoDevice(reason) = &status.output {
        spans.push(Span::styled(
            format!("{}: {}", t.no_sound, no_sound_reason(t, reason)),
            Style::new().fg(Color::Yellow),
        ));
    }
    if let Some(error) = &status.error {
        let text = match &status.recording_error {
            Some(e) => crate::i18n::errors::audio(app.lang(), e),
            None => error.clone(),
        };
        spans.push(Span::styled(
            format!(" {}", one_line(&text, 200)),
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
    if let Some(analysis) = &open.analysis {
        draw_analysis(frame, rest, app, analysis, position);
    } else if rest.height > 0 {
        let p = &app.analysis.progress;
        let (text, color) = match (&p.current, p.failure(&open.call.call_id)) {
            (_, Some(reason)) => (
                one_line(&format!("{}: {reason}", t.analysis_failed), 300),
                Color::Red,
            ),
            (Some((id, f)), None) => (
                format!("{} {} {:.0}%", t.analysing, one_line(id, 30), f * 100.0),
                Color::DarkGray,
            ),
            (None, None) => (t.not_analysed.to_string(), Color::DarkGray),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, Style::new().fg(color))).wrap(Wrap { trim: false }),
            rest,
        );
    }
}

/// Talk lanes, waveform, marks and the call's metrics.
fn draw_analysis(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    analysis: &crate::analysis::CallAnalysis,
    position: u64,
) {
    let t = app.t();
    let Some(open) = &app.review.open else {
        return;
    };
    let markers: Vec<u64> = open.markers.iter().map(|m| m.position_ms).collect();
    let evidence: Vec<u64> = open
        .answers()
        .values()
        .filter_map(|a| a.evidence_ms)
        .collect();
    let marks = timeline::Marks {
        position_ms: position,
        markers: &markers,
        evidence: &evidence,
    };
    let mut lines = timeline::lines(
        analysis,
        &marks,
        area.width as usize,
        t.lane_rep,
        t.lane_client,
        t.lane_speech,
    );
    lines.push(metrics_line(app, analysis));
    // On a short terminal the marks row goes first, then the metrics, then
    // the waveform: the talk lanes are what a reviewer steers by.
    let room = area.height as usize;
    if lines.len() > room {
        lines.remove(0);
    }
    if lines.len() > room {
        lines.pop();
    }
    if lines.len() > room {
        lines.remove(0);
    }
    lines.truncate(room);
    frame.render_widget(Paragraph::new(lines), area);
}

fn metrics_line(app: &App, a: &crate::analysis::CallAnalysis) -> Line<'static> {
    let t = app.t();
    let mut spans = Vec::new();
    for flag in &a.flags {
        spans.push(Span::styled(
            format!("⚠ {}  ", flag_text(t, flag)),
            Style::new().fg(Color::Red),
        ));
    }
    let mut parts = Vec::new();
    if let Some(share) = a.talk_share_rep {
        parts.push(format!("{} {:.0}%", t.metric_rep_talk, share * 100.0));
    }
    if let Some(ms) = a.longest_rep_monologue_ms {
        parts.push(format!("{} {}", t.metric_monologue, text::duration(ms)));
    }
    parts.push(format!(
        "{} {}",
        t.metric_dead_air,
        text::duration(a.dead_air_total_ms)
    ));
    if a.rep.is_some() {
        parts.push(format!(
            "{} {}/{}",
            t.metric_interruptions, a.interruptions_by_rep, a.interruptions_by_client
        ));
    }
    parts.push(format!("{:.0} dBFS", a.level_dbfs));
    if a.clipping_ratio > 0.0 {
        parts.push(format!(
            "{} {:.1}%",
            t.metric_clipping,
            a.clipping_ratio * 100.0
        ));
    }
    spans.push(Span::styled(
        parts.join(" · "),
        Style::new().fg(Color::Gray),
    ));
    Line::from(spans)
}

pub fn flag_text(t: &crate::i18n::Strings, flag: &crate::analysis::HealthFlag) -> String {
    use crate::analysis::{HealthFlag, Side};
    match flag {
        HealthFlag::OneWayAudio { silent_side } => format!(
            "{} ({})",
            t.flag_one_way,
            match silent_side {
                Side::Rep => t.lane_rep,
                Side::Client => t.lane_client,
            }
        ),
        HealthFlag::Silent => t.flag_silent.to_string(),
        HealthFlag::HeavyClipping => t.flag_clipping.to_string(),
        HealthFlag::ShortAnswered => t.flag_short.to_string(),
        HealthFlag::LongDeadAir { longest_ms } => {
            format!("{} {}", t.flag_dead_air, text::duration(*longest_ms))
        }
    }
}

/// One character per flag for the queue.
pub fn flag_mark(flag: &crate::analysis::HealthFlag) -> char {
    use crate::analysis::HealthFlag;
    match flag {
        HealthFlag::OneWayAudio { .. } => '⇥',
        HealthFlag::Silent => '∅',
        HealthFlag::HeavyClipping => '✂',
        HealthFlag::ShortAnswered => '⏱',
        HealthFlag::LongDeadAir { .. } => '…',
    }
}

/// Why there is no sound, in the workspace language. The player reports
/// its reason in English; the ones it knows are translated here, and a
/// device's own error text (from the sound system) follows as it came.
pub fn no_sound_reason(t: &crate::i18n::Strings, reason: &str) -> String {
    const CONTINUING: &str = " (continuing without sound)";
    let reason = reason.trim_start_matches("no sound: ");
    let (reason, continuing) = match reason.strip_suffix(CONTINUING) {
        Some(r) => (r, true),
        None => (reason, false),
    };
    let mut text = match reason {
        "null output selected" => t.sound_off.to_string(),
        "opening the audio device" => t.sound_opening.to_string(),
        "audio device lost" => t.sound_lost.to_string(),
        _ => {
            if let Some(host) = reason.strip_prefix("no output device") {
                format!("{}{}", t.sound_no_device, one_line(host, 60))
            } else {
                let detail = reason.trim_start_matches("audio device: ");
                format!("{}: {}", t.sound_device_error, one_line(detail, 200))
            }
        }
    };
    if continuing {
        text.push_str(&format!(" ({})", t.sound_continuing));
    }
    text
}
