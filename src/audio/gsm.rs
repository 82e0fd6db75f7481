//! GSM 6.10 decoding through libgsm (the reference implementation by
//! Degener and Bormann, bundled by `gsm-sys`).
//!
//! Two packings reach us. Raw frames (Asterisk `.gsm`) are libgsm's own
//! 33-byte format. WAV files (format tag 0x0031, "wav49") pack two frames
//! into 65 bytes, bit by bit from the least significant end; `gsm-sys`
//! builds libgsm without its WAV49 option, so we unpack those 65 bytes into
//! the two frames' 76 parameters and let libgsm pack them into its standard
//! frame (`gsm_implode`) and decode it. Only the bit layout is ours; all
//! signal processing is libgsm's.

use std::ptr::NonNull;

use symphonia::core::audio::{
    AsAudioBufferRef, AudioBuffer, AudioBufferRef, Channels, Signal, SignalSpec,
};
use symphonia::core::codecs::{
    CodecDescriptor, CodecParameters, Decoder, DecoderOptions, FinalizeResult,
};
use symphonia::core::errors::{Error, Result, unsupported_error};
use symphonia::core::formats::Packet;

use super::codecs::{CODEC_TYPE_GSM, CODEC_TYPE_GSM_MS};

/// Samples per GSM frame, bytes per raw frame, bytes per WAV block.
pub(crate) const FRAME_SAMPLES: usize = 160;
pub(crate) const RAW_FRAME_BYTES: usize = 33;
pub(crate) const MS_BLOCK_BYTES: usize = 65;

/// An owned libgsm decoder state.
struct Handle(NonNull<gsm_sys::GsmState>);

// SAFETY: the state is plain heap memory owned by this handle, with no
// thread affinity; every use goes through `&mut self`, so it is never
// touched from two threads at once.
unsafe impl Send for Handle {}
// SAFETY: as above; no method reads the state through a shared reference.
unsafe impl Sync for Handle {}

impl Handle {
    fn new() -> Result<Handle> {
        // SAFETY: gsm_create has no preconditions; it returns NULL on failure.
        let raw = unsafe { gsm_sys::gsm_create() };
        NonNull::new(raw)
            .map(Handle)
            .ok_or(Error::DecodeError("gsm: cannot create a decoder"))
    }

    /// Decode one 33-byte frame into 160 samples; false if the frame is not
    /// a GSM frame (bad magic), in which case `out` is silence.
    fn decode(&mut self, frame: &[u8; RAW_FRAME_BYTES], out: &mut [i16; FRAME_SAMPLES]) -> bool {
        let mut frame = *frame;
        // SAFETY: the state is valid; libgsm reads 33 bytes and writes 160 samples.
        let rc =
            unsafe { gsm_sys::gsm_decode(self.0.as_ptr(), frame.as_mut_ptr(), out.as_mut_ptr()) };
        if rc != 0 {
            out.fill(0);
        }
        rc == 0
    }

    /// Pack 76 frame parameters into a standard 33-byte frame.
    fn implode(&mut self, params: &mut [i16; 76]) -> [u8; RAW_FRAME_BYTES] {
        let mut frame = [0u8; RAW_FRAME_BYTES];
        // SAFETY: libgsm reads 76 parameters and writes 33 bytes.
        unsafe { gsm_sys::gsm_implode(self.0.as_ptr(), params.as_mut_ptr(), frame.as_mut_ptr()) };
        frame
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: created by gsm_create and destroyed only here.
        unsafe { gsm_sys::gsm_destroy(self.0.as_ptr()) }
    }
}

/// Bit widths of a GSM frame's 76 parameters, in order: 8 LAR coefficients,
/// then per sub-frame Nc, bc, Mc, xmaxc and 13 RPE pulses.
fn param_widths() -> [u8; 76] {
    let mut w = [0u8; 76];
    w[..8].copy_from_slice(&[6, 6, 5, 5, 4, 4, 3, 3]);
    for sub in 0..4 {
        let base = 8 + sub * 17;
        w[base..base + 4].copy_from_slice(&[7, 2, 2, 6]);
        w[base + 4..base + 17].fill(3);
    }
    w
}

/// Split a 65-byte WAV49 block into the parameters of its two frames
/// (260 bits each, least significant bit first).
pub(crate) fn unpack_ms_block(block: &[u8; MS_BLOCK_BYTES]) -> [[i16; 76]; 2] {
    let widths = param_widths();
    let mut bit = 0usize;
    let mut frames = [[0i16; 76]; 2];
    for frame in &mut frames {
        for (param, &width) in frame.iter_mut().zip(&widths) {
            let mut v = 0i16;
            for i in 0..width {
                let b = (block[bit / 8] >> (bit % 8)) & 1;
                v |= i16::from(b) << i;
                bit += 1;
            }
            *param = v;
        }
    }
    frames
}

/// symphonia decoder for [`CODEC_TYPE_GSM`] and [`CODEC_TYPE_GSM_MS`].
pub(crate) struct GsmDecoder {
    params: CodecParameters,
    handle: Handle,
    ms: bool,
    buf: AudioBuffer<i16>,
}

impl GsmDecoder {
    fn decode_packet(&mut self, data: &[u8]) {
        let unit = if self.ms {
            MS_BLOCK_BYTES
        } else {
            RAW_FRAME_BYTES
        };
        let frames_per_unit = if self.ms { 2 } else { 1 };
        let units = data.len() / unit;
        let want = units * frames_per_unit * FRAME_SAMPLES;
        self.buf.clear();
        if self.buf.capacity() < want {
            self.buf = AudioBuffer::new(want as u64, *self.buf.spec());
        }
        self.buf.render_reserved(Some(want));
        let out = self.buf.chan_mut(0);
        let mut pcm = [0i16; FRAME_SAMPLES];
        for (i, chunk) in data.chunks_exact(unit).enumerate() {
            if self.ms {
                let block: &[u8; MS_BLOCK_BYTES] = chunk.try_into().expect("65-byte chunk");
                for (k, mut params) in unpack_ms_block(block).into_iter().enumerate() {
                    let frame = self.handle.implode(&mut params);
                    self.handle.decode(&frame, &mut pcm);
                    let at = (2 * i + k) * FRAME_SAMPLES;
                    out[at..at + FRAME_SAMPLES].copy_from_slice(&pcm);
                }
            } else {
                let frame: &[u8; RAW_FRAME_BYTES] = chunk.try_into().expect("33-byte chunk");
                self.handle.decode(frame, &mut pcm);
                let at = i * FRAME_SAMPLES;
                out[at..at + FRAME_SAMPLES].copy_from_slice(&pcm);
            }
        }
    }
}

impl Decoder for GsmDecoder {
    fn try_new(params: &CodecParameters, _options: &DecoderOptions) -> Result<Self> {
        let ms = match params.codec {
            CODEC_TYPE_GSM => false,
            CODEC_TYPE_GSM_MS => true,
            _ => return unsupported_error("gsm: not a GSM track"),
        };
        if params.channels.is_some_and(|c| c.count() != 1) {
            return unsupported_error("gsm: only mono GSM exists");
        }
        let rate = params.sample_rate.unwrap_or(8000);
        let frames = params
            .max_frames_per_packet
            .unwrap_or(50 * FRAME_SAMPLES as u64);
        Ok(GsmDecoder {
            params: params.clone(),
            handle: Handle::new()?,
            ms,
            buf: AudioBuffer::new(frames, SignalSpec::new(rate, Channels::FRONT_LEFT)),
        })
    }

    fn supported_codecs() -> &'static [CodecDescriptor] {
        &[
            symphonia::core::support_codec!(CODEC_TYPE_GSM, "gsm", "GSM 6.10"),
            symphonia::core::support_codec!(
                CODEC_TYPE_GSM_MS,
                "gsm_ms",
                "GSM 6.10 (Microsoft WAV49)"
            ),
        ]
    }

    fn reset(&mut self) {
        // A fresh state: GSM carries filter memory from frame to frame.
        if let Ok(handle) = Handle::new() {
            self.handle = handle;
        }
    }

    fn codec_params(&self) -> &CodecParameters {
        &self.params
    }

    fn decode(&mut self, packet: &Packet) -> Result<AudioBufferRef<'_>> {
        self.decode_packet(&packet.data);
        Ok(self.buf.as_audio_buffer_ref())
    }

    fn finalize(&mut self) -> FinalizeResult {
        FinalizeResult::default()
    }

    fn last_decoded(&self) -> AudioBufferRef<'_> {
        self.buf.as_audio_buffer_ref()
    }
}
