//! The results an item analysis is taken over: each counting attempt's
//! score, its own form's maximum and its percent, listed on the report so a
//! trainer can check the summary and the histogram against them.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{attempts, users};
use crate::db::{AttemptId, DbConn};
use crate::error::AppResult;

/// One counting attempt's result.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ResultLine {
    pub attempt_id: AttemptId,
    pub name: String,
    pub score: f64,
    /// The maximum of this attempt's own form.
    pub max_score: f64,
    /// score / max_score, as graded.
    pub percent: f64,
}

/// (attempt, person's name, score, the form's maximum, percent).
type ResultTuple = (AttemptId, String, Option<f64>, f64, Option<f64>);

/// The results of `ids` (the counting attempts), best first, then by name.
pub fn load(conn: &mut DbConn, ids: &[AttemptId]) -> AppResult<Vec<ResultLine>> {
    let rows: Vec<ResultTuple> = attempts::table
        .inner_join(users::table)
        .filter(attempts::id.eq_any(ids))
        .select((
            attempts::id,
            users::full_name,
            attempts::score,
            attempts::max_score,
            attempts::percent,
        ))
        .load(conn)?;
    let mut lines: Vec<ResultLine> = rows
        .into_iter()
        .map(|(attempt_id, name, score, max_score, percent)| ResultLine {
            attempt_id,
            name,
            score: score.unwrap_or(0.0),
            max_score,
            percent: percent.unwrap_or(0.0),
        })
        .collect();
    lines.sort_by(|a, b| b.percent.total_cmp(&a.percent).then_with(|| a.name.cmp(&b.name)));
    Ok(lines)
}
