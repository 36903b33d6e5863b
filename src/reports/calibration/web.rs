//! The calibration pages: the list with the start form, one calibration's
//! progress or report, and the accept confirmation.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::curves;
use super::report::{CalibrationReport, ReportItem};
use super::run;
use super::store::{self, CalibrationStatus, CalibrationSummary};
use crate::app::AppState;
use crate::assessments::web::FormErrors;
use crate::db::schema::{assessments, attempts};
use crate::db::{AssessmentId, AttemptStatus, CalibrationId, DbConn};
use crate::error::{AppError, AppResult};
use crate::web::auth::TrainerUser;
use crate::web::charts::LineChart;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, PageQuery, Pager, PAGE_SIZE};

/// An assessment the start form offers, with its graded attempts.
struct Choice {
    id: AssessmentId,
    title: String,
    attempts: i64,
    checked: bool,
}

#[derive(Template)]
#[template(path = "reports/calibrations.html")]
struct ListPage {
    chrome: Chrome,
    calibrations: Vec<CalibrationSummary>,
    pager: Pager,
    choices: Vec<Choice>,
    errors: FormErrors,
    min_people: i64,
}

/// Assessments with counting graded attempts, by title.
fn choices(conn: &mut DbConn, checked: &[AssessmentId]) -> AppResult<Vec<Choice>> {
    let counts: Vec<(AssessmentId, i64)> = attempts::table
        .filter(attempts::status.eq(AttemptStatus::Graded))
        .filter(attempts::counting.eq(true))
        .group_by(attempts::assessment_id)
        .select((attempts::assessment_id, diesel::dsl::count_star()))
        .load(conn)?;
    let ids: Vec<AssessmentId> = counts.iter().map(|c| c.0).collect();
    let titles: Vec<(AssessmentId, String)> = assessments::table
        .filter(assessments::id.eq_any(&ids))
        .select((assessments::id, assessments::title))
        .order((assessments::title.asc(), assessments::id.asc()))
        .load(conn)?;
    Ok(titles
        .into_iter()
        .map(|(id, title)| Choice {
            id,
            title,
            attempts: counts.iter().find(|c| c.0 == id).map_or(0, |c| c.1),
            checked: checked.contains(&id),
        })
        .collect())
}

async fn list_page(
    state: &AppState,
    ctx: &PageCtx,
    after: Option<String>,
    checked: Vec<AssessmentId>,
    errors: FormErrors,
) -> AppResult<ListPage> {
    let query = PageQuery {
        after: after.clone(),
        limit: Some(PAGE_SIZE),
    };
    let (page, choices): (Page<CalibrationSummary, CalibrationId>, Vec<Choice>) = state
        .db(move |conn| Ok((store::page(conn, &query)?, choices(conn, &checked)?)))
        .await?;
    let pager = Pager::next("/calibrations", "", "after", page.next, "Older calibrations →").with_first(
        after.is_none(),
        "/calibrations",
        "← Newest calibrations",
    );
    Ok(ListPage {
        chrome: ctx.chrome("Calibrations"),
        calibrations: page.rows,
        pager,
        choices,
        errors,
        min_people: super::responses::MIN_PEOPLE,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    query: Query<ListQuery>,
) -> AppResult<HttpResponse> {
    paging::after_id(query.after.as_deref())?;
    let page = list_page(
        &state,
        &ctx,
        query.into_inner().after,
        Vec::new(),
        FormErrors::default(),
    )
    .await?;
    render(&page)
}

/// The start form: one `assessment_id` per ticked box.
async fn start(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let ids: Vec<AssessmentId> = fields
        .iter()
        .filter(|(k, _)| k == "assessment_id")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let now = state.clock.now();
    let chosen = ids.clone();
    let begun = state.db(move |conn| run::begin(conn, &chosen, user.id, now)).await;
    match begun {
        Ok(summary) => {
            run::spawn(
                state.pool.clone(),
                state.clock.clone(),
                summary.id,
                summary.assessment_ids,
            )?;
            Ok(redirect(&format!("/calibrations/{}", summary.id)))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let page = list_page(&state, &ctx, None, ids, FormErrors::from_error(e)).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

/// One item's row on the report, its figures as the page prints them.
struct ItemRow {
    number: usize,
    item: ReportItem,
    stem_short: String,
    a: String,
    b: String,
    se_a: String,
    se_b: String,
    share_right: String,
    fit: String,
}

impl ItemRow {
    fn new(number: usize, item: &ReportItem) -> ItemRow {
        ItemRow {
            number,
            stem_short: crate::reports::charts::shorten(&item.stem, 90),
            a: num(Some(item.a), 2),
            b: num(Some(item.b), 2),
            se_a: num(item.se_a, 2),
            se_b: num(item.se_b, 2),
            share_right: format!("{:.0}%", 100.0 * item.share_right),
            fit: item.fit.as_ref().map_or_else(
                || "—".to_owned(),
                |f| format!("χ² {:.1} on {} df, p = {:.3}", f.chi_square, f.df, f.p_value),
            ),
            item: item.clone(),
        }
    }
}

fn num(v: Option<f64>, places: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "—".to_owned(), |v| format!("{v:.places$}"))
}

#[derive(Template)]
#[template(path = "reports/calibration.html")]
struct ShowPage {
    chrome: Chrome,
    calibration: CalibrationSummary,
    titles: Vec<String>,
    report: Option<CalibrationReport>,
    items: Vec<ItemRow>,
    flagged: usize,
    usable: usize,
    icc: Option<LineChart>,
    information: Option<(LineChart, f64)>,
    accepted: Option<String>,
}

#[derive(Deserialize)]
struct ShowQuery {
    accepted: Option<usize>,
}

fn titles(conn: &mut DbConn, ids: &[AssessmentId]) -> AppResult<Vec<String>> {
    Ok(assessments::table
        .filter(assessments::id.eq_any(ids))
        .select(assessments::title)
        .order(assessments::title.asc())
        .load(conn)?)
}

async fn show(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<CalibrationId>,
    query: Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (detail, titles) = state
        .db(move |conn| {
            let detail = store::read(conn, id)?;
            let titles = titles(conn, &detail.calibration.assessment_ids)?;
            Ok((detail, titles))
        })
        .await?;
    let report = detail.report;
    let items: Vec<ItemRow> = report.as_ref().map_or_else(Vec::new, |r| {
        r.items
            .iter()
            .enumerate()
            .map(|(i, item)| ItemRow::new(i + 1, item))
            .collect()
    });
    render(&ShowPage {
        chrome: ctx.chrome(format!("Calibration {id}")),
        flagged: items.iter().filter(|i| !i.item.ok).count(),
        usable: report.as_ref().map_or(0, |r| r.usable().count()),
        icc: report.as_ref().map(curves::characteristic),
        information: report.as_ref().map(curves::information),
        accepted: query
            .accepted
            .map(|n| format!("Accepted: {n} question version(s) now carry these parameters.")),
        calibration: detail.calibration,
        titles,
        report,
        items,
    })
}

#[derive(Template)]
#[template(path = "reports/calibration_accept.html")]
struct AcceptPage {
    chrome: Chrome,
    calibration: CalibrationSummary,
    usable: usize,
    flagged: usize,
}

async fn confirm_accept(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<CalibrationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let detail = state.db(move |conn| store::read(conn, id)).await?;
    if detail.calibration.status != CalibrationStatus::Finished {
        return Ok(redirect(&format!("/calibrations/{id}")));
    }
    let usable = detail.report.as_ref().map_or(0, |r| r.usable().count());
    let total = detail.report.as_ref().map_or(0, |r| r.items.len());
    render(&AcceptPage {
        chrome: ctx.chrome(format!("Accept calibration {id}")),
        calibration: detail.calibration,
        usable,
        flagged: total.saturating_sub(usable),
    })
}

async fn accept(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<CalibrationId>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let done = state.db(move |conn| run::accept(conn, id, user.id, now)).await?;
    Ok(redirect(&format!(
        "/calibrations/{id}?accepted={}",
        done.versions_updated
    )))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/calibrations", web::get().to(list))
        .route("/calibrations", web::post().to(start))
        .route("/calibrations/{id}", web::get().to(show))
        .route("/calibrations/{id}/accept", web::get().to(confirm_accept))
        .route("/calibrations/{id}/accept", web::post().to(accept));
}
