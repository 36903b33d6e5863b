//! Drives and applications over the API.

use actix_web::{get, post, web, HttpResponse};

use super::service::{self, Applied, DriveRow, NewDrive};
use crate::accounts::api::Created;
use crate::app::AppState;
use crate::db::DriveId;
use crate::error::{AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::{AuthUser, CandidateUser, RecruiterUser};
use crate::web::input::Json;
use crate::web::openapi::ApiRoutes;

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

/// List drives; candidates see the ones taking applications.
#[utoipa::path(tag = "drives", responses((status = 200, body = Vec<DriveRow>)))]
#[get("/drives")]
pub async fn list(state: web::Data<AppState>, AuthUser(user): AuthUser) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let drives = state.db(service::list).await?;
    let visible: Vec<DriveRow> = drives
        .into_iter()
        .filter(|d| user.is_staff() || d.is_open(now))
        .collect();
    Ok(HttpResponse::Ok().json(visible))
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
    cfg.service(create).service(list).service(apply);
}
