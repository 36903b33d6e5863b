//! Who is asking: a session cookie (browsers) or a Bearer token (scripts),
//! and the role guards built on it. A wrong role is 403; no session is 401,
//! which browser routes turn into a redirect to the sign-in page.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use crate::app::AppState;
use crate::db::Role;
use crate::error::AppError;
use crate::identity::service_tokens::{self, Grant};
use crate::identity::User;
use crate::tokens::token_hash;

pub const SESSION_COOKIE: &str = "assay_session";

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

/// The session token of a request, from `Authorization: Bearer` first, then
/// the cookie.
pub fn session_token(req: &HttpRequest) -> Option<(String, bool)> {
    if let Some(header) = req.headers().get("Authorization").and_then(|h| h.to_str().ok()) {
        if let Some(token) = header.strip_prefix("Bearer ") {
            return Some((token.trim().to_string(), true));
        }
    }
    req.cookie(SESSION_COOKIE).map(|c| (c.value().to_string(), false))
}

#[derive(Clone)]
struct Resolved(Option<User>);

/// The person a request's session was already resolved to, without a lookup.
pub fn resolved_user(req: &HttpRequest) -> Option<User> {
    req.extensions().get::<Resolved>().and_then(|r| r.0.clone())
}

/// Looks the session up once per request; later extractors reuse the answer.
/// A service token (`Authorization: Bearer assay_st_…`) is looked up on
/// every request, counted against its rate, and refused for any write when
/// it is read-only.
pub async fn current_user(req: &HttpRequest) -> Result<Option<User>, AppError> {
    if let Some(Resolved(user)) = req.extensions().get::<Resolved>() {
        return Ok(user.clone());
    }
    let user = match session_token(req) {
        Some((token, true)) if token.starts_with(service_tokens::PREFIX) => Some(service_user(req, token).await?),
        Some((token, _)) if !token.is_empty() => {
            let state = app_state(req)?;
            let now = state.clock.now();
            let hash = token_hash(&token);
            match state.sessions.recent(&hash, now) {
                Some(user) => Some(user),
                None => {
                    let user = state
                        .db(move |conn| crate::identity::sessions::session_user(conn, &token, now))
                        .await?;
                    if let Some(user) = &user {
                        state.sessions.remember(hash, user, now);
                    }
                    user
                }
            }
        }
        _ => None,
    };
    req.extensions_mut().insert(Resolved(user.clone()));
    Ok(user)
}

fn app_state(req: &HttpRequest) -> Result<&web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("application state missing".into()))
}

/// The person a service token acts for, after its rate and scope allow
/// this request.
async fn service_user(req: &HttpRequest, token: String) -> Result<User, AppError> {
    let state = app_state(req)?;
    let now = state.clock.now();
    let (user, grant) = state
        .db(move |conn| conn.transaction(|conn| service_tokens::bearer(conn, &token, now)))
        .await?;
    state.token_throttle.admit(&grant, now)?;
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads && !grant.scope.may_write() {
        return Err(AppError::Forbidden(
            "This service token is read-only: it can list and read, but not change anything. Ask an administrator for a recruiter or trainer token to make changes."
                .into(),
        ));
    }
    req.extensions_mut().insert(grant);
    Ok(user)
}

/// Serves requests made with a service token before any handler or
/// extractor runs: the token is looked up, counted against its rate, and a
/// read-only token's write is refused here, so no part of a refused request
/// (not even its body) is read. Later extractors reuse the answer.
pub async fn service_token_gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some((token, true)) = session_token(req.request()) {
        if token.starts_with(service_tokens::PREFIX) {
            match service_user(req.request(), token).await {
                Ok(user) => {
                    req.extensions_mut().insert(Resolved(Some(user)));
                }
                Err(e) => return Ok(req.error_response(e).map_into_right_body()),
            }
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The service token a request came with, if it came with one that was
/// accepted (call after an extractor resolved the user).
pub fn service_grant(req: &HttpRequest) -> Option<Grant> {
    req.extensions().get::<Grant>().copied()
}

/// The signed-in person, whoever they are.
pub struct AuthUser(pub User);

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { current_user(&req).await?.map(AuthUser).ok_or(AppError::Unauthorized) })
    }
}

/// Whoever is asking, signed in or not.
pub struct MaybeUser(pub Option<User>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { current_user(&req).await.map(MaybeUser) })
    }
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, [$($role:ident),+], $refusal:expr) => {
        $(#[$doc])*
        pub struct $name(pub User);

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Fut<Self>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move {
                    let user = current_user(&req).await?.ok_or(AppError::Unauthorized)?;
                    if matches!(user.role, $(Role::$role)|+) {
                        Ok($name(user))
                    } else {
                        Err(AppError::Forbidden($refusal.into()))
                    }
                })
            }
        }
    };
}

role_guard!(
    /// A candidate (or trainee: the same account).
    CandidateUser, [Candidate], "This is for candidates; staff accounts cannot take part in drives."
);
role_guard!(
    RecruiterUser,
    [Recruiter, Admin],
    "Only recruiters and administrators can do this."
);
role_guard!(
    TrainerUser,
    [Trainer, Admin],
    "Only trainers and administrators can do this."
);
role_guard!(
    /// Builds assessments: trainers and recruiters both do.
    AssessorUser, [Trainer, Recruiter, Admin], "Only trainers, recruiters and administrators can do this."
);
role_guard!(AdminUser, [Admin], "Only administrators can do this.");
role_guard!(StaffUser, [Recruiter, Trainer, Admin], "Only staff can do this.");

/// An administrator signed in as themselves: service tokens are made and
/// revoked by a person, never by another token.
pub struct PersonAdmin(pub User);

impl FromRequest for PersonAdmin {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = current_user(&req).await?.ok_or(AppError::Unauthorized)?;
            if service_grant(&req).is_some() {
                return Err(AppError::Forbidden(
                    "Service tokens are managed by an administrator signed in as themselves, not through another service token."
                        .into(),
                ));
            }
            if user.role == Role::Admin {
                Ok(PersonAdmin(user))
            } else {
                Err(AppError::Forbidden("Only administrators can do this.".into()))
            }
        })
    }
}
