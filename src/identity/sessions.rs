//! Which person a session token belongs to, and the short-lived cache that
//! spares the database that question on every request.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{User, UserRow};
use crate::db::schema::{sessions, users};
use crate::db::{DbConn, UserId};
use crate::error::AppResult;
use crate::tokens::{self, token_hash};

/// The active person a live session token belongs to, if any.
pub fn session_user(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> AppResult<Option<User>> {
    let row = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(tokens::token_hash(token)))
        .filter(sessions::expires_at.gt(now))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .next();
    Ok(row.map(User::from))
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

    pub fn recent(&self, hash: &str, now: NaiveDateTime) -> Option<User> {
        // A panic mid-update leaves at worst a stale entry, which expires.
        let shard = self.shard(hash).read().unwrap_or_else(PoisonError::into_inner);
        match shard.get(hash) {
            Some(entry @ Cached::Live { user, .. }) if entry.fresh(now) => Some(user.clone()),
            _ => None,
        }
    }

    pub fn remember(&self, hash: String, user: &User, now: NaiveDateTime) {
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
