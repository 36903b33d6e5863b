//! The grading module: routing trainees to processes by score, tier and seats.

pub mod api;
pub mod engine;
pub mod runs;
pub mod service;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    web::configure(cfg);
}
