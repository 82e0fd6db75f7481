//! Calibration sets: calls a lead has several reviewers score blind, so
//! their agreement can be measured (`domain::agreement`).
//!
//! A calibration review (a set member's review of one of the set's calls)
//! is practice, not a verdict on the rep: the view `counted_reviews`
//! (migration 14) leaves it out of the rep's results, unless the lead chose
//! it as the call's agreed version, which then counts once. Blind scoring
//! is enforced here, in [`Workspace::visible_reviews`]: a member sees no
//! other reviewer's answers on a set's call until their own is submitted.

use super::db::{OptionalExtension, params};
use super::{Result, StoreError, Workspace, now_text};
use crate::domain::AnswerValue;
use crate::domain::agreement::ScoredReview;
use crate::store::ReviewRecord;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    #[error("{call}: already a calibration call of set {set:?}; nothing was changed")]
    InAnotherSet { call: String, set: String },
    #[error("{0}: not a calibration call; `callqa calibration mark` makes it one")]
    NotCalibration(String),
    #[error("review {review} is not a review of call {call}; nothing was changed")]
    NotOfThisCall { review: i64, call: String },
    #[error("a calibration set needs a lead and at least one reviewer")]
    NoReviewers,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One call of a set, with the lead's choice.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CalibrationCall {
    pub call_id: String,
    pub rep: String,
    pub started_at: String,
    /// The review the lead chose as the call's agreed version, if any.
    pub agreed_review_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CalibrationSet {
    pub name: String,
    pub lead: String,
    /// The members who score blind, the lead not among them.
    pub reviewers: Vec<String>,
    pub calls: Vec<CalibrationCall>,
}

impl CalibrationSet {
    /// The reviewers and the lead: everyone whose review of a set's call is
    /// a calibration review.
    pub fn members(&self) -> Vec<String> {
        let mut members = self.reviewers.clone();
        if !members.contains(&self.lead) {
            members.push(self.lead.clone());
        }
        members
    }
}

impl Workspace {
    /// Make `calls` calibration calls of `set`, scored by `reviewers` and
    /// led by `lead` (the set's reviewers and lead are the latest given).
    /// All or nothing: an unknown call, or one in another set, changes
    /// nothing.
    pub fn mark_calibration(
        &self,
        set: &str,
        lead: &str,
        reviewers: &[String],
        calls: &[String],
    ) -> std::result::Result<(), CalibrationError> {
        if lead.trim().is_empty() || reviewers.iter().all(|r| r.trim().is_empty()) {
            return Err(CalibrationError::NoReviewers);
        }
        self.write_batch(|ws| {
            let conn = ws.conn();
            let unknown: Vec<String> = calls
                .iter()
                .filter(|call| !ws.call_exists(call).unwrap_or(false))
                .cloned()
                .collect();
            if !unknown.is_empty() {
                return Err(StoreError::UnknownRecords(unknown).into());
            }
            for call in calls {
                if let Some(other) = ws.calibration_set_of(call)?
                    && other != set
                {
                    return Err(CalibrationError::InAnotherSet {
                        call: call.clone(),
                        set: other,
                    });
                }
            }
            conn.execute(
                "INSERT INTO calibration_sets (name, lead, marked_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET lead = excluded.lead",
                params![set, lead, now_text()],
            )
            .map_err(StoreError::from)?;
            conn.execute(
                "DELETE FROM calibration_reviewers WHERE set_name = ?1",
                params![set],
            )
            .map_err(StoreError::from)?;
            for reviewer in reviewers.iter().filter(|r| !r.trim().is_empty()) {
                conn.execute(
                    "INSERT INTO calibration_reviewers (set_name, reviewer) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                    params![set, reviewer.trim()],
                )
                .map_err(StoreError::from)?;
            }
            for call in calls {
                conn.execute(
                    "INSERT INTO calibration_calls (call_id, set_name, marked_at)
                     VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    params![call, set, now_text()],
                )
                .map_err(StoreError::from)?;
            }
            Ok(())
        })
    }

    fn call_exists(&self, call_id: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM calls WHERE call_id = ?1)",
            params![call_id],
            |r| r.get(0),
        )?)
    }

    /// The set a call is a calibration call of, if any.
    pub fn calibration_set_of(&self, call_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT set_name FROM calibration_calls WHERE call_id = ?1")?
            .query_row(params![call_id], |r| r.get(0))
            .optional()?)
    }

    /// Every calibration set with its calls in call order, by name.
    pub fn calibration_sets(&self) -> Result<Vec<CalibrationSet>> {
        let mut sets: Vec<CalibrationSet> = self
            .conn()
            .prepare("SELECT name, lead FROM calibration_sets ORDER BY name")?
            .query_map(params![], |r| {
                Ok(CalibrationSet {
                    name: r.get(0)?,
                    lead: r.get(1)?,
                    reviewers: Vec::new(),
                    calls: Vec::new(),
                })
            })?;
        let mut reviewers = self.conn().prepare(
            "SELECT reviewer FROM calibration_reviewers WHERE set_name = ?1 ORDER BY reviewer",
        )?;
        let mut calls = self.conn().prepare(
            "SELECT k.call_id, c.rep, c.started_at, k.agreed_review_id
             FROM calibration_calls k JOIN calls c ON c.call_id = k.call_id
             WHERE k.set_name = ?1 ORDER BY c.started_at_utc, c.call_id",
        )?;
        for set in &mut sets {
            set.reviewers = reviewers.query_map(params![set.name], |r| r.get(0))?;
            set.calls = calls.query_map(params![set.name], |r| {
                Ok(CalibrationCall {
                    call_id: r.get(0)?,
                    rep: r.get(1)?,
                    started_at: r.get(2)?,
                    agreed_review_id: r.get(3)?,
                })
            })?;
        }
        Ok(sets)
    }

    /// The submitted calibration reviews of a set with one checklist, as
    /// the agreement figures take them.
    pub fn calibration_scores(&self, set: &str, checklist_id: &str) -> Result<Vec<ScoredReview>> {
        let mut stmt = self.conn().prepare(
            "SELECT r.review_id, r.call_id, r.reviewer, r.score, a.item_id, a.value
             FROM calibration_reviews x
             JOIN reviews r ON r.review_id = x.review_id
             LEFT JOIN answers a ON a.review_id = r.review_id AND a.value IS NOT NULL
             WHERE x.set_name = ?1 AND r.checklist_id = ?2 AND r.status = 'submitted'
             ORDER BY r.review_id",
        )?;
        let mut reviews: Vec<ScoredReview> = Vec::new();
        let mut last = None;
        stmt.query_each(params![set, checklist_id], |r| -> Result<()> {
            let id: i64 = r.get(0)?;
            if last != Some(id) {
                last = Some(id);
                reviews.push(ScoredReview {
                    call_id: r.get(1)?,
                    reviewer: r.get(2)?,
                    score: r.get(3)?,
                    answers: HashMap::new(),
                });
            }
            if let (Some(item), Some(value)) = (
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ) {
                let value: AnswerValue = value.parse().map_err(StoreError::Corrupt)?;
                if let Some(review) = reviews.last_mut() {
                    review.answers.insert(item, value);
                }
            }
            Ok(())
        })?;
        Ok(reviews)
    }

    /// The lead's choice of the call's agreed version: a review of this
    /// call, or `None` for "none yet" (then no calibration review of it
    /// counts toward the rep's results).
    pub fn agree_calibration(
        &self,
        call_id: &str,
        review_id: Option<i64>,
    ) -> std::result::Result<(), CalibrationError> {
        if self.calibration_set_of(call_id)?.is_none() {
            return Err(CalibrationError::NotCalibration(call_id.to_string()));
        }
        if let Some(review) = review_id {
            let of_call: Option<Option<String>> = self
                .conn()
                .query_row(
                    "SELECT call_id FROM reviews WHERE review_id = ?1",
                    params![review],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::from)?;
            if of_call.flatten().as_deref() != Some(call_id) {
                return Err(CalibrationError::NotOfThisCall {
                    review,
                    call: call_id.to_string(),
                });
            }
        }
        self.conn()
            .execute(
                "UPDATE calibration_calls SET agreed_review_id = ?2, agreed_at = ?3
                 WHERE call_id = ?1",
                params![call_id, review_id, review_id.map(|_| now_text())],
            )
            .map_err(StoreError::from)?;
        Ok(())
    }

    /// Whether `reviewer` scores `call_id` blind now: it is a calibration
    /// call of a set they are in, and their own review of it is not
    /// submitted.
    pub fn scores_blind(&self, reviewer: &str, call_id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (
                   SELECT 1 FROM calibration_calls k
                   JOIN calibration_sets s ON s.name = k.set_name
                   WHERE k.call_id = ?2
                     AND (s.lead = ?1 OR EXISTS (SELECT 1 FROM calibration_reviewers m
                            WHERE m.set_name = k.set_name AND m.reviewer = ?1))
                     AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = k.call_id
                            AND r.reviewer = ?1 AND r.status = 'submitted'))",
            )?
            .query_row(params![reviewer, call_id], |r| r.get(0))?)
    }

    /// The calls of `set` whose agreement figures `reviewer` may not see
    /// yet: those they still score blind ([`Self::scores_blind`]). Empty for
    /// the set's lead, who always sees them, and for anyone outside the set.
    pub fn figures_hidden_from(&self, reviewer: &str, set: &CalibrationSet) -> Result<Vec<String>> {
        if reviewer == set.lead {
            return Ok(Vec::new());
        }
        let mut hidden = Vec::new();
        for call in &set.calls {
            if self.scores_blind(reviewer, &call.call_id)? {
                hidden.push(call.call_id.clone());
            }
        }
        Ok(hidden)
    }

    /// The reviews of a call `reviewer` may see, own first: all of them,
    /// except while the reviewer scores the call blind ([`Self::scores_blind`]),
    /// when only their own. Every screen and command that shows other
    /// reviewers' answers on a call reads them through here.
    pub fn visible_reviews(&self, reviewer: &str, call_id: &str) -> Result<Vec<ReviewRecord>> {
        let blind = self.scores_blind(reviewer, call_id)?;
        let keys: Vec<(String, String)> = self
            .conn()
            .prepare_cached(
                "SELECT reviewer, checklist_id FROM reviews
                 WHERE call_id = ?1 AND (reviewer = ?2 OR NOT ?3)
                 ORDER BY reviewer <> ?2, reviewer, checklist_id",
            )?
            .query_map(params![call_id, reviewer, blind], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let mut reviews = Vec::with_capacity(keys.len());
        for (who, checklist) in keys {
            if let Some(review) = self.review(call_id, &who, &checklist)? {
                reviews.push(review);
            }
        }
        Ok(reviews)
    }

    /// A review by its id, whoever wrote it.
    pub fn review_by_id(&self, review_id: i64) -> Result<Option<ReviewRecord>> {
        let key: Option<(Option<String>, Option<String>, String, String)> = self
            .conn()
            .query_row(
                "SELECT call_id, message_id, reviewer, checklist_id FROM reviews
                 WHERE review_id = ?1",
                params![review_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((call, message, reviewer, checklist)) = key else {
            return Ok(None);
        };
        let subject = match (call, message) {
            (Some(call), _) => super::Subject::Call(call),
            (None, Some(message)) => super::Subject::Email(message),
            (None, None) => return Err(StoreError::Corrupt(format!("review {review_id}"))),
        };
        self.review_of(&subject, &reviewer, &checklist)
    }
}

#[cfg(test)]
#[path = "calibration_tests.rs"]
mod tests;
