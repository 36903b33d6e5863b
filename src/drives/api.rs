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
    description = "Recruiters and administrators create a recruitment drive: its name and description, the assessment that tests applicants, the eligibility rules (minimum score, degree class, degrees, domains), the sections that break ties in the rankings, and when it opens and closes. The drive starts open. Read it back with `GET /drives/{id}`.",
    responses((status = 201, body = Created, description = "The drive was created; `id` is the new drive's id.", example = json!({"id": 12})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    description = "Anyone signed in may list drives, newest first, a keyset page at a time (`?after=&limit=`). Staff see every drive but the archived ones unless they filter by `state`, and may filter by `open` and `assessment_id`; a candidate sees only the drives taking applications now, whatever the filters say.",
    responses((status = 200, body = Paged<DriveRow>, description = "One page of drives; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::drive()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    description = "Staff may read any drive, archived ones too. A candidate may read a drive only while it takes applications; any other drive is answered 404, as if it did not exist.",
    responses((status = 200, body = DriveRow, description = "The drive, with its state and eligibility minimums."),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
    description = "Recruiters and administrators list one drive's applications, newest first, a keyset page at a time (`?after=&limit=`), filtered by `status` (a pipeline state such as `tested` or `shortlisted_kpo`), `candidate_id` and `eligible`.",
    responses((status = 200, body = Paged<ApplicationRow>, description = "One page of the drive's applications; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::application()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
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
    description = "Applications across every drive, newest first, a keyset page at a time (`?after=&limit=`). Staff may filter by `candidate_id`, `status` and `eligible`; a candidate always gets only their own applications (`candidate_id` is ignored for them).",
    responses((status = 200, body = Paged<ApplicationRow>, description = "One page of applications; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::application()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    description = "Staff may read any application; a candidate only their own (anyone else's is answered 404). Shows its pipeline state, whether it met the drive's rules and why, and the test's percent once graded.",
    responses((status = 200, body = ApplicationRow, description = "The application."),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
    description = "A signed-in candidate applies to an open drive, once. Eligibility is decided from their profile against the drive's rules and the reason is given in plain words; an ineligible application is still recorded, and applying again after updating the profile checks it again. The candidate is emailed a receipt. A drive not taking applications (`drive_closed`), or applying again otherwise (`already_applied`), is refused with 409.",
    responses((status = 201, body = Applied, description = "The application was recorded; `eligible` and `reason` say whether it met the drive's rules."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
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
