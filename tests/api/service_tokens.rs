//! Service tokens: an administrator makes one with a scope, a rate and an
//! expiry; it is shown once and only its SHA-256 is stored (checked here with
//! the `sha2` crate, not the app's code); it acts with its scope's role,
//! read-only refuses every write, an expired or revoked token gets 401, its
//! last use is recorded, it is throttled per token, and only administrators
//! signed in as themselves see tokens.

use assay::db::Role;
use awc::http::StatusCode;
use chrono::Duration;
use diesel::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{error_fields, signed_in, spawn_app, TestApp, PASSWORD};

/// An administrator's session token.
async fn admin(app: &TestApp) -> String {
    app.staff("admin@example.com", Role::Admin).await.1
}

/// Makes a token over the API and returns (its id, the token itself).
async fn make(app: &TestApp, admin: &str, body: Value) -> (i64, String) {
    let (status, made) = app.post_json("/api/v1/service-tokens", &body, Some(admin)).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["service_token"]["id"].as_i64().expect("id");
    (id, made["token"].as_str().expect("token").to_string())
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every text stored in the token's row.
fn stored_row(app: &TestApp, id: i64) -> Vec<String> {
    use assay::db::schema::service_tokens::dsl as t;
    let mut conn = app.state.pool.get().expect("conn");
    let (name, scope, hash, prefix): (String, String, String, String) = t::service_tokens
        .filter(t::id.eq(id as i32))
        .select((t::name, t::scope, t::token_hash, t::token_prefix))
        .first(&mut *conn)
        .expect("row");
    vec![name, scope, hash, prefix]
}

/// A drive request that reads well but names no assessment there is.
fn drive() -> Value {
    json!({"name": "Campus 2027", "assessment_id": 999, "eligibility": {"min_score_percent": 60.0, "domains": ["finance"]}})
}

fn cohort() -> Value {
    json!({"name": "Batch 7", "starts_on": "2027-01-11", "ends_on": "2027-04-30"})
}

#[actix_web::test]
async fn a_service_token_is_shown_once_and_only_its_hash_is_stored() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (id, token) = make(&app, &admin, json!({"name": "ATS sync", "scope": "recruiter"})).await;
    assert!(token.starts_with("assay_st_") && token.len() > 60, "{token}");

    let row = stored_row(&app, id);
    assert_eq!(row[2], hex_sha256(&token), "the stored hash is the token's SHA-256");
    assert!(
        row.iter().all(|v| !v.contains(&token)),
        "the token itself is not stored: {row:?}"
    );
    assert!(
        token.starts_with(&row[3]) && row[3].len() < 20,
        "only a short prefix is kept readable"
    );

    let (status, read) = app
        .get_json(&format!("/api/v1/service-tokens/{id}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert!(
        !read.to_string().contains(&token),
        "reading a token never shows it again: {read}"
    );
    assert_eq!(read["state"], "active");
    assert_eq!(read["requests_per_minute"], 600);
    let (_, listed) = app.get_json("/api/v1/service-tokens", Some(&admin)).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert!(!listed.to_string().contains(&token));
}

#[actix_web::test]
async fn a_token_acts_with_its_scopes_role() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (_, trainer) = make(&app, &admin, json!({"name": "LMS", "scope": "trainer"})).await;
    let (_, recruiter) = make(&app, &admin, json!({"name": "ATS", "scope": "recruiter"})).await;

    let (status, body) = app.post_json("/api/v1/cohorts", &cohort(), Some(&trainer)).await;
    assert_eq!(status, StatusCode::CREATED, "a trainer token makes a cohort: {body}");
    let (status, _) = app.post_json("/api/v1/drives", &drive(), Some(&trainer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a trainer token makes no drive");

    let (status, _) = app.post_json("/api/v1/cohorts", &cohort(), Some(&recruiter)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a recruiter token makes no cohort");
    let (status, body) = app.post_json("/api/v1/drives", &drive(), Some(&recruiter)).await;
    assert!(
        status != StatusCode::FORBIDDEN && status.is_client_error(),
        "a recruiter token passes the recruiter guard and reaches the missing assessment: {status} {body}"
    );
    let (status, _) = app.get_json("/api/v1/users", Some(&recruiter)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a recruiter token is not an administrator"
    );
}

#[actix_web::test]
async fn a_read_only_token_reads_but_every_write_is_refused() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (_, reader) = make(&app, &admin, json!({"name": "Reports", "scope": "read_only"})).await;

    let (status, users) = app.get_json("/api/v1/users", Some(&reader)).await;
    assert_eq!(status, StatusCode::OK, "{users}");
    let (status, _) = app.get_json("/api/v1/cohorts", Some(&reader)).await;
    assert_eq!(status, StatusCode::OK);

    for (path, body) in [("/api/v1/cohorts", cohort()), ("/api/v1/drives", json!({}))] {
        let (status, refused) = app.post_json(path, &body, Some(&reader)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("read-only"), "{message}");
    }
    let (status, _) = app.put_json("/api/v1/me/profile", &json!({}), Some(&reader)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, cohorts) = app.get_json("/api/v1/cohorts", Some(&admin)).await;
    assert_eq!(
        cohorts["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was written"
    );
}

#[actix_web::test]
async fn an_expired_token_is_refused_with_401() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (id, token) = make(
        &app,
        &admin,
        json!({"name": "Pilot", "scope": "trainer", "expires_in_days": 1}),
    )
    .await;
    let (status, _) = app.get_json("/api/v1/cohorts", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);

    app.state.clock.advance(Duration::days(1) + Duration::seconds(1));
    let (status, refused) = app.get_json("/api/v1/cohorts", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");
    assert_eq!(refused["error"]["code"], "token_refused");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("expired"));
    // The administrator's own session has ended too by now.
    let admin = app.sign_in("admin@example.com", PASSWORD).await;
    let (_, read) = app
        .get_json(&format!("/api/v1/service-tokens/{id}"), Some(&admin))
        .await;
    assert_eq!(read["state"], "expired");
}

#[actix_web::test]
async fn a_revoked_token_is_refused_at_once_and_both_acts_are_audited() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (id, token) = make(&app, &admin, json!({"name": "ATS", "scope": "recruiter"})).await;
    let (status, _) = app.get_json("/api/v1/drives", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);

    let revoke = format!("/api/v1/service-tokens/{id}/revoke");
    let (status, revoked) = app.post_json(&revoke, &json!({}), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["state"], "revoked");
    let (status, refused) = app.get_json("/api/v1/drives", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("revoked"));
    let (status, again) = app.post_json(&revoke, &json!({}), Some(&admin)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    let (_, audit) = app
        .get_json("/api/v1/audit-log?entity=service_token", Some(&admin))
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["service_token.revoke", "service_token.create"]);
}

#[actix_web::test]
async fn a_tokens_last_use_is_recorded() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (id, token) = make(&app, &admin, json!({"name": "ATS", "scope": "recruiter"})).await;
    let path = format!("/api/v1/service-tokens/{id}");
    let (_, before) = app.get_json(&path, Some(&admin)).await;
    assert_eq!(before["last_used_at"], Value::Null, "never used yet");

    app.state.clock.advance(Duration::minutes(5));
    let used_at = app.state.clock.now().and_utc();
    let (status, _) = app.get_json("/api/v1/drives", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = app.get_json(&path, Some(&admin)).await;
    let last: chrono::DateTime<chrono::Utc> = serde_json::from_value(after["last_used_at"].clone()).expect("a time");
    assert!((last - used_at).num_seconds().abs() <= 1, "{last} vs {used_at}");
}

#[actix_web::test]
async fn a_token_past_its_rate_is_answered_429_with_retry_after() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (_, token) = make(
        &app,
        &admin,
        json!({"name": "Greedy", "scope": "read_only", "requests_per_minute": 3}),
    )
    .await;
    let (_, other) = make(&app, &admin, json!({"name": "Polite", "scope": "read_only"})).await;
    for _ in 0..3 {
        let (status, _) = app.get_json("/api/v1/drives", Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
    }
    let mut res = app
        .client
        .get(app.url("/api/v1/drives"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let body = crate::helpers::json_body(&mut res).await;
    assert_eq!(body["error"]["code"], "throttled");

    let (status, _) = app.get_json("/api/v1/drives", Some(&other)).await;
    assert_eq!(status, StatusCode::OK, "another token has its own count");
    app.state.clock.advance(Duration::seconds(61));
    let (status, _) = app.get_json("/api/v1/drives", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "the next minute it may ask again");
}

#[actix_web::test]
async fn only_an_administrator_signed_in_as_themselves_sees_service_tokens() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let (id, token) = make(&app, &admin, json!({"name": "ATS", "scope": "read_only"})).await;

    for who in [&recruiter, &token] {
        let (status, _) = app.get_json("/api/v1/service-tokens", Some(who)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.get_json(&format!("/api/v1/service-tokens/{id}"), Some(who)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = app
        .post_json(
            "/api/v1/service-tokens",
            &json!({"name": "Mine", "scope": "recruiter"}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/service-tokens/{id}/revoke"),
            &json!({}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_token_request_with_bad_fields_names_each_and_makes_nothing() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (status, refused) = app
        .post_json(
            "/api/v1/service-tokens",
            &json!({"name": "  ", "scope": "owner", "expires_in_days": 0, "requests_per_minute": 0}),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        error_fields(&refused),
        ["name", "scope", "expires_in_days", "requests_per_minute"]
    );
    let (_, listed) = app.get_json("/api/v1/service-tokens", Some(&admin)).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));
}

#[actix_web::test]
async fn the_tokens_page_shows_a_new_token_once_and_revokes_after_confirming() {
    let app = spawn_app().await;
    app.staff("admin@example.com", Role::Admin).await;
    let mut browser = signed_in(&app, "admin@example.com").await;
    let page = browser.get("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No service tokens yet"), "{}", page.body);

    let refused = browser
        .post_form(
            "/admin/tokens",
            &[
                ("csrf_token", &page.csrf()),
                ("name", ""),
                ("scope", "recruiter"),
                ("days", "x"),
                ("rate", "600"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"name-error\""), "{}", refused.body);
    assert!(refused.body.contains("id=\"expires_in_days-error\""));

    let made = browser
        .post_form(
            "/admin/tokens",
            &[
                ("csrf_token", &page.csrf()),
                ("name", "ATS sync"),
                ("scope", "recruiter"),
                ("days", "30"),
                ("rate", "100"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let start = made.body.find("value=\"assay_st_").expect("token shown") + "value=\"".len();
    let token = &made.body[start..start + made.body[start..].find('"').expect("end")];
    assert!(made.body.contains("cannot show it again"));
    let (status, _) = app.get_json("/api/v1/drives", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "the token shown works");

    let list = browser.get("/admin/tokens").await;
    assert!(list.body.contains("ATS sync") && list.body.contains("Recruiter"));
    assert!(!list.body.contains(token), "the list never shows the token");
    let confirm = browser.get("/admin/tokens/1/revoke").await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Yes, revoke ATS sync"));
    let (status, _) = app.get_json("/api/v1/drives", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "looking at the confirmation revokes nothing");
    let done = browser
        .post_form("/admin/tokens/1/revoke", &[("csrf_token", &confirm.csrf())])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let (status, _) = app.get_json("/api/v1/drives", Some(token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(browser.get("/admin/tokens").await.body.contains("Revoked"));
}
