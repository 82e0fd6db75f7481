//! The WAV checks symphonia does not do for us, and one repair.
//!
//! Call recordings come out of telephony systems with WAV headers that are
//! broken in a few typical ways. We read the RIFF chunk list ourselves to
//! tell them apart (a copy cut short, a recorder that never wrote the data
//! length, a codec symphonia has no decoder for), and we repair one harmless
//! defect on the fly: G.711 (mu-law/A-law) files whose `fmt ` chunk is 16
//! bytes instead of 18. symphonia refuses those, yet several recorders write
//! them; [`PatchedWav`] presents the same file with an 18-byte chunk.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

use super::AudioError;

/// The parts of a WAV header we check ourselves.
#[derive(Clone, Debug)]
pub(super) struct WavLayout {
    pub(super) format_tag: u16,
    /// For WAVE_FORMAT_EXTENSIBLE: the first two bytes of the sub-format GUID.
    pub(super) sub_tag: u16,
    pub(super) sample_rate: u32,
    pub(super) channels: u16,
    pub(super) block_align: u16,
    /// Frames per block (ADPCM: `wSamplesPerBlock`; PCM: 1).
    pub(super) frames_per_block: u64,
    /// Byte offset and declared length of the data chunk, if one was found.
    pub(super) data: Option<(u64, u32)>,
    /// Declared size of the `fmt ` chunk.
    pub(super) fmt_size: u32,
}

/// WAV format tags we decode: symphonia's (pcm, adpcm) and GSM 6.10.
pub(super) const WAV_TAGS_DECODED: [u16; 8] = [
    0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011, 0x0031, 0xFFFE,
];
/// WAVE_FORMAT_GSM610 ("wav49").
pub(super) const GSM_WAV_TAG: u16 = 0x0031;

pub(super) fn read_wav_layout(file: &mut File) -> std::io::Result<WavLayout> {
    let mut layout = WavLayout {
        format_tag: 0x0001,
        sub_tag: 0,
        sample_rate: 0,
        channels: 1,
        block_align: 1,
        frames_per_block: 1,
        data: None,
        fmt_size: 0,
    };
    let mut offset = 12u64;
    for _ in 0..256 {
        let mut header = [0u8; 8];
        file.seek(SeekFrom::Start(offset))?;
        if file.read_exact(&mut header).is_err() {
            break;
        }
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        match &header[0..4] {
            b"fmt " => {
                layout.fmt_size = size;
                let mut fmt = Vec::new();
                file.take(u64::from(size.min(40))).read_to_end(&mut fmt)?;
                let word = |i: usize| fmt.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
                layout.format_tag = word(0).unwrap_or(0);
                layout.block_align = word(12).unwrap_or(1).max(1);
                layout.channels = word(2).unwrap_or(1);
                layout.sub_tag = word(24).unwrap_or(0);
                layout.sample_rate = fmt
                    .get(4..8)
                    .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                if matches!(layout.format_tag, 0x0002 | 0x0011 | 0x0031) {
                    layout.frames_per_block = u64::from(word(18).unwrap_or(1).max(1));
                }
            }
            b"data" => {
                layout.data = Some((offset + 8, size));
                break;
            }
            _ => {}
        }
        offset += 8 + u64::from(size) + u64::from(size & 1);
    }
    Ok(layout)
}

/// Refuse the `fmt ` values symphonia would panic on or believe: a sample
/// rate no recording has, no channels, and ADPCM blocks that cannot hold
/// their own header or disagree with the samples per block they declare.
pub(super) fn check_wav_header(file: &str, wav: &WavLayout) -> Result<(), AudioError> {
    let wrong = |detail: String| AudioError::Implausible {
        file: file.to_string(),
        detail,
    };
    // GSM 6.10 is always 8 kHz, and some writers leave the rate at 0.
    if !(wav.format_tag == GSM_WAV_TAG && wav.sample_rate == 0) {
        super::probe::check_sample_rate(file, wav.sample_rate)?;
    }
    if wav.channels == 0 {
        return Err(wrong("0 channels".into()));
    }
    // Block header bytes per channel, and samples it holds besides the nibbles.
    let (name, header, extra) = match wav.format_tag {
        0x0011 => ("IMA ADPCM", 4, 1),
        0x0002 => ("MS ADPCM", 7, 2),
        _ => return Ok(()),
    };
    let channels = u64::from(wav.channels);
    if channels > 2 {
        return Err(wrong(format!(
            "{name} with {channels} channels (1 or 2 are possible)"
        )));
    }
    let block = u64::from(wav.block_align);
    let Some(nibbles) = block.checked_sub(header * channels).filter(|n| *n > 0) else {
        return Err(wrong(format!(
            "{name} blocks of {block} bytes cannot hold their {}-byte header",
            header * channels
        )));
    };
    let holds = nibbles * 2 / channels + extra;
    if wav.frames_per_block != holds {
        return Err(wrong(format!(
            "{name} blocks of {block} bytes hold {holds} samples, the header says {}",
            wav.frames_per_block
        )));
    }
    Ok(())
}

/// Compare the data chunk's declared length with what the file holds.
pub(super) fn check_wav_length(
    file: &str,
    wav: &WavLayout,
    file_len: u64,
) -> Result<(), AudioError> {
    let (Some((offset, declared)), rate @ 1..) = (wav.data, wav.sample_rate) else {
        return Ok(());
    };
    let block = u64::from(wav.block_align);
    let ms = |bytes: u64| bytes / block * wav.frames_per_block * 1000 / u64::from(rate);
    let available = file_len.saturating_sub(offset);
    if declared == u32::MAX || (declared == 0 && available >= block) {
        return Err(AudioError::Unfinalised {
            file: file.to_string(),
            holds_ms: ms(available),
        });
    }
    if u64::from(declared) >= available + block {
        return Err(AudioError::Truncated {
            file: file.to_string(),
            promised_ms: ms(u64::from(declared)),
            holds_ms: ms(available),
        });
    }
    Ok(())
}

pub(super) fn wav_codec_name(tag: u16) -> String {
    let name = match tag {
        0x0000 => "unknown (WAV format tag 0)",
        0x0010 => "OKI ADPCM",
        0x0014 => "G.723 ADPCM",
        0x0017 => "Dialogic OKI ADPCM (VOX)",
        0x0020 => "Yamaha ADPCM",
        0x0022 => "DSP Group TrueSpeech",
        0x0031 => "GSM 6.10",
        0x0032 => "MSN Audio (GSM 6.10)",
        0x0040 => "G.721 ADPCM",
        0x0041 => "G.728 CELP",
        0x0042 => "G.723.1",
        0x0050 => "MPEG Layer I/II in WAV",
        0x0055 => "MP3 in WAV",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x0133 => "G.729",
        0x0134 => "G.729A",
        0x0161..=0x0163 => "Windows Media Audio",
        0x00FF | 0x1610 => "AAC in WAV",
        0x2000 => "AC-3 in WAV",
        _ => return format!("WAV format tag 0x{tag:04X}"),
    };
    name.into()
}

impl WavLayout {
    /// A G.711 file with the 16-byte `fmt ` chunk symphonia rejects.
    pub(super) fn needs_fmt_patch(&self) -> bool {
        matches!(self.format_tag, 0x0006 | 0x0007) && self.fmt_size == 16
    }
}

/// A WAV file seen through a rewritten header: the chunks before `data` are
/// rebuilt in memory (the 16-byte `fmt ` chunk grows to 18 bytes) and the
/// audio is read from the file untouched.
pub(super) struct PatchedWav {
    header: Vec<u8>,
    file: File,
    data_start: u64,
    len: u64,
    pos: u64,
}

impl PatchedWav {
    pub(super) fn new(mut file: File, layout: &WavLayout, file_len: u64) -> io::Result<Self> {
        let Some((data_start, data_len)) = layout.data else {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "no data chunk"));
        };
        let chunks_len = data_start.saturating_sub(8 + 12);
        if chunks_len > 1 << 20 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "header too large",
            ));
        }
        let mut chunks = vec![0u8; chunks_len as usize];
        file.seek(SeekFrom::Start(12))?;
        file.read_exact(&mut chunks)?;
        let mut header = b"RIFF\0\0\0\0WAVE".to_vec();
        let mut at = 0;
        while at + 8 <= chunks.len() {
            let size = u32::from_le_bytes([
                chunks[at + 4],
                chunks[at + 5],
                chunks[at + 6],
                chunks[at + 7],
            ]);
            let end = (at + 8 + size as usize + (size & 1) as usize).min(chunks.len());
            if &chunks[at..at + 4] == b"fmt " && size == 16 {
                header.extend_from_slice(b"fmt \x12\0\0\0");
                header.extend_from_slice(&chunks[at + 8..end]);
                header.extend_from_slice(&[0, 0]); // cbSize
            } else {
                header.extend_from_slice(&chunks[at..end]);
            }
            at = end;
        }
        header.extend_from_slice(b"data");
        header.extend_from_slice(&data_len.to_le_bytes());
        let riff_len = (header.len() as u64 - 8 + u64::from(data_len)).min(u64::from(u32::MAX));
        header[4..8].copy_from_slice(&(riff_len as u32).to_le_bytes());
        let len = header.len() as u64 + file_len.saturating_sub(data_start);
        Ok(PatchedWav {
            header,
            file,
            data_start,
            len,
            pos: 0,
        })
    }
}

impl Read for PatchedWav {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let header_len = self.header.len() as u64;
        let n = if self.pos < header_len {
            let rest = &self.header[self.pos as usize..];
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            n
        } else {
            let at = self.data_start + (self.pos - header_len);
            self.file.seek(SeekFrom::Start(at))?;
            self.file.read(buf)?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PatchedWav {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        self.pos = target;
        Ok(target)
    }
}

impl MediaSource for PatchedWav {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}
