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
    description = "Recruiters and administrators read the drive's graded applicants ranked best first: by test percent with the drive's tie-break sections, or by one section's percent with `sort=section:NAME`. Each row has the rank, percentile, section scores, interview and combined scores once the panel has scored, and the attempt's focus losses and pastes. Filters: `status`, `domain`, `degree`, `min_percent` and `eligible`. A keyset page at a time: pass the last row's `next_after` as `?after=` (`limit` 1 to 500, default 50).",
    responses((status = 200, body = Paged<RankingRow>, description = "One page of ranked applicants; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::ranking_row()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
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
    description = "Recruiters and administrators download the drive's whole ranking, with the same filters and order as `GET /drives/{id}/rankings`, as a CSV file (one row per applicant, sections as `name: percent` joined by `; `). It streams, a batch at a time, so a drive of any size downloads in flat memory; `limit` and `after` are ignored. Cells that a spreadsheet would read as a formula are neutralised.",
    responses((status = 200, content_type = "text/csv", description = "The ranking as CSV (`text/csv; charset=utf-8`), sent as an attachment named `drive-{id}-rankings.csv`.",
        example = json!("rank,application_id,candidate_id,full_name,status,percent,percentile,sections,eligible,domain,degree,focus_losses,pastes,tested_at\n1,3051,214,Priya Nair,interviewing,78.50,96.40,Quantitative aptitude: 82.0; Verbal ability: 75.0,true,finance,B.Com,0,0,2026-12-03T05:42:10.000Z\n")),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
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
    description = "Recruiters and administrators download the drive's whole ranking, with the same filters and order as `GET /drives/{id}/rankings`, as an Excel workbook: numbers and dates as typed cells, the header row frozen. `limit` and `after` are ignored.",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            description = "The ranking as an XLSX workbook, sent as an attachment named `drive-{id}-rankings.xlsx`."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
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
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = Decision,
    description = "Recruiters and administrators move an application to its next pipeline state (for example `tested` to `shortlisted_kpo`, or `offered_kpo` to `hired` with the training `cohort_id` the person joins). The candidate is emailed when the move has a letter, with `message` if given; `note` stays internal. A move the current state does not allow is refused with 409 naming the allowed ones, as is any move in an archived drive (`drive_archived`).",
    responses((status = 200, body = ApplicationRow, description = "The application in its new state.", example = json!(crate::drives::examples::shortlisted_application())),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = Decision,
    description = "Recruiters and administrators see the email a decision would send the candidate, exactly as they would read it, without deciding anything. The internal `note` never appears in it. A move the current state does not allow is refused with 409, as deciding would be.",
    responses((status = 200, body = DecisionPreview, description = "The email, or `email: null` when the move sends none."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[schema(example = crate::drives::examples::decision_preview)]
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
