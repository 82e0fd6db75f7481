//! Test calls built from parts with known timing: synthetic voiced and
//! noise bursts, real speech from Debian's asterisk-core-sounds packages,
//! line noise, bleed of one side into the other, and a tiny WAV reader and
//! writer. Everything is deterministic (a fixed-seed generator).

use std::f32::consts::TAU;
use std::path::{Path, PathBuf};

use super::{FRAME_MS, Segment};

pub const RATE: u32 = 8000;

/// xorshift64*: deterministic noise without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// Uniform in [-1, 1).
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

pub fn db(gain_db: f32) -> f32 {
    10f32.powf(gain_db / 20.0)
}

fn ms_to_samples(ms: u64) -> usize {
    (ms * u64::from(RATE) / 1000) as usize
}

/// RMS of a signal in dBFS.
pub fn rms_db(x: &[f32]) -> f32 {
    let p: f32 = x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32;
    10.0 * p.max(1e-12).log10()
}

/// Scale a clip so its RMS over the active part is `dbfs`.
pub fn normalize(mut x: Vec<f32>, dbfs: f32) -> Vec<f32> {
    let active: Vec<f32> = x
        .chunks(80)
        .filter(|c| rms_db(c) > -50.0)
        .flatten()
        .copied()
        .collect();
    let g = db(dbfs - rms_db(&active));
    x.iter_mut().for_each(|v| *v *= g);
    x
}

/// A "voiced tone burst": a harmonic tone (10 partials) whose pitch glides
/// between 110 and 220 Hz, with a 4 Hz syllable envelope that dips to -12 dB.
/// Speech-like on purpose: a steady tone is rejected as a PBX tone.
pub fn voiced_burst(ms: u64, seed: u64) -> Vec<f32> {
    let n = ms_to_samples(ms);
    let mut phase = 0f32;
    let f_lo = 110.0 + (seed % 5) as f32 * 15.0;
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let f0 = f_lo * (1.0 + 0.5 * (0.5 + 0.5 * (TAU * 0.7 * t).sin()));
            phase += TAU * f0 / RATE as f32;
            let tone: f32 = (1..=10).map(|k| (phase * k as f32).sin() / k as f32).sum();
            let syl = 0.25 + 0.75 * (0.5 - 0.5 * (TAU * 4.0 * t).cos());
            tone * syl * edge(i, n)
        })
        .collect()
}

/// A "noise burst": noise through a 2-pole resonator (a formant near 700 Hz)
/// with a 5 Hz syllable envelope, like whispered or fricative-heavy speech.
pub fn noise_burst(ms: u64, seed: u64) -> Vec<f32> {
    let n = ms_to_samples(ms);
    let mut rng = Rng::new(seed);
    let (r, w) = (0.9f32, TAU * 700.0 / RATE as f32);
    let (a1, a2) = (2.0 * r * w.cos(), -r * r);
    let (mut y1, mut y2) = (0f32, 0f32);
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let y = rng.next() + a1 * y1 + a2 * y2;
            y2 = y1;
            y1 = y;
            let syl = 0.25 + 0.75 * (0.5 - 0.5 * (TAU * 5.0 * t).cos());
            y * syl * edge(i, n)
        })
        .collect()
}

/// 5 ms fade in and out, so bursts do not click.
fn edge(i: usize, n: usize) -> f32 {
    let ramp = ms_to_samples(5).max(1);
    (i.min(n - 1 - i) as f32 / ramp as f32).min(1.0)
}

/// A steady tone burst (a PBX tone such as ringback).
pub fn steady_tone(ms: u64, hz: f32, amp: f32) -> Vec<f32> {
    (0..ms_to_samples(ms))
        .map(|i| amp * (TAU * hz * i as f32 / RATE as f32).sin())
        .collect()
}

/// Where the asterisk prompts are.
pub fn sounds_dir(lang: &str) -> PathBuf {
    Path::new("/usr/share/asterisk/sounds").join(lang)
}

/// A prompt from asterisk-core-sounds (8 kHz mono 16-bit WAV). Fails with
/// the package to install when it is missing.
pub fn asterisk(lang: &str, name: &str) -> Vec<f32> {
    let path = sounds_dir(lang).join(format!("{name}.wav"));
    let pkg = format!("asterisk-core-sounds-{lang}-wav");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; these tests use real speech from Debian's {pkg}: apt-get install {pkg}",
            path.display()
        )
    });
    let (rate, channels, samples) = parse_wav(&bytes).expect("16-bit PCM WAV");
    assert_eq!((rate, channels), (RATE, 1), "{}", path.display());
    samples
}

/// The speech in a clean clip: frames above -45 dBFS, pauses under
/// [`super::MERGE_GAP_MS`] closed, runs under [`super::MIN_SPEECH_MS`] dropped: what a
/// person marking the clip by hand would call speech.
pub fn truth_of(clip: &[f32], at_ms: u64) -> Vec<Segment> {
    let frame = ms_to_samples(FRAME_MS);
    let mut on: Vec<bool> = clip.chunks(frame).map(|c| rms_db(c) > -45.0).collect();
    crate::analysis::speech::smooth(&mut on);
    crate::analysis::metrics::segments(&on, u64::MAX)
        .into_iter()
        .map(|s| Segment {
            start_ms: s.start_ms + at_ms,
            end_ms: (s.end_ms + at_ms).min(at_ms + clip.len() as u64 * 1000 / u64::from(RATE)),
        })
        .collect()
}

pub fn total_ms(segs: &[Segment]) -> u64 {
    segs.iter().map(Segment::len_ms).sum()
}

/// A two-sided call under construction; `sides[0]` is left.
pub struct Call {
    pub sides: [Vec<f32>; 2],
    /// Truth: where each side's speech was placed.
    pub truth: [Vec<Segment>; 2],
}

impl Call {
    pub fn new(ms: u64) -> Call {
        let n = ms_to_samples(ms);
        Call {
            sides: [vec![0.0; n], vec![0.0; n]],
            truth: [Vec::new(), Vec::new()],
        }
    }

    /// Mix `clip` into `side` from `at_ms`; `truth` is where it holds speech.
    pub fn place(&mut self, side: usize, at_ms: u64, clip: &[f32], truth: Vec<Segment>) {
        let from = ms_to_samples(at_ms);
        let dst = &mut self.sides[side];
        let from = from.min(dst.len());
        for (d, s) in dst[from..].iter_mut().zip(clip) {
            *d += s;
        }
        self.truth[side].extend(truth);
        self.truth[side].sort_by_key(|s| s.start_ms);
    }

    /// Place a synthetic burst: its truth is the whole burst.
    pub fn burst(&mut self, side: usize, at_ms: u64, clip: &[f32]) {
        let len = clip.len() as u64 * 1000 / u64::from(RATE);
        let seg = Segment {
            start_ms: at_ms,
            end_ms: at_ms + len,
        };
        self.place(side, at_ms, clip, vec![seg]);
    }

    /// Place real speech: its truth is found in the clean clip.
    pub fn speech(&mut self, side: usize, at_ms: u64, clip: &[f32]) {
        let truth = truth_of(clip, at_ms);
        self.place(side, at_ms, clip, truth);
    }

    /// Each side also carries the other at `gain_db` (echo / hybrid bleed),
    /// delayed by `delay_ms`.
    pub fn bleed(&mut self, gain_db: f32, delay_ms: u64) {
        let g = db(gain_db);
        let d = ms_to_samples(delay_ms);
        let [l, r] = self.sides.clone();
        let [dl, dr] = &mut self.sides;
        for i in d..l.len() {
            dl[i] += r[i - d] * g;
            dr[i] += l[i - d] * g;
        }
    }

    /// White line noise at `dbfs` on one side.
    pub fn noise(&mut self, side: usize, dbfs: f32, seed: u64) {
        let mut rng = Rng::new(seed);
        // Uniform noise in [-1, 1) has RMS 1/sqrt(3): -4.77 dBFS.
        let g = db(dbfs + 4.77);
        for v in self.sides[side].iter_mut() {
            *v += rng.next() * g;
        }
    }

    /// Multiply a side (e.g. to over-drive it) and clamp to full scale.
    pub fn gain(&mut self, side: usize, gain_db: f32) {
        let g = db(gain_db);
        for v in self.sides[side].iter_mut() {
            *v = (*v * g).clamp(-1.0, 1.0);
        }
    }

    /// Interleaved stereo samples, clamped to full scale as a recorder would.
    pub fn stereo(&self) -> Vec<f32> {
        self.sides[0]
            .iter()
            .zip(&self.sides[1])
            .flat_map(|(l, r)| [l.clamp(-1.0, 1.0), r.clamp(-1.0, 1.0)])
            .collect()
    }

    /// Both sides mixed into one channel.
    pub fn mono(&self) -> Vec<f32> {
        self.sides[0]
            .iter()
            .zip(&self.sides[1])
            .map(|(l, r)| (l + r).clamp(-1.0, 1.0))
            .collect()
    }
}

/// Read a 16-bit PCM WAV: (rate, channels, interleaved samples).
pub fn parse_wav(bytes: &[u8]) -> Option<(u32, u16, Vec<f32>)> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let (mut pos, mut fmt) = (12, None);
    while pos + 8 <= bytes.len() {
        let (id, len) = (&bytes[pos..pos + 4], u32_at(pos + 4) as usize);
        let body = pos + 8;
        if id == b"fmt " {
            fmt = Some((u16_at(body + 2), u32_at(body + 4), u16_at(body + 14)));
        } else if id == b"data" {
            let (channels, rate, bits) = fmt?;
            if bits != 16 {
                return None;
            }
            let end = (body + len).min(bytes.len());
            let samples = bytes[body..end]
                .chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
                .collect();
            return Some((rate, channels, samples));
        }
        pos = body + len + (len & 1);
    }
    None
}

/// Write interleaved samples as a 16-bit PCM WAV.
pub fn write_wav(path: &Path, channels: u16, samples: &[f32]) {
    let data: Vec<u8> = samples
        .iter()
        .flat_map(|&x| ((x * 32767.0).round().clamp(-32768.0, 32767.0) as i16).to_le_bytes())
        .collect();
    let mut b = Vec::with_capacity(44 + data.len());
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&RATE.to_le_bytes());
    b.extend_from_slice(&(RATE * 2 * u32::from(channels)).to_le_bytes());
    b.extend_from_slice(&(2 * channels).to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&data);
    std::fs::write(path, b).unwrap();
}
