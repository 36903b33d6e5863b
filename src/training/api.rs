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
#[utoipa::path(tag = "training", request_body = NewCohort,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
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

#[derive(Deserialize, ToSchema)]
pub struct AddTrainee {
    pub candidate_id: UserId,
}

/// Add a hired candidate to the cohort (409 when already in it).
#[utoipa::path(tag = "training", params(("id" = i32, Path)), request_body = AddTrainee,
    responses((status = 201), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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

#[derive(Deserialize, ToSchema)]
pub struct AssignExam {
    pub assessment_id: AssessmentId,
}

/// Let the cohort's trainees take a post-training exam.
#[utoipa::path(tag = "training", params(("id" = i32, Path)), request_body = AssignExam,
    responses((status = 201), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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

/// Open a re-sit of one of the cohort's exams for one trainee, or for
/// everyone the latest published routing run sent to retrain; each is told
/// by email. Trainees who can sit already are listed as skipped; 409 when
/// nobody would get one.
#[utoipa::path(tag = "training", params(("id" = i32, Path), ("exam_id" = i32, Path)), request_body = NewResits,
    responses((status = 201, body = ResitPlan), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
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
#[utoipa::path(tag = "training", params(CohortFilter, PageQuery),
    responses((status = 200, body = Paged<CohortRow>), (status = 403, body = ErrorBody),
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
#[utoipa::path(tag = "training", params(("id" = i32, Path)),
    responses((status = 200, body = CohortRow), (status = 404, body = ErrorBody)))]
#[get("/cohorts/{id}")]
pub async fn read(state: web::Data<AppState>, _user: StaffUser, path: web::Path<CohortId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| service::find(conn, id)).await?))
}

/// A cohort's trainees.
#[utoipa::path(tag = "training", params(("id" = i32, Path), PageQuery),
    responses((status = 200, body = Paged<TraineeRow>), (status = 404, body = ErrorBody),
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
