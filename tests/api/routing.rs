use assay::db::Role;
use assay::db::{CohortId, UserId};
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

pub struct Scene {
    pub trainer: String,
    pub admin: String,
    pub cohort: i64,
    pub exam: i64,
    pub processes: Vec<i64>,
}

pub async fn scene(app: &TestApp, max_attempts: i32) -> Scene {
    let (_, trainer) = app.staff("exam.trainer@example.com", Role::Trainer).await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let bank = crate::attempts::bank(app, &trainer, &crate::rankings::rank_bank()).await;
    let exam = crate::attempts::assessment(
        app,
        &trainer,
        json!({"title": "Underwriting exam", "kind": "post_training", "time_limit_minutes": 30, "pass_percent": 50,
               "max_attempts": max_attempts,
               "sections": [{"name": "Quant", "bank_id": bank, "category": "Rank/Quant", "count": 4},
                            {"name": "Verbal", "bank_id": bank, "category": "Rank/Verbal", "count": 4}]}),
    )
    .await;
    let (status, body) = app
        .post_json(
            "/api/v1/cohorts",
            &json!({"name": "Batch 7", "starts_on": "2026-06-01", "ends_on": "2026-11-30"}),
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
    let mut processes = Vec::new();
    for (name, tier, min, minimums, seats) in [
        ("Underwriting", "critical", 85.0, json!({"Quant": 100.0}), 1),
        ("Claims", "complex", 70.0, json!({}), 1),
        ("Policy admin", "standard", 60.0, json!({}), 2),
        ("Support", "basic", 50.0, json!({}), 5),
    ] {
        let (status, body) = app
            .post_json(
                "/api/v1/processes",
                &json!({"name": name, "client": "Acme Insurance", "track": "kpo", "tier": tier, "min_percent": min,
                        "section_minimums": minimums, "seats": seats}),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        processes.push(body["id"].as_i64().expect("id"));
    }
    Scene {
        trainer,
        admin,
        cohort,
        exam,
        processes,
    }
}

/// A trainee of the cohort who takes the exam with `quant` and `verbal` right.
pub async fn trainee(app: &TestApp, s: &Scene, name: &str, quant: usize, verbal: usize) -> (i64, String) {
    let email = format!("{}@example.com", name.to_lowercase());
    let (id, token) = app.candidate(&email).await;
    let mail = assay::mail::MailContext::from(app.state.config.as_ref());
    let now = app.state.clock.now();
    let cohort = CohortId(s.cohort as i32);
    app.state
        .db(move |conn| assay::training::service::add_trainee(conn, cohort, UserId(id), None, "", now, &mail))
        .await
        .expect("trainee");
    sit(app, s, &token, quant, verbal).await;
    (i64::from(id), token)
}

pub async fn sit(app: &TestApp, s: &Scene, token: &str, quant: usize, verbal: usize) {
    let (status, started) = crate::attempts::start(app, token, s.exam).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let (mut q, mut v) = (quant, verbal);
    for question in started["questions"].as_array().expect("questions") {
        let quant_item = question["section"] == "Quant";
        let right = if quant_item { q > 0 } else { v > 0 };
        if quant_item {
            q = q.saturating_sub(1)
        } else {
            v = v.saturating_sub(1)
        }
        let id = question["id"].as_i64().expect("id");
        app.put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{id}"),
            &json!({"answer": right, "seq": 1}),
            Some(token),
        )
        .await;
    }
    let (status, _) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK);
    app.state.clock.advance(chrono::Duration::seconds(30));
}

pub async fn run(app: &TestApp, s: &Scene) -> Value {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/cohorts/{}/routing-runs", s.cohort),
            &json!({"assessment_id": s.exam, "tie_break_sections": ["Quant"]}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn line(run: &Value, trainee: i64) -> &Value {
    run["assignments"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["trainee_id"] == trainee))
        .unwrap_or_else(|| panic!("no line for {trainee}"))
}

#[actix_web::test]
async fn a_run_places_by_rank_tier_cutoffs_and_seats_and_explains_each_line() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    let (t1, _) = trainee(&app, &s, "Tara", 4, 4).await; // 100%
    let (t2, _) = trainee(&app, &s, "Uma", 3, 4).await; // 87.5%, Quant 75%: misses Underwriting's section minimum
    let (t3, _) = trainee(&app, &s, "Vik", 3, 3).await; // 75%: Claims is full
    let (t4, _) = trainee(&app, &s, "Wen", 4, 2).await; // 75%, Quant tie-break above Vik
    let (t5, _) = trainee(&app, &s, "Xia", 2, 3).await; // 62.5%
    let (t6, _) = trainee(&app, &s, "Yan", 1, 2).await; // 37.5%: failed
    let r = run(&app, &s).await;
    let [uw, claims, policy, support] = [s.processes[0], s.processes[1], s.processes[2], s.processes[3]];
    let expect = [
        (t1, 1, "assigned", Some(uw)),
        (t2, 2, "assigned", Some(claims)),
        (t4, 3, "assigned", Some(policy)),
        (t3, 4, "assigned", Some(policy)),
        (t5, 5, "assigned", Some(support)),
        (t6, 6, "retrain", None),
    ];
    for (trainee, rank, status, process) in expect {
        let l = line(&r, trainee);
        assert_eq!(l["rank"], rank, "{l}");
        assert_eq!(l["status"], status, "{l}");
        assert_eq!(l["process_id"].as_i64(), process, "{l}");
        let explanation = l["explanation"].as_str().unwrap_or_default();
        assert!(
            explanation.starts_with(&format!("Ranked {rank} of 6 at ")),
            "{explanation}"
        );
    }
    assert!(
        line(&r, t2)["explanation"]
            .as_str()
            .unwrap_or_default()
            .contains("Quant"),
        "the section miss is named: {}",
        line(&r, t2)
    );
    assert!(
        line(&r, t3)["explanation"]
            .as_str()
            .unwrap_or_default()
            .contains("full"),
        "the full tier is named: {}",
        line(&r, t3)
    );
    assert!(
        line(&r, t6)["explanation"]
            .as_str()
            .unwrap_or_default()
            .contains("re-exam"),
        "{}",
        line(&r, t6)
    );
    assert!(
        r["band_note"].as_str().unwrap_or_default().contains("default band"),
        "fewer than 20 attempts: {}",
        r["band_note"]
    );
}

#[actix_web::test]
async fn a_near_miss_within_the_band_is_a_review_that_keeps_its_seat_until_a_person_decides() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    // A critical process at 76%: 75% is 1 point short, inside the 3-point default band.
    let (status, body) = app
        .post_json("/api/v1/processes", &json!({"name": "Claims plus", "client": "Acme", "track": "kpo", "tier": "critical", "min_percent": 76, "seats": 3}), Some(&s.admin))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let claims_plus = body["id"].as_i64().expect("id");
    let (near, _) = trainee(&app, &s, "Near", 3, 3).await; // 75%
    let r = run(&app, &s).await;
    let l = line(&r, near);
    assert_eq!(l["status"], "review", "{l}");
    assert_eq!(l["review_process_id"].as_i64(), Some(claims_plus), "{l}");
    let held = l["process_id"].as_i64().expect("holds the seat it qualifies for");
    let run_id = r["run_id"].as_i64().expect("run");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/publish"),
            &json!({}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "reviews must be resolved first: {body}");
    let (status, resolved) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/overrides"),
            &json!({"trainee_id": near, "process_id": claims_plus, "reason": "Strong claims work in training"}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    let l = line(&resolved, near);
    assert_eq!(
        (l["status"].as_str(), l["process_id"].as_i64()),
        (Some("assigned"), Some(claims_plus))
    );
    assert_ne!(held, claims_plus);
    assert_eq!(l["override_reason"], "Strong claims work in training");
}

#[actix_web::test]
async fn publishing_freezes_the_run_queues_one_notice_per_trainee_and_seats_carry_to_later_runs() {
    use assay::db::schema::notices;
    use diesel::prelude::*;
    let app = spawn_app().await;
    let s = scene(&app, 2).await;
    let (t1, _) = trainee(&app, &s, "Tara", 4, 4).await;
    let (t2, t2_token) = trainee(&app, &s, "Uma", 4, 2).await; // 75%: Claims
    let (t3, t3_token) = trainee(&app, &s, "Vik", 2, 3).await; // 62.5%: Policy admin
    let r = run(&app, &s).await;
    let run_id = r["run_id"].as_i64().expect("run");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/publish"),
            &json!({}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/publish"),
            &json!({}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a published run is frozen");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/overrides"),
            &json!({"trainee_id": t1, "process_id": null, "reason": "x"}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    {
        let mut conn = app.state.pool.get().expect("conn");
        let routing: i64 = notices::table
            .filter(notices::kind.eq("routing_decision"))
            .count()
            .get_result(&mut *conn)
            .expect("count");
        assert_eq!(routing, 3, "one notice per trainee");
    }

    // Re-exams: Vik improves to 100% (Underwriting is held by Tara, Claims by Uma: no seat up there);
    // Uma does worse and keeps Claims.
    sit(&app, &s, &t3_token, 4, 4).await;
    sit(&app, &s, &t2_token, 1, 1).await;
    let again = run(&app, &s).await;
    assert_eq!(
        line(&again, t1)["process_id"].as_i64(),
        Some(s.processes[0]),
        "Tara keeps Underwriting"
    );
    assert_eq!(
        line(&again, t2)["process_id"].as_i64(),
        Some(s.processes[1]),
        "nobody moves down: {}",
        line(&again, t2)
    );
    assert_eq!(
        line(&again, t3)["process_id"].as_i64(),
        Some(s.processes[2]),
        "no higher seat is free: {}",
        line(&again, t3)
    );

    // A new Claims-tier seat opens: the next run promotes Vik into it.
    let (status, body) = app
        .post_json("/api/v1/processes", &json!({"name": "Claims east", "client": "Acme", "track": "kpo", "tier": "complex", "min_percent": 70, "seats": 1}), Some(&s.admin))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let east = body["id"].as_i64().expect("id");
    let promoted = run(&app, &s).await;
    let l = line(&promoted, t3);
    assert_eq!(l["process_id"].as_i64(), Some(east), "{l}");
    assert_eq!(l["previous_process_id"].as_i64(), Some(s.processes[2]));
}

#[actix_web::test]
async fn hiring_into_a_cohort_makes_a_trainee_who_may_take_its_exam_and_a_second_add_is_409() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    let drive = crate::attempts::drive_with(&app, json!({})).await;
    let (candidate, token, applied) = crate::attempts::applicant(&app, "hire@example.com", &drive, 80.0).await;
    let app_id = applied["application_id"].as_i64().expect("id");
    let (_, started) = crate::attempts::start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    app.post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    for status in ["shortlisted_kpo"] {
        let (code, body) = app
            .post_json(
                &format!("/api/v1/applications/{app_id}/decision"),
                &json!({"status": status}),
                Some(&drive.recruiter),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
    }
    let (code, body) = app
        .post_json(
            &format!("/api/v1/applications/{app_id}/decision"),
            &json!({"status": "hired", "cohort_id": s.cohort}),
            Some(&drive.recruiter),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let (code, _) = crate::attempts::start(&app, &token, s.exam).await;
    assert_eq!(
        code,
        StatusCode::CREATED,
        "the same account now takes the post-training exam"
    );
    let (code, body) = app
        .post_json(
            &format!("/api/v1/cohorts/{}/trainees", s.cohort),
            &json!({"candidate_id": candidate}),
            Some(&drive.recruiter),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
}
