//! Staff administration over HTTP: administrators edit names and roles,
//! deactivate and reactivate accounts, search people, and read an audit log
//! that names them.

use assay::db::Role;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, signed_in, TestApp, PASSWORD};

struct Staff {
    admin_id: i32,
    admin: String,
    recruiter_id: i32,
    recruiter: String,
}

async fn staff(app: &TestApp) -> Staff {
    let (admin_id, admin) = app.staff("admin@example.com", Role::Admin).await;
    let (recruiter_id, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    Staff {
        admin_id,
        admin,
        recruiter_id,
        recruiter,
    }
}

async fn post(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    app.post_json(path, &json!({}), Some(token)).await
}

async fn patch(app: &TestApp, path: &str, body: &Value, token: &str) -> (StatusCode, Value) {
    let mut res = app
        .client
        .patch(app.url(path))
        .bearer_auth(token)
        .send_json(body)
        .await
        .expect("patch");
    (res.status(), crate::helpers::json_body(&mut res).await)
}

#[actix_web::test]
async fn deactivating_an_account_ends_its_sessions_at_once_and_reactivating_lets_it_sign_in_again() {
    let app = crate::helpers::spawn_app().await;
    let s = staff(&app).await;
    // The recruiter's session is in the server's cache from this request.
    let (status, _) = app.get_json("/api/v1/drives", Some(&s.recruiter)).await;
    assert_eq!(status, StatusCode::OK);
    let mut page_session = signed_in(&app, "recruiter@example.com").await;

    let (status, account) = post(&app, &format!("/api/v1/users/{}/deactivate", s.recruiter_id), &s.admin).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["active"], false);
    // No clock moved: the cached session must not outlive the account.
    let (status, _) = app.get_json("/api/v1/drives", Some(&s.recruiter)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the API session ended at once");
    let page = page_session.get("/drives").await;
    assert_ne!(page.status, StatusCode::OK, "the page session ended too");
    let (status, _) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "recruiter@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a deactivated account cannot sign in");

    let (status, again) = post(&app, &format!("/api/v1/users/{}/deactivate", s.recruiter_id), &s.admin).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let (status, own) = post(&app, &format!("/api/v1/users/{}/deactivate", s.admin_id), &s.admin).await;
    assert_eq!(status, StatusCode::CONFLICT, "{own}");
    assert!(own["error"]["message"]
        .as_str()
        .expect("message")
        .contains("your own account"));
    let (status, _) = post(&app, &format!("/api/v1/users/{}/deactivate", s.admin_id), &s.recruiter).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, account) = post(&app, &format!("/api/v1/users/{}/reactivate", s.recruiter_id), &s.admin).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["active"], true);
    app.sign_in("recruiter@example.com", PASSWORD).await;
}

#[actix_web::test]
async fn an_admin_changes_a_name_and_role_and_the_new_role_holds_on_the_next_request() {
    let app = crate::helpers::spawn_app().await;
    let s = staff(&app).await;
    let path = format!("/api/v1/users/{}", s.recruiter_id);
    let (status, _) = app.get_json("/api/v1/drives?state=archived", Some(&s.recruiter)).await;
    assert_eq!(status, StatusCode::OK);

    let (status, account) = patch(
        &app,
        &path,
        &json!({"full_name": "Priya Nair", "role": "trainer"}),
        &s.admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(
        (account["full_name"].clone(), account["role"].clone()),
        (json!("Priya Nair"), json!("trainer"))
    );
    // Trainers do not run drives: refused at once, despite the cached session.
    let (status, _) = app
        .post_json(
            "/api/v1/drives",
            &json!({"name": "x", "assessment_id": 1}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, bad) = patch(&app, &path, &json!({"full_name": "   "}), &s.admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(error_fields(&bad), vec!["full_name"]);
    let (status, bad) = patch(&app, &path, &json!({"role": "overlord"}), &s.admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (status, own) = patch(
        &app,
        &format!("/api/v1/users/{}", s.admin_id),
        &json!({"role": "recruiter"}),
        &s.admin,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{own}");
    let (_, unchanged) = app.get_json(&path, Some(&s.admin)).await;
    assert_eq!(
        unchanged["full_name"], "Priya Nair",
        "nothing half-written: {unchanged}"
    );

    // The page does the same, errors next to the field.
    let mut admin = signed_in(&app, "admin@example.com").await;
    let page = admin.get(&format!("/admin/users/{}", s.recruiter_id)).await;
    assert!(page.body.contains("value=\"Priya Nair\""), "{}", page.body);
    let refused = admin
        .post_form(
            &format!("/admin/users/{}", s.recruiter_id),
            &[("csrf_token", &page.csrf()), ("full_name", ""), ("role", "recruiter")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("id=\"full_name-error\""), "{}", refused.body);
    let saved = admin
        .post_form(
            &format!("/admin/users/{}", s.recruiter_id),
            &[
                ("csrf_token", &page.csrf()),
                ("full_name", "Priya Nair"),
                ("role", "recruiter"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, account) = app.get_json(&path, Some(&s.admin)).await;
    assert_eq!(account["role"], "recruiter");
}

#[actix_web::test]
async fn deactivating_from_the_page_asks_first_and_names_the_person() {
    let app = crate::helpers::spawn_app().await;
    let s = staff(&app).await;
    let mut admin = signed_in(&app, "admin@example.com").await;
    let page = admin.get(&format!("/admin/users/{}", s.recruiter_id)).await;
    let path = format!("/admin/users/{}/active", s.recruiter_id);
    let ask = admin
        .post_form(&path, &[("csrf_token", &page.csrf()), ("active", "0")])
        .await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(ask.body.contains("Deactivate Staff Member?"), "{}", ask.body);
    let (status, _) = app.get_json("/api/v1/drives", Some(&s.recruiter)).await;
    assert_eq!(status, StatusCode::OK, "asking ended nothing");
    let done = admin
        .post_form(
            &path,
            &[("csrf_token", &page.csrf()), ("active", "0"), ("confirmed", "1")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (status, _) = app.get_json("/api/v1/drives", Some(&s.recruiter)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn admins_search_people_by_part_of_a_name_or_email() {
    let app = crate::helpers::spawn_app().await;
    let s = staff(&app).await;
    for (email, name) in [
        ("meera.iyer@example.com", "Meera Iyer"),
        ("karan@example.com", "Karan Mehta"),
    ] {
        app.post_json(
            "/api/v1/candidates",
            &json!({"email": email, "password": PASSWORD, "full_name": name}),
            None,
        )
        .await;
    }
    let emails = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|u| u["email"].as_str().expect("email").to_string())
            .collect()
    };
    let (_, found) = app.get_json("/api/v1/users?q=IYER", Some(&s.admin)).await;
    assert_eq!(emails(&found), vec!["meera.iyer@example.com"]);
    let (_, found) = app.get_json("/api/v1/users?q=karan%40", Some(&s.admin)).await;
    assert_eq!(emails(&found), vec!["karan@example.com"]);
    let (_, found) = app.get_json("/api/v1/users?q=%25", Some(&s.admin)).await;
    assert!(
        emails(&found).is_empty(),
        "a % is searched for, not a wildcard: {found}"
    );
    post(&app, &format!("/api/v1/users/{}/deactivate", s.recruiter_id), &s.admin).await;
    let (_, inactive) = app.get_json("/api/v1/users?active=false", Some(&s.admin)).await;
    assert_eq!(emails(&inactive), vec!["recruiter@example.com"]);

    let mut admin = signed_in(&app, "admin@example.com").await;
    let page = admin.get("/admin/users?q=mehta").await;
    assert!(page.body.contains("Karan Mehta"), "{}", page.body);
    assert!(!page.body.contains("Meera Iyer"), "{}", page.body);
    let none = admin.get("/admin/users?q=zzz").await;
    assert!(
        none.body.contains("Nobody’s name or email contains “zzz”"),
        "{}",
        none.body
    );
}

#[actix_web::test]
async fn the_audit_log_names_people_and_filters_by_person_action_and_day_a_page_at_a_time() {
    let app = crate::helpers::spawn_app().await;
    let s = staff(&app).await;
    let admin_path = format!("/api/v1/users/{}", s.admin_id);
    patch(&app, &admin_path, &json!({"full_name": "Anita Rao"}), &s.admin).await;
    post(&app, &format!("/api/v1/users/{}/deactivate", s.recruiter_id), &s.admin).await;
    app.state.clock.advance(chrono::Duration::days(2));
    // Two days on, the morning's session has expired: sign in again.
    let token = app.sign_in("admin@example.com", PASSWORD).await;
    let (status, _) = post(&app, &format!("/api/v1/users/{}/reactivate", s.recruiter_id), &token).await;
    assert_eq!(status, StatusCode::OK);
    let today = app.state.clock.now().date();

    let (status, log) = app.get_json("/api/v1/audit-log?person=anita", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let items = log["items"].as_array().expect("items");
    assert!(items.len() >= 3, "{log}");
    assert!(items.iter().all(|e| e["actor_name"] == "Anita Rao"), "{log}");

    let (_, deactivations) = app
        .get_json("/api/v1/audit-log?action=user.deactivate", Some(&token))
        .await;
    let items = deactivations["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{deactivations}");
    assert_eq!(items[0]["detail"], "recruiter@example.com");

    let (_, on_the_day) = app
        .get_json(&format!("/api/v1/audit-log?from={today}&to={today}"), Some(&token))
        .await;
    let actions: Vec<&str> = on_the_day["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert!(actions.contains(&"user.reactivate"), "{on_the_day}");
    assert!(
        !actions.iter().any(|a| *a == "user.deactivate" || *a == "user.edit"),
        "two days ago is not today: {on_the_day}"
    );
    let (status, bad) = app.get_json("/api/v1/audit-log?from=yesterday", Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    let (_, first) = app
        .get_json("/api/v1/audit-log?person=anita&limit=1", Some(&token))
        .await;
    let after = first["next_after"].as_str().expect("a next page").to_string();
    let (_, second) = app
        .get_json(
            &format!("/api/v1/audit-log?person=anita&limit=1&after={after}"),
            Some(&token),
        )
        .await;
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    assert_eq!(second["items"][0]["actor_name"], "Anita Rao");

    let mut admin = signed_in(&app, "admin@example.com").await;
    let page = admin.get("/admin/audit?action=user.deactivate").await;
    assert!(page.body.contains(">Anita Rao</a>"), "{}", page.body);
    assert!(!page.body.contains("user.reactivate</td>"), "{}", page.body);
    assert!(!page.body.contains("user 1"), "names, not ids: {}", page.body);
    let nothing = admin.get("/admin/audit?person=nobody-at-all").await;
    assert!(
        nothing.body.contains("Nothing recorded matches these filters"),
        "{}",
        nothing.body
    );
    let wrong = admin.get("/admin/audit?from=07-12-2026").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
}
