//! A save is acknowledged only once the transaction holding it has
//! committed: whatever the page was told is saved, any other connection
//! (and so a restarted server) already reads.

use std::sync::Arc;

use assay::db::schema::responses;
use awc::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::json;

use crate::attempts::{applicant, drive_over, start};
use crate::helpers::{spawn_app, TestApp};

async fn save_and_look(app: &TestApp, token: &str, attempt: i64, question: i64, rounds: i64) -> usize {
    let mut checked = 0;
    for seq in 1..=rounds {
        let (status, body) = app
            .put_json(
                &format!("/api/v1/attempts/{attempt}/responses/{question}"),
                &json!({"answer": seq, "seq": seq}),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        // Another connection of the pool, outside the writer's transaction.
        let stored: Option<i64> = app
            .state
            .db(move |conn| {
                Ok(responses::table
                    .filter(responses::attempt_id.eq(attempt as i32))
                    .filter(responses::question_id.eq(question as i32))
                    .select(responses::seq)
                    .first(conn)
                    .optional()?)
            })
            .await
            .expect("read");
        assert!(
            stored.is_some_and(|s| s >= seq),
            "save {seq} was acknowledged but another connection reads {stored:?}"
        );
        checked += 1;
    }
    checked
}

#[actix_web::test]
async fn a_save_is_acknowledged_only_after_the_commit_that_holds_it() {
    let app = spawn_app().await;
    let mut toml = String::from("[bank]\nname = \"Counts\"\ncategory = \"Aptitude/Quantitative\"\n");
    for n in 1..=8 {
        toml.push_str(&format!(
            "\n[[question]]\nid = \"c{n}\"\ntype = \"numeric\"\nstem = \"Count to {n}.\"\nanswer = {n}.0\n"
        ));
    }
    let drive = drive_over(&app, &toml, 8, json!({})).await;
    let assessment_id = drive.assessment_id;
    let mut sessions = Vec::new();
    for n in 0..3 {
        let (_, token, _) = applicant(&app, &format!("saver{n}@example.com"), &drive, 80.0).await;
        let (_, started) = start(&app, &token, assessment_id).await;
        sessions.push((Arc::new(token), started));
    }
    // Three candidates, eight questions each, all saving at once: the
    // writer gathers them into shared transactions.
    let app = &app;
    let mut savers = Vec::new();
    for (token, started) in &sessions {
        let attempt = started["attempt_id"].as_i64().expect("attempt");
        for q in started["questions"].as_array().expect("questions") {
            let token = Arc::clone(token);
            let question = q["id"].as_i64().expect("id");
            savers.push(async move { save_and_look(app, &token, attempt, question, 15).await });
        }
    }
    let checked: usize = join_all(savers).await.into_iter().sum();
    assert_eq!(checked, 3 * 8 * 15);
}

#[actix_web::test]
async fn only_pages_mint_a_csrf_token_and_api_calls_and_health_checks_set_no_cookie() {
    let app = spawn_app().await;
    for path in ["/healthz", "/api/v1/drives"] {
        let res = app.client.get(app.url(path)).send().await.expect("request");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "{path} set a cookie: {:?}",
            res.headers().get("set-cookie")
        );
    }
    let res = app.client.get(app.url("/signin")).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .unwrap_or_default();
    assert!(
        cookie.starts_with("assay_csrf="),
        "the sign-in form's page sets the token: {cookie}"
    );
}
