//! The recruiter's pages: rankings with filters and bulk actions, the
//! candidate detail with its timeline, and the drive's charts.

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;

use super::{self as rankings, RankingQuery, RankingRow, Standing};
use crate::accounts::models::ProfileRow;
use crate::app::AppState;
use crate::attempts::grading::{self, AttemptResult};
use crate::attempts::signals::{self, Leave};
use crate::db::schema::{applications, attempts};
use crate::db::{ApplicationId, ApplicationStatus, DriveId};
use crate::drives::charts;
use crate::drives::pipeline::{self, TimelineEvent};
use crate::drives::service::{self, ApplicationRow, DriveRow};
use crate::error::{AppError, AppResult};
use crate::web::auth::RecruiterUser;
use crate::web::charts::{BarChart, Histogram};
use crate::web::input::Query;
use crate::web::pages::{render, Chrome, PageCtx};
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
    statuses: [&'static str; ApplicationStatus::ALL.len()],
    sections: Vec<String>,
    /// The population a percentile waits for, stated under the table.
    percentile_min: i64,
}

/// A status as templates hand it over: by value or behind references.
trait Status {
    fn get(&self) -> ApplicationStatus;
}

impl Status for ApplicationStatus {
    fn get(&self) -> ApplicationStatus {
        *self
    }
}

impl<T: Status> Status for &T {
    fn get(&self) -> ApplicationStatus {
        (**self).get()
    }
}

impl ApplicantPage {
    fn label(&self, status: impl Status) -> &'static str {
        crate::drives::staff_label(status.get())
    }

    fn can_hire(&self) -> bool {
        self.moves.contains(&ApplicationStatus::Hired)
    }
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
        percentile_min: crate::attempts::grading::PERCENTILE_MIN_POPULATION,
    })
}

#[derive(Template)]
#[template(path = "rankings/applicant.html")]
pub(super) struct ApplicantPage {
    pub(super) chrome: Chrome,
    pub(super) drive: DriveRow,
    pub(super) app: ApplicationRow,
    pub(super) name: String,
    email: String,
    profile: Option<ProfileRow>,
    result: Option<AttemptResult>,
    minutes_taken: Option<i64>,
    focus_losses: i32,
    leaves: Vec<Leave>,
    pastes: i32,
    timeline: Vec<TimelineEvent>,
    moves: &'static [ApplicationStatus],
    /// The cohorts a hire can join, by name.
    cohorts: Vec<crate::training::service::CohortChoice>,
    pub(super) error: Option<String>,
}

pub(super) async fn load_applicant(state: &AppState, drive_id: DriveId, id: ApplicationId) -> AppResult<ApplicantPage> {
    let now = state.clock.now();
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
            let cohorts = crate::training::service::open_cohorts(conn, now)?;

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
                cohorts,
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
        .route("/drives/{id}/charts", web::get().to(charts_page))
        .route("/drives/{drive}/applications/{id}", web::get().to(applicant));
    super::decisions::configure(cfg);
}
