//! `Controls`: the state a playing [`CallSource`](super::source::CallSource)
//! shares with whoever steers it (the playback thread, the UI's snapshots).
//!
//! Everything the UI reads is an atomic, so a status snapshot never waits for
//! the audio thread; the only locks guard the error text and the skip ranges,
//! and the audio side takes the ranges lock only when they change (it watches
//! a generation counter). Positions are counted in recording frames.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(super) const NONE: u64 = u64::MAX;

/// State shared between a [`CallSource`](super::source::CallSource) (audio
/// side) and its controller. All reads are lock-free except `error`.
#[derive(Debug)]
pub struct Controls {
    sample_rate: u32,
    paused: AtomicBool,
    /// Frames handed out, in recording time.
    pub(super) position: AtomicU64,
    /// Pending seek target in frames, `NONE` if none.
    pub(super) seek_target: AtomicU64,
    /// Raised by every seek request, so stages after the source (the time
    /// stretcher) drop audio they buffered from before the jump.
    seek_generation: AtomicU64,
    /// Length in frames, `NONE` if unknown; corrected at the real end.
    pub(super) total: AtomicU64,
    pub(super) finished: AtomicBool,
    pub(super) error: Mutex<Option<String>>,
    /// Skip silence: jump over `skip_ranges` while playing.
    skip_on: AtomicBool,
    /// Dead-air ranges in frames, sorted and merged.
    skip_ranges: Mutex<Arc<Vec<(u64, u64)>>>,
    /// Raised when the ranges or the toggle change.
    pub(super) skip_generation: AtomicU64,
    /// Frames jumped over by skip silence since the call was loaded.
    pub(super) skipped: AtomicU64,
}

impl Controls {
    pub(super) fn new(sample_rate: u32, total_frames: Option<u64>) -> Self {
        Controls {
            sample_rate: sample_rate.max(1),
            paused: AtomicBool::new(false),
            position: AtomicU64::new(0),
            seek_target: AtomicU64::new(NONE),
            seek_generation: AtomicU64::new(0),
            total: AtomicU64::new(total_frames.unwrap_or(NONE)),
            finished: AtomicBool::new(false),
            error: Mutex::new(None),
            skip_on: AtomicBool::new(false),
            skip_ranges: Mutex::new(Arc::new(Vec::new())),
            skip_generation: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
        }
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Ask the source to jump to `to` (clamped to the length). Applied at the
    /// next frame the output pulls; [`Controls::position`] reports the target
    /// at once.
    pub fn seek(&self, to: Duration) {
        self.seek_frames(self.duration_to_frames(to));
    }

    /// [`Controls::seek`] to a frame (sample-exact, for whole-file work).
    pub fn seek_frames(&self, mut frames: u64) {
        if let Some(total) = self.total_frames() {
            frames = frames.min(total);
        }
        self.seek_target
            .store(frames.min(NONE - 1), Ordering::SeqCst);
        self.seek_generation.fetch_add(1, Ordering::SeqCst);
        self.finished.store(false, Ordering::SeqCst);
    }

    /// Changes with every [`Controls::seek`] call.
    pub fn seek_generation(&self) -> u64 {
        self.seek_generation.load(Ordering::SeqCst)
    }

    /// Position in recording frames (a pending seek target counts as reached).
    pub fn position_frames(&self) -> u64 {
        match self.seek_target.load(Ordering::SeqCst) {
            NONE => self.position.load(Ordering::SeqCst),
            target => target,
        }
    }

    /// Position in recording time.
    pub fn position(&self) -> Duration {
        self.frames_to_duration(self.position_frames())
    }

    pub fn total_frames(&self) -> Option<u64> {
        match self.total.load(Ordering::SeqCst) {
            NONE => None,
            n => Some(n),
        }
    }

    pub fn duration(&self) -> Option<Duration> {
        self.total_frames().map(|f| self.frames_to_duration(f))
    }

    /// The source reached the end of the recording (cleared by a seek).
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    /// A read error that ended playback, as a user-facing message.
    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Dead-air ranges (recording time) that skip silence jumps over.
    /// Overlapping or unsorted ranges are fine; empty ones are dropped.
    pub fn set_skip_ranges(&self, ranges: &[(Duration, Duration)]) {
        let mut frames: Vec<(u64, u64)> = ranges
            .iter()
            .map(|(a, b)| (self.duration_to_frames(*a), self.duration_to_frames(*b)))
            .filter(|(a, b)| b > a)
            .collect();
        frames.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(frames.len());
        for (a, b) in frames {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *self.skip_ranges.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(merged);
        self.skip_generation.fetch_add(1, Ordering::SeqCst);
    }

    pub(super) fn skip_ranges(&self) -> Arc<Vec<(u64, u64)>> {
        Arc::clone(&self.skip_ranges.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The current skip ranges in recording time (to carry them over when
    /// the call is reopened on another output).
    pub fn skip_ranges_as_durations(&self) -> Vec<(Duration, Duration)> {
        self.skip_ranges()
            .iter()
            .map(|&(a, b)| (self.frames_to_duration(a), self.frames_to_duration(b)))
            .collect()
    }

    pub fn set_skip_silence(&self, on: bool) {
        self.skip_on.store(on, Ordering::SeqCst);
        self.skip_generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn skip_silence(&self) -> bool {
        self.skip_on.load(Ordering::SeqCst)
    }

    /// Recording time jumped over by skip silence since the call was opened.
    pub fn skipped(&self) -> Duration {
        self.frames_to_duration(self.skipped.load(Ordering::SeqCst))
    }

    fn duration_to_frames(&self, d: Duration) -> u64 {
        (d.as_secs_f64() * f64::from(self.sample_rate)).round() as u64
    }

    pub(super) fn frames_to_duration(&self, frames: u64) -> Duration {
        Duration::from_secs_f64(frames as f64 / f64::from(self.sample_rate))
    }
}
