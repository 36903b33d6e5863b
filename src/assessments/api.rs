//! Assessments over the API.

use actix_web::{get, post, web, HttpResponse};

use serde::Deserialize;
use utoipa::IntoParams;

use super::blueprint::{Blueprint, Kind};
use super::models::PublicAssessment;
use super::service;
use crate::accounts::api::Created;
use crate::app::AppState;
use crate::db::AssessmentId;
use crate::error::{AppResult, ErrorBody};
use crate::web::auth::{AssessorUser, AuthUser};
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{PageQuery, Paged};

/// Create an assessment from a blueprint.
///
/// For trainers, recruiters and administrators. The blueprint names the
/// sections, each drawing a number of questions from a bank (by category
/// and difficulty mix), with the time limit, pass mark, negative marking and
/// window; every candidate gets their own form drawn from it. Each problem with the
/// blueprint (including banks with too few questions) is named in the
/// refusal.
#[utoipa::path(tag = "assessments", request_body = Blueprint,
    responses((status = 201, body = Created, description = "The assessment was made; `id` is its id."),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/assessments")]
pub async fn create(
    state: web::Data<AppState>,
    AssessorUser(user): AssessorUser,
    body: Json<Blueprint>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let blueprint = body.into_inner();
    let id = state
        .db(move |conn| service::create(conn, &blueprint, user.id, now))
        .await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

/// The assessment's public description: never its questions or keys.
///
/// For anyone signed in: title, kind, time limit, pass mark, negative
/// marking, window, and how many questions each section gives, so a
/// candidate knows what to expect before starting.
#[utoipa::path(tag = "assessments", params(("id" = i32, Path, description = "The assessment's id.")),
    responses((status = 200, body = PublicAssessment, description = "The assessment as candidates may read it."),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/assessments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    path: web::Path<AssessmentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let row = state.db(move |conn| service::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(PublicAssessment::try_from(&row)?))
}

/// Filters on the list of assessments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentFilter {
    /// Only assessments of this kind.
    pub kind: Option<Kind>,
}

/// Assessments, newest first, as their public descriptions.
///
/// For trainers, recruiters and administrators. A keyset page at a time
/// (`?after=&limit=`), filtered by `?kind=` (`aptitude` or
/// `post_training`).
#[utoipa::path(tag = "assessments", params(AssessmentFilter, PageQuery),
    responses((status = 200, body = Paged<PublicAssessment>, description = "One page of assessments; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 21, "title": "Motor claims aptitude test", "kind": "aptitude", "time_limit_minutes": 45, "pass_percent": 60.0,
    "negative_marking": 0.25, "max_attempts": 1, "opens_at": "2026-12-09T03:30:00", "closes_at": "2026-12-12T12:30:00",
    "sections": [{"name": "Insurance basics", "count": 20}, {"name": "Verbal ability", "count": 20}],
    "question_count": 40, "adaptive": null}], "next_after": null})), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/assessments")]
pub async fn list(
    state: web::Data<AppState>,
    _user: AssessorUser,
    filter: Query<AssessmentFilter>,
    page: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let kind = filter.into_inner().kind;
    let page = state.db(move |conn| service::api_page(conn, kind, &page)).await?;
    let items = page
        .rows
        .iter()
        .map(PublicAssessment::try_from)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(Paged {
        items,
        next_after: page.next.map(|id| id.to_string()),
    }))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(create).service(list).service(get);
}
