//! The candidate's side of drives: open drives, applying, and the way from an
//! application to the test and its result.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::{status_label, window};
use crate::app::AppState;
use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::attempts::marking;
use crate::attempts::models::AttemptRow;
use crate::db::{ApplicationStatus, AttemptId, AttemptStatus, DriveId, DriveState};
use crate::drives::service::{self, ApplicationRow, DriveRow};
use crate::error::{AppError, AppResult};
use crate::identity::User;
use crate::mail::MailContext;
use crate::web::auth::CandidateUser;
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

struct OpenDrive {
    drive: DriveRow,
    rules: String,
    window: String,
    application: Option<ApplicationRow>,
}

#[derive(Template)]
#[template(path = "drives/candidate_list.html")]
struct ListPage {
    chrome: Chrome,
    open: Vec<OpenDrive>,
    /// Applications to drives no longer taking new ones: the test may still be due.
    earlier: Vec<(DriveRow, ApplicationRow)>,
}

impl ListPage {
    fn status(&self, app: &ApplicationRow) -> String {
        status_label(app.status)
    }
}

pub(super) async fn list(state: &AppState, ctx: &PageCtx, user: User) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let (drives, mut apps) = state
        .db(move |conn| Ok((service::list(conn)?, service::applications_of(conn, user.id)?)))
        .await?;
    let mut open = Vec::new();
    let mut earlier = Vec::new();
    for drive in drives.into_iter().filter(|d| d.state != DriveState::Archived) {
        let application = apps
            .iter()
            .position(|a| a.drive_id == drive.id)
            .map(|i| apps.swap_remove(i));
        if drive.is_open(now) {
            open.push(OpenDrive {
                rules: drive.describe_rules(),
                window: window(&drive, &ctx.zone),
                drive,
                application,
            });
        } else if let Some(app) = application {
            earlier.push((drive, app));
        }
    }
    render(&ListPage {
        chrome: ctx.chrome("Drives"),
        open,
        earlier,
    })
}

/// Where a candidate stands with the drive's test.
struct TestState {
    assessment: AssessmentRow,
    open_attempt: Option<AttemptId>,
    result: Option<AttemptId>,
    being_marked: bool,
    can_start: bool,
    retake: bool,
    refusal: Option<String>,
}

impl TestState {
    /// `attempts` newest first; `status` is the application's.
    fn new(
        assessment: AssessmentRow,
        attempts: &[AttemptRow],
        status: ApplicationStatus,
        now: NaiveDateTime,
        zone: &crate::zone::FirmZone,
    ) -> TestState {
        let open_attempt = attempts.iter().find(|a| a.status == AttemptStatus::Open).map(|a| a.id);
        let latest_done = attempts.iter().find(|a| a.status != AttemptStatus::Open);
        let result = attempts
            .iter()
            .find(|a| a.status == AttemptStatus::Graded)
            .map(|a| a.id);
        let being_marked = latest_done.is_some_and(|a| a.status == AttemptStatus::AwaitingMarking);
        // Once the pipeline has moved on (shortlisted, hired…) a retake would
        // change a decided ranking, so the page offers none.
        let in_testing = matches!(status, ApplicationStatus::Applied | ApplicationStatus::Tested);
        let refusal = if open_attempt.is_some() || !in_testing {
            None
        } else if attempts.len() >= usize::try_from(assessment.max_attempts).unwrap_or(0) {
            Some(format!(
                "You have used all {} attempt(s) this test allows.",
                assessment.max_attempts
            ))
        } else {
            assessment.window_refusal(now, zone)
        };
        TestState {
            can_start: open_attempt.is_none() && refusal.is_none() && in_testing,
            assessment,
            open_attempt,
            result,
            being_marked,
            retake: !attempts.is_empty(),
            refusal,
        }
    }
}

#[derive(Template)]
#[template(path = "drives/candidate_show.html")]
pub(super) struct ShowPage {
    chrome: Chrome,
    drive: DriveRow,
    rules: String,
    window: String,
    open_now: bool,
    application: Option<ApplicationRow>,
    test: Option<TestState>,
    notice: Option<String>,
    applied_now: bool,
}

impl ShowPage {
    fn status(&self, app: &ApplicationRow) -> String {
        crate::drives::candidate_label(app.status).to_string()
    }

    /// Whether the candidate may still withdraw this application.
    fn withdrawable(&self, app: &ApplicationRow) -> bool {
        crate::drives::pipeline::allowed_from(app.status).contains(&ApplicationStatus::Withdrawn)
            && self.drive.state != DriveState::Archived
    }
}

pub(super) async fn show_page(
    state: &AppState,
    ctx: &PageCtx,
    user: User,
    id: DriveId,
    notice: Option<String>,
    applied_now: bool,
) -> AppResult<ShowPage> {
    let now = state.clock.now();
    let zone = state.config.firm_zone;
    let (drive, application, test) = state
        .db(move |conn| {
            let drive = service::find(conn, id)?;
            let application = service::applications_of(conn, user.id)?
                .into_iter()
                .find(|a| a.drive_id == id);
            // An archived drive is gone from candidates' view, except for
            // those who applied and follow their application.
            if drive.state == DriveState::Archived && application.is_none() {
                return Err(AppError::NotFound(format!("There is no drive {id}.")));
            }
            let test = match &application {
                Some(app) if app.eligible && app.status != ApplicationStatus::Withdrawn => {
                    let assessment = assessments::find(conn, drive.assessment_id)?;
                    let attempts = marking::attempts_of(conn, drive.assessment_id, user.id)?;
                    Some(TestState::new(assessment, &attempts, app.status, now, &zone))
                }
                _ => None,
            };
            Ok((drive, application, test))
        })
        .await?;
    Ok(ShowPage {
        chrome: ctx.chrome(drive.name.clone()),
        rules: drive.describe_rules(),
        window: window(&drive, &ctx.zone),
        open_now: drive.is_open(now),
        drive,
        application,
        test,
        notice,
        applied_now,
    })
}

#[derive(Deserialize)]
pub(super) struct Empty {}

pub(super) async fn apply(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    path: web::Path<DriveId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let applicant = user.clone();
    match state
        .db(move |conn| service::apply(conn, id, &applicant, now, &mail))
        .await
    {
        Ok(_) => Ok(redirect(&format!("/drives/{id}?applied=1"))),
        // Applying twice, or after the drive closed, is not a broken page:
        // the drive page says what happened.
        Err(e @ AppError::Conflict { .. }) => {
            let page = show_page(&state, &ctx, user, id, Some(e.public_message()), false).await?;
            render_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}
