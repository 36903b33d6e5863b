//! The applicant list as downloads over the API, CSV and Excel, under the
//! same search, status filter and sort as the list page.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{export, ApplicantQuery};
use crate::app::AppState;
use crate::db::DriveId;
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::RecruiterUser;
use crate::web::input::Query;
use crate::web::openapi::ApiRoutes;

/// The list's search, filter and sort, as on its page.
#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// Part of a name or an email address.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// A stored status, or `ineligible` (applied but not eligible).
    #[param(max_length = 40)]
    pub status: Option<String>,
    /// `newest` (the default) or `name`.
    #[param(max_length = 10)]
    pub sort: Option<String>,
}

impl From<ExportQuery> for ApplicantQuery {
    fn from(q: ExportQuery) -> Self {
        ApplicantQuery {
            q: q.q,
            status: q.status,
            sort: q.sort,
            after: None,
            limit: None,
        }
    }
}

async fn rows(state: &AppState, drive_id: DriveId, query: ExportQuery) -> AppResult<Vec<super::ApplicantRow>> {
    let query = ApplicantQuery::from(query);
    state
        .db(move |conn| {
            crate::drives::service::find(conn, drive_id)?;
            export::rows(conn, drive_id, &query)
        })
        .await
}

/// The drive's applicants matching the search and filter, as CSV.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), ExportQuery),
    description = "Every applicant to the drive who matches the search (`q`, part of a name or email), the status filter and the sort, as the applicant list page shows them, all at once rather than a page at a time: application and candidate ids, name, email, status in a recruiter's words, eligibility, test percent and when they applied (UTC). Text a spreadsheet could run as a formula starts with an apostrophe.",
    responses((status = 200, content_type = "text/csv", description = "A CSV file with a header row, one applicant a row."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/drives/{id}/applicants.csv")]
pub async fn applicants_csv(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let rows = rows(&state, drive_id, query.into_inner()).await?;
    let body = web::block(move || export::csv(&rows))
        .await
        .map_err(|e| crate::error::AppError::internal("writing the applicants' CSV", e))??;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"drive-{drive_id}-applicants.csv\""),
        ))
        .body(body))
}

/// The same rows as an Excel workbook (typed columns, frozen header).
#[utoipa::path(tag = "drives", params(("id" = i32, Path), ExportQuery),
    description = "The same rows and columns as the CSV, as an Excel workbook of one sheet: a bold, frozen header row with a filter, ids and percents as numbers, eligibility as yes/no, when they applied as an Excel date and time, each column wide enough to read. No cell is a formula.",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        description = "An `.xlsx` workbook with one sheet, \"Applicants\"."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/drives/{id}/applicants.xlsx")]
pub async fn applicants_xlsx(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let rows = rows(&state, drive_id, query.into_inner()).await?;
    let book = web::block(move || export::workbook(&rows))
        .await
        .map_err(|e| crate::error::AppError::internal("writing the applicants' workbook", e))??;
    let mut response = HttpResponse::Ok();
    for header in crate::web::xlsx::attachment(&format!("drive-{drive_id}-applicants.xlsx")) {
        response.insert_header(header);
    }
    Ok(response.body(book))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(applicants_csv).service(applicants_xlsx);
}
