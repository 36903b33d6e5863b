//! Routing runs and processes as the API lists them, a keyset page at a time.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::ProcessRow;
use crate::db::schema::{processes, routing_runs};
use crate::db::{AssessmentId, CohortId, DbConn, ProcessId, RunId, RunStatus};
use crate::error::{AppError, AppResult};
use crate::web::paging::{self, Page, PageQuery};

/// Filters on the list of routing runs.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunFilter {
    /// Only this cohort's runs.
    pub cohort_id: Option<i32>,
    /// Only runs in this state: `draft` or `published`.
    #[param(max_length = 32, example = "published")]
    pub status: Option<String>,
}

/// A routing run without its lines (read one run for those).
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = routing_runs)]
#[schema(example = json!({"id": 9, "cohort_id": 3, "assessment_id": 21, "status": "published", "created_at": "2026-12-07T09:00:00", "published_at": "2026-12-07T10:00:00"}))]
pub struct RunRow {
    pub id: RunId,
    pub cohort_id: CohortId,
    pub assessment_id: AssessmentId,
    #[schema(value_type = String, example = "published")]
    pub status: RunStatus,
    #[schema(value_type = String, example = "2026-12-07T09:00:00")]
    pub created_at: NaiveDateTime,
    #[schema(value_type = Option<String>, example = "2026-12-07T10:00:00")]
    pub published_at: Option<NaiveDateTime>,
}

/// A page of routing runs, newest first.
pub fn runs_page(conn: &mut DbConn, filter: &RunFilter, page: &PageQuery) -> AppResult<Page<RunRow, RunId>> {
    let size = page.size();
    let mut query = routing_runs::table
        .select(RunRow::as_select())
        .order(routing_runs::id.desc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(before) = page.after_id()? {
        query = query.filter(routing_runs::id.lt(RunId(before)));
    }
    if let Some(cohort) = filter.cohort_id {
        query = query.filter(routing_runs::cohort_id.eq(CohortId(cohort)));
    }
    if let Some(text) = filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let status: RunStatus = text.parse().map_err(|_| {
            AppError::invalid_field(
                "status",
                format!("There is no run state \"{text}\"; use draft or published."),
            )
        })?;
        query = query.filter(routing_runs::status.eq(status));
    }
    Ok(Page::cut(query.load(conn)?, size, |r| r.id))
}

/// Filters on the list of processes.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProcessFilter {
    /// Only this client's processes.
    #[param(max_length = 200, example = "Northwind Insurance")]
    pub client: Option<String>,
}

/// A page of processes, in the order they were created.
pub fn processes_page(
    conn: &mut DbConn,
    filter: &ProcessFilter,
    page: &PageQuery,
) -> AppResult<Page<ProcessRow, ProcessId>> {
    let size = page.size();
    let mut query = processes::table
        .select(ProcessRow::as_select())
        .order(processes::id.asc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(after) = page.after_id()? {
        query = query.filter(processes::id.gt(ProcessId(after)));
    }
    if let Some(client) = filter.client.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        query = query.filter(processes::client.eq(client.to_string()));
    }
    Ok(Page::cut(query.load(conn)?, size, |p| p.id))
}

/// One process.
pub fn process(conn: &mut DbConn, id: ProcessId) -> AppResult<ProcessRow> {
    processes::table
        .find(id)
        .select(ProcessRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no process {id}.")))
}
