//! The reviewer's part of the week's plan as the queue, and the checklist
//! each call is reviewed with.
//!
//! A reviewer opens the workstation to do this week's work, so when a plan
//! gives them calls the queue is those calls (quality first, then the
//! telephony checks, each in plan order) and its title counts them; a key
//! toggles to every call in the workspace and back. A plan is a few
//! hundred calls per reviewer at most, so it is loaded whole, not paged.
//!
//! Calls the plan drew for nobody are claimed (see `store::claims`): each
//! load takes (or renews) this reviewer's claim on the next such call and
//! adds it to their part, so two reviewers never work on the same one.
//!
//! The checklist follows the call, not the session: a call the reviewer
//! has already started keeps its checklist; a mystery shopper's call takes
//! the sales checklist with the mystery-shopper one on top; otherwise the
//! plan's bucket, or for a call in no plan its length
//! (`SamplingRules::checklist_bucket`), says sales or telephony.

use super::App;
use crate::domain::Checklist;
use crate::domain::crm::Call;
use crate::domain::sampling::{Bucket, Period};
use crate::store::{self, PlannedCall};

/// The plan the queue shows: a reviewer's calls of one period.
pub struct PlanQueue {
    pub period: Period,
    pub calls: Vec<PlannedCall>,
    /// Every call is shown instead; the plan stays at hand for the toggle.
    pub show_all: bool,
}

impl PlanQueue {
    pub fn bucket_of(&self, call_id: &str) -> Option<Bucket> {
        self.calls
            .iter()
            .find(|c| c.call_id == call_id)
            .map(|c| c.bucket)
    }
}

impl App {
    /// Read this reviewer's plan: the latest period up to this week that
    /// gives them calls.
    pub(super) fn load_plan(&mut self) -> store::Result<()> {
        let this_week = Period::of(chrono::Local::now().date_naive());
        let reviewer = &self.session.reviewer;
        let period = self
            .ws
            .reviewer_plan_period(reviewer, this_week)?
            .unwrap_or(this_week);
        let mut calls = self.ws.plan_queue(period, reviewer)?;
        if let Some(claimed) = self.ws.claim_next(period, reviewer)?
            && !calls.iter().any(|c| c.call_id == claimed.call_id)
        {
            calls.push(claimed);
        }
        self.queue.plan = (!calls.is_empty()).then_some(PlanQueue {
            period,
            calls,
            show_all: false,
        });
        Ok(())
    }

    /// The plan, or every call: the cursor stays on the call it was on
    /// when the other view has it.
    pub(super) fn toggle_plan(&mut self) -> store::Result<()> {
        let Some(plan) = self.queue.plan.as_mut() else {
            let text = self.t().no_plan.to_string();
            self.warn(text);
            return Ok(());
        };
        plan.show_all = !plan.show_all;
        let on = self.queue.selected().map(|r| r.call_id.clone());
        self.queue.cursor = 0;
        self.load_queue()?;
        if let Some(id) = on
            && let Some(row) = self.ws.queue_row(&self.queue.of, &id)?
        {
            let position = match self.queue.plan_shown() {
                true => self.queue.loaded_position(&id),
                false => Some(self.ws.queue_position(&row.key)?),
            };
            if let Some(position) = position {
                self.select(position)?;
            }
        }
        self.want_analysis();
        Ok(())
    }

    /// The checklist `call` is reviewed with (see the module docs).
    pub(super) fn checklist_for(&self, call: &Call) -> store::Result<Checklist> {
        let s = &self.session;
        for checklist in [&s.telephony, &s.sales, &s.sales_mystery, &s.mystery] {
            if self
                .ws
                .review(&call.call_id, &s.reviewer, &checklist.id)?
                .is_some()
            {
                return Ok(checklist.clone());
            }
        }
        // A mystery shopper's call is reviewed as a sales call and for
        // what the shopper saw.
        if self.ws.visit_by_call(&call.call_id)?.is_some() {
            return Ok(s.sales_mystery.clone());
        }
        let planned = match self
            .queue
            .plan
            .as_ref()
            .and_then(|p| p.bucket_of(&call.call_id))
        {
            Some(bucket) => Some(bucket),
            None => {
                let period = Period::of(call.started_at.date_naive());
                self.ws.planned_bucket(period, &call.call_id)?
            }
        };
        Ok(
            match s
                .rules
                .checklist_bucket(planned, call.recording.duration_ms)
            {
                Bucket::Telephony => s.telephony.clone(),
                Bucket::Quality | Bucket::None | Bucket::Email => s.sales.clone(),
            },
        )
    }
}
