//! The calibration part of the JSON API: start one, follow it, read its
//! report and accept its parameters. Trainers and administrators only.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::run::{self, Accepted};
use super::store::{self, CalibrationDetail, CalibrationSummary};
use crate::app::AppState;
use crate::db::{AssessmentId, CalibrationId};
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::TrainerUser;
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{PageQuery, Paged};

/// The assessments to calibrate.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"assessment_ids": [21, 22]}))]
pub struct StartCalibration {
    /// The assessments whose counting graded attempts to fit together;
    /// a question version they share is one item.
    #[schema(value_type = Vec<i32>, example = json!([3, 4]))]
    pub assessment_ids: Vec<AssessmentId>,
}

/// Start a 2PL calibration of assessments' graded attempts.
///
/// For trainers and administrators. Fits the two-parameter IRT model to the
/// counting graded attempts of the assessments named, in the background: the
/// answer (202, with `Location`) is the running calibration; read it until
/// its status is `finished` (or `failed`), then accept it to put the
/// parameters on the questions. 409 while another calibration runs.
#[utoipa::path(tag = "reports", request_body = StartCalibration,
    responses((status = 202, body = CalibrationSummary, description = "Started; `Location` names the calibration to read.",
            example = json!({"id": 5, "assessment_ids": [21, 22], "status": "running", "iteration": 0, "log_likelihood": null,
    "people": 640, "error": null, "started_at": "2026-12-08T09:00:00.000Z", "finished_at": null,
    "seconds": null, "accepted_at": null})), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/calibrations")]
pub async fn start_calibration(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    body: Json<StartCalibration>,
) -> AppResult<HttpResponse> {
    let ids = body.into_inner().assessment_ids;
    let now = state.clock.now();
    let summary = state.db(move |conn| run::begin(conn, &ids, user.id, now)).await?;
    run::spawn(
        state.pool.clone(),
        state.clock.clone(),
        summary.id,
        summary.assessment_ids.clone(),
    )?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/calibrations/{}", summary.id)))
        .json(summary))
}

/// Calibrations, newest first, without their reports.
///
/// For trainers and administrators. A keyset page at a time
/// (`?after=&limit=`), each with its state and progress.
#[utoipa::path(tag = "reports", params(PageQuery),
    responses((status = 200, body = Paged<CalibrationSummary>, description = "One page of calibrations; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 5, "assessment_ids": [21, 22], "status": "finished", "iteration": 38, "log_likelihood": -10422.7,
    "people": 640, "error": null, "started_at": "2026-12-08T09:00:00.000Z", "finished_at": "2026-12-08T09:00:41.000Z",
    "seconds": 41.0, "accepted_at": null}], "next_after": null})), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/calibrations")]
pub async fn list_calibrations(
    state: web::Data<AppState>,
    _t: TrainerUser,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = state.db(move |conn| store::page(conn, &page)).await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// One calibration: its progress while it runs, its report once finished.
///
/// For trainers and administrators. While it runs, `report` is null and
/// `iteration` shows how far the fit has gone; once finished, the report
/// gives each question version's a and b with standard errors and item fit,
/// and which versions were left out and why.
#[utoipa::path(tag = "reports", params(("id" = i32, Path, description = "The calibration's id.")),
    responses((status = 200, body = CalibrationDetail, description = "The calibration, with its report once finished."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/calibrations/{id}")]
pub async fn get_calibration(
    state: web::Data<AppState>,
    _t: TrainerUser,
    path: web::Path<CalibrationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let detail = state.db(move |conn| store::read(conn, id)).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Accept a finished calibration onto the questions.
///
/// For trainers and administrators. Every item the report does not flag gets
/// its a and b written onto its question version (adaptive tests then use
/// them); flagged items keep what they had. Recorded in the audit log; once
/// only (409 when already accepted, or not finished).
#[utoipa::path(tag = "reports", params(("id" = i32, Path, description = "The calibration's id.")),
    responses((status = 200, body = Accepted, description = "Accepted: how many versions were updated and skipped."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/calibrations/{id}/accept")]
pub async fn accept_calibration(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<CalibrationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let done = state.db(move |conn| run::accept(conn, id, user.id, now)).await?;
    Ok(HttpResponse::Ok().json(done))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(start_calibration)
        .service(list_calibrations)
        .service(get_calibration)
        .service(accept_calibration);
}
