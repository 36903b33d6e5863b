//! Opening re-sits from a cohort's page: the trainer chooses one trainee or
//! everyone routed to retrain, sees on a page of its own who will get a
//! re-sit (and who is skipped, and why) with the sentence their email will
//! say, and confirms.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::AppState;
use crate::assessments::web::FormFields;
use crate::attempts::resits::{sentence, Next};
use crate::db::{AssessmentId, CohortId, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::training::resits::{self, ResitPlan, ResitRequest, Who};
use crate::training::service::{self, CohortRow};
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render_status, Chrome, PageCtx};
use crate::zone::Moment;

#[derive(Template)]
#[template(path = "training/resit_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    cohort: CohortRow,
    exam: AssessmentId,
    /// "retrain" or the trainee's id, as the form sends it back.
    who: String,
    days: i64,
    plan: Option<ResitPlan>,
    until: Option<Moment>,
    /// The sentence each trainee's email and page will say.
    says: String,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Choice {
    who: Option<String>,
    days: Option<String>,
}

/// Reads the form's choice; the `who` value is "retrain" or a trainee's id.
fn request(cohort: CohortId, exam: AssessmentId, who: &str, days: &str) -> AppResult<ResitRequest> {
    let who = match who {
        "retrain" => Who::RoutedToRetrain,
        id => Who::One(
            id.parse::<UserId>()
                .map_err(|_| AppError::invalid_field("who", "Choose a trainee, or everyone routed to retrain."))?,
        ),
    };
    let days = if days.trim().is_empty() {
        resits::DEFAULT_DAYS
    } else {
        days.trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid_field("days", format!("'{days}' is not a number of days; give 1 to 60.")))?
    };
    Ok(ResitRequest {
        cohort,
        exam,
        who,
        days,
    })
}

/// The message of a refusal, for the page.
fn problem_of(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid { message, details } => Some(
            details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_else(|| message.clone()),
        ),
        AppError::Conflict { message, .. } => Some(message.clone()),
        _ => None,
    }
}

pub(super) async fn confirm(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<(CohortId, AssessmentId)>,
    query: Query<Choice>,
) -> AppResult<HttpResponse> {
    let (cohort_id, exam) = path.into_inner();
    let who = query.who.clone().unwrap_or_default();
    let days = query.days.clone().unwrap_or_default();
    let now = state.clock.now();
    let zone = state.config.firm_zone;
    let outcome = request(cohort_id, exam, &who, &days);
    let (cohort, planned, title) = state
        .db(move |conn| {
            let cohort = service::find(conn, cohort_id)?;
            let planned = outcome.and_then(|r| resits::plan(conn, &r, now).map(|p| (r, p)));
            let title = crate::assessments::service::find(conn, exam).map(|a| (a.title.clone(), a))?;
            Ok((cohort, planned, title))
        })
        .await?;
    let (exam_title, row) = title;
    let mut page = ConfirmPage {
        chrome: ctx.chrome(format!("Open a re-sit of {exam_title}")),
        cohort,
        exam,
        who,
        days: 0,
        plan: None,
        until: None,
        says: String::new(),
        problem: None,
    };
    let status = match planned {
        Ok((request, plan)) => {
            page.days = request.days;
            page.until = Some(zone.moment(plan.until));
            page.says = sentence(
                &Next::Resit {
                    resit: 0,
                    until: plan.until,
                },
                &row,
                &zone,
            );
            if plan.granted().next().is_none() {
                page.problem = Some("Nobody here needs a re-sit: each one can take the exam already.".into());
            }
            page.plan = Some(plan);
            actix_web::http::StatusCode::OK
        }
        Err(e) => match problem_of(&e) {
            Some(p) => {
                page.problem = Some(p);
                actix_web::ResponseError::status_code(&e)
            }
            None => return Err(e),
        },
    };
    render_status(status, &page)
}

pub(super) async fn grant(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<(CohortId, AssessmentId)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (cohort, exam) = path.into_inner();
    let form = FormFields::new(pairs);
    let request = request(cohort, exam, form.value("who"), form.value("days"))?;
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let plan = state
        .db(move |conn| resits::grant(conn, &request, user.id, now, &mail))
        .await?;
    let n = plan.granted().count();
    Ok(redirect(&format!("/cohorts/{cohort}?done=resit&n={n}")))
}
