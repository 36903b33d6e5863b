//! Service tokens for integrations: an administrator makes one with a name,
//! a scope and an expiry, sees it once, and can revoke it; only its SHA-256
//! is stored. How a request is served with one is `identity::service_tokens`
//! and `web::auth`.

pub mod api;
pub mod web;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::audit;
use crate::db::schema::{service_tokens, users};
use crate::db::{DbConn, ServiceTokenId, TokenScope, UserId};
use crate::error::{AppError, AppResult};
use crate::identity::service_tokens::PREFIX;
use crate::tokens::{random_token, token_hash};

/// The longest name kept.
pub const MAX_NAME: usize = 100;
/// Days a token lives when the request does not say, and the most allowed.
pub const DEFAULT_DAYS: i64 = 90;
pub const MAX_DAYS: i64 = 730;
/// Requests a minute when the request does not say, and the most allowed.
pub const DEFAULT_RATE: i32 = 600;
pub const MAX_RATE: i32 = 10_000;
/// How much of a token is kept readable, to tell tokens apart.
const SHOWN_PREFIX: usize = 13;

/// A token as an administrator sees it: never the token itself.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_tokens)]
pub struct Token {
    pub id: ServiceTokenId,
    pub name: String,
    pub scope: TokenScope,
    pub token_prefix: String,
    pub requests_per_minute: i32,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

impl Token {
    /// `active`, `expired` or `revoked`, as of `now`.
    pub fn state(&self, now: NaiveDateTime) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "active"
        }
    }
}

/// A token with the name of the administrator who made it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub token: Token,
    pub made_by: String,
}

/// A checked request for a new token.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub scope: TokenScope,
    pub days: i64,
    pub requests_per_minute: i32,
}

impl NewToken {
    /// Checks what a form or a request body asked for; every refusal names
    /// its field.
    pub fn parse(name: &str, scope: &str, days: Option<i64>, rate: Option<i32>) -> AppResult<NewToken> {
        let mut details = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            details.push(crate::error::ErrorDetail::field(
                "name",
                "Give the token a name that says which system uses it, e.g. \"ATS sync\".",
            ));
        } else if name.chars().count() > MAX_NAME {
            details.push(crate::error::ErrorDetail::field(
                "name",
                format!("The name must be at most {MAX_NAME} characters long."),
            ));
        }
        let scope = scope.trim().parse::<TokenScope>().ok();
        if scope.is_none() {
            details.push(crate::error::ErrorDetail::field(
                "scope",
                "Choose the scope: read_only, recruiter or trainer.",
            ));
        }
        let days = days.unwrap_or(DEFAULT_DAYS);
        if !(1..=MAX_DAYS).contains(&days) {
            details.push(crate::error::ErrorDetail::field(
                "expires_in_days",
                format!("A token lives between 1 and {MAX_DAYS} days."),
            ));
        }
        let requests_per_minute = rate.unwrap_or(DEFAULT_RATE);
        if !(1..=MAX_RATE).contains(&requests_per_minute) {
            details.push(crate::error::ErrorDetail::field(
                "requests_per_minute",
                format!("The rate must be between 1 and {MAX_RATE} requests a minute."),
            ));
        }
        match scope {
            Some(scope) if details.is_empty() => Ok(NewToken {
                name: name.to_string(),
                scope,
                days,
                requests_per_minute,
            }),
            _ => Err(AppError::invalid(
                "The token was not made; correct the fields named.",
                details,
            )),
        }
    }
}

/// Makes a token; the answer holds the token itself, which is not kept.
pub fn create(conn: &mut DbConn, new: &NewToken, actor: UserId, now: NaiveDateTime) -> AppResult<(Listed, String)> {
    let secret = format!("{PREFIX}{}", random_token());
    let shown: String = secret.chars().take(SHOWN_PREFIX).collect();
    let expires_at = now + Duration::days(new.days);
    conn.transaction(|conn| {
        let id: ServiceTokenId = diesel::insert_into(service_tokens::table)
            .values((
                service_tokens::name.eq(&new.name),
                service_tokens::scope.eq(new.scope),
                service_tokens::token_hash.eq(token_hash(&secret)),
                service_tokens::token_prefix.eq(&shown),
                service_tokens::requests_per_minute.eq(new.requests_per_minute),
                service_tokens::created_by.eq(actor),
                service_tokens::created_at.eq(now),
                service_tokens::expires_at.eq(expires_at),
            ))
            .returning(service_tokens::id)
            .get_result(conn)?;
        let detail = format!(
            "{} ({}, {} requests a minute, expires {})",
            new.name,
            new.scope.label(),
            new.requests_per_minute,
            expires_at.format("%Y-%m-%d")
        );
        audit::record(
            conn,
            audit::Event {
                actor: Some(actor),
                action: "service_token.create",
                entity: "service_token",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok((find(conn, id)?, secret))
    })
}

/// Tokens newest first, `limit` of them, after the id `after` when given.
pub fn list(conn: &mut DbConn, after: Option<ServiceTokenId>, limit: i64) -> AppResult<Vec<Listed>> {
    let mut query = service_tokens::table
        .inner_join(users::table)
        .select((Token::as_select(), users::full_name))
        .order(service_tokens::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(service_tokens::id.lt(after));
    }
    let rows: Vec<(Token, String)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(token, made_by)| Listed { token, made_by })
        .collect())
}

/// One token, or 404.
pub fn find(conn: &mut DbConn, id: ServiceTokenId) -> AppResult<Listed> {
    let found: Option<(Token, String)> = service_tokens::table
        .inner_join(users::table)
        .filter(service_tokens::id.eq(id))
        .select((Token::as_select(), users::full_name))
        .first(conn)
        .optional()?;
    found
        .map(|(token, made_by)| Listed { token, made_by })
        .ok_or_else(|| AppError::NotFound(format!("There is no service token {id}.")))
}

/// Revokes a token at once; a token already revoked is a 409.
pub fn revoke(conn: &mut DbConn, id: ServiceTokenId, actor: UserId, now: NaiveDateTime) -> AppResult<Listed> {
    conn.transaction(|conn| {
        let listed = find(conn, id)?;
        if listed.token.revoked_at.is_some() {
            return Err(AppError::conflict(
                "already_revoked",
                format!("The service token \"{}\" is already revoked.", listed.token.name),
            ));
        }
        let revoked = diesel::update(
            service_tokens::table
                .find(id)
                .filter(service_tokens::revoked_at.is_null()),
        )
        .set((
            service_tokens::revoked_at.eq(Some(now)),
            service_tokens::revoked_by.eq(Some(actor)),
        ))
        .execute(conn)?;
        if revoked == 0 {
            return Err(AppError::conflict(
                "already_revoked",
                format!("The service token \"{}\" is already revoked.", listed.token.name),
            ));
        }
        audit::record(
            conn,
            audit::Event {
                actor: Some(actor),
                action: "service_token.revoke",
                entity: "service_token",
                entity_id: Some(id.0),
                detail: &listed.token.name,
            },
            now,
        )?;
        find(conn, id)
    })
}
