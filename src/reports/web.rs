//! The trainer's report page and the forms that act on it.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::analysis::{self, AnalysedItem, Analysis, FORMS_DIFFER_NOTE};
use super::charts::{self, option_letter, shorten, Histogram, OptionBars, Scatter};
use super::correction;
use super::keys::Fix;
use super::quarantine;
use super::results::ResultLine;
use crate::app::AppState;
use crate::banks::question::QuestionType;
use crate::db::{AssessmentId, VersionId};
use crate::error::{AppError, AppResult};
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, Chrome, PageCtx};

/// A statistic as the page prints it: one decimal, or a dash for null.
fn one(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
}

fn two(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{:.0}%", 100.0 * v))
}

struct TestLine {
    name: &'static str,
    value: String,
    meaning: &'static str,
}

/// One row of the results list, rounded as the page shows it.
struct ResultRow {
    name: String,
    score: String,
    percent: String,
}

impl From<&ResultLine> for ResultRow {
    fn from(r: &ResultLine) -> Self {
        ResultRow {
            name: r.name.clone(),
            score: format!("{} of {}", trim(r.score), trim(r.max_score)),
            percent: one(Some(r.percent)),
        }
    }
}

/// Marks without a needless ".0": 7 of 9, 7.5 of 9.
fn trim(marks: f64) -> String {
    let text = format!("{marks:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

struct FlagLine {
    name: &'static str,
    message: String,
}

struct OptionLine {
    index: usize,
    label: String,
    /// Sanitised HTML.
    html: String,
    is_key: bool,
    all: String,
    upper: String,
    lower: String,
}

/// One item as the page shows it.
struct ItemLine {
    number: usize,
    anchor: String,
    version_id: VersionId,
    version: i32,
    section: String,
    /// Sanitised HTML.
    stem_html: String,
    stem_short: String,
    kind: &'static str,
    n: usize,
    facility: String,
    sd: String,
    guess: String,
    intended: String,
    effective: String,
    discrimination: String,
    efficiency: String,
    point_biserial: String,
    upper_lower: String,
    flags: Vec<FlagLine>,
    /// Whether enough people answered it to judge it (and flag it).
    enough: bool,
    quarantined: bool,
    quarantine_reason: String,
    /// The number of the version whose key now scores this one.
    corrected_in: Option<i32>,
    options: Vec<OptionLine>,
    blank: Option<OptionLine>,
    bars: Option<OptionBars>,
    /// The correct-key form: choice questions only (other keys by API).
    correctable: bool,
    multiple: bool,
}

fn kind_label(qtype: QuestionType) -> &'static str {
    match qtype {
        QuestionType::SingleChoice => "single choice",
        QuestionType::MultipleResponse => "multiple response",
        QuestionType::TrueFalse => "true/false",
        QuestionType::Numeric => "numeric",
        QuestionType::ShortText => "short text",
        QuestionType::Essay => "essay",
    }
}

impl ItemLine {
    fn new(number: usize, item: &AnalysedItem) -> ItemLine {
        let s = &item.stats;
        let options = s
            .distractors
            .iter()
            .map(|d| OptionLine {
                index: d.option,
                label: option_letter(d.option),
                html: item.options_html.get(d.option).cloned().unwrap_or_default(),
                is_key: d.is_key,
                all: share(d.share_all),
                upper: share(d.share_upper),
                lower: share(d.share_lower),
            })
            .collect();
        ItemLine {
            number,
            anchor: format!("item-{}", item.version_id),
            version_id: item.version_id,
            version: item.version,
            section: item.section.clone(),
            stem_html: item.stem_html.clone(),
            stem_short: shorten(&item.stem, 90),
            kind: kind_label(item.qtype),
            n: s.n,
            facility: one(s.facility_percent),
            sd: one(s.sd_percent),
            guess: one(s.random_guess_percent),
            intended: one(Some(s.intended_weight_percent)),
            effective: one(s.effective_weight_percent),
            discrimination: one(s.discrimination_index),
            efficiency: one(s.discriminative_efficiency),
            point_biserial: two(s.point_biserial),
            upper_lower: two(s.upper_lower_index),
            flags: s
                .flags
                .iter()
                .map(|f| FlagLine {
                    name: f.name(),
                    message: f.message(),
                })
                .collect(),
            enough: item.enough_responses,
            quarantined: item.quarantined,
            quarantine_reason: item.quarantine_reason.clone().unwrap_or_default(),
            corrected_in: item.key_version.map(|(_, n)| n),
            options,
            blank: s.blank.as_ref().map(|b| OptionLine {
                index: usize::MAX,
                label: "—".into(),
                html: "(blank)".into(),
                is_key: false,
                all: share(b.share_all),
                upper: share(b.share_upper),
                lower: share(b.share_lower),
            }),
            bars: OptionBars::new(item),
            correctable: item.key_version.is_none()
                && matches!(
                    item.qtype,
                    QuestionType::SingleChoice | QuestionType::MultipleResponse | QuestionType::TrueFalse
                ),
            multiple: item.qtype == QuestionType::MultipleResponse,
        }
    }
}

fn test_lines(a: &Analysis) -> Vec<TestLine> {
    let t = &a.test;
    let line = |name, value, meaning| TestLine { name, value, meaning };
    vec![
        line(
            "Attempts (n)",
            t.n.to_string(),
            "each person's counting attempt: their latest graded one",
        ),
        line("Items (k)", a.slots.to_string(), "slots: a section and a draw index"),
        line(
            "Mean",
            format!("{} %", one(t.mean_percent)),
            "the average of the percents in the results list below",
        ),
        line(
            "Median",
            format!("{} %", one(t.median_percent)),
            "half the results are at or below this",
        ),
        line(
            "Standard deviation",
            format!("{} %", one(t.sd_percent)),
            "how far results typically sit from the mean (sample SD of the percents)",
        ),
        line(
            "Skewness",
            two(t.skewness),
            "negative: most scored high; positive: most scored low",
        ),
        line("Kurtosis", two(t.kurtosis), "excess; 0 for a normal distribution"),
        line(
            "Cronbach's alpha",
            two(t.cronbach_alpha),
            "reliability; 0.7 or more is usual for a selection test",
        ),
        line("KR-20", two(t.kr20), "alpha, when every item is all-or-nothing"),
        line(
            "Error ratio",
            format!("{} %", one(t.error_ratio_percent)),
            "√(1 − alpha)",
        ),
        line(
            "Standard error",
            format!("{} %", one(t.standard_error_percent)),
            "of measurement: a retest would land within about this of the score",
        ),
    ]
}

#[derive(Template)]
#[template(path = "reports/report.html")]
struct ReportPage {
    chrome: Chrome,
    id: AssessmentId,
    title: String,
    pass_percent: f64,
    note: Option<&'static str>,
    tie_break: &'static str,
    group_size: usize,
    test: Vec<TestLine>,
    items: Vec<ItemLine>,
    distribution: Histogram,
    results: Vec<ResultRow>,
    scatter: Scatter,
    has_scores: bool,
    flagged: usize,
    /// Responses a question needs before it is judged.
    min_responses: usize,
    message: Option<String>,
}

#[derive(Deserialize)]
struct ReportQuery {
    quarantined: Option<i32>,
    corrected: Option<i32>,
    changed: Option<usize>,
}

async fn report(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<AssessmentId>,
    query: Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let min_responses = state.config.flag_min_responses;
    let a = state.db(move |conn| analysis::analyse(conn, id, min_responses)).await?;
    let message = match query.into_inner() {
        ReportQuery {
            quarantined: Some(v), ..
        } => Some(format!(
            "Version {v} is quarantined: no new form will draw it; attempts that showed it keep it."
        )),
        ReportQuery {
            corrected: Some(v),
            changed,
            ..
        } => Some(format!(
            "The key is corrected as version {v}; submitted attempts were re-graded and {} result(s) changed.",
            changed.unwrap_or(0)
        )),
        _ => None,
    };
    let items: Vec<ItemLine> = a
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| ItemLine::new(i + 1, item))
        .collect();
    render(&ReportPage {
        chrome: ctx.chrome(format!("Report: {}", a.assessment.title)),
        id,
        title: a.assessment.title.clone(),
        pass_percent: a.assessment.pass_percent,
        note: a.forms_differ.then_some(FORMS_DIFFER_NOTE),
        tie_break: a.groups.tie_break,
        group_size: a.groups.size,
        test: test_lines(&a),
        flagged: items.iter().filter(|i| !i.flags.is_empty()).count(),
        distribution: charts::distribution(&a.percents, a.assessment.pass_percent),
        results: a.results.iter().map(ResultRow::from).collect(),
        scatter: Scatter::new(&a.items),
        has_scores: !a.percents.is_empty(),
        items,
        min_responses,
        message,
    })
}

#[derive(Deserialize)]
struct QuarantineForm {
    reason: String,
}

async fn quarantine_item(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<(AssessmentId, VersionId)>,
    CsrfForm(form): CsrfForm<QuarantineForm>,
) -> AppResult<HttpResponse> {
    let (id, version_id) = path.into_inner();
    let now = state.clock.now();
    state
        .db(move |conn| {
            if !quarantine::shown_in(conn, id, version_id)? {
                return Err(AppError::NotFound(format!(
                    "Assessment {id} never showed question version {version_id}."
                )));
            }
            quarantine::quarantine(conn, version_id, &form.reason, user.id, now)
        })
        .await?;
    Ok(redirect(&format!(
        "/assessments/{id}/report?quarantined={version_id}#item-{version_id}"
    )))
}

/// The correct-key form: `reason` and one `key` per ticked option (a form
/// repeats the name, so the fields are read as pairs).
async fn correct_item(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<(AssessmentId, VersionId)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (id, version_id) = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let reason = fields
        .iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let key = fields
        .iter()
        .filter(|(k, _)| k == "key")
        .map(|(_, v)| {
            v.parse::<usize>()
                .map_err(|_| AppError::invalid_field("key", "Tick the right option(s)."))
        })
        .collect::<AppResult<Vec<usize>>>()?;
    let done = state
        .db(move |conn| {
            if !quarantine::shown_in(conn, id, version_id)? {
                return Err(AppError::NotFound(format!(
                    "Assessment {id} never showed question version {version_id}."
                )));
            }
            correction::correct_key(conn, version_id, &Fix::Key(key), &reason, user.id, now, &effects)
        })
        .await?;
    Ok(redirect(&format!(
        "/assessments/{id}/report?corrected={}&changed={}#item-{version_id}",
        done.new_version, done.results_changed
    )))
}

const REPORT_CSS: &str = include_str!("../../templates/reports/report.css");

async fn report_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(REPORT_CSS)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assessments/{id}/report", web::get().to(report))
        .route("/assessments/{id}/report.csv", web::get().to(super::export::report_csv))
        .route(
            "/assessments/{id}/report.xlsx",
            web::get().to(super::export::report_xlsx),
        )
        .route(
            "/assessments/{id}/items/{version_id}/quarantine",
            web::post().to(quarantine_item),
        )
        .route(
            "/assessments/{id}/items/{version_id}/correct-key",
            web::post().to(correct_item),
        )
        .route("/static/reports.css", web::get().to(report_css));
}
