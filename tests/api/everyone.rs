//! One app with something on every page of every role: a recruiter's drive
//! whose candidates were tested, shortlisted and offered, one candidate in
//! the middle of a test of every question type, a trainer's banks, a cohort
//! whose exam was sat, routed and published, and an admin's processes. The
//! accessibility and plain-words tests read the pages of each person here.

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::attempts::{applicant, assessment, bank, finance_drive, start, EVERY_TYPE};
use crate::helpers::TestApp;
use crate::rankings::{finance, setup, takes};

/// Who signs in to see each role's pages, by a name for messages.
pub const PEOPLE: [(&str, &str); 6] = [
    ("candidate", "ravi@example.com"),
    ("shortlisted candidate", "meeraiyer@example.com"),
    ("trainee", "vikram@example.com"),
    ("recruiter", "recruiter@example.com"),
    ("trainer", "exam.trainer@example.com"),
    ("admin", "admin@example.com"),
];

pub struct Everyone {
    /// The page of the test the candidate (`ravi@`) is in the middle of.
    pub test_page: String,
    /// The recruiter's preview of a campus list with a bad row, not sent.
    pub campus_list: String,
}

/// A campus list sent to one person, and another uploaded with a bad row
/// and not sent yet; returns the address of the second one's preview.
async fn campus(app: &TestApp, s: &crate::rankings::Setup) -> String {
    use assay::db::schema::users;
    use diesel::prelude::*;
    let mut res = app
        .client
        .post(app.url(&format!("/api/v1/drives/{}/invitations?format=csv", s.drive_id)))
        .bearer_auth(&s.recruiter)
        .send_body("Name,Email,Institute\nLeela Menon,leela@example.com,Loyola\n")
        .await
        .expect("invite");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        crate::helpers::json_body(&mut res).await
    );
    let recruiter: assay::db::UserId = {
        let mut conn = app.state.pool.get().expect("conn");
        users::table
            .filter(users::email.eq("recruiter@example.com"))
            .select(users::id)
            .first(&mut *conn)
            .expect("the recruiter")
    };
    let drive = assay::db::DriveId(s.drive_id as i32);
    let upload = assay::drives::invitations::uploads::NewUpload {
        file_name: "graduates.csv".into(),
        xlsx: false,
        bytes: b"Name,Email\nLeela Menon,leela@example.com\nSam,not an address\nNew Person,new.person@example.com\n"
            .to_vec(),
    };
    let now = app.state.clock.now();
    let id = app
        .state
        .db(move |conn| assay::drives::invitations::uploads::save(conn, drive, &upload, recruiter, now))
        .await
        .expect("an upload");
    format!("/drives/{drive}/invitations/uploads/{id}")
}

async fn decide(app: &TestApp, recruiter: &str, application: i64, status: &str) {
    let (code, body) = app
        .post_json(
            &format!("/api/v1/applications/{application}/decision"),
            &json!({"status": status, "note": "seeded", "message": "Well done."}),
            Some(recruiter),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
}

pub async fn everyone(app: &TestApp) -> Everyone {
    // A drive whose candidates sat the test; one shortlisted, one offered.
    let s = setup(app).await;
    let mut profile = finance(82.0);
    profile["degree_class"] = json!("first");
    profile["preferred_track"] = json!("kpo");
    let meera = takes(app, &s, "Meera Iyer", profile, 4, 3).await;
    let anil = takes(app, &s, "Anil Rao", finance(70.0), 2, 2).await;
    takes(app, &s, "Divya Shah", finance(65.0), 1, 3).await;
    decide(app, &s.recruiter, meera, "shortlisted_kpo").await;
    decide(app, &s.recruiter, anil, "offered_bpo").await;
    let campus_list = campus(app, &s).await;

    // A second drive over a test of every question type, which Ravi is sitting.
    let every = bank(app, &s.trainer, EVERY_TYPE).await;
    let test = assessment(
        app,
        &s.trainer,
        json!({"title": "Aptitude 2026", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50.0,
               "sections": [{"name": "Mixed", "bank_id": every, "count": 6}]}),
    )
    .await;
    let drive = finance_drive(
        app,
        "Finance drive",
        (s.trainer.clone(), s.recruiter.clone()),
        every,
        test,
    )
    .await;
    let (_, sitting, _) = applicant(app, "ravi@example.com", &drive, 75.0).await;
    let (status, started) = start(app, &sitting, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let open = started["attempt_id"].as_i64().expect("attempt");

    // A cohort sat its exam and was routed; the run is published.
    let scene = crate::routing::scene(app, 2).await;
    crate::routing::trainee(app, &scene, "Asha", 4, 4).await;
    crate::routing::trainee(app, &scene, "Vikram", 1, 2).await;
    let run: Value = crate::routing::run(app, &scene).await;
    let run_id = run["run_id"].as_i64().expect("run id");
    let (code, body) = app
        .post_json(
            &format!("/api/v1/routing-runs/{run_id}/publish"),
            &json!({}),
            Some(&scene.trainer),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    Everyone {
        test_page: format!("/attempts/{open}"),
        campus_list,
    }
}
