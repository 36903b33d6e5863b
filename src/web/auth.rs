//! Who is asking: a session cookie (browsers) or a Bearer token (scripts),
//! and the role guards built on it. A wrong role is 403; no session is 401,
//! which browser routes turn into a redirect to the sign-in page.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{PoisonError, RwLock};

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use chrono::{Duration, NaiveDateTime};

use super::AppState;
use crate::accounts::models::User;
use crate::accounts::tokens::token_hash;
use crate::db::{Role, UserId};
use crate::error::AppError;

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
                        .db(move |conn| crate::accounts::service::session_user(conn, &token, now))
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

/// How long a looked-up session is trusted without asking the database again.
///
/// An answer save is a few tens of microseconds of SQLite; the session lookup
/// before it cost as much again, plus a hop to the blocking pool and a
/// connection checkout, which on two cores was a third of the server's time
/// per save. Remembering a session for two seconds makes that one lookup per
/// candidate per two seconds. What it costs, and only within those seconds:
/// signing out takes effect at once on the server that signed the person
/// out (`SessionCache::forget` drops the token there), but other servers sharing
/// the database may still accept the token for up to this long; a
/// deactivated account, a changed role or an expired session are noticed
/// within it on every server. Times are on the app's clock, so a test that
/// moves the clock on moves past this too.
pub const SESSION_CACHE_TTL: Duration = Duration::seconds(2);

/// Past this, stale entries are swept before another is added.
const SESSION_CACHE_MAX: usize = 100_000;

enum Cached {
    Live {
        user: User,
        checked_at: NaiveDateTime,
    },
    /// Signed out here: not to be remembered again by a lookup that was
    /// already under way when the session ended.
    Ended {
        at: NaiveDateTime,
    },
}

impl Cached {
    fn fresh(&self, now: NaiveDateTime) -> bool {
        let since = match self {
            Cached::Live { checked_at, .. } => *checked_at,
            Cached::Ended { at } => *at,
        };
        now >= since && now < since + SESSION_CACHE_TTL
    }
}

/// Sessions by token hash (never the token itself), shared by every worker
/// of one app. Split in shards, each behind a read-write lock: a lookup
/// takes one shard's read lock, so candidates saving at once do not queue
/// on one lock.
pub struct SessionCache {
    shards: Vec<RwLock<HashMap<String, Cached>>>,
}

const SESSION_SHARDS: usize = 16;

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache {
            shards: (0..SESSION_SHARDS).map(|_| RwLock::default()).collect(),
        }
    }
}

impl SessionCache {
    fn shard(&self, hash: &str) -> &RwLock<HashMap<String, Cached>> {
        // The key is a hex digest already: its last digit spreads evenly.
        let digit = hash.bytes().last().map_or(0, usize::from);
        let index = digit % self.shards.len().max(1);
        // `index` is below the length, which is never zero.
        #[allow(clippy::indexing_slicing)]
        &self.shards[index]
    }

    fn recent(&self, hash: &str, now: NaiveDateTime) -> Option<User> {
        // A panic mid-update leaves at worst a stale entry, which expires.
        let shard = self.shard(hash).read().unwrap_or_else(PoisonError::into_inner);
        match shard.get(hash) {
            Some(entry @ Cached::Live { user, .. }) if entry.fresh(now) => Some(user.clone()),
            _ => None,
        }
    }

    fn remember(&self, hash: String, user: &User, now: NaiveDateTime) {
        let mut shard = self.shard(&hash).write().unwrap_or_else(PoisonError::into_inner);
        if matches!(shard.get(&hash), Some(ended @ Cached::Ended { .. }) if ended.fresh(now)) {
            return;
        }
        if shard.len() >= SESSION_CACHE_MAX / SESSION_SHARDS {
            shard.retain(|_, entry| entry.fresh(now));
            if shard.len() >= SESSION_CACHE_MAX / SESSION_SHARDS {
                shard.clear();
            }
        }
        shard.insert(
            hash,
            Cached::Live {
                user: user.clone(),
                checked_at: now,
            },
        );
    }

    /// Makes this server stop trusting every session of `user` at once,
    /// except the one whose token hash is `keep`; call it when a password
    /// changes.
    pub fn forget_sessions_of(&self, user: UserId, keep: Option<&str>, now: NaiveDateTime) {
        for shard in &self.shards {
            let mut shard = shard.write().unwrap_or_else(PoisonError::into_inner);
            for (hash, entry) in shard.iter_mut() {
                if matches!(entry, Cached::Live { user: u, .. } if u.id == user) && keep != Some(hash.as_str()) {
                    *entry = Cached::Ended { at: now };
                }
            }
        }
    }

    /// Makes this server stop trusting a token at once; call it when a
    /// session ends (sign-out).
    pub fn forget(&self, token: &str, now: NaiveDateTime) {
        let hash = token_hash(token);
        self.shard(&hash)
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(hash, Cached::Ended { at: now });
    }
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
