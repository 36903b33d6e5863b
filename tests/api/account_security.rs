//! Trust at the edges of accounts: sign-in throttling under parallel
//! guessing, redirects that stay on this site, password reset and change,
//! the password rule, and registration that names no account.

use assay::accounts::throttle::MAX_FAILURES_PER_ACCOUNT;
use assay::db::schema::{notices, users};
use awc::http::StatusCode;
use chrono::Duration;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app, spawn_app_with, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "tamarind lantern okra";

/// Sends every sign-in at once (each its own task) and returns the statuses.
/// `guesses` are (server base URL, email, password, X-Forwarded-For).
async fn sign_in_all_at_once(app: &TestApp, guesses: Vec<(String, String, String, Option<String>)>) -> Vec<StatusCode> {
    let tasks: Vec<_> = guesses
        .into_iter()
        .map(|(base, email, password, forwarded)| {
            let client = app.client.clone();
            actix_web::rt::spawn(async move {
                let mut req = client.post(format!("{base}/api/v1/session"));
                if let Some(f) = forwarded {
                    req = req.insert_header(("X-Forwarded-For", f));
                }
                req.send_json(&json!({"email": email, "password": password}))
                    .await
                    .expect("sign-in request")
                    .status()
            })
        })
        .collect();
    statuses_of(tasks).await
}

/// Waits for every request task and returns their statuses, in order.
async fn statuses_of(tasks: Vec<actix_web::rt::task::JoinHandle<StatusCode>>) -> Vec<StatusCode> {
    let mut statuses = Vec::with_capacity(tasks.len());
    for task in tasks {
        statuses.push(task.await.expect("request task"));
    }
    statuses
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

fn wrong_guesses(base: &str, emails: impl Iterator<Item = String>) -> Vec<(String, String, String, Option<String>)> {
    emails
        .enumerate()
        .map(|(i, email)| (base.to_string(), email, format!("wrong guess number {i}"), None))
        .collect()
}

#[actix_web::test]
async fn forty_parallel_wrong_passwords_for_one_account_check_only_five() {
    let app = spawn_app().await;
    app.candidate("target@example.com").await;
    let guesses = wrong_guesses(&app.address, (0..40).map(|_| "target@example.com".to_string()));
    let statuses = sign_in_all_at_once(&app, guesses).await;
    // Only a checked guess can answer 401; the rest were refused unchecked.
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        MAX_FAILURES_PER_ACCOUNT as usize,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 40 - 5, "{statuses:?}");
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "target@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[actix_web::test]
async fn one_address_guessing_many_accounts_is_throttled_at_its_limit() {
    let app = spawn_app().await;
    app.candidate("real@example.com").await;
    let limit = app.state.config.sign_in_failures_per_address as usize;
    let guesses = wrong_guesses(&app.address, (0..limit + 10).map(|i| format!("person{i}@example.com")));
    let statuses = sign_in_all_at_once(&app, guesses).await;
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), limit, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 10, "{statuses:?}");
    // Even a right password from that address waits, and is told why.
    let (status, body) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "real@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("from your network"), "{message}");
    app.state.clock.advance(Duration::minutes(16));
    let (status, _) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "real@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn a_hall_behind_one_address_signing_in_at_once_queues_instead_of_being_refused() {
    // Twelve candidates behind one NAT address, a limit of three: sign-ins
    // still being checked hold the places, and the rest wait for one.
    let app = spawn_app_with(|c| c.sign_in_failures_per_address = 3).await;
    let emails: Vec<String> = (0..12).map(|i| format!("hall{i}@example.com")).collect();
    for email in &emails {
        app.candidate(email).await;
    }
    let right = emails
        .iter()
        .map(|email| (app.address.clone(), email.clone(), PASSWORD.to_string(), None))
        .collect();
    let statuses = sign_in_all_at_once(&app, right).await;
    assert_eq!(count(&statuses, StatusCode::OK), 12, "{statuses:?}");
    // Waiting for a place did not make anyone's sign-in a failure: three
    // wrong guesses are still checked before the address is refused.
    let statuses = sign_in_all_at_once(&app, wrong_guesses(&app.address, emails.iter().take(5).cloned())).await;
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), 3, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 2, "{statuses:?}");
}

#[actix_web::test]
async fn two_servers_on_one_database_share_the_sign_in_limit() {
    let app = spawn_app().await;
    app.candidate("shared@example.com").await;
    let first = app.address.clone();
    // A second server process on the same database; the first keeps serving.
    let app = app.restart();
    let second = app.address.clone();
    let guesses = (0..30)
        .map(|i| {
            let base = if i % 2 == 0 { &first } else { &second };
            (
                base.clone(),
                "shared@example.com".to_string(),
                format!("wrong {i}"),
                None,
            )
        })
        .collect();
    let statuses = sign_in_all_at_once(&app, guesses).await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        MAX_FAILURES_PER_ACCOUNT as usize,
        "{statuses:?}"
    );
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit() {
    let app = spawn_app_with(|c| {
        c.trust_proxy = true;
        c.sign_in_failures_per_address = 3;
    })
    .await;
    let from = |addr: &str, i: usize| {
        (
            app.address.clone(),
            format!("someone{i}@example.com"),
            "not the password".to_string(),
            Some(format!("198.51.100.200, {addr}")),
        )
    };
    let statuses = sign_in_all_at_once(&app, (0..6).map(|i| from("203.0.113.1", i)).collect()).await;
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), 3, "{statuses:?}");
    // Another client behind the same proxy is not held up by the first.
    let statuses = sign_in_all_at_once(&app, vec![from("203.0.113.2", 99)]).await;
    assert_eq!(statuses, vec![StatusCode::UNAUTHORIZED]);
}

#[actix_web::test]
async fn sign_in_never_redirects_to_another_host() {
    let app = spawn_app().await;
    app.candidate("next@example.com").await;
    for (next, expected) in [
        ("/%09/evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/profile", "/profile"),
    ] {
        let mut browser = app.browser();
        let page = browser.get("/signin").await;
        let signed_in = browser
            .post_form(
                "/signin",
                &[
                    ("csrf_token", &page.csrf()),
                    ("email", "next@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{next:?}: {}", signed_in.body);
        assert_eq!(signed_in.location.as_deref(), Some(expected), "{next:?}");
    }
    // The page carries only a safe `next` into its form.
    let page = app.browser().get("/signin?next=%2F%09%2Fevil.example").await;
    assert!(page.body.contains(r#"name="next" value="/""#), "{}", page.body);
}

#[actix_web::test]
async fn cr_lf_in_next_goes_home_instead_of_failing() {
    let app = spawn_app().await;
    app.candidate("crlf@example.com").await;
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    let signed_in = browser
        .post_form(
            "/signin",
            &[
                ("csrf_token", &page.csrf()),
                ("email", "crlf@example.com"),
                ("password", PASSWORD),
                ("next", "/\r\nSet-Cookie: planted=1"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    assert_eq!(signed_in.location.as_deref(), Some("/"));
    // Signed in, the sign-in page redirects straight to `next`: the same rule.
    let again = browser.get("/signin?next=%2F%0D%0ASet-Cookie:%20planted=1").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location.as_deref(), Some("/"));
    assert!(!browser.cookies.contains_key("planted"));
}

/// The reset token in the newest reset email to `email`.
fn mailed_reset_token(app: &TestApp, email: &str) -> String {
    let mut conn = app.state.pool.get().expect("conn");
    let body: String = notices::table
        .filter(notices::kind.eq("password_reset"))
        .filter(notices::recipient_email.eq(email))
        .order(notices::id.desc())
        .select(notices::body_text)
        .first(&mut *conn)
        .expect("a reset email");
    let start = body.find("/password/reset?token=").expect("a reset link") + "/password/reset?token=".len();
    body[start..start + 64].to_string()
}

fn notices_of_kind(app: &TestApp, kind: &str) -> Vec<String> {
    let mut conn = app.state.pool.get().expect("conn");
    notices::table
        .filter(notices::kind.eq(kind))
        .select(notices::recipient_email)
        .load(&mut *conn)
        .expect("notices")
}

async fn forgot(app: &TestApp, email: &str) -> (StatusCode, Value) {
    app.post_json("/api/v1/password/forgot", &json!({"email": email}), None)
        .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    app.post_json(
        "/api/v1/password/reset",
        &json!({"token": token, "password": password}),
        None,
    )
    .await
}

#[actix_web::test]
async fn a_reset_request_answers_the_same_whether_or_not_the_address_has_an_account() {
    let app = spawn_app().await;
    app.candidate("known@example.com").await;
    let known = forgot(&app, "known@example.com").await;
    let unknown = forgot(&app, "unknown@example.com").await;
    assert_eq!(known.0, StatusCode::ACCEPTED, "{}", known.1);
    assert_eq!(known, unknown);
    assert_eq!(notices_of_kind(&app, "password_reset"), vec!["known@example.com"]);
    let (status, body) = forgot(&app, "a..b@example.com").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["email"]);
}

#[actix_web::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    let (_, first) = app.candidate("reset@example.com").await;
    let second = app.sign_in("reset@example.com", PASSWORD).await;
    assert_eq!(app.get_json("/api/v1/me/profile", Some(&first)).await.0, StatusCode::OK);
    assert_eq!(forgot(&app, "reset@example.com").await.0, StatusCode::ACCEPTED);
    let token = mailed_reset_token(&app, "reset@example.com");
    // The database keeps only a hash of the token.
    let mut conn = app.state.pool.get().expect("conn");
    let stored: Vec<String> = assay::db::schema::password_resets::table
        .select(assay::db::schema::password_resets::token_hash)
        .load(&mut *conn)
        .expect("resets");
    drop(conn);
    assert_eq!(stored, vec![assay::tokens::token_hash(&token)]);

    let (status, body) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for token in [&first, &second] {
        assert_eq!(
            app.get_json("/api/v1/me/profile", Some(token)).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, _) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "reset@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.sign_in("reset@example.com", NEW_PASSWORD).await;

    // Single use: the same link cannot set the password again.
    let (status, body) = reset(&app, &token, "another fine passphrase").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["token"]);
    app.sign_in("reset@example.com", NEW_PASSWORD).await;
}

#[actix_web::test]
async fn a_reset_link_used_twice_at_once_works_only_once() {
    let app = spawn_app().await;
    app.candidate("twice@example.com").await;
    forgot(&app, "twice@example.com").await;
    let token = mailed_reset_token(&app, "twice@example.com");
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let client = app.client.clone();
            let url = app.url("/api/v1/password/reset");
            let token = token.clone();
            actix_web::rt::spawn(async move {
                client
                    .post(url)
                    .send_json(&json!({"token": token, "password": format!("{NEW_PASSWORD} {i}")}))
                    .await
                    .expect("reset")
                    .status()
            })
        })
        .collect();
    let statuses = statuses_of(tasks).await;
    assert_eq!(count(&statuses, StatusCode::NO_CONTENT), 1, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::UNPROCESSABLE_ENTITY), 5, "{statuses:?}");
}

#[actix_web::test]
async fn a_reset_link_expires_after_an_hour_on_the_apps_clock() {
    let app = spawn_app().await;
    app.candidate("late@example.com").await;
    forgot(&app, "late@example.com").await;
    let token = mailed_reset_token(&app, "late@example.com");
    app.state.clock.advance(Duration::minutes(59));
    let page = app.browser().get(&format!("/password/reset?token={token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&token));
    app.state.clock.advance(Duration::minutes(2));
    let page = app.browser().get(&format!("/password/reset?token={token}")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("expired"), "{}", page.body);
    let (status, body) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["token"]);
    app.sign_in("late@example.com", PASSWORD).await;
}

#[actix_web::test]
async fn asking_again_within_minutes_mails_no_second_link() {
    let app = spawn_app().await;
    app.candidate("again@example.com").await;
    for _ in 0..3 {
        assert_eq!(forgot(&app, "again@example.com").await.0, StatusCode::ACCEPTED);
    }
    assert_eq!(notices_of_kind(&app, "password_reset").len(), 1);
    app.state.clock.advance(Duration::minutes(6));
    forgot(&app, "again@example.com").await;
    assert_eq!(notices_of_kind(&app, "password_reset").len(), 2);
}

#[actix_web::test]
async fn the_forgot_password_pages_reset_a_password_in_a_browser() {
    let app = spawn_app().await;
    app.candidate("pages@example.com").await;
    let mut browser = app.browser();
    let signin = browser.get("/signin").await;
    assert!(signin.body.contains(r#"href="/password/forgot""#));
    let page = browser.get("/password/forgot").await;
    assert_eq!(page.status, StatusCode::OK);
    let sent = browser
        .post_form(
            "/password/forgot",
            &[("csrf_token", &page.csrf()), ("email", "pages@example.com")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("If that address has an account"), "{}", sent.body);
    let token = mailed_reset_token(&app, "pages@example.com");
    let form = browser.get(&format!("/password/reset?token={token}")).await;
    assert_eq!(form.status, StatusCode::OK);
    let weak = browser
        .post_form(
            "/password/reset",
            &[
                ("csrf_token", &form.csrf()),
                ("token", &token),
                ("password", "1234567890"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("too easy to guess"), "{}", weak.body);
    let done = browser
        .post_form(
            "/password/reset",
            &[
                ("csrf_token", &form.csrf()),
                ("token", &token),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/signin?reset=1"));
    app.sign_in("pages@example.com", NEW_PASSWORD).await;
}

#[actix_web::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let (_, here) = app.candidate("change@example.com").await;
    let elsewhere = app.sign_in("change@example.com", PASSWORD).await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let (status, body) = app
        .put_json(
            "/api/v1/me/password",
            &change("not my password", NEW_PASSWORD),
            Some(&here),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["current_password"]);
    let (status, body) = app
        .put_json("/api/v1/me/password", &change(PASSWORD, "password12"), Some(&here))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["new_password"]);
    assert_eq!(
        app.put_json("/api/v1/me/password", &change(PASSWORD, NEW_PASSWORD), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    let (status, body) = app
        .put_json("/api/v1/me/password", &change(PASSWORD, NEW_PASSWORD), Some(&here))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(app.get_json("/api/v1/me/profile", Some(&here)).await.0, StatusCode::OK);
    assert_eq!(
        app.get_json("/api/v1/me/profile", Some(&elsewhere)).await.0,
        StatusCode::UNAUTHORIZED
    );
    app.sign_in("change@example.com", NEW_PASSWORD).await;
}

#[actix_web::test]
async fn guessing_the_current_password_through_the_change_form_is_throttled() {
    let app = spawn_app().await;
    let (_, token) = app.candidate("stolen@example.com").await;
    let mut statuses = Vec::new();
    for i in 0..7 {
        let (status, _) = app
            .put_json(
                "/api/v1/me/password",
                &json!({"current_password": format!("guess {i}"), "new_password": NEW_PASSWORD}),
                Some(&token),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(count(&statuses, StatusCode::UNPROCESSABLE_ENTITY), 5, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 2, "{statuses:?}");
}

#[actix_web::test]
async fn the_change_password_page_changes_it() {
    let app = spawn_app().await;
    app.candidate("page@example.com").await;
    let mut browser = crate::helpers::signed_in(&app, "page@example.com").await;
    let page = browser.get("/account/password").await;
    assert_eq!(page.status, StatusCode::OK);
    let wrong = browser
        .post_form(
            "/account/password",
            &[
                ("csrf_token", &page.csrf()),
                ("current_password", "wrong one entirely"),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That is not your current password."));
    let done = browser
        .post_form(
            "/account/password",
            &[
                ("csrf_token", &page.csrf()),
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let changed = browser.get("/account/password?changed=1").await;
    assert_eq!(changed.status, StatusCode::OK, "still signed in");
    assert!(changed.body.contains("Your password has been changed"));
    app.sign_in("page@example.com", NEW_PASSWORD).await;
}

#[actix_web::test]
async fn common_and_guessable_passwords_are_refused_at_registration_with_advice() {
    let app = spawn_app().await;
    for weak in ["password12", "1234567890", "asha.verma@example.com"] {
        let (status, body) = app
            .post_json(
                "/api/v1/candidates",
                &json!({"email": "asha.verma@example.com", "password": weak, "full_name": "Asha Verma"}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {body}");
        assert_eq!(error_fields(&body), vec!["password"], "{weak}");
        let advice = body["error"]["details"][0]["message"].as_str().unwrap_or_default();
        assert!(
            advice.starts_with("This password would be too easy to guess. "),
            "{advice}"
        );
    }
    let mut conn = app.state.pool.get().expect("conn");
    let users: i64 = users::table.count().get_result(&mut *conn).expect("count");
    assert_eq!(users, 0);
}

#[actix_web::test]
async fn a_duplicate_registration_is_answered_as_a_new_one_and_the_owner_is_emailed() {
    let app = spawn_app().await;
    let register =
        |email: &str, password: &str, name: &str| json!({"email": email, "password": password, "full_name": name});
    let new = app
        .post_json(
            "/api/v1/candidates",
            &register("priya@example.com", PASSWORD, "Priya"),
            None,
        )
        .await;
    let again = app
        .post_json(
            "/api/v1/candidates",
            &register("PRIYA@Example.com", "someone else's passphrase", "Not Priya"),
            None,
        )
        .await;
    assert_eq!(new.0, StatusCode::CREATED, "{}", new.1);
    assert_eq!(new, again);

    let mut conn = app.state.pool.get().expect("conn");
    let names: Vec<String> = users::table.select(users::full_name).load(&mut *conn).expect("users");
    drop(conn);
    assert_eq!(names, vec!["Priya"]);
    assert_eq!(notices_of_kind(&app, "welcome"), vec!["priya@example.com"]);
    assert_eq!(notices_of_kind(&app, "registration_attempt"), vec!["priya@example.com"]);
    let mut conn = app.state.pool.get().expect("conn");
    let told: String = notices::table
        .filter(notices::kind.eq("registration_attempt"))
        .select(notices::body_text)
        .first(&mut *conn)
        .expect("the owner's email");
    drop(conn);
    assert!(told.contains("http://assay.test/password/forgot"), "{told}");
    // Nothing about the account changed.
    app.sign_in("priya@example.com", PASSWORD).await;

    // The registration page answers both the same way too.
    let mut locations = Vec::new();
    for email in ["meera@example.com", "meera@example.com"] {
        let mut browser = app.browser();
        let page = browser.get("/register").await;
        let sent = browser
            .post_form(
                "/register",
                &[
                    ("csrf_token", &page.csrf()),
                    ("email", email),
                    ("full_name", "Meera"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert!(!browser.cookies.contains_key("assay_session"));
        locations.push(sent.location);
    }
    assert_eq!(locations[0], locations[1]);
}

#[actix_web::test]
async fn registration_refuses_addresses_the_mailer_cannot_send_to() {
    let app = spawn_app().await;
    for email in ["a..b@x", "a@-x.com", "a(b)@x", "a..b@example.com", "a(b)@example.com"] {
        let (status, body) = app
            .post_json(
                "/api/v1/candidates",
                &json!({"email": email, "password": PASSWORD, "full_name": "A B"}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{email}: {body}");
        assert_eq!(error_fields(&body), vec!["email"], "{email}");
    }
}

#[actix_web::test]
async fn the_openapi_document_lists_the_password_endpoints() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in [
        ("/api/v1/password/forgot", "post"),
        ("/api/v1/password/reset", "post"),
        ("/api/v1/me/password", "put"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} missing");
    }
    let registered = &doc["paths"]["/api/v1/candidates"]["post"]["responses"]["201"];
    assert!(registered.to_string().contains("Message"), "{registered}");
}
