//! One streaming pass: interleaved samples in, a few numbers per 10 ms frame
//! and side out.
//!
//! This is the only code that touches every sample, so it is written for
//! speed: fixed buffers allocated once, one branch-light loop per sample, and
//! the per-frame work (energy, peak, zero crossings, webrtc-vad) done on the
//! frame buffer. The audio is not kept; a 60-minute call leaves about 10 MB of
//! frame features.
//!
//! webrtc-vad only takes 8, 16, 32 or 48 kHz. Those rates go in as they are
//! (it band-limits and decimates to 8 kHz internally, properly). Any other
//! rate is interpolated linearly *up* to the next supported rate (11025 to
//! 16000, 22050 to 32000, 44100 to 48000), never down, so the interpolation
//! adds no aliasing in the speech band and webrtc-vad's own decimator does
//! the filtering; rates above 48 kHz are taken down to 48 kHz.

use webrtc_vad::{SampleRate, Vad, VadMode};

use super::{ABS_GATE_DBFS, BLEED_MARGIN_DB, BLEED_WINDOW_MS, CLIP_LEVEL, FRAME_MS};

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

    /// Samples in one frame (on average, for rates not divisible by 100).
    pub fn samples_per_frame(&self) -> f64 {
        f64::from(self.sample_rate) * FRAME_MS as f64 / 1000.0
    }
}

/// The floor for energies: digital silence is -120 dBFS rather than -inf,
/// which JSON cannot carry.
pub(crate) const FLOOR_DB: f32 = -120.0;

/// Report progress every this many frames (10 s of audio at 10 ms frames).
const PROGRESS_EVERY: u64 = 1000;

/// Read `samples` to the end and compute the frame features. `progress` is
/// called with the number of sample frames read so far, now and then.
///
/// webrtc-vad is the dearest step (about 0.2 s per channel-hour), so
/// it only runs on frames whose decision can matter: a frame below
/// [`ABS_GATE_DBFS`] or more than [`BLEED_MARGIN_DB`] below the other side's
/// recent loudest frame is not speech whatever webrtc-vad says (see
/// `speech.rs`). One skipped block in [`VAD_KEEP_EVERY`] is still fed so its
/// noise model keeps adapting to the line.
pub(crate) fn extract(
    mut samples: impl Iterator<Item = f32>,
    channels: u16,
    rate: u32,
    mix: Mix,
    progress: &mut dyn FnMut(u64),
) -> Features {
    let channels = usize::from(channels.max(1));
    let rate = rate.max(1);
    let mix = if channels < 2 { Mix::Mono } else { mix };
    let sides = match mix {
        Mix::Mono => 1,
        Mix::Stereo => 2.min(channels),
    };
    let max_frame = (rate as usize).div_ceil(100) + 1;
    let mut interleaved = vec![0f32; max_frame * channels];
    let mut bufs: Vec<Vec<f32>> = (0..sides).map(|_| Vec::with_capacity(max_frame)).collect();
    let mut out: Vec<SideFrames> = vec![SideFrames::default(); sides];
    let mut vads: Vec<VadFeed> = (0..sides).map(|_| VadFeed::new(rate)).collect();
    let window = (BLEED_WINDOW_MS / FRAME_MS) as usize + 1;
    let mut total: u64 = 0;
    let mut frame_index: u64 = 0;
    loop {
        // Frame k covers samples [k * rate / 100, (k + 1) * rate / 100).
        let end = (frame_index + 1) * u64::from(rate) / 100;
        let want = (end - total) as usize * channels;
        let mut got = 0;
        for slot in &mut interleaved[..want] {
            match samples.next() {
                Some(x) => *slot = x,
                None => break,
            }
            got += 1;
        }
        let len = got / channels;
        if len == 0 {
            break;
        }
        let frame = &interleaved[..len * channels];
        for buf in bufs.iter_mut() {
            buf.clear();
        }
        // Clipping of a mono mix is counted on the source channels.
        let mut mix_clipped = None;
        match (mix, channels) {
            (Mix::Stereo, 2) => {
                let [left, right] = bufs.as_mut_slice() else {
                    unreachable!("two sides")
                };
                for f in frame.chunks_exact(2) {
                    left.push(f[0]);
                    right.push(f[1]);
                }
            }
            (Mix::Mono, 1) => bufs[0].extend_from_slice(frame),
            (Mix::Stereo, _) => {
                for f in frame.chunks_exact(channels) {
                    bufs[0].push(f[0]);
                    bufs[1].push(f[1]);
                }
            }
            (Mix::Mono, _) => {
                let inv = 1.0 / channels as f32;
                let mut clipped = 0u16;
                for f in frame.chunks_exact(channels) {
                    bufs[0].push(f.iter().sum::<f32>() * inv);
                    clipped += u16::from(f.iter().any(|x| x.abs() >= CLIP_LEVEL));
                }
                mix_clipped = Some(clipped);
            }
        }
        for (buf, side) in bufs.iter().zip(out.iter_mut()) {
            push_levels(buf, mix_clipped, side);
        }
        for s in 0..sides {
            let me = *out[s].energy_db.last().expect("just pushed");
            let bled = sides == 2 && {
                let other = &out[1 - s].energy_db;
                let loudest = other[other.len().saturating_sub(window)..]
                    .iter()
                    .copied()
                    .fold(FLOOR_DB, f32::max);
                loudest >= ABS_GATE_DBFS && me < loudest - BLEED_MARGIN_DB
            };
            let matters = me >= ABS_GATE_DBFS && !bled;
            vads[s].push(&bufs[s], matters, &mut out[s].vad);
        }
        total += len as u64;
        frame_index += 1;
        if frame_index.is_multiple_of(PROGRESS_EVERY) {
            progress(total);
        }
        if got < want {
            break;
        }
    }
    for (side, vad) in out.iter_mut().zip(vads.iter_mut()) {
        vad.finish(&mut side.vad);
        let n = side.energy_db.len();
        side.vad.resize(n, false);
    }
    progress(total);
    Features {
        sample_rate: rate,
        samples: total,
        channels: out,
    }
}

/// Energy, peak, zero crossings and clipped samples of one frame. Written
/// with independent lanes so the compiler can vectorise it: this runs on
/// every sample.
fn push_levels(buf: &[f32], mix_clipped: Option<u16>, side: &mut SideFrames) {
    const LANES: usize = 8;
    let mut power = [0f32; LANES];
    let mut peak = [0f32; LANES];
    let mut clipped = [0u16; LANES];
    let chunks = buf.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for j in 0..LANES {
            let x = chunk[j];
            power[j] += x * x;
            peak[j] = peak[j].max(x.abs());
            clipped[j] += u16::from(x.abs() >= CLIP_LEVEL);
        }
    }
    for (j, &x) in rest.iter().enumerate() {
        power[j] += x * x;
        peak[j] = peak[j].max(x.abs());
        clipped[j] += u16::from(x.abs() >= CLIP_LEVEL);
    }
    let crossings = buf
        .windows(2)
        .map(|w| u16::from((w[0] < 0.0) != (w[1] < 0.0)))
        .sum::<u16>();
    let mean = power.iter().sum::<f32>() / buf.len() as f32;
    let db = if mean > 0.0 {
        (10.0 * mean.log10()).max(FLOOR_DB)
    } else {
        FLOOR_DB
    };
    side.energy_db.push(db);
    side.peak
        .push(peak.iter().copied().fold(0.0, f32::max).min(1.0));
    side.crossings.push(crossings);
    side.clipped
        .push(mix_clipped.unwrap_or_else(|| clipped.iter().sum()));
}

/// Of the blocks webrtc-vad need not see, feed it one in this many so its
/// noise model still follows the line.
const VAD_KEEP_EVERY: u32 = 4;

/// Analysis frames per webrtc-vad call: it takes 10, 20 or 30 ms, costs
/// about a third less per second of audio on 30 ms, and decides better with
/// the longer context. Each 10 ms frame still gets its own energy gate, so
/// boundaries stay at 10 ms.
const VAD_BLOCK: usize = 3;

/// Feeds one side's samples to webrtc-vad in 30 ms blocks at a rate it takes.
struct VadFeed {
    vad: Vad,
    /// Samples per 10 ms at the VAD rate.
    frame: usize,
    /// Samples of the block being collected, at the VAD rate.
    pending: Vec<i16>,
    /// Whether each frame of the block matters (see [`extract`]).
    matters: Vec<bool>,
    /// Blocks in a row that did not matter.
    skipped: u32,
    /// Linear interpolation when the source rate is not one webrtc-vad takes.
    resample: Option<Linear>,
}

impl VadFeed {
    fn new(rate: u32) -> VadFeed {
        let (vad_rate, sr) = match rate {
            0..=8000 => (8000, SampleRate::Rate8kHz),
            8001..=16000 => (16000, SampleRate::Rate16kHz),
            16001..=32000 => (32000, SampleRate::Rate32kHz),
            _ => (48000, SampleRate::Rate48kHz),
        };
        let resample = (vad_rate != rate).then(|| Linear::new(rate, vad_rate));
        let frame = vad_rate as usize / 100;
        VadFeed {
            vad: Vad::new_with_rate_and_mode(sr, VadMode::Aggressive),
            frame,
            pending: Vec::with_capacity(frame * (VAD_BLOCK + 1)),
            matters: Vec::with_capacity(VAD_BLOCK),
            skipped: 0,
            resample,
        }
    }

    /// Feed one analysis frame; `matters`: its decision can change the result.
    /// Decisions are pushed to `out` a block at a time.
    fn push(&mut self, buf: &[f32], matters: bool, out: &mut Vec<bool>) {
        match &mut self.resample {
            None => self.pending.extend(buf.iter().map(|&x| to_i16(x))),
            Some(lin) => {
                for &x in buf {
                    lin.push(x, &mut self.pending);
                }
            }
        }
        self.matters.push(matters);
        if self.matters.len() == VAD_BLOCK {
            self.decide(out);
        }
    }

    /// Decide the frames collected so far (a whole block, or what is left at
    /// the end: 10 and 20 ms are lengths webrtc-vad takes too).
    fn decide(&mut self, out: &mut Vec<bool>) {
        let frames = self.matters.len();
        if frames == 0 {
            return;
        }
        let any = self.matters.iter().any(|&m| m);
        self.skipped = if any { 0 } else { self.skipped + 1 };
        let n = frames * self.frame;
        // Interpolation can leave the block a sample short or long.
        self.pending.resize(n.max(self.pending.len()), 0);
        let voiced = self.skipped.is_multiple_of(VAD_KEEP_EVERY)
            && self
                .vad
                .is_voice_segment(&self.pending[..n])
                .unwrap_or(false);
        out.extend(self.matters.iter().map(|&m| m && voiced));
        self.pending.drain(..n);
        self.matters.clear();
    }

    /// Decide what is left at the end of the stream.
    fn finish(&mut self, out: &mut Vec<bool>) {
        self.decide(out);
    }
}

/// `as` saturates, so full-scale and over-range samples are clamped.
fn to_i16(x: f32) -> i16 {
    (x * 32768.0) as i16
}

/// Linear interpolation from one rate to another, sample by sample.
struct Linear {
    /// Source samples per output sample.
    step: f64,
    /// Position of the next output sample between `prev` (0) and the next
    /// input sample (1).
    at: f64,
    prev: f32,
}

impl Linear {
    fn new(from: u32, to: u32) -> Linear {
        Linear {
            step: f64::from(from) / f64::from(to),
            at: 1.0,
            prev: 0.0,
        }
    }

    fn push(&mut self, x: f32, out: &mut Vec<i16>) {
        while self.at <= 1.0 {
            out.push(to_i16(self.prev + (x - self.prev) * self.at as f32));
            self.at += self.step;
        }
        self.at -= 1.0;
        self.prev = x;
    }
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
