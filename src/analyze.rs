//! `callqa analyze`: the audio analysis of every call whose cached result is
//! missing or out of date, ahead of the reviewers, with the same analysis
//! and the same cache as the workstation's background runner
//! (`analysis::runner`).
//!
//! A workspace of 100 000 calls takes hours, so the run must survive being
//! stopped: every call's result is committed the moment it is done (a
//! `kill -9` loses only the calls in flight), and the next run starts from
//! the cache. Ctrl-C or SIGTERM lets the calls in flight finish and be
//! saved; a second Ctrl-C stops at once. Calls that share a recording (and
//! channel layout) are analysed once.

use callqa::analysis::{ANALYSIS_VERSION, analyze_file};
use callqa::store::Workspace;
use callqa::text::one_line;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// What the run tells whoever shows its progress.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The work found: calls to analyse.
    Start { calls: usize },
    /// A call analysed and saved.
    Done { call_id: String },
    /// A call that could not be analysed, and why.
    Failed { call_id: String, reason: String },
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub calls: usize,
    pub done: usize,
    pub failed: usize,
    /// Stopped before the end (Ctrl-C, SIGTERM): run again to go on.
    pub stopped: bool,
}

/// [`run`] with its progress on stderr (a bar on a terminal, plain lines
/// otherwise) and each call that fails named with its reason: what
/// `callqa analyze` and `callqa plan` show.
pub fn run_showing_progress(
    db: &Path,
    jobs: usize,
    scope: Scope,
    lang: callqa::domain::Lang,
) -> anyhow::Result<Summary> {
    let words = crate::progress::strings(lang);
    let bar = crate::progress::Progress::on_stderr();
    let stop = stop_on_signals();
    let (mut done, mut calls) = (0, 0);
    let summary = run(db, jobs, scope, stop, &mut |event| {
        match event {
            Event::Start { calls: n } => calls = n,
            Event::Done { .. } => done += 1,
            Event::Failed { call_id, reason } => {
                done += 1;
                bar.line(&format!(
                    "{}: {}: {}",
                    one_line(&call_id, 200),
                    words.cannot_analyse,
                    one_line(&reason, 2000)
                ));
            }
        }
        bar.update(words.analysing, done, calls);
    });
    bar.finish();
    summary
}

/// Calls sharing one recording file and layout: one analysis for all.
struct Recording {
    path: String,
    layout: callqa::domain::crm::ChannelLayout,
    calls: Vec<String>,
}

/// Which calls a run analyses.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every call of the workspace without a current analysis.
    All,
    /// Of those, only these (`callqa plan`: the week's calls).
    Only(&'a HashSet<String>),
}

/// Analyse the calls of `scope` in the workspace at `db` that lack a
/// current analysis, `jobs` recordings side by side, until done or `stop`
/// is set.
pub fn run(
    db: &Path,
    jobs: usize,
    scope: Scope,
    stop: &AtomicBool,
    report: &mut dyn FnMut(Event),
) -> anyhow::Result<Summary> {
    let ws = Workspace::open_existing(db)?;
    let recordings = pending(&ws, scope)?;
    let mut summary = Summary {
        calls: recordings.iter().map(|r| r.calls.len()).sum(),
        ..Summary::default()
    };
    report(Event::Start {
        calls: summary.calls,
    });
    let next = AtomicUsize::new(0);
    let (results, received) = mpsc::channel();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..jobs.clamp(1, recordings.len().max(1)) {
            let results = results.clone();
            let (next, recordings) = (&next, &recordings);
            scope.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(recording) = recordings.get(i) else {
                        break;
                    };
                    if results.send((i, analyse(recording))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(results);
        // Saving happens here, on the one connection, as results arrive.
        for (i, result) in received {
            let recording = &recordings[i];
            let saved = result.and_then(|json| {
                ws.write_batch(|ws| {
                    for call in &recording.calls {
                        ws.save_analysis(call, ANALYSIS_VERSION, &json)?;
                    }
                    Ok::<_, callqa::store::StoreError>(())
                })
                .map_err(|e| e.to_string())
            });
            for call_id in &recording.calls {
                let call_id = call_id.clone();
                match &saved {
                    Ok(()) => {
                        summary.done += 1;
                        report(Event::Done { call_id });
                    }
                    Err(reason) => {
                        summary.failed += 1;
                        report(Event::Failed {
                            call_id,
                            reason: reason.clone(),
                        });
                    }
                }
            }
        }
        Ok(())
    })?;
    summary.stopped = summary.done + summary.failed < summary.calls;
    Ok(summary)
}

/// The calls to analyse, grouped by recording, in queue order.
fn pending(ws: &Workspace, scope: Scope) -> anyhow::Result<Vec<Recording>> {
    let mut recordings: Vec<Recording> = Vec::new();
    let mut index: HashMap<(String, &'static str), usize> = HashMap::new();
    let jobs = ws.analysis_jobs(ANALYSIS_VERSION)?;
    let wanted = |call_id: &String| match scope {
        Scope::All => true,
        Scope::Only(calls) => calls.contains(call_id),
    };
    for job in jobs.into_iter().filter(|job| wanted(&job.call_id)) {
        let key = (job.recording_path.clone(), job.channel_layout.code());
        let i = *index.entry(key).or_insert_with(|| {
            recordings.push(Recording {
                path: job.recording_path.clone(),
                layout: job.channel_layout,
                calls: Vec::new(),
            });
            recordings.len() - 1
        });
        recordings[i].calls.push(job.call_id);
    }
    Ok(recordings)
}

/// One recording's analysis as the JSON the cache keeps. A decoder that
/// panics fails this recording alone.
fn analyse(recording: &Recording) -> Result<String, String> {
    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyze_file(Path::new(&recording.path), recording.layout, &|_| {})
    }));
    match analysed {
        Ok(analysis) => analysis
            .map_err(|e| e.to_string())
            .and_then(|a| serde_json::to_string(&a).map_err(|e| e.to_string())),
        Err(panic) => Err(format!(
            "the analysis crashed on this recording: {}",
            callqa::audio::panic_text(panic.as_ref())
        )),
    }
}

/// Set by the first SIGINT or SIGTERM.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    // Only an atomic store: all that is safe in a signal handler.
    STOP.store(true, Ordering::SeqCst);
}

/// The flag Ctrl-C and SIGTERM set. The handler is installed once and
/// then reset (`SA_RESETHAND`), so a second Ctrl-C stops at once.
pub fn stop_on_signals() -> &'static AtomicBool {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic; the struct is
        // zeroed and then filled as sigaction(2) describes.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
    &STOP
}

#[cfg(test)]
mod tests {
    use super::*;
    use callqa::import::formats::ParseOptions;

    /// A workspace of `calls` calls, each with its own short recording.
    fn workspace(dir: &Path, calls: usize) -> std::path::PathBuf {
        let batch = callqa::scale::generate(dir, calls, 4).unwrap();
        let db = dir.join("ws.sqlite");
        let ws = Workspace::open(&db).unwrap();
        let report =
            callqa::import::import_source(&ws, &batch, None, &ParseOptions::default()).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        db
    }

    fn pending_calls(db: &Path) -> usize {
        let ws = Workspace::open_existing(db).unwrap();
        ws.analysis_jobs(ANALYSIS_VERSION).unwrap().len()
    }

    #[test]
    fn a_stopped_run_keeps_what_it_finished_and_the_next_run_does_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let db = workspace(dir.path(), 5);
        assert_eq!(pending_calls(&db), 5);

        // Stopped after the first call: what is done stays done.
        let stop = AtomicBool::new(false);
        let mut events = Vec::new();
        let first = run(&db, 1, Scope::All, &stop, &mut |event| {
            if matches!(event, Event::Done { .. }) {
                stop.store(true, Ordering::SeqCst);
            }
            events.push(event);
        })
        .unwrap();
        assert_eq!(events[0], Event::Start { calls: 5 });
        assert!(first.stopped, "{first:?}");
        assert!(first.done >= 1 && first.done < 5, "{first:?}");
        assert_eq!(pending_calls(&db), 5 - first.done);

        // Resumed: only the rest is analysed, then nothing is left.
        let second = run(&db, 2, Scope::All, &AtomicBool::new(false), &mut |_| {}).unwrap();
        assert_eq!(
            (second.calls, second.done),
            (5 - first.done, 5 - first.done)
        );
        assert!(!second.stopped);
        assert_eq!(pending_calls(&db), 0);
        let third = run(&db, 2, Scope::All, &AtomicBool::new(false), &mut |_| {}).unwrap();
        assert_eq!(third, Summary::default());
    }

    #[test]
    fn calls_sharing_a_recording_are_analysed_once_and_all_saved() {
        let dir = tempfile::tempdir().unwrap();
        // 12 calls over the generator's 8 recordings.
        let db = workspace(dir.path(), 12);
        let ws = Workspace::open_existing(&db).unwrap();
        assert_eq!(pending(&ws, Scope::All).unwrap().len(), 8);
        let summary = run(&db, 3, Scope::All, &AtomicBool::new(false), &mut |_| {}).unwrap();
        assert_eq!((summary.done, summary.failed), (12, 0));
        let a = ws.analysis("call-0000000", ANALYSIS_VERSION).unwrap();
        let b = ws.analysis("call-0000008", ANALYSIS_VERSION).unwrap();
        assert!(a.is_some() && a == b);
    }

    #[test]
    fn a_scoped_run_analyses_only_the_calls_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let db = workspace(dir.path(), 12);
        let week: HashSet<String> = ["call-0000001", "call-0000009"].map(String::from).into();
        let summary = run(
            &db,
            2,
            Scope::Only(&week),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!((summary.calls, summary.done), (2, 2));
        assert_eq!(pending_calls(&db), 10);
    }

    #[test]
    fn a_recording_that_cannot_be_analysed_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = workspace(dir.path(), 3);
        let ws = Workspace::open_existing(&db).unwrap();
        let broken = ws.analysis_jobs(ANALYSIS_VERSION).unwrap()[0].clone();
        std::fs::write(&broken.recording_path, b"RIFF not a wav any more").unwrap();
        let mut failed = Vec::new();
        let summary = run(&db, 1, Scope::All, &AtomicBool::new(false), &mut |event| {
            if let Event::Failed { call_id, .. } = event {
                failed.push(call_id);
            }
        })
        .unwrap();
        assert_eq!((summary.done, summary.failed), (2, 1));
        assert_eq!(failed, [broken.call_id]);
        assert_eq!(
            pending_calls(&db),
            1,
            "a failed call is tried again next run"
        );
    }
}
