//! The admin's view of the outbox: the list, a preview of one email as its
//! recipient sees it, and "retry now" for failed ones.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::store::{self, Notice, Summary, Try};
use crate::app::AppState;
use crate::db::{NoticeId, NoticeStatus};
use crate::error::AppResult;
use crate::web::auth::AdminUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, Chrome, PageCtx};
use crate::web::paging::Pager;

const PER_PAGE: i64 = 50;

/// The stored HTML part is the sender's, not ours: it is shown in a frame
/// that may run nothing, load nothing from the network, and be framed only by
/// this site.
const BODY_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

#[derive(Template)]
#[template(path = "notices/list.html")]
struct ListPage {
    chrome: Chrome,
    notices: Vec<Summary>,
    counts: Vec<(NoticeStatus, i64)>,
    status_filter: String,
    pager: Pager,
    first_page: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    after: Option<i32>,
}

async fn list_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _admin: AdminUser,
    query: Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let status = store::parse_status(query.status.as_deref())?;
    let after = query.after.map(NoticeId);
    let ((notices, next_after), counts) = state
        .db(move |conn| Ok((store::page(conn, status, after, PER_PAGE)?, store::counts(conn)?)))
        .await?;
    let status_filter = status.map(|s| s.to_string()).unwrap_or_default();
    let kept = format!("status={status_filter}");
    let pager = Pager::next("/admin/notices", &kept, "after", next_after, "Older notices").with_first(
        after.is_none(),
        format!("/admin/notices?{kept}"),
        "Back to the newest",
    );
    render(&ListPage {
        chrome: ctx.chrome("Notices"),
        notices,
        counts: NoticeStatus::ALL
            .into_iter()
            .map(|s| (s, counts.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n)))
            .collect(),
        status_filter,
        pager,
        first_page: after.is_none(),
    })
}

#[derive(Template)]
#[template(path = "notices/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    notice: Notice,
    from: String,
    to: String,
    headers: String,
    tries: Vec<Try>,
    max_tries: i32,
    retried: bool,
}

#[derive(Deserialize)]
struct PreviewQuery {
    retried: Option<String>,
}

async fn preview_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _admin: AdminUser,
    id: web::Path<NoticeId>,
    query: Query<PreviewQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (notice, tries) = state
        .db(move |conn| Ok((store::find(conn, id)?, store::tries_of(conn, id)?)))
        .await?;
    let date = std::time::SystemTime::from(notice.sent_at.unwrap_or(notice.next_try_at).and_utc());
    // The headers exactly as the mailer writes them, or why it cannot.
    let headers = match state.mailer.message(&notice.outgoing(), date) {
        Ok(message) => message.headers().to_string(),
        Err(e) => format!("This notice cannot be sent as it is: {e}"),
    };
    render(&PreviewPage {
        chrome: ctx.chrome(format!("Notice {id}")),
        from: state.mailer.sender().to_string(),
        to: format!("{} <{}>", notice.recipient_name, notice.recipient_email),
        headers,
        notice,
        tries,
        max_tries: super::outbox::MAX_TRIES,
        retried: query.retried.is_some(),
    })
}

/// The HTML part on its own, for the preview's sandboxed frame.
async fn html_part(state: web::Data<AppState>, _admin: AdminUser, id: web::Path<NoticeId>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let notice = state.db(move |conn| store::find(conn, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", BODY_CSP))
        .insert_header(("X-Frame-Options", "SAMEORIGIN"))
        .insert_header(("Cache-Control", "no-store"))
        .body(notice.body_html))
}

#[derive(Deserialize)]
struct RetryForm {}

async fn retry(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    id: web::Path<NoticeId>,
    CsrfForm(_): CsrfForm<RetryForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let now = state.clock.now();
    state.db(move |conn| store::retry_now(conn, id, admin.id, now)).await?;
    Ok(redirect(&format!("/admin/notices/{id}?retried=1")))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/notices", web::get().to(list_page))
        .route("/admin/notices/{id}", web::get().to(preview_page))
        .route("/admin/notices/{id}/body.html", web::get().to(html_part))
        .route("/admin/notices/{id}/retry", web::post().to(retry));
}
