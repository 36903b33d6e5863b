//! Once an interview is booked, its slot's interviewers are the scoring
//! panel: nobody else fills a scorecard, so nobody can read the panel's
//! ratings first and score after.

use awc::http::StatusCode;

use super::{from_now, pick, publish, shortlisted_drive};
use crate::helpers::{spawn_app, PASSWORD};
use crate::scorecards::{card, score};

#[actix_web::test]
async fn only_the_booked_interviews_panel_fills_scorecards_and_others_read_them_after() {
    let app = spawn_app().await;
    let d = shortlisted_drive(&app, &["Sita"]).await;
    let (application, sita) = d.candidates[0].clone();
    let slot = publish(&app, &d, from_now(&app, 3, 0), 1).await;
    let (status, booked) = pick(&app, &sita, slot).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");

    // The recruiter is not on the slot's panel: refused, with the way in.
    let (status, body) = score(&app, &d.s.recruiter, application, &card([4, 4, 4, 4, 4], "kpo", true)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("interview panel")),
        "{body}"
    );

    // Ira interviews in that slot: she scores, and only then reads the panel.
    let ira = app.sign_in(&d.interviewer.1, PASSWORD).await;
    let (status, body) = score(&app, &ira, application, &card([4, 3, 4, 5, 4], "kpo", true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The recruiter, who decides, reads the submitted scorecards.
    let (status, list) = app
        .get_json(
            &format!("/api/v1/applications/{application}/scorecards"),
            Some(&d.s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
}
