//! Posting what is due: claim a batch, post each, record every try. The
//! claim and its lease work as the email outbox's (`notices::outbox`): on
//! PostgreSQL rows are picked `FOR UPDATE SKIP LOCKED`, so several servers
//! never post one delivery at once; a sender that dies leaves its claims to
//! lapse. Delivery is at least once: a receiver that answered 2xx after the
//! lease lapsed may see the event again, with the same event id.

use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use super::store::{self, Delivery};
use super::{guard, signature, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER};
use crate::clock::Clock;
use crate::db::schema::{webhook_deliveries, webhook_tries};
use crate::db::{Backend, DbConn, DeliveryId, DeliveryStatus, Pool};
use crate::error::AppResult;
use crate::on_backend;

/// Delays before the 2nd, 3rd, … try: about 1 min, 5 min, 30 min, 2 h, 6 h.
const BACKOFF_MINUTES: [i64; 5] = [1, 5, 30, 120, 360];

/// The first try plus one retry per backoff step; after the last, `failed`.
pub const MAX_TRIES: i32 = 6;
const _: () = assert!(BACKOFF_MINUTES.len() + 1 == 6);

/// Deliveries claimed at once: a batch of tries that all time out still
/// ends well within the lease.
const BATCH: i64 = 10;
const LEASE_MINUTES: i64 = 10;

/// How long one receiver may take to answer before the try counts as
/// failed: a slow receiver costs the worker this much, never a request.
pub const TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// How often the worker in `assay serve` looks for due deliveries.
pub const WORKER_INTERVAL: StdDuration = StdDuration::from_secs(2);

/// When the next try is due after `tries` failed ones, or `None` after the last.
pub fn backoff_after(tries: i32) -> Option<Duration> {
    let step = usize::try_from(tries).ok()?.checked_sub(1)?;
    BACKOFF_MINUTES.get(step).map(|m| Duration::minutes(*m))
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// `$1` sending, `$2` lease end, `$3` queued, `$4` now, `$5` batch size;
/// they first appear in number order, as SQLite numbers them.
const CLAIM_POSTGRES: &str = "UPDATE webhook_deliveries SET status = $1, claimed_until = $2 \
     WHERE id IN (SELECT id FROM webhook_deliveries \
        WHERE (status = $3 AND next_try_at <= $4) OR (status = $1 AND claimed_until < $4) \
        ORDER BY next_try_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) \
     RETURNING id";

const CLAIM_SQLITE: &str = "UPDATE webhook_deliveries SET status = $1, claimed_until = $2 \
     WHERE id IN (SELECT id FROM webhook_deliveries \
        WHERE (status = $3 AND next_try_at <= $4) OR (status = $1 AND claimed_until < $4) \
        ORDER BY next_try_at, id LIMIT $5) \
     RETURNING id";

/// A claimed delivery, where it goes, and the lease it was claimed under.
pub struct Claim {
    pub delivery: Delivery,
    pub url: String,
    pub secret: String,
    pub lease: NaiveDateTime,
}

/// Claims up to `limit` due deliveries for this sender.
pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> AppResult<Vec<Claim>> {
    let lease = (now + Duration::minutes(LEASE_MINUTES)).trunc_subsecs(3);
    let sql = match conn.backend() {
        Backend::Postgres => CLAIM_POSTGRES,
        Backend::Sqlite => CLAIM_SQLITE,
    };
    let claimed: Vec<Claimed> = on_backend!(conn, c => diesel::sql_query(sql)
        .bind::<Text, _>(DeliveryStatus::Sending.as_str())
        .bind::<Timestamp, _>(lease)
        .bind::<Text, _>(DeliveryStatus::Queued.as_str())
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c))?;
    let mut ids: Vec<DeliveryId> = claimed.into_iter().map(|c| DeliveryId(c.id)).collect();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let delivery = store::find_delivery(conn, id)?;
            let endpoint = store::find(conn, delivery.endpoint_id)?;
            Ok(Claim {
                delivery,
                url: endpoint.url,
                secret: endpoint.secret,
                lease,
            })
        })
        .collect()
}

/// How one try went.
#[derive(Debug, Clone)]
pub struct TryResult {
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// How one try ended, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Retrying,
    Failed,
    LeaseLost,
}

/// Records one try and moves the delivery on: delivered, queued again
/// after the backoff, or failed after the last try.
pub fn record_try(conn: &mut DbConn, claim: &Claim, result: &TryResult, now: NaiveDateTime) -> AppResult<Outcome> {
    let id = claim.delivery.id;
    let tries = claim.delivery.tries.saturating_add(1);
    conn.transaction(|conn| {
        diesel::insert_into(webhook_tries::table)
            .values((
                webhook_tries::delivery_id.eq(id),
                webhook_tries::tried_at.eq(now),
                webhook_tries::status_code.eq(result.status_code.map(i32::from)),
                webhook_tries::succeeded.eq(result.error.is_none()),
                webhook_tries::error.eq(&result.error),
            ))
            .execute(conn)?;
        let mine = webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Sending))
            .filter(webhook_deliveries::claimed_until.eq(claim.lease));
        let (status, next, delivered_at, outcome) = match (&result.error, backoff_after(tries)) {
            (None, _) => (
                DeliveryStatus::Delivered,
                claim.delivery.next_try_at,
                Some(now),
                Outcome::Delivered,
            ),
            (Some(_), Some(delay)) => (DeliveryStatus::Queued, now + delay, None, Outcome::Retrying),
            (Some(_), None) => (
                DeliveryStatus::Failed,
                claim.delivery.next_try_at,
                None,
                Outcome::Failed,
            ),
        };
        let changed = diesel::update(mine)
            .set((
                webhook_deliveries::status.eq(status),
                webhook_deliveries::tries.eq(tries),
                webhook_deliveries::next_try_at.eq(next),
                webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::last_error.eq(&result.error),
                webhook_deliveries::delivered_at.eq(delivered_at),
            ))
            .execute(conn)?;
        Ok(if changed == 1 { outcome } else { Outcome::LeaseLost })
    })
}

/// What the webhook worker needs: the database, the clock, and whether
/// private addresses may be reached.
#[derive(Clone)]
pub struct Hooks {
    pub pool: Pool,
    pub clock: Clock,
    pub allow_private: bool,
}

/// What one drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainSummary {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Posts one delivery, signed, to the address its host resolves to now.
async fn post(client: &awc::Client, claim: &Claim, allow_private: bool, now: NaiveDateTime) -> TryResult {
    let failed = |error: String| TryResult {
        status_code: None,
        error: Some(error),
    };
    let target = match guard::parse(&claim.url) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let address = match guard::resolve(&target, allow_private).await {
        Ok(a) => a,
        Err(e) => return failed(e),
    };
    let body = claim.delivery.body.clone();
    let sent = client
        .post(target.url.as_str())
        .address(address)
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("User-Agent", "Assay-Webhooks/1"))
        .insert_header((
            SIGNATURE_HEADER,
            signature(&claim.secret, now.and_utc().timestamp(), &body),
        ))
        .insert_header((EVENT_ID_HEADER, claim.delivery.event_id.as_str()))
        .insert_header((EVENT_TYPE_HEADER, claim.delivery.event_type.as_str()))
        .send_body(body)
        .await;
    match sent {
        Ok(res) if res.status().is_success() => TryResult {
            status_code: Some(res.status().as_u16()),
            error: None,
        },
        Ok(res) => TryResult {
            status_code: Some(res.status().as_u16()),
            error: Some(format!("The endpoint answered {}.", res.status())),
        },
        Err(e) => failed(format!("The endpoint could not be reached: {e}.")),
    }
}

/// Posts everything due now, batch after batch. Errs only when the
/// database fails; a failed post is a recorded try.
pub async fn drain_once(hooks: &Hooks) -> AppResult<DrainSummary> {
    let mut summary = DrainSummary::default();
    // Built only when something is due: a client loads the TLS trust store,
    // which every idle round (each 2 s) would otherwise pay for nothing.
    let mut client: Option<awc::Client> = None;
    loop {
        let now = hooks.clock.now();
        let batch = crate::db::blocking(&hooks.pool, move |conn| claim_due(conn, now, BATCH)).await?;
        if batch.is_empty() {
            break;
        }
        let client = client.get_or_insert_with(|| awc::Client::builder().timeout(TIMEOUT).disable_redirects().finish());
        for claim in batch {
            let result = post(client, &claim, hooks.allow_private, hooks.clock.now()).await;
            if let Some(e) = &result.error {
                tracing::warn!(delivery = %claim.delivery.id, error = %e, "a webhook could not be delivered");
            }
            let now = hooks.clock.now();
            let outcome = crate::db::blocking(&hooks.pool, move |conn| record_try(conn, &claim, &result, now)).await?;
            match outcome {
                Outcome::Delivered => summary.delivered += 1,
                Outcome::Retrying => summary.retrying += 1,
                Outcome::Failed => summary.failed += 1,
                Outcome::LeaseLost => tracing::warn!("a webhook delivery's claim lapsed while it was being sent"),
            }
        }
    }
    Ok(summary)
}

/// Drains due deliveries every couple of seconds for as long as the server
/// runs; each round is its own task, so a panic costs one round.
pub fn spawn_worker(hooks: Hooks) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(WORKER_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let round = hooks.clone();
            match actix_web::rt::spawn(async move { drain_once(&round).await }).await {
                Ok(Ok(s)) if s == DrainSummary::default() => {}
                Ok(Ok(s)) => tracing::info!(
                    delivered = s.delivered,
                    retrying = s.retrying,
                    failed = s.failed,
                    "webhooks sent"
                ),
                Ok(Err(e)) => tracing::error!(error = %e.chain(), "sending webhooks failed; trying again shortly"),
                Err(e) => tracing::error!(error = %e, "the webhook sender stopped unexpectedly; restarting it"),
            }
        }
    })
}
