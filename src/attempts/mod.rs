//! Attempts: a person taking one assessment, on the server's clock.

pub mod api;
pub mod grade;
pub mod grading;
pub mod models;
pub mod service;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
}
