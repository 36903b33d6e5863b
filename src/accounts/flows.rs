//! The async steps shared by the web pages and the API: both sign in and
//! register through here, so they cannot disagree.

use super::models::{Role, User};
use super::password;
use super::service::{self, NewAccount};
use super::validate::ProfileInput;
use crate::error::{AppError, AppResult};
use crate::web::AppState;

/// Checks the throttle, verifies the password in a blocking task (against a
/// dummy hash for unknown emails) and starts a session.
pub async fn sign_in(state: &AppState, email: &str, password: &str) -> AppResult<(User, String)> {
    let email = email.trim().to_lowercase();
    let now = state.clock.now();
    let lookup_email = email.clone();
    let row = state
        .db(move |conn| {
            service::check_throttle(conn, &lookup_email, now)?;
            service::find_by_email(conn, &lookup_email)
        })
        .await?;
    let row = row.filter(|r| r.active);
    let phc = row
        .as_ref()
        .map(|r| r.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let given = password.to_string();
    let verified = password::verify(given, phc).await;
    let hours = state.config.session_hours;
    match (row, verified) {
        (Some(row), true) => {
            let user: User = row.try_into()?;
            let user_id = user.id;
            let token = state
                .db(move |conn| {
                    service::clear_failures(conn, &email)?;
                    service::create_session(conn, user_id, hours, now)
                })
                .await?;
            Ok((user, token))
        }
        _ => {
            state.db(move |conn| service::record_failure(conn, &email, now)).await?;
            Err(AppError::InvalidCredentials)
        }
    }
}

/// Registers a candidate (with an optional profile) and signs them in.
pub async fn register(
    state: &AppState,
    account: NewAccount,
    profile: Option<ProfileInput>,
) -> AppResult<(User, String)> {
    let now = state.clock.now();
    if let Some(profile) = &profile {
        // Validate before the slow hash, so a bad field answers at once.
        profile.validate(crate::db::UserId(0), now)?;
    }
    let plain = account.password.clone();
    let hash = password::hash(plain).await?;
    let hours = state.config.session_hours;
    let mail_ctx = crate::notices::MailContext::from(state.config.as_ref());
    state
        .db(move |conn| {
            conn.transaction(|conn| {
                let user = service::create_user(conn, &account, &hash, Role::Candidate, None, now)?;
                if let Some(profile) = &profile {
                    service::put_profile(conn, user.id, profile, now)?;
                }
                crate::notices::queue_welcome(conn, &mail_ctx, &user, now)?;
                let token = service::create_session(conn, user.id, hours, now)?;
                Ok((user, token))
            })
        })
        .await
}

/// Creates a staff account (admin page and `assay user add`).
pub async fn add_staff(
    state: &AppState,
    account: NewAccount,
    role: Role,
    actor: Option<crate::db::UserId>,
) -> AppResult<User> {
    let now = state.clock.now();
    let plain = account.password.clone();
    let hash = password::hash(plain).await?;
    state
        .db(move |conn| service::create_user(conn, &account, &hash, role, actor, now))
        .await
}
