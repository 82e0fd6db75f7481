//! Two reviewers and an import on one workspace at once, through the real
//! binary: every answer key must be stored, and the screen must never say
//! NOT SAVED. The reviewers answer in tmux while a third process imports a
//! large generated batch again and again (two versions of it, so every
//! import really writes).

mod common;
mod tmux_support;

use rusqlite::Connection;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tmux_support::{Tmux, repo};

const CALLS: usize = 1500;
const KEYS_PER_REVIEWER: usize = 40;

/// A batch of `CALLS` calls on one recording, with a contact, a deal and
/// a note per call; `version` changes every deal's stage and note text.
fn write_big_batch(dir: &Path, version: u32) {
    common::write_wav(&dir.join("rec.wav"), 2.0, 8000);
    let mut calls = String::from(common::CALLS_HEADER);
    let mut contacts =
        String::from("contact_id,name,role,phone,email,company,industry,segment,owner_rep\n");
    let mut deals = String::from(
        "deal_id,contact_id,title,stage,amount,currency,spec,source,owner_rep,updated_at\n",
    );
    let mut notes = String::from("note_id,deal_id,contact_id,call_id,author_rep,created_at,text\n");
    for i in 0..CALLS {
        let (day, minute) = (1 + i / 600, i % 600);
        let at = format!(
            "2026-12-{day:02}T{:02}:{:02}:00+03:00",
            8 + minute / 60,
            minute % 60
        );
        let phone = format!("+7916{i:07}");
        let rep = format!("Rep {}", i % 7);
        calls.push_str(&format!("gen-{i:05},{at},{rep},in,{phone},rec.wav,,\n"));
        contacts.push_str(&format!(
            "K-{i:05},Client {i},Owner,{phone},c{i}@example.com,Co {i},Retail,SMB,{rep}\n"
        ));
        deals.push_str(&format!(
            "D-{i:05},K-{i:05},Deal {i},Stage {version},{i}00,RUB,spec,site,{rep},{at}\n"
        ));
        notes.push_str(&format!(
            "N-{i:05},D-{i:05},K-{i:05},,{rep},{at},written up v{version}\n"
        ));
    }
    common::write(&dir.join("calls.csv"), &calls);
    common::write(&dir.join("crm/contacts.csv"), &contacts);
    common::write(&dir.join("crm/deals.csv"), &deals);
    common::write(&dir.join("crm/notes.csv"), &notes);
}

/// How many answer changes a reviewer has stored.
fn stored_answers(db: &Path, reviewer: &str) -> usize {
    let conn = Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.query_row(
        "SELECT count(*) FROM review_events e JOIN reviews r USING (review_id)
         WHERE r.reviewer = ?1 AND e.kind = 'answer'",
        [reviewer],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as usize
}

struct Reviewer {
    name: &'static str,
    tmux: Tmux,
    sent: usize,
    false_not_saved: Vec<String>,
    lost: Vec<String>,
}

impl Reviewer {
    fn check_screen(&mut self, stored: bool) -> bool {
        let screen = self.tmux.screen();
        let not_saved = screen.contains("NOT SAVED");
        if not_saved && stored {
            self.false_not_saved.push(screen);
        }
        not_saved
    }

    /// One answer key (items 1-9 in turn, yes and no alternating), then
    /// wait until it is stored or the screen says it was not.
    fn answer(&mut self, db: &Path) {
        // The message of the last key stays until the next one: read it.
        self.check_screen(true);
        let item = (self.sent % 9 + 1).to_string();
        let value = if (self.sent / 9).is_multiple_of(2) {
            "y"
        } else {
            "n"
        };
        self.tmux.key(&item);
        self.tmux.key(value);
        self.sent += 1;
        let start = Instant::now();
        loop {
            let stored = stored_answers(db, self.name) >= self.sent;
            if self.check_screen(stored) && !stored {
                self.lost.push(self.tmux.screen());
                self.sent -= 1;
                return;
            }
            if stored {
                return;
            }
            if start.elapsed() > Duration::from_secs(15) {
                self.lost.push(format!(
                    "key {} never stored:\n{}",
                    self.sent,
                    self.tmux.screen()
                ));
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn two_reviewers_and_an_import_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.sqlite");
    let bin = env!("CARGO_BIN_EXE_callqa");
    let import = |batch: &Path| {
        Command::new(bin)
            .args(["import", "--lang", "en", "--db"])
            .arg(&db)
            .arg(batch)
            .output()
            .unwrap()
    };
    let first = import(&repo().join("assets/demo"));
    assert!(first.status.success(), "{first:?}");
    let batches = [dir.path().join("big-a"), dir.path().join("big-b")];
    for (version, batch) in batches.iter().enumerate() {
        write_big_batch(batch, version as u32);
    }
    let first = import(&batches[0]);
    assert!(first.status.success(), "{first:?}");

    let env = format!(
        "CALLQA_DATA_DIR={d} CALLQA_CONFIG_DIR={d}/config LANG=en_US.UTF-8",
        d = dir.path().display()
    );
    let mut reviewers: Vec<Reviewer> = ["r1", "r2"]
        .into_iter()
        .map(|name| {
            let tmux = Tmux::new(&format!("conc-{name}"));
            tmux.start(&format!(
                "exec env {env} {bin} review --db {} --reviewer {name} --no-sound",
                db.display()
            ));
            tmux.wait_for("Checklist");
            Reviewer {
                name,
                tmux,
                sent: 0,
                false_not_saved: Vec::new(),
                lost: Vec::new(),
            }
        })
        .collect();

    let stop = Arc::new(AtomicBool::new(false));
    let importer = {
        let (stop, db, batches) = (Arc::clone(&stop), db.clone(), batches.clone());
        std::thread::spawn(move || {
            let mut runs = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let out = Command::new(bin)
                    .args(["import", "--db"])
                    .arg(&db)
                    .arg(&batches[runs.len() % 2])
                    .output()
                    .unwrap();
                runs.push(out);
            }
            runs
        })
    };
    for _ in 0..KEYS_PER_REVIEWER {
        for reviewer in &mut reviewers {
            reviewer.answer(&db);
        }
    }
    stop.store(true, Ordering::SeqCst);
    let runs = importer.join().unwrap();
    for reviewer in &mut reviewers {
        reviewer.check_screen(true);
    }

    assert!(runs.len() >= 2, "the import ran {} times", runs.len());
    for run in &runs {
        assert!(
            run.status.success(),
            "an import failed: {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
    for r in &reviewers {
        assert!(
            r.lost.is_empty(),
            "{}: {} of {KEYS_PER_REVIEWER} answers lost with {} imports running; first:\n{}",
            r.name,
            r.lost.len(),
            runs.len(),
            r.lost[0]
        );
        assert!(
            r.false_not_saved.is_empty(),
            "{}: NOT SAVED shown for a stored answer {} times; first:\n{}",
            r.name,
            r.false_not_saved.len(),
            r.false_not_saved[0]
        );
        assert_eq!(stored_answers(&db, r.name), KEYS_PER_REVIEWER, "{}", r.name);
    }
}

/// Calls in the workspace, and how many of them have no link row.
fn calls_and_unlinked(db: &Path) -> (i64, i64) {
    let conn = Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*), count(*) FILTER (WHERE l.call_id IS NULL)
         FROM calls c LEFT JOIN call_links l USING (call_id)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn kill_during_an_import_leaves_it_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_callqa");
    let batch = dir.path().join("big");
    write_big_batch(&batch, 0);
    let template = dir.path().join("demo.sqlite");
    let out = Command::new(bin)
        .args(["import", "--lang", "en", "--db"])
        .arg(&template)
        .arg(repo().join("assets/demo"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let demo_calls = calls_and_unlinked(&template).0;
    let full = demo_calls + CALLS as i64;
    let mut outcomes = Vec::new();
    // Kill at moments spread over the whole import.
    for step in 0..10u64 {
        let db = dir.path().join(format!("ws-{step}.sqlite"));
        std::fs::copy(&template, &db).unwrap();
        let mut child = Command::new(bin)
            .args(["import", "--db"])
            .arg(&db)
            .arg(&batch)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(step * 80));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (calls, unlinked) = calls_and_unlinked(&db);
        outcomes.push((step * 80, calls));
        assert_eq!(
            unlinked,
            0,
            "killed after {} ms: {calls} calls, {unlinked} not linked",
            step * 80
        );
        assert!(
            calls == demo_calls || calls == full,
            "killed after {} ms: {calls} calls, neither {demo_calls} nor {full}",
            step * 80
        );
        // The next import finishes what the killed one did not.
        let out = Command::new(bin)
            .args(["import", "--db"])
            .arg(&db)
            .arg(&batch)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(calls_and_unlinked(&db), (full, 0));
    }
    assert!(
        outcomes.iter().any(|(_, calls)| *calls == demo_calls),
        "no kill landed before the import committed: {outcomes:?}"
    );
}
