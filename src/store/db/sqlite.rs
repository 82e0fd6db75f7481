//! The SQLite side of [`super::Db`]: parameters bound borrowed, columns
//! read in place from rusqlite's row.

use super::{DbError, Param, Result, ValueRef};
use rusqlite::types::{ToSqlOutput, ValueRef as SqliteValue};

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => SqliteValue::Null,
            Param::Integer(i) => SqliteValue::Integer(i),
            Param::Real(f) => SqliteValue::Real(f),
            Param::Text(t) => SqliteValue::Text(t.as_bytes()),
            Param::Blob(b) => SqliteValue::Blob(b),
        }))
    }
}

pub(super) fn bind<'p>(
    params: &'p [Param<'p>],
) -> rusqlite::ParamsFromIter<std::slice::Iter<'p, Param<'p>>> {
    rusqlite::params_from_iter(params.iter())
}

pub(super) fn value<'r>(row: &'r rusqlite::Row<'_>, index: usize) -> Result<ValueRef<'r>> {
    Ok(match row.get_ref(index)? {
        SqliteValue::Null => ValueRef::Null,
        SqliteValue::Integer(i) => ValueRef::Integer(i),
        SqliteValue::Real(f) => ValueRef::Real(f),
        SqliteValue::Text(t) => ValueRef::Text(
            std::str::from_utf8(t).map_err(|e| DbError::column(index, e.to_string()))?,
        ),
        SqliteValue::Blob(b) => ValueRef::Blob(b),
    })
}

/// SQLite's error code, when the error is SQLite's.
pub fn sqlite_error_code(error: &DbError) -> Option<rusqlite::ErrorCode> {
    match error {
        DbError::Sqlite(e) => e.sqlite_error_code(),
        _ => None,
    }
}
