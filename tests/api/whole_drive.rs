//! One drive walked from the first application to a hire, over the JSON API
//! (a page only where the API has none), with the emails as the real SMTP
//! server received them. Every internal note and reason written on the way
//! carries one marker, and no notice may carry it. Runs on whichever backend
//! the suite runs on (set ASSAY_TEST_POSTGRES_URL for PostgreSQL).

mod steps;

use std::collections::HashMap;

use assay::db::Role;
use assay::notices::outbox::drain_once;
use awc::http::StatusCode;
use chrono::{Duration, SubsecRound};
use futures_util::future::join_all;
use icalendar::EventStatus;
use serde_json::json;

use crate::helpers::{signed_in, spawn_app_with};
use crate::interviews::flow::calendar_emails;
use crate::interviews::{from_now, pick};
use crate::notices::sink::{free_port, SmtpSink};
use crate::rankings::setup;
use crate::scorecards::{card, score};
use steps::{
    booked_places, close, decide, hiring_decision, mails, message, my_interview, outbox, proposals, publishes,
    registers_and_applies, takes_the_test, Candidate,
};

/// Every internal note and reason this test writes carries this marker.
const MARK: &str = "INTERNAL-NOTE-7f3a";

#[actix_web::test]
async fn a_whole_drive_runs_over_http_from_applications_to_a_hire_and_no_internal_note_reaches_a_candidate() {
    let sink = SmtpSink::start(free_port());
    let app = spawn_app_with(|c| {
        c.smtp_url = Some(sink.url());
        // The drive runs over days of the app's clock; its people stay signed in.
        c.session_hours = 24 * 30;
    })
    .await;

    // 1. A drive for finance graduates with at least 50%, over an eight-question test.
    let s = setup(&app).await;
    let (ira_id, ira) = app.staff("ira@example.com", Role::Trainer).await;
    let (jay_id, jay) = app.staff("jay@example.com", Role::Trainer).await;

    // Below the rules: recorded, told why in a sentence, and kept from the test.
    let (zoya, applied) = registers_and_applies(&app, &s, "Zoya", 40.0).await;
    assert_eq!(applied["eligible"], false, "{applied}");
    assert_eq!(applied["reason"], "Your 40% is below this drive's minimum of 50%.");
    let (status, refused) = crate::attempts::start(&app, &zoya.token, s.assessment_id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        message(&refused).contains("eligible applicants may take it"),
        "{refused}"
    );

    let mut eligible = Vec::new();
    for name in ["Asha", "Bala", "Chitra", "Dev", "Esha"] {
        let (candidate, applied) = registers_and_applies(&app, &s, name, 72.0).await;
        assert_eq!(applied["eligible"], true, "{name}: {applied}");
        eligible.push(candidate);
    }
    let [asha, bala, chitra, dev, esha] = <[Candidate; 5]>::try_from(eligible).ok().expect("five");

    // 2. Each takes the test, is graded, and the ranking shows them best first,
    // without the applicant who may not take it.
    for (c, right, percent) in [
        (&asha, 8, 100.0),
        (&bala, 7, 87.5),
        (&chitra, 6, 75.0),
        (&dev, 5, 62.5),
        (&esha, 2, 25.0),
    ] {
        assert_eq!(takes_the_test(&app, &s, c, right).await, percent, "{}", c.email);
    }
    let (status, ranking) = app
        .get_json(&format!("/api/v1/drives/{}/rankings", s.drive_id), Some(&s.recruiter))
        .await;
    assert_eq!(status, StatusCode::OK, "{ranking}");
    let ranked: Vec<(&str, i64)> = ranking["items"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["full_name"].as_str().unwrap_or_default(),
                r["rank"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [("Asha", 1), ("Bala", 2), ("Chitra", 3), ("Dev", 4), ("Esha", 5)]
    );

    // 3. The best four are shortlisted, each with an internal note and a message.
    for c in [&asha, &bala, &chitra, &dev] {
        let moved = decide(
            &app,
            &s,
            c.application,
            json!({"status": "shortlisted_kpo", "note": format!("{MARK} strong test"),
                   "message": "Well done on the test; choose an interview time soon."}),
        )
        .await;
        assert_eq!(moved["status"], "shortlisted_kpo", "{moved}");
    }

    // 4. Three slots: the first two with a two-person panel, the last a week out.
    let first_time = from_now(&app, 2, 0).trunc_subsecs(0);
    let second_time = from_now(&app, 2, 2).trunc_subsecs(0);
    let late_time = from_now(&app, 7, 0).trunc_subsecs(0);
    let first = publishes(&app, &s, first_time, 2, &[ira_id, jay_id]).await;
    let second = publishes(&app, &s, second_time, 1, &[ira_id, jay_id]).await;
    let late = publishes(&app, &s, late_time, 1, &[ira_id]).await;
    let starts = HashMap::from([(first, first_time), (second, second_time), (late, late_time)]);

    // Asha takes the first slot's first place; Bala and Chitra race for its last.
    let (status, booked) = pick(&app, &asha.token, first).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let racers = [&bala, &chitra];
    let answers = join_all(racers.iter().map(|c| pick(&app, &c.token, first))).await;
    let won: Vec<usize> = (0..2).filter(|i| answers[*i].0 == StatusCode::CREATED).collect();
    assert_eq!(won.len(), 1, "exactly one gets the last place: {answers:?}");
    let loser = racers[1 - won[0]];
    let (status, taken) = &answers[1 - won[0]];
    assert_eq!(*status, StatusCode::CONFLICT, "{taken}");
    assert_eq!(taken["error"]["code"], "slot_full", "{taken}");
    assert!(message(taken).contains("choose another time"), "{taken}");
    let (_, offered) = app
        .get_json(
            &format!("/api/v1/drives/{}/interview-slots", s.drive_id),
            Some(&loser.token),
        )
        .await;
    let offered: Vec<i64> = offered["items"]
        .as_array()
        .expect("slots")
        .iter()
        .filter_map(|slot| slot["id"].as_i64())
        .collect();
    assert_eq!(offered, [second, late], "the full slot is no longer offered");
    // The one who lost books the second slot; Dev the late one.
    let (status, booked) = pick(&app, &loser.token, second).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let (status, booked) = pick(&app, &dev.token, late).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(
        booked_places(&app, &s).await,
        HashMap::from([(first, 2), (second, 1), (late, 1)]),
        "each slot counts its places right"
    );

    // 5. The SMTP server receives each booking with a calendar event whose
    // UID, DTSTART and METHOD are the booking's.
    drain_once(&app.outbox()).await.expect("drain");
    let events = calendar_emails(&sink.received());
    let mut uids = HashMap::new();
    for c in [&asha, &bala, &chitra, &dev] {
        let interview = my_interview(&app, c).await;
        assert_eq!(interview["status"], "booked", "{interview}");
        let uid = interview["calendar_uid"].as_str().expect("uid").to_string();
        let slot = interview["slot"]["id"].as_i64().expect("slot");
        let theirs: Vec<_> = events.iter().filter(|e| e.to == c.email).collect();
        assert_eq!(theirs.len(), 1, "{}: {events:?}", c.email);
        let event = theirs[0];
        assert_eq!(
            (event.method.as_str(), event.uid.as_str(), event.starts, event.sequence),
            ("REQUEST", uid.as_str(), starts[&slot], 0),
            "{event:?}"
        );
        assert_eq!(event.status, Some(EventStatus::Confirmed));
        assert!(
            events.iter().any(|e| e.to == "ira@example.com" && e.uid == uid),
            "the panel gets the same event: {events:?}"
        );
        uids.insert(c.email.clone(), uid);
    }

    // 6. The interviews are held; the panel scores. Before Jay submits his
    // own scorecard, Ira's stays hidden from him; after, he reads it.
    app.state.clock.advance(Duration::days(3));
    let ira_card = card([5, 4, 5, 5, 5], "kpo", true);
    let (status, body) = score(&app, &ira, asha.application, &ira_card).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let iras_path = format!("/api/v1/applications/{}/scorecards/{ira_id}", asha.application);
    let (status, hidden) = app.get_json(&iras_path, Some(&jay)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{hidden}");
    assert!(message(&hidden).contains("Submit your own scorecard"), "{hidden}");
    let (status, panel) = app
        .get_json(&format!("/api/v1/applications/{}/panel", asha.application), Some(&jay))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{panel}");
    let (status, body) = score(&app, &jay, asha.application, &card([5, 5, 5, 4, 5], "kpo", true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, seen) = app.get_json(&iras_path, Some(&jay)).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["ratings"], ira_card["ratings"], "{seen}");
    assert_eq!(seen["recommendation"], "kpo", "{seen}");
    for (c, ratings, recommendation) in [(&bala, [4; 5], "kpo"), (&chitra, [1; 5], "no_offer")] {
        for token in [&ira, &jay] {
            let (status, body) = score(&app, token, c.application, &card(ratings, recommendation, true)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }

    // 7. The combined score (test 60%, interview 40%) proposes: Asha
    // 60 + 38 = 98, a KPO offer; Bala 52.5 + 30 = 82.5, a KPO offer too;
    // Chitra 45 + 0 = 45, not selected; Dev waits for his panel.
    let (status, rules) = app
        .put_json(
            &format!("/api/v1/drives/{}/hiring-rules", s.drive_id),
            &json!({"test_weight": 60, "kpo_min": 75, "bpo_min": 50}),
            Some(&s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    let proposed = proposals(&app, &s).await;
    for (c, combined, status) in [
        (&asha, 98.0, "offered_kpo"),
        (&bala, 82.5, "offered_kpo"),
        (&chitra, 45.0, "rejected"),
    ] {
        let row = &proposed[&c.application];
        assert!(close(&row["panel"]["combined"], combined), "{row}");
        assert_eq!(row["proposed_status"], status, "{row}");
    }
    let devs = &proposed[&dev.application];
    assert!(devs["proposed_status"].is_null(), "{devs}");
    assert_eq!(devs["proposal_label"], "Waiting for the panel", "{devs}");

    // The recruiter confirms Asha's and Chitra's, and overrides Bala's to a
    // BPO offer with a reason; each reason carries the marker.
    let decided = hiring_decision(
        &app,
        &s,
        asha.application,
        json!({"status": "offered_kpo", "reason": format!("{MARK} best of the drive"),
               "message": "We look forward to working with you."}),
    )
    .await;
    assert_eq!(decided["overridden"], false, "{decided}");
    let decided = hiring_decision(
        &app,
        &s,
        bala.application,
        json!({"status": "offered_bpo", "reason": format!("{MARK} weak on the client call"),
               "message": "We would love you on the BPO floor."}),
    )
    .await;
    assert_eq!(
        (decided["overridden"].as_bool(), decided["proposed"].as_str()),
        (Some(true), Some("offered_kpo")),
        "{decided}"
    );
    let decided = hiring_decision(
        &app,
        &s,
        chitra.application,
        json!({"status": "rejected", "reason": format!("{MARK} no case-study answer")}),
    )
    .await;
    assert_eq!(decided["application"]["status"], "rejected", "{decided}");

    // Asha is hired into a named cohort.
    let (status, cohort) = app
        .post_json(
            "/api/v1/cohorts",
            &json!({"name": "January analysts", "starts_on": "2027-01-11", "ends_on": "2027-04-30"}),
            Some(&s.trainer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cohort}");
    let cohort_id = cohort["id"].as_i64().expect("cohort id");
    let hired = decide(
        &app,
        &s,
        asha.application,
        json!({"status": "hired", "cohort_id": cohort_id, "note": format!("{MARK} seat confirmed"),
               "message": "See you on the first day."}),
    )
    .await;
    assert_eq!(hired["status"], "hired", "{hired}");

    // 8. Dev withdraws before his interview: it is cancelled, its place freed.
    let (status, withdrawn) = app
        .post_json(
            &format!("/api/v1/applications/{}/withdraw", dev.application),
            &json!({}),
            Some(&dev.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["status"], "withdrawn", "{withdrawn}");
    let devs = my_interview(&app, &dev).await;
    assert_eq!(devs["status"], "cancelled", "{devs}");
    assert_eq!(booked_places(&app, &s).await[&late], 0, "the late slot's place is free");

    // 9. Everything is sent. The hired one is a trainee of the named cohort.
    drain_once(&app.outbox()).await.expect("drain");
    let (status, trainees) = app
        .get_json(&format!("/api/v1/cohorts/{cohort_id}/trainees"), Some(&s.trainer))
        .await;
    assert_eq!(status, StatusCode::OK, "{trainees}");
    let trainees = trainees["items"].as_array().expect("trainees");
    assert_eq!(trainees.len(), 1, "{trainees:?}");
    assert_eq!(
        (trainees[0]["email"].as_str(), trainees[0]["application_id"].as_i64()),
        (Some(asha.email.as_str()), Some(asha.application))
    );

    // The notes were kept where staff read them, so their absence below
    // means something.
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    for c in [&asha, &bala] {
        let page = recruiter
            .get(&format!("/drives/{}/applications/{}", s.drive_id, c.application))
            .await;
        assert!(page.body.contains(MARK), "{}: {}", c.email, page.body);
    }

    // No stored notice and no received email carries the marker.
    let stored = outbox(&app);
    for (kind, to, status, subject, text, html) in &stored {
        for part in [subject, text, html] {
            assert!(!part.contains(MARK), "{kind} to {to}: {part}");
        }
        assert!(
            status == "sent" || kind == "interview_reminder",
            "{kind} to {to} is {status}"
        );
    }
    let received = mails(&sink.received());
    assert_eq!(
        received.len(),
        stored.iter().filter(|n| n.2 == "sent").count(),
        "every sent notice was received"
    );
    for mail in &received {
        assert!(
            !mail.raw.contains(MARK) && !mail.text.contains(MARK),
            "to {}: {}",
            mail.to,
            mail.text
        );
    }

    // Each candidate's emails say what happened on their path.
    let said = |email: &str| -> String {
        received
            .iter()
            .filter(|m| m.to == email)
            .map(|m| format!("{}\n{}", m.subject, m.text))
            .collect::<Vec<_>>()
            .join("\n----\n")
    };
    let kinds = |email: &str| -> Vec<String> {
        let mut kinds: Vec<String> = stored.iter().filter(|n| n.1 == email).map(|n| n.0.clone()).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    let zoyas = said(&zoya.email);
    assert!(
        zoyas.contains("you do not meet this drive's academic guidelines")
            && zoyas.contains("Your 40% is below this drive's minimum of 50%."),
        "{zoyas}"
    );
    let ashas = said(&asha.email);
    for words in [
        "You meet this drive's academic guidelines",
        "shortlisted for a KPO interview",
        "Well done on the test",
        "Your interview is booked",
        "KPO operations",
        "We look forward to working with you.",
        "January analysts",
        "11 January 2027",
        "See you on the first day.",
    ] {
        assert!(ashas.contains(words), "Asha's emails lack {words:?}: {ashas}");
    }
    let balas = said(&bala.email);
    assert!(
        balas.contains("BPO operations") && balas.contains("We would love you on the BPO floor."),
        "{balas}"
    );
    let chitras = said(&chitra.email);
    assert!(
        chitras.contains("we will not be taking your application further"),
        "{chitras}"
    );
    let devs_mail = said(&dev.email);
    assert!(
        devs_mail.contains("You withdrew your application") && devs_mail.contains("Your interview has been cancelled"),
        "{devs_mail}"
    );
    let cancelled = calendar_emails(&sink.received());
    for to in [dev.email.as_str(), "ira@example.com"] {
        assert!(
            cancelled.iter().any(|e| e.to == to
                && e.uid == uids[&dev.email]
                && e.method == "CANCEL"
                && e.status == Some(EventStatus::Cancelled)),
            "{to} is told the event is off: {cancelled:?}"
        );
    }
    // And each one's decision letters are exactly those of their path.
    let letters = [
        "hired",
        "not_selected",
        "offered_bpo",
        "offered_kpo",
        "shortlisted",
        "withdrawn",
    ];
    for (c, path) in [
        (&zoya, vec![]),
        (&esha, vec![]),
        (&asha, vec!["hired", "offered_kpo", "shortlisted"]),
        (&bala, vec!["offered_bpo", "shortlisted"]),
        (&chitra, vec!["not_selected", "shortlisted"]),
        (&dev, vec!["shortlisted", "withdrawn"]),
    ] {
        let got: Vec<String> = kinds(&c.email)
            .into_iter()
            .filter(|k| letters.contains(&k.as_str()))
            .collect();
        assert_eq!(got, path, "{}", c.email);
    }
}
