//! A team's workspace on PostgreSQL: every command gives what it gives on
//! SQLite, and `callqa migrate` moves a workspace between the engines both
//! ways with every row. Runs on the private server `./dev test` starts
//! (`CALLQA_TEST_PG`).

mod common;

use callqa::domain::{AnswerValue, Checklist};
use callqa::store::testing::TempDatabase;
use callqa::store::{AnswerChange, Workspace};
use common::{callqa, text};
use std::path::Path;

fn demo() -> String {
    format!("{}/assets/demo", env!("CARGO_MANIFEST_DIR"))
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = callqa(dir, args);
    assert!(
        out.status.success(),
        "callqa {args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A submitted review of the demo's first call, made through the store as
/// the workstation makes it.
fn review_first_call(db: &str) {
    let mut ws = Workspace::open_existing(db).unwrap();
    let checklist = Checklist::default_sales_call();
    let call = ws.call("call-001").unwrap();
    let review = ws.start_review(&call, "Мария", &checklist, vec![]).unwrap();
    for (item, value) in [("greeting", AnswerValue::Yes), ("needs", AnswerValue::No)] {
        ws.change_answer(
            review.review_id,
            &checklist,
            item,
            AnswerChange::Value(Some(value)),
        )
        .unwrap();
    }
    ws.submit_review(review.review_id, &checklist).unwrap();
}

/// The demo imported and one call reviewed, in `db`.
fn reviewed_demo(dir: &Path, db: &str) {
    run_ok(dir, &["import", &demo(), "--db", db, "--lang", "en"]);
    review_first_call(db);
}

/// `text` with every time stamped when a command ran (to the millisecond:
/// `2026-11-29T15:03:43.882`) masked: the rest must be equal.
fn without_stamps(text: &str) -> String {
    let shape = |c: &[u8]| {
        c.len() == 23
            && c.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                10 => *b == b'T',
                13 | 16 => *b == b':',
                19 => *b == b'.',
                _ => b.is_ascii_digit(),
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i..i + 23).is_some_and(shape) {
            out.push_str("<stamp>");
            i += 23;
        } else {
            let c = text[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

const READS: &[&[&str]] = &[
    &["export"],
    &["plan", "--period", "2026-W48"],
    &["emails"],
    &["mystery"],
    &["audit", "--as-of", "2026-11-30"],
];

#[test]
fn every_command_reads_the_same_on_both_engines() {
    let Some(pg) = TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("solo.sqlite");
    let file = file.to_str().unwrap();
    reviewed_demo(dir.path(), file);
    reviewed_demo(dir.path(), &pg.url);
    for read in READS {
        let with = |db: &str| {
            let mut args = read.to_vec();
            args.extend(["--db", db]);
            run_ok(dir.path(), &args)
        };
        let (solo, team) = (with(file), with(&pg.url));
        assert!(!solo.trim().is_empty(), "{read:?} printed nothing");
        assert_eq!(without_stamps(&solo), without_stamps(&team), "{read:?}");
    }
    let report = |db: &str, name: &str| {
        let out = dir.path().join(name);
        let out = out.to_str().unwrap();
        run_ok(
            dir.path(),
            &["report", "--format", "json", "--out", out, "--db", db],
        );
        std::fs::read_to_string(out).unwrap()
    };
    let (solo, team) = (report(file, "solo.json"), report(&pg.url, "team.json"));
    assert!(solo.contains("Анна Смирнова"), "{solo}");
    // The same figures; the report's maps come in no fixed order.
    let figures =
        |json: &str| -> serde_json::Value { serde_json::from_str(&without_stamps(json)).unwrap() };
    assert_eq!(figures(&solo), figures(&team));
}

#[test]
fn migrate_moves_a_workspace_both_ways_and_refuses_a_full_target() {
    let Some(pg) = TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let solo = dir.path().join("solo.sqlite");
    let solo = solo.to_str().unwrap();
    reviewed_demo(dir.path(), solo);
    let there = run_ok(dir.path(), &["migrate", "--from", solo, "--to", &pg.url]);
    assert!(there.contains("calls") && there.contains("→"), "{there}");
    let back = dir.path().join("back.sqlite");
    let back = back.to_str().unwrap();
    run_ok(dir.path(), &["migrate", "--from", &pg.url, "--to", back]);
    let (before, team, after) = (
        Workspace::open_existing(solo).unwrap(),
        Workspace::open_existing(pg.url.as_str()).unwrap(),
        Workspace::open_existing(back).unwrap(),
    );
    for table in callqa::store::TABLES {
        let n = before.row_count(table).unwrap();
        assert_eq!(team.row_count(table).unwrap(), n, "{table}");
        assert_eq!(after.row_count(table).unwrap(), n, "{table}");
    }
    assert!(before.row_count("review_events").unwrap() > 0);
    let export = |db: &str| run_ok(dir.path(), &["export", "--db", db]);
    assert_eq!(export(solo), export(back));
    // New reviews on the team workspace get ids after the copied ones.
    drop(team);
    review_first_call_again(&pg.url);
    // A workspace with data is never a target.
    let full = callqa(dir.path(), &["migrate", "--from", solo, "--to", &pg.url]);
    assert!(!full.status.success());
    assert!(
        text(&full.stderr).contains("already holds data"),
        "{}",
        text(&full.stderr)
    );
}

/// Another reviewer's review of the first call: its id comes after every
/// copied one (the sequence was moved past them).
fn review_first_call_again(db: &str) {
    let mut ws = Workspace::open_existing(db).unwrap();
    let checklist = Checklist::default_sales_call();
    let call = ws.call("call-001").unwrap();
    ws.start_review(&call, "Борис", &checklist, vec![]).unwrap();
}
