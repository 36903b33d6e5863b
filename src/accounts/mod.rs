//! People and their access: accounts, roles, sessions, sign-in, profiles.

pub mod admin;
pub mod api;
pub mod client;
pub mod directory;
pub mod flows;
pub mod models;
pub mod next_path;
pub mod password;
pub mod password_pages;
pub mod passwords;
pub mod service;
pub mod service_tokens;
pub mod throttle;
pub mod validate;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
    directory::configure(cfg);
    service_tokens::api::configure(cfg);
    admin::api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    web::configure(cfg);
    admin::staff_list::configure(cfg);
    password_pages::configure(cfg);
    service_tokens::web::configure(cfg);
    admin::pages::configure(cfg);
}
