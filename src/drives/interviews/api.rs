//! Interviews over the API: slots, booking, moving and cancelling.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::listing::{self, InterviewView, SlotView, Whose};
use super::{booking, slots};
use crate::accounts::api::Created;
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId, InterviewId, SlotId, UserId};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::{AuthUser, CandidateUser, RecruiterUser};
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{PageQuery, Paged};

/// Publish an interview slot; shortlisted applicants without an interview are emailed a link to pick one.
#[utoipa::path(tag = "interviews", params(("id" = i32, Path)), request_body = slots::NewSlot,
    description = "Recruiters and administrators publish an interview slot for a drive: when it starts (with its offset), how long one interview takes, where (a place, a video link or both), the staff who interview, and how many candidates it takes. Shortlisted applicants who have no interview yet are emailed a link to pick a slot.",
    responses((status = 201, body = Created, description = "The slot was published; `id` is the new slot's id.", example = json!({"id": 41})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/drives/{id}/interview-slots")]
pub async fn publish(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    body: Json<slots::NewSlot>,
) -> AppResult<HttpResponse> {
    let drive = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let slot = body.into_inner();
    let id = state
        .db(move |conn| slots::publish(conn, drive, &slot, user.id, now, &mail))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// A drive's interview slots, soonest first. Recruiters see every slot; a
/// shortlisted candidate sees the ones with a place left.
#[utoipa::path(tag = "interviews", params(("id" = i32, Path), PageQuery),
    description = "Staff see every slot of the drive, soonest first, a keyset page at a time (`?after=&limit=`), with its panel and how many places are booked. A candidate shortlisted in the drive (or holding an interview in it) sees, on one page, the upcoming slots with a place left, to pick one with `POST /me/interviews`; any other candidate is answered 404.",
    responses((status = 200, body = Paged<SlotView>, description = "One page of slots, times in UTC and in the firm's time zone; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::slot()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/drives/{id}/interview-slots")]
pub async fn drive_slots(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<DriveId>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let drive = path.into_inner();
    let now = state.clock.now();
    let zone = state.config.firm_zone;
    let paged = state
        .db(move |conn| {
            crate::drives::service::find(conn, drive)?;
            if user.is_staff() {
                let after = page.after_id()?.map(SlotId);
                let cut = slots::drive_slots(conn, drive, after, page.size())?;
                let items = listing::slot_views(conn, &cut.rows, zone)?;
                return Ok(Paged {
                    items,
                    next_after: cut.next.map(|c| c.to_string()),
                });
            }
            shortlisted(conn, drive, user.id)?;
            let open = slots::open_slots(conn, drive, now)?;
            Ok(Paged {
                items: listing::slot_views(conn, &open, zone)?,
                next_after: None,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(paged))
}

/// The candidate's application to the drive, which must be shortlisted or
/// have an interview; otherwise there is nothing of theirs here (404).
fn shortlisted(conn: &mut crate::db::DbConn, drive: DriveId, candidate: UserId) -> AppResult<ApplicationId> {
    use crate::db::schema::applications;
    use crate::db::ApplicationStatus;
    use diesel::prelude::*;
    applications::table
        .filter(applications::drive_id.eq(drive))
        .filter(applications::candidate_id.eq(candidate))
        .filter(applications::status.eq_any([ApplicationStatus::ShortlistedKpo, ApplicationStatus::Interviewing]))
        .select(applications::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::NotFound(
                "You have no interview to book in this drive: interviews are for applicants shortlisted for one."
                    .into(),
            )
        })
}

/// A drive's interviews, newest booking first.
#[utoipa::path(tag = "interviews", params(("id" = i32, Path), PageQuery),
    description = "Recruiters and administrators list the drive's interviews, booked and cancelled, newest booking first, a keyset page at a time (`?after=&limit=`), each with its candidate and slot.",
    responses((status = 200, body = Paged<InterviewView>, description = "One page of interviews; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::interview()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/drives/{id}/interviews")]
pub async fn drive_interviews(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let drive = path.into_inner();
    let zone = state.config.firm_zone;
    let page = state
        .db(move |conn| {
            crate::drives::service::find(conn, drive)?;
            listing::page(conn, Whose::Drive(drive), false, &page, zone)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Assign {
    /// The shortlisted application to interview.
    #[schema(value_type = i32)]
    pub application_id: ApplicationId,
    /// A slot of the same drive with a place left.
    #[schema(value_type = i32)]
    pub slot_id: SlotId,
}

/// Assign a shortlisted applicant to a slot (the recruiter books for them).
#[utoipa::path(tag = "interviews", params(("id" = i32, Path)), request_body = Assign,
    description = "Recruiters and administrators book an interview for a shortlisted applicant of the drive in one of its slots with a place left. The candidate and the panel are emailed a calendar invitation. An applicant who already holds an interview (`already_booked`) or is not shortlisted (`not_shortlisted`), a slot that has begun (`slot_started`) or a full one (`slot_full`) is refused with 409.",
    responses((status = 201, body = InterviewView, description = "The interview was booked."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/drives/{id}/interviews")]
pub async fn assign(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    body: Json<Assign>,
) -> AppResult<HttpResponse> {
    let drive = path.into_inner();
    let Assign {
        application_id,
        slot_id,
    } = body.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let view = state
        .db(move |conn| {
            let app = crate::drives::listing::application(conn, application_id)?;
            if app.drive_id != drive {
                return Err(AppError::NotFound(format!(
                    "There is no application {application_id} in drive {drive}."
                )));
            }
            let id = booking::book(conn, application_id, slot_id, user.id, now, &mail)?;
            listing::interview(conn, id, mail.zone)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Pick {
    /// The slot to book: one of `GET /drives/{id}/interview-slots`.
    #[schema(value_type = i32)]
    pub slot_id: SlotId,
}

/// Book an interview slot for myself (a shortlisted candidate). 409 `slot_full` when its last place was just taken.
#[utoipa::path(tag = "interviews", request_body = Pick,
    description = "A candidate shortlisted in the slot's drive books one of its slots for themselves. They and the panel are emailed a calendar invitation. A slot whose last place was just taken is refused with 409 `slot_full` (pick another); a candidate not shortlisted in that drive is answered 404.",
    responses((status = 201, body = InterviewView, description = "The interview was booked."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/me/interviews")]
pub async fn pick(
    state: web::Data<AppState>,
    CandidateUser(user): CandidateUser,
    body: Json<Pick>,
) -> AppResult<HttpResponse> {
    let Pick { slot_id } = body.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let view = state
        .db(move |conn| {
            let slot = slots::find(conn, slot_id)?;
            let application = shortlisted(conn, slot.drive_id, user.id)?;
            let id = booking::book(conn, application, slot_id, user.id, now, &mail)?;
            listing::interview(conn, id, mail.zone)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// My interviews, newest first.
#[utoipa::path(tag = "interviews", params(PageQuery),
    description = "A candidate lists their own interviews in every drive, booked and cancelled, newest first, a keyset page at a time (`?after=&limit=`).",
    responses((status = 200, body = Paged<InterviewView>, description = "One page of the candidate's interviews; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::interview()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/me/interviews")]
pub async fn mine(
    state: web::Data<AppState>,
    CandidateUser(user): CandidateUser,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let zone = state.config.firm_zone;
    let page = state
        .db(move |conn| listing::page(conn, Whose::Candidate(user.id), false, &page, zone))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// One interview: staff see any, a candidate only their own.
#[utoipa::path(tag = "interviews", params(("id" = i32, Path)),
    description = "Staff may read any interview; a candidate only their own (anyone else's is answered 404). Shows its slot, panel, status and the calendar event's UID and SEQUENCE.",
    responses((status = 200, body = InterviewView, description = "The interview."),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/interviews/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<InterviewId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let zone = state.config.firm_zone;
    let view = state.db(move |conn| listing::interview(conn, id, zone)).await?;
    if !user.is_staff() && view.candidate_id != user.id {
        return Err(AppError::NotFound(format!("There is no interview {id}.")));
    }
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Move {
    /// Another slot of the same drive with a place left.
    #[schema(value_type = i32)]
    pub slot_id: SlotId,
    /// Optional words to the candidate, added to their email.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub message: String,
}

/// Move an interview to another slot; everyone gets the updated calendar event (same UID, SEQUENCE + 1).
#[utoipa::path(tag = "interviews", params(("id" = i32, Path)), request_body = Move,
    description = "Recruiters and administrators move a booked interview to another slot of the same drive with a place left. Everyone on it is emailed the updated calendar event (same UID, SEQUENCE one higher), the candidate with `message` if given. A cancelled interview (`interview_cancelled`), the slot it is already in (`same_slot`), a slot that has begun (`slot_started`) or a full one (`slot_full`) is refused with 409.",
    responses((status = 200, body = InterviewView, description = "The interview in its new slot.", example = json!(crate::drives::examples::moved_interview())),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/interviews/{id}/reschedule")]
pub async fn reschedule(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<InterviewId>,
    body: Json<Move>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let Move { slot_id, message } = body.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let view = state
        .db(move |conn| {
            booking::reschedule(conn, id, slot_id, user.id, &message, now, &mail)?;
            listing::interview(conn, id, mail.zone)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Cancel {
    /// Optional words to the candidate, added to their email.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub message: String,
}

/// Cancel an interview; everyone gets the calendar event cancelled and the candidate may pick another time.
#[utoipa::path(tag = "interviews", params(("id" = i32, Path)), request_body = Cancel,
    description = "Recruiters and administrators cancel a booked interview. The candidate and the panel are emailed the calendar event's cancellation, with `message` if given, and the candidate may pick another slot. An interview cancelled already is refused with 409 (`interview_cancelled`).",
    responses((status = 200, body = InterviewView, description = "The interview, now `cancelled`.", example = json!(crate::drives::examples::cancelled_interview())),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/interviews/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<InterviewId>,
    body: Json<Cancel>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let Cancel { message } = body.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let view = state
        .db(move |conn| {
            booking::cancel(conn, id, user.id, &message, now, &mail)?;
            listing::interview(conn, id, mail.zone)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(publish)
        .service(drive_slots)
        .service(drive_interviews)
        .service(assign)
        .service(pick)
        .service(mine)
        .service(read)
        .service(reschedule)
        .service(cancel);
}
