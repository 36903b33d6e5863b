//! Assay: recruitment, assessment and routing for knowledge process
//! outsourcing firms. The binary in `main.rs` is a thin CLI over this library.

pub mod accounts;
pub mod app;
pub mod assessments;
pub mod attempts;
pub mod audit;
pub mod banks;
pub mod cli;
pub mod cli_error;
pub mod clock;
pub mod config;
pub mod content;
pub mod convert;
pub mod db;
pub mod demo;
pub mod drives;
pub mod error;
pub mod events;
pub mod identity;
pub mod irt;
pub mod mail;
pub mod notices;
pub mod reports;
pub mod routing;
pub mod server;
pub mod tokens;
pub mod training;
pub mod web;
pub mod webhooks;
pub mod zone;
