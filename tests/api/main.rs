//! One integration-test binary: each test starts the real app on its own
//! database and drives it over HTTP. Set ASSAY_TEST_POSTGRES_URL to run the
//! whole suite against PostgreSQL.

// A test fails loudly by design: an expect, panic or index out of range here
// is a failed assertion, and its casts are of small literal counts.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::as_conversions)]

mod accessible;
mod account_security;
mod accounts;
mod analysis_agrees;

mod adaptive;
mod adaptive_form;
mod api_docs;
mod architecture;
mod attempts;
mod banks;
mod browser;
mod browser_adaptive;
mod browser_applicants;
mod browser_editor;
mod calibration;
mod chrome;
mod drive_life;
mod durability;
mod edges;
mod equal_forms;
mod everyone;

mod editor;
mod excel;
mod first_run;
mod helpers;
mod images;
mod interviews;
mod invitations;
mod keyboard;

mod hiring;
mod irt;
mod leaving;

mod listing;
mod notices;
mod openapi;
mod pages;
mod plain_words;
mod platform;
mod rankings;
mod reports;
mod rich_content;

mod resits;
mod review;
mod routing;
mod routing_adaptive;
mod routing_pages;
mod scorecards;
mod service_tokens;
mod staff_admin;
mod test_page;
mod trust;
mod webhooks;
mod whole_drive;
