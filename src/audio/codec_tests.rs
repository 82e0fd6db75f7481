//! Telephony codecs end to end: files made by sox and ffmpeg from a known
//! PCM signal are probed, decoded and compared with that signal, and seeks
//! must land on the right audio.
//!
//! This file also holds the one policy for tests that need a program from
//! outside (ffmpeg, sox, a sound server): when it is missing the test fails
//! and says what to install (`./dev test` installs everything, so CI never
//! skips), unless a developer opts into skipping on their own machine with
//! `CALLQA_SKIP_MISSING_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::audio::probe;
use crate::audio::source::CallSource;

/// A voice-like signal (two gliding partials), never periodic, so a
/// correlation peak pins the alignment down.
const SIGNAL: &str =
    "0.3*sin(2*PI*(150+40*sin(2*PI*0.5*t))*t)+0.2*sin(2*PI*(470+90*sin(2*PI*0.3*t))*t)";
const SECS: f64 = 4.0;

/// Set to `1` to skip, instead of fail, tests whose tools are missing.
pub(crate) const SKIP_MISSING_TOOLS: &str = "CALLQA_SKIP_MISSING_TOOLS";

/// Something a test needs is missing: fail with `why` and what to install,
/// or, when the developer opted in, print why and return so the caller can
/// skip.
pub(crate) fn missing_tool(why: &str, install: &str) {
    if std::env::var(SKIP_MISSING_TOOLS).as_deref() == Ok("1") {
        println!("skipped ({SKIP_MISSING_TOOLS}=1): {why}");
        return;
    }
    panic!(
        "{why}: install {install}, or run `./dev test`, which installs and starts \
         what the tests need (set {SKIP_MISSING_TOOLS}=1 to skip such tests on purpose)"
    );
}

/// Run an external program a test needs. `false` only when it is missing
/// and skipping was asked for; a program that runs and fails fails the test.
pub(crate) fn run_tool(tool: &str, args: &[&str]) -> bool {
    match Command::new(tool).args(args).output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => panic!(
            "{tool} {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            missing_tool(&format!("{tool} is not installed"), tool);
            false
        }
        Err(e) => panic!("cannot run {tool}: {e}"),
    }
}

/// ffmpeg renders the lavfi `source` into `dir/name` with the `codec`
/// options; `None` only when ffmpeg is missing and skipping was asked for.
pub(crate) fn ffmpeg_lavfi(
    dir: &Path,
    name: &str,
    source: &str,
    codec: &[&str],
) -> Option<PathBuf> {
    let path = dir.join(name);
    let mut args = vec!["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"];
    args.extend(["-i", source]);
    args.extend_from_slice(codec);
    args.push(path.to_str()?);
    run_tool("ffmpeg", &args).then_some(path)
}

/// The reference signal as 16-bit PCM WAV at `rate`.
fn reference(dir: &Path, rate: u32) -> Option<PathBuf> {
    let src = format!("aevalsrc={SIGNAL}:s={rate}:d={SECS}");
    ffmpeg_lavfi(dir, &format!("ref{rate}.wav"), &src, &["-c:a", "pcm_s16le"])
}

fn ffmpeg_encode(input: &Path, out: &Path, codec: &[&str]) -> bool {
    let mut args = vec![
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        input.to_str().unwrap(),
    ];
    args.extend_from_slice(codec);
    args.push(out.to_str().unwrap());
    run_tool("ffmpeg", &args)
}

fn decode_all(path: &Path) -> Vec<f32> {
    let src = CallSource::open(path).unwrap_or_else(|e| panic!("{e}"));
    let c = src.controls();
    let v: Vec<f32> = src.collect();
    assert_eq!(c.error(), None);
    v
}

/// Best normalised correlation of `a` against `b` shifted by up to
/// `max_lag` samples, and that shift (positive: `a` is late).
fn best_match(a: &[f32], b: &[f32], max_lag: isize) -> (f64, isize) {
    let mut best = (f64::MIN, 0);
    for lag in -max_lag..=max_lag {
        let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
        for (i, &x) in a.iter().enumerate() {
            let j = i as isize - lag;
            if j < 0 || j as usize >= b.len() {
                continue;
            }
            let y = b[j as usize];
            ab += f64::from(x) * f64::from(y);
            aa += f64::from(x) * f64::from(x);
            bb += f64::from(y) * f64::from(y);
        }
        let r = ab / (aa.sqrt() * bb.sqrt()).max(1e-12);
        if r > best.0 {
            best = (r, lag);
        }
    }
    best
}

struct Case {
    name: &'static str,
    container: &'static str,
    codec: &'static str,
    rate: u32,
    /// Correlation with the reference the codec must reach.
    min_corr: f64,
    /// How far the probed length may be from 4 s.
    length_ms: u64,
}

fn check(path: &Path, case: &Case, reference: &[f32]) {
    let name = case.name;
    let info = probe(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        (info.container.as_str(), info.codec.as_str()),
        (case.container, case.codec),
        "{name}"
    );
    assert_eq!((info.channels, info.sample_rate), (1, case.rate), "{name}");
    assert!(
        info.duration_ms.abs_diff(4000) <= case.length_ms,
        "{name}: {} ms",
        info.duration_ms
    );

    let decoded = decode_all(path);
    let rate = case.rate as usize;
    let (r, lag) = best_match(
        &decoded[rate / 4..rate * 3],
        &reference[rate / 4..rate * 3],
        rate as isize / 50,
    );
    println!("{name}: correlation {r:.3} at lag {lag}");
    assert!(r >= case.min_corr, "{name}: correlation {r:.3}");
    assert!(
        lag.unsigned_abs() <= rate / 200,
        "{name}: decoded audio is {lag} samples off"
    );

    // Seeks land within 20 ms, forward and back.
    let mut src = CallSource::open(path).unwrap();
    let c = src.controls();
    src.by_ref().take(rate / 10).count();
    for ms in [2300u64, 700, 3500, 1200] {
        c.seek(Duration::from_millis(ms));
        let got: Vec<f32> = src.by_ref().take(rate / 10).collect();
        assert_eq!(c.position(), Duration::from_millis(ms + 100), "{name}");
        let at = ms as usize * rate / 1000;
        let want = &reference[at..at + rate / 10];
        let (r, lag) = best_match(&got, want, rate as isize / 25);
        assert!(
            r >= case.min_corr - 0.1,
            "{name} seek {ms}: correlation {r:.3}"
        );
        assert!(
            lag.unsigned_abs() <= rate / 50,
            "{name} seek {ms}: landed {lag} samples off"
        );
    }
    assert_eq!(c.error(), None, "{name}");
}

#[test]
fn gsm_raw_and_in_wav_decode_and_seek() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(ref8) = reference(d, 8000) else {
        return;
    };
    let reference = decode_all(&ref8);
    let gsm = |name, container, codec| Case {
        name,
        container,
        codec,
        rate: 8000,
        min_corr: 0.8,
        length_ms: 20,
    };
    let raw = d.join("call.gsm");
    if run_tool(
        "sox",
        &[ref8.to_str().unwrap(), "-t", "gsm", raw.to_str().unwrap()],
    ) {
        check(&raw, &gsm("sox .gsm", "gsm", "gsm"), &reference);
    }
    let sox_wav = d.join("sox-gsm.wav");
    if run_tool(
        "sox",
        &[
            ref8.to_str().unwrap(),
            "-e",
            "gsm-full-rate",
            sox_wav.to_str().unwrap(),
        ],
    ) {
        check(&sox_wav, &gsm("sox wav49", "wav", "gsm_ms"), &reference);
    }
    let ff_wav = d.join("ff-gsm.wav");
    if ffmpeg_encode(&ref8, &ff_wav, &["-c:a", "libgsm_ms"]) {
        check(
            &ff_wav,
            &gsm("ffmpeg libgsm_ms", "wav", "gsm_ms"),
            &reference,
        );
    }
}

#[test]
fn opus_in_ogg_decodes_and_seeks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(ref48) = reference(d, 48_000) else {
        return;
    };
    let reference = decode_all(&ref48);
    let path = d.join("call.opus");
    if ffmpeg_encode(&ref48, &path, &["-c:a", "libopus", "-b:a", "32k"]) {
        let case = Case {
            name: "opus",
            container: "ogg",
            codec: "opus",
            rate: 48_000,
            min_corr: 0.9,
            length_ms: 10,
        };
        check(&path, &case, &reference);
    }
}

#[test]
fn adpcm_wavs_decode_and_seek() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(ref8) = reference(d, 8000) else {
        return;
    };
    let reference = decode_all(&ref8);
    for (codec, ffcodec) in [("adpcm_ima", "adpcm_ima_wav"), ("adpcm_ms", "adpcm_ms")] {
        let path = d.join(format!("{codec}.wav"));
        if ffmpeg_encode(&ref8, &path, &["-c:a", ffcodec]) {
            let case = Case {
                name: codec,
                container: "wav",
                codec,
                rate: 8000,
                min_corr: 0.95,
                length_ms: 130,
            };
            check(&path, &case, &reference);
        }
    }
}

#[test]
fn damaged_gsm_frames_are_silence_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // 10 valid-looking frames with one whose magic nibble is wrong, plus a
    // partial frame at the end (a recorder that died mid-write).
    let mut raw: Vec<u8> = (0..33 * 20)
        .map(|i| if i % 33 == 0 { 0xD4 } else { 0x55 })
        .collect();
    raw[33 * 17] = 0x14;
    raw.extend_from_slice(&[0xD4; 10]);
    let path = dir.path().join("x.gsm");
    std::fs::write(&path, &raw).unwrap();
    let info = probe(&path).unwrap();
    assert_eq!((info.codec.as_str(), info.duration_ms), ("gsm", 400));
    let samples = decode_all(&path);
    assert_eq!(samples.len(), 3200);
    assert!(
        samples[17 * 160..18 * 160].iter().all(|s| *s == 0.0),
        "bad frame is silence"
    );
}
