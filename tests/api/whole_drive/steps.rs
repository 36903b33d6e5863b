//! The steps of the whole drive, each a small call over HTTP that checks
//! its own answer, and the readers of the outbox and the received emails.

use std::collections::HashMap;

use assay::db::schema::notices;
use awc::http::StatusCode;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};
use crate::interviews::rfc3339;
use crate::notices::sink::Received;
use crate::rankings::{finance, Setup};

/// One candidate as the test follows them.
pub(super) struct Candidate {
    pub email: String,
    pub token: String,
    pub application: i64,
}

pub(super) fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

pub(super) fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Registers `name` with a finance profile at `score`% and applies to the
/// drive; returns the candidate and what applying answered.
pub(super) async fn registers_and_applies(app: &TestApp, s: &Setup, name: &str, score: f64) -> (Candidate, Value) {
    let email = format!("{}@example.com", name.to_lowercase());
    let (status, body) = app
        .post_json(
            "/api/v1/candidates",
            &json!({"email": email, "password": PASSWORD, "full_name": name}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = app.sign_in(&email, PASSWORD).await;
    let (status, body) = app.put_json("/api/v1/me/profile", &finance(score), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, applied) = app
        .post_json(
            &format!("/api/v1/drives/{}/applications", s.drive_id),
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let application = applied["application_id"].as_i64().expect("application id");
    let candidate = Candidate {
        email,
        token,
        application,
    };
    (candidate, applied)
}

/// Starts the drive's test, saves `right` of its eight answers right and
/// the rest wrong, submits, and returns the graded percent.
pub(super) async fn takes_the_test(app: &TestApp, s: &Setup, c: &Candidate, right: usize) -> f64 {
    let (status, started) = crate::attempts::start(app, &c.token, s.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let questions = started["questions"].as_array().expect("questions");
    assert_eq!(questions.len(), 8, "{started}");
    for (i, q) in questions.iter().enumerate() {
        let id = q["id"].as_i64().expect("question id");
        // Every statement in the bank is true.
        let (status, body) = app
            .put_json(
                &format!("/api/v1/attempts/{attempt}/responses/{id}"),
                &json!({"answer": i < right, "seq": 1}),
                Some(&c.token),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let (status, result) = app
        .post_json(
            &format!("/api/v1/attempts/{attempt}/submit"),
            &json!({}),
            Some(&c.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["status"], "graded", "{result}");
    result["percent"].as_f64().expect("a percent")
}

/// A recruiter's move of one application, which must be accepted.
pub(super) async fn decide(app: &TestApp, s: &Setup, id: i64, body: Value) -> Value {
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &body,
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body} → {answer}");
    answer
}

/// A hiring decision on a proposal, which must be accepted.
pub(super) async fn hiring_decision(app: &TestApp, s: &Setup, id: i64, body: Value) -> Value {
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/applications/{id}/hiring-decision"),
            &body,
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body} → {answer}");
    answer
}

/// Publishes a slot with `panel` as its interviewers; returns its id.
pub(super) async fn publishes(app: &TestApp, s: &Setup, starts: NaiveDateTime, capacity: i32, panel: &[i32]) -> i64 {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/drives/{}/interview-slots", s.drive_id),
            &json!({"starts_at": rfc3339(starts), "minutes": 45, "place": "Room 4, Tower B",
                    "video_link": "", "interviewer_ids": panel, "capacity": capacity}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("slot id")
}

/// Places taken in each slot, as the recruiter's slot list says.
pub(super) async fn booked_places(app: &TestApp, s: &Setup) -> HashMap<i64, i64> {
    let (status, slots) = app
        .get_json(
            &format!("/api/v1/drives/{}/interview-slots", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{slots}");
    slots["items"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|slot| {
            (
                slot["id"].as_i64().expect("id"),
                slot["booked"].as_i64().expect("booked"),
            )
        })
        .collect()
}

/// The candidate's one interview, as they see it.
pub(super) async fn my_interview(app: &TestApp, c: &Candidate) -> Value {
    let (status, mine) = app.get_json("/api/v1/me/interviews", Some(&c.token)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1), "{mine}");
    mine["items"][0].clone()
}

/// The drive's proposals, by application id.
pub(super) async fn proposals(app: &TestApp, s: &Setup) -> HashMap<i64, Value> {
    let (status, page) = app
        .get_json(&format!("/api/v1/drives/{}/proposals", s.drive_id), Some(&s.recruiter))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|row| (row["application_id"].as_i64().expect("id"), row.clone()))
        .collect()
}

/// One email as received: its recipients, subject, and every part decoded.
pub(super) struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub raw: String,
}

pub(super) fn mails(received: &[Received]) -> Vec<Mail> {
    received
        .iter()
        .map(|mail| {
            let parsed = mail.parsed();
            Mail {
                to: mail.rcpt_tos.join(","),
                subject: parsed.subject().unwrap_or_default().to_string(),
                text: parsed
                    .parts
                    .iter()
                    .map(|part| String::from_utf8_lossy(part.contents()).into_owned())
                    .collect::<Vec<_>>()
                    .join("\n"),
                raw: String::from_utf8_lossy(&mail.raw).into_owned(),
            }
        })
        .collect()
}

/// Every stored notice: (kind, recipient, status, subject, text, html).
pub(super) type Stored = (String, String, String, String, String, String);

pub(super) fn outbox(app: &TestApp) -> Vec<Stored> {
    let mut conn = app.state.pool.get().expect("conn");
    notices::table
        .order(notices::id)
        .select((
            notices::kind,
            notices::recipient_email,
            notices::status,
            notices::subject,
            notices::body_text,
            notices::body_html,
        ))
        .load::<(String, String, assay::db::NoticeStatus, String, String, String)>(&mut *conn)
        .expect("notices")
        .into_iter()
        .map(|(kind, to, status, subject, text, html)| (kind, to, status.to_string(), subject, text, html))
        .collect()
}
