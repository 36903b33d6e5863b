//! Reports for trainers: score and item statistics, what they suggest, and
//! acting on them (quarantining a question version, correcting a miskey).
//!
//! `stats` is the pure statistics module; `answers` and `keys` are the pure
//! pieces around it; `forms` and `analysis` read an assessment's counting
//! attempts into it; `quarantine` and `correction` act on what it shows;
//! `api`, `view`, `web`, `charts` and `export` present it.

pub mod analysis;
pub mod answers;
pub mod api;
pub mod calibration;
pub mod charts;
pub mod correction;
pub mod export;
mod forms;
pub mod keys;
pub mod quarantine;
pub mod results;
pub mod stats;
pub mod view;
pub mod web;

/// For routing's review band; see [`analysis::standard_error_percent`].
pub use analysis::standard_error_percent;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
    calibration::api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    web::configure(cfg);
    calibration::web::configure(cfg);
}
