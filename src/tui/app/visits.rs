//! The mystery-shopping visits in the workstation: the queue switched to
//! the visits of the period (the plan's week when the reviewer has a plan,
//! else every visit), and a visit opened for review. A visit whose call or
//! email is in the workspace opens that call or email, reviewed as any
//! (`plan.rs`, `emails.rs`); one without (a web form, a messenger chat, a
//! call never recorded) opens the visit itself: its details in place of
//! the player and the mystery-shopper checklist with the answers its
//! timestamps give. The review is the call's code path with the visit as
//! its subject (`store::Subject::Visit`).

use super::{App, Pane};
use crate::domain::mystery::{MysteryRules, Speed, Visit};
use crate::domain::{Answer, ReviewStatus};
use crate::i18n::mystery::mystery_strings;
use crate::store::{ReviewRecord, Subject, VisitFilter};
use crate::text::one_line;
use std::cell::Cell;
use std::collections::HashMap;

/// One row of the visits view.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub visit: Visit,
    /// In [`crate::domain::mystery::Measure::ALL`] order, as of opening.
    pub speeds: [Speed; 3],
    /// This reviewer's review of the visit (or of its call or email).
    pub status: ReviewStatus,
}

/// The visits view and its cursor (the open visit is in `review`).
#[derive(Default)]
pub struct VisitsState {
    /// The queue shows the visits instead of calls.
    pub shown: bool,
    pub rows: Vec<VisitRow>,
    pub cursor: usize,
    /// The first row on screen, kept between frames like the call queue's.
    pub scroll: Cell<usize>,
    /// The week shown; `None`: every visit.
    pub period: Option<crate::domain::sampling::Period>,
    /// The visit form, while it is open or closed with a draft in it.
    pub form: Option<super::visit_form::VisitForm>,
}

impl VisitsState {
    pub fn submitted(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == ReviewStatus::Submitted)
            .count()
    }
}

/// A visit reviewed without a call or email: its details take the
/// player's place.
pub struct OpenVisit {
    pub visit: Visit,
    pub speeds: [Speed; 3],
    /// The limits the speeds were judged by.
    pub rules: MysteryRules,
    pub review: Option<ReviewRecord>,
    /// What the timestamps answer before the review exists.
    pub automatic: HashMap<String, Answer>,
}

impl OpenVisit {
    pub fn answers(&self) -> &HashMap<String, Answer> {
        self.review.as_ref().map_or(&self.automatic, |r| &r.answers)
    }

    pub fn subject(&self) -> Subject {
        Subject::Visit(self.visit.visit_id.clone())
    }
}

impl App {
    /// The workspace's speed limits, else the bundled ones.
    pub(super) fn mystery_rules(&self) -> crate::store::Result<MysteryRules> {
        Ok(self
            .ws
            .mystery_rules()?
            .map_or_else(MysteryRules::defaults, |(rules, _)| rules))
    }

    /// Switch the queue between calls and the visits.
    pub(super) fn toggle_visits(&mut self) {
        let shown = !self.visits.shown;
        if shown && let Err(e) = self.load_visits() {
            return self.warn(e.to_string());
        }
        self.visits.shown = shown;
        self.emails.shown = false;
        self.screen.focus = Pane::Queue;
        if shown && self.visits.rows.is_empty() {
            let text = mystery_strings(self.lang()).view_empty.to_string();
            self.info(text);
        }
    }

    /// Read the visits of the period with their speeds and this reviewer's
    /// status; the cursor stays where it was.
    pub(super) fn load_visits(&mut self) -> anyhow::Result<()> {
        let period = self.queue.plan.as_ref().map(|p| p.period);
        let stored = self.ws.visits(&VisitFilter { rep: None, period })?;
        let rules = self.mystery_rules()?;
        let now = chrono::Local::now().fixed_offset();
        let mut rows = Vec::with_capacity(stored.len());
        for s in stored {
            rows.push(VisitRow {
                speeds: s.visit.speeds(&rules, now),
                status: self.visit_status(&s.visit)?,
                visit: s.visit,
            });
        }
        // Newest request first, as the email queue is newest first.
        rows.reverse();
        self.visits.rows = rows;
        self.visits.period = period;
        let last = self.visits.rows.len().saturating_sub(1);
        self.visits.cursor = self.visits.cursor.min(last);
        Ok(())
    }

    /// The furthest this reviewer's review of the visit, or of the call or
    /// email it is reviewed by, has come, with any of the checklists a
    /// visit is reviewed with.
    fn visit_status(&self, visit: &Visit) -> crate::store::Result<ReviewStatus> {
        let subjects = [
            visit.call_id.clone().map(Subject::Call),
            visit.message_id.clone().map(Subject::Email),
            Some(Subject::Visit(visit.visit_id.clone())),
        ];
        let mut best = ReviewStatus::New;
        for subject in subjects.into_iter().flatten() {
            for checklist in self.visit_checklist_ids() {
                if let Some(review) =
                    self.ws
                        .review_of(&subject, &self.session.reviewer, &checklist)?
                {
                    best = match (best, review.status) {
                        (_, ReviewStatus::Submitted) | (ReviewStatus::Submitted, _) => {
                            ReviewStatus::Submitted
                        }
                        _ => ReviewStatus::InProgress,
                    };
                }
            }
        }
        Ok(best)
    }

    /// The ids of the checklists a visit or its evidence is reviewed with.
    fn visit_checklist_ids(&self) -> Vec<String> {
        let s = &self.session;
        [&s.mystery, &s.sales_mystery, &s.email_mystery]
            .map(|c| c.id.clone())
            .to_vec()
    }

    pub(super) fn move_visit_cursor(&mut self, down: bool) {
        let last = self.visits.rows.len().saturating_sub(1);
        let cursor = &mut self.visits.cursor;
        *cursor = if down {
            (*cursor + 1).min(last)
        } else {
            cursor.saturating_sub(1)
        };
    }

    /// Enter on a visit: its call, its email, or the visit itself.
    pub(super) fn open_selected_visit(&mut self) {
        let Some(row) = self.visits.rows.get(self.visits.cursor) else {
            return self.info(mystery_strings(self.lang()).view_empty.to_string());
        };
        let visit = row.visit.clone();
        match self.open_visit_or_evidence(visit) {
            Ok(()) => self.screen.focus = Pane::Checklist,
            Err(e) => self.warn(format!("{e:#}")),
        }
    }

    fn open_visit_or_evidence(&mut self, visit: Visit) -> anyhow::Result<()> {
        if let Some(call_id) = &visit.call_id
            && let Some(row) = self.ws.queue_row(&self.queue.of, call_id)?
        {
            return self.open_visit_call(&row);
        }
        if let Some(message_id) = &visit.message_id
            && self.ws.email(message_id)?.is_some()
        {
            return self.open_email(message_id);
        }
        self.open_visit(visit)
    }

    /// Open a visit's call from the queue: the plan steps aside when it
    /// does not hold the call.
    fn open_visit_call(&mut self, row: &crate::store::QueueRow) -> anyhow::Result<()> {
        if self.position_of(row)?.is_none()
            && let Some(plan) = self.queue.plan.as_mut()
        {
            plan.show_all = true;
            self.load_queue()?;
        }
        let Some(position) = self.position_of(row)? else {
            let t = mystery_strings(self.lang());
            anyhow::bail!("{} {}", one_line(&row.call_id, 60), t.call_not_in_queue);
        };
        self.open_call(position)
    }

    /// Open the visit itself for review.
    fn open_visit(&mut self, visit: Visit) -> anyhow::Result<()> {
        let checklist = self.session.mystery.clone();
        let subject = Subject::Visit(visit.visit_id.clone());
        let review = self
            .ws
            .review_of(&subject, &self.session.reviewer, &checklist.id)?;
        let rules = self.mystery_rules()?;
        let speeds = visit.speeds(&rules, chrono::Local::now().fixed_offset());
        let automatic = self
            .visit_answers(&checklist, &visit)?
            .into_iter()
            .collect();
        self.flush_time();
        self.time.restart(std::time::Instant::now());
        self.listening.send(crate::audio::PlayerCommand::Unload);
        self.session.checklist = checklist;
        self.review = super::ReviewState::of_visit(OpenVisit {
            visit,
            speeds,
            rules,
            review,
            automatic,
        });
        self.review
            .start_at_first_unanswered(&self.session.checklist);
        Ok(())
    }

    /// Re-read the open visit's review and its row after a change.
    pub(super) fn refresh_visit(&mut self) {
        let (reviewer, checklist_id) = (&self.session.reviewer, &self.session.checklist.id);
        let Some(open) = self.review.visit.as_mut() else {
            return;
        };
        match self.ws.review_of(&open.subject(), reviewer, checklist_id) {
            Ok(Some(review)) => {
                let id = open.visit.visit_id.clone();
                if let Some(row) = self.visits.rows.iter_mut().find(|r| r.visit.visit_id == id) {
                    row.status = review.status;
                }
                open.review = Some(review);
            }
            Ok(None) => {}
            Err(e) => self.warn(e.to_string()),
        }
    }

    /// After a submit: the next visit down the view not submitted; at the
    /// end of the view the submitted one stays open.
    pub(super) fn open_next_open_visit(&mut self) {
        let from = self.visits.cursor + 1;
        let next = (self.visits.rows.iter().enumerate().skip(from))
            .find(|(_, r)| r.status != ReviewStatus::Submitted)
            .map(|(i, _)| i);
        if let Some(index) = next {
            self.visits.cursor = index;
            self.open_selected_visit();
        }
    }
}
