//! Batch import against real files: the good path, idempotency, and every
//! bad input the format promises a clear message for.

mod common;

use callqa::domain::matching::MatchRule;
use callqa::import::import_batch;
use callqa::store::Workspace;
use common::{CALLS_HEADER, write, write_wav};
use std::path::Path;

fn workspace(dir: &Path) -> Workspace {
    Workspace::open(&dir.join("ws.sqlite")).unwrap()
}

/// A batch with two good calls, CRM files, and the given extra call rows.
fn batch(dir: &Path, extra_rows: &str) -> std::path::PathBuf {
    let b = dir.join("batch");
    write_wav(&b.join("rec/good1.wav"), 2.0, 8000);
    write_wav(&b.join("rec/good2.wav"), 3.0, 8000);
    write(
        &b.join("calls.csv"),
        &format!(
            "\u{feff}{CALLS_HEADER}\
             c1,2026-11-23T10:15:00+03:00,Анна,in,+79120000001,rec/good1.wav,k1,d1\n\
             c2,2026-11-23T11:00:00+03:00,Игорь,out,+79120000002,rec/good2.wav,,\n\
             {extra_rows}"
        ),
    );
    write(
        &b.join("crm/contacts.csv"),
        "contact_id,name,role,phone,email,company,industry,segment,owner_rep,extra_col\n\
         k1,Ольга,,+79120000001,,ООО «Ромашка»,retail,SMB,Анна,ignored\n",
    );
    write(
        &b.join("crm/deals.csv"),
        "deal_id,contact_id,title,stage,amount,currency,spec,source,owner_rep,updated_at\n\
         d1,k1,Панели,Квалификация,\"150 000\",RUB,,сайт,Анна,2026-11-22T09:00:00+03:00\n",
    );
    write(
        &b.join("crm/tasks.csv"),
        "task_id,deal_id,contact_id,owner_rep,text,due_at,done\n\
         t1,d1,k1,Анна,Перезвонить,2026-11-20T10:00:00+03:00,0\n",
    );
    write(
        &b.join("crm/notes.csv"),
        "note_id,deal_id,contact_id,call_id,author_rep,created_at,text\n\
         n1,d1,k1,c1,Анна,2026-11-23T10:40:00+03:00,\"Клиент сказал: \"\"дорого\"\", но\nготов, если скидка\"\n\
         n2,d1,k1,,Анна,2026-11-23T10:41:00+03:00,\"\x1b[2J\x1b]0;pwned\x07cleared your screen\"\n",
    );
    b
}

fn reasons(report: &callqa::import::ImportReport) -> Vec<String> {
    report.problems.iter().map(|p| p.to_string()).collect()
}

#[test]
fn good_batch_imports_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path(), "");
    let ws = workspace(dir.path());
    let first = import_batch(&ws, &b).unwrap();
    assert!(first.problems.is_empty(), "{:?}", reasons(&first));
    assert_eq!(
        (first.calls.new, first.contacts.new, first.notes.new),
        (2, 1, 2)
    );
    let call = ws.call("c1").unwrap();
    assert_eq!(call.recording.duration_ms, 2000);
    assert_eq!(
        (call.recording.sample_rate, call.recording.channels),
        (8000, 1)
    );
    assert!(Path::new(&call.recording.path).is_absolute());
    let crm = ws.crm_for_call(&call).unwrap();
    assert_eq!(crm.deal.as_ref().unwrap().amount, Some(150_000.0));
    assert!(
        crm.notes
            .iter()
            .any(|n| n.text.contains("\"дорого\", но\nготов"))
    );
    assert_eq!(crm.contact.unwrap().missing_fields(), vec!["role", "email"]);

    let second = import_batch(&ws, &b).unwrap();
    assert_eq!(
        (
            second.calls.new,
            second.calls.updated,
            second.calls.unchanged
        ),
        (0, 0, 2)
    );
    assert_eq!(second.notes.unchanged, 2);
    assert_eq!(ws.call_count().unwrap(), 2);
}

/// A call matched by phone alone, imported twice: the contact linking
/// showed on the call row is not read back as the call's own, so the second
/// import leaves the link and its rule exactly as they were.
#[test]
fn a_reimport_leaves_a_link_by_phone_alone_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path(), "");
    write(
        &b.join("crm/contacts.csv"),
        "contact_id,name,role,phone,email,company,industry,segment,owner_rep
         k1,Ольга,,+79120000001,,ООО «Ромашка»,retail,SMB,Анна
         k2,Павел,,+7 (912) 000-00-02,,ООО «Лютик»,retail,SMB,Игорь
",
    );
    let ws = workspace(dir.path());
    assert!(import_batch(&ws, &b).unwrap().problems.is_empty());
    let link = ws.match_result("c2").unwrap().unwrap();
    assert_eq!(link.rule, MatchRule::PhoneOnly, "{link:?}");
    assert_eq!(link.contact_id.as_deref(), Some("k2"));
    assert_eq!(ws.call("c2").unwrap().contact_id.as_deref(), Some("k2"));
    let links = call_links(&dir.path().join("ws.sqlite"));

    let second = import_batch(&ws, &b).unwrap();
    assert_eq!((second.calls.updated, second.calls.unchanged), (0, 2));
    assert_eq!(ws.match_result("c2").unwrap().unwrap(), link);
    assert_eq!(call_links(&dir.path().join("ws.sqlite")), links);
    assert_eq!(ws.call("c2").unwrap().contact_id.as_deref(), Some("k2"));
}

/// Every `call_links` row, each column as text, in call order.
fn call_links(workspace: &Path) -> Vec<Vec<Option<String>>> {
    let conn = rusqlite::Connection::open(workspace).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT call_id, contact_id, deal_id, rule, rule_detail, activity_ids, note_ids,
                    ambiguity, manual, updated_at FROM call_links ORDER BY call_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            (0..10)
                .map(|i| r.get::<_, Option<rusqlite::types::Value>>(i))
                .map(|v| v.map(|v| v.map(|v| format!("{v:?}"))))
                .collect()
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// The demo batch (links by ids on the call, by call id, deals found
/// through a contact), and a later batch whose contact matches the demo's
/// unmatched call by phone alone: the demo imported again writes no
/// `call_links` row and moves no call's contact or deal.
#[test]
fn the_demo_imported_twice_keeps_every_link() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let ws = workspace(dir.path());
    let links_of_calls = |ws: &Workspace| -> Vec<(String, Option<String>, Option<String>)> {
        ws.all_calls()
            .unwrap()
            .into_iter()
            .map(|c| (c.call_id, c.contact_id, c.deal_id))
            .collect()
    };
    assert!(import_batch(&ws, &demo).unwrap().problems.is_empty());
    let contact = dir.path().join("contact");
    write(&contact.join("calls.csv"), CALLS_HEADER);
    write(
        &contact.join("crm/contacts.csv"),
        "contact_id,name,role,phone,email,company,industry,segment,owner_rep
         K-900,Ирина,,+79990000301,,,,,Игорь Петров
",
    );
    assert!(import_batch(&ws, &contact).unwrap().problems.is_empty());
    let by_phone = ws.match_result("call-012").unwrap().unwrap();
    assert_eq!(by_phone.rule, MatchRule::PhoneOnly, "{by_phone:?}");
    let links = call_links(&dir.path().join("ws.sqlite"));
    let rules: std::collections::HashSet<_> = links.iter().map(|l| l[3].clone()).collect();
    assert!(rules.len() > 1, "{rules:?}");
    let calls = links_of_calls(&ws);

    let second = import_batch(&ws, &demo).unwrap();
    assert_eq!(second.calls.updated, 0);
    assert_eq!(call_links(&dir.path().join("ws.sqlite")), links);
    assert_eq!(links_of_calls(&ws), calls);
}

#[test]
fn bad_rows_are_named_and_skipped_and_the_rest_goes_in() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("batch");
    std::fs::create_dir_all(b.join("rec")).unwrap();
    std::fs::write(b.join("rec/empty.wav"), b"").unwrap();
    std::fs::write(
        b.join("rec/text.wav"),
        "this is not audio, just text\n".repeat(20),
    )
    .unwrap();
    write_wav(&b.join("rec/full.wav"), 2.0, 8000);
    let full = std::fs::read(b.join("rec/full.wav")).unwrap();
    std::fs::write(b.join("rec/cut.wav"), &full[..full.len() / 3]).unwrap();
    write_wav(&dir.path().join("outside.wav"), 1.0, 8000);
    let rows = "\
        e1,2026-11-23T12:00:00+03:00,Анна,in,+7,rec/empty.wav,,\n\
        e2,2026-11-23T12:01:00+03:00,Анна,in,+7,rec/cut.wav,,\n\
        e3,2026-11-23T12:02:00+03:00,Анна,in,+7,rec/text.wav,,\n\
        e4,2026-11-23T12:03:00+03:00,Анна,in,+7,rec/missing.wav,,\n\
        e5,2026-11-23T12:04:00+03:00,Анна,in,+7,../outside.wav,,\n\
        e6,2026-11-23T12:05:00+03:00,Анна,in,+7,/etc/hostname,,\n\
        e7,2026-11-23T12:06:00+03:00,Анна\n\
        c1,2026-11-23T12:07:00+03:00,Анна,in,+7,rec/good1.wav,,\n\
        e9,23.11.2026 12:08,Анна,in,+7,rec/good1.wav,,\n\
        e10,2026-11-23T12:09:00+03:00,Анна,sideways,+7,rec/good1.wav,,\n";
    let b = batch(dir.path(), rows);
    let ws = workspace(dir.path());
    let report = import_batch(&ws, &b).unwrap();
    let all = reasons(&report);
    let find = |needle: &str| {
        all.iter()
            .find(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no problem mentions {needle:?}: {all:#?}"))
            .clone()
    };
    assert!(find("e1").contains("empty file"), "{all:#?}");
    assert!(find("e2").contains("truncated"), "{all:#?}");
    assert!(find("e3").contains("not an audio file"), "{all:#?}");
    assert!(find("e4").contains("cannot be opened"), "{all:#?}");
    assert!(find("e5").contains("leaves the batch folder"), "{all:#?}");
    assert!(find("e6").contains("absolute"), "{all:#?}");
    assert!(find("calls.csv:10").contains("too few fields"), "{all:#?}");
    assert!(
        find("duplicate call_id").contains("first on line 2"),
        "{all:#?}"
    );
    assert!(find("e9").contains("does not parse"), "{all:#?}");
    assert!(find("e10").contains("sideways"), "{all:#?}");
    // Each problem names the file and line.
    assert!(all.iter().all(|r| r.starts_with("calls.csv:")), "{all:#?}");
    assert!(find("e1").starts_with("calls.csv:4: e1: "), "{all:#?}");
    assert_eq!(report.calls.new, 2);
    assert_eq!(report.calls.skipped, 10);
    assert_eq!(ws.call_count().unwrap(), 2);
}

#[test]
fn a_broken_reimport_loses_nothing_already_there() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path(), "");
    let ws = workspace(dir.path());
    import_batch(&ws, &b).unwrap();
    // The recording disappears and the CSV row goes bad: the stored call stays.
    std::fs::remove_file(b.join("rec/good1.wav")).unwrap();
    write(
        &b.join("calls.csv"),
        &format!("{CALLS_HEADER}c1,not-a-date,Анна,in,+7,rec/good1.wav,,\n"),
    );
    let report = import_batch(&ws, &b).unwrap();
    assert_eq!(report.calls.skipped, 1);
    assert_eq!(ws.call_count().unwrap(), 2);
    assert_eq!(ws.call("c1").unwrap().recording.duration_ms, 2000);
}

#[test]
fn missing_columns_and_missing_folder_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let err = import_batch(&ws, &dir.path().join("nope")).unwrap_err();
    assert!(err.to_string().contains("not a batch folder"), "{err}");
    let b = dir.path().join("b");
    write(&b.join("calls.csv"), "call_id,rep\nc1,Анна\n");
    let err = import_batch(&ws, &b).unwrap_err().to_string();
    assert!(
        err.starts_with("calls.csv: missing column(s): started_at, direction, phone, recording"),
        "{err}"
    );
    std::fs::remove_file(b.join("calls.csv")).unwrap();
    let err = import_batch(&ws, &b).unwrap_err().to_string();
    assert!(
        err.contains("calls.csv") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn non_utf8_rows_and_unknown_crm_links_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(
        dir.path(),
        "c3,2026-11-23T12:00:00+03:00,Анна,in,+7,rec/good1.wav,k-unknown,\n",
    );
    let mut bytes = std::fs::read(b.join("calls.csv")).unwrap();
    bytes.extend_from_slice(
        b"c4,2026-11-23T12:00:00+03:00,\xc0\xed\xed\xe0,in,+7,rec/good1.wav,,\n",
    );
    std::fs::write(b.join("calls.csv"), bytes).unwrap();
    let ws = workspace(dir.path());
    let report = import_batch(&ws, &b).unwrap();
    let all = reasons(&report);
    assert!(
        all.iter()
            .any(|r| r.starts_with("calls.csv:5") && r.contains("UTF-8")),
        "{all:#?}"
    );
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings.iter().any(|w| w.contains("k-unknown")),
        "{warnings:#?}"
    );
    assert_eq!(report.calls.new, 3);
}

#[test]
fn channel_layout_is_read_and_checked_against_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let report = import_batch(&ws, &demo).unwrap();
    assert!(
        report.problems.is_empty() && report.warnings.is_empty(),
        "{report:?}"
    );
    use callqa::domain::crm::ChannelLayout;
    let stereo = ws.call("call-003").unwrap().recording;
    assert_eq!(
        (stereo.channels, stereo.channel_layout),
        (2, ChannelLayout::RepLeft)
    );
    assert_eq!(
        ws.call("call-001").unwrap().recording.channel_layout,
        ChannelLayout::Mono
    );

    let b = dir.path().join("layout");
    write_wav(&b.join("m.wav"), 1.0, 8000);
    write(
        &b.join("calls.csv"),
        "call_id,started_at,rep,direction,phone,recording,channel_layout\n\
         c9,2026-11-23T12:00:00+03:00,Анна,in,+7,m.wav,rep-right\n",
    );
    let report = import_batch(&ws, &b).unwrap();
    // A mono recording is mono whatever the column says.
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        ws.call("c9").unwrap().recording.channel_layout,
        ChannelLayout::Mono
    );
}

#[test]
fn crlf_files_report_the_right_lines() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("crlf");
    write_wav(&b.join("a.wav"), 1.0, 8000);
    write(
        &b.join("calls.csv"),
        "call_id,started_at,rep,direction,phone,recording\r\n\
         c1,2026-11-23T10:15:00+03:00,A,in,+7,a.wav\r\n\
         c2,bad\r\n\
         c3,x,A,in,+7,a.wav\r\n",
    );
    let ws = workspace(dir.path());
    let report = import_batch(&ws, &b).unwrap();
    let all = reasons(&report);
    assert!(
        all.iter()
            .any(|r| r.starts_with("calls.csv:3: too few fields")),
        "{all:#?}"
    );
    assert!(
        all.iter().any(|r| r.starts_with("calls.csv:4: c3: time")),
        "{all:#?}"
    );
    assert_eq!(report.calls.new, 1);
}

/// `callqa import FOLDER` detects the batch and takes the one path: the
/// lines of bad rows are right after CRLF ends, blank lines and notes
/// spanning lines, in `calls.csv` and in the CRM files alike.
#[test]
fn line_numbers_are_right_after_crlf_blank_lines_and_multiline_notes() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("crlf");
    write_wav(&b.join("a.wav"), 1.0, 8000);
    let crlf = |text: &str| text.replace('\n', "\r\n");
    write(
        &b.join("calls.csv"),
        &crlf(
            "call_id,started_at,rep,direction,phone,recording,script,note\n\
             c1,2026-11-23T10:15:00+03:00,A,in,+7,a.wav,inbound-v2,\"one\ntwo\nthree\"\n\
             \n\
             c2,2026-11-23T10:16:00+03:00,A,sideways,+7,a.wav,,\n\
             c3,2026-11-23T10:17:00+03:00,A,in,+7,a.wav,,\"x\ny\"\n\
             c4,bad,A,in,+7,a.wav,,\n",
        ),
    );
    write(
        &b.join("crm/notes.csv"),
        &crlf(
            "note_id,call_id,created_at,text\n\
             n1,c1,2026-11-23T10:40:00+03:00,\"Клиент:\nдорого\"\n\
             n2,c1,вчера,\"a\"\n",
        ),
    );
    let ws = workspace(dir.path());
    let options = callqa::import::formats::ParseOptions::default();
    let report = callqa::import::import_source(&ws, &b, None, &options).unwrap();
    assert_eq!(
        reasons(&report),
        vec![
            "calls.csv:6: c2: direction \"sideways\" is neither in nor out",
            "calls.csv:9: c4: time \"bad\" does not parse; write it like 2026-11-23T10:15:00+03:00",
            "crm/notes.csv:4: n2: time \"вчера\" does not parse; write it like 2026-11-23T10:15:00+03:00",
        ]
    );
    assert_eq!((report.calls.new, report.calls.skipped), (2, 2));
    assert_eq!((report.notes.new, report.notes.skipped), (1, 1));
    let c1 = ws.call("c1").unwrap();
    assert_eq!(c1.script.as_deref(), Some("inbound-v2"));
    let crm = ws.crm_for_call(&c1).unwrap();
    assert!(crm.notes.iter().any(|n| n.text == "Клиент:\nдорого"));
}
