//! The workstation's state and what each action does to it. No drawing
//! here (see `ui.rs`), no terminal I/O: tests drive `App` with key events.
//!
//! `App` is the workspace plus sub-states that own their fields
//! (`state.rs`: session, queue, open call and review, screen; `listening.rs`:
//! the player). Keys are read per screen in `keys.rs`.
//!
//! On SQLite every change the reviewer makes is written to the workspace
//! before the screen shows it, so what is on screen is what is on disk. On
//! PostgreSQL it is written to the local outbox first and the status line
//! says so until the writer thread has delivered it (`queued.rs`).

use super::keymap::{Action, Keymap, Screen};
use crate::analysis::runner::Analyser;
use crate::analysis::{ANALYSIS_VERSION, CallAnalysis};
use crate::audio::{PlayerCommand, PlayerHandle};
use crate::domain::active_time::ActiveTime;
use crate::domain::auto_checks::{Facts, automatic_answers};
use crate::domain::checklist::DEFAULT_TELEPHONY_TOML;
use crate::domain::email_checks::DEFAULT_EMAIL_CHECKLIST_TOML;
use crate::domain::sampling::SamplingRules;
use crate::domain::scoring::{Score, score};
use crate::domain::{Answer, Checklist, Lang};
use crate::i18n::{Strings, strings};
use crate::store::{self, QueueOf, ReviewerPlace, Workspace};
use std::collections::HashMap;
use std::time::{Duration, Instant};

mod audit;
mod background;
mod calibration;
mod claims;
mod emails;
mod keys;
mod links;
mod listening;
mod outbox;
mod plan;
mod pool;
mod queue;
mod queued;
mod results;
mod review;
mod state;
mod visit_form;
mod visits;
mod writer;

pub use audit::{AuditView, Drill};
pub use calibration::{CalibrationTab, CalibrationView};
pub use claims::ClaimsView;
pub use emails::{
    EmailRow, EmailsState, LineKind, OpenEmail, SpellingView, ThreadLine, thread_lines,
};
pub use listening::Listening;
pub use plan::PlanQueue;
pub use results::ResultsView;
pub use state::{
    AnalysisState, Input, Level, Message, Mode, OpenCall, Pane, QueueState, ReviewState,
    ScreenState, Session,
};
pub use visit_form::VisitForm;
pub use visits::{OpenVisit, VisitRow, VisitsState};

/// Review time is written to the workspace at least this often.
const TIME_FLUSH: Duration = Duration::from_secs(30);
/// While playing, the place is written when the playhead has moved this
/// far from the one stored; paused, every change is written at once.
const PLACE_WHILE_PLAYING: Duration = Duration::from_secs(5);
/// Queue rows from the cursor on that are analysed before the backlog.
const WANT_AHEAD: usize = 20;

pub struct App {
    pub ws: Workspace,
    pub session: Session,
    pub queue: QueueState,
    pub review: ReviewState,
    /// The email queue (the open email is in `review`).
    pub emails: EmailsState,
    /// The visits view (the open visit is in `review`).
    pub visits: VisitsState,
    pub listening: Listening,
    pub screen: ScreenState,
    pub analysis: AnalysisState,
    /// Review time of the open call (`domain::active_time`).
    time: ActiveTime,
    /// The place as last written, so a key that moves nothing writes nothing.
    saved_place: Option<ReviewerPlace>,
    /// On PostgreSQL, changes on their way to the server (`queued.rs`).
    outbox: queued::Saving,
}

impl App {
    pub fn new(
        ws: Workspace,
        reviewer: String,
        lang: Lang,
        checklist: Checklist,
        keymap: Keymap,
        player: PlayerHandle,
    ) -> anyhow::Result<App> {
        let of = QueueOf {
            reviewer: reviewer.clone(),
            analysis_version: ANALYSIS_VERSION,
        };
        let telephony = Checklist::default_telephony();
        ws.ensure_checklist(&telephony, DEFAULT_TELEPHONY_TOML)?;
        let email =
            Checklist::from_toml(DEFAULT_EMAIL_CHECKLIST_TOML, "assets/checklists/email.toml")?;
        ws.ensure_checklist(&email, DEFAULT_EMAIL_CHECKLIST_TOML)?;
        let mystery = crate::domain::mystery::checklist();
        ws.ensure_checklist(
            &mystery,
            crate::domain::mystery::DEFAULT_MYSTERY_CHECKLIST_TOML,
        )?;
        // A shopper's call or email is reviewed for what any call or email
        // is, and for what the shopper saw.
        let sales_mystery = Checklist::compose(&checklist, &mystery);
        ws.ensure_checklist(&sales_mystery, &sales_mystery.to_toml()?)?;
        let email_mystery = Checklist::compose(&email, &mystery);
        ws.ensure_checklist(&email_mystery, &email_mystery.to_toml()?)?;
        let rules = match ws.sampling_rules()? {
            Some((rules, _)) => rules,
            None => SamplingRules::defaults(),
        };
        let mut app = App {
            ws,
            session: Session {
                reviewer,
                lang,
                sales: checklist.clone(),
                checklist,
                telephony,
                email,
                mystery,
                sales_mystery,
                email_mystery,
                rules,
                keymap,
            },
            queue: QueueState {
                of,
                ..QueueState::default()
            },
            review: ReviewState::default(),
            emails: EmailsState::default(),
            visits: VisitsState::default(),
            listening: Listening::new(player),
            screen: ScreenState {
                focus: Pane::Checklist,
                mode: Mode::Normal,
                message: None,
                audit: None,
                results: None,
                results_loading: None,
                audit_loading: None,
                calibration: None,
                claims: None,
                quit: false,
            },
            analysis: AnalysisState::default(),
            time: ActiveTime::new(Instant::now()),
            saved_place: None,
            outbox: queued::Saving::default(),
        };
        app.open_outbox(&crate::config::data_dir().join("outbox"));
        app.load_plan()?;
        app.load_queue()?;
        // A damaged first call must not keep the workstation shut: the
        // queue shows, and the message names what did not open.
        if let Err(e) = app.open_start_call() {
            app.warn(e.to_string());
        }
        Ok(app)
    }

    /// Analyse recordings in the background (the workstation does; tests
    /// that do not need it leave it off).
    pub fn start_analysis(&mut self) {
        self.analysis.runner = Some(Analyser::start(self.ws.path()));
        self.want_analysis();
    }

    /// The open call, then the queue from the cursor on: what the analyser
    /// does before the rest of the workspace.
    pub(super) fn want_analysis(&self) {
        let Some(runner) = &self.analysis.runner else {
            return;
        };
        let open = self.review.open.as_ref().map(|o| o.call.call_id.clone());
        let q = &self.queue;
        let ahead = (q.cursor..q.cursor + WANT_AHEAD)
            .filter_map(|p| q.row(p))
            .map(|r| r.call_id.clone());
        runner.want(open.into_iter().chain(ahead));
    }

    fn cached_analysis(&self, call_id: &str) -> Option<CallAnalysis> {
        let json = self.ws.analysis(call_id, ANALYSIS_VERSION).ok()??;
        serde_json::from_str(&json).ok()
    }

    /// Take what the runner finished; true if the screen changed.
    fn poll_analysis(&mut self) -> bool {
        let Some(runner) = &self.analysis.runner else {
            return false;
        };
        let progress = runner.poll();
        let changed = progress != self.analysis.progress;
        for id in &progress.finished {
            if self.queue.loaded_position(id).is_some() {
                // The flags show next frame; a failed read only delays them.
                let _ = self.refresh_row(id);
            }
            let open = self.review.open.as_ref().map(|o| o.call.call_id.as_str());
            if open == Some(id.as_str())
                && let Some(a) = self.cached_analysis(id)
            {
                // Before the review exists the audio's answers join the
                // automatic ones; after, the reviewer's answers stand.
                let automatic = self.review.open.as_ref().and_then(|open| {
                    open.review.is_none().then(|| {
                        self.automatic(&self.session.checklist, &open.call, &open.crm, Some(&a))
                    })
                });
                if let Some(open) = self.review.open.as_mut() {
                    if let Some(Ok(automatic)) = automatic {
                        open.automatic = automatic;
                    }
                    open.analysis = Some(a);
                }
                self.send_skip_ranges();
            }
        }
        self.analysis.progress = progress;
        changed
    }

    /// What the CRM and the audio analysis answer for `call` by rule.
    fn automatic(
        &self,
        checklist: &Checklist,
        call: &crate::domain::crm::Call,
        crm: &crate::domain::crm::CrmRecord,
        analysis: Option<&CallAnalysis>,
    ) -> store::Result<HashMap<String, Answer>> {
        let crm_loaded = self.ws.has_crm_data()?;
        let mut facts = Facts::gather(call, crm_loaded.then_some(crm));
        facts.audio = analysis.map(CallAnalysis::facts);
        let mut answers: HashMap<String, Answer> =
            automatic_answers(checklist, &facts).into_iter().collect();
        if let Some(visit) = self.ws.visit_by_call(&call.call_id)? {
            answers.extend(self.visit_answers(checklist, &visit.visit)?);
        }
        Ok(answers)
    }

    /// What a mystery shopper's visit's timestamps answer (pick-up,
    /// proposal, callback speeds) by the workspace's limits, as of now.
    pub(super) fn visit_answers(
        &self,
        checklist: &Checklist,
        visit: &crate::domain::mystery::Visit,
    ) -> store::Result<Vec<(String, Answer)>> {
        use crate::domain::mystery::{DEFAULT_MYSTERY_CHECKLIST_TOML, MYSTERY_CHECKLIST_ID};
        let mystery = &self.session.mystery;
        // The mystery checklist itself, or one with it on top.
        let base = match Checklist::parts_of(&checklist.id, checklist.version) {
            _ if checklist.id == MYSTERY_CHECKLIST_ID => None,
            Some([(base, _), (top, _)]) if top == MYSTERY_CHECKLIST_ID => {
                let s = &self.session;
                [&s.sales, &s.email, &s.telephony]
                    .into_iter()
                    .find(|c| c.id == base)
            }
            _ => return Ok(Vec::new()),
        };
        let answers = crate::domain::mystery::automatic_answers(
            mystery,
            DEFAULT_MYSTERY_CHECKLIST_TOML,
            visit,
            &self.mystery_rules()?,
            chrono::Local::now().fixed_offset(),
        );
        Ok(match base {
            None => answers,
            Some(base) => answers
                .into_iter()
                .map(|(id, a)| (Checklist::composed_item_id(base, mystery, &id), a))
                .collect(),
        })
    }

    pub fn t(&self) -> &'static Strings {
        strings(self.session.lang)
    }

    pub fn lang(&self) -> Lang {
        self.session.lang
    }

    pub fn checklist(&self) -> &Checklist {
        &self.session.checklist
    }

    pub fn keymap(&self) -> &Keymap {
        &self.session.keymap
    }

    /// A text with each `{run}` (`{reopen}`, `{help}`) replaced by the key
    /// the keymap gives that action on the main screen.
    pub fn fill_keys(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            let name = &rest[start + 1..start + len];
            out.push_str(&rest[..start]);
            match Action::from_run(name) {
                Some(action) => out.push_str(
                    &self
                        .session
                        .keymap
                        .key_for(Screen::Main, action)
                        .map_or_else(|| "—".to_string(), |k| k.to_string()),
                ),
                None => out.push_str(&rest[start..=start + len]),
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Where the reviewer left off if that call is still open for review,
    /// else the first call not yet submitted.
    pub(super) fn open_start_call(&mut self) -> anyhow::Result<()> {
        let place = self.ws.place(&self.session.reviewer)?.unwrap_or_default();
        let from_place = match &place.call_id {
            Some(id) => self.open_position(id)?,
            None => None,
        };
        let first_open = match from_place {
            Some(_) => None,
            None => self
                .ws
                .queue_next_open(&self.queue.of, None)?
                .map(|row| self.ws.queue_position(&row.key))
                .transpose()?,
        };
        let first = (!self.queue.is_empty()).then_some(0);
        let Some(index) = from_place.or(first_open).or(first) else {
            let text = self.t().empty_queue.to_string();
            self.warn(text);
            return Ok(());
        };
        self.open_call_at(index, from_place.map(|_| &place))
    }

    pub fn open_call(&mut self, index: usize) -> anyhow::Result<()> {
        self.open_call_at(index, None)
    }

    /// Open a call; with `place`, at its item and position. The place is
    /// written only once it is where the reviewer will be, so a crash right
    /// after reopening still returns there.
    fn open_call_at(&mut self, index: usize, place: Option<&ReviewerPlace>) -> anyhow::Result<()> {
        self.flush_time();
        self.time.restart(Instant::now());
        self.select(index)?;
        let Some(row) = self.queue.selected() else {
            return Ok(());
        };
        let reviewer = &self.session.reviewer;
        let call = self.ws.call(&row.call_id)?;
        let checklist = self.checklist_for(&call)?;
        let crm = self.ws.crm_for_call(&call)?;
        let review = self.ws.review(&call.call_id, reviewer, &checklist.id)?;
        self.listening
            .send(PlayerCommand::Load(call.recording.path.clone().into()));
        let analysis = self.cached_analysis(&call.call_id);
        let automatic = self.automatic(&checklist, &call, &crm, analysis.as_ref())?;
        let markers = self.ws.markers(&call.call_id, reviewer)?;
        let best = self.ws.best_call(&call.call_id, reviewer)?;
        let link = self.ws.call_link(&call.call_id)?;
        let calibration = self.ws.calibration_set_of(&call.call_id)?;
        self.session.checklist = checklist;
        self.review = ReviewState::of(OpenCall {
            call,
            analysis,
            link,
            markers,
            best,
            crm,
            review,
            automatic,
            calibration,
        });
        self.review
            .start_at_first_unanswered(&self.session.checklist);
        if let Some(place) = place {
            if let Some(item) = place
                .item_id
                .as_deref()
                .and_then(|id| self.session.checklist.item_index(id))
            {
                self.review.set_item(item);
            }
            if let Some(ms) = place.position_ms.filter(|ms| *ms > 0) {
                self.listening
                    .send(PlayerCommand::Seek(Duration::from_millis(ms)));
            }
        }
        self.send_skip_ranges();
        self.save_place();
        self.want_analysis();
        Ok(())
    }

    pub fn score(&self) -> Option<Score> {
        Some(score(&self.session.checklist, self.review.answers()?))
    }

    pub fn current_answer(&self) -> Option<&Answer> {
        self.review
            .answer_of(&self.session.checklist, self.review.item())
    }

    /// Read the player and the analysis; true when the screen needs a
    /// redraw because what it shows has changed.
    pub fn tick(&mut self) -> bool {
        let analysis_changed = self.poll_analysis()
            | self.poll_link()
            | self.poll_results()
            | self.poll_audit()
            | self.poll_writer();
        let player_changed = self.listening.refresh();
        if let Some(runner) = &self.analysis.runner {
            runner.hold(self.listening.playing());
            self.analysis.held = runner.held();
        }
        if self.listening.playing() {
            self.note_activity();
        }
        if self.time.pending() > TIME_FLUSH {
            self.flush_time();
        }
        if player_changed {
            self.save_moved_place();
        }
        player_changed || analysis_changed
    }

    /// A jump while paused is written as soon as the player shows it;
    /// while playing, every few seconds of playback.
    fn save_moved_place(&mut self) {
        let saved = self
            .saved_place
            .as_ref()
            .and_then(|p| p.position_ms)
            .unwrap_or(0);
        let moved = Duration::from_millis(self.listening.place_ms().abs_diff(saved));
        if !self.listening.playing() || moved >= PLACE_WHILE_PLAYING {
            self.save_place();
        }
    }

    /// A key or a playing call: review time for the open call, unless
    /// the reviewer is on the audit screen.
    pub(super) fn note_activity(&mut self) {
        let on_the_call = self.review.is_open() && self.screen.audit.is_none();
        self.time.active(Instant::now(), on_the_call);
    }

    /// Review time of the open call's review: written plus pending.
    pub fn time_spent_ms(&self) -> Option<u64> {
        let review = self.review.record()?;
        Some(review.time_spent_ms + self.time.pending().as_millis() as u64)
    }

    /// Write the open call's pending time to its review. A call with no
    /// review yet keeps it until one is started (the first answer) or
    /// another call is opened.
    pub(super) fn flush_time(&mut self) {
        let ms = self.time.pending().as_millis() as u64;
        if ms == 0 || self.review.record().is_none() {
            return;
        }
        if self.writes_queued() {
            if self.queue_time(ms)
                && let Some(review) = self.review.record_mut()
            {
                review.time_spent_ms += ms;
                self.time.take();
            }
            return;
        }
        let Some(review) = self.review.record_mut() else {
            return;
        };
        if self.ws.add_time_spent(review.review_id, ms).is_ok() {
            review.time_spent_ms += ms;
            self.time.take();
        }
    }

    pub(super) fn save_place(&mut self) {
        // The place is a call's: an open email or visit leaves the last
        // one stored.
        if self.review.email.is_some() || self.review.visit.is_some() {
            return;
        }
        let place = ReviewerPlace {
            call_id: self.review.open.as_ref().map(|o| o.call.call_id.clone()),
            item_id: self
                .session
                .checklist
                .items
                .get(self.review.item())
                .map(|i| i.id.clone()),
            position_ms: Some(self.listening.place_ms()),
        };
        if self.saved_place.as_ref() == Some(&place) {
            return;
        }
        if self.queue_place(&place) {
            self.saved_place = Some(place);
            return;
        }
        match self.ws.save_place(&self.session.reviewer, &place) {
            Ok(()) => self.saved_place = Some(place),
            // Not the reviewer's work: the message line keeps telling what
            // happened to that, and the place is written again next time.
            Err(e) => eprintln!("callqa: the reviewer's place was not saved: {e}"),
        }
    }

    fn say(&mut self, level: Level, text: String) {
        self.screen.message = Some(Message { level, text });
    }

    pub(super) fn info(&mut self, text: String) {
        self.say(Level::Info, text);
    }

    pub(super) fn warn(&mut self, text: String) {
        self.say(Level::Warning, text);
    }

    /// A change that did not reach the workspace, named with its file.
    pub(super) fn error(&mut self, text: String) {
        let path = self.ws.address().to_string();
        let text = format!("{}: {path}: {text}", self.t().save_failed);
        self.say(Level::Error, text);
    }

    /// A key that needs an open call, pressed with none.
    pub(super) fn no_call(&mut self) {
        let text = if self.queue.is_empty() {
            self.t().empty_queue
        } else {
            self.t().no_call_open
        };
        let text = self.fill_keys(text);
        self.warn(text);
    }

    /// Leave cleanly: time and place written (on PostgreSQL the queue
    /// delivered, as far as the server takes it), the player stopped.
    pub fn shutdown(&mut self) {
        self.flush_time();
        self.save_place();
        self.deliver_now();
        self.listening.send(PlayerCommand::Unload);
    }
}
