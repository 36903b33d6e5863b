//! The frame around every page: an error page keeps the signed-in person's
//! menu, the site has its own icon (served from the binary), no "powered by"
//! line, and during a test the site's menu gives way to the test's header.

use assay::db::Role;
use awc::http::StatusCode;
use serde_json::json;

use crate::attempts::{applicant, drive_with};
use crate::helpers::{signed_in, spawn_app};
use crate::test_page::start_page;

const MENU: &str = "<nav aria-label=\"Main\">";

#[actix_web::test]
async fn an_error_page_keeps_the_signed_in_persons_menu() {
    let app = spawn_app().await;
    app.staff("recruiter@example.com", Role::Recruiter).await;
    let mut browser = signed_in(&app, "recruiter@example.com").await;

    let missing = browser.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains(MENU) && missing.body.contains("href=\"/drives\"") && missing.body.contains("Sign out"),
        "a 404 lost the menu: {}",
        missing.body
    );
    let refused = browser.get("/admin/users").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains(MENU) && refused.body.contains("Sign out"),
        "a 403 lost the menu: {}",
        refused.body
    );

    // Signed out, the same page offers sign-in and no menu.
    let anyone = app.browser().get("/no-such-page").await;
    assert_eq!(anyone.status, StatusCode::NOT_FOUND);
    assert!(!anyone.body.contains(MENU) && anyone.body.contains("href=\"/signin\""));
}

#[actix_web::test]
async fn every_page_names_the_sites_icon_and_no_page_says_powered_by() {
    let app = spawn_app().await;
    let home = app.browser().get("/").await;
    assert!(
        home.body.contains("<link rel=\"icon\" href=\"/favicon.svg\""),
        "{}",
        home.body
    );
    assert!(!home.body.contains("powered by"), "{}", home.body);
    for path in ["/favicon.svg", "/favicon.ico"] {
        let mut res = app.client.get(app.url(path)).send().await.expect("icon");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            res.headers().get("content-type").and_then(|v| v.to_str().ok()),
            Some("image/svg+xml"),
            "{path}"
        );
        let body = res.body().await.expect("body");
        assert!(body.starts_with(b"<svg"), "{path} is not the icon");
    }
}

#[actix_web::test]
async fn during_a_test_the_sites_menu_gives_way_to_the_tests_own_header() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    applicant(&app, "header@example.com", &drive, 80.0).await;
    let mut browser = signed_in(&app, "header@example.com").await;
    let home = browser.get("/").await;
    assert!(home.body.contains(MENU), "the candidate's pages have the menu");

    let attempt = start_page(&mut browser, &drive).await;
    let page = browser.get(&attempt).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        !page.body.contains(MENU),
        "the site's menu is still there during the test"
    );
    assert!(
        !page.body.contains("Sign out"),
        "the account links are still there during the test"
    );
    let header = page
        .body
        .split("<header class=\"test-bar\">")
        .nth(1)
        .and_then(|rest| rest.split("</header>").next())
        .unwrap_or_else(|| panic!("no test header in {}", page.body));
    for part in [
        "<h1>Aptitude 2026</h1>",
        "id=\"timer\"",
        "id=\"save-state\"",
        "form=\"question\" name=\"go\" value=\"finish\"",
    ] {
        assert!(header.contains(part), "the test's header lacks {part}: {header}");
    }
}
