//! What the workstation keeps about listening: markers a reviewer sets in a
//! call, and the cached audio analysis of each recording (computed once in
//! the background, recomputed when the algorithm version or the recording
//! changes).

use super::db::{OptionalExtension, params};
use super::{QueueKey, Result, Workspace, now_text};

/// Calls (`c`) whose analysis of version `?1` is missing or stale.
const MISSING_ANALYSIS: &str = "FROM calls c
     LEFT JOIN call_analysis a ON a.call_id = c.call_id AND a.version = ?1
         AND a.recording_path = c.recording_path AND a.duration_ms = c.duration_ms
     WHERE a.call_id IS NULL";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub marker_id: i64,
    pub position_ms: u64,
    pub note: Option<String>,
}

/// A call whose analysis is missing or stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisJob {
    pub call_id: String,
    pub recording_path: String,
    pub channel_layout: crate::domain::crm::ChannelLayout,
}

impl Workspace {
    pub fn add_marker(
        &self,
        call_id: &str,
        reviewer: &str,
        position_ms: u64,
        note: Option<&str>,
    ) -> Result<i64> {
        Ok(self.conn().query_row(
            "INSERT INTO markers (call_id, reviewer, position_ms, note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING marker_id",
            params![
                call_id,
                reviewer,
                position_ms as i64,
                note.filter(|n| !n.trim().is_empty()),
                now_text()
            ],
            |r| r.get(0),
        )?)
    }

    /// This reviewer's markers in a call, in call order.
    pub fn markers(&self, call_id: &str, reviewer: &str) -> Result<Vec<Marker>> {
        let mut stmt = self.conn().prepare(
            "SELECT marker_id, position_ms, note FROM markers
             WHERE call_id = ?1 AND reviewer = ?2 ORDER BY position_ms, marker_id",
        )?;
        let rows = stmt.query_map(params![call_id, reviewer], |r| {
            Ok(Marker {
                marker_id: r.get(0)?,
                position_ms: r.get::<_, i64>(1)?.max(0) as u64,
                note: r.get(2)?,
            })
        })?;
        Ok(rows)
    }

    /// Store an analysis result (JSON) for the call's current recording,
    /// with its `flags` beside it for the queue.
    pub fn save_analysis(&self, call_id: &str, version: u32, result_json: &str) -> Result<()> {
        let flags = serde_json::from_str::<serde_json::Value>(result_json)
            .ok()
            .and_then(
                |mut result| match result.get_mut("flags").map(serde_json::Value::take) {
                    // As SQLite's json_extract gives it: NULL, text unquoted.
                    None | Some(serde_json::Value::Null) => None,
                    Some(serde_json::Value::String(text)) => Some(text),
                    Some(other) => Some(other.to_string()),
                },
            );
        self.conn().execute(
            "INSERT INTO call_analysis
                 (call_id, version, recording_path, duration_ms, analysed_at, result, flags)
             SELECT call_id, ?2, recording_path, duration_ms, ?3, ?4, ?5
             FROM calls WHERE call_id = ?1
             ON CONFLICT(call_id) DO UPDATE SET version = excluded.version,
               recording_path = excluded.recording_path, duration_ms = excluded.duration_ms,
               analysed_at = excluded.analysed_at, result = excluded.result,
               flags = excluded.flags",
            params![call_id, version, now_text(), result_json, flags],
        )?;
        Ok(())
    }

    /// The cached analysis if it is of this version and for the recording
    /// the call has now.
    pub fn analysis(&self, call_id: &str, version: u32) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT a.result FROM call_analysis a JOIN calls c USING (call_id)
                 WHERE a.call_id = ?1 AND a.version = ?2
                   AND a.recording_path = c.recording_path AND a.duration_ms = c.duration_ms",
                params![call_id, version],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// How many calls have no current analysis.
    pub fn analysis_backlog(&self, version: u32) -> Result<usize> {
        let n: i64 = self.conn().query_row(
            &format!("SELECT COUNT(*) {MISSING_ANALYSIS}"),
            params![version],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Up to `limit` calls without a current analysis after `after` in
    /// queue order (from the start with `None`), with their queue keys: the
    /// background analyser reads its backlog a page at a time.
    pub fn analysis_jobs_after(
        &self,
        version: u32,
        after: Option<&QueueKey>,
        limit: usize,
    ) -> Result<Vec<(QueueKey, AnalysisJob)>> {
        let (time, id) = after.map_or(("", ""), |k| (&k.started_at_utc, &k.call_id));
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT c.started_at_utc, c.call_id, c.recording_path, c.channel_layout
             {MISSING_ANALYSIS} AND (c.started_at_utc, c.call_id) > (?2, ?3)
             ORDER BY c.started_at_utc, c.call_id LIMIT ?4"
        ))?;
        let rows = stmt.query_map(params![version, time, id, limit as i64], |r| {
            let key = QueueKey {
                started_at_utc: r.get(0)?,
                call_id: r.get(1)?,
            };
            let job = AnalysisJob {
                call_id: key.call_id.clone(),
                recording_path: r.get(2)?,
                channel_layout: super::crm::channel_layout(r, 3)?,
            };
            Ok((key, job))
        })?;
        Ok(rows)
    }

    /// The job for one call, if its analysis is missing or stale.
    pub fn analysis_job(&self, call_id: &str, version: u32) -> Result<Option<AnalysisJob>> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "SELECT c.call_id, c.recording_path, c.channel_layout
                 {MISSING_ANALYSIS} AND c.call_id = ?2"
            ))?
            .query_row(params![version, call_id], |r| {
                Ok(AnalysisJob {
                    call_id: r.get(0)?,
                    recording_path: r.get(1)?,
                    channel_layout: super::crm::channel_layout(r, 2)?,
                })
            })
            .optional()?)
    }

    /// Calls without a current analysis, in queue order.
    pub fn analysis_jobs(&self, version: u32) -> Result<Vec<AnalysisJob>> {
        let mut stmt = self.conn().prepare(
            "SELECT c.call_id, c.recording_path, c.channel_layout FROM calls c
             LEFT JOIN call_analysis a ON a.call_id = c.call_id AND a.version = ?1
                 AND a.recording_path = c.recording_path AND a.duration_ms = c.duration_ms
             WHERE a.call_id IS NULL
             ORDER BY c.started_at_utc, c.call_id",
        )?;
        let rows = stmt.query_map(params![version], |r| {
            Ok(AnalysisJob {
                call_id: r.get(0)?,
                recording_path: r.get(1)?,
                channel_layout: super::crm::channel_layout(r, 2)?,
            })
        })?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::db::params;
    use crate::store::test_support::temp_workspaces;

    #[test]
    fn markers_are_per_reviewer_in_call_order() {
        for (_keep, ws) in temp_workspaces() {
            crate::store::tests_reviews::insert_sample_call(&ws, "c1");
            ws.add_marker("c1", "me", 30_000, Some("цена")).unwrap();
            ws.add_marker("c1", "me", 5_000, None).unwrap();
            ws.add_marker("c1", "other", 1_000, None).unwrap();
            let m = ws.markers("c1", "me").unwrap();
            assert_eq!(m.len(), 2);
            assert_eq!(
                (m[0].position_ms, m[1].note.as_deref()),
                (5_000, Some("цена"))
            );
            assert!(ws.add_marker("ghost", "me", 1, None).is_err());
        }
    }

    #[test]
    fn analysis_cache_follows_version_and_recording() {
        for (_keep, ws) in temp_workspaces() {
            crate::store::tests_reviews::insert_sample_call(&ws, "c1");
            assert_eq!(ws.analysis_jobs(1).unwrap().len(), 1);
            ws.save_analysis("c1", 1, "{\"x\":1}").unwrap();
            assert_eq!(ws.analysis("c1", 1).unwrap().as_deref(), Some("{\"x\":1}"));
            assert!(ws.analysis_jobs(1).unwrap().is_empty());
            assert_eq!(ws.analysis_backlog(1).unwrap(), 0);
            assert_eq!(ws.analysis_job("c1", 1).unwrap(), None);
            assert!(ws.analysis_job("c1", 2).unwrap().is_some());
            assert_eq!(ws.analysis_jobs_after(2, None, 5).unwrap().len(), 1);
            // A new algorithm version makes the cache stale.
            assert_eq!(ws.analysis("c1", 2).unwrap(), None);
            assert_eq!(ws.analysis_jobs(2).unwrap().len(), 1);
            // So does a changed recording.
            ws.conn()
                .execute(
                    "UPDATE calls SET duration_ms = 1 WHERE call_id = 'c1'",
                    params![],
                )
                .unwrap();
            assert_eq!(ws.analysis("c1", 1).unwrap(), None);
        }
    }
}
