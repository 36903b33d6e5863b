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

/// People with accounts, searched by name or email.
///
/// For administrators. In the order they joined, a keyset page at a time
/// (`?after=&limit=`); `?q=` matches any part of the name or email in any
/// case, and `?role=` and `?active=` narrow the list.
#[utoipa::path(tag = "accounts", params(UserSearch, PageQuery),
    responses((status = 200, body = Paged<Account>, description = "One page of accounts; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 57, "email": "priya.venkataraman@gmail.com", "full_name": "Priya Venkataraman", "role": "candidate", "active": true, "created_at": "2026-11-02T10:15:00"}], "next_after": "57"})), (status = 403, body = ErrorBody),
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

/// One person's account.
///
/// For administrators: email, name, role, whether it is active, and when it
/// was made.
#[utoipa::path(tag = "accounts", params(("id" = i32, Path, description = "The person's user id.")),
    responses((status = 200, body = Account, description = "The account."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/users/{id}")]
pub async fn user(state: web::Data<AppState>, _admin: AdminUser, path: web::Path<UserId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| admin::find(conn, id)).await?))
}

/// One audit entry: who did what, when, to which record.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 9134, "actor_id": 1, "actor_name": "Asha Rao", "action": "drive.create", "entity": "drive", "entity_id": 14,
    "detail": "Motor claims walk-in drive, Chennai, 12 December 2026", "at": "2026-12-07T09:00:00"}))]
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

/// The audit log, newest first, with who acted by name.
///
/// For administrators. A keyset page at a time (`?after=&limit=`; the next
/// page holds older entries), filtered by person, action and day.
#[utoipa::path(tag = "accounts", params(AuditFilter, PageQuery),
    responses((status = 200, body = Paged<AuditRow>, description = "One page of entries; pass `next_after` as `?after=` for older ones.",
        example = json!({"items": [{"id": 9134, "actor_id": 1, "actor_name": "Asha Rao", "action": "drive.create", "entity": "drive", "entity_id": 14,
    "detail": "Motor claims walk-in drive, Chennai, 12 December 2026", "at": "2026-12-07T09:00:00"}], "next_after": "9134"})), (status = 403, body = ErrorBody),
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
