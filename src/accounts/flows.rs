//! The async steps shared by the web pages and the API: both sign in,
//! register and handle passwords through here, so they cannot disagree.

use super::client::ClientAddr;
use super::service::{self, NewAccount};
use super::validate::{check_new_password, ProfileInput};
use super::{password, passwords, throttle};
use crate::app::AppState;
use crate::db::Role;
use crate::error::{AppError, AppResult};
use crate::identity::EmailAddress;
use crate::identity::{User, UserRow};
use crate::tokens;

/// What registration answers, whether or not the address was new: it must
/// not tell anyone which addresses have accounts.
pub const REGISTRATION_RECEIVED: &str = "Thank you for registering. We have sent an email to the address you gave; \
     sign in with that address and the password you chose.";

/// What a reset request answers, whether or not the address has an account.
pub const RESET_REQUESTED: &str = "If that address has an account, we have sent it a link to choose a new password. \
     The link works once, for an hour; check your spam folder if it does not arrive within a few minutes.";

/// How long a sign-in waits for a place under its address's limit while
/// others from the same address are being checked, before it asks the
/// person to try again.
const PLACE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Claims a throttle slot, waiting while every place under the address's
/// limit is held by a sign-in still being checked (a hall of candidates
/// behind one address signing in at once). Each try is short; between tries
/// the request sleeps, holding no connection.
async fn claim_slot(
    state: &AppState,
    email: &str,
    client: &ClientAddr,
) -> AppResult<(throttle::Claim, Option<UserRow>)> {
    let per_address = state.config.sign_in_failures_per_address;
    let waited_since = std::time::Instant::now();
    loop {
        let email = email.to_string();
        let client = client.clone();
        let now = state.clock.now();
        let claimed = state
            .db(
                move |conn| match throttle::claim(conn, &email, &client, per_address, now)? {
                    throttle::Claimed::Slot(claim) => Ok(Some((claim, service::find_by_email(conn, &email)?))),
                    throttle::Claimed::Busy => Ok(None),
                },
            )
            .await?;
        if let Some(slot) = claimed {
            return Ok(slot);
        }
        if waited_since.elapsed() >= PLACE_WAIT {
            return Err(AppError::Busy {
                message: "Many people are signing in from your network right now. \
                          Please wait a few seconds and sign in again."
                    .into(),
                retry_after_secs: 5,
            });
        }
        // Spread the retries so a queue does not wake all at once.
        let jitter = u64::from(rand::random::<u8>());
        actix_web::rt::time::sleep(std::time::Duration::from_millis(150 + jitter)).await;
    }
}

/// Checks `password` for the account `email`, after claiming a throttle
/// slot (so no more guesses are checked than the limits allow, however many
/// arrive at once). Unknown emails are checked against a dummy hash, so the
/// answer takes as long whether or not the account exists.
async fn check_password(state: &AppState, email: &str, password: &str, client: &ClientAddr) -> AppResult<UserRow> {
    let email = email.trim().to_lowercase();
    let (claim, row) = claim_slot(state, &email, client).await?;
    let row = row.filter(|r| r.active);
    let phc = row
        .as_ref()
        .map(|r| r.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let given = password.to_string();
    let verified = password::verify(given, phc).await;
    match row {
        Some(row) if verified => {
            state.db(move |conn| throttle::succeeded(conn, &claim)).await?;
            Ok(row)
        }
        _ => {
            // The claimed slot becomes a settled failure.
            state.db(move |conn| throttle::failed(conn, &claim)).await?;
            Err(AppError::InvalidCredentials)
        }
    }
}

/// Checks the password (throttled) and starts a session.
pub async fn sign_in(state: &AppState, email: &str, password: &str, client: &ClientAddr) -> AppResult<(User, String)> {
    let row = check_password(state, email, password, client).await?;
    let user = User::from(row);
    let user_id = user.id;
    let hours = state.config.session_hours;
    let now = state.clock.now();
    let token = state
        .db(move |conn| service::create_session(conn, user_id, hours, now))
        .await?;
    Ok((user, token))
}

/// Registers a candidate (with an optional profile) and emails them. When
/// the address already has an account nothing is created and its owner is
/// emailed instead; the caller answers the same either way, and both ways
/// take the time of one password hash.
pub async fn register(state: &AppState, account: NewAccount, profile: Option<ProfileInput>) -> AppResult<()> {
    let now = state.clock.now();
    if let Some(profile) = &profile {
        // Validate before the slow hash, so a bad field answers at once.
        profile.validate(crate::db::UserId(0), now)?;
    }
    let plain = account.password.clone();
    let hash = password::hash(plain).await?;
    let mail_ctx = crate::mail::MailContext::from(state.config.as_ref());
    state
        .db(move |conn| {
            conn.transaction(|conn| {
                match service::try_create_user(conn, &account, &hash, Role::Candidate, None, now)? {
                    Some(user) => {
                        if let Some(profile) = &profile {
                            service::put_profile(conn, user.id, profile, now)?;
                        }
                        crate::notices::queue_welcome(conn, &mail_ctx, &user, now)?;
                    }
                    None => {
                        if let Some(row) = service::find_by_email(conn, account.email.as_str())? {
                            let existing = User::from(row);
                            passwords::queue_registration_attempt(conn, &mail_ctx, &existing, now)?;
                        }
                    }
                }
                Ok(())
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

/// Parses the address a reset is asked for; a malformed one is refused
/// (that says nothing about which addresses have accounts).
pub fn reset_address(email: &str) -> AppResult<EmailAddress> {
    EmailAddress::parse(email).map_err(|m| AppError::invalid_field("email", m))
}

/// Emails a reset link if the address has an account; the caller answers
/// `RESET_REQUESTED` either way.
pub async fn request_reset(state: &AppState, email: EmailAddress) -> AppResult<()> {
    let now = state.clock.now();
    let ctx = crate::mail::MailContext::from(state.config.as_ref());
    state
        .db(move |conn| passwords::request_reset(conn, &ctx, email.as_str(), now))
        .await
}

fn new_password_rule(field: &str, password: &str, user: &User) -> AppResult<()> {
    check_new_password(password, &[&user.email, &user.full_name]).map_err(|m| AppError::invalid_field(field, m))
}

/// Sets a new password with a reset link's token; every session of the
/// person ends.
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> AppResult<User> {
    let now = state.clock.now();
    let lookup = token.to_string();
    let user = state
        .db(move |conn| passwords::reset_target(conn, &lookup, now))
        .await?
        .ok_or_else(passwords::link_refused)?;
    new_password_rule("password", new_password, &user)?;
    let plain = new_password.to_string();
    let hash = password::hash(plain).await?;
    let token = token.to_string();
    let now = state.clock.now();
    let user = state
        .db(move |conn| passwords::complete_reset(conn, &token, &hash, now))
        .await?;
    state.sessions.forget_sessions_of(user.id, None, now);
    Ok(user)
}

/// Changes a signed-in person's password after checking the current one
/// (throttled like a sign-in, so a borrowed session cannot be used to guess
/// it). Their other sessions end; `keep_token`, the one in use, goes on.
pub async fn change_password(
    state: &AppState,
    user: &User,
    current: &str,
    new_password: &str,
    keep_token: Option<String>,
    client: &ClientAddr,
) -> AppResult<()> {
    new_password_rule("new_password", new_password, user)?;
    if current == new_password {
        return Err(AppError::invalid_field(
            "new_password",
            "The new password is the same as the current one; choose another.",
        ));
    }
    match check_password(state, &user.email, current, client).await {
        Ok(_) => {}
        Err(AppError::InvalidCredentials) => {
            return Err(AppError::invalid_field(
                "current_password",
                "That is not your current password.",
            ))
        }
        Err(e) => return Err(e),
    }
    let plain = new_password.to_string();
    let hash = password::hash(plain).await?;
    let keep = keep_token.map(|t| tokens::token_hash(&t));
    let now = state.clock.now();
    let changed = user.clone();
    let kept = keep.clone();
    state
        .db(move |conn| passwords::change_password(conn, &changed, &hash, kept.as_deref(), now))
        .await?;
    state.sessions.forget_sessions_of(user.id, keep.as_deref(), now);
    Ok(())
}
