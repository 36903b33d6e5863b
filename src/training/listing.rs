//! Cohorts and their trainees as the API lists them, a keyset page at a time.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::CohortRow;
use crate::db::schema::{cohort_trainees, cohorts, users};
use crate::db::{ApplicationId, CohortId, DbConn, UserId};
use crate::error::AppResult;
use crate::web::paging::{self, Page, PageQuery};

/// Filters on the list of cohorts.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CohortFilter {
    /// Only cohorts training on this date-time: UTC, written without a zone
    /// (`2026-12-07T09:00:00`).
    #[param(value_type = Option<String>, max_length = 32, example = "2026-12-07T09:00:00")]
    pub active_on: Option<NaiveDateTime>,
}

/// A page of cohorts, newest first.
pub fn cohorts_page(
    conn: &mut DbConn,
    filter: &CohortFilter,
    page: &PageQuery,
) -> AppResult<Page<CohortRow, CohortId>> {
    let size = page.size();
    let mut query = cohorts::table
        .select(CohortRow::as_select())
        .order(cohorts::id.desc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(before) = page.after_id()? {
        query = query.filter(cohorts::id.lt(CohortId(before)));
    }
    if let Some(on) = filter.active_on {
        query = query.filter(cohorts::starts_on.le(on)).filter(cohorts::ends_on.ge(on));
    }
    Ok(Page::cut(query.load(conn)?, size, |c| c.id))
}

/// A trainee in a cohort.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"user_id": 57, "full_name": "Priya Venkataraman", "email": "priya.venkataraman@gmail.com", "application_id": 412, "added_at": "2026-12-07T09:00:00"}))]
pub struct TraineeRow {
    pub user_id: UserId,
    pub full_name: String,
    pub email: String,
    /// The application the trainee was hired through, when there was one.
    pub application_id: Option<ApplicationId>,
    #[schema(value_type = String, example = "2026-12-07T09:00:00")]
    pub added_at: NaiveDateTime,
}

/// A page of a cohort's trainees, in the order of their user ids.
pub fn trainees_page(conn: &mut DbConn, cohort: CohortId, page: &PageQuery) -> AppResult<Page<TraineeRow, UserId>> {
    let size = page.size();
    let mut query = cohort_trainees::table
        .inner_join(users::table.on(users::id.eq(cohort_trainees::user_id)))
        .filter(cohort_trainees::cohort_id.eq(cohort))
        .select((
            cohort_trainees::user_id,
            users::full_name,
            users::email,
            cohort_trainees::application_id,
            cohort_trainees::added_at,
        ))
        .order(cohort_trainees::user_id.asc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(after) = page.after_id()? {
        query = query.filter(cohort_trainees::user_id.gt(UserId(after)));
    }
    type Row = (UserId, String, String, Option<ApplicationId>, NaiveDateTime);
    let rows: Vec<Row> = query.load(conn)?;
    let rows = rows
        .into_iter()
        .map(|(user_id, full_name, email, application_id, added_at)| TraineeRow {
            user_id,
            full_name,
            email,
            application_id,
            added_at,
        })
        .collect();
    Ok(Page::cut(rows, size, |t| t.user_id))
}
