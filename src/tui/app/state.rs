//! The parts of the workstation's state, each owning its fields: what the
//! session is (workspace, reviewer, language, checklist, keys), the queue,
//! the open call and its review, and the screen (focus, mode, message).
//! Listening state lives in `listening.rs`.

use super::audit::AuditView;
use crate::analysis::runner::{Analyser, Progress};
use crate::domain::crm::{Call, CrmRecord};
use crate::domain::sampling::SamplingRules;
use crate::domain::{Answer, Checklist, Lang, ReviewStatus};
use crate::store::{BestCall, CallLink, Marker, QueueOf, QueueRow, ReviewRecord};
use crate::tui::keymap::{Keymap, Screen};
use std::cell::Cell;
use std::collections::HashMap;

/// What stays the same for the whole session.
pub struct Session {
    pub reviewer: String,
    pub lang: Lang,
    /// The open call's checklist: `sales` or `telephony` (`plan.rs`).
    pub checklist: Checklist,
    pub sales: Checklist,
    pub telephony: Checklist,
    /// The checklist of an email (`assets/checklists/email.toml`).
    pub email: Checklist,
    /// The checklist of a mystery shopper's visit reviewed without a call
    /// or email (`assets/checklists/mystery-shopper.toml`).
    pub mystery: Checklist,
    /// A shopper's call: the sales-call items with the mystery ones on top.
    pub sales_mystery: Checklist,
    /// A shopper's email: the email items with the mystery ones on top.
    pub email_mystery: Checklist,
    /// Which calls are telephony checks when no plan says.
    pub rules: SamplingRules,
    pub keymap: Keymap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Queue,
    Player,
    Checklist,
    Crm,
}

impl Pane {
    const ORDER: [Pane; 4] = [Pane::Queue, Pane::Player, Pane::Checklist, Pane::Crm];

    pub(super) fn step(self, forward: bool) -> Pane {
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a line of text; keys are text here except the `[input]` ones.
    Input {
        purpose: Input,
        buffer: String,
    },
    ConfirmSubmit {
        unanswered: usize,
    },
    /// The keys of `of`, scrolled by `scroll` lines.
    Help {
        of: Screen,
        scroll: u16,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A comment on this item (index into the checklist).
    Comment { item: usize },
    /// A marker at this position, with the typed text as its note.
    Marker { position_ms: u64 },
    /// Why the call is an example to learn from, heard from this position.
    BestCall { position_ms: u64 },
    /// `CONTACT [DEAL]`: the reviewer's own link for the open call.
    Link,
    /// An item number to go to.
    GoToItem,
    /// Why the selected dispute ends with this answer (calibration screen).
    DisputeReason { value: crate::domain::AnswerValue },
    /// Whom the selected call of the claims board goes to.
    Reassign,
    /// The field of the visit form under its cursor (`visit_form.rs`).
    VisitForm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: Level,
    pub text: String,
}

/// Focus, mode, the message line and the audit screen.
pub struct ScreenState {
    pub focus: Pane,
    pub mode: Mode,
    pub message: Option<Message>,
    /// The CRM audit screen, while it is up.
    pub audit: Option<AuditView>,
    /// The results screen, while it is up, and while it is computed.
    pub results: Option<super::results::ResultsView>,
    pub results_loading: Option<super::background::Background<Option<super::results::ResultsView>>>,
    /// The audit being computed for that screen, until it opens.
    pub(super) audit_loading: Option<super::background::Background<AuditView>>,
    /// The calibration and disputes screen, while it is up.
    pub calibration: Option<super::calibration::CalibrationView>,
    /// Who holds which call of the plan, while that board is up.
    pub claims: Option<super::claims::ClaimsView>,
    pub quit: bool,
}

impl ScreenState {
    /// The screen whose keys apply now.
    pub fn current(&self) -> Screen {
        match &self.mode {
            Mode::Input { .. } => Screen::Input,
            Mode::ConfirmSubmit { .. } => Screen::Confirm,
            Mode::Help { .. } => Screen::Help,
            Mode::Normal => match (&self.audit, &self.results) {
                (Some(view), _) if view.drill.is_some() => Screen::Records,
                (Some(_), _) => Screen::Audit,
                (None, Some(view)) if view.drill.is_some() => Screen::Records,
                (None, Some(_)) => Screen::Results,
                (None, None) if self.claims.is_some() => Screen::Claims,
                (None, None) if self.calibration.is_some() => Screen::Calibration,
                (None, None) => Screen::Main,
            },
        }
    }
}

/// The queue as far as the screen needs it: how long it is, how many calls
/// this reviewer submitted, the cursor, and the rows loaded around the
/// cursor (`rows[0]` is at position `start`). The workspace holds the rest;
/// `queue.rs` loads pages as the cursor moves.
#[derive(Default)]
pub struct QueueState {
    pub len: usize,
    pub submitted: usize,
    pub cursor: usize,
    pub start: usize,
    pub rows: Vec<QueueRow>,
    /// The first position on screen, kept by the queue pane between frames
    /// so the list scrolls only when the cursor leaves it.
    pub scroll: Cell<usize>,
    /// Whose statuses and which analysis the rows show.
    pub(super) of: QueueOf,
    /// This reviewer's part of the week's plan, if a plan gives them calls.
    pub plan: Option<super::plan::PlanQueue>,
}

impl QueueState {
    /// The row at a position in the whole queue, if it is loaded.
    pub fn row(&self, position: usize) -> Option<&QueueRow> {
        self.rows.get(position.checked_sub(self.start)?)
    }

    pub fn selected(&self) -> Option<&QueueRow> {
        self.row(self.cursor)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The queue is the plan (loaded whole), not every call (paged).
    pub fn plan_shown(&self) -> bool {
        self.plan.as_ref().is_some_and(|p| !p.show_all)
    }

    /// Where a call is among the loaded rows.
    pub(super) fn loaded_position(&self, call_id: &str) -> Option<usize> {
        let index = self.rows.iter().position(|r| r.call_id == call_id)?;
        Some(self.start + index)
    }
}

pub struct OpenCall {
    pub call: Call,
    /// The recording's analysis, once the background runner has it.
    pub analysis: Option<crate::analysis::CallAnalysis>,
    /// How the call was tied to its CRM records, when a matcher ran.
    pub link: Option<CallLink>,
    /// This reviewer's markers, in call order.
    pub markers: Vec<Marker>,
    /// This reviewer's mark of the call as an example, if any.
    pub best: Option<BestCall>,
    pub crm: CrmRecord,
    pub review: Option<ReviewRecord>,
    /// What rules answer before the review exists (shown, stored on the
    /// first change).
    pub automatic: HashMap<String, Answer>,
    /// The calibration set the call belongs to: its reviews are scored
    /// blind and count only as the lead's agreed version.
    pub calibration: Option<String>,
}

impl OpenCall {
    pub fn answers(&self) -> &HashMap<String, Answer> {
        self.review.as_ref().map_or(&self.automatic, |r| &r.answers)
    }
}

/// The open call or email, the checklist cursor and the CRM pane's scroll.
#[derive(Default)]
pub struct ReviewState {
    pub open: Option<OpenCall>,
    /// The open email, when an email is reviewed instead of a call.
    pub email: Option<super::emails::OpenEmail>,
    /// The open visit, when a mystery shopper's visit with no call or
    /// email is reviewed.
    pub visit: Option<super::visits::OpenVisit>,
    /// The checklist item under the cursor.
    item: usize,
    /// The item the reviewer just answered, while the cursor has moved on
    /// by itself only: `c` and `t` act on it.
    answered: Option<usize>,
    pub crm_scroll: u16,
    /// A link by hand being written in the background.
    pub(super) linking: Option<super::links::PendingLink>,
}

impl ReviewState {
    pub(super) fn of(open: OpenCall) -> ReviewState {
        ReviewState {
            open: Some(open),
            ..ReviewState::default()
        }
    }

    pub(super) fn of_email(email: super::emails::OpenEmail) -> ReviewState {
        ReviewState {
            email: Some(email),
            ..ReviewState::default()
        }
    }

    pub(super) fn of_visit(visit: super::visits::OpenVisit) -> ReviewState {
        ReviewState {
            visit: Some(visit),
            ..ReviewState::default()
        }
    }

    /// A call, an email or a visit is open.
    pub fn is_open(&self) -> bool {
        self.open.is_some() || self.email.is_some() || self.visit.is_some()
    }

    /// The answers shown: the review's, or before it exists the automatic ones.
    pub fn answers(&self) -> Option<&HashMap<String, Answer>> {
        match (&self.open, &self.email, &self.visit) {
            (Some(open), _, _) => Some(open.answers()),
            (None, Some(email), _) => Some(email.answers()),
            (None, None, Some(visit)) => Some(visit.answers()),
            (None, None, None) => None,
        }
    }

    /// The open call's, email's or visit's review, once it exists.
    pub fn record(&self) -> Option<&ReviewRecord> {
        match (&self.open, &self.email, &self.visit) {
            (Some(open), _, _) => open.review.as_ref(),
            (None, Some(email), _) => email.review.as_ref(),
            (None, None, Some(visit)) => visit.review.as_ref(),
            (None, None, None) => None,
        }
    }

    pub(super) fn record_mut(&mut self) -> Option<&mut ReviewRecord> {
        self.record_slot()?.as_mut()
    }

    pub(super) fn set_record(&mut self, review: ReviewRecord) {
        if let Some(slot) = self.record_slot() {
            *slot = Some(review);
        }
    }

    fn record_slot(&mut self) -> Option<&mut Option<ReviewRecord>> {
        match (&mut self.open, &mut self.email, &mut self.visit) {
            (Some(open), _, _) => Some(&mut open.review),
            (None, Some(email), _) => Some(&mut email.review),
            (None, None, Some(visit)) => Some(&mut visit.review),
            (None, None, None) => None,
        }
    }

    /// The cursor on the first item not answered yet (automatic answers
    /// count), else the first: where a call or email opens.
    pub(super) fn start_at_first_unanswered(&mut self, checklist: &Checklist) {
        let first = self.first_unanswered_from(checklist, 0).unwrap_or(0);
        self.set_item(first);
    }

    /// The line of an email quoted as an item's evidence.
    pub fn quote_of(&self, item_id: &str) -> Option<&str> {
        self.record()?.quotes.get(item_id).map(String::as_str)
    }

    pub fn item(&self) -> usize {
        self.item
    }

    /// Move the cursor by the reviewer's choice: nothing is "just
    /// answered" any more.
    pub(super) fn set_item(&mut self, index: usize) {
        self.item = index;
        self.answered = None;
    }

    /// The cursor moves on by itself after an answer to `answered`.
    pub(super) fn moved_on_from(&mut self, answered: usize, next: usize) {
        self.item = next;
        self.answered = (answered != next).then_some(answered);
    }

    /// The item a comment or stamp is for: the one just answered, if the
    /// reviewer has not moved since, else the one under the cursor.
    pub fn target_item(&self) -> usize {
        self.answered.unwrap_or(self.item)
    }

    pub fn just_answered(&self) -> Option<usize> {
        self.answered
    }

    pub fn status(&self) -> ReviewStatus {
        self.record().map_or(ReviewStatus::New, |r| r.status)
    }

    pub fn answer_of(&self, checklist: &Checklist, index: usize) -> Option<&Answer> {
        let item = checklist.items.get(index)?;
        self.answers()?.get(&item.id)
    }

    pub(super) fn is_answered(&self, checklist: &Checklist, index: usize) -> bool {
        index >= checklist.items.len()
            || self
                .answer_of(checklist, index)
                .is_some_and(|a| a.value.is_some())
    }

    pub(super) fn first_unanswered_from(
        &self,
        checklist: &Checklist,
        start: usize,
    ) -> Option<usize> {
        let n = checklist.items.len();
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| !self.is_answered(checklist, i))
    }
}

/// The background analysis and what it has said so far.
#[derive(Default)]
pub struct AnalysisState {
    pub(super) runner: Option<Analyser>,
    pub progress: Progress,
    /// The backlog waits while a call plays.
    pub held: bool,
}

impl super::App {
    /// The reviewer's pause of the background analysis, or its resumption;
    /// the queue title shows it paused.
    pub(super) fn toggle_analysis_pause(&mut self) {
        let Some(runner) = &self.analysis.runner else {
            return;
        };
        let pause = !runner.paused();
        runner.pause(pause);
        self.analysis.held = runner.held();
        let text = if pause {
            self.fill_keys(self.t().analysis_paused_by_you)
        } else {
            self.t().analysis_resumed.to_string()
        };
        self.info(text);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn the_reviewer_pauses_and_resumes_the_background_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = crate::scale::generated_app(dir.path(), 4);
        app.start_analysis();
        let press = |app: &mut super::super::App| {
            app.handle_key(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::NONE));
            let runner = app.analysis.runner.as_ref().unwrap();
            let message = app.screen.message.as_ref().unwrap().text.clone();
            (runner.paused(), app.analysis.held, message)
        };
        let (paused, held, message) = press(&mut app);
        assert!(paused && held, "{message}");
        assert!(
            message.contains("paused") && message.contains("P resumes"),
            "{message}"
        );
        let (paused, held, message) = press(&mut app);
        assert!(!paused && !held, "{message}");
        assert!(message.contains("resumed"), "{message}");
        app.shutdown();
    }
}
