//! Speed against ffmpeg (not a timed test: `#[ignore]`, run by hand):
//!
//! ```sh
//! cargo test --release --lib analysis::bench_tests -- --ignored --nocapture
//! ```
//!
//! Writes a 60-minute 8 kHz stereo WAV (a 60 s two-sided call with bleed and
//! line noise, repeated) and times `analyze_file` on it, then
//! `ffmpeg -af silencedetect` and a plain `ffmpeg -f null` decode of the same
//! file, and prints the figures and ratios.

use std::process::Command;
use std::time::{Duration, Instant};

use super::test_audio::*;
use super::*;

fn call_minute() -> Call {
    let rep = |name: &str| normalize(asterisk("en", name), -20.0);
    let client = |name: &str| normalize(asterisk("ru", name), -24.0);
    let mut c = Call::new(60_000);
    c.speech(0, 1_000, &rep("vm-intro"));
    c.speech(1, 7_000, &client("conf-onlyperson"));
    c.speech(0, 10_000, &rep("queue-periodic-announce"));
    c.speech(1, 16_800, &client("vm-intro"));
    c.speech(0, 27_000, &rep("conf-onlyperson"));
    c.speech(1, 30_500, &client("queue-periodic-announce"));
    c.speech(0, 38_500, &rep("hello-world"));
    c.speech(1, 40_200, &client("agent-pass"));
    c.speech(0, 42_500, &rep("vm-options"));
    c.bleed(-13.0, 20);
    c.noise(0, -60.0, 1);
    c.noise(1, -58.0, 2);
    c
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.unwrap())
}

fn ffmpeg(args: &[&str]) -> Option<Duration> {
    let t = Instant::now();
    let ok = Command::new("ffmpeg")
        .args(args)
        .output()
        .ok()?
        .status
        .success();
    ok.then(|| t.elapsed())
}

/// Samples decoded with symphonia a packet at a time and handed out from
/// the packet buffer: what a per-sample iterator costs without
/// `CallSource`'s per-frame bookkeeping (seek, pause, skip, atomics).
struct Packets {
    opened: crate::audio::probe::Opened,
    decoder: Box<dyn symphonia::core::codecs::Decoder>,
    buf: symphonia::core::audio::SampleBuffer<f32>,
    idx: usize,
}

impl Packets {
    fn open(path: &std::path::Path) -> Packets {
        let opened = crate::audio::probe::open_format(path).unwrap();
        let decoder = crate::audio::probe::make_decoder(&opened).unwrap();
        let spec = symphonia::core::audio::SignalSpec::new(
            8000,
            symphonia::core::audio::Channels::FRONT_LEFT
                | symphonia::core::audio::Channels::FRONT_RIGHT,
        );
        let buf = symphonia::core::audio::SampleBuffer::new(0, spec);
        Packets {
            opened,
            decoder,
            buf,
            idx: 0,
        }
    }
}

impl Iterator for Packets {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        while self.idx >= self.buf.len() {
            let packet = self.opened.format.next_packet().ok()?;
            let decoded = self.decoder.decode(&packet).ok()?;
            if self.buf.capacity() < decoded.capacity() * decoded.spec().channels.count() {
                self.buf = symphonia::core::audio::SampleBuffer::new(
                    decoded.capacity() as u64,
                    *decoded.spec(),
                );
            }
            self.buf.copy_interleaved_ref(decoded);
            self.idx = 0;
        }
        self.idx += 1;
        Some(self.buf.samples()[self.idx - 1])
    }
}

#[test]
#[ignore = "benchmark: run by hand with --release --ignored --nocapture"]
fn sixty_minute_stereo_wav_against_ffmpeg_silencedetect() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hour.wav");
    let minute = call_minute().stereo();
    let hour: Vec<f32> = std::iter::repeat_n(minute.as_slice(), 60)
        .flatten()
        .copied()
        .collect();
    write_wav(&path, 2, &hour);
    let (mem, _) = best_of(3, || {
        analyze_samples(hour.iter().copied(), 2, RATE, ChannelLayout::RepLeft)
    });
    eprintln!("analyze_samples from memory: {:.3} s", mem.as_secs_f64());
    let (t_extract, feats) = best_of(3, || {
        features::extract(
            hour.iter().copied(),
            2,
            RATE,
            features::Mix::Stereo,
            &mut |_| {},
        )
    });
    let (t_detect, speech) = best_of(3, || speech::detect(&feats));
    let (t_build, _) = best_of(3, || {
        metrics::build(&feats, &speech, ChannelLayout::RepLeft)
    });
    eprintln!(
        "  frame features {:.3} s, speech decisions {:.3} s, metrics {:.3} s",
        t_extract.as_secs_f64(),
        t_detect.as_secs_f64(),
        t_build.as_secs_f64()
    );
    drop(hour);
    let file = path.to_str().unwrap();

    let (ours, a) = best_of(3, || {
        analyze_file(&path, ChannelLayout::RepLeft, &|_| {}).unwrap()
    });
    assert_eq!(a.duration_ms, 3_600_000);
    eprintln!(
        "analyze_file, 60 min 8 kHz stereo WAV: {:.3} s ({:.0}x real time); rep talk {} s, dead air {} s",
        ours.as_secs_f64(),
        3600.0 / ours.as_secs_f64(),
        a.rep.as_ref().unwrap().talk_ms / 1000,
        a.dead_air_total_ms / 1000
    );
    let (decode, _) = best_of(3, || {
        let mut s = crate::audio::source::CallSource::open(&path).unwrap();
        s.by_ref().fold(0f32, |m, x| m.max(x))
    });
    eprintln!(
        "  of which CallSource decode alone: {:.3} s",
        decode.as_secs_f64()
    );
    let (bulk, _) = best_of(3, || Packets::open(&path).fold(0f32, |m, x| m.max(x)));
    let (bulk_analysis, b) = best_of(3, || {
        analyze_samples(Packets::open(&path), 2, RATE, ChannelLayout::RepLeft)
    });
    assert_eq!(b.rep, a.rep);
    eprintln!(
        "  for comparison, samples straight from symphonia's packet buffers: decode {:.3} s, decode + analysis {:.3} s",
        bulk.as_secs_f64(),
        bulk_analysis.as_secs_f64()
    );

    let silence = [
        "-hide_banner",
        "-nostats",
        "-i",
        file,
        "-af",
        "silencedetect=n=-45dB:d=2",
        "-f",
        "null",
        "-",
    ];
    let null = ["-hide_banner", "-nostats", "-i", file, "-f", "null", "-"];
    let (Some(_), Some(_)) = (ffmpeg(&null), ffmpeg(&silence)) else {
        eprintln!("ffmpeg not found or failed: no comparison");
        return;
    };
    let sd = (0..3).filter_map(|_| ffmpeg(&silence)).min().unwrap();
    let nd = (0..3).filter_map(|_| ffmpeg(&null)).min().unwrap();
    eprintln!(
        "ffmpeg -af silencedetect: {:.3} s -> analyze_file is {:.1}x faster",
        sd.as_secs_f64(),
        sd.as_secs_f64() / ours.as_secs_f64()
    );
    eprintln!(
        "ffmpeg -f null (decode only): {:.3} s -> analyze_file takes {:.2}x its time",
        nd.as_secs_f64(),
        ours.as_secs_f64() / nd.as_secs_f64()
    );
}
