//! Endpoints and their delivery logs, as admins see and change them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit;
use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::db::{DbConn, DeliveryId, DeliveryStatus, Json, UserId, WebhookEvent, WebhookId};
use crate::error::{AppError, AppResult};

/// A registered endpoint.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct Endpoint {
    pub id: WebhookId,
    pub url: String,
    pub description: String,
    pub secret: String,
    pub events: Json<Vec<WebhookEvent>>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// One row of an endpoint's delivery log.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: DeliveryId,
    pub endpoint_id: WebhookId,
    pub event_id: String,
    pub event_type: WebhookEvent,
    pub body: String,
    pub status: DeliveryStatus,
    pub tries: i32,
    pub next_try_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

/// What an admin asks for; the address was checked (form and resolution)
/// by the caller, which may wait on DNS outside the transaction.
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub events: Vec<WebhookEvent>,
}

/// The longest description kept.
pub const MAX_DESCRIPTION: usize = 200;

/// Reads a list of event names, naming any unknown one.
pub fn parse_events(names: &[String]) -> AppResult<Vec<WebhookEvent>> {
    let mut events = Vec::new();
    for name in names {
        let event: WebhookEvent = name.trim().parse().map_err(|_| {
            let known: Vec<&str> = WebhookEvent::ALL.iter().map(|e| e.as_str()).collect();
            AppError::invalid_field(
                "events",
                format!(
                    "{name:?} is not an event Assay sends; choose from {}.",
                    known.join(", ")
                ),
            )
        })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.is_empty() {
        return Err(AppError::invalid_field(
            "events",
            "Choose at least one event for this endpoint to receive.",
        ));
    }
    Ok(events)
}

/// Registers an endpoint with a fresh signing secret.
pub fn create(conn: &mut DbConn, new: &NewEndpoint, actor: UserId, now: NaiveDateTime) -> AppResult<Endpoint> {
    if new.description.chars().count() > MAX_DESCRIPTION {
        return Err(AppError::invalid_field(
            "description",
            format!("Keep the description under {MAX_DESCRIPTION} characters."),
        ));
    }
    let secret = format!("whsec_{}", crate::tokens::random_token());
    conn.transaction(|conn| {
        let id: WebhookId = diesel::insert_into(webhook_endpoints::table)
            .values((
                webhook_endpoints::url.eq(&new.url),
                webhook_endpoints::description.eq(new.description.trim()),
                webhook_endpoints::secret.eq(&secret),
                webhook_endpoints::events.eq(Json(new.events.clone())),
                webhook_endpoints::active.eq(true),
                webhook_endpoints::created_by.eq(Some(actor)),
                webhook_endpoints::created_at.eq(now),
            ))
            .returning(webhook_endpoints::id)
            .get_result(conn)?;
        audit::record(
            conn,
            audit::Event {
                actor: Some(actor),
                action: "webhook.create",
                entity: "webhook",
                entity_id: Some(id.0),
                detail: &new.url,
            },
            now,
        )?;
        find(conn, id)
    })
}

pub fn find(conn: &mut DbConn, id: WebhookId) -> AppResult<Endpoint> {
    Ok(webhook_endpoints::table
        .find(id)
        .select(Endpoint::as_select())
        .first(conn)?)
}

/// Every endpoint, newest first.
pub fn list(conn: &mut DbConn) -> AppResult<Vec<Endpoint>> {
    Ok(webhook_endpoints::table
        .order(webhook_endpoints::id.desc())
        .select(Endpoint::as_select())
        .load(conn)?)
}

/// Stops (or resumes) deliveries to an endpoint; its log stays.
pub fn set_active(conn: &mut DbConn, id: WebhookId, active: bool, actor: UserId, now: NaiveDateTime) -> AppResult<()> {
    conn.transaction(|conn| {
        let changed = diesel::update(webhook_endpoints::table.find(id))
            .set(webhook_endpoints::active.eq(active))
            .execute(conn)?;
        if changed == 0 {
            return Err(AppError::NotFound(format!("There is no webhook endpoint {id}.")));
        }
        audit::record(
            conn,
            audit::Event {
                actor: Some(actor),
                action: if active { "webhook.enable" } else { "webhook.disable" },
                entity: "webhook",
                entity_id: Some(id.0),
                detail: "",
            },
            now,
        )
    })
}

/// An endpoint's deliveries, newest first: the last `limit`.
pub fn deliveries_of(conn: &mut DbConn, id: WebhookId, limit: i64) -> AppResult<Vec<Delivery>> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)?)
}

/// Sends a delivery again, with the same event id and body: queued now,
/// whatever became of it. One being sent right now is left to its sender.
pub fn redeliver(conn: &mut DbConn, id: DeliveryId, actor: UserId, now: NaiveDateTime) -> AppResult<Delivery> {
    conn.transaction(|conn| {
        let changed = diesel::update(
            webhook_deliveries::table
                .find(id)
                .filter(webhook_deliveries::status.ne(DeliveryStatus::Sending)),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Queued),
            webhook_deliveries::next_try_at.eq(now),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        let delivery = find_delivery(conn, id)?;
        if changed == 0 {
            return Err(AppError::conflict(
                "delivery_sending",
                format!("Delivery {id} is being sent right now; look again in a minute."),
            ));
        }
        audit::record(
            conn,
            audit::Event {
                actor: Some(actor),
                action: "webhook.redeliver",
                entity: "webhook_delivery",
                entity_id: Some(id.0),
                detail: &delivery.event_id,
            },
            now,
        )?;
        Ok(delivery)
    })
}

pub fn find_delivery(conn: &mut DbConn, id: DeliveryId) -> AppResult<Delivery> {
    Ok(webhook_deliveries::table
        .find(id)
        .select(Delivery::as_select())
        .first(conn)?)
}
