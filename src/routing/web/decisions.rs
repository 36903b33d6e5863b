//! The two confirmed changes to a draft run: an override of one line (a
//! review resolved is one too) and publishing. Each first shows a page that
//! says exactly what will happen; only its form changes anything.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{cutoffs, load, pct};
use crate::app::AppState;
use crate::assessments::web::FormFields;
use crate::db::{ProcessId, RunId, RunStatus, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::mail::MailContext;
use crate::routing::engine::Status;
use crate::routing::runs::{self, Line, OverrideRequest, RunView};
use crate::routing::service::{self, CohortName};
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, Chrome, PageCtx};

/// Which form sent the request, so a refusal lands beside it.
fn form_key(form: &FormFields) -> String {
    match form.value("form") {
        k if k.strip_prefix("review-").is_some_and(|id| id.parse::<i32>().is_ok()) => k.to_string(),
        _ => "override".into(),
    }
}

fn read_override(form: &FormFields) -> AppResult<OverrideRequest> {
    let mut errors = Vec::new();
    let trainee_id = form.value("trainee_id").parse::<UserId>().ok();
    if trainee_id.is_none() {
        errors.push(ErrorDetail::field(
            "trainee_id",
            "Choose the trainee whose line changes.",
        ));
    }
    let process_id = match form.value("process_id") {
        "retrain" => Some(None),
        "" => {
            errors.push(ErrorDetail::field("process_id", "Choose a process, or retrain."));
            None
        }
        v => match v.parse::<ProcessId>() {
            Ok(p) => Some(Some(p)),
            Err(_) => {
                errors.push(ErrorDetail::field(
                    "process_id",
                    "Choose a process from the list, or retrain.",
                ));
                None
            }
        },
    };
    let reason = form.value("reason");
    if reason.is_empty() {
        errors.push(ErrorDetail::field(
            "reason",
            "Say why: the reason is kept in the audit log.",
        ));
    }
    match (trainee_id, process_id) {
        (Some(trainee_id), Some(process_id)) if errors.is_empty() => Ok(OverrideRequest {
            trainee_id,
            process_id,
            reason: reason.to_string(),
        }),
        _ => Err(AppError::invalid(
            "The override needs fixing; nothing was changed.",
            errors,
        )),
    }
}

#[derive(Template)]
#[template(path = "routing/override_confirm.html")]
struct OverrideConfirm {
    chrome: Chrome,
    run_id: RunId,
    line: Line,
    percent: String,
    from: String,
    to: String,
    process_value: String,
    reason: String,
    form_key: String,
}

/// Step one of an override: say exactly what changes, and ask.
pub(super) async fn override_preview(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<RunId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = FormFields::new(pairs);
    let key = form_key(&form);
    let page = load(&state, &ctx, id).await?;
    if !page.draft() {
        let frozen = AppError::conflict(
            "published",
            "This run is published and frozen; start a new run to change it.",
        );
        return page.refused(key, form, frozen);
    }
    let req = match read_override(&form) {
        Ok(req) => req,
        Err(e) => return page.refused(key, form, e),
    };
    let Some(line) = page
        .run
        .assignments
        .iter()
        .find(|l| l.trainee_id == req.trainee_id)
        .cloned()
    else {
        let e = AppError::invalid_field("trainee_id", format!("Trainee {} is not in this run.", req.trainee_id));
        return page.refused(key, form, e);
    };
    let to = match req.process_id {
        None => "retrain (a re-exam is due)".to_string(),
        Some(p) => match page.processes.iter().find(|x| x.id == p) {
            Some(p) => format!("{} ({}, cut-off {})", p.name, p.tier, cutoffs(p)),
            None => {
                return page.refused(
                    key,
                    form,
                    AppError::invalid_field("process_id", "There is no such process."),
                )
            }
        },
    };
    let from = match line.status {
        Status::Review => format!(
            "{}, under review for {}",
            page.name_of(&line.process_id),
            page.name_of(&line.review_process_id)
        ),
        _ => page.name_of(&line.process_id),
    };
    render(&OverrideConfirm {
        chrome: ctx.chrome("Confirm an override"),
        run_id: id,
        from,
        to,
        process_value: req.process_id.map_or_else(|| "retrain".to_string(), |p| p.to_string()),
        reason: req.reason,
        form_key: key,
        percent: pct(line.percent),
        line,
    })
}

/// Step two: apply the confirmed override.
pub(super) async fn override_apply(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<RunId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = FormFields::new(pairs);
    let key = form_key(&form);
    let outcome = match read_override(&form) {
        Ok(req) => {
            let now = state.clock.now();
            state
                .db(move |conn| runs::override_line(conn, id, &req, user.id, now))
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(redirect(&format!("/routing-runs/{id}?done=override"))),
        Err(e @ (AppError::Conflict { .. } | AppError::Invalid { .. })) => {
            load(&state, &ctx, id).await?.refused(key, form, e)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "routing/publish_confirm.html")]
struct PublishConfirm {
    chrome: Chrome,
    run: RunView,
    cohort: CohortName,
    reviews: usize,
    placed: usize,
    retrain: usize,
}

/// The confirmation step: how many notices go out, or what still blocks it.
pub(super) async fn publish_confirm(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<RunId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (run, cohort) = state
        .db(move |conn| {
            let run = runs::view(conn, id)?;
            let cohort = service::cohort_name(conn, run.cohort_id)?;
            Ok((run, cohort))
        })
        .await?;
    if run.status != RunStatus::Draft {
        return Ok(redirect(&format!("/routing-runs/{id}")));
    }
    render(&PublishConfirm {
        chrome: ctx.chrome(format!("Publish routing run {id}")),
        reviews: run.assignments.iter().filter(|l| l.status == Status::Review).count(),
        placed: run.assignments.iter().filter(|l| l.process_id.is_some()).count(),
        retrain: run.assignments.iter().filter(|l| l.process_id.is_none()).count(),
        run,
        cohort,
    })
}

#[derive(Deserialize)]
pub(super) struct Empty {}

pub(super) async fn publish(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<RunId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    match state.db(move |conn| runs::publish(conn, id, user.id, now, &mail)).await {
        Ok(_) => Ok(redirect(&format!("/routing-runs/{id}?done=published"))),
        Err(e @ AppError::Conflict { .. }) => {
            load(&state, &ctx, id)
                .await?
                .refused("publish".into(), FormFields::default(), e)
        }
        Err(e) => Err(e),
    }
}
