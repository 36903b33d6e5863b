//! Structured interviews and the combined hiring decision, over HTTP: blind
//! scorecards, the panel's means and disagreements, proposals at the
//! drive's thresholds, and overrides whose reasons stay internal.

use assay::db::schema::{audit_log, notices};
use assay::db::Role;
use awc::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{error_fields, signed_in, TestApp};
use crate::rankings::{finance, setup, takes, Setup};

const COMPETENCIES: [&str; 5] = [
    "Analytical reasoning",
    "Domain knowledge",
    "Written communication",
    "Spoken English",
    "Client orientation",
];

/// A tested candidate answering `quant` and `verbal` of 4 each right, then
/// shortlisted for a KPO interview; returns the application id.
async fn interviewed(app: &TestApp, s: &Setup, name: &str, quant: usize, verbal: usize) -> i64 {
    let id = takes(app, s, name, finance(70.0), quant, verbal).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &json!({"status": "shortlisted_kpo"}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

/// A scorecard rating the five default competencies `ratings`, with evidence.
pub(crate) fn card(ratings: [i32; 5], recommendation: &str, submit: bool) -> Value {
    let rated: Vec<Value> = COMPETENCIES
        .iter()
        .zip(ratings)
        .map(|(name, r)| json!({"competency": name, "rating": r, "evidence": format!("Seen in the case study: {name}.")}))
        .collect();
    json!({"ratings": rated, "recommendation": recommendation, "summary": "Solid.", "submit": submit})
}

pub(crate) async fn score(app: &TestApp, token: &str, id: i64, body: &Value) -> (StatusCode, Value) {
    app.put_json(&format!("/api/v1/applications/{id}/scorecards/mine"), body, Some(token))
        .await
}

#[actix_web::test]
async fn scorecards_stay_blind_until_the_interviewer_submits_their_own() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let (ana_id, ana) = app.staff("ana@example.com", Role::Trainer).await;
    let (_, ben) = app.staff("ben@example.com", Role::Trainer).await;
    let id = interviewed(&app, &s, "Kiran", 4, 2).await;

    // Ana's draft is hers alone.
    let (status, body) = score(&app, &ana, id, &card([4, 4, 4, 4, 4], "kpo", false)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scorecard"]["submitted"], false, "{body}");
    let (status, _) = app
        .get_json(&format!("/api/v1/applications/{id}/scorecards/{ana_id}"), Some(&ben))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Submitted, it is still hidden from Ben until he submits his own.
    let (status, body) = score(&app, &ana, id, &card([4, 4, 4, 5, 4], "kpo", true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .get_json(&format!("/api/v1/applications/{id}/scorecards/{ana_id}"), Some(&ben))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Submit your own scorecard"),
        "{body}"
    );
    let (status, _) = app
        .get_json(&format!("/api/v1/applications/{id}/panel"), Some(&ben))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Ben starts his own: the list names Ana but withholds her values.
    score(&app, &ben, id, &card([3, 4, 4, 3, 4], "kpo", false)).await;
    let (status, list) = app
        .get_json(&format!("/api/v1/applications/{id}/scorecards"), Some(&ben))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{list}");
    let anas = items
        .iter()
        .find(|c| c["interviewer_id"] == ana_id)
        .expect("Ana's card");
    assert_eq!(anas["hidden"], true, "{anas}");
    assert_eq!(anas["ratings"], json!([]), "{anas}");
    assert!(anas["recommendation"].is_null(), "{anas}");
    assert!(list["next_after"].is_null(), "{list}");

    // Submitting an incomplete scorecard names every gap and keeps it a draft.
    let (status, body) = score(
        &app,
        &ben,
        id,
        &json!({"ratings": [{"competency": "Spoken English", "rating": 3, "evidence": ""}], "submit": true}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = error_fields(&body);
    assert!(
        fields.contains(&"rating:Analytical reasoning".to_string()),
        "{fields:?}"
    );
    assert!(fields.contains(&"evidence:Spoken English".to_string()), "{fields:?}");
    assert!(fields.contains(&"recommendation".to_string()), "{fields:?}");

    // Once Ben submits, he sees Ana's ratings and the panel.
    let (status, body) = score(&app, &ben, id, &card([3, 4, 4, 3, 4], "bpo", true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, anas) = app
        .get_json(&format!("/api/v1/applications/{id}/scorecards/{ana_id}"), Some(&ben))
        .await;
    assert_eq!(status, StatusCode::OK, "{anas}");
    assert_eq!(anas["ratings"][3]["competency"], "Spoken English", "{anas}");
    assert_eq!(anas["ratings"][3]["rating"], 5, "{anas}");
    assert_eq!(anas["recommendation"], "kpo", "{anas}");

    // A submitted scorecard is final.
    let (status, body) = score(&app, &ana, id, &card([1, 1, 1, 1, 1], "no_offer", true)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[actix_web::test]
async fn the_panel_mean_is_per_competency_and_two_points_apart_is_flagged() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let (_, ana) = app.staff("ana@example.com", Role::Trainer).await;
    let (_, ben) = app.staff("ben@example.com", Role::Recruiter).await;
    let id = interviewed(&app, &s, "Kiran", 4, 2).await;
    score(&app, &ana, id, &card([4, 3, 4, 5, 2], "kpo", true)).await;
    score(&app, &ben, id, &card([5, 3, 3, 3, 3], "bpo", true)).await;

    // The recruiter is not on the panel: they see it, to decide.
    let (status, panel) = app
        .get_json(&format!("/api/v1/applications/{id}/panel"), Some(&s.recruiter))
        .await;
    assert_eq!(status, StatusCode::OK, "{panel}");
    assert_eq!(panel["scorecards"], 2, "{panel}");
    let by_name = |name: &str| {
        panel["competencies"]
            .as_array()
            .expect("competencies")
            .iter()
            .find(|c| c["competency"] == name)
            .cloned()
            .expect(name)
    };
    assert_eq!(by_name("Analytical reasoning")["mean"], 4.5);
    assert_eq!(by_name("Analytical reasoning")["disagreement"], false);
    assert_eq!(by_name("Domain knowledge")["mean"], 3.0);
    assert_eq!(by_name("Spoken English")["mean"], 4.0);
    assert_eq!(by_name("Spoken English")["disagreement"], true, "5 and 3 are two apart");
    assert_eq!(
        by_name("Client orientation")["disagreement"],
        false,
        "2 and 3 are one apart"
    );
    // Means 4.5, 3, 3.5, 4, 2.5 → 3.5 → (3.5 − 1) / 4 = 62.5.
    assert_eq!(panel["interview_percent"], 62.5, "{panel}");
    assert!(
        panel["reason"]
            .as_str()
            .unwrap_or("")
            .contains("disagreed on Spoken English"),
        "{panel}"
    );

    // The application page shows the means and the flag.
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let page = recruiter
        .get(&format!("/drives/{}/applications/{id}", s.drive_id))
        .await;
    assert!(page.body.contains("Interview panel"), "{}", page.body);
    assert!(page.body.contains("4.50"), "{}", page.body);
    assert!(page.body.contains("Disagreement"), "{}", page.body);
}

async fn set_rules(app: &TestApp, s: &Setup, rules: Value) -> (StatusCode, Value) {
    app.put_json(
        &format!("/api/v1/drives/{}/hiring-rules", s.drive_id),
        &rules,
        Some(&s.recruiter),
    )
    .await
}

#[actix_web::test]
async fn the_combined_score_proposes_kpo_bpo_or_not_selected_at_the_thresholds() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let (_, ana) = app.staff("ana@example.com", Role::Trainer).await;
    let (status, body) = set_rules(&app, &s, json!({"test_weight": 60, "kpo_min": 40, "bpo_min": 60})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["bpo_min"]);
    let (status, rules) = set_rules(&app, &s, json!({"test_weight": 60, "kpo_min": 75, "bpo_min": 50})).await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    assert_eq!(rules["interview_weight"], 40);

    // Test 75 %, interview all 4s (75): combined exactly 75, the KPO threshold.
    let kiran = interviewed(&app, &s, "Kiran", 4, 2).await;
    // Test 50 %, interview all 3s (50): exactly 50, the BPO threshold.
    let bala = interviewed(&app, &s, "Bala", 2, 2).await;
    // Test 50 %, interview all 2s (25): 40, below both.
    let nila = interviewed(&app, &s, "Nila", 2, 2).await;
    // No scorecard yet: no proposal.
    let waiting = interviewed(&app, &s, "Wasim", 4, 4).await;
    score(&app, &ana, kiran, &card([4, 4, 4, 4, 4], "kpo", true)).await;
    score(&app, &ana, bala, &card([3, 3, 3, 3, 3], "bpo", true)).await;
    score(&app, &ana, nila, &card([2, 2, 2, 2, 2], "no_offer", true)).await;

    let (status, page) = app
        .get_json(
            &format!("/api/v1/drives/{}/proposals?limit=2", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut rows = page["items"].as_array().cloned().expect("items");
    let after = page["next_after"].as_str().expect("a second page").to_string();
    let (_, next) = app
        .get_json(
            &format!("/api/v1/drives/{}/proposals?limit=2&after={after}", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    rows.extend(next["items"].as_array().cloned().expect("items"));
    assert_eq!(rows.len(), 4, "{rows:?}");
    let row = |id: i64| rows.iter().find(|r| r["application_id"] == id).cloned().expect("row");
    assert_eq!(row(kiran)["panel"]["combined"], 75.0);
    assert_eq!(row(kiran)["proposed_status"], "offered_kpo");
    assert!(row(kiran)["panel"]["reason"]
        .as_str()
        .unwrap_or("")
        .contains("meets the KPO offer threshold of 75"));
    assert_eq!(row(bala)["panel"]["combined"], 50.0);
    assert_eq!(row(bala)["proposed_status"], "offered_bpo");
    assert_eq!(row(nila)["panel"]["combined"], 40.0);
    assert_eq!(row(nila)["proposed_status"], "rejected");
    assert!(row(nila)["panel"]["reason"]
        .as_str()
        .unwrap_or("")
        .contains("below the BPO offer threshold of 50"));
    assert!(row(waiting)["proposed_status"].is_null());
    assert_eq!(row(waiting)["proposal_label"], "Waiting for the panel");

    // The ranking shows test, interview and combined side by side.
    let (_, ranking) = app
        .get_json(&format!("/api/v1/drives/{}/rankings", s.drive_id), Some(&s.recruiter))
        .await;
    let ranked = ranking["items"].as_array().expect("items");
    let k = ranked.iter().find(|r| r["application_id"] == kiran).expect("Kiran");
    assert_eq!(
        (
            k["percent"].clone(),
            k["interview_percent"].clone(),
            k["combined"].clone()
        ),
        (json!(75.0), json!(75.0), json!(75.0))
    );
    let w = ranked.iter().find(|r| r["application_id"] == waiting).expect("Wasim");
    assert!(w["interview_percent"].is_null() && w["combined"].is_null(), "{w}");

    // The decision page says it in words.
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let html = recruiter.get(&format!("/drives/{}/decisions", s.drive_id)).await.body;
    for words in [
        "KPO offer",
        "BPO offer",
        "Not selected",
        "Waiting for the panel",
        "weighted 60%",
    ] {
        assert!(html.contains(words), "{words}: {html}");
    }
    assert!(!html.contains(">offered_kpo<"), "{html}");
}

const INTERNAL: &str = "INTERNAL-ONLY";

async fn hire(app: &TestApp, s: &Setup, id: i64, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/applications/{id}/hiring-decision"),
        &body,
        Some(&s.recruiter),
    )
    .await
}

#[actix_web::test]
async fn an_override_needs_a_reason_kept_in_the_audit_log_and_never_in_the_email() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let (_, ana) = app.staff("ana@example.com", Role::Trainer).await;
    let kiran = interviewed(&app, &s, "Kiran", 4, 2).await;
    let devi = interviewed(&app, &s, "Devi", 4, 2).await;
    score(&app, &ana, kiran, &card([4, 4, 4, 4, 4], "kpo", true)).await;
    score(&app, &ana, devi, &card([5, 5, 4, 4, 4], "kpo", true)).await;

    // Defaults: 60/40, KPO from 70. Both are proposed a KPO offer.
    let (status, body) = hire(&app, &s, kiran, json!({"status": "offered_bpo"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["reason"]);
    let (status, body) = hire(
        &app,
        &s,
        kiran,
        json!({"status": "offered_bpo", "reason": format!("{INTERNAL} weak on the client call"),
               "message": "We would love you on the BPO floor."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["overridden"], true, "{body}");
    assert_eq!(body["proposed"], "offered_kpo", "{body}");
    assert_eq!(body["application"]["status"], "offered_bpo", "{body}");

    let (status, body) = hire(
        &app,
        &s,
        devi,
        json!({"status": "offered_kpo", "message": "Welcome, Devi."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["overridden"], false, "{body}");
    // Decided once, it is no longer at the interview stage.
    let (status, _) = hire(
        &app,
        &s,
        devi,
        json!({"status": "rejected", "reason": "changed my mind"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let mut conn = app.state.pool.get().expect("conn");
    let audit: Vec<(String, String)> = audit_log::table
        .filter(audit_log::entity_id.eq(i32::try_from(kiran).expect("id")))
        .select((audit_log::action, audit_log::detail))
        .load(&mut *conn)
        .expect("audit");
    let override_entry = audit
        .iter()
        .find(|a| a.0 == "hiring.override")
        .expect("an override entry");
    assert!(
        override_entry
            .1
            .contains(&format!("{INTERNAL} weak on the client call")),
        "{audit:?}"
    );
    assert!(override_entry.1.contains("Proposed: KPO offer"), "{audit:?}");

    let sent: Vec<(String, String, String, String)> = notices::table
        .filter(notices::kind.eq_any(["offered_bpo", "offered_kpo"]))
        .select((
            notices::kind,
            notices::recipient_email,
            notices::body_text,
            notices::body_html,
        ))
        .load(&mut *conn)
        .expect("notices");
    assert_eq!(sent.len(), 2, "{sent:?}");
    for (kind, to, text, html) in &sent {
        assert!(
            !text.contains(INTERNAL) && !html.contains(INTERNAL),
            "{kind} to {to}: {text}"
        );
    }
    let bpo = sent.iter().find(|n| n.0 == "offered_bpo").expect("the BPO offer");
    assert_eq!(bpo.1, "kiran@example.com");
    assert!(bpo.2.contains("We would love you on the BPO floor."), "{}", bpo.2);
    let kpo = sent.iter().find(|n| n.0 == "offered_kpo").expect("the KPO offer");
    assert!(
        kpo.2.contains("KPO operations") && kpo.2.contains("Welcome, Devi."),
        "{}",
        kpo.2
    );
}

#[actix_web::test]
async fn a_drive_sets_its_competencies_with_five_anchors_until_scoring_starts() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let (_, ana) = app.staff("ana@example.com", Role::Trainer).await;
    let path = format!("/api/v1/drives/{}/competencies", s.drive_id);
    let (status, set) = app.get_json(&path, Some(&ana)).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["default"], true);
    let names: Vec<&str> = set["competencies"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, COMPETENCIES);
    assert!(set["competencies"]
        .as_array()
        .expect("list")
        .iter()
        .all(|c| c["anchors"].as_array().map(Vec::len) == Some(5)));

    let (status, body) = app
        .put_json(
            &path,
            &json!({"competencies": [{"name": "Excel modelling", "anchors": ["a", "b", "c", "d"]}]}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["competencies[0].anchors"]);
    let anchors = [
        "No model.",
        "A broken model.",
        "A working model.",
        "A clean model.",
        "A model a client could audit.",
    ];
    let (status, set) = app
        .put_json(
            &path,
            &json!({"competencies": [{"name": "Excel modelling", "anchors": anchors}]}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["default"], false);

    let id = interviewed(&app, &s, "Kiran", 4, 2).await;
    let (status, body) = score(
        &app,
        &ana,
        id,
        &json!({"ratings": [{"competency": "Spoken English", "rating": 3}]}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only this drive's competencies: {body}"
    );
    let (status, body) = score(
        &app,
        &ana,
        id,
        &json!({"ratings": [{"competency": "Excel modelling", "rating": 4}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .put_json(
            &path,
            &json!({"competencies": [{"name": "Other", "anchors": anchors}]}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[actix_web::test]
async fn an_interviewer_fills_the_scorecard_page_and_the_recruiter_confirms_on_the_decision_page() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    app.staff("ana@example.com", Role::Trainer).await;
    let id = interviewed(&app, &s, "Kiran", 4, 2).await;
    let mut ana = signed_in(&app, "ana@example.com").await;
    let path = format!("/drives/{}/applications/{id}/scorecard", s.drive_id);
    let page = ana.get(&path).await;
    assert!(page.body.contains("Spoken English"), "{}", page.body);
    let csrf = page.csrf();

    // Submitting with a gap keeps every value and names the gap by its field.
    let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), csrf.clone())];
    for name in COMPETENCIES {
        fields.push((format!("rating:{name}"), "4".into()));
        fields.push((format!("evidence:{name}"), format!("Shown in the {name} exercise.")));
    }
    fields.retain(|(k, _)| k != "evidence:Client orientation");
    fields.push(("recommendation".into(), "kpo".into()));
    fields.push(("submit".into(), "1".into()));
    let sent: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = ana.post_form(&path, &sent).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Note the evidence for your rating of Client orientation"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Shown in the Spoken English exercise."),
        "{}",
        refused.body
    );

    fields.push((
        "evidence:Client orientation".into(),
        "Calm with the angry client.".into(),
    ));
    let sent: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let done = ana.post_form(&path, &sent).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let done = ana.get(&done.location.expect("where to")).await;
    assert!(done.body.contains("Your scorecard is submitted."), "{}", done.body);

    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let decisions = recruiter.get(&format!("/drives/{}/decisions", s.drive_id)).await;
    assert!(decisions.body.contains("KPO offer"), "{}", decisions.body);
    let preview = recruiter
        .post_form(
            &format!("/drives/{}/applications/{id}/hiring-decision/preview", s.drive_id),
            &[
                ("csrf_token", &decisions.csrf()),
                ("status", "offered_kpo"),
                ("reason", ""),
                ("message", "See you soon."),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("as proposed") && preview.body.contains("See you soon."),
        "{}",
        preview.body
    );
    let after = recruiter
        .post_form(
            &format!("/drives/{}/applications/{id}/hiring-decision", s.drive_id),
            &[
                ("csrf_token", &preview.csrf()),
                ("status", "offered_kpo"),
                ("reason", ""),
                ("message", "See you soon."),
            ],
        )
        .await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", after.body);
    let after = recruiter.get(&after.location.expect("where to")).await;
    assert!(after.body.contains("Decision recorded as proposed."), "{}", after.body);
}
