//! What the areas share for speaking HTTP: authentication extractors,
//! CSRF, input extractors and limits, page chrome and error pages. A leaf:
//! it imports the app's state and the modules below it, never an area.

pub mod api_docs;
pub mod auth;
pub mod charts;
pub mod csrf;
pub mod errors;
pub mod input;
pub mod openapi;
pub mod pages;
pub mod paging;
pub mod spreadsheet;
pub mod xlsx;
