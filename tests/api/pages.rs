//! The HTML pages for drives, assessments and marking, driven like a browser
//! without JavaScript: every form posted with its CSRF token.

use assay::db::Role;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, bank, drive_with, start, EVERY_TYPE};
use crate::helpers::{signed_in, spawn_app};

/// The text of the element with this id, up to its closing tag.
fn element<'b>(body: &'b str, id: &str) -> &'b str {
    let marker = format!("id=\"{id}\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no element {id} in\n{body}"));
    let rest = &body[start..];
    let end = ["</div>", "</p>"]
        .iter()
        .filter_map(|t| rest.find(t))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location} does not start with {prefix} and an id"))
}

fn as_refs<'p>(pairs: &'p [(&'static str, String)]) -> Vec<(&'static str, &'p str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The new-drive form's fields, with two domains ticked.
fn drive_form(csrf: &str, assessment_id: &str, minimum: &str) -> Vec<(&'static str, String)> {
    [
        ("csrf_token", csrf),
        ("name", "Underwriting 2026"),
        ("description", "Graduate underwriters for the Pune centre."),
        ("assessment_id", assessment_id),
        ("min_score_percent", minimum),
        ("min_degree_class", "first"),
        ("degrees", "B.Com, BBA"),
        ("domains", "finance"),
        ("domains", "analytics"),
        ("tie_break_sections", "Mixed"),
        ("opens_at", ""),
        ("closes_at", "2099-12-31T18:00"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

#[actix_web::test]
async fn a_recruiter_creates_a_drive_through_the_form_and_a_bad_minimum_comes_back_beside_its_field() {
    let app = spawn_app().await;
    let fixture = drive_with(&app, json!({})).await;
    let mut browser = signed_in(&app, "recruiter@example.com").await;
    let form = browser.get("/drives/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Aptitude 2026"),
        "the aptitude test is offered: {}",
        form.body
    );
    let test = fixture.assessment_id.to_string();
    let pairs = drive_form(&form.csrf(), &test, "150");
    let refused = browser.post_form("/drives", &as_refs(&pairs)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(r#"id="min_score_percent" name="min_score_percent" type="text" value="150" aria-invalid="true" aria-describedby="min_score_percent-error""#),
        "the bad field is marked and described: {}",
        refused.body
    );
    assert!(element(&refused.body, "min_score_percent-error").contains("150 is not a percentage from 0 to 100."));
    assert!(
        refused.body.contains(r#"value="Underwriting 2026""#),
        "what was typed is kept"
    );
    assert!(
        refused.body.contains(r#"value="analytics" checked"#),
        "ticked domains stay ticked"
    );

    let pairs = drive_form(&refused.csrf(), &test, "60");
    let created = browser.post_form("/drives", &as_refs(&pairs)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.location.expect("location");
    let id = id_after(&location, "/drives/");
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Underwriting 2026"));
    assert!(page
        .body
        .contains("at least 60%; at least a first class degree; degree: B.Com, BBA; domain: finance, analytics"));
    assert!(page.body.contains(&format!("href=\"/drives/{id}/rankings\"")));
    let list = browser.get("/drives").await;
    assert!(list.body.contains(&format!("href=\"/drives/{id}\"")), "{}", list.body);
    assert!(list.body.contains("New drive"));
}

#[actix_web::test]
async fn a_candidate_sees_open_drives_applies_through_the_form_and_the_drive_page_gives_the_reason() {
    let app = spawn_app().await;
    let fixture = drive_with(&app, json!({})).await;
    let (_, token) = app.candidate("low@example.com").await;
    let (status, _) = app
        .put_json(
            "/api/v1/me/profile",
            &json!({"score_percent": 58.0, "domain": "finance", "degree": "B.Com"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut browser = signed_in(&app, "low@example.com").await;

    let drives = browser.get("/drives").await;
    assert_eq!(drives.status, StatusCode::OK);
    assert!(drives.body.contains("Finance drive"));
    assert!(
        drives.body.contains("at least 60%; domain: finance"),
        "the rules are shown"
    );
    let apply = format!("/drives/{}/apply", fixture.drive_id);
    assert!(
        drives.body.contains(&format!("action=\"{apply}\"")),
        "an Apply form: {}",
        drives.body
    );

    let applied = browser.post_form(&apply, &[("csrf_token", &drives.csrf())]).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER);
    let location = applied.location.expect("location");
    assert_eq!(location, format!("/drives/{}?applied=1", fixture.drive_id));
    let page = browser.get(&location).await;
    assert!(page.body.contains("Your application is in."));
    assert!(page.body.contains("You are not eligible for this drive."));
    assert!(
        page.body.contains("Your 58% is below this drive&#39;s minimum of 60%."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/start\""), "no test for an ineligible applicant");

    assert!(page.body.contains("Check my eligibility again"));
    // Checking again with the same profile gives the same answer on the same application.
    let rechecked = browser.post_form(&apply, &[("csrf_token", &page.csrf())]).await;
    assert_eq!(rechecked.status, StatusCode::SEE_OTHER);
    let page = browser.get(&format!("/drives/{}", fixture.drive_id)).await;
    assert!(page.body.contains("Your 58% is below this drive&#39;s minimum of 60%."));
    // Once eligible, a second application is refused on the drive page.
    app.put_json(
        "/api/v1/me/profile",
        &serde_json::json!({"score_percent": 70.0, "domain": "finance", "degree": "B.Com"}),
        Some(&token),
    )
    .await;
    browser.post_form(&apply, &[("csrf_token", &page.csrf())]).await;
    let again = browser.post_form(&apply, &[("csrf_token", &page.csrf())]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.body.contains("<h1>Finance drive</h1>"),
        "still the drive page, not an error page"
    );
    assert!(again.body.contains("You applied to this drive already"));
    let listed = browser.get("/drives").await;
    assert!(
        listed.body.contains("You applied</strong> (status: applied)."),
        "{}",
        listed.body
    );
}

#[actix_web::test]
async fn an_eligible_applicant_can_start_then_resume_the_test_and_then_reach_the_result() {
    let app = spawn_app().await;
    let fixture = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "asha@example.com", &fixture, 72.0).await;
    let mut browser = signed_in(&app, "asha@example.com").await;
    let drive = format!("/drives/{}", fixture.drive_id);
    let start_form = format!("action=\"/assessments/{}/start\"", fixture.assessment_id);

    let page = browser.get(&drive).await;
    assert!(page.body.contains("You meet this drive&#39;s academic guidelines."));
    assert!(
        page.body.contains(&start_form) && page.body.contains("Start the test"),
        "{}",
        page.body
    );

    let (status, started) = start(&app, &token, fixture.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED);
    let page = browser.get(&drive).await;
    assert!(page.body.contains(&start_form) && page.body.contains("Resume the test"));

    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let (status, result) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(result["status"], "graded", "a blank essay needs no marking");
    let page = browser.get(&drive).await;
    assert!(
        page.body.contains(&format!("href=\"/attempts/{attempt}/result\"")),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Resume the test"));
    assert!(page.body.contains("You have used all 1 attempt(s) this test allows."));
}

/// The form fields of a blueprint with one section in the second row.
fn blueprint_form(csrf: &str, bank_id: &str, count: &str) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = [
        ("title", "Aptitude 2027"),
        ("kind", "aptitude"),
        ("time_limit_minutes", "45"),
        ("pass_percent", "55"),
        ("negative_marking", "0.25"),
        ("max_attempts", "2"),
        ("grace_seconds", "30"),
        ("opens_at", ""),
        ("closes_at", ""),
        ("shuffle_questions", "1"),
        ("show_score", "1"),
        ("s0_name", ""),
        ("s0_bank", ""),
        ("s0_count", ""),
        ("s1_name", "Mixed"),
        ("s1_category", "Aptitude"),
        ("s1_easy", ""),
        ("s1_points", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    fields.push(("csrf_token", csrf.to_string()));
    fields.push(("s1_bank", bank_id.to_string()));
    fields.push(("s1_count", count.to_string()));
    fields
}

#[actix_web::test]
async fn a_trainer_builds_an_assessment_through_the_form_and_a_too_large_section_shows_its_shortfall() {
    let app = spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let bank_id = bank(&app, &trainer, EVERY_TYPE).await.to_string();
    let mut browser = signed_in(&app, "trainer@example.com").await;
    let form = browser.get("/assessments/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form
        .body
        .contains(&format!("<option value=\"{bank_id}\">Every type</option>")));
    assert!(form.body.contains("name=\"s3_count\""), "four section rows");

    let pairs = blueprint_form(&form.csrf(), &bank_id, "10");
    let refused = browser.post_form("/assessments", &as_refs(&pairs)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let row = element(&refused.body, "s1-error");
    assert!(
        row.contains(
            "Section &#39;Mixed&#39; needs 10 questions but &#39;Every type&#39; in Aptitude has only 6: 4 short."
        ),
        "the shortfall sits beside the second row, where it was typed: {}",
        refused.body
    );
    assert!(
        !refused.body.contains("id=\"s0-error\""),
        "the empty first row is ignored"
    );
    assert!(refused
        .body
        .contains(r#"id="s1_count" name="s1_count" type="number" min="1" max="500" value="10""#));

    let pairs = blueprint_form(&refused.csrf(), &bank_id, "6");
    let created = browser.post_form("/assessments", &as_refs(&pairs)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.location.expect("location");
    let id = id_after(&location, "/assessments/");
    let page = browser.get(&location).await;
    assert!(page.body.contains("<h1>Aptitude 2027</h1>"));
    assert!(page.body.contains("0.25 of a question's points for a wrong answer"));
    assert!(page.body.contains("<td>Every type · Aptitude</td>"), "{}", page.body);
    assert!(page.body.contains("<strong>0</strong> open"));

    let (status, public) = app.get_json(&format!("/api/v1/assessments/{id}"), Some(&trainer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["time_limit_minutes"], 45);
    assert_eq!(public["max_attempts"], 2);
    let list = browser.get("/assessments").await;
    assert!(list.body.contains(&format!("href=\"/assessments/{id}\"")));
    assert!(list.body.contains("Mixed (6)"));
}

/// The id of the essay among a started attempt's questions.
fn essay_id(started: &Value) -> i64 {
    started["questions"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["type"] == "essay"))
        .and_then(|q| q["id"].as_i64())
        .expect("an essay")
}

#[actix_web::test]
async fn a_trainer_marks_an_essay_through_the_marking_pages_and_the_result_becomes_final() {
    let app = spawn_app().await;
    let fixture = drive_with(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "asha@example.com", &fixture, 72.0).await;
    let (_, started) = start(&app, &token, fixture.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let essay = essay_id(&started);
    let (status, _) = app
        .put_json(
            &format!("/api/v1/attempts/{attempt}/responses/{essay}"),
            &json!({"answer": "People take more risk once insured.", "seq": 1}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, submitted) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(submitted["status"], "awaiting_marking");

    let mut browser = signed_in(&app, "trainer@example.com").await;
    let queue = browser.get("/marking").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Aptitude 2026") && queue.body.contains("Test Candidate"));
    assert!(queue.body.contains(&format!("href=\"/marking/{attempt}\"")));

    let sheet = browser.get(&format!("/marking/{attempt}")).await;
    assert!(sheet.body.contains("Explain moral hazard."));
    assert!(sheet.body.contains("People take more risk once insured."));
    assert!(sheet.body.contains("0 of 1 essay(s) marked"));
    let action = format!("/marking/{attempt}/{essay}");
    assert!(sheet.body.contains(&format!("action=\"{action}\"")));
    assert!(
        !sheet.body.contains("Behaviour changes once insured."),
        "no explanation on the sheet"
    );

    let too_high = browser
        .post_form(&action, &[("csrf_token", &sheet.csrf()), ("score", "9")])
        .await;
    assert_eq!(too_high.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element(&too_high.body, &format!("score-{essay}-error")).contains("The mark must be from 0 to 2."));
    assert!(too_high.body.contains("value=\"9\" aria-invalid=\"true\""));

    let marked = browser
        .post_form(&action, &[("csrf_token", &sheet.csrf()), ("score", "1.5")])
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER);
    let page = browser.get(&marked.location.expect("location")).await;
    assert!(
        page.body.contains("Every essay is marked: the result is final"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Mark:</strong> 1.5 of 2"));

    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["status"], "graded");
    assert_eq!(view["result"]["score"], 1.5);
    let queue = browser.get("/marking").await;
    assert!(queue.body.contains("Nothing to mark"));
}

#[actix_web::test]
async fn each_role_is_kept_to_its_own_pages() {
    let app = spawn_app().await;
    app.staff("trainer@example.com", Role::Trainer).await;
    app.staff("recruiter@example.com", Role::Recruiter).await;
    app.candidate("cand@example.com").await;

    let mut candidate = signed_in(&app, "cand@example.com").await;
    for path in ["/assessments", "/assessments/new", "/marking", "/drives/new"] {
        assert_eq!(
            candidate.get(path).await.status,
            StatusCode::FORBIDDEN,
            "candidate on {path}"
        );
    }
    let drives = candidate.get("/drives").await;
    assert_eq!(drives.status, StatusCode::OK);
    assert!(drives.body.contains("No drive is taking applications right now."));

    let mut trainer = signed_in(&app, "trainer@example.com").await;
    for path in ["/drives/new", "/drives"] {
        assert_eq!(
            trainer.get(path).await.status,
            StatusCode::FORBIDDEN,
            "trainer on {path}"
        );
    }
    let assessments = trainer.get("/assessments").await;
    assert_eq!(assessments.status, StatusCode::OK);
    assert!(assessments.body.contains("No assessments yet."));
    let new = trainer.get("/assessments/new").await;
    assert!(new.body.contains("There are no question banks yet"), "{}", new.body);

    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    assert_eq!(recruiter.get("/marking").await.status, StatusCode::FORBIDDEN);
    let drives = recruiter.get("/drives").await;
    assert!(drives.body.contains("No drives yet."));
    let new = recruiter.get("/drives/new").await;
    assert!(new.body.contains("there is none yet"));

    let anonymous = app.browser().get("/drives").await;
    assert_eq!(
        anonymous.status,
        StatusCode::SEE_OTHER,
        "signed-out visitors are sent to sign in"
    );
}
