//! Starting, resuming and answering attempts. The server owns the clock:
//! every deadline is computed and enforced here.

use actix_web::ResponseError;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::models::{AttemptRow, ItemRow};
use super::save_queue::Save;
use super::scoring::Answer;
use crate::assessments::blueprint::Kind;
use crate::assessments::models::AssessmentRow;
use crate::assessments::{draw, service as assessments};
use crate::banks::models::{QuestionRow, VersionRow};
use crate::banks::question::{QuestionBody, QuestionType};
use crate::banks::rendered::RenderedQuestion;
use crate::db::schema::{
    applications, attempt_items, attempts, cohort_exams, cohort_trainees, drives, question_versions, questions,
    responses, users,
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

/// What a start found before its transaction: the open attempt to resume,
/// or a drawn form to write.
pub enum Prepared {
    Resumed(AttemptRow),
    New(Box<NewStart>),
}

/// A start's writes, drawn and timed before its transaction.
pub struct NewStart {
    assessment: AssessmentRow,
    form: Form,
    user: User,
    now: NaiveDateTime,
    deadline: NaiveDateTime,
    /// For the sentence a refusal says.
    zone: crate::zone::FirmZone,
}

/// The slow part of a start, before any write transaction: resume the open
/// attempt, or check the person may start and draw the form (reading the
/// question pools), so a thousand candidates starting at once do not queue
/// behind each other's draws. The transaction (`write_start`) holds only
/// the checks that must see the latest rows and the two inserts.
pub fn prepare_start(
    conn: &mut DbConn,
    assessment_id: AssessmentId,
    user: &User,
    now: NaiveDateTime,
    zone: crate::zone::FirmZone,
) -> AppResult<Prepared> {
    if let Some(open) = open_attempt(conn, assessment_id, user.id)? {
        return Ok(Prepared::Resumed(open));
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
    Ok(Prepared::New(Box::new(NewStart {
        assessment,
        form,
        user: user.clone(),
        now,
        deadline,
        zone,
    })))
}

/// A start's writes, inside the caller's transaction: resumes an attempt
/// opened meanwhile (another tab), or checks again and writes the attempt
/// and its form.
pub fn write_start(conn: &mut DbConn, new: &NewStart) -> AppResult<Start> {
    start_in(conn, new)
}

/// Whether a start's transaction lost a race with another start of the same
/// attempt (two tabs at once): the unique index lets one win; the other
/// resumes it when tried again.
pub fn lost_start_race(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Conflict {
            code: "attempt_race",
            ..
        }
    )
}

/// The attempt a start's transaction found or made, read after the commit
/// (outside the write turn: the row is ours). True when it is new.
pub fn started_attempt(conn: &mut DbConn, start: Start) -> AppResult<(AttemptRow, bool)> {
    match start {
        Start::Resumed(open) => Ok((open, false)),
        Start::New(id) => {
            let attempt = attempts::table.find(id).select(AttemptRow::as_select()).first(conn)?;
            Ok((attempt, true))
        }
    }
}

/// What the start's transaction found or made.
pub enum Start {
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
    if assessment.adaptive().is_some() {
        let seed = i64::from(rand::random::<u32>());
        return Ok(Form {
            seed,
            items: super::adaptive::first_items(conn, assessment)?,
        });
    }
    let source = assessments::form_source(conn, assessment)?;
    let seed = i64::from(rand::random::<u32>());
    let drawn = draw::draw_questions(
        &source.sections,
        &source.plans,
        &source.pools,
        seed.unsigned_abs(),
        assessment.shuffle_questions,
    );
    let counts = assessments::option_counts(conn, &drawn.version_ids())?;
    let items = drawn.order_options(assessment.shuffle_options, |version| {
        counts.get(&version).copied().unwrap_or(0)
    });
    Ok(Form { seed, items })
}

fn start_in(conn: &mut DbConn, new: &NewStart) -> AppResult<Start> {
    let NewStart {
        assessment,
        form,
        user,
        now,
        deadline,
        zone,
    } = new;
    let (now, deadline) = (*now, *deadline);
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
    let used = mine.len();
    let open_resits = super::resits::open_resits(conn, assessment_id, user.id)?;
    let next = super::resits::next(assessment, used, &open_resits, now);
    if !next.may_start() {
        return Err(AppError::conflict(
            next.code(),
            super::resits::sentence(&next, assessment, zone),
        ));
    }
    let attempt_no =
        i32::try_from(used + 1).map_err(|_| AppError::Internal("over 2^31 attempts at one test".into()))?;
    // An adaptive result is a percent-equivalent of 100 (see `adaptive`);
    // it starts at the prior's θ and SE, which mark the attempt adaptive.
    let adaptive = assessment.adaptive().is_some();
    let max_score: f64 = if adaptive {
        100.0
    } else {
        form.items.iter().map(|i| i.points).sum()
    };
    let prior = super::adaptive::prior().filter(|_| adaptive);
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
            attempts::theta.eq(prior.map(|p| p.theta)),
            attempts::theta_se.eq(prior.map(|p| p.se)),
        ))
        .returning(attempts::id)
        .get_result::<AttemptId>(conn);
    let id = inserted.map_err(|e| {
        AppError::from(e).when_duplicate("attempt_race", "This test was started twice at once; reload the page.")
    })?;
    if let super::resits::Next::Resit { resit, .. } = next {
        super::resits::use_resit(conn, resit, id)?;
    }
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
    /// The option as plain text.
    pub text: String,
    /// The option as sanitised HTML (tables, MathML), safe to insert.
    pub html: String,
}

/// A question as the candidate sees it: no key, no credit, no explanation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 412, "type": "single_choice", "section": "Insurance basics",
    "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
    "stem_html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
    "points": 1.0, "options": [{"id": 0, "text": "Pure protection", "html": "Pure protection"},
    {"id": 1, "text": "Endowment", "html": "Endowment"}, {"id": 2, "text": "Unit-linked", "html": "Unit-linked"},
    {"id": 3, "text": "Annuity", "html": "Annuity"}]}))]
pub struct QuestionView {
    pub id: QuestionId,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub qtype: QuestionType,
    pub section: String,
    /// The stem as plain text, TeX as written.
    pub stem: String,
    /// The stem as sanitised HTML (tables, MathML), safe to insert.
    pub stem_html: String,
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

/// The form's items with their question bodies and their text as shown.
pub fn items_with_bodies(
    conn: &mut DbConn,
    attempt_id: AttemptId,
) -> AppResult<Vec<(ItemRow, RenderedQuestion, QuestionBody)>> {
    let rows: Vec<(ItemRow, QuestionRow, VersionRow)> = attempt_items::table
        .inner_join(question_versions::table.inner_join(questions::table))
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .select((ItemRow::as_select(), QuestionRow::as_select(), VersionRow::as_select()))
        .order(attempt_items::position.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(item, question, version)| {
            let body: QuestionBody = serde_json::from_str(&version.body)
                .map_err(|e| AppError::internal(format!("body of version {}", item.version_id), e))?;
            Ok((item, version.into_rendered(&question)?, body))
        })
        .collect()
}

/// The questions the person may see: the whole form, or, while an adaptive
/// attempt is open, only the question being answered (no going back).
///
/// Every start and every page of the test reads this, so it reads only the
/// form's items and each version's stored rendering: no question body, no
/// key, nothing to parse but the text shown. A version stored before
/// renderings were (the server fills those in at start-up) is rendered from
/// its body instead.
pub fn question_views(conn: &mut DbConn, attempt: &AttemptRow) -> AppResult<Vec<QuestionView>> {
    let only_current = attempt.is_adaptive() && attempt.status == AttemptStatus::Open;
    let rows: Vec<(ItemRow, Option<Json<RenderedQuestion>>)> = attempt_items::table
        .inner_join(question_versions::table)
        .filter(attempt_items::attempt_id.eq(attempt.id))
        .select((ItemRow::as_select(), question_versions::rendered))
        .order(attempt_items::position.asc())
        .load(conn)?;
    let shown = |item: &ItemRow| !only_current || item.score.is_none();
    if rows.iter().any(|(_, rendered)| rendered.is_none()) {
        return Ok(items_with_bodies(conn, attempt.id)?
            .into_iter()
            .filter(|(item, _, _)| shown(item))
            .map(|(item, rendered, _)| question_view(item, rendered))
            .collect());
    }
    Ok(rows
        .into_iter()
        .filter(|(item, _)| shown(item))
        .map(|(item, rendered)| question_view(item, rendered.map(Json::into_inner).unwrap_or_default()))
        .collect())
}

/// One item as the candidate sees it, its options in the form's order.
fn question_view(item: ItemRow, rendered: RenderedQuestion) -> QuestionView {
    let options = if item.qtype == QuestionType::TrueFalse {
        ["True", "False"]
            .into_iter()
            .enumerate()
            .map(|(id, word)| OptionView {
                id,
                text: word.into(),
                html: word.into(),
            })
            .collect()
    } else {
        // Each option is moved out of the rendering once, not copied.
        let mut texts: Vec<Option<crate::content::Rich>> = rendered.options.into_iter().map(Some).collect();
        item.option_order
            .iter()
            .enumerate()
            .filter_map(|(id, original)| {
                texts.get_mut(*original).and_then(Option::take).map(|shown| OptionView {
                    id,
                    text: shown.text,
                    html: shown.html,
                })
            })
            .collect()
    };
    QuestionView {
        id: item.question_id,
        qtype: item.qtype,
        section: item.section,
        stem: rendered.stem.text,
        stem_html: rendered.stem.html,
        points: item.points,
        options,
    }
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
