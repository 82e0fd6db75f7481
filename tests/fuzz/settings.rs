//! The reviewer's settings files damaged: `config.toml`, read by every
//! command (taken through the real binary, so a hang is a child process
//! that does not end and a panic is an exit by signal or code 101), and
//! `keymap.toml`, read when the workstation opens (taken through
//! `callqa::tui::load_keymap`). Neither may panic or hang, and what the
//! binary prints may hold no raw control character.

use super::harness::{CASE_LIMIT, Figures, bounded, mkfifo, raw_control, trace};
use super::mutate::{Shape, mutate};
use super::rng::Rng;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const CONFIG: &str = "reviewer = \"Мария\"\nlanguage = \"ru\"\n";

const KEYMAP: &str = "[[main]]\non = [\"ctrl-y\", \"+\"]\nrun = \"answer-yes\"\n\n\
[[main]]\non = [\"1\", \"2\", \"3\"]\nrun = \"jump\"\n\n\
[[audit]]\non = [\"s\"]\nrun = \"sort\"\n\n\
[[input]]\non = [\"ctrl-u\"]\nrun = \"clear-line\"\n";

/// What a settings file was swapped for, or its damaged text.
fn lay_out(rng: &mut Rng, path: &Path, seed: &str, swaps: bool) -> String {
    match rng.below(10) {
        0 if swaps => {
            mkfifo(path);
            "a named pipe".into()
        }
        1 if swaps => {
            std::os::unix::fs::symlink("/dev/zero", path).unwrap();
            "a link to /dev/zero".into()
        }
        2 => {
            std::fs::create_dir(path).unwrap();
            "a folder".into()
        }
        _ => {
            let (bytes, what) = mutate(rng, seed.as_bytes(), Shape::Toml);
            std::fs::write(path, bytes).unwrap();
            what
        }
    }
}

pub fn run(cases: usize, seed: u64, only: Option<usize>) -> Figures {
    let mut figures = Figures::default();
    for case in 0..cases {
        if only.is_some_and(|o| o != case) {
            continue;
        }
        let mut rng = Rng::new(seed ^ 0x5E77 ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        figures.cases += 1;
        if case % 2 == 0 {
            config_case(&mut rng, case, &mut figures);
        } else {
            keymap_case(&mut rng, case, &mut figures);
        }
    }
    figures
}

fn config_case(rng: &mut Rng, case: usize, figures: &mut Figures) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let what = lay_out(rng, &config.join("config.toml"), CONFIG, true);
    let label = format!("config.toml case {case} ({what})");
    trace(&label);
    let mut child = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["export", "--db"])
        .arg(dir.path().join("none.sqlite"))
        .env("CALLQA_CONFIG_DIR", &config)
        .env("CALLQA_DATA_DIR", dir.path().join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > CASE_LIMIT {
            child.kill().ok();
            child.wait().ok();
            return figures.fail(
                |f| &mut f.hangs,
                &label,
                "callqa export: no answer in 10 s".into(),
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let output = child.wait_with_output().unwrap();
    let code = output.status.code();
    if code.is_none() || code == Some(101) {
        figures.fail(
            |f| &mut f.panics,
            &label,
            format!("callqa export died: {:?}", output.status),
        );
    }
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        if let Some((at, c)) = raw_control(&text) {
            figures.fail(
                |f| &mut f.raw_controls,
                &label,
                format!("{stream} holds {c:?} at byte {at}: {text:?}"),
            );
        }
    }
}

fn keymap_case(rng: &mut Rng, case: usize, figures: &mut Figures) {
    let dir = tempfile::tempdir().unwrap();
    let what = lay_out(rng, &dir.path().join("keymap.toml"), KEYMAP, true);
    let label = format!("keymap.toml case {case} ({what})");
    trace(&label);
    let config = dir.path().to_path_buf();
    let run = bounded(move || callqa::tui::load_keymap(&config).is_ok());
    if figures.settle(run, &label, "load_keymap").is_none() {
        std::mem::forget(dir);
    }
}
