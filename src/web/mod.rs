//! What every area shares: the app's state, its wiring, authentication
//! extractors, CSRF, error pages and static files.

pub mod auth;
pub mod csrf;
pub mod errors;
pub mod input;
pub mod openapi;
pub mod pages;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};

use crate::attempts::save_queue::SaveQueue;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{DbConn, Pool};
use crate::error::{AppError, AppResult};
use crate::notices::delivery::Mailer;

/// Everything a request handler may need, built once at start.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
    /// Answer saves wait here to be committed together (group commit).
    pub saves: SaveQueue,
    /// Sessions looked up in the last seconds (see `auth::SESSION_CACHE_TTL`).
    pub sessions: Arc<auth::SessionCache>,
}

impl AppState {
    /// Runs blocking database work on the blocking pool.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Binds the whole application to a listener. Background workers are started
/// by the caller (`assay serve`), so tests can drive them by hand.
pub fn start(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    let workers = workers.max(1);
    let blocking = blocking_threads_per_worker(state.config.pool_size, workers);
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
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
            .app_data(errors::json_config(limit))
            .app_data(errors::query_config())
            .app_data(errors::path_config())
            .app_data(web::PayloadConfig::new(limit))
            // The router tries routes in order, by pattern: health checks
            // first, then the API under one prefix, then the pages, so no
            // request is held against every route there is.
            .route("/healthz", web::get().to(pages::healthz))
            .service(
                web::scope("/api/v1")
                    .configure(crate::attempts::configure_api)
                    .configure(crate::accounts::configure_api)
                    .configure(crate::notices::configure_api)
                    .configure(crate::banks::configure_api)
                    .configure(crate::assessments::configure_api)
                    .configure(crate::drives::configure_api)
                    .configure(crate::reports::configure_api)
                    .configure(crate::training::configure_api)
                    .configure(crate::routing::configure_api),
            )
            .configure(crate::attempts::configure_pages)
            .configure(crate::accounts::configure_pages)
            .configure(crate::notices::configure_pages)
            .configure(crate::banks::configure_pages)
            .configure(crate::assessments::configure_pages)
            .configure(crate::drives::configure_pages)
            .configure(crate::reports::configure_pages)
            .configure(crate::training::configure_pages)
            .configure(crate::routing::configure_pages)
            .configure(pages::configure)
            .default_service(web::to(errors::not_found))
            .wrap(from_fn(input::bounded_query))
            .wrap(from_fn(csrf::middleware))
            .wrap(from_fn(errors::html_errors))
            .wrap(headers)
    })
    .workers(workers)
    .worker_max_blocking_threads(blocking)
    .listen(listener)?
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

/// Opens the pool and applies pending migrations: the shared start of every
/// command.
pub fn open_state(config: Config) -> AppResult<AppState> {
    let mailer = Mailer::from_config(&config)?;
    let pool = crate::db::open_pool(&config.database_url, config.pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| AppError::Config(format!("cannot connect to the database: {e}")))?;
    crate::db::migrate(&mut conn)?;
    drop(conn);
    let saves = SaveQueue::start(pool.clone(), config.database_url.backend)?;
    Ok(AppState {
        saves,
        sessions: Arc::default(),
        pool,
        config: Arc::new(config),
        clock: Clock::default(),
        mailer: Arc::new(mailer),
    })
}
