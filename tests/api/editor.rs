//! The question editor over HTTP: every type created from the form, an edit
//! making a new version, problems shown beside their fields, and the
//! preview rendered on the server.

use awc::http::StatusCode;
use serde_json::Value;

use crate::attempts::bank;
use crate::helpers::{signed_in, Browser, TestApp};

const BANK: &str = r#"[bank]
name = "Editor bank"
category = "Aptitude"

[[question]]
id = "seed-1"
type = "true_false"
stem = "Seed question."
answer = true
"#;

async fn questions(app: &TestApp, token: &str, bank_id: i64) -> Vec<Value> {
    let (status, body) = app
        .get_json(&format!("/api/v1/banks/{bank_id}/questions"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

/// Posts the new-question form with `fields` beside the common ones and
/// returns the new question's id.
async fn create(browser: &mut Browser<'_>, bank_id: i64, qtype: &str, fields: &[(&str, &str)]) -> i64 {
    let page = browser
        .get(&format!("/banks/{bank_id}/questions/new?type={qtype}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let mut all = vec![
        ("csrf_token", csrf.as_str()),
        ("type", qtype),
        ("difficulty", "hard"),
        ("points", "2"),
        ("stem_format", "markdown"),
        ("tags", "editor, new"),
        ("action", "save"),
    ];
    all.extend_from_slice(fields);
    let saved = browser
        .post_form(&format!("/banks/{bank_id}/questions/new"), &all)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{qtype}: {}", saved.body);
    let location = saved.location.expect("location");
    let id = location
        .trim_start_matches(&format!("/banks/{bank_id}/questions/"))
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("question id");
    let shown = browser.get(&location).await;
    assert!(shown.body.contains("Saved as a new version"), "{}", shown.body);
    id
}

#[actix_web::test]
async fn the_editor_creates_a_question_of_each_type_and_an_edit_makes_a_new_version() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let bank_id = bank(&app, &trainer, BANK).await;
    let mut browser = signed_in(&app, "trainer@example.com").await;

    let single = create(
        &mut browser,
        bank_id,
        "single_choice",
        &[
            ("stem", "Which ratio is **current**?"),
            ("category", "Aptitude/Ratios"),
            ("option_text_0", "Assets / liabilities"),
            ("option_credit_0", "100"),
            ("option_feedback_0", "Yes."),
            ("option_text_1", "Debt / equity"),
            ("option_credit_1", "0"),
            ("option_text_2", ""),
            ("explanation", "Current assets over current liabilities."),
        ],
    )
    .await;
    let multiple = create(
        &mut browser,
        bank_id,
        "multiple_response",
        &[
            ("stem", "Which are even?"),
            ("option_text_0", "2"),
            ("option_credit_0", "50"),
            ("option_text_1", "3"),
            ("option_credit_1", "-50"),
            ("option_text_2", "4"),
            ("option_credit_2", "50%"),
        ],
    )
    .await;
    let truth = create(
        &mut browser,
        bank_id,
        "true_false",
        &[("stem", "Zero is even."), ("tf_answer", "false")],
    )
    .await;
    let numeric = create(
        &mut browser,
        bank_id,
        "numeric",
        &[
            ("stem", "10% of 250?"),
            ("numeric_value_0", "25"),
            ("numeric_tolerance_0", "0.5"),
            ("numeric_value_1", "2.5"),
            ("numeric_tolerance_1", ""),
            ("numeric_credit_1", "10"),
        ],
    )
    .await;
    let short = create(
        &mut browser,
        bank_id,
        "short_text",
        &[
            ("stem", "Expand NPV."),
            ("text_answer_0", "net present value"),
            ("text_answer_1", "NPV"),
            ("text_credit_1", "50"),
        ],
    )
    .await;
    let essay = create(&mut browser, bank_id, "essay", &[("stem", "Describe a ledger.")]).await;

    let all = questions(&app, &trainer, bank_id).await;
    let find = |id: i64| all.iter().find(|q| q["id"] == id).expect("question").clone();
    let q = find(single);
    assert_eq!(
        (q["type"].as_str(), q["difficulty"].as_str(), q["points"].as_f64()),
        (Some("single_choice"), Some("hard"), Some(2.0))
    );
    assert_eq!(q["category"], "Aptitude/Ratios");
    assert_eq!(q["tags"], serde_json::json!(["editor", "new"]));
    assert!(q["stem_shown"]["html"]
        .as_str()
        .unwrap()
        .contains("<strong>current</strong>"));
    assert_eq!(q["key"]["options"][0]["credit"], 1.0);
    assert_eq!(q["key"]["options"][0]["feedback"], "Yes.");
    assert_eq!(
        q["key"]["options"].as_array().unwrap().len(),
        2,
        "blank rows are not options"
    );
    assert_eq!(q["explanation"], "Current assets over current liabilities.");
    let credits: Vec<f64> = find(multiple)["key"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["credit"].as_f64().unwrap())
        .collect();
    assert_eq!(credits, [0.5, -0.5, 0.5]);
    assert_eq!(find(truth)["key"]["answer"], false);
    assert_eq!(
        find(numeric)["key"]["answers"],
        serde_json::json!([{"value": 25.0, "tolerance": 0.5, "credit": 1.0}, {"value": 2.5, "tolerance": 0.0, "credit": 0.1}])
    );
    assert_eq!(
        find(short)["key"]["answers"],
        serde_json::json!([{"text": "net present value", "credit": 1.0}, {"text": "NPV", "credit": 0.5}])
    );
    assert_eq!(find(essay)["type"], "essay");

    // Editing: the form comes filled; a change makes version 2.
    let page = browser
        .get(&format!("/banks/{bank_id}/questions/{numeric}/editor"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"name="numeric_value_0" value="25""#),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let saved = browser
        .post_form(
            &format!("/banks/{bank_id}/questions/{numeric}/editor"),
            &[
                ("csrf_token", csrf.as_str()),
                ("type", "numeric"),
                ("difficulty", "hard"),
                ("points", "2"),
                ("stem_format", "markdown"),
                ("stem", "20% of 250?"),
                ("numeric_value_0", "50"),
                ("numeric_tolerance_0", "0"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(saved.location.unwrap().ends_with("saved=1"));
    let after = questions(&app, &trainer, bank_id).await;
    let edited = after.iter().find(|q| q["id"] == numeric).unwrap();
    assert_eq!(
        (edited["version"].as_i64(), edited["stem"].as_str()),
        (Some(2), Some("20% of 250?"))
    );
    assert_eq!(edited["key"]["answers"][0]["value"], 50.0);
}

#[actix_web::test]
async fn the_editor_shows_each_problem_beside_its_field_and_saves_nothing() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let bank_id = bank(&app, &trainer, BANK).await;
    let mut browser = signed_in(&app, "trainer@example.com").await;
    let page = browser
        .get(&format!("/banks/{bank_id}/questions/new?type=single_choice"))
        .await;
    let csrf = page.csrf();
    let refused = browser
        .post_form(
            &format!("/banks/{bank_id}/questions/new"),
            &[
                ("csrf_token", csrf.as_str()),
                ("type", "single_choice"),
                ("difficulty", "easy"),
                ("points", "-1"),
                ("stem_format", "markdown"),
                ("stem", "  "),
                ("option_text_0", "Kept as typed"),
                ("option_credit_0", "lots"),
                ("option_text_1", "b"),
                ("external_id", "seed-1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    for (field, words) in [
        ("points", "above 0"),
        ("stem", "Write the question"),
        ("option_credit_0", "percentage from -100 to 100"),
    ] {
        let marker = format!(r#"<p class="field-error" id="{field}-error">"#);
        let at = refused
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no error for {field}: {}", refused.body));
        let near: String = refused.body[at..].chars().take(300).collect();
        assert!(near.contains(words), "{field}: {near}");
    }
    assert!(
        refused.body.contains(r#"value="Kept as typed""#),
        "the form comes back as typed"
    );
    assert_eq!(questions(&app, &trainer, bank_id).await.len(), 1, "nothing was saved");

    // A taken id is refused beside the id field once the rest is right.
    let taken = browser
        .post_form(
            &format!("/banks/{bank_id}/questions/new"),
            &[
                ("csrf_token", csrf.as_str()),
                ("type", "true_false"),
                ("difficulty", "easy"),
                ("points", "1"),
                ("stem_format", "plain"),
                ("stem", "Another"),
                ("tf_answer", "true"),
                ("external_id", "seed-1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken.body.contains(r#"id="external_id-error""#) && taken.body.contains("already has the id"),
        "{}",
        taken.body
    );
}

#[actix_web::test]
async fn the_preview_shows_the_question_as_a_candidate_sees_it_with_and_without_a_script() {
    let app = crate::helpers::spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", assay::db::Role::Trainer).await;
    let bank_id = bank(&app, &trainer, BANK).await;
    let mut browser = signed_in(&app, "trainer@example.com").await;
    let page = browser
        .get(&format!("/banks/{bank_id}/questions/new?type=single_choice"))
        .await;
    let csrf = page.csrf();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("type", "single_choice"),
        ("difficulty", "easy"),
        ("points", "1"),
        ("stem_format", "markdown"),
        (
            "stem",
            "Growth is \\( \\frac{300}{1200} \\) of **revenue**<script>alert(1)</script>",
        ),
        ("option_text_0", "25%"),
        ("option_credit_0", "100"),
        ("option_text_1", "30%"),
        ("action", "preview"),
    ];
    // Without a script: the Preview button renders the page again with it.
    let previewed = browser
        .post_form(&format!("/banks/{bank_id}/questions/new"), &fields)
        .await;
    assert_eq!(previewed.status, StatusCode::OK, "{}", previewed.body);
    // With one: the pane alone.
    let pane = browser.post_form("/banks/preview", &fields).await;
    assert_eq!(pane.status, StatusCode::OK, "{}", pane.body);
    for html in [&previewed.body, &pane.body] {
        assert!(
            html.contains("<strong>revenue</strong>") && html.contains("<mfrac>"),
            "{html}"
        );
        assert!(
            html.contains(r#"<input type="radio" name="answer" value="0">"#),
            "{html}"
        );
        assert!(html.contains("Show the key") && html.contains("(key)"), "{html}");
        assert!(!html.contains("<script>alert(1)"), "{html}");
    }
    assert_eq!(
        questions(&app, &trainer, bank_id).await.len(),
        1,
        "a preview saves nothing"
    );
    // An incomplete question says what is missing instead.
    let mut incomplete = fields.to_vec();
    incomplete.retain(|(k, _)| !k.starts_with("option_"));
    let pane = browser.post_form("/banks/preview", &incomplete).await;
    assert_eq!(pane.status, StatusCode::OK);
    assert!(pane.body.contains("Give at least two options."), "{}", pane.body);
}
