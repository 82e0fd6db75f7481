//! The emails/ folder of a batch against real files: every encoding Russian
//! mail arrives in, and every bad input the issue names (broken MIME
//! boundary, undeclared charset, a 20 MB attachment, an HTML bomb, a
//! `From ` line in an mbox body, files that are not emails), each with a
//! message naming the file and the rest imported.

mod common;

use callqa::import::{ImportReport, Problem, import_batch};
use callqa::store::{EmailFilter, StoredEmail, Workspace};
use common::{CALLS_HEADER, write};
use encoding_rs::{Encoding, KOI8_R, UTF_8, WINDOWS_1251};
use std::path::{Path, PathBuf};

/// A batch with no calls and the given files under emails/.
fn batch(dir: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let b = dir.join("batch");
    write(&b.join("calls.csv"), CALLS_HEADER);
    for (name, bytes) in files {
        let path = b.join("emails").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    b
}

fn import(dir: &Path, b: &Path) -> (Workspace, ImportReport) {
    let ws = Workspace::open(&dir.join("ws.sqlite")).unwrap();
    let report = import_batch(&ws, b).unwrap();
    (ws, report)
}

fn stored(ws: &Workspace) -> Vec<StoredEmail> {
    ws.emails(&EmailFilter::default()).unwrap()
}

fn by_id<'a>(emails: &'a [StoredEmail], id: &str) -> &'a StoredEmail {
    emails
        .iter()
        .find(|e| e.email.message_id == id)
        .unwrap_or_else(|| panic!("{id} not stored"))
}

fn about<'a>(problems: &'a [Problem], file: &str) -> &'a Problem {
    problems
        .iter()
        .find(|p| p.file == file)
        .unwrap_or_else(|| panic!("nothing about {file}: {problems:?}"))
}

const RUSSIAN: &str = "Добрый день, Ольга Николаевна!\n\nВысылаю расчёт под ключ: 20 кВт, 900 000 ₽.\nЁлки-палки, съешь ещё этих мягких булок.";

/// A message in `charset` with `transfer` (quoted-printable or base64), the
/// body encoded by encoding_rs.
fn encoded(id: &str, charset: &'static Encoding, transfer: &str, declare: bool) -> Vec<u8> {
    let text = RUSSIAN.replace('₽', "руб.");
    let (bytes, _, unmappable) = charset.encode(&text);
    assert!(!unmappable, "{}", charset.name());
    let body = match transfer {
        "base64" => base64(&bytes),
        "quoted-printable" => quoted_printable(&bytes),
        _ => bytes.to_vec(),
    };
    let content_type = if declare {
        format!("text/plain; charset=\"{}\"", charset.name())
    } else {
        "text/plain".to_string()
    };
    let mut out = format!(
        "From: Igor <igor.petrov@solar-dom.example>\nTo: belova@volga-hotel.example\n\
         Subject: test\nDate: Tue, 24 Nov 2026 09:30:00 +0300\nMessage-ID: <{id}>\n\
         MIME-Version: 1.0\nContent-Type: {content_type}\nContent-Transfer-Encoding: {transfer}\n\n"
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

fn base64(bytes: &[u8]) -> Vec<u8> {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            out.push(if k <= chunk.len() {
                ABC[(n >> (18 - 6 * k)) as usize & 63]
            } else {
                b'='
            });
        }
        if i % 19 == 18 {
            out.push(b'\n');
        }
    }
    out.push(b'\n');
    out
}

fn quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut column = 0;
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\n');
            column = 0;
            continue;
        }
        let piece = if b.is_ascii_graphic() && b != b'=' || b == b' ' {
            vec![b]
        } else {
            format!("={b:02X}").into_bytes()
        };
        if column + piece.len() > 72 {
            out.extend_from_slice(b"=\n");
            column = 0;
        }
        column += piece.len();
        out.extend(piece);
    }
    out.push(b'\n');
    out
}

#[test]
fn russian_mail_in_every_charset_and_transfer_encoding_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (charset, short) in [(UTF_8, "utf8"), (WINDOWS_1251, "cp1251"), (KOI8_R, "koi8r")] {
        for transfer in ["quoted-printable", "base64", "8bit"] {
            let id = format!("{short}-{transfer}@test");
            files.push((format!("{id}.eml"), encoded(&id, charset, transfer, true)));
        }
    }
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let b = batch(dir.path(), &files);
    let (ws, report) = import(dir.path(), &b);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.emails.new, 9);
    let expected = RUSSIAN.replace('₽', "руб.");
    for email in stored(&ws) {
        assert_eq!(
            email.email.body_text, expected,
            "{}",
            email.email.message_id
        );
    }
    // Importing again changes nothing.
    let again = import_batch(&ws, &b).unwrap();
    assert_eq!((again.emails.new, again.emails.unchanged), (0, 9));
}

#[test]
fn an_undeclared_charset_is_guessed_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(
        dir.path(),
        &[
            (
                "cp1251.eml",
                encoded("u1@test", WINDOWS_1251, "8bit", false),
            ),
            ("koi8.eml", encoded("u2@test", KOI8_R, "base64", false)),
        ],
    );
    let (ws, report) = import(dir.path(), &b);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let expected = RUSSIAN.replace('₽', "руб.");
    let emails = stored(&ws);
    assert_eq!(by_id(&emails, "u1@test").email.body_text, expected);
    assert_eq!(by_id(&emails, "u2@test").email.body_text, expected);
    let warning = about(&report.warnings, "emails/cp1251.eml");
    assert!(
        warning.reason.contains("declares no charset") && warning.reason.contains("windows-1251"),
        "{warning}"
    );
    assert!(
        about(&report.warnings, "emails/koi8.eml")
            .reason
            .contains("KOI8-R")
    );
}

#[test]
fn bad_messages_are_named_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let broken_boundary = b"From: Lars <lars@nordvik.example>\nTo: kate.miller@solar-dom.example\n\
Subject: broken\nDate: Wed, 25 Nov 2026 09:12:00 +0200\nMessage-ID: <broken@test>\n\
MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"abc\"\n\n\
--xyz\nContent-Type: text/plain\n\nThe text the boundary lost.\n--xyz--\n"
        .to_vec();
    let mut bomb = b"From: Kate Miller <kate.miller@solar-dom.example>\nTo: lars@nordvik.example\n\
Subject: bomb\nDate: Wed, 25 Nov 2026 11:40:00 +0300\nMessage-ID: <bomb@test>\n\
MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        .to_vec();
    bomb.extend(b"<div>".repeat(300_000));
    bomb.extend(b"Hello Lars, deep inside.");
    bomb.extend(b"</div>".repeat(300_000));
    let mut big = b"From: Kate Miller <kate.miller@solar-dom.example>\nTo: lars@nordvik.example\n\
Subject: big\nDate: Wed, 25 Nov 2026 12:00:00 +0300\nMessage-ID: <big@test>\n\
MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n\
--b1\nContent-Type: text/plain; charset=utf-8\n\nThe drawings are attached.\n\
--b1\nContent-Type: application/zip; name=\"drawings.zip\"\n\
Content-Disposition: attachment; filename=\"drawings.zip\"\nContent-Transfer-Encoding: base64\n\n"
        .to_vec();
    big.extend(base64(&vec![7u8; 20_000_000]));
    big.extend(b"--b1--\n");
    let mbox = b"From lars@nordvik.example Wed Nov 25 07:12:00 2026\n\
From: Lars <lars@nordvik.example>\nSubject: one\nMessage-ID: <m1@test>\n\n\
Hi Kate,\n\nFrom our side, monthly figures.\n>From the archive.\n\n\
From nobody Wed Nov 25 07:13:00 2026\n\
\x00\x01\x02 not headers at all\n\n\
From lars@nordvik.example Wed Nov 25 07:14:00 2026\n\
From: Lars <lars@nordvik.example>\nSubject: three\nMessage-ID: <m3@test>\n\nThird.\n"
        .to_vec();
    let b = batch(
        dir.path(),
        &[
            ("broken.eml", broken_boundary),
            ("bomb.eml", bomb),
            ("big.eml", big),
            ("box/lars.mbox", mbox),
            ("garbage.eml", vec![0xff, 0xfe, 0x00, 0x13]),
            ("not-mbox.mbox", b"Subject: x\n\nno From line\n".to_vec()),
            ("notes.txt", b"call Lars".to_vec()),
        ],
    );
    std::fs::write(
        dir.path().join("secret.eml"),
        "From: x@y\nSubject: secret\n\nsecret",
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.eml"), b.join("emails/link-out.eml"))
        .unwrap();
    let (ws, report) = import(dir.path(), &b);
    let emails = stored(&ws);

    let broken = by_id(&emails, "broken@test");
    assert!(
        broken
            .email
            .body_text
            .contains("The text the boundary lost."),
        "{:?}",
        broken.email.body_text
    );
    assert!(
        about(&report.warnings, "emails/broken.eml")
            .reason
            .contains("boundary")
    );

    let bomb = by_id(&emails, "bomb@test");
    assert!(bomb.email.body_text.contains("Hello Lars, deep inside."));
    assert!(!bomb.email.body_text.contains("<div>"));

    let big = by_id(&emails, "big@test");
    assert_eq!(big.email.body_text, "The drawings are attached.");
    assert_eq!(big.email.attachments.len(), 1);
    assert_eq!(big.email.attachments[0].name, "drawings.zip");
    assert_eq!(big.email.attachments[0].size, 20_000_000);
    assert!(
        about(&report.warnings, "emails/big.eml")
            .reason
            .contains("20.0 MB")
    );

    // The mbox: the `From ` line of the body stays, the bad message is named.
    let first = by_id(&emails, "m1@test");
    assert!(
        first
            .email
            .body_text
            .contains("From our side, monthly figures.\nFrom the archive.")
    );
    assert_eq!(first.source_record, Some(1));
    assert_eq!(by_id(&emails, "m3@test").source_record, Some(3));
    let bad = about(&report.problems, "emails/box/lars.mbox");
    assert_eq!(
        (bad.record.as_deref(), bad.line),
        (Some("message 2"), Some(11)),
        "{bad}"
    );

    assert!(
        about(&report.problems, "emails/garbage.eml")
            .reason
            .contains("not an email")
    );
    assert!(
        about(&report.problems, "emails/not-mbox.mbox")
            .reason
            .contains("From ")
    );
    assert!(
        about(&report.problems, "emails/link-out.eml")
            .reason
            .contains("outside the batch folder")
    );
    assert!(
        about(&report.warnings, "emails/notes.txt")
            .reason
            .contains("left out")
    );
    assert!(!emails.iter().any(|e| e.email.subject == "secret"));
    assert_eq!(emails.len(), 5);
    assert_eq!(report.emails.new, 5);
    assert_eq!(report.emails.skipped, 4, "{:?}", report.problems);
}
