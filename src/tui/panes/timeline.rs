//! The call at a glance, under the player: a waveform of the whole call, a
//! lane per side showing when each speaks (overtalk red, dead air dotted),
//! and a row with the playhead, markers and evidence stamps. Built as plain
//! lines so it reads at 80 columns and uses the width of a large terminal.

use crate::analysis::{CallAnalysis, ChannelLayout, Segment};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// What to draw besides the analysis: where we are and what is marked.
pub struct Marks<'a> {
    pub position_ms: u64,
    pub markers: &'a [u64],
    pub evidence: &'a [u64],
}

fn column_of(ms: u64, duration_ms: u64, width: usize) -> usize {
    if duration_ms == 0 || width == 0 {
        return 0;
    }
    ((ms as u128 * width as u128 / duration_ms as u128) as usize).min(width - 1)
}

fn column_span(col: usize, duration_ms: u64, width: usize) -> Segment {
    let w = width.max(1) as u64;
    Segment {
        start_ms: col as u64 * duration_ms / w,
        end_ms: ((col as u64 + 1) * duration_ms / w).max(col as u64 * duration_ms / w + 1),
    }
}

fn overlaps(segments: &[Segment], span: Segment) -> bool {
    segments
        .iter()
        .any(|s| s.start_ms < span.end_ms && span.start_ms < s.end_ms)
}

fn playhead(style: Style, is_head: bool) -> Style {
    if is_head {
        style.add_modifier(Modifier::REVERSED)
    } else {
        style
    }
}

/// The waveform of the loudest channel per column, one line.
pub fn waveform(analysis: &CallAnalysis, marks: &Marks, width: usize) -> Line<'static> {
    let w = &analysis.waveform;
    let channels = w.peaks.len().max(1);
    let columns: Vec<u8> = (0..width)
        .map(|col| {
            (0..channels)
                .map(|c| w.columns(c, width)[col])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let head = column_of(marks.position_ms, analysis.duration_ms, width);
    let spans = columns
        .iter()
        .enumerate()
        .map(|(col, level)| {
            let index = (*level as usize * (LEVELS.len() - 1)).div_ceil(255);
            let color = if col <= head {
                Color::Cyan
            } else {
                Color::Gray
            };
            Span::styled(
                LEVELS[index].to_string(),
                playhead(Style::new().fg(color), col == head),
            )
        })
        .collect::<Vec<_>>();
    Line::from(spans)
}

/// One lane: who speaks when. For mono calls a single "speech" lane.
pub fn lane(
    label: &str,
    speech: &[Segment],
    analysis: &CallAnalysis,
    marks: &Marks,
    width: usize,
    color: Color,
) -> Line<'static> {
    let label_width = 8;
    let width = width.saturating_sub(label_width);
    let head = column_of(marks.position_ms, analysis.duration_ms, width);
    let mut spans = vec![Span::styled(
        format!(
            "{:<label_width$}",
            crate::text::one_line(label, label_width - 1)
        ),
        Style::new().fg(color),
    )];
    for col in 0..width {
        let span = column_span(col, analysis.duration_ms, width);
        let (ch, style) = if overlaps(speech, span) {
            if overlaps(&analysis.overtalk, span) {
                ('█', Style::new().fg(Color::Red))
            } else {
                ('█', Style::new().fg(color))
            }
        } else if overlaps(&analysis.dead_air, span) {
            ('·', Style::new().fg(Color::DarkGray))
        } else {
            (' ', Style::new())
        };
        spans.push(Span::styled(ch.to_string(), playhead(style, col == head)));
    }
    Line::from(spans)
}

/// Markers (▼) and evidence stamps (◆) along the call.
pub fn marks_row(analysis_duration_ms: u64, marks: &Marks, width: usize) -> Line<'static> {
    let mut cells = vec![(' ', Style::new()); width];
    for ms in marks.evidence {
        let col = column_of(*ms, analysis_duration_ms, width);
        cells[col] = ('◆', Style::new().fg(Color::Cyan));
    }
    for ms in marks.markers {
        let col = column_of(*ms, analysis_duration_ms, width);
        cells[col] = ('▼', Style::new().fg(Color::Magenta));
    }
    if width > 0 {
        let head = column_of(marks.position_ms, analysis_duration_ms, width);
        if cells[head].0 == ' ' {
            cells[head] = ('│', Style::new().fg(Color::Yellow));
        }
    }
    Line::from(
        cells
            .into_iter()
            .map(|(c, s)| Span::styled(c.to_string(), s))
            .collect::<Vec<_>>(),
    )
}

/// Everything for the player pane below its two text lines.
pub fn lines(
    analysis: &CallAnalysis,
    marks: &Marks,
    width: usize,
    rep: &str,
    client: &str,
    speech: &str,
) -> Vec<Line<'static>> {
    let mut out = vec![
        marks_row(analysis.duration_ms, marks, width),
        waveform(analysis, marks, width),
    ];
    match (analysis.layout, &analysis.rep, &analysis.client) {
        (ChannelLayout::Mono, _, _) | (_, None, _) | (_, _, None) => {
            out.push(lane(
                speech,
                &analysis.speech,
                analysis,
                marks,
                width,
                Color::Green,
            ));
        }
        (_, Some(r), Some(c)) => {
            out.push(lane(rep, &r.speech, analysis, marks, width, Color::Green));
            out.push(lane(client, &c.speech, analysis, marks, width, Color::Blue));
        }
    }
    out
}
