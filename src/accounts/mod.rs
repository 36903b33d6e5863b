//! People and their access: accounts, roles, sessions, sign-in, profiles.

pub mod api;
pub mod flows;
pub mod models;
pub mod password;
pub mod service;
pub mod tokens;
pub mod validate;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    web::configure(cfg);
}
