//! A drive's life over HTTP: edited while it runs, closed and reopened,
//! archived and restored, shared by an invite link, and an application
//! withdrawn by its candidate.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, signed_in, TestApp, PASSWORD};
use crate::rankings::{finance, setup, Setup};

async fn life(app: &TestApp, s: &Setup, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/drives/{}/state", s.drive_id),
        &body,
        Some(&s.recruiter),
    )
    .await
}

/// A candidate with a profile that meets the drive's rules; (token, email).
async fn candidate(app: &TestApp, name: &str) -> String {
    let email = format!("{name}@example.com");
    let (_, token) = app.candidate(&email).await;
    app.put_json("/api/v1/me/profile", &finance(80.0), Some(&token)).await;
    token
}

async fn apply(app: &TestApp, s: &Setup, token: &str) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/drives/{}/applications", s.drive_id),
        &json!({}),
        Some(token),
    )
    .await
}

fn drive_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["id"].as_i64().expect("id"))
        .collect()
}

#[actix_web::test]
async fn a_closed_drive_refuses_applications_with_a_sentence_and_takes_them_again_once_reopened() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let asha = candidate(&app, "asha").await;

    let (status, drive) = life(&app, &s, json!({"move": "close"})).await;
    assert_eq!(status, StatusCode::OK, "{drive}");
    assert_eq!(drive["state"], "closed");
    let (status, refused) = apply(&app, &s, &asha).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "drive_closed");
    let sentence = refused["error"]["message"].as_str().expect("message");
    assert!(sentence.contains("closed to new applications"), "{sentence}");
    let (_, open) = app.get_json("/api/v1/drives", Some(&asha)).await;
    assert!(
        !drive_ids(&open).contains(&s.drive_id),
        "a closed drive is not listed as open: {open}"
    );

    let (status, again) = life(&app, &s, json!({"move": "close"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["message"], "This drive is closed already.");

    let (status, drive) = life(&app, &s, json!({"move": "reopen"})).await;
    assert_eq!(status, StatusCode::OK, "{drive}");
    assert_eq!(drive["state"], "open");
    let (status, applied) = apply(&app, &s, &asha).await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
}

#[actix_web::test]
async fn reopening_a_drive_whose_closing_time_passed_takes_a_new_one_or_clears_it() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let now = app.state.clock.now();
    let soon = (now + chrono::Duration::hours(1)).and_utc().to_rfc3339();
    let (status, drive) = app
        .put_json(
            &format!("/api/v1/drives/{}", s.drive_id),
            &json!({"name": "Open drive", "assessment_id": s.assessment_id, "tie_break_sections": ["Quant"],
                    "eligibility": {"min_score_percent": 50}, "closes_at": soon}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{drive}");
    life(&app, &s, json!({"move": "close"})).await;
    app.state.clock.advance(chrono::Duration::hours(2));

    let past = now.and_utc().to_rfc3339();
    let (status, refused) = life(&app, &s, json!({"move": "reopen", "closes_at": past})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused), vec!["closes_at"]);

    let (status, drive) = life(&app, &s, json!({"move": "reopen"})).await;
    assert_eq!(status, StatusCode::OK, "{drive}");
    assert_eq!(
        drive["closes_at"],
        Value::Null,
        "the passed closing time is cleared: {drive}"
    );
    let asha = candidate(&app, "asha").await;
    let (status, applied) = apply(&app, &s, &asha).await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
}

#[actix_web::test]
async fn an_archived_drive_leaves_candidates_lists_and_is_read_only_for_staff_until_restored() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let asha = candidate(&app, "asha").await;
    let (_, applied) = apply(&app, &s, &asha).await;
    let application = applied["application_id"].as_i64().expect("application");

    let (status, drive) = life(&app, &s, json!({"move": "archive"})).await;
    assert_eq!(status, StatusCode::OK, "{drive}");
    assert_eq!(drive["state"], "archived");

    let (_, theirs) = app.get_json("/api/v1/drives", Some(&asha)).await;
    assert!(!drive_ids(&theirs).contains(&s.drive_id), "{theirs}");
    let (_, staff) = app.get_json("/api/v1/drives", Some(&s.recruiter)).await;
    assert!(
        !drive_ids(&staff).contains(&s.drive_id),
        "staff's default list leaves it out: {staff}"
    );
    let (_, archived) = app.get_json("/api/v1/drives?state=archived", Some(&s.recruiter)).await;
    assert_eq!(drive_ids(&archived), vec![s.drive_id], "{archived}");
    let (status, bad) = app.get_json("/api/v1/drives?state=gone", Some(&s.recruiter)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    // Read-only: no edit, no decision, no invite link.
    let (status, edit) = app
        .put_json(
            &format!("/api/v1/drives/{}", s.drive_id),
            &json!({"name": "Renamed", "assessment_id": s.assessment_id}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{edit}");
    assert_eq!(edit["error"]["code"], "drive_archived");
    let (status, decided) = app
        .post_json(
            &format!("/api/v1/applications/{application}/decision"),
            &json!({"status": "rejected"}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{decided}");
    assert_eq!(decided["error"]["code"], "drive_archived");
    let (status, link) = app
        .get_json(
            &format!("/api/v1/drives/{}/invite-link", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{link}");
    let (status, _) = apply(&app, &s, &candidate(&app, "bina").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The staff page says so and offers only the way back.
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let page = recruiter.get(&format!("/drives/{}", s.drive_id)).await;
    assert!(page.body.contains("This drive is archived"), "{}", page.body);
    assert!(!page.body.contains("Edit the drive"), "{}", page.body);
    let list = recruiter.get("/drives?state=archived").await;
    assert!(list.body.contains("Open drive"), "{}", list.body);
    let current = recruiter.get("/drives").await;
    assert!(!current.body.contains("Open drive"), "{}", current.body);

    let (status, drive) = life(&app, &s, json!({"move": "restore"})).await;
    assert_eq!(status, StatusCode::OK, "{drive}");
    assert_eq!(drive["state"], "closed", "a restored drive comes back closed");
}

#[actix_web::test]
async fn archiving_from_the_drive_page_asks_first_and_says_what_it_does() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let page = recruiter.get(&format!("/drives/{}", s.drive_id)).await;
    let csrf = page.csrf();
    let path = format!("/drives/{}/state", s.drive_id);
    let ask = recruiter
        .post_form(&path, &[("csrf_token", &csrf), ("move", "archive")])
        .await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(ask.body.contains("Archive “Open drive”?"), "{}", ask.body);
    let (_, drive) = app
        .get_json(&format!("/api/v1/drives/{}", s.drive_id), Some(&s.recruiter))
        .await;
    assert_eq!(drive["state"], "open", "asking changed nothing");

    let done = recruiter
        .post_form(&path, &[("csrf_token", &csrf), ("move", "archive"), ("confirmed", "1")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = recruiter.get(done.location.as_deref().expect("location")).await;
    assert!(shown.body.contains("The drive is archived"), "{}", shown.body);
}

#[actix_web::test]
async fn editing_a_drive_saves_it_and_refuses_a_new_test_once_people_applied() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let path = format!("/api/v1/drives/{}", s.drive_id);
    let body = |name: &str, assessment: i64| {
        json!({"name": name, "description": "Analysts for a bank", "assessment_id": assessment,
               "eligibility": {"min_score_percent": 60, "domains": ["finance"]}})
    };
    let (status, drive) = app
        .put_json(&path, &body("Finance analysts", s.assessment_id), Some(&s.recruiter))
        .await;
    assert_eq!(status, StatusCode::OK, "{drive}");
    assert_eq!(drive["name"], "Finance analysts");
    assert_eq!(drive["min_score_percent"], 60.0);

    let (status, bad) = app
        .put_json(&path, &body("  ", s.assessment_id), Some(&s.recruiter))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(error_fields(&bad), vec!["name"]);

    let other = crate::attempts::assessment(
        &app,
        &s.trainer,
        json!({"title": "Other test", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
               "sections": [{"name": "Quant", "bank_id": 1, "category": "Rank/Quant", "count": 4}]}),
    )
    .await;
    let asha = candidate(&app, "asha").await;
    apply(&app, &s, &asha).await;
    let (status, refused) = app
        .put_json(&path, &body("Finance analysts", other), Some(&s.recruiter))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused), vec!["assessment_id"]);
    let (_, unchanged) = app.get_json(&path, Some(&s.recruiter)).await;
    assert_eq!(unchanged["assessment_id"], s.assessment_id, "nothing half-written");

    // The edit page shows the drive's values and saves them.
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let form = recruiter.get(&format!("/drives/{}/edit", s.drive_id)).await;
    assert!(form.body.contains("value=\"Finance analysts\""), "{}", form.body);
    let saved = recruiter
        .post_form(
            &format!("/drives/{}/edit", s.drive_id),
            &[
                ("csrf_token", &form.csrf()),
                ("name", "Finance analysts, Pune"),
                ("assessment_id", &s.assessment_id.to_string()),
                ("min_score_percent", "60"),
                ("domains", "finance"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, drive) = app.get_json(&path, Some(&s.recruiter)).await;
    assert_eq!(drive["name"], "Finance analysts, Pune");
}

#[actix_web::test]
async fn an_invite_link_brings_a_new_person_through_registration_and_sign_in_to_the_drive_to_apply() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let (status, link) = app
        .get_json(
            &format!("/api/v1/drives/{}/invite-link", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let code = link["code"].as_str().expect("code").to_string();
    assert_eq!(link["url"], format!("http://assay.test/join/{code}"));
    let (_, same) = app
        .get_json(
            &format!("/api/v1/drives/{}/invite-link", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(same["code"], code.as_str(), "asking again gives the same link");

    let mut person = app.browser();
    let landing = person.get(&format!("/join/{code}")).await;
    assert_eq!(landing.status, StatusCode::OK, "{}", landing.body);
    assert!(landing.body.contains("Open drive"), "{}", landing.body);
    let next = format!("next=%2Fjoin%2F{code}");
    assert!(landing.body.contains(&format!("/register?{next}")), "{}", landing.body);

    let register = person.get(&format!("/register?{next}")).await;
    let registered = person
        .post_form(
            "/register",
            &[
                ("csrf_token", &register.csrf()),
                ("full_name", "Ravi Kumar"),
                ("email", "ravi@example.com"),
                ("password", PASSWORD),
                ("next", &format!("/join/{code}")),
            ],
        )
        .await;
    let to_sign_in = registered.location.expect("to sign in");
    assert!(to_sign_in.contains(&next), "{to_sign_in}");
    let sign_in = person.get(&to_sign_in).await;
    let signed = person
        .post_form(
            "/signin",
            &[
                ("csrf_token", &sign_in.csrf()),
                ("email", "ravi@example.com"),
                ("password", PASSWORD),
                ("next", &format!("/join/{code}")),
            ],
        )
        .await;
    assert_eq!(signed.location.as_deref(), Some(format!("/join/{code}").as_str()));
    let back = person.get(&format!("/join/{code}")).await;
    let drive_page = back.location.expect("on to the drive");
    assert_eq!(drive_page, format!("/drives/{}", s.drive_id));
    let page = person.get(&drive_page).await;
    let applied = person
        .post_form(
            &format!("/drives/{}/apply", s.drive_id),
            &[("csrf_token", &page.csrf())],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);

    // A new link; the old one leads nowhere, with a sentence.
    let (_, renewed) = app
        .post_json(
            &format!("/api/v1/drives/{}/invite-link", s.drive_id),
            &json!({}),
            Some(&s.recruiter),
        )
        .await;
    assert_ne!(renewed["code"], code.as_str());
    let (status, gone) = app.get_json(&format!("/api/v1/drive-invites/{code}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{gone}");
    assert!(gone["error"]["message"]
        .as_str()
        .expect("message")
        .contains("ask the recruiter"));
    let code = renewed["code"].as_str().expect("code");
    let (status, drive) = app.get_json(&format!("/api/v1/drive-invites/{code}"), None).await;
    assert_eq!((status, drive["id"].as_i64()), (StatusCode::OK, Some(s.drive_id)));
}

#[actix_web::test]
async fn a_candidate_withdraws_after_confirming_and_the_application_stays_shown_as_withdrawn() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let asha = candidate(&app, "asha").await;
    let (_, applied) = apply(&app, &s, &asha).await;
    let id = applied["application_id"].as_i64().expect("id");

    let mut browser = signed_in(&app, "asha@example.com").await;
    let drive = browser.get(&format!("/drives/{}", s.drive_id)).await;
    assert!(
        drive.body.contains(&format!("/applications/{id}/withdraw")),
        "{}",
        drive.body
    );
    let confirm = browser.get(&format!("/applications/{id}/withdraw")).await;
    assert!(
        confirm.body.contains("Withdraw your application to “Open drive”?"),
        "{}",
        confirm.body
    );
    let (_, still) = app.get_json(&format!("/api/v1/applications/{id}"), Some(&asha)).await;
    assert_eq!(still["status"], "applied", "the confirmation page moved nothing");

    let done = browser
        .post_form(
            &format!("/applications/{id}/withdraw"),
            &[("csrf_token", &confirm.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = browser.get(done.location.as_deref().expect("location")).await;
    assert!(shown.body.contains("Your application is withdrawn"), "{}", shown.body);
    assert!(shown.body.contains("<strong>Withdrawn</strong>"), "{}", shown.body);

    let (_, row) = app
        .get_json(&format!("/api/v1/applications/{id}"), Some(&s.recruiter))
        .await;
    assert_eq!(row["status"], "withdrawn", "kept, not deleted: {row}");
    let letters: Vec<(String, String, String)> = {
        use assay::db::schema::notices;
        use diesel::prelude::*;
        let mut conn = app.state.pool.get().expect("conn");
        notices::table
            .filter(notices::kind.eq("withdrawn"))
            .select((notices::recipient_email, notices::subject, notices::body_text))
            .load(&mut *conn)
            .expect("notices")
    };
    assert_eq!(letters.len(), 1, "one confirmation of the withdrawal: {letters:?}");
    let (to, subject, text) = &letters[0];
    assert_eq!(to, "asha@example.com");
    assert_eq!(subject, "You withdrew your application to Open drive");
    assert!(text.contains("If this was a mistake"), "{text}");
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let staff_view = recruiter
        .get(&format!("/drives/{}/applications/{id}", s.drive_id))
        .await;
    assert!(
        staff_view.body.contains("withdrawn by the candidate"),
        "{}",
        staff_view.body
    );

    let (status, again) = app
        .post_json(&format!("/api/v1/applications/{id}/withdraw"), &json!({}), Some(&asha))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let (status, reapply) = apply(&app, &s, &asha).await;
    assert_eq!(status, StatusCode::CONFLICT, "{reapply}");
    assert!(reapply["error"]["message"]
        .as_str()
        .expect("message")
        .contains("withdrew"));

    // Nobody withdraws another person's application.
    let bina = candidate(&app, "bina").await;
    let (_, theirs) = apply(&app, &s, &bina).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/applications/{}/withdraw", theirs["application_id"]),
            &json!({}),
            Some(&asha),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
