//! The workspace: one SQLite file per client engagement, or one
//! PostgreSQL database for a team (see [`Address`]; the engines differ
//! only inside `db`, whose module docs say how).
//!
//! Every reviewer action is its own committed transaction, so a `kill -9` at
//! any moment loses nothing that was entered. WAL keeps those small commits
//! cheap; foreign keys are on for every connection. The schema is created
//! and upgraded by the numbered migrations in `schema.rs` (`user_version`).
//!
//! Several processes share a workspace (two reviewers, an import, the
//! analyser): every transaction that writes is `BEGIN IMMEDIATE`, so it
//! takes the write lock before it reads and waits for it under the busy
//! timeout. A deferred transaction would read first and then fail at once
//! with "database is locked" when another process wrote meanwhile, whatever
//! the timeout. Writers hold the lock only for SQL: an import parses and
//! probes its files before it begins (see `import::external`).
//!
//! A workspace carries callqa's mark in `PRAGMA application_id`, so a
//! mistyped `--db` pointing at another program's SQLite file is refused
//! before anything is written to it, and only the commands that make
//! workspaces ([`Workspace::open`]) create one; the others use
//! [`Workspace::open_existing`]. On PostgreSQL the mark is a row of
//! `callqa_meta` (see `db::postgres_schema`).

mod address;
mod best_calls;
mod calibration;
mod calls;
mod claims;
mod copy;
mod crm;
pub mod db;
mod disputes;
mod emails;
mod links;
mod listening;
mod mystery;
mod plan_replacements;
mod plans;
mod queue;
mod report;
mod results;
mod reviews;
mod roles;
mod schema;
#[doc(hidden)]
pub mod testing;
mod visit_reviews;

pub use address::Address;
pub use best_calls::{BestCall, MarkedCall};
pub use calibration::{CalibrationCall, CalibrationError, CalibrationSet};
pub use calls::UpsertOutcome;
pub use claims::{Claim, DEFAULT_LEASE_MS, ReassignRefusal};
pub use copy::{TABLES, TableCount};
pub use disputes::{
    FailedItemReviews, ItemResponse, Outcome, Recorded, Resolution, Response, ResponseError,
};
pub use emails::{EmailFilter, StoredEmail};
pub use links::CallLink;
pub use listening::{AnalysisJob, Marker};
pub use mystery::{StoredVisit, VisitFilter};
pub use plan_replacements::ReplacedEmail;
pub use plans::{PeriodCall, PlannedCall};
pub use queue::{Page, QueueKey, QueueOf, QueueRow};
pub use report::{CallAudio, CallRow, ReportReview};
pub use results::ResultRow;
pub use reviews::{AnswerChange, ReviewEvent, ReviewRecord, ReviewerPlace, Subject};
pub use roles::{Member, TeamRole};
pub use visit_reviews::{FORM_SOURCE, WORKSTATION_BATCH, row_time};

use crate::domain::{Checklist, Lang};
use db::{Db, DbError, OptionalExtension, params};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot open the workspace: {source}{room}")]
    Open {
        path: String,
        source: DbError,
        /// What the disk has left, when that explains the error.
        room: String,
    },
    #[error("{path}: no workspace there; `callqa import BATCH --db {path}` makes one")]
    Missing { path: String },
    #[error("{path}: not a callqa workspace ({why}); it was left untouched")]
    Foreign { path: String, why: String },
    #[error("{path}: cannot create the folder for the workspace: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: the workspace has schema version {found}, newer than this callqa understands ({known}); update callqa"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(
        "checklist {id} version {version} is already in the workspace with different content; raise `version` in the TOML"
    )]
    ChecklistChanged { id: String, version: u32 },
    #[error(
        "sampling rules version {version} are already in the workspace with different content; raise `version` in the TOML"
    )]
    SamplingRulesChanged { version: u32 },
    #[error("no call {0:?} in the workspace")]
    NoSuchCall(String),
    #[error("a link by hand needs a contact, a deal or both; nothing was changed")]
    EmptyLink,
    #[error("not in the workspace: {}; nothing was changed", .0.join(", "))]
    UnknownRecords(Vec<String>),
    #[error("{path}: the workspace already holds data; `migrate` copies into an empty one only")]
    TargetNotEmpty { path: String },
    #[error("workspace data is damaged: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Sql(#[from] DbError),
    /// A database error (disk full, locked, I/O) with the workspace it hit.
    #[error("{path}: {source}{room}")]
    In {
        path: String,
        source: DbError,
        /// What the disk has left, when that explains the error.
        room: String,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Sql(error.into())
    }
}

impl StoreError {
    /// Name the workspace in a database error: "database or disk is full"
    /// alone does not say which file.
    pub fn in_workspace(self, path: &Path) -> StoreError {
        match self {
            StoreError::Sql(source) => StoreError::In {
                path: Address::from(path).to_string(),
                room: room_left(path, &source),
                source,
            },
            other => other,
        }
    }

    fn open(path: &Path, source: impl Into<DbError>) -> StoreError {
        let source = source.into();
        StoreError::Open {
            path: Address::from(path).to_string(),
            room: room_left(path, &source),
            source,
        }
    }
}

/// On a full disk SQLite often says only "disk I/O error" (growing the
/// WAL index fails before any page write does): say that the disk is full
/// when it is, so the reviewer knows what to free rather than suspecting
/// a damaged workspace.
fn room_left(path: &Path, source: &DbError) -> String {
    use rusqlite::ErrorCode;
    const NEARLY_FULL: u64 = 1 << 20;
    if !matches!(
        db::sqlite_error_code(source),
        Some(ErrorCode::DiskFull | ErrorCode::SystemIoFailure)
    ) {
        return String::new();
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    match crate::files::free_space(folder.unwrap_or(Path::new("."))) {
        Some(free) if free < NEARLY_FULL => {
            format!(" (the disk holding it is full: {free} bytes free)")
        }
        _ => String::new(),
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The page cache of a bulk write, in KiB (a negative `cache_size`):
/// enough for the pages a year of calls and its indexes touch.
const BULK_CACHE_KIB: i64 = -256 * 1024;

/// `PRAGMA application_id` of every callqa workspace: "CQA1".
pub const APPLICATION_ID: i32 = 0x4351_4131;

/// How long a write waits for another process's transaction to end. The
/// longest writer, an import, holds the lock for its SQL only.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Tables every callqa workspace has had since the first migration: a file
/// with them but without the mark was made before workspaces were marked.
const FIRST_TABLES: [&str; 4] = ["settings", "calls", "reviews", "answers"];

pub struct Workspace {
    conn: Db,
    address: Address,
}

impl Workspace {
    /// Open a workspace, making it (and its folder) when there is none:
    /// for the commands that import.
    pub fn open(address: impl Into<Address>) -> Result<Workspace> {
        let address = address.into();
        if let Address::File(path) = &address
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        Workspace::connect(address, true)
    }

    /// Open a workspace that must already exist: for the commands that
    /// read or review, so a mistyped path creates nothing.
    pub fn open_existing(address: impl Into<Address>) -> Result<Workspace> {
        let address = address.into();
        if let Address::File(path) = &address
            && !path.is_file()
        {
            return Err(StoreError::Missing {
                path: path.display().to_string(),
            });
        }
        Workspace::connect(address, false)
    }

    fn connect(address: Address, create: bool) -> Result<Workspace> {
        let conn = match &address {
            Address::File(path) => Db::sqlite(open_sqlite(path, create)?),
            Address::Postgres(url) => db::open_postgres(url, &address, create)?,
        };
        Ok(Workspace { conn, address })
    }

    /// The workspace's address as a path: the file, or the URL (which
    /// [`Workspace::open`] reads back as one), for the code that reopens
    /// the workspace on another thread. Show [`Workspace::address`] instead:
    /// it hides a URL's password.
    pub fn path(&self) -> &Path {
        self.address.as_path()
    }

    pub fn address(&self) -> &Address {
        &self.address
    }

    pub(in crate::store) fn conn(&self) -> &Db {
        &self.conn
    }

    /// Run many writes as one transaction: all of them land or none do.
    /// Inside another `write_batch` it joins that transaction.
    pub fn write_batch<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let value = f(self)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// [`Workspace::write_batch`] for a bulk write (an import): SQLite's
    /// page cache is raised for its length, so the call table's indexes
    /// are not spilled to the file page by page half-way through the
    /// transaction (measured at 100,000 calls: an eighth of the import was
    /// such writes), and put back after, so a long-lived workstation keeps
    /// the default's small footprint. PostgreSQL's cache is the server's.
    pub fn bulk_write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let Some(conn) = self.conn.as_sqlite() else {
            return self.write_batch(f);
        };
        let before: i64 = conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)
            .map_err(StoreError::from)?;
        let result = self.write_batch(f);
        // The cache only shrinks back; failing to is not worth failing a
        // finished import over.
        let _ = conn.pragma_update(None, "cache_size", before);
        result
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The workspace language, set when the workspace was made.
    pub fn language(&self) -> Result<Option<Lang>> {
        Ok(self.setting("language")?.and_then(|v| v.parse().ok()))
    }

    /// Store a checklist version. The same id and version with other
    /// content is refused: stored reviews must keep meaning what they meant.
    pub fn ensure_checklist(&self, checklist: &Checklist, toml_text: &str) -> Result<()> {
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT toml FROM checklists WHERE checklist_id = ?1 AND version = ?2",
                params![checklist.id, checklist.version],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(text) if text == toml_text => Ok(()),
            Some(_) => Err(StoreError::ChecklistChanged {
                id: checklist.id.clone(),
                version: checklist.version,
            }),
            None => {
                self.conn.execute(
                    "INSERT INTO checklists (checklist_id, version, title_en, title_ru, toml, loaded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        checklist.id,
                        checklist.version,
                        checklist.title.en,
                        checklist.title.ru,
                        toml_text,
                        now_text()
                    ],
                )?;
                Ok(())
            }
        }
    }

    /// The checklist stored under an id and version, as it was loaded.
    pub fn checklist(&self, id: &str, version: u32) -> Result<Option<Checklist>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT toml FROM checklists WHERE checklist_id = ?1 AND version = ?2",
                params![id, version],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| {
            Checklist::from_toml(&t, &format!("workspace checklist {id} v{version}"))
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }
}

/// Open (or make) an SQLite workspace: marked, WAL, foreign keys on,
/// migrated.
fn open_sqlite(path: &Path, create: bool) -> Result<rusqlite::Connection> {
    use rusqlite::{Connection, OpenFlags, TransactionBehavior};
    let open_err = |source| StoreError::open(path, DbError::Sqlite(source));
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    conn.set_prepared_statement_cache_capacity(64);
    // Before anything writes to the file (even the journal mode).
    claim(&conn, path, create)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_err)?;
    // WAL + NORMAL survives a killed process; only a power cut can lose
    // the last commits, and then the file is still consistent.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err)?;
    schema::migrate(&mut conn, path)?;
    Ok(conn)
}

/// Check the file is a callqa workspace, or an empty database this command
/// may make one of, and mark it as ours.
fn claim(conn: &rusqlite::Connection, path: &Path, create: bool) -> Result<()> {
    let foreign = |why: &str| StoreError::Foreign {
        path: path.display().to_string(),
        why: why.to_string(),
    };
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => foreign("not an SQLite file"),
            _ => StoreError::open(path, e),
        })?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        return Err(foreign(&format!(
            "another program's file: application_id {id:#x}"
        )));
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let made_by_callqa = version > 0
        && FIRST_TABLES
            .iter()
            .all(|t| tables.iter().any(|have| have == t));
    match (tables.is_empty() && version == 0, made_by_callqa) {
        (true, _) if !create => Err(StoreError::Missing {
            path: path.display().to_string(),
        }),
        (true, _) | (false, true) => {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
            Ok(())
        }
        (false, false) => Err(foreign("an SQLite database with other tables")),
    }
}

/// Current local time as stored everywhere: RFC 3339 with offset.
pub fn now_text() -> String {
    chrono::Local::now()
        .fixed_offset()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// The SQLite connection of a file workspace, for the tests of what
    /// only SQLite has (pragmas, query plans).
    pub fn sqlite(ws: &Workspace) -> &rusqlite::Connection {
        ws.conn().as_sqlite().expect("an SQLite workspace")
    }

    /// Set every call link's `updated_at` to `stamp`; how many there are.
    pub fn stamp_call_links(ws: &Workspace, stamp: &str) -> usize {
        ws.conn()
            .execute("UPDATE call_links SET updated_at = ?1", params![stamp])
            .unwrap()
    }

    /// The calls whose link was written since [`stamp_call_links`].
    pub fn call_links_rewritten_since(ws: &Workspace, stamp: &str) -> Vec<String> {
        ws.conn()
            .query_map(
                "SELECT call_id FROM call_links WHERE updated_at IS DISTINCT FROM ?1",
                params![stamp],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// Overwrite a call's stored start time with `text`, as damage would.
    pub fn damage_call_time(ws: &Workspace, call_id: &str, text: &str) {
        ws.conn()
            .execute(
                "UPDATE calls SET started_at = ?2 WHERE call_id = ?1",
                params![call_id, text],
            )
            .unwrap();
    }

    pub use super::testing::TempDatabase;

    /// What keeps a test's workspace alive: its folder or its database.
    pub enum Keep {
        Dir(tempfile::TempDir),
        Database(TempDatabase),
    }

    impl Keep {
        /// Which engine, for a failing test's message.
        pub fn engine(&self) -> String {
            match self {
                Keep::Dir(dir) => format!("SQLite in {}", dir.path().display()),
                Keep::Database(db) => format!("PostgreSQL at {}", db.url),
            }
        }
    }

    /// A fresh workspace on each engine: SQLite, then PostgreSQL (when the
    /// test server is there, see [`TempDatabase::new`]).
    pub fn temp_workspaces() -> Vec<(Keep, Workspace)> {
        let (dir, ws) = temp_workspace();
        let mut all = vec![(Keep::Dir(dir), ws)];
        if let Some(db) = TempDatabase::new() {
            let ws = Workspace::open(db.url.as_str()).unwrap();
            all.push((Keep::Database(db), ws));
        }
        all
    }

    pub fn temp_workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
        (dir, ws)
    }

    /// The steps of SQLite's plan for `sql` (`EXPLAIN QUERY PLAN`, every
    /// parameter NULL): what an index test reads.
    pub fn query_plan(ws: &Workspace, sql: &str) -> Vec<String> {
        let mut stmt = sqlite(ws)
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let nulls = std::iter::repeat_n(rusqlite::types::Null, stmt.parameter_count());
        stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{sqlite, temp_workspace};
    use super::*;
    use crate::domain::checklist::DEFAULT_SALES_CALL_TOML;
    use rusqlite::Connection;

    #[test]
    fn opening_sets_wal_foreign_keys_and_schema() {
        let (_dir, ws) = temp_workspace();
        let mode: String = sqlite(&ws)
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlite(&ws)
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let v: i64 = sqlite(&ws)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, schema::LATEST);
    }

    #[test]
    fn reopening_keeps_data_and_does_not_rerun_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        Workspace::open(&path)
            .unwrap()
            .set_setting("language", "ru")
            .unwrap();
        let ws = Workspace::open(&path).unwrap();
        assert_eq!(ws.language().unwrap(), Some(Lang::Ru));
    }

    #[test]
    fn newer_schema_is_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let ws = Workspace::open(&path).unwrap();
        sqlite(&ws)
            .pragma_update(None, "user_version", 999)
            .unwrap();
        drop(ws);
        let err = Workspace::open(&path).err().unwrap().to_string();
        assert!(err.contains("w.sqlite") && err.contains("999"), "{err}");
    }

    #[test]
    fn a_workspace_is_marked_and_other_files_are_refused_untouched() {
        let (dir, ws) = temp_workspace();
        let id: i32 = sqlite(&ws)
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(id, APPLICATION_ID);
        drop(ws);
        Workspace::open_existing(&dir.path().join("ws.sqlite")).unwrap();

        let other = dir.path().join("other.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');")
            .unwrap();
        let marked = dir.path().join("marked.sqlite");
        Connection::open(&marked)
            .unwrap()
            .pragma_update(None, "application_id", 0x5052_4f47)
            .unwrap();
        let text = dir.path().join("calls.csv");
        std::fs::write(&text, "call_id,rep\nc1,Анна\n".repeat(100)).unwrap();
        for (path, why) in [
            (&other, "other tables"),
            (&marked, "another program's file"),
            (&text, "not an SQLite file"),
        ] {
            let before = std::fs::read(path).unwrap();
            for result in [Workspace::open(path), Workspace::open_existing(path)] {
                let err = result.err().unwrap();
                assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
                assert!(err.to_string().contains(why), "{err}");
            }
            assert_eq!(std::fs::read(path).unwrap(), before, "{}", path.display());
        }
    }

    #[test]
    fn a_workspace_made_before_the_mark_is_still_ours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        let ws = Workspace::open(&path).unwrap();
        ws.set_setting("language", "ru").unwrap();
        sqlite(&ws)
            .pragma_update(None, "application_id", 0)
            .unwrap();
        drop(ws);
        let ws = Workspace::open_existing(&path).unwrap();
        assert_eq!(ws.language().unwrap(), Some(Lang::Ru));
        let id: i32 = sqlite(&ws)
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(id, APPLICATION_ID);
    }

    #[test]
    fn only_open_makes_a_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let typo = dir.path().join("no-such-folder/ws.sqlite");
        let err = Workspace::open_existing(&typo).err().unwrap();
        assert!(matches!(err, StoreError::Missing { .. }), "{err}");
        assert!(!dir.path().join("no-such-folder").exists());
        // An empty file (say, from `touch`) is not a workspace yet either.
        let empty = dir.path().join("empty.sqlite");
        std::fs::write(&empty, b"").unwrap();
        let err = Workspace::open_existing(&empty).err().unwrap();
        assert!(matches!(err, StoreError::Missing { .. }), "{err}");
        assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
        Workspace::open(&empty).unwrap();
        Workspace::open_existing(&empty).unwrap();
    }

    #[test]
    fn a_connection_the_server_dropped_is_made_again() {
        let Some(db) = test_support::TempDatabase::new() else {
            return;
        };
        let ws = Workspace::open(db.url.as_str()).unwrap();
        ws.set_setting("language", "ru").unwrap();
        // The server ends this session, as a restart would.
        let killed = ws
            .conn()
            .execute_batch("SELECT pg_terminate_backend(pg_backend_pid())");
        assert!(killed.is_err());
        assert_eq!(ws.language().unwrap(), Some(Lang::Ru));
        ws.set_setting("language", "en").unwrap();
        assert_eq!(ws.language().unwrap(), Some(Lang::En));
    }

    #[test]
    fn checklist_version_cannot_change_silently() {
        let (_dir, ws) = temp_workspace();
        let c = Checklist::default_sales_call();
        ws.ensure_checklist(&c, DEFAULT_SALES_CALL_TOML).unwrap();
        ws.ensure_checklist(&c, DEFAULT_SALES_CALL_TOML).unwrap();
        let changed = DEFAULT_SALES_CALL_TOML.replace("Greeted the client", "Said hi");
        assert!(matches!(
            ws.ensure_checklist(&c, &changed),
            Err(StoreError::ChecklistChanged { .. })
        ));
        assert_eq!(ws.checklist("sales-call", c.version).unwrap().unwrap(), c);
    }
}

#[cfg(test)]
mod tests_reviews;
