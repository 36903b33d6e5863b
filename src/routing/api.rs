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
#[utoipa::path(tag = "routing", request_body = NewProcess,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
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

/// List client processes in the order they were created.
#[utoipa::path(tag = "routing", params(ProcessFilter, PageQuery),
    responses((status = 200, body = Paged<ProcessRow>), (status = 403, body = ErrorBody),
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
#[utoipa::path(tag = "routing", params(("id" = i32, Path)),
    responses((status = 200, body = ProcessRow), (status = 404, body = ErrorBody)))]
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
#[utoipa::path(tag = "routing", params(RunFilter, PageQuery),
    responses((status = 200, body = Paged<RunRow>), (status = 403, body = ErrorBody),
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
#[utoipa::path(tag = "routing", params(("id" = i32, Path)), request_body = NewRun,
    responses((status = 201, body = RunView), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(tag = "routing", params(("id" = i32, Path)),
    responses((status = 200, body = RunView)))]
#[get("/routing-runs/{id}")]
pub async fn get_run(state: web::Data<AppState>, _user: StaffUser, path: web::Path<RunId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| runs::view(conn, id)).await?))
}

/// A routing run's lines as an Excel workbook (typed columns, frozen header).
#[utoipa::path(tag = "routing", params(("id" = i32, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
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

/// Override one line with a reason (kept in the audit log).
#[utoipa::path(tag = "routing", params(("id" = i32, Path)),
    request_body = OverrideRequest, responses((status = 200, body = RunView), (status = 409, body = ErrorBody)))]
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

/// Freeze the run, set placements and queue every trainee's notice.
#[utoipa::path(tag = "routing", params(("id" = i32, Path)),
    responses((status = 200, body = RunView), (status = 409, body = ErrorBody)))]
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
