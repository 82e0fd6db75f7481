//! Mystery-shopping visits in the workspace: the import's upsert (by visit
//! id, inside the import's transaction), the listing by period and rep,
//! the visit a call or email is the evidence of, and the client's speed
//! limits, each version kept as the sampling rules are.
//!
//! A workspace holds a few visits a week next to thousands of calls, so a
//! listing reads them all and filters in memory.

use super::db::{OptionalExtension, Param, Row, params};
use super::{Result, StoreError, UpsertOutcome, Workspace, now_text};
use crate::domain::crm::Timestamp;
use crate::domain::mystery::{Channel, MysteryRules, Visit};
use crate::domain::reps::same_rep;
use crate::domain::sampling::Period;

/// The setting naming the version of the speed limits in use.
const RULES_SETTING: &str = "mystery.rules_version";

/// Columns after `visit_id`, in the order [`Workspace::upsert_visit`]
/// binds them (from `?2`).
const COLUMNS: [&str; 15] = [
    "batch_id",
    "scenario",
    "channel",
    "shopper",
    "rep",
    "team",
    "requested_at",
    "answered_at",
    "proposal_at",
    "callback_at",
    "call_id",
    "message_id",
    "source_file",
    "source_line",
    "imported_at",
];

/// Compared to tell an update from an unchanged row: all but the import time.
const CONTENT: usize = COLUMNS.len() - 1;

/// A visit as stored, with where it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVisit {
    pub visit: Visit,
    pub source_file: String,
    pub source_line: u64,
}

/// Which visits a listing wants.
#[derive(Debug, Clone, Copy, Default)]
pub struct VisitFilter<'a> {
    /// Compared by [`crate::domain::reps::rep_key`].
    pub rep: Option<&'a str>,
    /// Requested in this week, by the local date the request carries;
    /// visits without a request time are in no period.
    pub period: Option<Period>,
}

fn time_text(ts: Option<Timestamp>) -> Option<String> {
    ts.map(|t| t.to_rfc3339())
}

impl Workspace {
    /// Store one visit of batch `batch_id`, read at `source_file:source_line`.
    pub fn upsert_visit(
        &self,
        batch_id: i64,
        visit: &Visit,
        source_file: &str,
        source_line: u64,
    ) -> Result<UpsertOutcome> {
        let conn = self.conn();
        let exists = conn
            .prepare_cached("SELECT 1 FROM mystery_visits WHERE visit_id = ?1")?
            .query_row(params![&visit.visit_id], |_| Ok(()))
            .optional()?
            .is_some();
        let placeholders: Vec<String> = (2..=COLUMNS.len() + 1).map(|i| format!("?{i}")).collect();
        let content = &COLUMNS[..CONTENT];
        let sets: Vec<String> = COLUMNS
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let olds: Vec<String> = content
            .iter()
            .map(|c| format!("mystery_visits.{c}"))
            .collect();
        let news: Vec<String> = content.iter().map(|c| format!("excluded.{c}")).collect();
        let sql = format!(
            "INSERT INTO mystery_visits (visit_id, {}) VALUES (?1, {})
             ON CONFLICT(visit_id) DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})",
            COLUMNS.join(", "),
            placeholders.join(", "),
            sets.join(", "),
            olds.join(", "),
            news.join(", "),
        );
        let changed = conn.prepare_cached(&sql)?.execute(params![
            visit.visit_id,
            batch_id,
            visit.scenario,
            visit.channel.code(),
            visit.shopper,
            visit.rep,
            visit.team,
            time_text(visit.requested_at),
            time_text(visit.answered_at),
            time_text(visit.proposal_at),
            time_text(visit.callback_at),
            visit.call_id,
            visit.message_id,
            source_file,
            i64::try_from(source_line).unwrap_or(i64::MAX),
            now_text(),
        ])?;
        Ok(match (exists, changed) {
            (false, _) => UpsertOutcome::Inserted,
            (true, 0) => UpsertOutcome::Unchanged,
            (true, _) => UpsertOutcome::Updated,
        })
    }

    /// The visits a listing asks for, oldest request first (those without
    /// a request time last).
    pub fn visits(&self, filter: &VisitFilter<'_>) -> Result<Vec<StoredVisit>> {
        let wanted = |s: &StoredVisit| {
            let rep = filter
                .rep
                .is_none_or(|rep| s.visit.rep.as_deref().is_some_and(|r| same_rep(r, rep)));
            let period = filter.period.is_none_or(|p| {
                s.visit
                    .requested_at
                    .is_some_and(|d| p.contains(d.date_naive()))
            });
            rep && period
        };
        let mut visits: Vec<StoredVisit> = self
            .visits_where("TRUE", params![])?
            .into_iter()
            .filter(wanted)
            .collect();
        visits.sort_by(|a, b| {
            let key = |s: &StoredVisit| (s.visit.requested_at.is_none(), s.visit.requested_at);
            key(a)
                .cmp(&key(b))
                .then(a.visit.visit_id.cmp(&b.visit.visit_id))
        });
        Ok(visits)
    }

    /// The visit whose evidence is call `call_id`.
    pub fn visit_by_call(&self, call_id: &str) -> Result<Option<StoredVisit>> {
        Ok(self
            .visits_where("call_id = ?1", params![call_id])?
            .into_iter()
            .next())
    }

    /// The visit whose evidence is the email `message_id` (without angle
    /// brackets).
    pub fn visit_by_message(&self, message_id: &str) -> Result<Option<StoredVisit>> {
        Ok(self
            .visits_where("message_id = ?1", params![message_id])?
            .into_iter()
            .next())
    }

    fn visits_where(&self, clause: &str, values: &[Param<'_>]) -> Result<Vec<StoredVisit>> {
        let sql = format!(
            "SELECT visit_id, {} FROM mystery_visits WHERE {clause} ORDER BY visit_id",
            COLUMNS[1..CONTENT].join(", ")
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(values, |r| Ok(read_row(r)))?;
        rows.into_iter().collect()
    }

    /// Store a version of the speed limits and make it the workspace's.
    /// `false` (and nothing changed) when that version is stored with
    /// other content: stored verdicts must keep meaning what they meant.
    pub fn use_mystery_rules(&self, rules: &MysteryRules, toml_text: &str) -> Result<bool> {
        self.write_batch(|ws| {
            let existing: Option<String> = ws
                .conn()
                .query_row(
                    "SELECT toml FROM mystery_rules WHERE version = ?1",
                    params![rules.version],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(text) if text != toml_text => return Ok(false),
                Some(_) => {}
                None => {
                    ws.conn().execute(
                        "INSERT INTO mystery_rules (version, toml, loaded_at) VALUES (?1, ?2, ?3)",
                        params![rules.version, toml_text, now_text()],
                    )?;
                }
            }
            ws.set_setting(RULES_SETTING, &rules.version.to_string())?;
            Ok(true)
        })
    }

    /// The speed limits the workspace uses, with their text; `None` until
    /// some were given.
    pub fn mystery_rules(&self) -> Result<Option<(MysteryRules, String)>> {
        let Some(version) = self.setting(RULES_SETTING)? else {
            return Ok(None);
        };
        let text: String = self
            .conn()
            .query_row(
                "SELECT toml FROM mystery_rules WHERE version = ?1",
                params![&version],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "mystery-shopping rules version {version} are named in the settings but not stored"
                ))
            })?;
        let rules = MysteryRules::from_toml(&text, &format!("workspace mystery rules v{version}"))
            .map_err(StoreError::Corrupt)?;
        Ok(Some((rules, text)))
    }
}

fn read_row(r: &Row<'_>) -> Result<StoredVisit> {
    let visit_id: String = r.get(0)?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("visit {visit_id:?}: {what}"));
    let channel: String = r.get(2)?;
    let time = |i: usize, name: &str| -> Result<Option<Timestamp>> {
        r.get::<_, Option<String>>(i)?
            .map(|t| chrono::DateTime::parse_from_rfc3339(&t).map_err(|_| corrupt(name)))
            .transpose()
    };
    Ok(StoredVisit {
        visit: Visit {
            scenario: r.get(1)?,
            channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel"))?,
            shopper: r.get(3)?,
            rep: r.get(4)?,
            team: r.get(5)?,
            requested_at: time(6, "requested_at")?,
            answered_at: time(7, "answered_at")?,
            proposal_at: time(8, "proposal_at")?,
            callback_at: time(9, "callback_at")?,
            call_id: r.get(10)?,
            message_id: r.get(11)?,
            visit_id: visit_id.clone(),
        },
        source_file: r.get(12)?,
        source_line: u64::try_from(r.get::<_, i64>(13)?).map_err(|_| corrupt("source_line"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_workspace;

    fn visit(id: &str, rep: &str, requested: Option<&str>) -> Visit {
        Visit {
            visit_id: id.into(),
            scenario: "КП на солнечные панели".into(),
            channel: Channel::Call,
            shopper: "Ольга".into(),
            rep: Some(rep.into()),
            team: Some("Юг".into()),
            requested_at: requested.map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap()),
            answered_at: None,
            proposal_at: None,
            callback_at: None,
            call_id: Some(format!("call-{id}")),
            message_id: None,
        }
    }

    #[test]
    fn visits_are_upserted_listed_by_week_and_rep_and_found_by_evidence() {
        let (_dir, ws) = temp_workspace();
        let batch = ws.batch_id("/batch").unwrap();
        let a = visit("V-2", "Анна Смирнова", Some("2026-11-24T10:00:00+03:00"));
        let mut b = visit("V-1", "Kate Miller", Some("2026-11-30T00:30:00+03:00"));
        b.message_id = Some("m1@example".into());
        let c = visit("V-3", "Анна Смирнова", None);
        for (v, line) in [(&a, 2), (&b, 3), (&c, 4)] {
            assert_eq!(
                ws.upsert_visit(batch, v, "mystery/visits.csv", line)
                    .unwrap(),
                UpsertOutcome::Inserted
            );
        }
        assert_eq!(
            ws.upsert_visit(batch, &a, "mystery/visits.csv", 2).unwrap(),
            UpsertOutcome::Unchanged
        );
        let mut later = a.clone();
        later.callback_at =
            Some(chrono::DateTime::parse_from_rfc3339("2026-11-25T10:00:00+03:00").unwrap());
        assert_eq!(
            ws.upsert_visit(batch, &later, "mystery/visits.csv", 2)
                .unwrap(),
            UpsertOutcome::Updated
        );
        let ids = |filter: VisitFilter| -> Vec<String> {
            ws.visits(&filter)
                .unwrap()
                .into_iter()
                .map(|s| s.visit.visit_id)
                .collect()
        };
        assert_eq!(ids(VisitFilter::default()), ["V-2", "V-1", "V-3"]);
        let w48 = Period::parse("2026-W48").unwrap();
        assert_eq!(
            ids(VisitFilter {
                period: Some(w48),
                rep: None
            }),
            ["V-2"]
        );
        assert_eq!(
            ids(VisitFilter {
                period: None,
                rep: Some("анна  смирнова")
            }),
            ["V-2", "V-3"]
        );
        let found = ws.visit_by_call("call-V-2").unwrap().unwrap();
        assert_eq!((found.visit, found.source_line), (later, 2));
        assert_eq!(ws.visit_by_message("m1@example").unwrap().unwrap().visit, b);
        assert_eq!(ws.visit_by_call("call-none").unwrap(), None);
    }

    #[test]
    fn each_version_of_the_speed_limits_is_kept() {
        let (_dir, ws) = temp_workspace();
        assert_eq!(ws.mystery_rules().unwrap(), None);
        let text = crate::domain::mystery::DEFAULT_MYSTERY_TOML;
        let rules = MysteryRules::defaults();
        assert!(ws.use_mystery_rules(&rules, text).unwrap());
        assert!(ws.use_mystery_rules(&rules, text).unwrap());
        let changed = text.replacen("\"30s\"", "\"20s\"", 1);
        assert!(!ws.use_mystery_rules(&rules, &changed).unwrap());
        assert_eq!(ws.mystery_rules().unwrap().unwrap().1, text);
        let v2 = changed.replacen("version = 1", "version = 2", 1);
        let rules2 = MysteryRules::from_toml(&v2, "v2").unwrap();
        assert!(ws.use_mystery_rules(&rules2, &v2).unwrap());
        let (stored, _) = ws.mystery_rules().unwrap().unwrap();
        assert_eq!(stored.limits.call.pick_up.0, 20);
    }
}
