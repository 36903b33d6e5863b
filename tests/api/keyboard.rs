//! The test taken with the keyboard alone: from the drive page to the result,
//! every move is Tab, Space or Enter (and the letters of typed answers), and
//! each control Tab reaches shows where the focus is.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};

use crate::attempts::{applicant, drive_with};
use crate::browser::{driver_or_skip, eventually, path, shown, text};
use crate::helpers::spawn_app;

/// Presses and releases each key in turn, as a keyboard does.
async fn keys(c: &Client, typed: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for k in typed.chars() {
        actions = actions
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
    }
    c.perform_actions(actions).await.expect("keys");
}

async fn press(c: &Client, key: Key) {
    keys(c, &char::from(key).to_string()).await;
}

async fn focused_is(c: &Client, css: &str) -> bool {
    c.execute(
        "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
        vec![json!(css)],
    )
    .await
    .ok()
    .and_then(|v| v.as_bool())
    .unwrap_or(false)
}

/// Presses Tab until the focus is on `css`, and checks the focus shows.
async fn tab_to(c: &Client, css: &str) {
    for _ in 0..40 {
        if focused_is(c, css).await {
            let outline = c
                .execute("return getComputedStyle(document.activeElement).outlineStyle;", vec![])
                .await
                .expect("outline");
            assert_ne!(outline, json!("none"), "the focus on {css} does not show");
            return;
        }
        press(c, Key::Tab).await;
    }
    panic!("Tab never reached {css}");
}

async fn question_type(c: &Client) -> String {
    c.execute("return document.getElementById('question').dataset.type;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_candidate_takes_the_whole_test_with_the_keyboard_alone() {
    let Some(driver) = driver_or_skip("keyboard_alone").await else {
        return;
    };
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "keys@example.com", &drive, 80.0).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();
    crate::accessible::sign_in(c, &base, "keys@example.com").await;

    // From the drive page, Tab to "Start the test" and press Enter.
    c.goto(&format!("{base}/drives/{}", drive.drive_id))
        .await
        .expect("drive page");
    tab_to(c, "form[action$='/start'] button[type='submit']").await;
    press(c, Key::Enter).await;
    eventually("question 1", || async move { shown(c).await == 1 }).await;
    let attempt = path(c).await;

    for n in 1..=6 {
        eventually(&format!("question {n}"), || async move { shown(c).await == n }).await;
        match question_type(c).await.as_str() {
            "single_choice" | "true_false" => {
                tab_to(c, "#question input[type='radio']").await;
                press(c, Key::Space).await;
            }
            "multiple_response" => {
                tab_to(c, "#question input[type='checkbox']").await;
                press(c, Key::Space).await;
            }
            "numeric" => {
                tab_to(c, "#answer").await;
                keys(c, "25").await;
            }
            _ => {
                tab_to(c, "#answer").await;
                keys(c, "NPV").await;
            }
        }
        eventually(&format!("question {n} to save"), || async move {
            text(c, "#save-state").await == "Saved"
        })
        .await;
        let forward = if n < 6 { "next" } else { "finish" };
        tab_to(c, &format!("#question button[value='{forward}']")).await;
        press(c, Key::Enter).await;
    }

    // The review page: everything answered; Tab to submit, Enter.
    let review = format!("{attempt}/confirm");
    let review = &review;
    eventually("the review page", || async move { path(c).await == *review }).await;
    assert!(
        text(c, "main").await.contains("You have answered all 6 questions."),
        "{}",
        text(c, "main").await
    );
    tab_to(c, "form[action$='/submit'] button[type='submit']").await;
    press(c, Key::Enter).await;
    eventually("the result page", || async move { path(c).await.ends_with("/result") }).await;

    let (_, view) = app.get_json(&format!("/api/v1{attempt}"), Some(&token)).await;
    assert_ne!(view["status"], "open", "{view}");
    let answered = view["responses"]
        .as_array()
        .map(|r| r.iter().filter(|r| r["answer"] != Value::Null).count())
        .unwrap_or(0);
    assert_eq!(answered, 6, "{view}");
    let _ = c.clone().close().await;
}
