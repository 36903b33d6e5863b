//! The last place in a slot, picked by several candidates at once: one gets
//! it, the others a 409 that says what to do. Runs on whichever backend the
//! suite runs on (set ASSAY_TEST_POSTGRES_URL for PostgreSQL).

use assay::db::schema::{interview_slots, interviews};
use awc::http::StatusCode;
use diesel::prelude::*;
use futures_util::future::join_all;

use super::{from_now, pick, publish, shortlisted_drive};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn candidates_racing_for_a_slots_last_place_book_it_once_and_the_others_hear_it_is_taken() {
    let app = spawn_app().await;
    let d = shortlisted_drive(&app, &["Asha", "Bala", "Chitra", "Dev", "Esha"]).await;
    let slot = publish(&app, &d, from_now(&app, 2, 0), 2).await;
    // Asha takes the first place; the other four race for the last one.
    let (status, _) = pick(&app, &d.candidates[0].1, slot).await;
    assert_eq!(status, StatusCode::CREATED);
    let answers = join_all(d.candidates[1..].iter().map(|(_, token)| pick(&app, token, slot))).await;

    let won = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(won, 1, "exactly one gets the last place: {answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "slot_full", "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("choose another time"), "{message}");
    }
    let mut conn = app.state.pool.get().expect("conn");
    let booked: i32 = interview_slots::table
        .find(slot as i32)
        .select(interview_slots::booked)
        .first(&mut *conn)
        .expect("slot");
    let held: i64 = interviews::table
        .filter(interviews::slot_id.eq(slot as i32))
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!((booked, held), (2, 2), "capacity holds");
    drop(conn);
    let (_, slots) = app
        .get_json(
            &format!("/api/v1/drives/{}/interview-slots", d.s.drive_id),
            Some(&d.candidates[4].1),
        )
        .await;
    assert!(
        slots["items"].as_array().is_some_and(|s| s.is_empty()),
        "a full slot is no longer offered: {slots}"
    );
}
