//! Drives and applications as the API lists them: filtered, newest first,
//! a keyset page at a time (`web::paging`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{ApplicationRow, DriveRow};
use crate::db::schema::{applications, drives};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, DriveId, DriveState, UserId};
use crate::error::{AppError, AppResult};
use crate::web::paging::{self, Page, PageQuery};

/// Filters on the list of drives.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DriveFilter {
    /// Only drives taking applications now (candidates always see only these).
    pub open: Option<bool>,
    /// Only drives that test with this assessment.
    pub assessment_id: Option<i32>,
    /// Only drives in this state; without it, every drive but the archived
    /// ones (candidates never see archived drives).
    #[param(inline)]
    pub state: Option<DriveState>,
}

/// A page of drives, newest first. `only_open` holds for candidates
/// whatever the filter says.
pub fn drives_page(
    conn: &mut DbConn,
    filter: &DriveFilter,
    only_open: bool,
    page: &PageQuery,
    now: NaiveDateTime,
) -> AppResult<Page<DriveRow, DriveId>> {
    let size = page.size();
    let mut query = drives::table
        .select(DriveRow::as_select())
        .order(drives::id.desc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(before) = page.after_id()? {
        query = query.filter(drives::id.lt(DriveId(before)));
    }
    if only_open || filter.open == Some(true) {
        query = query
            .filter(drives::state.eq(DriveState::Open))
            .filter(drives::opens_at.is_null().or(drives::opens_at.le(now)))
            .filter(drives::closes_at.is_null().or(drives::closes_at.gt(now)));
    } else if filter.open == Some(false) {
        query = query.filter(
            drives::state
                .ne(DriveState::Open)
                .or(drives::opens_at.gt(now))
                .or(drives::closes_at.le(now)),
        );
    }
    match filter.state {
        Some(state) => query = query.filter(drives::state.eq(state)),
        None => query = query.filter(drives::state.ne(DriveState::Archived)),
    }
    if let Some(assessment) = filter.assessment_id {
        query = query.filter(drives::assessment_id.eq(crate::db::AssessmentId(assessment)));
    }
    Ok(Page::cut(query.load(conn)?, size, |d| d.id))
}

/// Filters on a list of applications.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilter {
    /// Only applications in this state, e.g. `applied`, `shortlisted_kpo`, `hired`.
    #[param(max_length = 64, example = "shortlisted_kpo")]
    pub status: Option<String>,
    /// Only this candidate's applications (candidates always see only their own).
    pub candidate_id: Option<i32>,
    /// Only applications that met the drive's rules.
    pub eligible: Option<bool>,
}

impl ApplicationFilter {
    fn status(&self) -> AppResult<Option<ApplicationStatus>> {
        match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| {
                AppError::invalid_field(
                    "status",
                    format!("There is no application state \"{text}\"; leave it out to list every state."),
                )
            }),
        }
    }
}

/// A page of applications, newest first, of one drive or of every drive.
pub fn applications_page(
    conn: &mut DbConn,
    drive: Option<DriveId>,
    filter: &ApplicationFilter,
    page: &PageQuery,
) -> AppResult<Page<ApplicationRow, ApplicationId>> {
    let size = page.size();
    let mut query = applications::table
        .select(ApplicationRow::as_select())
        .order(applications::id.desc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(before) = page.after_id()? {
        query = query.filter(applications::id.lt(ApplicationId(before)));
    }
    if let Some(drive) = drive {
        query = query.filter(applications::drive_id.eq(drive));
    }
    if let Some(status) = filter.status()? {
        query = query.filter(applications::status.eq(status));
    }
    if let Some(candidate) = filter.candidate_id {
        query = query.filter(applications::candidate_id.eq(UserId(candidate)));
    }
    if let Some(eligible) = filter.eligible {
        query = query.filter(applications::eligible.eq(eligible));
    }
    Ok(Page::cut(query.load(conn)?, size, |a| a.id))
}

/// One application.
pub fn application(conn: &mut DbConn, id: ApplicationId) -> AppResult<ApplicationRow> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no application {id}.")))
}
