//! The bare reference for the answer-save benchmark: actix-web and diesel
//! doing nothing per request but the guarded upsert Assay's answer save does,
//! so the load generator can tell how much of a save's cost is Assay's own.
//!
//! ```text
//! cargo build --release --example bare_reference
//! target/release/examples/bare_reference sqlite:///tmp/bare.db --bind 127.0.0.1:8090 --synchronous FULL
//! target/release/examples/bare_reference postgres://postgres@127.0.0.1:5432/scratch --bind 127.0.0.1:8090
//! ```
//!
//! What it shares with Assay: the route and JSON body of a save
//! (`PUT /api/v1/attempts/{id}/responses/{question_id}` with
//! `{"answer": …, "seq": …}`; a Bearer header is accepted and ignored), the
//! statement (`INSERT … ON CONFLICT (attempt_id, question_id) DO UPDATE SET
//! … WHERE excluded.seq > responses.seq`, built with diesel's DSL on the
//! concrete connection as `attempts::service::write_response` does), the
//! SQLite pragmas of `db::SQLITE_PRAGMAS` (with `synchronous` chosen here),
//! the pool size (16, as `DATABASE_POOL_SIZE`'s default), one worker per
//! core, blocking threads capped at the pool's connections, and one
//! in-process writer lock in front of SQLite's.
//!
//! What it leaves out, on purpose: authentication, the save's checks
//! (owner, open, deadline, shape) and their transaction, middleware, the
//! ping on checkout Assay does on PostgreSQL, and foreign keys on the table.
//! It creates its own minimal `responses` table on start.

// Not production code: a measuring tool: its casts are of small counts and durations for printing.
#![allow(clippy::as_conversions)]

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use chrono::NaiveDateTime;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::query_dsl::methods::FilterDsl;
use diesel::r2d2::{self, ConnectionManager, CustomizeConnection};
use diesel::upsert::excluded;
use serde::Deserialize;
use serde_json::{json, Value};

diesel::table! {
    responses (attempt_id, question_id) {
        attempt_id -> Integer,
        question_id -> Integer,
        answer -> Text,
        seq -> BigInt,
        saved_at -> Timestamp,
    }
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS responses (
    attempt_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    answer TEXT NOT NULL,
    seq BIGINT NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
)";

#[derive(Parser)]
#[command(about = "A bare actix-web + diesel server doing only Assay's guarded answer upsert")]
struct Args {
    /// sqlite://PATH or postgres://USER@HOST/DB (the table is created if missing).
    database_url: String,
    /// Where to listen; loopback addresses only.
    #[arg(long, default_value = "127.0.0.1:8090")]
    bind: SocketAddr,
    /// SQLite's `synchronous`: NORMAL (a commit survives a crash of the
    /// process) or FULL (it is on disk before the answer is sent).
    #[arg(long, default_value = "NORMAL", value_parser = ["NORMAL", "FULL"])]
    synchronous: String,
    /// Connections in the pool (Assay's DATABASE_POOL_SIZE default).
    #[arg(long, default_value_t = 16)]
    pool_size: u32,
}

/// Assay's `db::SQLITE_PRAGMAS`, with `synchronous` from the command line.
fn sqlite_pragmas(synchronous: &str) -> [String; 5] {
    [
        "PRAGMA journal_mode = WAL".into(),
        "PRAGMA foreign_keys = ON".into(),
        "PRAGMA busy_timeout = 10000".into(),
        format!("PRAGMA synchronous = {synchronous}"),
        "PRAGMA temp_store = MEMORY".into(),
    ]
}

#[derive(Debug)]
struct Pragmas(String);

impl CustomizeConnection<SqliteConnection, r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), r2d2::Error> {
        for pragma in sqlite_pragmas(&self.0) {
            conn.batch_execute(&pragma).map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(r2d2::Pool<ConnectionManager<SqliteConnection>>),
    Postgres(r2d2::Pool<ConnectionManager<PgConnection>>),
}

/// Like Assay's `db::SqliteWriter`: this process's writers queue on a mutex
/// before SQLite's own lock, so they never sleep in its busy handler.
static SQLITE_WRITER: Mutex<()> = Mutex::new(());

#[derive(QueryableByName)]
struct Synchronous {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    synchronous: i32,
}

#[derive(Deserialize)]
struct Save {
    answer: Value,
    seq: i64,
}

/// The guarded upsert, as `attempts::service::write_response` builds it.
macro_rules! upsert {
    ($conn:expr, $attempt:expr, $question:expr, $answer:expr, $seq:expr, $now:expr) => {
        diesel::insert_into(responses::table)
            .values((
                responses::attempt_id.eq($attempt),
                responses::question_id.eq($question),
                responses::answer.eq($answer),
                responses::seq.eq($seq),
                responses::saved_at.eq($now),
            ))
            .on_conflict((responses::attempt_id, responses::question_id))
            .do_update()
            .set((
                responses::answer.eq(excluded(responses::answer)),
                responses::seq.eq(excluded(responses::seq)),
                responses::saved_at.eq(excluded(responses::saved_at)),
            ))
            .filter(excluded(responses::seq).gt(responses::seq))
            .execute($conn)
    };
}

/// Writes one answer; true when it was newer than the stored one.
fn write(pool: &Pool, attempt: i32, question: i32, answer: &str, seq: i64) -> Result<bool, String> {
    let now: NaiveDateTime = chrono::Utc::now().naive_utc();
    let written = match pool {
        Pool::Sqlite(p) => {
            let mut conn = p.get().map_err(|e| e.to_string())?;
            // A panic while holding it leaves nothing to repair: it guards no data.
            let _turn = SQLITE_WRITER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            upsert!(&mut *conn, attempt, question, answer, seq, now)
        }
        Pool::Postgres(p) => {
            let mut conn = p.get().map_err(|e| e.to_string())?;
            upsert!(&mut *conn, attempt, question, answer, seq, now)
        }
    };
    written.map(|n| n == 1).map_err(|e| e.to_string())
}

async fn save(pool: web::Data<Pool>, path: web::Path<(i32, i32)>, body: web::Json<Save>) -> HttpResponse {
    let (attempt, question) = path.into_inner();
    let Save { answer, seq } = body.into_inner();
    let pool = pool.into_inner();
    let written = web::block(move || write(&pool, attempt, question, &answer.to_string(), seq)).await;
    match written {
        Ok(Ok(true)) => HttpResponse::NoContent().finish(),
        Ok(Ok(false)) => HttpResponse::Conflict()
            .json(json!({"error": {"code": "stale", "message": "A newer answer is already saved."}})),
        Ok(Err(e)) => HttpResponse::ServiceUnavailable().json(json!({"error": {"code": "database", "message": e}})),
        Err(e) => {
            HttpResponse::InternalServerError().json(json!({"error": {"code": "internal", "message": e.to_string()}}))
        }
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Assay's pool settings, without the ping on checkout.
fn builder<M: r2d2::ManageConnection>(size: u32) -> r2d2::Builder<M> {
    r2d2::Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
}

/// Opens the pool with Assay's settings and creates the table.
fn open(args: &Args) -> Result<(Pool, String), String> {
    if let Some(path) = args.database_url.strip_prefix("sqlite://") {
        let pool = builder(args.pool_size)
            .connection_customizer(Box::new(Pragmas(args.synchronous.clone())))
            .build(ConnectionManager::<SqliteConnection>::new(path))
            .map_err(|e| format!("cannot open {path}: {e}"))?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        conn.batch_execute(CREATE_TABLE).map_err(|e| e.to_string())?;
        // Read back, so the log states what the connections really run with.
        let level = diesel::sql_query("PRAGMA synchronous")
            .get_result::<Synchronous>(&mut *conn)
            .map_err(|e| e.to_string())?
            .synchronous;
        let name = ["OFF", "NORMAL", "FULL", "EXTRA"].get(level as usize).unwrap_or(&"?");
        let durability = format!("SQLite synchronous = {name}");
        Ok((Pool::Sqlite(pool), durability))
    } else if args.database_url.starts_with("postgres://") || args.database_url.starts_with("postgresql://") {
        let pool = builder(args.pool_size)
            .build(ConnectionManager::<PgConnection>::new(&args.database_url))
            .map_err(|e| format!("cannot open the PostgreSQL database: {e}"))?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        conn.batch_execute(CREATE_TABLE).map_err(|e| e.to_string())?;
        let commit: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
            "current_setting('synchronous_commit')",
        ))
        .get_result(&mut *conn)
        .map_err(|e| e.to_string())?;
        Ok((
            Pool::Postgres(pool),
            format!("PostgreSQL synchronous_commit = {commit}"),
        ))
    } else {
        Err("the database URL must be sqlite://PATH or postgres://…".into())
    }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if !args.bind.ip().is_loopback() {
        eprintln!("bare_reference: --bind must be a loopback address, not {}", args.bind);
        return std::process::ExitCode::FAILURE;
    }
    let (pool, durability) = match open(&args) {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("bare_reference: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    // As Assay's `web::start`: the pool's connections shared out among the workers.
    let blocking = (args.pool_size.max(1) as usize).div_ceil(workers).max(1);
    println!(
        "bare_reference on {} with {durability}, pool {}, {workers} worker(s), {blocking} blocking thread(s) each",
        args.bind, args.pool_size
    );
    let data = web::Data::new(pool);
    let served = actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/healthz", web::get().to(healthz))
                .route("/api/v1/attempts/{id}/responses/{question_id}", web::put().to(save))
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .bind(args.bind)?
        .run()
        .await
    });
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bare_reference: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
