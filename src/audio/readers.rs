//! Building our own readers where symphonia's cannot be used as they are
//! (see [`super::blocks`] and [`super::ogg_opus`] for the reasons): raw GSM,
//! GSM in WAV, ADPCM in WAV (symphonia reads the header, we read the
//! blocks) and Opus in Ogg (symphonia reads the pages, we drop the
//! pre-skip).

use std::fs::File;

use symphonia::core::audio::Channels;
use symphonia::core::codecs::CodecParameters;
use symphonia::core::formats::FormatReader;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};

use super::AudioError;
use super::blocks::{BlockLayout, BlockReader};
use super::codecs::{CODEC_TYPE_GSM, CODEC_TYPE_GSM_MS};
use super::gsm::{FRAME_SAMPLES, MS_BLOCK_BYTES, RAW_FRAME_BYTES};
use super::ogg_opus::OggOpus;
use super::probe::Opened;
use super::wav::WavLayout;

fn stream(file: File) -> MediaSourceStream {
    MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default())
}

fn gsm_params(codec: symphonia::core::codecs::CodecType, rate: u32) -> CodecParameters {
    let mut params = CodecParameters::new();
    params
        .for_codec(codec)
        .with_sample_rate(rate)
        .with_channels(Channels::FRONT_LEFT);
    params
}

fn opened(reader: BlockReader, container: &'static str, label: String, file_len: u64) -> Opened {
    let params = reader.tracks()[0].codec_params.clone();
    Opened {
        format: Box::new(reader),
        track_id: 0,
        params,
        container,
        label,
        file_len,
    }
}

/// Asterisk's `.gsm`: nothing but 33-byte frames at 8 kHz.
pub(super) fn raw_gsm(file: File, file_len: u64, label: String) -> Opened {
    let layout = BlockLayout {
        data_start: 0,
        data_len: file_len,
        block_bytes: RAW_FRAME_BYTES as u64,
        frames_per_block: FRAME_SAMPLES as u64,
    };
    let reader = BlockReader::new(stream(file), layout, gsm_params(CODEC_TYPE_GSM, 8000));
    opened(reader, "gsm", label, file_len)
}

/// GSM 6.10 in WAV: 65-byte blocks of 320 samples, mono.
pub(super) fn gsm_wav(
    file: File,
    wav: &WavLayout,
    file_len: u64,
    label: String,
) -> Result<Opened, AudioError> {
    let corrupt = |detail: String| AudioError::Corrupt {
        file: label.clone(),
        detail,
    };
    if wav.channels != 1 {
        return Err(corrupt(format!("GSM 6.10 with {} channels", wav.channels)));
    }
    if usize::from(wav.block_align) != MS_BLOCK_BYTES {
        return Err(corrupt(format!(
            "GSM 6.10 with {}-byte blocks (expected 65)",
            wav.block_align
        )));
    }
    let Some((data_start, declared)) = wav.data else {
        return Err(AudioError::NoAudio { file: label });
    };
    let layout = BlockLayout {
        data_start,
        data_len: u64::from(declared).min(file_len.saturating_sub(data_start)),
        block_bytes: MS_BLOCK_BYTES as u64,
        frames_per_block: 2 * FRAME_SAMPLES as u64,
    };
    let rate = if wav.sample_rate == 0 {
        8000
    } else {
        wav.sample_rate
    };
    let reader = BlockReader::new(stream(file), layout, gsm_params(CODEC_TYPE_GSM_MS, rate));
    Ok(opened(reader, "wav", label, file_len))
}

/// ADPCM in WAV: keep symphonia's codec parameters, read the blocks ourselves.
pub(super) fn adpcm_blocks(
    format: Box<dyn FormatReader>,
    params: CodecParameters,
    wav: &WavLayout,
    file_len: u64,
) -> (Box<dyn FormatReader>, CodecParameters) {
    let Some((data_start, declared)) = wav.data else {
        return (format, params);
    };
    let layout = BlockLayout {
        data_start,
        data_len: u64::from(declared).min(file_len.saturating_sub(data_start)),
        block_bytes: u64::from(wav.block_align),
        frames_per_block: params.frames_per_block.unwrap_or(wav.frames_per_block),
    };
    let reader = BlockReader::new(format.into_inner(), layout, params);
    let params = reader.tracks()[0].codec_params.clone();
    (Box::new(reader), params)
}

/// Opus in Ogg, without the pre-skip.
pub(super) fn ogg_opus(
    format: Box<dyn FormatReader>,
    track_id: u32,
) -> (Box<dyn FormatReader>, CodecParameters) {
    let reader = OggOpus::new(format, track_id);
    let params = reader
        .tracks()
        .iter()
        .find(|t| t.id == track_id)
        .map(|t| t.codec_params.clone())
        .unwrap_or_default();
    (Box::new(reader), params)
}
