//! The figures a drive's charts show; `web::charts` lays them out.

use diesel::dsl::{avg, count_star};
use diesel::prelude::*;

use crate::db::schema::{application_sections, applications};
use crate::db::{ApplicationStatus, DbConn, DriveId};
use crate::error::AppResult;

/// Average percent per section over the drive's graded applications.
pub fn section_averages(conn: &mut DbConn, drive_id: DriveId) -> AppResult<Vec<(String, f64)>> {
    let rows: Vec<(String, Option<f64>)> = application_sections::table
        .filter(application_sections::drive_id.eq(drive_id))
        .group_by(application_sections::section)
        .select((application_sections::section, avg(application_sections::percent)))
        .order(application_sections::section.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(|(s, a)| (s, a.unwrap_or(0.0))).collect())
}

/// How many applications stand in each pipeline state, in pipeline order.
pub fn funnel(conn: &mut DbConn, drive_id: DriveId) -> AppResult<Vec<(String, i64)>> {
    let counts: Vec<(ApplicationStatus, i64)> = applications::table
        .filter(applications::drive_id.eq(drive_id))
        .group_by(applications::status)
        .select((applications::status, count_star()))
        .load(conn)?;
    Ok(ApplicationStatus::ALL
        .into_iter()
        .map(|s| {
            (
                super::short_label(s).to_string(),
                counts.iter().find(|(c, _)| *c == s).map(|(_, n)| *n).unwrap_or(0),
            )
        })
        .collect())
}
