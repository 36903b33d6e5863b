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
#[utoipa::path(tag = "assessments", request_body = Blueprint,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(tag = "assessments", params(("id" = i32, Path)),
    responses((status = 200, body = PublicAssessment), (status = 404, body = ErrorBody)))]
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

/// Assessments, newest first, as their public descriptions (staff only).
#[utoipa::path(tag = "assessments", params(AssessmentFilter, PageQuery),
    responses((status = 200, body = Paged<PublicAssessment>), (status = 403, body = ErrorBody),
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
