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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartCalibration {
    /// The assessments whose counting graded attempts to fit together;
    /// a question version they share is one item.
    #[schema(value_type = Vec<i32>, example = json!([3, 4]))]
    pub assessment_ids: Vec<AssessmentId>,
}

/// Start a 2PL calibration of assessments' graded attempts. It runs in the
/// background: the answer (202) is the running calibration; read it until
/// its status is `finished` (or `failed`).
#[utoipa::path(tag = "reports", request_body = StartCalibration,
    responses((status = 202, body = CalibrationSummary), (status = 403, body = ErrorBody),
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
#[utoipa::path(tag = "reports", params(PageQuery),
    responses((status = 200, body = Paged<CalibrationSummary>), (status = 403, body = ErrorBody),
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
#[utoipa::path(tag = "reports", params(("id" = i32, Path)),
    responses((status = 200, body = CalibrationDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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

/// Accept a finished calibration: every item the report does not flag gets
/// its a and b written onto its question version (adaptive tests then use
/// them); flagged items keep what they had. Audit-logged; once only.
#[utoipa::path(tag = "reports", params(("id" = i32, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
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
