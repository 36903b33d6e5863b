//! Assay: recruitment, assessment and routing for knowledge process
//! outsourcing firms. The binary in `main.rs` is a thin CLI over this library.

pub mod accounts;
pub mod assessments;
pub mod attempts;
pub mod audit;
pub mod banks;
pub mod cli;
pub mod clock;
pub mod config;
pub mod convert;
pub mod db;
pub mod drives;
pub mod error;
pub mod irt;
pub mod notices;
pub mod reports;
pub mod routing;
pub mod training;
pub mod web;
