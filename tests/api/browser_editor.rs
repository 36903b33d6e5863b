//! The question editor in headless Chromium: typing in the form changes the
//! preview (rendered on the server), the key shows behind its toggle, and
//! saving makes a new version.

use fantoccini::{Client, Locator};

use crate::attempts::bank;
use crate::browser::{click, driver_or_skip, eventually, path, text};
use crate::helpers::{spawn_app, PASSWORD};

const BANK: &str = r#"[bank]
name = "Ratios"

[[question]]
id = "ratio-1"
type = "single_choice"
stem = "Which ratio is *current*?"
options = ["Current assets / current liabilities", "Debt / equity"]
answer = "A"
"#;

async fn type_into(c: &Client, css: &str, value: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

async fn inner_html(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.html(true).await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[actix_web::test]
async fn a_trainer_edits_a_question_and_sees_the_preview_change_in_a_real_browser() {
    let Some(driver) = driver_or_skip("edits_a_question_and_sees_the_preview_change").await else {
        return;
    };
    let app = spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let bank_id = bank(&app, &trainer, BANK).await;
    let (_, listed) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(&trainer))
        .await;
    let id = listed["items"][0]["id"].as_i64().expect("question id");
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();

    c.goto(&format!("{base}/signin")).await.expect("sign-in page");
    type_into(c, "#email", "trainer@example.com").await;
    type_into(c, "#password", PASSWORD).await;
    click(c, Locator::Css("form[action='/signin'] button[type='submit']")).await;
    eventually("the home page", || async move { path(c).await == "/" }).await;

    c.goto(&format!("{base}/banks/{bank_id}/questions/{id}/editor"))
        .await
        .expect("editor");
    // The preview starts as the stored question, as a candidate sees it.
    assert_eq!(
        inner_html(c, "#preview #stem").await.trim(),
        "<p>Which ratio is <em>current</em>?</p>"
    );
    assert!(text(c, "#preview fieldset.answers").await.contains("Debt / equity"));
    // Only the fields of this kind of question show.
    let numeric = c
        .find(Locator::Css("fieldset[data-types='numeric']"))
        .await
        .expect("numeric part");
    assert!(!numeric.is_displayed().await.expect("displayed"));

    // Typing changes the preview, rendered on the server.
    type_into(c, "#f-stem", "Growth is **strong**: \\( \\frac{1}{4} \\)").await;
    type_into(c, "#f-option_text_1", "Quick ratio").await;
    eventually("the preview to follow the stem", || async move {
        let stem = inner_html(c, "#preview #stem").await;
        stem.contains("<strong>strong</strong>") && stem.contains("<mfrac>")
    })
    .await;
    eventually("the preview to follow the options", || async move {
        text(c, "#preview fieldset.answers").await.contains("Quick ratio")
    })
    .await;
    // The key is behind its toggle.
    let table = c.find(Locator::Css("#preview-key table")).await.expect("key table");
    assert!(
        !table.is_displayed().await.expect("displayed"),
        "the key stays hidden until asked for"
    );
    click(c, Locator::Css("#preview-key summary")).await;
    eventually("the key", || async move {
        text(c, "#preview-key").await.contains("A (key)")
    })
    .await;

    // Saving makes version 2, shown on the question page.
    click(c, Locator::Css("#editor button[value='save']")).await;
    eventually("the question page", || async move {
        path(c).await == format!("/banks/{bank_id}/questions/{id}")
    })
    .await;
    assert!(text(c, "main").await.contains("Saved as a new version"));
    assert!(inner_html(c, "#stem").await.contains("<strong>strong</strong>"));
    let (_, listed) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(&trainer))
        .await;
    assert_eq!(listed["items"][0]["version"], 2);
    assert_eq!(listed["items"][0]["key"]["options"][1]["text"], "Quick ratio");
    let _ = c.clone().close().await;
}
