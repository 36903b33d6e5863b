//! The top of the house: opening the app's state, wiring every area's
//! routes into one server, and the background workers. Only this module
//! (and the command line above it) imports every area; the areas import
//! `app`, `web` and the modules below them, never this one.

pub mod api;
pub mod workers;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};

use crate::app::AppState;
use crate::attempts::save_queue::SaveQueue;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::group::GroupWriter;
use crate::error::{AppError, AppResult};
use crate::events::Listeners;
use crate::mail::Mailer;
use crate::web::{api_docs, auth, csrf, errors, input, openapi, pages};

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Binds the whole application to a listener. Background workers are started
/// by the caller (`assay serve`), so tests can drive them by hand.
/// How many connections may wait to be accepted. std's `TcpListener::bind`
/// listens with 128: when a thousand candidates press Start at once, the
/// kernel dropped the rest of their connection requests (`ListenOverflows`)
/// and each waited a full second to try again, most of the 1.1 s the
/// thousand starts took. The kernel caps it at `net.core.somaxconn`.
const LISTEN_BACKLOG: i32 = 4096;

pub fn start(listener: TcpListener, state: AppState, workers: usize) -> AppResult<Server> {
    let workers = workers.max(1);
    // Listening again on a listening socket only resizes its queue.
    socket2::SockRef::from(&listener)
        .listen(LISTEN_BACKLOG)
        .map_err(|e| AppError::Config(format!("cannot widen the listening queue: {e}")))?;
    let blocking = blocking_threads_per_worker(state.config.pool_size, workers);
    // Answer saves wait here to be committed together (group commit); one
    // queue per server, as its writer threads hold its connections.
    let saves = web::Data::new(SaveQueue::start(state.pool.clone(), state.config.database_url.backend)?);
    let group_writer = web::Data::new(GroupWriter::start(
        state.pool.clone(),
        state.config.database_url.backend,
    )?);
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        // The API's routes and its document are built together, once per
        // worker (the document is the same for all).
        let (api, api_doc) = api::v1();
        let limit = data.config.max_body_bytes;
        let mut headers = DefaultHeaders::new()
            .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
            .add(("X-Content-Type-Options", "nosniff"))
            .add(("X-Frame-Options", "DENY"))
            .add(("Referrer-Policy", "same-origin"));
        // Only a site served over TLS may ask browsers to insist on TLS; on
        // plain http the header would be ignored, or lock out a test host.
        if data.config.secure_cookies() {
            headers = headers.add(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY));
        }
        App::new()
            .app_data(data.clone())
            .app_data(saves.clone())
            .app_data(group_writer.clone())
            .app_data(web::Data::new(api_doc))
            .app_data(errors::json_config(limit))
            .app_data(errors::query_config())
            .app_data(errors::path_config())
            .app_data(web::PayloadConfig::new(limit))
            // The router tries routes in order, by pattern: health checks
            // first, then the API under one prefix, then the pages, so no
            // request is held against every route there is.
            .route("/healthz", web::get().to(pages::healthz))
            .route("/api/openapi.json", web::get().to(openapi::document))
            .route("/api/docs", web::get().to(api_docs::page))
            .route("/api/docs/{file}", web::get().to(api_docs::asset))
            .service(api)
            .configure(crate::attempts::configure_pages)
            .configure(crate::accounts::configure_pages)
            .configure(crate::notices::configure_pages)
            .configure(crate::banks::configure_pages)
            .configure(crate::assessments::configure_pages)
            .configure(crate::drives::configure_pages)
            .configure(crate::reports::configure_pages)
            .configure(crate::training::configure_pages)
            .configure(crate::routing::configure_pages)
            .configure(crate::webhooks::configure_pages)
            .configure(pages::configure)
            .default_service(web::to(errors::not_found))
            .wrap(from_fn(auth::service_token_gate))
            .wrap(from_fn(input::bounded_query))
            .wrap(from_fn(csrf::middleware))
            .wrap(from_fn(errors::html_errors))
            .wrap(headers)
    })
    .workers(workers)
    .worker_max_blocking_threads(blocking)
    .listen(listener)
    .map_err(|e| AppError::Config(format!("cannot listen: {e}")))?
    .run();
    Ok(server)
}

/// Threads each worker may run blocking work (`web::block`: queries,
/// password hashing) on: the pool's connections shared out among the
/// workers, so that together they never outnumber the connections.
///
/// actix's default is 512 shared out, and every request beyond the pool then
/// parked a thread on the pool's lock and condvar; under 256 candidates
/// saving at once those threads waking and yielding took more CPU than the
/// queries (about 190 µs of server CPU per save, against about 110 µs with
/// this cap, on two cores). Work beyond the cap waits in the blocking queue
/// instead, which costs nothing while it waits.
fn blocking_threads_per_worker(pool_size: u32, workers: usize) -> usize {
    crate::convert::to_usize(pool_size).div_ceil(workers).max(1)
}

/// The resource an `attempt.graded` webhook carries.
#[derive(serde::Serialize)]
struct GradedAttempt {
    attempt_id: crate::db::AttemptId,
    candidate_id: crate::db::UserId,
    assessment_id: crate::db::AssessmentId,
    percent: f64,
    #[serde(with = "crate::clock::rfc3339")]
    submitted_at: chrono::NaiveDateTime,
}

/// What grading sets off, in the grading transaction: the webhook, then
/// what the grade means for the person's drive applications.
fn on_attempt_graded(
    conn: &mut crate::db::DbConn,
    graded: &crate::events::AttemptGraded<'_>,
    mail: &crate::mail::MailContext,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let resource = GradedAttempt {
        attempt_id: graded.attempt_id,
        candidate_id: graded.person,
        assessment_id: graded.assessment_id,
        percent: graded.percent,
        submitted_at: graded.submitted_at,
    };
    crate::webhooks::emit(conn, crate::db::WebhookEvent::AttemptGraded, &resource, now)?;
    crate::drives::results::on_attempt_graded(conn, graded, mail, now)
}

/// Opens the pool and applies pending migrations: the shared start of every
/// command.
pub fn open_state(config: Config) -> AppResult<AppState> {
    let mailer = Mailer::from_config(&config)?;
    let pool = crate::db::open_pool(&config.database_url, config.pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| AppError::Config(format!("cannot connect to the database: {e}")))?;
    crate::db::migrate(&mut conn)?;
    // Versions written before renderings were stored get theirs now, in one
    // transaction, so no page renders question text on its own.
    conn.transaction(crate::banks::rendered::fill_missing)?;
    // A calibration the last run of the server left running has no thread.
    crate::reports::calibration::abandon_interrupted(&mut conn, Clock::default().now())?;
    drop(conn);
    Ok(AppState {
        sessions: Arc::default(),
        token_throttle: Arc::default(),
        listeners: Listeners {
            attempt_graded: on_attempt_graded,
        },
        pool,
        config: Arc::new(config),
        clock: Clock::default(),
        mailer: Arc::new(mailer),
    })
}
