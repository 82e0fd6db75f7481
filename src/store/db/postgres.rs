//! The PostgreSQL side of [`super::Db`]: the synchronous `postgres` client
//! (the app's threads block on their own connection; no async runtime in
//! the store's API), a statement cache per connection, and the dynamic
//! values converted to and from the types the server asks for.
//!
//! The server types each placeholder from the statement, so a [`Param`]
//! is encoded as whatever type that is (an integer for a BIGINT column,
//! text for TEXT), the way SQLite's affinity takes what it is given.

use super::{DbError, Param, Result, ValueRef};
use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Statement};
use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;

type BoxError = Box<dyn Error + Sync + Send>;

#[path = "tls.rs"]
pub(super) mod tls;

/// One connection and the statements prepared on it.
pub struct PgConn {
    url: String,
    /// The connection failed under a statement (reset, closed).
    broken: std::cell::Cell<bool>,
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
}

impl PgConn {
    /// Connect to a `postgres://` URL (or a `key=value` string), over
    /// TLS as its `sslmode` says (see [`tls`]).
    pub fn connect(url: &str) -> Result<PgConn> {
        let client = tls::connect(url)?;
        Ok(PgConn {
            url: url.to_string(),
            broken: std::cell::Cell::new(false),
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
        })
    }

    /// The statement for `sql` (written with `?1` placeholders), prepared
    /// once per connection.
    pub(super) fn prepare(&self, sql: &str) -> Result<Statement> {
        if let Some(stmt) = self.statements.borrow().get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.noted(self.client.borrow_mut().prepare(&dollar_placeholders(sql)))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    pub(super) fn execute(&self, stmt: &Statement, params: &[Param<'_>]) -> Result<usize> {
        let values = dyn_params(params);
        Ok(self.noted(self.client.borrow_mut().execute(stmt, &values))? as usize)
    }

    pub(super) fn query(
        &self,
        stmt: &Statement,
        params: &[Param<'_>],
    ) -> Result<Vec<postgres::Row>> {
        let values = dyn_params(params);
        self.noted(self.client.borrow_mut().query(stmt, &values))
    }

    pub(super) fn batch_execute(&self, sql: &str) -> Result<()> {
        self.noted(self.client.borrow_mut().batch_execute(sql))
    }

    /// A connection the server dropped (it restarted, the network went
    /// away) is made again, with a fresh statement cache, when the next
    /// statement is prepared outside a transaction; until the server is
    /// back each statement fails with the connection's error.
    pub(super) fn reconnect_if_closed(&self) -> Result<()> {
        if !self.broken.get() && !self.client.borrow().is_closed() {
            return Ok(());
        }
        let client = tls::connect(&self.url)?;
        *self.client.borrow_mut() = client;
        self.statements.borrow_mut().clear();
        self.broken.set(false);
        Ok(())
    }

    /// Note an error that means the connection is gone, for
    /// [`PgConn::reconnect_if_closed`].
    fn noted<T>(&self, result: std::result::Result<T, postgres::Error>) -> Result<T> {
        if let Err(e) = &result
            && connection_gone(e)
        {
            self.broken.set(true);
        }
        Ok(result?)
    }
}

/// The server ended the session or cannot be reached: the statement may
/// succeed once it is back, unlike one the server refused (a constraint).
fn connection_gone(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        // The server ends the session (shut down, terminated) or refuses
        // new ones while it starts or stops.
        Some(db) => db.severity() == "FATAL" || db.code().code().starts_with("08"),
        None => e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>()),
    }
}

impl DbError {
    /// The PostgreSQL server went away or cannot be reached (not a write
    /// it refused): the workstation queues the change and retries.
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, DbError::Postgres(e) if connection_gone(e))
    }
}

fn dyn_params<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// `?1` → `$1` outside string literals, quoted names and comments: the
/// store's SQL is written once, in SQLite's spelling.
pub fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '-' && chars.peek() == Some(&'-') => {
                out.push(c);
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '\n' {
                        break;
                    }
                }
            }
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            None => out.push(c),
        }
    }
    out
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        let mismatch = || -> BoxError { format!("{self:?} cannot be sent as {ty}").into() };
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    i.to_string().to_sql(ty, out)
                }
                _ => Err(mismatch()),
            },
            Param::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::INT8 if f.fract() == 0.0 => (f as i64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => f.to_string().to_sql(ty, out),
                _ => Err(mismatch()),
            },
            Param::Text(t) => match *ty {
                Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::UNKNOWN
                | Type::JSON => t.to_sql(ty, out),
                // A number given as text, as SQLite's INTEGER affinity takes it.
                Type::INT8 => t.parse::<i64>().map_err(|_| mismatch())?.to_sql(ty, out),
                Type::INT4 => t.parse::<i32>().map_err(|_| mismatch())?.to_sql(ty, out),
                _ => Err(mismatch()),
            },
            Param::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ => Err(mismatch()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column of any type the store uses, decoded to a [`ValueRef`].
struct Column<'a>(ValueRef<'a>);

impl<'a> FromSql<'a> for Column<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(Column(match *ty {
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => ValueRef::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => ValueRef::Integer(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => ValueRef::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => ValueRef::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => ValueRef::Blob(<&[u8]>::from_sql(ty, raw)?),
            Type::JSONB => {
                // Version byte, then the JSON text.
                let text = raw.get(1..).ok_or("empty jsonb")?;
                ValueRef::Text(std::str::from_utf8(text)?)
            }
            _ => ValueRef::Text(<&str>::from_sql(ty, raw)?),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Column(ValueRef::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// NUMERIC (what SUM of a BIGINT gives) in its binary form: base-10000
/// digits. A whole number is an integer, as SQLite's SUM gives.
fn numeric(raw: &[u8]) -> std::result::Result<ValueRef<'static>, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short numeric".into())
    };
    let (digits, weight, sign, scale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    if sign == 0xC000 {
        return Ok(ValueRef::Real(f64::NAN));
    }
    let mut value = 0f64;
    for i in 0..digits.max(0) as usize {
        value += f64::from(word(4 + i)?) * 10_000f64.powi(i32::from(weight) - i as i32);
    }
    if sign == 0x4000 {
        value = -value;
    }
    Ok(if scale == 0 && value.abs() < 9.0e15 {
        ValueRef::Integer(value as i64)
    } else {
        ValueRef::Real(value)
    })
}

pub(super) fn value(row: &postgres::Row, index: usize) -> Result<ValueRef<'_>> {
    row.try_get::<_, Column>(index)
        .map(|c| c.0)
        .map_err(|e| DbError::column(index, e.to_string()))
}

/// The server's message, its detail and hint (the `postgres` crate's own
/// display of a server error is only "db error").
pub(super) fn describe(error: &postgres::Error) -> String {
    let text = described(error);
    match tls::hint(error) {
        Some(hint) => format!("{text}; {hint}"),
        None => text,
    }
}

fn described(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_string();
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; {hint}"));
            }
            text
        }
        None => match error.source() {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_outside_literals() {
        assert_eq!(
            dollar_placeholders("SELECT '?1', \"a?2\" FROM t WHERE a = ?1 AND b = ?12 -- ?3\n"),
            "SELECT '?1', \"a?2\" FROM t WHERE a = $1 AND b = $12 -- ?3\n"
        );
    }

    #[test]
    fn numeric_reads_whole_and_fractional_values() {
        // 12345 = digits [1, 2345], weight 1, positive, scale 0.
        let whole = [0, 2, 0, 1, 0, 0, 0, 0, 0, 1, 0x09, 0x29];
        assert_eq!(numeric(&whole).unwrap(), ValueRef::Integer(12_345));
        // -1.5 = digits [1, 5000], weight 0, negative, scale 1.
        let half = [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert_eq!(numeric(&half).unwrap(), ValueRef::Real(-1.5));
    }
}
