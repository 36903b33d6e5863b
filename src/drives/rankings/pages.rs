//! The recruiter's pages: rankings with filters and bulk actions, the
//! candidate detail with its timeline, and the drive's charts.

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::{self as rankings, RankingQuery, RankingRow, Standing};
use crate::accounts::models::ProfileRow;
use crate::app::AppState;
use crate::attempts::grading::{self, AttemptResult};
use crate::attempts::signals::{self, Leave};
use crate::db::schema::{applications, attempts};
use crate::db::{ApplicationId, ApplicationStatus, DriveId};
use crate::drives::charts;
use crate::drives::pipeline::{self, Bulk, Decision, TimelineEvent};
use crate::drives::service::{self, ApplicationRow, DriveRow};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::charts::{BarChart, Histogram};
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Pager};

#[derive(Template)]
#[template(path = "rankings/list.html")]
struct RankingsPage {
    chrome: Chrome,
    drive: DriveRow,
    rows: Vec<RankingRow>,
    pager: Pager,
    ranked: i64,
    query: RankingQuery,
    query_string: String,
    statuses: [&'static str; 7],
    sections: Vec<String>,
}

impl RankingsPage {
    fn is(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }
}

fn query_string(q: &RankingQuery) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut push = |k, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            pairs.push((k, v));
        }
    };
    push("status", q.status.clone());
    push("domain", q.domain.clone());
    push("degree", q.degree.clone());
    push("min_percent", q.min_percent.map(|p| p.to_string()));
    push("eligible", q.eligible.map(|e| e.to_string()));
    push("sort", q.sort.clone());
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

async fn list(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<RankingQuery>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let mut query = query.into_inner();
    query.limit = Some(paging::size(query.limit, 50, 200));
    let lookup = query.clone();
    let (drive, page, sections) = state
        .db(move |conn| {
            let drive = service::find(conn, drive_id)?;
            let standing = Standing::load(conn, drive_id)?;
            let page = rankings::page(conn, drive_id, &lookup, &standing)?;
            let assessment = crate::assessments::service::find(conn, drive.assessment_id)?;
            let sections = assessment.sections()?.into_iter().map(|s| s.name).collect();
            Ok((drive, page, sections))
        })
        .await?;
    let query_string = query_string(&query);
    let pager = Pager::next(
        &format!("/drives/{drive_id}/rankings"),
        &query_string,
        "after",
        page.next_after,
        "Next page",
    );
    render(&RankingsPage {
        chrome: ctx.chrome(format!("Rankings: {}", drive.name)),
        drive,
        rows: page.rows,
        pager,
        ranked: page.ranked,
        query_string,
        query,
        statuses: ApplicationStatus::ALL.map(ApplicationStatus::as_str),
        sections,
    })
}

#[derive(Deserialize)]
struct BulkForm {
    action: String,
    n: Option<i64>,
    percent: Option<f64>,
    expected: Option<usize>,
}

impl TryFrom<&BulkForm> for Bulk {
    type Error = AppError;

    fn try_from(form: &BulkForm) -> AppResult<Bulk> {
        match (form.action.as_str(), form.n, form.percent) {
            ("shortlist_top", Some(n), _) if n > 0 => Ok(Bulk::ShortlistTop { n }),
            ("reject_below", _, Some(p)) if (0.0..=100.0).contains(&p) => Ok(Bulk::RejectBelow { percent: p }),
            ("shortlist_top", _, _) => Err(AppError::invalid_field("n", "Say how many to shortlist (1 or more).")),
            ("reject_below", _, _) => Err(AppError::invalid_field("percent", "Give a percentage from 0 to 100.")),
            _ => Err(AppError::invalid_field(
                "action",
                "Choose shortlist_top or reject_below.",
            )),
        }
    }
}

#[derive(Template)]
#[template(path = "rankings/bulk.html")]
struct BulkPage {
    chrome: Chrome,
    drive: DriveRow,
    action: String,
    n: Option<i64>,
    percent: Option<f64>,
    count: usize,
    sentence: String,
}

/// Step one of a bulk action: say exactly how many people it touches.
async fn bulk_preview(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let action = Bulk::try_from(&form)?;
    let lookup = action.clone();
    let (drive, targets) = state
        .db(move |conn| {
            Ok((
                service::find(conn, drive_id)?,
                pipeline::bulk_targets(conn, drive_id, &lookup)?,
            ))
        })
        .await?;
    render(&BulkPage {
        chrome: ctx.chrome("Confirm a bulk action"),
        drive,
        action: form.action,
        n: form.n,
        percent: form.percent,
        count: targets.len(),
        sentence: action.describe(targets.len()),
    })
}

/// Step two: apply to exactly as many as were confirmed.
async fn bulk_apply(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let action = Bulk::try_from(&form)?;
    let expected = form
        .expected
        .ok_or_else(|| AppError::invalid_field("expected", "Confirm from the preview page."))?;
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let done = state
        .db(move |conn| pipeline::apply_bulk(conn, drive_id, &action, expected, user.id, now, &mail))
        .await?;
    Ok(redirect(&format!("/drives/{drive_id}/rankings?done={done}")))
}

#[derive(Template)]
#[template(path = "rankings/applicant.html")]
struct ApplicantPage {
    chrome: Chrome,
    drive: DriveRow,
    app: ApplicationRow,
    name: String,
    email: String,
    profile: Option<ProfileRow>,
    result: Option<AttemptResult>,
    minutes_taken: Option<i64>,
    focus_losses: i32,
    leaves: Vec<Leave>,
    pastes: i32,
    timeline: Vec<TimelineEvent>,
    moves: &'static [ApplicationStatus],
    error: Option<String>,
}

async fn load_applicant(state: &AppState, drive_id: DriveId, id: ApplicationId) -> AppResult<ApplicantPage> {
    state
        .db(move |conn| {
            let drive = service::find(conn, drive_id)?;
            let app: ApplicationRow = applications::table
                .find(id)
                .filter(applications::drive_id.eq(drive_id))
                .select(ApplicationRow::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| AppError::NotFound(format!("Drive {drive_id} has no application {id}.")))?;
            let user = crate::accounts::service::find_user(conn, app.candidate_id)?;
            let profile = crate::accounts::service::get_profile(conn, app.candidate_id)?;
            let attempt = match app.attempt_id {
                Some(a) => attempts::table
                    .find(a)
                    .select(crate::attempts::models::AttemptRow::as_select())
                    .first(conn)
                    .optional()?,
                None => None,
            };
            let result = attempt.as_ref().map(|a| grading::result(conn, a)).transpose()?;
            let minutes_taken = attempt
                .as_ref()
                .and_then(|a| a.submitted_at.map(|s| (s - a.started_at).num_minutes()));
            let timeline = pipeline::timeline(conn, id)?;
            let leaves = match &attempt {
                Some(a) => signals::leaves(conn, a.id)?,
                None => vec![],
            };
            Ok(ApplicantPage {
                chrome: Chrome {
                    title: String::new(),
                    user: None,
                    csrf: String::new(),
                    firm: String::new(),
                    nav: vec![],
                },
                moves: pipeline::allowed_from(app.status),
                focus_losses: attempt.as_ref().map(|a| a.focus_losses).unwrap_or(0),
                pastes: attempt.as_ref().map(|a| a.pastes).unwrap_or(0),
                leaves,
                drive,
                app,
                name: user.full_name,
                email: user.email,
                profile,
                result,
                minutes_taken,
                timeline,
                error: None,
            })
        })
        .await
}

async fn applicant(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<(DriveId, ApplicationId)>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let mut page = load_applicant(&state, drive_id, id).await?;
    page.chrome = ctx.chrome(page.name.clone());
    render(&page)
}

#[derive(Deserialize)]
struct DecisionForm {
    status: String,
    note: Option<String>,
    cohort_id: Option<String>,
}

impl TryFrom<DecisionForm> for Decision {
    type Error = AppError;

    fn try_from(form: DecisionForm) -> AppResult<Decision> {
        let cohort_id = match form.cohort_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(
                c.parse()
                    .map_err(|_| AppError::invalid_field("cohort_id", "A cohort id is a number."))?,
            ),
            None => None,
        };
        Ok(Decision {
            status: form.status,
            note: form.note.unwrap_or_default(),
            cohort_id,
        })
    }
}

async fn decide(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<(DriveId, ApplicationId)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let decision = Decision::try_from(form)?;
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    match state
        .db(move |conn| pipeline::decide(conn, id, &decision, user.id, now, &mail))
        .await
    {
        Ok(_) => Ok(redirect(&format!("/drives/{drive_id}/applications/{id}"))),
        Err(e @ (AppError::Conflict { .. } | AppError::Invalid { .. })) => {
            let mut page = load_applicant(&state, drive_id, id).await?;
            page.chrome = ctx.chrome(page.name.clone());
            page.error = Some(e.public_message());
            render_status(actix_web::ResponseError::status_code(&e), &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "rankings/charts.html")]
struct ChartsPage {
    chrome: Chrome,
    drive: DriveRow,
    distribution: Histogram,
    sections: BarChart,
    funnel: BarChart,
    ranked: i64,
}

async fn charts_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let (drive, standing, pass, averages, funnel) = state
        .db(move |conn| {
            let drive = service::find(conn, drive_id)?;
            let standing = Standing::load(conn, drive_id)?;
            let pass = crate::assessments::service::find(conn, drive.assessment_id)?.pass_percent;
            Ok((
                drive,
                standing,
                pass,
                charts::section_averages(conn, drive_id)?,
                charts::funnel(conn, drive_id)?,
            ))
        })
        .await?;
    render(&ChartsPage {
        chrome: ctx.chrome(format!("Charts: {}", drive.name)),
        distribution: Histogram::new(standing.histogram(), pass),
        sections: BarChart::new(averages, 100.0, "%"),
        funnel: BarChart::new(
            funnel
                .into_iter()
                .map(|(s, n)| (s, crate::convert::i64_f64(n)))
                .collect(),
            0.0,
            "",
        ),
        ranked: standing.total,
        drive,
    })
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/rankings", web::get().to(list))
        .route("/drives/{id}/bulk", web::post().to(bulk_preview))
        .route("/drives/{id}/bulk/confirm", web::post().to(bulk_apply))
        .route("/drives/{id}/charts", web::get().to(charts_page))
        .route("/drives/{drive}/applications/{id}", web::get().to(applicant))
        .route("/drives/{drive}/applications/{id}/decision", web::post().to(decide));
}
