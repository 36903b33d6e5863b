//! Drive pages: candidates find open drives, apply and reach their test
//! (see `candidate`); recruiters create drives and follow their applications.

mod candidate;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::service::{self, DriveRow, Eligibility, NewDrive};
use crate::accounts::validate::{DEGREE_CLASSES, DOMAINS};
use crate::app::AppState;
use crate::assessments::blueprint::Kind;
use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::{ApplicationStatus, AssessmentId, DriveId, DriveState, Role};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::User;
use crate::mail::MailContext;
use crate::web::auth::{AuthUser, RecruiterUser};
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, Pager, PAGE_SIZE};
use crate::zone::FirmZone;

/// Who is looking at a drive page: each sees a different page, trainers none.
enum Viewer {
    Candidate(User),
    Recruiter,
}

fn viewer(user: User) -> AppResult<Viewer> {
    match user.role {
        Role::Candidate => Ok(Viewer::Candidate(user)),
        Role::Recruiter | Role::Admin => Ok(Viewer::Recruiter),
        Role::Trainer => Err(AppError::Forbidden(
            "Drives are for candidates and recruiters; trainers work with assessments.".into(),
        )),
    }
}

/// When a drive takes applications, in words, in the firm's time zone.
pub(super) fn window(drive: &DriveRow, zone: &FirmZone) -> String {
    match (drive.opens_at, drive.closes_at) {
        (Some(o), Some(c)) => format!("{} to {}", zone.text(o), zone.text(c)),
        (Some(o), None) => format!("from {}", zone.text(o)),
        (None, Some(c)) => format!("until {}", zone.text(c)),
        (None, None) => "no closing date".into(),
    }
}

pub(crate) fn status_label(status: ApplicationStatus) -> String {
    match status {
        ApplicationStatus::ShortlistedKpo => "shortlisted for KPO interviews".into(),
        ApplicationStatus::OfferedKpo => "offered KPO work".into(),
        ApplicationStatus::OfferedBpo => "offered BPO work".into(),
        other => other.as_str().replace('_', " "),
    }
}

struct DriveSummary {
    drive: DriveRow,
    state: &'static str,
    window: String,
    open_now: bool,
    total: i64,
    by_status: String,
}

#[derive(Template)]
#[template(path = "drives/list.html")]
struct StaffList {
    chrome: Chrome,
    drives: Vec<DriveSummary>,
    pager: Pager,
    first_page: bool,
    /// Showing the archived drives instead of the current ones.
    archived: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    before: Option<i32>,
    /// `archived` for the archived drives.
    state: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AuthUser(user): AuthUser,
    query: Query<ListQuery>,
) -> AppResult<HttpResponse> {
    match viewer(user)? {
        Viewer::Candidate(user) => candidate::list(&state, &ctx, user).await,
        Viewer::Recruiter => {
            let archived = query.state.as_deref() == Some("archived");
            staff_list(&state, &ctx, query.before.map(DriveId), archived).await
        }
    }
}

/// Every drive, newest first, with its applications counted by status.
async fn staff_list(
    state: &AppState,
    ctx: &PageCtx,
    before: Option<DriveId>,
    archived: bool,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let (drives, counts) = state
        .db(move |conn| {
            let drives = service::page(conn, before, archived, paging::fetch(PAGE_SIZE))?;
            let counts = match (drives.last(), drives.first()) {
                (Some(oldest), Some(newest)) => service::application_counts(conn, oldest.id, newest.id)?,
                _ => vec![],
            };
            Ok((drives, counts))
        })
        .await?;
    let Page { rows: drives, next } = Page::cut(drives, PAGE_SIZE, |d| d.id);
    let drives = drives
        .into_iter()
        .map(|drive| {
            let mine: Vec<&(DriveId, ApplicationStatus, i64)> =
                counts.iter().filter(|(d, _, _)| *d == drive.id).collect();
            let by_status = ApplicationStatus::ALL
                .into_iter()
                .filter_map(|s| {
                    mine.iter()
                        .find(|(_, st, _)| *st == s)
                        .map(|(_, _, n)| format!("{n} {}", status_label(s)))
                })
                .collect::<Vec<_>>()
                .join(", ");
            DriveSummary {
                state: super::life::state_label(drive.state),
                window: window(&drive, &ctx.zone),
                open_now: drive.is_open(now),
                total: mine.iter().map(|(_, _, n)| n).sum(),
                by_status,
                drive,
            }
        })
        .collect();
    let filter = if archived { "state=archived" } else { "" };
    render(&StaffList {
        chrome: ctx.chrome(if archived { "Archived drives" } else { "Drives" }),
        drives,
        pager: Pager::next("/drives", filter, "before", next, "Older drives").with_first(
            before.is_none(),
            if archived { "/drives?state=archived" } else { "/drives" },
            "Back to the newest",
        ),
        first_page: before.is_none(),
        archived,
    })
}

/// The drive form: a new drive, or (`life::pages`) an edit of one.
#[derive(Template)]
#[template(path = "drives/new.html")]
pub(super) struct NewPage {
    pub(super) chrome: Chrome,
    form: FormFields,
    errors: FormErrors,
    tests: Vec<(AssessmentId, String)>,
    domains: &'static [&'static str],
    degree_classes: &'static [&'static str],
    /// Where the form posts, its heading and its button.
    pub(super) action: String,
    pub(super) heading: String,
    pub(super) submit: &'static str,
}

impl NewPage {
    pub(super) async fn build(
        state: &AppState,
        ctx: &PageCtx,
        form: FormFields,
        errors: FormErrors,
    ) -> AppResult<NewPage> {
        let all = state.db(assessments::list).await?;
        let tests = all
            .into_iter()
            .filter(|a| a.kind == Kind::Aptitude)
            .map(|a| (a.id, a.title))
            .collect();
        Ok(NewPage {
            chrome: ctx.chrome("New drive"),
            form,
            errors,
            tests,
            domains: &DOMAINS,
            degree_classes: &DEGREE_CLASSES,
            action: "/drives".into(),
            heading: "New drive".into(),
            submit: "Create the drive",
        })
    }

    fn test_selected(&self, id: &AssessmentId) -> bool {
        self.form.value("assessment_id") == id.to_string()
    }
}

async fn new_page(state: web::Data<AppState>, ctx: PageCtx, _r: RecruiterUser) -> AppResult<HttpResponse> {
    render(&NewPage::build(&state, &ctx, FormFields::default(), FormErrors::default()).await?)
}

fn comma_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Reads the form into what the service takes; field names match the
/// service's, so its errors land on the same inputs.
pub(super) fn read_drive(form: &FormFields) -> AppResult<NewDrive> {
    let mut errors = Vec::new();
    let assessment_id = match form.optional("assessment_id").map(str::parse::<AssessmentId>) {
        Some(Ok(id)) => Some(id),
        _ => {
            errors.push(ErrorDetail::field("assessment_id", "Choose the drive's aptitude test."));
            None
        }
    };
    let min_score_percent = form.number(
        "min_score_percent",
        "eligibility.min_score_percent",
        "a percentage",
        &mut errors,
    );
    let opens_at = form.when("opens_at", &mut errors);
    let closes_at = form.when("closes_at", &mut errors);
    match assessment_id {
        Some(assessment_id) if errors.is_empty() => Ok(NewDrive {
            name: form.value("name").to_string(),
            description: form.value("description").to_string(),
            assessment_id,
            eligibility: Eligibility {
                min_score_percent,
                min_degree_class: form.optional("min_degree_class").map(String::from),
                degrees: comma_list(form.value("degrees")),
                domains: form.all("domains").into_iter().map(String::from).collect(),
            },
            tie_break_sections: comma_list(form.value("tie_break_sections")),
            opens_at,
            closes_at,
        }),
        _ => Err(AppError::invalid("Some fields need fixing; nothing was saved.", errors)),
    }
}

async fn create(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let form = FormFields::new(pairs).in_zone(ctx.zone);
    let now = state.clock.now();
    let outcome = match read_drive(&form) {
        Ok(drive) => state.db(move |conn| service::create(conn, &drive, user.id, now)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(redirect(&format!("/drives/{id}?created=1"))),
        Err(e @ AppError::Invalid { .. }) => {
            let page = NewPage::build(&state, &ctx, form, FormErrors::from_error(e)).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "drives/staff_show.html")]
struct StaffShow {
    chrome: Chrome,
    drive: DriveRow,
    rules: String,
    window: String,
    open_now: bool,
    assessment: AssessmentRow,
    tie_breaks: Vec<String>,
    counts: Vec<(String, i64)>,
    total: i64,
    created: bool,
    /// The drive's life: its state in words, its invite link, what was just done.
    state: &'static str,
    invite: Option<String>,
    done: Option<&'static str>,
}

impl StaffShow {
    fn archived(&self) -> bool {
        self.drive.state == DriveState::Archived
    }

    fn closed(&self) -> bool {
        self.drive.state == DriveState::Closed
    }
}

#[derive(Deserialize)]
struct ShowQuery {
    applied: Option<String>,
    created: Option<String>,
    done: Option<String>,
    withdrawn: Option<String>,
}

async fn show(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AuthUser(user): AuthUser,
    path: web::Path<DriveId>,
    query: Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    match viewer(user)? {
        Viewer::Candidate(user) => {
            let notice = query.withdrawn.is_some().then(|| {
                "Your application is withdrawn. The recruiters no longer consider you for this drive.".to_string()
            });
            render(&candidate::show_page(&state, &ctx, user, id, notice, query.applied.is_some()).await?)
        }
        Viewer::Recruiter => {
            let now = state.clock.now();
            let (drive, assessment, counts) = state
                .db(move |conn| {
                    let drive = service::find(conn, id)?;
                    let assessment = assessments::find(conn, drive.assessment_id)?;
                    Ok((drive, assessment, service::application_counts(conn, id, id)?))
                })
                .await?;
            let counts: Vec<(String, i64)> = ApplicationStatus::ALL
                .into_iter()
                .map(|s| {
                    let n = counts.iter().find(|(_, st, _)| *st == s).map_or(0, |(_, _, n)| *n);
                    (super::staff_label(s).to_string(), n)
                })
                .collect();
            let invite = drive
                .invite_code
                .as_ref()
                .map(|code| format!("{}/join/{code}", MailContext::from(state.config.as_ref()).base_url));
            render(&StaffShow {
                state: super::life::state_label(drive.state),
                invite,
                done: query.done.as_deref().and_then(super::life::pages::done_sentence),
                chrome: ctx.chrome(drive.name.clone()),
                rules: drive.describe_rules(),
                window: window(&drive, &ctx.zone),
                open_now: drive.is_open(now),
                tie_breaks: drive.tie_break_sections.0.clone(),
                total: counts.iter().map(|(_, n)| n).sum(),
                counts,
                drive,
                assessment,
                created: query.created.is_some(),
            })
        }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives", web::get().to(list))
        .route("/drives", web::post().to(create))
        .route("/drives/new", web::get().to(new_page))
        .route("/drives/{id}", web::get().to(show))
        .route("/drives/{id}/apply", web::post().to(candidate::apply));
}
