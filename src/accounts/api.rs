//! The accounts part of the JSON API.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::flows;
use super::models::User;
use super::service::{self, NewAccount};
use super::validate::ProfileInput;
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::{session_token, AuthUser, CandidateUser, SESSION_COOKIE};
use crate::web::input::Json;
use crate::web::input::{EmailText, Name, PasswordText};
use crate::web::AppState;

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

/// Register a candidate.
#[utoipa::path(post, path = "/api/v1/candidates", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn register(state: web::Data<AppState>, body: Json<RegisterRequest>) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let account = NewAccount::parse(&body.email, &body.full_name, &body.password)?;
    let profile = has_profile(&body.profile).then_some(body.profile);
    let (user, _token) = flows::register(&state, account, profile).await?;
    Ok(HttpResponse::Created().json(Created { id: user.id.0 }))
}

/// Sign in; returns a token for `Authorization: Bearer` and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = SignInRequest,
    responses((status = 200, body = SignInResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in(state: web::Data<AppState>, body: Json<SignInRequest>) -> AppResult<HttpResponse> {
    let (user, token) = flows::sign_in(&state, &body.email, &body.password).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, token.clone()))
        .json(SignInResponse { token, user }))
}

/// Sign out: the token stops working at once.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn sign_out(state: web::Data<AppState>, req: HttpRequest, _user: AuthUser) -> AppResult<HttpResponse> {
    if let Some((token, _)) = session_token(&req) {
        crate::web::auth::forget_session(&token, state.clock.now());
        state.db(move |conn| service::end_session(conn, &token)).await?;
    }
    Ok(HttpResponse::NoContent().cookie(clear_session_cookie()).finish())
}

/// The signed-in candidate's profile.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "accounts",
    responses((status = 200, body = ProfileInput), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_profile(state: web::Data<AppState>, CandidateUser(user): CandidateUser) -> AppResult<HttpResponse> {
    let row = state.db(move |conn| service::get_profile(conn, user.id)).await?;
    Ok(HttpResponse::Ok().json(row.as_ref().map(ProfileInput::from).unwrap_or_default()))
}

/// Replace the signed-in candidate's profile.
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "accounts", request_body = ProfileInput,
    responses((status = 200, body = ProfileInput), (status = 422, body = ErrorBody)))]
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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/candidates", web::post().to(register))
        .route("/api/v1/session", web::post().to(sign_in))
        .route("/api/v1/session", web::delete().to(sign_out))
        .route("/api/v1/me/profile", web::get().to(get_profile))
        .route("/api/v1/me/profile", web::put().to(put_profile));
}
