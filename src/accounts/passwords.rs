//! Keeping an account: password reset by email, password change, and the
//! email to an address's owner when someone tries to register it again.
//! Plain functions over `&mut DbConn`, like `service`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{service, throttle};
use crate::audit::{self, Event};
use crate::db::schema::{password_resets, sessions, users};
use crate::db::{DbConn, UserId};
use crate::error::{AppError, AppResult};
use crate::identity::{User, UserRow};
use crate::mail::MailContext;
use crate::notices::templates::{Mail, PasswordReset, RegistrationAttempt};
use crate::tokens;

/// How long a reset link works.
pub const RESET_LINK_MINUTES: i64 = 60;

/// At most one reset email per account this often: asking again sooner
/// answers the same but sends nothing, so the form cannot flood a mailbox.
/// The earlier link still works.
pub const RESET_EMAIL_INTERVAL_MINUTES: i64 = 5;

pub fn link_refused() -> AppError {
    AppError::invalid_field(
        "token",
        "This reset link has expired or has already been used; ask for a new one.",
    )
}

/// Sends a reset link when `email` names an active account; does nothing
/// otherwise. The caller answers the same either way.
pub fn request_reset(conn: &mut DbConn, ctx: &MailContext, email: &str, now: NaiveDateTime) -> AppResult<()> {
    conn.transaction(|conn| {
        let Some(row) = service::find_by_email(conn, email)?.filter(|r| r.active) else {
            return Ok(());
        };
        let recent: i64 = password_resets::table
            .filter(password_resets::user_id.eq(row.id))
            .filter(password_resets::created_at.gt(now - Duration::minutes(RESET_EMAIL_INTERVAL_MINUTES)))
            .count()
            .get_result(conn)?;
        if recent > 0 {
            return Ok(());
        }
        let token = tokens::random_token();
        let id = diesel::insert_into(password_resets::table)
            .values((
                password_resets::user_id.eq(row.id),
                password_resets::token_hash.eq(tokens::token_hash(&token)),
                password_resets::created_at.eq(now),
                password_resets::expires_at.eq(now + Duration::minutes(RESET_LINK_MINUTES)),
            ))
            .returning(password_resets::id)
            .get_result::<i32>(conn)?;
        let user = User::from(row);
        let mail = PasswordReset {
            ctx,
            name: &user.full_name,
            link: format!("{}/password/reset?token={token}", ctx.base_url),
            valid_minutes: RESET_LINK_MINUTES,
        }
        .render_mail()?;
        crate::notices::queue(conn, &format!("password_reset:{id}"), &(&user).into(), &mail, now)?;
        Ok(())
    })
}

/// The account a reset token opens, while the token is unused and unexpired.
pub fn reset_target(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> AppResult<Option<User>> {
    let row = password_resets::table
        .inner_join(users::table)
        .filter(password_resets::token_hash.eq(tokens::token_hash(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(User::from))
}

/// Uses a reset token to set a new (already hashed) password. The token is
/// checked and spent in one guarded update, so of two uses at once only one
/// succeeds. Every session of the person ends and every other reset link of
/// theirs stops working.
pub fn complete_reset(conn: &mut DbConn, token: &str, password_hash: &str, now: NaiveDateTime) -> AppResult<User> {
    conn.transaction(|conn| {
        let spent: Vec<UserId> = diesel::update(
            password_resets::table
                .filter(password_resets::token_hash.eq(tokens::token_hash(token)))
                .filter(password_resets::used_at.is_null())
                .filter(password_resets::expires_at.gt(now)),
        )
        .set(password_resets::used_at.eq(Some(now)))
        .returning(password_resets::user_id)
        .get_results(conn)?;
        let Some(user_id) = spent.into_iter().next() else {
            return Err(link_refused());
        };
        let user = service::find_user(conn, user_id)?;
        let active: bool = users::table.find(user_id).select(users::active).first(conn)?;
        if !active {
            return Err(link_refused());
        }
        set_password(conn, &user, password_hash, None, "user.password_reset", now)?;
        // Whoever reads the mailbox is the owner: the account starts afresh.
        throttle::forgive_account(conn, &user.email)?;
        Ok(user)
    })
}

/// Sets a new (already hashed) password for a signed-in person and ends
/// their other sessions, keeping the one whose token hash is `keep`.
pub fn change_password(
    conn: &mut DbConn,
    user: &User,
    password_hash: &str,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    conn.transaction(|conn| set_password(conn, user, password_hash, keep, "user.password_change", now))
}

fn set_password(
    conn: &mut DbConn,
    user: &User,
    password_hash: &str,
    keep_session: Option<&str>,
    action: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(users::table.find(user.id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)?;
    match keep_session {
        Some(keep) => diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(user.id))
                .filter(sessions::token_hash.ne(keep)),
        )
        .execute(conn)?,
        None => diesel::delete(sessions::table.filter(sessions::user_id.eq(user.id))).execute(conn)?,
    };
    // A link mailed before the change must not undo it.
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user.id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(now)))
    .execute(conn)?;
    audit::record(
        conn,
        Event {
            actor: Some(user.id),
            action,
            entity: "user",
            entity_id: Some(user.id.0),
            detail: "password changed; other sessions ended",
        },
        now,
    )
}

/// Tells the owner of `existing` that someone tried to register their
/// address. At most one such email an hour per account (the event key
/// carries the hour), so repeated tries cannot flood the mailbox.
pub fn queue_registration_attempt(
    conn: &mut DbConn,
    ctx: &MailContext,
    existing: &User,
    now: NaiveDateTime,
) -> AppResult<()> {
    let mail = RegistrationAttempt {
        ctx,
        name: &existing.full_name,
        reset_link: format!("{}/password/forgot", ctx.base_url),
    }
    .render_mail()?;
    let key = format!("registration_attempt:user:{}:{}", existing.id, now.format("%Y%m%d%H"));
    crate::notices::queue(conn, &key, &existing.into(), &mail, now)?;
    Ok(())
}
