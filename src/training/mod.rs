//! Training cohorts: hired candidates become trainees and take the
//! post-training exams assigned to their cohort.

pub mod api;
pub mod service;
pub mod web;

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut actix_web::web::ServiceConfig) {
    api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    web::configure(cfg);
}

use diesel::prelude::*;

use crate::db::schema::{cohort_exams, cohort_trainees};
use crate::db::{AssessmentId, CohortId, DbConn, UserId};
use crate::error::AppResult;

/// Whether the person is a trainee of a cohort that has this exam.
pub fn exam_assigned(conn: &mut DbConn, user_id: UserId, assessment_id: AssessmentId) -> AppResult<bool> {
    let n: i64 = cohort_trainees::table
        .inner_join(cohort_exams::table.on(cohort_exams::cohort_id.eq(cohort_trainees::cohort_id)))
        .filter(cohort_trainees::user_id.eq(user_id))
        .filter(cohort_exams::assessment_id.eq(assessment_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Makes a hired candidate a trainee of a cohort (same account, same id) and
/// queues the "hired" notice.
pub fn add_trainee(
    conn: &mut DbConn,
    cohort_id: CohortId,
    user_id: UserId,
    application_id: Option<crate::db::ApplicationId>,
    now: chrono::NaiveDateTime,
    mail: &crate::notices::MailContext,
) -> AppResult<()> {
    use crate::db::schema::{cohorts, users};
    use crate::error::AppError;
    use crate::notices::templates::{Hired, Mail};
    let cohort: Option<(String, chrono::NaiveDateTime)> = cohorts::table
        .find(cohort_id)
        .select((cohorts::name, cohorts::starts_on))
        .first(conn)
        .optional()?;
    let Some((cohort_name, starts_on)) = cohort else {
        return Err(AppError::invalid_field(
            "cohort_id",
            format!("There is no cohort {cohort_id}."),
        ));
    };
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
    let starts_on = starts_on.format("%d %B %Y").to_string();
    let rendered = Hired {
        ctx: mail,
        name: &name,
        cohort: &cohort_name,
        starts_on,
    }
    .render_mail()?;
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
