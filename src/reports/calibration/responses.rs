//! The responses a calibration fits: every counting graded attempt of the
//! chosen assessments is one person (a row), every question version shown to
//! any of them is one item (a column), and a version a person was not shown
//! is missing. Marks are dichotomised at full credit: the 2PL models right
//! or wrong, so partial credit counts as wrong.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;

use super::report::LeftOutItem;
use crate::db::schema::{assessments, attempt_items, attempts, question_versions};
use crate::db::{AssessmentId, AttemptId, AttemptStatus, DbConn, Json, QuestionId, VersionId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::irt::Responses;

/// The fewest people a calibration starts with. Fewer cannot pin down a
/// slope and a difficulty per question; items shown to fewer than 200 are
/// marked rough on the report.
pub const MIN_PEOPLE: i64 = 50;

/// The most assessments one calibration takes.
pub const MAX_ASSESSMENTS: usize = 50;

/// Said on every report: how marks became right or wrong.
pub const DICHOTOMISED: &str = "Each answer counts as right only when it earned the question's full points; partial credit counts as wrong (the 2PL model is for right/wrong answers).";

/// A calibrated column: which question version it is.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    pub version_id: VersionId,
    pub question_id: QuestionId,
    pub version: i32,
    pub stem: String,
    /// Whether some answer earned part of its points (dichotomised).
    pub partial_credit: bool,
}

/// What the fit takes, and what was left out of it.
pub struct Loaded {
    pub data: Responses,
    pub items: Vec<ItemInfo>,
    pub left_out: Vec<LeftOutItem>,
    pub partial_credit_items: usize,
}

/// The assessments a calibration may take: each must exist, and between
/// them they must hold at least [`MIN_PEOPLE`] graded attempts. Returns how
/// many they hold.
pub fn check_ready(conn: &mut DbConn, ids: &[AssessmentId]) -> AppResult<i64> {
    if ids.is_empty() {
        return Err(AppError::invalid_field(
            "assessment_ids",
            "Pick at least one assessment whose graded attempts to calibrate.",
        ));
    }
    if ids.len() > MAX_ASSESSMENTS {
        return Err(AppError::invalid_field(
            "assessment_ids",
            format!("Pick at most {MAX_ASSESSMENTS} assessments for one calibration."),
        ));
    }
    let found: Vec<AssessmentId> = assessments::table
        .filter(assessments::id.eq_any(ids))
        .select(assessments::id)
        .load(conn)?;
    let missing: Vec<ErrorDetail> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(|id| ErrorDetail::field("assessment_ids", format!("There is no assessment {id}.")))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid("Some of the assessments do not exist.", missing));
    }
    let people: i64 = attempts::table
        .filter(attempts::assessment_id.eq_any(ids))
        .filter(attempts::status.eq(AttemptStatus::Graded))
        .filter(attempts::counting.eq(true))
        .count()
        .get_result(conn)?;
    if people == 0 {
        return Err(AppError::invalid_field(
            "assessment_ids",
            "These assessments have no graded attempts yet; a calibration needs people's answers to learn from.",
        ));
    }
    if people < MIN_PEOPLE {
        return Err(AppError::invalid_field(
            "assessment_ids",
            format!(
                "These assessments have {people} graded attempt(s); a calibration needs at least {MIN_PEOPLE} people. Wait for more attempts, or add assessments that share the questions."
            ),
        ));
    }
    Ok(people)
}

/// One column while reading: its version and tallies.
#[derive(Default)]
struct Tally {
    shown: usize,
    right: usize,
    partial: bool,
}

/// Reads the counting graded attempts of `ids` into a people × versions
/// table. Versions everyone (or no one) answered right are left out, with
/// the reason: they have no finite difficulty.
pub fn load(conn: &mut DbConn, ids: &[AssessmentId]) -> AppResult<Loaded> {
    let rows: Vec<(AttemptId, VersionId, f64, Option<f64>)> = attempt_items::table
        .inner_join(attempts::table)
        .filter(attempts::assessment_id.eq_any(ids))
        .filter(attempts::status.eq(AttemptStatus::Graded))
        .filter(attempts::counting.eq(true))
        .filter(attempt_items::points.gt(0.0))
        .select((
            attempt_items::attempt_id,
            attempt_items::version_id,
            attempt_items::points,
            attempt_items::score,
        ))
        .order((attempt_items::attempt_id.asc(), attempt_items::version_id.asc()))
        .load(conn)?;
    let mut tallies: BTreeMap<VersionId, Tally> = BTreeMap::new();
    let marks: Vec<(AttemptId, VersionId, bool)> = rows
        .into_iter()
        .map(|(attempt, version, points, score)| {
            let score = score.unwrap_or(0.0);
            let right = score >= points - 1e-9;
            let tally = tallies.entry(version).or_default();
            tally.shown += 1;
            tally.right += usize::from(right);
            tally.partial |= score > 1e-9 && !right;
            (attempt, version, right)
        })
        .collect();
    let described = describe(conn, tallies.keys().copied().collect())?;
    let mut items = Vec::new();
    let mut left_out = Vec::new();
    for (version_id, tally) in &tallies {
        let Some(info) = described.get(version_id) else {
            continue;
        };
        let mut info = info.clone();
        info.partial_credit = tally.partial;
        if tally.right == 0 || tally.right == tally.shown {
            let everyone = if tally.right == 0 { "no one" } else { "everyone" };
            left_out.push(LeftOutItem {
                version_id: info.version_id,
                question_id: info.question_id,
                version: info.version,
                stem: info.stem,
                reason: format!(
                    "Left out: {everyone} of the {} people shown it answered right, so it has no finite difficulty.",
                    tally.shown
                ),
            });
        } else {
            items.push(info);
        }
    }
    if items.len() < 3 {
        return Err(AppError::invalid_field(
            "assessment_ids",
            format!(
                "Only {} question(s) had both right and wrong answers; a calibration needs at least 3.",
                items.len()
            ),
        ));
    }
    let column: HashMap<VersionId, usize> = items.iter().enumerate().map(|(j, i)| (i.version_id, j)).collect();
    let data = table(&marks, &column, items.len())?;
    let partial_credit_items = items.iter().filter(|i| i.partial_credit).count();
    Ok(Loaded {
        data,
        items,
        left_out,
        partial_credit_items,
    })
}

/// Row-major cells, one row per attempt with at least one kept item.
fn table(marks: &[(AttemptId, VersionId, bool)], column: &HashMap<VersionId, usize>, k: usize) -> AppResult<Responses> {
    const MISSING: u8 = u8::MAX;
    let mut cells: Vec<u8> = Vec::new();
    let mut row: Vec<u8> = vec![MISSING; k];
    let mut current: Option<AttemptId> = None;
    let flush = |row: &mut Vec<u8>, cells: &mut Vec<u8>| {
        if row.iter().any(|&c| c != MISSING) {
            cells.extend_from_slice(row);
        }
        row.fill(MISSING);
    };
    for &(attempt, version, right) in marks {
        if current != Some(attempt) {
            flush(&mut row, &mut cells);
            current = Some(attempt);
        }
        if let Some(cell) = column.get(&version).and_then(|&j| row.get_mut(j)) {
            *cell = u8::from(right);
        }
    }
    flush(&mut row, &mut cells);
    let names: Vec<String> = (0..k).map(|j| format!("item{}", j + 1)).collect();
    let weights = vec![1.0; cells.len() / k.max(1)];
    Responses::from_cells(names, cells, weights).map_err(|e| AppError::invalid_field("assessment_ids", e.to_string()))
}

type VersionTuple = (
    VersionId,
    QuestionId,
    i32,
    String,
    Option<Json<crate::banks::rendered::RenderedQuestion>>,
);

/// Each version's question, number and stem as plain text.
fn describe(conn: &mut DbConn, ids: Vec<VersionId>) -> AppResult<HashMap<VersionId, ItemInfo>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<VersionTuple> = question_versions::table
            .filter(question_versions::id.eq_any(chunk))
            .select((
                question_versions::id,
                question_versions::question_id,
                question_versions::version,
                question_versions::stem,
                question_versions::rendered,
            ))
            .load(conn)?;
        for (version_id, question_id, version, stem, rendered) in rows {
            let stem = rendered.map_or(stem, |r| r.0.stem.text);
            found.insert(
                version_id,
                ItemInfo {
                    version_id,
                    question_id,
                    version,
                    stem,
                    partial_credit: false,
                },
            );
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_attempt_is_a_row_and_a_version_it_was_not_shown_is_missing() {
        let (v1, v2, v3) = (VersionId(11), VersionId(12), VersionId(13));
        let column: HashMap<VersionId, usize> = [(v1, 0), (v2, 1)].into_iter().collect();
        let marks = [
            (AttemptId(1), v1, true),
            (AttemptId(1), v2, false),
            (AttemptId(2), v2, true),
            // Only a left-out version: no row at all.
            (AttemptId(3), v3, true),
            (AttemptId(4), v1, false),
        ];
        let data = table(&marks, &column, 2).unwrap();
        assert_eq!(data.rows(), 3);
        assert_eq!(data.row(0), &[1, 0]);
        assert_eq!(data.row(1), &[u8::MAX, 1]);
        assert_eq!(data.row(2), &[0, u8::MAX]);
    }
}
