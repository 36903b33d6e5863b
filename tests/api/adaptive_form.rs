//! An adaptive assessment made on the new-assessment page: its rules have
//! fields of their own, and each refusal shows beside its field.

use awc::http::StatusCode;

use crate::adaptive::calibrated_bank;
use crate::attempts::bank;
use crate::helpers::{signed_in, spawn_app};
use assay::db::Role;

fn fields(csrf: &str, bank_id: &str, rules: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = [
        ("csrf_token", csrf),
        ("title", "Adaptive by form"),
        ("kind", "aptitude"),
        ("time_limit_minutes", "30"),
        ("pass_percent", "50"),
        ("s0_name", "Apt"),
        ("s0_bank", bank_id),
        ("s0_count", "1"),
        ("adaptive", "1"),
    ]
    .into_iter()
    .chain(rules.iter().copied())
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    out.sort_by_key(|(k, _)| *k == "csrf_token");
    out
}

fn refs<'p>(pairs: &'p [(&'static str, String)]) -> Vec<(&'static str, &'p str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The text of the element with `id` up to its closing tag.
fn error_text<'b>(body: &'b str, id: &str) -> &'b str {
    let marker = format!("id=\"{id}\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no {id} in {body}"));
    let end = body[start..].find("</p>").map_or(body.len(), |e| start + e);
    &body[start..end]
}

#[actix_web::test]
async fn a_trainer_makes_an_adaptive_assessment_by_the_form_with_errors_beside_its_fields() {
    let app = spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let bank_id = bank(&app, &trainer, &calibrated_bank("Apt", 12, 1.5)).await.to_string();
    let mut browser = signed_in(&app, "trainer@example.com").await;
    let form = browser.get("/assessments/new").await;
    assert_eq!(form.status, StatusCode::OK);
    for field in [
        "adaptive.min_length",
        "adaptive.max_length",
        "adaptive.se_target",
        "adaptive.exposure_cap",
        "adaptive.randomesque",
    ] {
        assert!(form.body.contains(&format!("name=\"{field}\"")), "{field}");
    }

    // What the form cannot read, it says beside the field.
    let pairs = fields(
        &form.csrf(),
        &bank_id,
        &[("adaptive.max_length", "ten"), ("adaptive.se_target", "")],
    );
    let refused = browser.post_form("/assessments", &refs(&pairs)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(error_text(&refused.body, "adaptive.max_length-error").contains("&#39;ten&#39; is not a whole number."));

    // What the rules refuse, too: every problem at once.
    let pairs = fields(
        &refused.csrf(),
        &bank_id,
        &[
            ("adaptive.min_length", "9"),
            ("adaptive.max_length", "6"),
            ("adaptive.exposure_cap", "2"),
        ],
    );
    let refused = browser.post_form("/assessments", &refs(&pairs)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(error_text(&refused.body, "adaptive.min_length-error").contains("from 1 to the maximum length (6)"));
    assert!(error_text(&refused.body, "adaptive.exposure_cap-error").contains("share of candidates"));
    assert!(
        refused
            .body
            .contains(r#"name="adaptive.max_length" type="number" value="6""#),
        "typed values are kept"
    );
    let (_, list) = app.get_json("/api/v1/assessments", Some(&trainer)).await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "nothing half-saved: {list}"
    );

    let pairs = fields(
        &refused.csrf(),
        &bank_id,
        &[
            ("adaptive.min_length", "3"),
            ("adaptive.max_length", "8"),
            ("adaptive.se_target", "0.35"),
        ],
    );
    let created = browser.post_form("/assessments", &refs(&pairs)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = created
        .location
        .expect("location")
        .trim_start_matches("/assessments/")
        .to_string();
    let (status, public) = app.get_json(&format!("/api/v1/assessments/{id}"), Some(&trainer)).await;
    assert_eq!(status, StatusCode::OK, "{public}");
    assert_eq!(public["adaptive"]["min_length"], 3, "{public}");
    assert_eq!(public["adaptive"]["max_length"], 8, "{public}");
    assert_eq!(public["question_count"], 8, "{public}");
}
