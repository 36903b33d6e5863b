//! More time, always with a reason in the audit log: a person's
//! accommodation factor (every later attempt's time is multiplied by it) and
//! one open attempt's extension.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::AttemptRow;
use crate::db::schema::{attempts, users};
use crate::db::{AttemptId, AttemptStatus, DbConn, UserId};
use crate::error::{AppError, AppResult};

/// Sets a person's accommodation factor (for example 1.25) with a reason.
pub fn set_accommodation(
    conn: &mut DbConn,
    user_id: UserId,
    factor: f64,
    reason: &str,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<()> {
    if !(1.0..=3.0).contains(&factor) {
        return Err(AppError::invalid_field("factor", "The factor must be from 1.0 to 3.0."));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid_field("reason", "Say why the accommodation is given."));
    }
    conn.transaction(|conn| {
        let n = diesel::update(users::table.find(user_id))
            .set(users::accommodation_factor.eq(factor))
            .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound(format!("There is no user {user_id}.")));
        }
        let detail = format!("accommodation factor {factor}: {}", reason.trim());
        crate::audit::record(
            conn,
            crate::audit::Event {
                actor: Some(actor),
                action: "user.accommodation",
                entity: "user",
                entity_id: Some(user_id.0),
                detail: &detail,
            },
            now,
        )
    })
}

/// Gives one open attempt more time, with a reason.
pub fn extend(
    conn: &mut DbConn,
    id: AttemptId,
    minutes: i64,
    reason: &str,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<NaiveDateTime> {
    if !(1..=600).contains(&minutes) {
        return Err(AppError::invalid_field("minutes", "Extend by 1 to 600 minutes."));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid_field("reason", "Say why the attempt is extended."));
    }
    conn.transaction(|conn| {
        let attempt: AttemptRow = attempts::table.find(id).select(AttemptRow::as_select()).first(conn)?;
        if attempt.status != AttemptStatus::Open {
            return Err(AppError::conflict(
                "already_submitted",
                "Only an open attempt can be extended.",
            ));
        }
        let deadline = attempt.deadline + Duration::minutes(minutes);
        diesel::update(attempts::table.find(id))
            .set(attempts::deadline.eq(deadline))
            .execute(conn)?;
        let detail = format!("extended by {minutes} min: {}", reason.trim());
        crate::audit::record(
            conn,
            crate::audit::Event {
                actor: Some(actor),
                action: "attempt.extend",
                entity: "attempt",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(deadline)
    })
}
