//! People and their access: accounts, roles, sessions, sign-in, profiles.

pub mod api;
pub mod client;
pub mod flows;
pub mod models;
pub mod next_path;
pub mod password;
pub mod password_pages;
pub mod passwords;
pub mod service;
pub mod throttle;
pub mod tokens;
pub mod validate;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    web::configure(cfg);
    password_pages::configure(cfg);
}
