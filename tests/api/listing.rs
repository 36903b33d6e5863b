//! Every API list answers `{items, next_after}` and its pages, followed from
//! the first to the last, hold every row exactly once.

use assay::db::Role;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, assessment, bank, drive_with};
use crate::helpers::{spawn_app, TestApp};
use crate::rankings::rank_bank;
use crate::routing::{run, scene, trainee};

/// Follows `next_after` from the first page to the last, `limit` rows a
/// page, and returns each row's `key` in the order the pages gave them.
async fn walk(app: &TestApp, path: &str, token: &str, limit: usize, key: &str) -> Vec<i64> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let url = match &after {
            None => format!("{path}{sep}limit={limit}"),
            Some(a) => format!("{path}{sep}limit={limit}&after={a}"),
        };
        let (status, body) = app.get_json(&url, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        let items = body["items"].as_array().expect("items");
        assert!(items.len() <= limit, "{url} gave {} rows", items.len());
        out.extend(items.iter().map(|i| i[key].as_i64().expect(key)));
        match body["next_after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => return out,
        }
    }
    panic!("{path} never reached its last page");
}

/// The pages of `path` at `limit` rows hold exactly the rows of `expected`,
/// each once.
async fn pages_hold_exactly(app: &TestApp, path: &str, token: &str, limit: usize, key: &str, expected: &[i64]) {
    let mut seen = walk(app, path, token, limit, key).await;
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "{path}: a row was repeated: {seen:?}");
    seen.sort_unstable();
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(seen, expected, "{path}");
}

async fn created(app: &TestApp, path: &str, body: Value, token: &str) -> i64 {
    let (status, body) = app.post_json(path, &body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

#[actix_web::test]
async fn drive_application_and_assessment_lists_page_over_every_row_once() {
    let app = spawn_app().await;
    let d = drive_with(&app, json!({})).await;
    let mut drives = vec![d.drive_id];
    for n in 0..4 {
        let body = json!({"name": format!("Drive {n}"), "assessment_id": d.assessment_id});
        drives.push(created(&app, "/api/v1/drives", body, &d.recruiter).await);
    }
    pages_hold_exactly(&app, "/api/v1/drives", &d.recruiter, 2, "id", &drives).await;
    let filtered = format!("/api/v1/drives?assessment_id={}", d.assessment_id);
    pages_hold_exactly(&app, &filtered, &d.recruiter, 3, "id", &drives).await;

    let mut applications = Vec::new();
    let mut candidates = Vec::new();
    for n in 0..5 {
        let (id, token, applied) = applicant(&app, &format!("c{n}@example.com"), &d, 70.0).await;
        applications.push(applied["application_id"].as_i64().expect("application"));
        candidates.push((i64::from(id), token));
    }
    let of_drive = format!("/api/v1/drives/{}/applications", d.drive_id);
    pages_hold_exactly(&app, &of_drive, &d.recruiter, 2, "id", &applications).await;
    let (first, first_token) = &candidates[0];
    let of_candidate = format!("/api/v1/applications?candidate_id={first}");
    pages_hold_exactly(&app, &of_candidate, &d.recruiter, 2, "id", &applications[..1]).await;
    // A candidate asking for everyone's applications gets their own.
    pages_hold_exactly(&app, "/api/v1/applications", first_token, 2, "id", &applications[..1]).await;
    let other = format!("/api/v1/applications/{}", applications[1]);
    assert_eq!(app.get_json(&other, Some(first_token)).await.0, StatusCode::NOT_FOUND);

    let mut assessments = vec![d.assessment_id];
    for n in 0..2 {
        let blueprint = json!({"title": format!("Test {n}"), "kind": "aptitude", "time_limit_minutes": 30,
            "pass_percent": 50.0, "sections": [{"name": "Mixed", "bank_id": d.bank_id, "count": 2}]});
        assessments.push(assessment(&app, &d.trainer, blueprint).await);
    }
    pages_hold_exactly(&app, "/api/v1/assessments", &d.trainer, 2, "id", &assessments).await;
}

#[actix_web::test]
async fn bank_question_user_and_audit_lists_page_over_every_row_once() {
    let app = spawn_app().await;
    let d = drive_with(&app, json!({})).await;
    let second = bank(&app, &d.trainer, &rank_bank()).await;
    pages_hold_exactly(&app, "/api/v1/banks", &d.trainer, 1, "id", &[d.bank_id, second]).await;
    let questions = format!("/api/v1/banks/{second}/questions");
    let all = walk(&app, &questions, &d.trainer, 200, "id").await;
    assert!(all.len() > 3, "{all:?}");
    pages_hold_exactly(&app, &questions, &d.trainer, 3, "id", &all).await;

    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let mut candidates = Vec::new();
    for n in 0..4 {
        candidates.push(i64::from(app.candidate(&format!("u{n}@example.com")).await.0));
    }
    pages_hold_exactly(&app, "/api/v1/users?role=candidate", &admin, 3, "id", &candidates).await;
    let everyone = walk(&app, "/api/v1/users", &admin, 200, "id").await;
    assert_eq!(everyone.len(), candidates.len() + 3, "three staff and the candidates");
    pages_hold_exactly(&app, "/api/v1/users", &admin, 2, "id", &everyone).await;

    let log = walk(&app, "/api/v1/audit-log", &admin, 200, "id").await;
    assert!(log.len() > 2, "creating banks, a test and a drive is audited: {log:?}");
    pages_hold_exactly(&app, "/api/v1/audit-log", &admin, 2, "id", &log).await;
    let (status, _) = app.get_json("/api/v1/audit-log", Some(&d.recruiter)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn cohort_trainee_process_and_run_lists_page_over_every_row_once() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    let mut cohorts = vec![s.cohort];
    for n in 0..2 {
        let body = json!({"name": format!("Batch {n}"), "starts_on": "2026-06-01", "ends_on": "2026-11-30"});
        cohorts.push(created(&app, "/api/v1/cohorts", body, &s.trainer).await);
    }
    pages_hold_exactly(&app, "/api/v1/cohorts", &s.trainer, 2, "id", &cohorts).await;
    pages_hold_exactly(&app, "/api/v1/processes", &s.admin, 3, "id", &s.processes).await;
    let acme = "/api/v1/processes?client=Acme%20Insurance";
    pages_hold_exactly(&app, acme, &s.admin, 3, "id", &s.processes).await;
    pages_hold_exactly(&app, "/api/v1/processes?client=Nobody", &s.admin, 3, "id", &[]).await;

    let mut trainees = Vec::new();
    for name in ["Asha", "Bala", "Chitra"] {
        trainees.push(trainee(&app, &s, name, 3, 3).await.0);
    }
    let of_cohort = format!("/api/v1/cohorts/{}/trainees", s.cohort);
    pages_hold_exactly(&app, &of_cohort, &s.trainer, 2, "user_id", &trainees).await;
    let first = run(&app, &s).await["run_id"].as_i64().expect("run id");
    let second = run(&app, &s).await["run_id"].as_i64().expect("run id");
    let runs = format!("/api/v1/routing-runs?cohort_id={}", s.cohort);
    pages_hold_exactly(&app, &runs, &s.trainer, 1, "id", &[first, second]).await;
    pages_hold_exactly(&app, "/api/v1/routing-runs?status=published", &s.trainer, 1, "id", &[]).await;
}

#[actix_web::test]
async fn a_cursor_the_api_did_not_hand_out_is_refused_with_a_reason() {
    let app = spawn_app().await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    for path in [
        "/api/v1/users?after=abc",
        "/api/v1/drives?after=1;drop",
        "/api/v1/notices?after=x",
    ] {
        let (status, body) = app.get_json(path, Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(body.to_string().contains("next_after"), "{path}: {body}");
    }
}
