//! Audio: checking recordings and playing them.
//!
//! A reviewer spends the day listening to calls and jumping around in them
//! ("what did the client say about the budget?"), so the clock shown on the
//! screen has to be the clock of the *recording*, the controls have to react at
//! once, and nothing here may ever freeze or scribble over the terminal UI.
//! That drives the design:
//!
//! * [`probe()`] answers "is this a playable call and how long is it?" without
//!   decoding the file: it reads container headers with symphonia, decodes only
//!   the first packet (to prove a decoder exists) and, when the header does not
//!   know the length (MP3 without a Xing header), walks packet headers. It also
//!   names what is wrong with a bad file (empty, truncated WAV, text renamed to
//!   `.wav`, unsupported codec, a header that cannot be true), because
//!   batches from telephony exports contain all of those and the importer
//!   must say which file and why. No header value may panic it or size
//!   anything beyond what the file can hold.
//! * [`source::CallSource`] is our own rodio `Source` over a symphonia decoder
//!   instead of `rodio::Decoder`. Owning the chain means the position is counted
//!   in recording frames *before* any speed stage (so 1.5x playback still shows
//!   the recording time), seeking goes straight to symphonia (accurate, sample
//!   exact), and pause/seek/position are plain atomics shared with the player,
//!   so reading the position never waits for the audio thread.
//! * [`chain::Chain`] sits between the source and the output: channel solo,
//!   pitch-preserving speed (SoundTouch, speech settings) and volume /
//!   automatic gain. It never touches the clock, which the source keeps.
//! * Codecs symphonia lacks or mishandles come through the same path: GSM
//!   6.10 (raw Asterisk `.gsm` and "wav49" in WAV) via libgsm, Opus in Ogg via
//!   libopus (`codecs`), and ADPCM WAV through our own block reader
//!   (`blocks`) because symphonia's ADPCM seek lands in the wrong place.
//! * [`player`] runs one playback thread that owns the output device and takes
//!   commands over a channel; the UI only sends commands and reads snapshots.
//!   When no sound device can be opened (SSH session, CI) a "null clock"
//!   consumes samples at real-time rate so everything except the sound itself
//!   still works, and the reason is reported instead of printed.
//! * A recording is opened only through [`open_recording`] (a regular
//!   file, without blocking), and every call into symphonia or a codec runs
//!   under `catch_unwind`: a damaged file fails its own call with a reason,
//!   never the importer, the player thread or the analysis.
//! * Nothing in this module writes to stdout or stderr: the TUI owns the
//!   screen. Errors travel as values ([`AudioError`], `PlayerStatus::error`);
//!   rodio's drop message is switched off, cpal errors go through a callback,
//!   and alsa-lib's own stderr chatter is silenced on the playback thread.
//!
//! Unit tests live in `*_tests.rs` files next to the code they test (as
//! child modules, so they see private items) to keep every file short.

pub mod bench;
mod blocks;
pub mod chain;
mod codecs;
mod controls;
mod gain;
mod gsm;
mod ogg_opus;
mod opus;
mod output;
pub mod player;
pub mod probe;
mod readers;
mod sniff;
pub mod source;
mod stretch;
mod wav;

pub use chain::ChannelMode;
pub use player::{OutputChoice, OutputState, PlayerCommand, PlayerHandle, PlayerStatus};
pub use probe::{AudioInfo, probe};

use crate::files::io_reason;
use std::fs::File;
use std::path::Path;

/// Everything that can be wrong with a recording. Every message starts with the
/// file name so it can be shown as is, e.g. `x.wav: empty file (0 bytes)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// The file could not be opened (missing, permissions, a directory...).
    #[error("{file}: cannot open: {reason}")]
    Open { file: String, reason: String },
    /// The file exists but holds no bytes at all.
    #[error("{file}: empty file (0 bytes)")]
    Empty { file: String },
    /// The file is not something we recognise as audio (e.g. text named `.wav`).
    #[error("{file}: not an audio file (unrecognised format)")]
    NotAudio { file: String },
    /// A real audio container that this build cannot read (e.g. MP4/M4A).
    #[error("{file}: unsupported format {format}")]
    UnsupportedFormat { file: String, format: String },
    /// The container is fine but no decoder exists for its codec.
    #[error("{file}: unsupported codec {codec}")]
    UnsupportedCodec { file: String, codec: String },
    /// The header promises more audio than the file holds (copy cut short).
    #[error(
        "{file}: truncated: header promises {}, file holds {}",
        secs(.promised_ms),
        secs(.holds_ms)
    )]
    Truncated {
        file: String,
        promised_ms: u64,
        holds_ms: u64,
    },
    /// A WAV whose writer never went back to fill in the data length
    /// (recorder crashed or the call was still being written).
    #[error("{file}: header has no data length (recording never finalised), file holds {}", secs(.holds_ms))]
    Unfinalised { file: String, holds_ms: u64 },
    /// A valid header with no audio frames behind it.
    #[error("{file}: contains no audio")]
    NoAudio { file: String },
    /// The data is damaged in a way that stops us from reading it.
    #[error("{file}: corrupt: {detail}")]
    Corrupt { file: String, detail: String },
    /// Reading failed half way (disk, network share gone...).
    #[error("{file}: read error: {reason}")]
    Io { file: String, reason: String },
    /// The header says something no recording can be: a sample rate of
    /// 0 Hz or 4 GHz, more audio than the file has bytes for. Refused
    /// rather than believed, because every size (buffers, the analysis,
    /// the shown length) would follow from it.
    #[error("{file}: header cannot be right: {detail}")]
    Implausible { file: String, detail: String },
    /// The decoder or the container reader crashed on this file: the call
    /// fails alone, the program goes on.
    #[error("{file}: the decoder crashed on this file: {detail}")]
    Crashed { file: String, detail: String },
}

fn secs(ms: &u64) -> String {
    format!("{:.1} s", *ms as f64 / 1000.0)
}

/// Run `work` (opening or probing `path`) so that a panic inside a decoder
/// becomes [`AudioError::Crashed`] for this file instead of unwinding into
/// the importer, the player or the analysis.
pub(crate) fn without_panics<T>(
    path: &Path,
    work: impl FnOnce() -> Result<T, AudioError>,
) -> Result<T, AudioError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        Err(AudioError::Crashed {
            file: file_label(path),
            detail: panic_text(panic.as_ref()),
        })
    })
}

/// Open a recording to read it: without blocking, and only if it is a
/// regular file (a symlink to one is fine). A recording is checked at
/// import, but the path is opened again by the player and the analysis,
/// maybe days later: by then it may be a FIFO (opening one blocks until a
/// writer comes, a read waits forever) or a link to a device such as
/// `/dev/zero` (a read never ends). Returns the file and its length.
pub(crate) fn open_recording(path: &Path) -> Result<(File, u64), AudioError> {
    let open_err = |reason: String| AudioError::Open {
        file: file_label(path),
        reason,
    };
    let file = crate::files::open_regular(path, false).map_err(|e| match e {
        crate::files::OpenError::Io(e) => open_err(io_reason(&e)),
        crate::files::OpenError::NotRegular(kind) => {
            open_err(format!("not a regular file ({kind}); refused"))
        }
    })?;
    let len = file.metadata().map_err(|e| open_err(io_reason(&e)))?.len();
    Ok((file, len))
}

/// The name used in messages: the file name, or the whole path if it has none.
pub(crate) fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// What a caught panic said (its `&str` or `String` payload), for a message.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Hand-written WAV files for the tests: no fixtures, no external tools.

    use std::path::{Path, PathBuf};

    /// A RIFF/WAVE file with a canonical 16-byte `fmt ` chunk.
    /// `data_len_override` lets a test lie in the data chunk header.
    pub fn wav_bytes(
        format_tag: u16,
        channels: u16,
        rate: u32,
        bits: u16,
        data: &[u8],
        data_len_override: Option<u32>,
    ) -> Vec<u8> {
        let block_align = channels * bits.div_ceil(8);
        let data_len = data_len_override.unwrap_or(data.len() as u32);
        let mut v = Vec::new();
        v.extend_from_slice(b"RIFF");
        v.extend_from_slice(&36u32.wrapping_add(data_len).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&format_tag.to_le_bytes());
        v.extend_from_slice(&channels.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
        v.extend_from_slice(&block_align.to_le_bytes());
        v.extend_from_slice(&bits.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&data_len.to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    /// 16-bit PCM samples where frame `i`, channel `c` holds `(i % 1000) * 8 + c`,
    /// so a test can tell from a sample value which frame it came from.
    pub fn ramp_pcm16(frames: usize, channels: u16) -> Vec<u8> {
        let mut v = Vec::with_capacity(frames * channels as usize * 2);
        for i in 0..frames {
            for c in 0..channels {
                let s = ((i % 1000) * 8 + c as usize) as i16;
                v.extend_from_slice(&s.to_le_bytes());
            }
        }
        v
    }

    /// Write a 16-bit PCM ramp WAV of `secs` seconds and return its path.
    pub fn write_ramp_wav(dir: &Path, name: &str, rate: u32, channels: u16, secs: f64) -> PathBuf {
        let frames = (f64::from(rate) * secs).round() as usize;
        let bytes = wav_bytes(1, channels, rate, 16, &ramp_pcm16(frames, channels), None);
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Frame index (mod 1000) encoded in a ramp sample converted to f32.
    pub fn ramp_frame(sample: f32) -> usize {
        (sample * 32768.0).round() as usize / 8
    }
}

#[cfg(test)]
pub(crate) mod bad_header_tests;
#[cfg(test)]
mod codec_tests;
