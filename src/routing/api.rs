//! Processes and routing runs over the API.

use actix_web::{get, post, web, HttpResponse};

use super::listing::{self, ProcessFilter, RunFilter, RunRow};
use super::runs::{self, NewRun, OverrideRequest, RunView};
use super::service::{self, NewProcess, ProcessRow};
use crate::accounts::api::Created;
use crate::app::AppState;
use crate::db::{CohortId, ProcessId, RunId};
use crate::error::{AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::{AdminUser, StaffUser, TrainerUser};
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{PageQuery, Paged};

/// Create a client process with its tier, cut-offs and seats.
///
/// For administrators. A process is where routing runs place trainees: its
/// track (`kpo` or `bpo`), tier, overall cut-off, section minimums and
/// seats. Recorded in the audit log.
#[utoipa::path(tag = "routing", request_body = NewProcess,
    responses((status = 201, body = Created, description = "The process was made; `id` is its id."),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/processes")]
pub async fn create_process(
    state: web::Data<AppState>,
    AdminUser(user): AdminUser,
    body: Json<NewProcess>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let process = body.into_inner();
    let id = state
        .db(move |conn| service::create_process(conn, &process, user.id, now))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// List client processes.
///
/// For staff. Processes in the order they were created, a keyset page at a
/// time (`?after=&limit=`), filtered by client with `?client=`.
#[utoipa::path(tag = "routing", params(ProcessFilter, PageQuery),
    responses((status = 200, body = Paged<ProcessRow>, description = "One page of processes; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 4, "name": "Motor Claims Review", "client": "Northwind Insurance", "track": "kpo", "tier": "complex", "min_percent": 70.0, "seats": 12}], "next_after": null})), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/processes")]
pub async fn list_processes(
    state: web::Data<AppState>,
    _user: StaffUser,
    filter: Query<ProcessFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = state
        .db(move |conn| listing::processes_page(conn, &filter, &page))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// One client process.
///
/// For staff: its client, track, tier, cut-off and seats.
#[utoipa::path(tag = "routing", params(("id" = i32, Path, description = "The process's id.")),
    responses((status = 200, body = ProcessRow, description = "The process."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/processes/{id}")]
pub async fn get_process(
    state: web::Data<AppState>,
    _user: StaffUser,
    path: web::Path<ProcessId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| listing::process(conn, id)).await?))
}

/// Routing runs, newest first, without their lines.
///
/// For staff. A keyset page at a time (`?after=&limit=`), filtered by
/// cohort (`?cohort_id=`) and state (`?status=draft` or `published`). Read
/// one run for its lines.
#[utoipa::path(tag = "routing", params(RunFilter, PageQuery),
    responses((status = 200, body = Paged<RunRow>, description = "One page of runs; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 9, "cohort_id": 3, "assessment_id": 21, "status": "published", "created_at": "2026-12-07T09:00:00", "published_at": "2026-12-07T10:00:00"}], "next_after": null})), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/routing-runs")]
pub async fn list_runs(
    state: web::Data<AppState>,
    _user: StaffUser,
    filter: Query<RunFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = state.db(move |conn| listing::runs_page(conn, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// Draft a routing run of the cohort on one exam.
///
/// For trainers and administrators. Ranks the cohort's trainees by their
/// graded attempts on the exam (ties broken by the sections named, in
/// order) and places each in the best process whose cut-offs they meet and
/// that has a seat, or sends them to retrain; scores within the review band
/// of a cut-off are marked `review`. Every line says why in words. The exam
/// must be assigned to the cohort. The run
/// is a draft: nothing changes for trainees until it is published.
#[utoipa::path(tag = "routing", params(("id" = i32, Path, description = "The cohort's id.")), request_body = NewRun,
    responses((status = 201, body = RunView, description = "The draft run, with every line and its explanation."),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "The engine could not route these trainees (`routing_refused`); the message says why."),
        (status = 422, body = ErrorBody, description = "The exam is not assigned to the cohort, or a field is invalid.")))]
#[post("/cohorts/{id}/routing-runs")]
pub async fn create_run(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<CohortId>,
    body: Json<NewRun>,
) -> AppResult<HttpResponse> {
    let cohort = path.into_inner();
    let now = state.clock.now();
    let band = state.config.review_band_points;
    let run = body.into_inner();
    let view = state
        .db(move |conn| runs::create(conn, cohort, &run, band, user.id, now))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// A routing run with every line and its explanation.
///
/// For staff: each trainee's rank, percent, placement (or retrain), the
/// sentence that explains it and any override's reason, and who has not
/// sat the exam yet.
#[utoipa::path(tag = "routing", params(("id" = i32, Path, description = "The run's id.")),
    responses((status = 200, body = RunView, description = "The run with its lines."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/routing-runs/{id}")]
pub async fn get_run(state: web::Data<AppState>, _user: StaffUser, path: web::Path<RunId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| runs::view(conn, id)).await?))
}

/// A routing run's lines as an Excel workbook.
///
/// For staff: one row a trainee with rank, percent, placement and
/// explanation, in typed columns under a frozen header, as a download.
#[utoipa::path(tag = "routing", params(("id" = i32, Path, description = "The run's id.")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            description = "The workbook, as an attachment named `routing-run-{id}.xlsx`."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/routing-runs/{id}/results.xlsx")]
pub async fn run_xlsx(state: web::Data<AppState>, _user: StaffUser, path: web::Path<RunId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let book = state
        .db(move |conn| {
            let run = runs::view(conn, id)?;
            super::excel::workbook(&run, &service::list_processes(conn)?)
        })
        .await?;
    let mut response = HttpResponse::Ok();
    for header in crate::web::xlsx::attachment(&format!("routing-run-{id}.xlsx")) {
        response.insert_header(header);
    }
    Ok(response.body(book))
}

/// Override one line with a reason.
///
/// For trainers and administrators, on a draft run. Places the trainee in
/// the process named, or sends them to retrain when `process_id` is null,
/// whatever the engine decided; the reason is shown on the line and kept in
/// the audit log. A published run cannot be changed (409).
#[utoipa::path(tag = "routing", params(("id" = i32, Path, description = "The run's id.")),
    request_body = OverrideRequest,
    responses((status = 200, body = RunView, description = "The run with the line overridden."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/routing-runs/{id}/overrides")]
pub async fn override_line(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<RunId>,
    body: Json<OverrideRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let req = body.into_inner();
    if req.reason.trim().is_empty() {
        return Err(crate::error::AppError::invalid_field(
            "reason",
            "Say why the line is overridden.",
        ));
    }
    Ok(HttpResponse::Ok().json(
        state
            .db(move |conn| runs::override_line(conn, id, &req, user.id, now))
            .await?,
    ))
}

/// Publish a run: freeze it, set placements and tell every trainee.
///
/// For trainers and administrators, on a draft run. The run can no longer
/// change; each trainee's process is set as the run decided, and each is
/// sent a notice of their placement (or retraining). Publishing twice is
/// refused (409).
#[utoipa::path(tag = "routing", params(("id" = i32, Path, description = "The run's id.")),
    responses((status = 200, body = RunView, description = "The published run."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/routing-runs/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<RunId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    Ok(HttpResponse::Ok().json(
        state
            .db(move |conn| runs::publish(conn, id, user.id, now, &mail))
            .await?,
    ))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(create_process)
        .service(list_processes)
        .service(get_process)
        .service(list_runs)
        .service(create_run)
        .service(get_run)
        .service(run_xlsx)
        .service(override_line)
        .service(publish);
}
