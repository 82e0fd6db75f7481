//! The constructs whose spelling differs between SQLite and PostgreSQL,
//! one function each, so the store's SQL says what it means and the
//! engine is asked in one place. Everything else in the store is written
//! once, in SQL both engines read (`ON CONFLICT … DO UPDATE`, `RETURNING`,
//! `IS DISTINCT FROM`, `COALESCE`, `string_agg`, `CASE`).

use super::Db;

/// The engine a statement is written for; an index into per-dialect
/// arrays of statements built once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite = 0,
    Postgres = 1,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::Sqlite, Dialect::Postgres];
}

impl Db {
    pub fn dialect(&self) -> Dialect {
        if self.is_postgres() {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        }
    }
}

/// The `RETURNING` clause of an upsert into `table`, true for a row it
/// inserted and false for one it updated. PostgreSQL: a row an upsert
/// inserted has no deleting transaction (`xmax = 0`). SQLite gets none:
/// it builds a temporary b-tree for `RETURNING` on every execution (a
/// tenth of a 100,000-call import); [`last_upsert_inserted`] tells it
/// from the change count and the last insert rowid instead.
pub fn upsert_returning(dialect: Dialect, table: &str) -> String {
    match dialect {
        Dialect::Sqlite => String::new(),
        Dialect::Postgres => format!(" RETURNING ({table}.xmax::TEXT = '0')"),
    }
}

/// SQLite, after an upsert that changed its row: whether it inserted it.
/// An upsert that updates leaves the last insert rowid alone, and
/// [`before_upsert`] set it to 0, which no row has.
pub fn last_upsert_inserted(db: &Db) -> bool {
    db.as_sqlite()
        .is_some_and(|conn| conn.last_insert_rowid() != 0)
}

/// Before an upsert whose outcome [`last_upsert_inserted`] tells: on SQLite
/// the last insert rowid is set to 0, which no row has, so a row the
/// statement updated is not taken for one it inserted because an earlier
/// insert (any table) happened to get the same rowid.
pub fn before_upsert(db: &Db) {
    if let Some(conn) = db.as_sqlite() {
        // SAFETY: the handle is this open connection's; the call only sets
        // an integer SQLite keeps per connection.
        unsafe { rusqlite::ffi::sqlite3_set_last_insert_rowid(conn.handle(), 0) };
    }
}

/// The number at member `key` of the JSON text in `expr` (NULL when
/// absent); an integer reads as an integer on both engines.
pub fn json_number(dialect: Dialect, expr: &str, key: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_extract({expr}, '$.{key}')"),
        Dialect::Postgres => format!("((({expr})::jsonb ->> '{key}')::NUMERIC)"),
    }
}

/// The text at member `key` of the JSON text in `expr` (NULL when absent).
pub fn json_text(dialect: Dialect, expr: &str, key: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_extract({expr}, '$.{key}')"),
        Dialect::Postgres => format!("(({expr})::jsonb ->> '{key}')"),
    }
}

/// The JSON array (as text) of member `key` of each element of the JSON
/// array in `expr`; `[]` when `expr` is NULL or not an array.
pub fn json_array_of_members(dialect: Dialect, expr: &str, key: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "CASE WHEN json_valid({expr}) THEN (SELECT json_group_array(json_extract(f.value, '$.{key}'))
                 FROM json_each({expr}) f) ELSE '[]' END"
        ),
        Dialect::Postgres => format!(
            "COALESCE((SELECT json_agg(f ->> '{key}')::TEXT
                 FROM jsonb_array_elements(({expr})::jsonb) f), '[]')"
        ),
    }
}

/// Member `key` of each element of the JSON array in `expr`, joined with
/// `separator` (NULL for an empty array).
pub fn json_members_joined(dialect: Dialect, expr: &str, key: &str, separator: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "(SELECT group_concat(json_extract(f.value, '$.{key}'), '{separator}')
                 FROM json_each(COALESCE({expr}, '[]')) f)"
        ),
        Dialect::Postgres => format!(
            "(SELECT string_agg(f ->> '{key}', '{separator}')
                 FROM jsonb_array_elements(COALESCE({expr}, '[]')::jsonb) f)"
        ),
    }
}

/// `SELECT EXISTS (…)` whether table `?1` is in the workspace.
pub fn table_exists(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)"
        }
        Dialect::Postgres => {
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name = ?1)"
        }
    }
}

/// The names of table `?1`'s columns, in their order.
pub fn table_columns(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
        Dialect::Postgres => {
            "SELECT column_name::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position"
        }
    }
}

/// After rows were copied into `table` with their ids: the statements
/// that make the next id the engine gives come after them (SQLite's
/// rowid does by itself; a PostgreSQL serial column's sequence does not).
pub fn after_copy(db: &Db, table: &str) -> super::Result<()> {
    if db.dialect() == Dialect::Sqlite {
        return Ok(());
    }
    let serials: Vec<String> = db.query_map(
        "SELECT column_name::TEXT FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = ?1
           AND column_default LIKE 'nextval(%'",
        super::params![table],
        |r| r.get(0),
    )?;
    for column in serials {
        db.query_row(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                     COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
            ),
            super::params![],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

/// The end of a `SELECT` that takes rows to update: on PostgreSQL the rows
/// of `alias` are locked and rows another transaction holds are skipped
/// (`FOR UPDATE SKIP LOCKED`); SQLite's transactions that write already
/// run one at a time.
pub fn skip_locked(dialect: Dialect, alias: &str) -> String {
    match dialect {
        Dialect::Sqlite => String::new(),
        Dialect::Postgres => format!("FOR UPDATE OF {alias} SKIP LOCKED"),
    }
}
