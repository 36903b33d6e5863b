//! The recruiter's decisions on pages: one application's move, and bulk
//! moves. Each shows the email the candidate will read (with the
//! recruiter's optional message) before anything is sent.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::pages::load_applicant;
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId};
use crate::drives::letters::{self, LetterPreview};
use crate::drives::pipeline::{self, Bulk, Decision};
use crate::drives::service::{self, DriveRow};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

#[derive(Deserialize)]
struct BulkForm {
    action: String,
    n: Option<i64>,
    percent: Option<f64>,
    expected: Option<usize>,
    message: Option<String>,
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
    people: Vec<letters::Person>,
    message: String,
    /// The email the first person would get, as a sample of what all get.
    sample: Option<LetterPreview>,
}

/// Step one of a bulk action: name exactly the people it touches and show
/// the email they will get.
async fn bulk_preview(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let action = Bulk::try_from(&form)?;
    let message = form.message.clone().unwrap_or_default().trim().to_string();
    letters::check_message(&message)?;
    let lookup = action.clone();
    let mail = MailContext::from(state.config.as_ref());
    let sample_message = message.clone();
    let (drive, people, sample) = state
        .db(move |conn| {
            let drive = service::find(conn, drive_id)?;
            let targets = pipeline::bulk_targets(conn, drive_id, &lookup)?;
            let sample = match targets.first() {
                Some(first) => {
                    let decision = Decision {
                        status: lookup.status().as_str().into(),
                        note: String::new(),
                        message: sample_message,
                        cohort_id: None,
                    };
                    letters::preview(conn, *first, &decision, &mail)?
                }
                None => None,
            };
            Ok((drive, letters::people(conn, &targets)?, sample))
        })
        .await?;
    render(&BulkPage {
        chrome: ctx.chrome("Confirm a bulk action"),
        drive,
        action: form.action,
        n: form.n,
        percent: form.percent,
        count: people.len(),
        sentence: action.describe(people.len()),
        people,
        message,
        sample,
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
    let message = form.message.unwrap_or_default();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let done = state
        .db(move |conn| {
            let confirmed = pipeline::Confirmed {
                expected,
                message: message.trim(),
            };
            pipeline::apply_bulk(conn, drive_id, &action, confirmed, user.id, now, &mail)
        })
        .await?;
    Ok(redirect(&format!("/drives/{drive_id}/rankings?done={done}")))
}

#[derive(Deserialize)]
struct DecisionForm {
    status: String,
    note: Option<String>,
    message: Option<String>,
    cohort_id: Option<String>,
}

impl TryFrom<DecisionForm> for Decision {
    type Error = AppError;

    fn try_from(form: DecisionForm) -> AppResult<Decision> {
        let cohort_id = match form.cohort_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(
                c.parse()
                    .map_err(|_| AppError::invalid_field("cohort_id", "Choose a training cohort from the list."))?,
            ),
            None => None,
        };
        Ok(Decision {
            status: form.status,
            note: form.note.unwrap_or_default(),
            message: form.message.unwrap_or_default(),
            cohort_id,
        })
    }
}

#[derive(Template)]
#[template(path = "rankings/decision_preview.html")]
struct DecisionPreviewPage {
    chrome: Chrome,
    drive_id: DriveId,
    id: ApplicationId,
    to_label: &'static str,
    decision: Decision,
    email: Option<LetterPreview>,
}

/// Step one of a decision: show what will be recorded and the email the
/// candidate will read, with a button that sends it.
async fn decision_preview(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<(DriveId, ApplicationId)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let decision = Decision::try_from(form)?;
    let mail = MailContext::from(state.config.as_ref());
    let asked = decision.clone();
    match state.db(move |conn| letters::preview(conn, id, &asked, &mail)).await {
        Ok(email) => render(&DecisionPreviewPage {
            chrome: ctx.chrome("Check the decision before sending"),
            drive_id,
            id,
            to_label: decision
                .status
                .trim()
                .parse()
                .map(crate::drives::staff_label)
                .unwrap_or("?"),
            decision,
            email,
        }),
        Err(e) => refused(&state, &ctx, drive_id, id, e).await,
    }
}

/// The applicant page again, saying why a decision was refused.
async fn refused(
    state: &AppState,
    ctx: &PageCtx,
    drive_id: DriveId,
    id: ApplicationId,
    e: AppError,
) -> AppResult<HttpResponse> {
    if !matches!(e, AppError::Conflict { .. } | AppError::Invalid { .. }) {
        return Err(e);
    }
    let mut page = load_applicant(state, drive_id, id).await?;
    page.chrome = ctx.chrome(page.name.clone());
    page.error = Some(e.public_message());
    render_status(actix_web::ResponseError::status_code(&e), &page)
}

/// Step two: record the decision and queue its email.
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
        Err(e) => refused(&state, &ctx, drive_id, id, e).await,
    }
}

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/bulk", web::post().to(bulk_preview))
        .route("/drives/{id}/bulk/confirm", web::post().to(bulk_apply))
        .route(
            "/drives/{drive}/applications/{id}/decision/preview",
            web::post().to(decision_preview),
        )
        .route("/drives/{drive}/applications/{id}/decision", web::post().to(decide));
}
