//! Analysis in the background: a thread with its own workspace connection
//! analyses every call whose cached analysis is missing or stale, one at a
//! time, and publishes progress. The workstation never waits for it; it
//! reloads a call's analysis when the runner says that call is done.
//!
//! One bad recording must not cost the others their analysis: each call is
//! analysed inside `catch_unwind`, so a panic in a decoder fails that call
//! alone (reported in [`Progress::failed`]) and the runner goes on.

use crate::analysis::{ANALYSIS_VERSION, analyze_file};
use crate::store::Workspace;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// The call being analysed and how far along (0..1).
    pub current: Option<(String, f32)>,
    /// Calls finished since the UI last looked.
    pub finished: Vec<String>,
    /// Calls that could not be analysed, with the reason.
    pub failed: Vec<(String, String)>,
}

impl Progress {
    /// Why this call could not be analysed in this session, if it could
    /// not: what to show instead of "not analysed yet".
    pub fn failure(&self, call_id: &str) -> Option<&str> {
        self.failed
            .iter()
            .rev()
            .find(|(id, _)| id == call_id)
            .map(|(_, reason)| reason.as_str())
    }
}

pub struct Analyser {
    progress: Arc<Mutex<Progress>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The analysis of one call uses every core (`analysis::chunks`); the
/// reviewer's playback and screen must not stutter meanwhile, so the
/// analyser runs at a lower priority. On Linux the nice value belongs to
/// the thread and the analysis workers it starts inherit it.
fn yield_to_playback() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; who = 0 is this thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

impl Analyser {
    pub fn start(workspace: &Path) -> Analyser {
        let progress = Arc::new(Mutex::new(Progress::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s, path) = (
            Arc::clone(&progress),
            Arc::clone(&stop),
            workspace.to_path_buf(),
        );
        let thread = std::thread::Builder::new()
            .name("callqa-analyser".into())
            .spawn(move || {
                yield_to_playback();
                run(&path, &p, &s)
            })
            .ok();
        Analyser {
            progress,
            stop,
            thread,
        }
    }

    /// A copy of the progress; takes the list of newly finished calls.
    pub fn poll(&self) -> Progress {
        let mut p = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        let copy = p.clone();
        p.finished.clear();
        copy
    }
}

impl Drop for Analyser {
    /// Quitting must not wait for a long recording's analysis: the worker
    /// stops after the current call, and a half-done call is simply
    /// analysed again next time (each result is one commit).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        drop(self.thread.take());
    }
}

fn run(path: &Path, progress: &Mutex<Progress>, stop: &AtomicBool) {
    let set =
        |f: &dyn Fn(&mut Progress)| f(&mut progress.lock().unwrap_or_else(|e| e.into_inner()));
    let ws = match Workspace::open(path) {
        Ok(ws) => ws,
        Err(e) => {
            set(&|p| p.failed.push((String::new(), e.to_string())));
            return;
        }
    };
    let jobs = match ws.analysis_jobs(ANALYSIS_VERSION) {
        Ok(jobs) => jobs,
        Err(e) => {
            set(&|p| p.failed.push((String::new(), e.to_string())));
            return;
        }
    };
    set(&|p| p.total = jobs.len());
    for job in jobs {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let id = job.call_id.clone();
        set(&|p| p.current = Some((id.clone(), 0.0)));
        let report = |fraction: f32| set(&|p| p.current = Some((id.clone(), fraction)));
        let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analyze_file(Path::new(&job.recording_path), job.channel_layout, &report)
        }));
        let result = match analysed {
            Ok(analysis) => analysis
                .map_err(|e| e.to_string())
                .and_then(|a| serde_json::to_string(&a).map_err(|e| e.to_string()))
                .and_then(|json| {
                    ws.save_analysis(&job.call_id, ANALYSIS_VERSION, &json)
                        .map_err(|e| e.to_string())
                }),
            Err(panic) => Err(panic_message(panic.as_ref())),
        };
        set(&|p| {
            p.done += 1;
            p.current = None;
            match &result {
                Ok(()) => p.finished.push(job.call_id.clone()),
                Err(e) => p.failed.push((job.call_id.clone(), e.clone())),
            }
        });
    }
}

/// What a panic said, for the failure list.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    format!(
        "the analysis crashed on this recording: {}",
        crate::audio::panic_text(panic)
    )
}
