//! Time spent on a review, what a contractor paid per call bills on: the
//! time with that call open and the reviewer active, never the time spent
//! browsing calls before it (`domain::active_time` has the rule's unit
//! tests; here it is the workstation that must apply it).

mod common;
mod workstation_support;

use callqa::domain::Lang;
use ratatui::crossterm::event::KeyCode;
use std::time::Duration;
use workstation_support::{press, screen, setup, stored};

#[test]
fn browsing_a_call_without_a_review_is_not_credited_to_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    // Active on the first call without answering anything.
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(600));
        press(&mut app, KeyCode::Tab);
        app.tick();
    }
    app.open_call(1).unwrap();
    press(&mut app, KeyCode::Char('y'));
    app.shutdown();
    // 25 s: a telephony check, reviewed with the telephony checklist.
    let second = app
        .ws
        .review("c-second", "tester", "telephony")
        .unwrap()
        .unwrap();
    assert!(
        second.time_spent_ms < 1_500,
        "{} ms of browsing the first call credited to the second",
        second.time_spent_ms
    );
    assert!(
        app.ws
            .review("c-first", "tester", "sales-call")
            .unwrap()
            .is_none()
    );
}

#[test]
fn time_before_and_after_the_first_answer_counts_and_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    std::thread::sleep(Duration::from_millis(1_200));
    press(&mut app, KeyCode::Char('y'));
    std::thread::sleep(Duration::from_millis(1_200));
    press(&mut app, KeyCode::Char('y'));
    let s = screen(&mut app, 200, 30);
    assert!(s.contains("time 0:0"), "{s}");
    app.shutdown();
    let first = stored(&app, "c-first");
    assert!(
        first.time_spent_ms >= 2_400,
        "only {} ms of 2.4 s with the call open",
        first.time_spent_ms
    );
}
