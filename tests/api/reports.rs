//! Item analysis, quarantine and key correction, over the API and the pages.
//! Every test runs on PostgreSQL too when ASSAY_TEST_POSTGRES_URL is set.

use assay::db::schema::{attempt_items, notices, regrades};
use assay::db::Role;
use awc::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::attempts::{assessment, bank};
use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};

/// Core: four single-choice questions, options shuffled on every form.
/// "capital" is miskeyed: the bank says Lyon (B). "unused" starts with `=`,
/// so the CSV must neutralise it. Other: two questions no Core form has.
const REPORT_BANK: &str = r#"
[bank]
name = "Report bank"
category = "Report"

[[question]]
id = "easy"
type = "single_choice"
category = "Report/Core"
stem = "Everyone knows this one: pick Right."
options = ["Right", "Wrong B", "Wrong C", "Wrong D"]
answer = "A"
explanation = "Right is right."

[[question]]
id = "half"
type = "single_choice"
category = "Report/Core"
stem = "Half know this one: pick Right."
options = ["Right", "Wrong B", "Wrong C", "Wrong D"]
answer = "A"
explanation = "Right is right."

[[question]]
id = "capital"
type = "single_choice"
category = "Report/Core"
stem = "Which city is the capital of France?"
options = ["Paris", "Lyon", "Marseille", "Nice"]
answer = "B"
explanation = "Miskeyed on purpose."

[[question]]
id = "unused"
type = "single_choice"
category = "Report/Core"
stem = "=SUM(A1) nobody picks B or D here: pick Right."
options = ["Right", "Wrong B", "Wrong C", "Wrong D"]
answer = "A"
explanation = "Right is right."

[[question]]
id = "other-1"
type = "single_choice"
category = "Report/Other"
stem = "Another test: pick Yes."
options = ["Yes", "No"]
answer = "A"
explanation = "Yes."

[[question]]
id = "other-2"
type = "single_choice"
category = "Report/Other"
stem = "Another test again: pick Yes."
options = ["Yes", "No"]
answer = "A"
explanation = "Yes."
"#;

struct Setup {
    trainer: String,
    recruiter: String,
    bank_id: i64,
}

struct Test {
    assessment_id: i64,
    drive_id: i64,
}

async fn setup(app: &TestApp) -> Setup {
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let bank_id = bank(app, &trainer, REPORT_BANK).await;
    Setup {
        trainer,
        recruiter,
        bank_id,
    }
}

/// An aptitude test drawing `count` questions of `category` (both shuffles
/// on, pass mark 50 %) and a drive that uses it.
async fn test_of(app: &TestApp, s: &Setup, title: &str, category: &str, count: u32) -> Test {
    let assessment_id = assessment(
        app,
        &s.trainer,
        json!({"title": title, "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
               "shuffle_questions": true, "shuffle_options": true,
               "sections": [{"name": "Core", "bank_id": s.bank_id, "category": category, "count": count}]}),
    )
    .await;
    let (status, body) = app
        .post_json(
            "/api/v1/drives",
            &json!({"name": format!("{title} drive"), "assessment_id": assessment_id, "eligibility": {"min_score_percent": 50}}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Test {
        assessment_id,
        drive_id: body["id"].as_i64().expect("drive id"),
    }
}

/// Someone who took the test.
struct Taker {
    email: String,
    token: String,
    attempt_id: i64,
}

/// Registers, applies, starts and answers by option text: `choices` pairs
/// the start of a stem with the text of the option chosen. Submits unless
/// `submit` is false.
async fn takes(app: &TestApp, t: &Test, name: &str, choices: &[(&str, &str)], submit: bool) -> Taker {
    let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
    let (status, body) = app
        .post_json(
            "/api/v1/candidates",
            &json!({"email": email, "password": PASSWORD, "full_name": name}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = app.sign_in(&email, PASSWORD).await;
    let profile = json!({"score_percent": 70, "domain": "finance", "degree": "B.Com"});
    assert_eq!(
        app.put_json("/api/v1/me/profile", &profile, Some(&token)).await.0,
        StatusCode::OK
    );
    let (_, applied) = app
        .post_json(
            &format!("/api/v1/drives/{}/applications", t.drive_id),
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(applied["eligible"], true, "{applied}");
    let (status, started) = crate::attempts::start(app, &token, t.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let attempt_id = started["attempt_id"].as_i64().expect("attempt");
    for q in started["questions"].as_array().expect("questions") {
        let stem = q["stem"].as_str().unwrap_or_default();
        let Some((_, text)) = choices.iter().find(|(start, _)| stem.starts_with(start)) else {
            continue;
        };
        let option = q["options"]
            .as_array()
            .and_then(|os| os.iter().find(|o| o["text"] == *text))
            .and_then(|o| o["id"].as_i64())
            .unwrap_or_else(|| panic!("no option {text} in {q}"));
        let path = format!("/api/v1/attempts/{attempt_id}/responses/{}", q["id"]);
        assert_eq!(
            app.put_json(&path, &json!({"answer": option, "seq": 1}), Some(&token))
                .await
                .0,
            StatusCode::NO_CONTENT
        );
    }
    if submit {
        let (status, result) = app
            .post_json(
                &format!("/api/v1/attempts/{attempt_id}/submit"),
                &json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
    }
    app.state.clock.advance(chrono::Duration::seconds(10));
    Taker {
        email,
        token,
        attempt_id,
    }
}

const EASY: &str = "Everyone";
const HALF: &str = "Half";
const CAPITAL: &str = "Which city";
const UNUSED: &str = "=SUM";

/// Eight people, strongest first. Marks (easy, half, capital as keyed,
/// unused): totals 3, 3, 3, 2, 1, 1, 2, 2 of 4.
async fn eight(app: &TestApp, t: &Test) {
    let people: [(&str, &str, &str, &str); 8] = [
        ("Right", "Paris", "Right", "Asha"),
        ("Right", "Paris", "Right", "Bala"),
        ("Right", "Paris", "Right", "Chitra"),
        ("Right", "Paris", "Wrong C", "Dev"),
        ("Wrong B", "Paris", "Wrong C", "Esha"),
        ("Wrong B", "Paris", "Wrong C", "Faiz"),
        ("Wrong B", "Lyon", "Wrong C", "Gita"),
        ("Wrong B", "Lyon", "Wrong C", "Hari"),
    ];
    for (half, capital, unused, name) in people {
        takes(
            app,
            t,
            name,
            &[(EASY, "Right"), (HALF, half), (CAPITAL, capital), (UNUSED, unused)],
            true,
        )
        .await;
    }
}

fn item<'a>(report: &'a Value, stem_start: &str) -> &'a Value {
    report["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["stem"].as_str().is_some_and(|s| s.starts_with(stem_start)))
        })
        .unwrap_or_else(|| panic!("no item {stem_start} in {report}"))
}

fn option<'a>(item: &'a Value, text: &str) -> &'a Value {
    item["distractors"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["text"] == text))
        .unwrap_or_else(|| panic!("no option {text} in {item}"))
}

fn flags(item: &Value) -> Vec<(String, Option<i64>)> {
    item["flags"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| (f["name"].as_str().unwrap_or_default().to_string(), f["option"].as_i64()))
                .collect()
        })
        .unwrap_or_default()
}

async fn analysis(app: &TestApp, assessment_id: i64, token: &str) -> (StatusCode, Value) {
    app.get_json(
        &format!("/api/v1/assessments/{assessment_id}/item-analysis"),
        Some(token),
    )
    .await
}

#[actix_web::test]
async fn the_item_analysis_reports_known_numbers_over_the_api() {
    // Eight takers: judge questions on fewer answers than a firm would.
    let app = spawn_app_with(|c| c.flag_min_responses = 5).await;
    let s = setup(&app).await;
    let t = test_of(&app, &s, "Report test", "Report/Core", 4).await;
    let (status, empty) = analysis(&app, t.assessment_id, &s.trainer).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["test"]["n"], 0);
    assert_eq!(empty["test"]["mean_percent"], Value::Null, "nobody graded: null, not 0");
    assert_eq!(empty["items"], json!([]));

    eight(&app, &t).await;
    let (status, report) = analysis(&app, t.assessment_id, &s.trainer).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let test = &report["test"];
    for key in [
        "n",
        "mean_percent",
        "median_percent",
        "sd_percent",
        "skewness",
        "kurtosis",
        "cronbach_alpha",
        "kr20",
        "error_ratio_percent",
        "standard_error_percent",
    ] {
        assert!(test.get(key).is_some(), "test.{key} missing: {test}");
    }
    assert_eq!(test["n"], 8);
    assert_eq!(test["items"], 4, "four slots, though every form shuffled the questions");
    assert_eq!(test["mean_percent"], 53.125, "17 of 32 marks");
    assert_eq!(test["median_percent"], 50.0);
    // Item sums of squares 0 + 2 + 1.5 + 1.875 against the totals' 4.875.
    let alpha = 4.0 / 3.0 * (1.0 - 5.375 / 4.875);
    assert!(
        (test["cronbach_alpha"].as_f64().expect("alpha") - alpha).abs() < 1e-9,
        "{test}"
    );
    assert_eq!(test["kr20"], test["cronbach_alpha"], "every mark is 0 or 1");
    assert_eq!(report["forms_differ"], false);
    assert_eq!(report["groups"]["size"], 2);
    assert_eq!(report["items"].as_array().map(Vec::len), Some(4));

    let easy = item(&report, EASY);
    for key in [
        "question_id",
        "version_id",
        "stem",
        "section",
        "facility_percent",
        "sd_percent",
        "random_guess_percent",
        "intended_weight_percent",
        "effective_weight_percent",
        "discrimination_index",
        "discriminative_efficiency",
        "point_biserial",
        "upper_lower_index",
        "distractors",
        "flags",
    ] {
        assert!(easy.get(key).is_some(), "item.{key} missing: {easy}");
    }
    assert_eq!(easy["section"], "Core");
    assert_eq!(easy["facility_percent"], 100.0);
    assert_eq!(easy["sd_percent"], 0.0);
    assert_eq!(easy["discrimination_index"], Value::Null, "no spread: undefined");
    assert_eq!(easy["random_guess_percent"], 25.0);
    assert_eq!(easy["intended_weight_percent"], 25.0);
    assert!(flags(easy).contains(&("too_easy".into(), None)), "{easy}");
    let right = option(easy, "Right");
    assert_eq!(
        (
            right["option_id"].as_i64(),
            right["is_key"].as_bool(),
            right["share_all"].as_f64()
        ),
        (Some(0), Some(true), Some(1.0))
    );

    // Shuffled on every form, yet counted per original option.
    let half = item(&report, HALF);
    assert_eq!(half["facility_percent"], 50.0);
    let wrong_b = option(half, "Wrong B");
    assert_eq!(wrong_b["option_id"], 1);
    assert_eq!(
        (
            wrong_b["share_all"].as_f64(),
            wrong_b["share_upper"].as_f64(),
            wrong_b["share_lower"].as_f64()
        ),
        (Some(0.5), Some(0.0), Some(1.0))
    );
    assert_eq!(option(half, "Right")["share_upper"], 1.0);
    assert_eq!(option(half, "Wrong D")["share_all"], 0.0);

    let capital = item(&report, CAPITAL);
    assert_eq!(capital["facility_percent"], 25.0);
    let paris = option(capital, "Paris");
    assert_eq!(
        (
            paris["option_id"].as_i64(),
            paris["is_key"].as_bool(),
            paris["share_all"].as_f64()
        ),
        (Some(0), Some(false), Some(0.75))
    );
    assert_eq!(option(capital, "Lyon")["is_key"], true);
    assert!(
        flags(capital).contains(&("likely_miskey".into(), Some(0))),
        "the upper group chose Paris: {capital}"
    );
    let miskey = capital["flags"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == "likely_miskey"))
        .expect("flag");
    assert!(
        miskey["message"]
            .as_str()
            .is_some_and(|m| m.contains("key may be wrong")),
        "{miskey}"
    );

    let unused = item(&report, UNUSED);
    assert_eq!(unused["facility_percent"], 37.5);
    let unused_flags = flags(unused);
    assert!(
        unused_flags.contains(&("unused_distractor".into(), Some(1))),
        "{unused}"
    );
    assert!(
        unused_flags.contains(&("unused_distractor".into(), Some(3))),
        "{unused}"
    );
    assert!(
        !unused_flags.contains(&("unused_distractor".into(), Some(2))),
        "{unused}"
    );

    // Routing's figure agrees with the report's.
    let id = assay::db::AssessmentId(t.assessment_id as i32);
    let (n, sem, a, sd) = app
        .state
        .db(move |conn| assay::reports::standard_error_percent(conn, id))
        .await
        .expect("standard error");
    assert_eq!(n, 8);
    // JSON parsing may differ from the f64 in the last place.
    let close = |x: Option<f64>, key: &str| {
        let json = test[key].as_f64().expect(key);
        assert!(
            x.is_some_and(|x| (x - json).abs() < 1e-9),
            "{key}: {x:?} against {json}"
        );
    };
    close(sem, "standard_error_percent");
    close(a, "cronbach_alpha");
    close(sd, "sd_percent");
}

#[actix_web::test]
async fn only_trainers_and_administrators_read_the_report() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let t = test_of(&app, &s, "Report test", "Report/Core", 4).await;
    let taker = takes(&app, &t, "Asha", &[(EASY, "Right")], true).await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    assert_eq!(analysis(&app, t.assessment_id, &admin).await.0, StatusCode::OK);
    assert_eq!(
        analysis(&app, t.assessment_id, &s.recruiter).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        analysis(&app, t.assessment_id, &taker.token).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/assessments/{}/item-analysis", t.assessment_id), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(analysis(&app, 9999, &s.trainer).await.0, StatusCode::NOT_FOUND);
    let csv = app
        .client
        .get(app.url(&format!("/assessments/{}/report.csv", t.assessment_id)))
        .bearer_auth(&taker.token)
        .send()
        .await;
    assert_eq!(csv.expect("csv").status(), StatusCode::FORBIDDEN);
    let version = version_of(&app, &s, CAPITAL).await;
    for token in [&s.recruiter, &taker.token] {
        let path = format!("/api/v1/question-versions/{version}/quarantine");
        assert_eq!(
            app.post_json(&path, &json!({"reason": "no"}), Some(token)).await.0,
            StatusCode::FORBIDDEN
        );
        let path = format!("/api/v1/question-versions/{version}/correct-key");
        assert_eq!(
            app.post_json(&path, &json!({"reason": "no", "key": [0]}), Some(token))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
    }
}

#[actix_web::test]
async fn the_item_table_exports_as_csv_with_formulas_neutralised() {
    // Eight takers: judge questions on fewer answers than a firm would.
    let app = spawn_app_with(|c| c.flag_min_responses = 5).await;
    let s = setup(&app).await;
    let t = test_of(&app, &s, "Report test", "Report/Core", 4).await;
    eight(&app, &t).await;
    let mut res = app
        .client
        .get(app.url(&format!("/assessments/{}/report.csv", t.assessment_id)))
        .bearer_auth(&s.trainer)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv")));
    let body = String::from_utf8(res.body().await.expect("body").to_vec()).expect("utf-8");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
    assert_eq!(&header[..3], ["question_id", "version_id", "version"]);
    assert!(header.contains(&"discrimination_index".to_string()) && header.contains(&"flags".to_string()));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 4);
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let unused = rows
        .iter()
        .find(|r| r[col("stem")].contains("SUM(A1)"))
        .expect("unused row");
    assert!(
        unused[col("stem")].starts_with("'="),
        "a formula cell is neutralised: {:?}",
        &unused[col("stem")]
    );
    assert_eq!(&unused[col("facility_percent")], "37.5");
    assert!(unused[col("flags")].contains("unused_distractor"));
    let easy = rows
        .iter()
        .find(|r| r[col("stem")].starts_with(EASY))
        .expect("easy row");
    assert_eq!(&easy[col("facility_percent")], "100");
    assert_eq!(&easy[col("discrimination_index")], "", "null is an empty cell");
}

/// The version id of the bank question whose stem starts so, and its question id.
async fn version_and_question(app: &TestApp, s: &Setup, stem_start: &str) -> (i64, i64) {
    let (status, questions) = app
        .get_json(&format!("/api/v1/banks/{}/questions", s.bank_id), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::OK, "{questions}");
    let q = questions["items"]
        .as_array()
        .and_then(|qs| {
            qs.iter()
                .find(|q| q["stem"].as_str().is_some_and(|st| st.starts_with(stem_start)))
        })
        .unwrap_or_else(|| panic!("no question {stem_start}"));
    (
        q["version_id"].as_i64().expect("version"),
        q["id"].as_i64().expect("id"),
    )
}

async fn version_of(app: &TestApp, s: &Setup, stem_start: &str) -> i64 {
    version_and_question(app, s, stem_start).await.0
}

fn audit_actions(app: &TestApp) -> Vec<String> {
    let mut conn = app.state.pool.get().expect("conn");
    assay::audit::page(&mut conn, None, 100)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[actix_web::test]
async fn a_quarantined_version_is_never_drawn_again_but_old_attempts_keep_it() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let before = test_of(&app, &s, "Before", "Report/Core", 4).await;
    let early = takes(&app, &before, "Early Bird", &[], false).await;
    let (version, question) = version_and_question(&app, &s, CAPITAL).await;

    let path = format!("/api/v1/question-versions/{version}/quarantine");
    let (status, refused) = app.post_json(&path, &json!({"reason": "  "}), Some(&s.trainer)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, done) = app
        .post_json(&path, &json!({"reason": "Two answers look right"}), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["quarantined"].as_bool(), done["quarantine_reason"].as_str()),
        (Some(true), Some("Two answers look right"))
    );
    assert_eq!(
        app.post_json(&path, &json!({"reason": "again"}), Some(&s.trainer))
            .await
            .0,
        StatusCode::OK,
        "harmless twice"
    );
    assert_eq!(
        audit_actions(&app)
            .iter()
            .filter(|a| *a == "question.quarantine")
            .count(),
        1
    );
    assert_eq!(
        app.post_json(
            "/api/v1/question-versions/99999/quarantine",
            &json!({"reason": "x"}),
            Some(&s.trainer)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    // A section needing all four Core questions now finds three.
    let (status, short) = app
        .post_json(
            "/api/v1/assessments",
            &json!({"title": "Too many", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
                    "sections": [{"name": "Core", "bank_id": s.bank_id, "category": "Report/Core", "count": 4}]}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{short}");
    assert!(short.to_string().contains("has only 3: 1 short"), "{short}");

    // Exactly the three left, on many forms: the quarantined one never.
    let after = test_of(&app, &s, "After", "Report/Core", 3).await;
    for i in 0..10 {
        let taker = takes(&app, &after, &format!("Later {i}"), &[], false).await;
        let (_, view) = app
            .get_json(&format!("/api/v1/attempts/{}", taker.attempt_id), Some(&taker.token))
            .await;
        let ids: Vec<i64> = view["questions"]
            .as_array()
            .expect("questions")
            .iter()
            .filter_map(|q| q["id"].as_i64())
            .collect();
        assert_eq!(ids.len(), 3, "{view}");
        assert!(
            !ids.contains(&question),
            "form {i} drew the quarantined question: {view}"
        );
    }
    let mut conn = app.state.pool.get().expect("conn");
    let shown: i64 = attempt_items::table
        .filter(attempt_items::version_id.eq(version as i32))
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(shown, 1, "only the attempt started before the quarantine shows it");
    drop(conn);

    // The earlier attempt keeps it and is graded as usual.
    let (_, view) = app
        .get_json(&format!("/api/v1/attempts/{}", early.attempt_id), Some(&early.token))
        .await;
    assert!(
        view["questions"]
            .as_array()
            .expect("questions")
            .iter()
            .any(|q| q["id"] == question),
        "{view}"
    );
    let (status, result) = app
        .post_json(
            &format!("/api/v1/attempts/{}/submit", early.attempt_id),
            &json!({}),
            Some(&early.token),
        )
        .await;
    assert_eq!(
        (status, result["status"].as_str()),
        (StatusCode::OK, Some("graded")),
        "{result}"
    );
    let (_, report) = analysis(&app, before.assessment_id, &s.trainer).await;
    assert_eq!(item(&report, CAPITAL)["quarantined"], true, "{report}");
}

fn corrected_notices(app: &TestApp) -> Vec<String> {
    let mut conn = app.state.pool.get().expect("conn");
    let mut emails: Vec<String> = notices::table
        .filter(notices::kind.eq("corrected_result"))
        .select(notices::recipient_email)
        .load(&mut *conn)
        .expect("notices");
    emails.sort();
    emails
}

async fn percent_of(app: &TestApp, taker: &Taker) -> Value {
    let (_, view) = app
        .get_json(&format!("/api/v1/attempts/{}", taker.attempt_id), Some(&taker.token))
        .await;
    view["result"]["percent"].clone()
}

async fn ranking(app: &TestApp, s: &Setup, t: &Test) -> Vec<(String, f64)> {
    let (status, rows) = app
        .get_json(&format!("/api/v1/drives/{}/rankings", t.drive_id), Some(&s.recruiter))
        .await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    rows["items"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["full_name"].as_str().unwrap_or_default().to_string(),
                r["percent"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect()
}

#[actix_web::test]
async fn correcting_a_miskey_regrades_exactly_the_people_who_saw_it() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let core = test_of(&app, &s, "Core test", "Report/Core", 4).await;
    let other = test_of(&app, &s, "Other test", "Report/Other", 2).await;
    let all_right = |capital| [(EASY, "Right"), (HALF, "Right"), (UNUSED, "Right"), (CAPITAL, capital)];
    let paris = takes(&app, &core, "Paris Person", &all_right("Paris"), true).await;
    let lyon = takes(&app, &core, "Lyon Person", &all_right("Lyon"), true).await;
    let marseille = takes(&app, &core, "Marseille Person", &all_right("Marseille"), true).await;
    let open = takes(&app, &core, "Open Person", &all_right("Paris"), false).await;
    let yes = [("Another test:", "Yes"), ("Another test again", "Yes")];
    let elsewhere = takes(&app, &other, "Other Person", &yes, true).await;
    assert_eq!(percent_of(&app, &paris).await, 75.0);
    assert_eq!(percent_of(&app, &lyon).await, 100.0);
    let other_ranking = ranking(&app, &s, &other).await;

    let version = version_of(&app, &s, CAPITAL).await;
    let path = format!("/api/v1/question-versions/{version}/correct-key");
    let (status, bad) = app
        .post_json(&path, &json!({"reason": "Paris", "key": [7]}), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (status, bad) = app
        .post_json(
            &path,
            &json!({"reason": "Paris", "key": [0], "body": {"type": "essay"}}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (status, done) = app
        .post_json(
            &path,
            &json!({"reason": "Paris is the capital", "key": [0]}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["new_version"], 2);
    assert_eq!(done["moved_open_attempts"], 1);
    assert_eq!(done["results_changed"], 2);
    assert_eq!(done["notices_queued"], 2);
    let regraded: Vec<(i64, Value, Value)> = done["regrades"]
        .as_array()
        .expect("regrades")
        .iter()
        .map(|r| {
            (
                r["attempt_id"].as_i64().unwrap_or(0),
                r["old_percent"].clone(),
                r["new_percent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        regraded,
        vec![
            (paris.attempt_id, json!(75.0), json!(100.0)),
            (lyon.attempt_id, json!(100.0), json!(75.0)),
            (marseille.attempt_id, json!(75.0), json!(75.0)),
        ]
    );

    // Scores and rankings moved for the two whose answer changed its worth.
    assert_eq!(percent_of(&app, &paris).await, 100.0);
    assert_eq!(percent_of(&app, &lyon).await, 75.0);
    assert_eq!(percent_of(&app, &marseille).await, 75.0);
    assert_eq!(percent_of(&app, &elsewhere).await, 100.0);
    let core_ranking = ranking(&app, &s, &core).await;
    assert_eq!(core_ranking[0], ("Paris Person".to_string(), 100.0), "{core_ranking:?}");
    assert!(
        core_ranking.contains(&("Lyon Person".to_string(), 75.0)),
        "{core_ranking:?}"
    );
    assert_eq!(
        ranking(&app, &s, &other).await,
        other_ranking,
        "another test's drive is untouched"
    );

    // Told: exactly those two.
    assert_eq!(corrected_notices(&app), vec![lyon.email.clone(), paris.email.clone()]);
    {
        let mut conn = app.state.pool.get().expect("conn");
        let rows: i64 = regrades::table
            .filter(regrades::version_id.eq(version as i32))
            .count()
            .get_result(&mut *conn)
            .expect("regrades");
        assert_eq!(rows, 3, "every submitted attempt that saw it is recorded");
    }
    assert!(audit_actions(&app).contains(&"question.correct_key".to_string()));

    // The bank now holds the corrected key; the old version cannot be corrected twice.
    let (new_version, _) = version_and_question(&app, &s, CAPITAL).await;
    assert_eq!(new_version, done["new_version_id"].as_i64().expect("id"));
    let (status, again) = app
        .post_json(&path, &json!({"reason": "again", "key": [0]}), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    // The attempt open during the correction is graded with the right key.
    let (status, result) = app
        .post_json(
            &format!("/api/v1/attempts/{}/submit", open.attempt_id),
            &json!({}),
            Some(&open.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(result["percent"], 100.0, "{result}");
    assert_eq!(corrected_notices(&app).len(), 2, "a first result is no correction");

    // The report reads the old version with its corrected key. The open
    // attempt showed the new version, so the capital's slot now differs
    // between forms: each version's statistics use its own attempts.
    let (_, report) = analysis(&app, core.assessment_id, &s.trainer).await;
    assert_eq!(report["forms_differ"], true, "{report}");
    assert!(report["note"].as_str().is_some_and(|n| n.contains("forms differ")));
    assert_eq!(report["test"]["items"], 4);
    let versions: Vec<&Value> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["stem"].as_str().is_some_and(|st| st.starts_with(CAPITAL)))
        .collect();
    assert_eq!(versions.len(), 2, "{report}");
    let (old, new) = (versions[0], versions[1]);
    assert_eq!(
        (old["version_id"].as_i64(), old["n"].as_i64()),
        (Some(version), Some(3))
    );
    assert_eq!(old["corrected_version_id"], done["new_version_id"]);
    assert_eq!(option(old, "Paris")["is_key"], true, "the corrected key scores it");
    assert!(
        (old["facility_percent"].as_f64().expect("facility") - 100.0 / 3.0).abs() < 1e-9,
        "{old}"
    );
    assert_eq!(
        (new["n"].as_i64(), new["facility_percent"].as_f64()),
        (Some(1), Some(100.0))
    );
    assert_eq!(
        (
            old["intended_weight_percent"].as_f64(),
            new["intended_weight_percent"].as_f64()
        ),
        (Some(25.0), Some(25.0))
    );

    // Correcting the correction re-scores everyone who saw either version.
    let path = format!("/api/v1/question-versions/{new_version}/correct-key");
    let (status, both) = app
        .post_json(
            &path,
            &json!({"reason": "Accept Lyon too", "key": [0, 1]}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{both}");
    assert_eq!(both["regrades"].as_array().map(Vec::len), Some(4));
    assert_eq!(both["results_changed"], 1);
    assert_eq!(percent_of(&app, &lyon).await, 100.0);
    assert_eq!(percent_of(&app, &paris).await, 100.0);
    assert_eq!(
        corrected_notices(&app),
        vec![lyon.email.clone(), lyon.email.clone(), paris.email.clone()],
        "one notice per correction and person"
    );
}

#[actix_web::test]
async fn the_report_page_draws_its_charts_prints_on_a4_and_quarantines_by_form() {
    // Eight takers: judge questions on fewer answers than a firm would.
    let app = spawn_app_with(|c| c.flag_min_responses = 5).await;
    let s = setup(&app).await;
    let t = test_of(&app, &s, "Report test", "Report/Core", 4).await;
    eight(&app, &t).await;
    let mut browser = crate::notices::signed_in(&app, "trainer@example.com").await;
    let page = browser.get(&format!("/assessments/{}/report", t.assessment_id)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("href=\"/static/reports.css\""));
    // Distribution, scatter, and one option chart per choice item.
    assert_eq!(body.matches("<svg").count(), 6, "{body}");
    assert!(body.contains("pass 50%"), "the pass mark is drawn");
    assert!(body.contains("class=\"dot flagged\""), "flagged items are marked");
    assert!(
        body.contains("the key may be wrong"),
        "flags are explained next to the item"
    );
    assert!(body.contains("Cronbach"));
    assert!(!body.contains("forms differ"), "every form drew the same questions");

    let css = browser.get("/static/reports.css").await;
    assert_eq!(css.status, StatusCode::OK);
    for rule in [
        "@page",
        "size: A4",
        "@media print",
        "overflow: visible",
        "font-size: 7pt",
    ] {
        assert!(css.body.contains(rule), "print stylesheet lacks {rule}");
    }

    let version = version_of(&app, &s, CAPITAL).await;
    let action = format!("/assessments/{}/items/{version}/quarantine", t.assessment_id);
    assert!(body.contains(&action), "the page offers quarantine");
    let done = browser
        .post_form(&action, &[("csrf_token", &page.csrf()), ("reason", "Miskeyed")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.location.as_deref().expect("location");
    let again = browser.get(location.split('#').next().unwrap_or(location)).await;
    assert!(again.body.contains("is quarantined"), "{}", again.body);
    let forged = browser
        .post_form(&action, &[("csrf_token", "forged"), ("reason", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (_, report) = analysis(&app, t.assessment_id, &s.trainer).await;
    assert_eq!(item(&report, CAPITAL)["quarantine_reason"], "Miskeyed");

    // The page's correct-key form: Paris was right all along.
    let action = format!("/assessments/{}/items/{version}/correct-key", t.assessment_id);
    assert!(again.body.contains(&action), "the page offers a key correction");
    let fields = [
        ("csrf_token", again.csrf()),
        ("key", "0".into()),
        ("reason", "Paris is the capital".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = browser.post_form(&action, &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.location.as_deref().expect("location");
    let after = browser.get(location.split('#').next().unwrap_or(location)).await;
    assert!(after.body.contains("corrected as version 2"), "{}", after.body);
    assert!(after.body.contains("Key corrected in version 2"));
    let (_, report) = analysis(&app, t.assessment_id, &s.trainer).await;
    let capital = item(&report, CAPITAL);
    assert_eq!(capital["facility_percent"], 75.0, "re-graded: six of eight chose Paris");
    assert!(
        !flags(capital).iter().any(|(name, _)| name == "likely_miskey"),
        "{capital}"
    );

    let nobody = test_of(&app, &s, "Nobody yet", "Report/Other", 2).await;
    let empty = browser
        .get(&format!("/assessments/{}/report", nobody.assessment_id))
        .await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("No graded attempts yet"));
    assert_eq!(
        browser.get("/assessments/9999/report").await.status,
        StatusCode::NOT_FOUND
    );

    let recruiter = crate::notices::signed_in(&app, "recruiter@example.com")
        .await
        .get(&format!("/assessments/{}/report", t.assessment_id))
        .await;
    assert_eq!(recruiter.status, StatusCode::FORBIDDEN);
}
