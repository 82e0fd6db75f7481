//! A rep's responses to failed items (from the feedback sheet they filled
//! in): an acknowledgement, or a dispute with a reason, and how the
//! reviewer or lead resolved each dispute. Every step is also an event in
//! the review's history (`review_events`), beside its answer changes, so
//! the history of a score tells the whole story.

use super::db::{OptionalExtension, params};
use super::{Result, StoreError, Workspace, now_text};
use crate::domain::{AnswerValue, Checklist};
use crate::store::{AnswerChange, ReviewEvent};

/// What the rep said about a failed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Response {
    Agree,
    Dispute,
}

impl Response {
    pub fn code(self) -> &'static str {
        match self {
            Response::Agree => "agree",
            Response::Dispute => "dispute",
        }
    }
}

/// How a dispute ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The score stands.
    Upheld,
    /// The answer was changed (through the normal answer path).
    Changed,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Upheld => "upheld",
            Outcome::Changed => "changed",
        }
    }
}

/// How the reviewer or lead ends a dispute: the item's answer from now on
/// ("no" upholds the score) and why, which the rep reads.
#[derive(Debug, Clone, Copy)]
pub struct Resolution<'a> {
    pub by: &'a str,
    pub answer: AnswerValue,
    pub reason: &'a str,
}

impl Resolution<'_> {
    pub fn outcome(&self) -> Outcome {
        match self.answer {
            AnswerValue::No => Outcome::Upheld,
            _ => Outcome::Changed,
        }
    }
}

/// A response as stored, with the review it is about.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemResponse {
    pub review_id: i64,
    pub item_id: String,
    pub call_id: Option<String>,
    pub rep: Option<String>,
    pub reviewer: String,
    pub response: Response,
    pub reason: Option<String>,
    /// Where it was read: file, sheet, row.
    pub source: String,
    pub received_at: String,
    pub outcome: Option<Outcome>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    /// The review's score before and after the resolution (the same when
    /// upheld), from its history; `None` while open.
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
}

/// Review ids by (call, reviewer, item).
pub type FailedItemReviews = std::collections::HashMap<(String, String, String), i64>;

/// What recording one response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// The rep changed their response since the last import.
    Updated,
    /// The same response was already there (a re-import).
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    #[error("no review {0} in the workspace")]
    NoReview(i64),
    #[error("item {item:?} of review {review} was not failed: nothing to respond to")]
    NotFailed { review: i64, item: String },
    #[error(
        "item {item:?} of review {review}: the dispute was already resolved ({outcome}); the new response was not recorded"
    )]
    AlreadyResolved {
        review: i64,
        item: String,
        outcome: &'static str,
    },
    #[error("item {item:?} of review {review}: no open dispute to resolve")]
    NoOpenDispute { review: i64, item: String },
    #[error("a resolution needs a reason")]
    NoReason,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::db::DbError> for ResponseError {
    fn from(e: super::db::DbError) -> Self {
        ResponseError::Store(e.into())
    }
}

const SELECT: &str = "SELECT p.review_id, p.item_id, r.call_id, c.rep, r.reviewer, p.response,
        p.reason, p.source, p.received_at, p.outcome, p.resolution, p.resolved_by, p.resolved_at
     FROM item_responses p
     JOIN reviews r ON r.review_id = p.review_id
     LEFT JOIN calls c ON c.call_id = r.call_id";

fn item_response(r: &super::db::Row<'_>) -> super::db::Result<ItemResponse> {
    let response = match r.get::<_, String>(5)?.as_str() {
        "agree" => Response::Agree,
        _ => Response::Dispute,
    };
    let outcome = r.get::<_, Option<String>>(9)?.map(|o| match o.as_str() {
        "changed" => Outcome::Changed,
        _ => Outcome::Upheld,
    });
    Ok(ItemResponse {
        review_id: r.get(0)?,
        item_id: r.get(1)?,
        call_id: r.get(2)?,
        rep: r.get(3)?,
        reviewer: r.get(4)?,
        response,
        reason: r.get(6)?,
        source: r.get(7)?,
        received_at: r.get(8)?,
        outcome,
        resolution: r.get(10)?,
        resolved_by: r.get(11)?,
        resolved_at: r.get(12)?,
        score_before: None,
        score_after: None,
    })
}

/// The review's submitted score before and after the resolution of the
/// dispute on `item_id`, read from its history: the resolution event comes
/// after the submit that followed the change, and a change reopened the
/// review after the submit before it.
fn scores_around(events: &[ReviewEvent], item_id: &str) -> (Option<f64>, Option<f64>) {
    let resolved = events
        .iter()
        .rposition(|e| e.kind.starts_with("dispute_") && e.item_id.as_deref() == Some(item_id));
    let Some(resolved) = resolved else {
        return (None, None);
    };
    let last_submit = |end: usize| {
        events[..end]
            .iter()
            .rposition(|e| e.kind == "submit")
            .and_then(|i| events[i].new_value.as_deref())
            .and_then(|v| serde_json::from_str::<serde_json::Value>(v).ok())
            .and_then(|v| v["score"].as_f64())
    };
    let after = last_submit(resolved);
    let before = match events[resolved].kind.as_str() {
        "dispute_changed" => events[..resolved]
            .iter()
            .rposition(|e| e.kind == "reopen")
            .and_then(last_submit),
        _ => after,
    };
    (before, after)
}

impl Workspace {
    /// Record the rep's response to a failed item, and its event in the
    /// review's history. The same response again changes nothing, so a
    /// sheet can be imported twice.
    pub fn record_response(
        &self,
        review_id: i64,
        item_id: &str,
        response: Response,
        reason: Option<&str>,
        source: &str,
    ) -> std::result::Result<Recorded, ResponseError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        self.write_batch(|ws| {
            let conn = ws.conn();
            let before = ws.response(review_id, item_id)?;
            // A sheet imported again, even after the dispute was resolved
            // and the item no longer fails, is the same response: nothing new.
            if let Some(old) = &before
                && old.response == response
                && old.reason.as_deref() == reason
            {
                return Ok(Recorded::Unchanged);
            }
            let value: Option<Option<String>> = conn
                .query_row(
                    "SELECT (SELECT value FROM answers WHERE review_id = ?1 AND item_id = ?2)
                     FROM reviews WHERE review_id = ?1",
                    params![review_id, item_id],
                    |r| r.get(0),
                )
                .optional()?;
            match value {
                None => return Err(ResponseError::NoReview(review_id)),
                Some(v) if v.as_deref() != Some(AnswerValue::No.code()) => {
                    return Err(ResponseError::NotFailed {
                        review: review_id,
                        item: item_id.to_string(),
                    });
                }
                Some(_) => {}
            }
            let recorded = match &before {
                None => Recorded::New,
                Some(old) => {
                    if let Some(outcome) = old.outcome {
                        return Err(ResponseError::AlreadyResolved {
                            review: review_id,
                            item: item_id.to_string(),
                            outcome: outcome.code(),
                        });
                    }
                    Recorded::Updated
                }
            };
            conn.execute(
                "INSERT INTO item_responses (review_id, item_id, response, reason, source,
                     received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (review_id, item_id) DO UPDATE SET response = excluded.response,
                   reason = excluded.reason, source = excluded.source,
                   received_at = excluded.received_at",
                params![
                    review_id,
                    item_id,
                    response.code(),
                    reason,
                    source,
                    now_text()
                ],
            )?;
            let kind = match response {
                Response::Agree => "acknowledged",
                Response::Dispute => "disputed",
            };
            let old = before.map(|b| b.response.code().to_string());
            history(
                ws,
                review_id,
                kind,
                item_id,
                old,
                reason.map(str::to_string),
            )?;
            Ok(recorded)
        })
    }

    /// The response to one item, if any.
    pub fn response(&self, review_id: i64, item_id: &str) -> Result<Option<ItemResponse>> {
        let response = self
            .conn()
            .prepare_cached(&format!(
                "{SELECT} WHERE p.review_id = ?1 AND p.item_id = ?2"
            ))?
            .query_row(params![review_id, item_id], item_response)
            .optional()?;
        response.map(|r| self.with_scores(r)).transpose()
    }

    /// A resolved dispute with the scores around its resolution.
    fn with_scores(&self, mut response: ItemResponse) -> Result<ItemResponse> {
        if response.outcome.is_some() {
            let events = self.review_events(response.review_id)?;
            (response.score_before, response.score_after) =
                scores_around(&events, &response.item_id);
        }
        Ok(response)
    }

    /// Every dispute (or only the open ones), oldest first; with
    /// `with_acknowledged`, the acknowledgements too.
    pub fn responses(&self, open_only: bool, with_acknowledged: bool) -> Result<Vec<ItemResponse>> {
        let mut filter = Vec::new();
        if !with_acknowledged {
            filter.push("p.response = 'dispute'");
        }
        if open_only {
            filter.push("p.response = 'dispute' AND p.outcome IS NULL");
        }
        let filter = match filter.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", filter.join(" AND ")),
        };
        let mut stmt = self.conn().prepare(&format!(
            "{SELECT} {filter} ORDER BY p.received_at, p.review_id, p.item_id"
        ))?;
        let rows = stmt.query_map(params![], item_response)?;
        rows.into_iter().map(|r| self.with_scores(r)).collect()
    }

    /// The review behind each failed item of a counted, submitted review of
    /// a call, by (call, reviewer, item): the keys a feedback sheet carries
    /// so the rep's responses can be read back.
    pub fn failed_item_reviews(&self) -> Result<FailedItemReviews> {
        let mut stmt = self.conn().prepare(
            "SELECT r.call_id, r.reviewer, a.item_id, r.review_id
             FROM counted_reviews r JOIN answers a ON a.review_id = r.review_id
             WHERE a.value = 'no' AND r.status = 'submitted' AND r.call_id IS NOT NULL",
        )?;
        let rows = stmt.query_map(params![], |r| {
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?))
        })?;
        Ok(rows.into_iter().collect())
    }

    /// Resolve an open dispute: "no" upholds it and keeps the answer;
    /// another answer changes the item the way the workstation does
    /// (reopen, answer, submit: each an event of the review's history);
    /// then the resolution itself is recorded and logged with its reason.
    pub fn resolve_dispute(
        &mut self,
        review_id: i64,
        item_id: &str,
        resolution: &Resolution,
        checklist: &Checklist,
    ) -> std::result::Result<(), ResponseError> {
        let Resolution { by, answer, reason } = *resolution;
        let outcome = resolution.outcome();
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ResponseError::NoReason);
        }
        let open = self
            .response(review_id, item_id)?
            .filter(|r| r.response == Response::Dispute && r.outcome.is_none());
        if open.is_none() {
            return Err(ResponseError::NoOpenDispute {
                review: review_id,
                item: item_id.to_string(),
            });
        }
        if outcome == Outcome::Changed {
            let submitted: bool = self.conn().query_row(
                "SELECT status = 'submitted' FROM reviews WHERE review_id = ?1",
                params![review_id],
                |r| r.get(0),
            )?;
            self.reopen_review(review_id)?;
            self.change_answer(
                review_id,
                checklist,
                item_id,
                AnswerChange::Value(Some(answer)),
            )?;
            if submitted {
                self.submit_review(review_id, checklist)?;
            }
        }
        self.write_batch(|ws| {
            ws.conn().execute(
                "UPDATE item_responses SET outcome = ?3, resolution = ?4, resolved_by = ?5,
                     resolved_at = ?6
                 WHERE review_id = ?1 AND item_id = ?2",
                params![review_id, item_id, outcome.code(), reason, by, now_text()],
            )?;
            let kind = format!("dispute_{}", outcome.code());
            history(
                ws,
                review_id,
                &kind,
                item_id,
                None,
                Some(format!("{by}: {reason}")),
            )?;
            Ok::<_, ResponseError>(())
        })
    }
}

/// One event of the review's history, at its current revision.
fn history(
    ws: &Workspace,
    review_id: i64,
    kind: &str,
    item_id: &str,
    old: Option<String>,
    new: Option<String>,
) -> Result<()> {
    ws.conn()
        .prepare_cached(
            "INSERT INTO review_events (review_id, revision, at, kind, item_id, old_value,
                 new_value)
             SELECT review_id, revision, ?2, ?3, ?4, ?5, ?6 FROM reviews WHERE review_id = ?1",
        )?
        .execute(params![review_id, now_text(), kind, item_id, old, new])?;
    Ok(())
}

#[cfg(test)]
#[path = "disputes_tests.rs"]
mod tests;
