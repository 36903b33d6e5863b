use assay::db::Role;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// Eight true/false questions, all "true": four in Quant, four in Verbal.
pub fn rank_bank() -> String {
    let mut toml = String::from("[bank]\nname = \"Rank bank\"\ncategory = \"Rank\"\n");
    for (section, n) in [("Quant", 4), ("Verbal", 4)] {
        for i in 1..=n {
            toml.push_str(&format!(
                "\n[[question]]\nid = \"{section}-{i}\"\ntype = \"true_false\"\ncategory = \"Rank/{section}\"\nstem = \"{section} statement {i} is true.\"\nanswer = true\nexplanation = \"It is.\"\n"
            ));
        }
    }
    toml
}

pub(crate) struct Setup {
    pub recruiter: String,
    pub trainer: String,
    pub drive_id: i64,
    pub assessment_id: i64,
}

pub(crate) async fn setup(app: &TestApp) -> Setup {
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let bank_id = crate::attempts::bank(app, &trainer, &rank_bank()).await;
    let assessment_id = crate::attempts::assessment(
        app,
        &trainer,
        json!({"title": "Rank test", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
               "sections": [{"name": "Quant", "bank_id": bank_id, "category": "Rank/Quant", "count": 4},
                            {"name": "Verbal", "bank_id": bank_id, "category": "Rank/Verbal", "count": 4}]}),
    )
    .await;
    let (status, body) = app
        .post_json(
            "/api/v1/drives",
            &json!({"name": "Open drive", "assessment_id": assessment_id, "tie_break_sections": ["Quant"],
                    "eligibility": {"min_score_percent": 50}}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Setup {
        recruiter,
        trainer,
        drive_id: body["id"].as_i64().expect("id"),
        assessment_id,
    }
}

/// A candidate who applies, answers `quant` Quant and `verbal` Verbal
/// questions right (the rest wrong) and submits; returns the application id.
pub(crate) async fn takes(app: &TestApp, s: &Setup, name: &str, profile: Value, quant: usize, verbal: usize) -> i64 {
    // Parentheses too: in an address they are a comment, which registration refuses.
    let email = format!(
        "{}@example.com",
        name.to_lowercase().replace([' ', ',', '"', '=', '(', ')'], "")
    );
    let (status, body) = app
        .post_json(
            "/api/v1/candidates",
            &json!({"email": email, "password": crate::helpers::PASSWORD, "full_name": name}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = app.sign_in(&email, crate::helpers::PASSWORD).await;
    app.put_json("/api/v1/me/profile", &profile, Some(&token)).await;
    let (_, applied) = app
        .post_json(
            &format!("/api/v1/drives/{}/applications", s.drive_id),
            &json!({}),
            Some(&token),
        )
        .await;
    if applied["eligible"] == true {
        let (_, started) = crate::attempts::start(app, &token, s.assessment_id).await;
        let attempt = started["attempt_id"].as_i64().expect("attempt");
        let (mut q_left, mut v_left) = (quant, verbal);
        for q in started["questions"].as_array().expect("questions") {
            let right = if q["section"] == "Quant" {
                q_left > 0
            } else {
                v_left > 0
            };
            if q["section"] == "Quant" {
                q_left = q_left.saturating_sub(1)
            } else {
                v_left = v_left.saturating_sub(1)
            }
            let id = q["id"].as_i64().expect("id");
            app.put_json(
                &format!("/api/v1/attempts/{attempt}/responses/{id}"),
                &json!({"answer": right, "seq": 1}),
                Some(&token),
            )
            .await;
        }
        app.post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
            .await;
    }
    app.state.clock.advance(chrono::Duration::seconds(10));
    applied["application_id"].as_i64().expect("application id")
}

pub(crate) fn finance(score: f64) -> Value {
    json!({"score_percent": score, "domain": "finance", "degree": "B.Com"})
}

async fn rankings(app: &TestApp, s: &Setup, query: &str) -> Vec<Value> {
    rankings_page(app, s, query).await["items"]
        .as_array()
        .cloned()
        .expect("rows")
}

/// One page of the ranking as the API answers it: `{items, next_after}`.
async fn rankings_page(app: &TestApp, s: &Setup, query: &str) -> Value {
    let (status, body) = app
        .get_json(
            &format!("/api/v1/drives/{}/rankings?{query}", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn names(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["full_name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// D 100%; A, C, E, B all 75% with Quant tie-breaks 4, 3, 3, 2; E after C.
async fn five(app: &TestApp, s: &Setup) -> Vec<i64> {
    let mut ids = Vec::new();
    for (name, profile, q, v) in [
        ("Asha", finance(70.0), 4, 2),
        ("Bala", finance(70.0), 2, 4),
        (
            "Chitra",
            json!({"score_percent": 70, "domain": "law", "degree": "LLB"}),
            3,
            3,
        ),
        ("Dev", finance(90.0), 4, 4),
        ("Esha", finance(70.0), 3, 3),
    ] {
        ids.push(takes(app, s, name, profile, q, v).await);
    }
    ids
}

#[actix_web::test]
async fn rankings_order_by_percent_then_tie_break_then_submission_and_ties_share_a_rank() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    five(&app, &s).await;
    let rows = rankings(&app, &s, "").await;
    assert_eq!(names(&rows), vec!["Dev", "Asha", "Chitra", "Esha", "Bala"]);
    let ranks: Vec<i64> = rows.iter().map(|r| r["rank"].as_i64().unwrap_or(0)).collect();
    assert_eq!(ranks, vec![1, 2, 3, 3, 5]);
    // Five people are too few for a percentile (Standing's unit tests check the arithmetic).
    assert!(rows.iter().all(|r| r["percentile"].is_null()), "{rows:?}");
    assert_eq!(
        rows[0]["sections"],
        json!([{"name": "Quant", "percent": 100.0}, {"name": "Verbal", "percent": 100.0}])
    );
}

#[actix_web::test]
async fn each_filter_narrows_the_rankings() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let ids = five(&app, &s).await;
    takes(&app, &s, "Faiz", finance(40.0), 0, 0).await;
    assert_eq!(names(&rankings(&app, &s, "domain=law").await), vec!["Chitra"]);
    assert_eq!(names(&rankings(&app, &s, "degree=LLB").await), vec!["Chitra"]);
    assert_eq!(names(&rankings(&app, &s, "min_percent=80").await), vec!["Dev"]);
    assert_eq!(
        names(&rankings(&app, &s, "eligible=false").await),
        Vec::<String>::new(),
        "ineligible applicants are never graded"
    );
    let status = app
        .post_json(
            &format!("/api/v1/applications/{}/decision", ids[3]),
            &json!({"status": "shortlisted_kpo"}),
            Some(&s.recruiter),
        )
        .await
        .0;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&rankings(&app, &s, "status=shortlisted_kpo").await), vec!["Dev"]);
    assert_eq!(
        names(&rankings(&app, &s, "status=tested&min_percent=75").await),
        vec!["Asha", "Chitra", "Esha", "Bala"]
    );
    assert_eq!(
        names(&rankings(&app, &s, "sort=section:Verbal&limit=2").await),
        vec!["Dev", "Bala"]
    );
}

#[actix_web::test]
async fn paging_neither_skips_nor_repeats_when_results_arrive_between_pages() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    five(&app, &s).await;
    let first = rankings_page(&app, &s, "limit=2").await;
    assert_eq!(names(first["items"].as_array().expect("rows")), vec!["Dev", "Asha"]);
    let after = first["next_after"].as_str().expect("a next page").to_string();
    // Two new results: one above the cursor, one below it.
    takes(&app, &s, "Gita", finance(80.0), 4, 3).await;
    takes(&app, &s, "Hari", finance(80.0), 1, 3).await;
    let second = rankings_page(&app, &s, &format!("limit=2&after={after}")).await;
    assert_eq!(names(second["items"].as_array().expect("rows")), vec!["Chitra", "Esha"]);
    let after = second["next_after"].as_str().expect("a next page").to_string();
    let third = rankings(&app, &s, &format!("limit=2&after={after}")).await;
    assert_eq!(names(&third), vec!["Bala", "Hari"]);
    assert_eq!(
        third[0]["rank"], 6,
        "Gita's 87.5% now ranks above, so Bala moved down one"
    );
}

#[actix_web::test]
async fn the_csv_escapes_commas_quotes_newlines_and_formula_cells() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    takes(&app, &s, "=HYPERLINK(\"evil\")", finance(70.0), 4, 4).await;
    takes(
        &app,
        &s,
        "Rao, \"Ravi\"",
        json!({"score_percent": 70, "domain": "finance", "degree": "B.Com\nHons"}),
        3,
        3,
    )
    .await;
    let mut res = app
        .client
        .get(app.url(&format!("/api/v1/drives/{}/rankings.csv", s.drive_id)))
        .bearer_auth(&s.recruiter)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("text/csv")));
    let body = res.body().await.expect("body");
    let mut reader = csv::Reader::from_reader(body.as_ref());
    let headers = reader.headers().expect("headers").clone();
    let name = headers.iter().position(|h| h == "full_name").expect("full_name column");
    let degree = headers.iter().position(|h| h == "degree").expect("degree column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][name], "'=HYPERLINK(\"evil\")");
    assert_eq!(&rows[1][name], "Rao, \"Ravi\"");
    assert_eq!(&rows[1][degree], "B.Com\nHons");
}

#[actix_web::test]
async fn every_illegal_move_is_409_and_names_the_allowed_ones() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let walked = takes(&app, &s, "Walker", finance(70.0), 4, 4).await;
    let ineligible = takes(&app, &s, "Low", finance(30.0), 0, 0).await;
    let leaver = takes(&app, &s, "Leaver", finance(70.0), 2, 2).await;
    let (_, cohort) = app
        .post_json(
            "/api/v1/cohorts",
            &json!({"name": "Walkers", "starts_on": "2027-01-11", "ends_on": "2027-04-30"}),
            Some(&s.trainer),
        )
        .await;
    let cohort = cohort["id"].as_i64().expect("cohort id");
    let decide = |id: i64, to: &'static str| {
        let app = &app;
        let token = s.recruiter.clone();
        // A hire names its cohort; no other move may.
        let body = if to == "hired" {
            json!({"status": to, "cohort_id": cohort})
        } else {
            json!({"status": to})
        };
        async move {
            app.post_json(&format!("/api/v1/applications/{id}/decision"), &body, Some(&token))
                .await
        }
    };
    let check_illegal = |from: &'static str| {
        let from: assay::db::ApplicationStatus = from.parse().expect("a status");
        assay::db::ApplicationStatus::ALL
            .into_iter()
            .filter(move |to| !assay::drives::pipeline::allowed_from(from).contains(to))
            .map(|to| to.as_str())
            .collect::<Vec<_>>()
    };
    for (id, path) in [
        (walked, vec!["tested", "shortlisted_kpo", "offered_bpo", "hired"]),
        (ineligible, vec!["applied", "rejected"]),
        (leaver, vec!["tested", "withdrawn"]),
    ] {
        for (i, state) in path.iter().enumerate() {
            for to in check_illegal(state) {
                let (status, body) = decide(id, to).await;
                assert_eq!(status, StatusCode::CONFLICT, "{state} → {to}: {body}");
                assert_eq!(body["error"]["code"], "illegal_move");
            }
            if let Some(next) = path.get(i + 1) {
                let (status, body) = decide(id, next).await;
                assert_eq!(status, StatusCode::OK, "{state} → {next}: {body}");
            }
        }
    }
    let (_, body) = decide(walked, "rejected").await;
    assert!(
        body["error"]["message"].as_str().unwrap_or_default().contains("final"),
        "{body}"
    );
}

#[actix_web::test]
async fn bulk_actions_state_how_many_they_touch_and_touch_exactly_those() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    five(&app, &s).await;
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    browser
        .post_form(
            "/signin",
            &[
                ("csrf_token", &page.csrf()),
                ("email", "recruiter@example.com"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    let list = browser.get(&format!("/drives/{}/rankings", s.drive_id)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let csrf = list.csrf();
    let preview = browser
        .post_form(
            &format!("/drives/{}/bulk", s.drive_id),
            &[("csrf_token", &csrf), ("action", "shortlist_top"), ("n", "2")],
        )
        .await;
    assert!(preview.body.contains("2 people"), "{}", preview.body);
    let done = browser
        .post_form(
            &format!("/drives/{}/bulk/confirm", s.drive_id),
            &[
                ("csrf_token", &csrf),
                ("action", "shortlist_top"),
                ("n", "2"),
                ("expected", "2"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        names(&rankings(&app, &s, "status=shortlisted_kpo").await),
        vec!["Dev", "Asha"]
    );

    let preview = browser
        .post_form(
            &format!("/drives/{}/bulk", s.drive_id),
            &[("csrf_token", &csrf), ("action", "reject_below"), ("percent", "80")],
        )
        .await;
    assert!(preview.body.contains("3 people"), "{}", preview.body);
    // The confirmed count no longer matches once someone new is tested below the line.
    takes(&app, &s, "Late", finance(70.0), 1, 1).await;
    let stale = browser
        .post_form(
            &format!("/drives/{}/bulk/confirm", s.drive_id),
            &[
                ("csrf_token", &csrf),
                ("action", "reject_below"),
                ("percent", "80"),
                ("expected", "3"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        names(&rankings(&app, &s, "status=rejected").await),
        Vec::<String>::new(),
        "nothing changed"
    );
}

#[actix_web::test]
async fn a_decision_records_the_actor_and_note_and_queues_its_notice() {
    use assay::db::schema::notices;
    use diesel::prelude::*;
    let app = spawn_app().await;
    let s = setup(&app).await;
    let id = takes(&app, &s, "Noted", finance(70.0), 4, 4).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &json!({"status": "offered_bpo", "note": "Strong verbal"}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    browser
        .post_form(
            "/signin",
            &[
                ("csrf_token", &page.csrf()),
                ("email", "recruiter@example.com"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    let detail = browser.get(&format!("/drives/{}/applications/{id}", s.drive_id)).await;
    assert!(
        detail
            .body
            .contains("<strong>Offered BPO work</strong> by Staff Member: Strong verbal"),
        "{}",
        detail.body
    );
    let mut conn = app.state.pool.get().expect("conn");
    let kinds: Vec<String> = notices::table
        .filter(notices::recipient_email.eq("noted@example.com"))
        .select(notices::kind)
        .load(&mut *conn)
        .expect("notices");
    assert!(kinds.contains(&"offered_bpo".to_string()), "{kinds:?}");
}

#[actix_web::test]
async fn only_recruiters_and_admins_see_rankings() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (_, candidate) = app.candidate("nosy@example.com").await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    for token in [&candidate, &s.trainer] {
        assert_eq!(
            app.get_json(&format!("/api/v1/drives/{}/rankings", s.drive_id), Some(token))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_json(&format!("/api/v1/drives/{}/rankings.csv", s.drive_id), Some(token))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let page = app
            .client
            .get(app.url(&format!("/drives/{}/rankings", s.drive_id)))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.get_json(&format!("/api/v1/drives/{}/rankings", s.drive_id), Some(&admin))
            .await
            .0,
        StatusCode::OK
    );
    let charts = app
        .client
        .get(app.url(&format!("/drives/{}/charts", s.drive_id)))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("get");
    assert_eq!(charts.status(), StatusCode::OK);
}
