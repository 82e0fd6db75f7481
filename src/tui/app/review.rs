//! Changing the review: answers, comments, evidence, submit and reopen.
//! On SQLite every change goes to the workspace first; the screen follows
//! what was stored, and a failed write is shown as NOT SAVED, never
//! silently lost. On PostgreSQL a change goes to the local outbox first
//! (synced) and the writer thread delivers it (`queued.rs`); a submit or
//! reopen waits for the queue and then writes synchronously.

use super::{App, Mode};
use crate::domain::{AnswerValue, ReviewStatus};
use crate::store::AnswerChange;
use crate::text::one_line;

impl App {
    /// A call is open and its review is not submitted; else say why not.
    pub(super) fn writable(&mut self) -> bool {
        if !self.review.is_open() {
            self.no_call();
            return false;
        }
        if self.review.status() == ReviewStatus::Submitted {
            let text = self.fill_keys(self.t().is_submitted);
            self.warn(text);
            return false;
        }
        true
    }

    /// Answer the item under the cursor and move on to the next one not
    /// answered; `c` and `t` still mean the answered item until the
    /// reviewer moves.
    pub(super) fn answer(&mut self, value: Option<AnswerValue>) {
        let item = self.review.item();
        if self.change_item(item, AnswerChange::Value(value)) && value.is_some() {
            let next = self
                .review
                .first_unanswered_from(&self.session.checklist, item + 1)
                .unwrap_or(item);
            self.review.moved_on_from(item, next);
        }
    }

    pub(super) fn stamp_evidence(&mut self) {
        if self.review.email.is_some() {
            return self.quote_line();
        }
        if self.review.visit.is_some() {
            let text = crate::i18n::mystery::mystery_strings(self.lang()).nothing_to_stamp;
            return self.info(text.to_string());
        }
        let item = self.review.target_item();
        let ms = self.listening.position_ms();
        if self.change_item(item, AnswerChange::Evidence(Some(ms))) {
            let text = format!(
                "{} {} · #{}",
                self.t().stamped,
                crate::text::clock(ms),
                item + 1
            );
            self.info(text);
        }
    }

    /// Write one change for one item; true if it was saved.
    pub(super) fn change_item(&mut self, index: usize, change: AnswerChange) -> bool {
        if !self.writable() {
            return false;
        }
        let checklist = &self.session.checklist;
        let Some(item_id) = checklist.items.get(index).map(|i| i.id.clone()) else {
            return false;
        };
        // On PostgreSQL the writer thread delivers it (`queued.rs`).
        if self.writes_queued() {
            return self.queue_change(&item_id, &change);
        }
        let result = self.ensure_review().and_then(|review_id| {
            let checklist = &self.session.checklist;
            Ok(self
                .ws
                .change_answer(review_id, checklist, &item_id, change.clone())?)
        });
        match result {
            Ok(answer) => {
                if let Some(review) = self.review.record_mut() {
                    review.answers.insert(item_id, answer);
                }
                self.refresh_queue();
                true
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    /// The open call's or email's review, made now (with the automatic
    /// answers) if this is the reviewer's first change.
    pub(super) fn ensure_review(&mut self) -> anyhow::Result<i64> {
        // A review shown before the server made it is made here, at once.
        if let Some(review) = self.review.record()
            && review.review_id != super::outbox::UNSAVED_REVIEW
        {
            return Ok(review.review_id);
        }
        let Some((subject, automatic)) = self.subject_and_automatic() else {
            anyhow::bail!("no call");
        };
        let review = self.ws.start_review_of(
            &subject,
            &self.session.reviewer,
            &self.session.checklist,
            automatic,
        )?;
        let id = review.review_id;
        self.review.set_record(review);
        self.flush_time();
        Ok(id)
    }

    /// Re-read what a change to the open call's review changed: its queue
    /// row and its review.
    pub(super) fn refresh_queue(&mut self) {
        if self.review.email.is_some() {
            return self.refresh_email();
        }
        if self.review.visit.is_some() {
            return self.refresh_visit();
        }
        let Some(call_id) = self.review.open.as_ref().map(|o| o.call.call_id.clone()) else {
            return;
        };
        // A failed read after a saved change is not a lost change: warn,
        // never NOT SAVED.
        if let Err(e) = self.refresh_row(&call_id) {
            self.warn(e.to_string());
        }
        let (reviewer, checklist_id) = (&self.session.reviewer, &self.session.checklist.id);
        if let Some(open) = self.review.open.as_mut()
            && let Ok(Some(review)) = self.ws.review(&open.call.call_id, reviewer, checklist_id)
        {
            open.review = Some(review);
        }
    }

    pub(super) fn submit(&mut self) {
        if !self.writable() {
            return;
        }
        let unanswered = self.score().map_or(0, |s| s.unanswered());
        if unanswered > 0 {
            self.screen.mode = Mode::ConfirmSubmit { unanswered };
        } else {
            self.submit_now();
        }
    }

    pub(super) fn submit_now(&mut self) {
        // The snapshot a submit keeps must hold the queued answers (and
        // the review time, queued first on PostgreSQL).
        self.flush_time();
        if !self.deliver_now() {
            return;
        }
        let result = self.once_more_if_reconnected(|app| {
            let id = app.ensure_review()?;
            app.ws.submit_review(id, &app.session.checklist)?;
            Ok(())
        });
        if let Err(e) = result {
            self.error(e.to_string());
            return;
        }
        self.refresh_queue();
        let submitted = self.t().submitted_msg;
        if let Some(email) = &self.review.email {
            let subject = one_line(&email.email.email.subject, 80);
            self.open_next_open_email();
            return self.info(format!("{submitted}: {subject}"));
        }
        if let Some(visit) = &self.review.visit {
            let id = one_line(&visit.visit.visit_id, 60);
            self.open_next_open_visit();
            return self.info(format!("{submitted}: {id}"));
        }
        let call_id = self
            .review
            .open
            .as_ref()
            .map(|o| o.call.call_id.clone())
            .unwrap_or_default();
        let next = self.next_open_after(self.queue.cursor).unwrap_or_else(|e| {
            self.warn(e.to_string());
            None
        });
        match next {
            Some(index) => {
                if self.open_call_or_say(index) {
                    self.info(format!("{submitted}: {call_id}"));
                }
            }
            None => self.info(format!(
                "{submitted}: {call_id}. {}",
                self.t().all_submitted
            )),
        }
    }

    pub(super) fn reopen(&mut self) {
        if !self.review.is_open() {
            return self.no_call();
        }
        let Some(review_id) = self
            .review
            .record()
            .filter(|r| r.status == ReviewStatus::Submitted)
            .map(|r| r.review_id)
        else {
            let text = self.t().not_submitted.to_string();
            return self.info(text);
        };
        let reopened = self.once_more_if_reconnected(|app| Ok(app.ws.reopen_review(review_id)?));
        match reopened {
            Ok(()) => {
                self.refresh_queue();
                self.info(self.t().reopened.to_string());
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// A synchronous write (submit, reopen) tried again once when it met
    /// a connection the server dropped while the writer thread had the
    /// work: the store connects again on the next statement.
    fn once_more_if_reconnected(
        &mut self,
        mut write: impl FnMut(&mut App) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        match write(self) {
            Err(e)
                if e.downcast_ref::<crate::store::StoreError>()
                    .is_some_and(super::writer::server_away) =>
            {
                write(self)
            }
            result => result,
        }
    }
}
