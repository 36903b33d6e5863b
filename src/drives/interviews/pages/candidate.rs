//! The candidate's interview page: their booked interview, or the times
//! with a place left and one form to book one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::listing::{self, InterviewView};
use super::super::{booking, slots};
use crate::app::AppState;
use crate::db::{DriveId, SlotId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::web::auth::CandidateUser;
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render_status, Chrome, PageCtx};
use crate::zone::Moment;

/// A time the candidate can choose.
struct Choice {
    id: SlotId,
    when: Moment,
    minutes: i32,
    place: String,
    video: bool,
    panel: String,
    places_left: i32,
}

#[derive(Template)]
#[template(path = "interviews/pick.html")]
struct PickPage {
    chrome: Chrome,
    drive_id: DriveId,
    drive: String,
    booked: Option<(InterviewView, Moment)>,
    choices: Vec<Choice>,
    problem: Option<String>,
    just_booked: bool,
}

#[derive(Deserialize, Default)]
struct Shown {
    #[serde(default)]
    booked: Option<String>,
}

async fn build(
    state: &AppState,
    ctx: &PageCtx,
    user: &crate::identity::User,
    drive_id: DriveId,
    problem: Option<String>,
) -> AppResult<PickPage> {
    let now = state.clock.now();
    let zone = state.config.firm_zone;
    let candidate = user.id;
    let (drive, booked, open) = state
        .db(move |conn| {
            let drive = crate::drives::service::find(conn, drive_id)?;
            let booked = listing::candidates_booked(conn, drive_id, candidate, zone)?;
            let shortlisted = listing::waiting(conn, drive_id)?;
            let mine = crate::drives::listing::applications_page(
                conn,
                Some(drive_id),
                &crate::drives::listing::ApplicationFilter {
                    candidate_id: Some(candidate.0),
                    ..Default::default()
                },
                &crate::web::paging::PageQuery::default(),
            )?;
            let waiting = mine.rows.iter().any(|a| shortlisted.iter().any(|(id, _)| *id == a.id));
            if booked.is_none() && !waiting {
                return Err(AppError::NotFound(
                    "You have no interview to book in this drive: interviews are for applicants shortlisted for one."
                        .into(),
                ));
            }
            let open = if booked.is_none() {
                let rows = slots::open_slots(conn, drive_id, now)?;
                listing::slot_views(conn, &rows, zone)?
            } else {
                vec![]
            };
            Ok((drive, booked, open))
        })
        .await?;
    let choices = open
        .into_iter()
        .map(|s| Choice {
            id: s.id,
            when: zone.moment(s.start),
            minutes: s.minutes,
            place: s.place,
            video: !s.video_link.is_empty(),
            panel: s
                .interviewers
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            places_left: s.places_left,
        })
        .collect();
    Ok(PickPage {
        chrome: ctx.chrome(format!("Your interview: {}", drive.name)),
        drive_id,
        drive: drive.name,
        booked: booked.map(|b| {
            let when = zone.moment(b.slot.start);
            (b, when)
        }),
        choices,
        problem,
        just_booked: false,
    })
}

async fn show(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    path: web::Path<DriveId>,
    shown: crate::web::input::Query<Shown>,
) -> AppResult<HttpResponse> {
    let mut page = build(&state, &ctx, &user, path.into_inner(), None).await?;
    page.just_booked = shown.booked.is_some();
    render_status(StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct PickForm {
    #[serde(default)]
    slot_id: String,
}

async fn book(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    path: web::Path<DriveId>,
    CsrfForm(form): CsrfForm<PickForm>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let Ok(slot) = form.slot_id.trim().parse::<i32>().map(SlotId) else {
        let page = build(
            &state,
            &ctx,
            &user,
            drive_id,
            Some("Choose one of the times first.".into()),
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let candidate = user.id;
    let booked = state
        .db(move |conn| {
            let found = slots::find(conn, slot)?;
            if found.drive_id != drive_id {
                return Err(AppError::NotFound(format!(
                    "There is no interview slot {slot} in this drive."
                )));
            }
            let application = crate::drives::listing::applications_page(
                conn,
                Some(drive_id),
                &crate::drives::listing::ApplicationFilter {
                    candidate_id: Some(candidate.0),
                    ..Default::default()
                },
                &crate::web::paging::PageQuery::default(),
            )?
            .rows
            .first()
            .map(|a| a.id)
            .ok_or_else(|| AppError::NotFound("You have not applied to this drive.".into()))?;
            booking::book(conn, application, slot, candidate, now, &mail)
        })
        .await;
    match booked {
        Ok(_) => Ok(redirect(&format!("/drives/{drive_id}/interview?booked=1"))),
        Err(e @ (AppError::Conflict { .. } | AppError::NotFound(_) | AppError::Invalid { .. })) => {
            let page = build(&state, &ctx, &user, drive_id, Some(e.public_message())).await?;
            render_status(actix_web::ResponseError::status_code(&e), &page)
        }
        Err(e) => Err(e),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/interview", web::get().to(show))
        .route("/drives/{id}/interview", web::post().to(book));
}
