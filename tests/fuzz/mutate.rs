//! Mutations of a file's bytes, by what the file is: raw byte damage for
//! anything, line and field damage for CSV and TOML, value damage for JSON,
//! and header fields set to zero or to absurd values for recordings. Each
//! mutation says what it did, so a failing case can be read and rebuilt.

use super::rng::Rng;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Csv,
    Json,
    Toml,
    Wav,
    Mp3,
    Flac,
    Ogg,
    Gsm,
}

/// Values that break parsers: empty, zero, out of range, huge, control and
/// direction characters, formulas, bytes of other encodings.
const NASTY: &[&[u8]] = &[
    b"",
    b"0",
    b"-1",
    b"4294967296",
    b"18446744073709551616",
    b"1e308",
    b"-1e308",
    b"NaN",
    b"inf",
    b"99999999999999999999999999999999999999999",
    b"\xef\xbb\xbf",
    b"\"",
    b"\"\"",
    b"\0",
    b"\r",
    b"\x1b[31mred\x1b[0m",
    b"\x07\x08\x7f",
    b"\xc2\x9b2J",
    b"=HYPERLINK(\"http://x\",\"y\")",
    b"+cmd|'/c calc'!A1",
    b"\xe2\x80\xaeevil",
    b"\xcf\xf0\xe8\xe2\xe5\xf2",
    b"\xff\xfe",
    b"\xc3",
    b"9999-12-31T23:59:59+14:00",
    b"0000-00-00T00:00:00+00:00",
    b"2026-02-30T10:00:00+03:00",
    b"2026-11-23T10:15:00+99:99",
    b"../outside/canary.csv",
    b"/etc/passwd",
    b"recordings/../../outside/canary.wav",
];

fn nasty(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(12) {
        return vec![b'A'; 70_000];
    }
    rng.pick(NASTY).to_vec()
}

/// One to three mutations of `bytes`, with a description of each.
pub fn mutate(rng: &mut Rng, bytes: &[u8], shape: Shape) -> (Vec<u8>, String) {
    let mut out = bytes.to_vec();
    let mut what = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let step = match shape {
            _ if rng.chance(4) => raw(rng, &mut out),
            Shape::Csv | Shape::Toml => lines(rng, &mut out, shape),
            Shape::Json => json(rng, &mut out),
            audio => header(rng, &mut out, audio),
        };
        what.push(step);
    }
    (out, what.join("; "))
}

/// Damage that knows nothing of the format.
fn raw(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let at = rng.below(bytes.len() + 1);
    match rng.below(5) {
        0 => {
            bytes.truncate(at);
            format!("truncated at byte {at}")
        }
        1 if !bytes.is_empty() => {
            let at = at.min(bytes.len() - 1);
            let bit = 1u8 << rng.below(8);
            bytes[at] ^= bit;
            format!("flipped bit {bit:#x} of byte {at}")
        }
        2 => {
            let value = nasty(rng);
            let shown = show(&value);
            bytes.splice(at..at, value);
            format!("inserted {shown} at byte {at}")
        }
        3 => {
            let len = rng.below(64).min(bytes.len() - at);
            let fill = *rng.pick(&[0u8, 0xff]);
            bytes[at..at + len].fill(fill);
            format!("{len} bytes at {at} set to {fill:#x}")
        }
        _ => {
            let len = rng.below(256).min(bytes.len() - at);
            bytes.drain(at..at + len);
            format!("removed {len} bytes at {at}")
        }
    }
}

fn show(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    if text.len() > 40 {
        format!("{:?}… ({} bytes)", &text[..20], value.len())
    } else {
        format!("{text:?}")
    }
}

/// Line and field damage: duplicated, deleted and swapped lines, a field
/// replaced or removed, separators swapped, stray quotes and line ends.
fn lines(rng: &mut Rng, bytes: &mut Vec<u8>, shape: Shape) -> String {
    let delimiter = match shape {
        Shape::Csv => callqa::import::formats::text::pick_delimiter(bytes),
        _ => b'=',
    };
    let mut rows: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let n = rows.len();
    let i = rng.below(n);
    let j = rng.below(n);
    let what = match rng.below(9) {
        0 => {
            let row = rows[i].clone();
            rows.insert(j, row);
            format!("line {} copied to line {}", i + 1, j + 1)
        }
        1 if n > 1 => {
            rows.remove(i);
            format!("line {} deleted", i + 1)
        }
        2 => {
            rows.swap(i, j);
            format!("lines {} and {} swapped", i + 1, j + 1)
        }
        3 | 4 => {
            let mut fields: Vec<Vec<u8>> = rows[i]
                .split(|&b| b == delimiter)
                .map(<[u8]>::to_vec)
                .collect();
            let f = rng.below(fields.len());
            let value = nasty(rng);
            let what = format!("line {} field {} set to {}", i + 1, f + 1, show(&value));
            fields[f] = value;
            rows[i] = fields.join(&delimiter);
            what
        }
        5 => {
            let mut fields: Vec<Vec<u8>> = rows[i]
                .split(|&b| b == delimiter)
                .map(<[u8]>::to_vec)
                .collect();
            let f = rng.below(fields.len());
            if rng.chance(2) && fields.len() > 1 {
                fields.remove(f);
                rows[i] = fields.join(&delimiter);
                format!("line {} field {} removed", i + 1, f + 1)
            } else {
                let copy = fields[f].clone();
                fields.insert(f, copy);
                rows[i] = fields.join(&delimiter);
                format!("line {} field {} doubled", i + 1, f + 1)
            }
        }
        6 => {
            let other = if delimiter == b',' { b';' } else { b',' };
            for b in rows[i].iter_mut() {
                if *b == delimiter {
                    *b = other;
                } else if *b == other {
                    *b = delimiter;
                }
            }
            format!("line {} separators swapped", i + 1)
        }
        7 => {
            let at = rng.below(rows[i].len() + 1);
            let strays: [&[u8]; 5] = [b"\"", b"\r", b"\0", b"\xef\xbb\xbf", b"\xff"];
            let stray = *rng.pick(&strays);
            let what = format!("{} inserted in line {} at {at}", show(stray), i + 1);
            rows[i].splice(at..at, stray.iter().copied());
            what
        }
        _ => {
            if rng.chance(2) {
                for row in rows.iter_mut() {
                    if !row.ends_with(b"\r") {
                        row.push(b'\r');
                    }
                }
                "every line ended with CRLF".into()
            } else if let Ok(text) = std::str::from_utf8(bytes) {
                let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(text);
                *bytes = cp1251.into_owned();
                return "re-encoded as Windows-1251".into();
            } else {
                "nothing (not UTF-8)".into()
            }
        }
    };
    *bytes = rows.join(&b'\n');
    what
}

/// Value damage inside a JSON document that still parses; a document that
/// does not parse gets raw damage.
fn json(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let Ok(mut doc) = serde_json::from_slice::<Value>(bytes) else {
        return raw(rng, bytes);
    };
    let mut paths = Vec::new();
    collect_paths(&doc, String::new(), &mut paths);
    let path = rng.pick(&paths).clone();
    let (parent, key) = path.rsplit_once('/').unwrap_or(("", ""));
    let what = match rng.below(6) {
        0 if !path.is_empty() => {
            match doc.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&unescape(key));
                }
                Some(Value::Array(list)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        list.remove(i);
                    }
                }
                _ => {}
            }
            format!("{path} removed")
        }
        1 if !path.is_empty() => {
            if let (Some(Value::Array(list)), Ok(i)) =
                (doc.pointer_mut(parent), key.parse::<usize>())
            {
                let copy = list[i].clone();
                list.insert(i, copy);
                format!("{path} doubled")
            } else if let Some(Value::Object(map)) = doc.pointer_mut(parent) {
                if let Some(v) = map.remove(&unescape(key)) {
                    map.insert(format!("{}X", unescape(key)), v);
                }
                format!("{path} renamed")
            } else {
                "nothing".into()
            }
        }
        2 => {
            let node = doc.pointer_mut(&path).expect("collected");
            let swapped = match node {
                Value::String(s) => s.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
                Value::Number(n) => Value::String(n.to_string()),
                Value::Array(_) => Value::Object(Default::default()),
                Value::Object(_) => Value::Array(Vec::new()),
                _ => Value::String("yes".into()),
            };
            *node = swapped;
            format!("{path} changed type")
        }
        _ => {
            let value = nasty_json(rng);
            let what = format!("{path} set to {}", show(value.to_string().as_bytes()));
            *doc.pointer_mut(&path).expect("collected") = value;
            what
        }
    };
    *bytes = serde_json::to_vec_pretty(&doc).expect("serialises");
    what
}

fn nasty_json(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => Value::from(u64::MAX),
        2 => Value::from(i64::MIN),
        3 => Value::from(1e308),
        4 => Value::from(0),
        5 => Value::from(-1),
        6 => serde_json::json!([[[]]]),
        _ => Value::String(String::from_utf8_lossy(&nasty(rng)).into_owned()),
    }
}

fn collect_paths(value: &Value, path: String, out: &mut Vec<String>) {
    out.push(path.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                collect_paths(v, format!("{path}/{k}"), out);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                collect_paths(v, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn unescape(key: &str) -> String {
    key.replace("~1", "/").replace("~0", "~")
}

/// Absurd values in the fields a decoder sets itself up from: sample
/// rates of 0, 1 Hz and 4e9, no or 65535 channels, lengths of 0 or the
/// most the field can say.
fn header(rng: &mut Rng, bytes: &mut Vec<u8>, shape: Shape) -> String {
    let u32s = [0u32, 1, 2, 8000, 65_535, 4_000_000_000, u32::MAX];
    let value = *rng.pick(&u32s);
    let field = |name: &str, at: usize| format!("{name} (byte {at}) set to {value}");
    match shape {
        Shape::Wav => {
            let Some(fmt) = find(bytes, b"fmt ") else {
                return raw(rng, bytes);
            };
            let body = fmt + 8;
            let data = find(bytes, b"data").map_or(0, |d| d + 4);
            const RATES: &[u32] = &[0, 1, 2, 8000, 4_000_000_000, u32::MAX];
            const COUNTS: &[u32] = &[0, 1, 2, 3, 255, 65_535];
            const SIZES: &[u32] = &[0, 1, 2, 0x7FFF_FFFF, u32::MAX];
            const FORMATS: &[u32] = &[0, 1, 2, 3, 6, 7, 17, 49, 0xFFFE, 65_535];
            let (name, at, width, values) = *rng.pick(&[
                ("format", body, 2, FORMATS),
                ("channels", body + 2, 2, COUNTS),
                ("sample rate", body + 4, 4, RATES),
                ("sample rate", body + 4, 4, RATES),
                ("byte rate", body + 8, 4, SIZES),
                ("block align", body + 12, 2, COUNTS),
                ("bits per sample", body + 14, 2, COUNTS),
                ("fmt size", fmt + 4, 4, SIZES),
                ("RIFF size", 4, 4, SIZES),
                ("data size", data, 4, SIZES),
            ]);
            let value = *rng.pick(values);
            put_le(bytes, at, width, value);
            format!("{name} (byte {at}) set to {value}")
        }
        Shape::Flac => {
            // STREAMINFO: block sizes, frame sizes, then 20 bits of sample
            // rate, 3 of channels, 5 of bits per sample, 36 of total samples.
            let info = 8;
            if bytes.len() < info + 18 {
                return raw(rng, bytes);
            }
            match rng.below(5) {
                0 => {
                    put_be(bytes, info, 2, value);
                    put_be(bytes, info + 2, 2, value);
                    field("block sizes", info)
                }
                1 => {
                    let rate = [0u32, 1, 0xF_FFFF][rng.below(3)];
                    bytes[info + 10] = (rate >> 12) as u8;
                    bytes[info + 11] = (rate >> 4) as u8;
                    bytes[info + 12] = (bytes[info + 12] & 0x0F) | ((rate & 0xF) << 4) as u8;
                    format!("sample rate set to {rate}")
                }
                2 => {
                    bytes[info + 13] |= 0x0F;
                    bytes[info + 14..info + 18].fill(0xFF);
                    "total samples set to 2^36-1".into()
                }
                3 => {
                    bytes[info + 12] |= 0x0E;
                    "channels set to 8".into()
                }
                _ => {
                    put_be(bytes, info + 4, 3, value);
                    field("min frame size", info + 4)
                }
            }
        }
        Shape::Ogg => {
            let pages = find_all(bytes, b"OggS");
            if pages.is_empty() {
                return raw(rng, bytes);
            }
            if rng.chance(2) {
                let page = *rng.pick(&pages);
                let at = page + 6;
                bytes[at..at + 8].fill(if rng.chance(2) { 0xFF } else { 0x7F });
                format!("granule position of the page at {page} set to the maximum")
            } else if let Some(id) = find(bytes, b"\x01vorbis") {
                let at = id + 12;
                put_le(bytes, at, 4, value);
                field("vorbis sample rate", at)
            } else {
                raw(rng, bytes)
            }
        }
        Shape::Mp3 => {
            let Some(sync) = bytes
                .windows(2)
                .position(|w| w[0] == 0xFF && w[1] & 0xE0 == 0xE0)
            else {
                return raw(rng, bytes);
            };
            match rng.below(3) {
                0 => {
                    bytes[sync + 2] |= 0x0C;
                    format!("reserved sample rate in the frame at {sync}")
                }
                1 => {
                    bytes[sync + 2] |= 0xF0;
                    format!("bad bitrate in the frame at {sync}")
                }
                _ => match find(bytes, b"Xing").or_else(|| find(bytes, b"Info")) {
                    Some(x) => {
                        put_be(bytes, x + 8, 4, value);
                        field("Xing frame count", x + 8)
                    }
                    None => raw(rng, bytes),
                },
            }
        }
        _ => raw(rng, bytes),
    }
}

fn put_le(bytes: &mut [u8], at: usize, width: usize, value: u32) {
    if at + width <= bytes.len() {
        bytes[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
    }
}

fn put_be(bytes: &mut [u8], at: usize, width: usize, value: u32) {
    if at + width <= bytes.len() {
        bytes[at..at + width].copy_from_slice(&value.to_be_bytes()[4 - width..]);
    }
}

pub fn find(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes.windows(needle.len()).position(|w| w == needle)
}

fn find_all(bytes: &[u8], needle: &[u8]) -> Vec<usize> {
    bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}
