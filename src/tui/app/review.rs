//! Changing the review: answers, comments, evidence, submit and reopen.
//! Every change goes to the workspace first; the screen follows what was
//! stored, and a failed write is shown as NOT SAVED, never silently lost.

use super::{App, Level, Message, Mode};
use crate::domain::{Answer, AnswerValue, ReviewStatus};
use crate::store::AnswerChange;
use crate::tui::keymap::Action;

impl App {
    pub fn current_answer(&self) -> Option<&Answer> {
        let item = self.checklist.items.get(self.item_cursor)?;
        self.open.as_ref()?.answers().get(&item.id)
    }

    /// A call is open and its review is not submitted; else say why not.
    pub(super) fn writable(&mut self) -> bool {
        if self.open.is_none() {
            return false;
        }
        if self.review_status() == ReviewStatus::Submitted {
            let key = self
                .keymap
                .key_for(Action::Reopen)
                .map(|k| k.to_string())
                .unwrap_or_default();
            let text = self.t().is_submitted.replace(" o ", &format!(" {key} "));
            self.message = Some(Message {
                level: Level::Warning,
                text,
            });
            return false;
        }
        true
    }

    pub(super) fn answer(&mut self, value: Option<AnswerValue>) {
        if self.change(AnswerChange::Value(value)) && value.is_some() {
            let next = self.first_unanswered_from(self.item_cursor + 1);
            if let Some(next) = next {
                self.item_cursor = next;
            }
        }
    }

    /// Write one change for the current item; true if it was saved.
    pub(super) fn change(&mut self, change: AnswerChange) -> bool {
        if !self.writable() {
            return false;
        }
        let Some(item_id) = self
            .checklist
            .items
            .get(self.item_cursor)
            .map(|i| i.id.clone())
        else {
            return false;
        };
        let result = self.ensure_review().and_then(|review_id| {
            Ok(self
                .ws
                .change_answer(review_id, &self.checklist, &item_id, change)?)
        });
        match result {
            Ok(answer) => {
                if let Some(review) = self.open.as_mut().and_then(|o| o.review.as_mut()) {
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

    pub(super) fn ensure_review(&mut self) -> anyhow::Result<i64> {
        let open = self
            .open
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("no call"))?;
        if let Some(review) = &open.review {
            return Ok(review.review_id);
        }
        let automatic = open
            .automatic
            .iter()
            .map(|(id, a)| (id.clone(), a.clone()))
            .collect();
        let review =
            self.ws
                .start_review(&open.call, &self.reviewer, &self.checklist, automatic)?;
        let id = review.review_id;
        open.review = Some(review);
        self.flush_time();
        Ok(id)
    }

    pub(super) fn refresh_queue(&mut self) {
        match self.ws.queue(&self.reviewer, &self.checklist.id) {
            Ok(queue) => self.queue = queue,
            Err(e) => self.error(e.to_string()),
        }
        if let Some(open) = self.open.as_mut()
            && let Ok(Some(review)) =
                self.ws
                    .review(&open.call.call_id, &self.reviewer, &self.checklist.id)
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
            self.mode = Mode::ConfirmSubmit { unanswered };
        } else {
            self.submit_now();
        }
    }

    pub(super) fn submit_now(&mut self) {
        self.flush_time();
        let result = self.ensure_review().and_then(|id| {
            self.ws.submit_review(id, &self.checklist)?;
            Ok(())
        });
        if let Err(e) = result {
            self.error(e.to_string());
            return;
        }
        self.refresh_queue();
        let submitted = self.t().submitted_msg;
        let call_id = self
            .open
            .as_ref()
            .map(|o| o.call.call_id.clone())
            .unwrap_or_default();
        let n = self.queue.len();
        let next = (1..=n)
            .map(|k| (self.queue_cursor + k) % n)
            .find(|&i| self.queue[i].status != ReviewStatus::Submitted);
        match next {
            Some(index) => {
                if let Err(e) = self.open_call(index) {
                    self.error(e.to_string());
                } else {
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
        let Some(review_id) = self
            .open
            .as_ref()
            .and_then(|o| o.review.as_ref())
            .filter(|r| r.status == ReviewStatus::Submitted)
            .map(|r| r.review_id)
        else {
            return;
        };
        match self.ws.reopen_review(review_id) {
            Ok(()) => {
                self.refresh_queue();
                self.info(self.t().reopened.to_string());
            }
            Err(e) => self.error(e.to_string()),
        }
    }
}
