//! Upgrading real workspaces: for every schema version, a workspace made by
//! the migrations up to it and filled the way that version stored data
//! (plain SQL, as the callqa of that time wrote it) opens with today's code
//! at the latest version, and everything in it reads back through today's
//! API. A new migration is covered from the moment it is added: every
//! earlier version is upgraded across it with data in it.

use super::{LATEST, migrate_to};
use crate::domain::checklist::DEFAULT_SALES_CALL_TOML;
use crate::domain::crm::ChannelLayout;
use crate::domain::{AnswerValue, Checklist, Lang, ReviewStatus};
use crate::store::Workspace;
use crate::store::test_support::sqlite;
use rusqlite::{Connection, params};
use std::path::Path;

const REVIEWER: &str = "Мария";
const AT: &str = "2026-11-23T10:00:00+03:00";

/// A workspace at schema `version` with a reviewed call and its CRM records.
fn workspace_at(path: &Path, version: usize) {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    migrate_to(&mut conn, path, version).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, version as i64, "the fixture is at version {version}");
    fill_v1(&conn);
    if version >= 2 {
        fill_v2(&conn);
    }
    if version >= 3 {
        fill_v3(&conn);
    }
    if version >= 4 {
        fill_v4(&conn);
    }
    if has_plan_tables(&conn) {
        fill_plan(&conn);
    }
    if has_table(&conn, "emails") {
        insert_email(&conn);
    }
}

fn has_table(conn: &Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        == 1
}

const MESSAGE_ID: &str = "<offer-1@solar-dom.example>";

/// The emails' migration: one rep's email, as the import stores it.
fn insert_email(conn: &Connection) {
    conn.execute(
        "INSERT INTO emails (message_id, batch_id, in_reply_to, refs, from_name, from_address,
             to_list, cc_list, sent_at, sent_at_utc, subject, body, attachments, source_file,
             source_record, thread_id, direction, rep, contact_id, deal_id, contact_rule,
             imported_at)
         VALUES (?1, 1, NULL, '[]', 'Анна', 'anna@solar-dom.example',
             '[{\"name\":\"Иван Петров\",\"address\":\"ivan@example.ru\"}]', '[]',
             ?2, '2026-11-23T07:00:00Z', 'КП', 'Иван, добрый день!', '[]', 'emails/a.eml',
             NULL, ?1, 'out', 'Анна', 'K-1', 'D-1', 'address', ?2)",
        params![MESSAGE_ID, AT],
    )
    .unwrap();
}

/// Whether the plan's migration is applied: told by its tables, so the
/// tests need no change when migrations are renumbered.
fn has_plan_tables(conn: &Connection) -> bool {
    conn.query_row(
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'plans'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        == 1
}

/// The plan's migration: a roster row, rules, and a plan of c1's week.
fn fill_plan(conn: &Connection) {
    conn.execute_batch(
        "INSERT INTO reps VALUES ('анна', 'Анна', '2024-02-01', 'Юг', 85.5, 1, '2026-11-23');",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO sampling_rules VALUES (1, ?1, ?2)",
        params![crate::domain::sampling::DEFAULT_SAMPLING_TOML, AT],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO settings VALUES ('sampling.rules_version', '1');
         INSERT INTO plans VALUES ('2026-W48', 's', 1, 1, '2026-11-23', '[]', '[]', 0);
         INSERT INTO plan_entries VALUES ('2026-W48', 0, 'c1', 'Анна', 'quality',
             '{\"why\":\"quota\"}', -5, NULL, 'Мария');",
    )
    .unwrap();
}

/// Version 1: settings, a batch, the checklist, a call with its contact,
/// deal, task and note, a submitted review with answers and its history,
/// and where the reviewer left off.
fn fill_v1(conn: &Connection) {
    let checklist = Checklist::default_sales_call();
    conn.execute_batch(
        "INSERT INTO settings (key, value) VALUES ('language', 'ru');
         INSERT INTO batches (batch_id, path, imported_at)
           VALUES (1, '/batches/2026-11', '2026-11-23T12:00:00+03:00');",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO checklists (checklist_id, version, title_en, title_ru, toml, loaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            checklist.id,
            checklist.version,
            checklist.title.en,
            checklist.title.ru,
            DEFAULT_SALES_CALL_TOML,
            AT
        ],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO calls (call_id, batch_id, started_at, started_at_utc, rep, direction,
             phone, contact_id, deal_id, script, recording_path, container, codec,
             duration_ms, channels, sample_rate, imported_at)
         VALUES ('c1', 1, ?1, '2026-11-23T07:00:00+00:00', 'Анна', 'out', '+79123456789',
             'K-1', 'D-1', NULL, '/batches/2026-11/c1.wav', 'wav', 'pcm_s16le',
             64000, 2, 8000, ?1)",
        [AT],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO contacts VALUES ('K-1', 1, 'Иван Петров', 'директор', '+79123456789',
             'ivan@example.ru', 'ООО Солнце', 'энергетика', 'B2B', 'Анна');
         INSERT INTO deals VALUES ('D-1', 1, 'K-1', 'Панели на склад', 'КП отправлено',
             1250000.5, 'RUB', 'спецификация v2', 'сайт', 'Анна', '2026-11-22T09:00:00+03:00');
         INSERT INTO tasks VALUES ('T-1', 1, 'D-1', 'K-1', 'Анна', 'Перезвонить',
             '2026-11-25T18:00:00+03:00', 0);
         INSERT INTO notes VALUES ('N-1', 1, 'D-1', 'K-1', 'c1', 'Анна',
             '2026-11-23T10:20:00+03:00', 'Обсудили склад, ждёт КП');",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO reviews (review_id, call_id, reviewer, checklist_id, checklist_version,
             status, started_at, submitted_at, time_spent_ms, score, revision)
         VALUES (1, 'c1', ?1, ?2, ?3, 'submitted', ?4, '2026-11-24T11:00:00+03:00',
             95000, 50.0, 2)",
        params![REVIEWER, checklist.id, checklist.version, AT],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO answers (review_id, item_id, value, comment, evidence_ms, automatic,
             updated_at) VALUES (1, 'greeting', 'yes', NULL, 1500, 0, '2026-11-24T10:50:00+03:00');
         INSERT INTO answers (review_id, item_id, value, comment, evidence_ms, automatic,
             updated_at) VALUES (1, 'client_name', 'no', 'ни разу, \"по имени\"', NULL, 0,
             '2026-11-24T10:51:00+03:00');
         INSERT INTO answers (review_id, item_id, value, comment, evidence_ms, automatic,
             updated_at) VALUES (1, 'crm_written', 'yes', NULL, NULL, 1, '2026-11-24T10:40:00+03:00');
         INSERT INTO review_events (review_id, revision, at, kind, item_id, old_value, new_value)
           VALUES (1, 1, '2026-11-24T10:40:00+03:00', 'start', NULL, NULL, NULL),
                  (1, 1, '2026-11-24T10:50:00+03:00', 'answer', 'greeting', NULL, 'yes'),
                  (1, 1, '2026-11-24T10:55:00+03:00', 'submit', NULL, NULL, '{\"score\":50.0}'),
                  (1, 2, '2026-11-24T10:58:00+03:00', 'reopen', NULL, NULL, NULL),
                  (1, 2, '2026-11-24T11:00:00+03:00', 'submit', NULL, NULL, '{\"score\":50.0}');",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO reviewer_state VALUES (?1, 'c1', 'client_name', 31000, ?2)",
        params![REVIEWER, AT],
    )
    .unwrap();
}

/// Version 2: the call's stereo layout, a marker and a cached analysis.
fn fill_v2(conn: &Connection) {
    conn.execute_batch(
        "UPDATE calls SET channel_layout = 'rep-left' WHERE call_id = 'c1';
         INSERT INTO markers (call_id, reviewer, position_ms, note, created_at)
           VALUES ('c1', 'Мария', 42000, 'возражение по цене', '2026-11-24T10:45:00+03:00');
         INSERT INTO call_analysis
             (call_id, version, recording_path, duration_ms, analysed_at, result)
           VALUES ('c1', 7, '/batches/2026-11/c1.wav', 64000,
           '2026-11-24T10:41:00+03:00',
           '{\"dead_air_ms\":1200,\"flags\":[{\"flag\":\"silent\"}]}');",
    )
    .unwrap();
}

/// Version 3: PBX details, another system's id, a CRM activity and a link
/// the reviewer fixed by hand.
fn fill_v3(conn: &Connection) {
    conn.execute_batch(
        "UPDATE calls SET talk_ms = 61000, answered = 1 WHERE call_id = 'c1';
         INSERT INTO call_external_ids VALUES ('asterisk.linkedid', '1700000000.42', 'c1');
         INSERT INTO activities VALUES ('A-1', 1, 'call', 'K-1', 'D-1', 'Анна', '+79123456789',
           '2026-11-23T10:00:00+03:00', 'out', 'Исходящий звонок', '', 1, '[\"1700000000.42\"]');
         INSERT INTO call_links (call_id, contact_id, deal_id, rule, manual, updated_at)
           VALUES ('c1', 'K-1', 'D-1', 'manual', 1, '2026-11-24T10:42:00+03:00');",
    )
    .unwrap();
}

/// Version 4: the analysis's flags kept beside it, as `save_analysis`
/// writes them.
fn fill_v4(conn: &Connection) {
    conn.execute_batch(
        "UPDATE call_analysis SET flags = '[{\"flag\":\"silent\"}]' WHERE call_id = 'c1';",
    )
    .unwrap();
}

/// Everything `workspace_at(version)` stored, read through today's API.
fn check_data(ws: &Workspace, version: usize) {
    let what = format!("upgraded from version {version}");
    assert_eq!(ws.language().unwrap(), Some(Lang::Ru), "{what}");
    let checklist = Checklist::default_sales_call();
    assert_eq!(
        ws.checklist(&checklist.id, checklist.version).unwrap(),
        Some(checklist.clone()),
        "{what}"
    );
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)
        .unwrap();

    let call = ws.call("c1").unwrap();
    assert_eq!(
        (
            call.rep.as_str(),
            call.phone.as_str(),
            call.recording.duration_ms
        ),
        ("Анна", "+79123456789", 64000),
        "{what}"
    );
    let layout = if version >= 2 {
        ChannelLayout::RepLeft
    } else {
        ChannelLayout::Mono
    };
    assert_eq!(call.recording.channel_layout, layout, "{what}");

    let crm = ws.crm_for_call(&call).unwrap();
    assert_eq!(crm.contact.unwrap().name, "Иван Петров", "{what}");
    let deal = crm.deal.unwrap();
    assert_eq!(
        (deal.stage.as_str(), deal.amount),
        ("КП отправлено", Some(1250000.5))
    );
    assert_eq!(crm.tasks.len(), 1, "{what}");
    assert_eq!(crm.notes[0].text, "Обсудили склад, ждёт КП", "{what}");

    let review = ws.review("c1", REVIEWER, &checklist.id).unwrap().unwrap();
    assert_eq!(
        (
            review.status,
            review.score,
            review.revision,
            review.time_spent_ms
        ),
        (ReviewStatus::Submitted, Some(50.0), 2, 95000),
        "{what}"
    );
    let name = &review.answers["client_name"];
    assert_eq!(name.value, Some(AnswerValue::No), "{what}");
    assert_eq!(name.comment.as_deref(), Some("ни разу, \"по имени\""));
    assert_eq!(review.answers["greeting"].evidence_ms, Some(1500));
    assert!(review.answers["crm_written"].automatic, "{what}");
    let kinds: Vec<String> = ws
        .review_events(review.review_id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["start", "answer", "submit", "reopen", "submit"]);
    assert_eq!(ws.result_rows().unwrap().len(), 3, "{what}");
    let place = ws.place(REVIEWER).unwrap().unwrap();
    assert_eq!(
        (place.item_id.as_deref(), place.position_ms),
        (Some("client_name"), Some(31000))
    );

    // The queue row: status and score, and since version 4 the flags kept
    // beside the analysis (filled in from the analyses already stored).
    let of = crate::store::QueueOf {
        reviewer: REVIEWER.into(),
        analysis_version: 7,
    };
    let row = ws.queue_row(&of, "c1").unwrap().unwrap();
    assert_eq!(
        (row.status, row.score),
        (ReviewStatus::Submitted, Some(50.0))
    );
    let flags = if version >= 2 {
        vec![crate::analysis::HealthFlag::Silent]
    } else {
        vec![]
    };
    assert_eq!((row.flags, row.problem), (flags, None), "{what}");

    let markers = ws.markers("c1", REVIEWER).unwrap();
    assert_eq!(markers.len(), usize::from(version >= 2), "{what}");
    assert_eq!(ws.analysis("c1", 7).unwrap().is_some(), version >= 2);

    let link = ws.call_link("c1").unwrap();
    assert_eq!(link.map(|l| l.manual), (version >= 3).then_some(true));
    let ids = ws.all_external_ids().unwrap();
    assert_eq!(ids.contains_key("c1"), version >= 3, "{what}");
    assert_eq!(
        ws.all_activities().unwrap().len(),
        usize::from(version >= 3)
    );

    // Made with the plan's migration: its data reads back; made before it:
    // no roster, no plan, no rules (the defaults apply).
    let period = crate::domain::sampling::Period::parse("2026-W48").unwrap();
    let roster = ws.roster().unwrap();
    if let Some(plan) = ws.plan(period).unwrap() {
        assert_eq!(plan.entries[0].call_id, "c1", "{what}");
        assert_eq!(plan.entries[0].rank, (-5i64) as u64);
        assert_eq!(roster[0].plan_pct, Some(85.5));
        assert_eq!(ws.plan_queue(period, REVIEWER).unwrap().len(), 1);
        assert!(ws.sampling_rules().unwrap().is_some());
    } else {
        assert!(roster.is_empty(), "{what}");
        assert_eq!(ws.sampling_rules().unwrap(), None);
    }
    assert_eq!(ws.period_calls(period, 7).unwrap().len(), 1, "{what}");
}

#[test]
fn every_earlier_version_upgrades_with_its_data() {
    for version in 1..=LATEST as usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        workspace_at(&path, version);

        let mut ws = Workspace::open(&path).unwrap();
        let now: i64 = sqlite(&ws)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(now, LATEST, "upgraded from version {version}");
        let integrity: String = sqlite(&ws)
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let broken_keys: i64 = sqlite(&ws)
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken_keys, 0, "upgraded from version {version}");
        check_data(&ws, version);

        check_email_review(&mut ws, version);

        // The upgraded workspace takes new work: a marker and a manual link.
        ws.add_marker("c1", REVIEWER, 5000, None).unwrap();
        ws.link_by_hand("c1", Some("K-1"), None).unwrap();
        assert_eq!(ws.call("c1").unwrap().deal_id, None);
        drop(ws);
        // And opens again without migrating twice.
        let again = Workspace::open(&path).unwrap();
        assert_eq!(
            again.markers("c1", REVIEWER).unwrap().len(),
            1 + usize::from(version >= 2)
        );
    }
}

/// The upgraded workspace reviews an email beside the call: a review of
/// exactly one subject, one per reviewer and checklist, with a quoted line.
fn check_email_review(ws: &mut Workspace, version: usize) {
    let what = format!("upgraded from version {version}");
    if version < 8 {
        insert_email(sqlite(ws));
    }
    let checklist = Checklist::default_sales_call();
    let subject = crate::store::Subject::Email(MESSAGE_ID.into());
    let review = ws
        .start_review_of(&subject, REVIEWER, &checklist, vec![])
        .unwrap();
    assert_ne!(
        review.review_id, 1,
        "{what}: the call's review keeps its id"
    );
    assert_eq!(review.subject, subject, "{what}");
    ws.change_answer(
        review.review_id,
        &checklist,
        "greeting",
        crate::store::AnswerChange::Quote(Some("Иван, добрый день!".into())),
    )
    .unwrap();
    let again = ws
        .review_of(&subject, REVIEWER, &checklist.id)
        .unwrap()
        .unwrap();
    assert_eq!(again.review_id, review.review_id, "{what}");
    assert_eq!(again.quotes["greeting"], "Иван, добрый день!", "{what}");
    let call = ws.review("c1", REVIEWER, &checklist.id).unwrap().unwrap();
    assert_eq!(call.review_id, 1, "{what}");
    assert!(call.quotes.is_empty(), "{what}");

    // Neither subject, both, or a second review of the same email: refused.
    let insert = |call: Option<&str>, email: Option<&str>| {
        sqlite(ws).execute(
            "INSERT INTO reviews (call_id, message_id, reviewer, checklist_id,
                 checklist_version, status, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'in_progress', ?6)",
            params![call, email, REVIEWER, checklist.id, checklist.version, AT],
        )
    };
    assert!(insert(None, None).is_err(), "{what}");
    assert!(insert(Some("c1"), Some(MESSAGE_ID)).is_err(), "{what}");
    assert!(insert(None, Some(MESSAGE_ID)).is_err(), "{what}");
    assert!(insert(Some("c1"), None).is_err(), "{what}");
}
