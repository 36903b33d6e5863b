//! A drive's life over the API: edit, close, reopen, archive, restore, the
//! invite link, and withdrawing an application.

use actix_web::{get, post, put, web, HttpResponse};

use super::{InviteLink, LifeChange};
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId};
use crate::drives::service::{ApplicationRow, DriveRow, NewDrive};
use crate::error::{AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::{CandidateUser, RecruiterUser};
use crate::web::input::Json;
use crate::web::openapi::ApiRoutes;

/// Edit a drive (every field, as when creating it); archived drives are
/// read-only, and the test cannot change once someone applied.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = NewDrive,
    responses((status = 200, body = DriveRow), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/drives/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    body: Json<NewDrive>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let drive = body.into_inner();
    let row = state
        .db(move |conn| super::edit(conn, id, &drive, user.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

/// Close a drive to new applications, reopen it, archive it (hidden from
/// candidates, read-only) or restore it from the archive.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = LifeChange,
    responses((status = 200, body = DriveRow), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/drives/{id}/state")]
pub async fn change(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    body: Json<LifeChange>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let change = body.into_inner();
    let row = state
        .db(move |conn| super::change(conn, id, &change, user.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

fn link(state: &AppState, code: String) -> InviteLink {
    let base = MailContext::from(state.config.as_ref()).base_url;
    InviteLink {
        url: format!("{base}/join/{code}"),
        code,
    }
}

/// The drive's shareable invite link: anyone following it lands on the
/// drive, signs in or registers, and applies.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = InviteLink), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
#[get("/drives/{id}/invite-link")]
pub async fn invite_link(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let code = state
        .db(move |conn| super::invite_code(conn, id, false, user.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(link(&state, code)))
}

/// A new invite link for the drive; the old one stops working.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = InviteLink), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
#[post("/drives/{id}/invite-link")]
pub async fn renew_invite_link(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let code = state
        .db(move |conn| super::invite_code(conn, id, true, user.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(link(&state, code)))
}

/// The drive an invite link's code leads to (no sign-in needed).
#[utoipa::path(tag = "drives", params(("code" = String, Path)),
    responses((status = 200, body = DriveRow), (status = 404, body = ErrorBody)))]
#[get("/drive-invites/{code}")]
pub async fn by_code(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let drive = state.db(move |conn| super::by_invite_code(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(drive))
}

/// Withdraw your own application; it stays, shown as withdrawn.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = ApplicationRow), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
#[post("/applications/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    CandidateUser(user): CandidateUser,
    path: web::Path<ApplicationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let row = state
        .db(move |conn| super::withdraw(conn, id, &user, now, &mail))
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(edit)
        .service(change)
        .service(invite_link)
        .service(renew_invite_link)
        .service(by_code)
        .service(withdraw);
}
