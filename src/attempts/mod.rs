//! Attempts: a person taking one assessment, on the server's clock.

pub mod adaptive;
pub mod allowances;
pub mod api;
mod batch;
pub mod flags;
pub mod grading;
pub mod marking;
pub mod models;
pub mod resits;
pub mod save_queue;
pub mod saving;
pub mod scoring;
pub mod service;
pub mod starting;
pub mod views;

pub mod signals;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    marking::configure(cfg);
    web::configure(cfg);
}
