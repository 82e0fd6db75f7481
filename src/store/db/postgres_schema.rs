//! PostgreSQL's numbered migrations, and the workspace mark.
//!
//! The SQLite list (`store::schema`) has grown one migration at a time
//! since the first workspace; a PostgreSQL workspace starts at today's
//! schema, so its list starts with that whole schema as number 1 and grows
//! in step from here: a migration added to one list is added to the other.
//! The same tables and columns, in PostgreSQL's types: BIGINT for
//! INTEGER (SQLite's integers are 64-bit), DOUBLE PRECISION for REAL,
//! BIGSERIAL for the INTEGER PRIMARY KEYs SQLite numbers itself.
//!
//! A team's groups (`store::roles`) read a table a migration adds at once
//! (default privileges), but a reviewer writes it, and a row rule covers
//! it, only once `callqa team setup` runs again. A migration that adds a
//! table reviewers write should therefore grant it itself, in a
//! `DO $$ ... IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname =
//! 'callqa_reviewer') ...` block, and name it in `roles::REVIEWER_WRITES`
//! for the next setup; a migration that only adds columns needs nothing.
//!
//! PostgreSQL has no `user_version` or `application_id`: `callqa_meta`
//! holds both, so a URL pointing at another program's database (tables,
//! but no `callqa_meta`) is refused before anything is written to it.

use super::{Db, PgConn};
use crate::store::{Address, Result, StoreError};

/// The mark in `callqa_meta.application`.
const APPLICATION: &str = "callqa";

const MIGRATIONS: &[&str] = &[
    // 1: SQLite's 1 to 15 (no PostgreSQL workspace predates 15).
    include_str!("postgres_schema_1.sql"),
    // 2: SQLite's 16 (claimed work).
    r#"
    CREATE TABLE plan_claims (
        period     TEXT COLLATE "C" NOT NULL,
        call_id    TEXT COLLATE "C" NOT NULL REFERENCES calls(call_id),
        reviewer   TEXT COLLATE "C" NOT NULL,
        claimed_at TEXT COLLATE "C" NOT NULL,
        expires_ms BIGINT NOT NULL,
        PRIMARY KEY (period, call_id)
    );
    CREATE INDEX plan_claims_by_reviewer ON plan_claims(reviewer, period);
    "#,
    // 3: SQLite's 17 (a call's own links).
    r#"
    ALTER TABLE calls ADD COLUMN own_contact_id TEXT COLLATE "C";
    ALTER TABLE calls ADD COLUMN own_deal_id TEXT COLLATE "C";
    UPDATE calls SET own_contact_id = contact_id, own_deal_id = deal_id
     WHERE call_id NOT IN (SELECT call_id FROM call_links
                           WHERE manual <> 0
                              OR rule IN ('phone_rep_time', 'phone_only', 'unmatched', 'manual'));
    "#,
];

pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Connect, check the database is a callqa workspace (or an empty one this
/// command may make one of), and bring its schema up to date.
pub fn open_postgres(url: &str, address: &Address, create: bool) -> Result<Db> {
    let shown = address.to_string();
    let conn = PgConn::connect(url).map_err(|source| StoreError::Open {
        path: shown.clone(),
        source,
        room: String::new(),
    })?;
    let db = Db::postgres(conn);
    claim(&db, &shown, create)?;
    migrate(&db, &shown)?;
    Ok(db)
}

fn claim(db: &Db, shown: &str, create: bool) -> Result<()> {
    let tables: Vec<String> = db.query_map(
        "SELECT table_name::TEXT FROM information_schema.tables
         WHERE table_schema = current_schema()",
        super::params![],
        |r| r.get(0),
    )?;
    if tables.iter().any(|t| t == "callqa_meta") {
        let mark: Option<String> = db
            .query_row(
                "SELECT value FROM callqa_meta WHERE key = 'application'",
                super::params![],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                super::DbError::NoRows => Ok(None),
                e => Err(e),
            })?;
        if mark.as_deref() == Some(APPLICATION) {
            return Ok(());
        }
    }
    if !tables.is_empty() {
        return Err(StoreError::Foreign {
            path: shown.to_string(),
            why: "a PostgreSQL database with other tables".into(),
        });
    }
    if !create {
        return Err(StoreError::Missing {
            path: shown.to_string(),
        });
    }
    db.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS callqa_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO callqa_meta (key, value) VALUES ('application', '{APPLICATION}'),
             ('schema_version', '0')
         ON CONFLICT (key) DO NOTHING;"
    ))?;
    Ok(())
}

fn schema_version(db: &Db) -> Result<i64> {
    let text: String = db.query_row(
        "SELECT value FROM callqa_meta WHERE key = 'schema_version'",
        super::params![],
        |r| r.get(0),
    )?;
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("schema_version {text:?} is not a number")))
}

/// Apply the migrations not applied yet, each in its own transaction; the
/// version row is locked first, so two reviewers opening a new workspace
/// at once do not both run a migration.
fn migrate(db: &Db, shown: &str) -> Result<()> {
    let current = schema_version(db)?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            path: shown.to_string(),
            found: current,
            known: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = db.transaction()?;
        tx.execute_batch("SELECT 1 FROM callqa_meta WHERE key = 'schema_version' FOR UPDATE")?;
        if schema_version(&tx)? > index as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "UPDATE callqa_meta SET value = ?1 WHERE key = 'schema_version'",
            super::params![(index + 1).to_string()],
        )?;
        tx.commit()?;
    }
    Ok(())
}
