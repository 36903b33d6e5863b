//! Assessments: aptitude tests and post-training exams built from blueprints.

pub mod api;
pub mod blueprint;
pub mod calibrated;
pub mod draw;
pub mod models;
pub mod plan;
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
