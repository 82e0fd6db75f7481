//! The week's plan end to end, as a team lead and a reviewer use it: the
//! demo imported, `callqa plan` split between two reviewers, then the real
//! workstation in tmux opened by one of them: their part of the plan only,
//! a telephony check opened with the telephony checklist, reviewed from
//! the keyboard, submitted, counted in the plan's title, and stored so.

mod tmux_support;

use rusqlite::Connection;
use std::process::Command;
use std::time::{Duration, Instant};
use tmux_support::{Tmux, demo_workspace};

#[test]
fn a_reviewer_opens_their_plan_and_reviews_a_telephony_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path(), "plan.sqlite");
    let bin = env!("CARGO_BIN_EXE_callqa");
    let plan = Command::new(bin)
        .args(["plan", "--period", "2026-W48", "--reviewers", "anna,boris"])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(plan.status.success(), "{plan:?}");

    // The plan as stored: boris's part, and a telephony call in it.
    let conn = Connection::open(&db).unwrap();
    let part = |reviewer: &str| -> Vec<(String, String)> {
        conn.prepare(
            "SELECT call_id, bucket FROM plan_entries
             WHERE period = '2026-W48' AND reviewer = ?1 AND replaced IS NULL
             ORDER BY bucket, position",
        )
        .unwrap()
        .query_map([reviewer], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    };
    let boris = part("boris");
    let anna = part("anna");
    assert!(!anna.is_empty());
    let telephony = boris
        .iter()
        .position(|(_, bucket)| bucket == "telephony")
        .expect("boris has a telephony check");
    let call = boris[telephony].0.clone();

    let review = format!(
        "env CALLQA_DATA_DIR={d} CALLQA_CONFIG_DIR={d}/config LANG=en_US.UTF-8 \
         {bin} review --db {} --reviewer boris --no-sound",
        db.display(),
        d = dir.path().display()
    );
    let tmux = Tmux::new("plan");
    tmux.start(&review);
    let title = format!("Plan 2026-W48 · 0/{} reviewed", boris.len());
    let screen = tmux.wait_for(&title);
    // Only boris's calls: none of anna's call ids in the queue.
    for (id, _) in &anna {
        assert!(
            !screen.contains(id.as_str()),
            "{id} of anna shown:\n{screen}"
        );
    }
    // To the queue (from the checklist: back two panes), down to the
    // telephony check, open it.
    tmux.keys(&["BTab", "BTab"]);
    for _ in 0..telephony {
        tmux.key("Down");
    }
    tmux.key("Enter");
    tmux.wait_for(&call);
    tmux.wait_for("Telephony check");
    // Answer every item (the cursor moves on by itself), then submit.
    for _ in 0..12 {
        tmux.key("y");
    }
    tmux.key("s");
    let start = Instant::now();
    let submitted = || -> i64 {
        conn.query_row(
            "SELECT count(*) FROM reviews WHERE call_id = ?1 AND reviewer = 'boris'
             AND checklist_id = 'telephony' AND status = 'submitted'",
            [&call],
            |r| r.get(0),
        )
        .unwrap()
    };
    while submitted() == 0 {
        if tmux.screen().contains("Submit with") {
            tmux.key("Enter");
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the telephony review was not submitted:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.wait_for(&format!("Plan 2026-W48 · 1/{} reviewed", boris.len()));
    // No sales review was made of the telephony check.
    let sales: i64 = conn
        .query_row(
            "SELECT count(*) FROM reviews WHERE call_id = ?1 AND checklist_id = 'sales-call'",
            [&call],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sales, 0);
}
