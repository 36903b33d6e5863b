//! Adaptive tests over HTTP: one question at a time, each chosen by the
//! server from a calibrated pool, until the standard error of θ reaches its
//! target or the test its maximum length.

use std::collections::HashMap;

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, assessment, bank, finance_drive, start, Drive};
use crate::helpers::{spawn_app, TestApp};
use assay::db::Role;

/// A bank of `n` calibrated single-choice questions in `category`: the
/// right option is always "alpha", slopes `a` and difficulties spread
/// evenly over [−2, 2].
pub fn calibrated_bank(name: &str, n: usize, a: f64) -> String {
    let mut toml = format!("[bank]\nname = \"{name}\"\ncategory = \"Aptitude/{name}\"\n");
    for i in 0..n {
        let b = if n > 1 {
            -2.0 + 4.0 * i as f64 / (n - 1) as f64
        } else {
            0.0
        };
        toml.push_str(&format!(
            "\n[[question]]\nid = \"{name}-{i}\"\ntype = \"single_choice\"\nstem = \"{name} question {i}: pick one.\"\n\
             options = [\"alpha\", \"beta\", \"gamma\"]\nanswer = \"A\"\nexplanation = \"Secret reason {i}.\"\n\
             irt_a = {a}\nirt_b = {b}\n"
        ));
    }
    toml
}

/// A trainer's calibrated banks (one per section: name, size, weight), an
/// adaptive test over them with `rules`, and a recruiter's drive using it.
pub async fn adaptive_drive(app: &TestApp, sections: &[(&str, usize, u32)], rules: Value) -> Drive {
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let mut blueprint_sections = Vec::new();
    let mut bank_id = 0;
    for (name, size, weight) in sections {
        bank_id = bank(app, &trainer, &calibrated_bank(name, *size, 1.8)).await;
        blueprint_sections.push(json!({"name": name, "bank_id": bank_id, "count": weight}));
    }
    let blueprint = json!({
        "title": "Adaptive aptitude", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50.0,
        "sections": blueprint_sections, "adaptive": rules,
    });
    let assessment_id = assessment(app, &trainer, blueprint).await;
    finance_drive(app, "Adaptive drive", (trainer, recruiter), bank_id, assessment_id).await
}

/// The option id of "alpha" (right) or of another option (wrong).
fn choice(question: &Value, right: bool) -> i64 {
    question["options"]
        .as_array()
        .and_then(|os| os.iter().find(|o| (o["text"] == "alpha") == right))
        .and_then(|o| o["id"].as_i64())
        .expect("an option")
}

/// Saves an answer to `question` and presses next; returns the step.
pub async fn answer_and_next(app: &TestApp, token: &str, attempt: i64, question: &Value, right: bool) -> Value {
    let id = question["id"].as_i64().expect("question id");
    let (status, body) = app
        .put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{id}"),
            &json!({"answer": choice(question, right), "seq": 1}),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, step) = app
        .post_json(
            &format!("/api/v1/attempts/{attempt}/next"),
            &json!({"question_id": id}),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    step
}

/// Takes the whole test, answering by `right(number, stem)`; returns every
/// question shown, in order, and the final step.
async fn take(
    app: &TestApp,
    token: &str,
    drive: &Drive,
    mut right: impl FnMut(usize, &str) -> bool,
) -> (i64, Vec<Value>, Value) {
    let (status, started) = start(app, token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["adaptive"], true);
    let questions = started["questions"].as_array().expect("questions");
    assert_eq!(questions.len(), 1, "one question at a time: {started}");
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let mut shown = vec![questions[0].clone()];
    loop {
        let current = shown.last().expect("a question").clone();
        let step = answer_and_next(
            app,
            token,
            attempt,
            &current,
            right(shown.len(), current["stem"].as_str().unwrap_or("")),
        )
        .await;
        if step["finished"] == true {
            return (attempt, shown, step);
        }
        assert!(shown.len() < 300, "the test never ended");
        shown.push(step["question"].clone());
    }
}

fn section_of(q: &Value) -> String {
    q["section"].as_str().expect("section").to_string()
}

#[actix_web::test]
async fn an_adaptive_test_stops_once_the_standard_error_reaches_its_target() {
    let app = spawn_app().await;
    let drive = adaptive_drive(
        &app,
        &[("Numerical", 40, 1)],
        json!({"min_length": 3, "max_length": 30, "se_target": 0.45}),
    )
    .await;
    let (_, token, _) = applicant(&app, "precise@example.com", &drive, 80.0).await;
    let (_, shown, end) = take(&app, &token, &drive, |n, _| n % 2 == 1).await;
    let ability = &end["result"]["ability"];
    let se = ability["standard_error"].as_f64().expect("se");
    assert!(se <= 0.45, "stopped at SE {se}: {end}");
    assert!(shown.len() >= 3 && shown.len() < 30, "{} questions", shown.len());
    assert_eq!(ability["questions"], shown.len());
    assert!(ability["stopped"].as_str().expect("stopped").contains("precise enough"));
    let explanation = ability["how_reached"].as_str().expect("explanation");
    assert!(explanation.contains("standard error") && explanation.contains("percent-equivalent"));
    let theta = ability["theta"].as_f64().expect("theta");
    assert_eq!(ability["scale_score"], (500.0 + 100.0 * theta).round() as i64);
    let percent = end["result"]["percent"].as_f64().expect("percent");
    assert!(percent > 0.0 && percent < 100.0);
    assert_eq!(end["result"]["passed"], percent >= 50.0);
    assert_eq!(end["result"]["max_score"], 100.0);

    // A target no test of this length can reach: the maximum length ends it.
    let strict = adaptive_drive_again(
        &app,
        &drive,
        json!({"min_length": 2, "max_length": 6, "se_target": 0.05}),
    )
    .await;
    let (_, token, _) = applicant(&app, "strict@example.com", &strict, 80.0).await;
    let (_, shown, end) = take(&app, &token, &strict, |_, _| true).await;
    assert_eq!(shown.len(), 6);
    assert!(end["result"]["ability"]["stopped"]
        .as_str()
        .expect("stopped")
        .contains("maximum length"));
}

/// A second adaptive test and drive over the first one's bank.
async fn adaptive_drive_again(app: &TestApp, first: &Drive, rules: Value) -> Drive {
    let blueprint = json!({
        "title": "Adaptive aptitude 2", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50.0,
        "sections": [{"name": "Numerical", "bank_id": first.bank_id, "count": 1}], "adaptive": rules,
    });
    let assessment_id = assessment(app, &first.trainer, blueprint).await;
    let (status, body) = app
        .post_json(
            "/api/v1/drives",
            &json!({"name": "Second drive", "assessment_id": assessment_id,
                    "eligibility": {"min_score_percent": 60.0, "domains": ["finance"]}}),
            Some(&first.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Drive {
        trainer: first.trainer.clone(),
        recruiter: first.recruiter.clone(),
        assessment_id,
        drive_id: body["id"].as_i64().expect("id"),
        bank_id: first.bank_id,
    }
}

#[actix_web::test]
async fn an_adaptive_test_balances_sections_by_their_weights() {
    let app = spawn_app().await;
    let drive = adaptive_drive(
        &app,
        &[("Numerical", 20, 2), ("Verbal", 20, 1)],
        json!({"min_length": 9, "max_length": 9, "se_target": 0.3}),
    )
    .await;
    let (_, token, _) = applicant(&app, "balance@example.com", &drive, 80.0).await;
    let (_, shown, _) = take(&app, &token, &drive, |n, _| n % 3 != 0).await;
    let numerical = shown.iter().filter(|q| section_of(q) == "Numerical").count();
    assert_eq!((numerical, shown.len() - numerical), (6, 3), "2 : 1 by weight");
    // And never more than one question ahead of the target share on the way.
    for k in 1..=shown.len() {
        let n = shown[..k].iter().filter(|q| section_of(q) == "Numerical").count() as f64;
        assert!((n - 2.0 * k as f64 / 3.0).abs() <= 1.0, "after {k}: {n} numerical");
    }
}

#[actix_web::test]
async fn no_question_is_shown_to_more_than_the_exposure_cap_of_candidates() {
    let app = spawn_app().await;
    // Always the single most informative question (randomesque 1), so only
    // the cap keeps the first question from going to everyone.
    let drive = adaptive_drive(
        &app,
        &[("Numerical", 16, 1)],
        json!({"min_length": 3, "max_length": 3, "exposure_cap": 0.25, "randomesque": 1}),
    )
    .await;
    let candidates = 24;
    let mut shown: HashMap<String, usize> = HashMap::new();
    for i in 0..candidates {
        let (_, token, _) = applicant(&app, &format!("exposed{i}@example.com"), &drive, 80.0).await;
        let (_, questions, _) = take(&app, &token, &drive, |n, _| (n + i) % 2 == 0).await;
        for q in questions {
            *shown.entry(q["stem"].as_str().expect("stem").to_string()).or_default() += 1;
        }
    }
    let most = shown.values().copied().max().expect("some shown");
    assert!(
        most as f64 <= 0.25 * candidates as f64,
        "a question went to {most} of {candidates}: {shown:?}"
    );
    assert!(shown.len() >= 12, "the cap spread the tests over the pool: {shown:?}");
}

#[actix_web::test]
async fn an_adaptive_test_resumes_after_a_restart_mid_test_where_it_was() {
    let app = spawn_app().await;
    let drive = adaptive_drive(&app, &[("Numerical", 30, 1)], json!({"min_length": 6, "max_length": 6})).await;
    let (_, token, _) = applicant(&app, "resume@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let mut current = started["questions"][0].clone();
    for _ in 0..2 {
        current = answer_and_next(&app, &token, attempt, &current, true).await["question"].clone();
    }
    // The third question's answer is saved, not yet final.
    let id = current["id"].as_i64().expect("id");
    let (status, _) = app
        .put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{id}"),
            &json!({"answer": choice(&current, false), "seq": 5}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let app = app.restart();
    let (status, resumed) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert_eq!(resumed["attempt_id"], attempt);
    assert_eq!(
        resumed["questions"],
        json!([current.clone()]),
        "the same question, options in the same order"
    );
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    let saved = view["responses"].as_array().expect("responses");
    assert!(saved
        .iter()
        .any(|r| r["question_id"] == id && r["answer"] == choice(&current, false)));
    let mut step = json!({});
    for _ in 0..4 {
        let (status, next) = app
            .post_json(
                &format!("/api/v1/attempts/{attempt}/next"),
                &json!({"question_id": current["id"]}),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{next}");
        step = next;
        if step["finished"] == true {
            break;
        }
        current = step["question"].clone();
        let qid = current["id"].as_i64().expect("id");
        app.put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{qid}"),
            &json!({"answer": choice(&current, true), "seq": 1}),
            Some(&token),
        )
        .await;
    }
    assert_eq!(step["finished"], true, "{step}");
    assert_eq!(step["result"]["ability"]["questions"], 6);
}

#[actix_web::test]
async fn adaptive_answers_are_final_and_no_key_or_parameter_reaches_the_candidate() {
    let app = spawn_app().await;
    let drive = adaptive_drive(&app, &[("Numerical", 20, 1)], json!({"min_length": 3, "max_length": 3})).await;
    let (_, token, _) = applicant(&app, "final@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let first = started["questions"][0].clone();
    let (_, skipped) = app
        .post_json(
            &format!("/api/v1/attempts/{attempt}/next"),
            &json!({"question_id": first["id"]}),
            Some(&token),
        )
        .await;
    assert!(
        skipped["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Answer this question"),
        "{skipped}"
    );
    let step = answer_and_next(&app, &token, attempt, &first, true).await;
    let (status, locked) = app
        .put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{}", first["id"]),
            &json!({"answer": choice(&first, false), "seq": 9}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{locked}");
    assert!(locked.to_string().contains("does not go back"), "{locked}");
    let (_, during) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(
        during["questions"].as_array().map(Vec::len),
        Some(1),
        "only the current question: {during}"
    );
    let second = step["question"].clone();
    let last = answer_and_next(&app, &token, attempt, &second, false).await;
    let end = answer_and_next(&app, &token, attempt, &last["question"], true).await;
    let (_, after) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    let (_, public) = app
        .get_json(&format!("/api/v1/assessments/{}", drive.assessment_id), Some(&token))
        .await;
    for body in [&started, &step, &during, &last, &end, &after, &public] {
        let text = body.to_string();
        for leak in [
            "Secret reason",
            "explanation",
            "irt_a",
            "irt_b",
            "\"a\":",
            "\"b\":",
            "is_key",
            "credit",
        ] {
            assert!(!text.contains(leak), "{leak} leaked in {text}");
        }
    }
    for body in [&started, &step, &during, &last] {
        assert!(!body.to_string().contains("theta"), "θ is not shown mid-test: {body}");
    }
}

#[actix_web::test]
async fn two_next_presses_at_once_give_one_next_question() {
    let app = spawn_app().await;
    let drive = adaptive_drive(&app, &[("Numerical", 20, 1)], json!({"min_length": 5, "max_length": 5})).await;
    let (_, token, _) = applicant(&app, "twice@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let first = started["questions"][0].clone();
    let id = first["id"].as_i64().expect("id");
    app.put_json(
        &format!("/api/v1/attempts/{attempt}/responses/{id}"),
        &json!({"answer": choice(&first, true), "seq": 1}),
        Some(&token),
    )
    .await;
    let path = format!("/api/v1/attempts/{attempt}/next");
    let body = json!({"question_id": id});
    let both = futures_util::future::join_all([
        app.post_json(&path, &body, Some(&token)),
        app.post_json(&path, &body, Some(&token)),
    ])
    .await;
    let (a, b) = (&both[0], &both[1]);
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} {}", a.1, b.1);
    assert_eq!(a.1["question"], b.1["question"], "one next question, not two");
    let (_, staff_view) = app
        .get_json(&format!("/api/v1/attempts/{attempt}"), Some(&drive.trainer))
        .await;
    assert_eq!(staff_view["questions"].as_array().map(Vec::len), Some(1));
    // Submitting early grades what was answered.
    let (_, result) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(result["ability"]["questions"], 1, "{result}");
    assert!(result["ability"]["stopped"]
        .as_str()
        .expect("stopped")
        .contains("submitted"));
    let (_, graded) = app
        .get_json(&format!("/api/v1/attempts/{attempt}"), Some(&drive.trainer))
        .await;
    assert_eq!(
        graded["questions"].as_array().map(Vec::len),
        Some(2),
        "both questions shown: {graded}"
    );
}

#[actix_web::test]
async fn an_adaptive_blueprint_over_an_uncalibrated_bank_is_refused_naming_the_section() {
    let app = spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let plain = bank(&app, &trainer, crate::attempts::EVERY_TYPE).await;
    let calibrated = bank(&app, &trainer, &calibrated_bank("Numerical", 4, 1.2)).await;
    let (status, body) = app
        .post_json(
            "/api/v1/assessments",
            &json!({"title": "A", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50.0,
                    "sections": [{"name": "Plain", "bank_id": plain, "count": 1},
                                 {"name": "Numbers", "bank_id": calibrated, "count": 1}],
                    "adaptive": {"min_length": 2, "max_length": 4}}),
            Some(&trainer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("Section 'Plain' has no calibrated questions"),
        "{body}"
    );
    let (status, body) = app
        .post_json(
            "/api/v1/assessments",
            &json!({"title": "A", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50.0,
                    "sections": [{"name": "Numbers", "bank_id": calibrated, "count": 1}],
                    "adaptive": {"min_length": 5, "max_length": 10, "se_target": 0}}),
            Some(&trainer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let text = body.to_string();
    assert!(text.contains("standard-error target"), "{text}");
}
