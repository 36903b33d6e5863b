//! Sign-in throttling, kept in the database so that every server sharing it
//! enforces the same limits: at most `MAX_FAILURES_PER_ACCOUNT` failed
//! sign-ins per account and `Config::sign_in_failures_per_address` per client
//! address in any `WINDOW_MINUTES`.
//!
//! A sign-in first claims a slot. In one transaction, serialised per address
//! and per account, it counts the recent failures and, while both are under
//! their limits, records this attempt as a failure *before* the password is
//! checked; a right password then deletes that record again. Checking first
//! and recording after the slow hash, as before, let parallel guesses all
//! pass a check made before any of them was recorded (24 of 40 were tried).
//!
//! A claimed slot is `pending` until its password is checked. Against the
//! per-address limit a pending slot holds a place but is not a failure: when
//! the places are all taken by sign-ins still being checked, the next one
//! waits for a place (`Claimed::Busy`; the caller retries) instead of being
//! refused, so a hall of candidates behind one NAT address queues rather
//! than reading "too many failed sign-ins". Guesses still never outnumber
//! the limit: settled failures plus pending slots never pass it. A slot left
//! pending by a server that died counts as a failure after `PENDING_SECS`.
//!
//! Serialised how: on PostgreSQL by transaction-scoped advisory locks on the
//! address and then the account (always in that order, so two sign-ins cannot
//! wait on each other), which hold across every server on the database; on
//! SQLite by the single writer (`DbConn::transaction` begins `IMMEDIATE`).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use sha2::{Digest, Sha256};

use super::client::ClientAddr;
use crate::db::schema::login_failures;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const WINDOW_MINUTES: i64 = 15;
/// How long a slot may stay pending before it counts as a failure: far
/// longer than any password check, even one queued behind a burst.
pub const PENDING_SECS: i64 = 120;

/// What a claim got: a slot, or a wait because every place under the
/// per-address limit is held by a sign-in still being checked.
#[derive(Debug)]
pub enum Claimed {
    Slot(Claim),
    Busy,
}

/// A claimed sign-in slot: the failure recorded for it, until the password
/// turns out right.
#[derive(Debug)]
pub struct Claim {
    failure_id: i32,
    email: String,
}

/// A lock key for PostgreSQL's advisory locks: 64 bits of a hash of `what`.
fn lock_key(what: &str) -> i64 {
    let digest = Sha256::digest(format!("assay:sign-in:{what}").as_bytes());
    let mut bytes = [0u8; 8];
    for (b, d) in bytes.iter_mut().zip(digest.iter()) {
        *b = *d;
    }
    i64::from_be_bytes(bytes)
}

fn lock(conn: &mut DbConn, what: &str) -> AppResult<()> {
    if let DbConn::Postgres(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(lock_key(what))
            .execute(c)?;
    }
    Ok(())
}

fn minutes(wait_secs: i64) -> String {
    let minutes = (wait_secs + 59) / 60;
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

/// The refusal when `recent` (newest first, at most `limit` of them) has
/// reached `limit`: the window frees up when the oldest of them ages out.
fn over_limit(recent: &[NaiveDateTime], limit: i64, now: NaiveDateTime, what: &str) -> Option<AppError> {
    if crate::convert::len_i64(recent.len()) < limit {
        return None;
    }
    let oldest = recent.iter().min().copied().unwrap_or(now);
    let wait = (oldest + Duration::minutes(WINDOW_MINUTES) - now).num_seconds().max(1);
    Some(AppError::Throttled {
        message: format!("Too many failed sign-ins {what}. Try again in {}.", minutes(wait)),
        retry_after_secs: wait.unsigned_abs(),
    })
}

/// Claims a sign-in slot for `email` from `client`, says to wait for a
/// place, or says how long to wait because of failures.
pub fn claim(
    conn: &mut DbConn,
    email: &str,
    client: &ClientAddr,
    per_address: i64,
    now: NaiveDateTime,
) -> AppResult<Claimed> {
    let email = email.trim().to_lowercase();
    let addr = client.as_str().to_string();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    conn.transaction(|conn| {
        lock(conn, &format!("addr:{addr}"))?;
        lock(conn, &format!("email:{email}"))?;
        // What has aged out is of no further use to either count.
        diesel::delete(
            login_failures::table
                .filter(login_failures::failed_at.le(since))
                .filter(
                    login_failures::client_addr
                        .eq(&addr)
                        .or(login_failures::email.eq(&email)),
                ),
        )
        .execute(conn)?;
        if address_is_full(conn, &addr, per_address, now)? {
            return Ok(Claimed::Busy);
        }
        let by_account: Vec<NaiveDateTime> = login_failures::table
            .filter(login_failures::email.eq(&email))
            .filter(login_failures::cleared.eq(false))
            .filter(login_failures::failed_at.gt(since))
            .select(login_failures::failed_at)
            .order(login_failures::failed_at.desc())
            .limit(MAX_FAILURES_PER_ACCOUNT)
            .load(conn)?;
        if let Some(refusal) = over_limit(&by_account, MAX_FAILURES_PER_ACCOUNT, now, "for this email") {
            return Err(refusal);
        }
        let failure_id = diesel::insert_into(login_failures::table)
            .values((
                login_failures::email.eq(&email),
                login_failures::client_addr.eq(&addr),
                login_failures::failed_at.eq(now),
                login_failures::cleared.eq(false),
                login_failures::pending.eq(true),
            ))
            .returning(login_failures::id)
            .get_result::<i32>(conn)?;
        Ok(Claimed::Slot(Claim {
            failure_id,
            email: email.clone(),
        }))
    })
}

/// Refuses when the address's settled failures reach the limit; answers
/// `true` (wait for a place) when they and the sign-ins still being checked
/// together do.
fn address_is_full(conn: &mut DbConn, addr: &str, per_address: i64, now: NaiveDateTime) -> AppResult<bool> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let abandoned = now - Duration::seconds(PENDING_SECS);
    // One read, so both counts come from one snapshot: on PostgreSQL each
    // statement sees the latest commits, and a slot settled between two
    // reads was counted in neither (31 guesses checked against a limit of 30).
    let recent: Vec<(NaiveDateTime, bool)> = login_failures::table
        .filter(login_failures::client_addr.eq(addr))
        .filter(login_failures::failed_at.gt(since))
        .select((login_failures::failed_at, login_failures::pending))
        .order(login_failures::failed_at.desc())
        .load(conn)?;
    let (in_flight, settled): (Vec<_>, Vec<_>) = recent
        .into_iter()
        .partition(|(at, pending)| *pending && *at > abandoned);
    // The newest `per_address`: the wait is until the oldest of them ages out.
    let settled: Vec<NaiveDateTime> = settled
        .into_iter()
        .map(|(at, _)| at)
        .take(usize::try_from(per_address).unwrap_or(usize::MAX))
        .collect();
    if let Some(refusal) = over_limit(&settled, per_address, now, "from your network") {
        return Err(refusal);
    }
    Ok(crate::convert::len_i64(settled.len() + in_flight.len()) >= per_address)
}

/// The password was wrong: the pending slot becomes a settled failure.
pub fn failed(conn: &mut DbConn, claim: &Claim) -> AppResult<()> {
    diesel::update(login_failures::table.find(claim.failure_id))
        .set(login_failures::pending.eq(false))
        .execute(conn)?;
    Ok(())
}

/// The password was right: this attempt was no failure, and the account's
/// earlier failures are forgiven. They still count against the addresses
/// they came from, so signing in to one's own account does not reset a
/// spray of guesses at others.
pub fn succeeded(conn: &mut DbConn, claim: &Claim) -> AppResult<()> {
    conn.transaction(|conn| {
        diesel::delete(login_failures::table.find(claim.failure_id)).execute(conn)?;
        diesel::update(
            login_failures::table
                .filter(login_failures::email.eq(&claim.email))
                .filter(login_failures::cleared.eq(false)),
        )
        .set(login_failures::cleared.eq(true))
        .execute(conn)?;
        Ok(())
    })
}

/// After a password reset the account starts afresh: its owner proved
/// control of the mailbox.
pub fn forgive_account(conn: &mut DbConn, email: &str) -> AppResult<()> {
    diesel::update(
        login_failures::table
            .filter(login_failures::email.eq(email.trim().to_lowercase()))
            .filter(login_failures::cleared.eq(false)),
    )
    .set(login_failures::cleared.eq(true))
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_until_the_oldest_counted_failure_ages_out() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        let recent = [now - Duration::minutes(1), now - Duration::minutes(10)];
        assert!(over_limit(&recent[..1], 2, now, "x").is_none());
        match over_limit(&recent, 2, now, "for this email") {
            Some(AppError::Throttled {
                message,
                retry_after_secs,
            }) => {
                assert_eq!(retry_after_secs, 5 * 60);
                assert_eq!(
                    message,
                    "Too many failed sign-ins for this email. Try again in 5 minutes."
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn lock_keys_differ_for_address_and_account_of_the_same_text() {
        assert_ne!(lock_key("addr:x"), lock_key("email:x"));
        assert_eq!(lock_key("addr:x"), lock_key("addr:x"));
    }
}
