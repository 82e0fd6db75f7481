//! One RFC 5322 message, parsed by `mail-parser`, as an [`Email`].
//!
//! `mail-parser` decodes the declared charsets, quoted-printable and
//! base64, and turns an HTML-only body into text (a single pass over the
//! bytes, so a bomb of nested tags costs time in proportion to its size
//! and no stack). What it cannot know we add: a text part that declares no
//! charset and is not UTF-8 is read again with the batch's Cyrillic guess
//! ([`crate::import::formats::text::decode`]), and a multipart message
//! whose boundary never appears keeps its raw body as text, with a
//! warning, rather than losing it.

use crate::domain::email::{Attachment, Email, Mailbox};
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::html::html_to_text;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Address, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// An attachment bigger than this is worth a word: the reviewer sees only
/// its name and size, never its content.
const BIG_ATTACHMENT: u64 = 10_000_000;

/// A message read, and what is worth a look about it.
pub struct Read {
    pub email: Email,
    pub warnings: Vec<String>,
}

/// Parse one message; `Err` says why it is not an email at all.
pub fn read(bytes: &[u8]) -> Result<Read, String> {
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or("cannot be read as an email (no headers)")?;
    let has_headers = message.from().is_some()
        || message.message_id().is_some()
        || message.date().is_some()
        || message.subject().is_some();
    if !has_headers {
        return Err("has none of From, Date, Message-ID, Subject: not an email".into());
    }
    let mut warnings = Vec::new();
    let from = message
        .from()
        .and_then(|a| mailboxes(Some(a)).into_iter().next())
        .unwrap_or_default();
    if from.address.is_empty() {
        warnings.push("no From address: the sender is unknown".into());
    }
    let date = match message.date() {
        Some(d) => match chrono::DateTime::parse_from_rfc3339(&d.to_rfc3339()) {
            Ok(t) if d.is_valid() => Some(t),
            _ => {
                warnings.push("the Date header does not read as a date".into());
                None
            }
        },
        None => None,
    };
    let body_text = body(&message, &mut warnings);
    let attachments = attachments(&message);
    for big in attachments.iter().filter(|a| a.size > BIG_ATTACHMENT) {
        warnings.push(format!(
            "attachment {:?} is {:.1} MB: listed by name and size only",
            crate::text::one_line(&big.name, 120),
            big.size as f64 / 1_000_000.0
        ));
    }
    let subject = message.subject().unwrap_or("").trim().to_string();
    let message_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => bare_id(id),
        _ => made_up_id(&from, date.as_ref(), &subject, &body_text),
    };
    let references = message
        .references()
        .as_text_list()
        .map(|list| list.iter().map(|r| bare_id(r)).collect())
        .or_else(|| message.references().as_text().map(|r| vec![bare_id(r)]))
        .unwrap_or_default();
    let in_reply_to = message
        .in_reply_to()
        .as_text_list()
        .and_then(|list| list.first().map(|r| bare_id(r)))
        .or_else(|| message.in_reply_to().as_text().map(bare_id));
    Ok(Read {
        email: Email {
            message_id,
            in_reply_to,
            references,
            from,
            to: mailboxes(message.to()),
            cc: mailboxes(message.cc()),
            date,
            subject,
            body_text,
            attachments,
            crm: None,
        },
        warnings,
    })
}

fn bare_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

/// A message without a Message-ID gets one from what it says, so importing
/// it again finds the same record.
fn made_up_id(
    from: &Mailbox,
    date: Option<&chrono::DateTime<chrono::FixedOffset>>,
    subject: &str,
    body: &str,
) -> String {
    let mut hash = Sha256::new();
    for part in [
        from.address.as_str(),
        &date.map(|d| d.to_rfc3339()).unwrap_or_default(),
        subject,
        body,
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let hex: String = hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("no-message-id-{hex}@callqa")
}

/// The mailboxes of an address header's value (`Анна <a@b.ru>, c@d.ru`),
/// read by `mail-parser` as a `To:` header is.
pub fn header_mailboxes(value: &str) -> Vec<Mailbox> {
    let one_line: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let header = format!("To: {one_line}\r\n\r\n");
    MessageParser::default()
        .parse(header.as_bytes())
        .map(|m| mailboxes(m.to()))
        .unwrap_or_default()
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|a| {
            a.iter()
                .map(|m| Mailbox::new(m.name().unwrap_or(""), m.address().unwrap_or("")))
                .filter(|m| !m.address.is_empty() || !m.name.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Every text body part as readable text, in order.
fn body(message: &Message<'_>, warnings: &mut Vec<String>) -> String {
    let mut texts = Vec::new();
    for index in 0..message.text_body_count() {
        let Some(text) = message.body_text(index) else {
            continue;
        };
        let part = message.text_part(index as u32).filter(|p| p.is_text());
        let text = match part.and_then(|p| undeclared_charset(message, p)) {
            Some((again, encoding)) => {
                warnings.push(format!(
                    "a text part declares no charset and is not UTF-8: read as {encoding} (guessed)"
                ));
                again
            }
            None => text.into_owned(),
        };
        if part.is_some_and(|p| p.is_encoding_problem) {
            warnings
                .push("a part's transfer encoding is damaged: its text may be incomplete".into());
        }
        texts.push(text);
    }
    let text = texts.join("\n\n").replace("\r\n", "\n");
    if text.trim().is_empty()
        && let Some(raw) = unsplit_multipart(message)
    {
        warnings.push(
            "the MIME boundary of the message never appears: the raw body is kept as text".into(),
        );
        return raw;
    }
    text.trim_end().to_string()
}

/// A text part with no charset whose bytes are not UTF-8, read with the
/// batch's encoding guess; `None` when the part is fine as it was read.
fn undeclared_charset(
    message: &Message<'_>,
    part: &MessagePart<'_>,
) -> Option<(String, &'static str)> {
    let declared = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .is_some();
    if declared {
        return None;
    }
    let raw = message
        .raw_message()
        .get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    let encoding = part
        .content_transfer_encoding()
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "base64" => base64_decode(raw)?,
        "quoted-printable" => quoted_printable_decode(raw)?,
        _ => raw.to_vec(),
    };
    if std::str::from_utf8(&bytes).is_ok() {
        return None;
    }
    let decoded = crate::import::formats::text::decode(&bytes, "", None).ok()?;
    let text = if matches!(part.body, PartType::Html(_)) {
        html_to_text(&decoded.text)
    } else {
        decoded.text
    };
    Some((text, decoded.encoding))
}

/// The raw body of a multipart message whose boundary never appears
/// (`mail-parser` then keeps the whole body as one part, listed as an
/// attachment).
fn unsplit_multipart(message: &Message<'_>) -> Option<String> {
    let root = message.root_part();
    let declared_multipart = root
        .content_type()
        .is_some_and(|ct| ct.c_type.eq_ignore_ascii_case("multipart"));
    if !declared_multipart || root.is_multipart() {
        return None;
    }
    let raw = message
        .raw_message()
        .get(root.raw_body_offset() as usize..root.raw_end_offset() as usize)?;
    let text = crate::import::formats::text::decode(raw, "", None)
        .map(|t| t.text)
        .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned());
    (!text.trim().is_empty()).then(|| text.trim().to_string())
}

fn attachments(message: &Message<'_>) -> Vec<Attachment> {
    if unsplit_multipart(message).is_some() {
        // Its only "attachment" is the body itself, kept as text.
        return Vec::new();
    }
    message
        .attachments()
        .map(|part| Attachment {
            name: part
                .attachment_name()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "(no name)".into()),
            size: part.len() as u64,
            content_type: part
                .content_type()
                .map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                })
                .unwrap_or_default(),
        })
        .collect()
}
