//! Recruitment drives: eligibility rules, an aptitude test, applications.

pub mod api;
pub mod charts;
pub mod eligibility;
pub mod pipeline;
pub mod rankings;
pub mod rankings_api;
pub mod rankings_pages;
pub mod results;
pub mod service;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
    rankings_api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    rankings_pages::configure(cfg);
    web::configure(cfg);
}
