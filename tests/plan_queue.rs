//! The week's plan in the workstation: a plan drawn and split between two
//! reviewers the way `callqa plan` does it (the domain's draw and
//! assignment, stored in the workspace), then the workstation opened by
//! each. Each sees only their part, grouped quality then telephony, with
//! the progress in the title; a key shows every call and back; a call drawn
//! for the telephony check opens with the telephony checklist.

mod common;
mod workstation_support;

use callqa::analysis::ANALYSIS_VERSION;
use callqa::audio::{OutputChoice, PlayerHandle};
use callqa::domain::checklist::DEFAULT_SALES_CALL_TOML;
use callqa::domain::plan::{assign, draw};
use callqa::domain::sampling::{DEFAULT_SAMPLING_TOML, Period, SamplingRules};
use callqa::domain::{Checklist, Lang};
use callqa::store::Workspace;
use callqa::tui::app::App;
use callqa::tui::keymap::Keymap;
use common::{CALLS_HEADER, write, write_wav};
use ratatui::crossterm::event::KeyCode;
use std::collections::HashMap;
use std::path::Path;
use workstation_support::{press, screen};

/// Two reps in 2026-W48: Анна with five sales calls and a 25 s call, Kate
/// with two sales calls and a 30 s call.
fn workspace(dir: &Path) -> std::path::PathBuf {
    let b = dir.join("batch");
    write_wav(&b.join("long.wav"), 70.0, 8000);
    write_wav(&b.join("short.wav"), 25.0, 8000);
    write_wav(&b.join("short30.wav"), 30.0, 8000);
    let mut csv = CALLS_HEADER.to_string();
    for n in 1..=5 {
        csv.push_str(&format!(
            "anna-{n},2026-11-{}T10:00:00+03:00,Анна Смирнова,out,+7912000000{n},long.wav,,\n",
            23 + n
        ));
    }
    csv.push_str("anna-t,2026-11-24T12:00:00+03:00,Анна Смирнова,out,+79120000009,short.wav,,\n");
    for n in 1..=2 {
        csv.push_str(&format!(
            "kate-{n},2026-11-{}T15:00:00+03:00,Kate Miller,in,+4420000000{n},long.wav,,\n",
            23 + n
        ));
    }
    csv.push_str("kate-t,2026-11-25T15:00:00+03:00,Kate Miller,in,+442000000009,short30.wav,,\n");
    write(&b.join("calls.csv"), &csv);
    let db = dir.join("ws.sqlite");
    let ws = Workspace::open(&db).unwrap();
    ws.ensure_checklist(&Checklist::default_sales_call(), DEFAULT_SALES_CALL_TOML)
        .unwrap();
    let report = callqa::import::import_batch(&ws, &b).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    let rules = SamplingRules::defaults();
    ws.use_sampling_rules(&rules, DEFAULT_SAMPLING_TOML)
        .unwrap();
    let period = Period::parse("2026-W48").unwrap();
    let calls = ws.period_calls(period, ANALYSIS_VERSION).unwrap();
    let candidates: Vec<_> = calls.iter().map(|c| c.candidate.clone()).collect();
    let durations: HashMap<String, u64> = candidates
        .iter()
        .map(|c| (c.call_id.clone(), c.duration_ms))
        .collect();
    let mut plan = draw(period, "test-seed", &rules, &[], &candidates, None);
    assign(&mut plan, &["tester".into(), "boris".into()], &durations);
    ws.save_plan(&plan).unwrap();
    db
}

fn open_as(db: &Path, reviewer: &str) -> App {
    let ws = Workspace::open(db).unwrap();
    App::new(
        ws,
        reviewer.into(),
        Lang::En,
        Checklist::default_sales_call(),
        Keymap::defaults(),
        PlayerHandle::spawn(OutputChoice::Null),
    )
    .unwrap()
}

/// The queue's rows: (tag, call id) as listed, read from the screen.
fn queue_reps(app: &App) -> Vec<String> {
    (0..app.queue.len)
        .map(|p| app.queue.row(p).unwrap().rep.clone())
        .collect()
}

#[test]
fn each_reviewer_sees_their_part_and_a_telephony_call_takes_its_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());

    let mut tester = open_as(&db, "tester");
    let mut boris = open_as(&db, "boris");
    // Each rep's calls go to one reviewer: Анна has more minutes, so the
    // reviewers get one rep each.
    let tester_reps = queue_reps(&tester);
    let boris_reps = queue_reps(&boris);
    assert!(!tester_reps.is_empty() && !boris_reps.is_empty());
    assert!(
        tester_reps.windows(2).all(|w| w[0] == w[1]),
        "{tester_reps:?}"
    );
    assert!(
        boris_reps.windows(2).all(|w| w[0] == w[1]),
        "{boris_reps:?}"
    );
    assert_ne!(tester_reps[0], boris_reps[0]);
    // Quota 3 quality + 1 telephony for Анна; Kate has only 2 sales calls
    // (a shortfall) + 1 telephony.
    let (anna, kate) = if tester_reps[0] == "Анна Смирнова" {
        (&mut tester, &mut boris)
    } else {
        (&mut boris, &mut tester)
    };
    assert_eq!(anna.queue.len, 4);
    assert_eq!(kate.queue.len, 3);

    let s = screen(anna, 120, 60);
    assert!(s.contains("Plan 2026-W48 · 0/4 reviewed"), "{s}");
    // Quality first, then the telephony check, marked.
    let last = anna.queue.row(3).unwrap().call_id.clone();
    assert_eq!(last, "anna-t");
    let t_line = s
        .lines()
        .find(|l| l.contains("0:25"))
        .unwrap_or_else(|| panic!("the 25 s call: {s}"));
    assert!(t_line.contains("T "), "{t_line}");
    assert!(!s.contains("Kate Miller"), "another reviewer's call: {s}");

    // The telephony call opens with the telephony checklist.
    anna.open_call(3).unwrap();
    assert_eq!(anna.checklist().id, "telephony");
    let s = screen(anna, 120, 60);
    assert!(s.contains("Both sides are audible"), "{s}");
    // A sales call of the plan with the sales checklist.
    anna.open_call(0).unwrap();
    assert_eq!(anna.checklist().id, "sales-call");
    let first = anna.queue.selected().unwrap().call_id.clone();

    // Every call, and back to the plan, the cursor staying on its call.
    anna.screen.focus = callqa::tui::app::Pane::Queue;
    press(anna, KeyCode::Char('w'));
    let s = screen(anna, 120, 60);
    assert!(s.contains("Queue 0/9"), "{s}");
    assert!(s.contains("Kate Miller"), "{s}");
    assert_eq!(anna.queue.selected().unwrap().call_id, first);
    press(anna, KeyCode::Char('w'));
    let s = screen(anna, 120, 60);
    assert!(s.contains("Plan 2026-W48"), "{s}");

    // A submitted review counts in the plan's progress.
    anna.open_call(3).unwrap();
    for _ in 0..anna.checklist().items.len() {
        press(anna, KeyCode::Char('y'));
    }
    anna.screen.focus = callqa::tui::app::Pane::Checklist;
    press(anna, KeyCode::Char('s'));
    press(anna, KeyCode::Enter);
    let s = screen(anna, 120, 60);
    assert!(s.contains("Plan 2026-W48 · 1/4 reviewed"), "{s}");
    let review = anna
        .ws
        .review("anna-t", &anna.session.reviewer, "telephony")
        .unwrap()
        .expect("reviewed with the telephony checklist");
    assert_eq!(review.status, callqa::domain::ReviewStatus::Submitted);
}

#[test]
fn without_a_plan_the_queue_is_every_call_and_the_key_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut someone = open_as(&db, "nobody-planned");
    let s = screen(&mut someone, 120, 30);
    assert!(s.contains("Queue 0/9"), "{s}");
    someone.screen.focus = callqa::tui::app::Pane::Queue;
    press(&mut someone, KeyCode::Char('w'));
    let s = screen(&mut someone, 120, 30);
    assert!(s.contains("No plan gives you calls"), "{s}");
}
