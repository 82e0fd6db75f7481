//! Tests for the processing chain, pulled by hand (no device, no clock).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::audio::testutil::{wav_bytes, write_ramp_wav};

/// A 16-bit WAV with a sine of `freq` Hz at `amp` on the left and `right`
/// (a factor of the left signal) on the right.
fn sine_wav(
    dir: &Path,
    name: &str,
    channels: u16,
    secs: f64,
    freq: f64,
    amp: f64,
    right: f64,
) -> std::path::PathBuf {
    let rate = 8000.0;
    let mut data = Vec::new();
    for i in 0..(rate * secs) as usize {
        let v = amp * (2.0 * std::f64::consts::PI * freq * i as f64 / rate).sin();
        for c in 0..channels {
            let s = if c == 1 { v * right } else { v };
            data.extend_from_slice(&((s * 32767.0) as i16).to_le_bytes());
        }
    }
    let path = dir.join(name);
    std::fs::write(&path, wav_bytes(1, channels, 8000, 16, &data, None)).unwrap();
    path
}

fn chain(path: &Path, effects: &Arc<Effects>) -> Chain {
    let source = CallSource::open(path).unwrap_or_else(|e| panic!("{e}"));
    Chain::new(source, Arc::clone(effects))
}

fn pull(src: &mut impl Iterator<Item = f32>, n: usize) -> Vec<f32> {
    let v: Vec<f32> = src.take(n).collect();
    assert_eq!(v.len(), n, "source ended early");
    v
}

fn rms(v: &[f32]) -> f32 {
    (v.iter().map(|s| s * s).sum::<f32>() / v.len().max(1) as f32).sqrt()
}

/// Frequency from upward zero crossings.
fn frequency(v: &[f32], rate: f32) -> f32 {
    let ups = v.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    ups as f32 * rate / v.len() as f32
}

#[test]
fn speed_keeps_pitch_and_counts_recording_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = sine_wav(dir.path(), "tone.wav", 1, 12.0, 440.0, 0.5, 0.0);
    for speed in [0.75f32, 1.0, 1.8, 2.5] {
        let effects = Arc::new(Effects::default());
        effects.set_speed(speed);
        let mut c = chain(&path, &effects);
        let controls = c.controls();
        pull(&mut c, 4000); // let the stretcher settle
        let before = controls.position_frames();
        let out = pull(&mut c, 16_000); // 2 s of output
        let advanced = (controls.position_frames() - before) as f32;
        let expected = 16_000.0 * speed;
        assert!(
            (advanced - expected).abs() < expected * 0.05,
            "{speed}x: {advanced} recording frames for 2 s of output"
        );
        let f = frequency(&out, 8000.0);
        assert!((f - 440.0).abs() < 15.0, "{speed}x: pitch moved to {f} Hz");
        assert!(rms(&out) > 0.3, "{speed}x: audible");
    }
}

#[test]
fn speed_change_takes_effect_within_a_tenth_of_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let path = sine_wav(dir.path(), "tone.wav", 1, 12.0, 440.0, 0.5, 0.0);
    let effects = Arc::new(Effects::default());
    let mut c = chain(&path, &effects);
    let controls = c.controls();
    pull(&mut c, 8000);
    effects.set_speed(2.0);
    pull(&mut c, 800); // 100 ms of output
    let before = controls.position_frames();
    pull(&mut c, 8000);
    let advanced = controls.position_frames() - before;
    assert!((15_200..=16_800).contains(&advanced), "{advanced}");
    // Back to 1x: what the stretcher held comes out, then plain audio.
    effects.set_speed(1.0);
    let out = pull(&mut c, 8000);
    assert!(
        out.iter().all(|s| s.abs() <= 0.51),
        "no glitch above the signal"
    );
    assert!(rms(&out) > 0.3);
}

#[test]
fn clamps_speed_and_volume() {
    let e = Effects::default();
    assert_eq!(e.set_speed(9.0), MAX_SPEED);
    assert_eq!(e.set_speed(0.1), MIN_SPEED);
    assert_eq!(e.set_speed(f32::NAN), MIN_SPEED);
    assert_eq!(e.set_volume(3.0), MAX_VOLUME);
    assert_eq!(e.set_volume(-1.0), 0.0);
    assert_eq!(e.set_volume(f32::INFINITY), 0.0);
}

#[test]
fn solo_plays_one_side_to_both_ears_and_mono_ignores_it() {
    let dir = tempfile::tempdir().unwrap();
    // Left: tone at 0.5; right: the same tone at 0.05 (a quiet client).
    let path = sine_wav(dir.path(), "st.wav", 2, 2.0, 300.0, 0.5, 0.1);
    let effects = Arc::new(Effects::default());
    let side_rms = |effects: &Arc<Effects>| {
        let mut c = chain(&path, effects);
        let v = pull(&mut c, 2 * 4000);
        let l: Vec<f32> = v.iter().step_by(2).copied().collect();
        let r: Vec<f32> = v.iter().skip(1).step_by(2).copied().collect();
        (rms(&l), rms(&r))
    };
    let (l, r) = side_rms(&effects);
    assert!(l > 0.3 && r < 0.05, "both: {l} {r}");
    effects.set_channel_mode(ChannelMode::LeftOnly);
    let (l, r) = side_rms(&effects);
    assert!(l > 0.3 && (l - r).abs() < 1e-6, "left only: {l} {r}");
    effects.set_channel_mode(ChannelMode::RightOnly);
    let (l, r) = side_rms(&effects);
    assert!(l < 0.05 && (l - r).abs() < 1e-6, "right only: {l} {r}");

    let mono = sine_wav(dir.path(), "m.wav", 1, 1.0, 300.0, 0.5, 0.0);
    let mut c = chain(&mono, &effects);
    assert!(rms(&pull(&mut c, 4000)) > 0.3, "mono ignores the solo");
}

#[test]
fn volume_and_automatic_gain_with_a_limiter() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = sine_wav(dir.path(), "q.wav", 1, 6.0, 300.0, 0.01, 0.0);
    let effects = Arc::new(Effects::default());
    let mut c = chain(&quiet, &effects);
    let plain = rms(&pull(&mut c, 8000));
    effects.set_volume(2.0);
    let doubled = rms(&pull(&mut c, 8000)[800..]);
    assert!((doubled / plain - 2.0).abs() < 0.05, "{plain} -> {doubled}");
    effects.set_volume(0.0);
    assert!(pull(&mut c, 800)[400..].iter().all(|s| *s == 0.0));

    effects.set_volume(1.0);
    effects.set_auto_gain(true);
    let mut c = chain(&quiet, &effects);
    pull(&mut c, 3 * 8000); // the gain rises over about a second
    let boosted = rms(&pull(&mut c, 8000));
    assert!(boosted > 0.05, "quiet call boosted: {plain} -> {boosted}");

    let loud = sine_wav(dir.path(), "l.wav", 1, 2.0, 300.0, 0.99, 0.0);
    let out = pull(&mut chain(&loud, &effects), 16_000);
    assert!(rms(&out[8000..]) < 0.3, "a loud call is brought down");
    effects.set_auto_gain(false);
    effects.set_volume(2.0);
    let mut c = chain(&loud, &effects);
    let out = pull(&mut c, 12_000);
    assert!(out.iter().all(|s| s.abs() <= 1.0), "the limiter holds");
    assert!(rms(&out) > 0.6, "and it is loud");
}

#[test]
fn skip_silence_jumps_over_ranges_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "r.wav", 8000, 1, 20.0);
    let effects = Arc::new(Effects::default());
    let mut c = chain(&path, &effects);
    let controls = c.controls();
    controls.set_skip_ranges(&[
        (Duration::from_secs(2), Duration::from_secs(5)),
        (Duration::from_millis(5500), Duration::from_secs(15)), // a long one: seeks
        (Duration::from_millis(4000), Duration::from_millis(4500)), // inside the first
    ]);
    pull(&mut c, 3 * 8000);
    assert_eq!(
        controls.position(),
        Duration::from_secs(3),
        "off by default"
    );
    assert_eq!(controls.skipped(), Duration::ZERO);

    controls.seek(Duration::ZERO);
    controls.set_skip_silence(true);
    pull(&mut c, 3 * 8000); // 0-2 s, jump, 5-6 s... then 5.5 s jumps to 15 s
    let pos = controls.position();
    assert!(
        (Duration::from_millis(15_480)..=Duration::from_millis(15_520)).contains(&pos),
        "{pos:?}"
    );
    let skipped = controls.skipped();
    assert_eq!(skipped, Duration::from_millis(3000 + 9500), "{skipped:?}");
    let s = pull(&mut c, 8);
    assert_eq!(
        crate::audio::testutil::ramp_frame(s[7]),
        7,
        "audio after the jump"
    );
}

#[test]
fn seek_drops_what_the_stretcher_holds() {
    let dir = tempfile::tempdir().unwrap();
    // Tone for 5 s, then silence: after seeking into the silence nothing of
    // the tone may come out.
    let rate = 8000usize;
    let mut data = Vec::new();
    for i in 0..rate * 10 {
        let v = if i < rate * 5 {
            (0.5 * (2.0 * std::f64::consts::PI * 300.0 * i as f64 / rate as f64).sin() * 32767.0)
                as i16
        } else {
            0
        };
        data.extend_from_slice(&v.to_le_bytes());
    }
    let path = dir.path().join("t.wav");
    std::fs::write(&path, wav_bytes(1, 1, 8000, 16, &data, None)).unwrap();
    let effects = Arc::new(Effects::default());
    effects.set_speed(1.5);
    let mut c = chain(&path, &effects);
    pull(&mut c, 8000);
    c.controls().seek(Duration::from_secs(7));
    let out = pull(&mut c, 4000);
    assert!(
        out.iter().all(|s| s.abs() < 1e-3),
        "tone leaked after the seek"
    );
}

#[test]
fn pause_is_silent_at_once_and_holds_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = sine_wav(dir.path(), "tone.wav", 1, 4.0, 440.0, 0.5, 0.0);
    let effects = Arc::new(Effects::default());
    effects.set_speed(1.5);
    let mut c = chain(&path, &effects);
    let controls = c.controls();
    pull(&mut c, 4000);
    controls.set_paused(true);
    pull(&mut c, 400); // the block already made
    let held = controls.position_frames();
    let out = pull(&mut c, 4000);
    assert!(out.iter().all(|s| *s == 0.0));
    assert_eq!(controls.position_frames(), held);
}
