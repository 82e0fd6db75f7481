//! Mystery-shopping visits as the workstation records and reviews them: a
//! visit typed into the form (stored beside the imported ones, under a
//! batch of its own), what the form checks its evidence against, and the
//! submitted reviews of visits that had no call or email, for the report;
//! and the reviews that are not of a call (emails, visits) as rows of the
//! per-call export.

use super::db::OptionalExtension;
use super::db::params;
use super::{Result, UpsertOutcome, Workspace};
use crate::domain::mystery::form::KnownEvidence;
use crate::domain::mystery::{Channel, Visit};
use crate::store::{CallRow, ReportReview};
use chrono::NaiveDate;

/// The batch the visits recorded in the workstation belong to (a batch is
/// a source, and the form is one; no import ever reads this path).
pub const WORKSTATION_BATCH: &str = "callqa:workstation";

/// The source file stored with a visit from the form.
pub const FORM_SOURCE: &str = "workstation form";

/// The first id `WS-<n>` no visit has: the form's visits are numbered.
fn free_visit_id(ws: &Workspace) -> Result<String> {
    let mut n: i64 = ws.conn().query_row(
        "SELECT count(*) FROM mystery_visits WHERE source_file = ?1",
        params![FORM_SOURCE],
        |r| r.get(0),
    )?;
    loop {
        n += 1;
        let id = format!("WS-{n}");
        let taken = ws
            .conn()
            .query_row(
                "SELECT 1 FROM mystery_visits WHERE visit_id = ?1",
                params![id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !taken {
            return Ok(id);
        }
    }
}

impl Workspace {
    /// The id the next visit recorded from the form gets.
    pub fn next_form_visit_id(&self) -> Result<String> {
        free_visit_id(self)
    }

    /// Store a visit the reviewer typed into the form.
    pub fn record_visit(&self, visit: &Visit) -> Result<UpsertOutcome> {
        self.write_batch(|ws| {
            let batch = ws.batch_id(WORKSTATION_BATCH)?;
            ws.upsert_visit(batch, visit, FORM_SOURCE, 0)
        })
    }

    /// Submitted reviews of visits themselves (no call or email), on or
    /// before `until` by the visit's request; the rep is the one reached,
    /// else the team. The answers come as the report reads any review's.
    pub fn visit_report_reviews(&self, until: NaiveDate) -> Result<Vec<ReportReview>> {
        let mut reviews = Vec::new();
        // One pass per channel, as the shared reader takes one.
        for channel in Channel::ALL {
            let sql = format!(
                "SELECT r.review_id, v.visit_id, COALESCE(v.rep, v.team, ''), r.reviewer,
                        v.requested_at, r.checklist_id, r.checklist_version, r.time_spent_ms,
                        a.item_id, a.value, a.comment, a.evidence_ms, a.evidence_text
                 FROM reviews r
                 JOIN mystery_visits v ON v.visit_id = r.visit_id
                 LEFT JOIN answers a ON a.review_id = r.review_id AND a.value IS NOT NULL
                 WHERE r.status = 'submitted' AND v.channel = '{}'
                   AND v.requested_at IS NOT NULL AND substr(v.requested_at, 1, 10) <= ?1
                 ORDER BY r.review_id",
                channel.code()
            );
            // Read as a written channel: a visit has no recording to
            // take audio figures from, even one made by phone.
            let mut read = self.read_report_reviews(&sql, Channel::Messenger, until)?;
            read.iter_mut().for_each(|r| r.channel = channel);
            reviews.extend(read);
        }
        Ok(reviews)
    }
}

/// The reviews of emails and visits as rows of `callqa export --per call`:
/// the Message-ID or visit id and the sent or request time in the call's
/// columns (the checklist says which), no duration or audio. Each comes
/// with its time, for the export to put it among the calls.
const OTHER_REVIEW_ROWS: &str = "
    SELECT e.message_id, COALESCE(e.sent_at, ''), COALESCE(e.rep, ''), 0, r.reviewer,
           r.checklist_id, r.checklist_version, r.status, r.score, r.time_spent_ms,
           (SELECT string_agg(a.item_id, ' ') FROM answers a
             WHERE a.review_id = r.review_id AND a.value = 'no'),
           0
    FROM reviews r JOIN emails e ON e.message_id = r.message_id
    UNION ALL
    SELECT v.visit_id, COALESCE(v.requested_at, ''), COALESCE(v.rep, v.team, ''), 0,
           r.reviewer, r.checklist_id, r.checklist_version, r.status, r.score,
           r.time_spent_ms,
           (SELECT string_agg(a.item_id, ' ') FROM answers a
             WHERE a.review_id = r.review_id AND a.value = 'no'),
           0
    FROM reviews r JOIN mystery_visits v ON v.visit_id = r.visit_id";

impl Workspace {
    /// Every review of an email or a visit as a per-call export row, in
    /// time order (undated ones first), then by id, reviewer, checklist.
    pub fn other_review_rows(&self) -> Result<Vec<CallRow>> {
        let mut stmt = self.conn().prepare(OTHER_REVIEW_ROWS)?;
        // The columns of a call's row, no duration and no analysis (0).
        let rows = stmt.query_map(params![], super::report::call_row)?;
        let mut rows: Vec<CallRow> = rows;
        rows.sort_by_cached_key(|r| {
            (
                row_time(r),
                r.call_id.clone(),
                r.reviewer.clone(),
                r.checklist_id.clone(),
            )
        });
        Ok(rows)
    }
}

/// The moment a per-call export row stands at: its call's start, an
/// email's sending, a visit's request; `None` when it has none.
pub fn row_time(row: &CallRow) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(&row.started_at)
        .ok()
        .map(|t| t.to_utc())
}

impl KnownEvidence for Workspace {
    fn has_call(&self, call_id: &str) -> bool {
        self.call(call_id).is_ok()
    }

    fn has_email(&self, message_id: &str) -> bool {
        self.email(message_id).ok().flatten().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Checklist;
    use crate::store::Subject;
    use crate::store::test_support::temp_workspace;

    fn visit(id: &str) -> Visit {
        Visit {
            visit_id: id.into(),
            scenario: "Web form: a quote".into(),
            channel: Channel::WebForm,
            shopper: "Emma".into(),
            rep: None,
            team: Some("International".into()),
            requested_at: Some(
                chrono::DateTime::parse_from_rfc3339("2026-11-25T20:15:00+03:00").unwrap(),
            ),
            answered_at: None,
            proposal_at: None,
            callback_at: None,
            call_id: None,
            message_id: None,
        }
    }

    #[test]
    fn a_visit_is_reviewed_itself_and_reaches_the_report() {
        let (_dir, mut ws) = temp_workspace();
        assert_eq!(ws.next_form_visit_id().unwrap(), "WS-1");
        ws.record_visit(&visit("WS-1")).unwrap();
        assert_eq!(ws.next_form_visit_id().unwrap(), "WS-2");
        let checklist = crate::domain::mystery::checklist();
        ws.ensure_checklist(
            &checklist,
            crate::domain::mystery::DEFAULT_MYSTERY_CHECKLIST_TOML,
        )
        .unwrap();
        let subject = Subject::Visit("WS-1".into());
        let review = ws
            .start_review_of(&subject, "m", &checklist, vec![])
            .unwrap();
        assert_eq!(review.subject, subject);
        ws.change_answer(
            review.review_id,
            &checklist,
            "tone",
            crate::store::AnswerChange::Value(Some(crate::domain::AnswerValue::No)),
        )
        .unwrap();
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        assert!(
            ws.visit_report_reviews(day("2026-12-31"))
                .unwrap()
                .is_empty()
        );
        ws.submit_review(review.review_id, &checklist).unwrap();
        let reviews = ws.visit_report_reviews(day("2026-12-31")).unwrap();
        assert_eq!(reviews.len(), 1);
        let r = &reviews[0];
        assert_eq!(
            (r.call_id.as_str(), r.rep.as_str(), r.channel),
            ("WS-1", "International", Channel::WebForm)
        );
        assert_eq!(r.answers.len(), 1);
        assert!(
            ws.visit_report_reviews(day("2026-11-24"))
                .unwrap()
                .is_empty()
        );

        // A review names exactly one subject.
        let sales = Checklist::default_sales_call();
        let both = ws.conn().execute(
            "INSERT INTO reviews (message_id, visit_id, reviewer, checklist_id,
                 checklist_version, status, started_at)
             VALUES ('x', 'WS-1', 'm', ?1, ?2, 'in_progress', 'now')",
            params![sales.id, sales.version],
        );
        assert!(both.is_err());
    }
}
