//! Tests for `CallSource`: pulled by hand, no device.

use std::path::Path;
use std::time::Duration;

use rodio::Source;
use rodio::source::UniformSourceIterator;

use super::*;
use crate::audio::codec_tests::ffmpeg_lavfi;
use crate::audio::testutil::{ramp_frame, write_ramp_wav};

fn open(path: &Path) -> CallSource {
    CallSource::open(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Pull `n` samples, panicking if the source ends first.
fn pull(src: &mut impl Iterator<Item = f32>, n: usize) -> Vec<f32> {
    let v: Vec<f32> = src.take(n).collect();
    assert_eq!(v.len(), n, "source ended early");
    v
}

#[test]
fn pulling_samples_advances_position_in_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "s.wav", 8000, 2, 2.0);
    let mut src = open(&path);
    let c = src.controls();
    assert_eq!((src.channels().get(), src.sample_rate().get()), (2, 8000));
    assert_eq!(src.total_duration(), Some(Duration::from_secs(2)));
    let samples = pull(&mut src, 2 * 1000);
    assert_eq!(c.position_frames(), 1000);
    assert_eq!(c.position(), Duration::from_millis(125));
    // Interleaving is intact: sample 2k+ch belongs to frame k, channel ch.
    assert_eq!(ramp_frame(samples[2 * 357]), 357);
    assert_eq!(ramp_frame(samples[2 * 357 + 1]), 357);
    let odd = pull(&mut src, 3); // stop mid-frame: position counts whole frames
    assert_eq!(ramp_frame(odd[0]), 1000 % 1000);
    assert_eq!(c.position_frames(), 1001);
}

#[test]
fn seek_lands_on_target_forward_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "m.wav", 8000, 1, 3.0);
    let mut src = open(&path);
    let c = src.controls();
    pull(&mut src, 100);
    c.seek(Duration::from_millis(1234));
    // Reported at once, before the audio side has applied it.
    assert_eq!(c.position(), Duration::from_millis(1234));
    let s = pull(&mut src, 1);
    assert_eq!(ramp_frame(s[0]), 9872 % 1000, "sample-exact landing");
    assert_eq!(c.position_frames(), 9873);
    c.seek(Duration::from_millis(100));
    let s = pull(&mut src, 1);
    assert_eq!(ramp_frame(s[0]), 800);
    assert_eq!(c.position_frames(), 801);
    // Past the end: clamped to the length, and finished.
    c.seek(Duration::from_secs(60));
    assert_eq!(c.position(), Duration::from_secs(3));
    assert_eq!(src.next(), None);
    assert!(c.is_finished());
    assert_eq!(c.position(), Duration::from_secs(3));
}

#[test]
fn paused_source_outputs_silence_and_holds_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "s.wav", 8000, 2, 1.0);
    let mut src = open(&path);
    let c = src.controls();
    pull(&mut src, 2 * 300 + 1); // pause request arrives mid-frame
    c.set_paused(true);
    let mid = pull(&mut src, 1)[0];
    assert_eq!(ramp_frame(mid), 300, "the started frame is completed");
    let silence = pull(&mut src, 4000);
    assert!(silence.iter().all(|s| *s == 0.0));
    assert_eq!(c.position_frames(), 301);
    c.set_paused(false);
    let resumed = pull(&mut src, 2);
    assert_eq!(ramp_frame(resumed[0]), 301);
    assert_eq!(ramp_frame(resumed[1]), 301);
    assert_eq!(c.position_frames(), 302);
}

#[test]
fn reads_to_the_end_and_reports_finished() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "m.wav", 8000, 2, 1.5);
    let mut src = open(&path);
    let c = src.controls();
    let n = src.by_ref().count();
    assert_eq!(n, 2 * 12_000);
    assert!(c.is_finished());
    assert_eq!(c.position(), Duration::from_millis(1500));
    assert_eq!(src.current_span_len(), Some(0));
    assert_eq!(c.error(), None);
}

#[test]
fn held_source_pauses_at_the_end_and_can_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "m.wav", 8000, 1, 0.5);
    let mut src = open(&path).hold_at_end(true);
    let c = src.controls();
    pull(&mut src, 4000);
    let after = pull(&mut src, 500);
    assert!(after.iter().all(|s| *s == 0.0));
    assert!(c.is_finished() && c.is_paused());
    assert_eq!(c.position(), Duration::from_millis(500));
    c.seek(Duration::ZERO);
    c.set_paused(false);
    assert!(!c.is_finished());
    let again = pull(&mut src, 11);
    assert_eq!(ramp_frame(again[10]), 10);
    // Seeking past the end while playing also ends paused.
    c.seek(Duration::from_secs(9));
    assert_eq!(pull(&mut src, 1)[0], 0.0);
    assert!(c.is_finished() && c.is_paused());
    assert_eq!(c.position(), Duration::from_millis(500));
}

#[test]
fn speed_stage_after_the_source_keeps_recording_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "m.wav", 8000, 1, 4.0);
    for speed in [1.0f32, 2.0] {
        let src = open(&path);
        let c = src.controls();
        // What a device at 8 kHz mono would pull: rodio resamples the sped-up source.
        let one = rodio::ChannelCount::new(1).unwrap();
        let rate = rodio::SampleRate::new(8000).unwrap();
        let mut out = UniformSourceIterator::new(src.speed(speed), one, rate);
        pull(&mut out, 8000); // one second of output
        let advanced = c.position_frames() as f32;
        let expected = 8000.0 * speed;
        assert!(
            (advanced - expected).abs() < 8000.0 * 0.02,
            "speed {speed}: {advanced} frames of recording per second of output"
        );
    }
}

/// A 6 s, 300 Hz, 8 kHz mono file encoded by ffmpeg; `None` only when
/// ffmpeg is missing and skipping was asked for (see `run_tool`).
fn ffmpeg_file(dir: &Path, name: &str, codec: &[&str]) -> Option<std::path::PathBuf> {
    let sine = "sine=frequency=300:sample_rate=8000:duration=6";
    ffmpeg_lavfi(dir, name, sine, codec)
}

fn ffmpeg_mp3(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    ffmpeg_file(dir, name, &["-c:a", "libmp3lame", "-b:a", "32k"])
}

#[test]
fn seeks_land_on_the_same_audio_as_playing_through() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("c.mp3", &["-c:a", "libmp3lame", "-b:a", "32k"][..]),
        ("c.ogg", &["-c:a", "libvorbis"][..]),
        ("c.flac", &["-c:a", "flac"][..]),
    ];
    for (name, codec) in files {
        let Some(path) = ffmpeg_file(dir.path(), name, codec) else {
            continue;
        };
        let mut seeking = open(&path);
        let c = seeking.controls();
        pull(&mut seeking, 800);
        for target_ms in [4200u64, 1000, 5500] {
            let mut through = open(&path);
            pull(&mut through, target_ms as usize * 8);
            let expected = pull(&mut through, 400);
            c.seek(Duration::from_millis(target_ms));
            let got = pull(&mut seeking, 400); // 50 ms
            assert_eq!(c.position(), Duration::from_millis(target_ms + 50));
            let diff = expected.iter().zip(&got).map(|(a, b)| (a - b).abs());
            let worst = diff.fold(0.0f32, f32::max);
            assert!(
                worst < 0.01,
                "{name} seek {target_ms} ms: differs by {worst}"
            );
            assert!(got.iter().any(|x| x.abs() > 0.05), "{name}: audible");
        }
        assert_eq!(c.error(), None);
    }
}

#[test]
fn damaged_packets_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = ffmpeg_mp3(dir.path(), "bad.mp3") else {
        return;
    };
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 600].fill(0);
    std::fs::write(&path, &bytes).unwrap();
    let mut src = open(&path);
    let c = src.controls();
    let all: Vec<f32> = src.by_ref().collect();
    assert!(c.is_finished());
    assert_eq!(c.error(), None);
    // Decoding resumed after the damage and went on to the end.
    assert!(all.len() > 8000 * 3, "{} samples", all.len());
    let tail = &all[all.len() - 1000..all.len() - 500];
    assert!(tail.iter().any(|x| x.abs() > 0.05), "audio near the end");
}

#[test]
fn bulk_reads_give_the_same_samples_as_the_iterator() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "s.wav", 8000, 2, 1.3);
    let by_sample: Vec<f32> = open(&path).collect();
    let mut src = open(&path);
    // Start mid-frame to check the bulk read finishes the frame first.
    let mut by_block = vec![src.next().unwrap()];
    while let Some(block) = src.next_block() {
        by_block.extend_from_slice(block);
    }
    assert_eq!(by_block.len(), by_sample.len());
    assert_eq!(by_block, by_sample);
    assert_eq!(
        src.controls().position_frames(),
        (by_sample.len() / 2) as u64
    );
    assert!(src.controls().is_finished());
}

/// A decoder that panics, as symphonia's do on some damaged files.
struct CrashingDecoder(symphonia::core::codecs::CodecParameters);

impl symphonia::core::codecs::Decoder for CrashingDecoder {
    fn try_new(
        params: &symphonia::core::codecs::CodecParameters,
        _: &symphonia::core::codecs::DecoderOptions,
    ) -> symphonia::core::errors::Result<Self> {
        Ok(CrashingDecoder(params.clone()))
    }

    fn supported_codecs() -> &'static [symphonia::core::codecs::CodecDescriptor] {
        &[]
    }

    fn reset(&mut self) {}

    fn codec_params(&self) -> &symphonia::core::codecs::CodecParameters {
        &self.0
    }

    fn decode(
        &mut self,
        _: &symphonia::core::formats::Packet,
    ) -> symphonia::core::errors::Result<symphonia::core::audio::AudioBufferRef<'_>> {
        panic!("attempt to multiply with overflow")
    }

    fn finalize(&mut self) -> symphonia::core::codecs::FinalizeResult {
        Default::default()
    }

    fn last_decoded(&self) -> symphonia::core::audio::AudioBufferRef<'_> {
        unreachable!("never decoded")
    }
}

/// A recording that breaks while it plays ends that call with the reason;
/// the thread pulling samples (cpal's, the null clock's, an analysis
/// worker) never sees the panic.
#[test]
fn a_crashing_decoder_ends_the_call_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    // 8-bit A-law is decoded by symphonia, not read directly like s16.
    let bytes = crate::audio::testutil::wav_bytes(6, 1, 8000, 8, &[0x55; 8000], None);
    let path = dir.path().join("broken.wav");
    std::fs::write(&path, bytes).unwrap();
    for hold in [false, true] {
        let mut src = open(&path).hold_at_end(hold);
        src.decoder = Box::new(CrashingDecoder(src.decoder.codec_params().clone()));
        let controls = src.controls();
        controls.set_paused(false);
        let pulled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            src.by_ref().take(100).count()
        }));
        let pulled = pulled.expect("the panic stays inside the source");
        assert!(controls.is_finished());
        let error = controls.error().unwrap();
        assert!(
            error.starts_with("broken.wav: the decoder crashed on this file: attempt to multiply"),
            "{error}"
        );
        if hold {
            // The player's source stays, silent, so the output goes on.
            assert_eq!(pulled, 100);
            assert!(src.next().is_some());
        } else {
            assert_eq!(pulled, 0);
            assert!(src.next_block().is_none());
        }
    }
}
