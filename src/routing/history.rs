//! What routing has decided, as people read it afterwards: a cohort's runs,
//! a trainee's published lines, and where a trainee is placed now.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::engine::Status;
use crate::db::schema::{placements, routing_lines, routing_runs};
use crate::db::{AssessmentId, CohortId, DbConn, ProcessId, RunId, RunStatus, UserId};
use crate::error::AppResult;

/// A run as a cohort's list shows it.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub id: RunId,
    pub assessment_id: AssessmentId,
    pub exam: String,
    pub status: RunStatus,
    pub lines: i64,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

/// A cohort's routing runs, newest first.
pub fn runs_of_cohort(conn: &mut DbConn, cohort: CohortId) -> AppResult<Vec<RunSummary>> {
    use crate::db::schema::assessments;
    type Row = (
        RunId,
        AssessmentId,
        String,
        RunStatus,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let runs: Vec<Row> = routing_runs::table
        .inner_join(assessments::table.on(assessments::id.eq(routing_runs::assessment_id)))
        .filter(routing_runs::cohort_id.eq(cohort))
        .select((
            routing_runs::id,
            routing_runs::assessment_id,
            assessments::title,
            routing_runs::status,
            routing_runs::created_at,
            routing_runs::published_at,
        ))
        .order(routing_runs::id.desc())
        .load(conn)?;
    let ids: Vec<RunId> = runs.iter().map(|r| r.0).collect();
    let counts: Vec<(RunId, i64)> = routing_lines::table
        .filter(routing_lines::run_id.eq_any(&ids))
        .group_by(routing_lines::run_id)
        .select((routing_lines::run_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(runs
        .into_iter()
        .map(
            |(id, assessment_id, exam, status, created_at, published_at)| RunSummary {
                lines: counts.iter().find(|(r, _)| *r == id).map_or(0, |(_, n)| *n),
                id,
                assessment_id,
                exam,
                status,
                created_at,
                published_at,
            },
        )
        .collect())
}

/// A trainee's line in a published run.
#[derive(Debug, Clone)]
pub struct PublishedLine {
    pub run_id: RunId,
    pub status: Status,
    pub process_id: Option<ProcessId>,
    pub explanation: String,
    pub override_reason: Option<String>,
    pub published_at: Option<NaiveDateTime>,
}

/// A trainee's lines in published runs, the latest first: the first with a
/// process is the one that set their placement.
pub fn published_lines_of(conn: &mut DbConn, trainee: UserId) -> AppResult<Vec<PublishedLine>> {
    type Row = (
        RunId,
        Status,
        Option<ProcessId>,
        String,
        Option<String>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = routing_lines::table
        .inner_join(routing_runs::table.on(routing_runs::id.eq(routing_lines::run_id)))
        .filter(routing_lines::trainee_id.eq(trainee))
        .filter(routing_runs::status.eq(RunStatus::Published))
        .select((
            routing_lines::run_id,
            routing_lines::status,
            routing_lines::process_id,
            routing_lines::explanation,
            routing_lines::override_reason,
            routing_runs::published_at,
        ))
        .order((routing_runs::published_at.desc(), routing_runs::id.desc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(run_id, status, process_id, explanation, override_reason, published_at)| PublishedLine {
                run_id,
                status,
                process_id,
                explanation,
                override_reason,
                published_at,
            },
        )
        .collect())
}

/// Where a trainee works now: the process and the run that placed them.
pub fn placement_of(conn: &mut DbConn, trainee: UserId) -> AppResult<Option<(ProcessId, RunId, NaiveDateTime)>> {
    Ok(placements::table
        .find(trainee)
        .select((placements::process_id, placements::run_id, placements::since))
        .first(conn)
        .optional()?)
}
