//! Calls a reviewer marks as examples to learn from, with why and the
//! moment to listen to. The article: play the best talkers' calls to the
//! others. One mark per call and reviewer; marking again rewrites it.

use super::db::{OptionalExtension, Row, params};
use super::{Result, Workspace, now_text};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BestCall {
    pub call_id: String,
    pub reviewer: String,
    pub reason: String,
    /// Where to start listening.
    pub position_ms: u64,
    pub marked_at: String,
}

/// A best call as a report lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarkedCall {
    #[serde(flatten)]
    pub best: BestCall,
    pub rep: String,
    /// As stored: RFC 3339 with the call's own offset.
    pub started_at: String,
}

const COLUMNS: &str = "call_id, reviewer, reason, position_ms, marked_at";

fn best_call(row: &Row<'_>) -> super::db::Result<BestCall> {
    Ok(BestCall {
        call_id: row.get(0)?,
        reviewer: row.get(1)?,
        reason: row.get(2)?,
        position_ms: row.get::<_, i64>(3)?.max(0) as u64,
        marked_at: row.get(4)?,
    })
}

impl Workspace {
    /// Mark `call_id` as an example, or change the reason and moment.
    pub fn mark_best_call(
        &self,
        call_id: &str,
        reviewer: &str,
        reason: &str,
        position_ms: u64,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO best_calls (call_id, reviewer, reason, position_ms, marked_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (call_id, reviewer) DO UPDATE SET reason = excluded.reason,
               position_ms = excluded.position_ms, marked_at = excluded.marked_at",
            params![call_id, reviewer, reason, position_ms as i64, now_text()],
        )?;
        Ok(())
    }

    /// Take the mark off; true if there was one.
    pub fn unmark_best_call(&self, call_id: &str, reviewer: &str) -> Result<bool> {
        let n = self.conn().execute(
            "DELETE FROM best_calls WHERE call_id = ?1 AND reviewer = ?2",
            params![call_id, reviewer],
        )?;
        Ok(n > 0)
    }

    /// This reviewer's mark on the call, if any.
    pub fn best_call(&self, call_id: &str, reviewer: &str) -> Result<Option<BestCall>> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM best_calls WHERE call_id = ?1 AND reviewer = ?2"
            ))?
            .query_row(params![call_id, reviewer], best_call)
            .optional()?)
    }

    /// Every reviewer's marks on calls whose own local day is within
    /// `from..=to` (`YYYY-MM-DD`), oldest call first, with the call's rep
    /// and time: what reports list. A calibration set member's mark on a
    /// set's call waits, like their review, until it is the agreed version.
    pub fn best_calls(&self, from: &str, to: &str) -> Result<Vec<MarkedCall>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT b.call_id, b.reviewer, b.reason, b.position_ms, b.marked_at,
                    c.rep, c.started_at
             FROM best_calls b JOIN calls c ON c.call_id = b.call_id
             WHERE substr(c.started_at, 1, 10) BETWEEN ?1 AND ?2
               AND NOT EXISTS (SELECT 1 FROM calibration_reviews x WHERE x.call_id = b.call_id
                     AND x.reviewer = b.reviewer AND x.agreed_review_id IS DISTINCT FROM x.review_id)
             ORDER BY c.started_at_utc, b.call_id, b.reviewer",
        )?;
        let rows = stmt.query_map(params![from, to], |row| {
            Ok(MarkedCall {
                best: best_call(row)?,
                rep: row.get(5)?,
                started_at: row.get(6)?,
            })
        })?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::temp_workspaces;
    use crate::store::tests_reviews::insert_sample_call;

    #[test]
    fn a_mark_is_made_changed_listed_by_the_calls_day_and_taken_off() {
        for (_keep, ws) in temp_workspaces() {
            insert_sample_call(&ws, "c1");
            insert_sample_call(&ws, "c2");
            ws.conn()
                .execute_batch(
                    "UPDATE calls SET started_at = '2026-11-24T10:00:00+03:00' WHERE call_id = 'c1';
                     UPDATE calls SET started_at = '2026-12-03T10:00:00+03:00' WHERE call_id = 'c2';",
                )
                .unwrap();
            ws.mark_best_call("c1", "мария", "образцовый вопрос о задаче", 61_000)
                .unwrap();
            ws.mark_best_call("c2", "мария", "later", 0).unwrap();
            ws.mark_best_call("c1", "мария", "и резюме в конце", 95_000)
                .unwrap();
            let mark = ws.best_call("c1", "мария").unwrap().unwrap();
            assert_eq!(
                (mark.reason.as_str(), mark.position_ms),
                ("и резюме в конце", 95_000)
            );
            assert!(ws.best_call("c1", "борис").unwrap().is_none());
            let week = ws.best_calls("2026-11-23", "2026-11-29").unwrap();
            assert_eq!(week.len(), 1);
            assert_eq!(week[0].best.call_id, "c1");
            assert_eq!(week[0].rep, "Анна");
            assert!(ws.unmark_best_call("c1", "мария").unwrap());
            assert!(!ws.unmark_best_call("c1", "мария").unwrap());
            assert!(ws.best_call("c1", "мария").unwrap().is_none());
        }
    }
}
