//! Interviews: slots, picking one, the calendar events the real SMTP server
//! receives (book, move, cancel: one UID, a rising SEQUENCE), the reminder
//! the day before, and the race for a slot's last place.

pub(crate) mod flow;
mod pages;
mod panel;
mod race;

use assay::db::schema::notices;
use assay::db::Role;
use awc::http::StatusCode;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};
use crate::rankings::{finance, setup, takes, Setup};

/// A drive with `names` shortlisted (each tested first) and one trainer on
/// the panel. Returns the setup, each candidate's (application id, token)
/// and the interviewer's (id, email).
pub(crate) struct Drive {
    pub s: Setup,
    pub candidates: Vec<(i64, String)>,
    pub interviewer: (i32, String),
}

pub(crate) async fn shortlisted_drive(app: &TestApp, names: &[&str]) -> Drive {
    let s = setup(app).await;
    let mut candidates = Vec::new();
    for name in names {
        let id = takes(app, &s, name, finance(70.0), 4, 4).await;
        let (status, body) = app
            .post_json(
                &format!("/api/v1/applications/{id}/decision"),
                &json!({"status": "shortlisted_kpo"}),
                Some(&s.recruiter),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = app
            .sign_in(&format!("{}@example.com", name.to_lowercase()), PASSWORD)
            .await;
        candidates.push((id, token));
    }
    let (interviewer_id, _) = app.staff("ira@example.com", Role::Trainer).await;
    Drive {
        s,
        candidates,
        interviewer: (interviewer_id, "ira@example.com".into()),
    }
}

/// RFC 3339 for a time `days` days and `hours` hours from the app's clock.
pub(crate) fn from_now(app: &TestApp, days: i64, hours: i64) -> NaiveDateTime {
    app.state.clock.now() + Duration::days(days) + Duration::hours(hours)
}

pub(crate) fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339()
}

/// Publishes a slot over the API and returns its id.
pub(crate) async fn publish(app: &TestApp, d: &Drive, starts: NaiveDateTime, capacity: i32) -> i64 {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/drives/{}/interview-slots", d.s.drive_id),
            &json!({"starts_at": rfc3339(starts), "minutes": 45, "place": "Room 4, Tower B",
                    "video_link": "", "interviewer_ids": [d.interviewer.0], "capacity": capacity}),
            Some(&d.s.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("slot id")
}

/// A candidate picks a slot over the API.
pub(crate) async fn pick(app: &TestApp, token: &str, slot: i64) -> (StatusCode, Value) {
    app.post_json("/api/v1/me/interviews", &json!({"slot_id": slot}), Some(token))
        .await
}

/// Each stored notice of `kind`: (recipient, status, next try).
pub(crate) fn notices_of(app: &TestApp, kind: &str) -> Vec<(String, String, NaiveDateTime)> {
    let mut conn = app.state.pool.get().expect("conn");
    notices::table
        .filter(notices::kind.eq(kind))
        .order(notices::id)
        .select((notices::recipient_email, notices::status, notices::next_try_at))
        .load::<(String, assay::db::NoticeStatus, NaiveDateTime)>(&mut *conn)
        .expect("notices")
        .into_iter()
        .map(|(to, status, at)| (to, status.to_string(), at))
        .collect()
}
