//! The applicant list in a real browser: a recruiter searches, ticks rows,
//! selects all matching (beyond the page on show), bulk-shortlists, reads
//! the confirmation naming exactly who moves, and the report after.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{click, driver_or_skip, eventually, text};
use crate::helpers::{spawn_app, PASSWORD};
use crate::rankings::{finance, setup, takes};

async fn type_into(c: &Client, css: &str, value: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// The names in the table's rows on show.
async fn rows(c: &Client) -> Vec<String> {
    let mut names = Vec::new();
    for cell in c
        .find_all(Locator::Css("#bulk-form tbody tr td:nth-child(2)"))
        .await
        .unwrap_or_default()
    {
        names.push(cell.text().await.unwrap_or_default());
    }
    names
}

#[actix_web::test]
async fn a_recruiter_searches_selects_all_matching_and_bulk_shortlists_after_a_confirmation_naming_each_person() {
    let Some(driver) = driver_or_skip("applicants_bulk_shortlist").await else {
        return;
    };
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut sharmas = Vec::new();
    for name in ["Asha Sharma", "Bina Sharma", "Chen Sharma", "Dev Sharma", "Esha Sharma"] {
        sharmas.push(takes(&app, &s, name, finance(70.0), 3, 3).await);
    }
    takes(&app, &s, "Omar Khan", finance(70.0), 4, 4).await;
    // One of them is shortlisted already.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/applications/{}/decision", sharmas[4]),
            &json!({"status": "shortlisted_kpo"}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, awc::http::StatusCode::OK, "{body}");

    let c = driver.session().await;
    let base = app.url("");
    c.goto(&format!("{base}/signin")).await.expect("sign-in page");
    type_into(&c, "#email", "recruiter@example.com").await;
    type_into(&c, "#password", PASSWORD).await;
    click(&c, Locator::Css("form[action='/signin'] button[type='submit']")).await;
    eventually("signed in", || async { crate::browser::path(&c).await == "/" }).await;

    c.goto(&format!("{base}/drives/{}/applicants", s.drive_id))
        .await
        .expect("applicants");
    type_into(&c, "#a-q", "sharma").await;
    click(
        &c,
        Locator::XPath("//form[@aria-label='Search the applicants']//button"),
    )
    .await;
    eventually("the search", || async { rows(&c).await.len() == 5 }).await;
    assert!(!rows(&c).await.iter().any(|n| n == "Omar Khan"));

    // Two to a page: "select all" must reach the three not on show.
    let searched = c.current_url().await.expect("url");
    c.goto(&format!("{searched}&limit=2")).await.expect("a short page");
    eventually("a page of two", || async { rows(&c).await.len() == 2 }).await;
    assert!(text(&c, "main").await.contains("Select all 5 matching"));
    click(&c, Locator::Css("#bulk-form tbody input[type='checkbox']")).await;
    click(&c, Locator::Css("#select-all")).await;
    c.find(Locator::Css("#bulk-to option[value='shortlisted_kpo']"))
        .await
        .expect("a shortlist option")
        .click()
        .await
        .expect("choose");
    click(&c, Locator::XPath("//button[normalize-space(.)='Review the move…']")).await;

    eventually("the confirmation", || async {
        text(&c, "h1").await.starts_with("Confirm")
    })
    .await;
    let moving = text(&c, "#moving").await;
    for name in ["Asha Sharma", "Bina Sharma", "Chen Sharma", "Dev Sharma"] {
        assert!(moving.contains(name), "{name} not named: {moving}");
    }
    assert!(!moving.contains("Esha Sharma"), "Esha is shortlisted already: {moving}");
    assert!(!moving.contains("Omar Khan"), "Omar did not match: {moving}");
    let page = text(&c, "main").await;
    assert!(page.contains("4 application(s) become"), "{page}");
    assert!(page.contains("left as they are: Esha Sharma"), "{page}");

    click(&c, Locator::Css("#confirm-move")).await;
    eventually("the report", || async { !text(&c, "#bulk-report").await.is_empty() }).await;
    let report = text(&c, "#bulk-report").await;
    assert_eq!(
        report,
        "4 shortlisted for KPO interview; 1 was already shortlisted for KPO interview."
    );
    let (_, shortlisted) = app
        .get_json(
            &format!("/api/v1/drives/{}/applications?status=shortlisted_kpo", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(shortlisted["items"].as_array().map(Vec::len), Some(5), "{shortlisted}");
    c.close().await.expect("close the browser");
}
