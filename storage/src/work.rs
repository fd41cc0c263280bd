//! The transaction helper: begin, statement persistence, error
//! classification and commit, owned in one place so a repository method
//! keeps only its SQL, its binds and its mapping.
//!
//! A method of one statement is a [`Call`]: `source.call(ctx, &ROLES,
//! "reading a role").optional(query)` begins the tenant's (or the
//! system's) transaction, runs the statement named or unnamed as the data
//! source says, turns a driver error into the table's [`StorageError`] and
//! commits. A method of several statements opens a [`Work`] and runs each
//! statement through [`Work::on`], then commits once.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Decode, FromRow, PgConnection, Postgres, Transaction, Type};
use uuid::Uuid;

use crate::page::{Cursor, Page, PageRequest, parse_time_key, time_key};
use crate::source::{DataSource, SystemContext, TenantContext};
use crate::table::Table;
use crate::{StorageError, TenantCode};

/// Whose rows a transaction sees: one tenant's under row-level security, or
/// every tenant's as the system role.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    Tenant(&'a TenantContext),
    System(&'a SystemContext),
}

impl<'a> From<&'a TenantContext> for Caller<'a> {
    fn from(context: &'a TenantContext) -> Self {
        Caller::Tenant(context)
    }
}

impl<'a> From<&'a SystemContext> for Caller<'a> {
    fn from(context: &'a SystemContext) -> Self {
        Caller::System(context)
    }
}

/// What a [`Call`] or a [`Step`] yields. Boxed: a named future type keeps
/// the repositories' `async_trait` futures `Send`, where an opaque one over
/// the generic query runs into rust-lang/rust#100013.
pub type Pending<'f, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'f>>;

/// A `query_as` statement with its binds, as repositories build them.
pub type RowQuery<'q, O> = QueryAs<'q, Postgres, O, PgArguments>;

/// A statement that returns rows: `query_as` (rows mapped by `FromRow`) or
/// `query_scalar` (one column). Sealed in practice: only sqlx's two query
/// types implement it.
pub trait Fetch<'q>: Send + Sized {
    type Row: Send;
    fn persistent(self, prepared: bool) -> Self;
    fn fetch_optional<'c>(
        self,
        conn: &'c mut PgConnection,
    ) -> impl Future<Output = Result<Option<Self::Row>, sqlx::Error>> + Send + 'c
    where
        'q: 'c;
    fn fetch_all<'c>(
        self,
        conn: &'c mut PgConnection,
    ) -> impl Future<Output = Result<Vec<Self::Row>, sqlx::Error>> + Send + 'c
    where
        'q: 'c;
}

impl<'q, O> Fetch<'q> for QueryAs<'q, Postgres, O, PgArguments>
where
    O: Send + Unpin + 'static + for<'r> FromRow<'r, PgRow>,
{
    type Row = O;

    fn persistent(self, prepared: bool) -> Self {
        QueryAs::persistent(self, prepared)
    }

    fn fetch_optional<'c>(
        self,
        conn: &'c mut PgConnection,
    ) -> impl Future<Output = Result<Option<O>, sqlx::Error>> + Send + 'c
    where
        'q: 'c,
    {
        QueryAs::fetch_optional(self, conn)
    }

    fn fetch_all<'c>(
        self,
        conn: &'c mut PgConnection,
    ) -> impl Future<Output = Result<Vec<O>, sqlx::Error>> + Send + 'c
    where
        'q: 'c,
    {
        QueryAs::fetch_all(self, conn)
    }
}

impl<'q, O> Fetch<'q> for QueryScalar<'q, Postgres, O, PgArguments>
where
    O: Send + Unpin + 'static + Type<Postgres> + for<'r> Decode<'r, Postgres>,
    (O,): for<'r> FromRow<'r, PgRow>,
{
    type Row = O;

    fn persistent(self, prepared: bool) -> Self {
        QueryScalar::persistent(self, prepared)
    }

    fn fetch_optional<'c>(
        self,
        conn: &'c mut PgConnection,
    ) -> impl Future<Output = Result<Option<O>, sqlx::Error>> + Send + 'c
    where
        'q: 'c,
    {
        QueryScalar::fetch_optional(self, conn)
    }

    fn fetch_all<'c>(
        self,
        conn: &'c mut PgConnection,
    ) -> impl Future<Output = Result<Vec<O>, sqlx::Error>> + Send + 'c
    where
        'q: 'c,
    {
        QueryScalar::fetch_all(self, conn)
    }
}

/// The page asked and the two statements that read it: after the
/// parameters the caller binds, each ends with its bound and limit,
/// `($n::timestamptz IS NULL OR (time_column, id) > ($n, $n+1))` in
/// `forward` and `<` in `backward` (no bound on a first or last page), then
/// its order and `LIMIT $n+2`. `backward` reads in the reverse order of
/// `forward`; the page comes back in `forward`'s.
#[derive(Debug, Clone, Copy)]
pub struct TimeKeyset<'p> {
    pub page: &'p PageRequest,
    pub forward: &'static str,
    pub backward: &'static str,
}

impl DataSource {
    /// One statement on `table` in a transaction of its own, for `scope`.
    /// `doing` names the operation in errors ("reading a role").
    pub fn call<'a>(
        &'a self,
        scope: impl Into<Caller<'a>>,
        table: &'static Table,
        doing: &'static str,
    ) -> Call<'a> {
        Call {
            source: self,
            scope: scope.into(),
            table,
            doing,
        }
    }

    /// The row of `table` with this `id` (its [`Table::by_id`] statement).
    pub fn get_by_id<'a, R>(
        &'a self,
        scope: impl Into<Caller<'a>>,
        table: &'static Table,
        doing: &'static str,
        id: Uuid,
    ) -> Pending<'a, Option<R>>
    where
        R: Send + Unpin + 'static + for<'r> FromRow<'r, PgRow>,
    {
        let Some(sql) = table.by_id else {
            let refused = StorageError::invalid(
                "table",
                format!("{} declares no statement to read a row by id", table.name),
            );
            return Box::pin(std::future::ready(Err(refused)));
        };
        self.call(scope, table, doing)
            .optional(sqlx::query_as::<_, R>(sql).bind(id))
    }

    /// A keyset page of `table`'s rows ordered by (a time, id), read in
    /// one call ([`TimeKeyset`] says how the statements end); `filters`
    /// binds the statements' own parameters, `key` gives a row's (time,
    /// id) for its cursor.
    pub async fn time_keyset_page<'a, R>(
        &'a self,
        scope: impl Into<Caller<'a>>,
        table: &'static Table,
        doing: &'static str,
        keyset: TimeKeyset<'_>,
        filters: impl FnOnce(RowQuery<'a, R>) -> RowQuery<'a, R>,
        key: impl Fn(&R) -> (DateTime<Utc>, Uuid),
    ) -> Result<Page<R>, StorageError>
    where
        R: Send + Unpin + 'static + for<'r> FromRow<'r, PgRow>,
    {
        let TimeKeyset {
            page,
            forward,
            backward,
        } = keyset;
        let (size, clamped_from) = page.effective_size()?;
        let bound = match &page.cursor {
            Cursor::After(text) | Cursor::Before(text) => Some(parse_time_key(text)?),
            Cursor::Start | Cursor::End => None,
        };
        let sql = match page.cursor {
            Cursor::Before(_) | Cursor::End => backward,
            Cursor::Start | Cursor::After(_) => forward,
        };
        let statement = filters(sqlx::query_as::<_, R>(sql))
            .bind(bound.map(|(at, _)| at))
            .bind(bound.map(|(_, id)| id))
            .bind(i64::from(size) + 1);
        let rows = self.call(scope, table, doing).all(statement).await?;
        Ok(Page::assemble(
            rows,
            &page.cursor,
            size,
            clamped_from,
            |row| {
                let (at, id) = key(row);
                time_key(at, id)
            },
        ))
    }

    /// A transaction for several statements, for `scope`.
    pub async fn work(&self, scope: impl Into<Caller<'_>>) -> Result<Work, StorageError> {
        match scope.into() {
            Caller::Tenant(context) => self.tenant(context).await,
            Caller::System(context) => self.system(context).await,
        }
    }
}

/// One statement in its own transaction (see [`DataSource::call`]).
#[derive(Debug)]
#[must_use = "a call runs nothing until one of its statements is awaited"]
pub struct Call<'a> {
    source: &'a DataSource,
    scope: Caller<'a>,
    table: &'static Table,
    doing: &'static str,
}

impl<'a> Call<'a> {
    /// The row, or `None`.
    pub fn optional<'f, 'q: 'f, Q: Fetch<'q> + 'f>(self, query: Q) -> Pending<'f, Option<Q::Row>>
    where
        'a: 'f,
    {
        Box::pin(async move {
            let mut work = self.source.work(self.scope).await?;
            let row = work.on(self.table, self.doing).optional(query).await?;
            work.commit().await?;
            Ok(row)
        })
    }

    /// The row; none is the table's entity not found.
    pub fn one<'f, 'q: 'f, Q: Fetch<'q> + 'f>(self, query: Q) -> Pending<'f, Q::Row>
    where
        'a: 'f,
    {
        let table = self.table;
        let row = self.optional(query);
        Box::pin(async move { row.await?.ok_or(table.not_found()) })
    }

    /// Every row.
    pub fn all<'f, 'q: 'f, Q: Fetch<'q> + 'f>(self, query: Q) -> Pending<'f, Vec<Q::Row>>
    where
        'a: 'f,
    {
        Box::pin(async move {
            let mut work = self.source.work(self.scope).await?;
            let rows = work.on(self.table, self.doing).all(query).await?;
            work.commit().await?;
            Ok(rows)
        })
    }

    /// A statement without rows; the number of rows it touched.
    pub fn execute<'f, 'q: 'f>(self, query: Query<'q, Postgres, PgArguments>) -> Pending<'f, u64>
    where
        'a: 'f,
    {
        Box::pin(async move {
            let mut work = self.source.work(self.scope).await?;
            let touched = work.on(self.table, self.doing).execute(query).await?;
            work.commit().await?;
            Ok(touched)
        })
    }
}

/// A transaction of one tenant or of the system role. Commit it to keep
/// its writes; dropping it rolls back.
#[derive(Debug)]
pub struct Work {
    tx: Transaction<'static, Postgres>,
    prepared: bool,
    tenant: Option<TenantCode>,
}

/// The transaction a tenant-scoped [`DataSource::tenant`] hands out.
pub type TenantTx = Work;
/// The transaction a system-scoped [`DataSource::system`] hands out.
pub type SystemTx = Work;

impl Work {
    pub(crate) fn new(
        tx: Transaction<'static, Postgres>,
        prepared: bool,
        tenant: Option<TenantCode>,
    ) -> Self {
        Work {
            tx,
            prepared,
            tenant,
        }
    }

    /// The tenant a tenant transaction is bound to; `None` for the system role.
    pub fn tenant(&self) -> Option<&TenantCode> {
        self.tenant.as_ref()
    }

    /// The connection, for statements the helper does not cover.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// The next statement, on `table`, doing `doing`.
    pub fn on(&mut self, table: &'static Table, doing: &'static str) -> Step<'_> {
        Step {
            work: self,
            table,
            doing,
        }
    }

    /// Undoes the transaction and waits until the server has. Dropping a
    /// `Work` rolls back too, but only when its connection is next used:
    /// locks it holds are released at some later point, not on return.
    pub async fn rollback(self) -> Result<(), StorageError> {
        let (doing, entity) = match self.tenant {
            Some(_) => ("rolling back a tenant transaction", "tenant"),
            None => ("rolling back a system transaction", "system"),
        };
        self.tx
            .rollback()
            .await
            .map_err(|e| crate::error::classify(e, doing, entity, &[]))
    }

    pub async fn commit(self) -> Result<(), StorageError> {
        let (doing, entity) = match self.tenant {
            Some(_) => ("committing a tenant transaction", "tenant"),
            None => ("committing a system transaction", "system"),
        };
        self.tx
            .commit()
            .await
            .map_err(|e| crate::error::classify(e, doing, entity, &[]))
    }
}

/// One statement inside a [`Work`] (see [`Work::on`]).
#[derive(Debug)]
#[must_use = "a step runs nothing until one of its statements is awaited"]
pub struct Step<'w> {
    work: &'w mut Work,
    table: &'static Table,
    doing: &'static str,
}

impl<'w> Step<'w> {
    /// The row, or `None`.
    pub fn optional<'f, 'q: 'f, Q: Fetch<'q> + 'f>(self, query: Q) -> Pending<'f, Option<Q::Row>>
    where
        'w: 'f,
    {
        Box::pin(async move {
            query
                .persistent(self.work.prepared)
                .fetch_optional(&mut self.work.tx)
                .await
                .map_err(|e| self.table.classify(e, self.doing))
        })
    }

    /// The row; none is the table's entity not found.
    pub fn one<'f, 'q: 'f, Q: Fetch<'q> + 'f>(self, query: Q) -> Pending<'f, Q::Row>
    where
        'w: 'f,
    {
        let table = self.table;
        let row = self.optional(query);
        Box::pin(async move { row.await?.ok_or(table.not_found()) })
    }

    /// Every row.
    pub fn all<'f, 'q: 'f, Q: Fetch<'q> + 'f>(self, query: Q) -> Pending<'f, Vec<Q::Row>>
    where
        'w: 'f,
    {
        Box::pin(async move {
            query
                .persistent(self.work.prepared)
                .fetch_all(&mut self.work.tx)
                .await
                .map_err(|e| self.table.classify(e, self.doing))
        })
    }

    /// A statement without rows; the number of rows it touched.
    pub fn execute<'f, 'q: 'f>(self, query: Query<'q, Postgres, PgArguments>) -> Pending<'f, u64>
    where
        'w: 'f,
    {
        Box::pin(async move {
            query
                .persistent(self.work.prepared)
                .execute(&mut *self.work.tx)
                .await
                .map(|done| done.rows_affected())
                .map_err(|e| self.table.classify(e, self.doing))
        })
    }
}
