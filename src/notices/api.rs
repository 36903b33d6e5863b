//! The notices part of the JSON API: the outbox as administrators see it.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::{self, Summary};
use crate::app::AppState;
use crate::db::NoticeId;
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::AdminUser;
use crate::web::input::Query;
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{self, Paged};

pub const DEFAULT_LIMIT: i64 = paging::API_DEFAULT;
pub const MAX_LIMIT: i64 = paging::API_MAX;

#[derive(Deserialize, IntoParams)]
pub struct NoticesQuery {
    /// Only notices in this state: `queued`, `sending`, `sent` or `failed`.
    #[param(max_length = 64)]
    pub status: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_after` of the previous page (the next page holds older
    /// notices); leave out for the first page.
    #[param(max_length = 20)]
    pub after: Option<String>,
}

/// One outbox row, without its bodies.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 5120, "kind": "application_received", "recipient_email": "priya.venkataraman@gmail.com",
    "subject": "Your application to the motor claims drive, Chennai", "status": "sent", "tries": 1, "last_error": null,
    "next_try_at": "2026-12-07T09:00:00Z", "created_at": "2026-12-07T09:00:00Z", "sent_at": "2026-12-07T09:00:04Z"}))]
pub struct NoticeRow {
    pub id: NoticeId,
    pub kind: String,
    pub recipient_email: String,
    pub subject: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    pub tries: i32,
    pub last_error: Option<String>,
    pub next_try_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

impl From<Summary> for NoticeRow {
    fn from(s: Summary) -> Self {
        NoticeRow {
            id: s.id,
            kind: s.kind,
            recipient_email: s.recipient_email,
            subject: s.subject,
            status: s.status.to_string(),
            tries: s.tries,
            last_error: s.last_error,
            next_try_at: utc(s.next_try_at),
            created_at: utc(s.created_at),
            sent_at: s.sent_at.map(utc),
        }
    }
}

/// The outbox: each notice's status, tries and last error, newest first.
///
/// For administrators. Every email Assay queued (invitations, results,
/// placements, password links), newest first, a keyset page at a time
/// (`?after=&limit=`; the next page holds older notices), filtered by state
/// with `?status=`. The bodies are not included.
#[utoipa::path(tag = "notices", params(NoticesQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Paged<NoticeRow>, description = "One page of notices; pass `next_after` as `?after=` for older ones.",
        example = json!({"items": [{"id": 5120, "kind": "application_received", "recipient_email": "priya.venkataraman@gmail.com",
    "subject": "Your application to the motor claims drive, Chennai", "status": "sent", "tries": 1, "last_error": null,
    "next_try_at": "2026-12-07T09:00:00Z", "created_at": "2026-12-07T09:00:00Z", "sent_at": "2026-12-07T09:00:04Z"}], "next_after": "5120"})), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/notices")]
pub async fn list_notices(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: Query<NoticesQuery>,
) -> AppResult<HttpResponse> {
    let status = store::parse_status(query.status.as_deref())?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let after = paging::after_id(query.after.as_deref())?.map(NoticeId);
    let (rows, next_after) = state.db(move |conn| store::page(conn, status, after, limit)).await?;
    Ok(HttpResponse::Ok().json(Paged {
        items: rows.into_iter().map(NoticeRow::from).collect::<Vec<_>>(),
        next_after: next_after.map(|id| id.to_string()),
    }))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(list_notices);
}
