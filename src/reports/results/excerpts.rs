//! Audio excerpts for the feedback sheets (`callqa feedback --excerpts`):
//! a few seconds either side of each evidence stamp, cut from the
//! recording so the rep hears the moment without the workstation. The
//! recording is decoded by the player's own [`CallSource`] (every format
//! callqa plays), once per recording for all its stamps, and written as
//! 16-bit PCM WAV, which every browser and media player opens.
//!
//! Length rule: an excerpt of stamp `t` and `s` seconds holds the frames
//! `floor((t - s) * rate)` up to, not including, `floor((t + s) * rate)`,
//! clipped to the recording: `2 * s * rate` frames away from its ends.

use crate::audio::source::CallSource;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// One excerpt to cut: the stamp and the file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub at_ms: u64,
    pub file: PathBuf,
}

/// The excerpt's file name: `<call>-<mm>-<ss>.wav` (the call id made safe).
pub fn file_name(call_id: &str, at_ms: u64) -> String {
    let seconds = at_ms / 1000;
    format!(
        "{}-{:02}-{:02}.wav",
        super::safe_file_name(call_id),
        seconds / 60,
        seconds % 60
    )
}

/// Frame `ms` milliseconds in at `rate`, rounded down.
fn frame_at(ms: u64, rate: u32) -> u64 {
    ms * u64::from(rate) / 1000
}

/// A decoded sample as 16-bit PCM: the inverse of the decoders' `x / 32768`,
/// so a 16-bit recording's samples come out unchanged.
fn pcm16(sample: f32) -> i16 {
    (sample * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

struct Open {
    from: u64,
    to: u64,
    writer: hound::WavWriter<std::io::BufWriter<std::fs::File>>,
    file: PathBuf,
}

/// Cut `seconds` either side of each stamp of `cuts` out of `recording`,
/// in one decoding pass. Returns the files written; a stamp past the end
/// of the recording gives none.
pub fn cut(recording: &Path, seconds: u32, cuts: &[Cut]) -> anyhow::Result<Vec<PathBuf>> {
    let mut source = CallSource::open(recording)?;
    let controls = source.controls();
    let rate = source.info().sample_rate.max(1);
    let channels = source.info().channels.max(1);
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let half = u64::from(seconds) * 1000;
    let mut open = Vec::new();
    for cut in cuts {
        let writer = hound::WavWriter::create(&cut.file, spec)
            .with_context(|| format!("{}: cannot write", cut.file.display()))?;
        open.push(Open {
            from: frame_at(cut.at_ms.saturating_sub(half), rate),
            to: frame_at(cut.at_ms + half, rate),
            writer,
            file: cut.file.clone(),
        });
    }
    let last = open.iter().map(|o| o.to).max().unwrap_or(0);
    let width = usize::from(channels);
    let mut pos = 0u64;
    while pos < last {
        let Some(block) = source.next_block() else {
            break;
        };
        let frames = (block.len() / width) as u64;
        for excerpt in &mut open {
            let from = excerpt.from.max(pos);
            let to = excerpt.to.min(pos + frames);
            for frame in from..to {
                let at = (frame - pos) as usize * width;
                for &sample in &block[at..at + width] {
                    excerpt.writer.write_sample(pcm16(sample))?;
                }
            }
        }
        pos += frames;
    }
    if let Some(error) = controls.error() {
        anyhow::bail!("{}: {error}", recording.display());
    }
    let mut written = Vec::new();
    for excerpt in open {
        let empty = excerpt.writer.len() == 0;
        excerpt
            .writer
            .finalize()
            .with_context(|| format!("{}: cannot write", excerpt.file.display()))?;
        if empty {
            // The stamp is past the end of the recording: nothing to hear.
            std::fs::remove_file(&excerpt.file)
                .with_context(|| format!("{}: cannot remove", excerpt.file.display()))?;
        } else {
            written.push(excerpt.file);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_frames() {
        assert_eq!(file_name("call-101", 68_400), "call-101-01-08.wav");
        assert_eq!(file_name("a/b", 4_000), "a_b-00-04.wav");
        assert_eq!(frame_at(1_001, 8000), 8008);
        assert_eq!(pcm16(-1.0), -32768);
        assert_eq!(pcm16(1.0), 32767);
        assert_eq!(pcm16(f32::from(1234i16) / 32768.0), 1234);
    }
}
