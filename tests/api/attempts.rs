use assay::db::Role;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// One question of every type; keys: q-sc "25%", q-mr 0.5/0.5 on A and C,
/// q-tf true, q-num 25±0.5, q-st "npv", q-es essay.
pub const EVERY_TYPE: &str = r#"
[bank]
name = "Every type"
category = "Aptitude/Mixed"

[[question]]
id = "q-sc"
type = "single_choice"
stem = "A premium rises from 1,200 to 1,500. By what percent?"
options = ["20%", "25%", "30%", "15%"]
answer = "B"
explanation = "300 / 1,200."

[[question]]
id = "q-mr"
type = "multiple_response"
stem = "Which are liabilities?"
options = ["Loan payable", "Cash", "Creditors", "Stock"]
credit = [0.5, -0.5, 0.5, -0.5]
explanation = "Loans and creditors are owed."

[[question]]
id = "q-tf"
type = "true_false"
stem = "A loss ratio above 100% means claims exceeded premiums."
answer = true
explanation = "Claims over premiums."

[[question]]
id = "q-num"
type = "numeric"
stem = "What is 20 plus 5?"
answer = 25.0
tolerance = 0.5
explanation = "Addition."

[[question]]
id = "q-st"
type = "short_text"
stem = "Abbreviate net present value."
answers = ["NPV"]
explanation = "N, P, V."

[[question]]
id = "q-es"
type = "essay"
points = 2.0
stem = "Explain moral hazard."
explanation = "Behaviour changes once insured."
"#;

pub struct Drive {
    pub trainer: String,
    pub recruiter: String,
    pub assessment_id: i64,
    pub drive_id: i64,
    pub bank_id: i64,
}

pub async fn bank(app: &TestApp, token: &str, toml: &str) -> i64 {
    let mut res = app
        .client
        .post(app.url("/api/v1/banks/import?format=toml"))
        .bearer_auth(token)
        .send_body(toml.to_string())
        .await
        .expect("import");
    let body = crate::helpers::json_body(&mut res).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    body["bank_id"].as_i64().expect("bank id")
}

pub async fn assessment(app: &TestApp, token: &str, blueprint: Value) -> i64 {
    let (status, body) = app.post_json("/api/v1/assessments", &blueprint, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

/// A recruiter's drive over `assessment_id` for finance graduates with at
/// least 60%, with the people and bank behind it.
pub async fn finance_drive(
    app: &TestApp,
    name: &str,
    (trainer, recruiter): (String, String),
    bank_id: i64,
    assessment_id: i64,
) -> Drive {
    let (status, body) = app
        .post_json(
            "/api/v1/drives",
            &json!({"name": name, "assessment_id": assessment_id,
                    "eligibility": {"min_score_percent": 60.0, "domains": ["finance"]}}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Drive {
        trainer,
        recruiter,
        assessment_id,
        drive_id: body["id"].as_i64().expect("id"),
        bank_id,
    }
}

/// A trainer's bank of every type, a test of all six, and a recruiter's drive
/// for finance graduates with at least 60%.
pub async fn drive_with(app: &TestApp, extra: Value) -> Drive {
    drive_over(app, EVERY_TYPE, 6, extra).await
}

/// A trainer's bank from `bank_toml`, a test drawing `count` of its
/// questions (with `extra` blueprint fields), and a recruiter's drive for
/// finance graduates with at least 60%.
pub async fn drive_over(app: &TestApp, bank_toml: &str, count: usize, extra: Value) -> Drive {
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let bank_id = bank(app, &trainer, bank_toml).await;
    let mut blueprint = json!({
        "title": "Aptitude 2026", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50.0,
        "sections": [{"name": "Mixed", "bank_id": bank_id, "count": count}]
    });
    if let (Some(b), Some(e)) = (blueprint.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let assessment_id = assessment(app, &trainer, blueprint).await;
    finance_drive(app, "Finance drive", (trainer, recruiter), bank_id, assessment_id).await
}

/// A candidate with a finance profile at `score`% who applied to the drive.
pub async fn applicant(app: &TestApp, email: &str, drive: &Drive, score: f64) -> (i32, String, Value) {
    let (id, token) = app.candidate(email).await;
    let (status, _) = app
        .put_json(
            "/api/v1/me/profile",
            &json!({"score_percent": score, "domain": "finance", "degree": "B.Com"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, applied) = app
        .post_json(
            &format!("/api/v1/drives/{}/applications", drive.drive_id),
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    (id, token, applied)
}

pub async fn start(app: &TestApp, token: &str, assessment_id: i64) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/assessments/{assessment_id}/attempts"),
        &json!({}),
        Some(token),
    )
    .await
}

fn question<'a>(started: &'a Value, stem_start: &str) -> &'a Value {
    started["questions"]
        .as_array()
        .and_then(|qs| {
            qs.iter()
                .find(|q| q["stem"].as_str().is_some_and(|s| s.starts_with(stem_start)))
        })
        .unwrap_or_else(|| panic!("no question starting {stem_start}"))
}

fn option_id(q: &Value, text: &str) -> i64 {
    q["options"]
        .as_array()
        .and_then(|os| os.iter().find(|o| o["text"] == text))
        .and_then(|o| o["id"].as_i64())
        .unwrap_or_else(|| panic!("no option {text}"))
}

async fn save(app: &TestApp, token: &str, attempt: i64, question: i64, answer: Value, seq: i64) -> StatusCode {
    app.put_json(
        &format!("/api/v1/attempts/{attempt}/responses/{question}"),
        &json!({"answer": answer, "seq": seq}),
        Some(token),
    )
    .await
    .0
}

/// Answers every auto-graded question right; the essay gets text.
async fn answer_all_right(app: &TestApp, token: &str, started: &Value) {
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let sc = question(started, "A premium");
    let mr = question(started, "Which are");
    let answers = [
        (sc["id"].as_i64(), json!(option_id(sc, "25%"))),
        (
            mr["id"].as_i64(),
            json!([option_id(mr, "Loan payable"), option_id(mr, "Creditors")]),
        ),
        (question(started, "A loss ratio")["id"].as_i64(), json!(true)),
        (question(started, "What is 20")["id"].as_i64(), json!(25.2)),
        (question(started, "Abbreviate")["id"].as_i64(), json!("  npv ")),
        (
            question(started, "Explain")["id"].as_i64(),
            json!("People take more risk once insured."),
        ),
    ];
    for (q, answer) in answers {
        assert_eq!(
            save(app, token, attempt, q.expect("id"), answer, 1).await,
            StatusCode::NO_CONTENT
        );
    }
}

#[actix_web::test]
async fn the_whole_flow_grades_every_question_type_and_waits_for_the_essay() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"shuffle_questions": true, "shuffle_options": true})).await;
    let (_, token, applied) = applicant(&app, "asha@example.com", &drive, 72.0).await;
    assert_eq!(applied["eligible"], true);
    let (status, started) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["questions"].as_array().map(Vec::len), Some(6));
    answer_all_right(&app, &token, &started).await;
    let attempt = started["attempt_id"].as_i64().expect("id");

    let (status, result) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(
        result["status"], "awaiting_marking",
        "the essay waits for a trainer: {result}"
    );
    assert_eq!(result["percent"], Value::Null);

    let essay = question(&started, "Explain")["id"].as_i64().expect("id");
    let status = app
        .post_json(
            &format!("/api/v1/attempts/{attempt}/essays/{essay}"),
            &json!({"score": 1.5}),
            Some(&drive.trainer),
        )
        .await
        .0;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    let result = &view["result"];
    assert_eq!(result["status"], "graded", "{view}");
    assert_eq!(result["score"], 6.5);
    assert_eq!(result["max_score"], 7.0);
    assert_eq!(result["passed"], true);
    assert_eq!(
        result["percentile"],
        Value::Null,
        "alone in the population: too few people for a percentile to mean anything"
    );
    assert_eq!(result["sections"][0]["name"], "Mixed");
    assert!(view["deadline"].as_str().is_some_and(|d| d.ends_with('Z')));
}

#[actix_web::test]
async fn wrong_answers_score_zero_and_negative_marking_takes_its_fraction() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"negative_marking": 0.25})).await;
    let (_, token, _) = applicant(&app, "ravi@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    let sc = question(&started, "A premium");
    save(
        &app,
        &token,
        attempt,
        sc["id"].as_i64().expect("id"),
        json!(option_id(sc, "30%")),
        1,
    )
    .await;
    let tf = question(&started, "A loss ratio")["id"].as_i64().expect("id");
    save(&app, &token, attempt, tf, json!(false), 1).await;
    let (_, result) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(result["status"], "graded", "a blank essay needs no marking: {result}");
    assert_eq!(result["score"], -0.5, "two wrong answers at a quarter point each");
    assert_eq!(result["passed"], false);
}

#[actix_web::test]
async fn a_stale_seq_is_refused_and_a_newer_one_wins() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "meera@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    let q = question(&started, "What is 20")["id"].as_i64().expect("id");
    assert_eq!(
        save(&app, &token, attempt, q, json!(25), 5).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        save(&app, &token, attempt, q, json!(99), 3).await,
        StatusCode::CONFLICT,
        "an older seq is refused as stale"
    );
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["responses"][0]["answer"], 25);
    assert_eq!(view["responses"][0]["seq"], 5);
    assert_eq!(
        save(&app, &token, attempt, q, json!(24), 6).await,
        StatusCode::NO_CONTENT
    );
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["responses"][0]["answer"], 24);
}

#[actix_web::test]
async fn a_save_after_the_deadline_and_grace_is_refused_and_the_sweeper_grades_the_attempt() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"time_limit_minutes": 10, "grace_seconds": 30})).await;
    let (_, token, _) = applicant(&app, "late@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    let q = question(&started, "What is 20")["id"].as_i64().expect("id");
    save(&app, &token, attempt, q, json!(25), 1).await;

    app.state
        .clock
        .advance(chrono::Duration::minutes(10) + chrono::Duration::seconds(20));
    assert_eq!(
        save(&app, &token, attempt, q, json!(26), 2).await,
        StatusCode::NO_CONTENT,
        "within grace"
    );
    app.state.clock.advance(chrono::Duration::seconds(20));
    let (status, body) = app
        .put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{q}"),
            &json!({"answer": 27, "seq": 3}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Time is up"));

    let effects = app.state.effects();
    let now = app.state.clock.now();
    let graded = app
        .state
        .db(move |conn| assay::attempts::grading::sweep(conn, now, &effects))
        .await
        .expect("sweep");
    assert_eq!(graded, 1);
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["status"], "graded", "{view}");
    assert_eq!(view["result"]["score"], 0.0, "26 is outside 25±0.5; 27 was never saved");
}

#[actix_web::test]
async fn submitting_twice_gives_one_result_and_later_saves_are_409() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "twice@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    let (_, first) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    app.state.clock.advance(chrono::Duration::seconds(5));
    let (status, second) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first, second);
    let q = question(&started, "What is 20")["id"].as_i64().expect("id");
    assert_eq!(save(&app, &token, attempt, q, json!(25), 9).await, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn starting_again_resumes_the_open_attempt_and_the_limit_is_enforced() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"max_attempts": 1})).await;
    let (_, token, _) = applicant(&app, "resume@example.com", &drive, 80.0).await;
    let (status, first) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, again) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["attempt_id"], first["attempt_id"]);
    assert_eq!(again["questions"], first["questions"], "the same form comes back");
    let attempt = first["attempt_id"].as_i64().expect("id");
    app.post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    let (status, body) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("all 1 attempt"));
}

#[actix_web::test]
async fn the_window_is_enforced() {
    let app = spawn_app().await;
    let opens = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let drive = drive_with(&app, json!({"opens_at": opens})).await;
    let (_, token, _) = applicant(&app, "early@example.com", &drive, 80.0).await;
    let (status, body) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("opens at"));
    app.state.clock.advance(chrono::Duration::hours(2));
    assert_eq!(start(&app, &token, drive.assessment_id).await.0, StatusCode::CREATED);
}

#[actix_web::test]
async fn eligibility_is_decided_from_the_profile_with_a_plain_reason() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, applied) = applicant(&app, "low@example.com", &drive, 58.0).await;
    assert_eq!(applied["eligible"], false);
    assert_eq!(applied["reason"], "Your 58% is below this drive's minimum of 60%.");
    let (status, body) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an ineligible applicant cannot take the test: {body}"
    );
    // After raising the profile score, applying again checks the same application anew.
    app.put_json(
        "/api/v1/me/profile",
        &json!({"score_percent": 64.0, "domain": "finance", "degree": "B.Com"}),
        Some(&token),
    )
    .await;
    let (status, again) = app
        .post_json(
            &format!("/api/v1/drives/{}/applications", drive.drive_id),
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["application_id"], applied["application_id"]);
    assert_eq!(again["eligible"], true);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/drives/{}/applications", drive.drive_id),
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an eligible application is not made twice"
    );
}

#[actix_web::test]
async fn a_candidate_cannot_read_or_write_another_persons_attempt() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, owner, _) = applicant(&app, "owner@example.com", &drive, 80.0).await;
    let (_, other, _) = applicant(&app, "other@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &owner, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    let q = question(&started, "What is 20")["id"].as_i64().expect("id");
    assert_eq!(
        app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&other))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(save(&app, &other, attempt, q, json!(1), 1).await, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&other))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&drive.recruiter))
            .await
            .0,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn no_candidate_visible_response_contains_a_key() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "keys@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    answer_all_right(&app, &token, &started).await;
    let (_, before) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    let (_, result) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    let (_, after) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    let (_, public) = app
        .get_json(&format!("/api/v1/assessments/{}", drive.assessment_id), Some(&token))
        .await;
    for body in [&started, &before, &result, &after, &public] {
        let text = body.to_string();
        for leak in [
            "credit",
            "explanation",
            "tolerance",
            "\"answers\"",
            "300 / 1,200",
            "Addition.",
            "is_key",
        ] {
            assert!(!text.contains(leak), "{leak} leaked in {text}");
        }
    }
    assert_eq!(
        app.get_json(&format!("/api/v1/banks/{}/questions", drive.bank_id), Some(&token))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn an_accommodation_factor_lengthens_the_deadline() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"time_limit_minutes": 40})).await;
    let (id, token, _) = applicant(&app, "factor@example.com", &drive, 80.0).await;
    let status = app
        .put_json(
            &format!("/api/v1/users/{id}/accommodation"),
            &json!({"factor": 1.25, "reason": "medical"}),
            Some(&drive.recruiter),
        )
        .await
        .0;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let deadline =
        chrono::DateTime::parse_from_rfc3339(started["deadline"].as_str().expect("deadline")).expect("rfc3339");
    let now = chrono::DateTime::parse_from_rfc3339(started["server_now"].as_str().expect("now")).expect("rfc3339");
    assert_eq!((deadline - now).num_minutes(), 50);
}

#[actix_web::test]
async fn extending_an_open_attempt_is_for_staff_and_answers_its_new_deadline() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"time_limit_minutes": 40})).await;
    let (_, token, _) = applicant(&app, "extend@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt id");
    let path = format!("/api/v1/attempts/{attempt}/extend");
    let body = json!({"minutes": 10, "reason": "Power cut at the test centre"});

    let (status, refused) = app.post_json(&path, &body, Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the candidate cannot extend: {refused}");

    let (status, extended) = app.post_json(&path, &body, Some(&drive.recruiter)).await;
    assert_eq!(status, StatusCode::OK, "{extended}");
    assert_eq!(
        extended.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["deadline".to_string()]),
        "{extended}"
    );
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time")).expect("rfc3339");
    assert_eq!(
        (time(&extended["deadline"]) - time(&started["deadline"])).num_minutes(),
        10
    );
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(
        view["deadline"], extended["deadline"],
        "the attempt keeps the new deadline"
    );
}

#[actix_web::test]
async fn a_blueprint_the_bank_cannot_fill_is_refused_naming_the_section_and_shortfall() {
    let app = spawn_app().await;
    let (_, trainer) = app.staff("t@example.com", Role::Trainer).await;
    let bank_id = bank(&app, &trainer, EVERY_TYPE).await;
    let (status, body) = app
        .post_json(
            "/api/v1/assessments",
            &json!({"title": "Too big", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
                    "sections": [{"name": "Quant", "bank_id": bank_id, "count": 8, "difficulty_mix": {"easy": 0, "medium": 3, "hard": 5}}]}),
            Some(&trainer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["error"]["details"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Section 'Quant' needs 5 hard questions") && message.contains("5 short"),
        "{message}"
    );
}

#[actix_web::test]
async fn grading_moves_the_application_to_tested_and_queues_the_result_notice() {
    use assay::db::schema::{applications, notices};
    use diesel::prelude::*;
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"show_score": false})).await;
    let (_, token, applied) = applicant(&app, "notice@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    app.post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    let mut conn = app.state.pool.get().expect("conn");
    let app_id = applied["application_id"].as_i64().expect("id") as i32;
    let status: String = applications::table
        .find(app_id)
        .select(applications::status)
        .first(&mut *conn)
        .expect("app");
    assert_eq!(status, "tested");
    let kinds: Vec<(String, String)> = notices::table
        .filter(notices::recipient_email.eq("notice@example.com"))
        .select((notices::kind, notices::body_text))
        .order(notices::id.asc())
        .load(&mut *conn)
        .expect("notices");
    let kinds_only: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds_only, vec!["welcome", "application_received", "test_result"]);
    assert!(
        kinds[2].1.contains("We will be in touch"),
        "show_score false hides the score: {}",
        kinds[2].1
    );
}

#[actix_web::test]
async fn resuming_after_a_server_restart_on_the_same_database_keeps_every_saved_answer() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({"shuffle_questions": true, "shuffle_options": true})).await;
    let (_, token, _) = applicant(&app, "restart@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    answer_all_right(&app, &token, &started).await;
    let attempt = started["attempt_id"].as_i64().expect("id");
    let (_, before) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;

    let app = app.restart();
    let (status, resumed) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::OK, "the open attempt resumes: {resumed}");
    assert_eq!(resumed["attempt_id"], attempt);
    assert_eq!(
        resumed["questions"], started["questions"],
        "the same form, options in the same order"
    );
    let (_, after) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(after["responses"].as_array().map(Vec::len), Some(6));
    assert_eq!(after["responses"], before["responses"]);
}

#[actix_web::test]
async fn an_application_with_an_unknown_stored_status_is_an_error_not_a_final_state() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, _, applied) = applicant(&app, "unknown-status@example.com", &drive, 80.0).await;
    let application = applied["application_id"].as_i64().expect("id");
    let (_, recruiter) = app.staff("recruiter-unknown@example.com", Role::Recruiter).await;
    {
        // `applications.status` has no CHECK constraint: only the column type
        // stands between a stray value and the pipeline.
        let mut conn = app.state.pool.get().expect("conn");
        diesel::sql_query(format!(
            "UPDATE applications SET status = 'paused' WHERE id = {application}"
        ))
        .execute(&mut *conn)
        .expect("a status nobody defined");
    }
    let (status, body) = app
        .post_json(
            &format!("/api/v1/applications/{application}/decision"),
            &json!({"status": "rejected"}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let mut conn = app.state.pool.get().expect("conn");
    let stored: String = assay::db::schema::applications::table
        .find(application as i32)
        .select(assay::db::schema::applications::status)
        .first(&mut *conn)
        .expect("the row");
    assert_eq!(stored, "paused", "the refused read changed nothing");
}
