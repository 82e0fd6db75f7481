//! The review queue as a view over the workspace, not a copy of it.
//!
//! A large client's workspace holds hundreds of thousands of calls; the
//! workstation shows a screenful. So the queue is read a page at a time in
//! its order (`started_at_utc`, then `call_id`, an index of its own),
//! continued by keyset from a row already shown, and a key press re-reads
//! only the row it changed. Each row carries what the queue pane shows:
//! this reviewer's status and score, and the telephony flags kept in
//! `call_analysis.flags` when an analysis is written, so nothing parses an
//! analysis to draw the queue.
//!
//! One damaged row must not hide the others: a row whose time, status or
//! duration does not read is returned with `problem` naming what is wrong.

use super::db::{OptionalExtension, Row, ValueRef, params};
use super::{Result, Workspace};
use crate::analysis::HealthFlag;
use crate::domain::ReviewStatus;
use crate::domain::crm::{Direction, Timestamp};

/// Whose queue: the reviewer and the analysis version whose flags count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueOf {
    pub reviewer: String,
    pub analysis_version: u32,
}

/// A call's place in queue order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueueKey {
    pub started_at_utc: String,
    pub call_id: String,
}

/// One line of the review queue, for one reviewer.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub key: QueueKey,
    pub call_id: String,
    /// `None` when the stored time does not read (see `problem`).
    pub started_at: Option<Timestamp>,
    pub rep: String,
    pub direction: Direction,
    pub duration_ms: u64,
    pub status: ReviewStatus,
    pub score: Option<f64>,
    pub flags: Vec<HealthFlag>,
    /// What is damaged in this row, if anything.
    pub problem: Option<String>,
}

/// Which page of the queue to read.
#[derive(Debug, Clone, Copy)]
pub enum Page<'a> {
    /// `limit` rows from position `offset` (a walk of the queue index).
    At { offset: usize, limit: usize },
    /// `limit` rows right after `key`.
    After { key: &'a QueueKey, limit: usize },
    /// `limit` rows right before `key`, in queue order.
    Before { key: &'a QueueKey, limit: usize },
}

/// The status is that of the reviewer's latest review of the call, with
/// whichever checklist the call took (sales or telephony: see
/// `SamplingRules::checklist_bucket`).
const SELECT: &str = "SELECT c.started_at_utc, c.call_id, c.started_at, c.rep, c.direction,
        c.duration_ms, r.status, r.score, a.flags
     FROM calls c
     LEFT JOIN reviews r
        ON r.review_id = (SELECT max(s.review_id) FROM reviews s
                          WHERE s.call_id = c.call_id AND s.reviewer = ?1)
     LEFT JOIN call_analysis a
        ON a.call_id = c.call_id AND a.version = ?2
       AND a.recording_path = c.recording_path AND a.duration_ms = c.duration_ms";

/// Not submitted by this reviewer: for "the next call to review".
const OPEN: &str = "NOT EXISTS (SELECT 1 FROM reviews s WHERE s.call_id = c.call_id
        AND s.reviewer = ?1 AND s.status = 'submitted')";

pub(crate) fn page_sql(page: &Page) -> String {
    match page {
        Page::At { .. } => {
            format!("{SELECT} ORDER BY c.started_at_utc, c.call_id LIMIT ?3 OFFSET ?4")
        }
        Page::After { .. } => format!(
            "{SELECT} WHERE (c.started_at_utc, c.call_id) > (?3, ?4)
             ORDER BY c.started_at_utc, c.call_id LIMIT ?5"
        ),
        Page::Before { .. } => format!(
            "{SELECT} WHERE (c.started_at_utc, c.call_id) < (?3, ?4)
             ORDER BY c.started_at_utc DESC, c.call_id DESC LIMIT ?5"
        ),
    }
}

pub(crate) fn next_open_sql() -> String {
    format!(
        "{SELECT} WHERE (c.started_at_utc, c.call_id) > (?3, ?4) AND {OPEN}
         ORDER BY c.started_at_utc, c.call_id LIMIT 1"
    )
}

pub(crate) const ROW_SQL: &str = "WHERE c.call_id = ?3";
pub(crate) const POSITION_SQL: &str =
    "SELECT COUNT(*) FROM calls WHERE (started_at_utc, call_id) < (?1, ?2)";
/// Calls only: the email queue counts its own.
pub(crate) const SUBMITTED_SQL: &str = "SELECT COUNT(*) FROM reviews
     WHERE reviewer = ?1 AND status = 'submitted' AND call_id IS NOT NULL";

/// Text of a column, if it is text (or a number SQLite stored as one).
fn text(row: &Row<'_>, index: usize) -> super::db::Result<Option<String>> {
    Ok(match row.get_ref(index)? {
        ValueRef::Text(t) => Some(t.to_string()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Null | ValueRef::Blob(_) => None,
    })
}

/// Read a row leniently: what does not read is named in `problem`.
fn queue_row(row: &Row<'_>) -> super::db::Result<QueueRow> {
    let mut problems = Vec::new();
    let call_id = text(row, 1)?.unwrap_or_default();
    let key = QueueKey {
        started_at_utc: text(row, 0)?.unwrap_or_default(),
        call_id: call_id.clone(),
    };
    let started = text(row, 2)?.unwrap_or_default();
    let started_at = chrono::DateTime::parse_from_rfc3339(&started)
        .map_err(|_| problems.push(format!("time {started:?}")))
        .ok();
    let direction = text(row, 4)?.unwrap_or_default();
    let direction = Direction::parse(&direction).unwrap_or_else(|| {
        problems.push(format!("direction {direction:?}"));
        Direction::In
    });
    let duration_ms = match row.get_ref(5)? {
        ValueRef::Integer(ms) => ms.max(0) as u64,
        _ => {
            problems.push(format!("duration {:?}", text(row, 5)?.unwrap_or_default()));
            0
        }
    };
    let status = match text(row, 6)? {
        None => ReviewStatus::New,
        Some(s) => s.parse().unwrap_or_else(|_| {
            problems.push(format!("status {s:?}"));
            ReviewStatus::New
        }),
    };
    let score = match row.get_ref(7)? {
        ValueRef::Real(f) => Some(f),
        ValueRef::Integer(i) => Some(i as f64),
        _ => None,
    };
    // Flags only draw a mark: unreadable ones are left out, not an error.
    let flags = text(row, 8)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    Ok(QueueRow {
        key,
        call_id,
        started_at,
        rep: text(row, 3)?.unwrap_or_default(),
        direction,
        duration_ms,
        status,
        score,
        flags,
        problem: (!problems.is_empty()).then(|| problems.join(", ")),
    })
}

impl Workspace {
    /// How many calls the queue has (every call in the workspace).
    pub fn queue_len(&self) -> Result<usize> {
        self.call_count()
    }

    /// How many reviews this reviewer has submitted, either checklist.
    pub fn queue_submitted(&self, of: &QueueOf) -> Result<usize> {
        let n: i64 = self
            .conn()
            .prepare_cached(SUBMITTED_SQL)?
            .query_row(params![of.reviewer], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// One page of the queue, in queue order.
    pub fn queue_page(&self, of: &QueueOf, page: Page) -> Result<Vec<QueueRow>> {
        let mut stmt = self.conn().prepare_cached(&page_sql(&page))?;
        let (r, v) = (&of.reviewer, of.analysis_version);
        let rows = match page {
            Page::At { offset, limit } => {
                stmt.query_map(params![r, v, limit as i64, offset as i64], queue_row)?
            }
            Page::After { key, limit } | Page::Before { key, limit } => stmt.query_map(
                params![r, v, key.started_at_utc, key.call_id, limit as i64],
                queue_row,
            )?,
        };
        let mut rows = rows;
        if matches!(page, Page::Before { .. }) {
            rows.reverse();
        }
        Ok(rows)
    }

    /// The queue row of one call, as a key press left it.
    pub fn queue_row(&self, of: &QueueOf, call_id: &str) -> Result<Option<QueueRow>> {
        Ok(self
            .conn()
            .prepare_cached(&format!("{SELECT} {ROW_SQL}"))?
            .query_row(
                params![of.reviewer, of.analysis_version, call_id],
                queue_row,
            )
            .optional()?)
    }

    /// How many calls come before `key` in the queue: its position.
    pub fn queue_position(&self, key: &QueueKey) -> Result<usize> {
        let n: i64 = self
            .conn()
            .prepare_cached(POSITION_SQL)?
            .query_row(params![key.started_at_utc, key.call_id], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// The first call after `after` (from the start with `None`) that this
    /// reviewer has not submitted.
    pub fn queue_next_open(
        &self,
        of: &QueueOf,
        after: Option<&QueueKey>,
    ) -> Result<Option<QueueRow>> {
        let start = QueueKey {
            started_at_utc: String::new(),
            call_id: String::new(),
        };
        let key = after.unwrap_or(&start);
        Ok(self
            .conn()
            .prepare_cached(&next_open_sql())?
            .query_row(
                params![
                    of.reviewer,
                    of.analysis_version,
                    key.started_at_utc,
                    key.call_id
                ],
                queue_row,
            )
            .optional()?)
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
