//! The results report at scale: 100,000 calls over 12 weeks and 10,000
//! submitted reviews (the `callqa bench --scale` generator, reviews written
//! straight into the workspace). A benchmark, not a timed test: it prints
//! the figures the README quotes and only fails when a report fails.
//!
//! `cargo test --test report_scale -- --ignored --nocapture`; set
//! `CALLQA_BENCH_BIN` to a release build of `callqa` to time that one (the
//! workspace is still built by this test's own code).

use callqa::domain::Checklist;
use callqa::domain::checklist::DEFAULT_SALES_CALL_TOML;
use callqa::store::Workspace;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CALLS: usize = 100_000;

/// The binary timed: `CALLQA_BENCH_BIN`, else the one cargo built with the test.
fn callqa_bin() -> std::path::PathBuf {
    std::env::var_os("CALLQA_BENCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_callqa").into())
}
const REVIEWS: usize = 10_000;

fn submit_reviews(db: &Path) {
    let ws = Workspace::open_existing(db).unwrap();
    let checklist = Checklist::default_sales_call();
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)
        .unwrap();
    drop(ws);
    let mut conn = rusqlite::Connection::open(db).unwrap();
    let tx = conn.transaction().unwrap();
    let calls: Vec<String> = tx
        .prepare("SELECT call_id FROM calls ORDER BY started_at_utc")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let step = calls.len() / REVIEWS;
    for (n, call) in calls.iter().step_by(step).take(REVIEWS).enumerate() {
        tx.execute(
            "INSERT INTO reviews (call_id, reviewer, checklist_id, checklist_version, status,
                 started_at, submitted_at, time_spent_ms, score)
             VALUES (?1, 'bench', ?2, ?3, 'submitted', '2026-11-01T10:00:00+03:00',
                 '2026-11-01T10:05:00+03:00', 120000, 50)",
            rusqlite::params![call, checklist.id, checklist.version],
        )
        .unwrap();
        let review = tx.last_insert_rowid();
        for (i, item) in checklist.items.iter().enumerate() {
            let value = ["yes", "yes", "no", "na"][(n * 7 + i * 3) % 4];
            let (comment, evidence) = if value == "no" {
                (Some("missed it"), Some(((n + i) % 300) as i64 * 1000))
            } else {
                (None, None)
            };
            tx.execute(
                "INSERT INTO answers (review_id, item_id, value, comment, evidence_ms, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, '2026-11-01T10:05:00+03:00')",
                rusqlite::params![review, item.id, value, comment, evidence],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

#[test]
#[ignore = "a benchmark: builds a 100,000-call workspace (minutes)"]
fn reports_at_100k_calls_and_10k_reviews() {
    // CALLQA_SCALE_DIR keeps the workspace there and reuses it next time.
    let temp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("CALLQA_SCALE_DIR").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    let db = dir.join("ws.sqlite");
    if !db.exists() {
        std::fs::create_dir_all(dir).unwrap();
        let batch = callqa::scale::generate(dir, CALLS, CALLS).unwrap();
        let ws = Workspace::open(&db).unwrap();
        let report = callqa::import::import_source(
            &ws,
            &batch,
            None,
            &callqa::import::formats::ParseOptions::default(),
        )
        .unwrap();
        assert!(report.problems.is_empty());
        drop(ws);
        submit_reviews(&db);
    }
    for (format, weeks) in [
        ("xlsx", "12"),
        ("html", "12"),
        ("json", "12"),
        ("csv", "12"),
    ] {
        let out = dir.join(format!("report.{format}"));
        let t = Instant::now();
        let run = Command::new(callqa_bin())
            .args(["report", "--db", db.to_str().unwrap(), "--format", format])
            .args([
                "--weeks",
                weeks,
                "--from",
                "2026-09-07",
                "--to",
                "2026-11-29",
            ])
            .arg("--out")
            .arg(&out)
            .env("CALLQA_DATA_DIR", dir.join("data"))
            .env("CALLQA_CONFIG_DIR", dir.join("config"))
            .output()
            .unwrap();
        let took = t.elapsed();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        println!(
            "report --format {format} (12 weeks, every review, {weeks}-week trends): {:.2} s",
            took.as_secs_f64(),
        );
    }
    let t = Instant::now();
    let run = Command::new(callqa_bin())
        .args(["feedback", "--db", db.to_str().unwrap(), "--out"])
        .arg(dir.join("feedback"))
        .env("CALLQA_DATA_DIR", dir.join("data"))
        .env("CALLQA_CONFIG_DIR", dir.join("config"))
        .output()
        .unwrap();
    assert!(run.status.success());
    println!(
        "feedback (last week, every rep): {:.2} s",
        t.elapsed().as_secs_f64()
    );
}
