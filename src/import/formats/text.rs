//! Exported text as it really arrives: UTF-8 with or without a BOM, or
//! Windows-1251 from a Russian Excel (sometimes KOI8-R), `;` or `,` between
//! fields, CRLF line ends, newlines inside quoted notes.
//!
//! Every CSV the program reads (batch v1 files, PBX and CRM exports,
//! `reps.csv`, mapped spreadsheets) goes through [`Table::read`], so each
//! one gets the same encoding rules, the same separator rule and the same
//! line numbers in messages. JSON and other whole-text files go through
//! [`read_text`] with the same encoding rules.

use super::super::Problem;
use encoding_rs::{Encoding, KOI8_R, UTF_8, WINDOWS_1251};
use std::borrow::Cow;
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
/// or `cp1251`) wins when given; otherwise see [`choose_encoding`].
pub fn read_text(
    root: &Path,
    path: &Path,
    name: &str,
    encoding: Option<&str>,
) -> Result<Text, Problem> {
    decode(&read_bytes(root, path, name)?, name, encoding)
}

/// A file of the batch at `root`, read by the rules of
/// [`crate::import::files`].
pub fn read_bytes(root: &Path, path: &Path, name: &str) -> Result<Vec<u8>, Problem> {
    crate::import::files::read_inside(root, path)
        .map_err(|reason| Problem::file(name, format!("cannot read: {reason}")))
}

/// The whole of `bytes` as text; any byte the encoding cannot read makes
/// the file unreadable (a CSV instead loses only the records holding one).
pub fn decode(bytes: &[u8], name: &str, encoding: Option<&str>) -> Result<Text, Problem> {
    let (chosen, guessed) = choose_encoding(bytes, name, encoding)?;
    // `decode` removes a BOM and follows it, whatever the label said.
    let (text, used, had_errors) = chosen.decode(bytes);
    if had_errors {
        return Err(not_valid(name, used));
    }
    // CRLF to LF: notes read the same whatever system wrote them.
    Ok(Text {
        text: text.replace("\r\n", "\n"),
        encoding: used.name(),
        guessed,
    })
}

fn not_valid(name: &str, encoding: &'static Encoding) -> Problem {
    Problem::file(
        name,
        format!(
            "not valid {} text; pass the right encoding (for example --encoding windows-1251)",
            encoding.name()
        ),
    )
}

/// The encoding of `bytes`: the label when given, else a BOM, else UTF-8
/// when the bytes are valid UTF-8, else a guess between the Cyrillic
/// single-byte encodings, else UTF-8 when the file does hold UTF-8 letters
/// (a few bad bytes in an otherwise UTF-8 file: those records are the
/// problem, not the file). The flag is true for a guess.
fn choose_encoding(
    bytes: &[u8],
    name: &str,
    label: Option<&str>,
) -> Result<(&'static Encoding, bool), Problem> {
    if let Some(label) = label.map(str::trim).filter(|e| !e.is_empty()) {
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
        return Ok((enc, false));
    }
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return Ok((enc, false));
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok((UTF_8, false));
    }
    if let Some(enc) = guess_cyrillic(bytes) {
        return Ok((enc, true));
    }
    if String::from_utf8_lossy(bytes)
        .chars()
        .any(|c| !c.is_ascii() && c != '\u{fffd}')
    {
        return Ok((UTF_8, false));
    }
    Err(Problem::file(
        name,
        "not UTF-8 text, and not recognisably Windows-1251 either; \
         pass the encoding (for example --encoding windows-1251)"
            .into(),
    ))
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

/// The separators a client's CSV may use.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The field separator: whichever of `,` `;` and tab splits the first
/// record into the most fields as the csv parser reads it (so a separator
/// inside quotes does not count); a comma on a tie. Exports use one
/// separator for the whole file, and the header row is the record most
/// sure to have several fields.
pub fn pick_delimiter(utf8: &[u8]) -> u8 {
    let fields = |delimiter: u8| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(utf8)
            .byte_records()
            .next()
            .and_then(Result::ok)
            .map_or(0, |r| r.len())
    };
    let mut best = (DELIMITERS[0], fields(DELIMITERS[0]));
    for delimiter in &DELIMITERS[1..] {
        let n = fields(*delimiter);
        if n > best.1 {
            best = (*delimiter, n);
        }
    }
    best.0
}

/// How to read one CSV file; the default reads a header row and detects
/// the encoding and the separator.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions<'a> {
    /// For files without a header row (Asterisk `Master.csv`, `reps.csv`).
    pub headerless: bool,
    /// The separator, when a mapping profile names it.
    pub delimiter: Option<u8>,
    /// An encoding label (`--encoding`, a mapping profile).
    pub encoding: Option<&'a str>,
}

/// A CSV file read whole, with header lookup by name (case and spaces
/// ignored) and the line every record starts on.
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    index: HashMap<String, usize>,
    pub rows: Vec<Row>,
    /// Records left out as unreadable (each reported already).
    pub unreadable: usize,
    pub encoding: &'static str,
    /// True when the encoding was guessed: worth a warning.
    pub guessed: bool,
}

pub struct Row {
    /// The line the record starts on, counting from 1, the header included.
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
    /// Read the CSV file at `path` in the batch at `root`; `name` is how
    /// messages call it.
    /// Unreadable records (too few fields, bytes the encoding cannot read)
    /// are reported in `problems` and left out; an error means the file
    /// could not be read at all.
    pub fn read(
        root: &Path,
        path: &Path,
        name: &str,
        options: CsvOptions<'_>,
        problems: &mut Vec<Problem>,
    ) -> Result<Table, Problem> {
        Table::from_bytes(&read_bytes(root, path, name)?, name, options, problems)
    }

    /// Like [`Table::read`], for bytes already in memory.
    pub fn from_bytes(
        bytes: &[u8],
        name: &str,
        options: CsvOptions<'_>,
        problems: &mut Vec<Problem>,
    ) -> Result<Table, Problem> {
        Table::parse(bytes, name, options, None, problems)
    }

    /// The header and the first record only, enough to tell a layout, and
    /// why that record could not be read if it could not.
    pub fn peek(
        bytes: &[u8],
        name: &str,
        options: CsvOptions<'_>,
    ) -> Result<(Table, Vec<Problem>), Problem> {
        let mut problems = Vec::new();
        let table = Table::parse(bytes, name, options, Some(1), &mut problems)?;
        Ok((table, problems))
    }

    fn parse(
        bytes: &[u8],
        name: &str,
        options: CsvOptions<'_>,
        max_rows: Option<usize>,
        problems: &mut Vec<Problem>,
    ) -> Result<Table, Problem> {
        let (encoding, guessed) = choose_encoding(bytes, name, options.encoding)?;
        // UTF-8 stays bytes, so a bad byte costs its record only; other
        // encodings cannot fail record by record and are decoded whole.
        let utf8: Cow<[u8]> = if encoding == UTF_8 {
            Cow::Borrowed(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes))
        } else {
            let (text, used, had_errors) = encoding.decode(bytes);
            if had_errors {
                return Err(not_valid(name, used));
            }
            Cow::Owned(text.into_owned().into_bytes())
        };
        // A quoted note reads the same whatever system wrote it.
        let utf8 = crlf_to_lf(&utf8);
        // The csv crate's own line count misses blank lines (and CRLF record
        // ends); a record's byte offset does not drift, so lines are
        // counted from that.
        let mut lines = LineCounter::new(&utf8);
        let delimiter = options.delimiter.unwrap_or_else(|| pick_delimiter(&utf8));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(!options.headerless)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(utf8.as_slice());
        let headers: Vec<String> = if options.headerless {
            Vec::new()
        } else {
            let h = reader.headers().map_err(|e| {
                Problem::line(
                    name,
                    1,
                    format!("cannot read the header row: {}", reason(&e)),
                )
            })?;
            h.iter().map(|s| s.trim().to_string()).collect()
        };
        if !options.headerless && headers.iter().all(|h| h.is_empty()) {
            return Err(Problem::file(name, "the file is empty".into()));
        }
        let index = headers
            .iter()
            .enumerate()
            .rev()
            .map(|(i, h)| (header_key(h), i))
            .collect();
        let mut rows = Vec::new();
        let mut unreadable = 0;
        for result in reader.records() {
            if max_rows.is_some_and(|max| rows.len() + unreadable >= max) {
                break;
            }
            match result {
                Ok(fields) => {
                    let line = lines.line_at(fields.position());
                    if fields.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    if fields.len() < headers.len() {
                        problems.push(Problem::line(
                            name,
                            line,
                            format!(
                                "too few fields: {} of {} (a missing separator or an unclosed quote?)",
                                fields.len(),
                                headers.len()
                            ),
                        ));
                        unreadable += 1;
                        continue;
                    }
                    rows.push(Row { line, fields });
                }
                Err(e) => {
                    let line = lines.line_at(e.position());
                    problems.push(Problem::line(name, line, reason(&e)));
                    unreadable += 1;
                }
            }
        }
        Ok(Table {
            name: name.to_string(),
            headers,
            index,
            rows,
            unreadable,
            encoding: encoding.name(),
            guessed,
        })
    }

    /// An error for the file unless the header row has every column.
    pub fn require(&self, columns: &[&str]) -> Result<(), Problem> {
        let missing: Vec<&str> = columns.iter().copied().filter(|c| !self.has(c)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Problem::file(
            &self.name,
            format!(
                "missing column(s): {} (the header row has: {})",
                missing.join(", "),
                crate::text::one_line(&self.headers.join(", "), 200)
            ),
        ))
    }

    pub fn col(&self, header: &str) -> Option<usize> {
        // Importers name columns by their key already (`call_id`), for
        // every field of every row: skip building the key then.
        if let Some(&i) = self.index.get(header) {
            return Some(i);
        }
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
        self.at(row, self.col(header))
    }

    /// Like [`Table::get`], but None for an empty value.
    pub fn opt(&self, row: &Row, header: &str) -> Option<String> {
        Some(self.get(row, header))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
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

/// Line numbers from byte offsets, for records read in order. After
/// [`crlf_to_lf`] a CR left is a line end of its own (old Mac files), as
/// the csv reader takes it.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line `position` is on; 0 when the reader gave none.
    fn line_at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return 0;
        };
        let mut target = (position.byte() as usize).min(self.text.len());
        // The offset is where the reader began, before the blank lines it
        // skipped: the record itself starts after them.
        while matches!(self.text.get(target), Some(b'\n' | b'\r')) {
            target += 1;
        }
        if target < self.offset {
            *self = LineCounter::new(self.text);
        }
        let newlines = self.text[self.offset..target]
            .iter()
            .filter(|&&b| b == b'\n' || b == b'\r')
            .count();
        self.line += newlines as u64;
        self.offset = target;
        self.line
    }
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(i) = rest.windows(2).position(|w| w == b"\r\n") {
        out.extend_from_slice(&rest[..i]);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out
}

fn reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "not UTF-8 text (field {}); save the file as UTF-8 or pass --encoding",
            err.field() + 1
        ),
        _ => format!("unreadable record: {e}"),
    }
}

/// A JSON file as a value; a syntax error names its line.
pub fn read_json(root: &Path, path: &Path, name: &str) -> Result<serde_json::Value, Problem> {
    let text = read_text(root, path, name, Some("utf-8"))?;
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
        assert_eq!(pick_delimiter(b"\"a;b\",c,d\n1;2;3;4;5"), b',');
        assert_eq!(pick_delimiter(b"a;b;c"), b';');
        assert_eq!(pick_delimiter(b"a\tb;c\td"), b'\t');
        assert_eq!(pick_delimiter(b"a;b,c"), b',');
        let mut problems = Vec::new();
        let text = "\u{feff}ID;Note;Sum\r\n1;\"two\r\nlines; and \"\"quotes\"\"\";5\r\n2;short\r\n3;ok;7\r\n";
        let t = Table::from_bytes(
            text.as_bytes(),
            "x.csv",
            CsvOptions::default(),
            &mut problems,
        )
        .unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.get(&t.rows[0], " note "), "two\nlines; and \"quotes\"");
        assert_eq!((t.rows[0].line, t.rows[1].line), (2, 5));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(4));
        assert_eq!(t.unreadable, 1);
        assert_eq!(t.first(&t.rows[1], &["Missing", "Sum"]), "7");
    }

    /// The line of a bad record is the line it starts on, in every
    /// encoding and line ending, after quoted notes spanning lines.
    #[test]
    fn line_numbers_survive_crlf_quoted_newlines_and_encodings() {
        let text = "id,note,n\n\
                    1,\"first\nsecond\nthird\",1\n\
                    \n\
                    2,\"a, b\",2\n\
                    3,\"x\ny\"\n\
                    4,ok,4\n";
        let crlf = text.replace('\n', "\r\n");
        let russian = crlf.replace("ok", "хорошо");
        let (cp1251, _, _) = WINDOWS_1251.encode(&russian);
        let bom = format!("\u{feff}{crlf}");
        for (label, bytes) in [
            ("lf", text.as_bytes()),
            ("crlf", crlf.as_bytes()),
            ("cp1251", &cp1251[..]),
            ("bom", bom.as_bytes()),
        ] {
            let mut problems = Vec::new();
            let t =
                Table::from_bytes(bytes, "x.csv", CsvOptions::default(), &mut problems).unwrap();
            let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, vec![2, 6, 9], "{label}");
            let bad: Vec<Option<u64>> = problems.iter().map(|p| p.line).collect();
            assert_eq!(bad, vec![Some(7)], "{label}: {problems:?}");
            assert_eq!(t.get(&t.rows[0], "note"), "first\nsecond\nthird", "{label}");
        }
    }

    #[test]
    fn a_bad_byte_in_a_utf8_file_costs_its_record_only() {
        let mut bytes = "id,name\r\n1,\"Анна\r\nСмирнова\"\r\n".as_bytes().to_vec();
        bytes.extend_from_slice(
            b"2,\xc0\xed\xed\xe0\r\n3,\xd0\x98\xd0\xb3\xd0\xbe\xd1\x80\xd1\x8c\r\n",
        );
        let mut problems = Vec::new();
        let t = Table::from_bytes(&bytes, "x.csv", CsvOptions::default(), &mut problems).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.get(&t.rows[1], "name"), "Игорь");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(4));
        assert!(problems[0].reason.contains("UTF-8"), "{problems:?}");
    }

    #[test]
    fn required_columns_are_named() {
        let (t, _) =
            Table::peek(b"call_id,rep\nc1,A\n", "calls.csv", CsvOptions::default()).unwrap();
        let err = t
            .require(&["call_id", "started_at", "rep", "phone"])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "calls.csv: missing column(s): started_at, phone (the header row has: call_id, rep)"
        );
    }
}
