//! One streaming pass: interleaved samples in, a few numbers per 10 ms frame
//! and side out.
//!
//! This is the only code that touches every sample, so it is written for
//! speed: samples come in as slices (a decoded packet at a time), fixed
//! buffers are allocated once, one branch-light loop runs per sample, and the
//! per-frame work (energy, peak, zero crossings) is done on the frame buffer.
//! webrtc-vad is fed by `vad.rs`, which asks it as rarely as the result
//! allows. The audio is not kept; a 60-minute call leaves about 10 MB of
//! frame features.

use super::speech::{BLEED_FRAMES, is_bleed};
use super::vad::VadFeed;
use super::{ABS_GATE_DBFS, CLIP_LEVEL, FRAME_MS};

/// How the file's channels become analysis sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mix {
    /// Average every channel into one.
    Mono,
    /// Channel 0 and channel 1 as two sides; further channels are ignored.
    Stereo,
}

/// Frame features of one side.
#[derive(Debug, Default, Clone)]
pub(crate) struct SideFrames {
    /// Mean power of the frame in dBFS (floored at [`FLOOR_DB`]).
    pub energy_db: Vec<f32>,
    /// Largest magnitude in the frame, 0..1.
    pub peak: Vec<f32>,
    /// Sign changes in the frame (a steady tone keeps this constant).
    pub crossings: Vec<u16>,
    /// Samples at or above [`CLIP_LEVEL`].
    pub clipped: Vec<u16>,
    /// The webrtc-vad decision.
    pub vad: Vec<bool>,
    /// Stereo: the frame is the other side leaking in ([`is_bleed`]).
    pub bled: Vec<bool>,
}

impl SideFrames {
    fn with_capacity(frames: usize) -> SideFrames {
        SideFrames {
            energy_db: Vec::with_capacity(frames),
            peak: Vec::with_capacity(frames),
            crossings: Vec::with_capacity(frames),
            clipped: Vec::with_capacity(frames),
            vad: Vec::with_capacity(frames),
            bled: Vec::with_capacity(frames),
        }
    }
}

/// Frame features of a whole recording.
#[derive(Debug, Clone)]
pub(crate) struct Features {
    pub sample_rate: u32,
    /// Sample frames decoded (per channel).
    pub samples: u64,
    pub channels: Vec<SideFrames>,
}

impl Features {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, |c| c.energy_db.len())
    }

    pub fn duration_ms(&self) -> u64 {
        self.samples * 1000 / u64::from(self.sample_rate.max(1))
    }

    /// Add the features of the stretch that follows.
    pub fn append(&mut self, next: Features) {
        self.samples += next.samples;
        for (side, more) in self.channels.iter_mut().zip(next.channels) {
            side.energy_db.extend(more.energy_db);
            side.peak.extend(more.peak);
            side.crossings.extend(more.crossings);
            side.clipped.extend(more.clipped);
            side.vad.extend(more.vad);
            side.bled.extend(more.bled);
        }
    }

    /// Samples in one frame (on average, for rates not divisible by 100).
    pub fn samples_per_frame(&self) -> f64 {
        f64::from(self.sample_rate) * FRAME_MS as f64 / 1000.0
    }
}

/// The floor for energies: digital silence is -120 dBFS rather than -inf,
/// which JSON cannot carry.
pub(crate) const FLOOR_DB: f32 = -120.0;

/// Measures frames as interleaved samples are pushed in, from a given frame
/// of the recording on. The first `warmup` frames only prime webrtc-vad and
/// the bleed window and are dropped at the end: that is how a chunk of a
/// recording measured on its own gets nearly the decisions it would get in
/// one pass over the whole file (see `chunks.rs`).
pub(crate) struct Extractor {
    channels: usize,
    rate: u32,
    mix: Mix,
    /// Recording frame index of the first frame measured.
    first_frame: u64,
    warmup: usize,
    /// Recording frame index of the frame being collected.
    frame_index: u64,
    /// Sample frames taken in (whole ones).
    consumed: u64,
    /// Interleaved samples of the frame being collected.
    carry: Vec<f32>,
    out: Vec<SideFrames>,
    vads: Vec<VadFeed>,
}

/// First sample of frame `k`: frame k covers samples [k * rate / 100,
/// (k + 1) * rate / 100), so frames line up exactly at any rate and from
/// any starting frame.
pub(crate) fn frame_start(k: u64, rate: u32) -> u64 {
    k * u64::from(rate) / 100
}

impl Extractor {
    pub(crate) fn new(
        channels: u16,
        rate: u32,
        mix: Mix,
        first_frame: u64,
        warmup: usize,
        expected_frames: usize,
    ) -> Extractor {
        let channels = usize::from(channels.max(1));
        let rate = rate.max(1);
        let mix = if channels < 2 { Mix::Mono } else { mix };
        let sides = match mix {
            Mix::Mono => 1,
            Mix::Stereo => 2,
        };
        let max_frame = (rate as usize).div_ceil(100) + 1;
        Extractor {
            channels,
            rate,
            mix,
            first_frame,
            warmup,
            frame_index: first_frame,
            consumed: 0,
            carry: Vec::with_capacity(max_frame * channels),
            out: (0..sides)
                .map(|_| SideFrames::with_capacity(expected_frames))
                .collect(),
            vads: (0..sides).map(|_| VadFeed::new(rate)).collect(),
        }
    }

    /// Interleaved samples of the frame being collected still missing.
    fn frame_samples_wanted(&self) -> usize {
        let k = self.frame_index;
        // At least a sample per frame, so an absurd rate (under 100 Hz)
        // cannot stall the loop in `push`.
        let len = (frame_start(k + 1, self.rate) - frame_start(k, self.rate)).max(1);
        len as usize * self.channels - self.carry.len()
    }

    /// Take in interleaved samples, any number of them.
    pub(crate) fn push(&mut self, mut samples: &[f32]) {
        while !samples.is_empty() {
            let want = self.frame_samples_wanted();
            if self.carry.is_empty() && samples.len() >= want {
                let (frame, rest) = samples.split_at(want);
                self.measure(frame);
                samples = rest;
            } else {
                let take = want.min(samples.len());
                self.carry.extend_from_slice(&samples[..take]);
                samples = &samples[take..];
                if take == want {
                    let frame = std::mem::take(&mut self.carry);
                    self.measure(&frame);
                    self.carry = frame;
                    self.carry.clear();
                }
            }
        }
    }

    /// Measure what is left (an incomplete last frame counts; a torn sample
    /// frame does not) and hand over the features of the frames after the
    /// warm-up.
    pub(crate) fn finish(mut self) -> Features {
        let whole = self.carry.len() / self.channels * self.channels;
        if whole > 0 {
            let frame = std::mem::take(&mut self.carry);
            self.measure(&frame[..whole]);
        }
        for (side, vad) in self.out.iter_mut().zip(self.vads.iter_mut()) {
            vad.finish(&mut side.vad);
            let n = side.energy_db.len();
            side.vad.resize(n, false);
        }
        let warmup = self
            .warmup
            .min(self.out.first().map_or(0, |s| s.energy_db.len()));
        let warmup_samples = (frame_start(self.first_frame + warmup as u64, self.rate)
            - frame_start(self.first_frame, self.rate))
        .min(self.consumed);
        if warmup > 0 {
            for side in &mut self.out {
                side.energy_db.drain(..warmup);
                side.peak.drain(..warmup);
                side.crossings.drain(..warmup);
                side.clipped.drain(..warmup);
                side.vad.drain(..warmup);
                side.bled.drain(..warmup);
            }
        }
        Features {
            sample_rate: self.rate,
            samples: self.consumed - warmup_samples,
            channels: self.out,
        }
    }

    /// webrtc-vad calls made so far, all sides.
    #[cfg(test)]
    pub(crate) fn vad_calls(&self) -> u64 {
        self.vads.iter().map(|v| v.calls).sum()
    }

    /// See [`VadFeed::set_stride`].
    #[cfg(test)]
    pub(crate) fn set_vad_stride(&mut self, stride: usize) {
        for vad in &mut self.vads {
            vad.set_stride(stride);
        }
    }

    /// One frame (or the incomplete last one) of interleaved samples.
    fn measure(&mut self, frame: &[f32]) {
        let channels = self.channels;
        let len = frame.len() / channels;
        // Each side's samples go straight into its VAD feed's history (no
        // buffer of their own); the levels are measured there.
        let mut mix_clipped = None;
        match (self.mix, channels) {
            (Mix::Stereo, 2) => {
                let [left, right] = self.vads.as_mut_slice() else {
                    unreachable!("two sides")
                };
                left.samples().extend(frame.chunks_exact(2).map(|f| f[0]));
                right.samples().extend(frame.chunks_exact(2).map(|f| f[1]));
            }
            (Mix::Mono, 1) => self.vads[0].samples().extend_from_slice(frame),
            (Mix::Stereo, _) => {
                for (s, vad) in self.vads.iter_mut().enumerate() {
                    vad.samples()
                        .extend(frame.chunks_exact(channels).map(|f| f[s]));
                }
            }
            (Mix::Mono, _) => {
                // Clipping of a mono mix is counted on the source channels.
                let inv = 1.0 / channels as f32;
                self.vads[0].samples().extend(
                    frame
                        .chunks_exact(channels)
                        .map(|f| f.iter().sum::<f32>() * inv),
                );
                let clipped = frame
                    .chunks_exact(channels)
                    .filter(|f| f.iter().any(|x| x.abs() >= CLIP_LEVEL))
                    .count();
                mix_clipped = Some(clipped as u16);
            }
        }
        for (vad, side) in self.vads.iter().zip(self.out.iter_mut()) {
            push_levels(vad.latest(len), mix_clipped, side);
        }
        let sides = self.out.len();
        for s in 0..sides {
            let me = *self.out[s].energy_db.last().expect("just pushed");
            let bled = sides == 2 && {
                let other = &self.out[1 - s].energy_db;
                is_bleed(me, &other[other.len().saturating_sub(BLEED_FRAMES)..])
            };
            self.out[s].bled.push(bled);
            let matters = me >= ABS_GATE_DBFS && !bled;
            self.vads[s].close_frame(matters, &mut self.out[s].vad);
        }
        self.consumed += len as u64;
        self.frame_index += 1;
    }
}

/// Samples per push when measuring from an iterator.
const ITER_BLOCK: usize = 8192;

/// Read `samples` to the end in one pass and compute the frame features.
/// `progress` is called with the number of sample frames read so far, now
/// and then.
pub(crate) fn extract(
    samples: impl Iterator<Item = f32>,
    channels: u16,
    rate: u32,
    mix: Mix,
    progress: &mut dyn FnMut(u64),
) -> Features {
    let mut extractor = Extractor::new(channels, rate, mix, 0, 0, 0);
    let mut block = Vec::with_capacity(ITER_BLOCK);
    let mut samples = samples.peekable();
    while samples.peek().is_some() {
        block.clear();
        block.extend(samples.by_ref().take(ITER_BLOCK));
        extractor.push(&block);
        progress(extractor.consumed);
    }
    let features = extractor.finish();
    progress(features.samples);
    features
}

/// Energy, peak, zero crossings and clipped samples of one frame, in one
/// pass. Written with independent lanes so the compiler can vectorise it:
/// this runs on every sample.
fn push_levels(buf: &[f32], mix_clipped: Option<u16>, side: &mut SideFrames) {
    const LANES: usize = 8;
    let Some(&last) = buf.last() else { return };
    let mut power = [0f32; LANES];
    let mut peak = [0f32; LANES];
    // 32-bit counters, as wide as the comparison masks, so no packing.
    let mut clipped = [0u32; LANES];
    let mut changes = [0u32; LANES];
    // A plain comparison, not `f32::max`, whose NaN rule keeps the
    // compiler from using the vector max instruction.
    let larger = |a: f32, b: f32| if a > b { a } else { b };
    // Each sample with the one after it (for the crossings); the last
    // sample has none and is measured on its own.
    let (samples, nexts) = (&buf[..buf.len() - 1], &buf[1..]);
    let (cs, cn) = (samples.chunks_exact(LANES), nexts.chunks_exact(LANES));
    let (rest, rest_next) = (cs.remainder(), cn.remainder());
    for (x, y) in cs.zip(cn) {
        for j in 0..LANES {
            let a = x[j].abs();
            power[j] += x[j] * x[j];
            peak[j] = larger(a, peak[j]);
            clipped[j] += u32::from(a >= CLIP_LEVEL);
            changes[j] += u32::from((x[j] < 0.0) != (y[j] < 0.0));
        }
    }
    for (j, (&x, &y)) in rest.iter().zip(rest_next).enumerate() {
        power[j] += x * x;
        peak[j] = larger(x.abs(), peak[j]);
        clipped[j] += u32::from(x.abs() >= CLIP_LEVEL);
        changes[j] += u32::from((x < 0.0) != (y < 0.0));
    }
    power[0] += last * last;
    peak[0] = larger(last.abs(), peak[0]);
    clipped[0] += u32::from(last.abs() >= CLIP_LEVEL);
    let mean = power.iter().sum::<f32>() / buf.len() as f32;
    let db = if mean > 0.0 {
        // log2 rather than log10: glibc's log10f goes through logf and
        // costs three times as much, once per frame and side.
        (10.0 * std::f32::consts::LOG10_2 * mean.log2()).max(FLOOR_DB)
    } else {
        FLOOR_DB
    };
    let count = |lanes: [u32; LANES]| lanes.iter().sum::<u32>().min(u32::from(u16::MAX)) as u16;
    side.energy_db.push(db);
    side.peak
        .push(peak.iter().fold(0f32, |m, &p| larger(p, m)).min(1.0));
    side.crossings.push(count(changes));
    side.clipped
        .push(mix_clipped.unwrap_or_else(|| count(clipped)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, secs: f32, channels: u16) -> Vec<f32> {
        let n = (rate as f32 * secs) as usize;
        (0..n)
            .flat_map(|i| {
                let v = 0.5 * (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin();
                std::iter::repeat_n(v, channels as usize)
            })
            .collect()
    }

    #[test]
    fn frames_cover_the_samples_at_any_rate() {
        for rate in [8000u32, 11025, 16000, 22050, 44100, 48000, 96000] {
            let s = tone(rate, 1.005, 2);
            let f = extract(s.into_iter(), 2, rate, Mix::Stereo, &mut |_| {});
            assert_eq!(f.channels.len(), 2);
            assert_eq!(f.frames(), 101, "rate {rate}");
            assert_eq!(f.channels[1].vad.len(), 101, "rate {rate}");
            assert!((1004..=1005).contains(&f.duration_ms()), "rate {rate}");
            // A sine at 0.5 has power 0.125: -9.03 dBFS.
            assert!((f.channels[0].energy_db[50] + 9.03).abs() < 0.1);
            assert!((f.channels[0].peak[50] - 0.5).abs() < 0.01);
            // 440 Hz: 8.8 crossings per 10 ms.
            assert!((8..=10).contains(&f.channels[0].crossings[50]));
        }
    }

    #[test]
    fn mono_mix_averages_and_clip_count_sees_each_channel() {
        // Left at full scale, right silent: the mix is at half scale but the
        // left channel's clipping is still counted.
        let s: Vec<f32> = (0..800).flat_map(|_| [1.0f32, 0.0]).collect();
        let f = extract(s.into_iter(), 2, 8000, Mix::Mono, &mut |_| {});
        assert_eq!(f.channels.len(), 1);
        assert_eq!(f.frames(), 10);
        assert_eq!(f.channels[0].clipped[0], 80);
        assert!((f.channels[0].peak[0] - 0.5).abs() < 1e-6);
    }

    #[test]
    fn stereo_asked_of_a_mono_stream_is_mono() {
        let f = extract(
            std::iter::repeat_n(0.1, 800),
            1,
            8000,
            Mix::Stereo,
            &mut |_| {},
        );
        assert_eq!(f.channels.len(), 1);
        assert_eq!(f.frames(), 10);
    }

    #[test]
    fn an_incomplete_last_frame_still_counts_and_a_torn_sample_frame_does_not() {
        // 85 stereo sample frames and one lone sample.
        let s = vec![0.1f32; 171];
        let f = extract(s.into_iter(), 2, 8000, Mix::Stereo, &mut |_| {});
        assert_eq!(f.samples, 85);
        assert_eq!(f.frames(), 2);
        assert_eq!(f.channels[0].vad.len(), 2);
    }

    #[test]
    fn an_absurd_rate_from_a_damaged_header_does_not_stall() {
        // 50 Hz: half a sample per frame; every frame still takes one.
        let f = extract(std::iter::repeat_n(0.1, 100), 1, 50, Mix::Mono, &mut |_| {});
        assert_eq!(f.samples, 100);
        assert!(f.frames() >= 100);
    }

    #[test]
    fn digital_silence_is_the_floor_not_minus_infinity() {
        let f = extract(
            std::iter::repeat_n(0.0, 8000),
            1,
            8000,
            Mix::Mono,
            &mut |_| {},
        );
        assert!(f.channels[0].energy_db.iter().all(|&e| e == FLOOR_DB));
        assert!(f.channels[0].vad.iter().all(|&v| !v));
    }
}
