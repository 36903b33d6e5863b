//! Accounts: registration, staff accounts, sessions and profiles (sign-in
//! throttling is in `throttle`, password reset and change in `passwords`). Plain functions over `&mut DbConn`; the handlers call them in
//! blocking tasks.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::{NewSession, NewUser, ProfileRow};
use super::validate::{check_full_name, check_new_password, check_password, ProfileInput};
use crate::audit::{self, Event};
use crate::db::schema::{candidate_profiles, sessions, users};
use crate::db::{DbConn, Role, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::EmailAddress;
use crate::identity::{User, UserRow};
use crate::tokens;

/// A new account's details, checked field by field.
pub struct NewAccount {
    pub email: EmailAddress,
    pub full_name: String,
    pub password: String,
}

impl NewAccount {
    /// Checks the fields of an account created for someone (staff accounts,
    /// the command line): the password needs only its length.
    pub fn parse(email: &str, full_name: &str, password: &str) -> AppResult<NewAccount> {
        NewAccount::parse_with(email, full_name, password, |p, _| check_password(p))
    }

    /// Checks the fields of a registration: the password a person chooses
    /// must also pass the rule against guessable passwords.
    pub fn parse_registration(email: &str, full_name: &str, password: &str) -> AppResult<NewAccount> {
        NewAccount::parse_with(email, full_name, password, check_new_password)
    }

    fn parse_with(
        email: &str,
        full_name: &str,
        password: &str,
        password_rule: impl Fn(&str, &[&str]) -> Result<(), String>,
    ) -> AppResult<NewAccount> {
        let mut errors = Vec::new();
        let email = EmailAddress::parse(email)
            .map_err(|m| errors.push(ErrorDetail::field("email", m)))
            .ok();
        let full_name = check_full_name(full_name)
            .map_err(|m| errors.push(ErrorDetail::field("full_name", m)))
            .ok();
        let personal = [
            email.as_ref().map(EmailAddress::as_str).unwrap_or_default(),
            full_name.as_deref().unwrap_or_default(),
        ];
        if let Err(m) = password_rule(password, &personal) {
            errors.push(ErrorDetail::field("password", m));
        }
        match (email, full_name, errors.is_empty()) {
            (Some(email), Some(full_name), true) => Ok(NewAccount {
                email,
                full_name,
                password: password.to_string(),
            }),
            _ => Err(AppError::invalid("Some fields need fixing; each is listed.", errors)),
        }
    }
}

fn email_taken(email: &EmailAddress) -> AppError {
    AppError::invalid_field(
        "email",
        format!(
            "An account with {} already exists; sign in instead, or use another email.",
            email.as_str()
        ),
    )
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_user(conn: &mut DbConn, id: UserId) -> AppResult<User> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first::<UserRow>(conn)?
        .into())
}

/// Creates an account whose password is already hashed; an address that
/// already has an account is refused, naming the field (for staff accounts,
/// where the administrator may know).
pub fn create_user(
    conn: &mut DbConn,
    account: &NewAccount,
    password_hash: &str,
    role: Role,
    actor: Option<UserId>,
    now: NaiveDateTime,
) -> AppResult<User> {
    try_create_user(conn, account, password_hash, role, actor, now)?.ok_or_else(|| email_taken(&account.email))
}

/// Why an insert did not create the account.
enum NotCreated {
    Taken,
    Failed(AppError),
}

impl From<diesel::result::Error> for NotCreated {
    fn from(e: diesel::result::Error) -> Self {
        match AppError::from(e) {
            // Two registrations racing for one address: the index decides.
            e if e.is_duplicate() => NotCreated::Taken,
            other => NotCreated::Failed(other),
        }
    }
}

impl From<AppError> for NotCreated {
    fn from(e: AppError) -> Self {
        NotCreated::Failed(e)
    }
}

/// Creates an account whose password is already hashed, or answers `None`
/// when the address already has one (registration then says nothing of it).
/// Inside a caller's transaction this is a savepoint, so a lost race for the
/// address rolls back only this and the caller's transaction goes on.
pub fn try_create_user(
    conn: &mut DbConn,
    account: &NewAccount,
    password_hash: &str,
    role: Role,
    actor: Option<UserId>,
    now: NaiveDateTime,
) -> AppResult<Option<User>> {
    let created = conn.transaction(|conn| {
        if find_by_email(conn, account.email.as_str())?.is_some() {
            return Err(NotCreated::Taken);
        }
        let id = diesel::insert_into(users::table)
            .values(NewUser {
                email: account.email.as_str(),
                full_name: &account.full_name,
                role,
                password_hash,
                active: true,
                accommodation_factor: 1.0,
                created_at: now,
            })
            .returning(users::id)
            .get_result::<UserId>(conn)?;
        let detail = format!("created {} account {}", role.as_str(), account.email.as_str());
        audit::record(
            conn,
            Event {
                actor: actor.or(Some(id)),
                action: "user.create",
                entity: "user",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(User {
            id,
            email: account.email.as_str().to_string(),
            full_name: account.full_name.clone(),
            role,
        })
    });
    match created {
        Ok(user) => Ok(Some(user)),
        Err(NotCreated::Taken) => Ok(None),
        Err(NotCreated::Failed(e)) => Err(e),
    }
}

/// Starts a session and returns its token; only the token's hash is kept.
pub fn create_session(conn: &mut DbConn, user_id: UserId, hours: i64, now: NaiveDateTime) -> AppResult<String> {
    let token = tokens::random_token();
    let hash = tokens::token_hash(&token);
    diesel::insert_into(sessions::table)
        .values(NewSession {
            user_id,
            token_hash: &hash,
            created_at: now,
            expires_at: now + Duration::hours(hours),
        })
        .execute(conn)?;
    Ok(token)
}

/// The person a token signs in, if the session is live and the account active.
///
/// Runs on every request, so it avoids `.first()`: SQLite (3.46+) re-prepares
/// a statement whose `LIMIT` is a bound parameter each time it is bound again,
/// which made this lookup cost more than the answer save it guards. The token
/// hash is unique, so there is at most one row anyway.
pub fn end_session(conn: &mut DbConn, token: &str) -> AppResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(tokens::token_hash(token)))).execute(conn)?;
    Ok(())
}

pub fn get_profile(conn: &mut DbConn, user_id: UserId) -> AppResult<Option<ProfileRow>> {
    Ok(candidate_profiles::table
        .find(user_id)
        .select(ProfileRow::as_select())
        .first(conn)
        .optional()?)
}

/// Replaces the profile (a PUT): fields left out are cleared.
pub fn put_profile(
    conn: &mut DbConn,
    user_id: UserId,
    input: &ProfileInput,
    now: NaiveDateTime,
) -> AppResult<ProfileRow> {
    let row = input.validate(user_id, now)?;
    conn.transaction(|conn| {
        let updated = diesel::update(candidate_profiles::table.find(user_id))
            .set(&row)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(candidate_profiles::table)
                .values(&row)
                .execute(conn)?;
        }
        Ok(row)
    })
}

/// Sets a staff or demo account's password, creating the account if needed.
pub fn upsert_with_password(
    conn: &mut DbConn,
    account: &NewAccount,
    password_hash: &str,
    role: Role,
    now: NaiveDateTime,
) -> AppResult<User> {
    match find_by_email(conn, account.email.as_str())? {
        Some(row) => {
            diesel::update(users::table.find(row.id))
                .set((
                    users::password_hash.eq(password_hash),
                    users::role.eq(role),
                    users::active.eq(true),
                ))
                .execute(conn)?;
            find_user(conn, row.id)
        }
        None => create_user(conn, account, password_hash, role, None, now),
    }
}

pub fn list_users(conn: &mut DbConn, role: Option<Role>, after: Option<UserId>, limit: i64) -> AppResult<Vec<User>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(role) = role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    Ok(query.load(conn)?.into_iter().map(User::from).collect())
}
