//! One integration-test binary: each test starts the real app on its own
//! database and drives it over HTTP. Set ASSAY_TEST_POSTGRES_URL to run the
//! whole suite against PostgreSQL.

// A test fails loudly by design: an expect, panic or index out of range here
// is a failed assertion, and its casts are of small literal counts.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::as_conversions)]

mod account_security;
mod accounts;
mod analysis_agrees;

mod adaptive;
mod architecture;
mod attempts;
mod banks;
mod browser;
mod browser_adaptive;
mod browser_editor;
mod durability;
mod edges;
mod equal_forms;

mod editor;
mod excel;
mod helpers;
mod images;
mod invitations;

mod hiring;
mod irt;
mod leaving;

mod listing;
mod notices;
mod openapi;
mod pages;
mod platform;
mod rankings;
mod reports;
mod rich_content;

mod review;
mod routing;
mod routing_pages;
mod test_page;
mod trust;
mod webhooks;
