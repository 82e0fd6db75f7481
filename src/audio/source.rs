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
//! * skip silence: with the toggle on, a frame that falls in one of the
//!   dead-air ranges makes the source jump to the range's end (decoding
//!   through short gaps, seeking over long ones) and count what it skipped;
//! * `finished` and an error string (a read error ends playback; a damaged
//!   packet is skipped, because one bad frame must not end a call review).
//!
//! Pause/seek are only looked at on frame boundaries so channels never swap.
//! Spans are reported as 50 ms so that rodio re-reads the sample rate often:
//! that is how a speed change (rodio's `Speed` stage just scales the rate)
//! takes effect promptly.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rodio::source::SeekError;
use rodio::{ChannelCount, SampleRate, Source};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_PCM_S16LE, Decoder};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatReader, SeekMode, SeekTo};
use symphonia::core::units::TimeBase;

pub use super::controls::Controls;
use super::controls::NONE;
use super::probe::{
    AudioInfo, frames_to_ts, make_decoder, open_format, probe_frames, sym_read_error, ts_to_frames,
};
use super::{AudioError, panic_text, without_panics};

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
    /// Interleaved 16-bit PCM whose packets are converted here, not by the
    /// decoder (see [`CallSource::take_s16`]).
    direct_s16: bool,
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
    /// The decoder or the reader panicked: this source is at its end for
    /// good and never touches them again.
    crashed: bool,
    hold_at_end: bool,
    span_len: usize,
    controls: Arc<Controls>,
    /// Skip silence: the ranges as last read from the controls, their
    /// generation, and the next frame at which a range starts.
    skip_ranges: Arc<Vec<(u64, u64)>>,
    skip_generation: u64,
    next_skip_at: u64,
}

impl CallSource {
    /// Probe and open a recording. Fails with the same errors as
    /// [`probe`](super::probe()), so a source that opens is playable.
    /// A decoder that panics on this file is [`AudioError::Crashed`].
    pub fn open(path: &Path) -> Result<CallSource, AudioError> {
        without_panics(path, || CallSource::open_unguarded(path))
    }

    fn open_unguarded(path: &Path) -> Result<CallSource, AudioError> {
        let (info, total_frames) = probe_frames(path)?;
        let opened = open_format(path)?;
        let decoder = make_decoder(&opened)?;
        let rate = info.sample_rate.max(1);
        let channels = info.channels.max(1);
        let span_frames = (rate as usize / 20).max(64);
        let preroll = preroll_frames(&info.codec, rate);
        let direct_s16 = opened.params.codec == CODEC_TYPE_PCM_S16LE
            && opened.params.bits_per_sample == Some(16)
            && opened.params.channels.map(|c| c.count()) == Some(usize::from(channels));
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
            direct_s16,
            pos: 0,
            discard_until: None,
            preroll,
            sub: 0,
            silent_frame: false,
            at_end: false,
            crashed: false,
            hold_at_end: false,
            span_len: span_frames * channels as usize,
            controls: Arc::new(Controls::new(rate, Some(total_frames))),
            skip_ranges: Arc::new(Vec::new()),
            skip_generation: u64::MAX,
            next_skip_at: NONE,
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
    ///
    /// Everything that calls into symphonia or a codec happens in here, so
    /// a panic on a damaged file is caught here: it must not unwind into
    /// the thread that pulls samples (cpal's, the null clock's, an analysis
    /// worker), which would silently stop playback for every later call.
    /// The call ends with the error instead.
    fn begin_frame(&mut self) -> Option<bool> {
        if !self.crashed {
            match catch_unwind(AssertUnwindSafe(|| self.decide_frame())) {
                Ok(next) => return next,
                Err(panic) => {
                    self.crashed = true;
                    let crash = AudioError::Crashed {
                        file: self.label.clone(),
                        detail: panic_text(panic.as_ref()),
                    };
                    self.set_error(crash.to_string());
                    self.reach_end(false);
                }
            }
        }
        self.hold_at_end.then_some(true)
    }

    fn decide_frame(&mut self) -> Option<bool> {
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
            self.skip_silence();
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

    /// Skip silence: when the next frame lies in a dead-air range, jump to
    /// its end. Short jumps decode and drop the audio in between (no seek,
    /// and lossy decoders stay primed); long ones seek.
    fn skip_silence(&mut self) {
        let generation = self.controls.skip_generation.load(Ordering::SeqCst);
        if generation != self.skip_generation {
            self.skip_generation = generation;
            self.skip_ranges = self.controls.skip_ranges();
            self.plan_next_skip();
        }
        if self.pos < self.next_skip_at || self.at_end {
            return;
        }
        let ranges = Arc::clone(&self.skip_ranges);
        let i = ranges.partition_point(|r| r.0 <= self.pos);
        let Some(&(_, end)) = i.checked_sub(1).and_then(|i| ranges.get(i)) else {
            self.plan_next_skip();
            return;
        };
        if end > self.pos {
            let end = self.controls.total_frames().map_or(end, |t| end.min(t));
            self.controls
                .skipped
                .fetch_add(end.saturating_sub(self.pos), Ordering::SeqCst);
            self.jump_forward(end);
        }
        self.plan_next_skip();
    }

    /// The first frame at or after the position where a skip range starts.
    fn plan_next_skip(&mut self) {
        self.next_skip_at = NONE;
        if !self.controls.skip_silence() {
            return;
        }
        let ranges = &self.skip_ranges;
        let i = ranges.partition_point(|r| r.1 <= self.pos);
        if let Some(&(start, _)) = ranges.get(i) {
            self.next_skip_at = start.max(self.pos);
        }
    }

    /// Move forward to `target` without a seek when it is near.
    fn jump_forward(&mut self, target: u64) {
        let near = u64::from(self.sample_rate.get()) * 4;
        if target.saturating_sub(self.pos) > near || self.controls.total_frames() <= Some(target) {
            self.apply_seek(target);
            return;
        }
        let ch = usize::from(self.channels.get());
        let buffered = ((self.buf.len() - self.idx) / ch) as u64;
        let drop = buffered.min(target - self.pos);
        self.idx += drop as usize * ch;
        self.pos += drop;
        if self.pos < target {
            self.buf.clear();
            self.idx = 0;
            let budget = target - self.pos + u64::from(self.sample_rate.get());
            self.discard_until = Some((target, budget));
            self.pos = target;
        }
        self.controls.position.store(self.pos, Ordering::SeqCst);
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
        self.plan_next_skip();
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
            if self.direct_s16 {
                if self.take_s16(packet.ts(), packet.buf()) {
                    return true;
                }
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
            let start = ts_to_frames(packet.ts(), self.time_base, self.sample_rate.get());
            let Some(skip) = frames_to_drop(
                &mut self.discard_until,
                &mut self.pos,
                &self.controls,
                start,
                frames,
            ) else {
                continue;
            };
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

impl CallSource {
    /// 16-bit PCM straight from the packet into `buf`: symphonia's PCM
    /// decoder converts to planar and back, which cost more than all the
    /// rest of reading a WAV. Same scaling as symphonia (x / 32768).
    fn take_s16(&mut self, ts: u64, bytes: &[u8]) -> bool {
        let frame_bytes = 2 * usize::from(self.channels.get());
        let frames = bytes.len() / frame_bytes;
        if frames == 0 {
            return false;
        }
        let start = ts_to_frames(ts, self.time_base, self.sample_rate.get());
        let Some(skip) = frames_to_drop(
            &mut self.discard_until,
            &mut self.pos,
            &self.controls,
            start,
            frames,
        ) else {
            return false;
        };
        let (pairs, _) = bytes[skip * frame_bytes..frames * frame_bytes].as_chunks::<2>();
        self.buf.extend(
            pairs
                .iter()
                .map(|&b| f32::from(i16::from_le_bytes(b)) * (1.0 / 32768.0)),
        );
        !self.buf.is_empty()
    }
}

/// After a seek: how many leading frames of a packet of `frames` starting
/// at frame `start` to drop, or None to drop the whole packet. A packet that
/// starts after the target (the seek landed late) moves the clock there.
fn frames_to_drop(
    discard_until: &mut Option<(u64, u64)>,
    pos: &mut u64,
    controls: &Controls,
    start: u64,
    frames: usize,
) -> Option<usize> {
    let Some((target, budget)) = *discard_until else {
        return Some(0);
    };
    if start + frames as u64 <= target && budget > frames as u64 {
        *discard_until = Some((target, budget - frames as u64));
        return None;
    }
    if start > target {
        *pos = start;
        controls.position.store(start, Ordering::SeqCst);
    }
    *discard_until = None;
    Some(target.saturating_sub(start).min(frames as u64) as usize)
}

/// Frames decoded before a seek target so the decoder is primed when the
/// target comes out: none for codecs without state between blocks, a few
/// frames for GSM, libopus's recommended 80 ms, and an MP3/Vorbis allowance
/// (MDCT overlap, MP3 bit reservoir).
fn preroll_frames(codec: &str, rate: u32) -> u64 {
    match codec {
        c if c.starts_with("pcm_") || c.starts_with("adpcm_") => 0,
        "gsm" | "gsm_ms" => 4 * 160,
        "opus" => u64::from(rate) * 80 / 1000,
        _ => 2304,
    }
}

impl CallSource {
    /// Bulk read for whole-file work (analysis): the rest of the current
    /// decoded packet, without a copy or a `next()` per sample. None at the
    /// end; an empty block while paused. The rest of a frame the iterator
    /// started comes first, on its own. Seeks are honoured; skip ranges only
    /// at packet boundaries, so playback keeps using the iterator.
    pub fn next_block(&mut self) -> Option<&[f32]> {
        let channels = usize::from(self.channels.get());
        if self.sub != 0 {
            let rest = channels - usize::from(self.sub);
            self.sub = 0;
            if !self.silent_frame {
                self.pos += 1;
                self.controls.position.store(self.pos, Ordering::SeqCst);
                self.idx += rest;
                return Some(&self.buf[self.idx - rest..self.idx]);
            }
        }
        match self.begin_frame()? {
            true if self.at_end => return None,
            true => return Some(&[]),
            false => {}
        }
        let frames = (self.buf.len() - self.idx) / channels;
        let from = self.idx;
        self.idx += frames * channels;
        self.pos += frames as u64;
        self.controls.position.store(self.pos, Ordering::SeqCst);
        Some(&self.buf[from..self.idx])
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
