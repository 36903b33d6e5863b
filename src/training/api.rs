//! Cohorts over the API.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::listing::{self, CohortFilter, TraineeRow};
use super::resits::{self, NewResits, ResitPlan, ResitRequest};
use super::service::{self, CohortRow, NewCohort};
use crate::accounts::api::Created;
use crate::app::AppState;
use crate::db::{AssessmentId, CohortId, UserId};
use crate::error::{AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::{StaffUser, TrainerUser};
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{PageQuery, Paged};

/// Create a training cohort.
///
/// For trainers and administrators. A cohort has a name, training dates (up
/// to six months) and, optionally, a number of seats. Recorded in the audit
/// log.
#[utoipa::path(tag = "training", request_body = NewCohort,
    responses((status = 201, body = Created, description = "The cohort was made; `id` is its id."), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/cohorts")]
pub async fn create(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    body: Json<NewCohort>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let cohort = body.into_inner();
    let id = state
        .db(move |conn| service::create(conn, &cohort, user.id, now))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// The hired candidate to add.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"candidate_id": 57}))]
pub struct AddTrainee {
    pub candidate_id: UserId,
}

/// Add a hired candidate to the cohort.
///
/// For staff (recruiters, trainers, administrators). The candidate must have
/// been hired; they are told by email that their training starts. 409 when
/// they are already in the cohort or it has no seat left.
#[utoipa::path(tag = "training", params(("id" = i32, Path, description = "The cohort's id.")), request_body = AddTrainee,
    responses((status = 201, description = "The trainee was added."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/cohorts/{id}/trainees")]
pub async fn add_trainee(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<CohortId>,
    body: Json<AddTrainee>,
) -> AppResult<HttpResponse> {
    let cohort = path.into_inner();
    if user.role == crate::db::Role::Candidate {
        return Err(crate::error::AppError::Forbidden("Only staff add trainees.".into()));
    }
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let candidate = body.candidate_id;
    state
        .db(move |conn| service::add_hired(conn, cohort, candidate, user.id, now, &mail))
        .await?;
    Ok(HttpResponse::Created().finish())
}

/// The exam to assign.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"assessment_id": 21}))]
pub struct AssignExam {
    pub assessment_id: AssessmentId,
}

/// Let the cohort's trainees take a post-training exam.
///
/// For trainers and administrators. The assessment must be a post-training
/// exam. Every trainee of the cohort may then start it; routing runs rank
/// the cohort on it. 409 when it is already assigned.
#[utoipa::path(tag = "training", params(("id" = i32, Path, description = "The cohort's id.")), request_body = AssignExam,
    responses((status = 201, description = "The exam is assigned."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/cohorts/{id}/exams")]
pub async fn assign_exam(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<CohortId>,
    body: Json<AssignExam>,
) -> AppResult<HttpResponse> {
    let cohort = path.into_inner();
    let now = state.clock.now();
    let assessment = body.assessment_id;
    state
        .db(move |conn| service::assign_exam(conn, cohort, assessment, user.id, now))
        .await?;
    Ok(HttpResponse::Created().finish())
}

/// Open re-sits of one of the cohort's exams.
///
/// For trainers and administrators. Opens a re-sit for one trainee
/// (`trainee_id`), or for everyone the latest published routing run sent to
/// retrain (`routed_to_retrain: true`), for `days` days (default 14); each is
/// told by email. Trainees who can sit already are listed as skipped; 409
/// when nobody would get one.
#[utoipa::path(tag = "training", params(("id" = i32, Path, description = "The cohort's id."),
        ("exam_id" = i32, Path, description = "The exam's assessment id.")), request_body = NewResits,
    responses((status = 201, body = ResitPlan, description = "The re-sits opened, and who was skipped and why."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/cohorts/{id}/exams/{exam_id}/resits")]
pub async fn grant_resits(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<(CohortId, AssessmentId)>,
    body: Json<NewResits>,
) -> AppResult<HttpResponse> {
    let (cohort, exam) = path.into_inner();
    let request = ResitRequest {
        cohort,
        exam,
        who: body.who()?,
        days: body.days.unwrap_or(resits::DEFAULT_DAYS),
    };
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let plan = state
        .db(move |conn| resits::grant(conn, &request, user.id, now, &mail))
        .await?;
    Ok(HttpResponse::Created().json(plan))
}

/// Cohorts, newest first.
///
/// For staff. A keyset page at a time (`?after=&limit=`); `?active_on=`
/// keeps only cohorts training at that moment.
#[utoipa::path(tag = "training", params(CohortFilter, PageQuery),
    responses((status = 200, body = Paged<CohortRow>, description = "One page of cohorts; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 3, "name": "Motor claims batch, January 2027", "starts_on": "2027-01-04T00:00:00", "ends_on": "2027-02-26T00:00:00", "seats": 30}], "next_after": null})), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/cohorts")]
pub async fn list(
    state: web::Data<AppState>,
    _user: StaffUser,
    filter: Query<CohortFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = state
        .db(move |conn| listing::cohorts_page(conn, &filter, &page))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// One cohort.
///
/// For staff: its name, training dates and seats.
#[utoipa::path(tag = "training", params(("id" = i32, Path, description = "The cohort's id.")),
    responses((status = 200, body = CohortRow, description = "The cohort."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/cohorts/{id}")]
pub async fn read(state: web::Data<AppState>, _user: StaffUser, path: web::Path<CohortId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| service::find(conn, id)).await?))
}

/// A cohort's trainees.
///
/// For staff. In the order of their user ids, a keyset page at a time
/// (`?after=&limit=`), with the application each was hired through.
#[utoipa::path(tag = "training", params(("id" = i32, Path, description = "The cohort's id."), PageQuery),
    responses((status = 200, body = Paged<TraineeRow>, description = "One page of trainees; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"user_id": 57, "full_name": "Priya Venkataraman", "email": "priya.venkataraman@gmail.com", "application_id": 412, "added_at": "2026-12-07T09:00:00"}], "next_after": null})), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/cohorts/{id}/trainees")]
pub async fn trainees(
    state: web::Data<AppState>,
    _user: StaffUser,
    path: web::Path<CohortId>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let page = state
        .db(move |conn| {
            service::find(conn, id)?;
            listing::trainees_page(conn, id, &page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(create)
        .service(list)
        .service(read)
        .service(trainees)
        .service(add_trainee)
        .service(assign_exam)
        .service(grant_resits);
}
