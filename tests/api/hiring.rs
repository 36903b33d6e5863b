//! The recruiter's drive from the candidate's side: what a candidate reads
//! is meant for them.

use assay::db::schema::notices;
use awc::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{signed_in, TestApp, PASSWORD};
use crate::rankings::{finance, setup, takes, Setup};

/// Every internal note this test writes carries this mark.
const INTERNAL: &str = "INTERNAL-ONLY";

async fn decide(app: &TestApp, s: &Setup, id: i64, body: Value) {
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/applications/{id}/decision"),
            &body,
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body} → {answer}");
}

async fn cohort(app: &TestApp, s: &Setup, name: &str) -> i64 {
    let (status, body) = app
        .post_json(
            "/api/v1/cohorts",
            &json!({"name": name, "starts_on": "2027-01-11", "ends_on": "2027-04-30"}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("cohort id")
}

/// Each notice kind a recruiter's move sends, with what it says.
fn notices_of(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    let mut conn = app.state.pool.get().expect("conn");
    notices::table
        .select((
            notices::kind,
            notices::recipient_email,
            notices::subject,
            notices::body_text,
            notices::body_html,
        ))
        .load(&mut *conn)
        .expect("notices")
}

#[actix_web::test]
async fn no_internal_note_reaches_a_candidates_email_or_page() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let shortlisted = takes(&app, &s, "Sita", finance(70.0), 4, 4).await;
    let offered = takes(&app, &s, "Omar", finance(70.0), 3, 3).await;
    let not_selected = takes(&app, &s, "Nina", finance(70.0), 1, 1).await;
    let hired = takes(&app, &s, "Hari", finance(70.0), 4, 3).await;
    let in_bulk = takes(&app, &s, "Bina", finance(70.0), 4, 2).await;
    let cohort = cohort(&app, &s, "January analysts").await;

    // The preview shows the message and not the note, and moves nothing.
    let (status, preview) = app
        .post_json(
            &format!("/api/v1/applications/{offered}/decision/preview"),
            &json!({"status": "offered_bpo", "note": format!("{INTERNAL} weak verbal"), "message": "We liked your answers."}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let text = preview["email"]["text"].as_str().expect("a preview");
    assert!(text.contains("We liked your answers."), "{text}");
    assert!(!text.contains(INTERNAL), "{text}");
    let (_, detail) = app
        .get_json(
            &format!("/api/v1/drives/{}/rankings?status=tested", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(
        detail["items"].as_array().map(Vec::len),
        Some(5),
        "the preview moved nobody: {detail}"
    );

    decide(
        &app,
        &s,
        shortlisted,
        json!({"status": "shortlisted_kpo", "note": format!("{INTERNAL} top quant"), "message": "Message for Sita."}),
    )
    .await;
    decide(
        &app,
        &s,
        offered,
        json!({"status": "offered_bpo", "note": format!("{INTERNAL} weak verbal"), "message": "Message for Omar."}),
    )
    .await;
    decide(
        &app,
        &s,
        not_selected,
        json!({"status": "rejected", "note": format!("{INTERNAL} too slow")}),
    )
    .await;
    decide(
        &app,
        &s,
        hired,
        json!({"status": "shortlisted_kpo", "note": format!("{INTERNAL} shortlist Hari")}),
    )
    .await;
    decide(&app, &s, hired, json!({"status": "hired", "cohort_id": cohort, "note": format!("{INTERNAL} hire Hari"), "message": "Message for Hari."})).await;

    // A bulk move's description is internal too; its message is not.
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let list = recruiter.get(&format!("/drives/{}/rankings", s.drive_id)).await;
    let csrf = list.csrf();
    let confirm = recruiter
        .post_form(
            &format!("/drives/{}/bulk", s.drive_id),
            &[
                ("csrf_token", &csrf),
                ("action", "shortlist_top"),
                ("n", "1"),
                ("message", "Message for Bina."),
            ],
        )
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm.body.contains("bina@example.com"),
        "the confirmation names the person: {}",
        confirm.body
    );
    assert!(
        confirm.body.contains("Message for Bina."),
        "the email is previewed: {}",
        confirm.body
    );
    let done = recruiter
        .post_form(
            &format!("/drives/{}/bulk/confirm", s.drive_id),
            &[
                ("csrf_token", &csrf),
                ("action", "shortlist_top"),
                ("n", "1"),
                ("expected", "1"),
                ("message", "Message for Bina."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, timeline_owner) = app
        .get_json(
            &format!("/api/v1/drives/{}/rankings?status=shortlisted_kpo", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert!(timeline_owner.to_string().contains("Bina"), "{timeline_owner}");
    let _ = in_bulk;

    let sent = notices_of(&app);
    for kind in ["shortlisted", "offered_bpo", "not_selected", "hired"] {
        assert!(
            sent.iter().any(|n| n.0 == kind),
            "no {kind} notice in {:?}",
            sent.iter().map(|n| &n.0).collect::<Vec<_>>()
        );
    }
    for (kind, to, subject, text, html) in &sent {
        for part in [subject, text, html] {
            assert!(
                !part.contains(INTERNAL),
                "{kind} to {to} carries an internal note: {part}"
            );
            assert!(
                !part.contains("eligible tested applicants"),
                "{kind} to {to} carries the bulk description: {part}"
            );
        }
    }
    for (who, words) in [
        ("sita", "Message for Sita."),
        ("omar", "Message for Omar."),
        ("hari", "Message for Hari."),
        ("bina", "Message for Bina."),
    ] {
        assert!(
            sent.iter()
                .any(|n| n.1 == format!("{who}@example.com") && n.3.contains(words) && n.4.contains(words)),
            "{who} did not get their message"
        );
    }

    // The candidates' own pages say nothing internal either.
    for who in ["sita", "omar", "nina", "hari", "bina"] {
        let mut candidate = signed_in(&app, &format!("{who}@example.com")).await;
        for path in ["/drives".to_string(), format!("/drives/{}", s.drive_id)] {
            let page = candidate.get(&path).await;
            assert!(
                !page.body.contains(INTERNAL),
                "{who} sees a note on {path}: {}",
                page.body
            );
        }
    }
    let _ = PASSWORD;
}

#[actix_web::test]
async fn an_offer_names_the_reply_to_address_and_its_email_replies_there() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let id = takes(&app, &s, "Ravi", finance(70.0), 3, 3).await;
    decide(&app, &s, id, json!({"status": "offered_bpo"})).await;
    let mut conn = app.state.pool.get().expect("conn");
    let notice: assay::notices::store::Notice = notices::table
        .filter(notices::kind.eq("offered_bpo"))
        .select(assay::notices::store::Notice::as_select())
        .first(&mut *conn)
        .expect("the offer");
    assert!(notice.body_text.contains("hiring@test.example"), "{}", notice.body_text);
    assert!(!notice.body_text.contains("assay@test.example"), "{}", notice.body_text);
    let message = app
        .state
        .mailer
        .message(&notice.outgoing(), std::time::SystemTime::now())
        .expect("the email builds");
    let headers = message.headers().to_string();
    assert!(
        headers
            .lines()
            .any(|l| l.starts_with("Reply-To:") && l.contains("hiring@test.example")),
        "{headers}"
    );
}

/// The application ids the applicant list links to, in page order.
fn listed(body: &str) -> Vec<String> {
    body.split("name=\"id\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(String::from)
        .collect()
}

#[actix_web::test]
async fn the_applicant_list_shows_everyone_in_every_status_and_a_bulk_move_says_what_happened() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let asha = takes(&app, &s, "Asha Rao", finance(70.0), 4, 4).await;
    let bina = takes(&app, &s, "Bina Das", finance(70.0), 3, 3).await;
    let chen = takes(&app, &s, "Chen Li", finance(70.0), 2, 2).await;
    // Not eligible (score below the drive's 50%), so never tested.
    takes(&app, &s, "Dina Low", finance(30.0), 0, 0).await;
    decide(&app, &s, asha, json!({"status": "shortlisted_kpo"})).await;

    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let all = recruiter.get(&format!("/drives/{}/applicants", s.drive_id)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    for who in ["Asha Rao", "Bina Das", "Chen Li", "Dina Low"] {
        assert!(all.body.contains(who), "{who} missing: {}", all.body);
    }
    assert!(all.body.contains("Shortlisted for KPO interview"), "{}", all.body);
    assert!(all.body.contains("Not eligible"), "{}", all.body);
    assert!(
        !all.body.contains("shortlisted_kpo</td>"),
        "no stored value as a label: {}",
        all.body
    );
    assert!(all.body.contains("4 applicant(s) by status"), "{}", all.body);

    let found = recruiter
        .get(&format!("/drives/{}/applicants?q=BINA", s.drive_id))
        .await;
    assert_eq!(listed(&found.body), vec![bina.to_string()], "{}", found.body);
    let by_mail = recruiter
        .get(&format!("/drives/{}/applicants?q=chenli%40", s.drive_id))
        .await;
    assert_eq!(listed(&by_mail.body), vec![chen.to_string()], "{}", by_mail.body);
    let paged = recruiter
        .get(&format!("/drives/{}/applicants?sort=name&limit=2", s.drive_id))
        .await;
    assert_eq!(
        listed(&paged.body),
        vec![asha.to_string(), bina.to_string()],
        "{}",
        paged.body
    );
    let next = recruiter
        .get(&format!(
            "/drives/{}/applicants?sort=name&limit=2&after={bina}",
            s.drive_id
        ))
        .await;
    assert_eq!(listed(&next.body).len(), 2, "{}", next.body);
    assert!(
        next.body.contains("Chen Li") && next.body.contains("Dina Low"),
        "{}",
        next.body
    );

    let csrf = all.csrf();
    let confirm = recruiter
        .post_form(
            &format!("/drives/{}/applicants/move", s.drive_id),
            &[
                ("csrf_token", &csrf),
                ("id", &asha.to_string()),
                ("id", &bina.to_string()),
                ("to", "shortlisted_kpo"),
                ("note", "INTERNAL-ONLY panel of 2"),
            ],
        )
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(confirm.body.contains("binadas@example.com"), "{}", confirm.body);
    assert!(
        confirm
            .body
            .contains("Already “Shortlisted for KPO interview”, left as they are: Asha Rao"),
        "{}",
        confirm.body
    );
    let (_, before) = app
        .get_json(
            &format!("/api/v1/drives/{}/rankings?status=shortlisted_kpo", s.drive_id),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(
        before["items"].as_array().map(Vec::len),
        Some(1),
        "confirming moved nobody yet"
    );
    let applied = recruiter
        .post_form(
            &format!("/drives/{}/applicants/move/confirm", s.drive_id),
            &[
                ("csrf_token", &csrf),
                ("id", &asha.to_string()),
                ("id", &bina.to_string()),
                ("to", "shortlisted_kpo"),
                ("note", "INTERNAL-ONLY panel of 2"),
            ],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let report = recruiter.get(&applied.location.clone().expect("a redirect")).await;
    assert!(
        report
            .body
            .contains("1 shortlisted for KPO interview; 1 was already shortlisted for KPO interview"),
        "{}",
        report.body
    );

    // "Select all matching" takes everyone the filter matches, on every page.
    let everyone = recruiter
        .post_form(
            &format!("/drives/{}/applicants/move", s.drive_id),
            &[
                ("csrf_token", &csrf),
                ("all", "1"),
                ("status", "tested"),
                ("to", "rejected"),
            ],
        )
        .await;
    assert_eq!(everyone.status, StatusCode::OK, "{}", everyone.body);
    assert!(
        everyone.body.contains("1 application(s) become “Not selected”"),
        "{}",
        everyone.body
    );
    assert!(everyone.body.contains("Chen Li"), "{}", everyone.body);
}

#[actix_web::test]
async fn hiring_needs_a_named_cohort_with_a_free_seat_and_the_hire_becomes_its_trainee() {
    let app = crate::helpers::spawn_app().await;
    let s = setup(&app).await;
    let first = takes(&app, &s, "Kiran Rao", finance(70.0), 4, 4).await;
    let second = takes(&app, &s, "Lata Iyer", finance(70.0), 4, 3).await;
    let (status, body) = app
        .post_json(
            "/api/v1/cohorts",
            &json!({"name": "March analysts", "starts_on": "2027-03-01", "ends_on": "2027-06-30", "seats": 1}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cohort = body["id"].as_i64().expect("cohort id");
    for id in [first, second] {
        decide(&app, &s, id, json!({"status": "shortlisted_kpo"})).await;
    }

    // The recruiter picks the cohort by name, start date and seats left.
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let page = recruiter
        .get(&format!("/drives/{}/applications/{first}", s.drive_id))
        .await;
    assert!(
        page.body.contains(&format!(
            "<option value=\"{cohort}\">March analysts, starts 01 March 2027, 1 seat(s) left</option>"
        )),
        "{}",
        page.body
    );

    let (status, refused) = app
        .post_json(
            &format!("/api/v1/applications/{first}/decision"),
            &json!({"status": "hired"}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("Choose the training cohort"), "{refused}");

    let preview = recruiter
        .post_form(
            &format!("/drives/{}/applications/{first}/decision/preview", s.drive_id),
            &[
                ("csrf_token", &page.csrf()),
                ("status", "hired"),
                ("cohort_id", &cohort.to_string()),
            ],
        )
        .await;
    assert!(
        preview.body.contains("starts on 01 March 2027"),
        "the hire is confirmed with its email: {}",
        preview.body
    );
    decide(&app, &s, first, json!({"status": "hired", "cohort_id": cohort})).await;

    let (status, full) = app
        .post_json(
            &format!("/api/v1/applications/{second}/decision"),
            &json!({"status": "hired", "cohort_id": cohort}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{full}");
    assert_eq!(full["error"]["code"], "cohort_full", "{full}");

    let hired = notices_of(&app)
        .into_iter()
        .find(|n| n.0 == "hired")
        .expect("the hired email is queued");
    assert_eq!(hired.1, "kiranrao@example.com");
    assert!(
        hired.3.contains("March analysts, which starts on 01 March 2027"),
        "{}",
        hired.3
    );
    let mut trainee = signed_in(&app, "kiranrao@example.com").await;
    let mine = trainee.get("/training").await;
    assert!(
        mine.body.contains("March analysts"),
        "the same person continues as a trainee: {}",
        mine.body
    );
}
