//! Making text from data safe to show. CSV notes and names can carry escape
//! sequences (`\x1b[2J`, OSC titles), invisible characters that reorder or
//! misalign what is shown (bidi controls, zero-width characters) or be 100 KB
//! long; nothing from data may reach a terminal raw, on the TUI or on the
//! command line.
//!
//! The policy, in one place: on a terminal every such character becomes a
//! visible stand-in ([`sanitize`], and [`TerminalSafe`] for whole outputs
//! such as a CSV on standard output). Files keep the data: a CSV written
//! with `--out` holds every character as it came, and JSON anywhere carries
//! these characters as `\uXXXX` escapes ([`json_safe`]), which decode to
//! the same text and never act on a terminal.

/// Characters that show nothing themselves but change what is around
/// them: bidi marks, embeddings, overrides and isolates reorder the line;
/// zero-width characters make the width a terminal draws differ from the
/// width counted, which misaligns columns.
fn is_invisible_format(ch: char) -> bool {
    matches!(ch,
        '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}')
}

/// Whether a character must not reach a terminal as it is.
fn acts_on_terminal(ch: char) -> bool {
    ch.is_control() || is_invisible_format(ch)
}

/// What a character from data looks like on a terminal.
fn on_terminal(ch: char, keep_newlines: bool) -> char {
    match ch {
        '\n' if keep_newlines => '\n',
        '\n' | '\r' | '\t' => ' ',
        '\u{1b}' => '␛',
        c if acts_on_terminal(c) => '�',
        c => c,
    }
}

/// Replace control characters (C0, DEL, C1) and invisible format
/// characters with visible stand-ins, keep newlines if `keep_newlines`, and
/// cut to `max_chars` with an ellipsis. ESC becomes `␛` so a reviewer can
/// still see it was there.
pub fn sanitize(text: &str, keep_newlines: bool, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    for (count, ch) in text.chars().enumerate() {
        if count >= max_chars {
            out.push('…');
            break;
        }
        out.push(on_terminal(ch, keep_newlines));
    }
    out
}

/// One line for messages and table cells.
pub fn one_line(text: &str, max_chars: usize) -> String {
    sanitize(text, false, max_chars)
}

/// A path in a message, on one line.
pub fn path_line(path: &std::path::Path) -> String {
    one_line(&path.display().to_string(), 1000)
}

/// JSON text with every character that could act on a terminal written as
/// a `\uXXXX` escape. serde_json escapes C0 itself; C1, DEL, bidi and
/// zero-width characters it writes raw. They can only occur inside strings
/// (JSON's own syntax is ASCII), so the escape means the same text.
pub fn json_safe(json: &str) -> std::borrow::Cow<'_, str> {
    // Whitespace between tokens stays; inside strings serde escaped it.
    let escape = |ch: char| acts_on_terminal(ch) && !matches!(ch, '\n' | '\r' | '\t');
    if !json.chars().any(escape) {
        return json.into();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for ch in json.chars() {
        if escape(ch) {
            // Every such character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    out.into()
}

/// A writer for a whole output bound for a terminal (a CSV or a report on
/// standard output): every character goes through the same stand-ins as
/// [`sanitize`], newlines kept. Bytes that are not UTF-8 become `�`; a
/// character split across writes is joined first.
pub struct TerminalSafe<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> TerminalSafe<W> {
    pub fn new(inner: W) -> Self {
        TerminalSafe {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: std::io::Write> std::io::Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let mut out = String::with_capacity(self.pending.len());
        let mut rest: &[u8] = &self.pending;
        while !rest.is_empty() {
            let (valid, error) = match std::str::from_utf8(rest) {
                Ok(text) => (text, None),
                Err(e) => (
                    // The prefix up to the error is valid by definition.
                    std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
                    Some(e),
                ),
            };
            out.extend(valid.chars().map(|c| on_terminal(c, true)));
            rest = &rest[valid.len()..];
            match error.map(|e| e.error_len()) {
                Some(Some(bad)) => {
                    out.push('�');
                    rest = &rest[bad..];
                }
                // An incomplete character at the end: wait for the rest.
                Some(None) | None => break,
            }
        }
        let rest = rest.to_vec();
        self.inner.write_all(out.as_bytes())?;
        self.pending = rest;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for TerminalSafe<W> {
    fn drop(&mut self) {
        // A character the output never finished.
        if !self.pending.is_empty() {
            let _ = self.inner.write_all("�".as_bytes());
        }
        let _ = self.inner.flush();
    }
}

/// A cell bound for a spreadsheet (CSV now, XLSX reports later), made inert
/// the way OWASP recommends against formula injection: text starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
/// Excel, LibreOffice and Google Sheets show it as text instead of running
/// it (`=HYPERLINK(…)`, `+cmd|'/c calc'!A1`). Numbers (`-12.5`, `+7`) stay
/// numbers: a spreadsheet never runs those.
pub fn spreadsheet_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = text.parse::<f64>().is_ok_and(f64::is_finite);
    if risky && !number {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_survive() {
        let s = sanitize("a\x1b[2Jb\x1b]0;pwned\x07c\u{9b}d", true, 100);
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
        assert!(s.starts_with("a␛[2Jb␛]0;pwned"));
    }

    #[test]
    fn spreadsheet_cells_never_start_a_formula() {
        for (raw, cell) in [
            (
                "=HYPERLINK(\"http://x\",\"click\")",
                "'=HYPERLINK(\"http://x\",\"click\")",
            ),
            ("+cmd|'/c calc'!A1", "'+cmd|'/c calc'!A1"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-inf", "'-inf"),
            ("-12.5", "-12.5"),
            ("+79123456789", "+79123456789"),
            ("Анна", "Анна"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_cell(raw), cell, "{raw:?}");
        }
    }

    #[test]
    fn bidi_and_zero_width_characters_never_survive() {
        let hostile = "a\u{202e}b\u{200e}c\u{200f}d\u{061c}e\u{200b}f\u{200d}g\u{feff}h\u{2066}i";
        assert_eq!(one_line(hostile, 100), "a�b�c�d�e�f�g�h�i");
        assert_eq!(sanitize("Анна Смирнова", true, 100), "Анна Смирнова");
    }

    #[test]
    fn terminal_output_gets_stand_ins_even_split_across_writes() {
        use std::io::Write;
        let data = "call\u{1b}[2J,Ан\u{9b}на\u{202e}\n\tx\r\n".as_bytes();
        let mut out = Vec::new();
        {
            let mut safe = TerminalSafe::new(&mut out);
            // One byte at a time: every Cyrillic letter arrives in halves.
            for byte in data {
                safe.write_all(std::slice::from_ref(byte)).unwrap();
            }
            safe.write_all(b"\xff!").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "call␛[2J,Ан�на�\n x \n�!");
    }

    #[test]
    fn json_keeps_the_data_as_escapes() {
        let value = serde_json::json!({"rep": "А\u{1b}[31m\u{9b}\u{202e}\u{200b}х"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json_safe(&text);
        let raw = |c: char| acts_on_terminal(c) && c != '\n';
        assert!(!safe.chars().any(raw), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn long_text_is_cut_and_newlines_follow_the_flag() {
        let long = "я".repeat(100_000);
        let s = sanitize(&long, true, 500);
        assert_eq!(s.chars().count(), 501);
        assert!(s.ends_with('…'));
        assert_eq!(one_line("a\r\nb", 10), "a  b");
        assert_eq!(sanitize("a\nb", true, 10), "a\nb");
    }
}

/// Rows as a plain-text table: each column as wide as its widest cell (in
/// terminal columns, so Cyrillic lines up), two spaces between columns,
/// no trailing blanks; rows may be shorter than others. The command-line
/// listings (`plan`, `emails`, `mystery`) all print through this.
pub fn aligned_columns(out: &mut impl std::io::Write, rows: &[Vec<String>]) -> std::io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell}{}", " ".repeat(w - cell.width())))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

/// `m:ss` (or `h:mm:ss`) for positions and durations.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod clock_tests {
    #[test]
    fn clock_formats() {
        assert_eq!(super::clock(0), "0:00");
        assert_eq!(super::clock(83_999), "1:23");
        assert_eq!(super::clock(3_723_000), "1:02:03");
    }
}

/// A duration as people read it, to the nearest second: a dead air of
/// 5.99 s is `0:06`. Positions keep [`clock`], which counts whole seconds
/// passed, as players do.
pub fn duration(ms: u64) -> String {
    clock(ms.saturating_add(500) / 1000 * 1000)
}

#[cfg(test)]
mod duration_tests {
    #[test]
    fn durations_round_to_the_nearest_second() {
        assert_eq!(super::duration(5_990), "0:06");
        assert_eq!(super::duration(5_499), "0:05");
        assert_eq!(super::duration(59_500), "1:00");
        assert_eq!(super::duration(0), "0:00");
        assert_eq!(
            super::duration(u64::MAX),
            super::clock(u64::MAX / 1000 * 1000)
        );
    }
}
