//! Training cohorts: hired candidates become trainees and take the
//! post-training exams assigned to their cohort.

pub mod api;
pub mod listing;
pub mod resits;
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
