//! Routing trainees to processes after training: by exam score, tier and
//! seats (the pure `engine`), as runs a trainer reviews, overrides and
//! publishes.

pub mod adaptive;
pub mod api;
pub mod engine;
pub mod excel;

pub mod history;
pub mod listing;
pub mod runs;
pub mod service;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    web::configure(cfg);
}
