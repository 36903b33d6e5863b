//! Service tokens over the API: administrators signed in as themselves make,
//! list, read and revoke them.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Listed, NewToken};
use crate::app::AppState;
use crate::db::{ServiceTokenId, TokenScope, UserId};
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::PersonAdmin;
use crate::web::input::{Line, Query, Word};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{self, Page, PageQuery, Paged};

/// A new service token.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"name": "ATS sync", "scope": "recruiter", "expires_in_days": 90, "requests_per_minute": 600}))]
pub struct TokenRequest {
    /// Which system uses it, e.g. "ATS sync".
    #[schema(value_type = String, max_length = 100, example = "ATS sync")]
    pub name: Line<100>,
    /// `read_only` (reads what an administrator can read, changes nothing),
    /// `recruiter` or `trainer`.
    #[schema(value_type = String, max_length = 64, example = "recruiter")]
    pub scope: Word,
    /// Days until it stops working, 1 to 730 (default 90).
    #[schema(minimum = 1, maximum = 730, example = 90)]
    pub expires_in_days: Option<i64>,
    /// Requests it may make a minute before it is answered 429, 1 to 10000
    /// (default 600).
    #[schema(minimum = 1, maximum = 10000, example = 600)]
    pub requests_per_minute: Option<i32>,
}

/// A service token as administrators see it: never the token itself.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "name": "ATS sync", "scope": "recruiter", "token_prefix": "assay_st_3f9a", "requests_per_minute": 600,
    "created_by": 1, "made_by": "Asha Rao", "created_at": "2026-12-07T09:00:00Z", "expires_at": "2027-03-07T09:00:00Z",
    "revoked_at": null, "last_used_at": "2026-12-08T06:12:00Z", "state": "active"}))]
pub struct TokenView {
    #[schema(example = 3)]
    pub id: ServiceTokenId,
    #[schema(example = "ATS sync")]
    pub name: String,
    pub scope: TokenScope,
    /// The token's first characters, to tell tokens apart.
    #[schema(example = "assay_st_3f9a")]
    pub token_prefix: String,
    #[schema(example = 600)]
    pub requests_per_minute: i32,
    /// The administrator it acts for.
    #[schema(example = 1)]
    pub created_by: UserId,
    #[schema(example = "Asha Rao")]
    pub made_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was last used, to the minute; null if never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// `active`, `expired` or `revoked`.
    #[schema(example = "active")]
    pub state: String,
}

impl TokenView {
    pub fn new(listed: Listed, now: NaiveDateTime) -> Self {
        let Listed { token, made_by } = listed;
        TokenView {
            state: token.state(now).to_string(),
            id: token.id,
            name: token.name,
            scope: token.scope,
            token_prefix: token.token_prefix,
            requests_per_minute: token.requests_per_minute,
            created_by: token.created_by,
            made_by,
            created_at: token.created_at.and_utc(),
            expires_at: token.expires_at.and_utc(),
            revoked_at: token.revoked_at.map(|t| t.and_utc()),
            last_used_at: token.last_used_at.map(|t| t.and_utc()),
        }
    }
}

/// A token just made: the only time the token itself is shown.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"token": "assay_st_3f9a0c5be1d24a7f9e0b6c3d8a1f2e4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a",
    "service_token": {"id": 3, "name": "ATS sync", "scope": "recruiter", "token_prefix": "assay_st_3f9a",
    "requests_per_minute": 600, "created_by": 1, "made_by": "Asha Rao", "created_at": "2026-12-07T09:00:00Z",
    "expires_at": "2027-03-07T09:00:00Z", "revoked_at": null, "last_used_at": null, "state": "active"}}))]
pub struct CreatedToken {
    /// Send it as `Authorization: Bearer <token>`. It is not stored and
    /// cannot be shown again.
    #[schema(example = "assay_st_3f9a0c…")]
    pub token: String,
    pub service_token: TokenView,
}

/// Make a service token for an integration. The answer holds the token
/// itself, once; only its hash is kept.
#[utoipa::path(tag = "accounts", request_body = TokenRequest, security(("bearer" = [])),
    description = "Makes a token that acts for the administrator who asks, with the scope's role (`read_only` reads what an administrator can read and writes nothing), until it expires or is revoked. Requests beyond its rate are answered 429 with `Retry-After`. Only an administrator signed in as themselves may make one, never another token. Recorded in the audit log.",
    responses((status = 201, body = CreatedToken, description = "The token was made; `token` is shown this once and cannot be read again."), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/service-tokens")]
pub async fn create(
    state: web::Data<AppState>,
    PersonAdmin(admin): PersonAdmin,
    body: crate::web::input::Json<TokenRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let new = NewToken::parse(&body.name, &body.scope, body.expires_in_days, body.requests_per_minute)?;
    let now = state.clock.now();
    let (listed, token) = state.db(move |conn| super::create(conn, &new, admin.id, now)).await?;
    Ok(HttpResponse::Created().json(CreatedToken {
        token,
        service_token: TokenView::new(listed, now),
    }))
}

/// Every service token, newest first (administrators signed in as
/// themselves).
#[utoipa::path(tag = "accounts", params(PageQuery), security(("bearer" = [])),
    description = "Lists tokens newest first, a keyset page at a time (`?after=&limit=`), with their scope, expiry, state and last use. The tokens themselves are never shown.",
    responses((status = 200, body = Paged<TokenView>, description = "One page of tokens; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 3, "name": "ATS sync", "scope": "recruiter", "token_prefix": "assay_st_3f9a", "requests_per_minute": 600,
    "created_by": 1, "made_by": "Asha Rao", "created_at": "2026-12-07T09:00:00Z", "expires_at": "2027-03-07T09:00:00Z",
    "revoked_at": null, "last_used_at": "2026-12-08T06:12:00Z", "state": "active"}], "next_after": null})), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/service-tokens")]
pub async fn list(state: web::Data<AppState>, _admin: PersonAdmin, page: Query<PageQuery>) -> AppResult<HttpResponse> {
    let size = page.size();
    let after = page.after_id()?.map(ServiceTokenId);
    let rows = state
        .db(move |conn| super::list(conn, after, paging::fetch(size)))
        .await?;
    let now = state.clock.now();
    let page = Page::cut(rows, size, |l| l.token.id);
    Ok(HttpResponse::Ok().json(Paged::from_page(page).map(|l| TokenView::new(l, now))))
}

/// One service token, with its last use.
#[utoipa::path(tag = "accounts", params(("id" = i32, Path)), security(("bearer" = [])),
    description = "Reads one token's name, scope, rate, expiry, state and when it was last used (written at most once a minute).",
    responses((status = 200, body = TokenView, description = "The token, without the token itself."), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/service-tokens/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    _admin: PersonAdmin,
    path: web::Path<ServiceTokenId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let listed = state.db(move |conn| super::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(TokenView::new(listed, state.clock.now())))
}

/// Revoke a service token: the next request made with it is refused (401).
#[utoipa::path(tag = "accounts", params(("id" = i32, Path)), security(("bearer" = [])),
    description = "Revokes a token at once and for good; it cannot be turned back on. Recorded in the audit log.",
    responses((status = 200, body = TokenView, description = "The token, now `revoked`."), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The token was already revoked (`already_revoked`).")))]
#[post("/service-tokens/{id}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    PersonAdmin(admin): PersonAdmin,
    path: web::Path<ServiceTokenId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let listed = state.db(move |conn| super::revoke(conn, id, admin.id, now)).await?;
    Ok(HttpResponse::Ok().json(TokenView::new(listed, now)))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(create).service(list).service(read).service(revoke);
}
