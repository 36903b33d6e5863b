//! Question banks: reading five file formats, versioned questions, imports
//! and exports, and the trainer's pages.

pub mod api;
pub mod cli;
pub mod formats;
pub mod model;
pub mod models;
pub mod questions;
pub mod service;
pub mod store;
pub mod upload;
pub mod web;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
    web::configure(cfg);
}
