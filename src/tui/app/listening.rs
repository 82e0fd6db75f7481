//! Listening: the player handle and its last status, the speed and volume
//! asked for, and the controls beyond play and seek (speed steps,
//! skip-silence ranges from the analysis, channel solo by the call's
//! layout, markers).
//!
//! Whether the screen needs a redraw is decided from the status itself:
//! [`Shown`] is everything of it the screen draws, and two statuses that
//! give the same `Shown` draw the same. It is built by destructuring the
//! whole status, so a field added to the player's status does not compile
//! until someone decides how it shows.

use super::App;
use crate::audio::chain::MAX_VOLUME;
use crate::audio::{ChannelMode, OutputState, PlayerCommand, PlayerHandle, PlayerStatus};
use std::time::Duration;

/// The speed steps of `[` and `]`.
const SPEEDS: &[f32] = &[0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5];
const VOLUME_STEP: f32 = 0.1;

pub struct Listening {
    pub player: PlayerHandle,
    /// The player's status as last drawn.
    pub status: PlayerStatus,
    /// The speed asked for; the player's status lags behind key repeats.
    speed: f32,
    /// Likewise the volume.
    volume: f32,
    /// A jump asked for that the player's status does not show yet: the
    /// place to save until it does, so a kill right after reopening or
    /// after a jump keeps where the reviewer is, not where the player was.
    pending_seek: Option<Duration>,
}

/// A pending jump counts as done when the status is this close to it.
const SEEK_LANDED: Duration = Duration::from_secs(1);

/// What the screen shows of a player status.
#[derive(Debug, PartialEq)]
struct Shown {
    loaded: bool,
    /// The playhead moves on screen in tenths of a second at most.
    position_tenths: u128,
    duration: Option<Duration>,
    playing: bool,
    speed: f32,
    output: OutputState,
    error: Option<String>,
    finished: bool,
    skip_silence: bool,
    skipped_seconds: u64,
    channel_mode: ChannelMode,
    volume: f32,
    auto_gain: bool,
}

impl Shown {
    fn of(status: &PlayerStatus) -> Shown {
        let PlayerStatus {
            loaded,
            position,
            duration,
            playing,
            speed,
            output,
            error,
            // Set and cleared with `error`, which is compared.
            recording_error: _,
            finished,
            skip_silence,
            skipped,
            channel_mode,
            volume,
            auto_gain,
        } = status;
        Shown {
            loaded: loaded.is_some(),
            position_tenths: position.as_millis() / 100,
            duration: *duration,
            playing: *playing,
            speed: *speed,
            output: output.clone(),
            error: error.clone(),
            finished: *finished,
            skip_silence: *skip_silence,
            skipped_seconds: skipped.as_secs(),
            channel_mode: *channel_mode,
            volume: *volume,
            auto_gain: *auto_gain,
        }
    }
}

impl Listening {
    pub(super) fn new(player: PlayerHandle) -> Listening {
        let status = player.status();
        Listening {
            player,
            status,
            speed: 1.0,
            volume: 1.0,
            pending_seek: None,
        }
    }

    /// Take the player's status; true when the screen shows it differently.
    pub(super) fn refresh(&mut self) -> bool {
        let status = self.player.status();
        let changed = Shown::of(&status) != Shown::of(&self.status);
        if let Some(target) = self.pending_seek
            && status.loaded.is_some()
            && status.position.abs_diff(target) < SEEK_LANDED
        {
            self.pending_seek = None;
        }
        self.status = status;
        changed
    }

    /// The position to keep as the reviewer's place: a jump not yet
    /// applied, else what the player shows.
    pub(super) fn place_ms(&self) -> u64 {
        self.pending_seek
            .unwrap_or(self.status.position)
            .as_millis() as u64
    }

    pub fn playing(&self) -> bool {
        self.status.playing
    }

    pub(super) fn position_ms(&self) -> u64 {
        self.player.status().position.as_millis() as u64
    }

    pub(super) fn send(&mut self, command: PlayerCommand) {
        match &command {
            PlayerCommand::Seek(to) => self.pending_seek = Some(*to),
            PlayerCommand::SeekBy(_) | PlayerCommand::Load(_) | PlayerCommand::Unload => {
                self.pending_seek = None
            }
            _ => {}
        }
        self.player.send(command);
    }

    /// The next speed step; None at the end of the range.
    fn step_speed(&mut self, faster: bool) -> Option<f32> {
        let current = self.speed;
        let next = if faster {
            SPEEDS.iter().copied().find(|s| *s > current + 0.01)
        } else {
            SPEEDS.iter().rev().copied().find(|s| *s < current - 0.01)
        }?;
        self.speed = next;
        self.player.send(PlayerCommand::SetSpeed(next));
        Some(next)
    }

    /// One volume step; None at the end of the range.
    fn step_volume(&mut self, louder: bool) -> Option<f32> {
        let step = if louder { VOLUME_STEP } else { -VOLUME_STEP };
        let next = (self.volume + step).clamp(0.0, MAX_VOLUME);
        if (next - self.volume).abs() < 0.001 {
            return None;
        }
        self.volume = next;
        self.player.send(PlayerCommand::SetVolume(next));
        Some(next)
    }
}

impl App {
    pub(super) fn add_marker(&mut self, position_ms: u64, note: Option<String>) {
        let Some(open) = self.review.open.as_mut() else {
            return;
        };
        let reviewer = &self.session.reviewer;
        let saved = self
            .ws
            .add_marker(&open.call.call_id, reviewer, position_ms, note.as_deref())
            .and_then(|_| self.ws.markers(&open.call.call_id, reviewer));
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

    /// Mark the open call as an example heard from `position_ms`, or take
    /// the mark off when no reason is given.
    pub(super) fn mark_best_call(&mut self, position_ms: u64, reason: Option<String>) {
        let Some(open) = self.review.open.as_mut() else {
            return;
        };
        let (call_id, reviewer) = (&open.call.call_id, &self.session.reviewer);
        let reason = reason.filter(|r| !r.trim().is_empty());
        let saved = match &reason {
            Some(reason) => self
                .ws
                .mark_best_call(call_id, reviewer, reason.trim(), position_ms),
            None => self.ws.unmark_best_call(call_id, reviewer).map(|_| ()),
        }
        .and_then(|()| self.ws.best_call(call_id, reviewer));
        match saved {
            Ok(best) => {
                open.best = best;
                let t = self.t();
                let text = match reason {
                    Some(_) => format!("{} {}", t.best_marked, crate::text::clock(position_ms)),
                    None => t.best_unmarked.to_string(),
                };
                self.info(text);
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Jump to the first marker after the playhead, wrapping to the first.
    pub(super) fn next_marker(&mut self) {
        let Some(open) = &self.review.open else {
            return self.no_call();
        };
        // A marker just played past still counts as "here", not "next".
        let here = self.listening.position_ms() + 500;
        let target = open
            .markers
            .iter()
            .find(|m| m.position_ms > here)
            .or(open.markers.first())
            .map(|m| m.position_ms);
        match target {
            Some(ms) => self
                .listening
                .send(PlayerCommand::Seek(Duration::from_millis(ms))),
            None => {
                let text = self.fill_keys(self.t().no_markers);
                self.info(text);
            }
        }
    }

    /// Give the player the open call's dead air, for skip-silence.
    pub(super) fn send_skip_ranges(&mut self) {
        let Some(analysis) = self.review.open.as_ref().and_then(|o| o.analysis.as_ref()) else {
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
        self.listening.send(PlayerCommand::SetSkipRanges(ranges));
    }

    pub(super) fn toggle_skip_silence(&mut self) {
        let on = !self.listening.player.status().skip_silence;
        self.send_skip_ranges();
        self.listening.send(PlayerCommand::SetSkipSilence(on));
        if on
            && self
                .review
                .open
                .as_ref()
                .is_some_and(|o| o.analysis.is_none())
        {
            let text = self.t().skip_needs_analysis.to_string();
            self.info(text);
        }
    }

    pub(super) fn toggle_auto_gain(&mut self) {
        let on = !self.listening.player.status().auto_gain;
        self.listening.send(PlayerCommand::SetAutoGain(on));
    }

    /// Both sides, then the rep alone, then the client alone; which
    /// channel is whose comes from the call's `channel_layout`.
    pub(super) fn next_channel_mode(&mut self) {
        use crate::domain::crm::ChannelLayout;
        let Some(open) = &self.review.open else {
            return self.no_call();
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
        let current = self.listening.player.status().channel_mode;
        let next = if current == ChannelMode::Both {
            rep
        } else if current == rep {
            client
        } else {
            ChannelMode::Both
        };
        self.listening.send(PlayerCommand::SetChannelMode(next));
    }

    pub(super) fn step_speed(&mut self, faster: bool) {
        if self.listening.step_speed(faster).is_none() {
            let t = self.t();
            let text = if faster { t.fastest } else { t.slowest };
            self.info(format!("{text} {:.2}x", self.listening.speed));
        }
    }

    pub(super) fn step_volume(&mut self, louder: bool) {
        if self.listening.step_volume(louder).is_none() {
            let t = self.t();
            let text = if louder { t.loudest } else { t.quietest };
            self.info(format!("{text} {:.0}%", self.listening.volume * 100.0));
        }
    }
}
