//! Service tokens as a request meets them: which administrator a bearer
//! token acts for and with which scope, why a token is refused, and the
//! per-token rate limit. Making, listing and revoking tokens is the
//! `accounts` area's (`accounts::service_tokens`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{User, UserRow};
use crate::db::schema::{service_tokens, users};
use crate::db::{DbConn, ServiceTokenId, TokenScope};
use crate::error::{AppError, AppResult};
use crate::tokens::token_hash;

/// Every service token starts with this, so a bearer token is known to be
/// one before any lookup (and a leaked one is easy to search for).
pub const PREFIX: &str = "assay_st_";

/// How often a token's last use is written: a busy integration does not
/// write on every request, and "last used" is shown to the minute.
pub const LAST_USE_EVERY: Duration = Duration::seconds(60);

/// A live token's grant, kept on the request for the guards after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub id: ServiceTokenId,
    pub scope: TokenScope,
    pub requests_per_minute: i32,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = service_tokens)]
struct TokenRow {
    id: ServiceTokenId,
    name: String,
    scope: TokenScope,
    requests_per_minute: i32,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
}

/// Who a service token acts as: the administrator who made it, under the
/// token's name, with the scope's role. An unknown, revoked or expired
/// token, or one whose maker's account is closed, is refused with 401 and
/// the reason. Records the use (at most once a minute).
pub fn bearer(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> AppResult<(User, Grant)> {
    let found = service_tokens::table
        .inner_join(users::table)
        .filter(service_tokens::token_hash.eq(token_hash(token)))
        .select((TokenRow::as_select(), UserRow::as_select()))
        .first::<(TokenRow, UserRow)>(conn)
        .optional()?;
    let Some((row, maker)) = found else {
        return Err(AppError::TokenRefused(
            "This service token is not known here; check that it was copied whole, or ask an administrator for a new one."
                .into(),
        ));
    };
    if let Some(at) = row.revoked_at {
        return Err(AppError::TokenRefused(format!(
            "The service token \"{}\" was revoked on {}; ask an administrator for a new one.",
            row.name,
            at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    if row.expires_at <= now {
        return Err(AppError::TokenRefused(format!(
            "The service token \"{}\" expired on {}; ask an administrator for a new one.",
            row.name,
            row.expires_at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    if !maker.active {
        return Err(AppError::TokenRefused(format!(
            "The service token \"{}\" was made by an account that is now closed; ask an administrator for a new one.",
            row.name
        )));
    }
    if row.last_used_at.is_none_or(|at| at + LAST_USE_EVERY <= now) {
        diesel::update(service_tokens::table.find(row.id))
            .set(service_tokens::last_used_at.eq(Some(now)))
            .execute(conn)?;
    }
    let user = User {
        id: maker.id,
        email: maker.email,
        full_name: format!("{} (service token)", row.name),
        role: row.scope.role(),
    };
    let grant = Grant {
        id: row.id,
        scope: row.scope,
        requests_per_minute: row.requests_per_minute,
    };
    Ok((user, grant))
}

/// Requests counted per token in the current minute (a fixed window on the
/// app's clock). One per app: limits are per server process.
#[derive(Default)]
pub struct TokenThrottle {
    windows: Mutex<HashMap<ServiceTokenId, (NaiveDateTime, i32)>>,
}

/// Past this many tokens, windows that ended are swept before another is added.
const THROTTLE_MAX: usize = 10_000;

impl TokenThrottle {
    /// Counts one request of `grant`; past its rate, 429 with the seconds
    /// until its minute ends.
    pub fn admit(&self, grant: &Grant, now: NaiveDateTime) -> AppResult<()> {
        let minute = Duration::seconds(60);
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= THROTTLE_MAX && !windows.contains_key(&grant.id) {
            windows.retain(|_, (start, _)| *start + minute > now);
        }
        let window = windows.entry(grant.id).or_insert((now, 0));
        if window.0 + minute <= now || now < window.0 {
            *window = (now, 0);
        }
        if window.1 >= grant.requests_per_minute {
            let left = (window.0 + minute - now).num_seconds().max(1);
            return Err(AppError::Throttled {
                message: format!(
                    "This service token may make {} requests a minute and has made them all; wait {left} seconds and try again.",
                    grant.requests_per_minute
                ),
                retry_after_secs: u64::try_from(left).unwrap_or(60),
            });
        }
        window.1 = window.1.saturating_add(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(rate: i32) -> Grant {
        Grant {
            id: ServiceTokenId(1),
            scope: TokenScope::Recruiter,
            requests_per_minute: rate,
        }
    }

    #[test]
    fn a_token_past_its_rate_waits_for_the_next_minute() {
        let throttle = TokenThrottle::default();
        let start = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        for _ in 0..3 {
            assert!(throttle.admit(&grant(3), start).is_ok());
        }
        let later = start + Duration::seconds(20);
        match throttle.admit(&grant(3), later) {
            Err(AppError::Throttled { retry_after_secs, .. }) => assert_eq!(retry_after_secs, 40),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(throttle.admit(&grant(3), start + Duration::seconds(60)).is_ok());
    }

    #[test]
    fn tokens_are_counted_apart() {
        let throttle = TokenThrottle::default();
        let now = NaiveDateTime::default();
        assert!(throttle.admit(&grant(1), now).is_ok());
        let other = Grant {
            id: ServiceTokenId(2),
            ..grant(1)
        };
        assert!(throttle.admit(&other, now).is_ok());
        assert!(throttle.admit(&grant(1), now).is_err());
    }
}
