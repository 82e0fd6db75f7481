//! Shared helpers for the integration tests: real files in a temp folder.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// A valid 16-bit PCM mono WAV of `seconds` with a quiet tone.
pub fn write_wav(path: &Path, seconds: f64, rate: u32) {
    let frames = (seconds * rate as f64) as u32;
    let mut data = Vec::with_capacity(frames as usize * 2);
    for i in 0..frames {
        let t = i as f64 / rate as f64;
        let v = ((t * 440.0 * std::f64::consts::TAU).sin() * 8000.0) as i16;
        data.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, out).unwrap();
}

pub const CALLS_HEADER: &str =
    "call_id,started_at,rep,direction,phone,recording,contact_id,deal_id\n";

pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Run the `callqa` binary with its data and config folders inside `dir`
/// (never the tester's own), and without `CALLQA_DB` from the environment.
pub fn callqa(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .env("CALLQA_DATA_DIR", dir.join("data"))
        .env("CALLQA_CONFIG_DIR", dir.join("config"))
        .env_remove("CALLQA_DB")
        .output()
        .unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One member of a zip file (an XLSX's XML), as text.
pub fn unzip(file: &Path, member: &str) -> String {
    let out = Command::new("unzip")
        .args(["-p", file.to_str().unwrap(), member])
        .output()
        .expect("unzip");
    text(&out.stdout)
}

/// Headless Chromium, or None when it is missing and the run says to skip
/// such tests (`CALLQA_SKIP_MISSING_TOOLS=1`).
pub fn chromium() -> Option<&'static str> {
    for bin in ["chromium", "chromium-browser"] {
        if Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(bin);
        }
    }
    if std::env::var("CALLQA_SKIP_MISSING_TOOLS").as_deref() == Ok("1") {
        println!("skipped (CALLQA_SKIP_MISSING_TOOLS=1): chromium is not installed");
        return None;
    }
    panic!(
        "chromium is not installed: ./dev installs what the tests need \
         (set CALLQA_SKIP_MISSING_TOOLS=1 to skip such tests on purpose)"
    );
}

/// Headless Chromium on `args` with its own profile in `profile`.
pub fn headless(bin: &str, profile: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap()
}

/// Logins made on a test's PostgreSQL server (the URL of its owner, the
/// names), dropped with what they own when the test ends, pass or fail:
/// roles are the server's, not the test database's.
pub struct Logins(pub String, pub Vec<String>);

impl Drop for Logins {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.0, postgres::NoTls) {
            for login in &self.1 {
                let _ = admin.batch_execute(&format!("DROP OWNED BY {login}; DROP ROLE {login}"));
            }
        }
    }
}

/// `url` (a test server, which trusts its socket) with the login `user`.
pub fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}
