//! The writer thread of a PostgreSQL workspace: a key press must never
//! wait on the network (issue 11), so on PostgreSQL every change to a
//! review is appended to the local outbox (`outbox.rs`, synced to disk),
//! shown at once, and delivered in order by this thread, which owns a
//! workspace (a connection) of its own. It reports back over a channel;
//! the app applies the reports on its tick (`App::poll_writer`). While the
//! server is away, connection attempts happen here, every [`RETRY`], never
//! on the UI thread. The reviewer's place goes the same way (the latest
//! one wins; it is a bookmark, not work, so it is not kept on disk).
//!
//! On SQLite there is no writer: the workspace is a local file and every
//! change is written synchronously, as before.

use super::outbox::{Outbox, Queued, ReviewRef, SubjectRef, What};
use crate::domain::Checklist;
use crate::store::{
    Address, QueueOf, QueueRow, ReviewRecord, ReviewerPlace, StoreError, Subject, Workspace,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// While the server is away, it is tried again at most this often.
pub const RETRY: Duration = Duration::from_secs(2);

/// What the app asks of the writer.
enum Job {
    /// Lines were appended: deliver them (unless the server is away and
    /// its next try is not due).
    Deliver,
    /// Deliver now, even while the server is away (a submit waits on it);
    /// the number comes back with the `Away` that answers it.
    Now(u64),
    Place(String, ReviewerPlace),
}

/// What the writer tells the app.
#[derive(Debug)]
pub enum Report {
    /// The server made the review a `start` line asked for.
    Started(Box<ReviewRecord>),
    /// The review as the server has it after the lines up to `through`
    /// (the outbox's line number) were delivered, and its queue row.
    Saved {
        review: Box<ReviewRecord>,
        row: Option<Box<QueueRow>>,
        through: u64,
    },
    /// The server cannot be reached; `after` is the last `Now` asked
    /// before this try.
    Away { after: u64 },
    /// The server refused a line: moved aside to `aside`.
    Refused {
        line: Box<Queued>,
        why: String,
        aside: PathBuf,
    },
    /// The outbox file could not be rewritten.
    Failed(String),
}

/// The app's end of the writer.
pub struct Writer {
    outbox: Arc<Mutex<Outbox>>,
    jobs: Sender<Job>,
    pub(super) reports: Receiver<Report>,
    stop: Arc<AtomicBool>,
    /// The last `Now` asked.
    pub(super) asked: u64,
}

impl Writer {
    /// Start the thread delivering `outbox` to the workspace at `address`.
    pub fn start(address: Address, outbox: Outbox, of: QueueOf) -> std::io::Result<Writer> {
        let outbox = Arc::new(Mutex::new(outbox));
        let (jobs, job_rx) = channel();
        let (report_tx, reports) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            address,
            outbox: outbox.clone(),
            of,
            stop: stop.clone(),
            reports: report_tx,
            ws: None,
            ids: HashMap::new(),
            checklists: HashMap::new(),
            place: None,
            asked: 0,
        };
        std::thread::Builder::new()
            .name("callqa-writer".into())
            .spawn(move || worker.run(job_rx))?;
        let writer = Writer {
            outbox,
            jobs,
            reports,
            stop,
            asked: 0,
        };
        writer.wake();
        Ok(writer)
    }

    /// The outbox, locked for a moment (never across a network call: the
    /// writer thread holds it only for its own file work).
    pub fn outbox(&self) -> MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn wake(&self) {
        let _ = self.jobs.send(Job::Deliver);
    }

    /// Ask for a try now; returns its number (see [`Report::Away`]).
    pub fn ask_now(&mut self) -> u64 {
        self.asked += 1;
        let _ = self.jobs.send(Job::Now(self.asked));
        self.asked
    }

    pub fn place(&self, reviewer: &str, place: ReviewerPlace) {
        let _ = self.jobs.send(Job::Place(reviewer.to_string(), place));
    }
}

impl Drop for Writer {
    /// The thread stops touching the outbox file at once and lets go of
    /// its lock (another session may open it next), and ends at its next look at its jobs; a
    /// statement in flight to a frozen server is left to finish or fail.
    fn drop(&mut self) {
        let mut outbox = self.outbox();
        self.stop.store(true, Ordering::SeqCst);
        outbox.release();
    }
}

/// Why delivering stopped before the queue was empty.
enum Stopped {
    Away,
    Asked,
}

struct Worker {
    address: Address,
    outbox: Arc<Mutex<Outbox>>,
    of: QueueOf,
    stop: Arc<AtomicBool>,
    reports: Sender<Report>,
    ws: Option<Workspace>,
    /// Reviews by what names them, as the server numbered them.
    ids: HashMap<(SubjectRef, String, String), i64>,
    checklists: HashMap<(String, u32), Checklist>,
    /// The reviewer's latest place, until the server has it.
    place: Option<(String, ReviewerPlace)>,
    /// The last `Now` received.
    asked: u64,
}

impl Worker {
    fn run(mut self, jobs: Receiver<Job>) {
        let mut next_try: Option<Instant> = None;
        loop {
            let wait = next_try.map_or(Duration::from_secs(3600), |t| {
                t.saturating_duration_since(Instant::now())
            });
            let mut now = false;
            match jobs.recv_timeout(wait) {
                Ok(job) => now |= self.take(job),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            while let Ok(job) = jobs.try_recv() {
                now |= self.take(job);
            }
            let due = next_try.is_none_or(|t| Instant::now() >= t);
            if !(now || due) {
                continue;
            }
            match self.deliver_all() {
                Ok(()) => next_try = None,
                Err(Stopped::Away) => next_try = Some(Instant::now() + RETRY),
                Err(Stopped::Asked) => return,
            }
        }
    }

    /// Note a job; true if it asks for a try now.
    fn take(&mut self, job: Job) -> bool {
        match job {
            Job::Deliver => false,
            Job::Now(n) => {
                self.asked = n;
                true
            }
            Job::Place(reviewer, place) => {
                self.place = Some((reviewer, place));
                false
            }
        }
    }

    fn outbox(&self) -> MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn report(&self, report: Report) {
        let _ = self.reports.send(report);
    }

    fn away(&self) -> Stopped {
        self.report(Report::Away { after: self.asked });
        Stopped::Away
    }

    /// Every queued line in order, then the place.
    fn deliver_all(&mut self) -> Result<(), Stopped> {
        loop {
            let (line, number, next) = {
                let outbox = self.outbox();
                if self.stop.load(Ordering::SeqCst) {
                    return Err(Stopped::Asked);
                }
                match outbox.first() {
                    Some(line) => (
                        line.clone(),
                        outbox.first_number(),
                        outbox.second().cloned(),
                    ),
                    None => break,
                }
            };
            self.connect()?;
            let result = self.deliver(&line);
            match result {
                Ok(review_id) => {
                    if next.is_none_or(|next| self.known_id(&next) != Some(review_id)) {
                        self.read_back(review_id, number);
                    }
                    self.pop(|outbox| outbox.pop_delivered().map(|_| ()))?;
                }
                Err(e) if server_away(&e) => return Err(self.away()),
                Err(e) => {
                    let why = e.to_string();
                    let aside = self.outbox().refused_path();
                    self.report(Report::Refused {
                        line: Box::new(line.clone()),
                        why: why.clone(),
                        aside,
                    });
                    self.pop(|outbox| outbox.refuse_first(&why).map(|_| ()))?;
                    if let Some(review_id) = self.known_id(&line) {
                        self.read_back(review_id, number);
                    }
                }
            }
        }
        if let Some((reviewer, place)) = self.place.take() {
            self.connect()?;
            let saved = self.ws.as_ref().map(|ws| ws.save_place(&reviewer, &place));
            match saved {
                Some(Err(e)) if server_away(&e) => {
                    self.place = Some((reviewer, place));
                    return Err(self.away());
                }
                // Not the reviewer's work: written again next time.
                _ => {}
            }
        }
        Ok(())
    }

    /// Drop the first line, unless the app has let go of the outbox.
    fn pop(&self, f: impl FnOnce(&mut Outbox) -> std::io::Result<()>) -> Result<(), Stopped> {
        let mut outbox = self.outbox();
        if self.stop.load(Ordering::SeqCst) {
            return Err(Stopped::Asked);
        }
        if let Err(e) = f(&mut outbox) {
            let path = outbox.path().display().to_string();
            drop(outbox);
            self.report(Report::Failed(format!("{path}: {e}")));
            // Tried again later rather than delivering the rest twice.
            return Err(Stopped::Away);
        }
        Ok(())
    }

    fn connect(&mut self) -> Result<(), Stopped> {
        if self.ws.is_some() {
            return Ok(());
        }
        match Workspace::open_existing(self.address.clone()) {
            Ok(ws) => {
                self.ws = Some(ws);
                Ok(())
            }
            // Whatever keeps it from connecting, it is tried again.
            Err(_) => Err(self.away()),
        }
    }

    /// One line through the normal store path; the review's id.
    fn deliver(&mut self, line: &Queued) -> crate::store::Result<i64> {
        let checklist = self.checklist(&line.checklist, line.version)?;
        let ws = self.ws.as_mut().ok_or_else(not_connected)?;
        if let (What::Start { start }, ReviewRef::Of { of, reviewer }) = (&line.what, &line.review)
        {
            let review = ws.start_review_of(&of.into(), reviewer, &checklist, start.clone())?;
            let key = (of.clone(), reviewer.clone(), line.checklist.clone());
            self.ids.insert(key, review.review_id);
            let id = review.review_id;
            self.report(Report::Started(Box::new(review)));
            return Ok(id);
        }
        let review_id = self.review_id(line)?;
        let ws = self.ws.as_mut().ok_or_else(not_connected)?;
        match &line.what {
            What::Start { .. } => {}
            What::Change { item, change } => {
                ws.change_answer(review_id, &checklist, item, change.clone().into())?;
            }
            What::Time { time_ms } => ws.add_time_spent(review_id, *time_ms)?,
        }
        Ok(review_id)
    }

    /// The id of the review a line names, if known without asking.
    fn known_id(&self, line: &Queued) -> Option<i64> {
        match &line.review {
            ReviewRef::Id { review_id } => Some(*review_id),
            ReviewRef::Of { of, reviewer } => {
                let key = (of.clone(), reviewer.clone(), line.checklist.clone());
                self.ids.get(&key).copied()
            }
        }
    }

    fn review_id(&mut self, line: &Queued) -> crate::store::Result<i64> {
        if let Some(id) = self.known_id(line) {
            return Ok(id);
        }
        let (ReviewRef::Of { of, reviewer }, Some(ws)) = (&line.review, &self.ws) else {
            return Err(not_connected());
        };
        let subject = Subject::from(of);
        let review = ws.review_of(&subject, reviewer, &line.checklist)?;
        let id = review.map(|r| r.review_id).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "{reviewer}'s review of {} with {} is not on the server",
                subject.id(),
                line.checklist
            ))
        })?;
        let key = (of.clone(), reviewer.clone(), line.checklist.clone());
        self.ids.insert(key, id);
        Ok(id)
    }

    fn checklist(&mut self, id: &str, version: u32) -> crate::store::Result<Checklist> {
        let key = (id.to_string(), version);
        if let Some(checklist) = self.checklists.get(&key) {
            return Ok(checklist.clone());
        }
        let ws = self.ws.as_ref().ok_or_else(not_connected)?;
        let checklist = ws.checklist(id, version)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "checklist {id} version {version} is not in the workspace"
            ))
        })?;
        self.checklists.insert(key, checklist.clone());
        Ok(checklist)
    }

    /// Tell the app what the server now has for the review (a failed read
    /// only leaves the screen as the reviewer made it).
    fn read_back(&self, review_id: i64, through: u64) {
        let Some(ws) = self.ws.as_ref() else {
            return;
        };
        let review = self.ids.iter().find(|(_, id)| **id == review_id);
        let review = match review {
            Some(((of, reviewer, checklist), _)) => ws.review_of(&of.into(), reviewer, checklist),
            None => ws.review_by_id(review_id),
        };
        let Ok(Some(review)) = review else {
            return;
        };
        let row = match &review.subject {
            Subject::Call(call_id) => ws.queue_row(&self.of, call_id).ok().flatten(),
            _ => None,
        };
        self.report(Report::Saved {
            review: Box::new(review),
            row: row.map(Box::new),
            through,
        });
    }
}

/// Never met: a line is delivered only after [`Worker::connect`].
fn not_connected() -> StoreError {
    StoreError::Corrupt("the writer has no connection".into())
}

/// The server went away or cannot be reached: the change may be made
/// again later, unlike one the server refused.
pub fn server_away(error: &StoreError) -> bool {
    match error {
        StoreError::Sql(e) | StoreError::In { source: e, .. } => e.is_connection_lost(),
        _ => false,
    }
}
