//! Frame features to "is this side speaking in this frame".
//!
//! A frame is speech for a side when all of these hold:
//! 1. webrtc-vad (mode 2) says voice;
//! 2. its energy passes the gate: above [`ABS_GATE_DBFS`] and at least
//!    [`NOISE_MARGIN_DB`] above the side's noise floor (the 10th percentile of
//!    its frame energies: every side of a call is silent far more than 10% of
//!    the time);
//! 3. (stereo) it is not the other side leaking in: not more than
//!    [`BLEED_MARGIN_DB`] below the other side's loudest frame of the last
//!    [`BLEED_WINDOW_MS`] (when that one is above [`ABS_GATE_DBFS`]);
//! 4. it is not part of a call-progress tone (ringback, busy, congestion):
//!    webrtc-vad readily calls a loud 425 Hz tone voice, but a PBX tone holds
//!    the same level and pitch for [`TONE_MIN_MS`] or more, or repeats bursts
//!    of the same level and pitch in a 175-500 ms cadence, which no voice does.
//!
//! Then pauses shorter than [`MERGE_GAP_MS`] are closed and runs shorter than
//! [`MIN_SPEECH_MS`] are dropped.

use super::features::{FLOOR_DB, Features, SideFrames};
use super::{
    ABS_GATE_DBFS, BLEED_MARGIN_DB, BLEED_WINDOW_MS, FRAME_MS, MERGE_GAP_MS, MIN_SPEECH_MS,
    NOISE_MARGIN_DB,
};

/// A tone is steady for at least this long; voiced speech changes pitch or
/// level within 100-200 ms (syllables are 4-6 per second). Measured on all
/// 700 asterisk-core-sounds prompts (en, ru): these values clear 0.05% of
/// their speech frames, and all but 5-15% of the frames of Russian, US and UK
/// ringback, busy and congestion tones that webrtc-vad calls voice.
pub(crate) const TONE_MIN_MS: u64 = 400;
/// Steady: the level stays within this of the run's first window...
const TONE_LEVEL_DB: f32 = 1.0;
/// ...and the zero crossings (a pitch proxy) within this per window.
const TONE_CROSSINGS: u16 = 5;
/// A shorter steady burst (at least this long) is a tone when the next or
/// previous burst, at most [`TONE_CADENCE_MS`] away, has the same level and
/// pitch: busy and congestion tones are 175-500 ms on/off cadences.
const TONE_BURST_MS: u64 = 150;
const TONE_CADENCE_MS: u64 = 700;
/// Frames per window for the level and crossings of a tone.
const TONE_SMOOTH_FRAMES: usize = 5;

/// Per side (in the order of `features.channels`), per frame: speech or not.
/// The sides are independent (the bleed rule was applied while measuring),
/// so a stereo call's two sides are worked out on two threads.
pub(crate) fn detect(f: &Features) -> Vec<Vec<bool>> {
    match f.channels.as_slice() {
        [a, b] => std::thread::scope(|scope| {
            let second = std::thread::Builder::new().spawn_scoped(scope, || side_speech(b));
            let first = side_speech(a);
            let second = match second {
                Ok(thread) => thread.join().expect("speech detection does not panic"),
                // No thread to be had: the second side here, after the first.
                Err(_) => side_speech(b),
            };
            vec![first, second]
        }),
        sides => sides.iter().map(side_speech).collect(),
    }
}

/// Speech frames of one side.
fn side_speech(me: &SideFrames) -> Vec<bool> {
    let g = gate(&me.energy_db);
    let mut speech: Vec<bool> = me
        .vad
        .iter()
        .zip(&me.energy_db)
        .map(|(&v, &e)| v && e >= g)
        .collect();
    clear_where(&mut speech, &me.bled);
    clear_steady_tones(&mut speech, me);
    smooth(&mut speech);
    speech
}

/// The energy a frame must reach to be speech on this side.
pub(crate) fn gate(energy_db: &[f32]) -> f32 {
    (noise_floor(energy_db) + NOISE_MARGIN_DB).max(ABS_GATE_DBFS)
}

/// The 10th percentile of the frame energies, to 0.5 dB.
pub(crate) fn noise_floor(energy_db: &[f32]) -> f32 {
    const BINS: usize = 241; // -120..0 dBFS in 0.5 dB steps
    if energy_db.is_empty() {
        return FLOOR_DB;
    }
    let mut hist = [0u32; BINS];
    for &e in energy_db {
        let bin = ((e - FLOOR_DB) * 2.0).clamp(0.0, (BINS - 1) as f32) as usize;
        hist[bin] += 1;
    }
    let want = energy_db.len().div_ceil(10) as u32;
    let mut seen = 0;
    for (bin, &count) in hist.iter().enumerate() {
        seen += count;
        if seen >= want {
            return FLOOR_DB + bin as f32 * 0.5;
        }
    }
    0.0
}

/// Frames of the other side a frame is compared with: those of the last
/// [`BLEED_WINDOW_MS`] and the one at the same time.
pub(crate) const BLEED_FRAMES: usize = (BLEED_WINDOW_MS / FRAME_MS) as usize + 1;

/// Whether a frame `me` dB loud is the other side leaking in: more than
/// [`BLEED_MARGIN_DB`] below the other side's loudest frame of
/// `other_recent` (its last [`BLEED_FRAMES`]), when that one is above
/// [`ABS_GATE_DBFS`]. `features` applies it while measuring (and skips
/// webrtc-vad on such frames).
pub(crate) fn is_bleed(me: f32, other_recent: &[f32]) -> bool {
    // A plain comparison: `f32::max`'s NaN rule is slower.
    let loudest = other_recent
        .iter()
        .fold(FLOOR_DB, |m, &e| if e > m { e } else { m });
    loudest >= ABS_GATE_DBFS && me < loudest - BLEED_MARGIN_DB
}

fn clear_where(speech: &mut [bool], drop: &[bool]) {
    for (s, &d) in speech.iter_mut().zip(drop) {
        if d {
            *s = false;
        }
    }
}

/// Clear runs of frames that hold one level and one pitch for at least
/// [`TONE_MIN_MS`]. Level and zero crossings are taken over
/// [`TONE_SMOOTH_FRAMES`] frames, which averages out the 40-90 Hz beating of
/// dual tones (US ringback is 440 + 480 Hz).
pub(crate) fn clear_steady_tones(speech: &mut [bool], c: &SideFrames) {
    clear_steady_tones_with(speech, c, TONE_MIN_MS, TONE_LEVEL_DB, TONE_CROSSINGS)
}

pub(crate) fn clear_steady_tones_with(
    speech: &mut [bool],
    c: &SideFrames,
    min_ms: u64,
    level_db: f32,
    max_crossings: u16,
) {
    const W: usize = TONE_SMOOTH_FRAMES;
    let n = speech.len().min(c.energy_db.len());
    if n < W {
        return;
    }
    // Windowed mean power (linear: the steadiness test compares ratios, so
    // no logarithm per window) and crossings of frames [i, i + W).
    let windows = n - W + 1;
    let power: Vec<f32> = c.energy_db[..n]
        .iter()
        .map(|&e| (e * (std::f32::consts::LN_10 / 10.0)).exp())
        .collect();
    let mut level = Vec::with_capacity(windows);
    let mut cross = Vec::with_capacity(windows);
    for i in 0..windows {
        level.push(power[i..i + W].iter().sum::<f32>() / W as f32);
        cross.push(c.crossings[i..i + W].iter().sum::<u16>());
    }
    let ratio = 10f32.powf(level_db / 10.0);
    let audible = 10f32.powf(ABS_GATE_DBFS / 10.0);
    let windows_for = |ms: u64| ((ms / FRAME_MS) as usize + 1).saturating_sub(W).max(1);
    let (min_windows, burst_windows) = (windows_for(min_ms), windows_for(TONE_BURST_MS));
    // Steady runs: (first window, end window, level in dB, crossings).
    let mut runs = Vec::new();
    let mut start = 0;
    while start < windows {
        let (p0, z0) = (level[start], cross[start]);
        let (low, high) = (p0 / ratio, p0 * ratio);
        let mut end = start + 1;
        while end < windows
            && (low..=high).contains(&level[end])
            && cross[end].abs_diff(z0) <= max_crossings
        {
            end += 1;
        }
        // Silence is steady too, but it is not speech anyway.
        if end - start >= burst_windows && p0 > audible {
            runs.push((start, end, 10.0 * p0.log10(), z0));
        }
        start = end;
    }
    let cadence = (TONE_CADENCE_MS / FRAME_MS) as usize;
    let same = |a: &(usize, usize, f32, u16), b: &(usize, usize, f32, u16)| {
        b.0.abs_diff(a.1) <= cadence
            && (a.2 - b.2).abs() <= level_db
            && a.3.abs_diff(b.3) <= max_crossings
    };
    for (k, run) in runs.iter().enumerate() {
        let long = run.1 - run.0 >= min_windows;
        let repeated = (k > 0 && same(&runs[k - 1], run))
            || runs.get(k + 1).is_some_and(|next| same(run, next));
        if long || repeated {
            speech[run.0..run.1 + W - 1].fill(false);
        }
    }
}

/// Close short pauses, then drop short runs.
pub(crate) fn smooth(speech: &mut [bool]) {
    let max_gap = (MERGE_GAP_MS / FRAME_MS) as usize;
    let min_run = (MIN_SPEECH_MS / FRAME_MS) as usize;
    // Close gaps shorter than max_gap between two speech frames.
    let mut last_speech: Option<usize> = None;
    for i in 0..speech.len() {
        if speech[i] {
            if let Some(j) = last_speech
                && i - j - 1 < max_gap
            {
                speech[j + 1..i].fill(true);
            }
            last_speech = Some(i);
        }
    }
    // Drop runs shorter than min_run.
    let mut i = 0;
    while i < speech.len() {
        if speech[i] {
            let start = i;
            while i < speech.len() && speech[i] {
                i += 1;
            }
            if i - start < min_run {
                speech[start..i].fill(false);
            }
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(pattern: &str) -> Vec<bool> {
        pattern.chars().map(|c| c == '#').collect()
    }

    #[test]
    fn smoothing_closes_short_pauses_and_drops_blips() {
        // 20 frames of speech, a 29-frame pause (closed), 20 frames, a
        // 30-frame pause (kept), a 14-frame blip (dropped), 40 silent.
        let mut s = [
            "#".repeat(20),
            ".".repeat(29),
            "#".repeat(20),
            ".".repeat(30),
            "#".repeat(14),
            ".".repeat(40),
        ]
        .concat();
        let mut v = frames(&s);
        smooth(&mut v);
        s = [
            "#".repeat(69),
            ".".repeat(30),
            ".".repeat(14),
            ".".repeat(40),
        ]
        .concat();
        assert_eq!(v, frames(&s));
    }

    #[test]
    fn noise_floor_is_the_tenth_percentile() {
        let mut e = vec![-60.0f32; 30];
        e.extend(vec![-20.0f32; 70]);
        assert_eq!(noise_floor(&e), -60.0);
        assert_eq!(gate(&e), -48.0f32.max(-60.0 + NOISE_MARGIN_DB));
        let loud_noise = vec![-30.0f32; 100];
        assert_eq!(gate(&loud_noise), -30.0 + NOISE_MARGIN_DB);
        assert_eq!(noise_floor(&[]), FLOOR_DB);
    }

    #[test]
    fn a_steady_tone_is_not_speech_but_varying_frames_are() {
        let n = 100;
        let mut c = SideFrames {
            energy_db: vec![-15.0; n],
            crossings: vec![17; n],
            ..SideFrames::default()
        };
        let mut s = vec![true; n];
        clear_steady_tones(&mut s, &c);
        assert!(s.iter().all(|&x| !x));
        // Alternate level by 6 dB every 5 frames (syllables): kept.
        for i in 0..n {
            c.energy_db[i] = if (i / 5) % 2 == 0 { -15.0 } else { -21.0 };
        }
        let mut s = vec![true; n];
        clear_steady_tones(&mut s, &c);
        assert!(s.iter().all(|&x| x));
    }
}
