//! The background workers of `assay serve`: the outbox sender, the
//! webhook sender and the deadline sweeper. Each takes the pieces it needs from the app's state.

use crate::app::AppState;
use crate::attempts::grading;
use crate::notices::outbox::{self, Outbox};
use crate::webhooks::deliver::{self, Hooks};

/// The outbox worker's view of the app.
pub fn outbox(state: &AppState) -> Outbox {
    Outbox {
        pool: state.pool.clone(),
        clock: state.clock.clone(),
        mailer: state.mailer.clone(),
    }
}

/// The webhook worker's view of the app.
pub fn hooks(state: &AppState) -> Hooks {
    Hooks {
        pool: state.pool.clone(),
        clock: state.clock.clone(),
        allow_private: state.config.webhooks_allow_private,
    }
}

/// Starts every background worker.
pub fn spawn(state: &AppState) {
    outbox::spawn_worker(outbox(state));
    deliver::spawn_worker(hooks(state));
    spawn_sweeper(state.clone());
}

/// Grades expired attempts every few seconds.
fn spawn_sweeper(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            let now = state.clock.now();
            let effects = state.effects();
            match state.db(move |conn| grading::sweep(conn, now, &effects)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(graded = n, "graded expired attempts"),
                Err(e) => tracing::error!(error = %e.chain(), "deadline sweeper failed"),
            }
        }
    });
}
