//! Recruitment drives: eligibility rules, an aptitude test, applications.

pub mod api;
pub mod charts;
pub mod eligibility;
pub mod listing;
pub mod pipeline;
pub mod rankings;
pub mod results;
pub mod service;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
    rankings::api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    rankings::pages::configure(cfg);
    web::configure(cfg);
}
