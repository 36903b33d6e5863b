//! The routing pages: a run with its review queue, its lines grouped by
//! process, its overrides and its chart. Overrides and publishing, each
//! confirmed on a page of its own, are in `decisions`; the processes pages
//! in `processes`.

mod chart;
mod decisions;
mod processes;

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use self::chart::RunChart;
use super::engine::Status;
use super::history::{self, RunSummary};
use super::runs::{self, Line, RunView};
use super::service::{self, CohortName, PlacedPerson, ProcessRow};
use crate::app::AppState;
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::{ProcessId, RunId, RunStatus};
use crate::error::{AppError, AppResult};
use crate::web::auth::TrainerUser;
use crate::web::input::Query;
use crate::web::pages::{render, render_status, Chrome, PageCtx};

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
        let tier = |p: &ProcessRow| p.tier;
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
    cohort: CohortName,
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
    if run.status == RunStatus::Draft {
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
        cohort: CohortName,
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
            .filter(|l| l.status == Status::Review)
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
        self.run.status == RunStatus::Draft
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
            let cohort = service::cohort_name(conn, run.cohort_id)?;
            let summary = history::runs_of_cohort(conn, run.cohort_id)?
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
    query: Query<RunQuery>,
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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/routing-runs/{id}", web::get().to(show))
        .route(
            "/routing-runs/{id}/overrides",
            web::post().to(decisions::override_preview),
        )
        .route(
            "/routing-runs/{id}/overrides/confirm",
            web::post().to(decisions::override_apply),
        )
        .route("/routing-runs/{id}/publish", web::get().to(decisions::publish_confirm))
        .route("/routing-runs/{id}/publish", web::post().to(decisions::publish));
    processes::configure(cfg);
}
