//! The grading module: routing trainees to processes by score, tier and seats.

pub mod engine;
