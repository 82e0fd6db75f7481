//! The weekly plan in the workspace: the rep roster the batches bring, the
//! sampling rules by version, and each period's plan with every call it
//! drew (replaced ones too, so the history stays) and its email bucket.
//!
//! A plan is what reviewers are paid against and what a client may ask to
//! re-derive, so it is saved whole or not at all (one transaction), the
//! rules it was drawn with stay in the workspace under their version, and a
//! reviewer's part of it is read through an index, key press by key press.

use super::db::dialect::{self, Dialect};
use super::db::{OptionalExtension, params};
use super::{Result, StoreError, Workspace, now_text};
use crate::domain::plan::{Candidate, EmailCandidate, EmailEntry, Entry, Plan, Reason, Shortfall};
use crate::domain::reps::{RepProfile, rep_key};
use crate::domain::sampling::{Bucket, Period, SamplingRules};
use chrono::NaiveDate;
use std::sync::LazyLock;

/// The workspace setting naming the sampling rules version in use.
const RULES_SETTING: &str = "sampling.rules_version";

/// A call of a period as the plan and its report see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodCall {
    pub candidate: Candidate,
    /// As stored: RFC 3339 with the call's own offset.
    pub started_at: String,
}

/// An outgoing email of a period as the plan and its report see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodEmail {
    pub candidate: EmailCandidate,
    /// As stored: RFC 3339 with the email's own offset.
    pub sent_at: String,
    pub subject: String,
}

/// One call of a reviewer's part of a plan, for the workstation's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCall {
    pub call_id: String,
    pub bucket: Bucket,
}

/// A call's own local day is the date part of its stored time, which
/// carries the call's offset; the index `calls_by_local_day` is on that
/// expression.
pub(crate) static PERIOD_CALLS_SQL: LazyLock<[String; 2]> = LazyLock::new(|| {
    Dialect::ALL.map(|d| {
        format!(
            "SELECT c.call_id, c.rep, substr(c.started_at, 1, 10),
        c.duration_ms, c.started_at,
        CASE WHEN a.call_id IS NULL THEN NULL ELSE {} END
     FROM calls c
     LEFT JOIN call_analysis a
        ON a.call_id = c.call_id AND a.version = ?3
       AND a.recording_path = c.recording_path AND a.duration_ms = c.duration_ms
     WHERE substr(c.started_at, 1, 10) BETWEEN ?1 AND ?2
       AND NOT EXISTS (SELECT 1 FROM mystery_visits v WHERE v.call_id = c.call_id)",
            dialect::json_array_of_members(d, "a.flags", "flag")
        )
    })
});

pub(crate) const PLAN_QUEUE_SQL: &str = "SELECT call_id, bucket FROM plan_entries
     WHERE period = ?1 AND reviewer = ?2 AND replaced IS NULL
     ORDER BY bucket, position";

/// The reps' outgoing emails whose own local day (the date part of the
/// stored time, which carries the email's offset) falls in the period; the
/// index `emails_by_local_day` is on that expression. An email linked to
/// no rep has nobody to be drawn for; a rep's answer to a mystery shopper
/// is reviewed with the visit (the mystery checklist), so it does not take
/// a place in the rep's weekly sample.
pub(crate) const PERIOD_EMAILS_SQL: &str = "SELECT e.message_id, e.rep, substr(e.sent_at, 1, 10),
        e.sent_at, e.subject
     FROM emails e
     WHERE substr(e.sent_at, 1, 10) BETWEEN ?1 AND ?2 AND e.direction = 'out'
       AND e.rep IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM mystery_visits v WHERE v.message_id = e.message_id)";

/// The period of the email bucket a reviewer sees, chosen as for calls.
const EMAIL_PLAN_PERIOD_SQL: &str = "SELECT period FROM plan_emails WHERE reviewer = ?1
     GROUP BY period ORDER BY period <= ?2 DESC, CASE WHEN period <= ?2 THEN period END DESC, period
     LIMIT 1";

pub(crate) const EMAIL_PLAN_QUEUE_SQL: &str =
    "SELECT message_id FROM plan_emails WHERE period = ?1 AND reviewer = ?2 ORDER BY position";

/// A stored plan entry's bucket: quality or telephony (the table's CHECK).
pub(super) fn bucket_of(code: &str) -> Result<Bucket> {
    Bucket::from_code(code)
        .filter(|b| *b != Bucket::None)
        .ok_or_else(|| StoreError::Corrupt(format!("plan entry bucket {code:?}")))
}

/// The period whose plan a reviewer sees: the latest one with calls for
/// them up to this week, else the earliest after it (a plan drawn ahead).
const PLAN_PERIOD_SQL: &str = "SELECT period FROM plan_entries WHERE reviewer = ?1
     GROUP BY period ORDER BY period <= ?2 DESC, CASE WHEN period <= ?2 THEN period END DESC, period
     LIMIT 1";

const PLANNED_BUCKET_SQL: &str = "SELECT bucket FROM plan_entries
     WHERE period = ?1 AND call_id = ?2 AND replaced IS NULL";

fn json_corrupt(what: &str) -> impl Fn(serde_json::Error) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

impl Workspace {
    /// Store a batch's roster: each rep by [`rep_key`], a later batch's row
    /// replacing an earlier one; reps of other batches stay.
    pub fn save_roster(&self, batch_id: i64, roster: &[RepProfile]) -> Result<()> {
        self.write_batch(|ws| {
            let mut stmt = ws.conn().prepare_cached(
                "INSERT INTO reps (rep_key, rep, started_on, team, plan_pct, batch_id, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(rep_key) DO UPDATE SET rep = excluded.rep,
                   started_on = excluded.started_on, team = excluded.team,
                   plan_pct = excluded.plan_pct, batch_id = excluded.batch_id,
                   imported_at = excluded.imported_at",
            )?;
            let now = now_text();
            for r in roster {
                stmt.execute(params![
                    rep_key(&r.rep),
                    r.rep,
                    r.started_on.map(|d| d.to_string()),
                    r.team,
                    r.plan_pct,
                    batch_id,
                    now
                ])?;
            }
            Ok(())
        })
    }

    /// The roster, by name.
    pub fn roster(&self) -> Result<Vec<RepProfile>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT rep, started_on, team, plan_pct FROM reps ORDER BY rep_key")?;
        let rows = stmt.query_map(params![], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<f64>>(3)?,
            ))
        })?;
        rows.into_iter()
            .map(|(rep, started_on, team, plan_pct)| {
                let started_on = started_on
                    .map(|d| {
                        NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                            StoreError::Corrupt(format!("rep {rep:?}: started_on {d:?}"))
                        })
                    })
                    .transpose()?;
                Ok(RepProfile {
                    rep,
                    started_on,
                    team,
                    plan_pct,
                })
            })
            .collect()
    }

    /// Every rep name the calls carry, once per [`rep_key`].
    pub fn call_reps(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT DISTINCT rep FROM calls ORDER BY rep")?;
        let names: Vec<String> = stmt.query_map(params![], |r| r.get(0))?;
        let mut seen = std::collections::HashSet::new();
        Ok(names
            .into_iter()
            .filter(|n| !rep_key(n).is_empty() && seen.insert(rep_key(n)))
            .collect())
    }

    /// Store a version of the sampling rules and make it the workspace's.
    /// The same version with other content is refused, as for checklists:
    /// a stored plan must keep meaning what it meant.
    pub fn use_sampling_rules(&self, rules: &SamplingRules, toml_text: &str) -> Result<()> {
        self.write_batch(|ws| {
            let existing: Option<String> = ws
                .conn()
                .query_row(
                    "SELECT toml FROM sampling_rules WHERE version = ?1",
                    params![rules.version],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(text) if text == toml_text => {}
                Some(_) => {
                    return Err(StoreError::SamplingRulesChanged {
                        version: rules.version,
                    });
                }
                None => {
                    ws.conn().execute(
                        "INSERT INTO sampling_rules (version, toml, loaded_at) VALUES (?1, ?2, ?3)",
                        params![rules.version, toml_text, now_text()],
                    )?;
                }
            }
            ws.set_setting(RULES_SETTING, &rules.version.to_string())
        })
    }

    /// The sampling rules the workspace uses, with their text; `None` until
    /// a plan was drawn or rules were given.
    pub fn sampling_rules(&self) -> Result<Option<(SamplingRules, String)>> {
        let Some(version) = self.setting(RULES_SETTING)? else {
            return Ok(None);
        };
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT toml FROM sampling_rules WHERE version = ?1",
                params![&version],
                |r| r.get(0),
            )
            .optional()?;
        let Some(text) = text else {
            return Err(StoreError::Corrupt(format!(
                "sampling rules version {version} is named in the settings but not stored"
            )));
        };
        let rules =
            SamplingRules::from_toml(&text, &format!("workspace sampling rules v{version}"))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some((rules, text)))
    }

    /// The calls whose own local day falls in `period`, with the flags of
    /// their current analysis of `analysis_version` (`None`: not analysed).
    pub fn period_calls(&self, period: Period, analysis_version: u32) -> Result<Vec<PeriodCall>> {
        let first = period.start();
        let last = period.end();
        let mut stmt = self
            .conn()
            .prepare_cached(&PERIOD_CALLS_SQL[self.conn().dialect() as usize])?;
        let rows = stmt.query_map(
            params![first.to_string(), last.to_string(), analysis_version],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )?;
        let mut calls = Vec::new();
        for (call_id, rep, day, duration_ms, started_at, flags) in rows {
            // A time that does not read belongs to no week: left out.
            let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
                continue;
            };
            let flags = flags.map(|json| {
                serde_json::from_str::<Vec<Option<String>>>(&json)
                    .map(|f| f.into_iter().flatten().collect())
                    .unwrap_or_default()
            });
            calls.push(PeriodCall {
                candidate: Candidate {
                    call_id,
                    rep,
                    day,
                    duration_ms: duration_ms.max(0) as u64,
                    flags,
                },
                started_at,
            });
        }
        Ok(calls)
    }

    /// The own local day of the newest call (in queue order), if any: the
    /// week a plan is for when none is named.
    pub fn newest_call_day(&self) -> Result<Option<NaiveDate>> {
        let day: Option<String> = self
            .conn()
            .query_row(
                "SELECT substr(started_at, 1, 10) FROM calls
                 ORDER BY started_at_utc DESC, call_id DESC LIMIT 1",
                params![],
                |r| r.get(0),
            )
            .optional()?;
        Ok(day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }

    /// Save a plan whole, replacing the stored plan of its period: one
    /// transaction, so a plan is never stored half-way. The rules version it
    /// names must be stored ([`Workspace::use_sampling_rules`]).
    pub fn save_plan(&self, plan: &Plan) -> Result<()> {
        let period = plan.period.to_string();
        self.write_batch(|ws| {
            ws.conn().execute(
                "INSERT INTO plans (period, seed, rules_version, algorithm, drawn_at,
                     shortfalls, unrostered, not_analysed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(period) DO UPDATE SET seed = excluded.seed,
                   rules_version = excluded.rules_version, algorithm = excluded.algorithm,
                   shortfalls = excluded.shortfalls, unrostered = excluded.unrostered,
                   not_analysed = excluded.not_analysed",
                params![
                    period,
                    plan.seed,
                    plan.rules_version,
                    plan.algorithm,
                    now_text(),
                    json(&plan.shortfalls),
                    json(&plan.unrostered),
                    plan.not_analysed as i64
                ],
            )?;
            ws.conn().execute(
                "DELETE FROM plan_entries WHERE period = ?1",
                params![&period],
            )?;
            let mut stmt = ws.conn().prepare_cached(
                "INSERT INTO plan_entries (period, position, call_id, rep, bucket, reason, rank,
                     replaced, reviewer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for (position, e) in plan.entries.iter().enumerate() {
                stmt.execute(params![
                    period,
                    position as i64,
                    e.call_id,
                    e.rep,
                    e.bucket.code(),
                    json(&e.reason),
                    // The rank's 64 bits as SQLite's signed integer.
                    e.rank as i64,
                    e.replaced,
                    e.reviewer
                ])?;
            }
            ws.conn().execute(
                "DELETE FROM plan_emails WHERE period = ?1",
                params![&period],
            )?;
            let mut stmt = ws.conn().prepare_cached(
                "INSERT INTO plan_emails (period, position, message_id, rep, reason, rank, reviewer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (position, e) in plan.emails.iter().enumerate() {
                stmt.execute(params![
                    period,
                    position as i64,
                    e.message_id,
                    e.rep,
                    json(&e.reason),
                    e.rank as i64,
                    e.reviewer
                ])?;
            }
            Ok(())
        })
    }

    /// The stored plan of a period.
    pub fn plan(&self, period: Period) -> Result<Option<Plan>> {
        let key = period.to_string();
        let head = self
            .conn()
            .query_row(
                "SELECT seed, rules_version, algorithm, shortfalls, unrostered, not_analysed
                 FROM plans WHERE period = ?1",
                params![&key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, u32>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((seed, rules_version, algorithm, shortfalls, unrostered, not_analysed)) = head
        else {
            return Ok(None);
        };
        let shortfalls: Vec<Shortfall> =
            serde_json::from_str(&shortfalls).map_err(json_corrupt("plan shortfalls"))?;
        let unrostered: Vec<String> =
            serde_json::from_str(&unrostered).map_err(json_corrupt("plan unrostered reps"))?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT call_id, rep, bucket, reason, rank, replaced, reviewer
             FROM plan_entries WHERE period = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map(params![&key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut entries = Vec::new();
        for (call_id, rep, bucket, reason, rank, replaced, reviewer) in rows {
            let reason: Reason =
                serde_json::from_str(&reason).map_err(json_corrupt("plan entry reason"))?;
            entries.push(Entry {
                call_id,
                rep,
                bucket: bucket_of(&bucket)?,
                reason,
                rank: rank as u64,
                replaced,
                reviewer,
            });
        }
        let emails = self.plan_emails(&key)?;
        Ok(Some(Plan {
            period,
            seed,
            rules_version,
            algorithm,
            entries,
            emails,
            shortfalls,
            unrostered,
            not_analysed: not_analysed.max(0) as usize,
        }))
    }

    /// A stored plan's email bucket, in plan order.
    fn plan_emails(&self, period: &str) -> Result<Vec<EmailEntry>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT message_id, rep, reason, rank, reviewer
             FROM plan_emails WHERE period = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map(params![period], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        rows.into_iter()
            .map(|(message_id, rep, reason, rank, reviewer)| {
                Ok(EmailEntry {
                    message_id,
                    rep,
                    reason: serde_json::from_str(&reason)
                        .map_err(json_corrupt("plan email reason"))?,
                    rank: rank as u64,
                    reviewer,
                })
            })
            .collect()
    }

    /// The reps' outgoing emails of `period` by their own local day.
    pub fn period_emails(&self, period: Period) -> Result<Vec<PeriodEmail>> {
        let mut stmt = self.conn().prepare_cached(PERIOD_EMAILS_SQL)?;
        let rows = stmt.query_map(
            params![period.start().to_string(), period.end().to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )?;
        let mut emails = Vec::new();
        for (message_id, rep, day, sent_at, subject) in rows {
            // A time that does not read belongs to no week: left out.
            if let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                emails.push(PeriodEmail {
                    candidate: EmailCandidate {
                        message_id,
                        rep,
                        day,
                    },
                    sent_at,
                    subject,
                });
            }
        }
        Ok(emails)
    }

    /// A reviewer's planned emails: the period (chosen as for calls, see
    /// [`Workspace::reviewer_plan_period`]) and its emails for them in plan
    /// order; `None` when no plan gives them emails.
    pub fn reviewer_plan_emails(
        &self,
        reviewer: &str,
        this_week: Period,
    ) -> Result<Option<(Period, Vec<String>)>> {
        let text: Option<String> = self
            .conn()
            .prepare_cached(EMAIL_PLAN_PERIOD_SQL)?
            .query_row(params![reviewer, this_week.to_string()], |r| r.get(0))
            .optional()?;
        let Some(text) = text else {
            return Ok(None);
        };
        let period = Period::parse(&text)
            .map_err(|e| StoreError::Corrupt(format!("plan period {text:?}: {e}")))?;
        let ids = self
            .conn()
            .prepare_cached(EMAIL_PLAN_QUEUE_SQL)?
            .query_map(params![text, reviewer], |r| r.get(0))?;
        Ok(Some((period, ids)))
    }

    /// The period of the plan the workstation opens on for `reviewer`, if
    /// any plan gives them calls.
    pub fn reviewer_plan_period(
        &self,
        reviewer: &str,
        this_week: Period,
    ) -> Result<Option<Period>> {
        let text: Option<String> = self
            .conn()
            .prepare_cached(PLAN_PERIOD_SQL)?
            .query_row(params![reviewer, this_week.to_string()], |r| r.get(0))
            .optional()?;
        text.map(|t| {
            Period::parse(&t).map_err(|e| StoreError::Corrupt(format!("plan period {t:?}: {e}")))
        })
        .transpose()
    }

    /// The bucket a plan of `period` drew the call for, if it drew it.
    pub fn planned_bucket(&self, period: Period, call_id: &str) -> Result<Option<Bucket>> {
        let code: Option<String> = self
            .conn()
            .prepare_cached(PLANNED_BUCKET_SQL)?
            .query_row(params![period.to_string(), call_id], |r| r.get(0))
            .optional()?;
        code.as_deref().map(bucket_of).transpose()
    }

    /// A reviewer's calls of a period's plan (not replaced), quality first,
    /// each bucket in plan order: the workstation's plan queue.
    pub fn plan_queue(&self, period: Period, reviewer: &str) -> Result<Vec<PlannedCall>> {
        let mut stmt = self.conn().prepare_cached(PLAN_QUEUE_SQL)?;
        let rows = stmt.query_map(params![period.to_string(), reviewer], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.into_iter()
            .map(|(call_id, bucket)| {
                Ok(PlannedCall {
                    call_id,
                    bucket: bucket_of(&bucket)?,
                })
            })
            .collect()
    }
}

/// What the plan keeps in JSON columns: plain data, which always serialises.
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

#[cfg(test)]
#[path = "plans_tests.rs"]
mod tests;
