//! Submitting is a step of its own: the review page lists the questions not
//! answered and those flagged for review, each with a link back. Flags are
//! kept by the server, set by the page's script or by the plain form.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::attempts::{applicant, drive_with};
use crate::helpers::{signed_in, spawn_app};
use crate::test_page::{answer, find, questions, start_page};

#[actix_web::test]
async fn the_review_page_lists_unanswered_and_flagged_questions_with_links_back() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "review@example.com", &drive, 80.0).await;
    let mut browser = signed_in(&app, "review@example.com").await;
    let attempt = start_page(&mut browser, &drive).await;
    let qs = questions(&app, &token, &attempt).await;
    let csrf = browser.get(&attempt).await.csrf();

    // Without the script: the flag button saves the answer and flags it.
    let numeric = find(&qs, "numeric");
    let flagged = answer(&mut browser, &attempt, &csrf, numeric, &["25"], "flag").await;
    assert_eq!(flagged.status, StatusCode::SEE_OTHER, "{}", flagged.body);
    assert_eq!(flagged.location, Some(format!("{attempt}?q={}", numeric.0)));
    let page = browser.get(&format!("{attempt}?q={}", numeric.0)).await;
    assert!(
        page.body.contains("aria-pressed=\"true\">Flagged for review"),
        "{}",
        page.body
    );

    // With it: the API flags another, unanswered one.
    let essay = find(&qs, "essay");
    let (status, body) = app
        .put_json(
            &format!("/api/v1{attempt}/flags/{}", essay.1["id"]),
            &json!({"flagged": true}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let review = browser.get(&format!("{attempt}/confirm")).await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(review.body.contains("Not answered yet (5 of 6)"), "{}", review.body);
    assert!(review.body.contains("Flagged for review (2)"), "{}", review.body);
    let flagged_list = &review.body[review.body.find("id=\"flagged\"").expect("the flagged list")..];
    for n in [numeric.0, essay.0] {
        assert!(
            flagged_list.contains(&format!("href=\"{attempt}?q={n}\">Question {n}</a>")),
            "{}",
            review.body
        );
    }
    assert!(!review.body.contains("confirm("), "no browser dialog");

    // Unflagging, with the button again, takes it off the list.
    answer(&mut browser, &attempt, &csrf, numeric, &["25"], "flag").await;
    let review = browser.get(&format!("{attempt}/confirm")).await;
    assert!(review.body.contains("Flagged for review (1)"), "{}", review.body);
}

#[actix_web::test]
async fn flags_belong_to_the_person_the_form_and_the_open_attempt() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "flags@example.com", &drive, 80.0).await;
    let mut browser = signed_in(&app, "flags@example.com").await;
    let attempt = start_page(&mut browser, &drive).await;
    let qs = questions(&app, &token, &attempt).await;
    let question = &qs[0].1["id"];
    let flag = |who: String, question: String| {
        let app = &app;
        let attempt = attempt.clone();
        async move {
            app.put_json(
                &format!("/api/v1{attempt}/flags/{question}"),
                &json!({"flagged": true}),
                Some(&who),
            )
            .await
        }
    };

    let (_, other) = app.candidate("other@example.com").await;
    let (status, body) = flag(other, question.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = flag(token.clone(), "999999".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("no question 999999"),
        "{body}"
    );

    let (status, _) = app
        .post_json(&format!("/api/v1{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = flag(token.clone(), question.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_submitted", "{body}");
}
