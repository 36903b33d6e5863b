//! The item analysis as the API returns it and the CSV export writes it.
//! Field names are API.md's; values are STATISTICS.md's, `null` where
//! undefined. Shares are fractions (0 to 1), `_percent` fields percents.

use serde::Serialize;
use utoipa::ToSchema;

use super::analysis::{AnalysedItem, Analysis, FORMS_DIFFER_NOTE};
use super::results::ResultLine;
use super::stats::Flag;
use crate::db::{AssessmentId, QuestionId, VersionId};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TestView {
    /// s: counting graded attempts (one per person).
    pub n: usize,
    pub mean_percent: Option<f64>,
    pub median_percent: Option<f64>,
    pub sd_percent: Option<f64>,
    pub skewness: Option<f64>,
    pub kurtosis: Option<f64>,
    pub cronbach_alpha: Option<f64>,
    pub kr20: Option<f64>,
    pub error_ratio_percent: Option<f64>,
    pub standard_error_percent: Option<f64>,
    /// k: the slots (section and draw index) the test statistics use.
    pub items: usize,
    /// Σ m_j, the maximum total in marks.
    pub max_total: f64,
    /// The standard error of measurement in marks.
    pub standard_error: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistractorView {
    /// The option's index in the question as the bank holds it (0 = A),
    /// whatever order each form displayed it in.
    pub option_id: usize,
    pub text: String,
    pub is_key: bool,
    pub share_all: Option<f64>,
    pub share_upper: Option<f64>,
    pub share_lower: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlankView {
    pub share_all: Option<f64>,
    pub share_upper: Option<f64>,
    pub share_lower: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlagView {
    /// `too_hard`, `too_easy`, `negative_discrimination`,
    /// `low_discrimination`, `dubious_efficiency`, `unused_distractor`,
    /// `likely_miskey`.
    pub name: &'static str,
    /// The option an option flag is about (its `option_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<usize>,
    /// What the numbers suggest, in one sentence.
    pub message: String,
}

impl From<Flag> for FlagView {
    fn from(flag: Flag) -> Self {
        FlagView {
            name: flag.name(),
            option: flag.option(),
            message: flag.message(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub question_id: QuestionId,
    pub version_id: VersionId,
    /// The stem as plain text.
    pub stem: String,
    /// The stem as sanitised HTML (tables, MathML), safe to insert.
    pub stem_html: String,
    pub section: String,
    pub facility_percent: Option<f64>,
    pub sd_percent: Option<f64>,
    pub random_guess_percent: Option<f64>,
    pub intended_weight_percent: f64,
    pub effective_weight_percent: Option<f64>,
    pub discrimination_index: Option<f64>,
    pub discriminative_efficiency: Option<f64>,
    /// r(x, T), a coefficient from -1 to 1.
    pub point_biserial: Option<f64>,
    /// p_U − p_L, a fraction from -1 to 1.
    pub upper_lower_index: Option<f64>,
    pub distractors: Vec<DistractorView>,
    /// Empty while `enough_responses` is false: too few answers to judge.
    pub flags: Vec<FlagView>,
    /// Whether enough attempts saw this version to judge it
    /// (`FLAG_MIN_RESPONSES`, 30 by default).
    pub enough_responses: bool,
    /// The version's number within its question.
    pub version: i32,
    /// single_choice, multiple_response, true_false, numeric, short_text, essay.
    #[serde(rename = "type")]
    pub qtype: &'static str,
    /// 0-based draw index within the section (the lowest, when forms differ).
    pub slot: usize,
    /// Attempts that saw this version.
    pub n: usize,
    pub max_mark: f64,
    /// Size of each 27 % group among the attempts that saw it.
    pub group_size: usize,
    /// Shares leaving a choice item blank.
    pub blank: Option<BlankView>,
    pub quarantined: bool,
    pub quarantine_reason: Option<String>,
    /// When this version's key was corrected: the version whose key now
    /// scores it (and whose keys the distractors show).
    pub corrected_version_id: Option<VersionId>,
}

impl From<&AnalysedItem> for ItemView {
    fn from(item: &AnalysedItem) -> Self {
        let s = &item.stats;
        ItemView {
            question_id: item.question_id,
            version_id: item.version_id,
            stem: item.stem.clone(),
            stem_html: item.stem_html.clone(),
            section: item.section.clone(),
            facility_percent: s.facility_percent,
            sd_percent: s.sd_percent,
            random_guess_percent: s.random_guess_percent,
            intended_weight_percent: s.intended_weight_percent,
            effective_weight_percent: s.effective_weight_percent,
            discrimination_index: s.discrimination_index,
            discriminative_efficiency: s.discriminative_efficiency,
            point_biserial: s.point_biserial,
            upper_lower_index: s.upper_lower_index,
            distractors: s
                .distractors
                .iter()
                .map(|d| DistractorView {
                    option_id: d.option,
                    text: item.options.get(d.option).cloned().unwrap_or_default(),
                    is_key: d.is_key,
                    share_all: d.share_all,
                    share_upper: d.share_upper,
                    share_lower: d.share_lower,
                })
                .collect(),
            flags: s.flags.iter().copied().map(FlagView::from).collect(),
            enough_responses: item.enough_responses,
            version: item.version,
            qtype: item.qtype.as_str(),
            slot: item.slot,
            n: s.n,
            max_mark: s.max_mark,
            group_size: s.group_size,
            blank: s.blank.as_ref().map(|b| BlankView {
                share_all: b.share_all,
                share_upper: b.share_upper,
                share_lower: b.share_lower,
            }),
            quarantined: item.quarantined,
            quarantine_reason: item.quarantine_reason.clone(),
            corrected_version_id: item.key_version.map(|(id, _)| id),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupsView {
    /// round(0.27 · n).
    pub size: usize,
    pub fraction: f64,
    pub tie_break: &'static str,
}

/// `GET /api/v1/assessments/{id}/item-analysis`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"assessment_id": 21, "title": "Motor claims post-training exam", "pass_percent": 60.0,
    "test": {"n": 120, "mean_percent": 68.4, "median_percent": 70.0, "sd_percent": 12.6, "skewness": -0.42, "kurtosis": 2.8,
        "cronbach_alpha": 0.84, "kr20": 0.84, "error_ratio_percent": 40.0, "standard_error_percent": 5.0, "items": 40,
        "max_total": 40.0, "standard_error": 2.0},
    "items": [{"question_id": 412, "version_id": 1204,
        "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
        "stem_html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
        "section": "Insurance basics", "facility_percent": 64.2, "sd_percent": 48.1, "random_guess_percent": 25.0,
        "intended_weight_percent": 2.5, "effective_weight_percent": 3.1, "discrimination_index": 0.41,
        "discriminative_efficiency": 0.55, "point_biserial": 0.38, "upper_lower_index": 0.47,
        "distractors": [{"option_id": 0, "text": "Pure protection", "is_key": true, "share_all": 0.642, "share_upper": 0.875, "share_lower": 0.406},
            {"option_id": 1, "text": "Endowment", "is_key": false, "share_all": 0.183, "share_upper": 0.063, "share_lower": 0.313},
            {"option_id": 2, "text": "Unit-linked", "is_key": false, "share_all": 0.117, "share_upper": 0.031, "share_lower": 0.188},
            {"option_id": 3, "text": "Annuity", "is_key": false, "share_all": 0.058, "share_upper": 0.031, "share_lower": 0.094}],
        "flags": [], "enough_responses": true, "version": 2, "type": "single_choice", "slot": 0, "n": 120,
        "max_mark": 1.0, "group_size": 32, "blank": {"share_all": 0.0, "share_upper": 0.0, "share_lower": 0.0},
        "quarantined": false, "quarantine_reason": null, "corrected_version_id": null}],
    "groups": {"size": 32, "fraction": 0.27, "tie_break": "attempts ranked by total, highest first, ties ordered by attempt id ascending"},
    "forms_differ": false, "note": null,
    "results": [{"attempt_id": 2817, "name": "Priya Venkataraman", "score": 37.0, "max_score": 40.0, "percent": 92.5}],
    "distribution": [0, 0, 0, 2, 9, 21, 34, 30, 18, 6]}))]
pub struct ItemAnalysisView {
    pub assessment_id: AssessmentId,
    pub title: String,
    pub pass_percent: f64,
    pub test: TestView,
    pub items: Vec<ItemView>,
    pub groups: GroupsView,
    /// Whether forms drew different questions into the same slot.
    pub forms_differ: bool,
    /// Said when forms differ: how the item statistics were taken.
    pub note: Option<&'static str>,
    /// Each counting attempt's result, best first: the figures above are
    /// taken from these percents.
    pub results: Vec<ResultLine>,
    /// The histogram: attempts per 10-point band of the percent, from
    /// 0–10 % to 90–100 % (100 % joins the top band).
    pub distribution: Vec<i64>,
}

impl From<&Analysis> for ItemAnalysisView {
    fn from(a: &Analysis) -> Self {
        let t = &a.test;
        ItemAnalysisView {
            assessment_id: a.assessment.id,
            title: a.assessment.title.clone(),
            pass_percent: a.assessment.pass_percent,
            test: TestView {
                n: t.n,
                mean_percent: t.mean_percent,
                median_percent: t.median_percent,
                sd_percent: t.sd_percent,
                skewness: t.skewness,
                kurtosis: t.kurtosis,
                cronbach_alpha: t.cronbach_alpha,
                kr20: t.kr20,
                error_ratio_percent: t.error_ratio_percent,
                standard_error_percent: t.standard_error_percent,
                items: a.slots,
                max_total: if a.slots == 0 { 0.0 } else { t.max_total },
                standard_error: t.standard_error,
            },
            items: a.items.iter().map(ItemView::from).collect(),
            groups: GroupsView {
                size: a.groups.size,
                fraction: a.groups.fraction,
                tie_break: a.groups.tie_break,
            },
            forms_differ: a.forms_differ,
            note: a.forms_differ.then_some(FORMS_DIFFER_NOTE),
            results: a.results.clone(),
            distribution: super::charts::bands(&a.percents).to_vec(),
        }
    }
}
