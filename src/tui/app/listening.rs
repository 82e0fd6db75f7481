//! Listening controls beyond play and seek: speed steps, skip-silence
//! ranges from the analysis, channel solo by the call's layout, markers.

use super::App;
use crate::audio::PlayerCommand;
use std::time::Duration;

/// The speed steps of `[` and `]`.
const SPEEDS: &[f32] = &[0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5];

impl App {
    pub(super) fn add_marker(&mut self, position_ms: u64, note: Option<String>) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let saved = self
            .ws
            .add_marker(
                &open.call.call_id,
                &self.reviewer,
                position_ms,
                note.as_deref(),
            )
            .and_then(|_| self.ws.markers(&open.call.call_id, &self.reviewer));
        match saved {
            Ok(markers) => {
                open.markers = markers;
                let text = format!(
                    "{} {}",
                    self.t().marker_added,
                    crate::text::clock(position_ms)
                );
                self.info(text);
            }
            Err(e) => self.error(e.to_string()),
        }
    }
    /// Jump to the first marker after the playhead, wrapping to the first.
    pub(super) fn next_marker(&mut self) {
        let Some(open) = &self.open else {
            return;
        };
        // A marker just played past still counts as "here", not "next".
        let here = self.player.status().position.as_millis() as u64 + 500;
        let target = open
            .markers
            .iter()
            .find(|m| m.position_ms > here)
            .or(open.markers.first())
            .map(|m| m.position_ms);
        match target {
            Some(ms) => self
                .player
                .send(PlayerCommand::Seek(Duration::from_millis(ms))),
            None => {
                let text = self.t().no_markers.to_string();
                self.info(text);
            }
        }
    }
    /// Give the player the open call's dead air, for skip-silence.
    pub(super) fn send_skip_ranges(&self) {
        let Some(analysis) = self.open.as_ref().and_then(|o| o.analysis.as_ref()) else {
            return;
        };
        let ranges = analysis
            .dead_air
            .iter()
            .map(|s| {
                (
                    Duration::from_millis(s.start_ms),
                    Duration::from_millis(s.end_ms),
                )
            })
            .collect();
        self.player.send(PlayerCommand::SetSkipRanges(ranges));
    }
    /// Both sides, then the rep alone, then the client alone; which
    /// channel is whose comes from the call's `channel_layout`.
    pub(super) fn next_channel_mode(&mut self) {
        use crate::audio::ChannelMode;
        use crate::domain::crm::ChannelLayout;
        let Some(open) = &self.open else {
            return;
        };
        let (rep, client) = match open.call.recording.channel_layout {
            ChannelLayout::RepLeft => (ChannelMode::LeftOnly, ChannelMode::RightOnly),
            ChannelLayout::RepRight => (ChannelMode::RightOnly, ChannelMode::LeftOnly),
            ChannelLayout::Mono => {
                let text = self.t().mono_call.to_string();
                self.info(text);
                return;
            }
        };
        let current = self.player.status().channel_mode;
        let next = if current == ChannelMode::Both {
            rep
        } else if current == rep {
            client
        } else {
            ChannelMode::Both
        };
        self.player.send(PlayerCommand::SetChannelMode(next));
    }
    pub(super) fn step_speed(&mut self, faster: bool) {
        let current = self.speed;
        let next = if faster {
            SPEEDS.iter().copied().find(|s| *s > current + 0.01)
        } else {
            SPEEDS.iter().rev().copied().find(|s| *s < current - 0.01)
        };
        if let Some(speed) = next {
            self.speed = speed;
            self.player.send(PlayerCommand::SetSpeed(speed));
        }
    }
}
