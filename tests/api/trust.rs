//! The trust promises of a test day: an acknowledged answer always counts,
//! a stale one says so, hidden scores stay hidden, and double clicks create
//! one thing. Each race runs on whichever backend the suite runs on.

use std::cell::RefCell;
use std::rc::Rc;

use awc::http::StatusCode;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::attempts::{applicant, drive_over, start, Drive};
use crate::helpers::{spawn_app, TestApp};

const QUESTIONS: usize = 10;

/// Ten numeric questions, "What is N plus 0?", each keyed N exactly.
fn numeric_bank() -> String {
    let mut toml = String::from("[bank]\nname = \"Sums\"\ncategory = \"Aptitude/Quantitative\"\n");
    for n in 1..=QUESTIONS {
        toml.push_str(&format!(
            "\n[[question]]\nid = \"n{n}\"\ntype = \"numeric\"\nstem = \"What is {n} plus 0?\"\nanswer = {n}.0\ntolerance = 0.0\n"
        ));
    }
    toml
}

async fn numeric_drive(app: &TestApp, extra: Value) -> Drive {
    drive_over(app, &numeric_bank(), QUESTIONS, extra).await
}

/// The key of each question of a started attempt: (question id, N).
fn keys(started: &Value) -> Vec<(i64, i64)> {
    started["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| {
            let stem = q["stem"].as_str().expect("stem");
            let n: i64 = stem
                .trim_start_matches("What is ")
                .split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("N in the stem");
            (q["id"].as_i64().expect("id"), n)
        })
        .collect()
}

/// What one saver saw: the answer of its last save acknowledged with 2xx.
struct Saver {
    last_acked_right: Option<bool>,
    acked: usize,
    refused: usize,
}

/// Saves answers to one question, alternating right and wrong with a rising
/// `seq`, until the server refuses one because the attempt is submitted.
/// Any answer but 204 or 409 `already_submitted` fails the test, and so
/// does a 204 after a 409.
async fn save_until_refused(
    app: &TestApp,
    token: &str,
    attempt: i64,
    (q, n): (i64, i64),
    started: Rc<RefCell<usize>>,
) -> Saver {
    let mut saver = Saver {
        last_acked_right: None,
        acked: 0,
        refused: 0,
    };
    for seq in 1..=400_i64 {
        let right = seq % 2 == 0;
        let answer = if right { n } else { n + 1000 };
        let (status, body) = app
            .put_json(
                &format!("/api/v1/attempts/{attempt}/responses/{q}"),
                &json!({"answer": answer, "seq": seq}),
                Some(token),
            )
            .await;
        *started.borrow_mut() += 1;
        match status {
            StatusCode::NO_CONTENT => {
                assert_eq!(
                    saver.refused, 0,
                    "a save was acknowledged after one was refused as submitted"
                );
                saver.last_acked_right = Some(right);
                saver.acked += 1;
            }
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "already_submitted", "{body}");
                saver.refused += 1;
                return saver;
            }
            other => panic!("a save answered {other}: {body}"),
        }
    }
    panic!("the attempt was never submitted")
}

/// Races ten savers against `finish` (a submit or a sweep), then checks
/// that the graded score is exactly the count of questions whose last
/// acknowledged answer was right.
async fn race_saves_against(app: &TestApp, drive: &Drive, email: &str, finish: impl AsyncFnOnce(i64, &str)) {
    let (_, token, _) = applicant(app, email, drive, 80.0).await;
    let (status, started) = start(app, &token, drive.assessment_id).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let saves = Rc::new(RefCell::new(0_usize));
    let savers = join_all(
        keys(&started)
            .into_iter()
            .map(|key| save_until_refused(app, &token, attempt, key, saves.clone())),
    );
    let submit = async {
        // Let the savers get going so the submit lands among them.
        while *saves.borrow() < 3 * QUESTIONS {
            actix_web::rt::task::yield_now().await;
        }
        finish(attempt, &token).await;
    };
    let (savers, ()) = futures_util::future::join(savers, submit).await;
    let expected = savers.iter().filter(|s| s.last_acked_right == Some(true)).count();
    assert!(
        savers.iter().map(|s| s.acked).sum::<usize>() > 0,
        "no save ran before the submit"
    );
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["status"], "graded", "{view}");
    assert_eq!(
        view["result"]["score"].as_f64(),
        Some(expected as f64),
        "the grade counts exactly the acknowledged answers: {view}"
    );
}

#[actix_web::test]
async fn every_save_acknowledged_around_a_submit_is_in_the_graded_result() {
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({"max_attempts": 1})).await;
    for trial in 0..3 {
        race_saves_against(
            &app,
            &drive,
            &format!("racer{trial}@example.com"),
            async |attempt, token| {
                let (status, body) = app
                    .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(token))
                    .await;
                assert_eq!(status, StatusCode::OK, "{body}");
            },
        )
        .await;
    }
}

#[actix_web::test]
async fn every_save_acknowledged_around_the_deadline_sweep_is_in_the_graded_result() {
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({"time_limit_minutes": 10, "grace_seconds": 0})).await;
    for trial in 0..3 {
        race_saves_against(&app, &drive, &format!("sweep{trial}@example.com"), async |_, _| {
            // The sweeper of another server whose clock has passed the
            // deadline while this one still takes saves.
            let effects = app.state.effects();
            let later = app.state.clock.now() + chrono::Duration::minutes(11);
            let graded = app
                .state
                .db(move |conn| assay::attempts::grading::sweep(conn, later, &effects))
                .await
                .expect("sweep");
            assert_eq!(graded, 1);
        })
        .await;
    }
}

#[actix_web::test]
async fn a_save_not_newer_than_the_stored_one_is_refused_as_stale_with_the_stored_seq() {
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({})).await;
    let (_, token, _) = applicant(&app, "stale@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let (q, n) = keys(&started)[0];
    let path = format!("/api/v1/attempts/{attempt}/responses/{q}");
    let (status, _) = app.put_json(&path, &json!({"answer": n, "seq": 5}), Some(&token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for seq in [3, 5] {
        let (status, body) = app
            .put_json(&path, &json!({"answer": n + 1, "seq": seq}), Some(&token))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "seq {seq}: {body}");
        assert_eq!(body["error"]["code"], "stale");
        assert_eq!(body["error"]["seq"], 5);
    }
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["responses"][0]["answer"], n, "the stale answers were not kept");
    let (status, _) = app
        .put_json(&path, &json!({"answer": n + 2, "seq": 6}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn a_candidate_reads_no_score_over_the_api_when_the_test_hides_it() {
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({"show_score": false})).await;
    let (_, token, _) = applicant(&app, "hidden@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let (q, n) = keys(&started)[0];
    app.put_json(
        &format!("/api/v1/attempts/{attempt}/responses/{q}"),
        &json!({"answer": n, "seq": 1}),
        Some(&token),
    )
    .await;
    let (status, submitted) = app
        .post_json(&format!("/api/v1/attempts/{attempt}/submit"), &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    for result in [&submitted, &view["result"]] {
        assert_eq!(result["status"], "graded", "{result}");
        for hidden in ["score", "percent", "passed", "percentile"] {
            assert!(result[hidden].is_null(), "{hidden} reached the candidate: {result}");
        }
        assert_eq!(result["sections"], json!([]), "{result}");
    }
    let (_, staff_view) = app
        .get_json(&format!("/api/v1/attempts/{attempt}"), Some(&drive.recruiter))
        .await;
    assert_eq!(staff_view["result"]["score"], 1.0, "staff still read the score");
}

#[actix_web::test]
async fn a_double_clicked_apply_creates_one_application_and_every_other_click_is_told_so() {
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({})).await;
    let (_, token) = app.candidate("clicker@example.com").await;
    let (status, _) = app
        .put_json(
            "/api/v1/me/profile",
            &json!({"score_percent": 80.0, "domain": "finance", "degree": "B.Com"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let path = format!("/api/v1/drives/{}/applications", drive.drive_id);
    let empty = json!({});
    let answers = join_all((0..12).map(|_| app.post_json(&path, &empty, Some(&token)))).await;
    let created = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "already_applied", "{body}");
    }
}

#[actix_web::test]
async fn twelve_starts_at_once_make_one_attempt_and_the_others_resume_it() {
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({"max_attempts": 1})).await;
    let (_, token, _) = applicant(&app, "tabs@example.com", &drive, 80.0).await;
    let answers = join_all((0..12).map(|_| start(&app, &token, drive.assessment_id))).await;
    let created = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(created, 1, "{answers:?}");
    let first = &answers
        .iter()
        .find(|(s, _)| *s == StatusCode::CREATED)
        .expect("one created")
        .1;
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::OK,
            "{status}: {body}"
        );
        assert_eq!(body["attempt_id"], first["attempt_id"]);
    }
}

#[actix_web::test]
async fn two_saves_of_one_answer_in_one_batch_keep_the_newer_and_call_the_older_stale() {
    use assay::attempts::save_queue::Save;
    use assay::db::{AttemptId, QuestionId, UserId};
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({})).await;
    let (user, token, _) = applicant(&app, "batch@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = started["attempt_id"].as_i64().expect("attempt");
    let (q, n) = keys(&started)[0];
    let now = app.state.clock.now();
    let save = |seq: i64, answer: i64| Save {
        attempt_id: AttemptId(attempt as i32),
        user_id: UserId(user),
        question_id: QuestionId(q as i32),
        answer: json!(answer),
        seq,
        now,
    };
    // The newer one first, as a reordered network may deliver them.
    let (newer, older) = (save(7, n), save(4, n + 1));
    let outcomes = app
        .state
        .db(move |conn| {
            conn.transaction(|conn| {
                assay::attempts::saving::hold_open_attempts(conn, &[newer.attempt_id])?;
                let outcomes = assay::attempts::saving::save_batch_in_transaction(conn, &[&newer, &older])?;
                Ok(outcomes
                    .into_iter()
                    .map(|o| o.map_err(|e| e.code()))
                    .collect::<Vec<_>>())
            })
        })
        .await
        .expect("batch");
    assert_eq!(outcomes, vec![Ok(()), Err("stale")]);
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    assert_eq!(view["responses"][0]["answer"], n, "{view}");
    assert_eq!(view["responses"][0]["seq"], 7, "{view}");
}

#[actix_web::test]
async fn one_batch_refuses_each_bad_save_alone_and_keeps_the_rest() {
    use assay::attempts::save_queue::Save;
    use assay::db::{AttemptId, QuestionId, UserId};
    let app = spawn_app().await;
    let drive = numeric_drive(&app, json!({})).await;
    let (mine, token, _) = applicant(&app, "mine@example.com", &drive, 80.0).await;
    let (other, _, _) = applicant(&app, "other@example.com", &drive, 80.0).await;
    let (_, started) = start(&app, &token, drive.assessment_id).await;
    let attempt = AttemptId(started["attempt_id"].as_i64().expect("attempt") as i32);
    let questions = keys(&started);
    let (q0, n0) = questions[0];
    let (q1, n1) = questions[1];
    let now = app.state.clock.now();
    let save = |user: i32, question: i64, seq: i64, answer: serde_json::Value| Save {
        attempt_id: attempt,
        user_id: UserId(user),
        question_id: QuestionId(question as i32),
        answer,
        seq,
        now,
    };
    let batch = [
        save(mine, q0, 3, json!(n0)),
        // Someone else's attempt, a question not on the form, a malformed
        // answer: each refused on its own.
        save(other, q1, 1, json!(n1)),
        save(mine, 999_999, 1, json!(1)),
        save(mine, q1, 1, json!({"not": "a number"})),
        save(mine, q1, 2, json!(n1)),
    ];
    let outcomes = app
        .state
        .db(move |conn| {
            conn.transaction(|conn| {
                assay::attempts::saving::hold_open_attempts(conn, &[attempt])?;
                let saves: Vec<&Save> = batch.iter().collect();
                let outcomes = assay::attempts::saving::save_batch_in_transaction(conn, &saves)?;
                Ok(outcomes
                    .into_iter()
                    .map(|o| o.map_err(|e| e.code()))
                    .collect::<Vec<_>>())
            })
        })
        .await
        .expect("batch");
    assert_eq!(
        outcomes,
        vec![Ok(()), Err("not_found"), Err("not_found"), Err("invalid"), Ok(())]
    );
    let (_, view) = app.get_json(&format!("/api/v1/attempts/{attempt}"), Some(&token)).await;
    let stored: Vec<(i64, i64)> = view["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| (r["question_id"].as_i64().unwrap_or(0), r["seq"].as_i64().unwrap_or(0)))
        .collect();
    assert!(stored.contains(&(q0, 3)) && stored.contains(&(q1, 2)), "{view}");
    assert_eq!(stored.len(), 2, "{view}");
}
