//! Webhook endpoints and their delivery logs over the API (admins only).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::guard;
use super::store::{self, Delivery, Endpoint, NewEndpoint};
use crate::app::AppState;
use crate::db::{DeliveryId, UserId, WebhookId};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::web::auth::AdminUser;
use crate::web::input::Json;
use crate::web::openapi::ApiRoutes;

/// How many deliveries an endpoint's log shows.
pub const LOG_LENGTH: i64 = 100;

/// A new endpoint.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"url": "https://ats.example.com/hooks/assay", "description": "Sync applicants into the ATS",
    "events": ["application.received", "attempt.graded"]}))]
pub struct EndpointRequest {
    /// Where to post events: an https:// (or http://) address that resolves
    /// to a public address.
    #[schema(max_length = 2000, example = "https://ats.example.com/hooks/assay")]
    pub url: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub description: String,
    /// The events it receives: `application.received`,
    /// `application.status_changed`, `attempt.graded`, `interview.scheduled`,
    /// `application.hired`, `routing.published`, `notice.failed`.
    #[schema(example = json!(["application.received", "attempt.graded"]))]
    pub events: Vec<crate::web::input::Word>,
}

/// An endpoint, with the secret its deliveries are signed with.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "url": "https://ats.example.com/hooks/assay", "description": "Sync applicants into the ATS",
    "events": ["application.received", "attempt.graded"], "active": true,
    "secret": "whsec_8f2c41d9a7b3e605f1c94d28ab7e3c10", "created_at": "2026-12-07T09:00:00Z"}))]
pub struct EndpointView {
    pub id: WebhookId,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub active: bool,
    /// Verify `Assay-Signature` with it (see the README).
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

impl From<Endpoint> for EndpointView {
    fn from(e: Endpoint) -> Self {
        EndpointView {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.events.0.iter().map(|e| e.as_str().to_string()).collect(),
            active: e.active,
            secret: e.secret,
            created_at: e.created_at.and_utc(),
        }
    }
}

/// One delivery of one event to one endpoint.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 8812, "event_id": "evt_3b9f2c7e1a4d48f0b6c2e9a17d5f3c80", "event_type": "attempt.graded", "status": "delivered", "tries": 1,
    "last_error": null, "next_try_at": "2026-12-09T11:02:15Z", "created_at": "2026-12-09T11:02:15Z", "delivered_at": "2026-12-09T11:02:16Z"}))]
pub struct DeliveryView {
    pub id: DeliveryId,
    /// The same on every try and redelivery: de-duplicate on it.
    pub event_id: String,
    pub event_type: String,
    /// `queued`, `sending`, `delivered` or `failed`.
    pub status: String,
    pub tries: i32,
    pub last_error: Option<String>,
    pub next_try_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type.as_str().to_string(),
            status: d.status.as_str().to_string(),
            tries: d.tries,
            last_error: d.last_error,
            next_try_at: d.next_try_at.and_utc(),
            created_at: d.created_at.and_utc(),
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
        }
    }
}

/// Checks an endpoint's address (its form, then what its host resolves to,
/// outside any transaction) and registers it.
pub(super) async fn register(state: &AppState, request: EndpointRequest, actor: UserId) -> AppResult<Endpoint> {
    let target = guard::parse(&request.url).map_err(|m| AppError::invalid_field("url", m))?;
    guard::resolve(&target, state.config.webhooks_allow_private)
        .await
        .map_err(|m| AppError::invalid_field("url", m))?;
    let names: Vec<String> = request.events.iter().map(|w| w.as_str().to_string()).collect();
    let events = store::parse_events(&names)?;
    let new = NewEndpoint {
        url: target.url.to_string(),
        description: request.description,
        events,
    };
    let now = state.clock.now();
    state.db(move |conn| store::create(conn, &new, actor, now)).await
}

/// Register a webhook endpoint.
///
/// For administrators. Assay posts each event named to the address, signed
/// with the endpoint's secret (`Assay-Signature`), retrying with back-off
/// until it is accepted. The address must be https:// (or http://) and
/// resolve to a public address. The answer holds the signing secret.
/// Recorded in the audit log.
#[utoipa::path(tag = "webhooks", request_body = EndpointRequest, security(("bearer" = [])),
    responses((status = 201, body = EndpointView, description = "The endpoint, with the secret to verify its deliveries."),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    body: Json<EndpointRequest>,
) -> AppResult<HttpResponse> {
    let endpoint = register(&state, body.into_inner(), admin.id).await?;
    Ok(HttpResponse::Created().json(EndpointView::from(endpoint)))
}

/// Every webhook endpoint, newest first.
///
/// For administrators: each endpoint's address, events, whether it is
/// active, and its signing secret. Not paged: a firm has a handful.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = Vec<EndpointView>, description = "Every endpoint.", example = json!([{"id": 2, "url": "https://ats.example.com/hooks/assay", "description": "Sync applicants into the ATS",
    "events": ["application.received", "attempt.graded"], "active": true,
    "secret": "whsec_8f2c41d9a7b3e605f1c94d28ab7e3c10", "created_at": "2026-12-07T09:00:00Z"}])),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/webhooks")]
pub async fn list(state: web::Data<AppState>, _admin: AdminUser) -> AppResult<HttpResponse> {
    let endpoints = state.db(store::list).await?;
    Ok(HttpResponse::Ok().json(endpoints.into_iter().map(EndpointView::from).collect::<Vec<_>>()))
}

/// An endpoint's last 100 deliveries, newest first.
///
/// For administrators: each delivery's event, state, tries, last error and
/// next try, to see what an integration missed.
#[utoipa::path(tag = "webhooks", params(("id" = i32, Path, description = "The endpoint's id.")), security(("bearer" = [])),
    responses((status = 200, body = Vec<DeliveryView>, description = "The deliveries, newest first.", example = json!([{"id": 8812, "event_id": "evt_3b9f2c7e1a4d48f0b6c2e9a17d5f3c80", "event_type": "attempt.graded", "status": "delivered", "tries": 1,
    "last_error": null, "next_try_at": "2026-12-09T11:02:15Z", "created_at": "2026-12-09T11:02:15Z", "delivered_at": "2026-12-09T11:02:16Z"}, {"id": 8790, "event_id": "evt_9e41c0d7b2a54f3e8c1d6a0b7f2e5d94", "event_type": "application.received", "status": "queued", "tries": 3,
    "last_error": "the endpoint answered 503 Service Unavailable", "next_try_at": "2026-12-09T11:10:00Z",
    "created_at": "2026-12-09T10:40:00Z", "delivered_at": null}])),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<WebhookId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let log = state
        .db(move |conn| {
            store::find(conn, id)?;
            store::deliveries_of(conn, id, LOG_LENGTH)
        })
        .await?;
    Ok(HttpResponse::Ok().json(log.into_iter().map(DeliveryView::from).collect::<Vec<_>>()))
}

/// Send a delivery again, with the same event id and body.
///
/// For administrators. The delivery is queued to be tried again at once;
/// receivers de-duplicate on `event_id`. Recorded in the audit log.
#[utoipa::path(tag = "webhooks", params(("id" = i32, Path, description = "The delivery's id.")), security(("bearer" = [])),
    responses((status = 202, body = DeliveryView, description = "Queued to be sent again.", example = json!({"id": 8790, "event_id": "evt_9e41c0d7b2a54f3e8c1d6a0b7f2e5d94", "event_type": "application.received", "status": "queued", "tries": 0,
    "last_error": null, "next_try_at": "2026-12-09T11:10:00Z",
    "created_at": "2026-12-09T10:40:00Z", "delivered_at": null})),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/webhooks/deliveries/{id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<DeliveryId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let delivery = state.db(move |conn| store::redeliver(conn, id, admin.id, now)).await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(delivery)))
}

/// Stop sending to an endpoint; its delivery log stays.
///
/// For administrators. No new events are sent to it; deliveries already
/// made stay readable. Recorded in the audit log.
#[utoipa::path(tag = "webhooks", params(("id" = i32, Path, description = "The endpoint's id.")), security(("bearer" = [])),
    responses((status = 204, description = "The endpoint is disabled."), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/webhooks/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<WebhookId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    state
        .db(move |conn| store::set_active(conn, id, false, admin.id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(create)
        .service(list)
        .service(deliveries)
        .service(redeliver)
        .service(disable);
}
