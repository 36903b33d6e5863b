//! An assessment's counting forms as the statistics need them: which question
//! version stood in which slot of which attempt, what it scored and, for
//! choice questions, which original options were chosen.
//!
//! Only graded attempts that count (each person's latest graded one,
//! `attempts.counting`) are read. A slot is a section and a draw index: the
//! item's place within its section in bank order (question id), which is the
//! order the draw gives a section before any question shuffling. The stored
//! `attempt_items.slot` is taken after shuffling, so it is not used: with
//! shuffled questions it would put different questions of one fixed form in
//! the same slot.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::prelude::*;

use super::answers::chosen_options;
use super::stats::{MarksMatrix, OptionSet};
use crate::assessments::models::AssessmentRow;
use crate::banks::question::QuestionType;
use crate::db::schema::{attempt_items, attempts, responses};
use crate::db::{AssessmentId, AttemptId, AttemptStatus, DbConn, Json, QuestionId, VersionId};
use crate::error::{AppError, AppResult};

/// One item of one counting form.
#[derive(Debug, Clone)]
pub(super) struct FormItem {
    pub attempt_id: AttemptId,
    /// Index of the attempt in [`Cohort::attempts`].
    pub row: usize,
    /// Index into [`Cohort::sections`].
    pub section: usize,
    /// The draw index within the section (see the module docs).
    pub slot: usize,
    pub question_id: QuestionId,
    pub version_id: VersionId,
    pub qtype: QuestionType,
    pub points: f64,
    pub score: f64,
    /// Displayed position i shows original option `option_order[i]`; kept
    /// only for choice questions and only until the answers are read.
    option_order: Box<[u8]>,
    /// The original options chosen; blank for non-choice questions.
    pub chosen: OptionSet,
}

/// The counting attempts of an assessment and their forms.
#[derive(Debug, Default)]
pub(super) struct Cohort {
    /// Attempt ids in ascending order; row `i` of every matrix.
    pub attempts: Vec<AttemptId>,
    /// Each attempt's percent as graded.
    pub percents: Vec<f64>,
    /// The blueprint's section names, then any name only the forms know.
    pub sections: Vec<String>,
    /// Ordered by attempt, then question id.
    pub items: Vec<FormItem>,
}

fn is_choice(qtype: QuestionType) -> bool {
    matches!(
        qtype,
        QuestionType::SingleChoice | QuestionType::MultipleResponse | QuestionType::TrueFalse
    )
}

type ItemTuple = (
    AttemptId,
    Option<f64>,
    String,
    QuestionId,
    VersionId,
    QuestionType,
    f64,
    Json<Vec<u8>>,
    Option<f64>,
);

/// Reads the counting forms; with `answers`, also what each choice item's
/// answer chose. One pass over each table, in (attempt, question) order.
pub(super) fn load(conn: &mut DbConn, assessment: &AssessmentRow, answers: bool) -> AppResult<Cohort> {
    let mut cohort = Cohort {
        sections: assessment.sections()?.into_iter().map(|s| s.name).collect(),
        ..Cohort::default()
    };
    let rows: Vec<ItemTuple> = attempt_items::table
        .inner_join(attempts::table)
        .filter(attempts::assessment_id.eq(assessment.id))
        .filter(attempts::status.eq(AttemptStatus::Graded))
        .filter(attempts::counting.eq(true))
        .select((
            attempt_items::attempt_id,
            attempts::percent,
            attempt_items::section,
            attempt_items::question_id,
            attempt_items::version_id,
            attempt_items::qtype,
            attempt_items::points,
            attempt_items::option_order,
            attempt_items::score,
        ))
        .order((attempt_items::attempt_id.asc(), attempt_items::question_id.asc()))
        .load(conn)?;
    let mut section_index: HashMap<String, usize> = cohort
        .sections
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), i))
        .collect();
    let mut next_slot: Vec<usize> = Vec::new();
    cohort.items.reserve(rows.len());
    for (attempt_id, percent, section, question_id, version_id, qtype, points, option_order, score) in rows {
        if cohort.attempts.last() != Some(&attempt_id) {
            cohort.attempts.push(attempt_id);
            cohort.percents.push(percent.unwrap_or(0.0));
            next_slot.clear();
        }
        let section = *section_index.entry(section).or_insert_with_key(|name| {
            cohort.sections.push(name.clone());
            cohort.sections.len() - 1
        });
        if next_slot.len() <= section {
            next_slot.resize(section + 1, 0);
        }
        // Resized above, so the section always has its counter.
        let slot = next_slot.get_mut(section).map_or(0, |next| {
            *next += 1;
            *next - 1
        });
        let option_order: Box<[u8]> = if answers && is_choice(qtype) {
            option_order.into_inner().into()
        } else {
            Box::default()
        };
        cohort.items.push(FormItem {
            attempt_id,
            row: cohort.attempts.len() - 1,
            section,
            slot,
            question_id,
            version_id,
            qtype,
            points,
            // A graded attempt has every item scored; an unscored one earned nothing.
            score: score.unwrap_or(0.0),
            option_order,
            chosen: OptionSet::BLANK,
        });
    }
    if answers {
        read_answers(conn, assessment.id, &mut cohort.items)?;
    }
    Ok(cohort)
}

/// Merges the saved answers into the items (both in attempt, question
/// order), mapping displayed option ids back to original options.
fn read_answers(conn: &mut DbConn, assessment_id: AssessmentId, items: &mut [FormItem]) -> AppResult<()> {
    if !items.iter().any(|i| is_choice(i.qtype)) {
        return Ok(());
    }
    let saved: Vec<(AttemptId, QuestionId, Json<serde_json::Value>)> = responses::table
        .inner_join(attempts::table)
        .filter(attempts::assessment_id.eq(assessment_id))
        .filter(attempts::status.eq(AttemptStatus::Graded))
        .filter(attempts::counting.eq(true))
        .select((responses::attempt_id, responses::question_id, responses::answer))
        .order((responses::attempt_id.asc(), responses::question_id.asc()))
        .load(conn)?;
    let mut cursor = 0;
    for (attempt_id, question_id, answer) in saved {
        let key = (attempt_id, question_id);
        while items.get(cursor).is_some_and(|i| (i.attempt_id, i.question_id) < key) {
            cursor += 1;
        }
        let Some(item) = items.get_mut(cursor) else { break };
        if (item.attempt_id, item.question_id) != key || !is_choice(item.qtype) {
            continue;
        }
        let value = answer.into_inner();
        let order: Vec<usize> = item.option_order.iter().map(|&o| usize::from(o)).collect();
        item.chosen = chosen_options(item.qtype, Some(&value), &order);
    }
    for item in items.iter_mut() {
        item.option_order = Box::default();
    }
    Ok(())
}

/// One column of a matrix: a slot, or a question version.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub section: usize,
    /// The slot's draw index; for a version column, the lowest slot it stood in.
    pub slot: usize,
    /// The largest points the column's items carried (a section's points
    /// are the same on every form unless questions carry their own).
    pub max_mark: f64,
    pub versions: BTreeSet<VersionId>,
    /// Indices into [`Cohort::items`], in row order.
    pub items: Vec<usize>,
}

/// A marks matrix over `columns`, rows the cohort's attempts.
pub(super) struct Matrix {
    pub matrix: MarksMatrix,
    pub columns: Vec<Column>,
}

impl Cohort {
    /// The test's k items: every (section, draw index) any form has, in
    /// section order. A form lacking a slot gets no mark there (the test
    /// statistics count it as 0).
    pub fn slot_matrix(&self) -> AppResult<Matrix> {
        self.matrix(|item| (item.section, item.slot, 0, 0))
    }

    /// One column per question version, in section then question order:
    /// each attempt has marks only for the versions its form drew.
    pub fn version_matrix(&self) -> AppResult<Matrix> {
        self.matrix(|item| (item.section, 0, item.question_id.0, item.version_id.0))
    }

    /// Whether some slot held different question versions on different forms.
    pub fn forms_differ(slots: &Matrix) -> bool {
        slots.columns.iter().any(|c| c.versions.len() > 1)
    }

    fn matrix(&self, key: impl Fn(&FormItem) -> (usize, usize, i32, i32)) -> AppResult<Matrix> {
        let mut by_key: BTreeMap<(usize, usize, i32, i32), Column> = BTreeMap::new();
        for (index, item) in self.items.iter().enumerate() {
            let column = by_key.entry(key(item)).or_insert_with(|| Column {
                section: item.section,
                slot: item.slot,
                max_mark: 0.0,
                versions: BTreeSet::new(),
                items: Vec::new(),
            });
            column.slot = column.slot.min(item.slot);
            column.max_mark = column.max_mark.max(item.points);
            column.versions.insert(item.version_id);
            column.items.push(index);
        }
        let columns: Vec<Column> = by_key.into_values().collect();
        let (s, k) = (self.attempts.len(), columns.len());
        let mut marks: Vec<Option<f64>> = vec![None; s * k];
        for (j, column) in columns.iter().enumerate() {
            for item in column.items.iter().filter_map(|&index| self.items.get(index)) {
                if let Some(mark) = marks.get_mut(item.row * k + j) {
                    *mark = Some(item.score);
                }
            }
        }
        let ids: Vec<i64> = self.attempts.iter().map(|a| i64::from(a.0)).collect();
        // A zero-point item has no statistics; count it as out of 1 mark.
        let max_marks: Vec<f64> = columns
            .iter()
            .map(|c| if c.max_mark > 0.0 { c.max_mark } else { 1.0 })
            .collect();
        let matrix = if marks.iter().all(Option::is_some) {
            let full: Vec<f64> = marks.into_iter().flatten().collect();
            MarksMatrix::from_rows(ids, max_marks, &full)
        } else {
            MarksMatrix::from_optional_rows(ids, max_marks, &marks)
        }
        .map_err(|e| AppError::internal("item analysis", e))?;
        Ok(Matrix { matrix, columns })
    }
}
