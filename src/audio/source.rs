//! `CallSource`: a rodio `Source` over a symphonia decoder.
//!
//! Why not `rodio::Decoder`: the reviewer's clock must be the recording's clock.
//! A position measured after rodio's speed stage (or by the output device)
//! drifts from recording time as soon as the speed changes, and rodio's seek
//! goes through a blocking feedback channel. So, like termusic, we own the
//! chain: this source decodes packet by packet (never the whole file), counts
//! the frames it hands out *before* any speed stage, and shares [`Controls`]
//! (plain atomics) with the player:
//!
//! * `paused`: the source outputs whole frames of silence and the position
//!   stands still (the device keeps pulling, so un-pausing is instant);
//! * `position`: frames handed out, readable at any time without locking;
//! * a pending seek target, applied at the next frame the output pulls
//!   (symphonia `SeekMode::Accurate`, decoder reset, then decoded frames before
//!   the target are dropped so the landing is sample exact), clamped to
//!   `[0, duration]`;
//! * `finished` and an error string (a read error ends playback; a damaged
//!   packet is skipped, because one bad frame must not end a call review).
//!
//! Pause/seek are only looked at on frame boundaries so channels never swap.
//! Spans are reported as 50 ms so that rodio re-reads the sample rate often:
//! that is how a speed change (rodio's `Speed` stage just scales the rate)
//! takes effect promptly.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rodio::source::SeekError;
use rodio::{ChannelCount, SampleRate, Source};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::Decoder;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatReader, SeekMode, SeekTo};
use symphonia::core::units::TimeBase;

use super::AudioError;
use super::probe::{
    AudioInfo, frames_to_ts, make_decoder, open_format, probe_frames, sym_read_error, ts_to_frames,
};

const NONE: u64 = u64::MAX;

/// State shared between a [`CallSource`] (audio side) and its controller.
/// All reads are lock-free; only the error string sits behind a mutex.
#[derive(Debug)]
pub struct Controls {
    sample_rate: u32,
    paused: AtomicBool,
    /// Frames handed out, in recording time.
    position: AtomicU64,
    /// Pending seek target in frames, `NONE` if none.
    seek_target: AtomicU64,
    /// Length in frames, `NONE` if unknown; corrected at the real end.
    total: AtomicU64,
    finished: AtomicBool,
    error: Mutex<Option<String>>,
}

impl Controls {
    fn new(sample_rate: u32, total_frames: Option<u64>) -> Self {
        Controls {
            sample_rate: sample_rate.max(1),
            paused: AtomicBool::new(false),
            position: AtomicU64::new(0),
            seek_target: AtomicU64::new(NONE),
            total: AtomicU64::new(total_frames.unwrap_or(NONE)),
            finished: AtomicBool::new(false),
            error: Mutex::new(None),
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
        let mut frames = (to.as_secs_f64() * f64::from(self.sample_rate)).round() as u64;
        if let Some(total) = self.total_frames() {
            frames = frames.min(total);
        }
        self.seek_target
            .store(frames.min(NONE - 1), Ordering::SeqCst);
        self.finished.store(false, Ordering::SeqCst);
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

    fn frames_to_duration(&self, frames: u64) -> Duration {
        Duration::from_secs_f64(frames as f64 / f64::from(self.sample_rate))
    }
}

/// A recording being played; see the module docs.
pub struct CallSource {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    time_base: Option<TimeBase>,
    channels: ChannelCount,
    sample_rate: SampleRate,
    label: String,
    info: AudioInfo,
    /// Decoded interleaved samples of the current packet, and the read index.
    buf: Vec<f32>,
    idx: usize,
    scratch: Option<SampleBuffer<f32>>,
    /// Recording frame of the next frame to hand out.
    pos: u64,
    /// After an accurate seek: drop decoded frames before this frame, but
    /// at most this many (a guard against a stream with broken timestamps).
    discard_until: Option<(u64, u64)>,
    /// Frames decoded before a seek target so lossy decoders (MDCT overlap,
    /// MP3 bit reservoir) are primed when the target frame comes out.
    preroll: u64,
    /// Index of the next sample inside the current frame.
    sub: u16,
    silent_frame: bool,
    at_end: bool,
    hold_at_end: bool,
    span_len: usize,
    controls: Arc<Controls>,
}

impl CallSource {
    /// Probe and open a recording. Fails with the same errors as
    /// [`probe`](super::probe()), so a source that opens is playable.
    pub fn open(path: &Path) -> Result<CallSource, AudioError> {
        let (info, total_frames) = probe_frames(path)?;
        let opened = open_format(path)?;
        let decoder = make_decoder(&opened)?;
        let rate = info.sample_rate.max(1);
        let channels = info.channels.max(1);
        let span_frames = (rate as usize / 20).max(64);
        let preroll = if info.codec.starts_with("pcm_") {
            0
        } else {
            2304
        };
        Ok(CallSource {
            track_id: opened.track_id,
            time_base: opened.params.time_base,
            label: opened.label.clone(),
            format: opened.format,
            decoder,
            channels: ChannelCount::new(channels).expect("channels >= 1"),
            sample_rate: SampleRate::new(rate).expect("rate >= 1"),
            info,
            buf: Vec::new(),
            idx: 0,
            scratch: None,
            pos: 0,
            discard_until: None,
            preroll,
            sub: 0,
            silent_frame: false,
            at_end: false,
            hold_at_end: false,
            span_len: span_frames * channels as usize,
            controls: Arc::new(Controls::new(rate, Some(total_frames))),
        })
    }

    /// Keep the source alive after the end: output silence (paused) instead of
    /// ending, so the player can seek back or restart without reopening.
    pub fn hold_at_end(mut self, hold: bool) -> Self {
        self.hold_at_end = hold;
        self
    }

    pub fn controls(&self) -> Arc<Controls> {
        Arc::clone(&self.controls)
    }

    pub fn info(&self) -> &AudioInfo {
        &self.info
    }

    /// Decide what the next frame is: `Some(false)` audio, `Some(true)`
    /// silence, `None` the end of the source.
    fn begin_frame(&mut self) -> Option<bool> {
        let target = self.controls.seek_target.load(Ordering::SeqCst);
        if target != NONE {
            self.apply_seek(target);
            // A newer target may have arrived meanwhile; it stays pending.
            let _ = self.controls.seek_target.compare_exchange(
                target,
                NONE,
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        }
        if !self.at_end {
            if self.controls.is_paused() {
                return Some(true);
            }
            if self.idx >= self.buf.len() && !self.refill() {
                self.reach_end(true);
            }
        }
        if self.at_end {
            return if self.hold_at_end { Some(true) } else { None };
        }
        Some(false)
    }

    /// `real_end`: the decoder ran out (rather than a seek past the end).
    fn reach_end(&mut self, real_end: bool) {
        self.at_end = true;
        self.buf.clear();
        self.idx = 0;
        if real_end {
            // What was actually decoded wins over what the header said.
            self.controls.total.store(self.pos, Ordering::SeqCst);
        }
        self.controls.position.store(self.pos, Ordering::SeqCst);
        // At the natural end, a seek that raced in wins over pausing.
        let seek_raced = real_end && self.controls.seek_target.load(Ordering::SeqCst) != NONE;
        if self.hold_at_end && !seek_raced {
            self.controls.set_paused(true);
        }
        self.controls.finished.store(true, Ordering::SeqCst);
    }

    fn apply_seek(&mut self, target: u64) {
        let target = match self.controls.total_frames() {
            Some(total) => target.min(total),
            None => target,
        };
        self.buf.clear();
        self.idx = 0;
        self.discard_until = None;
        if self
            .controls
            .total_frames()
            .is_some_and(|total| target >= total)
        {
            self.pos = target;
            self.reach_end(false);
            return;
        }
        let rate = self.sample_rate.get();
        let to = |frames| SeekTo::TimeStamp {
            ts: frames_to_ts(frames, self.time_base, rate),
            track_id: self.track_id,
        };
        let seeked = self
            .format
            .seek(SeekMode::Accurate, to(target.saturating_sub(self.preroll)))
            // Fall back to decoding forward from the start.
            .or_else(|_| self.format.seek(SeekMode::Accurate, to(0)));
        self.decoder.reset();
        match seeked {
            Ok(landed) => {
                let landed = ts_to_frames(landed.actual_ts, self.time_base, rate);
                let budget = target.saturating_sub(landed) + self.preroll + u64::from(rate);
                self.at_end = false;
                self.discard_until = Some((target, budget));
                self.pos = target;
                self.controls.position.store(target, Ordering::SeqCst);
            }
            Err(err) => self.set_error(format!("{}: cannot seek: {err}", self.label)),
        }
    }

    fn set_error(&self, message: String) {
        *self
            .controls
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(message);
    }

    /// Decode the next packet into `buf`. False at the end of the stream or on
    /// a read error (which is recorded).
    fn refill(&mut self) -> bool {
        self.buf.clear();
        self.idx = 0;
        let mut demux_errors = 0;
        loop {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return false;
                }
                Err(SymError::ResetRequired) => {
                    self.decoder.reset();
                    continue;
                }
                Err(SymError::DecodeError(_)) if demux_errors < 1000 => {
                    demux_errors += 1;
                    continue;
                }
                Err(err) => {
                    self.set_error(sym_read_error(&self.label, err).to_string());
                    return false;
                }
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(d) => d,
                Err(SymError::ResetRequired) => {
                    self.decoder.reset();
                    continue;
                }
                // A damaged packet: skip it, keep playing.
                Err(_) => continue,
            };
            let frames = decoded.frames();
            if frames == 0 {
                continue;
            }
            let mut skip = 0;
            if let Some((target, budget)) = self.discard_until {
                let start = ts_to_frames(packet.ts(), self.time_base, self.sample_rate.get());
                if start + frames as u64 <= target && budget > frames as u64 {
                    self.discard_until = Some((target, budget - frames as u64));
                    continue;
                }
                skip = target.saturating_sub(start).min(frames as u64) as usize;
                if start > target {
                    // Landed late: the clock follows the audio.
                    self.pos = start;
                    self.controls.position.store(start, Ordering::SeqCst);
                }
                self.discard_until = None;
            }
            let spec = *decoded.spec();
            let src_ch = spec.channels.count().max(1);
            if self
                .scratch
                .as_ref()
                .is_none_or(|s| s.capacity() < frames * src_ch)
            {
                self.scratch = Some(SampleBuffer::new(decoded.capacity() as u64, spec));
            }
            let scratch = self.scratch.as_mut().expect("just set");
            scratch.copy_interleaved_ref(decoded);
            let samples = scratch.samples();
            let dst_ch = usize::from(self.channels.get());
            if src_ch == dst_ch {
                self.buf.extend_from_slice(&samples[skip * dst_ch..]);
            } else {
                // The stream changed layout mid-way: keep our channel count.
                for frame in samples.chunks_exact(src_ch).skip(skip) {
                    self.buf
                        .extend((0..dst_ch).map(|c| frame[c.min(src_ch - 1)]));
                }
            }
            if !self.buf.is_empty() {
                return true;
            }
        }
    }
}

impl Iterator for CallSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.sub == 0 {
            self.silent_frame = self.begin_frame()?;
        }
        let sample = if self.silent_frame {
            0.0
        } else {
            let s = self.buf[self.idx];
            self.idx += 1;
            s
        };
        self.sub += 1;
        if self.sub == self.channels.get() {
            self.sub = 0;
            if !self.silent_frame {
                self.pos += 1;
                self.controls.position.store(self.pos, Ordering::SeqCst);
            }
        }
        Some(sample)
    }
}

impl Source for CallSource {
    fn current_span_len(&self) -> Option<usize> {
        if self.at_end && !self.hold_at_end {
            Some(0)
        } else {
            Some(self.span_len)
        }
    }

    fn channels(&self) -> ChannelCount {
        self.channels
    }

    fn sample_rate(&self) -> SampleRate {
        self.sample_rate
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
#[path = "source_tests.rs"]
mod tests;
