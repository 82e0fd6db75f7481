//! Recordings that lie or break (issue 12), end to end: the import takes
//! the good calls of a batch and names every bad recording with its reason;
//! the background analysis fails a call whose recording broke after import
//! and goes on with the next. (The probe, the player and the analysis of
//! each kind of bad header are tested next to the code, in `src/audio` and
//! `src/analysis`.)

mod common;
mod workstation_support;

use callqa::analysis::runner::Analyser;
use callqa::import::import_batch;
use callqa::store::Workspace;
use common::{CALLS_HEADER, write, write_wav};
use std::path::Path;
use std::time::{Duration, Instant};

/// Only a hang reaches this.
const DEADLINE: Duration = Duration::from_secs(30);

/// Rewrite the sample rate of a WAV written by `write_wav`.
fn set_rate(path: &Path, rate: u32) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[24..28].copy_from_slice(&rate.to_le_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[cfg(unix)]
fn make_fifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
}

/// A batch of calls, one per recording name, a minute apart.
fn batch(dir: &Path, recordings: &[&str]) -> std::path::PathBuf {
    let b = dir.join("batch");
    let mut rows = String::from(CALLS_HEADER);
    for (i, name) in recordings.iter().enumerate() {
        write_wav(&b.join("rec").join(name), 2.0, 8000);
        rows.push_str(&format!(
            "c{i},2026-11-23T10:{i:02}:00+03:00,Анна,in,+7912000000{i},rec/{name},,\n"
        ));
    }
    write(&b.join("calls.csv"), &rows);
    b
}

#[test]
fn an_import_keeps_the_good_calls_and_names_each_bad_recording() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "zero.wav",
        "one-hz.wav",
        "four-ghz.wav",
        "good.wav",
        "pipe.wav",
    ];
    let b = batch(dir.path(), &names);
    set_rate(&b.join("rec/zero.wav"), 0);
    set_rate(&b.join("rec/one-hz.wav"), 1);
    set_rate(&b.join("rec/four-ghz.wav"), 4_000_000_000);
    #[cfg(unix)]
    make_fifo(&b.join("rec/pipe.wav"));
    let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();

    let report = import_batch(&ws, &b).unwrap();

    assert_eq!(report.calls.new, 1);
    assert_eq!(ws.call("c3").unwrap().recording.duration_ms, 2000);
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let about = |call: &str| {
        problems
            .iter()
            .find(|p| p.contains(&format!(" {call}: ")))
            .unwrap_or_else(|| panic!("nothing about {call}: {problems:#?}"))
            .clone()
    };
    for (call, file, reason) in [
        ("c0", "zero.wav", "sample rate of 0 Hz"),
        ("c1", "one-hz.wav", "sample rate of 1 Hz"),
        ("c2", "four-ghz.wav", "sample rate of 4000000000 Hz"),
    ] {
        let problem = about(call);
        assert!(
            problem.contains(file) && problem.contains(reason),
            "{problem}"
        );
    }
    #[cfg(unix)]
    assert!(about("c4").contains("named pipe"), "{problems:#?}");
}

/// The analysis after a recording was replaced on disk by a bad one (a
/// header that used to panic the decoder, a FIFO that used to hang the
/// analyser): that call fails with the reason, the others are analysed.
#[test]
fn the_analyser_fails_a_broken_call_with_the_reason_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path(), &["zero.wav", "pipe.wav", "good.wav"]);
    let ws_path = dir.path().join("ws.sqlite");
    let ws = Workspace::open(&ws_path).unwrap();
    let report = import_batch(&ws, &b).unwrap();
    assert_eq!(report.calls.new, 3, "{:?}", report.problems);
    set_rate(&b.join("rec/zero.wav"), 0);
    #[cfg(unix)]
    make_fifo(&b.join("rec/pipe.wav"));

    // On a hang the analyser is leaked rather than dropped, so the test
    // fails instead of waiting.
    let analyser = std::mem::ManuallyDrop::new(Analyser::start(&ws_path));
    let mut seen = callqa::analysis::runner::Progress::default();
    let start = Instant::now();
    loop {
        let progress = analyser.poll();
        seen.finished.extend(progress.finished.iter().cloned());
        seen.failed = progress.failed.clone();
        if progress.total == 3 && progress.done == 3 {
            break;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "the analyser is stuck: {progress:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(seen.finished, vec!["c2".to_string()], "{seen:?}");
    let zero = seen.failure("c0").expect("c0 failed");
    assert!(
        zero.starts_with("zero.wav: ") && zero.contains("sample rate of 0 Hz"),
        "{zero}"
    );
    #[cfg(unix)]
    assert!(
        seen.failure("c1").is_some_and(|r| r.contains("named pipe")),
        "{seen:?}"
    );
    drop(std::mem::ManuallyDrop::into_inner(analyser));
}

/// A recording that broke after import, opened in a Russian workspace: the
/// player names the file and says what is wrong in Russian.
#[test]
fn a_broken_recording_is_named_in_the_reviewers_language() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path(), &["good.wav"]);
    let mut app = workstation_support::open_app(
        &dir.path().join("ws.sqlite"),
        Some(&b),
        callqa::domain::Lang::Ru,
    );
    std::fs::write(b.join("rec/good.wav"), b"").unwrap();
    app.open_call(0).unwrap();
    let start = Instant::now();
    loop {
        let s = workstation_support::screen(&mut app, 120, 30);
        if s.contains("good.wav: пустой файл (0 байт)") {
            break;
        }
        assert!(start.elapsed() < DEADLINE, "{s}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
