//! Recruitment drives: eligibility rules, an aptitude test, applications.

pub mod api;
pub mod charts;
pub mod eligibility;
pub mod pipeline;
pub mod rankings;
pub mod rankings_api;
pub mod rankings_pages;
pub mod service;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    rankings_api::configure(cfg);
    rankings_pages::configure(cfg);
    web::configure(cfg);
}
