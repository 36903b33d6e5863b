//! Assessments: aptitude tests and post-training exams built from blueprints.

pub mod api;
pub mod blueprint;
pub mod draw;
pub mod models;
pub mod service;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    web::configure(cfg);
}
