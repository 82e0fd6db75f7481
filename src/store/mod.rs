//! The workspace: one SQLite file per client engagement.
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
//! [`Workspace::open_existing`].

mod best_calls;
mod calibration;
mod calls;
mod crm;
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
mod schema;
mod visit_reviews;

pub use best_calls::{BestCall, MarkedCall};
pub use calibration::{CalibrationCall, CalibrationError, CalibrationSet};
pub use calls::UpsertOutcome;
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
pub use visit_reviews::{FORM_SOURCE, WORKSTATION_BATCH, row_time};

use crate::domain::{Checklist, Lang};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot open the workspace: {source}{room}")]
    Open {
        path: String,
        source: rusqlite::Error,
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
    #[error("workspace data is damaged: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    /// An SQLite error (disk full, locked, I/O) with the file it hit.
    #[error("{path}: {source}{room}")]
    In {
        path: String,
        source: rusqlite::Error,
        /// What the disk has left, when that explains the error.
        room: String,
    },
}

impl StoreError {
    /// Name the workspace in an SQLite error: "database or disk is full"
    /// alone does not say which file.
    pub fn in_workspace(self, path: &Path) -> StoreError {
        match self {
            StoreError::Sql(source) => StoreError::In {
                path: crate::text::path_line(path),
                room: room_left(path, &source),
                source,
            },
            other => other,
        }
    }

    fn open(path: &Path, source: rusqlite::Error) -> StoreError {
        StoreError::Open {
            path: path.display().to_string(),
            room: room_left(path, &source),
            source,
        }
    }
}

/// On a full disk SQLite often says only "disk I/O error" (growing the
/// WAL index fails before any page write does): say that the disk is full
/// when it is, so the reviewer knows what to free rather than suspecting
/// a damaged workspace.
fn room_left(path: &Path, source: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    const NEARLY_FULL: u64 = 1 << 20;
    if !matches!(
        source.sqlite_error_code(),
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
    conn: Connection,
    path: PathBuf,
}

impl Workspace {
    /// Open a workspace, making it (and its folder) when there is none:
    /// for the commands that import.
    pub fn open(path: &Path) -> Result<Workspace> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        Workspace::connect(path, true)
    }

    /// Open a workspace that must already exist: for the commands that
    /// read or review, so a mistyped path creates nothing.
    pub fn open_existing(path: &Path) -> Result<Workspace> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.display().to_string(),
            });
        }
        Workspace::connect(path, false)
    }

    fn connect(path: &Path, create: bool) -> Result<Workspace> {
        let open_err = |source| StoreError::open(path, source);
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
        let mut ws = Workspace {
            conn,
            path: path.to_path_buf(),
        };
        schema::migrate(&mut ws.conn, path)?;
        Ok(ws)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run many writes as one transaction: all of them land or none do.
    /// Inside another `write_batch` it joins that transaction.
    pub fn write_batch<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let value = f(self)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// [`Workspace::write_batch`] for a bulk write (an import): SQLite's
    /// page cache is raised for its length, so the call table's indexes
    /// are not spilled to the file page by page half-way through the
    /// transaction (measured at 100,000 calls: an eighth of the import was
    /// such writes), and put back after, so a long-lived workstation keeps
    /// the default's small footprint.
    pub fn bulk_write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let before: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        self.conn
            .pragma_update(None, "cache_size", BULK_CACHE_KIB)
            .map_err(StoreError::from)?;
        let result = self.write_batch(f);
        // The cache only shrinks back; failing to is not worth failing a
        // finished import over.
        let _ = self.conn.pragma_update(None, "cache_size", before);
        result
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
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

/// Check the file is a callqa workspace, or an empty database this command
/// may make one of, and mark it as ours.
fn claim(conn: &Connection, path: &Path, create: bool) -> Result<()> {
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

    pub fn temp_workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
        (dir, ws)
    }

    /// The steps of SQLite's plan for `sql` (`EXPLAIN QUERY PLAN`, every
    /// parameter NULL): what an index test reads.
    pub fn query_plan(ws: &Workspace, sql: &str) -> Vec<String> {
        let mut stmt = ws
            .conn()
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
    use super::test_support::temp_workspace;
    use super::*;
    use crate::domain::checklist::DEFAULT_SALES_CALL_TOML;

    #[test]
    fn opening_sets_wal_foreign_keys_and_schema() {
        let (_dir, ws) = temp_workspace();
        let mode: String = ws
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = ws
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let v: i64 = ws
            .conn()
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
        ws.conn().pragma_update(None, "user_version", 999).unwrap();
        drop(ws);
        let err = Workspace::open(&path).err().unwrap().to_string();
        assert!(err.contains("w.sqlite") && err.contains("999"), "{err}");
    }

    #[test]
    fn a_workspace_is_marked_and_other_files_are_refused_untouched() {
        let (dir, ws) = temp_workspace();
        let id: i32 = ws
            .conn()
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
        ws.conn().pragma_update(None, "application_id", 0).unwrap();
        drop(ws);
        let ws = Workspace::open_existing(&path).unwrap();
        assert_eq!(ws.language().unwrap(), Some(Lang::Ru));
        let id: i32 = ws
            .conn()
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
