use assay::accounts::web::AFTER_REGISTRATION;
use assay::db::schema::{audit_log, users};
use assay::db::Role;
use awc::http::StatusCode;
use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{error_fields, spawn_app, PASSWORD};

fn count_users(app: &crate::helpers::TestApp) -> i64 {
    let mut conn = app.state.pool.get().expect("conn");
    users::table.count().get_result(&mut *conn).expect("count")
}

#[actix_web::test]
async fn registration_refuses_a_bad_email_with_422_naming_the_field() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(
            "/api/v1/candidates",
            &json!({"email": "not-an-email", "password": PASSWORD, "full_name": "A B"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["email"]);
    assert_eq!(count_users(&app), 0);
}

#[actix_web::test]
async fn registration_refuses_a_short_password_with_422_naming_the_field() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(
            "/api/v1/candidates",
            &json!({"email": "a@example.com", "password": "short", "full_name": "A B"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["password"]);
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[actix_web::test]
async fn sign_in_works_with_the_right_password_and_not_with_a_wrong_one() {
    let app = spawn_app().await;
    let (id, _) = app.candidate("ravi@example.com").await;
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "RAVI@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["id"], id);
    assert_eq!(body["user"]["role"], "candidate");
    assert!(body["token"].as_str().is_some_and(|t| t.len() == 64));

    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "ravi@example.com", "password": "wrong password!"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials");

    let (status, _) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "nobody@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn the_sixth_failed_sign_in_within_fifteen_minutes_is_throttled_with_the_wait() {
    let app = spawn_app().await;
    app.candidate("meera@example.com").await;
    for _ in 0..5 {
        let (status, _) = app
            .post_json(
                "/api/v1/session",
                &json!({"email": "meera@example.com", "password": "bad password"}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now.
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "meera@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("15 minutes"), "{message}");

    app.state.clock.advance(chrono::Duration::minutes(16));
    let (status, _) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "meera@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn a_candidate_gets_403_on_staff_pages_and_endpoints() {
    let app = spawn_app().await;
    let (_, token) = app.candidate("c@example.com").await;
    let res = app
        .client
        .get(app.url("/admin/users"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, staff_token) = app.staff("rec@example.com", Role::Recruiter).await;
    let (status, _) = app.get_json("/api/v1/me/profile", Some(&staff_token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn without_a_session_pages_redirect_to_sign_in_and_the_api_says_401() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let page = browser.get("/profile").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/signin?next=%2Fprofile"));
    let (status, body) = app.get_json("/api/v1/me/profile", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "not_signed_in");
}

#[actix_web::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let page = browser.get("/register").await;
    assert_eq!(page.status, StatusCode::OK);
    let refused = browser
        .post_form(
            "/register",
            &[("email", "x@example.com"), ("full_name", "X Y"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let forged = browser
        .post_form(
            "/register",
            &[
                ("csrf_token", "abc.def"),
                ("email", "x@example.com"),
                ("full_name", "X Y"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(count_users(&app), 0);

    let csrf = page.csrf();
    let accepted = browser
        .post_form(
            "/register",
            &[
                ("csrf_token", &csrf),
                ("email", "x@example.com"),
                ("full_name", "X Y"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location.as_deref(), Some(AFTER_REGISTRATION));
    assert_eq!(count_users(&app), 1);
    // Registration signs no one in (it must answer a taken address the same
    // way); the sign-in page says so and then leads to the profile.
    let signin = browser.get(AFTER_REGISTRATION).await;
    assert!(signin.body.contains("Thank you for registering"), "{}", signin.body);
    let signed_in = browser
        .post_form(
            "/signin",
            &[
                ("csrf_token", &signin.csrf()),
                ("email", "x@example.com"),
                ("password", PASSWORD),
                ("next", "/profile?welcome=1"),
            ],
        )
        .await;
    assert_eq!(signed_in.location.as_deref(), Some("/profile?welcome=1"));
    let profile = browser.get("/profile?welcome=1").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("Your account is ready"));
}

#[actix_web::test]
async fn a_cookie_session_api_write_needs_the_csrf_header() {
    let app = spawn_app().await;
    app.candidate("cookie@example.com").await;
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    let signed_in = browser
        .post_form(
            "/signin",
            &[
                ("csrf_token", &page.csrf()),
                ("email", "cookie@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let cookie = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let res = app
        .client
        .put(app.url("/api/v1/me/profile"))
        .insert_header(("Cookie", cookie.clone()))
        .send_json(&json!({"domain": "law"}))
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let csrf = browser.cookies.get("assay_csrf").cloned().unwrap_or_default();
    let res = app
        .client
        .put(app.url("/api/v1/me/profile"))
        .insert_header(("Cookie", cookie))
        .insert_header(("X-CSRF-Token", csrf))
        .send_json(&json!({"domain": "law"}))
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::OK);
}

#[actix_web::test]
async fn sign_out_makes_the_old_token_useless() {
    let app = spawn_app().await;
    let (_, token) = app.candidate("out@example.com").await;
    assert_eq!(app.get_json("/api/v1/me/profile", Some(&token)).await.0, StatusCode::OK);
    assert_eq!(
        app.delete("/api/v1/session", Some(&token)).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get_json("/api/v1/me/profile", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn the_stored_password_is_an_argon2id_phc_string_never_the_password() {
    let app = spawn_app().await;
    app.candidate("hash@example.com").await;
    let mut conn = app.state.pool.get().expect("conn");
    let stored: String = users::table
        .select(users::password_hash)
        .first(&mut *conn)
        .expect("hash");
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    assert!(!stored.contains(PASSWORD));
}

#[actix_web::test]
async fn the_profile_round_trips_and_bad_fields_are_named_one_by_one() {
    let app = spawn_app().await;
    let (_, token) = app.candidate("profile@example.com").await;
    let profile = json!({
        "degree": "B.Com", "institute": "Loyola College", "graduation_year": 2025, "score_percent": 71.5,
        "degree_class": "first", "domain": "finance", "experience_years": 1, "preferred_track": "kpo"
    });
    let (status, saved) = app.put_json("/api/v1/me/profile", &profile, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, fetched) = app.get_json("/api/v1/me/profile", Some(&token)).await;
    assert_eq!(fetched, profile);

    let bad = json!({"score_percent": 140, "domain": "astrology", "graduation_year": 1900, "preferred_track": "x"});
    let (status, body) = app.put_json("/api/v1/me/profile", &bad, Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        vec!["domain", "graduation_year", "preferred_track", "score_percent"]
    );
    let (_, unchanged) = app.get_json("/api/v1/me/profile", Some(&token)).await;
    assert_eq!(unchanged, profile);
}

#[actix_web::test]
async fn registration_queues_one_welcome_notice_and_audits_the_account() {
    let app = spawn_app().await;
    let (id, _) = app.candidate("welcome@example.com").await;
    let mut conn = app.state.pool.get().expect("conn");
    use assay::db::schema::notices;
    let rows: Vec<(String, String, String)> = notices::table
        .select((notices::kind, notices::recipient_email, notices::status))
        .load(&mut *conn)
        .expect("notices");
    assert_eq!(
        rows,
        vec![("welcome".into(), "welcome@example.com".into(), "queued".into())]
    );
    let audited: i64 = audit_log::table
        .filter(audit_log::entity_id.eq(id))
        .filter(audit_log::action.eq("user.create"))
        .count()
        .get_result(&mut *conn)
        .expect("audit");
    assert_eq!(audited, 1);
}

#[actix_web::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    app.candidate("audit@example.com").await;
    let mut conn = app.state.pool.get().expect("conn");
    let update = diesel::update(audit_log::table)
        .set(audit_log::detail.eq("rewritten"))
        .execute(&mut *conn);
    assert!(update.is_err());
    let delete = diesel::delete(audit_log::table).execute(&mut *conn);
    assert!(delete.is_err());
}

#[actix_web::test]
async fn an_admin_creates_a_staff_account_from_the_users_page() {
    let app = spawn_app().await;
    app.staff("admin@example.com", Role::Admin).await;
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    browser
        .post_form(
            "/signin",
            &[
                ("csrf_token", &page.csrf()),
                ("email", "admin@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let users = browser.get("/admin/users").await;
    assert_eq!(users.status, StatusCode::OK);
    let created = browser
        .post_form(
            "/admin/users",
            &[
                ("csrf_token", &users.csrf()),
                ("email", "trainer@example.com"),
                ("full_name", "Tara Trainer"),
                ("role", "trainer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "trainer@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["role"], "trainer");
}
