//! The recruiter's interview page for a drive: publish slots, assign a
//! shortlisted applicant, move an interview, and cancel one after a
//! confirmation page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{NaiveDateTime, Utc};
use serde::Deserialize;

use super::super::listing::{self, InterviewView, SlotView};
use super::super::{booking, slots};
use crate::app::AppState;
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::{ApplicationId, DriveId, InterviewId, SlotId, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Pager};
use crate::zone::Moment;

/// A slot with the interviews booked in it.
struct Block {
    slot: SlotView,
    when: Moment,
    booked: Vec<InterviewView>,
    begun: bool,
}

#[derive(Template)]
#[template(path = "interviews/staff.html")]
struct StaffPage {
    chrome: Chrome,
    drive_id: DriveId,
    drive: String,
    zone: &'static str,
    staff: Vec<(UserId, String)>,
    waiting: Vec<(ApplicationId, String)>,
    open: Vec<(SlotId, String)>,
    blocks: Vec<Block>,
    pager: Pager,
    form: FormFields,
    errors: FormErrors,
    problem: Option<String>,
    done: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct Shown {
    after: Option<String>,
    done: Option<String>,
}

fn done_sentence(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "published" => Some(
            "Slot published. Shortlisted applicants without an interview have been emailed a link to choose a time.",
        ),
        "assigned" => Some("Interview booked. The candidate and the panel have been emailed the calendar event."),
        "moved" => Some("Interview moved. Everyone has been emailed the updated calendar event."),
        "cancelled" => Some("Interview cancelled. Everyone has been emailed; the candidate can choose another time."),
        _ => None,
    }
}

async fn build(state: &AppState, ctx: &PageCtx, drive_id: DriveId, after: Option<String>) -> AppResult<StaffPage> {
    let now = state.clock.now();
    let zone = state.config.firm_zone;
    let (drive, staff, waiting, open, cut, booked) = state
        .db(move |conn| {
            let drive = crate::drives::service::find(conn, drive_id)?;
            let staff = listing::staff(conn)?;
            let waiting = listing::waiting(conn, drive_id)?;
            let open = slots::open_slots(conn, drive_id, now)?;
            let after = paging::after_id(after.as_deref())?.map(SlotId);
            let cut = slots::drive_slots(conn, drive_id, after, paging::PAGE_SIZE)?;
            let ids: Vec<SlotId> = cut.rows.iter().map(|s| s.id).collect();
            let booked = listing::booked_in(conn, &ids, zone)?;
            let views = listing::slot_views(conn, &cut.rows, zone)?;
            Ok((drive, staff, waiting, open, (views, cut.next), booked))
        })
        .await?;
    let (views, next) = cut;
    let blocks = views
        .into_iter()
        .map(|slot| Block {
            when: zone.moment(slot.start),
            booked: booked.iter().filter(|b| b.slot.id == slot.id).cloned().collect(),
            begun: slot.start <= now,
            slot,
        })
        .collect();
    let path = format!("/drives/{drive_id}/interviews");
    Ok(StaffPage {
        chrome: ctx.chrome(format!("Interviews: {}", drive.name)),
        drive_id,
        drive: drive.name,
        zone: zone.name(),
        staff,
        waiting,
        open: open
            .iter()
            .map(|s| {
                (
                    s.id,
                    format!(
                        "{} ({} of {} left)",
                        zone.text(s.starts_at),
                        s.places_left(),
                        s.capacity
                    ),
                )
            })
            .collect(),
        blocks,
        pager: Pager::next(&path, "", "after", next, "Later slots"),
        form: FormFields::default(),
        errors: FormErrors::default(),
        problem: None,
        done: None,
    })
}

async fn show(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    shown: crate::web::input::Query<Shown>,
) -> AppResult<HttpResponse> {
    let Shown { after, done } = shown.into_inner();
    let mut page = build(&state, &ctx, path.into_inner(), after).await?;
    page.done = done_sentence(done.as_deref());
    render(&page)
}

/// Reads the publish form: the start is a wall-clock time in the firm's zone.
fn read_slot(form: &FormFields, zone: crate::zone::FirmZone) -> Result<slots::NewSlot, AppError> {
    let mut errors = Vec::new();
    let local = form
        .optional("starts_at")
        .and_then(|raw| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").ok());
    let starts_at = match local.map(|l| zone.to_utc(l)) {
        Some(Some(utc)) => Some(utc.and_utc()),
        Some(None) => {
            errors.push(ErrorDetail::field(
                "starts_at",
                "The clocks skip that time; choose another.",
            ));
            None
        }
        None => {
            errors.push(ErrorDetail::field(
                "starts_at",
                "Choose the date and time the interviews start.",
            ));
            None
        }
    };
    let minutes = form.number::<i32>("minutes", "minutes", "a number of minutes", &mut errors);
    let capacity = form.number::<i32>("capacity", "capacity", "a number of candidates", &mut errors);
    let mut interviewer_ids = Vec::new();
    for raw in form.all("interviewer") {
        match raw.parse::<i32>() {
            Ok(id) => interviewer_ids.push(id),
            Err(_) => errors.push(ErrorDetail::field(
                "interviewer_ids",
                "Choose interviewers from the list.",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            message: "The slot was not published; see the notes by the fields.".into(),
            details: errors,
        });
    }
    Ok(slots::NewSlot {
        starts_at: starts_at.unwrap_or_else(Utc::now),
        minutes: minutes.unwrap_or(30),
        place: form.value("place").to_string(),
        video_link: form.value("video_link").to_string(),
        interviewer_ids,
        capacity: capacity.unwrap_or(1),
    })
}

async fn publish(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let form = FormFields::new(pairs);
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let published = match read_slot(&form, state.config.firm_zone) {
        Ok(slot) => {
            state
                .db(move |conn| slots::publish(conn, drive_id, &slot, user.id, now, &mail))
                .await
        }
        Err(e) => Err(e),
    };
    match published {
        Ok(_) => Ok(redirect(&format!("/drives/{drive_id}/interviews?done=published"))),
        Err(e @ AppError::Invalid { .. }) => {
            let mut page = build(&state, &ctx, drive_id, None).await?;
            page.form = form;
            page.errors = FormErrors::from_error(e);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

/// A refusal shown at the top of the page (a full slot, a wrong choice).
async fn refused(state: &AppState, ctx: &PageCtx, drive_id: DriveId, e: AppError) -> AppResult<HttpResponse> {
    match e {
        AppError::Invalid { .. } | AppError::Conflict { .. } | AppError::NotFound(_) => {
            let status = actix_web::ResponseError::status_code(&e);
            let mut page = build(state, ctx, drive_id, None).await?;
            page.problem = Some(
                e.details()
                    .first()
                    .map_or_else(|| e.public_message(), |d| d.message.clone()),
            );
            render_status(status, &page)
        }
        e => Err(e),
    }
}

fn id_field<T: std::str::FromStr>(form: &FormFields, name: &str, what: &str) -> AppResult<T> {
    form.value(name)
        .parse()
        .map_err(|_| AppError::invalid_field(name, format!("Choose {what} from the list.")))
}

async fn assign(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let form = FormFields::new(pairs);
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let chosen = id_field::<i32>(&form, "application_id", "an applicant")
        .and_then(|a| id_field::<i32>(&form, "slot_id", "a time").map(|s| (ApplicationId(a), SlotId(s))));
    let result = match chosen {
        Ok((application, slot)) => {
            state
                .db(move |conn| {
                    let app = crate::drives::listing::application(conn, application)?;
                    if app.drive_id != drive_id {
                        return Err(AppError::NotFound(format!(
                            "There is no application {application} in this drive."
                        )));
                    }
                    booking::book(conn, application, slot, user.id, now, &mail)
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/drives/{drive_id}/interviews?done=assigned"))),
        Err(e) => refused(&state, &ctx, drive_id, e).await,
    }
}

async fn drive_of(state: &AppState, id: InterviewId) -> AppResult<(DriveId, InterviewView)> {
    let zone = state.config.firm_zone;
    let view = state.db(move |conn| listing::interview(conn, id, zone)).await?;
    Ok((view.drive_id, view))
}

async fn move_to(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<InterviewId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (drive_id, _) = drive_of(&state, id).await?;
    let form = FormFields::new(pairs);
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let message = form.value("message").to_string();
    let result = match id_field::<i32>(&form, "slot_id", "the new time") {
        Ok(slot) => {
            state
                .db(move |conn| booking::reschedule(conn, id, SlotId(slot), user.id, &message, now, &mail))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(redirect(&format!("/drives/{drive_id}/interviews?done=moved"))),
        Err(e) => refused(&state, &ctx, drive_id, e).await,
    }
}

#[derive(Template)]
#[template(path = "interviews/cancel_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    interview: InterviewView,
    when: Moment,
}

async fn confirm_cancel(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _user: RecruiterUser,
    path: web::Path<InterviewId>,
) -> AppResult<HttpResponse> {
    let (_, interview) = drive_of(&state, path.into_inner()).await?;
    let when = state.config.firm_zone.moment(interview.slot.start);
    render(&ConfirmPage {
        chrome: ctx.chrome(format!("Cancel the interview with {}?", interview.candidate_name)),
        interview,
        when,
    })
}

async fn cancel(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<InterviewId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (drive_id, _) = drive_of(&state, id).await?;
    let form = FormFields::new(pairs);
    let message = form.value("message").to_string();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let result = state
        .db(move |conn| booking::cancel(conn, id, user.id, &message, now, &mail))
        .await;
    match result {
        Ok(()) => Ok(redirect(&format!("/drives/{drive_id}/interviews?done=cancelled"))),
        Err(e) => refused(&state, &ctx, drive_id, e).await,
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/interviews", web::get().to(show))
        .route("/drives/{id}/interviews/slots", web::post().to(publish))
        .route("/drives/{id}/interviews/assign", web::post().to(assign))
        .route("/interviews/{id}/move", web::post().to(move_to))
        .route("/interviews/{id}/cancel", web::get().to(confirm_cancel))
        .route("/interviews/{id}/cancel", web::post().to(cancel));
}
