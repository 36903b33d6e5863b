//! The routing pages: a run with its review queue, its lines grouped by
//! process, its overrides and its chart; each override and the publishing
//! are confirmed on a page of their own before anything changes. The
//! processes pages are in `processes`.

mod chart;
mod processes;

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use self::chart::RunChart;
use super::engine::Tier;
use super::runs::{self, Line, OverrideRequest, RunSummary, RunView};
use super::service::{self, PlacedPerson, ProcessRow};
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::{ProcessId, RunId, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::notices::MailContext;
use crate::training::service::{self as training, CohortRow};
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::AppState;

/// A percent with one decimal and no trailing ".0", as the explanations write it.
pub(crate) fn pct(p: f64) -> String {
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map(String::from).unwrap_or(s)
}

/// A process's cut-offs in words: "85%; Quant at least 100%".
pub(crate) fn cutoffs(p: &ProcessRow) -> String {
    let mut parts = vec![format!("{}%", pct(p.min_percent))];
    parts.extend(p.minimums().iter().map(|(s, m)| format!("{s} at least {}%", pct(*m))));
    parts.join("; ")
}

/// The most complex tier first, then by name: the order routing fills them.
pub(crate) fn sort_by_tier(processes: &mut [ProcessRow]) {
    processes.sort_by(|a, b| {
        let tier = |p: &ProcessRow| Tier::parse(&p.tier).unwrap_or(Tier::Basic);
        tier(b)
            .cmp(&tier(a))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
}

struct SeatRow {
    process: ProcessRow,
    cutoffs: String,
    used: i64,
    lines: Vec<Line>,
}

struct Review {
    line: Line,
    held: Option<ProcessRow>,
    up: Option<ProcessRow>,
}

#[derive(Template)]
#[template(path = "routing/run.html")]
struct RunPage {
    chrome: Chrome,
    run: RunView,
    summary: Option<RunSummary>,
    cohort: CohortRow,
    seats: Vec<SeatRow>,
    retrain: Vec<Line>,
    reviews: Vec<Review>,
    overridden: Vec<Line>,
    processes: Vec<ProcessRow>,
    chart: RunChart,
    notice: Option<String>,
    /// Which form a refusal belongs to: "override", "review-{trainee}" or "publish".
    form_key: String,
    form: FormFields,
    errors: FormErrors,
}

/// Seats each process holds once this run is published: its published
/// holders, less those this draft moves away, plus those it brings in (the
/// engine's own count). A published run is already in the placements.
fn seats_used(run: &RunView, placed: &[PlacedPerson]) -> BTreeMap<ProcessId, i64> {
    let mut used: BTreeMap<ProcessId, i64> = BTreeMap::new();
    for p in placed {
        *used.entry(p.process_id).or_default() += 1;
    }
    if run.status == "draft" {
        for l in run.assignments.iter().filter(|l| l.process_id != l.previous_process_id) {
            if let Some(p) = l.process_id {
                *used.entry(p).or_default() += 1;
            }
            if let Some(p) = l.previous_process_id {
                *used.entry(p).or_default() -= 1;
            }
        }
    }
    used
}

impl RunPage {
    fn new(
        chrome: Chrome,
        run: RunView,
        summary: Option<RunSummary>,
        cohort: CohortRow,
        mut processes: Vec<ProcessRow>,
        placed: &[PlacedPerson],
    ) -> RunPage {
        sort_by_tier(&mut processes);
        let used = seats_used(&run, placed);
        let seats = processes
            .iter()
            .map(|p| SeatRow {
                process: p.clone(),
                cutoffs: cutoffs(p),
                used: used.get(&p.id).copied().unwrap_or(0),
                lines: run
                    .assignments
                    .iter()
                    .filter(|l| l.process_id == Some(p.id))
                    .cloned()
                    .collect(),
            })
            .collect();
        let find = |id: Option<ProcessId>| id.and_then(|id| processes.iter().find(|p| p.id == id).cloned());
        let reviews = run
            .assignments
            .iter()
            .filter(|l| l.status == "review")
            .map(|l| Review {
                line: l.clone(),
                held: find(l.process_id),
                up: find(l.review_process_id),
            })
            .collect();
        RunPage {
            chrome,
            chart: RunChart::new(&run.assignments, &processes),
            retrain: run
                .assignments
                .iter()
                .filter(|l| l.process_id.is_none())
                .cloned()
                .collect(),
            overridden: run
                .assignments
                .iter()
                .filter(|l| l.override_reason.is_some())
                .cloned()
                .collect(),
            reviews,
            seats,
            run,
            summary,
            cohort,
            processes,
            notice: None,
            form_key: String::new(),
            form: FormFields::default(),
            errors: FormErrors::default(),
        }
    }

    fn draft(&self) -> bool {
        self.run.status == "draft"
    }

    fn pct(&self, p: &f64) -> String {
        pct(*p)
    }

    fn name_of(&self, id: &Option<ProcessId>) -> String {
        match id {
            None => "retrain".into(),
            Some(id) => self
                .processes
                .iter()
                .find(|p| p.id == *id)
                .map_or_else(|| format!("process {id}"), |p| p.name.clone()),
        }
    }

    /// The refusal's message for one field of one form.
    fn error(&self, key: &str, field: &str) -> Option<String> {
        (self.form_key == key).then(|| self.errors.get(field)).flatten()
    }

    /// A refusal of a form that names no field (a conflict).
    fn problem(&self, key: &str) -> Option<&str> {
        (self.form_key == key && self.errors.details.is_empty() && !self.errors.message.is_empty())
            .then_some(self.errors.message.as_str())
    }

    /// A refusal whose form is not on the page (the run was published, or
    /// the review was resolved meanwhile): shown at the top instead.
    fn stray_problem(&self) -> Option<&str> {
        let shown = self.draft()
            && (!self.form_key.starts_with("review-")
                || self
                    .reviews
                    .iter()
                    .any(|r| self.form_key == format!("review-{}", r.line.trainee_id)));
        (!shown && self.errors.any()).then_some(self.errors.message.as_str())
    }

    /// What was typed into a form, when the page comes back with its refusal.
    fn typed(&self, key: &str, name: &str) -> &str {
        if self.form_key == key {
            self.form.value(name)
        } else {
            ""
        }
    }

    fn chosen(&self, name: &str, value: &str) -> bool {
        self.typed("override", name) == value
    }

    fn refused(mut self, key: String, form: FormFields, err: AppError) -> AppResult<HttpResponse> {
        let status = actix_web::ResponseError::status_code(&err);
        self.form_key = key;
        self.form = form;
        self.errors = FormErrors::from_error(err);
        render_status(status, &self)
    }
}

async fn load(state: &AppState, ctx: &PageCtx, id: RunId) -> AppResult<RunPage> {
    let chrome = ctx.chrome(format!("Routing run {id}"));
    state
        .db(move |conn| {
            let run = runs::view(conn, id)?;
            let cohort = training::find(conn, run.cohort_id)?;
            let summary = runs::runs_of_cohort(conn, run.cohort_id)?
                .into_iter()
                .find(|r| r.id == id);
            let processes = service::list_processes(conn)?;
            let placed = service::placed_people(conn)?;
            Ok(RunPage::new(chrome, run, summary, cohort, processes, &placed))
        })
        .await
}

#[derive(Deserialize)]
struct RunQuery {
    done: Option<String>,
}

async fn show(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<RunId>,
    query: web::Query<RunQuery>,
) -> AppResult<HttpResponse> {
    let mut page = load(&state, &ctx, path.into_inner()).await?;
    page.notice = match query.done.as_deref() {
        Some("created") => {
            Some("The run is drafted. Resolve the reviews, override what needs it, then publish.".into())
        }
        Some("override") => Some("The line is changed, and the reason is in the audit log.".into()),
        Some("published") => Some(format!(
            "The run is published: placements are set and {} notice(s) are queued.",
            page.run.assignments.len()
        )),
        _ => None,
    };
    render(&page)
}

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
async fn override_preview(
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
    let from = match line.status.as_str() {
        "review" => format!(
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
async fn override_apply(
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
    cohort: CohortRow,
    reviews: usize,
    placed: usize,
    retrain: usize,
}

/// The confirmation step: how many notices go out, or what still blocks it.
async fn publish_confirm(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<RunId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (run, cohort) = state
        .db(move |conn| {
            let run = runs::view(conn, id)?;
            let cohort = training::find(conn, run.cohort_id)?;
            Ok((run, cohort))
        })
        .await?;
    if run.status != "draft" {
        return Ok(redirect(&format!("/routing-runs/{id}")));
    }
    render(&PublishConfirm {
        chrome: ctx.chrome(format!("Publish routing run {id}")),
        reviews: run.assignments.iter().filter(|l| l.status == "review").count(),
        placed: run.assignments.iter().filter(|l| l.process_id.is_some()).count(),
        retrain: run.assignments.iter().filter(|l| l.process_id.is_none()).count(),
        run,
        cohort,
    })
}

#[derive(Deserialize)]
struct Empty {}

async fn publish(
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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/routing-runs/{id}", web::get().to(show))
        .route("/routing-runs/{id}/overrides", web::post().to(override_preview))
        .route("/routing-runs/{id}/overrides/confirm", web::post().to(override_apply))
        .route("/routing-runs/{id}/publish", web::get().to(publish_confirm))
        .route("/routing-runs/{id}/publish", web::post().to(publish));
    processes::configure(cfg);
}
