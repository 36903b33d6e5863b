//! A drive's ranked applicants as an Excel workbook: the CSV's columns, in
//! people's words, with numbers, yes/no and times typed for Excel.

use super::RankingRow;
use crate::error::AppResult;
use crate::web::xlsx::{self, column, Cell, Column, Kind};

const COLUMNS: [Column; 14] = [
    column("Rank", Kind::Whole, 7.0),
    column("Application", Kind::Whole, 12.0),
    column("Candidate", Kind::Whole, 11.0),
    column("Name", Kind::Text, 28.0),
    column("Status", Kind::Text, 30.0),
    column("Percent", Kind::Decimal, 10.0),
    column("Percentile", Kind::Decimal, 11.0),
    column("Sections", Kind::Text, 40.0),
    column("Eligible", Kind::Flag, 9.0),
    column("Domain", Kind::Text, 14.0),
    column("Degree", Kind::Text, 16.0),
    column("Focus losses", Kind::Whole, 13.0),
    column("Pastes", Kind::Whole, 8.0),
    column("Tested at (UTC)", Kind::Time, 18.0),
];

fn cells(r: &RankingRow) -> Vec<Cell> {
    let sections: Vec<String> = r
        .sections
        .iter()
        .map(|s| format!("{}: {:.1}", s.name, s.percent))
        .collect();
    let text = |s: Option<&String>| s.map_or(Cell::Empty, |s| Cell::Text(s.clone()));
    vec![
        Cell::Whole(r.rank),
        Cell::Whole(i64::from(r.application_id.0)),
        Cell::Whole(i64::from(r.candidate_id.0)),
        Cell::Text(r.full_name.clone()),
        Cell::Text(crate::drives::staff_label(r.status).to_string()),
        Cell::Decimal(r.percent),
        r.percentile.into(),
        Cell::Text(sections.join("; ")),
        Cell::Flag(r.eligible),
        text(r.domain.as_ref()),
        text(r.degree.as_ref()),
        Cell::Whole(i64::from(r.focus_losses)),
        Cell::Whole(i64::from(r.pastes)),
        r.tested_at.map_or(Cell::Empty, Cell::Time),
    ]
}

/// The workbook of `rows`, best first.
pub fn workbook(rows: &[RankingRow]) -> AppResult<Vec<u8>> {
    let cells: Vec<Vec<Cell>> = rows.iter().map(cells).collect();
    xlsx::workbook("Rankings", &COLUMNS, &cells)
}
