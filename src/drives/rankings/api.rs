//! Rankings and decisions over the API, and the streamed CSV export.

use actix_web::{get, post, web, HttpResponse};
use futures_util::stream;

use crate::drives::letters;
use crate::drives::pipeline::{self, Decision};
// Not imported as `rankings`: that name is the handler below.
use super::{self as ranking, RankingQuery, RankingRow, Standing};
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId};
use crate::drives::service::{self, ApplicationRow};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::Paged;

/// A drive's ranked applicants, best first; page with `after` = the last row's application id.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), RankingQuery),
    responses((status = 200, body = Paged<RankingRow>), (status = 403, body = ErrorBody)))]
#[get("/drives/{id}/rankings")]
pub async fn rankings(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<RankingQuery>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let query = query.into_inner();
    let page = state
        .db(move |conn| {
            service::find(conn, drive_id)?;
            let standing = Standing::load(conn, drive_id)?;
            ranking::page(conn, drive_id, &query, &standing)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Paged {
        items: page.rows,
        next_after: page.next_after.map(|id| id.to_string()),
    }))
}

const CSV_BATCH: i64 = 5_000;

/// The same rows as CSV, streamed a batch at a time so memory stays flat.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), RankingQuery),
    responses((status = 200, content_type = "text/csv")))]
#[get("/drives/{id}/rankings.csv")]
pub async fn rankings_csv(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<RankingQuery>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let mut query = query.into_inner();
    query.limit = Some(CSV_BATCH);
    let standing = state
        .db(move |conn| {
            service::find(conn, drive_id)?;
            Standing::load(conn, drive_id)
        })
        .await?;
    let standing = std::sync::Arc::new(standing);
    // State: the query for the next batch, or None when done.
    let body = stream::unfold(Some((query, true)), move |next| {
        let state = state.clone();
        let standing = standing.clone();
        async move {
            let (query, first) = next?;
            let lookup = query.clone();
            let batch = state
                .db(move |conn| {
                    let page = ranking::page(conn, drive_id, &lookup, &standing)?;
                    Ok((ranking::csv_chunk(&page.rows, first)?, page.next_after))
                })
                .await;
            match batch {
                Ok((bytes, next_after)) => {
                    let next = next_after.map(|after| {
                        (
                            RankingQuery {
                                after: Some(after.to_string()),
                                ..query
                            },
                            false,
                        )
                    });
                    Some((Ok::<_, actix_web::Error>(web::Bytes::from(bytes)), next))
                }
                Err(e) => {
                    tracing::error!(error = %e.chain(), "rankings export failed part-way");
                    Some((Err(e.into()), None))
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"drive-{drive_id}-rankings.csv\""),
        ))
        .streaming(body))
}

/// The same rows as an Excel workbook (typed columns, frozen header).
#[utoipa::path(tag = "drives", params(("id" = i32, Path), RankingQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/drives/{id}/rankings.xlsx")]
pub async fn rankings_xlsx(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<RankingQuery>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let mut query = query.into_inner();
    query.limit = Some(CSV_BATCH);
    let book = state
        .db(move |conn| {
            service::find(conn, drive_id)?;
            let standing = Standing::load(conn, drive_id)?;
            let mut rows = Vec::new();
            loop {
                let page = ranking::page(conn, drive_id, &query, &standing)?;
                rows.extend(page.rows);
                match page.next_after {
                    Some(after) => query.after = Some(after.to_string()),
                    None => break,
                }
            }
            super::excel::workbook(&rows)
        })
        .await?;
    let mut response = HttpResponse::Ok();
    for header in crate::web::xlsx::attachment(&format!("drive-{drive_id}-rankings.xlsx")) {
        response.insert_header(header);
    }
    Ok(response.body(book))
}

/// Move an application to its next pipeline state; 409 names the allowed moves.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    request_body = Decision, responses((status = 200, body = ApplicationRow), (status = 409, body = ErrorBody)))]
#[post("/applications/{id}/decision")]
pub async fn decision(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<ApplicationId>,
    body: Json<Decision>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let decision = body.into_inner();
    if decision.status.trim().is_empty() {
        return Err(AppError::invalid_field(
            "status",
            "Say which state the application moves to.",
        ));
    }
    let row = state
        .db(move |conn| pipeline::decide(conn, id, &decision, user.id, now, &mail))
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

/// What a decision would email the candidate, without deciding: the
/// internal note never appears in it; `email` is null when the move sends none.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    request_body = Decision, responses((status = 200, body = DecisionPreview), (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody)))]
#[post("/applications/{id}/decision/preview")]
pub async fn decision_preview(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<ApplicationId>,
    body: Json<Decision>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mail = MailContext::from(state.config.as_ref());
    let asked = body.into_inner();
    let email = state.db(move |conn| letters::preview(conn, id, &asked, &mail)).await?;
    Ok(HttpResponse::Ok().json(DecisionPreview { email }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DecisionPreview {
    pub email: Option<letters::LetterPreview>,
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(rankings)
        .service(rankings_csv)
        .service(rankings_xlsx)
        .service(decision)
        .service(decision_preview);
}
