//! Signed webhooks: an admin registers endpoints with the events they want;
//! each event is queued for every such endpoint in the transaction of the
//! change that caused it (`emit`), and the webhook worker (`deliver`) posts
//! it, signed, retrying with backoff like the email outbox.
//!
//! This area sits at the bottom of the areas, below `notices`, so that every
//! area (and the outbox itself, for "notice failed") can emit without
//! importing anything above it.

pub mod api;
pub mod deliver;
pub mod guard;
pub mod store;
pub mod web;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::db::{DbConn, DeliveryStatus, Json, WebhookEvent, WebhookId};
use crate::error::AppResult;
use crate::on_backend;

/// The header that carries the signature: `t=<unix seconds>,v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "Assay-Signature";
/// The header that repeats the event id, for receivers that de-duplicate
/// before they parse the body.
pub const EVENT_ID_HEADER: &str = "Assay-Event-Id";
pub const EVENT_TYPE_HEADER: &str = "Assay-Event-Type";

impl WebhookEvent {
    /// What the event means, in the words an admin picks it by.
    pub fn label(self) -> &'static str {
        match self {
            WebhookEvent::ApplicationReceived => "An application is received",
            WebhookEvent::StatusChanged => "An application changes status",
            WebhookEvent::AttemptGraded => "A test attempt is graded",
            WebhookEvent::InterviewScheduled => "An interview is scheduled",
            WebhookEvent::Hired => "A candidate is hired",
            WebhookEvent::RoutingPublished => "A routing run is published",
            WebhookEvent::NoticeFailed => "An email could not be delivered",
        }
    }
}

/// The JSON body of every delivery.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    /// The same for every try and every endpoint: receivers de-duplicate on it.
    id: &'a str,
    #[serde(rename = "type")]
    kind: WebhookEvent,
    #[serde(with = "crate::clock::rfc3339")]
    created_at: NaiveDateTime,
    data: &'a T,
}

#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
struct NewDelivery<'a> {
    endpoint_id: WebhookId,
    event_id: &'a str,
    event_type: WebhookEvent,
    body: &'a str,
    status: DeliveryStatus,
    tries: i32,
    next_try_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Queues one event for every active endpoint that wants it, in the
/// caller's transaction: the event and its deliveries commit together or not
/// at all. Returns the event id, or `None` when no endpoint wants it.
pub fn emit<T: Serialize>(
    conn: &mut DbConn,
    kind: WebhookEvent,
    resource: &T,
    now: NaiveDateTime,
) -> AppResult<Option<String>> {
    let endpoints: Vec<(WebhookId, Json<Vec<WebhookEvent>>)> = webhook_endpoints::table
        .filter(webhook_endpoints::active.eq(true))
        .select((webhook_endpoints::id, webhook_endpoints::events))
        .load(conn)?;
    let wanted: Vec<WebhookId> = endpoints
        .into_iter()
        .filter(|(_, events)| events.0.contains(&kind))
        .map(|(id, _)| id)
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let event_id = format!("evt_{}", crate::tokens::to_hex(&crate::tokens::random_bytes(16)));
    let body = serde_json::to_string(&Envelope {
        id: &event_id,
        kind,
        created_at: now,
        data: resource,
    })
    .map_err(|e| crate::error::AppError::internal("writing a webhook body", e))?;
    let rows: Vec<NewDelivery<'_>> = wanted
        .into_iter()
        .map(|endpoint_id| NewDelivery {
            endpoint_id,
            event_id: &event_id,
            event_type: kind,
            body: &body,
            status: DeliveryStatus::Queued,
            tries: 0,
            next_try_at: now,
            created_at: now,
        })
        .collect();
    on_backend!(conn, c => diesel::insert_into(webhook_deliveries::table).values(&rows).execute(c))?;
    Ok(Some(event_id))
}

/// The `Assay-Signature` value for a body sent at `timestamp` (Unix
/// seconds): HMAC-SHA256 with the endpoint's secret over `timestamp.body`,
/// hex-encoded, as Stripe and GitHub sign theirs.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        crate::tokens::to_hex(&mac.finalize().into_bytes())
    )
}

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    web::configure(cfg);
}
