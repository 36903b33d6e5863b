//! A batch of answer saves in two statements on either backend: every
//! save's check rows in one query, and every kept answer in one guarded
//! upsert.
//!
//! Row by row, a batch of N saves was 2N statements inside the transaction
//! that holds its attempts. On PostgreSQL each was a round trip; on SQLite
//! each upsert was built and prepared afresh, because diesel does not cache
//! `ON CONFLICT … DO UPDATE`, and all of it ran on the one writer thread.
//! Here the saves travel as one value the database joins (`unnest` of
//! arrays on PostgreSQL, `json_each` of one JSON array on SQLite), so each
//! backend's two statement texts are the same for every batch and are
//! prepared once per connection.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamp};
use diesel::sqlite::SqliteConnection;

use super::saving::SaveCheck;
use crate::banks::question::QuestionType;
use crate::db::{AttemptId, AttemptStatus, Json, QuestionId, UserId};
use crate::error::AppResult;

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Integer)]
    attempt_id: i32,
    #[diesel(sql_type = Integer)]
    question_id: i32,
    #[diesel(sql_type = Integer)]
    user_id: i32,
    #[diesel(sql_type = Text)]
    status: AttemptStatus,
    #[diesel(sql_type = Timestamp)]
    deadline: NaiveDateTime,
    #[diesel(sql_type = Integer)]
    grace_seconds: i32,
    #[diesel(sql_type = Text)]
    qtype: QuestionType,
    #[diesel(sql_type = Text)]
    option_order: Json<Vec<usize>>,
    #[diesel(sql_type = Nullable<Double>)]
    score: Option<f64>,
}

/// What each (attempt, question) of the batch checks against; a pair with
/// no row has no such question in that attempt.
pub fn checks(
    conn: &mut PgConnection,
    keys: &[(AttemptId, QuestionId)],
) -> AppResult<HashMap<(AttemptId, QuestionId), SaveCheck>> {
    let attempts: Vec<i32> = keys.iter().map(|(a, _)| a.0).collect();
    let questions: Vec<i32> = keys.iter().map(|(_, q)| q.0).collect();
    let rows: Vec<CheckRow> = diesel::sql_query(
        "SELECT s.attempt_id, s.question_id, a.user_id, a.status, a.deadline, m.grace_seconds, \
                i.qtype, i.option_order, i.score \
         FROM unnest($1::integer[], $2::integer[]) AS s(attempt_id, question_id) \
         JOIN attempts a ON a.id = s.attempt_id \
         JOIN assessments m ON m.id = a.assessment_id \
         JOIN attempt_items i ON i.attempt_id = s.attempt_id AND i.question_id = s.question_id",
    )
    .bind::<Array<Integer>, _>(&attempts)
    .bind::<Array<Integer>, _>(&questions)
    .load(conn)?;
    Ok(by_key(rows))
}

/// `checks` on SQLite: the keys travel as one JSON array of pairs.
pub fn sqlite_checks(
    conn: &mut SqliteConnection,
    keys: &[(AttemptId, QuestionId)],
) -> AppResult<HashMap<(AttemptId, QuestionId), SaveCheck>> {
    let pairs: Vec<[i32; 2]> = keys.iter().map(|(a, q)| [a.0, q.0]).collect();
    let rows: Vec<CheckRow> = diesel::sql_query(
        "SELECT i.attempt_id, i.question_id, a.user_id, a.status, a.deadline, m.grace_seconds, \
                i.qtype, i.option_order, i.score \
         FROM json_each(?) AS s \
         JOIN attempt_items i ON i.attempt_id = json_extract(s.value, '$[0]') \
                             AND i.question_id = json_extract(s.value, '$[1]') \
         JOIN attempts a ON a.id = i.attempt_id \
         JOIN assessments m ON m.id = a.assessment_id",
    )
    .bind::<Text, _>(serde_json::json!(pairs).to_string())
    .load(conn)?;
    Ok(by_key(rows))
}

fn by_key(rows: Vec<CheckRow>) -> HashMap<(AttemptId, QuestionId), SaveCheck> {
    rows.into_iter()
        .map(|r| {
            (
                (AttemptId(r.attempt_id), QuestionId(r.question_id)),
                (
                    UserId(r.user_id),
                    r.status,
                    r.deadline,
                    r.grace_seconds,
                    r.qtype,
                    r.option_order,
                    r.score,
                ),
            )
        })
        .collect()
}

/// One answer to write: its key, the answer as stored, its `seq` and time.
pub struct Row<'a> {
    pub attempt_id: AttemptId,
    pub question_id: QuestionId,
    pub stored: &'a str,
    pub seq: i64,
    pub now: NaiveDateTime,
}

#[derive(QueryableByName)]
struct Kept {
    #[diesel(sql_type = Integer)]
    attempt_id: i32,
    #[diesel(sql_type = Integer)]
    question_id: i32,
}

/// Writes every row (at most one per answer) with the guarded upsert
/// (`… WHERE excluded.seq > responses.seq`) and returns the keys written.
pub fn upsert(conn: &mut PgConnection, rows: &[Row<'_>]) -> AppResult<HashSet<(AttemptId, QuestionId)>> {
    let attempts: Vec<i32> = rows.iter().map(|r| r.attempt_id.0).collect();
    let questions: Vec<i32> = rows.iter().map(|r| r.question_id.0).collect();
    let answers: Vec<&str> = rows.iter().map(|r| r.stored).collect();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    let times: Vec<NaiveDateTime> = rows.iter().map(|r| r.now).collect();
    let kept: Vec<Kept> = diesel::sql_query(
        "INSERT INTO responses (attempt_id, question_id, answer, seq, saved_at) \
         SELECT * FROM unnest($1::integer[], $2::integer[], $3::text[], $4::bigint[], $5::timestamp[]) \
         ON CONFLICT (attempt_id, question_id) DO UPDATE \
         SET answer = excluded.answer, seq = excluded.seq, saved_at = excluded.saved_at \
         WHERE excluded.seq > responses.seq \
         RETURNING attempt_id, question_id",
    )
    .bind::<Array<Integer>, _>(&attempts)
    .bind::<Array<Integer>, _>(&questions)
    .bind::<Array<Text>, _>(&answers)
    .bind::<Array<BigInt>, _>(&seqs)
    .bind::<Array<Timestamp>, _>(&times)
    .load(conn)?;
    Ok(kept_keys(kept))
}

/// `upsert` on SQLite: the rows travel as one JSON array, each row
/// `[attempt, question, answer, seq, time]`, the time written as diesel
/// writes a SQLite `TIMESTAMP`. (`WHERE true` tells SQLite's parser that
/// `ON CONFLICT` belongs to the INSERT, not to a join.)
pub fn sqlite_upsert(conn: &mut SqliteConnection, rows: &[Row<'_>]) -> AppResult<HashSet<(AttemptId, QuestionId)>> {
    let values: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!([
                r.attempt_id.0,
                r.question_id.0,
                r.stored,
                r.seq,
                r.now.format(SQLITE_TIMESTAMP).to_string()
            ])
        })
        .collect();
    let kept: Vec<Kept> = diesel::sql_query(
        "INSERT INTO responses (attempt_id, question_id, answer, seq, saved_at) \
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
                json_extract(value, '$[3]'), json_extract(value, '$[4]') \
         FROM json_each(?) WHERE true \
         ON CONFLICT (attempt_id, question_id) DO UPDATE \
         SET answer = excluded.answer, seq = excluded.seq, saved_at = excluded.saved_at \
         WHERE excluded.seq > responses.seq \
         RETURNING attempt_id, question_id",
    )
    .bind::<Text, _>(serde_json::Value::Array(values).to_string())
    .load(conn)?;
    Ok(kept_keys(kept))
}

/// How diesel stores a `NaiveDateTime` in a SQLite `TIMESTAMP` column.
const SQLITE_TIMESTAMP: &str = "%F %T%.f";

fn kept_keys(kept: Vec<Kept>) -> HashSet<(AttemptId, QuestionId)> {
    kept.into_iter()
        .map(|k| (AttemptId(k.attempt_id), QuestionId(k.question_id)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::Timestamp;

    #[derive(QueryableByName)]
    struct Written {
        #[diesel(sql_type = Text)]
        text: String,
    }

    #[test]
    fn a_batch_writes_save_times_in_the_text_diesel_writes_for_a_sqlite_timestamp() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        for time in [
            chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
                .unwrap()
                .and_hms_opt(9, 5, 3)
                .unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
                .unwrap()
                .and_hms_micro_opt(9, 5, 3, 250_001)
                .unwrap(),
        ] {
            let by_diesel: Written = diesel::sql_query("SELECT CAST(? AS TEXT) AS text")
                .bind::<Timestamp, _>(time)
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(time.format(SQLITE_TIMESTAMP).to_string(), by_diesel.text);
        }
    }
}
