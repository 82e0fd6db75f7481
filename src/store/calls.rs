//! Calls and CRM records in the workspace: idempotent upserts for the
//! importer and the reads the workstation needs (call, CRM record; the
//! queue is in `queue.rs`).

use super::db::dialect::{self, Dialect};
use super::db::{OptionalExtension, Param, ToParam, params};
use super::{Result, Workspace, now_text};
use crate::domain::crm::{Call, ChannelLayout, Contact, Deal, Note, Recording, Task, Timestamp};
use std::collections::HashSet;
use std::sync::LazyLock;

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

/// How one record kind is upserted: its table and key, the columns an
/// import writes and compares, and those written on insert only.
struct UpsertSpec {
    table: &'static str,
    key: &'static str,
    /// Written and compared on every import, in the order of the values.
    columns: Vec<&'static str>,
    /// Of `columns`, those an import without a value for them (NULL) must
    /// not clear: the matcher's link of a call an export knows nothing of.
    kept_when_null: &'static [&'static str],
    /// Written on insert, never compared or changed; after `columns`.
    insert_only: &'static [&'static str],
}

impl UpsertSpec {
    /// One statement does the whole upsert: a row that is new is inserted,
    /// a row that differs is updated, and only those two return a row, whose
    /// [`dialect::upsert_returning`] (or, on SQLite, the change count) tells which.
    fn sql(&self, dialect: Dialect) -> String {
        let (table, key) = (self.table, self.key);
        let new_value = |c: &str| {
            if self.kept_when_null.contains(&c) {
                format!("COALESCE(excluded.{c}, {table}.{c})")
            } else {
                format!("excluded.{c}")
            }
        };
        let sets: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("{c} = {}", new_value(c)))
            .collect();
        let olds: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("{table}.{c}"))
            .collect();
        let news: Vec<String> = self.columns.iter().map(|c| new_value(c)).collect();
        format!(
            "{} ON CONFLICT({key}) DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({}){}",
            self.insert(),
            sets.join(", "),
            olds.join(", "),
            news.join(", "),
            dialect::upsert_returning(dialect, table),
        )
    }

    /// The plain insert of every column: the row's key, `columns`, then
    /// `insert_only`.
    fn insert(&self) -> String {
        let all: Vec<&str> = [self.key]
            .iter()
            .chain(&self.columns)
            .chain(self.insert_only)
            .copied()
            .collect();
        let placeholders: Vec<String> = (1..=all.len()).map(|i| format!("?{i}")).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.table,
            all.join(", "),
            placeholders.join(", ")
        )
    }

    /// [`UpsertSpec::sql`] in each dialect, by [`Dialect`] index, and the
    /// plain insert of a row whose id is new.
    fn statements(&self) -> UpsertSql {
        UpsertSql {
            upsert: Dialect::ALL.map(|d| self.sql(d)),
            insert: self.insert(),
        }
    }
}

/// The statements of one record kind's [`UpsertSpec`], built once.
struct UpsertSql {
    upsert: [String; 2],
    insert: String,
}

/// How a row is written: an upsert, or a plain insert where the import
/// knows the workspace lacks the row's id. The plain insert needs neither
/// the upsert's comparison nor its statement journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    Upsert,
    Insert,
}

/// The ids each record kind held when an import began storing
/// ([`Workspace::stored_ids`]): a row whose id is not among them is
/// inserted, not upserted (measured at 100,000 calls: a third less per
/// row). The default knows nothing and upserts every row.
#[derive(Debug, Default)]
pub struct StoredIds {
    read: bool,
    calls: HashSet<String>,
    contacts: HashSet<String>,
    deals: HashSet<String>,
    tasks: HashSet<String>,
    notes: HashSet<String>,
}

impl StoredIds {
    fn write(&self, ids: &HashSet<String>, id: &str) -> Write {
        if !self.read || ids.contains(id) {
            Write::Upsert
        } else {
            Write::Insert
        }
    }
}

/// The upsert of a CRM record kind: `columns[0]` is its key, the batch
/// comes next, then the rest of `columns`, each value in that order.
fn crm_spec(table: &'static str, columns: &[&'static str]) -> UpsertSql {
    let (key, rest) = columns.split_first().expect("a record has a key column");
    let columns = std::iter::once("batch_id")
        .chain(rest.iter().copied())
        .collect();
    UpsertSpec {
        table,
        key,
        columns,
        kept_when_null: &[],
        insert_only: &[],
    }
    .statements()
}

const CALL_COLUMNS: &[&str] = &[
    "batch_id",
    "started_at",
    "started_at_utc",
    "rep",
    "direction",
    "phone",
    "contact_id",
    "deal_id",
    "own_contact_id",
    "own_deal_id",
    "script",
    "recording_path",
    "container",
    "codec",
    "duration_ms",
    "channels",
    "sample_rate",
    "channel_layout",
];

impl Workspace {
    /// The batch row for a folder, made on first import.
    pub fn batch_id(&self, path: &str) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO batches (path, imported_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![path, now_text()],
        )?;
        Ok(self.conn().query_row(
            "SELECT batch_id FROM batches WHERE path = ?1",
            params![path],
            |r| r.get(0),
        )?)
    }

    /// Run `store` with SQLite's CHECK constraints trusted instead of
    /// evaluated, for an import's calls: their direction and channel
    /// layout are written from enums and cannot fail a check, and SQLite
    /// evaluates `channel_layout IN (...)` by building and dropping a
    /// temporary b-tree for every row (a sixth of storing a call). Set once
    /// around the whole loop: changing the setting re-prepares every
    /// statement. Put back whatever `store` returns.
    pub fn trusting_checks<T, E: From<super::StoreError>>(
        &self,
        store: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if self.conn().is_postgres() {
            return store();
        }
        self.conn()
            .execute_batch("PRAGMA ignore_check_constraints = ON")
            .map_err(super::StoreError::from)?;
        let stored = store();
        let restored = self
            .conn()
            .execute_batch("PRAGMA ignore_check_constraints = OFF")
            .map_err(super::StoreError::from);
        let value = stored?;
        restored?;
        Ok(value)
    }

    /// The ids of the calls and CRM records stored so far, read once
    /// before an import stores its rows, for the `write_*` functions; the
    /// import holds the write lock from here on, so they stay true.
    pub fn stored_ids(&self) -> Result<StoredIds> {
        let ids = |table: &str, key: &str| -> Result<HashSet<String>> {
            let ids: Vec<String> =
                self.conn()
                    .query_map(&format!("SELECT {key} FROM {table}"), params![], |r| {
                        r.get(0)
                    })?;
            Ok(ids.into_iter().collect())
        };
        Ok(StoredIds {
            read: true,
            calls: ids("calls", "call_id")?,
            contacts: ids("contacts", "contact_id")?,
            deals: ids("deals", "deal_id")?,
            tasks: ids("tasks", "task_id")?,
            notes: ids("notes", "note_id")?,
        })
    }

    /// Insert or update one row by its key (`values[0]`, then the values
    /// of `spec.columns` and `spec.insert_only`); `sql` is
    /// `spec.statements()`, built once per record kind. An import runs
    /// this once per row while it holds the write lock: one cached
    /// statement, one index lookup.
    fn upsert(&self, sql: &UpsertSql, how: Write, values: &[Param<'_>]) -> Result<UpsertOutcome> {
        if how == Write::Insert {
            self.conn().prepare_cached(&sql.insert)?.execute(values)?;
            return Ok(UpsertOutcome::Inserted);
        }
        let mut statement = self
            .conn()
            .prepare_cached(&sql.upsert[self.conn().dialect() as usize])?;
        dialect::before_upsert(self.conn());
        if self.conn().is_postgres() {
            let inserted: Option<bool> = statement.query_row(values, |r| r.get(0)).optional()?;
            return Ok(match inserted {
                Some(true) => UpsertOutcome::Inserted,
                Some(false) => UpsertOutcome::Updated,
                None => UpsertOutcome::Unchanged,
            });
        }
        Ok(if statement.execute(values)? == 0 {
            UpsertOutcome::Unchanged
        } else if dialect::last_upsert_inserted(self.conn()) {
            UpsertOutcome::Inserted
        } else {
            UpsertOutcome::Updated
        })
    }

    /// A call without a contact or deal of its own keeps the one the
    /// matcher gave it on an earlier import: an export that does not know
    /// the link must not undo it (and a re-import must change nothing).
    /// What exports gave is kept apart as the call's own ids
    /// (`own_contact_id`, `own_deal_id`, kept the same way), for linking.
    pub fn upsert_call(&self, batch_id: i64, call: &Call) -> Result<UpsertOutcome> {
        self.write_call(batch_id, call, &StoredIds::default())
    }

    /// [`Workspace::upsert_call`] during an import that read `stored` first.
    pub fn write_call(
        &self,
        batch_id: i64,
        call: &Call,
        stored: &StoredIds,
    ) -> Result<UpsertOutcome> {
        let how = stored.write(&stored.calls, &call.call_id);
        static SQL: LazyLock<UpsertSql> = LazyLock::new(|| {
            UpsertSpec {
                table: "calls",
                key: "call_id",
                columns: CALL_COLUMNS.to_vec(),
                kept_when_null: &["contact_id", "deal_id", "own_contact_id", "own_deal_id"],
                insert_only: &["imported_at"],
            }
            .statements()
        });
        let r = &call.recording;
        let utc = call
            .started_at
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.upsert(
            &SQL,
            how,
            params![
                &call.call_id,
                &batch_id,
                &ts_text(&call.started_at),
                &utc,
                &call.rep,
                &call.direction.code(),
                &call.phone,
                &call.contact_id,
                &call.deal_id,
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
                &now_text(),
            ],
        )
    }

    pub fn upsert_contact(&self, batch_id: i64, c: &Contact) -> Result<UpsertOutcome> {
        self.write_contact(batch_id, c, &StoredIds::default())
    }

    /// [`Workspace::upsert_contact`] during an import that read `stored` first.
    pub fn write_contact(
        &self,
        batch_id: i64,
        c: &Contact,
        stored: &StoredIds,
    ) -> Result<UpsertOutcome> {
        let how = stored.write(&stored.contacts, &c.contact_id);
        static SQL: LazyLock<UpsertSql> = LazyLock::new(|| crm_spec("contacts", &Contact::COLUMNS));
        let values: Vec<&str> = Contact::COLUMNS[1..]
            .iter()
            .map(|col| c.field(col).unwrap_or_default())
            .collect();
        let mut params: Vec<Param> = vec![c.contact_id.to_param(), batch_id.to_param()];
        params.extend(values.iter().map(|v| v.to_param()));
        self.upsert(&SQL, how, &params)
    }

    pub fn upsert_deal(&self, batch_id: i64, d: &Deal) -> Result<UpsertOutcome> {
        self.write_deal(batch_id, d, &StoredIds::default())
    }

    /// [`Workspace::upsert_deal`] during an import that read `stored` first.
    pub fn write_deal(&self, batch_id: i64, d: &Deal, stored: &StoredIds) -> Result<UpsertOutcome> {
        let how = stored.write(&stored.deals, &d.deal_id);
        static SQL: LazyLock<UpsertSql> = LazyLock::new(|| crm_spec("deals", &Deal::COLUMNS));
        let updated = d.updated_at.as_ref().map(ts_text);
        self.upsert(
            &SQL,
            how,
            params![
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
        )
    }

    pub fn upsert_task(&self, batch_id: i64, t: &Task) -> Result<UpsertOutcome> {
        self.write_task(batch_id, t, &StoredIds::default())
    }

    /// [`Workspace::upsert_task`] during an import that read `stored` first.
    pub fn write_task(&self, batch_id: i64, t: &Task, stored: &StoredIds) -> Result<UpsertOutcome> {
        let how = stored.write(&stored.tasks, &t.task_id);
        static SQL: LazyLock<UpsertSql> = LazyLock::new(|| crm_spec("tasks", &Task::COLUMNS));
        let due = t.due_at.as_ref().map(ts_text);
        self.upsert(
            &SQL,
            how,
            params![
                &t.task_id,
                &batch_id,
                &t.deal_id,
                &t.contact_id,
                &t.owner_rep,
                &t.text,
                &due,
                &t.done,
            ],
        )
    }

    pub fn upsert_note(&self, batch_id: i64, n: &Note) -> Result<UpsertOutcome> {
        self.write_note(batch_id, n, &StoredIds::default())
    }

    /// [`Workspace::upsert_note`] during an import that read `stored` first.
    pub fn write_note(&self, batch_id: i64, n: &Note, stored: &StoredIds) -> Result<UpsertOutcome> {
        let how = stored.write(&stored.notes, &n.note_id);
        static SQL: LazyLock<UpsertSql> = LazyLock::new(|| crm_spec("notes", &Note::COLUMNS));
        self.upsert(
            &SQL,
            how,
            params![
                &n.note_id,
                &batch_id,
                &n.deal_id,
                &n.contact_id,
                &n.call_id,
                &n.author_rep,
                &ts_text(&n.created_at),
                &n.text,
            ],
        )
    }

    pub fn call_count(&self) -> Result<usize> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM calls", params![], |r| {
                r.get::<_, i64>(0)
            })? as usize)
    }
}

impl Workspace {
    /// What the probe found in the recording at `path` (an absolute path,
    /// as a call stores it), if the file still has the size and
    /// modification time (`stamp`) it had then: while both are unchanged,
    /// the probe's findings stand. Mono: the layout is the row's.
    pub fn probed_recording(&self, path: &str, stamp: (u64, i64)) -> Result<Option<Recording>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT container, codec, duration_ms, channels, sample_rate FROM recordings
                 WHERE path = ?1 AND size = ?2 AND modified_ns = ?3",
            )?
            .query_row(params![path, stamp.0 as i64, stamp.1], |r| {
                Ok(Recording {
                    path: path.to_string(),
                    container: r.get(0)?,
                    codec: r.get(1)?,
                    duration_ms: r.get::<_, i64>(2)?.max(0) as u64,
                    channels: r.get(3)?,
                    sample_rate: r.get(4)?,
                    channel_layout: ChannelLayout::Mono,
                })
            })
            .optional()?)
    }

    /// Keep what a probe found in a recording, with the file's stamp taken
    /// before the probe (a file changed meanwhile is probed again).
    pub fn remember_recording(&self, stamp: (u64, i64), recording: &Recording) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO recordings (path, size, modified_ns, container, codec,
                     duration_ms, channels, sample_rate)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(path) DO UPDATE SET size = excluded.size,
                   modified_ns = excluded.modified_ns, container = excluded.container,
                   codec = excluded.codec, duration_ms = excluded.duration_ms,
                   channels = excluded.channels, sample_rate = excluded.sample_rate",
            )?
            .execute(params![
                recording.path,
                stamp.0 as i64,
                stamp.1,
                recording.container,
                recording.codec,
                recording.duration_ms as i64,
                recording.channels,
                recording.sample_rate
            ])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::temp_workspace;
    use super::super::tests_reviews::insert_sample_call;
    use super::*;

    /// The checks an import trusts are checked again after it, failed or not.
    #[test]
    fn checks_are_enforced_again_after_an_import_trusted_them() {
        let (_dir, ws) = temp_workspace();
        let failed: std::result::Result<(), super::super::StoreError> =
            ws.trusting_checks(|| Err(super::super::StoreError::EmptyLink));
        assert!(failed.is_err());
        insert_sample_call(&ws, "call-1");
        let bad = ws.conn().execute(
            "UPDATE calls SET channel_layout = 'sideways' WHERE call_id = 'call-1'",
            params![],
        );
        assert!(bad.is_err(), "{bad:?}");
    }

    #[test]
    fn an_update_is_told_from_an_insert_whatever_rowid_was_inserted_last() {
        let (_dir, ws) = temp_workspace();
        insert_sample_call(&ws, "call-1");
        let batch = ws.batch_id("/x").unwrap();
        let mut call = ws.call("call-1").unwrap();
        // The contact's rowid is 1, as the call's: the last insert's rowid.
        let contact = Contact {
            contact_id: "K1".into(),
            ..Contact::default()
        };
        let inserted = ws.upsert_contact(batch, &contact).unwrap();
        assert_eq!(inserted, UpsertOutcome::Inserted);
        call.rep = "Игорь".into();
        let updated = ws.upsert_call(batch, &call).unwrap();
        assert_eq!(updated, UpsertOutcome::Updated);
        // An export that does not know the call's contact keeps it.
        let contact = call.contact_id.take();
        let unchanged = ws.upsert_call(batch, &call).unwrap();
        assert_eq!(unchanged, UpsertOutcome::Unchanged);
        assert_eq!(ws.call("call-1").unwrap().contact_id, contact);
    }
}
