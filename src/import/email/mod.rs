//! A batch's `emails/` folder: `.eml` files (one message each) and `.mbox`
//! files (many), as mail clients and CRM exports write them, read into
//! [`Email`]s in memory.
//!
//! MIME is parsed by `mail-parser` ([`message`]), never by hand: Russian
//! mail in UTF-8, Windows-1251 or KOI8-R, quoted-printable or base64,
//! HTML-only bodies all come out as readable text. Attachments are listed
//! by name and size, never opened. Every file is opened by the import's
//! rules ([`crate::import::files`]: a regular file inside the batch, size
//! limited), and a message that cannot be read is a problem naming the
//! file (and the message number and line in an mbox) while the rest still
//! comes in. Storing and linking is [`store`]'s, inside the import's
//! transaction.

mod mbox;
mod message;
mod store;

pub use message::header_mailboxes;
pub use store::store_emails;

use crate::domain::email::Email;
use crate::import::Problem;
use crate::import::files::open_inside;
use std::path::{Path, PathBuf};

/// HTML as readable text, by the converter `.eml` bodies go through, so an
/// HTML email reads the same whether it came as a file or in a CRM export.
pub fn html_to_text(html: &str) -> String {
    mail_parser::decoders::html::html_to_text(html)
}

/// The folder of a batch that holds its emails.
pub const EMAILS_FOLDER: &str = "emails";

/// The largest single message read: a message with a big attachment is
/// still read (the attachment listed by name and size), a bigger one is
/// refused with the reason.
pub const MESSAGE_LIMIT: u64 = 64 * 1024 * 1024;

/// The largest mbox file read.
pub const MBOX_LIMIT: u64 = crate::import::files::TEXT_LIMIT;

/// How deep `emails/` is searched for files.
const MAX_DEPTH: usize = 4;

/// One email and where it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailRecord {
    pub email: Email,
    /// Relative to the batch folder (`emails/sent.mbox`).
    pub file: String,
    /// The message number in an mbox (from 1); `None` for an `.eml`.
    pub number: Option<u32>,
    /// The line the message starts on in an mbox.
    pub line: Option<u64>,
}

impl EmailRecord {
    /// A problem or warning about this message.
    pub fn problem(&self, reason: String) -> Problem {
        located(&self.file, self.number, self.line, reason)
    }
}

fn located(file: &str, number: Option<u32>, line: Option<u64>, reason: String) -> Problem {
    Problem {
        file: file.to_string(),
        line,
        record: number.map(|n| format!("message {n}")),
        reason,
    }
}

/// What the `emails/` folder held.
#[derive(Debug, Clone, Default)]
pub struct EmailsRead {
    pub emails: Vec<EmailRecord>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// Messages left out (each is in `problems`).
    pub skipped: usize,
}

/// Read `emails/` of the batch at `root`; nothing when there is none.
pub fn read_batch_emails(root: &Path) -> EmailsRead {
    let mut out = EmailsRead::default();
    let folder = root.join(EMAILS_FOLDER);
    if folder.symlink_metadata().is_err() {
        return out;
    }
    let mut files = Vec::new();
    match emails_folder(root) {
        Ok(real) => list_files(root, &real, 0, &mut files, &mut out),
        Err(reason) => out.problems.push(Problem::file(EMAILS_FOLDER, reason)),
    }
    files.sort();
    for path in files {
        read_file(root, &path, &mut out);
    }
    out
}

/// Add the emails of the batch at `root` to what the batch reader found.
pub fn read_into(root: &Path, out: &mut crate::import::formats::Parsed) {
    let read = read_batch_emails(root);
    out.emails.extend(read.emails);
    out.problems.extend(read.problems);
    out.warnings.extend(read.warnings);
    out.skipped.emails += read.skipped;
}

/// `emails/` resolved through links, if it is a folder inside the batch.
fn emails_folder(root: &Path) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("the batch folder cannot be opened: {e}"))?;
    let real = root
        .join(EMAILS_FOLDER)
        .canonicalize()
        .map_err(|e| format!("cannot be opened: {}", crate::files::io_reason(&e)))?;
    if !real.starts_with(&root) {
        return Err(format!(
            "is outside the batch folder (it resolves to {}); refused",
            crate::text::one_line(&real.display().to_string(), 200)
        ));
    }
    if !real.is_dir() {
        return Err("is not a folder; emails go in an emails/ folder".into());
    }
    Ok(real)
}

/// Every file under `folder`, in name order, at most [`MAX_DEPTH`] deep.
fn list_files(
    root: &Path,
    folder: &Path,
    depth: usize,
    files: &mut Vec<PathBuf>,
    out: &mut EmailsRead,
) {
    let name = |p: &Path| relative_name(root, p);
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) => {
            out.problems.push(Problem::file(
                &name(folder),
                format!("cannot be listed: {}", crate::files::io_reason(&e)),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && depth < MAX_DEPTH {
            list_files(root, &path, depth + 1, files, out);
        } else if !is_dir {
            files.push(path);
        }
    }
}

/// A path as messages show it: relative to the batch folder, wherever
/// links led.
fn relative_name(root: &Path, path: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read_file(root: &Path, path: &Path, out: &mut EmailsRead) {
    let name = relative_name(root, path);
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let limit = match extension.as_str() {
        "eml" => MESSAGE_LIMIT,
        "mbox" | "mbx" => MBOX_LIMIT,
        _ => {
            out.warnings.push(Problem::file(
                &name,
                "not an .eml or .mbox file; left out".into(),
            ));
            return;
        }
    };
    let bytes = match open_inside(root, path).and_then(|f| crate::files::read_limited(f, limit)) {
        Ok(bytes) => bytes,
        Err(reason) => {
            out.problems.push(Problem::file(&name, reason));
            out.skipped += 1;
            return;
        }
    };
    if extension == "eml" {
        add_message(&bytes, &name, None, None, out);
        return;
    }
    match mbox::split(&bytes) {
        Ok(messages) => {
            for m in messages {
                add_message(&m.bytes, &name, Some(m.number), Some(m.line), out);
            }
        }
        Err(reason) => {
            out.problems.push(Problem::file(&name, reason));
            out.skipped += 1;
        }
    }
}

fn add_message(
    bytes: &[u8],
    file: &str,
    number: Option<u32>,
    line: Option<u64>,
    out: &mut EmailsRead,
) {
    if bytes.len() as u64 > MESSAGE_LIMIT {
        out.problems.push(located(
            file,
            number,
            line,
            format!(
                "the message is larger than {} MiB; refused",
                MESSAGE_LIMIT / (1024 * 1024)
            ),
        ));
        out.skipped += 1;
        return;
    }
    match message::read(bytes) {
        Ok(read) => {
            let record = EmailRecord {
                email: read.email,
                file: file.to_string(),
                number,
                line,
            };
            out.warnings
                .extend(read.warnings.into_iter().map(|w| record.problem(w)));
            out.emails.push(record);
        }
        Err(reason) => {
            out.problems.push(located(file, number, line, reason));
            out.skipped += 1;
        }
    }
}
