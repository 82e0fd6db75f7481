//! The engine seam: the store's SQL runs through [`Db`], on SQLite (the
//! embedded default, one reviewer on one laptop) or on PostgreSQL (a team
//! on one server), and nothing above `store` knows which.
//!
//! Why an enum over two connections and not a trait with two store
//! implementations (atuin's layout: a `Database` trait, an SQLite and a
//! Postgres crate, each with its own copy of every query): callqa's store
//! is ~150 statements that are nearly all portable SQL, so writing each
//! one twice would double the code that has to agree, and every fix would
//! have to be made twice. Instead the SQL is written once, with `?1`-style
//! numbered placeholders (translated to `$1` for PostgreSQL once per
//! statement, then cached), values cross as a small dynamic set
//! ([`Param`] in, [`ValueRef`] out) and the few constructs whose spelling
//! differs are one function each in [`dialect`]. What atuin's layout does
//! give us is kept: each engine has its own numbered migration list
//! (`schema.rs` for SQLite, `postgres_schema.rs` for PostgreSQL).
//!
//! On SQLite this is a thin shell over rusqlite: statements come from its
//! prepared-statement cache, parameters are bound borrowed and a [`Row`]
//! reads rusqlite's row in place, so an import is as fast as before.

pub mod dialect;
mod postgres;
mod postgres_schema;
mod sqlite;

pub use postgres::PgConn;
pub use postgres_schema::open_postgres;
pub use sqlite::sqlite_error_code;

use std::cell::Cell;

/// A parameter: a value borrowed, as a column is read.
pub type Param<'a> = ValueRef<'a>;

/// A column as read (or a parameter): SQLite's storage classes, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A value of any class, owned: what a copy between engines carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl FromColumn for Value {
    fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        Ok(match value {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(t.to_string()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
    }
}

impl ToParam for Value {
    fn to_param(&self) -> Param<'_> {
        match self {
            Value::Null => Param::Null,
            Value::Integer(i) => Param::Integer(*i),
            Value::Real(f) => Param::Real(*f),
            Value::Text(t) => Param::Text(t),
            Value::Blob(b) => Param::Blob(b),
        }
    }
}

/// A value a statement can take.
pub trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

macro_rules! integer_params {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Param<'_> {
                Param::Integer(*self as i64)
            }
        }
    )*};
}
integer_params!(i64, i32, u32, u16, u8, u64, usize);

impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Integer(i64::from(*self))
    }
}
impl ToParam for f64 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}
impl ToParam for f32 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(f64::from(*self))
    }
}
impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}
impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        self.as_ref().map_or(Param::Null, ToParam::to_param)
    }
}
impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}
impl ToParam for ValueRef<'_> {
    fn to_param(&self) -> Param<'_> {
        *self
    }
}

/// `params![a, b]`: the parameters of one statement, borrowed.
macro_rules! params {
    () => {
        &[] as &[$crate::store::db::Param<'_>]
    };
    ($($value:expr),+ $(,)?) => {
        &[$($crate::store::db::ToParam::to_param(&$value)),+] as &[$crate::store::db::Param<'_>]
    };
}
pub(crate) use params;

/// A type a column can be read as, on either engine.
pub trait FromColumn: Sized {
    fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String>;
}

fn wrong(value: ValueRef<'_>, wanted: &str) -> String {
    format!("{value:?} is not {wanted}")
}

macro_rules! integer_columns {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String> {
                match value {
                    ValueRef::Integer(i) => <$t>::try_from(i)
                        .map_err(|_| format!("{i} is out of range for {}", stringify!($t))),
                    other => Err(wrong(other, stringify!($t))),
                }
            }
        }
    )*};
}
integer_columns!(i64, i32, u32, u16, u8, u64, usize);

impl FromColumn for bool {
    fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Integer(i) => Ok(i != 0),
            other => Err(wrong(other, "a flag")),
        }
    }
}
impl FromColumn for f64 {
    fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(i) => Ok(i as f64),
            other => Err(wrong(other, "a number")),
        }
    }
}
impl FromColumn for String {
    fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Text(t) => Ok(t.to_string()),
            other => Err(wrong(other, "text")),
        }
    }
}
impl FromColumn for Vec<u8> {
    fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            other => Err(wrong(other, "a blob")),
        }
    }
}
impl<T: FromColumn> FromColumn for Option<T> {
    fn from_column(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_column(other).map(Some),
        }
    }
}

/// An error of either engine, or a column that is not what the code reads.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", postgres::describe(.0))]
    Postgres(#[from] ::postgres::Error),
    #[error("the query returned no rows")]
    NoRows,
    #[error("column {index}: {why}")]
    Column { index: usize, why: String },
}

impl DbError {
    /// A column that is not what the code reads (bad data, not bad SQL).
    pub fn column(index: usize, why: impl Into<String>) -> DbError {
        DbError::Column {
            index,
            why: why.into(),
        }
    }

    /// A unique or primary key constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::ConstraintViolation)
            ),
            DbError::Postgres(e) => {
                e.code() == Some(&::postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, DbError>;

/// `.optional()` on a single-row query: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(DbError::NoRows) => Ok(None),
            Err(DbError::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A column index (a number: the store's SQL names its columns by order).
pub trait ColumnIndex {
    fn index(self) -> usize;
}
impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One result row of either engine, read in place.
pub struct Row<'a>(RowRef<'a>);

enum RowRef<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a ::postgres::Row),
}

impl Row<'_> {
    /// Column `index` as `T`; the type argument `_` keeps rusqlite's
    /// spelling (`r.get::<_, String>(0)`).
    pub fn get<I: ColumnIndex, T: FromColumn>(&self, index: I) -> Result<T> {
        let index = index.index();
        let value = self.get_ref(index)?;
        T::from_column(value).map_err(|why| DbError::column(index, why))
    }

    pub fn get_ref(&self, index: usize) -> Result<ValueRef<'_>> {
        match &self.0 {
            RowRef::Sqlite(row) => sqlite::value(row, index),
            RowRef::Postgres(row) => postgres::value(row, index),
        }
    }
}

enum Engine {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

/// A connection to a workspace on either engine.
pub struct Db {
    engine: Engine,
    /// Inside a transaction [`Db::transaction`] began: a nested one joins it.
    in_transaction: Cell<bool>,
}

/// A prepared (and cached) statement.
pub struct Stmt<'a>(StmtRef<'a>);

enum StmtRef<'a> {
    Sqlite(rusqlite::CachedStatement<'a>),
    Postgres(&'a PgConn, ::postgres::Statement),
}

impl Stmt<'_> {
    /// Run a statement that returns no rows; the number of rows changed.
    pub fn execute(&mut self, params: &[Param<'_>]) -> Result<usize> {
        match &mut self.0 {
            StmtRef::Sqlite(stmt) => Ok(stmt.execute(sqlite::bind(params))?),
            StmtRef::Postgres(conn, stmt) => conn.execute(stmt, params),
        }
    }

    /// The first row, read by `f`; [`DbError::NoRows`] without one.
    pub fn query_row<T>(
        &mut self,
        params: &[Param<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut f = Some(f);
        let mut value = None;
        self.each_while(params, &mut |row| {
            value = Some((f.take().expect("called once"))(row)?);
            Ok(false)
        })?;
        value.ok_or(DbError::NoRows)
    }

    /// Every row, each read by `f`.
    pub fn query_map<T>(
        &mut self,
        params: &[Param<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut values = Vec::new();
        self.each_while(params, &mut |row| {
            values.push(f(row)?);
            Ok(true)
        })?;
        Ok(values)
    }

    /// Every row, handed to `f` as it comes (SQLite streams; PostgreSQL
    /// has fetched them), for reads too long to collect first. An error of
    /// `f` stops it.
    pub fn query_each<E: From<DbError>>(
        &mut self,
        params: &[Param<'_>],
        mut f: impl FnMut(&Row<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        match &mut self.0 {
            StmtRef::Sqlite(stmt) => {
                let mut rows = stmt.query(sqlite::bind(params)).map_err(DbError::from)?;
                while let Some(row) = rows.next().map_err(DbError::from)? {
                    f(&Row(RowRef::Sqlite(row)))?;
                }
                Ok(())
            }
            StmtRef::Postgres(conn, stmt) => {
                for row in conn.query(stmt, params)? {
                    f(&Row(RowRef::Postgres(&row)))?;
                }
                Ok(())
            }
        }
    }

    /// The rows while `f` says to go on.
    fn each_while(
        &mut self,
        params: &[Param<'_>],
        f: &mut dyn FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        match &mut self.0 {
            StmtRef::Sqlite(stmt) => {
                let mut rows = stmt.query(sqlite::bind(params))?;
                while let Some(row) = rows.next()? {
                    if !f(&Row(RowRef::Sqlite(row)))? {
                        break;
                    }
                }
                Ok(())
            }
            StmtRef::Postgres(conn, stmt) => {
                for row in conn.query(stmt, params)? {
                    if !f(&Row(RowRef::Postgres(&row)))? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }
}

impl Db {
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Db {
        Db {
            engine: Engine::Sqlite(conn),
            in_transaction: Cell::new(false),
        }
    }

    pub(crate) fn postgres(conn: PgConn) -> Db {
        Db {
            engine: Engine::Postgres(Box::new(conn)),
            in_transaction: Cell::new(false),
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, the
    /// SQLite migrations and their tests); `None` on PostgreSQL.
    pub(crate) fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.engine {
            Engine::Sqlite(conn) => Some(conn),
            Engine::Postgres(_) => None,
        }
    }

    pub(crate) fn as_postgres(&self) -> Option<&PgConn> {
        match &self.engine {
            Engine::Sqlite(_) => None,
            Engine::Postgres(conn) => Some(conn),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.as_postgres().is_some()
    }

    /// A statement from the connection's cache (prepared on first use).
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt(match &self.engine {
            Engine::Sqlite(conn) => StmtRef::Sqlite(conn.prepare_cached(sql)?),
            Engine::Postgres(conn) => {
                // Never inside a transaction: its earlier statements went
                // with the old connection.
                if !self.in_transaction.get() {
                    conn.reconnect_if_closed()?;
                }
                StmtRef::Postgres(conn, conn.prepare(sql)?)
            }
        }))
    }

    /// [`Db::prepare_cached`]: every statement is cached.
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare_cached(sql)
    }

    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.prepare_cached(sql)?.query_map(params, f)
    }

    /// Several statements without parameters (no results).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Engine::Postgres(conn) => {
                if !self.in_transaction.get() {
                    conn.reconnect_if_closed()?;
                }
                conn.batch_execute(sql)
            }
        }
    }

    pub fn in_transaction(&self) -> bool {
        self.in_transaction.get()
    }

    /// Begin a transaction that writes: on SQLite `BEGIN IMMEDIATE` (the
    /// write lock first, see `store`), on PostgreSQL `BEGIN`. Inside
    /// another it joins that one. Dropped without [`Tx::commit`], it rolls
    /// back.
    pub fn transaction(&self) -> Result<Tx<'_>> {
        if self.in_transaction.get() {
            return Ok(Tx {
                db: self,
                owner: false,
                done: false,
            });
        }
        self.execute_batch(match self.engine {
            Engine::Sqlite(_) => "BEGIN IMMEDIATE",
            Engine::Postgres(_) => "BEGIN",
        })?;
        self.in_transaction.set(true);
        Ok(Tx {
            db: self,
            owner: true,
            done: false,
        })
    }
}

/// An open transaction; reads and writes go through it as through [`Db`].
pub struct Tx<'a> {
    db: &'a Db,
    /// False when it joined an outer transaction, which commits.
    owner: bool,
    done: bool,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        if !self.owner {
            return Ok(());
        }
        let result = self.db.execute_batch("COMMIT");
        if result.is_err() {
            let _ = self.db.execute_batch("ROLLBACK");
        }
        self.db.in_transaction.set(false);
        result
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.owner && !self.done {
            // Nothing to tell anyone: the error that dropped the
            // transaction is on its way up already.
            let _ = self.db.execute_batch("ROLLBACK");
            self.db.in_transaction.set(false);
        }
    }
}
