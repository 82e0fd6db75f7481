//! The processing chain between a [`CallSource`] and the output:
//! channel solo → time stretch (pitch kept) → volume / automatic gain.
//!
//! Why a chain of our own: the position must stay in recording time, so
//! everything that changes timing sits *after* the source, which counts the
//! frames it hands out. The chain pulls audio in 20 ms blocks and reads its
//! settings ([`Effects`], atomics shared with the player) at every block, so
//! a change is heard within a block plus the stretcher's ~60 ms. A seek
//! (seen through [`Controls::seek_generation`]) drops what the stretcher
//! holds so no pre-seek audio plays after the jump; a pause outputs silence
//! at once and keeps what is buffered for the resume.
//!
//! The chain keeps the source's rate and channel count; rodio's mixer
//! converts to the device's format afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::time::Duration;

use rodio::source::SeekError;
use rodio::{ChannelCount, SampleRate, Source};

use super::gain::Gain;
use super::source::{CallSource, Controls};
use super::stretch::Stretch;

/// Slowest and fastest playback speed.
pub const MIN_SPEED: f32 = 0.75;
pub const MAX_SPEED: f32 = 2.5;
/// Largest volume factor (2.0 = +6 dB).
pub const MAX_VOLUME: f32 = 2.0;

/// Which side of a stereo call is heard. A solo'd side is played to both
/// ears; mono recordings ignore this.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChannelMode {
    #[default]
    Both,
    LeftOnly,
    RightOnly,
}

/// Playback settings shared between the player thread and the chain.
#[derive(Debug)]
pub struct Effects {
    speed: AtomicU32,
    channel_mode: AtomicU8,
    volume: AtomicU32,
    auto_gain: AtomicBool,
}

impl Default for Effects {
    fn default() -> Self {
        Effects {
            speed: AtomicU32::new(1.0f32.to_bits()),
            channel_mode: AtomicU8::new(0),
            volume: AtomicU32::new(1.0f32.to_bits()),
            auto_gain: AtomicBool::new(false),
        }
    }
}

impl Effects {
    pub fn speed(&self) -> f32 {
        f32::from_bits(self.speed.load(Ordering::Relaxed))
    }

    /// Clamped to `MIN_SPEED..=MAX_SPEED`; returns what was set. NaN is ignored.
    pub fn set_speed(&self, speed: f32) -> f32 {
        if speed.is_finite() {
            let speed = speed.clamp(MIN_SPEED, MAX_SPEED);
            self.speed.store(speed.to_bits(), Ordering::Relaxed);
        }
        self.speed()
    }

    pub fn channel_mode(&self) -> ChannelMode {
        match self.channel_mode.load(Ordering::Relaxed) {
            1 => ChannelMode::LeftOnly,
            2 => ChannelMode::RightOnly,
            _ => ChannelMode::Both,
        }
    }

    pub fn set_channel_mode(&self, mode: ChannelMode) {
        let code = match mode {
            ChannelMode::Both => 0,
            ChannelMode::LeftOnly => 1,
            ChannelMode::RightOnly => 2,
        };
        self.channel_mode.store(code, Ordering::Relaxed);
    }

    pub fn volume(&self) -> f32 {
        f32::from_bits(self.volume.load(Ordering::Relaxed))
    }

    /// Clamped to `0.0..=MAX_VOLUME`; returns what was set. NaN is ignored.
    pub fn set_volume(&self, volume: f32) -> f32 {
        if volume.is_finite() {
            let volume = volume.clamp(0.0, MAX_VOLUME);
            self.volume.store(volume.to_bits(), Ordering::Relaxed);
        }
        self.volume()
    }

    pub fn auto_gain(&self) -> bool {
        self.auto_gain.load(Ordering::Relaxed)
    }

    pub fn set_auto_gain(&self, on: bool) {
        self.auto_gain.store(on, Ordering::Relaxed);
    }
}

/// A [`CallSource`] with the review effects applied; a rodio `Source`.
pub struct Chain {
    source: CallSource,
    controls: Arc<Controls>,
    effects: Arc<Effects>,
    channels: ChannelCount,
    rate: SampleRate,
    stretch: Stretch,
    gain: Gain,
    input: Vec<f32>,
    out: Vec<f32>,
    out_idx: usize,
    seek_generation: u64,
    block_frames: usize,
    ended: bool,
}

impl Chain {
    pub fn new(source: CallSource, effects: Arc<Effects>) -> Chain {
        let controls = source.controls();
        let (channels, rate) = (source.channels(), source.sample_rate());
        Chain {
            seek_generation: controls.seek_generation(),
            controls,
            effects,
            channels,
            rate,
            stretch: Stretch::new(channels.get(), rate.get()),
            gain: Gain::new(rate.get()),
            input: Vec::new(),
            out: Vec::new(),
            out_idx: 0,
            block_frames: (rate.get() as usize / 50).max(32),
            ended: false,
            source,
        }
    }

    pub fn controls(&self) -> Arc<Controls> {
        Arc::clone(&self.controls)
    }

    /// Produce the next block into `out`; false when the source has ended
    /// and nothing is left.
    fn fill(&mut self) -> bool {
        self.out.clear();
        self.out_idx = 0;
        let ch = usize::from(self.channels.get());
        let generation = self.controls.seek_generation();
        if generation != self.seek_generation {
            self.seek_generation = generation;
            self.stretch.clear();
        }
        let speed = self.effects.speed();
        if self.controls.is_paused() && !self.ended {
            if self.controls.is_finished() && self.stretch.is_active() {
                self.stretch.flush(&mut self.out); // the tail of the call
            }
            if self.out.is_empty() {
                self.out.resize(self.block_frames * ch, 0.0);
                return true;
            }
        }
        // Pull until a block is out (the stretcher needs ~60 ms to start).
        let want = self.block_frames * ch;
        let mut rounds = 0;
        while self.out.len() < want && !self.ended && rounds < 64 {
            rounds += 1;
            let frames = (self.block_frames as f32 * speed).ceil() as usize;
            self.input.clear();
            self.input
                .extend(self.source.by_ref().take(frames.max(1) * ch));
            if self.input.len() < frames.max(1) * ch {
                self.ended = true; // the source returned None: not held at the end
            }
            self.input.truncate(self.input.len() / ch * ch);
            solo(&mut self.input, ch, self.effects.channel_mode());
            self.stretch.process(&self.input, speed, &mut self.out);
            if self.controls.is_paused() {
                break;
            }
        }
        if self.ended {
            self.stretch.flush(&mut self.out);
        }
        let (volume, auto) = (self.effects.volume(), self.effects.auto_gain());
        self.gain.process(&mut self.out, ch, volume, auto);
        !self.out.is_empty()
    }
}

/// Play one side of a stereo call to both ears (channels 0 and 1 are left
/// and right; mono is left alone).
fn solo(buf: &mut [f32], channels: usize, mode: ChannelMode) {
    if channels < 2 {
        return;
    }
    let from = match mode {
        ChannelMode::Both => return,
        ChannelMode::LeftOnly => 0,
        ChannelMode::RightOnly => 1,
    };
    for frame in buf.chunks_exact_mut(channels) {
        let v = frame[from];
        frame[0] = v;
        frame[1] = v;
    }
}

impl Iterator for Chain {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.controls.seek_generation() != self.seek_generation {
            self.out.clear(); // what is left of the block is from before the seek
        }
        if self.out_idx >= self.out.len() && !self.fill() {
            return None;
        }
        let s = self.out[self.out_idx];
        self.out_idx += 1;
        Some(s)
    }
}

impl Source for Chain {
    fn current_span_len(&self) -> Option<usize> {
        if self.ended && self.out_idx >= self.out.len() {
            Some(0)
        } else {
            Some(self.block_frames * usize::from(self.channels.get()))
        }
    }

    fn channels(&self) -> ChannelCount {
        self.channels
    }

    fn sample_rate(&self) -> SampleRate {
        self.rate
    }

    fn total_duration(&self) -> Option<Duration> {
        self.controls.duration()
    }

    fn try_seek(&mut self, pos: Duration) -> Result<(), SeekError> {
        self.controls.seek(pos);
        Ok(())
    }
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
