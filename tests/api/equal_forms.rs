//! Every form of one test is worth the same: candidates ranked together sat
//! equal forms, and a start the bank can no longer fill that way is refused.

use assay::db::Role;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, assessment, bank, finance_drive, start, Drive};
use crate::helpers::{spawn_app, TestApp};

/// Sixteen questions: eight easy worth 1, four medium worth 2, four hard
/// worth 3, so a free draw of eight could total anything from 9 to 22. The
/// kinds are interleaved in bank order, so one place of a form (a draw
/// index in bank order) holds a 1-point question on one form and a 3-point
/// one on another.
pub fn mixed_bank() -> String {
    let mut toml = String::from("[bank]\nname = \"Mixed worth\"\ncategory = \"Aptitude/Mixed\"\n");
    let kinds = [("easy", 1.0), ("easy", 1.0), ("medium", 2.0), ("hard", 3.0)];
    for i in 0..16 {
        let (difficulty, points) = kinds[i % 4];
        toml.push_str(&format!(
            "\n[[question]]\nid = \"q-{i}\"\ntype = \"true_false\"\ndifficulty = \"{difficulty}\"\n\
             points = {points:.1}\nstem = \"Statement {difficulty} {i}.\"\nanswer = true\n"
        ));
    }
    toml
}

/// A trainer's test over the mixed bank, with the sections `sections(bank_id)`
/// gives, and a recruiter's drive that uses it.
pub async fn drive_of(app: &TestApp, sections: impl Fn(i64) -> Value) -> Drive {
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let bank_id = bank(app, &trainer, &mixed_bank()).await;
    let assessment_id = assessment(
        app,
        &trainer,
        json!({"title": "Equal forms", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
               "shuffle_questions": true, "sections": sections(bank_id)}),
    )
    .await;
    finance_drive(app, "Finance drive", (trainer, recruiter), bank_id, assessment_id).await
}

fn form_shape(started: &Value) -> (f64, Vec<i64>) {
    let questions = started["questions"].as_array().expect("questions");
    let total = questions.iter().filter_map(|q| q["points"].as_f64()).sum();
    let mut ids: Vec<i64> = questions.iter().filter_map(|q| q["id"].as_i64()).collect();
    ids.sort();
    (total, ids)
}

#[actix_web::test]
async fn every_candidate_of_one_test_gets_a_form_of_the_same_total() {
    let app = spawn_app().await;
    let drive = drive_of(
        &app,
        |bank_id| json!([{"name": "Mixed", "bank_id": bank_id, "count": 8}]),
    )
    .await;
    let mut totals = Vec::new();
    let mut forms = Vec::new();
    for i in 0..12 {
        let (_, token, _) = applicant(&app, &format!("c{i}@example.com"), &drive, 75.0).await;
        let (status, started) = start(&app, &token, drive.assessment_id).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let (total, ids) = form_shape(&started);
        assert_eq!(ids.len(), 8, "{started}");
        totals.push(total);
        forms.push(ids);
    }
    // The pool's own mix, 8:4:4 of 16, is 4 easy, 2 medium, 2 hard: 14 points.
    assert!(totals.iter().all(|t| *t == 14.0), "totals {totals:?}");
    forms.dedup();
    assert!(forms.len() > 1, "the forms still differ in which questions they hold");
}

#[actix_web::test]
async fn a_start_the_bank_can_no_longer_fill_equally_is_refused_with_a_sentence() {
    let app = spawn_app().await;
    let drive = drive_of(&app, |bank_id| {
        json!([{"name": "Core", "bank_id": bank_id, "count": 3,
                "difficulty_mix": {"easy": 0, "medium": 0, "hard": 3}}])
    })
    .await;
    let (bank_id, trainer) = (drive.bank_id, drive.trainer.clone());
    let (status, questions) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(&trainer))
        .await;
    assert_eq!(status, StatusCode::OK, "{questions}");
    let hard: Vec<i64> = questions["items"]
        .as_array()
        .expect("questions")
        .iter()
        .filter(|q| q["stem"].as_str().is_some_and(|s| s.starts_with("Statement hard")))
        .filter_map(|q| q["version_id"].as_i64())
        .collect();
    assert_eq!(hard.len(), 4);
    // Two of the four hard questions go: three are needed, two are left.
    for version in &hard[..2] {
        let (status, body) = app
            .post_json(
                &format!("/api/v1/question-versions/{version}/quarantine"),
                &json!({"reason": "Ambiguous"}),
                Some(&trainer),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, token, _) = applicant(&app, "late@example.com", &drive, 75.0).await;
    let (status, refused) = start(&app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Section 'Core' needs 3 hard questions worth 3 points; the bank has 2."),
        "{message}"
    );
    assert!(message.contains("worth the same points"), "{message}");
}
