//! The calibration screen: each calibration set's agreement (per item and
//! per reviewer, with n and small-sample marks), hidden from a member who
//! still scores one of its calls blind; and on a second tab the reps'
//! disputes, which the reviewer or lead resolves here: upheld (the answer
//! stays "no") or changed to yes / n-a, always with a reason.

use super::{App, Input, Mode};
use crate::domain::AnswerValue;
use crate::reports::results::calibration::{SetFigures, gather};
use crate::store::{ItemResponse, Resolution, Workspace};
use crate::tui::keymap::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrationTab {
    Agreement,
    Disputes,
}

pub struct CalibrationView {
    pub tab: CalibrationTab,
    /// Each set with its figures, and the calls the reviewer still scores
    /// blind (while there are any, the figures are not shown).
    pub sets: Vec<(SetFigures, Vec<String>)>,
    /// Open disputes first, then the resolved ones.
    pub disputes: Vec<ItemResponse>,
    /// The selected set, or dispute.
    pub row: usize,
}

impl CalibrationView {
    fn load(
        ws: &Workspace,
        checklist: &crate::domain::Checklist,
        reviewer: &str,
    ) -> anyhow::Result<CalibrationView> {
        let mut sets = Vec::new();
        for set in gather(ws, checklist, None)? {
            let blind = ws.figures_hidden_from(reviewer, &set.set)?;
            sets.push((set, blind));
        }
        let mut disputes = ws.responses(false, false)?;
        disputes.sort_by_key(|d| d.outcome.is_some());
        Ok(CalibrationView {
            tab: CalibrationTab::Agreement,
            sets,
            disputes,
            row: 0,
        })
    }

    fn rows(&self) -> usize {
        match self.tab {
            CalibrationTab::Agreement => self.sets.len(),
            CalibrationTab::Disputes => self.disputes.len(),
        }
    }

    /// The dispute under the cursor, when it is still open.
    fn open_dispute(&self) -> Option<&ItemResponse> {
        (self.tab == CalibrationTab::Disputes)
            .then(|| self.disputes.get(self.row))
            .flatten()
            .filter(|d| d.outcome.is_none())
    }
}

impl App {
    pub(super) fn open_calibration(&mut self) {
        let loaded = CalibrationView::load(&self.ws, &self.session.sales, &self.session.reviewer);
        match loaded {
            Ok(view) => self.screen.calibration = Some(view),
            Err(e) => self.warn(format!("{e:#}")),
        }
    }

    pub(super) fn calibration_action(&mut self, action: Action) {
        let Some(view) = self.screen.calibration.as_mut() else {
            return;
        };
        let rows = view.rows();
        let resolve_as = match action {
            Action::Up => {
                view.row = view.row.saturating_sub(1);
                None
            }
            Action::Down => {
                view.row = (view.row + 1).min(rows.saturating_sub(1));
                None
            }
            Action::NextPane => {
                view.tab = match view.tab {
                    CalibrationTab::Agreement => CalibrationTab::Disputes,
                    CalibrationTab::Disputes => CalibrationTab::Agreement,
                };
                view.row = 0;
                None
            }
            Action::AnswerNo => Some(AnswerValue::No),
            Action::AnswerYes => Some(AnswerValue::Yes),
            Action::AnswerNa => Some(AnswerValue::Na),
            Action::Back => {
                self.screen.calibration = None;
                None
            }
            _ => None,
        };
        if let Some(value) = resolve_as
            && self
                .screen
                .calibration
                .as_ref()
                .and_then(CalibrationView::open_dispute)
                .is_some()
        {
            self.screen.mode = Mode::Input {
                purpose: Input::DisputeReason { value },
                buffer: String::new(),
            };
        }
    }

    /// Resolve the selected dispute with the reason typed: "no" upholds
    /// it, another answer changes the item (through the review's normal
    /// answer path); then the screen and an open copy of the review reload.
    pub(super) fn resolve_selected_dispute(&mut self, value: AnswerValue, reason: Option<String>) {
        let Some(dispute) = self
            .screen
            .calibration
            .as_ref()
            .and_then(CalibrationView::open_dispute)
            .cloned()
        else {
            return;
        };
        let words = crate::i18n::calibration::dispute_strings(self.lang());
        let Some(reason) = reason else {
            return self.warn(words.resolve_prompt.to_string());
        };
        let result = (|| -> anyhow::Result<()> {
            let review = self
                .ws
                .review_by_id(dispute.review_id)?
                .ok_or_else(|| anyhow::anyhow!("review {}", dispute.review_id))?;
            let checklist = self
                .ws
                .checklist(&review.checklist_id, review.checklist_version)?
                .ok_or_else(|| anyhow::anyhow!("checklist {}", review.checklist_id))?;
            let by = self.session.reviewer.clone();
            let resolution = Resolution {
                by: &by,
                answer: value,
                reason: &reason,
            };
            self.ws.resolve_dispute(
                dispute.review_id,
                &dispute.item_id,
                &resolution,
                &checklist,
            )?;
            Ok(())
        })();
        if let Err(e) = result {
            return self.warn(format!("{e:#}"));
        }
        let row = self.screen.calibration.as_ref().map_or(0, |v| v.row);
        self.open_calibration();
        if let Some(view) = self.screen.calibration.as_mut() {
            view.tab = CalibrationTab::Disputes;
            view.row = row.min(view.disputes.len().saturating_sub(1));
        }
        let open_is_resolved = self
            .review
            .open
            .as_ref()
            .and_then(|o| o.review.as_ref())
            .is_some_and(|r| r.review_id == dispute.review_id);
        if open_is_resolved {
            self.open_call_or_say(self.queue.cursor);
        }
        self.info(words.resolved.to_string());
    }
}
