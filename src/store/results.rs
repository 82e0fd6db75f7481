//! Reviews as results leave the workstation: one row per answered item;
//! and the results rules (`assets/results.toml`) the workspace uses, kept
//! in it like the sampling rules, so the client's thresholds stay with its
//! workspace once given.

use super::db::{Row, params};
use super::report::EachError;
use super::{Result, StoreError, Workspace};
use crate::domain::results::ResultRules;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub call_id: String,
    pub call_started_at: String,
    pub rep: String,
    pub reviewer: String,
    pub checklist: String,
    pub checklist_version: u32,
    pub item_id: String,
    /// Filled in by the exporter from the checklist in the workspace language.
    pub item_text: String,
    pub answer: Option<String>,
    pub automatic: bool,
    pub comment: Option<String>,
    pub evidence_s: Option<f64>,
    pub review_score: Option<f64>,
    pub review_status: String,
    pub review_revision: i64,
    pub time_spent_s: f64,
    pub reviewed_at: String,
    /// The call's audio metrics, filled in by the exporter from the cached
    /// analysis (empty until the call was analysed).
    pub talk_share_rep: Option<f32>,
    pub longest_rep_monologue_s: Option<f64>,
    pub dead_air_s: Option<f64>,
    pub interruptions_by_rep: Option<u32>,
    pub interruptions_by_client: Option<u32>,
    pub level_dbfs: Option<f32>,
    pub telephony_flags: String,
}

/// The setting that holds the workspace's results rules, as TOML text.
const RESULT_RULES_SETTING: &str = "results_rules";

impl Workspace {
    /// Store the text of the workspace's results rules (checked by
    /// `reports::results::keep_rules`).
    pub fn set_result_rules(&self, toml_text: &str) -> Result<()> {
        self.set_setting(RESULT_RULES_SETTING, toml_text)
    }

    /// The results rules the workspace uses, with their text; `None` until
    /// rules were given (`callqa report --rules`).
    pub fn result_rules(&self) -> Result<Option<(ResultRules, String)>> {
        let Some(text) = self.setting(RESULT_RULES_SETTING)? else {
            return Ok(None);
        };
        let rules = ResultRules::from_toml(&text, "the workspace's results rules")
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some((rules, text)))
    }

    /// Every answer with its review, ordered by call time, then item.
    pub fn result_rows(&self) -> Result<Vec<ResultRow>> {
        let mut rows = Vec::new();
        self.each_result_row(|row| {
            rows.push(row);
            Ok::<_, StoreError>(())
        })?;
        Ok(rows)
    }

    /// [`Self::result_rows`] one at a time, straight from the query, so a
    /// whole workspace can be written out in constant memory; `each`
    /// stops it with an error. Returns how many rows there were.
    pub fn each_result_row<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(ResultRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<usize, E> {
        let mut stmt = self
            .conn()
            .prepare(
                // Reviews of emails come in the same rows: the Message-ID and
                // the sent time in the call's columns, the checklist says which.
                "SELECT c.call_id, c.started_at, c.rep, r.reviewer, r.checklist_id, r.checklist_version,
                    a.item_id, a.value, a.automatic, a.comment, a.evidence_ms, r.score, r.status,
                    r.revision, r.time_spent_ms, COALESCE(r.submitted_at, a.updated_at),
                    c.started_at_utc AS sort_at
             FROM answers a
             JOIN counted_reviews r ON r.review_id = a.review_id
             JOIN calls c ON c.call_id = r.call_id
             WHERE a.value IS NOT NULL OR a.comment IS NOT NULL OR a.evidence_ms IS NOT NULL
             UNION ALL
             SELECT e.message_id, COALESCE(e.sent_at, ''), COALESCE(e.rep, ''), r.reviewer,
                    r.checklist_id, r.checklist_version, a.item_id, a.value, a.automatic, a.comment,
                    a.evidence_ms, r.score, r.status, r.revision, r.time_spent_ms,
                    COALESCE(r.submitted_at, a.updated_at), COALESCE(e.sent_at_utc, '')
             FROM answers a
             JOIN reviews r ON r.review_id = a.review_id
             JOIN emails e ON e.message_id = r.message_id
             WHERE a.value IS NOT NULL OR a.comment IS NOT NULL OR a.evidence_text IS NOT NULL
             ORDER BY sort_at, 1, 4, 7",
            )
            .map_err(StoreError::from)?;
        let mut count = 0;
        stmt.query_each(params![], |r| {
            each(result_row(r)?).map_err(EachError)?;
            count += 1;
            Ok(())
        })
        .map_err(|EachError(e)| e)?;
        Ok(count)
    }
}

fn result_row(r: &Row<'_>) -> super::db::Result<ResultRow> {
    Ok(ResultRow {
        call_id: r.get(0)?,
        call_started_at: r.get(1)?,
        rep: r.get(2)?,
        reviewer: r.get(3)?,
        checklist: r.get(4)?,
        checklist_version: r.get(5)?,
        item_id: r.get(6)?,
        item_text: String::new(),
        answer: r.get(7)?,
        automatic: r.get(8)?,
        comment: r.get(9)?,
        evidence_s: r.get::<_, Option<i64>>(10)?.map(|ms| ms as f64 / 1000.0),
        review_score: r.get(11)?,
        review_status: r.get(12)?,
        review_revision: r.get(13)?,
        time_spent_s: r.get::<_, i64>(14)? as f64 / 1000.0,
        reviewed_at: r.get(15)?,
        talk_share_rep: None,
        longest_rep_monologue_s: None,
        dead_air_s: None,
        interruptions_by_rep: None,
        interruptions_by_client: None,
        level_dbfs: None,
        telephony_flags: String::new(),
    })
}
