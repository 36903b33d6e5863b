//! Staff administration over the API: change a person's name and role,
//! deactivate and reactivate accounts.

use actix_web::{patch, post, web, HttpResponse};

use super::{Account, UserEdit};
use crate::app::AppState;
use crate::db::UserId;
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::AdminUser;
use crate::web::input::Json;
use crate::web::openapi::ApiRoutes;

/// Change a person's name or role.
///
/// For administrators; not their own role (409). A field left out stays as
/// it is. A role change takes effect on the person's next request. Recorded
/// in the audit log.
#[utoipa::path(tag = "accounts", params(("id" = i32, Path, description = "The person's user id.")), request_body = UserEdit,
    responses((status = 200, body = Account, description = "The account as changed.", example = json!({"id": 12,
            "email": "rahul.menon@kpo.example.com", "full_name": "Rahul Menon", "role": "trainer", "active": true,
            "created_at": "2026-10-01T09:30:00"})),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/users/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<UserId>,
    body: Json<UserEdit>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let change = body.into_inner();
    let account = state
        .db(move |conn| super::edit(conn, id, &change, admin.id, now))
        .await?;
    // The cached sessions still carry the old name and role.
    state.sessions.forget_sessions_of(id, None, now);
    Ok(HttpResponse::Ok().json(account))
}

/// Deactivate an account.
///
/// For administrators; not their own account, nor one already deactivated
/// (409). The person cannot sign in, and every session of theirs ends at
/// once; their records stay. Recorded in the audit log.
#[utoipa::path(tag = "accounts", params(("id" = i32, Path, description = "The person's user id.")),
    responses((status = 200, body = Account, description = "The account, now inactive.", example = json!({"id": 12,
            "email": "rahul.menon@kpo.example.com", "full_name": "Rahul Menon", "role": "trainer", "active": false,
            "created_at": "2026-10-01T09:30:00"})),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
#[post("/users/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let account = state
        .db(move |conn| super::set_active(conn, id, false, admin.id, now))
        .await?;
    state.sessions.forget_sessions_of(id, None, now);
    Ok(HttpResponse::Ok().json(account))
}

/// Reactivate a deactivated account.
///
/// For administrators; 409 when the account is active already. The person
/// can sign in again. Recorded in the audit log.
#[utoipa::path(tag = "accounts", params(("id" = i32, Path, description = "The person's user id.")),
    responses((status = 200, body = Account, description = "The account, active again."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
#[post("/users/{id}/reactivate")]
pub async fn reactivate(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<UserId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let account = state
        .db(move |conn| super::set_active(conn, id, true, admin.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(account))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(edit).service(deactivate).service(reactivate);
}
