//! The lead's board: who holds which call of the week's plan (claimed with
//! a lease, or drawn for them), how many calls of the pool nobody holds,
//! and a lead's reassignment of the selected call to another reviewer.
//!
//! The board is read when it opens and on a key, never per tick: on a
//! team's PostgreSQL server every read is a round trip, and a lead looks
//! at it for seconds, not minutes. Leases are shown as of that read.

use super::{App, Input, Mode};
use crate::domain::sampling::Period;
use crate::i18n::team::{board_strings, reassign_refusal, team_strings};
use crate::store::Claim;
use crate::text::one_line;
use crate::tui::keymap::Action;

pub struct ClaimsView {
    /// The plan shown; `None` when no plan is drawn at all.
    pub period: Option<Period>,
    /// Each call someone holds, by holder then plan order.
    pub rows: Vec<Claim>,
    /// Calls of the pool nobody holds.
    pub unclaimed: u64,
    /// When the board was read (leases are shown as of then).
    pub read_at_ms: i64,
    /// The selected row.
    pub row: usize,
}

impl ClaimsView {
    pub fn selected(&self) -> Option<&Claim> {
        self.rows.get(self.row)
    }
}

impl App {
    /// The plan the board shows: the reviewer's own, else the latest drawn.
    fn board_period(&self) -> anyhow::Result<Option<Period>> {
        if let Some(plan) = &self.queue.plan {
            return Ok(Some(plan.period));
        }
        let this_week = Period::of(chrono::Local::now().date_naive());
        Ok(self.ws.board_period(this_week)?)
    }

    fn read_claims(&self) -> anyhow::Result<ClaimsView> {
        let read_at_ms = chrono::Utc::now().timestamp_millis();
        let period = self.board_period()?;
        let (rows, unclaimed) = match period {
            Some(period) => self.ws.claim_board(period, read_at_ms)?,
            None => (Vec::new(), 0),
        };
        Ok(ClaimsView {
            period,
            rows,
            unclaimed,
            read_at_ms,
            row: 0,
        })
    }

    /// Read the board again, the cursor on the call it was on (or where
    /// that row was).
    fn reload_claims(&mut self) -> bool {
        let (on, row) = match &self.screen.claims {
            Some(view) => (view.selected().map(|c| c.call_id.clone()), view.row),
            None => (None, 0),
        };
        match self.read_claims() {
            Ok(mut view) => {
                let same = on.and_then(|id| view.rows.iter().position(|c| c.call_id == id));
                view.row = same.unwrap_or(row).min(view.rows.len().saturating_sub(1));
                self.screen.claims = Some(view);
                true
            }
            Err(e) => {
                self.warn(format!("{e:#}"));
                false
            }
        }
    }

    pub(super) fn open_claims(&mut self) {
        self.screen.claims = None;
        self.reload_claims();
    }

    pub(super) fn claims_action(&mut self, action: Action) {
        if action == Action::Refresh {
            if self.reload_claims() {
                self.info(board_strings(self.lang()).refreshed.to_string());
            }
            return;
        }
        let Some(view) = self.screen.claims.as_mut() else {
            return;
        };
        match action {
            Action::Up => view.row = view.row.saturating_sub(1),
            Action::Down => view.row = (view.row + 1).min(view.rows.len().saturating_sub(1)),
            Action::Reassign if view.selected().is_some() => {
                self.screen.mode = Mode::Input {
                    purpose: Input::Reassign,
                    buffer: String::new(),
                };
            }
            Action::Back => self.screen.claims = None,
            _ => {}
        }
    }

    /// Hand the selected call to the reviewer typed, through the store's
    /// reassignment; the board (and the queue, when the call left or
    /// joined this reviewer's part) is read again.
    pub(super) fn reassign_selected(&mut self, name: Option<String>) {
        let Some((period, claim)) = self
            .screen
            .claims
            .as_ref()
            .and_then(|v| Some((v.period?, v.selected()?.clone())))
        else {
            return;
        };
        let lang = self.lang();
        let Some(name) = name else {
            return self.warn(board_strings(lang).name_missing.to_string());
        };
        match self.ws.reassign_refusal(&name) {
            Ok(None) => {}
            Ok(Some(why)) => return self.warn(reassign_refusal(lang, &why)),
            Err(e) => return self.warn(format!("{e:#}")),
        }
        let call = one_line(&claim.call_id, 80);
        match self.ws.reassign_planned_call(period, &claim.call_id, &name) {
            Ok(true) => {}
            Ok(false) => {
                let text = format!("{call} {} {period}", team_strings(lang).not_in_plan);
                return self.warn(text);
            }
            Err(e) => return self.warn(format!("{e:#}")),
        }
        // The call left or joined this reviewer's own part of the plan.
        let mine = [&claim.reviewer, &name].contains(&&self.session.reviewer);
        if mine && let Err(e) = self.load_plan().and_then(|()| self.load_queue()) {
            return self.warn(e.to_string());
        }
        if self.reload_claims() {
            let said = format!(
                "{call}: {} {}",
                team_strings(lang).reassigned,
                one_line(&name, 80)
            );
            self.info(said);
        }
    }
}
