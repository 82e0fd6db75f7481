//! A reviewer works through the week's pool without leaving the
//! workstation: when a submit leaves their part of the plan with nothing
//! open, the next call nobody holds is claimed (`store::claims`) and
//! opened, so two workstations on one team database keep taking calls
//! until the pool is empty, never the same one (except calibration calls,
//! which every reviewer of the set scores).

use super::App;
use crate::domain::ReviewStatus;
use crate::i18n::team::team_strings;

impl App {
    /// After a submit (or a submit that was not made: then nothing happens).
    pub(super) fn take_from_pool_when_done(&mut self) {
        let Some(period) = self
            .queue
            .plan
            .as_ref()
            .filter(|_| self.queue.plan_shown())
            .map(|p| p.period)
        else {
            return;
        };
        let submitted = self
            .review
            .record()
            .is_some_and(|r| r.status == ReviewStatus::Submitted);
        let Some(done) = self.review.open.as_ref().map(|o| o.call.call_id.clone()) else {
            return;
        };
        if !submitted || self.review.email.is_some() || self.review.visit.is_some() {
            return;
        }
        match self.next_open_after(self.queue.cursor) {
            Ok(None) => {}
            Ok(Some(_)) => return,
            Err(e) => return self.warn(e.to_string()),
        }
        let claimed = match self.ws.claim_next(period, &self.session.reviewer) {
            Ok(Some(claimed)) => claimed,
            Ok(None) => return,
            Err(e) => return self.warn(e.to_string()),
        };
        let next = claimed.call_id.clone();
        if let Some(plan) = self.queue.plan.as_mut()
            && !plan.calls.iter().any(|c| c.call_id == next)
        {
            plan.calls.push(claimed);
        }
        if let Err(e) = self.load_queue() {
            return self.warn(e.to_string());
        }
        if let Some(position) = self.queue.loaded_position(&next)
            && self.open_call_or_say(position)
        {
            let said = format!(
                "{}: {}. {}: {}",
                self.t().submitted_msg,
                crate::text::one_line(&done, 60),
                team_strings(self.lang()).next_from_pool,
                crate::text::one_line(&next, 60)
            );
            self.info(said);
        }
    }
}
