//! The application's shared state: what every request handler, worker and
//! command may need, built once at start by `server::open_state`.
//!
//! This module imports no area and no controller (as crates.io's `app.rs`):
//! areas depend on it, never the other way round. What one area must set off
//! in another (an attempt graded moves applications on) travels through
//! `events::Listeners`, which `server` fills in.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{DbConn, Pool};
use crate::error::AppResult;
use crate::events::{Effects, Listeners};
use crate::identity::{SessionCache, TokenThrottle};
use crate::mail::{MailContext, Mailer};

/// Everything a request handler may need, built once at start.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
    /// Sessions looked up in the last seconds (see
    /// `identity::sessions::SESSION_CACHE_TTL`). One per app: two apps in
    /// one process (as in the tests) never share it.
    pub sessions: Arc<SessionCache>,
    /// Requests counted per service token this minute.
    pub token_throttle: Arc<TokenThrottle>,
    /// What other areas do when one area's event happens.
    pub listeners: Listeners,
}

impl AppState {
    /// The mail settings and listeners a change sets off notices and other
    /// areas' work with.
    pub fn effects(&self) -> Effects {
        Effects {
            mail: MailContext::from(self.config.as_ref()),
            listeners: self.listeners,
        }
    }

    /// Runs blocking database work on the blocking pool.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        crate::db::blocking(&self.pool, f).await
    }
}
