//! What the results report and the per-call export read: submitted reviews
//! with their answers, the call's rep and time, and the audio figures of its
//! current analysis, taken out of the cached JSON by SQLite
//! (`json_extract`), so a report never parses a waveform. Each query is one
//! pass in review or call order; at 10,000 reviews that is well under a
//! second.

use super::{Result, StoreError, Workspace};
use crate::analysis::ANALYSIS_VERSION;
use crate::domain::reps::rep_key;
use crate::domain::results::{AudioFigures, ItemAnswer};
use crate::domain::sampling::Period;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use std::collections::HashMap;

/// A submitted review as stored, before scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportReview {
    pub call_id: String,
    pub rep: String,
    pub reviewer: String,
    /// The call's start as stored (local time with offset).
    pub started_at: String,
    pub checklist_id: String,
    pub checklist_version: u32,
    pub time_spent_ms: u64,
    /// Answers with a value, in no particular order.
    pub answers: Vec<ItemAnswer>,
    pub audio: AudioFigures,
}

impl ReportReview {
    /// The call's own day, from its local start time.
    pub fn day(&self) -> Option<NaiveDate> {
        self.started_at
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

/// A call's figures from its current analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallAudio {
    pub talk_share_rep: Option<f64>,
    pub longest_rep_monologue_ms: Option<u64>,
    pub dead_air_ms: Option<u64>,
    pub interruptions_by_rep: Option<u32>,
    pub interruptions_by_client: Option<u32>,
    pub level_dbfs: Option<f64>,
    /// Flag codes, space-separated.
    pub flags: String,
}

impl CallAudio {
    pub fn figures(&self) -> AudioFigures {
        AudioFigures {
            talk_share_rep: self.talk_share_rep,
            longest_monologue_ms: self.longest_rep_monologue_ms,
            dead_air_ms: self.dead_air_ms,
        }
    }
}

/// One row of `callqa export --per call`: a review of a call, or an
/// analysed call nobody reviewed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRow {
    pub call_id: String,
    pub started_at: String,
    pub rep: String,
    pub duration_ms: u64,
    pub reviewer: Option<String>,
    pub checklist_id: Option<String>,
    pub checklist_version: Option<u32>,
    pub status: Option<String>,
    pub score: Option<f64>,
    /// Items answered "no".
    pub failed_items: Vec<String>,
    pub time_spent_ms: Option<u64>,
    pub audio: Option<CallAudio>,
}

/// The current analysis of `c` as `ca`, with its figures as columns 0..=7
/// after `first`: present, talk share, longest monologue, dead air,
/// interruptions by rep and client, level, flags.
const AUDIO_JOIN: &str = "LEFT JOIN call_analysis ca ON ca.call_id = c.call_id
        AND ca.version = :version AND ca.recording_path = c.recording_path
        AND ca.duration_ms = c.duration_ms";
const AUDIO_COLUMNS: &str = "ca.call_id IS NOT NULL,
        json_extract(ca.result, '$.talk_share_rep'),
        json_extract(ca.result, '$.longest_rep_monologue_ms'),
        json_extract(ca.result, '$.dead_air_total_ms'),
        CASE WHEN json_extract(ca.result, '$.rep') IS NOT NULL
             THEN json_extract(ca.result, '$.interruptions_by_rep') END,
        CASE WHEN json_extract(ca.result, '$.rep') IS NOT NULL
             THEN json_extract(ca.result, '$.interruptions_by_client') END,
        json_extract(ca.result, '$.level_dbfs'),
        (SELECT group_concat(json_extract(f.value, '$.flag'), ' ')
           FROM json_each(COALESCE(ca.flags, '[]')) f)";

fn call_audio(r: &rusqlite::Row, first: usize) -> rusqlite::Result<Option<CallAudio>> {
    if !r.get::<_, bool>(first)? {
        return Ok(None);
    }
    Ok(Some(CallAudio {
        talk_share_rep: r.get(first + 1)?,
        longest_rep_monologue_ms: r.get::<_, Option<i64>>(first + 2)?.map(|v| v.max(0) as u64),
        dead_air_ms: r.get::<_, Option<i64>>(first + 3)?.map(|v| v.max(0) as u64),
        interruptions_by_rep: r.get(first + 4)?,
        interruptions_by_client: r.get(first + 5)?,
        level_dbfs: r.get(first + 6)?,
        flags: r.get::<_, Option<String>>(first + 7)?.unwrap_or_default(),
    }))
}

impl Workspace {
    /// Every submitted review of a call on or before `until` (the call's
    /// local day), with its answered items: the report's history.
    pub fn report_reviews(&self, until: NaiveDate) -> Result<Vec<ReportReview>> {
        let sql = format!(
            "SELECT r.review_id, c.call_id, c.rep, r.reviewer, c.started_at, r.checklist_id,
                    r.checklist_version, r.time_spent_ms, {AUDIO_COLUMNS},
                    a.item_id, a.value, a.comment, a.evidence_ms
             FROM reviews r
             JOIN calls c ON c.call_id = r.call_id
             {AUDIO_JOIN}
             LEFT JOIN answers a ON a.review_id = r.review_id AND a.value IS NOT NULL
             WHERE r.status = 'submitted' AND substr(c.started_at, 1, 10) <= :until
             ORDER BY r.review_id"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::named_params! {
            ":version": ANALYSIS_VERSION,
            ":until": until.to_string(),
        })?;
        let mut reviews: Vec<ReportReview> = Vec::new();
        let mut last_id = None;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if last_id != Some(id) {
                last_id = Some(id);
                reviews.push(ReportReview {
                    call_id: r.get(1)?,
                    rep: r.get(2)?,
                    reviewer: r.get(3)?,
                    started_at: r.get(4)?,
                    checklist_id: r.get(5)?,
                    checklist_version: r.get(6)?,
                    time_spent_ms: r.get::<_, i64>(7)?.max(0) as u64,
                    answers: Vec::new(),
                    audio: call_audio(r, 8)?.map(|a| a.figures()).unwrap_or_default(),
                });
            }
            let Some(item_id) = r.get::<_, Option<String>>(16)? else {
                continue;
            };
            let value: String = r.get(17)?;
            let value = value
                .parse()
                .map_err(|e: String| StoreError::Corrupt(format!("answer of {item_id}: {e}")))?;
            if let Some(review) = reviews.last_mut() {
                review.answers.push(ItemAnswer {
                    item_id,
                    value,
                    comment: r.get(18)?,
                    evidence_ms: r.get::<_, Option<i64>>(19)?.map(|ms| ms.max(0) as u64),
                });
            }
        }
        Ok(reviews)
    }

    /// The local day of the newest call with a submitted review.
    pub fn newest_reviewed_day(&self) -> Result<Option<NaiveDate>> {
        let day: Option<String> = self
            .conn()
            .query_row(
                "SELECT max(substr(c.started_at, 1, 10)) FROM reviews r
                 JOIN calls c ON c.call_id = r.call_id WHERE r.status = 'submitted'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?)
    }

    /// Quality calls the stored weekly plans hold per rep (by
    /// [`rep_key`]) over `weeks`, replaced ones left out; empty where no
    /// plan was drawn.
    pub fn planned_quality_calls(&self, weeks: &[Period]) -> Result<HashMap<String, u32>> {
        let mut planned = HashMap::new();
        if !self.has_table("plan_entries")? {
            return Ok(planned);
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT rep, count(*) FROM plan_entries
             WHERE period = ?1 AND bucket = 'quality' AND replaced IS NULL GROUP BY rep",
        )?;
        for week in weeks {
            let rows = stmt.query_map([week.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
            })?;
            for row in rows {
                let (rep, n) = row?;
                *planned.entry(rep_key(&rep)).or_default() += n;
            }
        }
        Ok(planned)
    }

    /// Each rostered rep's team by [`rep_key`]; empty without a roster.
    pub fn rep_teams(&self) -> Result<HashMap<String, String>> {
        if !self.has_table("reps")? {
            return Ok(HashMap::new());
        }
        let mut stmt = self.conn().prepare("SELECT rep_key, team FROM reps")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A call's figures from its current analysis, if it has one.
    pub fn call_audio(&self, call_id: &str) -> Result<Option<CallAudio>> {
        let sql =
            format!("SELECT {AUDIO_COLUMNS} FROM calls c {AUDIO_JOIN} WHERE c.call_id = :call");
        let mut stmt = self.conn().prepare_cached(&sql)?;
        Ok(stmt
            .query_row(
                rusqlite::named_params! {":version": ANALYSIS_VERSION, ":call": call_id},
                |r| call_audio(r, 0),
            )
            .optional()?
            .flatten())
    }

    /// Every review of every call, and every analysed call without one, in
    /// call order, one at a time (memory stays flat); `each` stops it with
    /// an error. Returns how many rows there were.
    pub fn each_call_row<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(CallRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<usize, E> {
        let sql = format!(
            "SELECT c.call_id, c.started_at, c.rep, c.duration_ms, r.reviewer, r.checklist_id,
                    r.checklist_version, r.status, r.score, r.time_spent_ms,
                    (SELECT group_concat(a.item_id, ' ') FROM answers a
                      WHERE a.review_id = r.review_id AND a.value = 'no'),
                    {AUDIO_COLUMNS}
             FROM calls c
             LEFT JOIN reviews r ON r.call_id = c.call_id
             {AUDIO_JOIN}
             WHERE r.review_id IS NOT NULL OR ca.call_id IS NOT NULL
             ORDER BY c.started_at_utc, c.call_id, r.reviewer, r.checklist_id"
        );
        let mut stmt = self.conn().prepare(&sql).map_err(StoreError::from)?;
        let mut rows = stmt
            .query(rusqlite::named_params! {":version": ANALYSIS_VERSION})
            .map_err(StoreError::from)?;
        let mut count = 0;
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            each(call_row(r).map_err(StoreError::from)?)?;
            count += 1;
        }
        Ok(count)
    }
}

fn call_row(r: &rusqlite::Row) -> rusqlite::Result<CallRow> {
    Ok(CallRow {
        call_id: r.get(0)?,
        started_at: r.get(1)?,
        rep: r.get(2)?,
        duration_ms: r.get::<_, i64>(3)?.max(0) as u64,
        reviewer: r.get(4)?,
        checklist_id: r.get(5)?,
        checklist_version: r.get(6)?,
        status: r.get(7)?,
        score: r.get(8)?,
        time_spent_ms: r.get::<_, Option<i64>>(9)?.map(|ms| ms.max(0) as u64),
        failed_items: r
            .get::<_, Option<String>>(10)?
            .map(|s| s.split(' ').map(String::from).collect())
            .unwrap_or_default(),
        audio: call_audio(r, 11)?,
    })
}
