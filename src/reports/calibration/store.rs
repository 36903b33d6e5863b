//! The `calibrations` table: a calibration's state while it runs in the
//! background and its report once done.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::report::CalibrationReport;
use crate::db::schema::calibrations;
use crate::db::{stored_enum, AssessmentId, CalibrationId, DbConn, Json, UserId};
use crate::error::{AppError, AppResult};
use crate::web::paging::{self, Page, PageQuery};

stored_enum! {
    /// Where a calibration stands.
    #[derive(ToSchema)]
    pub enum CalibrationStatus {
        /// Reading the attempts or fitting; `iteration` shows how far.
        Running = "running",
        /// The report is ready; its parameters are not on the questions yet.
        Finished = "finished",
        /// It could not run; `error` says why.
        Failed = "failed",
        /// Its usable parameters were written onto the question versions.
        Accepted = "accepted",
    }
}

impl CalibrationStatus {
    /// The state in words, for the pages.
    pub fn label(self) -> &'static str {
        match self {
            CalibrationStatus::Running => "running",
            CalibrationStatus::Finished => "finished, not yet accepted",
            CalibrationStatus::Failed => "failed",
            CalibrationStatus::Accepted => "accepted onto the questions",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calibrations)]
struct SummaryRow {
    id: CalibrationId,
    assessment_ids: Json<Vec<AssessmentId>>,
    status: CalibrationStatus,
    iteration: i32,
    log_likelihood: Option<f64>,
    people: i32,
    error: Option<String>,
    started_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
    accepted_at: Option<NaiveDateTime>,
}

/// A calibration without its report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 5, "assessment_ids": [21, 22], "status": "finished", "iteration": 38, "log_likelihood": -10422.7,
    "people": 640, "error": null, "started_at": "2026-12-08T09:00:00.000Z", "finished_at": "2026-12-08T09:00:41.000Z",
    "seconds": 41.0, "accepted_at": null}))]
pub struct CalibrationSummary {
    pub id: CalibrationId,
    pub assessment_ids: Vec<AssessmentId>,
    pub status: CalibrationStatus,
    /// EM cycles run so far.
    pub iteration: i32,
    /// The marginal log-likelihood at the last cycle.
    pub log_likelihood: Option<f64>,
    /// Counting graded attempts it was started on.
    pub people: i32,
    /// Why it failed.
    pub error: Option<String>,
    #[serde(serialize_with = "crate::clock::rfc3339::serialize")]
    #[schema(value_type = String, example = "2026-12-08T09:00:00.000Z")]
    pub started_at: NaiveDateTime,
    #[serde(serialize_with = "crate::clock::rfc3339::option::serialize")]
    #[schema(value_type = Option<String>)]
    pub finished_at: Option<NaiveDateTime>,
    /// Seconds from start to finish (or failure).
    pub seconds: Option<f64>,
    #[serde(serialize_with = "crate::clock::rfc3339::option::serialize")]
    #[schema(value_type = Option<String>)]
    pub accepted_at: Option<NaiveDateTime>,
}

impl From<SummaryRow> for CalibrationSummary {
    fn from(r: SummaryRow) -> Self {
        let seconds = r
            .finished_at
            .map(|f| crate::convert::i64_f64((f - r.started_at).num_milliseconds()) / 1000.0);
        CalibrationSummary {
            id: r.id,
            assessment_ids: r.assessment_ids.into_inner(),
            status: r.status,
            iteration: r.iteration,
            log_likelihood: r.log_likelihood,
            people: r.people,
            error: r.error,
            started_at: r.started_at,
            finished_at: r.finished_at,
            seconds,
            accepted_at: r.accepted_at,
        }
    }
}

/// A calibration with its report (once finished).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"calibration": {"id": 5, "assessment_ids": [21, 22], "status": "finished", "iteration": 38, "log_likelihood": -10422.7,
    "people": 640, "error": null, "started_at": "2026-12-08T09:00:00.000Z", "finished_at": "2026-12-08T09:00:41.000Z",
    "seconds": 41.0, "accepted_at": null}, "report": {"model": "2PL: P = 1/(1 + exp(-a(theta - b))), theta ~ N(0, 1), no 1.702 constant",
    "method": "marginal maximum likelihood, Bock-Aitkin EM on Gauss-Hermite nodes; items not shown are missing",
    "standard_errors": "observed information (Louis' formula, the exact Hessian of the marginal log-likelihood); SE(b) by the delta method",
    "item_fit": "chi-square over 10 ability groups of the people shown the item; df = groups - 2",
    "people": 640.0, "quadrature_nodes": 41, "iterations": 38, "converged": true, "log_likelihood": -10422.7,
    "max_gradient": 0.00004, "dichotomised": "Each answer counts as right only when it earned the question's full points; partial credit counts as wrong (the 2PL model is for right/wrong answers).",
    "partial_credit_items": 0, "notes": [],
    "items": [{"version_id": 1204, "question_id": 412, "version": 2,
        "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
        "a": 1.32, "b": -0.41, "se_a": 0.14, "se_b": 0.09, "share_right": 0.64, "shown": 640.0,
        "fit": {"chi_square": 9.8, "df": 8, "p_value": 0.28, "rmsd": 0.021, "misfits": false},
        "ok": true, "note": null, "partial_credit": false}],
    "left_out": [{"version_id": 1231, "question_id": 430, "version": 1, "stem": "What does KYC stand for?",
        "reason": "Left out: everyone of the 212 people shown it answered right, so it has no finite difficulty."}],
    "read_seconds": 0.8, "fit_seconds": 40.2}}))]
pub struct CalibrationDetail {
    pub calibration: CalibrationSummary,
    pub report: Option<CalibrationReport>,
}

/// A page of calibrations, newest first.
pub fn page(conn: &mut DbConn, query: &PageQuery) -> AppResult<Page<CalibrationSummary, CalibrationId>> {
    let size = query.size();
    let mut q = calibrations::table
        .select(SummaryRow::as_select())
        .order(calibrations::id.desc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(before) = query.after_id()? {
        q = q.filter(calibrations::id.lt(CalibrationId(before)));
    }
    let rows: Vec<CalibrationSummary> = q.load(conn)?.into_iter().map(CalibrationSummary::from).collect();
    Ok(Page::cut(rows, size, |r| r.id))
}

pub fn summary(conn: &mut DbConn, id: CalibrationId) -> AppResult<CalibrationSummary> {
    calibrations::table
        .find(id)
        .select(SummaryRow::as_select())
        .first(conn)
        .optional()?
        .map(CalibrationSummary::from)
        .ok_or_else(|| AppError::NotFound(format!("There is no calibration {id}.")))
}

pub fn read(conn: &mut DbConn, id: CalibrationId) -> AppResult<CalibrationDetail> {
    let calibration = summary(conn, id)?;
    let report: Option<Json<CalibrationReport>> =
        calibrations::table.find(id).select(calibrations::report).first(conn)?;
    Ok(CalibrationDetail {
        calibration,
        report: report.map(Json::into_inner),
    })
}

/// A new running calibration; refused while another one runs, so two fits
/// never share the cores.
pub fn insert_running(
    conn: &mut DbConn,
    ids: &[AssessmentId],
    people: i64,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<CalibrationId> {
    conn.transaction(|conn| {
        let running: Option<CalibrationId> = calibrations::table
            .filter(calibrations::status.eq(CalibrationStatus::Running))
            .select(calibrations::id)
            .first(conn)
            .optional()?;
        if let Some(other) = running {
            return Err(AppError::conflict(
                "calibration_running",
                format!("Calibration {other} is still running; wait for it to finish, then start this one."),
            ));
        }
        let id = diesel::insert_into(calibrations::table)
            .values((
                calibrations::assessment_ids.eq(Json(ids.to_vec())),
                calibrations::status.eq(CalibrationStatus::Running),
                calibrations::people.eq(i32::try_from(people).unwrap_or(i32::MAX)),
                calibrations::created_by.eq(Some(actor)),
                calibrations::started_at.eq(now),
            ))
            .returning(calibrations::id)
            .get_result(conn)?;
        Ok(id)
    })
}

/// The EM cycle reached and its log-likelihood.
pub fn record_progress(conn: &mut DbConn, id: CalibrationId, iteration: usize, log_likelihood: f64) -> AppResult<()> {
    diesel::update(
        calibrations::table
            .find(id)
            .filter(calibrations::status.eq(CalibrationStatus::Running)),
    )
    .set((
        calibrations::iteration.eq(crate::convert::to_i32(iteration)),
        calibrations::log_likelihood.eq(log_likelihood.is_finite().then_some(log_likelihood)),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn finish(conn: &mut DbConn, id: CalibrationId, report: CalibrationReport, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(
        calibrations::table
            .find(id)
            .filter(calibrations::status.eq(CalibrationStatus::Running)),
    )
    .set((
        calibrations::status.eq(CalibrationStatus::Finished),
        calibrations::iteration.eq(crate::convert::to_i32(report.iterations)),
        calibrations::log_likelihood.eq(Some(report.log_likelihood)),
        calibrations::people.eq(crate::convert::to_i32(crate::convert::floor_usize(report.people))),
        calibrations::report.eq(Some(Json(report))),
        calibrations::finished_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn fail(conn: &mut DbConn, id: CalibrationId, why: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(
        calibrations::table
            .find(id)
            .filter(calibrations::status.eq(CalibrationStatus::Running)),
    )
    .set((
        calibrations::status.eq(CalibrationStatus::Failed),
        calibrations::error.eq(Some(why)),
        calibrations::finished_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Marks calibrations a stopped server left running as failed: nothing
/// runs them any more. Called at start.
pub fn abandon_interrupted(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<usize> {
    Ok(
        diesel::update(calibrations::table.filter(calibrations::status.eq(CalibrationStatus::Running)))
            .set((
                calibrations::status.eq(CalibrationStatus::Failed),
                calibrations::error.eq(Some("The server stopped while this calibration ran; start it again.")),
                calibrations::finished_at.eq(Some(now)),
            ))
            .execute(conn)?,
    )
}
