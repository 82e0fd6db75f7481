//! Reviews, their answers and the append-only history of every change.
//!
//! `answers` holds the current state; `review_events` holds each change with
//! its old and new value and the review's revision, and each submission with
//! a JSON snapshot, so a reopened review's earlier outcome is never lost.
//!
//! A review is of a call or of an email ([`Subject`]): the same rows, the
//! same history and the same code paths; only the column naming the
//! reviewed thing differs. An email's evidence is a quoted line of its
//! thread (`answers.evidence_text`), a call's a moment (`evidence_ms`).

use super::db::{Db, OptionalExtension, Tx, params};
use super::{Result, StoreError, Workspace, now_text};
use crate::domain::crm::Call;
use crate::domain::scoring::score;
use crate::domain::{Answer, AnswerValue, Checklist, ReviewStatus};
use std::collections::HashMap;

/// What a review is of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Call(String),
    /// An email, by its Message-ID.
    Email(String),
    /// A mystery shopper's visit with no call or email to review.
    Visit(String),
}

impl Subject {
    /// The `reviews` column that names this kind of subject. A constant,
    /// never data, so it is safe inside SQL text.
    fn column(&self) -> &'static str {
        match self {
            Subject::Call(_) => "call_id",
            Subject::Email(_) => "message_id",
            Subject::Visit(_) => "visit_id",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Subject::Call(id) | Subject::Email(id) | Subject::Visit(id) => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRecord {
    pub review_id: i64,
    pub subject: Subject,
    pub reviewer: String,
    pub checklist_id: String,
    pub checklist_version: u32,
    pub status: ReviewStatus,
    pub started_at: String,
    pub submitted_at: Option<String>,
    pub time_spent_ms: u64,
    pub score: Option<f64>,
    pub revision: i64,
    pub answers: HashMap<String, Answer>,
    /// The line of an email quoted as an item's evidence, by item id.
    pub quotes: HashMap<String, String>,
}

/// One edit the reviewer makes to one item.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerChange {
    Value(Option<AnswerValue>),
    Comment(Option<String>),
    Evidence(Option<u64>),
    /// A line of the email's thread as the evidence.
    Quote(Option<String>),
}

/// Where a reviewer was, so reopening the workstation returns there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewerPlace {
    pub call_id: Option<String>,
    pub item_id: Option<String>,
    pub position_ms: Option<u64>,
}

/// One line of history, as `review_events` stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewEvent {
    pub revision: i64,
    pub at: String,
    pub kind: String,
    pub item_id: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

fn log_event(
    tx: &Db,
    review_id: i64,
    kind: &str,
    item_id: Option<&str>,
    old: Option<String>,
    new: Option<String>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO review_events (review_id, revision, at, kind, item_id, old_value, new_value)
         VALUES (?1, (SELECT revision FROM reviews WHERE review_id = ?1), ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![review_id, now_text(), kind, item_id, old, new])?;
    Ok(())
}

type Quotes = HashMap<String, String>;

fn load_answers(tx: &Db, review_id: i64) -> Result<HashMap<String, Answer>> {
    Ok(load_answers_and_quotes(tx, review_id)?.0)
}

fn load_answers_and_quotes(tx: &Db, review_id: i64) -> Result<(HashMap<String, Answer>, Quotes)> {
    let mut stmt = tx.prepare_cached(
        "SELECT item_id, value, comment, evidence_ms, automatic, evidence_text
         FROM answers WHERE review_id = ?1",
    )?;
    let rows = stmt.query_map(params![review_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, bool>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut answers = HashMap::new();
    let mut quotes = HashMap::new();
    for (item, value, comment, evidence, automatic, quote) in rows {
        if let Some(quote) = quote {
            quotes.insert(item.clone(), quote);
        }
        let value = value
            .map(|v| v.parse::<AnswerValue>())
            .transpose()
            .map_err(StoreError::Corrupt)?;
        answers.insert(
            item,
            Answer {
                value,
                comment,
                evidence_ms: evidence.map(|e| e.max(0) as u64),
                automatic,
            },
        );
    }
    Ok((answers, quotes))
}

/// The quoted evidence of one item; the answer row exists by then.
fn write_quote(tx: &Db, review_id: i64, item_id: &str, quote: Option<&str>) -> Result<()> {
    tx.prepare_cached(
        "UPDATE answers SET evidence_text = ?3, updated_at = ?4
         WHERE review_id = ?1 AND item_id = ?2",
    )?
    .execute(params![review_id, item_id, quote, now_text()])?;
    Ok(())
}

fn write_answer(tx: &Db, review_id: i64, item_id: &str, a: &Answer) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO answers (review_id, item_id, value, comment, evidence_ms, automatic, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(review_id, item_id) DO UPDATE SET value = excluded.value,
           comment = excluded.comment, evidence_ms = excluded.evidence_ms,
           automatic = excluded.automatic, updated_at = excluded.updated_at",
    )?
    .execute(params![
            review_id,
            item_id,
            a.value.map(|v| v.code()),
            a.comment,
            a.evidence_ms.map(|e| e as i64),
            a.automatic,
            now_text()
        ],
    )?;
    Ok(())
}

impl Workspace {
    /// A reviewer's review of a call with a checklist.
    pub fn review(
        &self,
        call_id: &str,
        reviewer: &str,
        checklist_id: &str,
    ) -> Result<Option<ReviewRecord>> {
        self.review_of(&Subject::Call(call_id.to_string()), reviewer, checklist_id)
    }

    /// A reviewer's review of a call or an email with a checklist.
    pub fn review_of(
        &self,
        subject: &Subject,
        reviewer: &str,
        checklist_id: &str,
    ) -> Result<Option<ReviewRecord>> {
        let column = subject.column();
        let row = self
            .conn()
            .prepare_cached(&format!(
                "SELECT review_id, checklist_version, status, started_at, submitted_at,
                        time_spent_ms, score, revision
                 FROM reviews WHERE {column} = ?1 AND reviewer = ?2 AND checklist_id = ?3"
            ))?
            .query_row(params![subject.id(), reviewer, checklist_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<f64>>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })
            .optional()?;
        let Some((review_id, version, status, started_at, submitted_at, spent, score, revision)) =
            row
        else {
            return Ok(None);
        };
        let (answers, quotes) = load_answers_and_quotes(self.conn(), review_id)?;
        Ok(Some(ReviewRecord {
            review_id,
            subject: subject.clone(),
            reviewer: reviewer.to_string(),
            checklist_id: checklist_id.to_string(),
            checklist_version: version,
            status: status.parse().map_err(StoreError::Corrupt)?,
            started_at,
            submitted_at,
            time_spent_ms: spent.max(0) as u64,
            score,
            revision,
            answers,
            quotes,
        }))
    }

    /// Make the review on the reviewer's first action, with the answers
    /// rules gave (`domain::auto_checks`), stored marked automatic. Returns
    /// the existing one if it is already there.
    pub fn start_review(
        &mut self,
        call: &Call,
        reviewer: &str,
        checklist: &Checklist,
        automatic: Vec<(String, Answer)>,
    ) -> Result<ReviewRecord> {
        let subject = Subject::Call(call.call_id.clone());
        self.start_review_of(&subject, reviewer, checklist, automatic)
    }

    /// [`Workspace::start_review`] for a call or an email (for an email the
    /// automatic answers are `domain::email_checks`').
    pub fn start_review_of(
        &mut self,
        subject: &Subject,
        reviewer: &str,
        checklist: &Checklist,
        automatic: Vec<(String, Answer)>,
    ) -> Result<ReviewRecord> {
        if let Some(existing) = self.review_of(subject, reviewer, &checklist.id)? {
            return Ok(existing);
        }
        let column = subject.column();
        let tx = self.conn.transaction()?;
        let review_id: i64 = tx.query_row(
            &format!(
                "INSERT INTO reviews ({column}, reviewer, checklist_id, checklist_version, status,
                     started_at)
                 VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5) RETURNING review_id"
            ),
            params![
                subject.id(),
                reviewer,
                checklist.id,
                checklist.version,
                now_text()
            ],
            |r| r.get(0),
        )?;
        log_event(&tx, review_id, "start", None, None, None)?;
        let auto = automatic;
        for (item, answer) in &auto {
            write_answer(&tx, review_id, item, answer)?;
            log_event(
                &tx,
                review_id,
                "auto",
                Some(item),
                None,
                answer.value.map(|v| v.code().to_string()),
            )?;
        }
        let answers: HashMap<String, Answer> = auto.into_iter().collect();
        tx.execute(
            "UPDATE reviews SET score = ?2 WHERE review_id = ?1",
            params![review_id, score(checklist, &answers).percent],
        )?;
        tx.commit()?;
        self.review_of(subject, reviewer, &checklist.id)?
            .ok_or_else(|| StoreError::Corrupt("review vanished after insert".into()))
    }

    /// Apply one change, log it with the old and new value, and store the
    /// new score, all in one commit. Returns the item's new answer.
    pub fn change_answer(
        &mut self,
        review_id: i64,
        checklist: &Checklist,
        item_id: &str,
        change: AnswerChange,
    ) -> Result<Answer> {
        let tx = self.conn.transaction()?;
        let mut answers = load_answers(&tx, review_id)?;
        let mut answer = answers.get(item_id).cloned().unwrap_or_default();
        let (kind, old, new) = match change {
            AnswerChange::Value(v) => {
                let old = answer.value.map(|v| v.code().to_string());
                answer.value = v;
                answer.automatic = false;
                ("answer", old, v.map(|v| v.code().to_string()))
            }
            AnswerChange::Comment(c) => {
                let old = answer.comment.take();
                answer.comment = c.filter(|c| !c.trim().is_empty());
                ("comment", old, answer.comment.clone())
            }
            AnswerChange::Evidence(e) => {
                let old = answer.evidence_ms.map(|e| e.to_string());
                answer.evidence_ms = e;
                ("evidence", old, e.map(|e| e.to_string()))
            }
            AnswerChange::Quote(quote) => {
                return change_quote(tx, review_id, item_id, answer, quote);
            }
        };
        if old == new && kind != "answer" {
            return Ok(answer);
        }
        write_answer(&tx, review_id, item_id, &answer)?;
        log_event(&tx, review_id, kind, Some(item_id), old, new)?;
        answers.insert(item_id.to_string(), answer.clone());
        tx.prepare_cached("UPDATE reviews SET score = ?2 WHERE review_id = ?1")?
            .execute(params![review_id, score(checklist, &answers).percent])?;
        tx.commit()?;
        Ok(answer)
    }

    pub fn add_time_spent(&self, review_id: i64, ms: u64) -> Result<()> {
        self.conn().execute(
            "UPDATE reviews SET time_spent_ms = time_spent_ms + ?2 WHERE review_id = ?1",
            params![review_id, ms as i64],
        )?;
        Ok(())
    }

    /// Submit: status, time and a snapshot of the answers and score in the
    /// history, so a later reopen cannot overwrite what was handed in.
    pub fn submit_review(&mut self, review_id: i64, checklist: &Checklist) -> Result<()> {
        let tx = self.conn.transaction()?;
        let answers = load_answers(&tx, review_id)?;
        let result = score(checklist, &answers);
        let snapshot = serde_json::json!({
            "score": result.percent,
            "answers": answers,
        });
        tx.execute(
            "UPDATE reviews SET status = 'submitted', submitted_at = ?2, score = ?3 WHERE review_id = ?1",
            params![review_id, now_text(), result.percent],
        )?;
        log_event(
            &tx,
            review_id,
            "submit",
            None,
            None,
            Some(snapshot.to_string()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Reopen a submitted review for changes; the revision goes up so the
    /// history tells the rounds apart.
    pub fn reopen_review(&mut self, review_id: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE reviews SET status = 'in_progress', revision = revision + 1
             WHERE review_id = ?1 AND status = 'submitted'",
            params![review_id],
        )?;
        if changed > 0 {
            log_event(&tx, review_id, "reopen", None, None, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn review_events(&self, review_id: i64) -> Result<Vec<ReviewEvent>> {
        let mut stmt = self.conn().prepare(
            "SELECT revision, at, kind, item_id, old_value, new_value FROM review_events
             WHERE review_id = ?1 ORDER BY event_id",
        )?;
        let rows = stmt.query_map(params![review_id], |r| {
            Ok(ReviewEvent {
                revision: r.get(0)?,
                at: r.get(1)?,
                kind: r.get(2)?,
                item_id: r.get(3)?,
                old_value: r.get(4)?,
                new_value: r.get(5)?,
            })
        })?;
        Ok(rows)
    }

    pub fn save_place(&self, reviewer: &str, place: &ReviewerPlace) -> Result<()> {
        // Cached: written on most key presses.
        self.conn()
            .prepare_cached(
                "INSERT INTO reviewer_state (reviewer, call_id, item_id, position_ms, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(reviewer) DO UPDATE SET call_id = excluded.call_id,
               item_id = excluded.item_id, position_ms = excluded.position_ms,
               updated_at = excluded.updated_at",
            )?
            .execute(params![
                reviewer,
                place.call_id,
                place.item_id,
                place.position_ms.map(|p| p as i64),
                now_text()
            ])?;
        Ok(())
    }

    pub fn place(&self, reviewer: &str) -> Result<Option<ReviewerPlace>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT call_id, item_id, position_ms FROM reviewer_state WHERE reviewer = ?1",
                params![reviewer],
                |r| {
                    Ok(ReviewerPlace {
                        call_id: r.get(0)?,
                        item_id: r.get(1)?,
                        position_ms: r.get::<_, Option<i64>>(2)?.map(|p| p.max(0) as u64),
                    })
                },
            )
            .optional()?)
    }
}

/// Quote a line as an item's evidence (or take the quote away), logged like
/// every other change. The score does not depend on it.
fn change_quote(
    tx: Tx<'_>,
    review_id: i64,
    item_id: &str,
    answer: Answer,
    quote: Option<String>,
) -> Result<Answer> {
    let quote = quote.filter(|q| !q.trim().is_empty());
    let (_, quotes) = load_answers_and_quotes(&tx, review_id)?;
    let old = quotes.get(item_id).cloned();
    if old == quote {
        return Ok(answer);
    }
    write_answer(&tx, review_id, item_id, &answer)?;
    write_quote(&tx, review_id, item_id, quote.as_deref())?;
    log_event(&tx, review_id, "quote", Some(item_id), old, quote)?;
    tx.commit()?;
    Ok(answer)
}
