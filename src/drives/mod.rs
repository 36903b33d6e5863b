//! Recruitment drives: eligibility rules, an aptitude test, applications.

pub mod api;
pub mod eligibility;
pub mod service;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    web::configure(cfg);
}
