//! The decoders we add to symphonia's: GSM 6.10 (libgsm) and Opus
//! (libopus), registered next to symphonia's own so the rest of the audio
//! code (probe, source, seeking) treats every codec the same way.
//!
//! Why these: PBXs write them. Asterisk records `.gsm` (raw 33-byte frames)
//! and "wav49" (GSM in WAV, Microsoft's 65-byte packing of two frames);
//! modern systems record Opus in Ogg. symphonia has no decoder for either,
//! so we use the reference C libraries through maintained -sys crates
//! (`gsm-sys` bundles libgsm, `opus` builds libopus) rather than writing a
//! codec ourselves.

use std::sync::OnceLock;

use symphonia::core::codecs::{CodecRegistry, CodecType, decl_codec_type};

use super::gsm::GsmDecoder;
use super::opus::OpusDecoder;

/// GSM 6.10 full rate, 33-byte frames of 160 samples (Asterisk `.gsm`).
pub(crate) const CODEC_TYPE_GSM: CodecType = decl_codec_type(b"gsm");
/// GSM 6.10 in WAV (format tag 0x0031): 65-byte blocks of two frames.
pub(crate) const CODEC_TYPE_GSM_MS: CodecType = decl_codec_type(b"gsmms");

/// symphonia's decoders plus ours.
pub(crate) fn registry() -> &'static CodecRegistry {
    static REGISTRY: OnceLock<CodecRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_all::<GsmDecoder>();
        registry.register_all::<OpusDecoder>();
        registry
    })
}
