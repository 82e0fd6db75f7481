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
