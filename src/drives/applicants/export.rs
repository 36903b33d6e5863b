//! A drive's applicant list as a download, CSV or Excel: the rows the page
//! would list under the same search, status filter and sort, all of them
//! rather than one page, in the same columns and the recruiter's words.

use super::{ApplicantQuery, ApplicantRow, MAX_PAGE};
use crate::db::{DbConn, DriveId};
use crate::error::{AppError, AppResult};
use crate::web::spreadsheet::neutralise;
use crate::web::xlsx::{self, column, Cell, Column, Kind};

const COLUMNS: [Column; 8] = [
    column("Application", Kind::Whole, 12.0),
    column("Candidate", Kind::Whole, 11.0),
    column("Name", Kind::Text, 28.0),
    column("Email", Kind::Text, 32.0),
    column("Status", Kind::Text, 30.0),
    column("Eligible", Kind::Flag, 9.0),
    column("Test %", Kind::Decimal, 9.0),
    column("Applied at (UTC)", Kind::Time, 18.0),
];

/// Every applicant matching `q`'s search and filter, in its sort; its
/// paging fields are ignored.
pub fn rows(conn: &mut DbConn, drive_id: DriveId, q: &ApplicantQuery) -> AppResult<Vec<ApplicantRow>> {
    let mut query = ApplicantQuery {
        after: None,
        limit: Some(MAX_PAGE),
        ..q.clone()
    };
    let mut rows = Vec::new();
    loop {
        let page = super::page(conn, drive_id, &query)?;
        rows.extend(page.rows);
        match page.next {
            Some(after) => query.after = Some(after.0),
            None => return Ok(rows),
        }
    }
}

/// The rows as a CSV file with a header row; text a spreadsheet could run
/// is neutralised.
pub fn csv(rows: &[ApplicantRow]) -> AppResult<Vec<u8>> {
    let err = |e: csv::Error| AppError::internal("writing the applicants' CSV", e);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS.iter().map(|c| c.title)).map_err(err)?;
    for r in rows {
        writer
            .write_record([
                r.id.to_string(),
                r.candidate_id.to_string(),
                neutralise(&r.full_name),
                neutralise(&r.email),
                r.label().to_string(),
                if r.eligible { "yes" } else { "no" }.to_string(),
                r.percent.map(|p| format!("{p:.2}")).unwrap_or_default(),
                r.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            ])
            .map_err(err)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::internal("writing the applicants' CSV", e.into_error()))
}

/// The rows as an Excel workbook: numbers, yes/no and times typed.
pub fn workbook(rows: &[ApplicantRow]) -> AppResult<Vec<u8>> {
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Whole(i64::from(r.id.0)),
                Cell::Whole(i64::from(r.candidate_id.0)),
                Cell::Text(r.full_name.clone()),
                Cell::Text(r.email.clone()),
                Cell::Text(r.label().to_string()),
                Cell::Flag(r.eligible),
                r.percent.into(),
                Cell::Time(r.created_at),
            ]
        })
        .collect();
    xlsx::workbook("Applicants", &COLUMNS, &cells)
}
