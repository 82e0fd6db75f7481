//! Is this file a playable call, and how long is it?
//!
//! The importer probes every recording of a batch, so probing must be cheap:
//! we read container headers with symphonia, decode only the first packet (a
//! codec can be recognised by the container and still have no decoder), and
//! take the length from the header (`n_frames`). Only when the header cannot
//! be trusted (MP3: without a Xing/VBRI header symphonia *estimates* from the
//! bitrate) do we walk the packets, which reads frame headers but decodes
//! nothing.
//!
//! Telephony exports contain broken files, and "could not play" is useless to
//! a reviewer, so the file is also sniffed by hand: the RIFF chunk list of a
//! WAV is read to catch a data chunk that promises more than the file holds
//! (a copy cut short) or a recorder that never wrote the length, and to name a
//! codec symphonia does not know (GSM 6.10, G.729...). Magic bytes of
//! containers this build cannot read (MP4, AMR...) are named too.
//!
//! Headers are not believed blindly either: a sample rate no recording has
//! ([`MIN_SAMPLE_RATE`]..=[`MAX_SAMPLE_RATE`]) or a length the file has no
//! bytes for ([`MAX_FRAMES_PER_BYTE`]) is refused, because the player's
//! clock, the analysis buffers and the length shown in the queue all
//! follow from them.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use symphonia::core::codecs::{self, CODEC_TYPE_NULL, CodecParameters, CodecType, Decoder};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::units::TimeBase;

use super::readers;
use super::sniff::{Kind, sniff};
use super::wav::{
    GSM_WAV_TAG, PatchedWav, WAV_TAGS_DECODED, check_wav_header, check_wav_length, read_wav_layout,
    wav_codec_name,
};
use super::{AudioError, file_label, io_reason, open_recording, without_panics};

/// Below this no recording holds speech (telephony is 8000 Hz): such a rate
/// is a damaged header. A rate of 1 Hz would show a 6-second call as 13
/// hours and make the player pull samples in a busy loop.
pub const MIN_SAMPLE_RATE: u32 = 1_000;

/// Above this the header is damaged too (studio audio stops at 384 kHz);
/// buffers sized by the rate would grow without bound.
pub const MAX_SAMPLE_RATE: u32 = 384_000;

/// No codec we read packs more frames than this into one byte of the file:
/// the densest are FLAC blocks of one constant value (about 6000 frames a
/// byte) and Opus or Vorbis packets of silence (about 2000). A header that
/// claims more audio than `file length x this` is lying, and believing it
/// would size the analysis and the shown length by the lie.
pub const MAX_FRAMES_PER_BYTE: u64 = 8192;

/// Refuse a sample rate no recording can have.
pub(crate) fn check_sample_rate(file: &str, rate: u32) -> Result<(), AudioError> {
    if (MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&rate) {
        return Ok(());
    }
    Err(AudioError::Implausible {
        file: file.to_string(),
        detail: format!(
            "a sample rate of {rate} Hz (recordings have {MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE} Hz)"
        ),
    })
}

/// Refuse a length the file has no room for (see [`MAX_FRAMES_PER_BYTE`]).
fn check_length(file: &str, frames: u64, rate: u32, file_len: u64) -> Result<(), AudioError> {
    let most = file_len.saturating_mul(MAX_FRAMES_PER_BYTE);
    if frames <= most {
        return Ok(());
    }
    let time = |frames: u64| human_time(frames / u64::from(rate.max(1)));
    Err(AudioError::Implausible {
        file: file.to_string(),
        detail: format!(
            "header claims {} of audio, a file of {file_len} bytes holds at most {}",
            time(frames),
            time(most)
        ),
    })
}

/// Seconds as a reader takes them in: `42 s`, `17 min`, `3 h`, `812 days`.
fn human_time(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..7_200 => format!("{} min", secs / 60),
        7_200..172_800 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// What the importer and the TUI need to know about a recording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioInfo {
    /// "wav", "mp3", "flac", "ogg".
    pub container: String,
    /// "pcm_s16le", "pcm_mulaw", "pcm_alaw", "mp3", "flac", "vorbis", "adpcm_ima", ...
    pub codec: String,
    pub duration_ms: u64,
    pub channels: u16,
    pub sample_rate: u32,
}

impl AudioInfo {
    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.duration_ms)
    }
}

/// Check a recording and read its format and length; see the module docs.
/// No file makes it panic: a decoder that does is reported as
/// [`AudioError::Crashed`].
pub fn probe(path: &Path) -> Result<AudioInfo, AudioError> {
    without_panics(path, || probe_frames(path)).map(|(info, _)| info)
}

/// [`probe`], plus the exact length in frames. Callers guard it against
/// panics ([`without_panics`]).
pub(crate) fn probe_frames(path: &Path) -> Result<(AudioInfo, u64), AudioError> {
    let mut opened = open_format(path)?;
    let file = opened.label.clone();
    let params = opened.params.clone();
    let mut decoder = make_decoder(&opened)?;

    // Decode the first packet that carries audio (give damaged starts a few tries).
    let mut ts_seen: u64 = 0;
    let mut failures = 0;
    let spec = loop {
        match opened.format.next_packet() {
            Ok(packet) if packet.track_id() != opened.track_id => continue,
            Ok(packet) => {
                ts_seen += packet.dur();
                match decoder.decode(&packet) {
                    Ok(buf) if buf.frames() > 0 => break *buf.spec(),
                    Ok(_) => {}
                    Err(err) => {
                        failures += 1;
                        if failures >= 8 {
                            return Err(corrupt(&file, format!("cannot decode: {err}")));
                        }
                    }
                }
            }
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(if failures > 0 {
                    corrupt(&file, "no packet could be decoded".into())
                } else {
                    AudioError::NoAudio { file }
                });
            }
            Err(SymError::ResetRequired) => decoder.reset(),
            Err(SymError::DecodeError(msg)) => {
                failures += 1;
                if failures >= 8 {
                    return Err(corrupt(&file, msg.to_string()));
                }
            }
            Err(err) => return Err(sym_read_error(&file, err)),
        }
    };

    let sample_rate = params.sample_rate.unwrap_or(spec.rate);
    let channels = params
        .channels
        .map(|c| c.count())
        .unwrap_or_else(|| spec.channels.count()) as u16;
    if channels == 0 {
        return Err(corrupt(&file, "no channel count".into()));
    }
    check_sample_rate(&file, sample_rate)?;

    let frames = match params.n_frames {
        Some(n) if opened.container != "mp3" => n,
        _ => {
            // Walk the remaining packet headers; nothing is decoded.
            let mut errors = 0;
            loop {
                match opened.format.next_packet() {
                    Ok(p) if p.track_id() == opened.track_id => ts_seen += p.dur(),
                    Ok(_) => {}
                    Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        break;
                    }
                    Err(SymError::DecodeError(_)) if errors < 64 => errors += 1,
                    Err(SymError::ResetRequired) => {}
                    Err(err) => return Err(sym_read_error(&file, err)),
                }
            }
            ts_to_frames(ts_seen, params.time_base, sample_rate)
        }
    };
    if frames == 0 {
        return Err(AudioError::NoAudio { file });
    }
    check_length(&file, frames, sample_rate, opened.file_len)?;

    let info = AudioInfo {
        container: opened.container.to_string(),
        codec: codec_short_name(params.codec),
        duration_ms: frames * 1000 / u64::from(sample_rate),
        channels,
        sample_rate,
    };
    Ok((info, frames))
}

/// A container opened by symphonia, positioned at the first packet.
pub(crate) struct Opened {
    pub format: Box<dyn FormatReader>,
    pub track_id: u32,
    pub params: CodecParameters,
    pub container: &'static str,
    pub label: String,
    /// Bytes in the file, which bound every length its header claims.
    pub file_len: u64,
}

/// Open the file, catch what symphonia would report badly, and let symphonia
/// find the container. Shared by `probe` and `CallSource::open`.
pub(crate) fn open_format(path: &Path) -> Result<Opened, AudioError> {
    let label = file_label(path);
    let (mut file, file_len) = open_recording(path)?;
    if file_len == 0 {
        return Err(AudioError::Empty { file: label });
    }
    let read_err = |e: std::io::Error| AudioError::Io {
        file: label.clone(),
        reason: io_reason(&e),
    };

    let mut head = Vec::with_capacity(512);
    (&mut file)
        .take(512)
        .read_to_end(&mut head)
        .map_err(read_err)?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let kind = sniff(&head, &ext, file_len);

    let wav = match kind {
        Kind::Other(format) => {
            return Err(AudioError::UnsupportedFormat {
                file: label,
                format: format.into(),
            });
        }
        Kind::RawGsm => return Ok(readers::raw_gsm(file, file_len, label)),
        Kind::Text => return Err(AudioError::NotAudio { file: label }),
        Kind::Wav => {
            let layout = read_wav_layout(&mut file).map_err(read_err)?;
            if !WAV_TAGS_DECODED.contains(&layout.format_tag) {
                return Err(AudioError::UnsupportedCodec {
                    file: label,
                    codec: wav_codec_name(layout.format_tag),
                });
            }
            // Before symphonia, which rejects such files with a vaguer
            // message, or panics on them (a sample rate of 0).
            check_wav_header(&label, &layout)?;
            check_wav_length(&label, &layout, file_len)?;
            if layout.format_tag == GSM_WAV_TAG {
                return readers::gsm_wav(file, &layout, file_len, label);
            }
            Some(layout)
        }
        _ => None,
    };
    file.seek(SeekFrom::Start(0)).map_err(read_err)?;

    let mut hint = Hint::new();
    if !ext.is_empty() {
        hint.with_extension(&ext);
    }
    let media: Box<dyn MediaSource> = match &wav {
        Some(layout) if layout.needs_fmt_patch() => {
            Box::new(PatchedWav::new(file, layout, file_len).map_err(read_err)?)
        }
        _ => Box::new(file),
    };
    let mss = MediaSourceStream::new(media, MediaSourceStreamOptions::default());
    // Ogg: let symphonia trim the encoder's end padding (Opus, Vorbis) so
    // lengths are exact; the decoders honour the trims.
    let options = FormatOptions {
        enable_gapless: kind == Kind::Ogg,
        ..FormatOptions::default()
    };
    let probed = symphonia::default::get_probe()
        .format(&hint, mss, &options, &MetadataOptions::default())
        .map_err(|err| match (err, kind) {
            (SymError::Unsupported(_), Kind::Unknown) => AudioError::NotAudio {
                file: label.clone(),
            },
            (SymError::Unsupported(msg), _) => match &wav {
                Some(w) if w.format_tag == 0xFFFE => AudioError::UnsupportedCodec {
                    file: label.clone(),
                    codec: format!(
                        "WAVE_FORMAT_EXTENSIBLE sub-type {}",
                        wav_codec_name(w.sub_tag)
                    ),
                },
                _ => corrupt(&label, msg.to_string()),
            },
            (SymError::IoError(e), Kind::Unknown)
                if e.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                AudioError::NotAudio {
                    file: label.clone(),
                }
            }
            (SymError::IoError(e), _) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                corrupt(&label, "header is cut short".into())
            }
            (SymError::DecodeError(_), Kind::Unknown) => AudioError::NotAudio {
                file: label.clone(),
            },
            (err, _) => sym_read_error(&label, err),
        })?;
    let format = probed.format;

    let track = format
        .default_track()
        .filter(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .or_else(|| {
            format
                .tracks()
                .iter()
                .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        })
        .ok_or_else(|| AudioError::NoAudio {
            file: label.clone(),
        })?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    // Our readers for what symphonia's get wrong (see `readers`).
    let (format, params) = match (&wav, params.codec) {
        (Some(layout), codecs::CODEC_TYPE_ADPCM_IMA_WAV | codecs::CODEC_TYPE_ADPCM_MS) => {
            readers::adpcm_blocks(format, params, layout, file_len)
        }
        (_, codecs::CODEC_TYPE_OPUS) => readers::ogg_opus(format, track_id),
        _ => (format, params),
    };
    if let Some(rate) = params.sample_rate {
        check_sample_rate(&label, rate)?;
    }
    let container = match kind {
        Kind::Wav => "wav",
        Kind::Flac => "flac",
        Kind::Ogg => "ogg",
        Kind::Mp3 => "mp3",
        _ => match params.codec {
            codecs::CODEC_TYPE_MP3 | codecs::CODEC_TYPE_MP2 | codecs::CODEC_TYPE_MP1 => "mp3",
            codecs::CODEC_TYPE_FLAC => "flac",
            codecs::CODEC_TYPE_VORBIS | codecs::CODEC_TYPE_OPUS => "ogg",
            _ => "unknown",
        },
    };
    Ok(Opened {
        format,
        track_id,
        params,
        container,
        label,
        file_len,
    })
}

/// A decoder for the track, or `UnsupportedCodec` naming the codec.
pub(crate) fn make_decoder(opened: &Opened) -> Result<Box<dyn Decoder>, AudioError> {
    super::codecs::registry()
        .make(&opened.params, &codecs::DecoderOptions::default())
        .map_err(|err| match err {
            SymError::Unsupported(_) => AudioError::UnsupportedCodec {
                file: opened.label.clone(),
                codec: codec_long_name(opened.params.codec),
            },
            other => sym_read_error(&opened.label, other),
        })
}

/// Track timestamps (in `time_base` units) to frames at `sample_rate`.
pub(crate) fn ts_to_frames(ts: u64, tb: Option<TimeBase>, sample_rate: u32) -> u64 {
    match tb {
        Some(tb) if !(tb.numer == 1 && tb.denom == sample_rate) => {
            (u128::from(ts) * u128::from(tb.numer) * u128::from(sample_rate)
                / u128::from(tb.denom.max(1))) as u64
        }
        _ => ts,
    }
}

/// Frames at `sample_rate` to track timestamps.
pub(crate) fn frames_to_ts(frames: u64, tb: Option<TimeBase>, sample_rate: u32) -> u64 {
    match tb {
        Some(tb) if !(tb.numer == 1 && tb.denom == sample_rate) => {
            (u128::from(frames) * u128::from(tb.denom)
                / (u128::from(tb.numer.max(1)) * u128::from(sample_rate.max(1)))) as u64
        }
        _ => frames,
    }
}

fn corrupt(file: &str, detail: String) -> AudioError {
    AudioError::Corrupt {
        file: file.to_string(),
        detail,
    }
}

pub(crate) fn sym_read_error(file: &str, err: SymError) -> AudioError {
    match err {
        SymError::IoError(e) => AudioError::Io {
            file: file.to_string(),
            reason: io_reason(&e),
        },
        other => corrupt(file, other.to_string()),
    }
}

fn codec_short_name(codec: CodecType) -> String {
    match super::codecs::registry().get_codec(codec) {
        Some(d) if d.short_name == "adpcm_ima_wav" => "adpcm_ima".into(),
        Some(d) => d.short_name.into(),
        None => codec_long_name(codec),
    }
}

fn codec_long_name(codec: CodecType) -> String {
    let name = match codec {
        codecs::CODEC_TYPE_OPUS => "Opus",
        codecs::CODEC_TYPE_AAC => "AAC",
        codecs::CODEC_TYPE_SPEEX => "Speex",
        codecs::CODEC_TYPE_ALAC => "ALAC",
        codecs::CODEC_TYPE_MP1 => "MPEG Layer I",
        codecs::CODEC_TYPE_MP2 => "MPEG Layer II",
        codecs::CODEC_TYPE_WAVPACK => "WavPack",
        codecs::CODEC_TYPE_WMA => "WMA",
        codecs::CODEC_TYPE_ADPCM_G722 => "G.722 ADPCM",
        codecs::CODEC_TYPE_ADPCM_G726 | codecs::CODEC_TYPE_ADPCM_G726LE => "G.726 ADPCM",
        _ => {
            return super::codecs::registry()
                .get_codec(codec)
                .map(|d| d.long_name.to_string())
                .unwrap_or_else(|| format!("(symphonia codec {codec})"));
        }
    };
    name.into()
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
