//! Reports for trainers: score and item statistics and what they suggest.

pub mod stats;
