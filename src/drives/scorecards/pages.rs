//! The interviewer's scorecard page and the recruiter's decision page.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::competencies::Competency;
use super::decision::{self, HiringDecision, Panel, ProposalRow};
use super::panel::{HiringRules, Outcome};
use super::service::{self, Rating, Recommendation, Scorecard, ScorecardInput, INTERVIEW_STAGE};
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId};
use crate::drives::letters::{self, LetterPreview};
use crate::drives::pipeline::Decision;
use crate::drives::service::DriveRow;
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::User;
use crate::mail::MailContext;
use crate::web::auth::{RecruiterUser, StaffUser};
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Pager};

/// The problems of a refused form, or the error itself when it is not one.
fn field_errors(e: AppError) -> AppResult<(String, Vec<ErrorDetail>)> {
    match e {
        AppError::Invalid { message, details } => Ok((message, details)),
        AppError::Conflict { message, .. } => Ok((message, Vec::new())),
        other => Err(other),
    }
}

fn error_for<'a>(errors: &'a [ErrorDetail], field: &str) -> Option<&'a str> {
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

#[derive(Template)]
#[template(path = "scorecards/decisions.html")]
struct DecisionsPage {
    chrome: Chrome,
    drive: DriveRow,
    rules: HiringRules,
    rows: Vec<ProposalRow>,
    pager: Pager,
    done: Option<String>,
    problem: Option<String>,
    errors: Vec<ErrorDetail>,
}

impl DecisionsPage {
    fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn outcomes(&self) -> [(&'static str, &'static str); 3] {
        Outcome::ALL.map(|o| (o.status().as_str(), o.label()))
    }

    fn proposed(&self, status: &Option<crate::db::ApplicationStatus>, value: &str) -> bool {
        status.is_some_and(|s| s.as_str() == value)
    }

    fn score(&self, value: &Option<f64>) -> String {
        value.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into())
    }
}

#[derive(Deserialize)]
struct DecisionsQuery {
    after: Option<String>,
    done: Option<String>,
}

async fn load_decisions(
    state: &AppState,
    ctx: &PageCtx,
    drive_id: DriveId,
    after: Option<String>,
) -> AppResult<DecisionsPage> {
    let after_id = paging::after_id(after.as_deref())?;
    let (drive, rules, page) = state
        .db(move |conn| {
            let drive = crate::drives::service::find(conn, drive_id)?;
            let rules = decision::rules(conn, drive_id)?;
            let page = decision::proposals(conn, drive_id, after_id, paging::PAGE_SIZE)?;
            Ok((drive, rules, page))
        })
        .await?;
    Ok(DecisionsPage {
        chrome: ctx.chrome(format!("Hiring decisions: {}", drive.name)),
        pager: Pager::next(
            &format!("/drives/{drive_id}/decisions"),
            "",
            "after",
            page.next,
            "Next page",
        ),
        drive,
        rules,
        rows: page.rows,
        done: None,
        problem: None,
        errors: Vec::new(),
    })
}

async fn decisions_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<DecisionsQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let mut page = load_decisions(&state, &ctx, path.into_inner(), query.after).await?;
    page.done = query.done.filter(|d| !d.trim().is_empty());
    render(&page)
}

#[derive(Deserialize)]
struct RulesForm {
    test_weight: String,
    kpo_min: String,
    bpo_min: String,
}

async fn rules_save(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(form): CsrfForm<RulesForm>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let number = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
    let weight = form.test_weight.trim().parse::<i32>().unwrap_or(-1);
    let asked = HiringRules::new(weight, number(&form.kpo_min), number(&form.bpo_min));
    let now = state.clock.now();
    match state
        .db(move |conn| decision::set_rules(conn, drive_id, &asked, user.id, now))
        .await
    {
        Ok(_) => Ok(redirect(&format!("/drives/{drive_id}/decisions?done=rules"))),
        Err(e) => {
            let status = actix_web::ResponseError::status_code(&e);
            let (problem, errors) = field_errors(e)?;
            let mut page = load_decisions(&state, &ctx, drive_id, None).await?;
            page.problem = Some(problem);
            page.errors = errors;
            render_status(status, &page)
        }
    }
}

#[derive(Deserialize)]
struct DecideForm {
    status: String,
    reason: Option<String>,
    message: Option<String>,
}

impl From<DecideForm> for HiringDecision {
    fn from(form: DecideForm) -> Self {
        HiringDecision {
            status: form.status,
            reason: form.reason.unwrap_or_default(),
            message: form.message.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "scorecards/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    drive_id: DriveId,
    id: ApplicationId,
    candidate: String,
    label: &'static str,
    proposal: String,
    overridden: bool,
    asked: HiringDecision,
    email: Option<LetterPreview>,
    problem: Option<String>,
}

/// Step one: what the decision records and the exact email the candidate
/// gets; an override without a reason is refused here, before anything.
async fn decide_preview(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<(DriveId, ApplicationId)>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let asked = HiringDecision::from(form);
    let chosen = decision::outcome(&asked.status)?;
    let mail = MailContext::from(state.config.as_ref());
    let lookup = asked.clone();
    let (candidate, panel, email) = state
        .db(move |conn| {
            let panel = decision::panel_of(conn, id, &user)?;
            let app = service::application(conn, id)?;
            let candidate = crate::accounts::service::find_user(conn, app.candidate_id)?.full_name;
            let email = letters::preview(
                conn,
                id,
                &Decision {
                    status: chosen.status().as_str().into(),
                    note: String::new(),
                    message: lookup.message,
                    cohort_id: None,
                },
                &mail,
            )?;
            Ok((candidate, panel, email))
        })
        .await?;
    let overridden = panel.proposal != Some(chosen);
    let problem = (overridden && asked.reason.trim().is_empty()).then(|| {
        format!(
            "This differs from the proposal ({}): say why in the reason. It stays in the audit log and is never sent to {candidate}.",
            panel.proposal.map(Outcome::label).unwrap_or("none yet")
        )
    });
    let page = ConfirmPage {
        chrome: ctx.chrome("Confirm the hiring decision"),
        drive_id,
        id,
        label: chosen.label(),
        proposal: panel.reason,
        overridden,
        candidate,
        asked,
        email,
        problem,
    };
    if page.problem.is_some() {
        render_status(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

/// Step two: record it, move the application and queue the email.
async fn decide(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<(DriveId, ApplicationId)>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let asked = HiringDecision::from(form);
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let done = state
        .db(move |conn| decision::decide(conn, id, &asked, &user, now, &mail))
        .await?;
    let word = if done.overridden { "overridden" } else { "confirmed" };
    Ok(redirect(&format!("/drives/{drive_id}/decisions?done={word}")))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/drives/{drive}/applications/{id}/scorecard",
        web::get().to(scorecard_page),
    )
    .route(
        "/drives/{drive}/applications/{id}/scorecard",
        web::post().to(scorecard_save),
    )
    .route("/drives/{id}/decisions", web::get().to(decisions_page))
    .route("/drives/{id}/hiring-rules", web::post().to(rules_save))
    .route(
        "/drives/{drive}/applications/{id}/hiring-decision/preview",
        web::post().to(decide_preview),
    )
    .route(
        "/drives/{drive}/applications/{id}/hiring-decision",
        web::post().to(decide),
    );
}
