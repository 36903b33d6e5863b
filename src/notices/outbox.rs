//! Sending what is due: claim a batch, send each, record every try.
//!
//! A claim marks notices `sending` with a lease (`claimed_until`), in one
//! statement. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so
//! several servers draining one outbox never pick the same notice; on SQLite
//! the single writer gives the same guarantee. A sender that dies mid-batch
//! leaves its notices `sending` until the lease lapses, then they are due
//! again.

use std::sync::Arc;
use std::time::{Duration as StdDuration, SystemTime};

use chrono::{Duration, NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use super::store::{self, Notice};
use crate::clock::Clock;
use crate::db::schema::{notice_tries, notices};
use crate::db::{Backend, DbConn, NoticeId, NoticeStatus, Pool};
use crate::error::AppResult;
use crate::mail::Mailer;
use crate::mail::SendError;
use crate::on_backend;

/// Delays before the 2nd, 3rd, … try: about 1 min, 5 min, 30 min, 2 h, 6 h.
const BACKOFF_MINUTES: [i64; 5] = [1, 5, 30, 120, 360];

/// The first try plus one retry per backoff step; after the last, `failed`.
pub const MAX_TRIES: i32 = 6;
// Written out because a const cannot turn a length into an `i32` without
// `as`; this keeps it in step with the schedule at compile time.
const _: () = assert!(BACKOFF_MINUTES.len() + 1 == 6);

/// Notices claimed at once: small enough that a batch is sent well within
/// the lease even when every try runs into the SMTP timeout.
const BATCH: i64 = 10;

/// How long a claim holds. Longer than a batch can take to send.
const LEASE_MINUTES: i64 = 10;

/// How often the worker in `assay serve` looks for due notices.
pub const WORKER_INTERVAL: StdDuration = StdDuration::from_secs(2);

/// What one drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainSummary {
    pub sent: usize,
    pub failed: usize,
    pub retrying: usize,
}

impl DrainSummary {
    pub fn is_empty(&self) -> bool {
        self.sent + self.failed + self.retrying == 0
    }
}

/// When the next try is due after `tries` failed ones, or `None` when that
/// was the last.
pub fn backoff_after(tries: i32) -> Option<Duration> {
    let step = usize::try_from(tries).ok()?.checked_sub(1)?;
    BACKOFF_MINUTES.get(step).map(|m| Duration::minutes(*m))
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// `$1` lease end, `$2` now, `$3` batch size. SQLite numbers parameters in
/// order of first appearance, so they appear here in numeric order.
/// The statuses are bound from `NoticeStatus` (`$1` sending, `$3` queued), so
/// no status is spelled outside the enum. Parameters first appear in number
/// order: SQLite numbers `$name` parameters by first appearance.
const CLAIM_POSTGRES: &str = "UPDATE notices SET status = $1, claimed_until = $2 \
     WHERE id IN (SELECT id FROM notices \
        WHERE (status = $3 AND next_try_at <= $4) OR (status = $1 AND claimed_until < $4) \
        ORDER BY next_try_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) \
     RETURNING id";

const CLAIM_SQLITE: &str = "UPDATE notices SET status = $1, claimed_until = $2 \
     WHERE id IN (SELECT id FROM notices \
        WHERE (status = $3 AND next_try_at <= $4) OR (status = $1 AND claimed_until < $4) \
        ORDER BY next_try_at, id LIMIT $5) \
     RETURNING id";

/// A claimed notice and the lease it was claimed under.
pub struct Claim {
    pub notice: Notice,
    pub lease: NaiveDateTime,
}

/// Claims up to `limit` due notices for this sender.
pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> AppResult<Vec<Claim>> {
    // Whole milliseconds: PostgreSQL keeps microseconds, and `record_try`
    // finds its claim by comparing this value.
    let lease = (now + Duration::minutes(LEASE_MINUTES)).trunc_subsecs(3);
    let sql = match conn.backend() {
        Backend::Postgres => CLAIM_POSTGRES,
        Backend::Sqlite => CLAIM_SQLITE,
    };
    let claimed: Vec<Claimed> = on_backend!(conn, c => diesel::sql_query(sql)
        .bind::<Text, _>(NoticeStatus::Sending.as_str())
        .bind::<Timestamp, _>(lease)
        .bind::<Text, _>(NoticeStatus::Queued.as_str())
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c))?;
    let mut ids: Vec<NoticeId> = claimed.into_iter().map(|c| NoticeId(c.id)).collect();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            Ok(Claim {
                notice: store::find(conn, id)?,
                lease,
            })
        })
        .collect()
}

/// How one try ended, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Retrying,
    Failed,
    /// Another sender took the notice over after this one's lease lapsed;
    /// the try is recorded, the notice left to that sender.
    LeaseLost,
}

/// Records one try and moves the notice on: sent, queued again after the
/// backoff, or failed after the last try or a permanent refusal.
pub fn record_try(
    conn: &mut DbConn,
    claim: &Claim,
    result: Result<(), SendError>,
    now: NaiveDateTime,
) -> AppResult<Outcome> {
    let id = claim.notice.id;
    let tries = claim.notice.tries.saturating_add(1);
    let permanent = result.as_ref().is_err_and(|e| e.permanent);
    let error = result.err().map(|e| shorten(&e.message));
    conn.transaction(|conn| {
        diesel::insert_into(notice_tries::table)
            .values((
                notice_tries::notice_id.eq(id),
                notice_tries::tried_at.eq(now),
                notice_tries::succeeded.eq(error.is_none()),
                notice_tries::error.eq(&error),
            ))
            .execute(conn)?;
        let mine = notices::table
            .find(id)
            .filter(notices::status.eq(NoticeStatus::Sending))
            .filter(notices::claimed_until.eq(claim.lease));
        let (changed, outcome) = match &error {
            None => {
                let changed = diesel::update(mine)
                    .set((
                        notices::status.eq(NoticeStatus::Sent),
                        notices::tries.eq(tries),
                        notices::sent_at.eq(Some(now)),
                        notices::claimed_until.eq(None::<NaiveDateTime>),
                        notices::last_error.eq(None::<String>),
                    ))
                    .execute(conn)?;
                (changed, Outcome::Sent)
            }
            Some(error) => {
                let retry = backoff_after(tries).filter(|_| !permanent);
                let (status, next, outcome) = match retry {
                    Some(delay) => (NoticeStatus::Queued, now + delay, Outcome::Retrying),
                    None => (NoticeStatus::Failed, claim.notice.next_try_at, Outcome::Failed),
                };
                if outcome == Outcome::Failed {
                    announce_failure(conn, &claim.notice, error, now)?;
                }
                let changed = diesel::update(mine)
                    .set((
                        notices::status.eq(status),
                        notices::tries.eq(tries),
                        notices::next_try_at.eq(next),
                        notices::claimed_until.eq(None::<NaiveDateTime>),
                        notices::last_error.eq(Some(error)),
                    ))
                    .execute(conn)?;
                (changed, outcome)
            }
        };
        Ok(if changed == 1 { outcome } else { Outcome::LeaseLost })
    })
}

/// The resource of the `notice.failed` webhook.
#[derive(serde::Serialize)]
struct FailedNotice<'a> {
    notice_id: NoticeId,
    kind: &'a str,
    recipient_id: Option<crate::db::UserId>,
    recipient_email: &'a str,
    subject: &'a str,
    error: &'a str,
}

/// Tells the webhook endpoints that an email was given up on, in the
/// transaction that records it.
fn announce_failure(conn: &mut DbConn, notice: &Notice, error: &str, now: NaiveDateTime) -> AppResult<()> {
    let failed = FailedNotice {
        notice_id: notice.id,
        kind: &notice.kind,
        recipient_id: notice.recipient_id,
        recipient_email: &notice.recipient_email,
        subject: &notice.subject,
        error,
    };
    crate::webhooks::emit(conn, crate::db::WebhookEvent::NoticeFailed, &failed, now)?;
    Ok(())
}

/// An SMTP server's answer can be long; the admin page needs the gist.
fn shorten(error: &str) -> String {
    const MAX: usize = 1000;
    match error.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &error[..cut]),
        None => error.to_string(),
    }
}

/// What the outbox worker needs: the database, the clock and the mailer;
/// not the web server's state.
#[derive(Clone)]
pub struct Outbox {
    pub pool: Pool,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
}

impl Outbox {
    async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        crate::db::blocking(&self.pool, f).await
    }
}

/// Sends everything due now, batch after batch, and says what happened.
/// Errs only when the database fails; a failed send is a recorded try.
pub async fn drain_once(outbox: &Outbox) -> AppResult<DrainSummary> {
    let mut summary = DrainSummary::default();
    let mut session = None;
    loop {
        let now = outbox.clock.now();
        let batch = outbox.db(move |conn| claim_due(conn, now, BATCH)).await?;
        if batch.is_empty() {
            break;
        }
        let session = session.get_or_insert_with(|| outbox.mailer.session());
        for claim in batch {
            let date = SystemTime::from(outbox.clock.now().and_utc());
            let result = session.send(&claim.notice.outgoing(), date).await;
            if let Err(e) = &result {
                tracing::warn!(notice = %claim.notice.id, error = %e.message, permanent = e.permanent,
                    "a notice could not be sent");
            }
            let now = outbox.clock.now();
            let outcome = outbox.db(move |conn| record_try(conn, &claim, result, now)).await?;
            match outcome {
                Outcome::Sent => summary.sent += 1,
                Outcome::Retrying => summary.retrying += 1,
                Outcome::Failed => summary.failed += 1,
                Outcome::LeaseLost => tracing::warn!("a notice's claim lapsed while it was being sent"),
            }
        }
    }
    if let Some(session) = session {
        session.close().await;
    }
    Ok(summary)
}

/// Drains the outbox every couple of seconds for as long as the server runs.
/// Each round runs as its own task, so even a panic costs one round, not the
/// worker.
pub fn spawn_worker(outbox: Outbox) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(WORKER_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let round = outbox.clone();
            let finished = actix_web::rt::spawn(async move { drain_once(&round).await }).await;
            match finished {
                Ok(Ok(summary)) if summary.is_empty() => {}
                Ok(Ok(s)) => tracing::info!(sent = s.sent, retrying = s.retrying, failed = s.failed, "notices sent"),
                Ok(Err(e)) => tracing::error!(error = %e.chain(), "sending notices failed; trying again shortly"),
                Err(e) => tracing::error!(error = %e, "the notice sender stopped unexpectedly; restarting it"),
            }
        }
    })
}
