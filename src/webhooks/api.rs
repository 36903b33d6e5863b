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
    #[schema(inline, value_type = Vec<crate::web::input::Name>, example = json!(["application.received", "attempt.graded"]))]
    pub events: Vec<String>,
}

/// An endpoint, with the secret its deliveries are signed with.
#[derive(Serialize, ToSchema)]
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
    let events = store::parse_events(&request.events)?;
    let new = NewEndpoint {
        url: target.url.to_string(),
        description: request.description,
        events,
    };
    let now = state.clock.now();
    state.db(move |conn| store::create(conn, &new, actor, now)).await
}

/// Register a webhook endpoint. The answer holds its signing secret.
#[utoipa::path(tag = "webhooks", request_body = EndpointRequest, security(("bearer" = [])),
    responses((status = 201, body = EndpointView), (status = 401, body = ErrorBody),
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
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = Vec<EndpointView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/webhooks")]
pub async fn list(state: web::Data<AppState>, _admin: AdminUser) -> AppResult<HttpResponse> {
    let endpoints = state.db(store::list).await?;
    Ok(HttpResponse::Ok().json(endpoints.into_iter().map(EndpointView::from).collect::<Vec<_>>()))
}

/// An endpoint's last 100 deliveries, newest first.
#[utoipa::path(tag = "webhooks", params(("id" = i32, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<DeliveryView>), (status = 401, body = ErrorBody),
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
#[utoipa::path(tag = "webhooks", params(("id" = i32, Path)), security(("bearer" = [])),
    responses((status = 202, body = DeliveryView), (status = 401, body = ErrorBody),
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
#[utoipa::path(tag = "webhooks", params(("id" = i32, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody),
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
