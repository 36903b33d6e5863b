//! Structured interviews and the hiring decision: a drive's competencies
//! with written anchors, one scorecard per interviewer (blind until their
//! own is submitted), the panel's means and disagreements, and the
//! decision that weighs test and interview against the drive's thresholds.

pub mod api;
pub mod competencies;
pub mod decision;
mod decision_pages;
pub mod input;
pub mod pages;
pub mod panel;
pub mod service;
