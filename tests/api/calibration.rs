//! Calibration over HTTP: a trainer starts a 2PL calibration of graded
//! attempts, follows it to its report and accepts its parameters, which the
//! question versions then carry (and an adaptive test can use).

use std::time::{Duration, Instant};

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, assessment, bank, finance_drive, start, Drive};
use crate::helpers::{signed_in, spawn_app, TestApp};
use assay::db::Role;

/// True/false questions "Cal i." (answer true) with difficulties spread
/// over [−1.5, 1.5]; the sitters below answer them by the 2PL.
const ITEMS: usize = 6;

fn difficulty(i: usize) -> f64 {
    -1.5 + 3.0 * i as f64 / (ITEMS - 1) as f64
}

fn cal_bank() -> String {
    let mut toml = String::from("[bank]\nname = \"Calibrate me\"\ncategory = \"Aptitude/Cal\"\n");
    for i in 0..ITEMS {
        toml.push_str(&format!(
            "\n[[question]]\nid = \"cal-{i}\"\ntype = \"true_false\"\nstem = \"Cal {i}.\"\nanswer = true\n"
        ));
    }
    toml
}

/// A trainer's bank and fixed test of all six questions, with a drive.
async fn cal_drive(app: &TestApp) -> Drive {
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let bank_id = bank(app, &trainer, &cal_bank()).await;
    let assessment_id = assessment(
        app,
        &trainer,
        json!({"title": "Calibration source", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
               "sections": [{"name": "Cal", "bank_id": bank_id, "count": ITEMS}]}),
    )
    .await;
    finance_drive(app, "Cal drive", (trainer, recruiter), bank_id, assessment_id).await
}

/// A small seeded generator (64-bit LCG), uniform on [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Person `k` of `n` (ability spread over [−2, 2]) takes the test and
/// answers each question right with the 2PL's chance (a = 1.5).
async fn sit(app: &TestApp, drive: &Drive, k: usize, n: usize, rng: &mut Lcg) {
    let theta = -2.0 + 4.0 * k as f64 / (n - 1).max(1) as f64;
    let (_, token, _) = applicant(app, &format!("sitter{k}@example.com"), drive, 75.0).await;
    let (status, started) = start(app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    for q in started["questions"].as_array().expect("questions") {
        let stem = q["stem"].as_str().expect("stem");
        let i: usize = stem
            .trim_start_matches("Cal ")
            .trim_end_matches('.')
            .parse()
            .expect("item number");
        let p = 1.0 / (1.0 + (-1.5 * (theta - difficulty(i))).exp());
        let (status, body) = app
            .put_json(
                &format!("/api/v1/attempts/{attempt}/responses/{}", q["id"]),
                &json!({"answer": rng.next() < p, "seq": 1}),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let (status, body) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn sit_many(app: &TestApp, drive: &Drive, from: usize, to: usize, n: usize) {
    let mut rng = Lcg(20 + from as u64);
    for k in from..to {
        sit(app, drive, k, n, &mut rng).await;
    }
}

/// Reads calibration `id` until it is no longer running.
async fn wait_done(app: &TestApp, token: &str, id: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = app.get_json(&format!("/api/v1/calibrations/{id}"), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["calibration"]["status"] != "running" {
            return body;
        }
        assert!(Instant::now() < deadline, "still running: {body}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn versions(app: &TestApp, drive: &Drive) -> Vec<Value> {
    let (status, body) = app
        .get_json(
            &format!("/api/v1/banks/{}/questions", drive.bank_id),
            Some(&drive.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

fn adaptive_blueprint(bank_id: i64) -> Value {
    json!({"title": "Adaptive from calibration", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
           "sections": [{"name": "Cal", "bank_id": bank_id, "count": 1}],
           "adaptive": {"min_length": 2, "max_length": 5, "se_target": 0.3}})
}

const PEOPLE: usize = 60;

#[actix_web::test]
async fn a_calibration_runs_to_a_report_and_accepting_it_puts_a_and_b_on_the_versions() {
    let app = spawn_app().await;
    let drive = cal_drive(&app).await;
    sit_many(&app, &drive, 0, PEOPLE, PEOPLE).await;
    // Before: no version is calibrated, so an adaptive test over the bank is refused.
    let (status, refused) = app
        .post_json(
            "/api/v1/assessments",
            &adaptive_blueprint(drive.bank_id),
            Some(&drive.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    let (status, started) = app
        .post_json(
            "/api/v1/calibrations",
            &json!({"assessment_ids": [drive.assessment_id]}),
            Some(&drive.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["people"], PEOPLE);
    let id = started["id"].as_i64().expect("id");
    let done = wait_done(&app, &drive.trainer, id).await;
    assert_eq!(done["calibration"]["status"], "finished", "{done}");
    assert!(done["calibration"]["iteration"].as_i64().unwrap() > 0, "{done}");
    let report = &done["report"];
    assert!(
        report["dichotomised"]
            .as_str()
            .unwrap()
            .contains("partial credit counts as wrong"),
        "{report}"
    );
    let items = report["items"].as_array().expect("items");
    assert_eq!(items.len(), ITEMS, "{report}");
    // Difficulty order is recovered: the hardest question has the largest b.
    let b_of = |stem: &str| {
        items.iter().find(|i| i["stem"] == stem).expect("item")["b"]
            .as_f64()
            .expect("b")
    };
    assert!(b_of("Cal 0.") < b_of("Cal 5."), "{report}");
    for item in items {
        assert!(item["se_b"].as_f64().is_some(), "{item}");
        if item["ok"] == false {
            assert!(
                item["note"].as_str().is_some_and(|n| n.ends_with('.')),
                "a flag says why: {item}"
            );
        }
    }
    let usable = items.iter().filter(|i| i["ok"] == true).count();
    assert!(usable >= 3, "{report}");

    let (status, accepted) = app
        .post_json(
            &format!("/api/v1/calibrations/{id}/accept"),
            &json!({}),
            Some(&drive.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["versions_updated"], usable);
    assert_eq!(accepted["calibration"]["status"], "accepted");
    for v in versions(&app, &drive).await {
        let item = items
            .iter()
            .find(|i| i["version_id"] == v["version_id"])
            .expect("calibrated");
        if item["ok"] == true {
            assert_eq!(v["irt_a"], item["a"], "{v}");
            assert_eq!(v["irt_b"], item["b"], "{v}");
        } else {
            assert!(v["irt_a"].is_null(), "a flagged item is not written: {v}");
        }
    }
    // Once only.
    let (status, again) = app
        .post_json(
            &format!("/api/v1/calibrations/{id}/accept"),
            &json!({}),
            Some(&drive.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    // The versions now feed an adaptive test.
    let (status, created) = app
        .post_json(
            "/api/v1/assessments",
            &adaptive_blueprint(drive.bank_id),
            Some(&drive.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // Listed in the one paging shape, and audit-logged.
    let (status, list) = app.get_json("/api/v1/calibrations?limit=1", Some(&drive.trainer)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["id"], id);
    assert!(list["next_after"].is_null(), "{list}");
    app.staff("admin@example.com", Role::Admin).await;
    let log = signed_in(&app, "admin@example.com").await.get("/admin/audit").await;
    assert!(
        log.body.contains("calibration.accept") && log.body.contains("question.calibrate"),
        "{}",
        log.body
    );
}

#[actix_web::test]
async fn a_calibration_without_enough_graded_attempts_is_refused_with_a_sentence() {
    let app = spawn_app().await;
    let drive = cal_drive(&app).await;
    let start = |ids: Value| {
        let app = &app;
        let token = drive.trainer.clone();
        async move {
            app.post_json("/api/v1/calibrations", &json!({"assessment_ids": ids}), Some(&token))
                .await
        }
    };
    let (status, body) = start(json!([drive.assessment_id])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no graded attempts"),
        "{body}"
    );
    sit_many(&app, &drive, 0, 3, 3).await;
    let (status, body) = start(json!([drive.assessment_id])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("3 graded attempt") && message.contains("at least 50"),
        "{body}"
    );
    let (status, body) = start(json!([])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = start(json!([999_999])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("There is no assessment 999999"), "{body}");
    let (status, list) = app.get_json("/api/v1/calibrations", Some(&drive.trainer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"], json!([]), "nothing half-written: {list}");
    // A candidate may not calibrate.
    let (_, candidate) = app.candidate("nosy@example.com").await;
    let (status, _) = app
        .post_json(
            "/api/v1/calibrations",
            &json!({"assessment_ids": [drive.assessment_id]}),
            Some(&candidate),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_trainer_calibrates_on_the_pages_and_confirms_before_accepting() {
    let app = spawn_app().await;
    let drive = cal_drive(&app).await;
    sit_many(&app, &drive, 0, 3, 3).await;
    let mut browser = signed_in(&app, "trainer@example.com").await;
    let page = browser.get("/calibrations").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Calibration source") && page.body.contains("None yet"),
        "{}",
        page.body
    );
    let aid = drive.assessment_id.to_string();
    // Too few people: the form says so next to the field.
    let refused = browser
        .post_form(
            "/calibrations",
            &[("csrf_token", &page.csrf()), ("assessment_id", &aid)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("assessment_ids-error") && refused.body.contains("at least 50"),
        "{}",
        refused.body
    );
    sit_many(&app, &drive, 3, PEOPLE, PEOPLE).await;
    let page = browser.get("/calibrations").await;
    let started = browser
        .post_form(
            "/calibrations",
            &[("csrf_token", &page.csrf()), ("assessment_id", &aid)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let at = started.location.expect("location");
    let id: i64 = at.trim_start_matches("/calibrations/").parse().expect("id");
    wait_done(&app, &drive.trainer, id).await;
    let report = browser.get(&at).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    for words in [
        "Item characteristic curves",
        "Test information",
        "<polyline",
        "partial credit counts as wrong",
        "Accept the parameters",
    ] {
        assert!(report.body.contains(words), "{words}: {}", report.body);
    }
    assert!(
        !report.body.contains("http-equiv=\"refresh\""),
        "a finished report stops refreshing"
    );
    let confirm = browser.get(&format!("{at}/accept")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.body.contains("Yes, put these parameters on"),
        "{}",
        confirm.body
    );
    // Nothing is written until the confirmation is posted.
    assert!(versions(&app, &drive).await.iter().all(|v| v["irt_a"].is_null()));
    let accepted = browser
        .post_form(&format!("{at}/accept"), &[("csrf_token", &confirm.csrf())])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let after = browser.get(accepted.location.as_deref().expect("location")).await;
    assert!(after.body.contains("now carry these parameters"), "{}", after.body);
    assert!(versions(&app, &drive).await.iter().any(|v| v["irt_a"].is_number()));
}
