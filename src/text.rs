//! Making text from data safe to show. CSV notes and names can carry escape
//! sequences (`\x1b[2J`, OSC titles) or be 100 KB long; nothing from data may
//! reach a terminal raw, on the TUI or on the command line.

/// Replace control characters (C0, DEL, C1) with visible stand-ins, keep
/// newlines and tabs if `keep_newlines`, and cut to `max_chars` with an
/// ellipsis. ESC becomes `␛` so a reviewer can still see it was there.
pub fn sanitize(text: &str, keep_newlines: bool, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (count, ch) in text.chars().enumerate() {
        if count >= max_chars {
            out.push('…');
            break;
        }
        match ch {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\r' => out.push(' '),
            '\t' => out.push(' '),
            '\u{1b}' => out.push('␛'),
            c if c.is_control() => out.push('�'),
            // Bidi overrides can reorder what the reviewer sees.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => out.push('�'),
            c => out.push(c),
        }
    }
    out
}

/// One line for messages and table cells.
pub fn one_line(text: &str, max_chars: usize) -> String {
    sanitize(text, false, max_chars)
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
    fn long_text_is_cut_and_newlines_follow_the_flag() {
        let long = "я".repeat(100_000);
        let s = sanitize(&long, true, 500);
        assert_eq!(s.chars().count(), 501);
        assert!(s.ends_with('…'));
        assert_eq!(one_line("a\r\nb", 10), "a  b");
        assert_eq!(sanitize("a\nb", true, 10), "a\nb");
    }
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
