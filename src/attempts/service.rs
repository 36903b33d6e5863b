//! Starting, resuming and answering attempts. The server owns the clock:
//! every deadline is computed and enforced here.

use actix_web::ResponseError;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::upsert::excluded;
use serde::Serialize;
use serde_json::Value;

use super::models::{AttemptRow, ItemRow};
use super::save_queue::Save;
use super::scoring::Answer;
use crate::assessments::blueprint::Kind;
use crate::assessments::models::AssessmentRow;
use crate::assessments::{draw, service as assessments};
use crate::banks::question::{QuestionBody, QuestionType};
use crate::db::schema::{
    applications, attempt_items, attempts, cohort_exams, cohort_trainees, drives, question_versions, responses, users,
};
use crate::db::{ApplicationStatus, AssessmentId, AttemptId, AttemptStatus, DbConn, Json, QuestionId, Role, UserId};
use crate::error::{AppError, AppResult};
use crate::identity::User;
use crate::on_backend;

/// Why this person may not take this assessment, if they may not.
pub fn refusal(conn: &mut DbConn, user: &User, assessment: &AssessmentRow) -> AppResult<Option<String>> {
    if user.role != Role::Candidate {
        return Ok(Some("Staff accounts cannot take tests; sign in as a candidate.".into()));
    }
    match assessment.kind {
        Kind::Aptitude => {
            let eligible: i64 = applications::table
                .inner_join(drives::table)
                .filter(drives::assessment_id.eq(assessment.id))
                .filter(applications::candidate_id.eq(user.id))
                .filter(applications::eligible.eq(true))
                .filter(applications::status.ne(ApplicationStatus::Withdrawn))
                .count()
                .get_result(conn)?;
            Ok((eligible == 0)
                .then(|| "Apply to a drive that uses this test first; eligible applicants may take it.".into()))
        }
        Kind::PostTraining => {
            if exam_assigned(conn, user.id, assessment.id)? {
                Ok(None)
            } else {
                Ok(Some("This exam is not assigned to any cohort you belong to.".into()))
            }
        }
    }
}

fn open_attempt(conn: &mut DbConn, assessment_id: AssessmentId, user_id: UserId) -> AppResult<Option<AttemptRow>> {
    Ok(attempts::table
        .filter(attempts::assessment_id.eq(assessment_id))
        .filter(attempts::user_id.eq(user_id))
        .filter(attempts::status.eq(AttemptStatus::Open))
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?)
}

/// Resumes the open attempt, or starts a new one within the attempts allowed
/// and the window. Returns the attempt and whether it is new.
///
/// The slow part of a start, reading the question pools and drawing the
/// form, runs before the write transaction, so a thousand candidates
/// starting at once do not queue behind each other's draws; the
/// transaction (on SQLite, the process's one writer at a time) holds only
/// the checks that must see the latest rows and the two inserts, the form
/// written in one statement.
pub fn start_or_resume(
    conn: &mut DbConn,
    assessment_id: AssessmentId,
    user: &User,
    now: NaiveDateTime,
) -> AppResult<(AttemptRow, bool)> {
    if let Some(open) = open_attempt(conn, assessment_id, user.id)? {
        return Ok((open, false));
    }
    let assessment = assessments::find(conn, assessment_id)?;
    // Checked again in the transaction; here so a refusal costs no draw.
    if let Some(why) = refusal(conn, user, &assessment)? {
        return Err(AppError::Forbidden(why));
    }
    let form = draw_form(conn, &assessment)?;
    let factor: f64 = users::table
        .find(user.id)
        .select(users::accommodation_factor)
        .first(conn)?;
    let seconds = crate::convert::round_i64(f64::from(assessment.time_limit_minutes) * 60.0 * factor);
    let deadline = now + Duration::seconds(seconds);
    let first = conn.transaction(|conn| start_in(conn, &assessment, &form, user, now, deadline));
    let started = match first {
        // Two tabs starting at once: the unique index lets one win; the other resumes it.
        Err(AppError::Conflict {
            code: "attempt_race", ..
        }) => conn.transaction(|conn| start_in(conn, &assessment, &form, user, now, deadline)),
        other => other,
    }?;
    match started {
        Start::Resumed(open) => Ok((open, false)),
        Start::New(id) => {
            // Read after the commit, outside the write turn: the row is ours.
            let attempt = attempts::table.find(id).select(AttemptRow::as_select()).first(conn)?;
            Ok((attempt, true))
        }
    }
}

/// What the start's transaction found or made.
enum Start {
    Resumed(AttemptRow),
    New(AttemptId),
}

/// A form drawn from the assessment's blueprint, with the seed it was
/// drawn with.
struct Form {
    seed: i64,
    items: Vec<draw::Item>,
}

fn draw_form(conn: &mut DbConn, assessment: &AssessmentRow) -> AppResult<Form> {
    let sections = assessment.sections()?;
    let pools = assessments::pools(conn, &sections)?;
    let seed = i64::from(rand::random::<u32>());
    let drawn = draw::draw_questions(&sections, &pools, seed.unsigned_abs(), assessment.shuffle_questions);
    let counts = assessments::option_counts(conn, &drawn.version_ids())?;
    let items = drawn.order_options(assessment.shuffle_options, |version| {
        counts.get(&version).copied().unwrap_or(0)
    });
    Ok(Form { seed, items })
}

fn start_in(
    conn: &mut DbConn,
    assessment: &AssessmentRow,
    form: &Form,
    user: &User,
    now: NaiveDateTime,
    deadline: NaiveDateTime,
) -> AppResult<Start> {
    crate::db::serialize_person(conn, user.id)?;
    let assessment_id = assessment.id;
    // This person's attempts at this test, in one read: an open one is
    // resumed, and the others count against the attempts allowed.
    let mine: Vec<AttemptRow> = attempts::table
        .filter(attempts::assessment_id.eq(assessment_id))
        .filter(attempts::user_id.eq(user.id))
        .select(AttemptRow::as_select())
        .load(conn)?;
    if let Some(open) = mine.iter().find(|a| a.status == AttemptStatus::Open) {
        return Ok(Start::Resumed(open.clone()));
    }
    if let Some(why) = refusal(conn, user, assessment)? {
        return Err(AppError::Forbidden(why));
    }
    if let Some(why) = assessment.window_refusal(now) {
        return Err(AppError::conflict("window_closed", why));
    }
    let used = mine.len();
    if used >= usize::try_from(assessment.max_attempts).unwrap_or(0) {
        return Err(AppError::conflict(
            "attempts_used",
            format!(
                "You have used all {} attempt(s) this test allows.",
                assessment.max_attempts
            ),
        ));
    }
    let attempt_no =
        i32::try_from(used + 1).map_err(|_| AppError::Internal("over 2^31 attempts at one test".into()))?;
    let max_score: f64 = form.items.iter().map(|i| i.points).sum();
    let inserted = diesel::insert_into(attempts::table)
        .values((
            attempts::assessment_id.eq(assessment_id),
            attempts::user_id.eq(user.id),
            attempts::attempt_no.eq(attempt_no),
            attempts::status.eq(AttemptStatus::Open),
            attempts::seed.eq(form.seed),
            attempts::started_at.eq(now),
            attempts::deadline.eq(deadline),
            attempts::max_score.eq(max_score),
        ))
        .returning(attempts::id)
        .get_result::<AttemptId>(conn);
    let id = inserted.map_err(|e| {
        AppError::from(e).when_duplicate("attempt_race", "This test was started twice at once; reload the page.")
    })?;
    let rows = form
        .items
        .iter()
        .enumerate()
        .map(|(position, item)| {
            Ok((
                attempt_items::attempt_id.eq(id),
                attempt_items::position
                    .eq(i32::try_from(position)
                        .map_err(|_| AppError::Internal("a form of over 2^31 questions".into()))?),
                attempt_items::section.eq(item.section.clone()),
                attempt_items::slot.eq(item.slot),
                attempt_items::question_id.eq(item.question_id),
                attempt_items::version_id.eq(item.version_id),
                attempt_items::qtype.eq(item.qtype),
                attempt_items::points.eq(item.points),
                attempt_items::option_order
                    .eq(serde_json::to_string(&item.option_order).map_err(|e| AppError::internal("option order", e))?),
            ))
        })
        .collect::<AppResult<Vec<_>>>()?;
    // One statement for the whole form, not one per question.
    on_backend!(conn, c => diesel::insert_into(attempt_items::table).values(&rows).execute(c))?;
    Ok(Start::New(id))
}

/// Loads an attempt for its owner or staff; anyone else gets 404, so attempt
/// ids reveal nothing.
pub fn find_for(conn: &mut DbConn, id: AttemptId, user: &User) -> AppResult<AttemptRow> {
    let attempt = attempts::table
        .find(id)
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?;
    match attempt {
        Some(a) if a.user_id == user.id || user.is_staff() => Ok(a),
        _ => Err(AppError::NotFound(format!("There is no attempt {id} of yours."))),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OptionView {
    pub id: usize,
    pub text: String,
}

/// A question as the candidate sees it: no key, no credit, no explanation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionView {
    pub id: QuestionId,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub qtype: QuestionType,
    pub section: String,
    pub stem: String,
    pub points: f64,
    pub options: Vec<OptionView>,
}

pub fn items(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<ItemRow>> {
    Ok(attempt_items::table
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .select(ItemRow::as_select())
        .order(attempt_items::position.asc())
        .load(conn)?)
}

/// The form's items with their question bodies.
pub fn items_with_bodies(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<(ItemRow, String, QuestionBody)>> {
    let rows: Vec<(ItemRow, String, String)> = attempt_items::table
        .inner_join(question_versions::table)
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .select((ItemRow::as_select(), question_versions::stem, question_versions::body))
        .order(attempt_items::position.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(item, stem, body)| {
            let body: QuestionBody = serde_json::from_str(&body)
                .map_err(|e| AppError::internal(format!("body of version {}", item.version_id), e))?;
            Ok((item, stem, body))
        })
        .collect()
}

pub fn question_views(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<QuestionView>> {
    Ok(items_with_bodies(conn, attempt_id)?
        .into_iter()
        .map(|(item, stem, body)| {
            let options = match &body {
                QuestionBody::TrueFalse { .. } => {
                    vec![
                        OptionView {
                            id: 0,
                            text: "True".into(),
                        },
                        OptionView {
                            id: 1,
                            text: "False".into(),
                        },
                    ]
                }
                other => item
                    .option_order()
                    .iter()
                    .enumerate()
                    .filter_map(|(id, original)| {
                        other.options().get(*original).map(|o| OptionView {
                            id,
                            text: o.text.clone(),
                        })
                    })
                    .collect(),
            };
            QuestionView {
                id: item.question_id,
                qtype: item.qtype,
                section: item.section,
                stem,
                points: item.points,
                options,
            }
        })
        .collect())
}

/// Saved answers by question, for resuming.
pub fn saved_answers(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<(QuestionId, Value, i64)>> {
    let rows: Vec<(QuestionId, Json<Value>, i64)> = responses::table
        .filter(responses::attempt_id.eq(attempt_id))
        .select((responses::question_id, responses::answer, responses::seq))
        .order(responses::question_id.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(|(q, a, s)| (q, a.into_inner(), s)).collect())
}

/// What a save checks: owner, status, deadline, grace, and the item's type
/// and displayed option order.
type SaveCheck = (
    UserId,
    AttemptStatus,
    NaiveDateTime,
    i32,
    QuestionType,
    Json<Vec<usize>>,
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
    for (index, save) in saves.iter().enumerate() {
        match check_save(conn, save) {
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
    let mut kept = std::collections::HashSet::with_capacity(rows.len());
    for (index, save, stored) in rows {
        if write_response(conn, save.attempt_id, save.question_id, stored, save.seq, save.now)? {
            kept.insert(*index);
        }
    }
    Ok(kept)
}

/// The save's checks. Returns the answer as it is stored.
fn check_save(conn: &mut DbConn, save: &Save) -> AppResult<String> {
    use crate::db::schema::assessments as assessment_rows;
    let Save {
        attempt_id,
        user_id,
        question_id,
        ref answer,
        now,
        ..
    } = *save;
    let check: Option<SaveCheck> = attempts::table
        .inner_join(assessment_rows::table)
        .inner_join(
            attempt_items::table.on(attempt_items::attempt_id
                .eq(attempts::id)
                .and(attempt_items::question_id.eq(question_id))),
        )
        .filter(attempts::id.eq(attempt_id))
        .select((
            attempts::user_id,
            attempts::status,
            attempts::deadline,
            assessment_rows::grace_seconds,
            attempt_items::qtype,
            attempt_items::option_order,
        ))
        .load(conn)?
        .into_iter()
        .next();
    let (status, deadline, grace_seconds, qtype, option_order) = match check {
        Some((owner, status, deadline, grace, qtype, order)) if owner == user_id => {
            (status, deadline, grace, qtype, order)
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

/// INSERT … ON CONFLICT (attempt_id, question_id) DO UPDATE SET … WHERE
/// excluded.seq > responses.seq, on the concrete connection (upserts exist
/// only there). True when the answer was kept.
fn write_response(
    conn: &mut DbConn,
    attempt_id: AttemptId,
    question_id: QuestionId,
    stored: &str,
    seq: i64,
    now: NaiveDateTime,
) -> AppResult<bool> {
    // The WHERE of an upsert is `FilterDsl::filter`, not `QueryDsl::filter`.
    use diesel::query_dsl::methods::FilterDsl;
    let written = on_backend!(conn, c => diesel::insert_into(responses::table)
        .values((
            responses::attempt_id.eq(attempt_id),
            responses::question_id.eq(question_id),
            responses::answer.eq(stored),
            responses::seq.eq(seq),
            responses::saved_at.eq(now),
        ))
        .on_conflict((responses::attempt_id, responses::question_id))
        .do_update()
        .set((
            responses::answer.eq(excluded(responses::answer)),
            responses::seq.eq(excluded(responses::seq)),
            responses::saved_at.eq(excluded(responses::saved_at)),
        ))
        .filter(excluded(responses::seq).gt(responses::seq))
        .execute(c))?;
    Ok(written == 1)
}

/// Whether the person is a trainee of a cohort that has this exam.
fn exam_assigned(conn: &mut DbConn, user_id: UserId, assessment_id: AssessmentId) -> AppResult<bool> {
    let n: i64 = cohort_trainees::table
        .inner_join(cohort_exams::table.on(cohort_exams::cohort_id.eq(cohort_trainees::cohort_id)))
        .filter(cohort_trainees::user_id.eq(user_id))
        .filter(cohort_exams::assessment_id.eq(assessment_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
