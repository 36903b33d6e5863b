//! Users and the audit log over the API, for administrators: lists with
//! filters, a keyset page at a time.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::admin::{self, Account, UserSearch};
use crate::app::AppState;
use crate::audit::{self, AuditFilter, Named};
use crate::db::UserId;
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::AdminUser;
use crate::web::input::Query;
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{self, Page, PageQuery, Paged};

/// People with accounts, in the order they joined, searched by name or
/// email (administrators only).
#[utoipa::path(tag = "accounts", params(UserSearch, PageQuery),
    responses((status = 200, body = Paged<Account>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/users")]
pub async fn users(
    state: web::Data<AppState>,
    _admin: AdminUser,
    filter: Query<UserSearch>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let size = page.size();
    let after = page.after_id()?.map(UserId);
    let rows = state
        .db(move |conn| admin::search(conn, &filter, after, paging::fetch(size)))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(Page::cut(rows, size, |u| u.id))))
}

/// One person's account (administrators only).
#[utoipa::path(tag = "accounts", params(("id" = i32, Path)),
    responses((status = 200, body = Account), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/users/{id}")]
pub async fn user(state: web::Data<AppState>, _admin: AdminUser, path: web::Path<UserId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| admin::find(conn, id)).await?))
}

/// One audit entry: who did what, when, to which record.
#[derive(Serialize, ToSchema)]
pub struct AuditRow {
    pub id: i32,
    /// Who acted; null for the system (workers, the command line).
    pub actor_id: Option<UserId>,
    /// Their name, as the log's readers know them; null for the system.
    pub actor_name: Option<String>,
    #[schema(example = "drive.create")]
    pub action: String,
    #[schema(example = "drive")]
    pub entity: String,
    pub entity_id: Option<i32>,
    pub detail: String,
    #[schema(value_type = String, example = "2026-12-07T09:00:00")]
    pub at: NaiveDateTime,
}

impl From<Named> for AuditRow {
    fn from(named: Named) -> Self {
        let e = named.entry;
        AuditRow {
            id: e.id,
            actor_id: e.actor_id,
            actor_name: named.actor_name,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            detail: e.detail,
            at: e.at,
        }
    }
}

/// The audit log, newest first, with who acted by name; filter by person,
/// action and day (administrators only).
#[utoipa::path(tag = "accounts", params(AuditFilter, PageQuery),
    responses((status = 200, body = Paged<AuditRow>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/audit-log")]
pub async fn audit_log(
    state: web::Data<AppState>,
    _admin: AdminUser,
    filter: Query<AuditFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let size = page.size();
    let before = page.after_id()?;
    let rows = state
        .db(move |conn| audit::filtered_page(conn, &filter, before, paging::fetch(size)))
        .await?;
    let page = Page::cut(rows, size, |e| e.entry.id);
    Ok(HttpResponse::Ok().json(Paged::from_page(page).map(AuditRow::from)))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(users).service(user).service(audit_log);
}
