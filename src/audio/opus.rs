//! Opus decoding through libopus (the `opus` crate, which builds libopus
//! from source). symphonia reads the Ogg container and hands us packets.
//!
//! We decode at 48 kHz, Opus's native rate and the time base of its Ogg
//! mapping, so timestamps, lengths and seeks need no conversion. The
//! pre-skip that every Opus stream starts with (about 6.5 ms of encoder
//! warm-up) is removed by [`super::ogg_opus`], which also keeps timestamps
//! in step with it.

use std::sync::Mutex;

use symphonia::core::audio::{AsAudioBufferRef, AudioBuffer, AudioBufferRef, Signal, SignalSpec};
use symphonia::core::codecs::{
    CODEC_TYPE_OPUS, CodecDescriptor, CodecParameters, Decoder, DecoderOptions, FinalizeResult,
};
use symphonia::core::errors::{Error, Result, unsupported_error};
use symphonia::core::formats::Packet;

/// Opus always decodes at 48 kHz here.
pub(crate) const OPUS_RATE: u32 = 48_000;
/// The longest Opus packet: 120 ms.
const MAX_PACKET_FRAMES: usize = 5760;

pub(crate) struct OpusDecoder {
    params: CodecParameters,
    // libopus' decoder is Send but not Sync; the mutex makes it Sync.
    decoder: Mutex<opus::Decoder>,
    channels: usize,
    pcm: Vec<f32>,
    buf: AudioBuffer<f32>,
}

impl Decoder for OpusDecoder {
    fn try_new(params: &CodecParameters, _options: &DecoderOptions) -> Result<Self> {
        if params.codec != CODEC_TYPE_OPUS {
            return unsupported_error("opus: not an Opus track");
        }
        let Some(layout) = params.channels else {
            return unsupported_error("opus: channel count missing");
        };
        let (channels, opus_channels) = match layout.count() {
            1 => (1, opus::Channels::Mono),
            2 => (2, opus::Channels::Stereo),
            _ => return unsupported_error("opus: more than two channels"),
        };
        let decoder = opus::Decoder::new(OPUS_RATE, opus_channels)
            .map_err(|_| Error::DecodeError("opus: cannot create a decoder"))?;
        Ok(OpusDecoder {
            params: params.clone(),
            decoder: Mutex::new(decoder),
            channels,
            pcm: vec![0.0; MAX_PACKET_FRAMES * channels],
            buf: AudioBuffer::new(MAX_PACKET_FRAMES as u64, SignalSpec::new(OPUS_RATE, layout)),
        })
    }

    fn supported_codecs() -> &'static [CodecDescriptor] {
        &[symphonia::core::support_codec!(
            CODEC_TYPE_OPUS,
            "opus",
            "Opus"
        )]
    }

    fn reset(&mut self) {
        let decoder = self.decoder.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = decoder.reset_state();
    }

    fn codec_params(&self) -> &CodecParameters {
        &self.params
    }

    fn decode(&mut self, packet: &Packet) -> Result<AudioBufferRef<'_>> {
        self.buf.clear();
        let decoder = self.decoder.get_mut().unwrap_or_else(|e| e.into_inner());
        let frames = decoder
            .decode_float(&packet.data, &mut self.pcm, false)
            .map_err(|_| Error::DecodeError("opus: damaged packet"))?;
        self.buf.render_reserved(Some(frames));
        for c in 0..self.channels {
            let plane = self.buf.chan_mut(c);
            for (i, s) in plane.iter_mut().enumerate() {
                *s = self.pcm[i * self.channels + c];
            }
        }
        self.buf
            .trim(packet.trim_start as usize, packet.trim_end as usize);
        Ok(self.buf.as_audio_buffer_ref())
    }

    fn finalize(&mut self) -> FinalizeResult {
        FinalizeResult::default()
    }

    fn last_decoded(&self) -> AudioBufferRef<'_> {
        self.buf.as_audio_buffer_ref()
    }
}
