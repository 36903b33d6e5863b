//! The interviewer's scorecard page and the recruiter's decision page.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::competencies::Competency;
use super::decision::{self, Panel};
use super::service::{self, Rating, Recommendation, Scorecard, ScorecardInput, INTERVIEW_STAGE};
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::User;
use crate::web::auth::StaffUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging;

/// The problems of a refused form, or the error itself when it is not one.
pub(super) fn field_errors(e: AppError) -> AppResult<(String, Vec<ErrorDetail>)> {
    match e {
        AppError::Invalid { message, details } => Ok((message, details)),
        AppError::Conflict { message, .. } => Ok((message, Vec::new())),
        other => Err(other),
    }
}

pub(super) fn error_for<'a>(errors: &'a [ErrorDetail], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|d| d.field.as_deref() == Some(field))
        .map(|d| d.message.as_str())
}

#[derive(Template)]
#[template(path = "scorecards/scorecard.html")]
struct ScorecardPage {
    chrome: Chrome,
    drive_id: DriveId,
    app_id: ApplicationId,
    candidate: String,
    status: &'static str,
    open: bool,
    competencies: Vec<Competency>,
    /// What the form shows: saved values, or those just sent.
    ratings: Vec<Rating>,
    recommendation: String,
    summary: String,
    submitted: bool,
    /// Why the form was refused, with a sentence per field.
    problem: Option<String>,
    errors: Vec<ErrorDetail>,
    /// The panel's scorecards and means, once the viewer may see them.
    others: Vec<Scorecard>,
    panel: Option<Panel>,
    saved: bool,
}

impl ScorecardPage {
    fn rating(&self, name: &str) -> Option<i32> {
        self.ratings
            .iter()
            .find(|r| r.competency == name)
            .and_then(|r| r.rating)
    }

    fn checked(&self, name: &str, level: &usize) -> bool {
        self.rating(name) == i32::try_from(*level + 1).ok()
    }

    fn evidence(&self, name: &str) -> &str {
        self.ratings
            .iter()
            .find(|r| r.competency == name)
            .map(|r| r.evidence.as_str())
            .unwrap_or("")
    }

    fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn recommendations(&self) -> [(&'static str, &'static str); 3] {
        Recommendation::ALL.map(|r| (r.as_str(), r.label()))
    }

    fn recommended(&self, r: &Option<Recommendation>) -> &'static str {
        r.map(Recommendation::label).unwrap_or("No recommendation yet")
    }
}

async fn load_scorecard(
    state: &AppState,
    ctx: &PageCtx,
    user: User,
    drive_id: DriveId,
    id: ApplicationId,
) -> AppResult<ScorecardPage> {
    let (app, candidate, mine, others, panel) = state
        .db(move |conn| {
            let app = service::application(conn, id)?;
            if app.drive_id != drive_id {
                return Err(AppError::NotFound(format!("Drive {drive_id} has no application {id}.")));
            }
            let candidate = crate::accounts::service::find_user(conn, app.candidate_id)?.full_name;
            let mine = service::mine(conn, id, &user)?;
            let sees = service::may_see_panel(conn, id, &user)?;
            let (others, panel) = if sees {
                let cards = service::list(conn, id, &user, None, paging::API_MAX)?.rows;
                let others = cards.into_iter().filter(|c| c.interviewer_id != user.id).collect();
                (others, Some(decision::panel_of(conn, id, &user)?))
            } else {
                (Vec::new(), None)
            };
            Ok((app, candidate, mine, others, panel))
        })
        .await?;
    let card = mine.scorecard;
    Ok(ScorecardPage {
        chrome: ctx.chrome(format!("Scorecard: {candidate}")),
        drive_id,
        app_id: id,
        status: crate::drives::staff_label(app.status),
        open: INTERVIEW_STAGE.contains(&app.status),
        candidate,
        competencies: mine.competencies,
        ratings: card.as_ref().map(|c| c.ratings.clone()).unwrap_or_default(),
        recommendation: card
            .as_ref()
            .and_then(|c| c.recommendation)
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        summary: card.as_ref().map(|c| c.summary.clone()).unwrap_or_default(),
        submitted: card.as_ref().is_some_and(|c| c.submitted),
        problem: None,
        errors: Vec::new(),
        others,
        panel,
        saved: false,
    })
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn scorecard_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    StaffUser(user): StaffUser,
    path: web::Path<(DriveId, ApplicationId)>,
    query: Query<Saved>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let mut page = load_scorecard(&state, &ctx, user, drive_id, id).await?;
    page.saved = query.into_inner().saved.is_some();
    render(&page)
}

/// The scorecard form's fields: `rating:NAME`, `evidence:NAME`,
/// `recommendation`, `summary` and, to submit, `submit`.
fn read_form(pairs: &[(String, String)]) -> ScorecardInput {
    let mut input = ScorecardInput::default();
    for (key, value) in pairs {
        if let Some(name) = key.strip_prefix("rating:") {
            let rating = value.trim().parse::<i32>().ok();
            match input.ratings.iter_mut().find(|r| r.competency == name) {
                Some(r) => r.rating = rating,
                None => input.ratings.push(Rating {
                    competency: name.into(),
                    rating,
                    evidence: String::new(),
                }),
            }
        } else if let Some(name) = key.strip_prefix("evidence:") {
            match input.ratings.iter_mut().find(|r| r.competency == name) {
                Some(r) => r.evidence = value.clone(),
                None => input.ratings.push(Rating {
                    competency: name.into(),
                    rating: None,
                    evidence: value.clone(),
                }),
            }
        } else if key == "recommendation" {
            input.recommendation = Some(value.clone());
        } else if key == "summary" {
            input.summary = value.clone();
        } else if key == "submit" {
            input.submit = true;
        }
    }
    input
}

async fn scorecard_save(
    state: web::Data<AppState>,
    ctx: PageCtx,
    StaffUser(user): StaffUser,
    path: web::Path<(DriveId, ApplicationId)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let input = read_form(&pairs);
    let now = state.clock.now();
    let saver = user.clone();
    let sent = input.clone();
    match state.db(move |conn| service::save(conn, id, &saver, &sent, now)).await {
        Ok(_) => Ok(redirect(&format!(
            "/drives/{drive_id}/applications/{id}/scorecard?saved=1"
        ))),
        Err(e) => {
            let status = actix_web::ResponseError::status_code(&e);
            let (problem, errors) = field_errors(e)?;
            let mut page = load_scorecard(&state, &ctx, user, drive_id, id).await?;
            page.ratings = input.ratings;
            page.recommendation = input.recommendation.unwrap_or_default();
            page.summary = input.summary;
            page.problem = Some(problem);
            page.errors = errors;
            render_status(status, &page)
        }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/drives/{drive}/applications/{id}/scorecard",
        web::get().to(scorecard_page),
    )
    .route(
        "/drives/{drive}/applications/{id}/scorecard",
        web::post().to(scorecard_save),
    );
    super::decision_pages::configure(cfg);
}
