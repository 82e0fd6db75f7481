//! Analysis in the background: a thread with its own workspace connection
//! analyses calls whose cached analysis is missing or stale, one at a
//! time, and publishes progress. The workstation never waits for it; it
//! reloads a call's analysis when the runner says that call is done.
//!
//! A large workspace's backlog is hours of CPU, so what the reviewer needs
//! next goes first: the calls the workstation `want`s (the open call, the
//! queue on screen), then the backlog in queue order, read a page at a
//! time, and only while the workstation does not `hold` it (playback) and
//! the reviewer has not paused it (a key: `pause`).
//!
//! One bad recording must not cost the others their analysis: each call is
//! analysed inside `catch_unwind`, so a panic in a decoder fails that call
//! alone (reported in [`Progress::failed`]) and the runner goes on.

use crate::analysis::{ANALYSIS_VERSION, analyze_file};
use crate::store::{AnalysisJob, QueueKey, Workspace};
use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

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
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// What the workstation and the runner share.
#[derive(Default)]
struct Shared {
    progress: Mutex<Progress>,
    stop: AtomicBool,
    /// Playback is on: the backlog waits; calls the reviewer wants do not.
    hold: AtomicBool,
    /// The reviewer paused the backlog (a key), until they resume it.
    paused: AtomicBool,
    /// Calls the reviewer needs next (the open call, then the queue on
    /// screen), most needed first.
    wanted: Mutex<VecDeque<String>>,
}

/// How often an idle or held runner looks for work again.
const IDLE_WAIT: Duration = Duration::from_millis(200);
/// Backlog calls read at a time.
const BACKLOG_PAGE: usize = 64;

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
        let shared = Arc::new(Shared::default());
        let (s, path) = (Arc::clone(&shared), workspace.to_path_buf());
        let thread = std::thread::Builder::new()
            .name("callqa-analyser".into())
            .spawn(move || {
                yield_to_playback();
                run(&path, &s)
            })
            .ok();
        Analyser { shared, thread }
    }

    /// A copy of the progress; takes the list of newly finished calls.
    pub fn poll(&self) -> Progress {
        let mut p = lock(&self.shared.progress);
        let copy = p.clone();
        p.finished.clear();
        copy
    }

    /// Analyse these calls before the backlog, in this order (replaces
    /// the calls wanted before).
    pub fn want(&self, call_ids: impl IntoIterator<Item = String>) {
        *lock(&self.shared.wanted) = call_ids.into_iter().collect();
    }

    /// While held, only wanted calls are analysed: a call playing on a
    /// small machine keeps the cores for itself.
    pub fn hold(&self, on: bool) {
        self.shared.hold.store(on, Ordering::SeqCst);
    }

    /// The backlog waits: for playback, or because the reviewer paused it.
    pub fn held(&self) -> bool {
        self.shared.hold.load(Ordering::SeqCst) || self.paused()
    }

    /// Pause the backlog until resumed, whatever playback does; the calls
    /// the reviewer wants (the open call) are still analysed.
    pub fn pause(&self, on: bool) {
        self.shared.paused.store(on, Ordering::SeqCst);
    }

    pub fn paused(&self) -> bool {
        self.shared.paused.load(Ordering::SeqCst)
    }
}

impl Drop for Analyser {
    /// Quitting must not wait for a long recording's analysis: the worker
    /// stops after the current call, and a half-done call is simply
    /// analysed again next time (each result is one commit).
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        drop(self.thread.take());
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The backlog in queue order, read a page at a time so a million calls
/// never sit in memory.
struct Backlog {
    page: VecDeque<(QueueKey, AnalysisJob)>,
    after: Option<QueueKey>,
    exhausted: bool,
}

impl Backlog {
    fn next(&mut self, ws: &Workspace) -> crate::store::Result<Option<AnalysisJob>> {
        if self.page.is_empty() && !self.exhausted {
            let page =
                ws.analysis_jobs_after(ANALYSIS_VERSION, self.after.as_ref(), BACKLOG_PAGE)?;
            self.exhausted = page.len() < BACKLOG_PAGE;
            self.page = page.into();
            self.after = self.page.back().map(|(key, _)| key.clone());
        }
        Ok(self.page.pop_front().map(|(_, job)| job))
    }
}

fn run(path: &Path, shared: &Shared) {
    let set = |f: &dyn Fn(&mut Progress)| f(&mut lock(&shared.progress));
    let fail = |e: String| set(&|p| p.failed.push((String::new(), e.clone())));
    let ws = match Workspace::open(path) {
        Ok(ws) => ws,
        Err(e) => return fail(e.to_string()),
    };
    match ws.analysis_backlog(ANALYSIS_VERSION) {
        Ok(total) => set(&|p| p.total = total),
        Err(e) => return fail(e.to_string()),
    }
    let mut backlog = Backlog {
        page: VecDeque::new(),
        after: None,
        exhausted: false,
    };
    // Failed this session: not tried again when the backlog reaches them.
    let mut tried = HashSet::new();
    while !shared.stop.load(Ordering::SeqCst) {
        let wanted = lock(&shared.wanted).pop_front();
        let job = match wanted {
            Some(id) => ws.analysis_job(&id, ANALYSIS_VERSION),
            None if shared.hold.load(Ordering::SeqCst)
                || shared.paused.load(Ordering::SeqCst)
                || (backlog.exhausted && backlog.page.is_empty()) =>
            {
                std::thread::sleep(IDLE_WAIT);
                continue;
            }
            None => backlog.next(&ws).and_then(|job| match job {
                // Analysed since the page was read (it was wanted)?
                Some(job) => ws.analysis_job(&job.call_id, ANALYSIS_VERSION),
                None => Ok(None),
            }),
        };
        let job = match job {
            Ok(Some(job)) if !tried.contains(&job.call_id) => job,
            Ok(_) => continue,
            Err(e) => {
                fail(e.to_string());
                std::thread::sleep(IDLE_WAIT);
                continue;
            }
        };
        tried.insert(job.call_id.clone());
        let result = analyse(&ws, &job, &shared.progress);
        set(&|p| {
            p.done += 1;
            p.total = p.total.max(p.done);
            p.current = None;
            match &result {
                Ok(()) => p.finished.push(job.call_id.clone()),
                Err(e) => p.failed.push((job.call_id.clone(), e.clone())),
            }
        });
    }
}

/// Analyse one call and store the result; a panic fails this call only.
fn analyse(ws: &Workspace, job: &AnalysisJob, progress: &Mutex<Progress>) -> Result<(), String> {
    let set = |f: &dyn Fn(&mut Progress)| f(&mut lock(progress));
    let id = job.call_id.clone();
    set(&|p| p.current = Some((id.clone(), 0.0)));
    let report = |fraction: f32| set(&|p| p.current = Some((id.clone(), fraction)));
    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyze_file(Path::new(&job.recording_path), job.channel_layout, &report)
    }));
    match analysed {
        Ok(analysis) => analysis
            .map_err(|e| e.to_string())
            .and_then(|a| serde_json::to_string(&a).map_err(|e| e.to_string()))
            .and_then(|json| {
                ws.save_analysis(&job.call_id, ANALYSIS_VERSION, &json)
                    .map_err(|e| e.to_string())
            }),
        Err(panic) => Err(panic_message(panic.as_ref())),
    }
}

/// What a panic said, for the failure list.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    format!(
        "the analysis crashed on this recording: {}",
        crate::audio::panic_text(panic)
    )
}
