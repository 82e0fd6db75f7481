//! Keys, per screen: each screen asks the keymap's section of its own name
//! what a key means, so the help and hints generated from that section are
//! the whole truth. Ctrl+C quits from every screen, whatever the keymap.

use super::{App, Input, Mode, Pane};
use crate::audio::PlayerCommand;
use crate::domain::AnswerValue;
use crate::store::AnswerChange;
use crate::tui::keymap::{Action, KeySpec, Screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

/// The longest line a text field takes.
const INPUT_CHARS: usize = 2000;

/// Ctrl+C however the terminal reports it: with Shift or Caps Lock
/// (`C`), or on a Russian layout (`с`, `С`).
fn is_ctrl_c(key: &KeyEvent) -> bool {
    let KeyCode::Char(c) = key.code else {
        return false;
    };
    key.modifiers.contains(KeyModifiers::CONTROL)
        && [Some(c), crate::tui::keymap::latin_for_cyrillic(c)]
            .into_iter()
            .flatten()
            .any(|c| c.eq_ignore_ascii_case(&'c'))
}

impl App {
    pub fn handle_key(&mut self, key: KeyEvent) {
        self.note_activity();
        if is_ctrl_c(&key) {
            return self.perform(Action::Quit);
        }
        let screen = self.screen.current();
        let action = self.session.keymap.action(screen, &key);
        match screen {
            Screen::Input => self.input_key(key, action),
            Screen::Confirm => self.confirm_key(action),
            Screen::Help => self.help_key(action),
            Screen::Audit | Screen::Records | Screen::Results => match action {
                Some(Action::Help) => self.open_help(screen),
                Some(Action::Quit) => self.perform(Action::Quit),
                Some(action) if self.screen.audit.is_none() => self.results_action(action),
                Some(action) => self.audit_action(action),
                None => self.unbound(screen, &key),
            },
            Screen::Calibration | Screen::Claims => match action {
                Some(Action::Help) => self.open_help(screen),
                Some(Action::Quit) => self.perform(Action::Quit),
                Some(action) if screen == Screen::Claims => self.claims_action(action),
                Some(action) => self.calibration_action(action),
                None => self.unbound(screen, &key),
            },
            Screen::Main => {
                self.screen.message = None;
                match action {
                    Some(action) => self.perform(action),
                    None => self.unbound(screen, &key),
                }
            }
        }
        if !self.screen.quit {
            self.save_place();
        }
    }

    /// A key the screen has no use for says so, and where the keys are.
    fn unbound(&mut self, screen: Screen, key: &KeyEvent) {
        let spec = KeySpec::from_event(key);
        // Modifier-only and other non-keys from the terminal stay quiet.
        if matches!(spec.code, KeyCode::Null | KeyCode::Modifier(_)) {
            return;
        }
        let help = self
            .session
            .keymap
            .key_for(screen, Action::Help)
            .map_or_else(String::new, |k| k.to_string());
        let text = self
            .t()
            .key_unbound
            .replace("{key}", &spec.to_string())
            .replace("{help}", &help);
        self.info(text);
    }

    fn open_help(&mut self, of: Screen) {
        self.screen.mode = Mode::Help { of, scroll: 0 };
    }

    fn help_key(&mut self, action: Option<Action>) {
        let Mode::Help { scroll, .. } = &mut self.screen.mode else {
            return;
        };
        match action {
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::Down) => *scroll = scroll.saturating_add(1),
            Some(Action::Close) => self.screen.mode = Mode::Normal,
            _ => {}
        }
    }

    fn confirm_key(&mut self, action: Option<Action>) {
        match action {
            Some(Action::Confirm) => {
                self.screen.mode = Mode::Normal;
                self.submit_now();
                self.take_from_pool_when_done();
            }
            Some(Action::Cancel) => self.screen.mode = Mode::Normal,
            _ => {}
        }
    }

    fn input_key(&mut self, key: KeyEvent, action: Option<Action>) {
        let Mode::Input { purpose, .. } = &self.screen.mode else {
            return;
        };
        let purpose = *purpose;
        if purpose == Input::VisitForm {
            match action {
                Some(Action::Save) => return self.enter_visit_field(),
                Some(Action::Cancel) => return self.close_visit_form(),
                Some(Action::NextField | Action::PrevField) => {
                    return self.step_visit_field(action == Some(Action::NextField));
                }
                _ => {}
            }
        }
        let Mode::Input { buffer, .. } = &mut self.screen.mode else {
            return;
        };
        match action {
            Some(Action::Save) => {
                let text = Some(buffer.trim().to_string()).filter(|t| !t.is_empty());
                self.screen.mode = Mode::Normal;
                self.finish_input(purpose, text);
            }
            Some(Action::Cancel) => self.screen.mode = Mode::Normal,
            Some(Action::DeleteChar) => {
                buffer.pop();
            }
            Some(Action::ClearLine) => buffer.clear(),
            _ => {
                let KeyCode::Char(c) = key.code else { return };
                let typed = KeySpec::from_event(&key).is_printable() && !c.is_control();
                let fits = buffer.chars().count() < INPUT_CHARS;
                let digits_only = purpose == Input::GoToItem && !c.is_ascii_digit();
                if typed && fits && !digits_only {
                    buffer.push(c);
                    if purpose == Input::GoToItem {
                        self.go_to_typed_item_when_unambiguous();
                    }
                }
            }
        }
    }

    fn finish_input(&mut self, purpose: Input, text: Option<String>) {
        match purpose {
            Input::Comment { item } => {
                self.change_item(item, AnswerChange::Comment(text));
            }
            Input::Marker { position_ms } => self.add_marker(position_ms, text),
            Input::BestCall { position_ms } => self.mark_best_call(position_ms, text),
            Input::Link => self.link_by_hand(text.as_deref().unwrap_or("")),
            Input::GoToItem => {
                if let Some(n) = text.and_then(|t| t.parse::<usize>().ok()) {
                    self.jump_to_item(n);
                }
            }
            Input::DisputeReason { value } => self.resolve_selected_dispute(value, text),
            Input::Reassign => self.reassign_selected(text),
            // Saved field by field (`visit_form.rs`), never here.
            Input::VisitForm => {}
        }
    }

    /// With 13 items, `4` can only mean item 4 and `12` item 12: go there
    /// without waiting for Enter; `1` waits (1, 10, 11, 12 or 13).
    fn go_to_typed_item_when_unambiguous(&mut self) {
        let Mode::Input { buffer, .. } = &self.screen.mode else {
            return;
        };
        let Ok(n) = buffer.parse::<usize>() else {
            return;
        };
        if n.saturating_mul(10) > self.session.checklist.items.len() {
            self.screen.mode = Mode::Normal;
            self.jump_to_item(n);
        }
    }

    fn jump_to_item(&mut self, n: usize) {
        let count = self.session.checklist.items.len();
        if (1..=count).contains(&n) {
            self.review.set_item(n - 1);
            self.screen.focus = Pane::Checklist;
        } else {
            let text = self
                .t()
                .no_such_item
                .replace("{n}", &n.to_string())
                .replace("{count}", &count.to_string());
            self.info(text);
        }
    }

    fn start_input(&mut self, purpose: Input, buffer: String) {
        self.screen.mode = Mode::Input { purpose, buffer };
    }

    /// What a main-screen action does.
    pub fn perform(&mut self, action: Action) {
        let seek_by = PlayerCommand::SeekBy;
        match action {
            Action::PlayPause => self.listening.send(PlayerCommand::TogglePause),
            Action::SeekBack => self.listening.send(seek_by(-5_000)),
            Action::SeekForward => self.listening.send(seek_by(5_000)),
            Action::SeekBackLong => self.listening.send(seek_by(-30_000)),
            Action::SeekForwardLong => self.listening.send(seek_by(30_000)),
            Action::SeekStart => self.listening.send(PlayerCommand::Seek(Duration::ZERO)),
            Action::SlowDown | Action::SpeedUp => self.step_speed(action == Action::SpeedUp),
            Action::Replay => {
                self.listening.send(seek_by(-5_000));
                self.listening.send(PlayerCommand::Play);
            }
            Action::AddMarker => {
                if self.review.open.is_none() {
                    return self.no_call();
                }
                let position_ms = self.listening.position_ms();
                self.start_input(Input::Marker { position_ms }, String::new());
            }
            Action::BestCall => {
                let Some(open) = &self.review.open else {
                    return self.no_call();
                };
                // Marked before: its reason to edit, its moment kept.
                let (position_ms, reason) = match &open.best {
                    Some(best) => (best.position_ms, best.reason.clone()),
                    None => (self.listening.position_ms(), String::new()),
                };
                self.start_input(Input::BestCall { position_ms }, reason);
            }
            Action::NextMarker => self.next_marker(),
            Action::SkipSilence => self.toggle_skip_silence(),
            Action::Channel => self.next_channel_mode(),
            Action::VolumeDown | Action::VolumeUp => self.step_volume(action == Action::VolumeUp),
            Action::AutoGain => self.toggle_auto_gain(),
            Action::Up | Action::Down => self.move_cursor(action == Action::Down),
            Action::AnswerYes => self.answer(Some(AnswerValue::Yes)),
            Action::AnswerNo => self.answer(Some(AnswerValue::No)),
            Action::AnswerNa => self.answer(Some(AnswerValue::Na)),
            Action::ClearAnswer => self.answer(None),
            Action::JumpItem(n) => self.jump_to_item(n as usize),
            Action::GoToItem => self.start_input(Input::GoToItem, String::new()),
            Action::Comment => self.start_comment(),
            Action::StampEvidence => self.stamp_evidence(),
            Action::NextPane => self.screen.focus = self.screen.focus.step(true),
            Action::PrevPane => self.screen.focus = self.screen.focus.step(false),
            Action::OpenCall => self.open_selected_call(),
            Action::Submit => {
                self.submit();
                self.take_from_pool_when_done();
            }
            Action::PauseAnalysis => self.toggle_analysis_pause(),
            Action::Reopen => self.reopen(),
            Action::Help => self.open_help(Screen::Main),
            Action::Audit => self.open_audit(),
            Action::Results => self.open_results(),
            Action::Calibration => self.open_calibration(),
            Action::Claims => self.open_claims(),
            Action::EmailsView => self.toggle_emails(),
            Action::VisitsView => self.toggle_visits(),
            Action::NewVisit => self.open_visit_form(),
            Action::PlanView => {
                if let Err(e) = self.toggle_plan() {
                    self.warn(e.to_string());
                }
            }
            Action::Link => match &self.review.open {
                Some(open) => {
                    let buffer = [open.call.contact_id.clone(), open.call.deal_id.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    self.start_input(Input::Link, buffer);
                }
                None => self.no_call(),
            },
            Action::Dismiss => self.screen.message = None,
            Action::Quit => {
                self.flush_time();
                self.save_place();
                self.screen.quit = true;
            }
            // Other screens' actions, should a keymap put them here.
            _ => {}
        }
    }

    /// A comment on the item just answered, or else the one under the
    /// cursor, starting from its stored comment.
    fn start_comment(&mut self) {
        if !self.writable() {
            return;
        }
        let item = self.review.target_item();
        let buffer = self
            .review
            .answer_of(&self.session.checklist, item)
            .and_then(|a| a.comment.clone())
            .unwrap_or_default();
        self.start_input(Input::Comment { item }, buffer);
    }

    fn open_selected_call(&mut self) {
        if self.screen.focus != Pane::Queue {
            let text = self.fill_keys(self.t().open_from_queue);
            return self.info(text);
        }
        if self.emails.shown {
            return self.open_selected_email();
        }
        if self.visits.shown {
            return self.open_selected_visit();
        }
        if self.queue.is_empty() {
            return self.no_call();
        }
        self.open_call_or_say(self.queue.cursor);
        self.screen.focus = Pane::Checklist;
    }

    fn move_cursor(&mut self, down: bool) {
        match self.screen.focus {
            Pane::Queue if self.emails.shown => self.move_email_cursor(down),
            Pane::Queue if self.visits.shown => self.move_visit_cursor(down),
            Pane::Player if self.review.email.is_some() => self.move_thread_line(down),
            Pane::Queue => {
                let cursor = self.queue.cursor;
                let to = if down {
                    cursor + 1
                } else {
                    cursor.saturating_sub(1)
                };
                if let Err(e) = self.select(to) {
                    self.warn(e.to_string());
                }
                self.want_analysis();
            }
            Pane::Crm => {
                let scroll = &mut self.review.crm_scroll;
                *scroll = if down {
                    scroll.saturating_add(1)
                } else {
                    scroll.saturating_sub(1)
                };
            }
            Pane::Checklist | Pane::Player => {
                let n = self.session.checklist.items.len();
                let item = self.review.item();
                self.review.set_item(if down {
                    (item + 1).min(n.saturating_sub(1))
                } else {
                    item.saturating_sub(1)
                });
            }
        }
    }
}
