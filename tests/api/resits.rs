//! A way back after a failed exam: a trainee routed to retrain is told what
//! happens next, a trainer opens re-sits (one trainee, or everyone routed to
//! retrain, after a confirmation page), the email and the page say the same,
//! and a better score on the re-sit moves the trainee up in the next run.

use assay::db::schema::notices;
use awc::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{signed_in, spawn_app, TestApp};
use crate::routing::{run, scene, sit, trainee, Scene};

fn line(run: &Value, trainee: i64) -> Value {
    run["assignments"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["trainee_id"] == trainee))
        .cloned()
        .unwrap_or_else(|| panic!("no line for {trainee}: {run}"))
}

async fn publish(app: &TestApp, s: &Scene, run: &Value) {
    let id = run["run_id"].as_i64().expect("run");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/routing-runs/{id}/publish"),
            &json!({}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The plain text of the re-sit emails queued for `email`.
fn resit_emails(app: &TestApp, email: &str) -> Vec<String> {
    let mut conn = app.state.pool.get().expect("conn");
    notices::table
        .filter(notices::kind.eq("resit_opened"))
        .filter(notices::recipient_email.eq(email))
        .select(notices::body_text)
        .load(&mut *conn)
        .expect("notices")
}

/// The "What happens next" sentence on a Training page.
fn next_step(page: &str) -> String {
    let marker = "<strong>What happens next:</strong> ";
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no next step on the page:\n{page}"))
        + marker.len();
    let end = page[start..].find("</p>").expect("end") + start;
    page[start..end].to_string()
}

#[actix_web::test]
async fn a_trainee_routed_to_retrain_resits_the_exam_and_a_better_score_moves_them_up() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    let (tara, _) = trainee(&app, &s, "Tara", 4, 4).await; // 100%: Underwriting
    let (vic, vic_token) = trainee(&app, &s, "Vic", 2, 1).await; // 37.5%: below every process
    let first = run(&app, &s).await;
    assert_eq!(line(&first, vic)["status"], "retrain", "{first}");
    publish(&app, &s, &first).await;

    // Vic's page says what happens next; a start is refused with the same sentence.
    let mut vic_browser = signed_in(&app, "vic@example.com").await;
    let before = next_step(&vic_browser.get("/training").await.body);
    assert!(before.contains("Your trainer will open a re-sit"), "{before}");
    let (status, refused) = crate::attempts::start(&app, &vic_token, s.exam).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"]["code"], "attempts_used");
    assert_eq!(refused["error"]["message"], before.as_str());
    let routed: Vec<String> = {
        let mut conn = app.state.pool.get().expect("conn");
        notices::table
            .filter(notices::kind.eq("routing_decision"))
            .filter(notices::recipient_email.eq("vic@example.com"))
            .select(notices::body_text)
            .load(&mut *conn)
            .expect("notices")
    };
    assert!(
        routed[0].contains(&before),
        "the routing email says what the page says:\n{}",
        routed[0]
    );

    // The trainer opens re-sits for everyone routed to retrain: Vic only.
    let (status, plan) = app
        .post_json(
            &format!("/api/v1/cohorts/{}/exams/{}/resits", s.cohort, s.exam),
            &json!({"routed_to_retrain": true, "days": 7}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let lines = plan["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 1, "only Vic was routed to retrain: {plan}");
    assert_eq!(lines[0]["trainee_id"], vic);
    assert!(lines[0]["skipped_because"].is_null());

    // The email and the page agree.
    let page = next_step(&vic_browser.get("/training").await.body);
    assert!(page.starts_with("Your trainer opened a re-sit"), "{page}");
    let emails = resit_emails(&app, "vic@example.com");
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0].contains(&page),
        "the email says what the page says:\n{}\n---\n{page}",
        emails[0]
    );
    assert!(
        resit_emails(&app, "tara@example.com").is_empty(),
        "Tara was placed: no re-sit"
    );

    // Vic re-sits, scores 87.5%, and a new run places them in Claims.
    sit(&app, &s, &vic_token, 4, 3).await;
    let (status, again) = crate::attempts::start(&app, &vic_token, s.exam).await;
    assert_eq!(status, StatusCode::CONFLICT, "the re-sit is used: {again}");
    let second = run(&app, &s).await;
    let moved = line(&second, vic);
    assert_eq!(moved["status"], "assigned", "{moved}");
    assert_eq!(moved["process_id"].as_i64(), Some(s.processes[1]), "{moved}");
    assert_eq!(line(&second, tara)["process_id"].as_i64(), Some(s.processes[0]));
}

#[actix_web::test]
async fn a_resit_is_refused_with_a_reason_when_nobody_needs_one() {
    let app = spawn_app().await;
    let s = scene(&app, 2).await;
    let (uma, _) = trainee(&app, &s, "Uma", 1, 1).await; // 25%, with one attempt left
    let path = format!("/api/v1/cohorts/{}/exams/{}/resits", s.cohort, s.exam);

    let (status, body) = app
        .post_json(&path, &json!({"routed_to_retrain": true}), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_published_run");

    let (status, body) = app
        .post_json(&path, &json!({"trainee_id": uma}), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("can still take the exam"), "{message}");

    let (status, body) = app
        .post_json(
            &path,
            &json!({"trainee_id": uma, "routed_to_retrain": true}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post_json(&path, &json!({"trainee_id": uma, "days": 90}), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(crate::helpers::error_fields(&body), vec!["days"]);
    let (status, _) = app
        .post_json(&path, &json!({"trainee_id": 999999}), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let uma_token = app.sign_in("uma@example.com", crate::helpers::PASSWORD).await;
    let (status, _) = app
        .post_json(&path, &json!({"trainee_id": uma}), Some(&uma_token))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a trainee cannot open their own re-sit");
    assert!(
        resit_emails(&app, "uma@example.com").is_empty(),
        "nothing was half-written"
    );
}

#[actix_web::test]
async fn a_trainer_confirms_on_a_page_who_gets_a_resit_before_it_is_opened() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    let (_, vic_token) = trainee(&app, &s, "Vic", 1, 1).await;
    publish(&app, &s, &run(&app, &s).await).await;
    let mut trainer = signed_in(&app, "exam.trainer@example.com").await;

    let cohort = trainer.get(&format!("/cohorts/{}", s.cohort)).await;
    assert!(
        cohort.body.contains("Open a re-sit of Underwriting exam"),
        "{}",
        cohort.body
    );
    let confirm = trainer
        .get(&format!(
            "/cohorts/{}/exams/{}/resits?who=retrain&days=3",
            s.cohort, s.exam
        ))
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm.body.contains("Test Candidate") && confirm.body.contains("Yes, open 1 re-sit(s)"),
        "{}",
        confirm.body
    );
    assert!(
        resit_emails(&app, "vic@example.com").is_empty(),
        "nothing is sent before confirming"
    );

    let done = trainer
        .post_form(
            &format!("/cohorts/{}/exams/{}/resits", s.cohort, s.exam),
            &[("csrf_token", &confirm.csrf()), ("who", "retrain"), ("days", "3")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(resit_emails(&app, "vic@example.com").len(), 1);
    let (status, started) = crate::attempts::start(&app, &vic_token, s.exam).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");

    let bad = trainer
        .get(&format!(
            "/cohorts/{}/exams/{}/resits?who=retrain&days=soon",
            s.cohort, s.exam
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("is not a number of days"), "{}", bad.body);
}

#[actix_web::test]
async fn with_firm_timezone_kolkata_the_page_and_the_email_show_ist() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.firm_zone = assay::zone::FirmZone::parse("Asia/Kolkata").expect("zone");
    })
    .await;
    let s = scene(&app, 1).await;
    let (vic, _) = trainee(&app, &s, "Vic", 1, 1).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/cohorts/{}/exams/{}/resits", s.cohort, s.exam),
            &json!({"trainee_id": vic}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let email = resit_emails(&app, "vic@example.com").remove(0);
    assert!(email.contains(" IST (Asia/Kolkata)"), "{email}");

    let page = signed_in(&app, "vic@example.com").await.get("/training").await.body;
    assert!(next_step(&page).contains(" IST (Asia/Kolkata)"), "{page}");
    assert!(
        page.contains("data-zone=\"Asia/Kolkata\">") && page.contains(" IST</time>"),
        "the submitted time is a <time> in IST:\n{page}"
    );
    assert!(!page.contains("UTC"), "no time on the page is in UTC:\n{page}");
}
