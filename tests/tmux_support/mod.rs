//! Driving the real binary in a real terminal: a private tmux server per
//! test, keys sent one by one, the screen read back.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(name: &str) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is not installed: this end-to-end test needs it (./dev test installs it)"
        );
        Tmux {
            socket: format!("callqa-{name}-{}", std::process::id()),
        }
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn start(&self, command: &str) {
        self.run(&["kill-server"]);
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
            ])
            .arg(command)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    /// Keys one by one, with a pause for the program to take each.
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", key]);
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    /// One key, without waiting.
    pub fn key(&self, key: &str) {
        self.run(&["send-keys", key]);
    }

    pub fn literal(&self, text: &str) {
        self.run(&["send-keys", "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }

    pub fn pane_pid(&self) -> i32 {
        self.run(&["display-message", "-p", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_for_any(&[needle]).1
    }

    /// Wait until one of `needles` is on the screen: which one, and the screen.
    pub fn wait_for_any(&self, needles: &[&str]) -> (usize, String) {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if let Some(found) = needles.iter().position(|n| screen.contains(n)) {
                return (found, screen);
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "none of {needles:?} appeared; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// Whether process `pid` is still there.
pub fn alive(pid: i32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

/// Wait until process `pid` has ended; false if it is still there after 10 s.
pub fn wait_gone(pid: i32) -> bool {
    let start = Instant::now();
    while alive(pid) {
        if start.elapsed() > Duration::from_secs(10) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo imported into `dir/name` by the real binary.
pub fn demo_workspace(dir: &Path, name: &str) -> std::path::PathBuf {
    let db = dir.join(name);
    import_demo(db.as_os_str());
    db
}

/// The demo imported into the workspace `db` (a file or a postgres:// URL)
/// by the real binary.
pub fn import_demo(db: &std::ffi::OsStr) {
    let import = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["import", "--lang", "en", "--db"])
        .arg(db)
        .arg(repo().join("assets/demo"))
        .output()
        .unwrap();
    assert!(import.status.success(), "{import:?}");
}

/// The workstation on `db` for `reviewer`, without sound, with its data and
/// config in `dir` and an English UTF-8 locale: what `Tmux::start` runs.
pub fn review_command(dir: &Path, db: &Path, reviewer: &str) -> String {
    format!(
        "exec env CALLQA_DATA_DIR={d} CALLQA_CONFIG_DIR={d}/config LANG=en_US.UTF-8 {bin} review --db {db} --reviewer {reviewer} --no-sound",
        bin = env!("CARGO_BIN_EXE_callqa"),
        db = db.display(),
        d = dir.display()
    )
}
