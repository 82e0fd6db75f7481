//! Claimed work: reviewers of one workspace take the calls of a week's plan
//! one at a time, each call to one reviewer, instead of only working
//! through calls assigned in advance.
//!
//! A claim has a lease: a reviewer whose workstation crashed does not hold
//! a call for ever; once the lease has run out the call is back in the
//! pool. Claiming is one transaction that writes: on PostgreSQL the
//! candidate plan entry is read `FOR UPDATE SKIP LOCKED`, so two reviewers
//! claiming at the same moment each get a different call without waiting
//! for each other; on SQLite the write lock (`BEGIN IMMEDIATE`) already
//! puts claimers one after another. A lead sees every claim and can hand a
//! call to another reviewer. Calibration calls are the exception: each
//! reviewer of the set gets them, unclaimed, until they have submitted.

use super::db::dialect::{self, Dialect};
use super::db::{OptionalExtension, params};
use super::plans::bucket_of;
use super::{PlannedCall, Result, Workspace, now_text};
use crate::domain::sampling::Period;
use std::sync::LazyLock;

/// Why a call may not be handed to a reviewer (the words are the
/// caller's: `i18n::team::reassign_refusal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReassignRefusal {
    /// Only a lead reassigns; this login has another part.
    NotALead(super::TeamRole),
    /// `name` is nobody's in the workspace; `known` are.
    UnknownReviewer { name: String, known: Vec<String> },
}

/// How long a claim holds when the workstation does not say otherwise.
pub const DEFAULT_LEASE_MS: i64 = 30 * 60 * 1000;

/// One claim, as a lead sees it; on the lead's board also a call the
/// plan (or a lead's reassignment) drew for a reviewer, which nobody
/// claimed: it is theirs without a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub call_id: String,
    pub reviewer: String,
    /// Empty when `claimed` is false.
    pub claimed_at: String,
    /// 0 when `claimed` is false.
    pub expires_ms: i64,
    /// The rep whose call it is.
    pub rep: String,
    /// The calibration set the call is in, if it is a calibration call.
    pub calibration: Option<String>,
    /// Someone has submitted a review of the call.
    pub submitted: bool,
    /// Held by a claim with a lease, rather than drawn for the reviewer.
    pub claimed: bool,
}

/// A [`Claim`]'s columns, over `plan_entries e`, `plan_claims c` and
/// `calibration_calls k` (either of the first two may be missing).
const CLAIM_COLUMNS: &str = "COALESCE(c.call_id, e.call_id), COALESCE(c.reviewer, e.reviewer),
    COALESCE(c.claimed_at, ''), COALESCE(c.expires_ms, 0), COALESCE(e.rep, ''), k.set_name,
    EXISTS (SELECT 1 FROM reviews r
        WHERE r.call_id = COALESCE(c.call_id, e.call_id) AND r.status = 'submitted'),
    c.call_id IS NOT NULL";

fn claim_of(r: &super::db::Row<'_>) -> super::db::Result<Claim> {
    Ok(Claim {
        call_id: r.get(0)?,
        reviewer: r.get(1)?,
        claimed_at: r.get(2)?,
        expires_ms: r.get(3)?,
        rep: r.get(4)?,
        calibration: r.get(5)?,
        submitted: r.get(6)?,
        claimed: r.get(7)?,
    })
}

/// Calls of the plan `?1` nobody holds at time `?2`: drawn for nobody, no
/// live claim, not submitted, not a calibration call (those every member
/// of the set scores).
const UNCLAIMED_SQL: &str = "SELECT count(*) FROM plan_entries e
    WHERE e.period = ?1 AND e.replaced IS NULL AND e.reviewer IS NULL
      AND NOT EXISTS (SELECT 1 FROM plan_claims c
          WHERE c.period = e.period AND c.call_id = e.call_id AND c.expires_ms > ?2)
      AND NOT EXISTS (SELECT 1 FROM reviews r
          WHERE r.call_id = e.call_id AND r.status = 'submitted')
      AND NOT EXISTS (SELECT 1 FROM calibration_calls k WHERE k.call_id = e.call_id)";

/// The names a call can be handed to on a file (or a server without
/// roles): whoever has a part in the workspace's work already.
const WORKING_NAMES_SQL: &str = "SELECT reviewer FROM plan_entries WHERE reviewer IS NOT NULL
    UNION SELECT reviewer FROM plan_claims
    UNION SELECT reviewer FROM reviews
    UNION SELECT reviewer FROM calibration_reviewers
    UNION SELECT lead FROM calibration_sets
    ORDER BY 1";

/// Whether `e.call_id` is a calibration call reviewer `?2` scores: every
/// member of the set scores it blind, so it is not one reviewer's to claim.
const CALIBRATES: &str = "EXISTS (SELECT 1 FROM calibration_calls k
    JOIN calibration_reviewers m ON m.set_name = k.set_name
    WHERE k.call_id = e.call_id AND m.reviewer = ?2)";

/// The next call of the period's plan `?1` that reviewer `?2` may take at
/// time `?3`, with whether it is a calibration call of theirs. Not
/// replaced; either a calibration call they have not submitted yet
/// (whoever else scores or holds it), or one drawn for them or for nobody,
/// not reviewed and submitted by anyone, not held by another reviewer's
/// live claim. Calibration calls first (blind scoring is the set's part of
/// the week), then quality, in plan order.
static NEXT_CLAIMABLE_SQL: LazyLock<[String; 2]> = LazyLock::new(|| {
    Dialect::ALL.map(|d| {
        format!(
            "SELECT e.call_id, e.bucket, {CALIBRATES} FROM plan_entries e
             WHERE e.period = ?1 AND e.replaced IS NULL
               AND (({CALIBRATES}
                     AND NOT EXISTS (SELECT 1 FROM reviews r
                         WHERE r.call_id = e.call_id AND r.reviewer = ?2
                           AND r.status = 'submitted'))
                 OR ((e.reviewer IS NULL OR e.reviewer = ?2)
                     AND NOT EXISTS (SELECT 1 FROM plan_claims c
                         WHERE c.period = e.period AND c.call_id = e.call_id
                           AND c.reviewer <> ?2 AND c.expires_ms > ?3)
                     AND NOT EXISTS (SELECT 1 FROM reviews r
                         WHERE r.call_id = e.call_id AND r.status = 'submitted')))
             ORDER BY {CALIBRATES} DESC, e.reviewer IS NULL, e.bucket, e.position
             LIMIT 1 {}",
            dialect::skip_locked(d, "e")
        )
    })
});

fn millis_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Workspace {
    /// Claim the next call of `period`'s plan for `reviewer` (the one they
    /// already hold first, its lease renewed), or `None` when the pool is
    /// empty for them.
    pub fn claim_next(&self, period: Period, reviewer: &str) -> Result<Option<PlannedCall>> {
        self.claim_next_at(period, reviewer, millis_now(), DEFAULT_LEASE_MS)
    }

    /// [`Workspace::claim_next`] at time `now_ms` with a lease of
    /// `lease_ms`: the tests' clock.
    pub fn claim_next_at(
        &self,
        period: Period,
        reviewer: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Option<PlannedCall>> {
        let period = period.to_string();
        self.write_batch(|ws| {
            let held: Option<(String, String)> = ws
                .conn()
                .query_row(
                    "SELECT c.call_id, e.bucket FROM plan_claims c
                     JOIN plan_entries e ON e.period = c.period AND e.call_id = c.call_id
                     WHERE c.period = ?1 AND c.reviewer = ?2 AND c.expires_ms > ?3
                       AND e.replaced IS NULL
                       AND NOT EXISTS (SELECT 1 FROM reviews r
                           WHERE r.call_id = c.call_id AND r.status = 'submitted')
                     ORDER BY c.claimed_at LIMIT 1",
                    params![period, reviewer, now_ms],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((call_id, bucket)) = held {
                ws.take_claim(&period, &call_id, reviewer, now_ms, lease_ms)?;
                return Ok(Some(PlannedCall {
                    bucket: bucket_of(&bucket)?,
                    call_id,
                }));
            }
            // A claimer that read the pool just before another's claim was
            // committed finds its call taken when it writes; it reads the
            // pool again (each read sees the claims committed by then).
            loop {
                let next: Option<(String, String, bool)> = ws
                    .conn()
                    .query_row(
                        &NEXT_CLAIMABLE_SQL[ws.conn().dialect() as usize],
                        params![period, reviewer, now_ms],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let Some((call_id, bucket, calibration)) = next else {
                    return Ok(None);
                };
                // A calibration call is scored by each member of its set:
                // nobody's claim keeps it from the others.
                if calibration || ws.take_claim(&period, &call_id, reviewer, now_ms, lease_ms)? {
                    return Ok(Some(PlannedCall {
                        bucket: bucket_of(&bucket)?,
                        call_id,
                    }));
                }
            }
        })
    }

    /// Write `reviewer`'s claim on a call unless another reviewer's live
    /// claim is there; whether it was written.
    fn take_claim(
        &self,
        period: &str,
        call_id: &str,
        reviewer: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<bool> {
        let n = self.conn().execute(
            "INSERT INTO plan_claims (period, call_id, reviewer, claimed_at, expires_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(period, call_id) DO UPDATE SET reviewer = excluded.reviewer,
               claimed_at = excluded.claimed_at, expires_ms = excluded.expires_ms
             WHERE plan_claims.reviewer = excluded.reviewer OR plan_claims.expires_ms <= ?6",
            params![
                period,
                call_id,
                reviewer,
                now_text(),
                now_ms + lease_ms,
                now_ms
            ],
        )?;
        Ok(n > 0)
    }

    /// Give a claimed call back to the pool (a submitted review needs no
    /// claim any more; a reviewer who skips a call lets it go).
    pub fn release_claim(&self, period: Period, call_id: &str, reviewer: &str) -> Result<bool> {
        let n = self.conn().execute(
            "DELETE FROM plan_claims WHERE period = ?1 AND call_id = ?2 AND reviewer = ?3",
            params![period.to_string(), call_id, reviewer],
        )?;
        Ok(n > 0)
    }

    /// Every claim on `period`'s plan, live or run out, by call.
    pub fn claims(&self, period: Period) -> Result<Vec<Claim>> {
        Ok(self.conn().query_map(
            &format!(
                "SELECT {CLAIM_COLUMNS} FROM plan_claims c
                 LEFT JOIN plan_entries e ON e.period = c.period AND e.call_id = c.call_id
                 LEFT JOIN calibration_calls k ON k.call_id = c.call_id
                 WHERE c.period = ?1 ORDER BY c.call_id"
            ),
            params![period.to_string()],
            claim_of,
        )?)
    }

    /// Who holds what of `period`'s plan, for a lead: each call claimed
    /// (live or run out) or drawn for a reviewer, by holder then plan
    /// order; and how many calls of its pool nobody holds at `now_ms`.
    pub fn claim_board(&self, period: Period, now_ms: i64) -> Result<(Vec<Claim>, u64)> {
        let period = period.to_string();
        let held = self.conn().query_map(
            &format!(
                "SELECT {CLAIM_COLUMNS} FROM plan_entries e
                 LEFT JOIN plan_claims c ON c.period = e.period AND c.call_id = e.call_id
                 LEFT JOIN calibration_calls k ON k.call_id = e.call_id
                 WHERE e.period = ?1 AND e.replaced IS NULL
                   AND (c.call_id IS NOT NULL OR e.reviewer IS NOT NULL)
                 ORDER BY 2, e.bucket, e.position"
            ),
            params![period],
            claim_of,
        )?;
        let unclaimed: i64 =
            self.conn()
                .query_row(UNCLAIMED_SQL, params![period, now_ms], |r| r.get(0))?;
        Ok((held, u64::try_from(unclaimed).unwrap_or(0)))
    }

    /// The latest period up to `this_week` that has a plan, else the
    /// earliest after it: the plan a lead's board shows.
    pub fn board_period(&self, this_week: Period) -> Result<Option<Period>> {
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT period FROM plans ORDER BY period <= ?1 DESC,
                   CASE WHEN period <= ?1 THEN period END DESC, period LIMIT 1",
                params![this_week.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| {
            Period::parse(&t)
                .map_err(|e| super::StoreError::Corrupt(format!("plan period {t:?}: {e}")))
        })
        .transpose()
    }

    /// Whom a lead may hand a call to: on a team's server the reviewers
    /// and leads with a role; on a file (or a server without roles yet)
    /// whoever already has work in the workspace.
    pub fn assignable_reviewers(&self) -> Result<Vec<String>> {
        if let Some(members) = self.members()?
            && !members.is_empty()
        {
            return Ok(members
                .into_iter()
                .filter(|m| m.role != super::TeamRole::Client)
                .map(|m| m.login)
                .collect());
        }
        Ok(self
            .conn()
            .query_map(WORKING_NAMES_SQL, params![], |r| r.get(0))?)
    }

    /// Why this login may not hand a call to `reviewer`, if it may not: a
    /// reviewer or client viewer on a team's server, or a name that is
    /// nobody's there (see [`Workspace::assignable_reviewers`]). The
    /// workstation's board and `callqa claims --reassign` both ask.
    pub fn reassign_refusal(&self, reviewer: &str) -> Result<Option<ReassignRefusal>> {
        if let Some(part @ (super::TeamRole::Reviewer | super::TeamRole::Client)) =
            self.team_role()?
        {
            return Ok(Some(ReassignRefusal::NotALead(part)));
        }
        let known = self.assignable_reviewers()?;
        if known.iter().any(|k| k == reviewer) {
            return Ok(None);
        }
        Ok(Some(ReassignRefusal::UnknownReviewer {
            name: reviewer.to_string(),
            known,
        }))
    }

    /// A lead hands a plan's call to `reviewer`: the entry is theirs and
    /// whatever claim another reviewer had on it is gone. False when the
    /// plan has no such call.
    pub fn reassign_planned_call(
        &self,
        period: Period,
        call_id: &str,
        reviewer: &str,
    ) -> Result<bool> {
        let period = period.to_string();
        self.write_batch(|ws| {
            let n = ws.conn().execute(
                "UPDATE plan_entries SET reviewer = ?3 WHERE period = ?1 AND call_id = ?2",
                params![period, call_id, reviewer],
            )?;
            ws.conn().execute(
                "DELETE FROM plan_claims WHERE period = ?1 AND call_id = ?2 AND reviewer <> ?3",
                params![period, call_id, reviewer],
            )?;
            Ok(n > 0)
        })
    }
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
