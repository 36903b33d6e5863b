//! The accounts part of the JSON API.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::client::ClientAddr;
use super::flows;
use super::service::{self, NewAccount};
use super::validate::ProfileInput;
use crate::app::AppState;
use crate::error::{AppResult, ErrorBody};
use crate::identity::User;
use crate::web::auth::{session_token, AuthUser, CandidateUser, SESSION_COOKIE};
use crate::web::input::Json;
use crate::web::input::{EmailText, Line, Name, PasswordText};
use crate::web::openapi::ApiRoutes;

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub email: EmailText,
    pub password: PasswordText,
    pub full_name: Name,
    #[serde(flatten)]
    pub profile: ProfileInput,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i32,
}

/// A sentence for the person, where there is nothing else to return.
#[derive(Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SignInRequest {
    pub email: EmailText,
    pub password: PasswordText,
}

#[derive(Serialize, ToSchema)]
pub struct SignInResponse {
    pub token: String,
    pub user: User,
}

pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::hours(state.config.session_hours))
        .finish()
}

pub fn clear_session_cookie() -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, "").path("/").http_only(true).finish();
    cookie.make_removal();
    cookie
}

fn has_profile(p: &ProfileInput) -> bool {
    p.degree.is_some()
        || p.institute.is_some()
        || p.graduation_year.is_some()
        || p.score_percent.is_some()
        || p.degree_class.is_some()
        || p.domain.is_some()
        || p.experience_years.is_some()
        || p.preferred_track.is_some()
}

/// Register a candidate, then sign in. The answer is the same whether or not
/// the address already has an account (its owner is emailed instead), so it
/// tells no one which addresses are registered. The password must not be
/// easy to guess (zxcvbn score 3 of 4 or more); a refusal says why.
#[utoipa::path(tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = Message), (status = 422, body = ErrorBody)))]
#[post("/candidates")]
pub async fn register(state: web::Data<AppState>, body: Json<RegisterRequest>) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let account = NewAccount::parse_registration(&body.email, &body.full_name, &body.password)?;
    let profile = has_profile(&body.profile).then_some(body.profile);
    flows::register(&state, account, profile).await?;
    Ok(HttpResponse::Created().json(Message {
        message: flows::REGISTRATION_RECEIVED.into(),
    }))
}

/// Sign in; returns a token for `Authorization: Bearer` and sets the session
/// cookie. At most 5 failed sign-ins per account and per client address 30
/// (by default; `SIGN_IN_FAILURES_PER_ADDRESS`) in 15 minutes are checked;
/// beyond that the answer is 429 with `Retry-After`, without checking the
/// password. Sign-ins still being checked hold places under the address's
/// limit; when all are held the request waits for one, and after 20 s
/// answers 503 `busy` with `Retry-After`.
#[utoipa::path(tag = "accounts", request_body = SignInRequest,
    responses((status = 200, body = SignInResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
#[post("/session")]
pub async fn sign_in(
    state: web::Data<AppState>,
    client: ClientAddr,
    body: Json<SignInRequest>,
) -> AppResult<HttpResponse> {
    let (user, token) = flows::sign_in(&state, &body.email, &body.password, &client).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, token.clone()))
        .json(SignInResponse { token, user }))
}

/// Sign out: the token stops working at once.
#[utoipa::path(tag = "accounts", responses((status = 204), (status = 401, body = ErrorBody)))]
#[delete("/session")]
pub async fn sign_out(state: web::Data<AppState>, req: HttpRequest, _user: AuthUser) -> AppResult<HttpResponse> {
    if let Some((token, _)) = session_token(&req) {
        state.sessions.forget(&token, state.clock.now());
        state.db(move |conn| service::end_session(conn, &token)).await?;
    }
    Ok(HttpResponse::NoContent().cookie(clear_session_cookie()).finish())
}

/// The signed-in candidate's profile.
#[utoipa::path(tag = "accounts",
    responses((status = 200, body = ProfileInput), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/me/profile")]
pub async fn get_profile(state: web::Data<AppState>, CandidateUser(user): CandidateUser) -> AppResult<HttpResponse> {
    let row = state.db(move |conn| service::get_profile(conn, user.id)).await?;
    Ok(HttpResponse::Ok().json(row.as_ref().map(ProfileInput::from).unwrap_or_default()))
}

/// Replace the signed-in candidate's profile.
#[utoipa::path(tag = "accounts", request_body = ProfileInput,
    responses((status = 200, body = ProfileInput), (status = 422, body = ErrorBody)))]
#[put("/me/profile")]
pub async fn put_profile(
    state: web::Data<AppState>,
    CandidateUser(user): CandidateUser,
    body: Json<ProfileInput>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let input = body.into_inner();
    let row = state
        .db(move |conn| service::put_profile(conn, user.id, &input, now))
        .await?;
    Ok(HttpResponse::Ok().json(ProfileInput::from(&row)))
}

#[derive(Deserialize, ToSchema)]
pub struct ForgotPasswordRequest {
    pub email: EmailText,
}

/// Ask for a password reset link by email. The answer is the same whether or
/// not the address has an account; at most one link is mailed per account
/// every 5 minutes, and a link works once, for an hour.
#[utoipa::path(tag = "accounts", request_body = ForgotPasswordRequest,
    responses((status = 202, body = Message), (status = 422, body = ErrorBody)))]
#[post("/password/forgot")]
pub async fn forgot_password(state: web::Data<AppState>, body: Json<ForgotPasswordRequest>) -> AppResult<HttpResponse> {
    let email = flows::reset_address(&body.email)?;
    flows::request_reset(&state, email).await?;
    Ok(HttpResponse::Accepted().json(Message {
        message: flows::RESET_REQUESTED.into(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    /// The token from the emailed link.
    pub token: Line<128>,
    pub password: PasswordText,
}

/// Choose a new password with the token from a reset link. Every session of
/// the person ends; sign in with the new password. An unknown, used or
/// expired token is refused with 422 naming `token`.
#[utoipa::path(tag = "accounts", request_body = ResetPasswordRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
#[post("/password/reset")]
pub async fn reset_password(state: web::Data<AppState>, body: Json<ResetPasswordRequest>) -> AppResult<HttpResponse> {
    flows::reset_password(&state, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: PasswordText,
    pub new_password: PasswordText,
}

/// Change the signed-in person's password. A wrong current password is 422
/// naming `current_password` and counts as a failed sign-in (429 past the
/// limits). Every other session of the person ends; this one goes on.
#[utoipa::path(tag = "accounts", request_body = ChangePasswordRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[put("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(user): AuthUser,
    client: ClientAddr,
    body: Json<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    let keep = session_token(&req).map(|(token, _)| token);
    flows::change_password(&state, &user, &body.current_password, &body.new_password, keep, &client).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(register)
        .service(sign_in)
        .service(sign_out)
        .service(get_profile)
        .service(put_profile)
        .service(change_password)
        .service(forgot_password)
        .service(reset_password);
}
