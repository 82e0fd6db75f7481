//! A panic on the UI thread, through the real binary in tmux: the answers
//! and the place are saved, the terminal is restored (no alternate screen,
//! the message readable below the shell's output, not drawn over the UI),
//! and the process exits non-zero. Never both half-states: a restored
//! terminal under a workstation that goes on running.
//!
//! The binary has no data path to a UI-thread panic (every panic from
//! data is caught lower down), so the debug build's fault injection
//! (`CALLQA_FAULT_PANIC_KEY`) makes one.

mod tmux_support;

use rusqlite::Connection;
use std::time::{Duration, Instant};
use tmux_support::{Tmux, demo_workspace};

#[test]
fn a_panic_on_the_ui_thread_saves_restores_the_terminal_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path(), "panic.sqlite");
    let bin = env!("CARGO_BIN_EXE_callqa");
    let review = format!(
        "env CALLQA_DATA_DIR={d} CALLQA_CONFIG_DIR={d}/config CALLQA_FAULT_PANIC_KEY=% \
         LANG=en_US.UTF-8 {bin} review --db {} --reviewer crash --no-sound",
        db.display(),
        d = dir.path().display()
    );
    let tmux = Tmux::new("ui-panic");
    tmux.start(&review);
    tmux.run(&["set-option", "-g", "remain-on-exit", "on"]);
    tmux.wait_for("Checklist");
    // Answer item 1, then move to item 4, then the fault.
    tmux.keys(&["y", "4"]);
    let conn = Connection::open(&db).unwrap();
    let start = Instant::now();
    let answered = || {
        conn.query_row(
            "SELECT count(*) FROM answers a JOIN reviews r ON r.review_id = a.review_id \
             WHERE r.reviewer = 'crash' AND a.value IS NOT NULL AND a.automatic = 0",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap_or(0)
    };
    while answered() < 1 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "answer not saved"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.literal("%");
    let start = Instant::now();
    while tmux.run(&["display-message", "-p", "#{pane_dead}"]).trim() != "1" {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the workstation went on running after a panic on the UI thread:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = tmux.run(&["display-message", "-p", "#{pane_dead_status}"]);
    assert_ne!(status.trim(), "0", "a panic exited 0");
    let alternate = tmux.run(&["display-message", "-p", "#{alternate_on}"]);
    assert_eq!(alternate.trim(), "0", "left on the alternate screen");
    let screen = tmux.screen();
    assert!(
        screen.contains("fault injected"),
        "the panic message is not on the restored terminal:\n{screen}"
    );
    assert!(
        !screen.contains("Checklist"),
        "the workstation's screen is still drawn:\n{screen}"
    );
    assert_eq!(answered(), 1, "the answer was lost");
    let item: String = conn
        .query_row(
            "SELECT item_id FROM reviewer_state WHERE reviewer = 'crash'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let fourth = callqa::domain::Checklist::default_sales_call().items[3]
        .id
        .clone();
    assert_eq!(item, fourth, "the place was not saved");
}
