//! Cohorts, their trainees and their post-training exams.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::assessments::blueprint::Kind;
use crate::audit::{self, Event};
use crate::db::schema::{applications, assessments, cohort_exams, cohort_trainees, cohorts, users};
use crate::db::{ApplicationStatus, AssessmentId, CohortId, DbConn, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::mail::MailContext;

/// A training cohort to make.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Motor claims batch, January 2027", "starts_on": "2027-01-04", "ends_on": "2027-02-26", "seats": 30}))]
pub struct NewCohort {
    #[schema(max_length = 200)]
    pub name: String,
    /// YYYY-MM-DD
    #[schema(value_type = String, format = Date)]
    pub starts_on: NaiveDate,
    /// YYYY-MM-DD; training lasts up to six months.
    #[schema(value_type = String, format = Date)]
    pub ends_on: NaiveDate,
    /// How many trainees the cohort takes; none for no limit.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub seats: Option<i32>,
}

/// A training cohort.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = cohorts)]
#[schema(example = json!({"id": 3, "name": "Motor claims batch, January 2027", "starts_on": "2027-01-04T00:00:00", "ends_on": "2027-02-26T00:00:00", "seats": 30}))]
pub struct CohortRow {
    pub id: CohortId,
    pub name: String,
    #[schema(value_type = String)]
    pub starts_on: NaiveDateTime,
    #[schema(value_type = String)]
    pub ends_on: NaiveDateTime,
    #[serde(skip)]
    pub created_by: Option<UserId>,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    pub seats: Option<i32>,
}

pub fn create(conn: &mut DbConn, c: &NewCohort, actor: UserId, now: NaiveDateTime) -> AppResult<CohortId> {
    let mut errors = Vec::new();
    let name = c.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(ErrorDetail::field(
            "name",
            "Give the cohort a name of 1 to 200 characters.",
        ));
    }
    if c.ends_on <= c.starts_on {
        errors.push(ErrorDetail::field("ends_on", "Training must end after it starts."));
    } else if c
        .starts_on
        .checked_add_months(chrono::Months::new(6))
        .is_some_and(|limit| c.ends_on > limit)
    {
        errors.push(ErrorDetail::field(
            "ends_on",
            "Training lasts up to six months; choose an earlier end date.",
        ));
    }
    if c.seats.is_some_and(|n| !(1..=10_000).contains(&n)) {
        errors.push(ErrorDetail::field(
            "seats",
            "Seats are a number from 1 to 10000, or empty for no limit.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(
            "The cohort needs fixing; each problem is listed.",
            errors,
        ));
    }
    conn.transaction(|conn| {
        let id: CohortId = diesel::insert_into(cohorts::table)
            .values((
                cohorts::name.eq(name),
                cohorts::starts_on.eq(c.starts_on.and_time(chrono::NaiveTime::MIN)),
                cohorts::ends_on.eq(c.ends_on.and_time(chrono::NaiveTime::MIN)),
                cohorts::created_by.eq(Some(actor)),
                cohorts::created_at.eq(now),
                cohorts::seats.eq(c.seats),
            ))
            .returning(cohorts::id)
            .get_result(conn)?;
        let detail = format!("created cohort '{name}'");
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "cohort.create",
                entity: "cohort",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(id)
    })
}

pub fn find(conn: &mut DbConn, id: CohortId) -> AppResult<CohortRow> {
    cohorts::table
        .find(id)
        .select(CohortRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no cohort {id}.")))
}

pub fn list(conn: &mut DbConn) -> AppResult<Vec<CohortRow>> {
    Ok(cohorts::table
        .select(CohortRow::as_select())
        .order(cohorts::id.desc())
        .load(conn)?)
}

/// Adds a hired candidate to a cohort; 409 when already in it.
pub fn add_hired(
    conn: &mut DbConn,
    cohort: CohortId,
    candidate: UserId,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    conn.transaction(|conn| {
        find(conn, cohort)?;
        let hired: Option<crate::db::ApplicationId> = applications::table
            .filter(applications::candidate_id.eq(candidate))
            .filter(applications::status.eq(ApplicationStatus::Hired))
            .select(applications::id)
            .first(conn)
            .optional()?;
        let Some(application) = hired else {
            return Err(AppError::invalid_field(
                "candidate_id",
                format!("Candidate {candidate} has not been hired; hire them from a drive first."),
            ));
        };
        add_trainee(conn, cohort, candidate, Some(application), "", now, mail)?;
        let detail = format!("added trainee {candidate}");
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "cohort.trainee",
                entity: "cohort",
                entity_id: Some(cohort.0),
                detail: &detail,
            },
            now,
        )
    })
}

/// Lets the cohort's trainees take a post-training exam.
pub fn assign_exam(
    conn: &mut DbConn,
    cohort: CohortId,
    assessment: AssessmentId,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<()> {
    conn.transaction(|conn| {
        find(conn, cohort)?;
        let kind: Option<Kind> = assessments::table
            .find(assessment)
            .select(assessments::kind)
            .first(conn)
            .optional()?;
        match kind {
            None => {
                return Err(AppError::invalid_field(
                    "assessment_id",
                    format!("There is no assessment {assessment}."),
                ))
            }
            Some(Kind::PostTraining) => {}
            Some(_) => {
                return Err(AppError::invalid_field(
                    "assessment_id",
                    "Only a post-training exam can be assigned to a cohort.",
                ))
            }
        }
        let already: i64 = cohort_exams::table
            .filter(cohort_exams::cohort_id.eq(cohort))
            .filter(cohort_exams::assessment_id.eq(assessment))
            .count()
            .get_result(conn)?;
        if already > 0 {
            return Err(AppError::conflict(
                "already_assigned",
                "That exam is already assigned to this cohort.",
            ));
        }
        diesel::insert_into(cohort_exams::table)
            .values((
                cohort_exams::cohort_id.eq(cohort),
                cohort_exams::assessment_id.eq(assessment),
                cohort_exams::added_at.eq(now),
            ))
            .execute(conn)?;
        let detail = format!("assigned exam {assessment}");
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "cohort.exam",
                entity: "cohort",
                entity_id: Some(cohort.0),
                detail: &detail,
            },
            now,
        )
    })
}

pub fn trainees(conn: &mut DbConn, cohort: CohortId) -> AppResult<Vec<(UserId, String, String)>> {
    Ok(cohort_trainees::table
        .inner_join(users::table.on(users::id.eq(cohort_trainees::user_id)))
        .filter(cohort_trainees::cohort_id.eq(cohort))
        .select((users::id, users::full_name, users::email))
        .order(users::full_name.asc())
        .load(conn)?)
}

pub fn exams(conn: &mut DbConn, cohort: CohortId) -> AppResult<Vec<(AssessmentId, String)>> {
    Ok(cohort_exams::table
        .inner_join(assessments::table.on(assessments::id.eq(cohort_exams::assessment_id)))
        .filter(cohort_exams::cohort_id.eq(cohort))
        .select((assessments::id, assessments::title))
        .load(conn)?)
}

/// The cohorts a person is a trainee of, newest first.
pub fn cohorts_of(conn: &mut DbConn, user: UserId) -> AppResult<Vec<CohortRow>> {
    Ok(cohorts::table
        .inner_join(cohort_trainees::table)
        .filter(cohort_trainees::user_id.eq(user))
        .select(CohortRow::as_select())
        .order(cohorts::id.desc())
        .load(conn)?)
}

/// How many trainees each cohort has; cohorts with none are left out.
pub fn trainee_counts(conn: &mut DbConn) -> AppResult<Vec<(CohortId, i64)>> {
    Ok(cohort_trainees::table
        .group_by(cohort_trainees::cohort_id)
        .select((cohort_trainees::cohort_id, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Makes a hired candidate a trainee of a cohort (same account, same id) and
/// queues the "hired" notice.
pub fn add_trainee(
    conn: &mut DbConn,
    cohort_id: CohortId,
    user_id: UserId,
    application_id: Option<crate::db::ApplicationId>,
    message: &str,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    // Checked (and refused) before any write.
    let (cohort_name, starts_on) = cohort_start(conn, cohort_id)?;
    take_seat(conn, cohort_id)?;
    let already: i64 = cohort_trainees::table
        .filter(cohort_trainees::cohort_id.eq(cohort_id))
        .filter(cohort_trainees::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Err(AppError::conflict(
            "already_trainee",
            "This person is already a trainee of that cohort.",
        ));
    }
    diesel::insert_into(cohort_trainees::table)
        .values((
            cohort_trainees::cohort_id.eq(cohort_id),
            cohort_trainees::user_id.eq(user_id),
            cohort_trainees::application_id.eq(application_id),
            cohort_trainees::added_at.eq(now),
        ))
        .execute(conn)?;
    let (email, name): (String, String) = users::table
        .find(user_id)
        .select((users::email, users::full_name))
        .first(conn)?;
    let rendered = render_hired(&name, &cohort_name, starts_on, message, mail)?;
    let to = crate::notices::Recipient {
        id: Some(user_id),
        email,
        name,
    };
    crate::notices::queue(
        conn,
        &format!("cohort:{cohort_id}:trainee:{user_id}:hired"),
        &to,
        &rendered,
        now,
    )?;
    Ok(())
}

/// A cohort's name and start, or 422 naming the cohort that does not exist.
fn cohort_start(conn: &mut DbConn, cohort_id: CohortId) -> AppResult<(String, NaiveDateTime)> {
    cohorts::table
        .find(cohort_id)
        .select((cohorts::name, cohorts::starts_on))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::invalid_field("cohort_id", format!("There is no cohort {cohort_id}.")))
}

fn render_hired(
    name: &str,
    cohort: &str,
    starts_on: NaiveDateTime,
    message: &str,
    mail: &MailContext,
) -> AppResult<crate::notices::Rendered> {
    use crate::notices::templates::{Hired, Mail};
    Hired {
        ctx: mail,
        name,
        cohort,
        starts_on: starts_on.format("%d %B %Y").to_string(),
        message,
    }
    .render_mail()
}

/// The "hired" email a person named `name` would get on joining the cohort,
/// with the recruiter's message: what a recruiter previews before hiring.
pub fn hired_mail(
    conn: &mut DbConn,
    cohort_id: CohortId,
    name: &str,
    message: &str,
    mail: &MailContext,
) -> AppResult<crate::notices::Rendered> {
    let (cohort, starts_on) = cohort_start(conn, cohort_id)?;
    render_hired(name, &cohort, starts_on, message, mail)
}

/// Refuses a trainee beyond the cohort's seats. The no-op update locks the
/// cohort's row on PostgreSQL until the caller's transaction ends, so two
/// hires for the last seat are counted one after the other (SQLite's
/// `IMMEDIATE` transaction already runs them one at a time).
fn take_seat(conn: &mut DbConn, cohort_id: CohortId) -> AppResult<()> {
    diesel::update(cohorts::table.find(cohort_id))
        .set(cohorts::seats.eq(cohorts::seats))
        .execute(conn)?;
    let seats: Option<i32> = cohorts::table.find(cohort_id).select(cohorts::seats).first(conn)?;
    let Some(seats) = seats else {
        return Ok(());
    };
    let taken: i64 = cohort_trainees::table
        .filter(cohort_trainees::cohort_id.eq(cohort_id))
        .count()
        .get_result(conn)?;
    if taken >= i64::from(seats) {
        return Err(AppError::conflict(
            "cohort_full",
            format!("This cohort's {seats} seat(s) are all taken; choose another cohort."),
        ));
    }
    Ok(())
}

/// A cohort a recruiter can hire into: not yet ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CohortChoice {
    pub id: CohortId,
    pub name: String,
    #[schema(value_type = String)]
    pub starts_on: NaiveDateTime,
    /// None when the cohort has no limit.
    pub seats_left: Option<i64>,
}

impl CohortChoice {
    /// "January analysts, starts 11 January 2027, 3 seats left".
    pub fn describe(&self) -> String {
        let seats = match self.seats_left {
            Some(n) => format!(", {n} seat(s) left"),
            None => String::new(),
        };
        format!("{}, starts {}{seats}", self.name, self.starts_on.format("%d %B %Y"))
    }
}

/// The cohorts that have not ended yet, soonest first, with their seats left.
pub fn open_cohorts(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<Vec<CohortChoice>> {
    let rows: Vec<(CohortId, String, NaiveDateTime, Option<i32>)> = cohorts::table
        .filter(cohorts::ends_on.ge(now))
        .order((cohorts::starts_on.asc(), cohorts::id.asc()))
        .select((cohorts::id, cohorts::name, cohorts::starts_on, cohorts::seats))
        .load(conn)?;
    let taken: Vec<(CohortId, i64)> = cohort_trainees::table
        .group_by(cohort_trainees::cohort_id)
        .select((cohort_trainees::cohort_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, starts_on, seats)| {
            let used = taken.iter().find(|(c, _)| *c == id).map_or(0, |(_, n)| *n);
            CohortChoice {
                id,
                name,
                starts_on,
                seats_left: seats.map(|s| (i64::from(s) - used).max(0)),
            }
        })
        .collect())
}
