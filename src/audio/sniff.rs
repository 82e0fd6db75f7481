//! What the first bytes of a file say it is.
//!
//! symphonia's probe answers "unsupported" for anything it cannot read, and
//! the importer needs to say more than that: a text file renamed `.wav`, an
//! MP4 or AMR recording (a real format this build does not read), or raw GSM
//! frames (no header at all: recognised by the `.gsm` extension and the
//! 0xD magic nibble that starts every 33-byte frame).

/// What the first bytes say the file is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    Wav,
    Mp3,
    Flac,
    Ogg,
    /// Raw GSM 6.10 frames (33 bytes, each starting with the 0xD nibble).
    RawGsm,
    /// Plain text (a CSV or a log named `.wav`): certainly not audio.
    Text,
    /// A real audio container this build cannot read.
    Other(&'static str),
    Unknown,
}

pub(super) fn sniff(head: &[u8], ext: &str, file_len: u64) -> Kind {
    let at = |off: usize, magic: &[u8]| head.get(off..off + magic.len()) == Some(magic);
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Kind::Wav;
    }
    if at(0, b"RF64") || at(0, b"BW64") {
        return Kind::Other("RF64 (64-bit WAV)");
    }
    if at(0, b"fLaC") {
        return Kind::Flac;
    }
    if at(0, b"OggS") {
        return Kind::Ogg;
    }
    if at(0, b"ID3") {
        return Kind::Mp3;
    }
    if head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0 {
        // MPEG audio sync; layer bits 00 mean ADTS (AAC).
        return if (head[1] >> 1) & 3 == 0 {
            Kind::Other("AAC (ADTS)")
        } else {
            Kind::Mp3
        };
    }
    let others: [(usize, &[u8], &'static str); 8] = [
        (4, b"ftyp", "MP4/M4A"),
        (0, b"#!AMR", "AMR"),
        (0, b"caff", "CAF"),
        (0, &[0x1A, 0x45, 0xDF, 0xA3], "Matroska/WebM"),
        (0, b".snd", "Sun/NeXT AU"),
        (0, b"MAC ", "Monkey's Audio"),
        (0, b"wvpk", "WavPack"),
        (0, &[0x30, 0x26, 0xB2, 0x75], "ASF/WMA"),
    ];
    for (off, magic, name) in others {
        if at(off, magic) {
            return Kind::Other(name);
        }
    }
    if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        return Kind::Other("AIFF");
    }
    // A recorder that died mid-frame leaves a partial last frame: still GSM.
    if ext == "gsm" && file_len >= 33 && head.chunks_exact(33).all(|f| f[0] >> 4 == 0xD) {
        return Kind::RawGsm;
    }
    let texty = |b: &u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7E) || *b >= 0x80;
    // A multi-byte character may be cut at the end of the sniffed block.
    let utf8 = std::str::from_utf8(head).map_or_else(|e| e.error_len().is_none(), |_| true);
    if !head.is_empty() && head.iter().all(texty) && utf8 {
        return Kind::Text;
    }
    Kind::Unknown
}
