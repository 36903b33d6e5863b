//! A routing run's results as an Excel workbook: one row per trainee, with
//! the process they go to by name and why.

use super::engine::Status;
use super::runs::RunView;
use super::service::ProcessRow;
use crate::db::ProcessId;
use crate::error::AppResult;
use crate::web::xlsx::{self, column, Cell, Column, Kind};

const COLUMNS: [Column; 9] = [
    column("Rank", Kind::Whole, 7.0),
    column("Trainee", Kind::Whole, 9.0),
    column("Name", Kind::Text, 28.0),
    column("Percent", Kind::Decimal, 10.0),
    column("Outcome", Kind::Text, 22.0),
    column("Process", Kind::Text, 28.0),
    column("Under review for", Kind::Text, 28.0),
    column("Why", Kind::Text, 70.0),
    column("Override reason", Kind::Text, 40.0),
];

fn outcome(status: Status) -> &'static str {
    match status {
        Status::Assigned => "assigned",
        Status::Review => "needs a person's review",
        Status::Retrain => "retrain",
    }
}

/// The workbook of a run, in rank order.
pub fn workbook(run: &RunView, processes: &[ProcessRow]) -> AppResult<Vec<u8>> {
    let name = |id: Option<ProcessId>| {
        id.and_then(|id| processes.iter().find(|p| p.id == id))
            .map_or(Cell::Empty, |p| Cell::Text(format!("{} ({})", p.name, p.client)))
    };
    let rows: Vec<Vec<Cell>> = run
        .assignments
        .iter()
        .map(|l| {
            vec![
                Cell::Whole(i64::from(l.rank)),
                Cell::Whole(i64::from(l.trainee_id.0)),
                Cell::Text(l.full_name.clone()),
                Cell::Decimal(l.percent),
                Cell::Text(outcome(l.status).into()),
                name(l.process_id),
                name(l.review_process_id),
                Cell::Text(l.explanation.clone()),
                l.override_reason.clone().map_or(Cell::Empty, Cell::Text),
            ]
        })
        .collect();
    xlsx::workbook("Routing", &COLUMNS, &rows)
}
