//! Calibrating question versions with the 2PL model from Assay's own
//! attempts: a trainer picks assessments, the fit runs in the background
//! (`run`), its progress and report live in the `calibrations` table
//! (`store`, `report`), and accepting it writes a and b onto the versions
//! adaptive tests draw from. `responses` turns the attempts into the
//! people × items table `crate::irt` fits; `api` and `web` present it.

pub mod api;
mod curves;
pub mod report;
pub mod responses;
pub mod run;
pub mod store;
pub mod web;

pub use store::abandon_interrupted;
