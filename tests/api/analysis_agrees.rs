//! The item analysis agrees with itself: with forms drawn at random from a
//! pool, the summary, the histogram and the results list on one report tell
//! the same story, and questions too few people answered are not judged.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, start};
use crate::equal_forms::drive_of;
use crate::helpers::TestApp;

/// Starts the test for a new applicant, answers `right` of the form's
/// questions correctly and the rest wrongly, and submits.
async fn sit(app: &TestApp, drive: &crate::attempts::Drive, email: &str, right: usize) {
    let (_, token, _) = applicant(app, email, drive, 75.0).await;
    let (status, started) = start(app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let questions = started["questions"].as_array().expect("questions");
    for (i, q) in questions.iter().enumerate() {
        let id = q["id"].as_i64().expect("id");
        let (status, body) = app
            .put_json(
                &format!("/api/v1/attempts/{attempt}/responses/{id}"),
                &json!({"answer": i < right, "seq": 1}),
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

fn round1(x: f64) -> String {
    format!("{x:.1}")
}

fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

#[actix_web::test]
async fn the_summary_the_histogram_and_the_results_list_agree_with_forms_from_a_pool() {
    let app = crate::helpers::spawn_app().await;
    // Six of sixteen questions worth 1, 2 or 3 points: one slot holds a
    // 1-point question on one form and a 3-point one on another.
    let drive = drive_of(
        &app,
        |bank_id| json!([{"name": "Mixed", "bank_id": bank_id, "count": 6}]),
    )
    .await;
    for (i, right) in [0, 1, 2, 3, 4, 5, 6, 2, 5].into_iter().enumerate() {
        sit(&app, &drive, &format!("sitter{i}@example.com"), right).await;
    }
    let (status, report) = app
        .get_json(
            &format!("/api/v1/assessments/{}/item-analysis", drive.assessment_id),
            Some(&drive.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let results = report["results"].as_array().expect("results");
    assert_eq!(results.len(), 9, "{report}");
    assert_eq!(report["test"]["n"], 9);
    let mut percents: Vec<f64> = results
        .iter()
        .map(|r| r["percent"].as_f64().expect("percent"))
        .collect();
    for r in results {
        let own = 100.0 * r["score"].as_f64().expect("score") / r["max_score"].as_f64().expect("max");
        assert!((own - r["percent"].as_f64().expect("percent")).abs() < 1e-6, "{r}");
    }
    percents.sort_by(f64::total_cmp);
    let mean = percents.iter().sum::<f64>() / 9.0;
    let test = &report["test"];
    assert_eq!(
        round1(test["mean_percent"].as_f64().expect("mean")),
        round1(mean),
        "{test}"
    );
    assert_eq!(
        round1(test["median_percent"].as_f64().expect("median")),
        round1(median(&percents)),
        "{test}"
    );
    let sd = (percents.iter().map(|p| (p - mean) * (p - mean)).sum::<f64>() / 8.0).sqrt();
    assert_eq!(round1(test["sd_percent"].as_f64().expect("sd")), round1(sd), "{test}");
    let mut bands = vec![0i64; 10];
    for p in &percents {
        bands[((p / 10.0).floor() as usize).min(9)] += 1;
    }
    let histogram: Vec<i64> = report["distribution"]
        .as_array()
        .expect("distribution")
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    assert_eq!(histogram, bands, "{report}");

    // The page shows the same figures, rounded as it rounds them.
    let mut browser = crate::notices::signed_in(&app, "trainer@example.com").await;
    let page = browser
        .get(&format!("/assessments/{}/report", drive.assessment_id))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("{} %", round1(mean))), "mean on the page");
    for p in &percents {
        assert!(
            page.body.contains(&format!("<td class=\"num\">{} %</td>", round1(*p))),
            "result {p} listed"
        );
    }
}

#[actix_web::test]
async fn questions_fewer_than_thirty_people_answered_say_not_enough_responses_instead_of_flags() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_of(
        &app,
        |bank_id| json!([{"name": "Mixed", "bank_id": bank_id, "count": 16}]),
    )
    .await;
    // Everyone gets every question right: with enough answers, all would be "too easy".
    for i in 0..4 {
        sit(&app, &drive, &format!("early{i}@example.com"), 16).await;
    }
    let path = format!("/api/v1/assessments/{}/item-analysis", drive.assessment_id);
    let (status, report) = app.get_json(&path, Some(&drive.trainer)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let items = report["items"].as_array().expect("items");
    assert_eq!(items.len(), 16);
    for item in items {
        assert_eq!(item["enough_responses"], false, "{item}");
        assert_eq!(item["flags"], json!([]), "{item}");
    }
    let mut browser = crate::notices::signed_in(&app, "trainer@example.com").await;
    let page = browser
        .get(&format!("/assessments/{}/report", drive.assessment_id))
        .await;
    assert!(page.body.contains("not enough responses yet"), "{}", page.body);
    assert!(page.body.contains("at least 30 people"), "the rule is stated");
    assert!(!page.body.contains("flag-too_easy"), "nothing is flagged yet");

    // The same answers under a lower threshold are judged: the rule, not the data, withheld the flags.
    let judged = crate::helpers::spawn_app_with(|c| c.flag_min_responses = 4).await;
    let drive = drive_of(
        &judged,
        |bank_id| json!([{"name": "Mixed", "bank_id": bank_id, "count": 16}]),
    )
    .await;
    for i in 0..4 {
        sit(&judged, &drive, &format!("early{i}@example.com"), 16).await;
    }
    let (_, report) = judged
        .get_json(
            &format!("/api/v1/assessments/{}/item-analysis", drive.assessment_id),
            Some(&drive.trainer),
        )
        .await;
    let first = &report["items"][0];
    assert_eq!(first["enough_responses"], true, "{first}");
    assert!(first["flags"].to_string().contains("too_easy"), "{first}");
}
