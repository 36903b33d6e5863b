//! The cohort, routing-run, process and training pages, driven like a
//! browser without JavaScript: every form posted with its CSRF token, every
//! override and the publishing confirmed on a page of their own.

use assay::db::Role;
use assay::db::UserId;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{signed_in, spawn_app, TestApp};
use crate::routing::{run, scene, trainee, Scene};

/// The markup of the element with this id, up to its closing tag (the pages
/// never nest an element in one of the same kind).
fn element<'b>(body: &'b str, id: &str) -> &'b str {
    let marker = format!("id=\"{id}\"");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no element {id} in\n{body}"));
    let start = body[..at].rfind('<').expect("an opening tag");
    let tag: String = body[start + 1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let rest = &body[start..];
    let end = rest
        .find(&format!("</{tag}>"))
        .map_or(rest.len(), |e| e + tag.len() + 3);
    &rest[..end]
}

/// With ASSAY_PAGE_DUMP_DIR set, keeps the page there with its stylesheet
/// inlined, for a screenshot (`chromium --headless --screenshot`).
fn dump(name: &str, body: &str) {
    if let Ok(dir) = std::env::var("ASSAY_PAGE_DUMP_DIR") {
        let css = include_str!("../../templates/static/app.css");
        let html = body.replace(
            "<link rel=\"stylesheet\" href=\"/static/app.css\">",
            &format!("<style>{css}</style>"),
        );
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.html")), html).expect("write the page");
    }
}

/// Text as askama writes it into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn rename(app: &TestApp, id: i64, name: &str) {
    use assay::db::schema::users;
    use diesel::prelude::*;
    let name = name.to_string();
    app.state
        .db(move |conn| {
            diesel::update(users::table.find(UserId(id as i32)))
                .set(users::full_name.eq(name))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("rename");
}

/// A trainee with a name of their own (the fixture names everyone alike).
async fn named_trainee(app: &TestApp, s: &Scene, name: &str, quant: usize, verbal: usize) -> (i64, String) {
    let (id, token) = trainee(app, s, name, quant, verbal).await;
    rename(app, id, name).await;
    (id, token)
}

/// A critical process at 76%: a 75% trainee is 1 point short, inside the 3-point default band.
async fn claims_plus(app: &TestApp, s: &Scene) -> i64 {
    let (status, body) = app
        .post_json(
            "/api/v1/processes",
            &json!({"name": "Claims plus", "client": "Acme", "track": "kpo", "tier": "critical", "min_percent": 76, "seats": 3}),
            Some(&s.admin),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

/// Tara (100%) and Near (75%, a review for Claims plus while holding Claims).
struct ReviewScene {
    s: Scene,
    claims_plus: i64,
    tara: i64,
    near: i64,
}

async fn review_scene(app: &TestApp) -> ReviewScene {
    let s = scene(app, 1).await;
    let claims_plus = claims_plus(app, &s).await;
    let (tara, _) = named_trainee(app, &s, "Tara", 4, 4).await;
    let (near, _) = named_trainee(app, &s, "Near", 3, 3).await;
    ReviewScene {
        s,
        claims_plus,
        tara,
        near,
    }
}

fn line(run: &Value, trainee: i64) -> &Value {
    run["assignments"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["trainee_id"] == trainee))
        .expect("line")
}

#[actix_web::test]
async fn a_trainer_creates_a_cohort_through_the_form_and_a_too_long_training_comes_back_beside_its_end_date() {
    let app = spawn_app().await;
    app.staff("trainer@example.com", Role::Trainer).await;
    let mut browser = signed_in(&app, "trainer@example.com").await;
    let list = browser.get("/cohorts").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("No cohorts yet"), "{}", list.body);
    let csrf = list.csrf();

    let refused = browser
        .post_form(
            "/cohorts",
            &[
                ("csrf_token", &csrf),
                ("name", "Batch 9"),
                ("starts_on", "2026-06-01"),
                ("ends_on", "2027-03-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = element(&refused.body, "ends_on-error");
    assert!(error.contains("six months"), "{error}");
    assert!(refused.body.contains("value=\"Batch 9\""), "what was typed comes back");

    let created = browser
        .post_form(
            "/cohorts",
            &[
                ("csrf_token", &csrf),
                ("name", "Batch 9"),
                ("starts_on", "2026-06-01"),
                ("ends_on", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.location.expect("redirect");
    assert!(location.starts_with("/cohorts/"), "{location}");
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Batch 9</h1>"), "{}", page.body);
    assert!(page.body.contains("2026-06-01 to 2026-11-30"));
    assert!(browser.get("/cohorts").await.body.contains("Batch 9"));
}

#[actix_web::test]
async fn the_run_page_groups_lines_by_process_with_seats_used_and_resolving_a_review_there_records_the_reason() {
    let app = spawn_app().await;
    let r = review_scene(&app).await;
    let claims = r.s.processes[1];
    let mut browser = signed_in(&app, "exam.trainer@example.com").await;

    // The run is started from the cohort page's form.
    let cohort = browser.get(&format!("/cohorts/{}", r.s.cohort)).await;
    assert!(cohort.body.contains("Start a routing run"), "{}", cohort.body);
    let exam = r.s.exam.to_string();
    let bad = browser
        .post_form(
            &format!("/cohorts/{}/routing-runs", r.s.cohort),
            &[
                ("csrf_token", &cohort.csrf()),
                ("assessment_id", &exam),
                ("tie_break_sections", "Quant, Logic"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        element(&bad.body, "tie-breaks-error").contains(&escaped("no section 'Logic'")),
        "{}",
        bad.body
    );
    let started = browser
        .post_form(
            &format!("/cohorts/{}/routing-runs", r.s.cohort),
            &[
                ("csrf_token", &cohort.csrf()),
                ("assessment_id", &exam),
                ("tie_break_sections", "Quant"),
            ],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let location = started.location.expect("redirect");
    let run_id: i64 = location
        .strip_prefix("/routing-runs/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location}"));

    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    // Tara takes Claims plus (the critical process with the most free seats); Near holds Claims under review.
    let up = element(&page.body, &format!("process-{}", r.claims_plus));
    assert!(
        up.contains("Claims plus") && up.contains("1 of 3 seats used") && up.contains("Tara"),
        "{up}"
    );
    let held = element(&page.body, &format!("process-{claims}"));
    assert!(
        held.contains("1 of 1 seats used") && held.contains("Near") && held.contains("review"),
        "{held}"
    );
    assert!(page.body.contains("Review queue (1)"), "{}", page.body);
    let review = element(&page.body, &format!("review-{}", r.near));
    assert!(
        review.contains("Keep the seat in Claims…") && review.contains("Move up to Claims plus…"),
        "{review}"
    );
    assert!(
        page.body.contains("<svg") && page.body.contains("class=\"score review\""),
        "the chart colours the review"
    );
    assert!(
        page.body.contains("76% critical: Claims plus"),
        "the cut-off line is labelled: {}",
        page.body
    );
    dump("run", &page.body);
    dump("cohort", &cohort.body);

    // Resolving the review: a reason is required, then a confirmation page, then the change.
    let key = format!("review-{}", r.near);
    let near = r.near.to_string();
    let up_id = r.claims_plus.to_string();
    let overrides = format!("/routing-runs/{run_id}/overrides");
    let no_reason = browser
        .post_form(
            &overrides,
            &[
                ("csrf_token", &page.csrf()),
                ("form", &key),
                ("trainee_id", &near),
                ("process_id", &up_id),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        element(&no_reason.body, &format!("reason-{}-error", r.near)).contains("audit log"),
        "{}",
        no_reason.body
    );

    let reason = "Strong claims work in training";
    let confirm = browser
        .post_form(
            &overrides,
            &[
                ("csrf_token", &page.csrf()),
                ("form", &key),
                ("trainee_id", &near),
                ("process_id", &up_id),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm.body.contains("Confirm an override") && confirm.body.contains("Claims plus (critical"),
        "{}",
        confirm.body
    );
    let (_, unchanged) = app
        .get_json(&format!("/api/v1/routing-runs/{run_id}"), Some(&r.s.trainer))
        .await;
    assert_eq!(
        line(&unchanged, r.near)["status"],
        "review",
        "nothing changes before the confirmation"
    );

    let done = browser
        .post_form(
            &format!("{overrides}/confirm"),
            &[
                ("csrf_token", &confirm.csrf()),
                ("form", &key),
                ("trainee_id", &near),
                ("process_id", &up_id),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = browser.get(&format!("/routing-runs/{run_id}")).await;
    assert!(after.body.contains("Review queue (0)"), "{}", after.body);
    let overrides_section = &after.body[after.body.find("id=\"overrides-h\"").expect("overrides")..];
    assert!(overrides_section.contains(reason), "{overrides_section}");
    assert!(element(&after.body, &format!("process-{}", r.claims_plus)).contains("2 of 3 seats used"));
    let (_, view) = app
        .get_json(&format!("/api/v1/routing-runs/{run_id}"), Some(&r.s.trainer))
        .await;
    let l = line(&view, r.near);
    assert_eq!(
        (l["status"].as_str(), l["process_id"].as_i64()),
        (Some("assigned"), Some(r.claims_plus)),
        "{l}"
    );
    assert_eq!(l["override_reason"], reason);
}

#[actix_web::test]
async fn publishing_through_the_page_is_confirmed_with_the_notice_count_refused_while_reviews_remain_then_frozen() {
    let app = spawn_app().await;
    let r = review_scene(&app).await;
    let run_id = run(&app, &r.s).await["run_id"].as_i64().expect("run");
    let mut browser = signed_in(&app, "exam.trainer@example.com").await;
    let publish = format!("/routing-runs/{run_id}/publish");

    let blocked = browser.get(&publish).await;
    assert_eq!(blocked.status, StatusCode::OK);
    assert!(blocked.body.contains("still under review"), "{}", blocked.body);
    assert!(
        !blocked.body.contains(&format!("action=\"{publish}\"")),
        "no publish button while reviews remain"
    );
    let refused = browser.post_form(&publish, &[("csrf_token", &blocked.csrf())]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        element(&refused.body, "publish-error").contains("Resolve the 1 review line(s) first"),
        "{}",
        refused.body
    );

    let (status, body) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/overrides"),
            &json!({"trainee_id": r.near, "process_id": r.s.processes[1], "reason": "Keeps Claims for now"}),
            Some(&r.s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let confirm = browser.get(&publish).await;
    assert!(
        confirm.body.contains("Publishing sends <strong>2 notice(s)</strong>"),
        "{}",
        confirm.body
    );
    let (_, still) = app
        .get_json(&format!("/api/v1/routing-runs/{run_id}"), Some(&r.s.trainer))
        .await;
    assert_eq!(still["status"], "draft", "showing the confirmation publishes nothing");

    let published = browser.post_form(&publish, &[("csrf_token", &confirm.csrf())]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let page = browser.get(&published.location.expect("redirect")).await;
    assert!(
        page.body.contains("<strong>Published</strong>") && page.body.contains("2 notice(s) are queued"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("/overrides\""),
        "a published run offers no override form"
    );
    assert!(!page.body.contains("Publish…"));
    let late = browser
        .post_form(
            &format!("/routing-runs/{run_id}/overrides/confirm"),
            &[
                ("csrf_token", &page.csrf()),
                ("trainee_id", &r.tara.to_string()),
                ("process_id", "retrain"),
                ("reason", "late"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        element(&late.body, "page-error").contains("published and frozen"),
        "{}",
        late.body
    );
    assert_eq!(
        browser.get(&publish).await.status,
        StatusCode::SEE_OTHER,
        "nothing left to confirm"
    );
}

#[actix_web::test]
async fn after_publishing_the_trainee_sees_their_placement_and_its_explanation_on_the_training_page() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    let (tara, _) = named_trainee(&app, &s, "Tara", 4, 4).await;
    let (_, _) = named_trainee(&app, &s, "Yan", 1, 2).await; // fails: retrain
    let mut browser = signed_in(&app, "tara@example.com").await;

    let before = browser.get("/training").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before.body.contains("Batch 7") && before.body.contains("Underwriting exam"),
        "{}",
        before.body
    );
    assert!(before.body.contains("Not decided yet"), "{}", before.body);
    assert!(
        before.body.contains("100%, passed") && before.body.contains("/result\">See the result"),
        "{}",
        before.body
    );
    assert!(
        !before.body.contains("Start the exam"),
        "the one attempt allowed is used"
    );

    let r = run(&app, &s).await;
    let run_id = r["run_id"].as_i64().expect("run");
    let explanation = line(&r, tara)["explanation"].as_str().expect("explanation").to_string();
    assert!(
        browser.get("/training").await.body.contains("Not decided yet"),
        "a draft shows trainees nothing"
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/publish"),
            &json!({}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let after = browser.get("/training").await;
    dump("training", &after.body);
    assert!(
        after.body.contains("You work in <strong>Underwriting</strong>"),
        "{}",
        after.body
    );
    assert!(
        after.body.contains(&escaped(&explanation)),
        "{explanation}\n{}",
        after.body
    );

    let mut yan = signed_in(&app, "yan@example.com").await;
    let retrain = yan.get("/training").await;
    assert!(
        retrain.body.contains("<strong>Retrain</strong>") && retrain.body.contains("re-exam"),
        "{}",
        retrain.body
    );
}

#[actix_web::test]
async fn an_admin_sees_each_process_with_its_seats_and_people_and_adds_one_through_the_form() {
    let app = spawn_app().await;
    let s = scene(&app, 1).await;
    let (_, _) = named_trainee(&app, &s, "Tara", 4, 4).await; // Underwriting
    let (_, _) = named_trainee(&app, &s, "Wen", 4, 2).await; // 75%: Claims
    let (_, _) = named_trainee(&app, &s, "Xia", 2, 3).await; // 62.5%: Policy admin
    let run_id = run(&app, &s).await["run_id"].as_i64().expect("run");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/publish"),
            &json!({}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let mut admin = signed_in(&app, "admin@example.com").await;
    let page = admin.get("/processes").await;
    assert_eq!(page.status, StatusCode::OK);
    for (process, person, seats) in [(0, "Tara", "1 of 1"), (1, "Wen", "1 of 1"), (2, "Xia", "1 of 2")] {
        let row = element(&page.body, &format!("process-{}", s.processes[process]));
        assert!(row.contains(person) && row.contains(seats), "{row}");
    }
    let support = element(&page.body, &format!("process-{}", s.processes[3]));
    assert!(
        support.contains("nobody yet") && support.contains("0 of 5"),
        "{support}"
    );
    assert!(element(&page.body, &format!("process-{}", s.processes[0])).contains("85%; Quant at least 100%"));

    let fields = |minimums: &'static str| {
        [
            ("name", "Legal research"),
            ("client", "Lex LLP"),
            ("track", "kpo"),
            ("tier", "complex"),
            ("min_percent", "70"),
            ("section_minimums", minimums),
            ("seats", "4"),
        ]
    };
    let csrf = page.csrf();
    let mut bad: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
    bad.extend(fields("Quant: 80\nVerbal sixty"));
    let refused = admin.post_form("/processes", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = element(&refused.body, "section_minimums-error");
    assert!(
        error.contains("Line 2") && error.contains("Section: percent"),
        "{error}"
    );
    let mut good: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
    good.extend(fields("Quant: 80\nVerbal: 60%"));
    let created = admin.post_form("/processes", &good).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let listed = admin.get("/processes").await;
    dump("processes", &listed.body);
    assert!(
        listed.body.contains("Legal research") && listed.body.contains("70%; Quant at least 80%; Verbal at least 60%"),
        "{}",
        listed.body
    );
}

#[actix_web::test]
async fn each_role_is_kept_to_its_own_routing_pages() {
    let app = spawn_app().await;
    let r = review_scene(&app).await;
    let run_id = run(&app, &r.s).await["run_id"].as_i64().expect("run");

    let mut candidate = signed_in(&app, "tara@example.com").await;
    for path in [
        format!("/routing-runs/{run_id}"),
        "/processes".into(),
        "/cohorts".into(),
        format!("/cohorts/{}", r.s.cohort),
    ] {
        assert_eq!(candidate.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let home = candidate.get("/").await;
    assert!(
        home.body.contains("href=\"/training\""),
        "candidates always find Training"
    );
    app.candidate("applicant@example.com").await;
    let mut applicant = signed_in(&app, "applicant@example.com").await;
    let empty = applicant.get("/training").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.body.contains("You are not in a training cohort"),
        "{}",
        empty.body
    );

    let mut trainer = signed_in(&app, "exam.trainer@example.com").await;
    let processes = trainer.get("/processes").await;
    assert_eq!(
        processes.status,
        StatusCode::OK,
        "trainers read the processes they route to"
    );
    assert!(!processes.body.contains("Add a process"));
    let refused = trainer
        .post_form(
            "/processes",
            &[
                ("csrf_token", &processes.csrf()),
                ("name", "Sneaky"),
                ("client", "X"),
                ("track", "kpo"),
                ("tier", "basic"),
                ("min_percent", "0"),
                ("seats", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        trainer.get("/training").await.status,
        StatusCode::FORBIDDEN,
        "the training page is a trainee's"
    );
    assert!(trainer.get("/").await.body.contains("href=\"/cohorts\""));

    let mut admin = signed_in(&app, "admin@example.com").await;
    assert_eq!(
        admin.get(&format!("/routing-runs/{run_id}")).await.status,
        StatusCode::OK
    );
    let nav = admin.get("/").await.body;
    assert!(nav.contains("href=\"/processes\"") && nav.contains("href=\"/cohorts\""));
}
