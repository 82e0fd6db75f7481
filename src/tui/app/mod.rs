//! The workstation's state and what each action does to it. No drawing
//! here (see `ui.rs`), no terminal I/O: tests drive `App` with key events.
//!
//! Every change the reviewer makes is written to the workspace before the
//! screen shows it, so what is on screen is what is on disk.

use super::analyser::{Analyser, Progress};
use super::keymap::{Action, Keymap};
use crate::analysis::{ANALYSIS_VERSION, CallAnalysis, HealthFlag};
use crate::audio::{PlayerCommand, PlayerHandle, PlayerStatus};
use crate::domain::auto_checks::{Facts, automatic_answers};
use crate::domain::crm::{Call, CrmRecord};
use crate::domain::scoring::{Score, score};
use crate::domain::{Answer, AnswerValue, Checklist, Lang, ReviewStatus};
use crate::i18n::{Strings, strings};
use crate::store::{
    AnswerChange, CallLink, Marker, QueueRow, ReviewRecord, ReviewerPlace, Workspace,
};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use std::time::{Duration, Instant};

mod audit;
mod links;
mod listening;
mod review;

pub use audit::{AuditView, Drill};

/// Listening without touching a key for longer than this is not counted
/// as review time unless the call is playing.
const IDLE_CUTOFF: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Queue,
    Player,
    Checklist,
    Crm,
}

impl Pane {
    const ORDER: [Pane; 4] = [Pane::Queue, Pane::Player, Pane::Checklist, Pane::Crm];

    fn step(self, forward: bool) -> Pane {
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
    /// Typing a line of text (comment or marker note); keys are text here.
    Input {
        purpose: Input,
        buffer: String,
    },
    ConfirmSubmit {
        unanswered: usize,
    },
    Help,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Comment,
    /// A marker at this position, with the typed text as its note.
    Marker {
        position_ms: u64,
    },
    /// `CONTACT [DEAL]`: the reviewer's own link for the open call.
    Link,
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

pub struct OpenCall {
    pub call: Call,
    /// The recording's analysis, once the background worker has it.
    pub analysis: Option<CallAnalysis>,
    /// How the call was tied to its CRM records, when a matcher ran.
    pub link: Option<CallLink>,
    /// This reviewer's markers, in call order.
    pub markers: Vec<Marker>,
    pub crm: CrmRecord,
    pub review: Option<ReviewRecord>,
    /// What rules answer before the review exists (shown, stored on the
    /// first change).
    pub automatic: HashMap<String, Answer>,
}

impl OpenCall {
    pub fn answers(&self) -> &HashMap<String, Answer> {
        self.review.as_ref().map_or(&self.automatic, |r| &r.answers)
    }
}

pub struct App {
    pub ws: Workspace,
    pub reviewer: String,
    pub lang: Lang,
    pub checklist: Checklist,
    pub keymap: Keymap,
    pub queue: Vec<QueueRow>,
    pub queue_cursor: usize,
    pub open: Option<OpenCall>,
    pub item_cursor: usize,
    pub focus: Pane,
    pub crm_scroll: u16,
    pub mode: Mode,
    pub message: Option<Message>,
    pub player: PlayerHandle,
    pub player_status: PlayerStatus,
    pub quit: bool,
    /// Background analysis of the recordings, and what it has said so far.
    analyser: Option<Analyser>,
    pub analysis_progress: Progress,
    /// Telephony flags per call, for the queue.
    pub flags: HashMap<String, Vec<HealthFlag>>,
    /// The CRM audit screen, while it is up.
    pub audit: Option<AuditView>,
    /// The speed asked for; the player's status lags behind key repeats.
    speed: f32,
    /// Likewise the volume.
    volume: f32,
    /// Review time not yet written to the workspace.
    pending_time: Duration,
    last_tick: Instant,
    last_key: Instant,
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
        let queue = ws.queue(&reviewer, &checklist.id)?;
        let player_status = player.status();
        let mut app = App {
            ws,
            reviewer,
            lang,
            checklist,
            keymap,
            queue,
            queue_cursor: 0,
            open: None,
            item_cursor: 0,
            focus: Pane::Checklist,
            crm_scroll: 0,
            mode: Mode::Normal,
            message: None,
            player,
            player_status,
            quit: false,
            analyser: None,
            analysis_progress: Progress::default(),
            flags: HashMap::new(),
            audit: None,
            speed: 1.0,
            volume: 1.0,
            pending_time: Duration::ZERO,
            last_tick: Instant::now(),
            last_key: Instant::now(),
        };
        app.open_start_call()?;
        Ok(app)
    }

    /// Analyse recordings in the background (the workstation does; tests
    /// that do not need it leave it off).
    pub fn start_analysis(&mut self) {
        self.load_flags();
        self.analyser = Some(Analyser::start(self.ws.path()));
    }

    fn cached_analysis(&self, call_id: &str) -> Option<CallAnalysis> {
        let json = self.ws.analysis(call_id, ANALYSIS_VERSION).ok()??;
        serde_json::from_str(&json).ok()
    }

    fn load_flags(&mut self) {
        let ids: Vec<String> = self.queue.iter().map(|q| q.call_id.clone()).collect();
        for id in ids {
            if let Some(a) = self.cached_analysis(&id) {
                self.flags.insert(id, a.flags);
            }
        }
    }

    /// Take what the analyser finished; true if the screen changed.
    fn poll_analysis(&mut self) -> bool {
        let Some(analyser) = &self.analyser else {
            return false;
        };
        let progress = analyser.poll();
        let changed = progress != self.analysis_progress;
        for id in &progress.finished {
            if let Some(a) = self.cached_analysis(id) {
                self.flags.insert(id.clone(), a.flags.clone());
                if let Some(open) = self.open.as_mut().filter(|o| &o.call.call_id == id) {
                    open.analysis = Some(a);
                    self.send_skip_ranges();
                }
            }
        }
        self.analysis_progress = progress;
        changed
    }

    pub fn t(&self) -> &'static Strings {
        strings(self.lang)
    }

    /// Where the reviewer left off if that call is still open for review,
    /// else the first call not yet submitted.
    pub(super) fn open_start_call(&mut self) -> anyhow::Result<()> {
        let place = self.ws.place(&self.reviewer)?.unwrap_or_default();
        let from_place = place.call_id.as_ref().and_then(|id| {
            self.queue
                .iter()
                .position(|q| &q.call_id == id && q.status != ReviewStatus::Submitted)
        });
        let index = from_place.or_else(|| {
            self.queue
                .iter()
                .position(|q| q.status != ReviewStatus::Submitted)
        });
        let Some(index) = index.or(if self.queue.is_empty() { None } else { Some(0) }) else {
            self.message = Some(Message {
                level: Level::Warning,
                text: self.t().empty_queue.to_string(),
            });
            return Ok(());
        };
        self.open_call(index)?;
        if from_place.is_some() {
            if let Some(item) = place
                .item_id
                .as_deref()
                .and_then(|id| self.checklist.item_index(id))
            {
                self.item_cursor = item;
            }
            if let Some(ms) = place.position_ms.filter(|ms| *ms > 0) {
                self.player
                    .send(PlayerCommand::Seek(Duration::from_millis(ms)));
            }
        }
        Ok(())
    }

    pub fn open_call(&mut self, index: usize) -> anyhow::Result<()> {
        self.flush_time();
        let Some(row) = self.queue.get(index) else {
            return Ok(());
        };
        let call = self.ws.call(&row.call_id)?;
        let crm = self.ws.crm_for_call(&call)?;
        let review = self
            .ws
            .review(&call.call_id, &self.reviewer, &self.checklist.id)?;
        self.player
            .send(PlayerCommand::Load(call.recording.path.clone().into()));
        self.queue_cursor = index;
        self.crm_scroll = 0;
        let crm_loaded = self.ws.has_crm_data()?;
        let facts = Facts::gather(&call, crm_loaded.then_some(&crm));
        let automatic = automatic_answers(&self.checklist, &facts)
            .into_iter()
            .collect();
        let markers = self.ws.markers(&call.call_id, &self.reviewer)?;
        let link = self.ws.call_link(&call.call_id)?;
        let analysis = self.cached_analysis(&call.call_id);
        self.open = Some(OpenCall {
            call,
            analysis,
            link,
            markers,
            crm,
            review,
            automatic,
        });
        self.item_cursor = self.first_unanswered_from(0).unwrap_or(0);
        self.send_skip_ranges();
        self.save_place();
        Ok(())
    }

    pub fn score(&self) -> Option<Score> {
        Some(score(&self.checklist, self.open.as_ref()?.answers()))
    }

    pub fn review_status(&self) -> ReviewStatus {
        self.open
            .as_ref()
            .and_then(|o| o.review.as_ref())
            .map_or(ReviewStatus::New, |r| r.status)
    }

    pub(super) fn is_answered(&self, index: usize) -> bool {
        let Some(item) = self.checklist.items.get(index) else {
            return true;
        };
        self.open
            .as_ref()
            .and_then(|o| o.answers().get(&item.id))
            .is_some_and(|a| a.value.is_some())
    }

    pub(super) fn first_unanswered_from(&self, start: usize) -> Option<usize> {
        let n = self.checklist.items.len();
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| !self.is_answered(i))
    }

    /// Read the player; true when the screen needs a redraw.
    pub fn tick(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now - self.last_tick;
        self.last_tick = now;
        let analysis_changed = self.poll_analysis();
        let status = self.player.status();
        if status.playing || now - self.last_key < IDLE_CUTOFF {
            self.pending_time += elapsed;
        }
        if self.pending_time > Duration::from_secs(30) {
            self.flush_time();
        }
        let old = &self.player_status;
        let changed = old.playing != status.playing
            || old.position.as_millis() / 100 != status.position.as_millis() / 100
            || old.error != status.error
            || old.duration != status.duration
            || old.speed != status.speed
            || old.finished != status.finished
            || std::mem::discriminant(&old.output) != std::mem::discriminant(&status.output);
        self.player_status = status;
        changed || analysis_changed
    }

    pub(super) fn flush_time(&mut self) {
        let Some(review) = self.open.as_mut().and_then(|o| o.review.as_mut()) else {
            return;
        };
        let ms = self.pending_time.as_millis() as u64;
        if ms == 0 {
            return;
        }
        if self.ws.add_time_spent(review.review_id, ms).is_ok() {
            review.time_spent_ms += ms;
            self.pending_time = Duration::ZERO;
        }
    }

    pub(super) fn save_place(&mut self) {
        let place = ReviewerPlace {
            call_id: self.open.as_ref().map(|o| o.call.call_id.clone()),
            item_id: self
                .checklist
                .items
                .get(self.item_cursor)
                .map(|i| i.id.clone()),
            position_ms: Some(self.player_status.position.as_millis() as u64),
        };
        if let Err(e) = self.ws.save_place(&self.reviewer, &place) {
            self.error(e.to_string());
        }
    }

    pub(super) fn info(&mut self, text: String) {
        self.message = Some(Message {
            level: Level::Info,
            text,
        });
    }

    pub(super) fn error(&mut self, text: String) {
        self.message = Some(Message {
            level: Level::Error,
            text: format!("{}: {text}", self.t().save_failed),
        });
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        self.last_key = Instant::now();
        match self.mode.clone() {
            Mode::Input { purpose, buffer } => self.input_key(key, purpose, buffer),
            Mode::ConfirmSubmit { .. } => {
                let answer = match key.code {
                    KeyCode::Char(c) => super::keymap::latin_for_cyrillic(c).unwrap_or(c),
                    KeyCode::Enter => 'y',
                    _ => 'n',
                };
                self.mode = Mode::Normal;
                if answer.eq_ignore_ascii_case(&'y') {
                    self.submit_now();
                }
            }
            Mode::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')
                ) {
                    self.mode = Mode::Normal;
                }
            }
            Mode::Normal => {
                let action = self.keymap.action(&key);
                if self.audit.is_some() {
                    if key.code == KeyCode::Esc {
                        self.audit_escape();
                        return;
                    }
                    match action {
                        Some(a) if self.audit_action(a) => return,
                        Some(a @ (Action::Help | Action::Quit)) => self.perform(a),
                        _ => {}
                    }
                    return;
                }
                if let Some(action) = action {
                    self.message = None;
                    self.perform(action);
                } else if key.code == KeyCode::Esc {
                    self.message = None;
                }
            }
        }
        if !self.quit {
            self.save_place();
        }
    }

    fn input_key(&mut self, key: KeyEvent, purpose: Input, mut buffer: String) {
        match key.code {
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                let text = Some(buffer.trim().to_string()).filter(|t| !t.is_empty());
                match purpose {
                    Input::Comment => {
                        self.change(AnswerChange::Comment(text));
                    }
                    Input::Marker { position_ms } => self.add_marker(position_ms, text),
                    Input::Link => self.link_by_hand(text.as_deref().unwrap_or("")),
                }
                return;
            }
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Backspace => {
                buffer.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => buffer.clear(),
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && !c.is_control()
                    && buffer.chars().count() < 2000 =>
            {
                buffer.push(c);
            }
            _ => {}
        }
        self.mode = Mode::Input { purpose, buffer };
    }

    pub fn perform(&mut self, action: Action) {
        let seek_by = |ms: i64| PlayerCommand::SeekBy(ms);
        match action {
            Action::PlayPause => self.player.send(PlayerCommand::TogglePause),
            Action::SeekBack => self.player.send(seek_by(-5_000)),
            Action::SeekForward => self.player.send(seek_by(5_000)),
            Action::SeekBackLong => self.player.send(seek_by(-30_000)),
            Action::SeekForwardLong => self.player.send(seek_by(30_000)),
            Action::SeekStart => self.player.send(PlayerCommand::Seek(Duration::ZERO)),
            Action::SlowDown | Action::SpeedUp => self.step_speed(action == Action::SpeedUp),
            Action::Replay => {
                self.player.send(seek_by(-5_000));
                self.player.send(PlayerCommand::Play);
            }
            Action::AddMarker => {
                if self.open.is_some() {
                    let position_ms = self.player.status().position.as_millis() as u64;
                    self.mode = Mode::Input {
                        purpose: Input::Marker { position_ms },
                        buffer: String::new(),
                    };
                }
            }
            Action::NextMarker => self.next_marker(),
            Action::SkipSilence => {
                let on = !self.player.status().skip_silence;
                self.send_skip_ranges();
                self.player.send(PlayerCommand::SetSkipSilence(on));
            }
            Action::Channel => self.next_channel_mode(),
            Action::VolumeDown | Action::VolumeUp => {
                let step = if action == Action::VolumeUp {
                    0.1
                } else {
                    -0.1
                };
                self.volume = (self.volume + step).clamp(0.0, 2.0);
                self.player.send(PlayerCommand::SetVolume(self.volume));
            }
            Action::AutoGain => {
                let on = !self.player.status().auto_gain;
                self.player.send(PlayerCommand::SetAutoGain(on));
            }
            Action::Up | Action::Down => self.move_cursor(action == Action::Down),
            Action::AnswerYes => self.answer(Some(AnswerValue::Yes)),
            Action::AnswerNo => self.answer(Some(AnswerValue::No)),
            Action::AnswerNa => self.answer(Some(AnswerValue::Na)),
            Action::ClearAnswer => self.answer(None),
            Action::JumpItem(n) => {
                let index = n as usize - 1;
                if index < self.checklist.items.len() {
                    self.item_cursor = index;
                    self.focus = Pane::Checklist;
                }
            }
            Action::Comment => {
                if self.writable() {
                    let buffer = self
                        .current_answer()
                        .and_then(|a| a.comment.clone())
                        .unwrap_or_default();
                    self.mode = Mode::Input {
                        purpose: Input::Comment,
                        buffer,
                    };
                }
            }
            Action::StampEvidence => {
                let ms = self.player.status().position.as_millis() as u64;
                if self.change(AnswerChange::Evidence(Some(ms))) {
                    self.info(format!("{} {}", self.t().stamped, crate::text::clock(ms)));
                }
            }
            Action::NextPane => self.focus = self.focus.step(true),
            Action::PrevPane => self.focus = self.focus.step(false),
            Action::OpenCall => {
                if self.focus == Pane::Queue {
                    if let Err(e) = self.open_call(self.queue_cursor) {
                        self.error(e.to_string());
                    }
                    self.focus = Pane::Checklist;
                }
            }
            Action::Submit => self.submit(),
            Action::Reopen => self.reopen(),
            Action::Help => self.mode = Mode::Help,
            Action::Audit => self.open_audit(),
            Action::Sort => {}
            Action::Link => {
                if let Some(open) = &self.open {
                    let buffer = [open.call.contact_id.clone(), open.call.deal_id.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    self.mode = Mode::Input {
                        purpose: Input::Link,
                        buffer,
                    };
                }
            }
            Action::Quit => {
                self.flush_time();
                self.save_place();
                self.quit = true;
            }
        }
    }

    fn move_cursor(&mut self, down: bool) {
        match self.focus {
            Pane::Queue => {
                let n = self.queue.len();
                if n > 0 {
                    self.queue_cursor = if down {
                        (self.queue_cursor + 1).min(n - 1)
                    } else {
                        self.queue_cursor.saturating_sub(1)
                    };
                }
            }
            Pane::Crm => {
                self.crm_scroll = if down {
                    self.crm_scroll.saturating_add(1)
                } else {
                    self.crm_scroll.saturating_sub(1)
                };
            }
            Pane::Checklist | Pane::Player => {
                let n = self.checklist.items.len();
                self.item_cursor = if down {
                    (self.item_cursor + 1).min(n - 1)
                } else {
                    self.item_cursor.saturating_sub(1)
                };
            }
        }
    }

    /// Leave cleanly: time and place written, the player stopped.
    pub fn shutdown(&mut self) {
        self.flush_time();
        self.save_place();
        self.player.send(PlayerCommand::Unload);
    }
}
