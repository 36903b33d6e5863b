//! Leaving the test page: each leave is recorded with its time and how long
//! the person was away, and staff read the timeline, not only a count.

use actix_web::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, drive_with, start};
use crate::helpers::{error_fields, signed_in, spawn_app};

async fn signal(app: &crate::helpers::TestApp, attempt: i64, kind: &str, token: &str) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/attempts/{attempt}/signals"),
        &json!({ "kind": kind }),
        Some(token),
    )
    .await
}

#[actix_web::test]
async fn each_leave_is_recorded_with_how_long_the_person_was_away() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, applied) = applicant(&app, "away@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt id");

    // Coming back with nothing open (its leave was lost) records nothing.
    assert_eq!(
        signal(&app, attempt, "returned", &token).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        signal(&app, attempt, "focus_loss", &token).await.0,
        StatusCode::NO_CONTENT
    );
    app.state.clock.advance(chrono::Duration::seconds(42));
    assert_eq!(
        signal(&app, attempt, "returned", &token).await.0,
        StatusCode::NO_CONTENT
    );
    app.state.clock.advance(chrono::Duration::seconds(100));
    assert_eq!(
        signal(&app, attempt, "focus_loss", &token).await.0,
        StatusCode::NO_CONTENT
    );
    app.state.clock.advance(chrono::Duration::seconds(185));
    assert_eq!(
        signal(&app, attempt, "returned", &token).await.0,
        StatusCode::NO_CONTENT
    );
    // A third leave the person never came back from.
    assert_eq!(
        signal(&app, attempt, "focus_loss", &token).await.0,
        StatusCode::NO_CONTENT
    );

    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["focus_losses"], 3, "{view}");
    let away: Vec<Value> = view["leaves"]
        .as_array()
        .expect("leaves")
        .iter()
        .map(|l| l["seconds_away"].clone())
        .collect();
    assert_eq!(away, vec![json!(42), json!(185), Value::Null], "{view}");

    let (status, _) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let page = recruiter
        .get(&format!(
            "/drives/{}/applications/{}",
            drive.drive_id, applied["application_id"]
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for line in [
        "back after 42 seconds",
        "back after 3 minutes 5 seconds",
        "did not come back before the test ended",
    ] {
        assert!(
            page.body.contains(line),
            "the applicant page lacks {line:?}: {}",
            page.body
        );
    }
}

#[actix_web::test]
async fn an_unknown_signal_is_refused_with_the_kinds_there_are() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "odd@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt id");
    let (status, body) = signal(&app, attempt, "blur", &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["kind"]);
    assert!(
        body["error"]["message"].as_str().unwrap_or("").contains("returned"),
        "{body}"
    );

    // Someone else's attempt is not theirs to report on.
    let (_, other) = app.candidate("other@example.com").await;
    assert_eq!(signal(&app, attempt, "returned", &other).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        signal(&app, attempt, "focus_loss", &other).await.0,
        StatusCode::NOT_FOUND
    );
}
