//! Reports for trainers: score and item statistics, what they suggest, and
//! acting on them (quarantining a question version, correcting a miskey).

pub mod analysis;
pub mod answers;
mod forms;
pub mod keys;
pub mod stats;

pub use analysis::standard_error_percent;
