//! `callqa bench`: how fast the player is on long calls, measured on files
//! generated on the spot, compared with ffmpeg where it is installed.
//!
//! Why a benchmark and not timed tests: timings depend on the machine and
//! its load, so tests assert behaviour and this reports figures. It writes
//! a 60-minute 8 kHz stereo WAV and a 60-minute 128 kbps MP3 (with ffmpeg;
//! without it the MP3 rows say so) and measures, per file: open to first
//! audio buffer, seek latency to 10 random positions (seek request to the
//! first sample at the target), the caller's analysis (optional hook) next
//! to `ffmpeg -af silencedetect`, and a plain `ffmpeg -f null` decode (the
//! whole-file jobs best of `RUNS`). Peak memory (VmHWM, reset first) is
//! read after playing a 2-hour call through the null clock for a few
//! seconds with all effects on. It writes only to `report`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::chain::{Chain, ChannelMode, Effects};
use super::source::CallSource;
use super::{OutputChoice, PlayerCommand, PlayerHandle};

const MINUTES: u32 = 60;
const SEEKS: usize = 10;

/// Analysis of one recording, timed by the benchmark.
pub type Analyze<'a> = &'a dyn Fn(&Path) -> Result<()>;

/// Run the benchmark and print a table to `report`.
pub fn bench(report: &mut dyn Write, analyze: Option<Analyze<'_>>) -> Result<()> {
    let dir = tempfile_dir()?;
    let result = run(report, analyze, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run(report: &mut dyn Write, analyze: Option<Analyze<'_>>, dir: &Path) -> Result<()> {
    let ffmpeg = ffmpeg_path();
    writeln!(
        report,
        "callqa audio benchmark ({MINUTES}-minute calls, generated in {}; whole-file jobs: best of {RUNS} runs)",
        dir.display()
    )?;
    let wav = dir.join("call-60min-8k-stereo.wav");
    write_wav(&wav, 8000, 2, u64::from(MINUTES) * 60)?;
    let mut files = vec![("WAV 8 kHz stereo", wav.clone())];
    match &ffmpeg {
        Some(ff) => {
            writeln!(report, "encoding the MP3 with ffmpeg...")?;
            let mp3 = dir.join("call-60min-128k.mp3");
            encode_mp3(ff, &wav, &mp3)?;
            files.push(("MP3 128 kbps", mp3));
        }
        None => writeln!(
            report,
            "ffmpeg not installed: the MP3 rows and ffmpeg comparisons are skipped"
        )?,
    }
    writeln!(report)?;
    let header = [
        "first audio",
        "seek mean",
        "seek max",
        "our decode",
        "analysis",
        "ff silence",
        "ff decode",
    ];
    write!(report, "{:<18}", "file")?;
    for h in header {
        write!(report, " {h:>12}")?;
    }
    writeln!(report)?;
    for (name, path) in &files {
        let first = time_first_audio(path)?;
        let (mean, max) = time_seeks(path)?;
        let ours = best_of(|| decode_all(path))?;
        let analysis = match analyze {
            Some(f) => Some(best_of(|| f(path))?),
            None => None,
        };
        let silence = match &ffmpeg {
            Some(ff) => Some(best_of(|| {
                ffmpeg_run(ff, path, &["-af", "silencedetect=n=-40dB:d=0.5"])
            })?),
            None => None,
        };
        let decode = match &ffmpeg {
            Some(ff) => Some(best_of(|| ffmpeg_run(ff, path, &[]))?),
            None => None,
        };
        let cells = [
            ms(first),
            ms(mean),
            ms(max),
            ms(ours),
            analysis.map_or("no hook".into(), ms),
            silence.map_or("-".into(), ms),
            decode.map_or("-".into(), ms),
        ];
        write!(report, "{name:<18}")?;
        for c in cells {
            write!(report, " {c:>12}")?;
        }
        writeln!(report)?;
        if let Some(d) = decode {
            writeln!(
                report,
                "{:<18} our decode takes {:.2}x the time of ffmpeg's",
                "",
                ratio(ours, d)
            )?;
        }
        if let (Some(a), Some(s), Some(d)) = (analysis, silence, decode) {
            writeln!(
                report,
                "{:<18} analysis takes {:.2}x the time of ffmpeg silencedetect (target for WAV: 0.33x or less), {:.2}x the time of an ffmpeg decode (target for MP3: 1x or less)",
                "",
                ratio(a, s),
                ratio(a, d)
            )?;
        }
    }
    writeln!(report)?;
    let long = dir.join("call-120min-8k-stereo.wav");
    write_wav(&long, 8000, 2, 2 * 60 * 60)?;
    // The analyses above raised the peak; playing is measured on its own.
    let reset = reset_peak_memory();
    let before = proc_status_kib("VmRSS:");
    let played = play_for(&long, Duration::from_secs(3))?;
    let peak = proc_status_kib("VmHWM:");
    writeln!(
        report,
        "2-hour call played {:.1} s at 1.8x, skip silence, left only, auto gain (null clock)",
        played.as_secs_f64()
    )?;
    writeln!(
        report,
        "resident memory: {} before playing, peak while playing {} (target: under 60 MB){}",
        mib(before),
        mib(peak),
        if reset {
            ""
        } else {
            " (the peak could not be reset: it includes the analyses above)"
        }
    )?;
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("callqa-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn ffmpeg_path() -> Option<PathBuf> {
    let ok = Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| PathBuf::from("ffmpeg"))
}

/// A call-like WAV: a tone gliding between 200 and 800 Hz with quiet gaps,
/// left and right taking turns, written in 1-second pieces.
pub(crate) fn write_wav(path: &Path, rate: u32, channels: u16, secs: u64) -> Result<()> {
    let frames = u64::from(rate) * secs;
    let data_len = frames * u64::from(channels) * 2;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut header = Vec::with_capacity(44);
    header.extend_from_slice(b"RIFF");
    header.extend_from_slice(&((36 + data_len) as u32).to_le_bytes());
    header.extend_from_slice(b"WAVEfmt ");
    header.extend_from_slice(&16u32.to_le_bytes());
    header.extend_from_slice(&1u16.to_le_bytes());
    header.extend_from_slice(&channels.to_le_bytes());
    header.extend_from_slice(&rate.to_le_bytes());
    header.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    header.extend_from_slice(&(channels * 2).to_le_bytes());
    header.extend_from_slice(&16u16.to_le_bytes());
    header.extend_from_slice(b"data");
    header.extend_from_slice(&(data_len as u32).to_le_bytes());
    out.write_all(&header)?;
    let mut phase = 0.0f64;
    let mut second = Vec::with_capacity(rate as usize * usize::from(channels) * 2);
    for s in 0..secs {
        second.clear();
        let talker = (s / 7) % 3; // 0 left, 1 right, 2 silence
        for i in 0..u64::from(rate) {
            let t = i as f64 / f64::from(rate);
            let freq = 200.0 + 600.0 * (0.5 + 0.5 * (t * 0.7 + s as f64).sin());
            phase += 2.0 * std::f64::consts::PI * freq / f64::from(rate);
            let v = (phase.sin() * 8000.0) as i16;
            for c in 0..channels {
                let on = u64::from(c) == talker;
                let sample = if on { v } else { v / 40 };
                second.extend_from_slice(&sample.to_le_bytes());
            }
        }
        out.write_all(&second)?;
    }
    out.flush()?;
    Ok(())
}

fn encode_mp3(ffmpeg: &Path, wav: &Path, mp3: &Path) -> Result<()> {
    let status = Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(wav)
        .args(["-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k"])
        .arg(mp3)
        .stdin(Stdio::null())
        .status()
        .context("running ffmpeg")?;
    if !status.success() {
        bail!("ffmpeg could not encode the MP3");
    }
    Ok(())
}

fn ffmpeg_run(ffmpeg: &Path, file: &Path, filter: &[&str]) -> Result<()> {
    let status = Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-nostats", "-i"])
        .arg(file)
        .args(filter)
        .args(["-f", "null", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("running ffmpeg")?;
    if !status.success() {
        bail!("ffmpeg failed on {}", file.display());
    }
    Ok(())
}

/// The whole-file jobs (ours and ffmpeg's alike) run this many times and
/// the fastest run counts: the first run pays for a cold page cache and
/// other work on the machine only ever adds time.
const RUNS: usize = 3;

fn best_of(f: impl Fn() -> Result<()>) -> Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let start = Instant::now();
        f()?;
        best = best.min(start.elapsed());
    }
    Ok(best)
}

/// Open the call as the player does and pull the first sample.
fn time_first_audio(path: &Path) -> Result<Duration> {
    let start = Instant::now();
    let source = CallSource::open(path)?;
    let mut chain = Chain::new(source, Arc::new(Effects::default()));
    chain.next().context("no audio")?;
    Ok(start.elapsed())
}

/// Decode the whole call, as an analysis pass would.
fn decode_all(path: &Path) -> Result<()> {
    let mut source = CallSource::open(path)?;
    let controls = source.controls();
    let mut n = 0;
    while let Some(block) = source.next_block() {
        n += block.len();
    }
    if n == 0 {
        bail!("{}: decoded nothing", path.display());
    }
    if let Some(err) = controls.error() {
        bail!("{err}");
    }
    Ok(())
}

/// Seek request to the first sample at the target, 10 pseudo-random targets.
fn time_seeks(path: &Path) -> Result<(Duration, Duration)> {
    let mut source = CallSource::open(path)?;
    let controls = source.controls();
    let total = controls.duration().context("no duration")?;
    source.next();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut times = Vec::with_capacity(SEEKS);
    for _ in 0..SEEKS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let target = total.mul_f64((seed % 10_000) as f64 / 10_000.0);
        let start = Instant::now();
        controls.seek(target);
        source.next().context("no audio after seek")?;
        times.push(start.elapsed());
    }
    let mean = times.iter().sum::<Duration>() / SEEKS as u32;
    let max = times.iter().copied().max().unwrap_or_default();
    Ok((mean, max))
}

/// Play through the null clock with every effect on; returns the recording
/// time covered.
fn play_for(path: &Path, wall: Duration) -> Result<Duration> {
    let player = PlayerHandle::spawn(OutputChoice::Null);
    player.send(PlayerCommand::SetSpeed(1.8));
    player.send(PlayerCommand::SetChannelMode(ChannelMode::LeftOnly));
    player.send(PlayerCommand::SetAutoGain(true));
    player.send(PlayerCommand::SetSkipSilence(true));
    player.send(PlayerCommand::Load(path.to_path_buf()));
    let ranges = (0..(2 * 60 * 60 / 21))
        .map(|k| {
            let start = Duration::from_secs(k * 21 + 14);
            (start, start + Duration::from_secs(7))
        })
        .collect();
    player.send(PlayerCommand::SetSkipRanges(ranges));
    player.send(PlayerCommand::Seek(Duration::from_secs(60 * 60)));
    player.send(PlayerCommand::Play);
    std::thread::sleep(wall);
    let status = player.status();
    if let Some(err) = status.error {
        bail!("{err}");
    }
    Ok(status.position.saturating_sub(Duration::from_secs(60 * 60)))
}

/// A line of /proc/self/status in KiB ("VmRSS:", "VmHWM:").
pub(crate) fn proc_status_kib(key: &str) -> Option<u64> {
    process_status_kib("self", key)
}

/// A `/proc/PROCESS/status` figure in KiB (`process` is a pid or `self`).
pub(crate) fn process_status_kib(process: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Start VmHWM afresh from the current resident size (Linux: writing 5 to
/// clear_refs).
fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("unknown".into(), |k| {
        format!("{:.1} MiB", k as f64 / 1024.0)
    })
}

fn ratio(slow: Duration, fast: Duration) -> f64 {
    slow.as_secs_f64() / fast.as_secs_f64().max(1e-9)
}

#[cfg(test)]
mod tests {
    /// The benchmark itself (minutes of work, so not part of `cargo test`):
    /// `cargo test --release --lib audio::bench -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark, run by hand"]
    fn print_benchmark() {
        super::bench(&mut std::io::stdout(), None).unwrap();
    }
}
