//! The admin's webhook pages: the endpoints with a form to add one, and one
//! endpoint's delivery log with a redeliver button on each delivery.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::api::{register, EndpointRequest, LOG_LENGTH};
use super::deliver::MAX_TRIES;
use super::store::{self, Delivery, Endpoint};
use crate::app::AppState;
use crate::db::{DeliveryId, DeliveryStatus, WebhookEvent, WebhookId};
use crate::error::{AppError, AppResult};
use crate::web::auth::AdminUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

/// A refused form: the sentence and one line per field.
struct Refusal {
    message: String,
    details: Vec<String>,
}

#[derive(Template)]
#[template(path = "webhooks/list.html")]
struct ListPage {
    chrome: Chrome,
    endpoints: Vec<Endpoint>,
    events: [WebhookEvent; 7],
    url: String,
    description: String,
    chosen: Vec<WebhookEvent>,
    refusal: Option<Refusal>,
}

impl ListPage {
    fn labels(&self, endpoint: &Endpoint) -> String {
        endpoint
            .events
            .0
            .iter()
            .map(|e| e.label())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

async fn list_page(state: web::Data<AppState>, ctx: PageCtx, _admin: AdminUser) -> AppResult<HttpResponse> {
    let endpoints = state.db(store::list).await?;
    render(&ListPage {
        chrome: ctx.chrome("Webhooks"),
        endpoints,
        events: WebhookEvent::ALL,
        url: String::new(),
        description: String::new(),
        chosen: Vec::new(),
        refusal: None,
    })
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn create(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AdminUser(admin): AdminUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let request = EndpointRequest {
        url: field(&pairs, "url"),
        description: field(&pairs, "description"),
        events: pairs
            .iter()
            .filter(|(k, _)| k == "events")
            .map(|(_, v)| crate::web::input::Word::parse("events", v.clone()))
            .collect::<AppResult<Vec<_>>>()?,
    };
    let (url, description) = (request.url.clone(), request.description.clone());
    let chosen = request.events.iter().filter_map(|e| e.as_str().parse().ok()).collect();
    match register(&state, request, admin.id).await {
        Ok(endpoint) => Ok(redirect(&format!("/admin/webhooks/{}?created=1", endpoint.id))),
        Err(e @ AppError::Invalid { .. }) => {
            let refusal = Refusal {
                message: e.public_message(),
                details: e.details().iter().map(|d| d.message.clone()).collect(),
            };
            let endpoints = state.db(store::list).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ListPage {
                    chrome: ctx.chrome("Webhooks"),
                    endpoints,
                    events: WebhookEvent::ALL,
                    url,
                    description,
                    chosen,
                    refusal: Some(refusal),
                },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "webhooks/show.html")]
struct ShowPage {
    chrome: Chrome,
    endpoint: Endpoint,
    deliveries: Vec<Delivery>,
    max_tries: i32,
    created: bool,
    redelivered: Option<i32>,
}

impl ShowPage {
    fn state_words(status: &DeliveryStatus) -> &'static str {
        match status {
            DeliveryStatus::Queued => "waiting to be sent",
            DeliveryStatus::Sending => "being sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "gave up",
        }
    }
}

#[derive(Deserialize)]
struct ShowQuery {
    created: Option<String>,
    redelivered: Option<i32>,
}

async fn show_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _admin: AdminUser,
    id: web::Path<WebhookId>,
    query: Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (endpoint, deliveries) = state
        .db(move |conn| Ok((store::find(conn, id)?, store::deliveries_of(conn, id, LOG_LENGTH)?)))
        .await?;
    render(&ShowPage {
        chrome: ctx.chrome(format!("Webhook {id}")),
        endpoint,
        deliveries,
        max_tries: MAX_TRIES,
        created: query.created.is_some(),
        redelivered: query.redelivered,
    })
}

#[derive(Deserialize)]
struct EmptyForm {}

async fn redeliver(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    id: web::Path<DeliveryId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let now = state.clock.now();
    let delivery = state.db(move |conn| store::redeliver(conn, id, admin.id, now)).await?;
    Ok(redirect(&format!(
        "/admin/webhooks/{}?redelivered={id}",
        delivery.endpoint_id
    )))
}

async fn disable(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    id: web::Path<WebhookId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let now = state.clock.now();
    state
        .db(move |conn| store::set_active(conn, id, false, admin.id, now))
        .await?;
    Ok(redirect(&format!("/admin/webhooks/{id}")))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/webhooks", web::get().to(list_page))
        .route("/admin/webhooks", web::post().to(create))
        .route("/admin/webhooks/{id}", web::get().to(show_page))
        .route("/admin/webhooks/{id}/disable", web::post().to(disable))
        .route("/admin/webhooks/deliveries/{id}/redeliver", web::post().to(redeliver));
}
