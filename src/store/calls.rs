//! Calls and CRM records in the workspace: idempotent upserts for the
//! importer and the reads the workstation needs (call, CRM record; the
//! queue is in `queue.rs`).

use super::{Result, Workspace, now_text};
use crate::domain::crm::{Call, Contact, Deal, Note, Task, Timestamp};
use rusqlite::types::ToSql;
use rusqlite::{OptionalExtension, params};

/// What an upsert did, so an import can say "3 new, 1 changed, 9 unchanged".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted,
    Updated,
    Unchanged,
}

fn ts_text(ts: &Timestamp) -> String {
    ts.to_rfc3339()
}

/// A record kind's columns as `upsert` stores them: the key first, then the
/// batch the row came from, then the rest; values follow the same order.
fn with_batch<'a>(columns: &[&'a str]) -> Vec<&'a str> {
    let (key, rest) = columns.split_first().expect("a record has a key column");
    [*key, "batch_id"]
        .into_iter()
        .chain(rest.iter().copied())
        .collect()
}

impl Workspace {
    /// The batch row for a folder, made on first import.
    pub fn batch_id(&self, path: &str) -> Result<i64> {
        self.conn().execute(
            "INSERT OR IGNORE INTO batches (path, imported_at) VALUES (?1, ?2)",
            params![path, now_text()],
        )?;
        Ok(self.conn().query_row(
            "SELECT batch_id FROM batches WHERE path = ?1",
            [path],
            |r| r.get(0),
        )?)
    }

    /// Insert or update one row by its key; `cols[0]` is the key. Columns in
    /// `insert_only` are written on insert and never compared or changed.
    fn upsert(
        &self,
        table: &str,
        cols: &[&str],
        values: &[&dyn ToSql],
        insert_only: &[(&str, &dyn ToSql)],
    ) -> Result<UpsertOutcome> {
        let key = cols[0];
        // Cached statements: an import runs these once per row while it
        // holds the write lock.
        let exists: bool = self
            .conn()
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE {key} = ?1"))?
            .query_row([values[0]], |_| Ok(()))
            .optional()?
            .is_some();
        let all_cols: Vec<&str> = cols
            .iter()
            .copied()
            .chain(insert_only.iter().map(|(c, _)| *c))
            .collect();
        let placeholders: Vec<String> = (1..=all_cols.len()).map(|i| format!("?{i}")).collect();
        let rest = &cols[1..];
        let sets: Vec<String> = rest.iter().map(|c| format!("{c} = excluded.{c}")).collect();
        let olds: Vec<String> = rest.iter().map(|c| format!("{table}.{c}")).collect();
        let news: Vec<String> = rest.iter().map(|c| format!("excluded.{c}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT({key}) DO UPDATE SET {} WHERE ({}) IS NOT ({})",
            all_cols.join(", "),
            placeholders.join(", "),
            sets.join(", "),
            olds.join(", "),
            news.join(", "),
        );
        let mut all_values: Vec<&dyn ToSql> = values.to_vec();
        all_values.extend(insert_only.iter().map(|(_, v)| *v));
        let changed = self
            .conn()
            .prepare_cached(&sql)?
            .execute(all_values.as_slice())?;
        Ok(match (exists, changed) {
            (false, _) => UpsertOutcome::Inserted,
            (true, 0) => UpsertOutcome::Unchanged,
            (true, _) => UpsertOutcome::Updated,
        })
    }

    /// A call without a contact or deal of its own keeps the one the
    /// matcher gave it on an earlier import: an export that does not know
    /// the link must not undo it (and a re-import must change nothing).
    pub fn upsert_call(&self, batch_id: i64, call: &Call) -> Result<UpsertOutcome> {
        let mut call = call.clone();
        if call.contact_id.is_none() || call.deal_id.is_none() {
            let known: Option<(Option<String>, Option<String>)> = self
                .conn()
                .prepare_cached("SELECT contact_id, deal_id FROM calls WHERE call_id = ?1")?
                .query_row([&call.call_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((contact, deal)) = known {
                call.contact_id = call.contact_id.or(contact);
                call.deal_id = call.deal_id.or(deal);
            }
        }
        let call = &call;
        let r = &call.recording;
        let utc = call
            .started_at
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.upsert(
            "calls",
            &[
                "call_id",
                "batch_id",
                "started_at",
                "started_at_utc",
                "rep",
                "direction",
                "phone",
                "contact_id",
                "deal_id",
                "script",
                "recording_path",
                "container",
                "codec",
                "duration_ms",
                "channels",
                "sample_rate",
                "channel_layout",
            ],
            &[
                &call.call_id,
                &batch_id,
                &ts_text(&call.started_at),
                &utc,
                &call.rep,
                &call.direction.code(),
                &call.phone,
                &call.contact_id,
                &call.deal_id,
                &call.script,
                &r.path,
                &r.container,
                &r.codec,
                &(r.duration_ms as i64),
                &r.channels,
                &r.sample_rate,
                &r.channel_layout.code(),
            ],
            &[("imported_at", &now_text())],
        )
    }

    pub fn upsert_contact(&self, batch_id: i64, c: &Contact) -> Result<UpsertOutcome> {
        let values: Vec<&str> = Contact::COLUMNS[1..]
            .iter()
            .map(|col| c.field(col).unwrap_or_default())
            .collect();
        let mut params: Vec<&dyn ToSql> = vec![&c.contact_id, &batch_id];
        params.extend(values.iter().map(|v| v as &dyn ToSql));
        self.upsert("contacts", &with_batch(&Contact::COLUMNS), &params, &[])
    }

    pub fn upsert_deal(&self, batch_id: i64, d: &Deal) -> Result<UpsertOutcome> {
        let updated = d.updated_at.as_ref().map(ts_text);
        self.upsert(
            "deals",
            &with_batch(&Deal::COLUMNS),
            &[
                &d.deal_id,
                &batch_id,
                &d.contact_id,
                &d.title,
                &d.stage,
                &d.amount,
                &d.currency,
                &d.spec,
                &d.source,
                &d.owner_rep,
                &updated,
            ],
            &[],
        )
    }

    pub fn upsert_task(&self, batch_id: i64, t: &Task) -> Result<UpsertOutcome> {
        let due = t.due_at.as_ref().map(ts_text);
        self.upsert(
            "tasks",
            &with_batch(&Task::COLUMNS),
            &[
                &t.task_id,
                &batch_id,
                &t.deal_id,
                &t.contact_id,
                &t.owner_rep,
                &t.text,
                &due,
                &t.done,
            ],
            &[],
        )
    }

    pub fn upsert_note(&self, batch_id: i64, n: &Note) -> Result<UpsertOutcome> {
        self.upsert(
            "notes",
            &with_batch(&Note::COLUMNS),
            &[
                &n.note_id,
                &batch_id,
                &n.deal_id,
                &n.contact_id,
                &n.call_id,
                &n.author_rep,
                &ts_text(&n.created_at),
                &n.text,
            ],
            &[],
        )
    }

    pub fn call_count(&self) -> Result<usize> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM calls", [], |r| r.get::<_, i64>(0))?
            as usize)
    }
}
