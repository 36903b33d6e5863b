//! The test page over plain HTTP, as a browser without JavaScript uses it:
//! one form post per question, a confirm page, submit, the result.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, drive_with, Drive};
use crate::helpers::{Browser, TestApp, PASSWORD};

/// The explanations in `EVERY_TYPE`: none may reach a candidate.
const EXPLANATIONS: [&str; 6] = [
    "300 / 1,200.",
    "Loans and creditors are owed.",
    "Claims over premiums.",
    "Addition.",
    "N, P, V.",
    "Behaviour changes once insured.",
];

async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    let signed_in = browser
        .post_form(
            "/signin",
            &[("csrf_token", &page.csrf()), ("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    browser
}

/// Starts the drive's test from a page form, as the drive page does, and
/// returns the attempt's path.
pub(crate) async fn start_page(browser: &mut Browser<'_>, drive: &Drive) -> String {
    let csrf = browser.get("/").await.csrf();
    let started = browser
        .post_form(
            &format!("/assessments/{}/start", drive.assessment_id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    started.location.expect("the attempt's address")
}

/// The attempt's questions as the API shows them, with their 1-based place.
pub(crate) async fn questions(app: &TestApp, token: &str, attempt_path: &str) -> Vec<(usize, Value)> {
    let (status, view) = app.get_json(&format!("/api/v1{attempt_path}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, q)| (i + 1, q))
        .collect()
}

pub(crate) fn find<'a>(qs: &'a [(usize, Value)], qtype: &str) -> &'a (usize, Value) {
    qs.iter()
        .find(|(_, q)| q["type"] == qtype)
        .unwrap_or_else(|| panic!("no {qtype} question"))
}

fn option_id(q: &Value, text: &str) -> String {
    q["options"]
        .as_array()
        .and_then(|os| os.iter().find(|o| o["text"] == text))
        .map(|o| o["id"].to_string())
        .unwrap_or_else(|| panic!("no option {text}"))
}

pub(crate) async fn answer(
    browser: &mut Browser<'_>,
    attempt_path: &str,
    csrf: &str,
    (number, q): &(usize, Value),
    answers: &[&str],
    go: &str,
) -> crate::helpers::Page {
    let question_id = q["id"].to_string();
    let number = number.to_string();
    let mut fields = vec![
        ("csrf_token", csrf),
        ("question_id", &question_id),
        ("q", &number),
        ("seq", "1"),
        ("go", go),
    ];
    fields.extend(answers.iter().map(|a| ("answer", *a)));
    browser.post_form(&format!("{attempt_path}/answer"), &fields).await
}

#[actix_web::test]
async fn the_test_page_works_without_javascript_from_start_to_result() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_with(&app, json!({"shuffle_questions": true, "shuffle_options": true})).await;
    let (_, token, _) = applicant(&app, "nojs@example.com", &drive, 80.0).await;
    let mut browser = signed_in(&app, "nojs@example.com").await;
    let attempt = start_page(&mut browser, &drive).await;
    assert!(attempt.starts_with("/attempts/"), "{attempt}");
    let qs = questions(&app, &token, &attempt).await;

    let page = browser.get(&attempt).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Question 1 of 6"),
        "with nothing answered the first question shows"
    );
    assert!(page.body.contains(r#"<a href="?q=1" "#) && page.body.contains(r#"aria-current="page""#));
    assert!(page.body.contains(r#"<meta name="csrf-token""#));
    let csrf = page.csrf();

    let sc = find(&qs, "single_choice");
    let saved = answer(&mut browser, &attempt, &csrf, sc, &[&option_id(&sc.1, "25%")], "next").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, Some(format!("{attempt}?q={}", (sc.0 + 1).min(6))));
    let mr = find(&qs, "multiple_response");
    let both = [option_id(&mr.1, "Loan payable"), option_id(&mr.1, "Creditors")];
    answer(&mut browser, &attempt, &csrf, mr, &[&both[0], &both[1]], "prev").await;
    answer(
        &mut browser,
        &attempt,
        &csrf,
        find(&qs, "true_false"),
        &["true"],
        "next",
    )
    .await;
    let num = find(&qs, "numeric");
    let refused = answer(&mut browser, &attempt, &csrf, num, &["twenty"], "next").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("This question takes a number."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(r#"value="twenty""#),
        "the refused answer comes back as typed"
    );
    answer(&mut browser, &attempt, &csrf, num, &["25"], "next").await;

    let (_, view) = app.get_json(&format!("/api/v1{attempt}"), Some(&token)).await;
    let saved: Vec<&Value> = view["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| &r["answer"])
        .collect();
    assert_eq!(saved.len(), 4, "{view}");
    assert!(saved.contains(&&json!(25.0)) && saved.contains(&&json!(true)), "{view}");

    let page = browser.get(&format!("{attempt}?q={}", sc.0)).await;
    assert!(
        page.body
            .contains(&format!(r#"value="{}" checked>"#, option_id(&sc.1, "25%"))),
        "the saved choice is checked again"
    );
    let page = browser.get(&format!("{attempt}?q={}", mr.0)).await;
    assert_eq!(page.body.matches(" checked>").count(), 2);
    let page = browser.get(&format!("{attempt}?q={}", num.0)).await;
    assert!(page
        .body
        .contains(r#"type="number" step="any" inputmode="decimal" autocomplete="off" class="short" value="25""#));
    assert!(page.body.contains("4</span> of 6 answered"));
    let page = browser.get(&attempt).await;
    let first_open = qs
        .iter()
        .find(|(_, q)| q["type"] == "short_text" || q["type"] == "essay")
        .map(|(n, _)| *n);
    assert!(
        page.body
            .contains(&format!("Question {} of 6", first_open.unwrap_or(0))),
        "the first unanswered question shows"
    );

    let confirm = browser.get(&format!("{attempt}/confirm")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Not answered yet (2 of 6)"), "{}", confirm.body);
    let submitted = browser
        .post_form(&format!("{attempt}/submit"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    assert_eq!(submitted.location, Some(format!("{attempt}/result")));

    let result = browser.get(&format!("{attempt}/result")).await;
    assert_eq!(result.status, StatusCode::OK);
    assert!(
        result.body.contains("4 of 7") && result.body.contains("57.1%"),
        "{}",
        result.body
    );
    assert!(result.body.contains("You passed."));
    assert_eq!(
        browser.get(&attempt).await.location,
        Some(format!("{attempt}/result")),
        "a submitted test is over"
    );
    let late = answer(&mut browser, &attempt, &csrf, num, &["26"], "next").await;
    assert_eq!(late.location, Some(format!("{attempt}/result")));
}

#[actix_web::test]
async fn another_candidate_gets_404_for_every_page_of_an_attempt() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    applicant(&app, "owner@example.com", &drive, 80.0).await;
    applicant(&app, "other@example.com", &drive, 80.0).await;
    let mut owner = signed_in(&app, "owner@example.com").await;
    let attempt = start_page(&mut owner, &drive).await;
    let mut other = signed_in(&app, "other@example.com").await;
    let csrf = other.get("/").await.csrf();
    for path in [
        attempt.clone(),
        format!("{attempt}/confirm"),
        format!("{attempt}/result"),
    ] {
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let post = other
        .post_form(
            &format!("{attempt}/answer"),
            &[("csrf_token", &csrf), ("question_id", "1"), ("answer", "0")],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    let submit = other
        .post_form(&format!("{attempt}/submit"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(submit.status, StatusCode::NOT_FOUND);
    assert_eq!(
        owner.get(&attempt).await.status,
        StatusCode::OK,
        "the owner's test is untouched and open"
    );
    let signed_out = app.browser().get(&attempt).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER, "signing in comes first");
}

#[actix_web::test]
async fn no_page_or_script_a_candidate_sees_carries_a_key_or_an_explanation() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "keys@example.com", &drive, 80.0).await;
    let mut browser = signed_in(&app, "keys@example.com").await;
    let attempt = start_page(&mut browser, &drive).await;
    let qs = questions(&app, &token, &attempt).await;
    let csrf = browser.get(&attempt).await.csrf();
    answer(&mut browser, &attempt, &csrf, find(&qs, "short_text"), &["npv"], "next").await;

    let mut pages = Vec::new();
    for n in 1..=6 {
        pages.push(browser.get(&format!("{attempt}?q={n}")).await.body);
    }
    pages.push(browser.get(&format!("{attempt}/confirm")).await.body);
    pages.push(browser.get("/static/test.js").await.body);
    browser
        .post_form(&format!("{attempt}/submit"), &[("csrf_token", &csrf)])
        .await;
    pages.push(browser.get(&format!("{attempt}/result")).await.body);
    for body in &pages {
        for leak in EXPLANATIONS
            .iter()
            .copied()
            .chain(["credit", "explanation", "tolerance", "is_key", "feedback"])
        {
            assert!(!body.contains(leak), "{leak} leaked in {body}");
        }
        assert!(
            !body.contains("<script>") && !body.contains(" style="),
            "the CSP allows no inline script or style"
        );
    }
    assert!(pages[0].contains(r#"<script src="/static/test.js" defer></script>"#));
}

#[actix_web::test]
async fn refusals_to_start_are_pages_with_the_reason() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_with(&app, json!({"max_attempts": 1})).await;
    applicant(&app, "low@example.com", &drive, 58.0).await;
    let mut low = signed_in(&app, "low@example.com").await;
    let csrf = low.get("/").await.csrf();
    let refused = low
        .post_form(
            &format!("/assessments/{}/start", drive.assessment_id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Apply to a drive that uses this test first"),
        "{}",
        refused.body
    );

    applicant(&app, "once@example.com", &drive, 80.0).await;
    let mut once = signed_in(&app, "once@example.com").await;
    let attempt = start_page(&mut once, &drive).await;
    assert_eq!(start_page(&mut once, &drive).await, attempt, "starting again resumes");
    let csrf = once.get("/").await.csrf();
    once.post_form(&format!("{attempt}/submit"), &[("csrf_token", &csrf)])
        .await;
    let used = once
        .post_form(
            &format!("/assessments/{}/start", drive.assessment_id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(used.status, StatusCode::CONFLICT);
    assert!(
        used.body.contains("You have used all 1 attempt(s) this test allows."),
        "{}",
        used.body
    );
}

#[actix_web::test]
async fn the_result_page_waits_for_marking_and_keeps_the_score_when_asked_to() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_with(&app, json!({"show_score": false})).await;
    let (_, token, _) = applicant(&app, "essay@example.com", &drive, 80.0).await;
    let mut browser = signed_in(&app, "essay@example.com").await;
    let attempt = start_page(&mut browser, &drive).await;
    let qs = questions(&app, &token, &attempt).await;
    let csrf = browser.get(&attempt).await.csrf();
    let essay = find(&qs, "essay");
    answer(
        &mut browser,
        &attempt,
        &csrf,
        essay,
        &["Insured people take\nmore risk."],
        "finish",
    )
    .await;
    browser
        .post_form(&format!("{attempt}/submit"), &[("csrf_token", &csrf)])
        .await;
    let marking = browser.get(&format!("{attempt}/result")).await;
    assert!(
        marking.body.contains("Your answers are being marked"),
        "{}",
        marking.body
    );

    let path = format!("/api/v1{attempt}/essays/{}", essay.1["id"]);
    assert_eq!(
        app.post_json(&path, &json!({"score": 2.0}), Some(&drive.trainer))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let result = browser.get(&format!("{attempt}/result")).await;
    assert!(result.body.contains("We will be in touch."), "{}", result.body);
    assert!(
        !result.body.contains('%'),
        "show_score false hides the score: {}",
        result.body
    );
}

#[actix_web::test]
async fn a_test_page_opened_after_the_time_is_up_is_graded_and_shows_the_result() {
    let app = crate::helpers::spawn_app().await;
    let drive = drive_with(&app, json!({"time_limit_minutes": 10})).await;
    applicant(&app, "late@example.com", &drive, 80.0).await;
    let mut browser = signed_in(&app, "late@example.com").await;
    let attempt = start_page(&mut browser, &drive).await;
    let page = browser.get(&attempt).await;
    assert!(
        page.body.contains(">10:00</span>"),
        "the time left is on the page before any script runs"
    );
    app.state.clock.advance(chrono::Duration::minutes(11));
    let late = browser.get(&attempt).await;
    assert_eq!(late.location, Some(format!("{attempt}/result")));
    let result = browser.get(&format!("{attempt}/result")).await;
    assert!(result.body.contains("0 of 7"), "{}", result.body);
}
