//! Training cohorts: hired candidates become trainees and take the
//! post-training exams assigned to their cohort.

use diesel::prelude::*;

use crate::db::schema::{cohort_exams, cohort_trainees};
use crate::db::{AssessmentId, DbConn, UserId};
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
