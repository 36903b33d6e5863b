//! The recruiter's decision page: the drive's hiring rules, each
//! interviewed applicant's proposal with the reason, and the two steps of a
//! decision (preview the email, then record it).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::decision::{self, HiringDecision, ProposalRow};
use super::pages::{error_for, field_errors};
use super::panel::{HiringRules, Outcome};
use super::service;
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId};
use crate::drives::letters::{self, LetterPreview};
use crate::drives::pipeline::Decision;
use crate::drives::service::DriveRow;
use crate::error::{AppResult, ErrorDetail};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Pager};

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

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/decisions", web::get().to(decisions_page))
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
