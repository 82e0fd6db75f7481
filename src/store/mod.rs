//! The workspace: one SQLite file per client engagement.
//!
//! Every reviewer action is its own committed transaction, so a `kill -9` at
//! any moment loses nothing that was entered. WAL keeps those small commits
//! cheap; foreign keys are on for every connection. The schema is created
//! and upgraded by the numbered migrations in `schema.rs` (`user_version`).

mod calls;
mod crm;
mod links;
mod listening;
mod results;
mod reviews;
mod schema;

pub use calls::{QueueRow, UpsertOutcome};
pub use links::CallLink;
pub use listening::{AnalysisJob, Marker};
pub use results::ResultRow;
pub use reviews::{AnswerChange, ReviewEvent, ReviewRecord, ReviewerPlace};

use crate::domain::{Checklist, Lang};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot open the workspace: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
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
    #[error("no call {0:?} in the workspace")]
    NoSuchCall(String),
    #[error("workspace data is damaged: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
}

impl Workspace {
    pub fn open(path: &Path) -> Result<Workspace> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
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
    pub fn write_batch<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let value = f(self)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
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
