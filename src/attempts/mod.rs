//! Attempts: a person taking one assessment, on the server's clock.

pub mod api;
pub mod grade;
pub mod grading;
pub mod marking;
pub mod models;
pub mod save_queue;
pub mod service;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    marking::configure(cfg);
    web::configure(cfg);
}
