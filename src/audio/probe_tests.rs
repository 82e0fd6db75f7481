//! Tests for `probe` (kept apart from probe.rs to keep both files short).

use std::path::{Path, PathBuf};

use super::*;
use crate::audio::codec_tests::run_tool;
use crate::audio::testutil::{ramp_pcm16, wav_bytes, write_ramp_wav};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn err_text(path: &Path) -> String {
    match probe(path) {
        Ok(info) => panic!("{} probed as audio: {info:?}", path.display()),
        Err(err) => err.to_string(),
    }
}

/// A WAV with an 18-byte `fmt ` chunk (cbSize = 0), as mu-law/A-law need.
fn wav18(tag: u16, rate: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(38 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&18u32.to_le_bytes());
    for word in [tag, 1] {
        v.extend_from_slice(&word.to_le_bytes());
    }
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    for word in [1u16, 8, 0] {
        v.extend_from_slice(&word.to_le_bytes());
    }
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

#[test]
fn zero_byte_file_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "x.wav", b"");
    assert_eq!(err_text(&path), "x.wav: empty file (0 bytes)");
    assert!(matches!(probe(&path), Err(AudioError::Empty { .. })));
}

#[test]
fn truncated_wav_reports_promised_and_held_durations() {
    let dir = tempfile::tempdir().unwrap();
    // 8 kHz mono 16-bit = 16000 bytes/s: promise 61 s, deliver 12.3 s.
    let data = ramp_pcm16(98_400, 1);
    let path = write(
        dir.path(),
        "x.wav",
        &wav_bytes(1, 1, 8000, 16, &data, Some(61 * 16_000)),
    );
    assert_eq!(
        err_text(&path),
        "x.wav: truncated: header promises 61.0 s, file holds 12.3 s"
    );
}

#[test]
fn unfinalised_wav_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let data = ramp_pcm16(8000, 1);
    let path = write(
        dir.path(),
        "rec.wav",
        &wav_bytes(1, 1, 8000, 16, &data, Some(u32::MAX)),
    );
    assert_eq!(
        err_text(&path),
        "rec.wav: header has no data length (recording never finalised), file holds 1.0 s"
    );
}

#[test]
fn header_only_wav_has_no_audio() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "x.wav", &wav_bytes(1, 1, 8000, 16, &[], None));
    assert_eq!(err_text(&path), "x.wav: contains no audio");
}

#[test]
fn text_and_junk_named_wav_are_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(
        dir.path(),
        "notes.wav",
        "call_id,rep,client\n17,Иван,ООО Ромашка\n"
            .repeat(50)
            .as_bytes(),
    );
    assert_eq!(
        err_text(&text),
        "notes.wav: not an audio file (unrecognised format)"
    );
    let junk = write(dir.path(), "blob.wav", &[0u8; 4096]);
    assert_eq!(
        err_text(&junk),
        "blob.wav: not an audio file (unrecognised format)"
    );
}

#[test]
fn missing_file_and_directory_cannot_open() {
    let dir = tempfile::tempdir().unwrap();
    let missing = err_text(&dir.path().join("nope.wav"));
    assert!(
        missing.starts_with("nope.wav: cannot open: No such file"),
        "{missing}"
    );
    let sub = dir.path().join("calls.wav");
    std::fs::create_dir(&sub).unwrap();
    assert_eq!(
        err_text(&sub),
        "calls.wav: cannot open: not a regular file (a folder); refused"
    );
}

#[test]
fn unsupported_codecs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let truespeech = write(
        dir.path(),
        "call.wav",
        &wav_bytes(0x22, 1, 8000, 0, &[0u8; 650], None),
    );
    assert_eq!(
        err_text(&truespeech),
        "call.wav: unsupported codec DSP Group TrueSpeech"
    );
    let g729 = write(
        dir.path(),
        "g.wav",
        &wav_bytes(0x0133, 1, 8000, 0, &[0u8; 100], None),
    );
    assert_eq!(err_text(&g729), "g.wav: unsupported codec G.729");
    let odd = write(
        dir.path(),
        "o.wav",
        &wav_bytes(0x7777, 1, 8000, 8, &[0u8; 100], None),
    );
    assert_eq!(
        err_text(&odd),
        "o.wav: unsupported codec WAV format tag 0x7777"
    );
    // GSM in WAV with a layout no recorder writes.
    let stereo_gsm = write(
        dir.path(),
        "gsm2.wav",
        &wav_bytes(0x31, 2, 8000, 0, &[0u8; 650], None),
    );
    assert_eq!(
        err_text(&stereo_gsm),
        "gsm2.wav: corrupt: GSM 6.10 with 2 channels"
    );
}

#[test]
fn unsupported_containers_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut m4a = vec![0, 0, 0, 0x20];
    m4a.extend_from_slice(b"ftypM4A \0\0\0\0M4A mp42isom");
    m4a.resize(600, 0);
    let path = write(dir.path(), "x.m4a", &m4a);
    assert_eq!(err_text(&path), "x.m4a: unsupported format MP4/M4A");
    let amr = write(dir.path(), "x.amr", b"#!AMR\n\x3c\x48\xf5\x1f");
    assert_eq!(err_text(&amr), "x.amr: unsupported format AMR");
}

#[test]
fn pcm_wavs_probe_without_decoding_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mono = write_ramp_wav(dir.path(), "m.wav", 8000, 1, 2.5);
    assert_eq!(
        probe(&mono).unwrap(),
        AudioInfo {
            container: "wav".into(),
            codec: "pcm_s16le".into(),
            duration_ms: 2500,
            channels: 1,
            sample_rate: 8000,
        }
    );
    let stereo = write_ramp_wav(dir.path(), "s.wav", 44_100, 2, 1.25);
    let info = probe(&stereo).unwrap();
    assert_eq!(
        (info.channels, info.sample_rate, info.duration_ms),
        (2, 44_100, 1250)
    );
    assert_eq!(info.duration(), Duration::from_millis(1250));
}

#[test]
fn telephony_g711_wavs_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    for (tag, codec) in [(7u16, "pcm_mulaw"), (6, "pcm_alaw")] {
        let path = write(dir.path(), "g711.wav", &wav18(tag, 8000, &[0xD5u8; 12_000]));
        let info = probe(&path).unwrap();
        assert_eq!(info.codec, codec);
        assert_eq!(
            (info.duration_ms, info.sample_rate, info.channels),
            (1500, 8000, 1)
        );
    }
}

#[test]
fn g711_with_a_16_byte_fmt_chunk_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    for (tag, codec) in [(7u16, "pcm_mulaw"), (6, "pcm_alaw")] {
        // 16-byte fmt + a LIST chunk before data, as some recorders write.
        let mut bytes = wav_bytes(tag, 1, 8000, 8, &[], None);
        let data_at = bytes.len() - 8;
        let list = b"LIST\x0a\0\0\0INFOabcdef";
        bytes.splice(data_at..data_at, list.iter().copied());
        bytes.truncate(bytes.len() - 4);
        bytes.extend_from_slice(&8000u32.to_le_bytes());
        bytes.extend((0..8000).map(|i| if i % 2 == 0 { 0x20 } else { 0xA0 }));
        let path = write(dir.path(), "short-fmt.wav", &bytes);
        let info = probe(&path).unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!((info.codec.as_str(), info.duration_ms), (codec, 1000));
        let mut src = crate::audio::source::CallSource::open(&path).unwrap();
        let c = src.controls();
        let samples: Vec<f32> = src.by_ref().collect();
        assert_eq!(samples.len(), 8000);
        assert!(
            samples.iter().all(|s| s.abs() > 0.01),
            "{codec} decodes the data"
        );
        c.seek(Duration::from_millis(500));
        assert_eq!(c.position(), Duration::from_millis(500));
    }
}

/// Make a 3 s, 440 Hz, 8 kHz mono file with an encoder; `None` only when
/// the encoder is missing and skipping was asked for (see `run_tool`).
fn make(dir: &Path, name: &str, tool: &str, args: &[&str]) -> Option<PathBuf> {
    let out = dir.join(name);
    let out_arg = out.to_str().unwrap();
    let mut all: Vec<&str> = Vec::new();
    if tool == "ffmpeg" {
        all.extend(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"]);
        all.extend(["-i", "sine=frequency=440:sample_rate=8000:duration=3"]);
        all.extend(args);
        all.push(out_arg);
    } else {
        all.extend(["-n", "-r", "8000", "-c", "1"]);
        all.extend(args);
        all.extend([out_arg, "synth", "3", "sine", "440"]);
    }
    run_tool(tool, &all).then_some(out)
}

#[test]
fn real_files_from_ffmpeg_and_sox() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // file, tool, container, codec, duration tolerance (ms), encoder args...
    // MP3 lengths include encoder delay and padding (~170 ms at 8 kHz).
    let cases = [
        "lame.mp3     ffmpeg mp3  mp3       200 -c:a libmp3lame -b:a 32k",
        "noxing.mp3   ffmpeg mp3  mp3       200 -c:a libmp3lame -write_xing 0",
        "x.flac       ffmpeg flac flac      5   -c:a flac",
        "x.ogg        ffmpeg ogg  vorbis    20  -c:a libvorbis",
        "mulaw.wav    ffmpeg wav  pcm_mulaw 1   -c:a pcm_mulaw",
        "alaw.wav     ffmpeg wav  pcm_alaw  1   -c:a pcm_alaw",
        "ima.wav      ffmpeg wav  adpcm_ima 130 -c:a adpcm_ima_wav",
        "ms.wav       ffmpeg wav  adpcm_ms  130 -c:a adpcm_ms",
        "x.opus       ffmpeg ogg  opus      10  -c:a libopus",
        "gsm.wav      sox    wav  gsm_ms    20  -e gsm-full-rate",
        "x.gsm        sox    gsm  gsm       20  -t gsm",
        "sox-ulaw.wav sox    wav  pcm_mulaw 1   -e u-law",
        "sox-alaw.wav sox    wav  pcm_alaw  1   -e a-law",
    ];
    for case in cases {
        let f: Vec<&str> = case.split_whitespace().collect();
        let (name, tool, container, codec) = (f[0], f[1], f[2], f[3]);
        let tolerance: u64 = f[4].parse().unwrap();
        let Some(path) = make(d, name, tool, &f[5..]) else {
            continue;
        };
        let info = probe(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.container, container, "{name}");
        assert_eq!(info.codec, codec, "{name}");
        let rate = if codec == "opus" { 48_000 } else { 8000 };
        assert_eq!((info.channels, info.sample_rate), (1, rate), "{name}");
        let off = info.duration_ms.abs_diff(3000);
        assert!(off <= tolerance, "{name}: {} ms", info.duration_ms);
    }
    let refused = [(
        "x.m4a",
        "ffmpeg -c:a aac",
        "x.m4a: unsupported format MP4/M4A",
    )];
    for (name, command, expected) in refused {
        let f: Vec<&str> = command.split_whitespace().collect();
        if let Some(path) = make(d, name, f[0], &f[1..]) {
            assert_eq!(err_text(&path), expected);
        }
    }
}
