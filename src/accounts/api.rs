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

/// A candidate's registration, with an optional profile.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "priya.venkataraman@gmail.com", "password": "monsoon-kolam-teal-42",
    "full_name": "Priya Venkataraman", "degree": "B.Com", "institute": "Loyola College, Chennai", "graduation_year": 2025,
    "score_percent": 78.4, "degree_class": "distinction", "domain": "finance", "preferred_track": "kpo"}))]
pub struct RegisterRequest {
    pub email: EmailText,
    pub password: PasswordText,
    pub full_name: Name,
    #[serde(flatten)]
    pub profile: ProfileInput,
}

/// The id of what was just made.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 42}))]
pub struct Created {
    pub id: i32,
}

/// A sentence for the person, where there is nothing else to return.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"message": "Thank you for registering. We have sent an email to the address you gave; sign in with that address and the password you chose."}))]
pub struct Message {
    pub message: String,
}

/// An email address and password.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "asha.rao@kpo.example.com", "password": "monsoon-kolam-teal-42"}))]
pub struct SignInRequest {
    pub email: EmailText,
    pub password: PasswordText,
}

/// A new session: its token and who signed in.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"token": "k3Jx9QvB2mT7wLpZ4rN8cY1hF6dS0aEu", "user": {"id": 1, "email": "asha.rao@kpo.example.com",
    "full_name": "Asha Rao", "role": "admin"}}))]
pub struct SignInResponse {
    /// Send it as `Authorization: Bearer <token>`; the same value is set as the session cookie.
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

/// Register a candidate.
///
/// Open to anyone, without signing in. Makes a candidate account, with the
/// profile fields when given, and emails the address; then sign in. The
/// answer is the same whether or not the address already has an account (its
/// owner is emailed instead), so it tells no one which addresses are
/// registered. The password must not be easy to guess (zxcvbn score 3 of 4
/// or more); a refusal says why.
#[utoipa::path(tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = Message, description = "Received; the same answer for a new and a known address."),
        (status = 422, body = ErrorBody)))]
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

/// Sign in with an email address and password.
///
/// Open to anyone. Returns a token for `Authorization: Bearer` and sets the
/// session cookie. At most 5 failed sign-ins per account and per client
/// address 30 (by default; `SIGN_IN_FAILURES_PER_ADDRESS`) in 15 minutes are
/// checked; beyond that the answer is 429 with `Retry-After`, without
/// checking the password. Sign-ins still being checked hold places under the
/// address's limit; when all are held the request waits for one, and after
/// 20 s answers 503 `busy` with `Retry-After`.
#[utoipa::path(tag = "accounts", request_body = SignInRequest,
    responses((status = 200, body = SignInResponse, description = "Signed in: the token, and who it is for."),
        (status = 401, body = ErrorBody, description = "The address and password do not match an active account."),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
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

/// Sign out.
///
/// For anyone signed in. The session's token stops working at once and the
/// session cookie is cleared; the person's other sessions go on.
#[utoipa::path(tag = "accounts", responses((status = 204, description = "Signed out."), (status = 401, body = ErrorBody)))]
#[delete("/session")]
pub async fn sign_out(state: web::Data<AppState>, req: HttpRequest, _user: AuthUser) -> AppResult<HttpResponse> {
    if let Some((token, _)) = session_token(&req) {
        state.sessions.forget(&token, state.clock.now());
        state.db(move |conn| service::end_session(conn, &token)).await?;
    }
    Ok(HttpResponse::NoContent().cookie(clear_session_cookie()).finish())
}

/// The signed-in candidate's profile.
///
/// For candidates: their education, experience and preferred track, as
/// drives' eligibility rules read them. Fields never filled in are null.
#[utoipa::path(tag = "accounts",
    responses((status = 200, body = ProfileInput, description = "The profile."), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
#[get("/me/profile")]
pub async fn get_profile(state: web::Data<AppState>, CandidateUser(user): CandidateUser) -> AppResult<HttpResponse> {
    let row = state.db(move |conn| service::get_profile(conn, user.id)).await?;
    Ok(HttpResponse::Ok().json(row.as_ref().map(ProfileInput::from).unwrap_or_default()))
}

/// Replace the signed-in candidate's profile.
///
/// For candidates. The whole profile is replaced: a field left out is
/// cleared. Each invalid field is named in the refusal.
#[utoipa::path(tag = "accounts", request_body = ProfileInput,
    responses((status = 200, body = ProfileInput, description = "The profile as stored."), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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

/// The address to send a reset link to.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "priya.venkataraman@gmail.com"}))]
pub struct ForgotPasswordRequest {
    pub email: EmailText,
}

/// Ask for a password reset link by email.
///
/// Open to anyone. The answer is the same whether or not the address has an
/// account; at most one link is mailed per account every 5 minutes, and a
/// link works once, for an hour.
#[utoipa::path(tag = "accounts", request_body = ForgotPasswordRequest,
    responses((status = 202, body = Message, description = "Received; a link is mailed if the address has an account.",
            example = json!({"message": "If that address has an account, we have sent it a link to choose a new password. The link works once, for an hour; check your spam folder if it does not arrive within a few minutes."})),
        (status = 422, body = ErrorBody)))]
#[post("/password/forgot")]
pub async fn forgot_password(state: web::Data<AppState>, body: Json<ForgotPasswordRequest>) -> AppResult<HttpResponse> {
    let email = flows::reset_address(&body.email)?;
    flows::request_reset(&state, email).await?;
    Ok(HttpResponse::Accepted().json(Message {
        message: flows::RESET_REQUESTED.into(),
    }))
}

/// The emailed token and the new password.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"token": "Yq8LmB3xT0vR5kHw9sJd2NfC7gPz4aUe", "password": "banyan-rasam-violet-17"}))]
pub struct ResetPasswordRequest {
    /// The token from the emailed link.
    pub token: Line<128>,
    pub password: PasswordText,
}

/// Choose a new password with the token from a reset link.
///
/// Open to anyone holding a reset token. Every session of the person ends;
/// sign in with the new password. An unknown, used or expired token is
/// refused with 422 naming `token`, as is a password easy to guess.
#[utoipa::path(tag = "accounts", request_body = ResetPasswordRequest,
    responses((status = 204, description = "The password is changed."), (status = 422, body = ErrorBody)))]
#[post("/password/reset")]
pub async fn reset_password(state: web::Data<AppState>, body: Json<ResetPasswordRequest>) -> AppResult<HttpResponse> {
    flows::reset_password(&state, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The current password and the new one.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"current_password": "monsoon-kolam-teal-42", "new_password": "banyan-rasam-violet-17"}))]
pub struct ChangePasswordRequest {
    pub current_password: PasswordText,
    pub new_password: PasswordText,
}

/// Change the signed-in person's password.
///
/// For anyone signed in. A wrong current password is 422 naming
/// `current_password` and counts as a failed sign-in (429 past the limits).
/// Every other session of the person ends; this one goes on.
#[utoipa::path(tag = "accounts", request_body = ChangePasswordRequest,
    responses((status = 204, description = "The password is changed."), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
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
