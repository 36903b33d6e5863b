//! Question banks: reading five file formats, versioned questions, imports
//! and exports, and the trainer's pages.

pub mod api;
pub mod cli;
pub mod editing;
pub mod editor;
pub mod export;
pub mod formats;
pub mod images;
pub mod models;
pub mod question;
pub mod rendered;
pub mod service;
pub mod staff_view;
pub mod store;
pub mod upload;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
    images::web::configure_api(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    editor::configure(cfg);
    web::configure(cfg);
    images::web::configure(cfg);
}
