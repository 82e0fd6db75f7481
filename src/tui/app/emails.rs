//! Email review in the workstation: the queue switched to the reps'
//! outgoing emails, an email opened with its whole thread in place of the
//! player, a line cursor in that thread, and `t` quoting the selected line
//! as an item's evidence. The review itself (answers, comments, submit) is
//! the call's code path with an email as its subject (`store::Subject`).
//!
//! The week's plan draws emails too: the reviewer's planned emails lead the
//! queue, marked, and the title counts how many of them are reviewed, as
//! the call queue does for planned calls.

use super::{App, Pane};
use crate::domain::crm::Contact;
use crate::domain::email_checks::spelling::{Misspelling, Speller};
use crate::domain::email_checks::{
    DEFAULT_EMAIL_CHECKLIST_TOML, EmailSettings, automatic_answers, own_text, review_email,
};
use crate::domain::sampling::Period;
use crate::domain::{Answer, ReviewStatus};
use crate::i18n::email::email_strings;
use crate::store::{AnswerChange, ReviewRecord, StoredEmail, Subject};
use crate::text::one_line;
use crate::tui::dictionaries::{Dictionaries, Loaded};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The longest thread line kept (the pane cuts to its width anyway).
const LINE_CHARS: usize = 400;

/// One row of the email queue.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailRow {
    pub message_id: String,
    /// The local date and time the message carries, if any.
    pub sent: Option<String>,
    pub rep: String,
    /// The contact's name, else the first addressee.
    pub contact: String,
    pub subject: String,
    pub status: ReviewStatus,
}

/// The email queue and the open email.
#[derive(Default)]
pub struct EmailsState {
    /// The queue shows emails instead of calls.
    pub shown: bool,
    pub rows: Vec<EmailRow>,
    pub cursor: usize,
    /// The first row on screen, kept between frames like the call queue's.
    pub scroll: Cell<usize>,
    /// The hunspell dictionaries, read when the first email is opened.
    dictionaries: Option<Arc<Loaded>>,
    /// The reviewer's emails of the week's plan, if a plan gives them any.
    pub plan: Option<EmailPlan>,
}

/// A reviewer's planned emails of one period.
pub struct EmailPlan {
    pub period: Period,
    pub message_ids: HashSet<String>,
}

impl EmailsState {
    pub fn planned(&self, message_id: &str) -> bool {
        self.plan
            .as_ref()
            .is_some_and(|p| p.message_ids.contains(message_id))
    }

    /// The plan's period, its emails submitted and its emails in the queue.
    pub fn plan_progress(&self) -> Option<(Period, usize, usize)> {
        let plan = self.plan.as_ref()?;
        let planned = self.rows.iter().filter(|r| self.planned(&r.message_id));
        let (done, total) = planned.fold((0, 0), |(done, total), r| {
            (
                done + usize::from(r.status == ReviewStatus::Submitted),
                total + 1,
            )
        });
        Some((plan.period, done, total))
    }

    pub fn submitted(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == ReviewStatus::Submitted)
            .count()
    }
}

/// What a line of the thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A message's date and sender.
    Header,
    /// The reviewed email's own words.
    Reviewed,
    /// Another message's own words (the client's, or the rep's earlier).
    Context,
    /// A quoted earlier message below a reply.
    Quoted,
}

/// One line of the thread as shown: sanitised, never wrapped, so the line
/// cursor is a row on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadLine {
    pub kind: LineKind,
    pub text: String,
}

pub struct OpenEmail {
    pub email: StoredEmail,
    pub lines: Vec<ThreadLine>,
    /// The line under the cursor.
    pub line: usize,
    pub review: Option<ReviewRecord>,
    /// What the checks answer before the review exists.
    pub automatic: HashMap<String, Answer>,
    pub spelling: SpellingView,
}

/// The spelling of the reviewed email as the thread pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum SpellingView {
    Checked {
        /// The thread line of the reviewed email's first body line.
        body_start: usize,
        /// Each unknown word with the dictionary's suggestions.
        words: Vec<(Misspelling, Vec<String>)>,
    },
    /// Why spelling was not checked (the dictionaries' files).
    NotChecked(String),
}

impl SpellingView {
    /// The unknown words on a thread line, with suggestions.
    pub fn on_line(&self, index: usize) -> Vec<&(Misspelling, Vec<String>)> {
        match self {
            SpellingView::Checked { body_start, words } => words
                .iter()
                .filter(|(m, _)| body_start + m.line == index)
                .collect(),
            SpellingView::NotChecked(_) => vec![],
        }
    }
}

impl OpenEmail {
    pub fn answers(&self) -> &HashMap<String, Answer> {
        self.review.as_ref().map_or(&self.automatic, |r| &r.answers)
    }

    pub fn subject(&self) -> Subject {
        Subject::Email(self.email.email.message_id.clone())
    }

    /// The text of the selected line, if it is a line of words.
    pub fn selected_text(&self) -> Option<&str> {
        let line = self.lines.get(self.line)?;
        let text = line.text.trim();
        (line.kind != LineKind::Header && !text.is_empty()).then_some(text)
    }
}

/// The thread as lines, oldest message first: each message's header, its
/// own words, then what it quotes. The reviewed message's own words are
/// marked so the pane can set them apart.
pub fn thread_lines(thread: &[StoredEmail], reviewed: &str) -> Vec<ThreadLine> {
    let mut lines = Vec::new();
    for message in thread {
        let e = &message.email;
        let when = e
            .date
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let from = if e.from.name.is_empty() {
            e.from.address.clone()
        } else {
            format!("{} <{}>", e.from.name, e.from.address)
        };
        lines.push(ThreadLine {
            kind: LineKind::Header,
            text: one_line(&format!("── {when} {from} ── {}", e.subject), LINE_CHARS),
        });
        let own_lines = own_text(&e.body_text).lines().count();
        let own = if e.message_id == reviewed {
            LineKind::Reviewed
        } else {
            LineKind::Context
        };
        for (index, line) in e.body_text.lines().enumerate() {
            lines.push(ThreadLine {
                kind: if index < own_lines {
                    own
                } else {
                    LineKind::Quoted
                },
                text: one_line(line, LINE_CHARS),
            });
        }
    }
    lines
}

/// The thread line of the reviewed email's first body line: the one after
/// its header.
fn thread_body_start(lines: &[ThreadLine]) -> usize {
    let own = lines.iter().position(|l| l.kind == LineKind::Reviewed);
    let header = own
        .and_then(|own| {
            lines[..own]
                .iter()
                .rposition(|l| l.kind == LineKind::Header)
        })
        .or_else(|| lines.iter().position(|l| l.kind == LineKind::Header));
    header.map_or(0, |h| h + 1)
}

fn contact_of<'a>(email: &StoredEmail, contacts: &'a [Contact]) -> Option<&'a Contact> {
    let id = email.link.contact_id.as_deref()?;
    contacts.iter().find(|c| c.contact_id == id)
}

impl App {
    /// Spell with these dictionaries instead of reading the system's.
    pub fn use_dictionaries(&mut self, loaded: Loaded) {
        self.emails.dictionaries = Some(Arc::new(loaded));
    }

    /// Switch the queue between calls and the reps' emails.
    pub(super) fn toggle_emails(&mut self) {
        let shown = !self.emails.shown;
        if shown && let Err(e) = self.load_email_queue() {
            return self.warn(e.to_string());
        }
        self.emails.shown = shown;
        self.visits.shown = false;
        self.screen.focus = Pane::Queue;
        if shown && self.emails.rows.is_empty() {
            let text = email_strings(self.lang()).no_emails.to_string();
            self.info(text);
        }
    }

    pub(super) fn load_email_queue(&mut self) -> anyhow::Result<()> {
        let emails = self
            .ws
            .outgoing_emails(&self.session.reviewer, &self.session.email.id)?;
        let contacts = self.ws.all_contacts()?;
        let unknown = email_strings(self.lang()).unknown;
        self.emails.rows = emails
            .into_iter()
            .map(|(e, status)| {
                let contact = contact_of(&e, &contacts)
                    .map(|c| c.name.clone())
                    .or_else(|| e.email.to.first().map(|m| m.address.clone()))
                    .unwrap_or_else(|| unknown.to_string());
                EmailRow {
                    sent: e.email.date.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
                    rep: e.link.rep.clone().unwrap_or_else(|| unknown.to_string()),
                    contact,
                    subject: e.email.subject.clone(),
                    message_id: e.email.message_id,
                    status,
                }
            })
            .collect();
        // A shopper's email is reviewed with the mystery items on top.
        let s = &self.session;
        for row in self.emails.rows.iter_mut() {
            if row.status != ReviewStatus::New {
                continue;
            }
            let subject = Subject::Email(row.message_id.clone());
            for checklist in [&s.email_mystery, &s.mystery] {
                if let Some(review) = self.ws.review_of(&subject, &s.reviewer, &checklist.id)? {
                    row.status = review.status;
                    break;
                }
            }
        }
        let this_week = Period::of(chrono::Local::now().date_naive());
        self.emails.plan = self
            .ws
            .reviewer_plan_emails(&self.session.reviewer, this_week)?
            .map(|(period, ids)| EmailPlan {
                period,
                message_ids: ids.into_iter().collect(),
            });
        // The week's work first; each part stays newest first.
        let planned: HashSet<String> = self
            .emails
            .rows
            .iter()
            .filter(|r| self.emails.planned(&r.message_id))
            .map(|r| r.message_id.clone())
            .collect();
        self.emails
            .rows
            .sort_by_key(|r| !planned.contains(&r.message_id));
        let last = self.emails.rows.len().saturating_sub(1);
        self.emails.cursor = self.emails.cursor.min(last);
        Ok(())
    }

    pub(super) fn move_email_cursor(&mut self, down: bool) {
        let last = self.emails.rows.len().saturating_sub(1);
        let cursor = &mut self.emails.cursor;
        *cursor = if down {
            (*cursor + 1).min(last)
        } else {
            cursor.saturating_sub(1)
        };
    }

    /// Move the thread's line cursor.
    pub(super) fn move_thread_line(&mut self, down: bool) {
        let Some(open) = self.review.email.as_mut() else {
            return;
        };
        let last = open.lines.len().saturating_sub(1);
        open.line = if down {
            (open.line + 1).min(last)
        } else {
            open.line.saturating_sub(1)
        };
    }

    /// Open the email under the email queue's cursor: its thread, its
    /// review if there is one, and what the checks answer.
    pub(super) fn open_selected_email(&mut self) {
        let Some(row) = self.emails.rows.get(self.emails.cursor) else {
            return self.info(email_strings(self.lang()).no_emails.to_string());
        };
        let message_id = row.message_id.clone();
        match self.open_email(&message_id) {
            Ok(()) => self.screen.focus = Pane::Player,
            Err(e) => self.warn(e.to_string()),
        }
    }

    pub(super) fn open_email(&mut self, message_id: &str) -> anyhow::Result<()> {
        let Some(email) = self.ws.email(message_id)? else {
            anyhow::bail!("{}", email_strings(self.lang()).email_gone);
        };
        let thread = self.ws.email_thread(&email.link.thread_id)?;
        // A mystery shopper's email is reviewed as an email and for what
        // the shopper saw; one started with another checklist keeps it.
        let visit = self.ws.visit_by_message(message_id)?;
        let s = &self.session;
        let subject = Subject::Email(message_id.to_string());
        let mut review = None;
        let mut checklist = match &visit {
            Some(_) => s.email_mystery.clone(),
            None => s.email.clone(),
        };
        for candidate in [&s.email, &s.email_mystery, &s.mystery] {
            if let Some(found) = self.ws.review_of(&subject, &s.reviewer, &candidate.id)? {
                review = Some(found);
                checklist = candidate.clone();
                break;
            }
        }
        let contacts = self.ws.all_contacts()?;
        let contact = contact_of(&email, &contacts).map(|c| c.name.as_str());
        let settings = EmailSettings::bundled();
        let rep = email.link.rep.as_deref().unwrap_or("");
        let body = &email.email.body_text;
        let mut checks = review_email(body, contact, rep, &settings);
        let lines = thread_lines(&thread, message_id);
        let line = lines
            .iter()
            .position(|l| l.kind == LineKind::Reviewed)
            .unwrap_or(0);
        let dictionaries = self
            .emails
            .dictionaries
            .get_or_insert_with(|| Arc::new(Dictionaries::load()))
            .clone();
        let spelling = match dictionaries.as_ref() {
            Loaded::Ready(dictionaries) => {
                let e = &email.email;
                let names: Vec<&str> = [&e.from]
                    .into_iter()
                    .chain(&e.to)
                    .chain(&e.cc)
                    .map(|m| m.name.as_str())
                    .chain(contact)
                    .chain([rep])
                    .collect();
                checks.check_spelling(body, dictionaries.as_ref(), &settings, &names);
                let words = checks.spelling.clone().unwrap_or_default();
                SpellingView::Checked {
                    body_start: thread_body_start(&lines),
                    words: words
                        .into_iter()
                        .map(|m| {
                            let suggestions = dictionaries.suggest(&m.word);
                            (m, suggestions)
                        })
                        .collect(),
                }
            }
            Loaded::Missing(why) => SpellingView::NotChecked(why.clone()),
        };
        let mut automatic: HashMap<String, Answer> =
            automatic_answers(&checklist, DEFAULT_EMAIL_CHECKLIST_TOML, &checks)
                .into_iter()
                .collect();
        if let Some(visit) = &visit {
            automatic.extend(self.visit_answers(&checklist, &visit.visit)?);
        }
        self.flush_time();
        self.time.restart(std::time::Instant::now());
        self.listening.send(crate::audio::PlayerCommand::Unload);
        self.session.checklist = checklist;
        self.review = super::ReviewState::of_email(OpenEmail {
            email,
            lines,
            line,
            review,
            automatic,
            spelling,
        });
        self.review
            .start_at_first_unanswered(&self.session.checklist);
        Ok(())
    }

    /// After a submit: the next email down the queue this reviewer has not
    /// submitted, as `s` does for calls; at the end of the queue the
    /// submitted one stays open.
    pub(super) fn open_next_open_email(&mut self) {
        let from = self.emails.cursor + 1;
        let next = (self.emails.rows.iter().enumerate().skip(from))
            .find(|(_, r)| r.status != ReviewStatus::Submitted)
            .map(|(i, _)| i);
        if let Some(index) = next {
            self.emails.cursor = index;
            self.open_selected_email();
        }
    }

    /// `t` on an email: the selected thread line becomes the evidence of
    /// the item just answered (or under the cursor).
    pub(super) fn quote_line(&mut self) {
        let Some(text) = self
            .review
            .email
            .as_ref()
            .and_then(|o| o.selected_text().map(str::to_string))
        else {
            let text = email_strings(self.lang()).select_a_line.to_string();
            return self.info(text);
        };
        let item = self.review.target_item();
        if self.change_item(item, AnswerChange::Quote(Some(text.clone()))) {
            let quoted = email_strings(self.lang()).quoted;
            self.info(format!("{quoted} #{}: «{}»", item + 1, one_line(&text, 60)));
        }
    }

    /// Re-read the open email's review and its queue row after a change.
    pub(super) fn refresh_email(&mut self) {
        let (reviewer, checklist_id) = (&self.session.reviewer, &self.session.checklist.id);
        let Some(open) = self.review.email.as_mut() else {
            return;
        };
        match self.ws.review_of(&open.subject(), reviewer, checklist_id) {
            Ok(Some(review)) => {
                let id = open.email.email.message_id.clone();
                if let Some(row) = self.emails.rows.iter_mut().find(|r| r.message_id == id) {
                    row.status = review.status;
                }
                open.review = Some(review);
            }
            Ok(None) => {}
            Err(e) => self.warn(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::{ContactRule, Email, EmailDirection, EmailLink, Mailbox};

    fn stored(id: &str, from: &str, body: &str) -> StoredEmail {
        StoredEmail {
            email: Email {
                message_id: id.into(),
                in_reply_to: None,
                references: vec![],
                from: Mailbox::new("", from),
                to: vec![],
                cc: vec![],
                date: None,
                subject: "Offer\x1b[2J".into(),
                body_text: body.into(),
                attachments: vec![],
                crm: None,
            },
            link: EmailLink {
                message_id: id.into(),
                thread_id: "t".into(),
                direction: EmailDirection::Out,
                rep: None,
                contact_id: None,
                deal_id: None,
                contact_rule: ContactRule::parse("unmatched"),
            },
            source_file: "a.eml".into(),
            source_record: None,
        }
    }

    #[test]
    fn thread_lines_set_the_reviewed_words_apart_and_carry_no_control_characters() {
        let thread = [
            stored("q", "client@x.example", "Price?\x1b]0;pwned\x07"),
            stored("r", "rep@solar-dom.example", "Lars,\r\n10 000.\n> Price?\n"),
        ];
        let lines = thread_lines(&thread, "r");
        let kinds: Vec<LineKind> = lines.iter().map(|l| l.kind).collect();
        use LineKind::*;
        assert_eq!(kinds, [Header, Context, Header, Reviewed, Reviewed, Quoted]);
        for line in &lines {
            assert!(!line.text.chars().any(char::is_control), "{:?}", line.text);
        }
        assert!(lines[1].text.starts_with("Price?"), "{:?}", lines[1].text);
    }
}
