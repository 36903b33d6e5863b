//! Drives and applications over the API.

use actix_web::{get, post, web, HttpResponse};

use super::listing::{self, ApplicationFilter, DriveFilter};
use super::service::{self, ApplicationRow, Applied, DriveRow, NewDrive};
use crate::accounts::api::Created;
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::{AuthUser, CandidateUser, RecruiterUser};
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{PageQuery, Paged};

/// Create a drive.
#[utoipa::path(tag = "drives", request_body = NewDrive,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
#[post("/drives")]
pub async fn create(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    body: Json<NewDrive>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let drive = body.into_inner();
    let id = state
        .db(move |conn| service::create(conn, &drive, user.id, now))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// List drives, newest first; candidates see only the ones taking applications.
#[utoipa::path(tag = "drives", params(DriveFilter, PageQuery),
    responses((status = 200, body = Paged<DriveRow>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/drives")]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    filter: Query<DriveFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let only_open = !user.is_staff();
    let page = state
        .db(move |conn| listing::drives_page(conn, &filter, only_open, &page, now))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// One drive; candidates see it only while it takes applications.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = DriveRow), (status = 404, body = ErrorBody)))]
#[get("/drives/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let drive = state.db(move |conn| service::find(conn, id)).await?;
    if !user.is_staff() && !drive.is_open(now) {
        return Err(AppError::NotFound(format!("There is no drive {id}.")));
    }
    Ok(HttpResponse::Ok().json(drive))
}

/// A drive's applications, newest first, with filters.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), ApplicationFilter, PageQuery),
    responses((status = 200, body = Paged<ApplicationRow>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/drives/{id}/applications")]
pub async fn drive_applications(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    filter: Query<ApplicationFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let page = state
        .db(move |conn| {
            service::find(conn, id)?;
            listing::applications_page(conn, Some(id), &filter, &page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// Applications across drives, newest first: staff filter by candidate;
/// a candidate gets their own.
#[utoipa::path(tag = "drives", params(ApplicationFilter, PageQuery),
    responses((status = 200, body = Paged<ApplicationRow>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/applications")]
pub async fn applications(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    filter: Query<ApplicationFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let mut filter = filter.into_inner();
    if !user.is_staff() {
        filter.candidate_id = Some(user.id.0);
    }
    let page = state
        .db(move |conn| listing::applications_page(conn, None, &filter, &page))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// One application: staff see any, a candidate only their own.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = ApplicationRow), (status = 404, body = ErrorBody)))]
#[get("/applications/{id}")]
pub async fn application(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<ApplicationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let row = state.db(move |conn| listing::application(conn, id)).await?;
    if !user.is_staff() && row.candidate_id != user.id {
        return Err(AppError::NotFound(format!("There is no application {id}.")));
    }
    Ok(HttpResponse::Ok().json(row))
}

/// Apply to a drive; eligibility is decided from the profile.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 201, body = Applied), (status = 409, body = ErrorBody)))]
#[post("/drives/{id}/applications")]
pub async fn apply(
    state: web::Data<AppState>,
    CandidateUser(user): CandidateUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let applied = state
        .db(move |conn| service::apply(conn, id, &user, now, &mail))
        .await?;
    Ok(HttpResponse::Created().json(applied))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(create)
        .service(list)
        .service(read)
        .service(apply)
        .service(drive_applications)
        .service(applications)
        .service(application);
}
