//! Reading calls and CRM records back: one row mapper per record kind,
//! shared by the workstation's per-call view and the audit's full load.

use super::db::{DbError, OptionalExtension, Param, Row, params};
use super::{Result, StoreError, Workspace};
use crate::domain::crm::{
    Call, ChannelLayout, Contact, CrmRecord, Deal, Direction, Note, Recording, Task, Timestamp,
};
use std::sync::LazyLock;

const CALL_SELECT: &str = "SELECT call_id, started_at, rep, direction, phone, contact_id, deal_id,
    script, recording_path, container, codec, duration_ms, channels, sample_rate, channel_layout
    FROM calls";
/// `SELECT` of a record kind's columns, in the order its row mapper reads.
fn select(columns: &[&str], table: &str) -> String {
    format!("SELECT {} FROM {table}", columns.join(", "))
}

static CONTACT_SELECT: LazyLock<String> = LazyLock::new(|| select(&Contact::COLUMNS, "contacts"));
static DEAL_SELECT: LazyLock<String> = LazyLock::new(|| select(&Deal::COLUMNS, "deals"));
static TASK_SELECT: LazyLock<String> = LazyLock::new(|| select(&Task::COLUMNS, "tasks"));
static NOTE_SELECT: LazyLock<String> = LazyLock::new(|| select(&Note::COLUMNS, "notes"));

/// A stored channel layout; an unknown code is an error, not a silent mono.
pub(super) fn channel_layout(r: &Row<'_>, index: usize) -> super::db::Result<ChannelLayout> {
    let code: String = r.get(index)?;
    ChannelLayout::parse(&code)
        .ok_or_else(|| DbError::column(index, format!("unknown channel_layout {code:?}")))
}

/// A stored time; a damaged one is an error naming the column's value.
fn time(r: &Row<'_>, index: usize) -> super::db::Result<Timestamp> {
    let text: String = r.get(index)?;
    chrono::DateTime::parse_from_rfc3339(&text)
        .map_err(|e| DbError::column(index, format!("bad time {text:?}: {e}")))
}

fn opt_time(r: &Row<'_>, index: usize) -> super::db::Result<Option<Timestamp>> {
    match r.get::<_, Option<String>>(index)? {
        Some(text) if !text.is_empty() => time(r, index).map(Some),
        _ => Ok(None),
    }
}

fn call_from_row(r: &Row<'_>) -> super::db::Result<Call> {
    Ok(Call {
        call_id: r.get(0)?,
        started_at: time(r, 1)?,
        rep: r.get(2)?,
        direction: Direction::parse(&r.get::<_, String>(3)?).unwrap_or(Direction::In),
        phone: r.get(4)?,
        contact_id: r.get(5)?,
        deal_id: r.get(6)?,
        script: r.get(7)?,
        recording: Recording {
            path: r.get(8)?,
            container: r.get(9)?,
            codec: r.get(10)?,
            duration_ms: r.get::<_, i64>(11)?.max(0) as u64,
            channels: r.get(12)?,
            sample_rate: r.get(13)?,
            channel_layout: channel_layout(r, 14)?,
        },
    })
}

/// What linking reads of a stored call: the matcher's facts and the
/// contact and deal the call row holds, without its recording.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCallFacts {
    pub call_id: String,
    pub started_at: Timestamp,
    pub rep: String,
    pub phone: String,
    /// The call's own contact and deal, as its export gave them: what the
    /// matcher may read as the call's link.
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    /// What the row shows: its own ids, else those linking filled in.
    pub shown_contact_id: Option<String>,
    pub shown_deal_id: Option<String>,
}

fn call_facts_from_row(r: &Row<'_>) -> super::db::Result<StoredCallFacts> {
    Ok(StoredCallFacts {
        call_id: r.get(0)?,
        started_at: time(r, 1)?,
        rep: r.get(2)?,
        phone: r.get(3)?,
        contact_id: r.get(4)?,
        deal_id: r.get(5)?,
        shown_contact_id: r.get(6)?,
        shown_deal_id: r.get(7)?,
    })
}

fn contact_from_row(r: &Row<'_>) -> super::db::Result<Contact> {
    let mut failed = None;
    let contact = Contact::from_columns(|column| {
        let index = Contact::COLUMNS.iter().position(|c| *c == column);
        match index.map(|i| r.get::<_, String>(i)) {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                failed.get_or_insert(e);
                String::new()
            }
            None => String::new(),
        }
    });
    failed.map_or(Ok(contact), Err)
}

fn deal_from_row(r: &Row<'_>) -> super::db::Result<Deal> {
    Ok(Deal {
        deal_id: r.get(0)?,
        contact_id: r.get(1)?,
        title: r.get(2)?,
        stage: r.get(3)?,
        amount: r.get(4)?,
        currency: r.get(5)?,
        spec: r.get(6)?,
        source: r.get(7)?,
        owner_rep: r.get(8)?,
        updated_at: opt_time(r, 9)?,
    })
}

fn task_from_row(r: &Row<'_>) -> super::db::Result<Task> {
    Ok(Task {
        task_id: r.get(0)?,
        deal_id: r.get(1)?,
        contact_id: r.get(2)?,
        owner_rep: r.get(3)?,
        text: r.get(4)?,
        due_at: opt_time(r, 5)?,
        done: r.get(6)?,
    })
}

fn note_from_row(r: &Row<'_>) -> super::db::Result<Note> {
    Ok(Note {
        note_id: r.get(0)?,
        deal_id: r.get(1)?,
        contact_id: r.get(2)?,
        call_id: r.get(3)?,
        author_rep: r.get(4)?,
        created_at: time(r, 5)?,
        text: r.get(6)?,
    })
}

impl Workspace {
    fn load<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        map: fn(&Row<'_>) -> super::db::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn().prepare(sql)?;
        stmt.query_map(params, map).map_err(|e| match e {
            DbError::Column { .. } => StoreError::Corrupt(e.to_string()),
            e => StoreError::Sql(e),
        })
    }

    pub fn call(&self, call_id: &str) -> Result<Call> {
        self.conn()
            .query_row(
                &format!("{CALL_SELECT} WHERE call_id = ?1"),
                params![call_id],
                call_from_row,
            )
            .optional()
            .map_err(|e| StoreError::Corrupt(format!("call {call_id}: {e}")))?
            .ok_or_else(|| StoreError::NoSuchCall(call_id.to_string()))
    }

    /// What the CRM holds about a call: its contact and deal, their tasks,
    /// and every note tied to the call, the deal or the contact.
    pub fn crm_for_call(&self, call: &Call) -> Result<CrmRecord> {
        let contact = match &call.contact_id {
            Some(id) => self
                .load(
                    &format!("{} WHERE contact_id = ?1", *CONTACT_SELECT),
                    params![id],
                    contact_from_row,
                )?
                .pop(),
            None => None,
        };
        let deal = match &call.deal_id {
            Some(id) => self
                .load(
                    &format!("{} WHERE deal_id = ?1", *DEAL_SELECT),
                    params![id],
                    deal_from_row,
                )?
                .pop(),
            None => None,
        };
        let tasks = self.load(
            &format!(
                "{} WHERE (deal_id IS NOT NULL AND deal_id = ?1)
                 OR (contact_id IS NOT NULL AND contact_id = ?2) ORDER BY due_at",
                *TASK_SELECT
            ),
            params![call.deal_id, call.contact_id],
            task_from_row,
        )?;
        let notes = self.load(
            &format!(
                "{} WHERE call_id = ?1
                 OR (deal_id IS NOT NULL AND deal_id = ?2)
                 OR (contact_id IS NOT NULL AND contact_id = ?3)",
                *NOTE_SELECT
            ),
            params![call.call_id, call.deal_id, call.contact_id],
            note_from_row,
        )?;
        Ok(CrmRecord {
            contact,
            deal,
            tasks,
            notes,
            write_up_note_ids: self.write_up_note_ids(&call.call_id)?,
        })
    }

    /// Whether any CRM export was imported; without one, CRM checks
    /// cannot be answered from data.
    pub fn has_crm_data(&self) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM contacts) OR EXISTS (SELECT 1 FROM deals)
                 OR EXISTS (SELECT 1 FROM tasks) OR EXISTS (SELECT 1 FROM notes)",
            params![],
            |r| r.get(0),
        )?)
    }

    pub fn all_calls(&self) -> Result<Vec<Call>> {
        self.load(
            &format!("{CALL_SELECT} ORDER BY started_at_utc, call_id"),
            params![],
            call_from_row,
        )
    }

    /// Every call's [`StoredCallFacts`], in the order of [`Workspace::all_calls`]:
    /// linking a large workspace reads these back, and the recording
    /// columns were a third of that read.
    pub fn all_call_facts(&self) -> Result<Vec<StoredCallFacts>> {
        self.load(
            "SELECT call_id, started_at, rep, phone, own_contact_id, own_deal_id, contact_id,
                    deal_id FROM calls
             ORDER BY started_at_utc, call_id",
            params![],
            call_facts_from_row,
        )
    }

    pub fn all_contacts(&self) -> Result<Vec<Contact>> {
        self.load(
            &format!("{} ORDER BY contact_id", *CONTACT_SELECT),
            params![],
            contact_from_row,
        )
    }

    pub fn all_deals(&self) -> Result<Vec<Deal>> {
        self.load(
            &format!("{} ORDER BY deal_id", *DEAL_SELECT),
            params![],
            deal_from_row,
        )
    }

    pub fn all_tasks(&self) -> Result<Vec<Task>> {
        self.load(
            &format!("{} ORDER BY task_id", *TASK_SELECT),
            params![],
            task_from_row,
        )
    }

    pub fn all_notes(&self) -> Result<Vec<Note>> {
        self.load(
            &format!("{} ORDER BY note_id", *NOTE_SELECT),
            params![],
            note_from_row,
        )
    }
}
