//! Client exports in their real layouts (tests/fixtures/crm/) read and
//! matched: Asterisk and FreePBX CDRs, amoCRM JSON and CSV (Windows-1251,
//! `;`, CRLF), Bitrix24 REST dumps, HubSpot CSVs and a mapping profile; and a
//! bad record in each, reported with file, line or record, and field.

use callqa::domain::matching::{Ambiguity, MatchResult, MatchRule};
use callqa::import::formats::{
    self, CallRecord, FormatError, MappingProfile, ParseOptions, Parsed, SourceFormat,
};
use callqa::import::import_source;
use callqa::store::Workspace;
use std::path::{Path, PathBuf};

#[path = "common/mod.rs"]
mod common;
#[path = "import_formats/crm_emails.rs"]
mod crm_emails;
#[path = "import_formats/crm_exports.rs"]
mod crm_exports;
#[path = "import_formats/errors.rs"]
mod errors;
#[path = "import_formats/matching_rules.rs"]
mod matching_rules;
#[path = "import_formats/untrusted_files.rs"]
mod untrusted_files;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crm")
        .join(name)
}

fn read(name: &str, format: SourceFormat) -> Parsed {
    let path = fixture(name);
    assert_eq!(formats::detect(&path).unwrap(), format, "{name}");
    formats::parse(&path, format, &ParseOptions::default()).unwrap()
}

fn call<'a>(parsed: &'a Parsed, id: &str) -> &'a CallRecord {
    parsed
        .calls
        .iter()
        .find(|c| c.call_id == id)
        .unwrap_or_else(|| panic!("no call {id}"))
}

/// Import each source into one fresh workspace, in order, as `callqa
/// import` does: links are decided there and read back from it, so these
/// tests take the path production takes.
fn import_all(sources: &[(&Path, ParseOptions)]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
    for (path, options) in sources {
        import_source(&ws, path, None, options).unwrap();
    }
    (dir, ws)
}

/// The link the workspace keeps for a call.
fn matched(ws: &Workspace, id: &str) -> MatchResult {
    ws.match_result(id)
        .unwrap()
        .unwrap_or_else(|| panic!("call {id} has no stored link"))
}

fn explicit(kind: &str) -> MatchRule {
    MatchRule::ExplicitId { kind: kind.into() }
}

fn links(r: &MatchResult) -> (Option<&str>, Option<&str>) {
    (r.contact_id.as_deref(), r.deal_id.as_deref())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of a fixture with one file's text changed.
fn broken(name: &str, file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    copy_dir(&fixture(name), &root);
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(root.join(file), text.replacen(from, to, 1)).unwrap();
    (dir, root)
}

fn problems(parsed: &Parsed) -> Vec<String> {
    parsed.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn asterisk_master_csv_groups_legs_into_calls() {
    let p = read("asterisk", SourceFormat::AsteriskCdr);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    assert_eq!(p.calls.len(), 3, "the internal call is left out");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.reason.contains("1 internal call"))
    );

    let out = call(&p, "1795418102.18");
    assert_eq!(out.started_at.to_rfc3339(), "2026-11-23T10:15:02+03:00");
    assert_eq!(
        (out.rep.as_str(), out.phone.as_str()),
        ("Анна Смирнова", "+79123456789")
    );
    assert_eq!(out.direction.code(), "out");
    assert_eq!((out.duration_ms, out.answered), (Some(185_000), Some(true)));
    assert_eq!(
        out.recording.as_deref(),
        Some("monitor/2026/11/23/out-89123456789-101-20261123-101502-1795418102.18.wav")
    );
    assert!(
        out.external_ids
            .contains(&("asterisk.linkedid".into(), "1795418102.18".into()))
    );

    // Two legs (101 did not answer, 102 did): one inbound call, Boris's.
    let inbound = call(&p, "1795420800.32");
    assert_eq!(inbound.direction.code(), "in");
    assert_eq!(
        (inbound.rep.as_str(), inbound.phone.as_str()),
        ("Борис Орлов", "+74951234567")
    );
    assert_eq!(inbound.duration_ms, Some(242_000));
    assert!(
        inbound
            .recording
            .as_deref()
            .unwrap()
            .starts_with("monitor/2026/11/23/external-600")
    );

    let missed = call(&p, "1795424400.40");
    assert_eq!(
        (
            missed.answered,
            missed.duration_ms,
            missed.recording.clone()
        ),
        (Some(false), Some(0), None)
    );
}

#[test]
fn asterisk_18_columns_crlf_without_reps_table() {
    let p = read("asterisk-18col", SourceFormat::AsteriskCdr);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    assert_eq!(p.calls.len(), 2);
    let first = call(&p, "1795500300.7");
    assert_eq!(
        (first.rep.as_str(), first.phone.as_str()),
        ("103", "+79123456789")
    );
    let busy = call(&p, "1795501200.9");
    assert_eq!(
        (busy.direction.code(), busy.rep.as_str(), busy.answered),
        ("in", "103", Some(false))
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.reason.contains("103 have no rep")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn freepbx_export_finds_recordings_by_recordingfile() {
    let p = read("freepbx", SourceFormat::FreePbxCdr);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    assert_eq!(p.calls.len(), 3);
    assert_eq!(call(&p, "1795418102.18").rep, "Анна Смирнова");
    // An absolute PBX path in `recordingfile` still finds the file.
    let inbound = call(&p, "1795420800.32");
    assert_eq!(
        (inbound.rep.as_str(), inbound.direction.code()),
        ("Борис Орлов", "in")
    );
    assert!(
        inbound
            .recording
            .as_deref()
            .unwrap()
            .ends_with("1795420800.32.wav")
    );
    let missing = p
        .warnings
        .iter()
        .find(|w| w.reason.contains("recordingfile"))
        .unwrap();
    assert_eq!(
        (missing.file.as_str(), missing.line),
        ("cdr_export_2026-11-23.csv", Some(4))
    );
}

#[test]
fn amocrm_json_dump_reads_every_entity() {
    let p = read("amocrm-json", SourceFormat::AmoCrmJson);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    let olga = p.contacts.iter().find(|c| c.contact_id == "2001").unwrap();
    assert_eq!(olga.phone, "+79123456789");
    assert_eq!(
        (olga.role.as_str(), olga.email.as_str()),
        ("Закупщик", "olga@romashka.ru")
    );
    assert_eq!(
        (olga.company.as_str(), olga.owner_rep.as_str()),
        ("ООО Ромашка", "Анна Смирнова")
    );
    let deal = p.deals.iter().find(|d| d.deal_id == "1001").unwrap();
    assert_eq!(
        (deal.stage.as_str(), deal.amount, deal.contact_id.as_str()),
        ("Переговоры", Some(150_000.0), "2001")
    );
    assert_eq!(deal.source, "Сайт");
    assert_eq!(
        p.deals.iter().find(|d| d.deal_id == "1002").unwrap().amount,
        None
    );
    assert_eq!(p.tasks.len(), 3);
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T12:00:00+03:00").unwrap();
    let overdue: Vec<&str> = p
        .tasks
        .iter()
        .filter(|t| t.is_overdue(now))
        .map(|t| t.task_id.as_str())
        .collect();
    assert_eq!(overdue, vec!["4002"]);
    let mut notes: Vec<&str> = p.notes.iter().map(|n| n.note_id.as_str()).collect();
    notes.sort();
    assert_eq!(notes, vec!["5002", "6001"], "common notes only");
    assert_eq!(
        p.notes
            .iter()
            .find(|n| n.note_id == "6001")
            .unwrap()
            .contact_id
            .as_deref(),
        Some("2002")
    );

    let c = call(&p, "amocrm-note-5001");
    assert_eq!(
        (c.duration_ms, c.answered, c.deal_id.as_deref()),
        (Some(185_000), Some(true), Some("1001"))
    );
    assert!(
        c.recording
            .as_deref()
            .unwrap()
            .starts_with("https://pbx.example.ru/")
    );
    // Its recording is only a link: not reviewable, so not linked either
    // (the PBX's own record of it is; see the next test).
    let (_dir, ws) = import_all(&[(&fixture("amocrm-json"), ParseOptions::default())]);
    assert!(ws.match_result("amocrm-note-5001").unwrap().is_none());
}

#[test]
fn asterisk_calls_match_amocrm_by_uniq_and_writeups_follow() {
    let (_dir, ws) = import_all(&[
        (&fixture("asterisk"), ParseOptions::default()),
        (&fixture("amocrm-json"), ParseOptions::default()),
    ]);
    let out = matched(&ws, "1795418102.18");
    assert_eq!(out.rule, explicit("asterisk.linkedid"));
    assert_eq!(
        (links(&out), out.activity_ids.clone()),
        ((Some("2001"), Some("1001")), vec!["5001".to_string()])
    );
    assert_eq!(out.note_ids, vec!["5002"]);
    let inbound = matched(&ws, "1795420800.32");
    assert_eq!(links(&inbound), (Some("2002"), Some("1002")));
    assert_eq!(
        inbound.note_ids,
        vec!["6001"],
        "a contact note the next morning is the write-up"
    );
    assert!(
        ws.match_result("1795424400.40").unwrap().is_none(),
        "an unanswered call is not stored, so not linked"
    );
}

#[test]
fn amocrm_csv_in_windows_1251_with_semicolons_and_crlf() {
    let p = read("amocrm-csv", SourceFormat::AmoCrmCsv);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.reason.contains("windows-1251 (guessed"))
    );
    assert_eq!(p.deals.len(), 3);
    assert_eq!(
        p.contacts.len(),
        2,
        "one contact on two deals is one contact"
    );
    let olga = &p.contacts[0];
    assert_eq!(olga.contact_id, "amocrm-contact:+79123456789");
    assert_eq!(
        (
            olga.name.as_str(),
            olga.role.as_str(),
            olga.company.as_str()
        ),
        ("Ольга Петрова", "Закупщик", "ООО Ромашка")
    );
    let d1001 = &p.deals[0];
    assert_eq!(
        (d1001.amount, d1001.stage.as_str(), d1001.owner_rep.as_str()),
        (Some(150_000.0), "Переговоры", "Анна Смирнова")
    );
    assert_eq!(
        d1001.updated_at.unwrap().to_rfc3339(),
        "2026-11-23T10:41:05+03:00"
    );
    assert_eq!(p.deals[2].amount, Some(80_000.5));
    assert_eq!(p.deals[2].contact_id, olga.contact_id);
    let note = p.notes.iter().find(|n| n.note_id == "1003-note-1").unwrap();
    assert_eq!(note.text, "Созвон по КП;\nждём реквизиты");

    // The encoding given by hand is used as is, without a warning.
    let options = ParseOptions {
        encoding: Some("windows-1251".into()),
        ..ParseOptions::default()
    };
    let forced = formats::parse(&fixture("amocrm-csv"), SourceFormat::AmoCrmCsv, &options).unwrap();
    assert!(
        forced
            .warnings
            .iter()
            .all(|w| !w.reason.contains("guessed"))
    );
    assert_eq!(forced.deals, p.deals);

    // The same export saved as UTF-8 with a BOM, commas and the newer
    // "(контакт)" headers reads the same.
    let utf8 = read("amocrm-csv-utf8", SourceFormat::AmoCrmCsv);
    assert!(utf8.problems.is_empty(), "{:?}", problems(&utf8));
    assert_eq!(utf8.contacts, p.contacts);
    assert_eq!(utf8.deals, p.deals);
    assert_eq!(
        utf8.notes.iter().map(|n| &n.text).collect::<Vec<_>>(),
        p.notes.iter().map(|n| &n.text).collect::<Vec<_>>()
    );

    // Matched by phone: Olga has two deals of Anna's, the newer one is picked.
    let (_dir, ws) = import_all(&[
        (&fixture("asterisk"), ParseOptions::default()),
        (&fixture("amocrm-csv"), ParseOptions::default()),
    ]);
    let r = matched(&ws, "1795418102.18");
    assert_eq!(r.rule, MatchRule::PhoneOnly);
    assert_eq!(
        links(&r),
        (Some("amocrm-contact:+79123456789"), Some("1001"))
    );
    assert!(
        r.ambiguity.iter().any(|a| matches!(a,
            Ambiguity::SeveralDeals { deal_ids, .. } if deal_ids.len() == 2)),
        "{r:?}"
    );
    assert!(r.note_ids.is_empty(), "undated CSV notes are no write-up");
}
