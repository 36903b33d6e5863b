//! Connections, the pool and migrations for both backends.
//!
//! The backend is chosen from the URL's scheme, never guessed: diesel's
//! derived `MultiConnection::establish` tries each backend in turn, which
//! would happily open a SQLite file named `postgres://…`. So the pool uses a
//! small manager of its own that knows which backend it serves.

mod enums;
pub mod group;
mod ids;
pub mod schema;
pub mod search;
mod stored;

pub use enums::*;
pub use ids::*;
pub(crate) use stored::{stored_enum, text_column, text_enum};
pub use stored::{Json, UnknownValue};

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

/// The connection pool of one database, with that database's in-process
/// writer turn (see `SqliteWriter`). Two apps in one process (as in the
/// tests) have two pools and so never share a turn.
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    writer: Arc<WriterTurn>,
}

impl Pool {
    /// A connection, bound to this pool's writer turn on this thread until
    /// it is dropped.
    pub fn get(&self) -> Result<PooledConn, r2d2::PoolError> {
        let conn = self.inner.get()?;
        Ok(PooledConn {
            conn,
            _turn: TurnBinding::bind(self.writer.clone()),
        })
    }

    pub fn state(&self) -> r2d2::State {
        self.inner.state()
    }
}

/// A pooled connection; derefs to `DbConn`, so `conn.transaction(…)` is
/// always `DbConn::transaction` (SQLite's `IMMEDIATE` begin and the writer
/// turn), never diesel's own.
pub struct PooledConn {
    conn: r2d2::PooledConnection<Manager>,
    _turn: TurnBinding,
}

impl std::ops::Deref for PooledConn {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed `DATABASE_URL`: which backend, and what to hand its driver.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub backend: Backend,
    target: String,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A PostgreSQL URL may carry a password.
        match self.backend {
            Backend::Sqlite => write!(f, "sqlite://{}", self.target),
            Backend::Postgres => write!(f, "postgres://[redacted]"),
        }
    }
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, AppError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(AppError::Config(
                    "DATABASE_URL sqlite:// needs a file path, for example sqlite://assay.db".into(),
                ));
            }
            return Ok(DatabaseUrl {
                backend: Backend::Sqlite,
                target: path.to_string(),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl {
                backend: Backend::Postgres,
                target: without_loopback_tls(url),
            });
        }
        let scheme = url.split("://").next().filter(|_| url.contains("://")).unwrap_or(url);
        Err(AppError::Config(format!(
            "DATABASE_URL scheme '{scheme}' is not supported; use sqlite://PATH or postgres://USER@HOST/DB"
        )))
    }

    pub fn sqlite_path(&self) -> Option<&str> {
        (self.backend == Backend::Sqlite).then_some(self.target.as_str())
    }
}

/// libpq's default `sslmode=prefer` runs TLS whenever the server offers it,
/// also over loopback, where it only costs CPU on both ends of every query.
/// A URL that names a loopback host and no `sslmode` gets `sslmode=disable`;
/// any other URL is left as written.
fn without_loopback_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        return url.to_string();
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if !matches!(host, "localhost" | "127.0.0.1" | "::1") {
        return url.to_string();
    }
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}sslmode=disable")
}

/// An r2d2 manager that opens connections of one known backend and applies
/// SQLite's per-connection settings.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

/// One statement each: SQLite runs only the first statement of a prepared
/// string, and `batch_execute` hides which one failed.
///
/// `temp_store` keeps sorters and temporary b-trees in memory. (Not
/// `mmap_size`: in WAL mode a connection drops its pages whenever another
/// has written, which with a memory map means an munmap before nearly every
/// read under a stream of saves; measured, it cost more than it saved.)
const SQLITE_PRAGMAS: [&str; 5] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    // Every commit waits for the disk: an answer acknowledged as saved
    // survives a power cut, not only a crash of the process. Group commit
    // (`attempts::save_queue`) pays for it.
    "PRAGMA synchronous = FULL",
    "PRAGMA temp_store = MEMORY",
];

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.url.backend {
            Backend::Sqlite => {
                let mut conn =
                    diesel::SqliteConnection::establish(&self.url.target).map_err(r2d2::Error::ConnectionError)?;
                for pragma in SQLITE_PRAGMAS {
                    conn.batch_execute(pragma).map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConn::Sqlite(conn))
            }
            Backend::Postgres => diesel::PgConnection::establish(&self.url.target)
                .map(DbConn::Postgres)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub fn open_pool(url: &DatabaseUrl, max_size: u32) -> Result<Pool, AppError> {
    let manager = Manager { url: url.clone() };
    let inner = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        // No ping on every checkout: it was a whole round trip per request
        // (a third of the statements of an answer save on PostgreSQL). A
        // connection that died with its server fails its next query, which
        // answers 503 (see `AppError::from`), and r2d2 then drops it as
        // broken; the request after gets a fresh one.
        .test_on_check_out(false)
        .build(manager)
        .map_err(|e| AppError::Config(format!("cannot open the database {url:?}: {e}")))?;
    Ok(Pool {
        inner,
        writer: Arc::default(),
    })
}

/// Runs blocking database work with a pooled connection on the runtime's
/// blocking threads, so no async worker thread waits for the database.
pub async fn blocking<T, F>(pool: &Pool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Applies every pending migration of the connection's backend.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, AppError> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| AppError::internal("migration failed", e))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in a transaction, as `diesel::Connection::transaction` does
    /// (this inherent method is the one `conn.transaction(…)` calls), except
    /// that an outermost transaction on SQLite begins `IMMEDIATE`.
    ///
    /// Why: diesel's plain `BEGIN` is deferred. A deferred transaction that
    /// reads and then writes (start a test, apply to a drive, register) asks
    /// for the write lock only at its first write, and when another
    /// connection holds it or has committed since the read, SQLite answers
    /// "database is locked" at once, without waiting out `busy_timeout`:
    /// under load most concurrent starts failed that way. `BEGIN IMMEDIATE`
    /// takes the write lock up front, waiting for it (busy_timeout), so such
    /// transactions queue instead of failing. Nested calls are savepoints as
    /// before; PostgreSQL is unchanged.
    ///
    /// Method lookup finds this on a `&mut DbConn` and on a `PooledConn`
    /// (which derefs to `DbConn` and is no diesel connection itself), so
    /// every transaction of the app takes this path.
    pub fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        type Multi = <DbConn as Connection>::TransactionManager;
        let DbConn::Sqlite(c) = self else {
            return Connection::transaction(self, f);
        };
        let outermost = matches!(
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
            Ok(None)
        );
        if !outermost {
            return Connection::transaction(self, f);
        }
        let _writer = SqliteWriter::acquire();
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(value) => {
                Multi::commit_transaction(self)?;
                Ok(value)
            }
            Err(e) => match Multi::rollback_transaction(self) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(e),
                Err(rollback) => Err(rollback.into()),
            },
        }
    }
}

/// This app's turn at SQLite's single write lock.
///
/// SQLite lets one connection write at a time; the others retry on its busy
/// handler, which sleeps 1, 2, 5, 10, … up to 100 ms between tries. Under a
/// stream of answer saves from many connections those sleeps, not the
/// writes, made the slow tail (p99 in the hundreds of milliseconds). So the
/// hot writers of this app (every outermost transaction, the answer save
/// batches among them) first queue here, on a turn that wakes the next
/// writer the moment the last one is done; SQLite's lock then is nearly
/// always free, and busy_timeout still arbitrates with other processes and
/// other writers.
///
/// One per pool, so per database and per app: a connection taken from a
/// pool binds that pool's turn to its thread while it lives (`Pool::get`),
/// and a transaction on it takes that turn. A connection opened outside a
/// pool has no turn and relies on busy_timeout alone. Re-entrant on one
/// thread, so a save inside a transaction cannot deadlock on itself. Hold it
/// only around work on one connection, never while waiting for another.
#[derive(Default)]
pub struct WriterTurn {
    taken: std::sync::Mutex<bool>,
    free: std::sync::Condvar,
}

impl WriterTurn {
    fn take(&self) {
        // A panic while holding it leaves nothing to repair: the flag is
        // reset by the guard's drop.
        let mut taken = self.taken.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *taken {
            taken = self.free.wait(taken).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *taken = true;
    }

    fn give_back(&self) {
        *self.taken.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = false;
        self.free.notify_one();
    }
}

thread_local! {
    /// The writer turn of the pool whose connection this thread is using.
    static BOUND_TURN: std::cell::RefCell<Option<Arc<WriterTurn>>> = const { std::cell::RefCell::new(None) };
    /// Whether this thread holds its bound turn (so nested takes are free).
    static HOLDS_SQLITE_WRITER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Binds a pool's turn to this thread while a connection of it is in use,
/// and restores whatever was bound before when dropped. Not `Send`: the
/// binding is this thread's, so a connection stays on the thread that took
/// it (as every caller uses it). Connections held at once on one thread are
/// expected to be dropped last-taken first; otherwise a later transaction
/// may run without a turn, which costs only speed (busy_timeout still
/// arbitrates), never correctness.
struct TurnBinding(Option<Arc<WriterTurn>>, std::marker::PhantomData<*const ()>);

impl TurnBinding {
    fn bind(turn: Arc<WriterTurn>) -> TurnBinding {
        TurnBinding(
            BOUND_TURN.with(|bound| bound.borrow_mut().replace(turn)),
            std::marker::PhantomData,
        )
    }
}

impl Drop for TurnBinding {
    fn drop(&mut self) {
        let previous = self.0.take();
        BOUND_TURN.with(|bound| *bound.borrow_mut() = previous);
    }
}

/// This thread's hold on its bound writer turn, given back when dropped.
pub struct SqliteWriter(Option<Arc<WriterTurn>>);

impl SqliteWriter {
    fn acquire() -> SqliteWriter {
        if HOLDS_SQLITE_WRITER.get() {
            return SqliteWriter(None);
        }
        let Some(turn) = BOUND_TURN.with(|bound| bound.borrow().clone()) else {
            return SqliteWriter(None);
        };
        turn.take();
        HOLDS_SQLITE_WRITER.set(true);
        SqliteWriter(Some(turn))
    }
}

impl Drop for SqliteWriter {
    fn drop(&mut self) {
        if let Some(turn) = self.0.take() {
            HOLDS_SQLITE_WRITER.set(false);
            turn.give_back();
        }
    }
}

/// Makes this person's concurrent transactions take turns from here to the
/// end of the current transaction: a double-clicked apply or twelve tabs
/// starting one test each read what the one before them committed, instead
/// of all deciding from the same empty picture. PostgreSQL locks the
/// person's row; SQLite needs nothing, as its transactions begin
/// `IMMEDIATE` and so already run one at a time.
pub fn serialize_person(conn: &mut DbConn, user_id: UserId) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(_) => Ok(()),
        DbConn::Postgres(c) => schema::users::table
            .find(user_id)
            .select(schema::users::id)
            .for_no_key_update()
            .load::<UserId>(c)
            .map(drop),
    }
}

/// Runs the same diesel expression on the concrete connection, for the few
/// statements (upserts, row locks) that only the concrete backends offer.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}

#[cfg(test)]
mod tests;
