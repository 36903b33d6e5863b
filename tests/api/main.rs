//! One integration-test binary: each test starts the real app on its own
//! database and drives it over HTTP. Set ASSAY_TEST_POSTGRES_URL to run the
//! whole suite against PostgreSQL.

mod account_security;
mod accounts;
mod architecture;
mod attempts;
mod banks;
mod browser;
mod durability;
mod edges;
mod helpers;
mod irt;
mod notices;
mod pages;
mod platform;
mod rankings;
mod reports;
mod routing;
mod routing_pages;
mod test_page;
mod trust;
