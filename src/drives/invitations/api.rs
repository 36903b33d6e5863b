//! Campus invitations over the API: a recruiter previews and sends a list;
//! the invited person reads and accepts their invitation.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::list;
use super::service::{self, Accepted, Outcome};
use crate::accounts::service::NewAccount;
use crate::app::AppState;
use crate::banks::api::read_limited;
use crate::db::DriveId;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// `csv` (the default) or `xlsx`.
    #[param(max_length = 8)]
    pub format: Option<String>,
}

fn is_xlsx(format: Option<&str>) -> AppResult<bool> {
    match format.map(str::trim) {
        None | Some("csv") => Ok(false),
        Some("xlsx") => Ok(true),
        Some(other) => Err(AppError::invalid_field(
            "format",
            format!("{other:?} is not a list format; send csv or xlsx."),
        )),
    }
}

async fn read_list(state: &AppState, query: &ListQuery, payload: web::Payload) -> AppResult<list::Parsed> {
    let xlsx = is_xlsx(query.format.as_deref())?;
    let bytes = read_limited(payload, state.config.max_upload_bytes).await?;
    web::block(move || list::parse(&bytes, xlsx))
        .await
        .map_err(|e| AppError::internal("reading a list", e))?
}

/// Check a list of graduates for a drive: every bad row by line, who would
/// be invited, and who was invited already. Nothing is sent.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), ListQuery),
    request_body(content = String, description = "the CSV or XLSX file", content_type = "application/octet-stream"),
    description = "Recruiters and administrators check a list of graduates (CSV, or XLSX with `?format=xlsx`: a header row naming a `name` and an `email` column, and optionally `degree`, `institute` and `score`; at most 5,000 people) before inviting them to the drive. Nothing is sent or stored. Every bad row is answered 422 with its line in `error.details`; otherwise the answer says who would be invited and who was invited to this drive already.",
    responses((status = 200, body = Outcome, description = "Who the list would invite (`invited` is 0: nothing was sent), and who was invited before.",
        example = json!(crate::drives::examples::invitation_preview())),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/drives/{id}/invitations/preview")]
pub async fn preview(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<ListQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let parsed = read_list(&state, &query, payload).await?;
    let outcome = state.db(move |conn| service::preview(conn, drive_id, parsed)).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// Invite everyone on the list not invited to this drive yet, each with a
/// personal link by email. A list with any bad row invites nobody.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), ListQuery),
    request_body(content = String, description = "the CSV or XLSX file", content_type = "application/octet-stream"),
    description = "Recruiters and administrators invite a list of graduates (CSV, or XLSX with `?format=xlsx`) to the drive: everyone on it not invited to this drive before gets an email with a personal link, to set a password and apply in one step. A list with any bad row invites nobody (422, each line in `error.details`). Sending the same list again invites nobody twice.",
    responses((status = 200, body = Outcome, description = "How many were invited now, who they are, and who had been invited before."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/drives/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<ListQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let parsed = read_list(&state, &query, payload).await?;
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let outcome = state
        .db(move |conn| service::invite(conn, drive_id, parsed, user.id, now, &mail))
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// An invitation as its link shows it.
#[derive(Serialize, ToSchema)]
#[schema(example = crate::drives::examples::invitation)]
pub struct InvitationView {
    pub drive_id: DriveId,
    pub full_name: String,
    pub email: String,
    pub degree: Option<String>,
    pub institute: Option<String>,
    pub score_percent: Option<f64>,
    pub accepted: bool,
}

/// Read an invitation by its link's token.
#[utoipa::path(tag = "drives", params(("token" = String, Path)),
    description = "Anyone holding an invitation link reads the invitation by the link's token, without signing in: the drive, and the person's details as the recruiter's list gave them. An unknown token is answered 404.",
    responses((status = 200, body = InvitationView, description = "The invitation, and whether it was accepted already."),
        (status = 404, body = ErrorBody)))]
#[get("/invitations/{token}")]
pub async fn show(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let i = state.db(move |conn| service::find_by_token(conn, &token)).await?;
    Ok(HttpResponse::Ok().json(InvitationView {
        drive_id: i.drive_id,
        full_name: i.full_name,
        email: i.email,
        degree: i.degree,
        institute: i.institute,
        score_percent: i.score_percent,
        accepted: i.accepted_at.is_some(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptRequest {
    /// The password the person chooses (at least 10 characters, not easy to guess).
    #[schema(max_length = 200)]
    pub password: String,
}

/// Accept an invitation: set a password, and the account (with the
/// profile from the list) and the application to the drive are made at once.
#[utoipa::path(tag = "drives", params(("token" = String, Path)), request_body = AcceptRequest,
    description = "The invited person accepts by the link's token, without signing in, choosing a password (at least 10 characters, not easy to guess). Their candidate account is made with the profile from the list, they apply to the drive (eligibility decided as for any application), and they are signed in. A link works once: accepting again is refused with 409 (`invitation_used`).",
    responses((status = 201, body = Accepted, description = "The account and the application were made; `token` is a session token for `Authorization: Bearer`."),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/invitations/{token}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Json<AcceptRequest>,
) -> AppResult<HttpResponse> {
    let accepted = accept_with(&state, path.into_inner(), body.into_inner().password).await?;
    Ok(HttpResponse::Created().json(accepted))
}

/// Checks the chosen password against the invited person's details, hashes
/// it off the database, then accepts.
pub async fn accept_with(state: &AppState, token: String, password: String) -> AppResult<Accepted> {
    let lookup = token.clone();
    let invitation = state.db(move |conn| service::find_by_token(conn, &lookup)).await?;
    if invitation.accepted_at.is_some() {
        return Err(AppError::conflict(
            "invitation_used",
            "This invitation was accepted already: sign in with the password you set.",
        ));
    }
    let account = NewAccount::parse_registration(&invitation.email, &invitation.full_name, &password)?;
    let hash = crate::accounts::password::hash(password).await?;
    let now = state.clock.now();
    let hours = state.config.session_hours;
    let mail = MailContext::from(state.config.as_ref());
    state
        .db(move |conn| service::accept(conn, &token, &account, &hash, hours, now, &mail))
        .await
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(preview).service(invite).service(show).service(accept);
}
