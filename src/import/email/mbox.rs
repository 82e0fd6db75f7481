//! Splitting an mbox file into its messages.
//!
//! Each message starts with a `From sender date` line. Writers escape a
//! body line starting with `From ` as `>From ` (mboxrd escapes `>From `
//! too, as `>>From `); reading undoes one level. Not every writer escapes
//! (mboxo, hand-made exports), so a `From ` line only starts a message
//! when it follows a blank line (or opens the file) and reads as a From
//! line: an address or name and then a date with a time of day and a year
//! ("From anna@x Mon Nov 23 10:15:00 2026"). A body line such as "From
//! our side, we can offer …" stays in its message. `mail-parser`'s own
//! mbox reader splits on every `From ` line, which would cut such a
//! message in two, hence this reader.

/// One message of an mbox, with where it was found.
pub struct MboxMessage {
    pub bytes: Vec<u8>,
    /// From 1.
    pub number: u32,
    /// The line of its `From ` line, from 1.
    pub line: u64,
}

/// The messages of `bytes`; `Err` when it is not an mbox at all.
pub fn split(bytes: &[u8]) -> Result<Vec<MboxMessage>, String> {
    let mut messages: Vec<MboxMessage> = Vec::new();
    let mut previous_blank = true;
    let mut seen_content = false;
    for (index, raw_line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let line_number = index as u64 + 1;
        let line = trim_eol(raw_line);
        if previous_blank && is_from_line(line) {
            messages.push(MboxMessage {
                bytes: Vec::new(),
                number: messages.len() as u32 + 1,
                line: line_number,
            });
            previous_blank = false;
            continue;
        }
        previous_blank = line.is_empty();
        let Some(current) = messages.last_mut() else {
            if !line.is_empty() {
                seen_content = true;
                break;
            }
            continue;
        };
        current.bytes.extend_from_slice(unescape(raw_line));
    }
    if seen_content || messages.is_empty() {
        return Err("does not start with a `From ` line: not an mbox file".into());
    }
    for m in &mut messages {
        // The blank line before the next `From ` line belongs to the mbox.
        if m.bytes.ends_with(b"\r\n\r\n") {
            m.bytes.truncate(m.bytes.len() - 2);
        } else if m.bytes.ends_with(b"\n\n") {
            m.bytes.pop();
        }
    }
    Ok(messages)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `>From ` (any number of `>`) loses one `>`.
fn unescape(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

/// `From <sender> <date with hh:mm and a year>`.
fn is_from_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.len() < 3 {
        return false;
    }
    let time = tokens[1..].iter().any(|t| {
        let parts: Vec<&str> = t.split(':').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    });
    let year = tokens[1..]
        .iter()
        .any(|t| t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()));
    time && year
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_from_line_in_a_body_stays_in_its_message() {
        let mbox = b"From anna@solar-dom.example Mon Nov 23 10:15:00 2026\n\
Subject: one\n\
\n\
Hello.\n\
\n\
From our side, we can offer a visit.\n\
>From the archive, quoted.\n\
>>From deeper.\n\
\n\
From lars@nordvik.example  Tue Nov 24 09:00:01 2026\n\
Subject: two\n\
\n\
Body two.\n";
        let messages = split(mbox).unwrap();
        assert_eq!(messages.len(), 2);
        let first = String::from_utf8(messages[0].bytes.clone()).unwrap();
        assert!(
            first.contains("\nFrom our side, we can offer a visit.\n"),
            "{first}"
        );
        assert!(first.contains("\nFrom the archive, quoted.\n"), "{first}");
        assert!(first.contains("\n>From deeper.\n"), "{first}");
        assert!(first.ends_with("deeper.\n"), "{first:?}");
        assert_eq!((messages[1].number, messages[1].line), (2, 10));
        assert!(String::from_utf8_lossy(&messages[1].bytes).contains("Body two."));
    }

    #[test]
    fn a_file_that_is_not_an_mbox_is_refused() {
        assert!(split(b"Subject: x\n\nbody\n").is_err());
        assert!(split(b"").is_err());
        assert_eq!(
            split(b"\nFrom a@b Mon Nov 23 10:15:00 2026\n\nx\n")
                .unwrap()
                .len(),
            1
        );
    }
}
