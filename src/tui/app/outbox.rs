//! The local outbox of a PostgreSQL workspace: every change the reviewer
//! makes to a review waits here, on this computer's disk, until the server
//! has taken it, so a key press never waits on the network and a server
//! going away mid-review loses nothing (issue 11). The workstation appends
//! (`writer.rs` on the UI thread); its writer thread delivers and removes.
//! On SQLite the workspace is a local file already and no outbox is kept.
//!
//! The file is `<data dir>/outbox/<sha256 of the workspace URL without its
//! password, a line end and the reviewer>.jsonl` (one per workspace and
//! reviewer, the password never on disk), held locked (`.lock` next to it)
//! while a workstation writes it, so a second workstation of the same
//! reviewer on the same computer is refused it rather than rewriting it
//! under the first one's feet (that one then writes synchronously). An
//! earlier version's file (`<sha256 of the URL>.jsonl`) is taken over,
//! its lines first. Each line is one change as JSON, in the order the
//! reviewer made them:
//!
//! ```text
//! {"of":{"call":"C-9"},"reviewer":"anna","checklist":"sales-call","version":1,"start":[["greeting",{"value":"na","comment":null,"evidence_ms":null,"automatic":true}]]}
//! {"of":{"call":"C-9"},"reviewer":"anna","checklist":"sales-call","version":1,"item":"needs","change":{"answer":"yes"}}
//! {"review_id":7,"checklist":"sales-call","version":1,"item":"greeting","change":{"comment":"asked twice"}}
//! {"review_id":7,"checklist":"sales-call","version":1,"time_ms":30500}
//! ```
//!
//! Which review a line is for: `review_id` once the screen knows it, or,
//! for a review the server has not made yet, `of` (`call`, `email` or
//! `visit` and its id) with `reviewer` and `checklist`, which name one
//! review as the store does. What the line does is one of:
//! - `start`: make the review (a call's first change), with the answers
//!   rules gave, marked automatic. It is always queued before the first
//!   change that needs it; starting a review that already exists does
//!   nothing, so a review two workstations started is one review.
//! - `item` and `change`: one of `answer` (`"yes"`, `"no"`, `"na"` or
//!   null), `comment`, `evidence` (milliseconds) or `quote`, null clearing it.
//! - `time_ms`: review time to add to the review.
//!
//! A line is appended and the file synced before the screen shows the
//! change; a line is removed (the file rewritten, synced and renamed into
//! place) once the server has taken it through the normal store path,
//! history event and all. A crash in the middle of an append leaves a
//! torn last line: it was never shown as queued, so it is dropped, and
//! the workstation says so. A crash between a delivery and the rewrite
//! delivers that change again (one more history event, the same answer).
//!
//! A line the server refuses (a constraint, a permission, a review that is
//! not there: anything but the connection) would block every line behind
//! it forever if it stayed first. It is moved aside instead: appended, with
//! the server's reason as `refused`, to `<the same name>.refused.jsonl`
//! next to the outbox (synced before the outbox drops it), and the screen
//! says NOT SAVED with the reason and that file. The lines behind it go on.

use crate::domain::{Answer, AnswerValue};
use crate::store::{Address, AnswerChange, ReviewRecord, Subject};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One queued line: which review, and what to do to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    #[serde(flatten)]
    pub review: ReviewRef,
    pub checklist: String,
    pub version: u32,
    #[serde(flatten)]
    pub what: What,
}

/// A review by its id, or by what names it before the server made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ReviewRef {
    Id { review_id: i64 },
    Of { of: SubjectRef, reviewer: String },
}

/// [`Subject`] as the file spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectRef {
    Call(String),
    Email(String),
    Visit(String),
}

/// What a line does to its review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum What {
    Start { start: Vec<(String, Answer)> },
    Change { item: String, change: Change },
    Time { time_ms: u64 },
}

/// [`AnswerChange`] as the file spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Answer(Option<AnswerValue>),
    Comment(Option<String>),
    Evidence(Option<u64>),
    Quote(Option<String>),
}

impl From<&Subject> for SubjectRef {
    fn from(subject: &Subject) -> SubjectRef {
        match subject.clone() {
            Subject::Call(id) => SubjectRef::Call(id),
            Subject::Email(id) => SubjectRef::Email(id),
            Subject::Visit(id) => SubjectRef::Visit(id),
        }
    }
}

impl From<&SubjectRef> for Subject {
    fn from(subject: &SubjectRef) -> Subject {
        match subject.clone() {
            SubjectRef::Call(id) => Subject::Call(id),
            SubjectRef::Email(id) => Subject::Email(id),
            SubjectRef::Visit(id) => Subject::Visit(id),
        }
    }
}

impl From<&AnswerChange> for Change {
    fn from(change: &AnswerChange) -> Change {
        match change.clone() {
            AnswerChange::Value(v) => Change::Answer(v),
            AnswerChange::Comment(c) => Change::Comment(c),
            AnswerChange::Evidence(e) => Change::Evidence(e),
            AnswerChange::Quote(q) => Change::Quote(q),
        }
    }
}

impl From<Change> for AnswerChange {
    fn from(change: Change) -> AnswerChange {
        match change {
            Change::Answer(v) => AnswerChange::Value(v),
            Change::Comment(c) => AnswerChange::Comment(c),
            Change::Evidence(e) => AnswerChange::Evidence(e),
            Change::Quote(q) => AnswerChange::Quote(q),
        }
    }
}

impl ReviewRef {
    /// How a new line names `review`: by what names it, so a line can be
    /// queued before the server has made the review (lines by id are an
    /// earlier version's, still read).
    pub fn to(review: &ReviewRecord) -> ReviewRef {
        ReviewRef::Of {
            of: (&review.subject).into(),
            reviewer: review.reviewer.clone(),
        }
    }
}

/// The id of a review shown on screen before the server made it (the
/// server's ids start at 1).
pub const UNSAVED_REVIEW: i64 = 0;

impl Queued {
    /// A new line doing `what` to `review`.
    pub fn to(review: &ReviewRecord, what: What) -> Queued {
        Queued {
            review: ReviewRef::to(review),
            checklist: review.checklist_id.clone(),
            version: review.checklist_version,
            what,
        }
    }

    /// Whether this line is for `review` (by its id or what names it).
    pub fn is_for(&self, review: &ReviewRecord) -> bool {
        match &self.review {
            ReviewRef::Id { review_id } => *review_id == review.review_id,
            ReviewRef::Of { of, reviewer } => {
                Subject::from(of) == review.subject
                    && *reviewer == review.reviewer
                    && self.checklist == review.checklist_id
            }
        }
    }

    /// An answer's change, as opposed to a start or review time: what the
    /// status line counts.
    pub fn is_answer(&self) -> bool {
        matches!(self.what, What::Change { .. })
    }
}

/// The changes waiting for one workspace's server, and their file.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    queued: Vec<Queued>,
    /// Lines delivered or refused since the file was opened: the first
    /// queued line's number, so a report can say which lines it covers.
    popped: u64,
    /// Held locked while this workstation writes the file.
    lock: Option<File>,
}

/// A refused line as `.refused.jsonl` keeps it: the line and why.
#[derive(Serialize)]
struct Refused<'a> {
    #[serde(flatten)]
    queued: &'a Queued,
    refused: &'a str,
}

impl Outbox {
    /// The outbox of `reviewer` on `workspace` under `dir`, with what an
    /// earlier session left in it (an earlier version's outbox of the
    /// workspace first). `torn` is true when a torn last line was dropped
    /// (the file is rewritten without it). Another workstation of the same
    /// reviewer on the same workspace holding it is an error: two writers
    /// rewriting one file would lose each other's lines.
    pub fn open(
        dir: &Path,
        workspace: &Address,
        reviewer: &str,
    ) -> std::io::Result<(Outbox, bool)> {
        let path = file_of(dir, workspace, reviewer);
        std::fs::create_dir_all(dir)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path.with_extension("lock"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(std::io::Error::other(format!(
                    "{}: in use by another workstation of {reviewer} on this workspace",
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        // Shown without its password, so the password never reaches the disk.
        let before = dir.join(format!("{}.jsonl", hex_sha256(&workspace.to_string())));
        let (mut queued, torn_before) = read_lines(&before)?;
        let (mine, torn) = read_lines(&path)?;
        let adopted = !queued.is_empty();
        queued.extend(mine);
        let outbox = Outbox {
            path,
            queued,
            popped: 0,
            lock: Some(lock),
        };
        if torn || torn_before || adopted {
            outbox.rewrite()?;
        }
        if before.exists() {
            std::fs::remove_file(&before)?;
        }
        Ok((outbox, torn || torn_before))
    }

    /// Let go of the file: the writer is done with it.
    pub fn release(&mut self) {
        self.lock = None;
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where refused lines are moved aside.
    pub fn refused_path(&self) -> PathBuf {
        self.path.with_extension("refused.jsonl")
    }

    pub fn len(&self) -> usize {
        self.queued.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queued.is_empty()
    }

    /// Answers' changes waiting (starts and review time not counted).
    pub fn answers_waiting(&self) -> usize {
        self.queued.iter().filter(|q| q.is_answer()).count()
    }

    pub fn first(&self) -> Option<&Queued> {
        self.queued.first()
    }

    /// The line after the first, if any.
    pub fn second(&self) -> Option<&Queued> {
        self.queued.get(1)
    }

    /// The number of the first queued line (lines are numbered from 0 as
    /// they were queued since the file was opened).
    pub fn first_number(&self) -> u64 {
        self.popped
    }

    /// Whether a line after line `through` waits for `review`.
    pub fn waits_after(&self, review: &ReviewRecord, through: u64) -> bool {
        let after = (through + 1).saturating_sub(self.popped) as usize;
        self.queued.iter().skip(after).any(|q| q.is_for(review))
    }

    /// Append one change and sync it to disk before returning.
    pub fn push(&mut self, queued: Queued) -> std::io::Result<()> {
        if self.lock.is_none() {
            return Err(std::io::Error::other("the outbox was let go"));
        }
        append_line(&self.path, &queued)?;
        self.queued.push(queued);
        Ok(())
    }

    /// The first change was delivered: forget it, on disk too.
    pub fn pop_delivered(&mut self) -> std::io::Result<()> {
        if !self.queued.is_empty() {
            self.queued.remove(0);
            self.popped += 1;
        }
        self.rewrite()
    }

    /// The server refused the first change: keep it, with `why`, in the
    /// refused file (synced), then drop it from the queue. Returns the
    /// refused file.
    pub fn refuse_first(&mut self, why: &str) -> std::io::Result<PathBuf> {
        let path = self.refused_path();
        if let Some(queued) = self.queued.first() {
            append_line(
                &path,
                &Refused {
                    queued,
                    refused: why,
                },
            )?;
        }
        self.pop_delivered()?;
        Ok(path)
    }

    /// The file as `queued` says (removed when empty), written aside and
    /// renamed so a crash leaves the old file or the new one.
    fn rewrite(&self) -> std::io::Result<()> {
        if self.lock.is_none() {
            return Err(std::io::Error::other("the outbox was let go"));
        }
        if self.queued.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let aside = self.path.with_extension("jsonl.new");
        let mut file = File::create(&aside)?;
        for queued in &self.queued {
            let line = serde_json::to_string(queued).map_err(std::io::Error::other)?;
            writeln!(file, "{line}")?;
        }
        file.sync_all()?;
        std::fs::rename(&aside, &self.path)
    }
}

/// The outbox file of `reviewer` on `workspace` under `dir`.
fn file_of(dir: &Path, workspace: &Address, reviewer: &str) -> PathBuf {
    // Shown without its password, so the password never reaches the disk.
    dir.join(format!(
        "{}.jsonl",
        hex_sha256(&format!("{workspace}\n{reviewer}"))
    ))
}

fn hex_sha256(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The lines of the outbox file at `path` (none if there is none), and
/// whether a torn last line was dropped.
fn read_lines(path: &Path) -> std::io::Result<(Vec<Queued>, bool)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    parse(&text).map_err(|why| std::io::Error::other(format!("{}: {why}", path.display())))
}

/// Append `value` as one JSON line to `path` and sync it.
fn append_line(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(value).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(line.as_bytes())?;
    file.sync_all()
}

/// The queued changes in `text`, and whether a torn last line (no line
/// end, not JSON) was dropped. A bad line anywhere else is an error: the
/// file is not what this module writes, and guessing could lose answers.
fn parse(text: &str) -> Result<(Vec<Queued>, bool), String> {
    let mut queued = Vec::new();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(q) => queued.push(q),
            Err(_) if n + 1 == lines.len() && !line.ends_with('\n') => return Ok((queued, true)),
            Err(e) => return Err(format!("line {}: {e}", n + 1)),
        }
    }
    Ok((queued, false))
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
