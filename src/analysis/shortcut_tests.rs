//! The two shortcuts that make the analysis fast must not change what it
//! finds: asking webrtc-vad about one block in [`STRIDE`] (`vad.rs`), and
//! measuring a long recording in chunks on several threads (`chunks.rs`).
//! Both are held to the plain way on real speech (asterisk prompts) with
//! line noise loud enough that webrtc-vad has to decide in the pauses too.

use std::path::Path;

use super::features::{Extractor, Features, Mix};
use super::test_audio::*;
use super::vad::STRIDE;
use super::*;

/// One minute of a two-sided call; `seed` varies the noise and the order.
fn minute(seed: u64) -> Call {
    let rep = |name: &str| normalize(asterisk("en", name), -20.0);
    let client = |name: &str| normalize(asterisk("ru", name), -24.0);
    let mut c = Call::new(60_000);
    let names = [
        "vm-intro",
        "conf-onlyperson",
        "queue-periodic-announce",
        "agent-pass",
        "vm-options",
    ];
    let at = [1_000, 8_000, 16_800, 30_500, 42_500];
    for (k, &t) in at.iter().enumerate() {
        let name = names[(k + seed as usize) % names.len()];
        if k % 2 == 0 {
            c.speech(0, t, &rep(name));
        } else {
            c.speech(1, t, &client(name));
        }
    }
    c.bleed(-13.0, 20);
    // The rep's line hisses above the absolute gate, so webrtc-vad decides
    // there (the blocks "matter"); the client's line is quiet.
    c.noise(0, -44.0, seed * 2 + 1);
    c.noise(1, -60.0, seed * 2 + 2);
    c
}

fn measure(samples: &[f32], stride: usize) -> (Features, u64) {
    let mut x = Extractor::new(2, RATE, Mix::Stereo, 0, 0, 0);
    x.set_vad_stride(stride);
    x.push(samples);
    let calls = x.vad_calls();
    (x.finish(), calls)
}

fn speech_frames(side: &[bool]) -> i64 {
    side.iter().filter(|&&s| s).count() as i64
}

#[test]
fn asking_webrtc_vad_on_a_stride_finds_the_same_speech() {
    let (mut every_total, mut diff_total) = (0i64, 0i64);
    for seed in 0..3 {
        let samples = minute(seed).stereo();
        let (every, every_calls) = measure(&samples, 1);
        let (strided, strided_calls) = measure(&samples, STRIDE);
        let (a, b) = (speech::detect(&every), speech::detect(&strided));
        for side in 0..2 {
            // Within the analysis' tolerance: 1 s of talk per side and
            // minute (see the hangover note in vad.rs).
            let diff = speech_frames(&a[side]) - speech_frames(&b[side]);
            assert!(diff.abs() <= 100, "seed {seed} side {side}: {diff} frames");
            // The same turns, give or take one merged pause.
            let turns = |v: &[bool]| metrics::segments(v, 60_000).len();
            assert!(
                turns(&a[side]).abs_diff(turns(&b[side])) <= 1,
                "seed {seed} side {side}"
            );
            every_total += speech_frames(&a[side]);
            diff_total += diff.abs();
        }
        // And it is the point: far fewer calls.
        assert!(
            strided_calls * 2 < every_calls,
            "seed {seed}: {strided_calls} calls against {every_calls}"
        );
    }
    // Over all six side-minutes, within 1% of the talk time.
    assert!(
        diff_total * 100 <= every_total,
        "{diff_total} of {every_total} frames"
    );
}

/// Five different minutes as a 16-bit stereo WAV.
fn five_minutes(path: &Path) {
    let samples: Vec<f32> = (0..5).flat_map(|seed| minute(seed).stereo()).collect();
    write_wav(path, 2, &samples);
}

fn talk(a: &CallAnalysis) -> (u64, u64) {
    (
        a.rep.as_ref().expect("stereo").talk_ms,
        a.client.as_ref().expect("stereo").talk_ms,
    )
}

/// `a` and `b` within 1% of talk per side, 0.5 s of dead air, same flags.
fn close(a: &CallAnalysis, b: &CallAnalysis, what: &str) {
    let ((ra, ca), (rb, cb)) = (talk(a), talk(b));
    assert!(ra.abs_diff(rb) * 100 <= ra, "{what}: rep {ra} vs {rb}");
    assert!(ca.abs_diff(cb) * 100 <= ca, "{what}: client {ca} vs {cb}");
    assert!(
        a.dead_air_total_ms.abs_diff(b.dead_air_total_ms) <= 500,
        "{what}: dead air {} vs {}",
        a.dead_air_total_ms,
        b.dead_air_total_ms
    );
    assert_eq!(a.flags, b.flags, "{what}");
    assert_eq!(a.duration_ms, b.duration_ms, "{what}");
}

/// 30-second chunks, so five minutes make ten.
const CHUNK: u64 = 3_000;

#[test]
fn chunks_agree_with_one_pass_and_not_with_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("five.wav");
    five_minutes(&path);
    let layout = ChannelLayout::RepLeft;
    let one_pass = analyze_file_with(&path, layout, &|_| {}, u64::MAX, 1).unwrap();
    let serial = analyze_file_with(&path, layout, &|_| {}, CHUNK, 1).unwrap();
    let parallel = analyze_file_with(&path, layout, &|_| {}, CHUNK, 3).unwrap();
    assert_eq!(serial, parallel, "the same chunks give the same analysis");
    close(&one_pass, &parallel, "chunked WAV");
    assert_eq!(one_pass.duration_ms, 300_000);
    // The speech placed in the file is found in every minute, not only in
    // the first chunk.
    let rep = &parallel.rep.as_ref().unwrap().speech;
    for m in 0..5 {
        let minute = Segment {
            start_ms: m * 60_000,
            end_ms: (m + 1) * 60_000,
        };
        assert!(
            rep.iter().any(|s| minute.contains(s.start_ms)),
            "minute {m}: {rep:?}"
        );
    }
}

#[test]
fn an_mp3_is_measured_in_chunks_too() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("five.wav");
    five_minutes(&wav);
    let mp3 = dir.path().join("five.mp3");
    let encoded = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(&wav)
        .args(["-ar", "16000", "-c:a", "libmp3lame", "-b:a", "64k"])
        .arg(&mp3)
        .status();
    if !encoded.is_ok_and(|s| s.success()) {
        eprintln!(
            "SKIPPED: ffmpeg with libmp3lame is needed to make the MP3 (apt-get install ffmpeg)"
        );
        return;
    }
    let layout = ChannelLayout::RepLeft;
    let one_pass = analyze_file_with(&mp3, layout, &|_| {}, u64::MAX, 1).unwrap();
    let chunked = analyze_file_with(&mp3, layout, &|_| {}, CHUNK, 2).unwrap();
    close(&one_pass, &chunked, "chunked MP3");
    // And the MP3 says what the WAV says (different rate, lossy).
    let from_wav = analyze_file_with(&wav, layout, &|_| {}, CHUNK, 2).unwrap();
    let ((r1, c1), (r2, c2)) = (talk(&from_wav), talk(&chunked));
    assert!(
        r1.abs_diff(r2) < 1_000 && c1.abs_diff(c2) < 1_000,
        "{r1}/{c1} vs {r2}/{c2}"
    );
}
