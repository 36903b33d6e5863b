//! The interview pages: the recruiter's (publish with errors by the fields,
//! assign, move, cancel after a confirmation) and the candidate picking a
//! slot in a real browser.

use awc::http::StatusCode;
use fantoccini::Locator;

use super::{from_now, publish, shortlisted_drive};
use crate::browser::{click, driver_or_skip, eventually, path, text};
use crate::helpers::{signed_in, spawn_app, PASSWORD};

#[actix_web::test]
async fn the_recruiter_publishes_assigns_moves_and_cancels_from_the_interview_page() {
    let app = spawn_app().await;
    let d = shortlisted_drive(&app, &["Ravi"]).await;
    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let page_path = format!("/drives/{}/interviews", d.s.drive_id);
    let empty = recruiter.get(&page_path).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("No interview slots yet"), "{}", empty.body);

    let csrf = empty.csrf();
    let publish_path = format!("{page_path}/slots");
    let ira = d.interviewer.0.to_string();
    let when = from_now(&app, 3, 0).format("%Y-%m-%dT%H:%M").to_string();
    let refused = recruiter
        .post_form(
            &publish_path,
            &[
                ("csrf_token", &csrf),
                ("starts_at", &when),
                ("minutes", "45"),
                ("capacity", "1"),
                ("place", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"place-error\""),
        "the error sits by its field: {}",
        refused.body
    );
    assert!(
        refused.body.contains(&format!("value=\"{when}\"")),
        "what was typed stays"
    );

    for starts in [when.clone(), from_now(&app, 4, 0).format("%Y-%m-%dT%H:%M").to_string()] {
        let done = recruiter
            .post_form(
                &publish_path,
                &[
                    ("csrf_token", &csrf),
                    ("starts_at", &starts),
                    ("minutes", "45"),
                    ("capacity", "1"),
                    ("place", "Room 4"),
                    ("interviewer", &ira),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    let listed = recruiter.get(&page_path).await;
    assert!(
        listed.body.contains("Room 4") && listed.body.contains("0 of 1"),
        "{}",
        listed.body
    );
    assert!(listed.body.contains("<time datetime="), "times as <time> elements");

    // Assign Ravi to the first slot from the page.
    let (slots_status, slots) = app
        .get_json(
            &format!("/api/v1/drives/{}/interview-slots", d.s.drive_id),
            Some(&d.s.recruiter),
        )
        .await;
    assert_eq!(slots_status, StatusCode::OK);
    let first = slots["items"][0]["id"].as_i64().expect("slot").to_string();
    let second = slots["items"][1]["id"].as_i64().expect("slot").to_string();
    let application = d.candidates[0].0.to_string();
    let assigned = recruiter
        .post_form(
            &format!("{page_path}/assign"),
            &[
                ("csrf_token", &csrf),
                ("application_id", &application),
                ("slot_id", &first),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let (_, interviews) = app
        .get_json(
            &format!("/api/v1/drives/{}/interviews", d.s.drive_id),
            Some(&d.s.recruiter),
        )
        .await;
    let id = interviews["items"][0]["id"].as_i64().expect("interview");

    // The first slot is now full: assigning there again says so on the page.
    let full = recruiter
        .post_form(
            &format!("/interviews/{id}/move"),
            &[("csrf_token", &csrf), ("slot_id", &first)],
        )
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT, "{}", full.body);
    assert!(full.body.contains("already at that time"), "{}", full.body);
    let moved = recruiter
        .post_form(
            &format!("/interviews/{id}/move"),
            &[("csrf_token", &csrf), ("slot_id", &second)],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);

    // Cancelling asks first, naming the person, and changes nothing until confirmed.
    let confirm = recruiter.get(&format!("/interviews/{id}/cancel")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.body.contains("Cancel the interview with Ravi?"),
        "{}",
        confirm.body
    );
    let (_, still) = app
        .get_json(&format!("/api/v1/interviews/{id}"), Some(&d.s.recruiter))
        .await;
    assert_eq!(still["status"], "booked");
    let cancelled = recruiter
        .post_form(
            &format!("/interviews/{id}/cancel"),
            &[("csrf_token", &confirm.csrf()), ("message", "")],
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER, "{}", cancelled.body);
    let (_, after) = app
        .get_json(&format!("/api/v1/interviews/{id}"), Some(&d.s.recruiter))
        .await;
    assert_eq!(
        (after["status"].as_str(), after["sequence"].as_i64()),
        (Some("cancelled"), Some(2))
    );
    let shown = recruiter.get(&format!("{page_path}?done=cancelled")).await;
    assert!(shown.body.contains("Interview cancelled."), "{}", shown.body);
}

#[actix_web::test]
async fn a_candidate_picks_an_interview_time_in_a_real_browser() {
    let Some(driver) = driver_or_skip("candidate_picks_an_interview_time").await else {
        return;
    };
    let app = spawn_app().await;
    let d = shortlisted_drive(&app, &["Uma"]).await;
    publish(&app, &d, from_now(&app, 2, 0), 1).await;
    let later = publish(&app, &d, from_now(&app, 5, 3), 1).await;
    let c = driver.session().await;
    let c = &c;
    let base = app.address.clone();

    c.goto(&format!("{base}/signin")).await.expect("sign-in page");
    for (css, value) in [("#email", "uma@example.com"), ("#password", PASSWORD)] {
        c.find(Locator::Css(css))
            .await
            .expect(css)
            .send_keys(value)
            .await
            .expect("type");
    }
    click(c, Locator::Css("form[action='/signin'] button[type='submit']")).await;
    eventually("the home page", || async move { path(c).await == "/" }).await;

    // From the drive page to the interview page by its link.
    c.goto(&format!("{base}/drives/{}", d.s.drive_id))
        .await
        .expect("drive page");
    click(c, Locator::LinkText("Choose your interview time")).await;
    eventually("the interview page", || async move {
        text(c, "main").await.contains("Choose the time that suits you")
    })
    .await;
    let label = text(c, &format!("label[for='slot-{later}']")).await;
    assert!(
        label.contains("Room 4, Tower B") && label.contains("1 place left"),
        "{label}"
    );
    click(c, Locator::Css(&format!("label[for='slot-{later}']"))).await;
    click(c, Locator::XPath("//button[normalize-space(.)='Book this time']")).await;
    eventually("the booked interview", || async move {
        text(c, "main").await.contains("Your interview is booked")
    })
    .await;
    let shown = text(c, "#my-interview").await;
    assert!(
        shown.contains("45 minutes") && shown.contains("Room 4, Tower B"),
        "{shown}"
    );

    let (_, mine) = app.get_json("/api/v1/me/interviews", Some(&d.candidates[0].1)).await;
    assert_eq!(mine["items"][0]["slot"]["id"].as_i64(), Some(later), "{mine}");
    assert_eq!(mine["items"][0]["status"], "booked");
}
