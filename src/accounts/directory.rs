//! Users and the audit log over the API, for administrators: lists with
//! filters, a keyset page at a time.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service;
use crate::app::AppState;
use crate::audit::{self, AuditFilter, Entry};
use crate::db::{Role, UserId};
use crate::error::{AppResult, ErrorBody};
use crate::identity::User;
use crate::web::auth::AdminUser;
use crate::web::input::Query;
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{self, Page, PageQuery, Paged};

/// Filters on the list of users.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only people with this role.
    pub role: Option<Role>,
}

/// People with accounts, in the order they joined (administrators only).
#[utoipa::path(tag = "accounts", params(UserFilter, PageQuery),
    responses((status = 200, body = Paged<User>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/users")]
pub async fn users(
    state: web::Data<AppState>,
    _admin: AdminUser,
    filter: Query<UserFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let role = filter.into_inner().role;
    let size = page.size();
    let after = page.after_id()?.map(UserId);
    let rows = state
        .db(move |conn| service::list_users(conn, role, after, paging::fetch(size)))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(Page::cut(rows, size, |u| u.id))))
}

/// One person's account (administrators only).
#[utoipa::path(tag = "accounts", params(("id" = i32, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/users/{id}")]
pub async fn user(state: web::Data<AppState>, _admin: AdminUser, path: web::Path<UserId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| service::find_user(conn, id)).await?))
}

/// One audit entry: who did what, when, to which record.
#[derive(Serialize, ToSchema)]
pub struct AuditRow {
    pub id: i32,
    /// Who acted; null for the system (workers, the command line).
    pub actor_id: Option<UserId>,
    #[schema(example = "drive.create")]
    pub action: String,
    #[schema(example = "drive")]
    pub entity: String,
    pub entity_id: Option<i32>,
    pub detail: String,
    #[schema(value_type = String, example = "2026-12-07T09:00:00")]
    pub at: NaiveDateTime,
}

impl From<Entry> for AuditRow {
    fn from(e: Entry) -> Self {
        AuditRow {
            id: e.id,
            actor_id: e.actor_id,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            detail: e.detail,
            at: e.at,
        }
    }
}

/// The audit log, newest first (administrators only).
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
    let page = Page::cut(rows, size, |e| e.id);
    Ok(HttpResponse::Ok().json(Paged::from_page(page).map(AuditRow::from)))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(users).service(user).service(audit_log);
}
