//! The app's side of writing to a PostgreSQL workspace (`writer.rs`): a
//! change is appended to the outbox and shown at once, honestly marked as
//! not yet on the server on the status line ("saving N…", or "N answers
//! wait for the server" while it is away); the writer's reports put the
//! server's version on screen once nothing newer waits.

use super::App;
use super::outbox::{Outbox, Queued, UNSAVED_REVIEW, What};
use super::state::Level;
use super::writer::{Report, Writer};
use crate::domain::{Answer, ReviewStatus};
use crate::store::{Address, AnswerChange, ReviewRecord, Subject};
use std::path::Path;
use std::sync::mpsc::TryRecvError;
use std::time::{Duration, Instant};

/// How long a submit (or leaving the workstation) waits for the queue.
const WAIT_FOR_QUEUE: Duration = Duration::from_secs(10);

/// The writer and what the status line last said about it.
#[derive(Default)]
pub struct Saving {
    writer: Option<Writer>,
    /// The last report said the server cannot be reached.
    away: bool,
    /// The status line's text when it was ours, so it is replaced or
    /// cleared only while it still says it.
    said: Option<String>,
    /// Lines refused so far (a submit does not go on over one).
    refused: u64,
    /// The writer thread ended by itself (a bug): said once.
    stopped: bool,
    /// The server has just gone away: said over another message.
    news: bool,
}

impl App {
    /// On PostgreSQL: use the outbox under `dir` (the data dir's `outbox`
    /// folder unless a test says otherwise) and start its writer, which
    /// delivers what an earlier session left first. If the outbox cannot
    /// be used, a warning says why and changes are written synchronously.
    pub fn open_outbox(&mut self, dir: &Path) {
        self.outbox = Saving::default();
        let address = self.ws.address().clone();
        if !matches!(address, Address::Postgres(_)) {
            return;
        }
        match Outbox::open(dir, &address, &self.session.reviewer) {
            Ok((outbox, torn)) => {
                let path = outbox.path().display().to_string();
                let of = self.queue.of.clone();
                match Writer::start(address, outbox, of) {
                    Ok(writer) => self.outbox.writer = Some(writer),
                    Err(e) => {
                        let text = self.t().outbox_unusable.replace("{why}", &e.to_string());
                        return self.warn(text);
                    }
                }
                if torn {
                    self.warn(self.t().outbox_torn.replace("{path}", &path));
                }
                self.show_saving();
            }
            // Nothing is lost: the changes go straight to the server.
            Err(e) => {
                let text = self.t().outbox_unusable.replace("{why}", &e.to_string());
                self.warn(text);
            }
        }
    }

    /// Lines (changes, starts, review time) waiting in the outbox.
    pub fn queued_changes(&self) -> usize {
        self.outbox.writer.as_ref().map_or(0, |w| w.outbox().len())
    }

    /// Changes are queued for a writer thread (PostgreSQL).
    pub(super) fn writes_queued(&self) -> bool {
        self.outbox.writer.is_some()
    }

    /// Queue one change to the open review (starting it first if this is
    /// its first change) and show it; false if it could not be kept.
    pub(super) fn queue_change(&mut self, item_id: &str, change: &AnswerChange) -> bool {
        if self.review.record().is_none() {
            let Some((review, automatic)) = self.unsaved_review() else {
                return false;
            };
            if !self.push_line(Queued::to(&review, What::Start { start: automatic })) {
                return false;
            }
            self.review.set_record(review);
            // The time spent before the first answer is the review's now.
            self.flush_time();
        }
        let what = What::Change {
            item: item_id.to_string(),
            change: change.into(),
        };
        let Some(line) = self.review.record().map(|r| Queued::to(r, what)) else {
            return false;
        };
        if !self.push_line(line) {
            return false;
        }
        if let Some(review) = self.review.record_mut() {
            show_unsaved(review, item_id, change);
        }
        self.show_saving();
        true
    }

    /// Queue the open review's pending review time.
    pub(super) fn queue_time(&mut self, ms: u64) -> bool {
        let what = What::Time { time_ms: ms };
        let Some(line) = self.review.record().map(|r| Queued::to(r, what)) else {
            return false;
        };
        self.push_line(line)
    }

    /// The open call's, email's or visit's review as the screen shows it
    /// before the server has made it, and the automatic answers it starts with.
    fn unsaved_review(&self) -> Option<(ReviewRecord, Vec<(String, Answer)>)> {
        let (subject, automatic) = self.subject_and_automatic()?;
        let checklist = &self.session.checklist;
        let review = ReviewRecord {
            review_id: UNSAVED_REVIEW,
            subject,
            reviewer: self.session.reviewer.clone(),
            checklist_id: checklist.id.clone(),
            checklist_version: checklist.version,
            status: ReviewStatus::InProgress,
            started_at: crate::store::now_text(),
            submitted_at: None,
            time_spent_ms: 0,
            score: None,
            revision: 1,
            answers: automatic.iter().cloned().collect(),
            quotes: Default::default(),
        };
        Some((review, automatic))
    }

    /// What the open review is of, and what rules answer for it.
    pub(super) fn subject_and_automatic(&self) -> Option<(Subject, Vec<(String, Answer)>)> {
        let (subject, automatic) = match (&self.review.open, &self.review.email, &self.review.visit)
        {
            (Some(open), _, _) => (Subject::Call(open.call.call_id.clone()), &open.automatic),
            (None, Some(email), _) => (email.subject(), &email.automatic),
            (None, None, Some(visit)) => (visit.subject(), &visit.automatic),
            (None, None, None) => return None,
        };
        let mut automatic: Vec<_> = automatic
            .iter()
            .map(|(id, a)| (id.clone(), a.clone()))
            .collect();
        automatic.sort_by(|a, b| a.0.cmp(&b.0));
        Some((subject, automatic))
    }

    /// Append a line to the outbox (synced) and wake the writer; false,
    /// with the error on screen, if the disk refused it.
    fn push_line(&mut self, line: Queued) -> bool {
        let Some(writer) = &self.outbox.writer else {
            return false;
        };
        let pushed = {
            let mut outbox = writer.outbox();
            let path = outbox.path().display().to_string();
            outbox.push(line).map_err(|e| format!("{path}: {e}"))
        };
        match pushed {
            Ok(()) => {
                writer.wake();
                true
            }
            Err(e) => {
                self.error(e);
                false
            }
        }
    }

    /// Put the reviewer's place on the writer's way; false on SQLite.
    pub(super) fn queue_place(&self, place: &crate::store::ReviewerPlace) -> bool {
        let Some(writer) = &self.outbox.writer else {
            return false;
        };
        writer.place(&self.session.reviewer, place.clone());
        true
    }

    /// On the app's tick: apply what the writer reported; true when the
    /// screen changed.
    pub(super) fn poll_writer(&mut self) -> bool {
        if self.outbox.stopped {
            return false;
        }
        let mut changed = false;
        loop {
            let report = match &self.outbox.writer {
                Some(writer) => writer.reports.try_recv(),
                None => return false,
            };
            let report = match report {
                Ok(report) => report,
                Err(TryRecvError::Empty) => break,
                // The thread ended while the app still wants it: it failed.
                Err(TryRecvError::Disconnected) => {
                    self.writer_stopped();
                    return true;
                }
            };
            self.apply(report);
            changed = true;
        }
        self.show_saving() || changed
    }

    /// The writer thread failed: changes still go to the outbox (written
    /// straight to the server they could overtake queued ones), and what
    /// waits is delivered when the workstation starts again.
    fn writer_stopped(&mut self) {
        self.outbox.stopped = true;
        let path = (self.outbox.writer.as_ref())
            .map(|w| w.outbox().path().display().to_string())
            .unwrap_or_default();
        self.outbox.said = None;
        let text = self.t().outbox_writer_stopped.replace("{path}", &path);
        self.error(text);
    }

    fn apply(&mut self, report: Report) {
        match report {
            Report::Started(review) => {
                if let Some(shown) = self.review.record_mut()
                    && shown.review_id == UNSAVED_REVIEW
                    && same_review(shown, &review)
                {
                    shown.review_id = review.review_id;
                    shown.started_at = review.started_at;
                }
            }
            Report::Saved {
                review,
                row,
                through,
            } => self.show_saved(*review, row.map(|r| *r), through),
            Report::Away { .. } => {
                self.outbox.news |= !self.outbox.away;
                self.outbox.away = true;
            }
            Report::Refused { line, why, aside } => {
                self.outbox.refused += 1;
                let what = match &line.what {
                    What::Change { item, .. } => item.clone(),
                    What::Start { .. } => self.t().outbox_the_start.to_string(),
                    What::Time { .. } => self.t().outbox_the_time.to_string(),
                };
                let text = (self.t().outbox_refused)
                    .replace("{what}", &what)
                    .replace("{why}", &why)
                    .replace("{path}", &aside.display().to_string());
                self.outbox.said = None;
                self.error(text);
            }
            Report::Failed(why) => {
                self.outbox.said = None;
                self.error(why);
            }
        }
    }

    /// The server's version of a review, on screen unless a newer change
    /// to it still waits (that change is what the reviewer sees).
    fn show_saved(
        &mut self,
        review: ReviewRecord,
        row: Option<crate::store::QueueRow>,
        through: u64,
    ) {
        if let Some(row) = row
            && let Some(loaded) = self
                .queue
                .rows
                .iter_mut()
                .find(|r| r.call_id == row.call_id)
        {
            *loaded = row;
        }
        match &review.subject {
            Subject::Email(id) => {
                if let Some(row) = self.emails.rows.iter_mut().find(|r| &r.message_id == id) {
                    row.status = review.status;
                }
            }
            Subject::Visit(id) => {
                if let Some(row) = self
                    .visits
                    .rows
                    .iter_mut()
                    .find(|r| &r.visit.visit_id == id)
                {
                    row.status = review.status;
                }
            }
            Subject::Call(_) => {}
        }
        let waits =
            (self.outbox.writer.as_ref()).is_some_and(|w| w.outbox().waits_after(&review, through));
        if waits {
            return;
        }
        let open_is_it = self.subject_and_automatic().is_some_and(|(subject, _)| {
            subject == review.subject
                && self.session.reviewer == review.reviewer
                && self.session.checklist.id == review.checklist_id
        });
        // Also when the call was opened before the server had made its
        // review: the screen shows what the server has now.
        if open_is_it {
            self.review.set_record(review);
        }
    }

    /// The status line, as far as it is the outbox's: "saving N…" while
    /// answers wait, "N answers wait for the server" while it is away,
    /// and once all are delivered after that, that they are. Another
    /// message stays, unless the server has just gone or come back; a key
    /// that cleared the line gets it back on the next tick. True when the
    /// line changed.
    fn show_saving(&mut self) -> bool {
        let Some(writer) = &self.outbox.writer else {
            return false;
        };
        let (waiting, answers) = {
            let outbox = writer.outbox();
            (outbox.len(), outbox.answers_waiting())
        };
        let t = self.t();
        let n = answers.to_string();
        let news = std::mem::take(&mut self.outbox.news);
        let wanted = match (waiting, self.outbox.away) {
            (0, true) => {
                self.outbox.away = false;
                Some((Level::Info, t.outbox_delivered.to_string()))
            }
            (0, false) => None,
            (_, true) => Some((Level::Warning, t.outbox_queued.replace("{n}", &n))),
            (_, false) if answers == 0 => None,
            (_, false) => Some((Level::Info, t.outbox_saving.replace("{n}", &n))),
        };
        let shown = self.screen.message.as_ref().map(|m| &m.text);
        let ours = shown.is_none_or(|text| self.outbox.said.as_ref() == Some(text));
        match wanted {
            None if ours && self.outbox.said.take().is_some() => {
                self.screen.message = None;
                true
            }
            None => false,
            Some((_, text)) if shown == Some(&text) => false,
            Some((level, text)) if ours || news || waiting == 0 => {
                // "Every queued answer is saved" stays until a key clears it.
                self.outbox.said = (waiting > 0).then(|| text.clone());
                self.say(level, text);
                true
            }
            Some(_) => false,
        }
    }

    /// Wait until the writer has delivered the queue (a submit's snapshot
    /// must hold every answer; leaving should leave nothing behind): true
    /// when nothing waits. False, with the reason on the status line, when
    /// the server cannot be reached, a line was refused, or the wait ran out.
    pub(super) fn deliver_now(&mut self) -> bool {
        let Some(writer) = self.outbox.writer.as_mut() else {
            return true;
        };
        if writer.outbox().is_empty() {
            return true;
        }
        let asked = writer.ask_now();
        let refused = self.outbox.refused;
        let until = Instant::now() + WAIT_FOR_QUEUE;
        loop {
            let Some(writer) = &self.outbox.writer else {
                return true;
            };
            // Emptied before the reports are read: the last one is in.
            let empty = writer.outbox().is_empty();
            let report = writer.reports.recv_timeout(Duration::from_millis(20));
            let away_now = matches!(&report, Ok(Report::Away { after, .. }) if *after >= asked);
            if let Ok(report) = report {
                self.apply(report);
                self.poll_writer();
            }
            if self.outbox.refused != refused {
                return false;
            }
            if empty {
                self.show_saving();
                return true;
            }
            if away_now || Instant::now() >= until {
                self.outbox.away |= away_now;
                self.outbox.said = None;
                self.show_saving();
                let waiting = self.queued_answers().to_string();
                let text = self.t().outbox_not_yet.replace("{n}", &waiting);
                self.warn(text);
                return false;
            }
        }
    }

    fn queued_answers(&self) -> usize {
        (self.outbox.writer.as_ref()).map_or(0, |w| w.outbox().answers_waiting())
    }
}

/// The same review, whether or not the server has numbered it yet.
fn same_review(a: &ReviewRecord, b: &ReviewRecord) -> bool {
    a.subject == b.subject && a.reviewer == b.reviewer && a.checklist_id == b.checklist_id
}

/// What the store will make of `change` once delivered, on screen now.
fn show_unsaved(review: &mut ReviewRecord, item_id: &str, change: &AnswerChange) {
    let answer = review.answers.entry(item_id.to_string()).or_default();
    match change.clone() {
        AnswerChange::Value(v) => {
            answer.value = v;
            answer.automatic = false;
        }
        AnswerChange::Comment(c) => answer.comment = c.filter(|c| !c.trim().is_empty()),
        AnswerChange::Evidence(e) => answer.evidence_ms = e,
        AnswerChange::Quote(q) => match q.filter(|q| !q.trim().is_empty()) {
            Some(q) => {
                review.quotes.insert(item_id.to_string(), q);
            }
            None => {
                review.quotes.remove(item_id);
            }
        },
    }
}
