//! The planned emails a reviewer replaced (`callqa plan --replace`), kept
//! beside the plan as replaced calls are kept in it: the plan's own email
//! rows hold the emails to review, this table why the others left it, so
//! drawing the week again never brings a replaced email back.

use super::db::params;
use super::{Result, Workspace, now_text};
use crate::domain::sampling::Period;

/// A planned email taken out of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacedEmail {
    pub message_id: String,
    pub rep: String,
    pub reason: String,
    /// The email drawn in its place, if the rep had another.
    pub replaced_by: Option<String>,
}

impl Workspace {
    /// The emails replaced in `period`'s plan, in the order replaced.
    pub fn replaced_plan_emails(&self, period: Period) -> Result<Vec<ReplacedEmail>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT message_id, rep, reason, replaced_by FROM plan_email_replacements
             WHERE period = ?1 ORDER BY replaced_at, message_id",
        )?;
        let rows = stmt.query_map(params![period.to_string()], |r| {
            Ok(ReplacedEmail {
                message_id: r.get(0)?,
                rep: r.get(1)?,
                reason: r.get(2)?,
                replaced_by: r.get(3)?,
            })
        })?;
        Ok(rows)
    }

    /// Keep a replaced email of `period`'s plan; the plan must be stored
    /// (save it in the same write batch).
    pub fn keep_replaced_email(&self, period: Period, replaced: &ReplacedEmail) -> Result<()> {
        self.conn().execute(
            "INSERT INTO plan_email_replacements
                 (period, message_id, rep, reason, replaced_by, replaced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                period.to_string(),
                replaced.message_id,
                replaced.rep,
                replaced.reason,
                replaced.replaced_by,
                now_text()
            ],
        )?;
        Ok(())
    }
}
