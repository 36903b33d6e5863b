//! An assessment's item analysis: its counting forms read from the database
//! and handed to the pure statistics module, with each item named.
//!
//! The test statistics (alpha, SEM, …) treat the form's slots as the k items,
//! so every attempt has a mark for each (see `forms`). Item statistics are per
//! question version. When every form put the same version in each slot, a
//! version's statistics are its slot's. When forms differ, each version's
//! statistics use only the attempts that saw it, against those attempts'
//! totals and their own 27 % groups; its intended weight is its points over
//! the test's, and its effective weight √Cov(x, T) over the slots' Σ √C.

use std::collections::HashMap;

use diesel::prelude::*;

use super::answers::{choice_options, item_kind, ChoiceOption};
use super::forms::{Cohort, Column, FormItem, Matrix};
use super::stats::{self, GroupRule, ItemInfo, ItemStats, OptionInfo, OptionSet, TestStats};
use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::banks::question::{QuestionBody, QuestionType};
use crate::banks::rendered::RenderedQuestion;
use crate::content::escape;
use crate::convert::count_f64;
use crate::db::schema::question_versions;
use crate::db::{AssessmentId, DbConn, Json, QuestionId, VersionId};
use crate::error::{AppError, AppResult};

/// Said on the page and in the API whenever forms differ.
pub const FORMS_DIFFER_NOTE: &str = "forms differ: question statistics use the attempts that saw each question";

/// One question version as analysed.
#[derive(Debug, Clone)]
pub struct AnalysedItem {
    pub question_id: QuestionId,
    pub version_id: VersionId,
    pub version: i32,
    /// The stem as plain text.
    pub stem: String,
    /// The stem as sanitised HTML.
    pub stem_html: String,
    pub section: String,
    /// The slot the version stood in (its lowest, when forms differ).
    pub slot: usize,
    pub qtype: QuestionType,
    pub quarantined: bool,
    pub quarantine_reason: Option<String>,
    /// The version (id, number) whose key scores this one, when its key was
    /// corrected; its options and keys are reported from that version.
    pub key_version: Option<(VersionId, i32)>,
    /// Option texts in the question's own order: `stats.distractors[i]` is
    /// about `options[i]`.
    pub options: Vec<String>,
    /// The same options as sanitised HTML.
    pub options_html: Vec<String>,
    pub stats: ItemStats,
    /// Whether enough attempts saw this version to judge it; without, its
    /// flags are withheld and the report says "not enough responses yet".
    pub enough_responses: bool,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub assessment: AssessmentRow,
    pub test: TestStats,
    /// k: the slots the test statistics use.
    pub slots: usize,
    pub groups: GroupRule,
    pub forms_differ: bool,
    pub items: Vec<AnalysedItem>,
    /// Each counting attempt's percent, for the score distribution.
    pub percents: Vec<f64>,
    /// Each counting attempt's result, best first.
    pub results: Vec<super::results::ResultLine>,
}

/// What the report needs of one question version.
struct Version {
    version: i32,
    stem: String,
    rendered: Option<RenderedQuestion>,
    body: Option<QuestionBody>,
    quarantined: bool,
    quarantine_reason: Option<String>,
}

type VersionTuple = (
    VersionId,
    i32,
    String,
    Option<Json<RenderedQuestion>>,
    String,
    bool,
    Option<String>,
);

fn versions(conn: &mut DbConn, ids: Vec<VersionId>) -> AppResult<HashMap<VersionId, Version>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<VersionTuple> = question_versions::table
            .filter(question_versions::id.eq_any(chunk))
            .select((
                question_versions::id,
                question_versions::version,
                question_versions::stem,
                question_versions::rendered,
                question_versions::body,
                question_versions::quarantined,
                question_versions::quarantine_reason,
            ))
            .load(conn)?;
        for (id, version, stem, rendered, body, quarantined, quarantine_reason) in rows {
            let body = serde_json::from_str(&body).ok();
            found.insert(
                id,
                Version {
                    version,
                    stem,
                    rendered: rendered.map(Json::into_inner),
                    body,
                    quarantined,
                    quarantine_reason,
                },
            );
        }
    }
    Ok(found)
}

/// The statistics' view of one column: its kind and, for a choice question,
/// its options and what every attempt chose (blank where it was not seen).
fn item_info(
    cohort: &Cohort,
    column_items: &[usize],
    qtype: QuestionType,
    options: Option<&[ChoiceOption]>,
) -> ItemInfo {
    let kind = item_kind(qtype);
    let Some(options) = options else {
        return ItemInfo::new(kind);
    };
    // Bits past the last option would name options the question lacks.
    let valid = u32::try_from(options.len())
        .ok()
        .and_then(|n| 64u32.checked_sub(n))
        .and_then(|shift| u64::MAX.checked_shr(shift))
        .unwrap_or(0);
    let mut chosen = vec![OptionSet::BLANK; cohort.attempts.len()];
    for item in column_items.iter().filter_map(|&index| cohort.items.get(index)) {
        if let Some(set) = chosen.get_mut(item.row) {
            *set = OptionSet::from_bits(item.chosen.bits() & valid);
        }
    }
    let infos: Vec<OptionInfo> = options.iter().map(|o| o.info).collect();
    ItemInfo::choice(kind, infos, chosen)
}

/// The versions the cohort answered, and for each corrected one the version
/// its key now comes from (a corrected version is scored, so reported, with
/// its correction's key), with every version either names loaded.
fn versions_with_keys(
    conn: &mut DbConn,
    cohort: &Cohort,
) -> AppResult<(HashMap<VersionId, VersionId>, HashMap<VersionId, Version>)> {
    let mut ids: Vec<VersionId> = cohort.items.iter().map(|i| i.version_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let keys = super::correction::current_keys(conn, &ids)?;
    let mut wanted = ids;
    wanted.extend(keys.values().copied());
    wanted.sort_unstable();
    wanted.dedup();
    Ok((keys, versions(conn, wanted)?))
}

/// The item analysis of an assessment's counting attempts.
/// The analysis of an assessment's counting attempts; a question seen by
/// fewer than `min_responses` of them is not flagged.
pub fn analyse(conn: &mut DbConn, assessment_id: AssessmentId, min_responses: usize) -> AppResult<Analysis> {
    let assessment = assessments::find(conn, assessment_id)?;
    let cohort = super::forms::load(conn, &assessment, true)?;
    let mut analysis = Analysis {
        test: stats::test_statistics(&empty_matrix()?),
        slots: 0,
        groups: GroupRule {
            size: 0,
            fraction: 0.27,
            tie_break: stats::TIE_BREAK,
        },
        forms_differ: false,
        items: Vec::new(),
        percents: cohort.percents.clone(),
        results: super::results::load(conn, &cohort.attempts)?,
        assessment,
    };
    if cohort.items.is_empty() {
        return Ok(analysis);
    }
    let slots = cohort.slot_matrix()?;
    let forms_differ = Cohort::forms_differ(&slots);
    let (keys, versions) = versions_with_keys(conn, &cohort)?;
    let key_of = |v: &VersionId| *keys.get(v).unwrap_or(v);
    let stats_error = |e: stats::StatsError| AppError::internal("item analysis", e);

    // Without differing forms the slot matrix is the version matrix.
    let version_matrix;
    let columns: &Matrix = if forms_differ {
        version_matrix = cohort.version_matrix()?;
        &version_matrix
    } else {
        &slots
    };
    let mut options: Vec<Option<(Vec<ChoiceOption>, Vec<String>)>> = Vec::with_capacity(columns.columns.len());
    let infos: Vec<ItemInfo> = columns
        .columns
        .iter()
        .map(|column| {
            let first = first_item(&cohort, column)?;
            let version = column.versions.first().and_then(|v| versions.get(&key_of(v)));
            let choice = version.and_then(|v| v.body.as_ref()).and_then(choice_options);
            let info = item_info(&cohort, &column.items, first.qtype, choice.as_deref());
            options.push(choice.map(|c| {
                let shown = options_html(&c, version.and_then(|v| v.rendered.as_ref()));
                (c, shown)
            }));
            Ok(info)
        })
        .collect::<AppResult<_>>()?;
    let report = stats::analyse(&columns.matrix, &infos).map_err(stats_error)?;
    let mut items = report.items;
    if forms_differ {
        reweigh(&cohort, &slots, columns, &mut items);
    }
    analysis.test = if forms_differ {
        stats::test_statistics(&slots.matrix)
    } else {
        report.test
    }
    .with_own_percents(&cohort.percents);
    analysis.groups = report.groups;
    analysis.slots = slots.columns.len();
    analysis.forms_differ = forms_differ;
    analysis.items = columns
        .columns
        .iter()
        .zip(items)
        .zip(options)
        .map(|((column, stats), options)| analysed_item(&cohort, column, stats, options, &versions, &keys))
        .collect::<AppResult<_>>()?;
    for item in &mut analysis.items {
        item.enough_responses = item.stats.n >= min_responses;
        if !item.enough_responses {
            item.stats.flags.clear();
        }
    }
    Ok(analysis)
}

/// The options as the test page showed them: the stored rendering where
/// the version has one for every option (true/false's are words).
fn options_html(options: &[ChoiceOption], rendered: Option<&RenderedQuestion>) -> Vec<String> {
    match rendered {
        Some(r) if r.options.len() == options.len() => r.options.iter().map(|o| o.html.clone()).collect(),
        _ => options.iter().map(|o| escape(&o.text)).collect(),
    }
}

/// One analysed column as the report shows it: the question and version it
/// stands for, its options and key, and its statistics.
fn analysed_item(
    cohort: &Cohort,
    column: &Column,
    stats: ItemStats,
    options: Option<(Vec<ChoiceOption>, Vec<String>)>,
    versions: &HashMap<VersionId, Version>,
    keys: &HashMap<VersionId, VersionId>,
) -> AppResult<AnalysedItem> {
    let first = first_item(cohort, column)?;
    let version = versions.get(&first.version_id);
    Ok(AnalysedItem {
        question_id: first.question_id,
        version_id: first.version_id,
        version: version.map_or(0, |v| v.version),
        stem: version
            .map(|v| {
                v.rendered
                    .as_ref()
                    .map_or_else(|| v.stem.clone(), |r| r.stem.text.clone())
            })
            .unwrap_or_default(),
        stem_html: version
            .map(|v| {
                v.rendered
                    .as_ref()
                    .map_or_else(|| escape(&v.stem), |r| r.stem.html.clone())
            })
            .unwrap_or_default(),
        section: cohort.sections.get(column.section).cloned().unwrap_or_default(),
        slot: column.slot,
        qtype: first.qtype,
        quarantined: version.is_some_and(|v| v.quarantined),
        quarantine_reason: version.and_then(|v| v.quarantine_reason.clone()),
        key_version: keys
            .get(&first.version_id)
            .map(|k| (*k, versions.get(k).map_or(0, |v| v.version))),
        options_html: options.as_ref().map(|(_, html)| html.clone()).unwrap_or_default(),
        options: options.unwrap_or_default().0.into_iter().map(|o| o.text).collect(),
        stats,
        enough_responses: true,
    })
}

/// A one-item matrix with no attempts: the test statistics of nobody.
fn empty_matrix() -> AppResult<stats::MarksMatrix> {
    stats::MarksMatrix::from_rows(Vec::new(), vec![1.0], &[]).map_err(|e| AppError::internal("item analysis", e))
}

/// The first attempt item of a column: every column is made from at least
/// one item, so its absence is a bug in the grouping, reported as such.
fn first_item<'a>(cohort: &'a Cohort, column: &Column) -> AppResult<&'a FormItem> {
    column
        .items
        .first()
        .and_then(|&i| cohort.items.get(i))
        .ok_or_else(|| AppError::Internal("item analysis: a column without items".to_owned()))
}

/// Sample covariance of paired values; `None` under two pairs.
fn covariance(pairs: impl Iterator<Item = (f64, f64)> + Clone) -> Option<f64> {
    let (n, sx, sy) = pairs
        .clone()
        .fold((0usize, 0.0, 0.0), |(n, sx, sy), (x, y)| (n + 1, sx + x, sy + y));
    if n < 2 {
        return None;
    }
    let nf = count_f64(n);
    let (mx, my) = (sx / nf, sy / nf);
    Some(pairs.map(|(x, y)| (x - mx) * (y - my)).sum::<f64>() / (nf - 1.0))
}

/// With differing forms, a version's weights are measured against the test
/// (its slots), not against every version of the pool: intended weight
/// 100 · m_v / Σ m_slot, effective weight 100 · √C_v / Σ_{C_slot ≥ 0} √C_slot.
fn reweigh(cohort: &Cohort, slots: &Matrix, versions: &Matrix, items: &mut [ItemStats]) {
    let totals = slots.matrix.totals();
    let max_total = slots.matrix.max_total();
    let root_sum: f64 = (0..slots.columns.len())
        .filter_map(|j| covariance(slots.matrix.column(j).iter().copied().zip(totals.iter().copied())))
        .filter(|c| *c >= 0.0)
        .map(f64::sqrt)
        .sum();
    for (column, stats) in versions.columns.iter().zip(items) {
        stats.intended_weight_percent = 100.0 * stats.max_mark / max_total;
        let pairs = column.items.iter().filter_map(|&i| {
            let item = cohort.items.get(i)?;
            Some((item.score, *totals.get(item.row)?))
        });
        stats.effective_weight_percent = match covariance(pairs) {
            Some(c) if c >= 0.0 && root_sum > 0.0 => Some(100.0 * c.sqrt() / root_sum),
            _ => None,
        };
    }
}

/// `(graded attempts, SEM percent, alpha, SD percent)`, as
/// [`standard_error_percent`] returns it.
pub type Reliability = (usize, Option<f64>, Option<f64>, Option<f64>);

/// For routing's review band: over an assessment's counting attempts, with
/// the form's slots as the items, returns
/// `(graded attempts, standard error of measurement in percent of the maximum
/// total, Cronbach's alpha, SD of the totals in percent)`. The SEM, alpha and
/// SD are `None` where STATISTICS.md says they are undefined (fewer than 3
/// attempts, fewer than 2 slots, or no spread). Reads marks only.
pub fn standard_error_percent(conn: &mut DbConn, assessment_id: AssessmentId) -> AppResult<Reliability> {
    let assessment = assessments::find(conn, assessment_id)?;
    let cohort = super::forms::load(conn, &assessment, false)?;
    if cohort.items.is_empty() {
        return Ok((0, None, None, None));
    }
    let test = stats::test_statistics(&cohort.slot_matrix()?.matrix).with_own_percents(&cohort.percents);
    Ok((
        test.n,
        test.standard_error_percent,
        test.cronbach_alpha,
        test.sd_percent,
    ))
}
