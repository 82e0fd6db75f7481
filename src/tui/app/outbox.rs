//! Answers the reviewer gave while the PostgreSQL server was away: kept in
//! a local file until the server takes them, so a server going away
//! mid-review loses nothing (issue 11). On SQLite the workspace is a local
//! file already and no outbox is kept.
//!
//! The file is `<data dir>/outbox/<sha256 of the workspace URL without its
//! password>.jsonl` (one per workspace, the password never on disk). Each
//! line is one change as JSON, in the order the reviewer made them:
//!
//! ```text
//! {"review_id":7,"checklist":"sales-call","version":1,"item":"greeting","change":{"answer":"yes"}}
//! {"review_id":7,"checklist":"sales-call","version":1,"item":"greeting","change":{"comment":"asked twice"}}
//! ```
//!
//! `change` is one of `answer` (`"yes"`, `"no"`, `"na"` or null), `comment`,
//! `evidence` (milliseconds) or `quote`, null clearing it. A line is
//! appended and the file synced before the screen shows the change; a line
//! is removed (the file rewritten, synced and renamed into place) once the
//! server has taken it through the normal store path, history event and
//! all. A crash in the middle of an append leaves a torn last line: it was
//! never shown as queued, so it is dropped, and the workstation says so.
//! A crash between a delivery and the rewrite delivers that change again
//! (one more history event, the same answer).

use super::App;
use crate::domain::AnswerValue;
use crate::store::{Address, AnswerChange, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Queued changes are offered to the server at most this often.
const RETRY: Duration = Duration::from_secs(2);

/// The app's outbox: none on SQLite (or when its file cannot be read: the
/// error says so and changes are refused as before).
#[derive(Debug, Default)]
pub struct OutboxState {
    file: Option<Outbox>,
    last_try: Option<Instant>,
}

impl App {
    /// Use the outbox under `dir` (the data dir's `outbox` folder unless a
    /// test says otherwise) and deliver what an earlier session left.
    pub fn open_outbox(&mut self, dir: &Path) {
        let address = self.ws.address().clone();
        if !matches!(address, Address::Postgres(_)) {
            return;
        }
        match Outbox::open(dir, &address) {
            Ok((outbox, torn)) => {
                let path = outbox.path().display().to_string();
                self.outbox.file = Some(outbox);
                if torn {
                    self.warn(self.t().outbox_torn.replace("{path}", &path));
                }
                self.deliver_queued();
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Changes waiting in the outbox for the server.
    pub fn queued_changes(&self) -> usize {
        self.outbox.file.as_ref().map_or(0, Outbox::len)
    }

    /// A change must wait behind the queued ones, or it would reach the
    /// server before them.
    pub(super) fn must_queue(&self) -> bool {
        self.outbox.file.as_ref().is_some_and(|o| !o.is_empty())
    }

    /// Whether `error` means the server is away (rather than a refusal)
    /// and this workspace keeps an outbox for it.
    pub(super) fn can_queue(&self, error: &anyhow::Error) -> bool {
        let away = error.downcast_ref::<StoreError>().is_some_and(server_away);
        away && self.outbox.file.is_some()
    }

    /// Keep `change` in the outbox and on screen; true if it was kept.
    pub(super) fn queue_change(
        &mut self,
        review_id: i64,
        item_id: &str,
        change: &AnswerChange,
    ) -> bool {
        let checklist = &self.session.checklist;
        let queued = Queued {
            review_id,
            checklist: checklist.id.clone(),
            version: checklist.version,
            item: item_id.to_string(),
            change: change.into(),
        };
        let Some(outbox) = self.outbox.file.as_mut() else {
            return false;
        };
        if let Err(e) = outbox.push(queued) {
            let path = outbox.path.display().to_string();
            self.error(format!("{path}: {e}"));
            return false;
        }
        if let Some(review) = self.review.record_mut() {
            show_unsaved(review, item_id, change);
        }
        self.say_queued();
        true
    }

    fn say_queued(&mut self) {
        let n = self.queued_changes().to_string();
        self.warn(self.t().outbox_queued.replace("{n}", &n));
    }

    /// On the app's tick: offer the queue to the server, at most every
    /// [`RETRY`]; true when the screen changed.
    pub(super) fn retry_queued(&mut self) -> bool {
        let recent = self.outbox.last_try.is_some_and(|t| t.elapsed() < RETRY);
        let due = self.must_queue() && !recent;
        if due {
            self.deliver_queued();
        }
        due
    }

    /// Offer the queue to the server now; true when nothing is left queued.
    pub(super) fn deliver_now(&mut self) -> bool {
        if self.must_queue() {
            self.deliver_queued();
        }
        !self.must_queue()
    }

    /// Deliver the queue in order through the store (history and score as
    /// for any change), each removed once the server has it; stop at the
    /// first that fails.
    fn deliver_queued(&mut self) {
        self.outbox.last_try = Some(Instant::now());
        let mut delivered = false;
        while let Some(queued) = self.outbox.file.as_ref().and_then(|o| o.first().cloned()) {
            let result = self
                .ws
                .checklist(&queued.checklist, queued.version)
                .and_then(|checklist| {
                    let checklist = checklist.ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "checklist {} version {} is not in the workspace",
                            queued.checklist, queued.version
                        ))
                    })?;
                    let change = queued.change.clone().into();
                    self.ws
                        .change_answer(queued.review_id, &checklist, &queued.item, change)
                });
            let path = self
                .outbox
                .file
                .as_ref()
                .map(|o| o.path.display().to_string());
            let path = path.unwrap_or_default();
            match result.map(|_| self.outbox.file.as_mut().map(Outbox::pop_delivered)) {
                Ok(None | Some(Ok(()))) => delivered = true,
                Ok(Some(Err(e))) => {
                    self.error(format!("{path}: {e}"));
                    break;
                }
                Err(e) if server_away(&e) => {
                    self.say_queued();
                    break;
                }
                // Kept, never dropped: the reviewer sees why and where the
                // file is.
                Err(e) => {
                    self.error(format!("{path}: {e}"));
                    break;
                }
            }
        }
        if delivered && !self.must_queue() {
            self.refresh_queue();
            self.info(self.t().outbox_delivered.to_string());
        }
    }
}

/// The server went away or cannot be reached: the change may be made
/// again later, unlike one the server refused.
fn server_away(error: &StoreError) -> bool {
    match error {
        StoreError::Sql(e) | StoreError::In { source: e, .. } => e.is_connection_lost(),
        _ => false,
    }
}

/// What the store will make of `change` once delivered, on screen now.
fn show_unsaved(review: &mut crate::store::ReviewRecord, item_id: &str, change: &AnswerChange) {
    let answer = review.answers.entry(item_id.to_string()).or_default();
    match change.clone() {
        AnswerChange::Value(v) => {
            answer.value = v;
            answer.automatic = false;
        }
        AnswerChange::Comment(c) => answer.comment = c.filter(|c| !c.trim().is_empty()),
        AnswerChange::Evidence(e) => answer.evidence_ms = e,
        AnswerChange::Quote(q) => match q.filter(|q| !q.trim().is_empty()) {
            Some(q) => {
                review.quotes.insert(item_id.to_string(), q);
            }
            None => {
                review.quotes.remove(item_id);
            }
        },
    }
}

/// One queued change to one item of one review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub review_id: i64,
    pub checklist: String,
    pub version: u32,
    pub item: String,
    pub change: Change,
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

/// The changes waiting for one workspace's server, and their file.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    queued: Vec<Queued>,
}

impl Outbox {
    /// The outbox of `workspace` under `dir`, with what an
    /// earlier session left in it. `torn` is true when a torn last line
    /// was dropped (the file is rewritten without it).
    pub fn open(dir: &Path, workspace: &Address) -> std::io::Result<(Outbox, bool)> {
        // Shown without its password, so the password never reaches the disk.
        let hash = Sha256::digest(workspace.to_string().as_bytes());
        let name: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{name}.jsonl"));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let (queued, torn) = parse(&text)
            .map_err(|why| std::io::Error::other(format!("{}: {why}", path.display())))?;
        let outbox = Outbox { path, queued };
        if torn {
            outbox.rewrite()?;
        }
        Ok((outbox, torn))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.queued.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queued.is_empty()
    }

    pub fn first(&self) -> Option<&Queued> {
        self.queued.first()
    }

    /// Append one change and sync it to disk before returning.
    pub fn push(&mut self, queued: Queued) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_string(&queued).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(line.as_bytes())?;
        file.sync_all()?;
        self.queued.push(queued);
        Ok(())
    }

    /// The first change was delivered: forget it, on disk too.
    pub fn pop_delivered(&mut self) -> std::io::Result<()> {
        if !self.queued.is_empty() {
            self.queued.remove(0);
        }
        self.rewrite()
    }

    /// The file as `queued` says (removed when empty), written aside and
    /// renamed so a crash leaves the old file or the new one.
    fn rewrite(&self) -> std::io::Result<()> {
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
            review_id: 7,
            checklist: "sales-call".into(),
            version: 1,
            item: item.into(),
            change,
        }
    }

    #[test]
    fn changes_come_back_in_order_and_a_torn_last_line_is_dropped_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let url = &Address::parse("postgresql://qa:secret@db.example/team");
        let (mut outbox, torn) = Outbox::open(dir.path(), url).unwrap();
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

        let (mut again, torn) = Outbox::open(dir.path(), url).unwrap();
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
        let (mut outbox, _) = Outbox::open(dir.path(), url).unwrap();
        outbox
            .push(queued("greeting", Change::Evidence(Some(1500))))
            .unwrap();
        let text = std::fs::read_to_string(outbox.path()).unwrap();
        std::fs::write(outbox.path(), format!("not json\n{text}")).unwrap();
        let err = Outbox::open(dir.path(), url).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn the_password_does_not_change_which_file_a_workspace_uses() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) =
            Outbox::open(dir.path(), &Address::parse("postgresql://qa:one@db/team")).unwrap();
        let (b, _) =
            Outbox::open(dir.path(), &Address::parse("postgresql://qa:two@db/team")).unwrap();
        let (c, _) = Outbox::open(dir.path(), &Address::parse("postgresql://qa@db/other")).unwrap();
        assert_eq!(a.path(), b.path());
        assert_ne!(a.path(), c.path());
    }
}
