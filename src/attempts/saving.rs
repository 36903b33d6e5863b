//! Saving answers: each save's own checks (owner, open, deadline, shape,
//! `seq`) and the guarded upsert, for one save or a group-committed batch,
//! always exclusive with grading.

use actix_web::ResponseError;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::Value;

use super::save_queue::Save;
use super::scoring::Answer;
use crate::banks::question::QuestionType;
use crate::db::schema::{attempts, responses};
use crate::db::{AttemptId, AttemptStatus, DbConn, Json, QuestionId, UserId};
use crate::error::{AppError, AppResult};

/// What a save checks: owner, status, deadline, grace, and the item's type
/// and displayed option order.
pub(super) type SaveCheck = (
    UserId,
    AttemptStatus,
    NaiveDateTime,
    i32,
    QuestionType,
    Json<Vec<usize>>,
    Option<f64>,
);

/// Saves one answer in a transaction of its own. The API's saves go through
/// `save_queue`, which writes many in one transaction the same way.
///
/// Saving is exclusive with grading: the check (owner, open, deadline,
/// shape) and the guarded upsert run in one transaction that holds the
/// attempt against `grade`, so an answer acknowledged with 2xx is always in
/// the graded result, and one that arrives once grading has begun is
/// refused with `already_submitted`.
pub fn save_response(
    conn: &mut DbConn,
    attempt_id: AttemptId,
    user_id: UserId,
    question_id: QuestionId,
    answer: &Value,
    seq: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let save = Save {
        attempt_id,
        user_id,
        question_id,
        answer: answer.clone(),
        seq,
        now,
    };
    conn.transaction(|conn| {
        hold_open_attempts(conn, &[attempt_id])?;
        save_batch_in_transaction(conn, &[&save])?
            .pop()
            .unwrap_or_else(|| Err(AppError::Internal("a batch of one save gave no outcome".into())))
    })
}

/// Holds these attempts (ids in ascending order, so two batches always lock
/// in the same order) against grading until the transaction ends.
///
/// On PostgreSQL their rows are read `FOR SHARE`: saves run side by side,
/// while grading's claim (an UPDATE of the row) waits for the saves holding
/// it, and a save that comes after the claim waits for grading to commit
/// and then reads the attempt as submitted. On SQLite the transaction began
/// `IMMEDIATE` and so already runs alone.
pub fn hold_open_attempts(conn: &mut DbConn, ids: &[AttemptId]) -> AppResult<()> {
    if let DbConn::Postgres(c) = conn {
        // Only the attempts' rows: locking the joined rows too could meet
        // grading, which updates the items, in the opposite order.
        attempts::table
            .filter(attempts::id.eq_any(ids))
            .order(attempts::id.asc())
            .select(attempts::id)
            .for_share()
            .load::<AttemptId>(c)?;
    }
    Ok(())
}

/// Many saves inside one transaction that already holds their attempts:
/// each one's checks, then the upserts of those that passed. Returns each
/// save's outcome in order; the outer error is a database failure, which
/// must roll the whole batch back.
///
/// Two saves of one answer in the batch: the higher `seq` is written and
/// the other is answered `Stale`, as it would have been one after the other.
pub fn save_batch_in_transaction(conn: &mut DbConn, saves: &[&Save]) -> AppResult<Vec<AppResult<()>>> {
    use std::collections::HashMap;
    let mut outcomes: Vec<AppResult<()>> = Vec::with_capacity(saves.len());
    // The newest passing save of each answer: (its index, its stored text).
    let mut newest: HashMap<(AttemptId, QuestionId), (usize, String)> = HashMap::new();
    // Every save's check rows come in one query.
    let keys: Vec<_> = saves.iter().map(|s| (s.attempt_id, s.question_id)).collect();
    let checks = match conn {
        DbConn::Postgres(c) => super::batch::checks(c, &keys)?,
        DbConn::Sqlite(c) => super::batch::sqlite_checks(c, &keys)?,
    };
    for (index, save) in saves.iter().enumerate() {
        let check = checks.get(&(save.attempt_id, save.question_id)).cloned();
        match judge_save(save, check) {
            Ok(stored) => {
                let key = (save.attempt_id, save.question_id);
                let newer = newest
                    .get(&key)
                    .and_then(|(other, _)| saves.get(*other).copied())
                    .is_none_or(|other| save.seq > other.seq);
                if newer {
                    newest.insert(key, (index, stored));
                }
                outcomes.push(Ok(()));
            }
            Err(e) if e.status_code().is_server_error() => return Err(e),
            Err(refused) => outcomes.push(Err(refused)),
        }
    }
    let rows: Vec<(usize, &Save, String)> = newest
        .into_values()
        .filter_map(|(index, stored)| saves.get(index).map(|save| (index, *save, stored)))
        .collect();
    let kept = write_responses(conn, &rows)?;
    // Every passing save not written: older than another in the batch, or
    // not newer than the stored answer.
    let mut stored_seq: HashMap<(AttemptId, QuestionId), i64> = HashMap::new();
    for (index, (save, outcome)) in saves.iter().zip(outcomes.iter_mut()).enumerate() {
        if outcome.is_err() || kept.contains(&index) {
            continue;
        }
        let key = (save.attempt_id, save.question_id);
        let seq = match stored_seq.get(&key) {
            Some(seq) => *seq,
            None => {
                let seq: i64 = responses::table
                    .filter(responses::attempt_id.eq(save.attempt_id))
                    .filter(responses::question_id.eq(save.question_id))
                    .select(responses::seq)
                    .first(conn)?;
                stored_seq.insert(key, seq);
                seq
            }
        };
        *outcome = Err(AppError::Stale { seq });
    }
    Ok(outcomes)
}

/// Writes each row (at most one per answer) with the guarded upsert and
/// returns which rows were written, by the index each came with.
fn write_responses(conn: &mut DbConn, rows: &[(usize, &Save, String)]) -> AppResult<std::collections::HashSet<usize>> {
    if rows.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    // One statement for the batch.
    let batch: Vec<super::batch::Row<'_>> = rows
        .iter()
        .map(|(_, save, stored)| super::batch::Row {
            attempt_id: save.attempt_id,
            question_id: save.question_id,
            stored,
            seq: save.seq,
            now: save.now,
        })
        .collect();
    let written = match conn {
        DbConn::Postgres(c) => super::batch::upsert(c, &batch)?,
        DbConn::Sqlite(c) => super::batch::sqlite_upsert(c, &batch)?,
    };
    Ok(rows
        .iter()
        .filter(|(_, save, _)| written.contains(&(save.attempt_id, save.question_id)))
        .map(|(index, _, _)| *index)
        .collect())
}

/// The save's own rules against what it was checked against. Returns the
/// answer as it is stored.
fn judge_save(save: &Save, check: Option<SaveCheck>) -> AppResult<String> {
    let Save {
        attempt_id,
        user_id,
        question_id,
        ref answer,
        now,
        ..
    } = *save;
    let (status, deadline, grace_seconds, qtype, option_order, scored) = match check {
        Some((owner, status, deadline, grace, qtype, order, scored)) if owner == user_id => {
            (status, deadline, grace, qtype, order, scored)
        }
        _ => {
            return Err(AppError::NotFound(format!(
                "Attempt {attempt_id} of yours has no question {question_id}."
            )))
        }
    };
    if status != AttemptStatus::Open {
        return Err(AppError::conflict(
            "already_submitted",
            "This test was already submitted; answers can no longer change.",
        ));
    }
    // Only an adaptive test scores answers while it is open, as each one
    // chooses the next question; those answers are final.
    if scored.is_some() {
        return Err(AppError::conflict(
            "answer_locked",
            "This answer already counts and chose your next question; an adaptive test does not go back.",
        ));
    }
    if now > deadline + Duration::seconds(i64::from(grace_seconds)) {
        return Err(AppError::invalid(
            "Time is up for this test: the answer arrived after the deadline and was not saved.",
            vec![],
        ));
    }
    let option_count = option_order.len();
    Answer::parse(qtype, answer, option_count).map_err(|m| AppError::invalid_field("answer", m))?;
    serde_json::to_string(answer).map_err(|e| AppError::internal("answer", e))
}
