//! Emails in the workspace: the import's upsert (by Message-ID, inside the
//! import's transaction), the links decided for them, and the reads a
//! listing and the review need (by rep and period, a whole thread). The
//! emails of a workspace are few next to its calls, so a listing filters
//! them in memory.
//!
//! A message's content and its links are kept apart: a re-import of the
//! same message is "unchanged" even when a new CRM export moves its link.

use super::db::{OptionalExtension, Param, Row, ToParam, params};
use super::{Result, StoreError, UpsertOutcome, Workspace, now_text};
use crate::domain::ReviewStatus;
use crate::domain::crm::Timestamp;
use crate::domain::email::{ContactRule, Email, EmailDirection, EmailLink};
use crate::domain::reps::same_rep;
use crate::domain::sampling::Period;

/// An email as stored, with its link and where it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEmail {
    pub email: Email,
    pub link: EmailLink,
    pub source_file: String,
    /// The message number in an mbox.
    pub source_record: Option<u32>,
}

/// Which emails a listing wants.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmailFilter<'a> {
    /// Compared by [`crate::domain::reps::rep_key`].
    pub rep: Option<&'a str>,
    /// Sent in this week, by the local date the message carries (as calls
    /// are placed in a period); undated emails are in no period.
    pub period: Option<Period>,
}

/// Content columns, in the order [`content_values`] gives them.
const CONTENT: [&str; 15] = [
    "in_reply_to",
    "refs",
    "from_name",
    "from_address",
    "to_list",
    "cc_list",
    "sent_at",
    "sent_at_utc",
    "subject",
    "body",
    "attachments",
    "source_file",
    "source_record",
    "batch_id",
    "crm_links",
];

const SELECT: &str = "SELECT message_id, in_reply_to, refs, from_name, from_address, to_list, \
     cc_list, sent_at, subject, body, attachments, source_file, source_record, thread_id, \
     direction, rep, contact_id, deal_id, contact_rule, crm_links FROM emails";

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

fn utc(ts: &Timestamp) -> String {
    ts.with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Workspace {
    /// Store one email read from `source_file` (message `source_record`
    /// of an mbox). Its link starts as unmatched; [`Workspace::save_email_link`]
    /// sets it.
    pub fn upsert_email(
        &self,
        batch_id: i64,
        email: &Email,
        source_file: &str,
        source_record: Option<u32>,
    ) -> Result<UpsertOutcome> {
        let references = json(&email.references);
        let (to, cc, attachments) = (json(&email.to), json(&email.cc), json(&email.attachments));
        let (sent_at, sent_at_utc) = (
            email.date.map(|d| d.to_rfc3339()),
            email.date.as_ref().map(utc),
        );
        let crm = email.crm.as_ref().map(json);
        let values = params![
            email.in_reply_to,
            references,
            email.from.name,
            email.from.address,
            to,
            cc,
            sent_at,
            sent_at_utc,
            email.subject,
            email.body_text,
            attachments,
            source_file,
            source_record,
            batch_id,
            crm,
        ];
        let conn = self.conn();
        let exists = conn
            .prepare_cached("SELECT 1 FROM emails WHERE message_id = ?1")?
            .query_row(params![&email.message_id], |_| Ok(()))
            .optional()?
            .is_some();
        let placeholders: Vec<String> = (2..=CONTENT.len() + 1).map(|i| format!("?{i}")).collect();
        let sets: Vec<String> = CONTENT
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let olds: Vec<String> = CONTENT.iter().map(|c| format!("emails.{c}")).collect();
        let news: Vec<String> = CONTENT.iter().map(|c| format!("excluded.{c}")).collect();
        let n = CONTENT.len();
        let sql = format!(
            "INSERT INTO emails (message_id, {}, thread_id, direction, imported_at)
             VALUES (?1, {}, ?1, 'in', ?{}) ON CONFLICT(message_id) DO UPDATE SET {}
             WHERE ({}) IS DISTINCT FROM ({})",
            CONTENT.join(", "),
            placeholders.join(", "),
            n + 2,
            sets.join(", "),
            olds.join(", "),
            news.join(", "),
        );
        let now = now_text();
        let mut params: Vec<Param> = vec![email.message_id.to_param()];
        params.extend_from_slice(values);
        params.push(now.to_param());
        let changed = conn.prepare_cached(&sql)?.execute(&params)?;
        Ok(match (exists, changed) {
            (false, _) => UpsertOutcome::Inserted,
            (true, 0) => UpsertOutcome::Unchanged,
            (true, _) => UpsertOutcome::Updated,
        })
    }

    /// Every email in the workspace, oldest first (undated last).
    pub fn all_emails(&self) -> Result<Vec<StoredEmail>> {
        self.emails_where("TRUE", params![])
    }

    /// Set what linking decided for an email.
    pub fn save_email_link(&self, link: &EmailLink) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE emails SET thread_id = ?2, direction = ?3, rep = ?4, contact_id = ?5,
                 deal_id = ?6, contact_rule = ?7 WHERE message_id = ?1",
            )?
            .execute(params![
                link.message_id,
                link.thread_id,
                link.direction.code(),
                link.rep,
                link.contact_id,
                link.deal_id,
                link.contact_rule.code(),
            ])?;
        Ok(())
    }

    /// The emails a listing asks for, oldest first.
    pub fn emails(&self, filter: &EmailFilter<'_>) -> Result<Vec<StoredEmail>> {
        let wanted = |e: &StoredEmail| {
            let rep = filter
                .rep
                .is_none_or(|rep| e.link.rep.as_deref().is_some_and(|r| same_rep(r, rep)));
            let period = filter
                .period
                .is_none_or(|p| e.email.date.is_some_and(|d| p.contains(d.date_naive())));
            rep && period
        };
        Ok(self.all_emails()?.into_iter().filter(wanted).collect())
    }

    /// The reps' own emails, newest first (undated last), each with this
    /// reviewer's review status under `checklist_id`: the email queue.
    pub fn outgoing_emails(
        &self,
        reviewer: &str,
        checklist_id: &str,
    ) -> Result<Vec<(StoredEmail, ReviewStatus)>> {
        let mut emails = self.emails_where("direction = 'out'", &[])?;
        emails.reverse();
        let undated = emails.iter().take_while(|e| e.email.date.is_none()).count();
        emails.rotate_left(undated);
        let mut status = self.conn().prepare_cached(
            "SELECT status FROM reviews WHERE message_id = ?1 AND reviewer = ?2
             AND checklist_id = ?3",
        )?;
        emails
            .into_iter()
            .map(|e| {
                let code: Option<String> = status
                    .query_row(params![e.email.message_id, reviewer, checklist_id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                let status = match code {
                    Some(code) => code.parse().map_err(StoreError::Corrupt)?,
                    None => ReviewStatus::New,
                };
                Ok((e, status))
            })
            .collect()
    }

    /// One email by its Message-ID (without angle brackets).
    pub fn email(&self, message_id: &str) -> Result<Option<StoredEmail>> {
        Ok(self
            .emails_where("message_id = ?1", params![message_id])?
            .into_iter()
            .next())
    }

    /// A whole thread, oldest first.
    pub fn email_thread(&self, thread_id: &str) -> Result<Vec<StoredEmail>> {
        self.emails_where("thread_id = ?1", params![thread_id])
    }

    fn emails_where(&self, clause: &str, values: &[Param<'_>]) -> Result<Vec<StoredEmail>> {
        let sql = format!(
            "{SELECT} WHERE {clause} ORDER BY sent_at_utc IS NULL, sent_at_utc, message_id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(values, |r| Ok(read_row(r)))?;
        rows.into_iter().collect()
    }
}

fn read_row(r: &Row<'_>) -> Result<StoredEmail> {
    let message_id: String = r.get(0)?;
    let id = message_id.clone();
    let corrupt = move |what: &str| StoreError::Corrupt(format!("email {id:?}: {what}"));
    fn column<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> Option<T> {
        serde_json::from_str(&r.get::<_, String>(i).ok()?).ok()
    }
    let date: Option<String> = r.get(7)?;
    let date = date
        .map(|d| chrono::DateTime::parse_from_rfc3339(&d).map_err(|_| corrupt("sent_at")))
        .transpose()?;
    let direction: String = r.get(14)?;
    let rule: String = r.get(18)?;
    Ok(StoredEmail {
        email: Email {
            message_id: message_id.clone(),
            in_reply_to: r.get(1)?,
            references: column(r, 2).ok_or_else(|| corrupt("refs"))?,
            from: crate::domain::email::Mailbox {
                name: r.get(3)?,
                address: r.get(4)?,
            },
            to: column(r, 5).ok_or_else(|| corrupt("to"))?,
            cc: column(r, 6).ok_or_else(|| corrupt("cc"))?,
            date,
            subject: r.get(8)?,
            body_text: r.get(9)?,
            attachments: column(r, 10).ok_or_else(|| corrupt("attachments"))?,
            crm: match r.get::<_, Option<String>>(19)? {
                Some(text) => Some(serde_json::from_str(&text).map_err(|_| corrupt("crm_links"))?),
                None => None,
            },
        },
        link: EmailLink {
            message_id,
            thread_id: r.get(13)?,
            direction: EmailDirection::parse(&direction).ok_or_else(|| corrupt("direction"))?,
            rep: r.get(15)?,
            contact_id: r.get(16)?,
            deal_id: r.get(17)?,
            contact_rule: ContactRule::parse(&rule),
        },
        source_file: r.get(11)?,
        source_record: r.get(12)?,
    })
}
