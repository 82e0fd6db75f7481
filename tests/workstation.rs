//! The workstation driven by key events and drawn on ratatui's TestBackend:
//! what a reviewer sees and what lands in the workspace.

mod common;
mod workstation_support;

use callqa::domain::{AnswerValue, Lang, ReviewStatus};
use callqa::tui::app::{App, Mode};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use workstation_support::{chars, message, press, screen, setup, setup_demo, stored};

#[test]
fn opens_on_the_first_open_call_with_all_panes_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    let s = screen(&mut app, 80, 24);
    for needle in [
        "Player",
        "Queue 0/2",
        "Checklist",
        "CRM",
        "c-first",
        "Анна Смирнова",
        "0:00 / 0:04",
        "paused",
        "Greeted the client",
        "Contact",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in\n{s}");
    }
    assert!(s.contains("No sound"), "a null output must say so:\n{s}");
    assert!(
        !s.contains('\u{1b}') && !s.contains('\u{7}'),
        "raw control characters on screen"
    );
    // The script item is not applicable on a call without a script.
    assert!(s.contains("n/a") && s.contains("(auto)"), "{s}");
}

#[test]
fn crm_pane_marks_missing_fields_overdue_task_and_write_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    let s = screen(&mut app, 220, 72);
    for needle in [
        "role: ✘ missing",
        "email: ✘ missing",
        "stage: Квалификация",
        "OVERDUE",
        "Перезвонить клиенту",
        "after the call · this call's write-up",
        "before the call",
        "Evil ␛[2J␛]0;pwned",
        "more characters not shown",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in\n{s}");
    }
    assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'));
}

#[test]
fn answering_moves_on_and_is_stored_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    assert_eq!(app.review.item(), 0);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.review.item(), 1);
    press(&mut app, KeyCode::Char('n'));
    // Russian layout: the physical `a` key types `ф`.
    press(&mut app, KeyCode::Char('ф'));
    assert_eq!(app.review.item(), 3);
    let r = stored(&app, "c-first");
    assert_eq!(r.answers["greeting"].value, Some(AnswerValue::Yes));
    assert_eq!(r.answers["introduced"].value, Some(AnswerValue::No));
    assert_eq!(r.answers["client_name"].value, Some(AnswerValue::Na));
    // The automatic n/a for the script item is stored with the review.
    assert!(r.answers["script"].automatic);
    // Items 7 (script: n/a) and 8 (write-up: found in the CRM) are answered
    // by rules, so after item 6 the cursor skips to 9.
    chars(&mut app, "6");
    assert_eq!(app.review.item(), 5);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.review.item(), 8);
    // Backspace clears.
    chars(&mut app, "1");
    press(&mut app, KeyCode::Backspace);
    assert_eq!(stored(&app, "c-first").answers["greeting"].value, None);
    let s = screen(&mut app, 80, 24);
    // Keys: no (1), n/a, yes (2); rules: n/a, write-up yes (2), next step
    // yes (1), contact without role no (1), deal complete yes (1): 6 of 8.
    assert!(s.contains("Score 75%"), "{s}");
    assert_eq!(app.queue.rows[0].status, ReviewStatus::InProgress);
}

#[test]
fn comments_in_russian_and_evidence_stamps() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::Ru);
    chars(&mut app, "3c");
    assert!(matches!(app.screen.mode, Mode::Input { .. }));
    chars(&mut app, "не назвал по имени");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen.mode, Mode::Normal);
    // After typing Russian, `н` is the physical `y`.
    press(&mut app, KeyCode::Char('т'));
    let r = stored(&app, "c-first");
    let a = &r.answers["client_name"];
    assert_eq!(a.comment.as_deref(), Some("не назвал по имени"));
    assert_eq!(a.value, Some(AnswerValue::No));
    chars(&mut app, "3t");
    assert!(
        stored(&app, "c-first").answers["client_name"]
            .evidence_ms
            .is_some()
    );
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("Обращался к клиенту по имени"), "{s}");
    assert!(s.contains("✎ не назвал"), "{s}");
    assert!(s.contains("@0:00"), "{s}");
    // Escape cancels a comment without touching the stored one.
    chars(&mut app, "c");
    chars(&mut app, "xxx");
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        stored(&app, "c-first").answers["client_name"]
            .comment
            .as_deref(),
        Some("не назвал по имени")
    );
}

#[test]
fn submit_asks_when_items_are_open_then_moves_to_the_next_call() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('s'));
    assert!(matches!(
        app.screen.mode,
        Mode::ConfirmSubmit { unanswered: 7 }
    ));
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("7 item(s) unanswered"), "{s}");
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.screen.mode, Mode::Normal);
    assert_eq!(stored(&app, "c-first").status, ReviewStatus::InProgress);
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(stored(&app, "c-first").status, ReviewStatus::Submitted);
    assert_eq!(app.review.open.as_ref().unwrap().call.call_id, "c-second");

    // Back on the submitted call: answers are refused until reopened.
    press(&mut app, KeyCode::Tab); // CRM
    press(&mut app, KeyCode::Tab); // Queue
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.review.open.as_ref().unwrap().call.call_id, "c-first");
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(
        stored(&app, "c-first").answers["greeting"].value,
        Some(AnswerValue::Yes)
    );
    assert!(
        app.screen
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("press o to reopen")
    );
    press(&mut app, KeyCode::Char('o'));
    chars(&mut app, "1n");
    let r = stored(&app, "c-first");
    assert_eq!((r.status, r.revision), (ReviewStatus::InProgress, 2));
    assert_eq!(r.answers["greeting"].value, Some(AnswerValue::No));
}

#[test]
fn help_overlay_lists_keys_in_the_workspace_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::Ru);
    press(&mut app, KeyCode::Char('?'));
    let s = screen(&mut app, 80, 40);
    assert!(s.contains("Клавиши"), "{s}");
    assert!(s.contains("назад 30 с"), "{s}");
    assert!(s.contains("Shift+←"), "{s}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen.mode, Mode::Normal);
}

#[test]
fn tiny_and_huge_terminals_do_not_break() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    for (w, h) in [(80, 24), (40, 10), (20, 5), (250, 80)] {
        let s = screen(&mut app, w, h);
        assert_eq!(s.lines().count(), h as usize);
    }
}

#[test]
fn speed_keys_step_through_the_speeds_even_when_pressed_fast() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    chars(&mut app, "]]]]");
    let start = std::time::Instant::now();
    while app.listening.player.status().speed != 2.0 && start.elapsed().as_secs() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(app.listening.player.status().speed, 2.0);
    chars(&mut app, "[[[[[[[[");
    let start = std::time::Instant::now();
    while app.listening.player.status().speed != 0.75 && start.elapsed().as_secs() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(app.listening.player.status().speed, 0.75);
}

#[test]
fn markers_are_set_with_a_note_and_jumped_to() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    let wait_position = |app: &mut App, ms: u64| {
        let start = std::time::Instant::now();
        loop {
            let p = app.listening.player.status().position.as_millis() as u64;
            if p.abs_diff(ms) < 100 || start.elapsed().as_secs() > 5 {
                return p;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    // The second call is 25 s long: seek to 10 s and mark it.
    press(&mut app, KeyCode::Tab); // CRM
    press(&mut app, KeyCode::Tab); // Queue
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert!(wait_position(&mut app, 10_000).abs_diff(10_000) < 100);
    press(&mut app, KeyCode::Char('m'));
    chars(&mut app, "цена");
    press(&mut app, KeyCode::Enter);
    let markers = app.ws.markers("c-second", "tester").unwrap();
    assert_eq!(markers.len(), 1);
    assert_eq!(markers[0].note.as_deref(), Some("цена"));
    assert!(markers[0].position_ms.abs_diff(10_000) < 100);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("⚑ 0:10"), "{s}");
    press(&mut app, KeyCode::Home);
    assert!(wait_position(&mut app, 0) < 100);
    press(&mut app, KeyCode::Char('\''));
    assert!(wait_position(&mut app, 10_000).abs_diff(10_000) < 100);
    // Escape on the note prompt sets no marker.
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.ws.markers("c-second", "tester").unwrap().len(), 1);
}

#[test]
fn audit_screen_sorts_and_shows_the_records_behind_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    press(&mut app, KeyCode::Char('A'));
    let s = screen(&mut app, 160, 40);
    for needle in ["CRM audit as of 2026-11-30", "Игорь Петров", "ALL"] {
        assert!(s.contains(needle), "missing {needle:?}:\n{s}");
    }
    // Column 3 is the overdue tasks; sort by it: Анна (2) comes first.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char('S'));
    let view = app.screen.audit.as_ref().unwrap();
    assert_eq!(view.row_at(0).rep, "Анна Смирнова");
    assert_eq!(
        view.row_at(view.order.len() - 1).rep,
        "",
        "the total stays last"
    );
    // Drill into the total's overdue tasks.
    for _ in 0..view.order.len() {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("ALL · overdue tasks"), "{s}");
    assert!(
        s.contains("T-302  2026-11-13 18:00 · Отправить КП по гостинице · Игорь Петров"),
        "{s}"
    );
    assert!(s.contains("T-306"), "{s}");
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.audit.as_ref().unwrap().drill.is_none());
    // Missing fields name the fields.
    for _ in 0..3 {
        press(&mut app, KeyCode::Left);
    }
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("K-104  Дмитрий"), "{s}");
    assert!(s.contains("✘ role, email, industry, segment"), "{s}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.audit.is_none());
    // Back on the review, keys answer again.
    press(&mut app, KeyCode::Char('y'));
    assert!(
        app.ws
            .review("call-001", "tester", "sales-call")
            .unwrap()
            .is_some()
    );
}

#[test]
fn demo_calls_open_with_the_crm_checks_prefilled() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    let s = screen(&mut app, 160, 40);
    // call-001 is written up, has a dated next step and complete records.
    let line = s
        .lines()
        .find(|l| l.contains("The call is written up in the CRM"))
        .unwrap();
    assert!(line.contains("✔ yes") && line.contains("(auto)"), "{line}");
    // call-002 has no write-up.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let answers = app.review.open.as_ref().unwrap().answers().clone();
    assert_eq!(answers["crm_written"].value, Some(AnswerValue::No));
    assert!(answers["crm_written"].automatic);
    // Its only task was due ten days before the call: no next step.
    assert_eq!(answers["crm_next_step"].value, Some(AnswerValue::No));
    // call-004 lasts 25 s: a telephony check, with the telephony
    // checklist (no CRM items on it), not the sales one.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let open = app.review.open.as_ref().unwrap();
    assert_eq!(open.call.call_id, "call-004");
    assert_eq!(app.checklist().id, "telephony");
    assert!(!open.answers().contains_key("crm_contact"));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Both sides are audible"), "{s}");
}

#[test]
fn analysis_runs_in_the_background_and_shows_lanes_flags_and_player_controls() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    app.start_analysis();
    let start = std::time::Instant::now();
    loop {
        app.tick();
        let p = &app.analysis.progress;
        if p.total > 0 && p.done == p.total {
            break;
        }
        assert!(
            start.elapsed().as_secs() < 300,
            "analysis did not finish: {p:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        app.analysis.progress.failed.is_empty(),
        "{:?}",
        app.analysis.progress.failed
    );
    // The 25-second call where nobody answers is flagged in the queue.
    let row = app.queue.rows.iter().find(|r| r.call_id == "call-004");
    let flags = &row.expect("call-004 is in the queue").flags;
    assert!(!flags.is_empty(), "call-004 should be flagged");
    // Open the stereo call-003: two lanes and the metrics.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert!(app.review.open.as_ref().unwrap().analysis.is_some());
    let s = screen(&mut app, 120, 40);
    let lane = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(&format!("│{name}")))
            .map(str::to_string)
    };
    assert!(lane("rep").is_some_and(|l| l.contains('█')), "{s}");
    assert!(lane("client").is_some_and(|l| l.contains('█')), "{s}");
    assert!(s.contains("rep talks"), "{s}");
    // Skip silence, rep only, auto gain.
    chars(&mut app, "xvg");
    let start = std::time::Instant::now();
    while !(app.listening.player.status().skip_silence && app.listening.player.status().auto_gain) {
        assert!(start.elapsed().as_secs() < 5);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        app.listening.player.status().channel_mode,
        callqa::audio::ChannelMode::LeftOnly
    );
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("skipping dead air") && s.contains("rep only") && s.contains("auto gain"),
        "{s}"
    );
}

#[test]
fn a_wrong_link_is_fixed_by_hand_from_the_workstation() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    press(&mut app, KeyCode::Char('L'));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    chars(&mut app, "K-999");
    press(&mut app, KeyCode::Enter);
    linked(&mut app);
    assert!(
        app.screen
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("No such contact")
    );
    assert_eq!(
        app.ws.call("call-001").unwrap().contact_id.as_deref(),
        Some("K-101")
    );
    press(&mut app, KeyCode::Char('L'));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    chars(&mut app, "K-104");
    press(&mut app, KeyCode::Enter);
    linked(&mut app);
    let call = app.ws.call("call-001").unwrap();
    assert_eq!(
        (call.contact_id.as_deref(), call.deal_id.as_deref()),
        (Some("K-104"), None)
    );
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("Linked: by hand"), "{s}");
    assert!(s.contains("name: Дмитрий"), "{s}");
}

/// Tick until the link typed by hand is written (on its own thread).
fn linked(app: &mut App) {
    let start = std::time::Instant::now();
    while app.t().link_busy == app.screen.message.as_ref().unwrap().text {
        assert!(start.elapsed().as_secs() < 60, "the link never finished");
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The stored place of reviewer "tester": call, item, position.
fn place(app: &App) -> (Option<String>, Option<String>, Option<u64>) {
    let p = app.ws.place("tester").unwrap().unwrap();
    (p.call_id, p.item_id, p.position_ms)
}

#[test]
fn the_place_is_kept_exactly_across_a_kill_even_right_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    for key in [
        KeyCode::BackTab,
        KeyCode::BackTab,
        KeyCode::Down,
        KeyCode::Enter,
    ] {
        press(&mut app, key);
    }
    press(&mut app, KeyCode::Char('5'));
    // A jump while paused reaches the workspace without another key.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    let start = std::time::Instant::now();
    while place(&app).2 != Some(10_000) {
        app.tick();
        assert!(
            start.elapsed().as_secs() < 10,
            "the jump never reached the workspace: {:?}",
            place(&app)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let left = place(&app);
    // c-second lasts 25 s: item 5 of the telephony checklist.
    let fifth = app.checklist().items[4].id.clone();
    assert_eq!(app.checklist().id, "telephony");
    assert_eq!(
        (left.0.as_deref(), left.1.as_deref()),
        (Some("c-second"), Some(fifth.as_str()))
    );
    // Killed: no shutdown. Reopening must not write over the place before
    // it is restored, so a second kill right away loses nothing.
    drop(app);
    let app = workstation_support::open_app(&dir.path().join("ws.sqlite"), None, Lang::En);
    assert_eq!(place(&app), left);
    drop(app);
    let mut app = workstation_support::open_app(&dir.path().join("ws.sqlite"), None, Lang::En);
    assert_eq!(app.review.item(), 4);
    screen(&mut app, 80, 24);
    assert_eq!(place(&app), left);
}

/// One damaged call (a time that does not read) does not shut the queue:
/// the workstation opens, names the bad row and shows the others.
#[test]
fn a_damaged_row_is_named_and_the_rest_of_the_queue_shows() {
    let dir = tempfile::tempdir().unwrap();
    drop(setup(dir.path(), Lang::En));
    rusqlite::Connection::open(dir.path().join("ws.sqlite"))
        .unwrap()
        .execute(
            "UPDATE calls SET started_at = 'yesterday' WHERE call_id = 'c-first'",
            [],
        )
        .unwrap();
    let mut app = workstation_support::open_app(&dir.path().join("ws.sqlite"), None, Lang::En);
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("⚠ c-first damaged row: time"), "{s}");
    assert!(s.contains("23.11 11:00 → Kate"), "{s}");
    // Opening it says what is wrong instead of shutting the workstation.
    assert!(
        s.contains("c-first") && s.contains("bad time \"yesterday\""),
        "{s}"
    );
    assert_eq!(app.queue.len, 2);
}

#[test]
fn a_mystery_shoppers_call_opens_with_the_sales_and_shopper_items_and_its_speeds() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let db = dir.path().join("demo.sqlite");
    // The demo's visit MS-01 has the shopper's call call-012 as evidence.
    let ws = callqa::store::Workspace::open(&db).unwrap();
    let place = callqa::store::ReviewerPlace {
        call_id: Some("call-012".to_string()),
        ..Default::default()
    };
    ws.save_place("tester", &place).unwrap();
    drop(ws);
    let mut app = workstation_support::open_app(&db, Some(&demo), Lang::En);
    let s = screen(&mut app, 140, 40);
    assert!(s.contains("call-012"), "{s}");
    const COMPOSED: &str = "sales-call+mystery-shopper";
    assert_eq!(app.checklist().id, COMPOSED, "{s}");
    assert!(s.contains("Sales call + Mystery shopper"), "{s}");
    // The sales-call items first, the shopper's on top of them.
    let ids: Vec<&str> = app
        .checklist()
        .items
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids[0], "greeting");
    assert!(
        ids.contains(&"crm_written") && ids.ends_with(&["callback"]),
        "{ids:?}"
    );
    assert!(s.contains("(auto)"), "{s}");
    // The first answer stores the review with the composed checklist and
    // what the visit's timestamps decided: picked up in 25 s (in time),
    // a proposal sent, but 2 days 6 h after the request (slow).
    press(&mut app, KeyCode::Char('y'));
    let review = app
        .ws
        .review("call-012", "tester", COMPOSED)
        .unwrap()
        .expect("the shopper's review");
    assert_eq!(review.answers["greeting"].value, Some(AnswerValue::Yes));
    let auto = |id: &str| {
        let a = &review.answers[id];
        assert!(a.automatic, "{id} should be automatic: {a:?}");
        a.value
    };
    assert_eq!(auto("pick_up"), Some(AnswerValue::Yes));
    assert_eq!(auto("proposal_sent"), Some(AnswerValue::Yes));
    assert_eq!(auto("proposal_speed"), Some(AnswerValue::No));
    for other in ["sales-call", "mystery-shopper"] {
        assert!(
            app.ws
                .review("call-012", "tester", other)
                .unwrap()
                .is_none()
        );
    }
}

/// The visits view on the demo, with the cursor on visit `id`.
fn visit_selected(app: &mut App, id: &str) {
    if !app.visits.shown {
        press(app, KeyCode::Char('M'));
    }
    assert!(app.visits.shown);
    app.screen.focus = callqa::tui::app::Pane::Queue;
    let at = app.visits.rows.iter().position(|r| r.visit.visit_id == id);
    let at = at.unwrap_or_else(|| panic!("{id} in the visits view"));
    while app.visits.cursor != at {
        let key = if app.visits.cursor < at {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        press(app, key);
    }
}

#[test]
fn a_visit_without_a_call_or_email_is_reviewed_itself_from_the_visits_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    press(&mut app, KeyCode::Char('M'));
    let s = screen(&mut app, 160, 40);
    // Every visit (no plan), newest request first, with speeds and status.
    let ids: Vec<&str> = app
        .visits
        .rows
        .iter()
        .map(|r| r.visit.visit_id.as_str())
        .collect();
    assert_eq!(ids, ["MS-01", "MS-02", "MS-04", "MS-03"]);
    assert!(s.contains("Mystery visits · 0/4 submitted"), "{s}");
    assert!(s.contains("· MS-03 messenger pick-up 25m SLOW"), "{s}");
    press(&mut app, KeyCode::Char('M'));
    assert!(!app.visits.shown, "M again: the calls");

    // MS-03 was by messenger: the visit itself opens, its details in place
    // of the player, with the shopper's checklist and what its times say.
    visit_selected(&mut app, "MS-03");
    press(&mut app, KeyCode::Enter);
    assert!(app.review.visit.is_some() && app.review.open.is_none());
    assert_eq!(app.checklist().id, "mystery-shopper");
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("Mystery visit: MS-03 · rules v1"), "{s}");
    assert!(s.contains("asked for: Solar water heating"), "{s}");
    assert!(s.contains("pick-up: 25m SLOW  (limit 15m)"), "{s}");
    let pick_up = app.review.answer_of(app.checklist(), 2).unwrap();
    assert_eq!(
        (pick_up.value, pick_up.automatic),
        (Some(AnswerValue::No), true)
    );
    // `t` has nothing to point at; the answers are kept per key.
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('t'));
    assert!(message(&app).contains("comment"), "{}", message(&app));
    press(&mut app, KeyCode::Char('n'));
    let subject = callqa::store::Subject::Visit("MS-03".into());
    let review = app
        .ws
        .review_of(&subject, "tester", "mystery-shopper")
        .unwrap();
    let review = review.expect("stored on the first key");
    assert_eq!(review.answers["tone"].value, Some(AnswerValue::Yes));
    assert_eq!(review.answers["reaction"].value, Some(AnswerValue::No));
    assert!(review.answers["pick_up"].automatic);
    press(&mut app, KeyCode::Char('s'));
    // Unanswered items left? Confirm; then the next open visit down opens.
    if matches!(app.screen.mode, Mode::ConfirmSubmit { .. }) {
        press(&mut app, KeyCode::Char('y'));
    }
    let review = app
        .ws
        .review_of(&subject, "tester", "mystery-shopper")
        .unwrap();
    assert_eq!(review.unwrap().status, ReviewStatus::Submitted);
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("Mystery visits · 1/4 submitted"), "{s}");

    // MS-01's call is in the workspace: Enter opens the call.
    visit_selected(&mut app, "MS-01");
    press(&mut app, KeyCode::Enter);
    let open = app.review.open.as_ref().expect("the shopper's call");
    assert_eq!(open.call.call_id, "call-012");
    assert_eq!(app.checklist().id, "sales-call+mystery-shopper");
    // MS-02's email: Enter opens the email, its items and the shopper's.
    visit_selected(&mut app, "MS-02");
    press(&mut app, KeyCode::Enter);
    let open = app.review.email.as_ref().expect("the shopper's email");
    assert_eq!(open.email.email.message_id, "d1-morozov@solar-dom.example");
    assert_eq!(app.checklist().id, "email+mystery-shopper");
    // Its review started, the email queue shows it in progress.
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('e'));
    let row = app
        .emails
        .rows
        .iter()
        .find(|r| r.message_id.starts_with("d1-morozov"));
    assert_eq!(row.unwrap().status, ReviewStatus::InProgress);
}

#[test]
fn a_visit_typed_into_the_form_is_checked_field_by_field_and_nothing_typed_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    press(&mut app, KeyCode::Char('N'));
    assert!(app.visits.shown, "the form is the visits view's");
    assert!(matches!(app.screen.mode, Mode::Input { .. }));
    // Scenario, channel, shopper, rep, team, then the four times, the call.
    let fields = [
        "Quote for a 5 kW roof",
        "fax",
        "",
        "",
        "",
        "2026-11-27T10:00:00+03:00",
        "yesterday",
        "",
        "2026-11-26T10:00:00+03:00",
        "call-999",
    ];
    for field in fields {
        chars(&mut app, field);
        press(&mut app, KeyCode::Enter);
    }
    press(&mut app, KeyCode::Enter);
    // Nothing saved; each problem next to its field, the cursor on the first.
    assert_eq!(app.ws.next_form_visit_id().unwrap(), "WS-1");
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("New mystery-shopping visit"), "{s}");
    for problem in [
        "✘ not one of call, email, web_form, messenger",
        "✘ required",
        "✘ a rep or a team",
        "✘ time \"yesterday\" does not parse",
        "✘ before requested at",
        "✘ no such call in the workspace",
    ] {
        assert!(s.contains(problem), "{problem}: {s}");
    }
    assert!(s.contains("Quote for a 5 kW roof"), "kept: {s}");
    let form = app.visits.form.as_ref().unwrap();
    assert_eq!(form.field, 1, "on the channel");
    // Fix each: the channel, the shopper, the rep, the times, the call.
    let fix = |app: &mut App, index: usize, text: &str| {
        while app.visits.form.as_ref().unwrap().field != index {
            press(app, KeyCode::Tab);
        }
        workstation_support::ctrl(app, 'u');
        chars(app, text);
    };
    fix(&mut app, 1, "web_form");
    fix(&mut app, 2, "Emma Clarke");
    fix(&mut app, 3, "Kate Miller");
    fix(&mut app, 6, "2026-11-27T10:20:00+03:00");
    fix(&mut app, 8, "2026-11-28T10:00:00+03:00");
    fix(&mut app, 9, "");
    // Esc closes the form; N opens it again as it was left.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen.mode, Mode::Normal);
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(
        app.visits.form.as_ref().unwrap().draft.values[2],
        "Emma Clarke"
    );
    fix(&mut app, 10, "");
    press(&mut app, KeyCode::Enter);
    assert!(
        message(&app).contains("Visit saved: WS-1"),
        "{}",
        message(&app)
    );
    assert_eq!(app.screen.mode, Mode::Normal);
    let visits = app.ws.visits(&Default::default()).unwrap();
    let saved = visits.iter().find(|v| v.visit.visit_id == "WS-1").unwrap();
    assert_eq!(
        saved.visit.channel,
        callqa::domain::mystery::Channel::WebForm
    );
    assert_eq!(saved.visit.rep.as_deref(), Some("Kate Miller"));
    assert_eq!(saved.visit.call_id, None);
    assert_eq!(saved.source_file, "workstation form");
    let row = &app.visits.rows[app.visits.cursor];
    assert_eq!(row.visit.visit_id, "WS-1", "the cursor on the new visit");
}
