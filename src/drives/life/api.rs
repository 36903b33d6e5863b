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
    description = "Recruiters and administrators replace every field of a drive, as when creating it. An archived drive is read-only (409 `drive_archived`: restore it first), and its assessment cannot change once someone has applied (422 on `assessment_id`). Recorded in the audit log.",
    responses((status = 200, body = DriveRow, description = "The drive as now saved."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Recruiters and administrators move a drive through its life: `close` (no new applications), `reopen` (optionally with a new `closes_at`), `archive` (hidden from candidates and read-only) or `restore` (from the archive, closed). A move that does not fit the drive's state, such as closing a closed drive, is refused with 409 (`drive_state`). Recorded in the audit log.",
    responses((status = 200, body = DriveRow, description = "The drive in its new state.", example = json!(crate::drives::examples::closed_drive())),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Recruiters and administrators read the drive's shareable invite link, made on first asking: anyone following it lands on the drive, signs in or registers, and applies. An archived drive has none (409 `drive_archived`).",
    responses((status = 200, body = InviteLink, description = "The link to share, and its code."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Recruiters and administrators replace the drive's invite link with a new one, for example after it was shared too widely; the old link stops working at once. An archived drive has none (409). Recorded in the audit log.",
    responses((status = 200, body = InviteLink, description = "The new link to share, and its code."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Anyone, without signing in, reads the drive an invite link's code leads to. A code that was replaced, or whose drive is archived, is answered 404.",
    responses((status = 200, body = DriveRow, description = "The drive the link invites to."),
        (status = 404, body = ErrorBody)))]
#[get("/drive-invites/{code}")]
pub async fn by_code(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let drive = state.db(move |conn| super::by_invite_code(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(drive))
}

/// Withdraw your own application; it stays, shown as withdrawn.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    description = "A candidate withdraws their own application (anyone else's is answered 404). It stays, shown as `withdrawn`, and the drive cannot be applied to again. An application that can no longer be withdrawn (withdrawn already, or decided) is refused with 409.",
    responses((status = 200, body = ApplicationRow, description = "The application, now `withdrawn`.", example = json!(crate::drives::examples::withdrawn_application())),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
