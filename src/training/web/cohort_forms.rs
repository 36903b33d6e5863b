//! The forms on a cohort's page: assign an exam, add a hired candidate,
//! start a routing run. A refused form brings the page back with the problem
//! beside that form and what was typed still in it.

use actix_web::{web, HttpResponse};

use super::load;
use crate::app::AppState;
use crate::assessments::service as assessments;
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::{AssessmentId, CohortId, DbConn, Role, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::routing::runs::{self, NewRun};
use crate::training::service;
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render_status, PageCtx};

/// Re-renders the cohort page with a form's refusal beside that form.
async fn refused(
    state: &AppState,
    ctx: &PageCtx,
    id: CohortId,
    key: &'static str,
    form: FormFields,
    err: AppError,
) -> AppResult<HttpResponse> {
    let status = actix_web::ResponseError::status_code(&err);
    let mut page = load(state, ctx, id).await?;
    page.form_key = key;
    page.form = form;
    page.errors = FormErrors::from_error(err);
    render_status(status, &page)
}

/// The refusals a form may answer with on the page; anything else is an error page.
fn shown_on_page(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::Conflict { .. })
}

pub(super) async fn add_exam(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<CohortId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = FormFields::new(pairs);
    let now = state.clock.now();
    let outcome = match form.value("assessment_id").parse::<AssessmentId>() {
        Ok(exam) => {
            state
                .db(move |conn| service::assign_exam(conn, id, exam, user.id, now))
                .await
        }
        Err(_) => Err(AppError::invalid_field("assessment_id", "Choose a post-training exam.")),
    };
    match outcome {
        Ok(()) => Ok(redirect(&format!("/cohorts/{id}?done=exam"))),
        Err(e) if shown_on_page(&e) => refused(&state, &ctx, id, "exam", form, e).await,
        Err(e) => Err(e),
    }
}

/// The person a trainer typed: a candidate id, or the email of a candidate.
fn candidate_of(conn: &mut DbConn, typed: &str) -> AppResult<UserId> {
    if typed.is_empty() {
        return Err(AppError::invalid_field(
            "candidate",
            "Enter the hired candidate's id or email.",
        ));
    }
    if let Ok(id) = typed.parse::<UserId>() {
        return Ok(id);
    }
    match crate::accounts::service::find_by_email(conn, typed)? {
        Some(u) if u.role == Role::Candidate => Ok(u.id),
        Some(_) => Err(AppError::invalid_field(
            "candidate",
            format!("{typed} is a staff account, not a candidate."),
        )),
        None => Err(AppError::invalid_field(
            "candidate",
            format!("No account has the email {typed}."),
        )),
    }
}

/// The service names the field `candidate_id`; the form calls it `candidate`.
fn on_candidate_field(err: AppError) -> AppError {
    match err {
        AppError::Invalid { message, details } => AppError::Invalid {
            message,
            details: details
                .into_iter()
                .map(|mut d| {
                    if d.field.as_deref() == Some("candidate_id") {
                        d.field = Some("candidate".into());
                    }
                    d
                })
                .collect(),
        },
        other => other,
    }
}

pub(super) async fn add_trainee(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<CohortId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = FormFields::new(pairs);
    let typed = form.value("candidate").to_string();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let outcome = state
        .db(move |conn| {
            let candidate = candidate_of(conn, &typed)?;
            service::add_hired(conn, id, candidate, user.id, now, &mail)
        })
        .await
        .map_err(on_candidate_field);
    match outcome {
        Ok(()) => Ok(redirect(&format!("/cohorts/{id}?done=trainee"))),
        Err(e) if shown_on_page(&e) => refused(&state, &ctx, id, "trainee", form, e).await,
        Err(e) => Err(e),
    }
}

/// The run's exam and tie-break sections, checked against the exam's own sections.
fn read_run(conn: &mut DbConn, form: &FormFields) -> AppResult<NewRun> {
    let Ok(assessment_id) = form.value("assessment_id").parse::<AssessmentId>() else {
        return Err(AppError::invalid_field("assessment_id", "Choose the exam to route on."));
    };
    let sections: Vec<String> = assessments::find(conn, assessment_id)?
        .sections()?
        .into_iter()
        .map(|s| s.name)
        .collect();
    let mut tie_break_sections = Vec::new();
    for name in form
        .value("tie_break_sections")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match sections.iter().find(|s| s.eq_ignore_ascii_case(name)) {
            Some(s) if !tie_break_sections.contains(s) => tie_break_sections.push(s.clone()),
            Some(_) => {}
            None => {
                return Err(AppError::invalid_field(
                    "tie_break_sections",
                    format!(
                        "The exam has no section '{name}'; its sections are {}.",
                        sections.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(NewRun {
        assessment_id,
        tie_break_sections,
    })
}

pub(super) async fn start_run(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<CohortId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = FormFields::new(pairs);
    let typed = form.clone();
    let now = state.clock.now();
    let band = state.config.review_band_points;
    let outcome = state
        .db(move |conn| {
            let run = read_run(conn, &typed)?;
            runs::create(conn, id, &run, band, user.id, now)
        })
        .await;
    match outcome {
        Ok(run) => Ok(redirect(&format!("/routing-runs/{}?done=created", run.run_id))),
        Err(AppError::NotFound(_)) => {
            let e = AppError::invalid_field("assessment_id", "There is no such exam; choose one from the list.");
            refused(&state, &ctx, id, "run", form, e).await
        }
        Err(e) if shown_on_page(&e) => refused(&state, &ctx, id, "run", form, e).await,
        Err(e) => Err(e),
    }
}
