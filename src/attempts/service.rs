//! Starting and resuming attempts. The server owns the clock:
//! every deadline is computed and enforced here.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::AttemptRow;
use crate::assessments::blueprint::Kind;
use crate::assessments::models::AssessmentRow;
use crate::assessments::{draw, service as assessments};
use crate::db::schema::{applications, attempt_items, attempts, cohort_exams, cohort_trainees, drives, users};
use crate::db::{ApplicationStatus, AssessmentId, AttemptId, AttemptStatus, DbConn, Role, UserId};
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
