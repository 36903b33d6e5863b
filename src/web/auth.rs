//! Who is asking: a session cookie (browsers) or a Bearer token (scripts),
//! and the role guards built on it. A wrong role is 403; no session is 401,
//! which browser routes turn into a redirect to the sign-in page.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use crate::app::AppState;
use crate::db::Role;
use crate::error::AppError;
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
pub async fn current_user(req: &HttpRequest) -> Result<Option<User>, AppError> {
    if let Some(Resolved(user)) = req.extensions().get::<Resolved>() {
        return Ok(user.clone());
    }
    let user = match session_token(req) {
        Some((token, _)) if !token.is_empty() => {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| AppError::Internal("application state missing".into()))?;
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
