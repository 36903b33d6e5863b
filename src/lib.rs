//! Assay: recruitment, assessment and routing for knowledge process
//! outsourcing firms. The binary in `main.rs` is a thin CLI over this library.

pub mod accounts;
pub mod audit;
pub mod banks;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod notices;
pub mod reports;
pub mod routing;
pub mod web;
