//! Cohort pages for trainers: the list with its create form, and one cohort
//! with its trainees, exams and routing runs. The forms on a cohort's page
//! are in `cohort_forms`; a trainee's own page is in `trainee`.

mod cohort_forms;
mod resit_pages;
mod trainee;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::service::{self, CohortRow, NewCohort};
use crate::app::AppState;
use crate::assessments::blueprint::Kind;
use crate::assessments::service as assessments;
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::{AssessmentId, CohortId, DbConn, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::routing::history::{self, RunSummary};
use crate::routing::service as routing;
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

struct Listed {
    cohort: CohortRow,
    trainees: i64,
}

#[derive(Template)]
#[template(path = "training/cohorts.html")]
struct ListPage {
    chrome: Chrome,
    cohorts: Vec<Listed>,
    form: FormFields,
    errors: FormErrors,
}

impl ListPage {
    async fn build(state: &AppState, ctx: &PageCtx, form: FormFields, errors: FormErrors) -> AppResult<ListPage> {
        let (cohorts, counts) = state
            .db(|conn| Ok((service::list(conn)?, service::trainee_counts(conn)?)))
            .await?;
        let cohorts = cohorts
            .into_iter()
            .map(|cohort| Listed {
                trainees: counts.iter().find(|(id, _)| *id == cohort.id).map_or(0, |(_, n)| *n),
                cohort,
            })
            .collect();
        Ok(ListPage {
            chrome: ctx.chrome("Cohorts"),
            cohorts,
            form,
            errors,
        })
    }
}

async fn list(state: web::Data<AppState>, ctx: PageCtx, _t: TrainerUser) -> AppResult<HttpResponse> {
    render(&ListPage::build(&state, &ctx, FormFields::default(), FormErrors::default()).await?)
}

fn read_date(form: &FormFields, name: &str, what: &str, errors: &mut Vec<ErrorDetail>) -> Option<NaiveDate> {
    match form.optional(name) {
        None => {
            errors.push(ErrorDetail::field(name, format!("Enter the {what}.")));
            None
        }
        Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().or_else(|| {
            errors.push(ErrorDetail::field(
                name,
                format!("'{raw}' is not a date such as 2026-06-01."),
            ));
            None
        }),
    }
}

/// An optional whole number of seats; empty means no limit.
fn read_seats(form: &FormFields, errors: &mut Vec<ErrorDetail>) -> Option<i32> {
    let raw = form.optional("seats")?;
    raw.parse().ok().or_else(|| {
        errors.push(ErrorDetail::field(
            "seats",
            format!("'{raw}' is not a number of seats; give a whole number, or leave it empty for no limit."),
        ));
        None
    })
}

fn read_cohort(form: &FormFields) -> AppResult<NewCohort> {
    let mut errors = Vec::new();
    let starts_on = read_date(form, "starts_on", "first day of training", &mut errors);
    let ends_on = read_date(form, "ends_on", "last day of training", &mut errors);
    let seats = read_seats(form, &mut errors);
    match (starts_on, ends_on) {
        (Some(starts_on), Some(ends_on)) if errors.is_empty() => Ok(NewCohort {
            name: form.value("name").to_string(),
            starts_on,
            ends_on,
            seats,
        }),
        _ => {
            if form.optional("name").is_none() {
                errors.insert(
                    0,
                    ErrorDetail::field("name", "Give the cohort a name of 1 to 200 characters."),
                );
            }
            Err(AppError::invalid(
                "The cohort needs fixing; each problem is listed.",
                errors,
            ))
        }
    }
}

async fn create(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let form = FormFields::new(pairs);
    let now = state.clock.now();
    let outcome = match read_cohort(&form) {
        Ok(c) => state.db(move |conn| service::create(conn, &c, user.id, now)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(redirect(&format!("/cohorts/{id}?done=created"))),
        Err(e @ AppError::Invalid { .. }) => {
            let page = ListPage::build(&state, &ctx, form, FormErrors::from_error(e)).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

struct TraineeRow {
    id: UserId,
    name: String,
    email: String,
    works_in: Option<String>,
}

struct ExamRow {
    id: AssessmentId,
    title: String,
    sections: Vec<String>,
}

#[derive(Template)]
#[template(path = "training/cohort.html")]
struct CohortPage {
    chrome: Chrome,
    cohort: CohortRow,
    trainees: Vec<TraineeRow>,
    exams: Vec<ExamRow>,
    /// Post-training exams not yet assigned to this cohort.
    addable: Vec<(AssessmentId, String)>,
    runs: Vec<RunSummary>,
    notice: Option<String>,
    /// Which form a refusal belongs to: "exam", "trainee" or "run".
    form_key: &'static str,
    form: FormFields,
    errors: FormErrors,
}

impl CohortPage {
    fn error(&self, key: &str, field: &str) -> Option<String> {
        (self.form_key == key).then(|| self.errors.get(field)).flatten()
    }

    /// A refusal that names no field (a conflict).
    fn problem(&self, key: &str) -> Option<&str> {
        (self.form_key == key && self.errors.details.is_empty() && !self.errors.message.is_empty())
            .then_some(self.errors.message.as_str())
    }

    fn typed(&self, key: &str, name: &str) -> &str {
        if self.form_key == key {
            self.form.value(name)
        } else {
            ""
        }
    }

    fn exam_chosen(&self, id: &AssessmentId) -> bool {
        self.typed("run", "assessment_id") == id.to_string()
    }
}

fn cohort_page(conn: &mut DbConn, chrome: Chrome, id: CohortId) -> AppResult<CohortPage> {
    let cohort = service::find(conn, id)?;
    let processes = routing::list_processes(conn)?;
    let placed = routing::placed_people(conn)?;
    let trainees = service::trainees(conn, id)?
        .into_iter()
        .map(|(uid, name, email)| TraineeRow {
            works_in: placed
                .iter()
                .find(|p| p.trainee_id == uid)
                .and_then(|p| processes.iter().find(|x| x.id == p.process_id))
                .map(|p| p.name.clone()),
            id: uid,
            name,
            email,
        })
        .collect();
    let mut exams = Vec::new();
    for (exam, title) in service::exams(conn, id)? {
        let sections = assessments::find(conn, exam)?
            .sections()?
            .into_iter()
            .map(|s| s.name)
            .collect();
        exams.push(ExamRow {
            id: exam,
            title,
            sections,
        });
    }
    let addable = assessments::list(conn)?
        .into_iter()
        .filter(|a| a.kind == Kind::PostTraining && !exams.iter().any(|e| e.id == a.id))
        .map(|a| (a.id, a.title))
        .collect();
    Ok(CohortPage {
        chrome,
        cohort,
        trainees,
        exams,
        addable,
        runs: history::runs_of_cohort(conn, id)?,
        notice: None,
        form_key: "",
        form: FormFields::default(),
        errors: FormErrors::default(),
    })
}

async fn load(state: &AppState, ctx: &PageCtx, id: CohortId) -> AppResult<CohortPage> {
    let chrome = ctx.chrome("Cohort");
    let mut page = state.db(move |conn| cohort_page(conn, chrome, id)).await?;
    page.chrome.title = page.cohort.name.clone();
    Ok(page)
}

#[derive(Deserialize)]
struct ShowQuery {
    done: Option<String>,
    n: Option<u32>,
}

async fn show(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<CohortId>,
    query: Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let mut page = load(&state, &ctx, path.into_inner()).await?;
    page.notice = match query.done.as_deref() {
        Some("created") => Some("The cohort is created. Add its trainees and its post-training exams.".into()),
        Some("exam") => {
            Some("The exam is assigned: the cohort's trainees can take it from their Training page.".into())
        }
        Some("trainee") => Some("The trainee is added, and their “hired” email is queued.".into()),
        Some("resit") => Some(format!(
            "{} re-sit(s) opened; each trainee's email is queued and their Training page says what to do.",
            query.n.unwrap_or(0)
        )),
        _ => None,
    };
    render(&page)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/cohorts", web::get().to(list))
        .route("/cohorts", web::post().to(create))
        .route("/cohorts/{id}", web::get().to(show))
        .route("/cohorts/{id}/exams", web::post().to(cohort_forms::add_exam))
        .route("/cohorts/{id}/trainees", web::post().to(cohort_forms::add_trainee))
        .route("/cohorts/{id}/routing-runs", web::post().to(cohort_forms::start_run))
        .route("/cohorts/{id}/exams/{exam}/resits", web::get().to(resit_pages::confirm))
        .route("/cohorts/{id}/exams/{exam}/resits", web::post().to(resit_pages::grant))
        .route("/training", web::get().to(trainee::page));
}
