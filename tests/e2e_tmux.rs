//! End to end, as a reviewer uses it: the real binary in a real terminal
//! (tmux), keys sent one by one, the process killed with SIGKILL, reopened,
//! and the answers checked on screen and in the SQLite file.

mod tmux_support;

use rusqlite::Connection;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tmux_support::{Tmux, demo_workspace, repo, review_command, wait_gone};

fn answers(db: &Path) -> Vec<(String, Option<String>, Option<String>)> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT a.item_id, a.value, a.comment FROM answers a
             JOIN reviews r USING (review_id)
             WHERE r.reviewer = 'e2e' AND a.automatic = 0 ORDER BY a.item_id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn wait_for_answers(db: &Path, count: usize) -> Vec<(String, Option<String>, Option<String>)> {
    let start = Instant::now();
    loop {
        let got = answers(db);
        if got.len() >= count || start.elapsed() > Duration::from_secs(10) {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn scripted_review_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.sqlite");
    let bin = env!("CARGO_BIN_EXE_callqa");
    let env = format!(
        "CALLQA_DATA_DIR={d} CALLQA_CONFIG_DIR={d}/config LANG=en_US.UTF-8",
        d = dir.path().display()
    );
    let import = Command::new(bin)
        .args(["import", "--lang", "en", "--db"])
        .arg(&db)
        .arg(repo().join("assets/demo"))
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "import failed: {}{}",
        String::from_utf8_lossy(&import.stdout),
        String::from_utf8_lossy(&import.stderr)
    );
    // As `callqa demo` does: start on the current week (call-001), not on
    // the history weeks before it.
    let ws = callqa::store::Workspace::open(&db).unwrap();
    callqa::reports::demo_reviews::open_on_the_current_week(&ws, "e2e").unwrap();
    drop(ws);

    // No --no-sound: on a machine without a device this exercises the
    // fallback, and ALSA's complaints must not reach the screen.
    let review = format!(
        "exec env {env} {bin} review --db {} --reviewer e2e",
        db.display()
    );
    let tmux = Tmux::new("sigkill");
    tmux.start(&review);
    let first = tmux.wait_for("Checklist");
    assert!(first.contains("call-001"), "{first}");
    assert!(
        !first.contains("ALSA lib"),
        "stderr reached the screen:\n{first}"
    );

    tmux.keys(&["y", "n", "a"]);
    tmux.keys(&["2", "c"]);
    tmux.literal("не назвал компанию");
    tmux.keys(&["Enter", "6", "y"]);
    let before = wait_for_answers(&db, 4);
    assert_eq!(before.len(), 4, "{before:?}");
    let screen = tmux.wait_for("Score");
    assert!(screen.contains("✎ не назвал"), "{screen}");

    let pid = tmux.pane_pid();
    let killed = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));

    let after_kill = answers(&db);
    assert_eq!(after_kill, before, "answers changed by the kill");
    let get = |item: &str| after_kill.iter().find(|a| a.0 == item).cloned().unwrap();
    assert_eq!(get("greeting").1.as_deref(), Some("yes"));
    assert_eq!(get("introduced").1.as_deref(), Some("no"));
    assert_eq!(get("introduced").2.as_deref(), Some("не назвал компанию"));
    assert_eq!(get("client_name").1.as_deref(), Some("na"));
    assert_eq!(get("summary").1.as_deref(), Some("yes"));

    // Reopen: same call, answers on screen, and work continues.
    tmux.start(&review);
    let screen = tmux.wait_for("Checklist");
    assert!(screen.contains("call-001"), "{screen}");
    assert!(
        screen.contains("✔ yes") && screen.contains("✘ no") && screen.contains("– n/a"),
        "{screen}"
    );
    assert!(
        // Four answers from the keys, four CRM checks answered by the data.
        screen.contains("8/13 answered"),
        "{screen}"
    );

    // Resize down to 80x24 and back without breaking.
    tmux.run(&["resize-window", "-x", "80", "-y", "24"]);
    let small = tmux.wait_for("Checklist");
    assert!(small.lines().all(|l| l.chars().count() <= 80), "{small}");

    // Ctrl+C quits even from a text field, where `q` is text.
    let pid = tmux.pane_pid();
    tmux.keys(&["c", "q", "C-c"]);
    assert!(wait_gone(pid), "Ctrl+C did not quit");
}

/// SIGTERM and SIGHUP end the workstation like `q`: the place is saved and
/// the terminal leaves the alternate screen. Ctrl+C quits with a keymap
/// that moved `quit` elsewhere.
#[test]
fn signals_and_ctrl_c_save_and_restore_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path(), "sig.sqlite");
    let bin = env!("CARGO_BIN_EXE_callqa");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("keymap.toml"),
        "[[main]]\non = [\"q\"]\nrun = \"submit\"\n\n[[main]]\non = [\"f10\"]\nrun = \"quit\"\n",
    )
    .unwrap();
    let review = format!(
        "env CALLQA_DATA_DIR={d} CALLQA_CONFIG_DIR={d}/config LANG=en_US.UTF-8 {bin} review --db {} --reviewer sig --no-sound",
        db.display(),
        d = dir.path().display()
    );
    let item = || {
        let conn = Connection::open(&db).unwrap();
        conn.query_row(
            "SELECT item_id FROM reviewer_state WHERE reviewer = 'sig'",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
    };
    for (signal, key) in [("TERM", "5"), ("HUP", "6"), ("ctrl-c", "7")] {
        let tmux = Tmux::new(&format!("sig-{signal}"));
        tmux.start(&review);
        tmux.run(&["set-option", "-g", "remain-on-exit", "on"]);
        tmux.wait_for("Checklist");
        tmux.keys(&[key]);
        let pid: i32 = tmux
            .run(&["display-message", "-p", "#{pane_pid}"])
            .trim()
            .parse()
            .unwrap();
        // The shell runs callqa as its child.
        let child = Command::new("pgrep")
            .args(["-P", &pid.to_string()])
            .output()
            .unwrap();
        let target = String::from_utf8_lossy(&child.stdout)
            .trim()
            .parse::<i32>()
            .unwrap_or(pid);
        if signal == "ctrl-c" {
            tmux.key("C-c");
        } else {
            Command::new("kill")
                .args([&format!("-{signal}"), &target.to_string()])
                .status()
                .unwrap();
        }
        let start = Instant::now();
        while tmux.run(&["display-message", "-p", "#{pane_dead}"]).trim() != "1" {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{signal}: pane alive"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let alternate = tmux.run(&["display-message", "-p", "#{alternate_on}"]);
        assert_eq!(
            alternate.trim(),
            "0",
            "{signal}: left on the alternate screen"
        );
        let expected = ["bigger_task", "summary", "script"][(key.as_bytes()[0] - b'5') as usize];
        assert_eq!(item(), expected, "{signal}: place not saved");
    }
}

/// 500 Down keys sent in one burst (1,500 bytes: more than the terminal
/// reader takes at once) all move the cursor, with no other key after them
/// to flush what was left unread.
///
/// crossterm's default reader (mio, edge-triggered epoll) read 1,024 bytes,
/// handed out their 341 events and was not woken again for the bytes still
/// waiting until another key arrived: the cursor stopped at `#342`. Its
/// `use-dev-tty` reader (Cargo.toml) polls level-triggered and takes them.
#[test]
fn a_burst_of_keys_is_applied_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("burst.sqlite");
    let bin = env!("CARGO_BIN_EXE_callqa");
    let batch = callqa::scale::generate(dir.path(), 800, 40).unwrap();
    let import = Command::new(bin)
        .args(["import", "--lang", "en", "--db"])
        .arg(&db)
        .arg(&batch)
        .output()
        .unwrap();
    assert!(import.status.success(), "{import:?}");
    let review = format!(
        "env CALLQA_DATA_DIR={d} CALLQA_CONFIG_DIR={d}/config LANG=en_US.UTF-8 {bin} review --db {} --reviewer burst --no-sound",
        db.display(),
        d = dir.path().display()
    );
    let tmux = Tmux::new("burst");
    tmux.start(&review);
    tmux.wait_for("Checklist");
    // From the checklist, Tab twice reaches the queue.
    tmux.keys(&["Tab", "Tab"]);
    tmux.wait_for("· #1");
    let mut burst = vec!["send-keys"];
    burst.extend(std::iter::repeat_n("Down", 500));
    tmux.run(&burst);
    let screen = tmux.wait_for("· #501");
    assert!(screen.contains("Queue 0/800"), "{screen}");
    tmux.key("q");
}

/// Closing the terminal (here: killing its tmux server) ends the
/// workstation with its place saved. With crossterm's mio reader it did not:
/// the hung-up terminal reads as end-of-file, which that reader retries in
/// a loop that never returns, so the SIGHUP flag was never looked at and
/// the process spun a core, orphaned, until killed.
#[test]
fn closing_the_terminal_ends_the_workstation() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path(), "hup.sqlite");
    let review = review_command(dir.path(), &db, "hup");
    let tmux = Tmux::new("hangup");
    tmux.start(&review);
    tmux.wait_for("Checklist");
    tmux.keys(&["6"]);
    let found = Command::new("pgrep")
        .args(["-f", &db.display().to_string()])
        .output()
        .unwrap();
    let pids: Vec<String> = String::from_utf8_lossy(&found.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    // The workstation itself, not a shell around it.
    let pid = pids
        .iter()
        .find(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|e| e.ends_with("callqa"))
        })
        .expect("the workstation's process")
        .clone();
    tmux.run(&["kill-server"]);
    // Gone, or a zombie nobody reaps: either way it stopped.
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
        })
    };
    let start = Instant::now();
    while running() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let still = running();
    if still {
        let _ = Command::new("kill").args(["-9", &pid]).status();
    }
    assert!(!still, "the workstation went on after its terminal closed");
    let conn = Connection::open(&db).unwrap();
    let item: String = conn
        .query_row(
            "SELECT item_id FROM reviewer_state WHERE reviewer = 'hup'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(item, "summary", "place not saved");
}

/// One email reviewed from the keyboard: the queue switched to emails, one
/// opened, the automatic spelling answer confirmed, an item answered, a
/// line of the thread quoted as its evidence, submitted; then the SQLite
/// file holds the email's review.
#[test]
fn an_email_is_reviewed_from_the_keyboard() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path(), "email.sqlite");
    let review = review_command(dir.path(), &db, "mail");
    let tmux = Tmux::new("email");
    tmux.start(&review);
    tmux.wait_for("Checklist");
    tmux.keys(&["e"]);
    tmux.wait_for("Emails 0/6 submitted");
    // Newest first: the third is Kate Miller's reply to Lars Nyberg.
    tmux.keys(&["Down", "Down", "Enter"]);
    tmux.wait_for("Thread: Re: Rooftop PV for Nordvik");
    // Spelling confirmed (5, y), forwardable answered no; back to the
    // thread (Shift+Tab), the cursor two lines down, past the greeting, is
    // quoted for it.
    tmux.keys(&["5", "y", "n", "BTab", "Down", "Down", "t"]);
    tmux.wait_for("Quoted as evidence of #6");
    tmux.keys(&["s"]);
    let screen = tmux.wait_for("Submitted");
    assert!(screen.contains("Emails 1/6 submitted"), "{screen}");
    tmux.key("q");

    let conn = Connection::open(&db).unwrap();
    let (message_id, call_id, status): (String, Option<String>, String) = conn
        .query_row(
            "SELECT message_id, call_id, status FROM reviews WHERE reviewer = 'mail'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(message_id.starts_with("c3-nyberg"), "{message_id}");
    assert_eq!((call_id, status.as_str()), (None, "submitted"));
    let mut stmt = conn
        .prepare(
            "SELECT a.item_id, a.value, a.automatic, a.evidence_text FROM answers a
             JOIN reviews r USING (review_id) WHERE r.reviewer = 'mail' ORDER BY a.item_id",
        )
        .unwrap();
    let rows: Vec<(String, String, bool, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let row = |id: &str| rows.iter().find(|r| r.0 == id).unwrap().clone();
    assert_eq!(
        row("call_to_action"),
        ("call_to_action".into(), "no".into(), true, None)
    );
    assert_eq!(
        row("spelling"),
        ("spelling".into(), "yes".into(), false, None)
    );
    let forwardable = row("forwardable");
    assert_eq!((forwardable.1.as_str(), forwardable.2), ("no", false));
    let quote = forwardable.3.unwrap();
    assert!(
        quote.starts_with("Yes: the export gives monthly production"),
        "{quote}"
    );
    assert_eq!(rows.len(), 6, "{rows:?}");
}

/// A mystery shopper's visit with no call or email (MS-03, by messenger)
/// reviewed from the keyboard: the queue switched to the visits, the visit
/// opened with its speeds, two items answered, the timestamps' answers
/// kept, submitted; then the SQLite file holds the visit's review.
#[test]
fn a_visit_without_a_call_is_reviewed_from_the_keyboard() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path(), "visit.sqlite");
    let review = review_command(dir.path(), &db, "shopper");
    let tmux = Tmux::new("visit");
    tmux.start(&review);
    tmux.wait_for("Checklist");
    tmux.keys(&["M"]);
    tmux.wait_for("Mystery visits · 0/4 submitted");
    // Newest request first: MS-01, MS-02, MS-04, then MS-03.
    tmux.keys(&["Down", "Down", "Down", "Enter"]);
    let screen = tmux.wait_for("Mystery visit: MS-03");
    assert!(screen.contains("25m SLOW"), "{screen}");
    tmux.keys(&["y", "n", "s"]);
    let screen = tmux.wait_for("Submitted: MS-03");
    assert!(
        screen.contains("Mystery visits · 1/4 submitted"),
        "{screen}"
    );
    tmux.key("q");

    let conn = Connection::open(&db).unwrap();
    let (visit, call, message, status): (String, Option<String>, Option<String>, String) = conn
        .query_row(
            "SELECT visit_id, call_id, message_id, status FROM reviews WHERE reviewer = 'shopper'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (visit.as_str(), call, message, status.as_str()),
        ("MS-03", None, None, "submitted")
    );
    let mut stmt = conn
        .prepare(
            "SELECT a.item_id, a.value, a.automatic FROM answers a
             JOIN reviews r USING (review_id) WHERE r.reviewer = 'shopper' ORDER BY a.item_id",
        )
        .unwrap();
    let rows: Vec<(String, String, bool)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let row = |id: &str| rows.iter().find(|r| r.0 == id).unwrap().clone();
    assert_eq!(row("tone"), ("tone".into(), "yes".into(), false));
    assert_eq!(row("reaction"), ("reaction".into(), "no".into(), false));
    assert_eq!(row("pick_up"), ("pick_up".into(), "no".into(), true));
    assert_eq!(rows.len(), 6, "{rows:?}");
}
