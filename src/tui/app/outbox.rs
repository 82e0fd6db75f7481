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
mod tests {
    use super::*;

    fn queued(item: &str, change: Change) -> Queued {
        Queued {
            review: ReviewRef::Id { review_id: 7 },
            checklist: "sales-call".into(),
            version: 1,
            what: What::Change {
                item: item.into(),
                change,
            },
        }
    }

    #[test]
    fn changes_come_back_in_order_and_a_torn_last_line_is_dropped_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let url = &Address::parse("postgresql://qa:secret@db.example/team");
        let (mut outbox, torn) = Outbox::open(dir.path(), url, "anna").unwrap();
        assert!(!torn && outbox.is_empty());
        let greeting = queued("greeting", Change::Answer(Some(AnswerValue::Yes)));
        let comment = queued(
            "needs",
            Change::Comment(Some("asked \"why\"\nтвёрдо".into())),
        );
        outbox.push(greeting.clone()).unwrap();
        outbox.push(comment.clone()).unwrap();
        let text = std::fs::read_to_string(outbox.path()).unwrap();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains(r#""change":{"answer":"yes"}"#), "{text}");
        // A crash in the middle of the third append.
        std::fs::write(outbox.path(), format!("{text}{{\"review_id\":7,\"chec")).unwrap();
        drop(outbox);

        let (mut again, torn) = Outbox::open(dir.path(), url, "anna").unwrap();
        assert!(torn);
        assert_eq!(again.first(), Some(&greeting));
        assert_eq!(again.len(), 2);
        assert_eq!(std::fs::read_to_string(again.path()).unwrap(), text);
        again.pop_delivered().unwrap();
        assert_eq!(again.first(), Some(&comment));
        again.pop_delivered().unwrap();
        assert!(!again.path().exists(), "an empty outbox leaves no file");
    }

    #[test]
    fn a_damaged_line_before_the_last_is_an_error_not_a_silent_loss() {
        let dir = tempfile::tempdir().unwrap();
        let url = &Address::parse("postgresql://qa@db/team");
        let (mut outbox, _) = Outbox::open(dir.path(), url, "anna").unwrap();
        outbox
            .push(queued("greeting", Change::Evidence(Some(1500))))
            .unwrap();
        let text = std::fs::read_to_string(outbox.path()).unwrap();
        std::fs::write(outbox.path(), format!("not json\n{text}")).unwrap();
        drop(outbox);
        let err = Outbox::open(dir.path(), url, "anna")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn the_password_does_not_change_which_file_a_workspace_uses_the_reviewer_does() {
        let dir = Path::new("/outbox");
        let file = |url: &str, reviewer: &str| file_of(dir, &Address::parse(url), reviewer);
        let a = file("postgresql://qa:one@db/team", "anna");
        assert_eq!(a, file("postgresql://qa:two@db/team", "anna"));
        assert_ne!(a, file("postgresql://qa@db/other", "anna"));
        assert_ne!(a, file("postgresql://qa@db/team", "boris"));
    }

    #[test]
    fn a_second_workstation_of_the_reviewer_is_refused_the_file_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let url = &Address::parse("postgresql://qa@db/team");
        let (mut first, _) = Outbox::open(dir.path(), url, "anna").unwrap();
        let err = Outbox::open(dir.path(), url, "anna")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("in use by another workstation of anna"),
            "{err}"
        );
        assert!(
            Outbox::open(dir.path(), url, "boris").is_ok(),
            "another reviewer's file"
        );
        first.release();
        let refused = first.push(queued("greeting", Change::Answer(None)));
        assert!(refused.is_err(), "a released outbox writes nothing");
        assert!(Outbox::open(dir.path(), url, "anna").is_ok());
    }

    #[test]
    fn an_earlier_versions_outbox_of_the_workspace_is_taken_over_first() {
        let dir = tempfile::tempdir().unwrap();
        let url = &Address::parse("postgresql://qa:secret@db/team");
        let (mut mine, _) = Outbox::open(dir.path(), url, "anna").unwrap();
        let later = queued("needs", Change::Answer(Some(AnswerValue::No)));
        mine.push(later.clone()).unwrap();
        drop(mine);
        let earlier = queued("greeting", Change::Answer(Some(AnswerValue::Yes)));
        let before = dir
            .path()
            .join(format!("{}.jsonl", hex_sha256(&url.to_string())));
        let line = serde_json::to_string(&earlier).unwrap();
        std::fs::write(&before, format!("{line}\n")).unwrap();

        let (taken, torn) = Outbox::open(dir.path(), url, "anna").unwrap();
        assert!(!torn);
        assert_eq!(taken.queued, [earlier.clone(), later.clone()]);
        assert!(!before.exists());
        drop(taken);
        let (again, _) = Outbox::open(dir.path(), url, "anna").unwrap();
        assert_eq!(again.queued, [earlier, later], "on disk too");
    }

    /// anna's review of `call` with the sales-call checklist.
    fn review(review_id: i64, call: &str) -> ReviewRecord {
        ReviewRecord {
            review_id,
            subject: Subject::Call(call.into()),
            reviewer: "anna".into(),
            checklist_id: "sales-call".into(),
            checklist_version: 1,
            status: crate::domain::ReviewStatus::InProgress,
            started_at: String::new(),
            submitted_at: None,
            time_spent_ms: 0,
            score: None,
            revision: 1,
            answers: Default::default(),
            quotes: Default::default(),
        }
    }

    #[test]
    fn a_line_written_by_an_earlier_version_still_reads() {
        let line = r#"{"review_id":7,"checklist":"sales-call","version":1,"item":"greeting","change":{"answer":"yes"}}"#;
        let (read, torn) = parse(&format!("{line}\n")).unwrap();
        assert!(!torn);
        let expected = queued("greeting", Change::Answer(Some(AnswerValue::Yes)));
        assert_eq!(read, std::slice::from_ref(&expected));
        assert_eq!(serde_json::to_string(&expected).unwrap(), line);
    }

    #[test]
    fn a_start_its_changes_by_name_and_review_time_round_trip_and_name_their_review() {
        let of = || ReviewRef::Of {
            of: SubjectRef::Call("C-9".into()),
            reviewer: "anna".into(),
        };
        let line = |review: ReviewRef, what: What| Queued {
            review,
            checklist: "sales-call".into(),
            version: 1,
            what,
        };
        let automatic = Answer {
            value: Some(AnswerValue::Na),
            automatic: true,
            ..Answer::default()
        };
        let lines = [
            line(
                of(),
                What::Start {
                    start: vec![("greeting".into(), automatic)],
                },
            ),
            line(
                of(),
                What::Change {
                    item: "needs".into(),
                    change: Change::Answer(Some(AnswerValue::Yes)),
                },
            ),
            line(
                ReviewRef::Id { review_id: 7 },
                What::Time { time_ms: 30500 },
            ),
        ];
        let text: String = lines
            .iter()
            .map(|l| serde_json::to_string(l).unwrap() + "\n")
            .collect();
        assert!(
            text.starts_with(r#"{"of":{"call":"C-9"},"reviewer":"anna","checklist":"sales-call","version":1,"start":[["greeting",{"value":"na""#),
            "{text}"
        );
        assert!(
            text.ends_with(
                "{\"review_id\":7,\"checklist\":\"sales-call\",\"version\":1,\"time_ms\":30500}\n"
            ),
            "{text}"
        );
        let (read, _) = parse(&text).unwrap();
        assert_eq!(read, lines);
        assert_eq!(lines.iter().filter(|l| l.is_answer()).count(), 1);

        let mut review = review(UNSAVED_REVIEW, "C-9");
        assert_eq!(ReviewRef::to(&review), of());
        assert!(lines[0].is_for(&review) && lines[1].is_for(&review));
        assert!(!lines[2].is_for(&review));
        review.reviewer = "boris".into();
        assert!(!lines[1].is_for(&review), "another reviewer's review");
        review.review_id = 7;
        assert!(lines[2].is_for(&review), "an earlier version's line, by id");
    }

    #[test]
    fn a_refused_line_is_moved_aside_with_its_reason_and_the_rest_stay_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = &Address::parse("postgresql://qa@db/team");
        let (mut outbox, _) = Outbox::open(dir.path(), url, "anna").unwrap();
        let first = queued("greeting", Change::Answer(Some(AnswerValue::No)));
        let second = queued("needs", Change::Comment(Some("ok".into())));
        outbox.push(first.clone()).unwrap();
        outbox.push(second.clone()).unwrap();
        let aside = outbox
            .refuse_first("permission denied for table answers")
            .unwrap();
        assert_eq!(outbox.first(), Some(&second));
        drop(outbox);
        let (again, _) = Outbox::open(dir.path(), url, "anna").unwrap();
        assert_eq!(
            again.len(),
            1,
            "the refused line left the outbox on disk too"
        );
        let refused = std::fs::read_to_string(&aside).unwrap();
        assert!(
            aside.to_string_lossy().ends_with(".refused.jsonl"),
            "{aside:?}"
        );
        let value: serde_json::Value = serde_json::from_str(refused.trim_end()).unwrap();
        assert_eq!(value["refused"], "permission denied for table answers");
        assert_eq!(value["item"], "greeting");
        assert_eq!(value["change"]["answer"], "no");
    }

    #[test]
    fn a_report_through_a_line_knows_whether_newer_lines_wait_for_its_review() {
        let dir = tempfile::tempdir().unwrap();
        let url = &Address::parse("postgresql://qa@db/team");
        let (mut outbox, _) = Outbox::open(dir.path(), url, "anna").unwrap();
        let mut other = queued("needs", Change::Answer(None));
        other.review = ReviewRef::Id { review_id: 8 };
        for line in [
            queued("greeting", Change::Answer(None)),
            other,
            queued("needs", Change::Evidence(Some(5))),
        ] {
            outbox.push(line).unwrap();
        }
        let review = review(7, "C-7");
        assert!(outbox.waits_after(&review, 0) && outbox.waits_after(&review, 1));
        assert!(!outbox.waits_after(&review, 2));
        outbox.pop_delivered().unwrap();
        assert_eq!(outbox.first_number(), 1);
        assert!(outbox.waits_after(&review, 0), "numbers outlive the pop");
        assert!(!outbox.waits_after(&review, 2));
        assert_eq!(outbox.answers_waiting(), 2);
    }
}
