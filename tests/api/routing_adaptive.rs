//! A cohort exam can be adaptive: trainees take it one question at a time,
//! and routing reviews each of them within their own θ standard error.

use assay::db::{CohortId, Role, UserId};
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::adaptive::{answer_and_next, calibrated_bank};
use crate::helpers::{spawn_app, TestApp};

struct Scene {
    trainer: String,
    cohort: i64,
    exam: i64,
}

async fn scene(app: &TestApp) -> Scene {
    let (_, trainer) = app.staff("exam.trainer@example.com", Role::Trainer).await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let bank = crate::attempts::bank(app, &trainer, &calibrated_bank("Apt", 30, 1.8)).await;
    let exam = crate::attempts::assessment(
        app,
        &trainer,
        json!({"title": "Adaptive exam", "kind": "post_training", "time_limit_minutes": 30, "pass_percent": 40,
               "sections": [{"name": "Apt", "bank_id": bank, "count": 1}],
               "adaptive": {"min_length": 4, "max_length": 10, "se_target": 0.3}}),
    )
    .await;
    let (status, body) = app
        .post_json(
            "/api/v1/cohorts",
            &json!({"name": "Batch A", "starts_on": "2026-06-01", "ends_on": "2026-11-30"}),
            Some(&trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cohort = body["id"].as_i64().expect("cohort");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/cohorts/{cohort}/exams"),
            &json!({"assessment_id": exam}),
            Some(&trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (name, tier, min, seats) in [("Underwriting", "critical", 75.0, 1), ("Support", "basic", 40.0, 5)] {
        let (status, body) = app
            .post_json(
                "/api/v1/processes",
                &json!({"name": name, "client": "Acme", "track": "kpo", "tier": tier, "min_percent": min,
                        "section_minimums": {}, "seats": seats}),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    Scene { trainer, cohort, exam }
}

/// A trainee of the cohort takes the adaptive exam, answering the n-th
/// question right when `right(n)`; returns the final step.
async fn take(app: &TestApp, s: &Scene, name: &str, right: impl Fn(usize) -> bool) -> Value {
    let (id, token) = app.candidate(&format!("{name}@example.com")).await;
    let mail = assay::mail::MailContext::from(app.state.config.as_ref());
    let now = app.state.clock.now();
    let cohort = CohortId(s.cohort as i32);
    app.state
        .db(move |conn| assay::training::service::add_trainee(conn, cohort, UserId(id), None, "", now, &mail))
        .await
        .expect("trainee");
    let (status, started) = crate::attempts::start(app, &token, s.exam).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["adaptive"], true, "{started}");
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let mut question = started["questions"][0].clone();
    for n in 0..20 {
        let step = answer_and_next(app, &token, attempt, &question, right(n)).await;
        if step["finished"] == true {
            app.state.clock.advance(chrono::Duration::seconds(30));
            return step;
        }
        question = step["question"].clone();
    }
    panic!("the adaptive exam never ended");
}

#[actix_web::test]
async fn a_cohort_exam_can_be_adaptive_and_routing_uses_each_trainees_own_standard_error() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    // Strong, middling, alternating and weak answer patterns.
    take(&app, &s, "strong", |_| true).await;
    take(&app, &s, "middling", |n| n % 3 != 2).await;
    take(&app, &s, "alternating", |n| n % 2 == 0).await;
    take(&app, &s, "weak", |n| n == 0).await;
    let (status, run) = app
        .post_json(
            &format!("/api/v1/cohorts/{}/routing-runs", s.cohort),
            &json!({"assessment_id": s.exam}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let note = run["band_note"].as_str().expect("note");
    assert!(
        note.contains("adaptive exam: each trainee's own standard error"),
        "{run}"
    );
    let lines = run["assignments"].as_array().expect("lines");
    assert_eq!(lines.len(), 4, "every trainee is routed: {run}");
    // Ranked by their percent-equivalents, strongest first.
    let percents: Vec<f64> = lines.iter().map(|l| l["percent"].as_f64().expect("percent")).collect();
    assert!(percents.windows(2).all(|w| w[0] >= w[1]), "{percents:?}");
    assert!(run["band_points"].as_f64().expect("band") > 0.0, "{run}");
    for line in lines {
        let text = line["explanation"].as_str().expect("explanation");
        if line["status"] == "review" {
            assert!(text.contains("your own standard error"), "{text}");
        }
        assert!(!text.contains("default band"), "{text}");
    }
}
