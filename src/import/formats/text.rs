//! Exported text as it really arrives: UTF-8 with or without a BOM, or
//! Windows-1251 from a Russian Excel (sometimes KOI8-R), `;` or `,` between
//! fields, CRLF line ends, newlines inside quoted notes. Everything is
//! decoded to UTF-8 once here, so the format readers only see text, and
//! each CSV record keeps the line it starts on for messages.

use super::super::Problem;
use encoding_rs::{Encoding, KOI8_R, UTF_8, WINDOWS_1251};
use std::collections::HashMap;
use std::path::Path;

/// A decoded file and how it was decoded.
#[derive(Debug)]
pub struct Text {
    pub text: String,
    pub encoding: &'static str,
    /// True when the encoding was guessed from the bytes.
    pub guessed: bool,
}

/// Read `path` as text. `encoding` (a WHATWG label such as `windows-1251`
/// or `cp1251`) wins when given; otherwise a BOM, then valid UTF-8, then a
/// guess between the Cyrillic single-byte encodings.
pub fn read_text(path: &Path, name: &str, encoding: Option<&str>) -> Result<Text, Problem> {
    let bytes =
        std::fs::read(path).map_err(|e| Problem::file(name, format!("cannot read: {e}")))?;
    decode(&bytes, name, encoding)
}

pub fn decode(bytes: &[u8], name: &str, encoding: Option<&str>) -> Result<Text, Problem> {
    let (forced, guessed) = match encoding.map(str::trim).filter(|e| !e.is_empty()) {
        Some(label) => {
            let label = if label.eq_ignore_ascii_case("cp1251") {
                "windows-1251"
            } else {
                label
            };
            let enc = Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                Problem::file(
                    name,
                    format!("unknown encoding {label:?} (use utf-8, windows-1251 or koi8-r)"),
                )
            })?;
            (enc, false)
        }
        None => match Encoding::for_bom(bytes) {
            Some((enc, _)) => (enc, false),
            None if std::str::from_utf8(bytes).is_ok() => (UTF_8, false),
            None => match guess_cyrillic(bytes) {
                Some(enc) => (enc, true),
                None => {
                    return Err(Problem::file(
                        name,
                        "not UTF-8 text, and not recognisably Windows-1251 either; \
                         pass the encoding (for example --encoding windows-1251)"
                            .into(),
                    ));
                }
            },
        },
    };
    // `decode` removes a BOM and follows it, whatever the label said.
    let (text, used, had_errors) = forced.decode(bytes);
    if had_errors {
        return Err(Problem::file(
            name,
            format!(
                "not valid {} text; pass the right encoding (for example --encoding windows-1251)",
                used.name()
            ),
        ));
    }
    // CRLF to LF: the csv crate counts lines one short after a CRLF record
    // end, and notes read the same whatever system wrote them.
    Ok(Text {
        text: text.replace("\r\n", "\n"),
        encoding: used.name(),
        guessed,
    })
}

/// Windows-1251 and KOI8-R both put Cyrillic letters in 0xC0..=0xFF, but
/// swap the cases: ordinary text is mostly lower case, which is 0xE0..=0xFF
/// in Windows-1251 and 0xC0..=0xDF in KOI8-R. Anything else is not guessed.
fn guess_cyrillic(bytes: &[u8]) -> Option<&'static Encoding> {
    let high = bytes.iter().filter(|&&b| b >= 0x80).count();
    let upper_half = bytes.iter().filter(|&&b| b >= 0xE0).count();
    let lower_half = bytes.iter().filter(|&&b| (0xC0..0xE0).contains(&b)).count();
    if high == 0 || (upper_half + lower_half) * 10 < high * 7 {
        return None;
    }
    Some(if upper_half >= lower_half {
        WINDOWS_1251
    } else {
        KOI8_R
    })
}

/// The field separator of the header line: whichever of `,` `;` and tab
/// occurs most outside quotes (a comma on a tie).
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for ch in text.trim_start_matches('\u{feff}').chars() {
        match ch {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' | ';' | '\t' if !quoted => {
                for (d, n) in counts.iter_mut() {
                    if *d as char == ch {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

/// A CSV file read whole, with header lookup by name (case and spaces
/// ignored) and the starting line of every record.
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    index: HashMap<String, usize>,
    pub rows: Vec<Row>,
}

pub struct Row {
    pub line: u64,
    pub fields: csv::StringRecord,
}

fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Table {
    /// Parse `text`. Unreadable records (an unclosed quote, fewer fields
    /// than the header) are reported in `problems` and left out.
    pub fn parse(
        text: &str,
        name: &str,
        has_headers: bool,
        delimiter: Option<u8>,
        problems: &mut Vec<Problem>,
    ) -> Result<Table, Problem> {
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(has_headers)
            .flexible(true)
            .delimiter(delimiter.unwrap_or_else(|| sniff_delimiter(text)))
            .from_reader(text.as_bytes());
        let headers: Vec<String> = if has_headers {
            let h = reader
                .headers()
                .map_err(|e| Problem::file(name, format!("cannot read the header row: {e}")))?;
            h.iter().map(|s| s.trim().to_string()).collect()
        } else {
            Vec::new()
        };
        if has_headers && headers.iter().all(|h| h.is_empty()) {
            return Err(Problem::file(name, "the file is empty".into()));
        }
        let index = headers
            .iter()
            .enumerate()
            .rev()
            .map(|(i, h)| (header_key(h), i))
            .collect();
        let mut rows = Vec::new();
        for result in reader.records() {
            match result {
                Ok(fields) => {
                    let line = fields.position().map_or(0, |p| p.line());
                    if fields.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    if has_headers && fields.len() < headers.len() {
                        problems.push(Problem::line(
                            name,
                            line,
                            format!(
                                "has {} fields, the header has {} (a missing separator or an unclosed quote?)",
                                fields.len(),
                                headers.len()
                            ),
                        ));
                        continue;
                    }
                    rows.push(Row { line, fields });
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    problems.push(Problem::line(name, line, format!("unreadable record: {e}")));
                }
            }
        }
        Ok(Table {
            name: name.to_string(),
            headers,
            index,
            rows,
        })
    }

    pub fn col(&self, header: &str) -> Option<usize> {
        self.index.get(&header_key(header)).copied()
    }

    /// The first column whose header starts with `prefix` (`Бюджет руб.`).
    pub fn col_starting(&self, prefix: &str) -> Option<usize> {
        let prefix = header_key(prefix);
        self.headers
            .iter()
            .position(|h| header_key(h).starts_with(&prefix))
    }

    pub fn at<'r>(&self, row: &'r Row, col: Option<usize>) -> &'r str {
        col.and_then(|i| row.fields.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    pub fn has(&self, header: &str) -> bool {
        self.col(header).is_some()
    }

    /// The trimmed value under `header`; empty when the column is absent.
    pub fn get<'r>(&self, row: &'r Row, header: &str) -> &'r str {
        self.col(header)
            .and_then(|i| row.fields.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    /// The first non-empty value among alternative headers.
    pub fn first<'r>(&self, row: &'r Row, headers: &[&str]) -> &'r str {
        headers
            .iter()
            .map(|h| self.get(row, h))
            .find(|v| !v.is_empty())
            .unwrap_or("")
    }
}

/// A JSON file as a value; a syntax error names its line.
pub fn read_json(path: &Path, name: &str) -> Result<serde_json::Value, Problem> {
    let text = read_text(path, name, Some("utf-8"))?;
    serde_json::from_str(&text.text)
        .map_err(|e| Problem::line(name, e.line() as u64, format!("not valid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected_or_taken() {
        let (cp1251, _, _) = WINDOWS_1251.encode("Название сделки;Бюджет\r\nПоставка;100\r\n");
        let t = decode(&cp1251, "a.csv", None).unwrap();
        assert_eq!((t.encoding, t.guessed), ("windows-1251", true));
        assert!(t.text.starts_with("Название сделки"));
        let (koi, _, _) = KOI8_R.encode("поставка оборудования");
        assert_eq!(
            decode(&koi, "a.csv", None).unwrap().text,
            "поставка оборудования"
        );
        let bom = "\u{feff}Имя".as_bytes();
        assert_eq!(decode(bom, "a.csv", None).unwrap().text, "Имя");
        let forced = decode(&cp1251, "a.csv", Some("cp1251")).unwrap();
        assert!(!forced.guessed);
        assert!(
            decode(&cp1251, "a.csv", Some("utf-8"))
                .unwrap_err()
                .reason
                .contains("encoding")
        );
        assert!(decode(b"\x80\x81\x82abc", "a.csv", None).is_err());
    }

    #[test]
    fn separators_quotes_and_lines() {
        assert_eq!(sniff_delimiter("\"a;b\",c,d\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        let mut problems = Vec::new();
        let text = "\u{feff}ID;Note;Sum\r\n1;\"two\r\nlines; and \"\"quotes\"\"\";5\r\n2;short\r\n3;ok;7\r\n";
        let decoded = decode(text.as_bytes(), "x.csv", None).unwrap().text;
        let t = Table::parse(&decoded, "x.csv", true, None, &mut problems).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.get(&t.rows[0], " note "), "two\nlines; and \"quotes\"");
        assert_eq!((t.rows[0].line, t.rows[1].line), (2, 5));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(4));
        assert_eq!(t.first(&t.rows[1], &["Missing", "Sum"]), "7");
    }
}
