//! Recordings whose header lies (issue 12): a sample rate of 0, 1 Hz or
//! 4 GHz, a length the file cannot hold, a FIFO in place of a file, and a
//! sweep of extreme values through every field of every WAV codec. None
//! may panic; each is refused with a reason, and the rest of the program
//! (the player, the analysis) goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use super::AudioError;
use super::codec_tests::ffmpeg_lavfi;
use super::probe::probe;
use super::source::CallSource;

/// How long a probe may take before the test calls it a hang.
const DEADLINE: Duration = Duration::from_secs(10);

/// The fields of a WAV `fmt ` chunk, plus what follows the 16 common bytes.
#[derive(Clone)]
pub(crate) struct Fmt {
    pub tag: u16,
    pub channels: u16,
    pub rate: u32,
    pub block_align: u16,
    pub bits: u16,
    /// cbSize and the codec's extra bytes (empty: a 16-byte chunk).
    pub extra: Vec<u8>,
}

impl Fmt {
    /// Mono 8 kHz headers of the five WAV codecs symphonia decodes.
    pub(crate) fn all_codecs() -> Vec<(&'static str, Fmt)> {
        let plain = |tag, block_align, bits| Fmt {
            tag,
            channels: 1,
            rate: 8000,
            block_align,
            bits,
            extra: Vec::new(),
        };
        let mut ima = plain(0x0011, 256, 4);
        ima.extra = [2u16, 505].iter().flat_map(|w| w.to_le_bytes()).collect();
        let mut ms = plain(0x0002, 256, 4);
        // cbSize 32, 500 samples per block, the 7 standard coefficient pairs.
        let coefs: [i16; 14] = [
            256, 0, 512, -256, 0, 0, 192, 64, 240, 0, 460, -208, 392, -232,
        ];
        ms.extra = [32u16, 500, 7]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .chain(coefs.iter().flat_map(|c| c.to_le_bytes()))
            .collect();
        vec![
            ("PCM", plain(0x0001, 2, 16)),
            ("A-law", plain(0x0006, 1, 8)),
            ("mu-law", plain(0x0007, 1, 8)),
            ("IMA ADPCM", ima),
            ("MS ADPCM", ms),
        ]
    }

    /// The whole file: RIFF header, this `fmt ` chunk, `data` with `data`.
    pub(crate) fn wav(&self, data: &[u8]) -> Vec<u8> {
        let fmt_len = 16 + self.extra.len() as u32;
        let mut v = Vec::new();
        v.extend_from_slice(b"RIFF");
        v.extend_from_slice(&(4 + 8 + fmt_len + 8 + data.len() as u32).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&fmt_len.to_le_bytes());
        v.extend_from_slice(&self.tag.to_le_bytes());
        v.extend_from_slice(&self.channels.to_le_bytes());
        v.extend_from_slice(&self.rate.to_le_bytes());
        let byte_rate = self.rate.wrapping_mul(u32::from(self.block_align));
        v.extend_from_slice(&byte_rate.to_le_bytes());
        v.extend_from_slice(&self.block_align.to_le_bytes());
        v.extend_from_slice(&self.bits.to_le_bytes());
        v.extend_from_slice(&self.extra);
        v.extend_from_slice(b"data");
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        v
    }
}

/// Bytes that decode in every codec (silence; MS ADPCM's predictor 0).
pub(crate) fn silence() -> Vec<u8> {
    vec![0; 8192]
}

/// Bytes that are no audio at all: ADPCM block headers out of range, a
/// decoder's arithmetic overflowing.
fn garbage() -> Vec<u8> {
    (0..8192u32).map(|i| (i * 37 % 251) as u8).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Probe on another thread: `Err` names a panic or a hang instead of
/// taking the test runner down with it.
fn probe_safely(path: &Path) -> Result<Result<super::AudioInfo, String>, String> {
    let (tx, rx) = mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::spawn(move || {
        let result = catch_unwind(AssertUnwindSafe(|| {
            probe(&owned).map_err(|e| e.to_string())
        }));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(panic)) => Err(format!("panicked: {}", super::panic_text(panic.as_ref()))),
        Err(_) => Err("hung".into()),
    }
}

/// The probe's refusal, failing the test on a success, a panic or a hang.
fn refusal(path: &Path) -> String {
    match probe_safely(path) {
        Ok(Ok(info)) => panic!("{} probed as audio: {info:?}", path.display()),
        Ok(Err(reason)) => reason,
        Err(what) => panic!("{}: probe {what}", path.display()),
    }
}

#[test]
fn a_zero_sample_rate_is_refused_in_every_wav_codec() {
    let dir = tempfile::tempdir().unwrap();
    for (name, mut fmt) in Fmt::all_codecs() {
        let good = write(dir.path(), "good.wav", &fmt.wav(&silence()));
        assert!(probe(&good).is_ok(), "{name}: {:?}", probe(&good));
        fmt.rate = 0;
        let path = write(dir.path(), "zero.wav", &fmt.wav(&silence()));
        let reason = refusal(&path);
        assert!(
            reason.starts_with("zero.wav: ") && reason.contains("sample rate of 0 Hz"),
            "{name}: {reason}"
        );
        // The player and the analysis open recordings through CallSource.
        let opened = catch_unwind(|| CallSource::open(&path).map(|_| ()));
        assert!(matches!(opened, Ok(Err(_))), "{name}: CallSource::open");
    }
}

#[test]
fn absurd_sample_rates_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (name, mut fmt) in Fmt::all_codecs() {
        for rate in [1, 999, 4_000_000_000] {
            fmt.rate = rate;
            let path = write(dir.path(), "odd.wav", &fmt.wav(&silence()));
            let reason = refusal(&path);
            assert!(
                reason.contains(&format!("sample rate of {rate} Hz")),
                "{name} at {rate} Hz: {reason}"
            );
        }
    }
}

/// No value in any field of the `fmt ` chunk may panic the probe or a
/// source reading the file: each is either played or refused.
#[test]
fn no_header_value_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sweep.wav");
    let mut panics = Vec::new();
    for (name, base) in Fmt::all_codecs() {
        let extremes = |f: &dyn Fn(&mut Fmt, u32)| -> Vec<Fmt> {
            [0, 1, 2, 3, 255, 0xFFFF, u32::MAX]
                .into_iter()
                .map(|v| {
                    let mut fmt = base.clone();
                    f(&mut fmt, v);
                    fmt
                })
                .collect()
        };
        let mut variants = Vec::new();
        variants.extend(extremes(&|f, v| f.channels = v as u16));
        variants.extend(extremes(&|f, v| f.rate = v));
        variants.extend(extremes(&|f, v| f.block_align = v as u16));
        variants.extend(extremes(&|f, v| f.bits = v as u16));
        if base.extra.len() >= 4 {
            // ADPCM's samples per block.
            variants.extend(extremes(&|f, v| {
                f.extra[2..4].copy_from_slice(&(v as u16).to_le_bytes())
            }));
        }
        for fmt in variants {
            let described = format!(
                "{name}: channels {} rate {} block {} bits {} extra {:?}",
                fmt.channels, fmt.rate, fmt.block_align, fmt.bits, fmt.extra
            );
            // The header alone must be judged by the checks, never by the
            // safety net that catches a crashing decoder.
            std::fs::write(&path, fmt.wav(&silence())).unwrap();
            match catch_unwind(|| probe(&path)) {
                Ok(Err(crash @ AudioError::Crashed { .. })) => {
                    panics.push(format!("{described}: {crash}"));
                }
                Err(_) => panics.push(format!("{described}: probe panicked")),
                Ok(_) => {}
            }
            // Garbage behind the header: reading it through must end.
            std::fs::write(&path, fmt.wav(&garbage())).unwrap();
            let read = catch_unwind(|| {
                if let Ok(mut source) = CallSource::open(&path) {
                    while source.next_block().is_some() {}
                }
            });
            if read.is_err() {
                panics.push(format!("{described}: reading panicked"));
            }
        }
    }
    assert!(
        panics.is_empty(),
        "these headers panic:\n{}",
        panics.join("\n")
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let reason = refusal(&path);
    assert!(
        reason.contains("not a regular file (a named pipe)"),
        "{reason}"
    );
    assert!(CallSource::open(&path).is_err());
    // A device is no recording either (and /dev/zero never ends).
    assert!(refusal(Path::new("/dev/zero")).contains("not a regular file (a device)"));
}

/// `ffmpeg` makes a 2-second 48 kHz recording of `codec` into `name`.
pub(crate) fn encode(dir: &Path, name: &str, codec: &[&str]) -> Option<PathBuf> {
    let sine = "sine=frequency=440:sample_rate=48000:duration=2";
    ffmpeg_lavfi(dir, name, sine, codec)
}

/// The Ogg page checksum (CRC-32, polynomial 0x04C11DB7, not reflected).
fn ogg_crc(page: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &byte in page {
        crc ^= u32::from(byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Rewrite an Ogg file page by page: `edit(page_index, page)` may change
/// a page (not its length); every checksum is recomputed.
fn edit_ogg(path: &Path, edit: impl Fn(usize, &mut [u8])) {
    let mut bytes = std::fs::read(path).unwrap();
    let (mut at, mut index) = (0, 0);
    while at + 27 <= bytes.len() && &bytes[at..at + 4] == b"OggS" {
        let segments = usize::from(bytes[at + 26]);
        let body: usize = bytes[at + 27..at + 27 + segments]
            .iter()
            .map(|&b| usize::from(b))
            .sum();
        let end = at + 27 + segments + body;
        let page = &mut bytes[at..end];
        edit(index, page);
        page[22..26].fill(0);
        let crc = ogg_crc(page);
        page[22..26].copy_from_slice(&crc.to_le_bytes());
        at = end;
        index += 1;
    }
    std::fs::write(path, bytes).unwrap();
}

/// Make a FLAC file's STREAMINFO claim `frames` (36 bits) of audio.
pub(crate) fn claim_flac_frames(path: &Path, frames: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    // STREAMINFO starts at byte 8; total samples are its bits 108..144.
    let at = 8 + 13;
    bytes[at] = (bytes[at] & 0xF0) | (frames >> 32) as u8 & 0x0F;
    bytes[at + 1..at + 5].copy_from_slice(&(frames as u32).to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_flac_header_claiming_a_huge_length_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = encode(dir.path(), "long.flac", &["-c:a", "flac"]) else {
        return;
    };
    claim_flac_frames(&path, (1 << 36) - 1);
    let reason = refusal(&path);
    assert!(reason.contains("header claims"), "{reason}");
}

#[test]
fn an_ogg_opus_end_claiming_a_huge_length_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = encode(dir.path(), "long.opus", &["-c:a", "libopus", "-f", "ogg"]) else {
        return;
    };
    let pages = std::fs::read(&path)
        .unwrap()
        .windows(4)
        .filter(|w| w == b"OggS")
        .count();
    // The granule position of the last page is the stream's length.
    edit_ogg(&path, |index, page| {
        if index + 1 == pages {
            page[6..14].copy_from_slice(&(i64::MAX as u64 / 2).to_le_bytes());
        }
    });
    let reason = refusal(&path);
    assert!(reason.contains("header claims"), "{reason}");
}

#[test]
fn an_ogg_vorbis_sample_rate_of_4_ghz_or_1_hz_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = encode(dir.path(), "rate.ogg", &["-c:a", "libvorbis"]) else {
        return;
    };
    for rate in [4_000_000_000u32, 1] {
        // The identification header: page header (28 bytes with one
        // segment), then "\x01vorbis", version (4), channels (1), rate.
        edit_ogg(&path, |index, page| {
            if index == 0 {
                page[28 + 12..28 + 16].copy_from_slice(&rate.to_le_bytes());
            }
        });
        let reason = refusal(&path);
        assert!(
            reason.contains(&format!("sample rate of {rate} Hz")),
            "{reason}"
        );
    }
}
