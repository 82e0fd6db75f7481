//! What the results report and the per-call export read: submitted reviews
//! with their answers, the call's rep and time, and the audio figures of its
//! current analysis, taken out of the cached JSON by the database
//! (`dialect::json_number`), so a report never parses a waveform. Each query is one
//! pass in review or call order; at 10,000 reviews that is well under a
//! second.

use super::db::dialect::{self, Dialect};
use super::db::{OptionalExtension, Row, params};
use super::{Result, StoreError, Workspace};
use crate::analysis::ANALYSIS_VERSION;
use crate::domain::mystery::Channel;
use crate::domain::reps::rep_key;
use crate::domain::results::{AudioFigures, ItemAnswer};
use crate::domain::sampling::Period;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A submitted review as stored, before scoring: of a call, or of an
/// email (then `rep` is the email's, `started_at` its sent time).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportReview {
    /// The call, or the email's Message-ID.
    pub call_id: String,
    pub channel: Channel,
    pub rep: String,
    pub reviewer: String,
    /// The call's start or the email's sending as stored (local time with
    /// offset).
    pub started_at: String,
    pub checklist_id: String,
    pub checklist_version: u32,
    pub time_spent_ms: u64,
    /// Answers with a value, in no particular order.
    pub answers: Vec<ItemAnswer>,
    pub audio: AudioFigures,
}

impl ReportReview {
    /// The call's (or email's) own day, from its local time.
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
        AND ca.version = ?1 AND ca.recording_path = c.recording_path
        AND ca.duration_ms = c.duration_ms";
static AUDIO_COLUMNS: LazyLock<[String; 2]> = LazyLock::new(|| {
    Dialect::ALL.map(|d| {
        let number = |key| dialect::json_number(d, "ca.result", key);
        format!(
            "ca.call_id IS NOT NULL, {}, {}, {},
        CASE WHEN {} IS NOT NULL THEN {} END,
        CASE WHEN {} IS NOT NULL THEN {} END,
        {}, {}",
            number("talk_share_rep"),
            number("longest_rep_monologue_ms"),
            number("dead_air_total_ms"),
            dialect::json_text(d, "ca.result", "rep"),
            number("interruptions_by_rep"),
            dialect::json_text(d, "ca.result", "rep"),
            number("interruptions_by_client"),
            number("level_dbfs"),
            dialect::json_members_joined(d, "ca.flags", "flag", " "),
        )
    })
});

fn call_audio(r: &Row<'_>, first: usize) -> super::db::Result<Option<CallAudio>> {
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
    /// local day), with its answered items: the report's history; then
    /// those of the emails a rep sent on or before `until`.
    pub fn report_reviews(&self, until: NaiveDate) -> Result<Vec<ReportReview>> {
        let audio_columns = self.audio_columns();
        let calls = format!(
            "SELECT r.review_id, c.call_id, c.rep, r.reviewer, c.started_at, r.checklist_id,
                    r.checklist_version, r.time_spent_ms,
                    a.item_id, a.value, a.comment, a.evidence_ms, a.evidence_text,
                    {audio_columns}
             FROM counted_reviews r
             JOIN calls c ON c.call_id = r.call_id
             {AUDIO_JOIN}
             LEFT JOIN answers a ON a.review_id = r.review_id AND a.value IS NOT NULL
             WHERE r.status = 'submitted' AND substr(c.started_at, 1, 10) <= ?2
             ORDER BY r.review_id"
        );
        let mut reviews = self.read_report_reviews(&calls, Channel::Call, until)?;
        // A rep's own (outgoing) email is what is reviewed; one without a
        // rep or a sent time is in no rep's period.
        let emails = "SELECT r.review_id, e.message_id, e.rep, r.reviewer, e.sent_at,
                    r.checklist_id, r.checklist_version, r.time_spent_ms,
                    a.item_id, a.value, a.comment, a.evidence_ms, a.evidence_text
             FROM reviews r
             JOIN emails e ON e.message_id = r.message_id
             LEFT JOIN answers a ON a.review_id = r.review_id AND a.value IS NOT NULL
             WHERE r.status = 'submitted' AND e.direction = 'out' AND e.rep IS NOT NULL
               AND e.sent_at IS NOT NULL AND substr(e.sent_at, 1, 10) <= ?1
             ORDER BY r.review_id";
        reviews.extend(self.read_report_reviews(emails, Channel::Email, until)?);
        Ok(reviews)
    }

    /// Reviews from `sql`: one row per answer, the review's columns 0..=7,
    /// the answer's 8..=12, a call's audio columns from 13.
    pub(super) fn read_report_reviews(
        &self,
        sql: &str,
        channel: Channel,
        until: NaiveDate,
    ) -> Result<Vec<ReportReview>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let until = until.to_string();
        let version = ANALYSIS_VERSION;
        let params = match channel {
            Channel::Call => params![version, until],
            _ => params![until],
        };
        let mut reviews: Vec<ReportReview> = Vec::new();
        let mut last_id = None;
        stmt.query_each(params, |r| -> Result<()> {
            let id: i64 = r.get(0)?;
            if last_id != Some(id) {
                last_id = Some(id);
                let audio = match channel {
                    Channel::Call => call_audio(r, 13)?.map(|a| a.figures()),
                    _ => None,
                };
                reviews.push(ReportReview {
                    call_id: r.get(1)?,
                    channel,
                    rep: r.get(2)?,
                    reviewer: r.get(3)?,
                    started_at: r.get(4)?,
                    checklist_id: r.get(5)?,
                    checklist_version: r.get(6)?,
                    time_spent_ms: r.get::<_, i64>(7)?.max(0) as u64,
                    answers: Vec::new(),
                    audio: audio.unwrap_or_default(),
                });
            }
            let Some(item_id) = r.get::<_, Option<String>>(8)? else {
                return Ok(());
            };
            let value: String = r.get(9)?;
            let value = value
                .parse()
                .map_err(|e: String| StoreError::Corrupt(format!("answer of {item_id}: {e}")))?;
            if let Some(review) = reviews.last_mut() {
                review.answers.push(ItemAnswer {
                    item_id,
                    value,
                    comment: r.get(10)?,
                    evidence_ms: r.get::<_, Option<i64>>(11)?.map(|ms| ms.max(0) as u64),
                    evidence_text: r.get(12)?,
                });
            }
            Ok(())
        })?;
        Ok(reviews)
    }

    fn audio_columns(&self) -> &'static str {
        &AUDIO_COLUMNS[self.conn().dialect() as usize]
    }

    /// The local day of the newest call with a submitted review.
    pub fn newest_reviewed_day(&self) -> Result<Option<NaiveDate>> {
        self.newest_day(
            "SELECT max(substr(c.started_at, 1, 10)) FROM counted_reviews r
             JOIN calls c ON c.call_id = r.call_id WHERE r.status = 'submitted'",
        )
    }

    /// The local day of the newest rep's email with a submitted review.
    pub fn newest_reviewed_email_day(&self) -> Result<Option<NaiveDate>> {
        self.newest_day(
            "SELECT max(substr(e.sent_at, 1, 10)) FROM reviews r
             JOIN emails e ON e.message_id = r.message_id
             WHERE r.status = 'submitted' AND e.direction = 'out' AND e.rep IS NOT NULL",
        )
    }

    fn newest_day(&self, sql: &str) -> Result<Option<NaiveDate>> {
        let day: Option<String> = self
            .conn()
            .query_row(sql, params![], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }

    /// Whether any review, of any status, is stored: the demo's reviewed
    /// history goes only into a workspace without one.
    pub fn has_reviews(&self) -> Result<bool> {
        Ok(self
            .conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM reviews)", params![], |r| {
                r.get(0)
            })?)
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            dialect::table_exists(self.conn().dialect()),
            params![name],
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
            let rows = stmt.query_map(params![week.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
            })?;
            for (rep, n) in rows {
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
        let rows = stmt.query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.into_iter().collect())
    }

    /// A call's figures from its current analysis, if it has one.
    pub fn call_audio(&self, call_id: &str) -> Result<Option<CallAudio>> {
        let sql = format!(
            "SELECT {} FROM calls c {AUDIO_JOIN} WHERE c.call_id = ?2",
            self.audio_columns()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        Ok(stmt
            .query_row(params![ANALYSIS_VERSION, call_id], |r| call_audio(r, 0))
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
        let audio_columns = self.audio_columns();
        let sql = format!(
            "SELECT c.call_id, c.started_at, c.rep, c.duration_ms, r.reviewer, r.checklist_id,
                    r.checklist_version, r.status, r.score, r.time_spent_ms,
                    (SELECT string_agg(a.item_id, ' ') FROM answers a
                      WHERE a.review_id = r.review_id AND a.value = 'no'),
                    {audio_columns}
             FROM calls c
             LEFT JOIN counted_reviews r ON r.call_id = c.call_id
             {AUDIO_JOIN}
             WHERE r.review_id IS NOT NULL OR ca.call_id IS NOT NULL
             ORDER BY c.started_at_utc, c.call_id, r.reviewer, r.checklist_id"
        );
        let mut stmt = self.conn().prepare(&sql).map_err(StoreError::from)?;
        let mut count = 0;
        stmt.query_each(params![ANALYSIS_VERSION], |r| {
            each(call_row(r)?).map_err(EachError)?;
            count += 1;
            Ok(())
        })
        .map_err(|EachError(e)| e)?;
        Ok(count)
    }
}

/// The error of `each_call_row`'s callback or of the database, in the
/// callback's own error type.
pub(super) struct EachError<E>(pub(super) E);

impl<E: From<StoreError>> From<super::db::DbError> for EachError<E> {
    fn from(e: super::db::DbError) -> Self {
        EachError(StoreError::from(e).into())
    }
}

pub(super) fn call_row(r: &Row<'_>) -> super::db::Result<CallRow> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AnswerValue;
    use crate::store::test_support::temp_workspaces;

    fn call(ws: &Workspace, id: &str, rep: &str, at: &str) {
        ws.conn()
            .execute(
                "INSERT INTO batches (batch_id, path, imported_at) VALUES (1, 'b', 'now')
                 ON CONFLICT DO NOTHING",
                params![],
            )
            .unwrap();
        ws.conn()
            .execute(
                "INSERT INTO calls (call_id, batch_id, started_at, started_at_utc, rep, direction,
                     phone, recording_path, container, codec, duration_ms, channels, sample_rate,
                     imported_at)
                 VALUES (?1, 1, ?2, ?2, ?3, 'in', '+7', ?1, 'wav', 'pcm', 60000, 2, 8000, 'now')",
                params![id, at, rep],
            )
            .unwrap();
    }

    #[test]
    fn reviews_come_with_answers_and_the_current_analysis_figures() {
        for (_keep, ws) in temp_workspaces() {
            let checklist = crate::domain::Checklist::default_sales_call();
            ws.ensure_checklist(
                &checklist,
                crate::domain::checklist::DEFAULT_SALES_CALL_TOML,
            )
            .unwrap();
            call(&ws, "c1", "Анна", "2026-11-23T10:00:00+03:00");
            call(&ws, "c2", "Анна", "2026-11-30T10:00:00+03:00");
            for (id, call) in [(1, "c1"), (2, "c2")] {
                ws.conn()
                    .execute(
                        "INSERT INTO reviews (review_id, call_id, reviewer, checklist_id,
                             checklist_version, status, started_at, time_spent_ms)
                         VALUES (?1, ?2, 'm', 'sales-call', ?3, 'submitted', 'now', 61000)",
                        params![id, call, checklist.version],
                    )
                    .unwrap();
            }
            ws.conn()
                .execute_batch(
                    "INSERT INTO answers (review_id, item_id, value, comment, evidence_ms, updated_at)
                     VALUES (1, 'greeting', 'no', 'no hello', 1500, 'now'),
                            (1, 'summary', 'yes', NULL, NULL, 'now'),
                            (1, 'script', NULL, 'a comment only', NULL, 'now');",
                )
                .unwrap();
            let analysis = r#"{"talk_share_rep": 0.25, "longest_rep_monologue_ms": 30000,
                "dead_air_total_ms": 4000, "rep": {}, "interruptions_by_rep": 2,
                "interruptions_by_client": 1, "level_dbfs": -20.5}"#;
            ws.save_analysis("c1", ANALYSIS_VERSION, analysis).unwrap();
            // An analysis of an older version is not the call's figures.
            ws.save_analysis("c2", ANALYSIS_VERSION - 1, analysis)
                .unwrap();

            let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            let reviews = ws.report_reviews(day("2026-11-29")).unwrap();
            assert_eq!(reviews.len(), 1, "the call after `until` is left out");
            let r = &reviews[0];
            assert_eq!((r.rep.as_str(), r.time_spent_ms), ("Анна", 61_000));
            assert_eq!(r.day(), Some(day("2026-11-23")));
            assert_eq!(r.answers.len(), 2, "answers with a value only");
            let greeting = r.answers.iter().find(|a| a.item_id == "greeting").unwrap();
            assert_eq!(greeting.value, AnswerValue::No);
            assert_eq!(greeting.comment.as_deref(), Some("no hello"));
            assert_eq!(greeting.evidence_ms, Some(1500));
            assert_eq!(r.audio.talk_share_rep, Some(0.25));
            assert_eq!(r.audio.longest_monologue_ms, Some(30_000));
            assert_eq!(r.audio.dead_air_ms, Some(4_000));

            let all = ws.report_reviews(day("2026-12-31")).unwrap();
            assert_eq!(all.len(), 2);
            assert_eq!(all[1].audio, AudioFigures::default(), "no current analysis");
            assert_eq!(ws.newest_reviewed_day().unwrap(), Some(day("2026-11-30")));
            let audio = ws.call_audio("c1").unwrap().unwrap();
            assert_eq!(audio.interruptions_by_rep, Some(2));
            assert_eq!(audio.level_dbfs, Some(-20.5));
            assert_eq!(ws.call_audio("c2").unwrap(), None);
        }
    }

    #[test]
    fn plans_and_the_roster_are_read_when_the_workspace_has_them() {
        // SQLite only: the tables are made again under statements
        // PostgreSQL has cached (it refuses to run them after).
        let (_dir, ws) = crate::store::test_support::temp_workspace();
        let week = Period::parse("2026-W48").unwrap();
        assert!(ws.planned_quality_calls(&[week]).unwrap().is_empty());
        // Only the columns the queries read, whatever else the weekly
        // plan's migration gives these tables.
        ws.conn()
            .execute_batch(
                "DROP TABLE IF EXISTS plan_entries; DROP TABLE IF EXISTS reps;
                 CREATE TABLE plan_entries (period TEXT, call_id TEXT, rep TEXT,
                     bucket TEXT, replaced TEXT);
                 CREATE TABLE reps (rep_key TEXT, rep TEXT, team TEXT);
                 INSERT INTO plan_entries (period, call_id, rep, bucket, replaced) VALUES
                     ('2026-W48', 'c1', 'Анна', 'quality', NULL),
                     ('2026-W48', 'c2', 'анна ', 'quality', NULL),
                     ('2026-W48', 'c3', 'Анна', 'quality', 'no audio'),
                     ('2026-W48', 'c4', 'Анна', 'telephony', NULL),
                     ('2026-W47', 'c5', 'Анна', 'quality', NULL);
                 INSERT INTO reps (rep_key, rep, team) VALUES ('анна', 'Анна', 'Север');",
            )
            .unwrap();
        let planned = ws.planned_quality_calls(&[week]).unwrap();
        assert_eq!(planned.get("анна"), Some(&2));
        let two = [Period::parse("2026-W47").unwrap(), week];
        assert_eq!(
            ws.planned_quality_calls(&two).unwrap().get("анна"),
            Some(&3)
        );
        assert_eq!(
            ws.rep_teams().unwrap().get("анна").map(String::as_str),
            Some("Север")
        );
    }
}
