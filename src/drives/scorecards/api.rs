//! Scorecards, competencies, hiring rules and hiring decisions over the API.

use actix_web::{get, post, put, web, HttpResponse};

use super::competencies::{self, CompetencySet, NewCompetencies};
use super::decision::{self, Decided, HiringDecision, Panel, ProposalRow};
use super::panel::HiringRules;
use super::service::{self, MyScorecard, Scorecard, ScorecardInput};
use crate::app::AppState;
use crate::db::{ApplicationId, DriveId, UserId};
use crate::error::{AppResult, ErrorBody};
use crate::mail::MailContext;
use crate::web::auth::{RecruiterUser, StaffUser};
use crate::web::input::{Json, Query};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{PageQuery, Paged};

/// A drive's interview competencies with the anchors of each rating (the
/// default five until the drive sets its own).
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = CompetencySet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/drives/{id}/competencies")]
pub async fn competencies_get(
    state: web::Data<AppState>,
    _user: StaffUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let set = state
        .db(move |conn| {
            crate::drives::service::find(conn, drive_id)?;
            competencies::for_drive(conn, drive_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(set))
}

/// Set a drive's competencies, each with five anchors; refused (409) once a
/// scorecard of the drive is started.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = NewCompetencies,
    responses((status = 200, body = CompetencySet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/drives/{id}/competencies")]
pub async fn competencies_put(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    body: Json<NewCompetencies>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let asked = body.into_inner();
    let set = state
        .db(move |conn| competencies::set(conn, drive_id, &asked.competencies))
        .await?;
    Ok(HttpResponse::Ok().json(set))
}

/// How the drive weighs test and interview, and its offer thresholds.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = HiringRules), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/drives/{id}/hiring-rules")]
pub async fn rules_get(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let rules = state
        .db(move |conn| {
            crate::drives::service::find(conn, drive_id)?;
            decision::rules(conn, drive_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rules))
}

/// Set the test's weight (the interview weighs the rest) and the KPO and BPO
/// offer thresholds on the combined score.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = HiringRules,
    responses((status = 200, body = HiringRules), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[put("/drives/{id}/hiring-rules")]
pub async fn rules_put(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    body: Json<HiringRules>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let asked = body.into_inner();
    let now = state.clock.now();
    let rules = state
        .db(move |conn| decision::set_rules(conn, drive_id, &asked, user.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(rules))
}

/// The drive's interviewed applicants with test, interview and combined
/// scores and what the rules propose for each, with the reason.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), PageQuery),
    responses((status = 200, body = Paged<ProposalRow>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/drives/{id}/proposals")]
pub async fn proposals(
    state: web::Data<AppState>,
    _user: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let query = query.into_inner();
    let after = query.after_id()?;
    let page = state
        .db(move |conn| decision::proposals(conn, drive_id, after, query.size()))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// Confirm the proposal for an interviewed application, or override it with
/// a reason (kept in the audit log, never sent to the candidate).
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = HiringDecision,
    responses((status = 200, body = Decided), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/applications/{id}/hiring-decision")]
pub async fn hiring_decision(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<ApplicationId>,
    body: Json<HiringDecision>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let asked = body.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let done = state
        .db(move |conn| decision::decide(conn, id, &asked, &user, now, &mail))
        .await?;
    Ok(HttpResponse::Ok().json(done))
}

/// The application's panel: every interviewer and whether they submitted;
/// values only once the viewer's own scorecard is submitted (or for a
/// recruiter not on the panel).
#[utoipa::path(tag = "drives", params(("id" = i32, Path), PageQuery),
    responses((status = 200, body = Paged<Scorecard>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/applications/{id}/scorecards")]
pub async fn scorecards(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<ApplicationId>,
    query: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let query = query.into_inner();
    let after = query.after_id()?;
    let page = state
        .db(move |conn| service::list(conn, id, &user, after, query.size()))
        .await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// The viewer's own scorecard (null until a first draft) and the competencies it rates.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = MyScorecard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/applications/{id}/scorecards/mine")]
pub async fn mine_get(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<ApplicationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mine = state.db(move |conn| service::mine(conn, id, &user)).await?;
    Ok(HttpResponse::Ok().json(mine))
}

/// Save the viewer's scorecard as a draft, or submit it (`submit: true`):
/// then every competency needs a rating and evidence, and it is final.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)), request_body = ScorecardInput,
    responses((status = 200, body = MyScorecard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/applications/{id}/scorecards/mine")]
pub async fn mine_put(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<ApplicationId>,
    body: Json<ScorecardInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let now = state.clock.now();
    let mine = state
        .db(move |conn| service::save(conn, id, &user, &input, now))
        .await?;
    Ok(HttpResponse::Ok().json(mine))
}

/// One interviewer's submitted scorecard; 403 until the viewer submits their own.
#[utoipa::path(tag = "drives", params(("id" = i32, Path), ("interviewer_id" = i32, Path)),
    responses((status = 200, body = Scorecard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/applications/{id}/scorecards/{interviewer_id}")]
pub async fn scorecard(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<(ApplicationId, UserId)>,
) -> AppResult<HttpResponse> {
    let (id, interviewer) = path.into_inner();
    let card = state.db(move |conn| service::one(conn, id, interviewer, &user)).await?;
    Ok(HttpResponse::Ok().json(card))
}

/// The panel's mean per competency, disagreements, and the interview, test
/// and combined scores with the proposal; 403 until the viewer's own
/// scorecard is submitted.
#[utoipa::path(tag = "drives", params(("id" = i32, Path)),
    responses((status = 200, body = Panel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/applications/{id}/panel")]
pub async fn panel(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<ApplicationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let panel = state.db(move |conn| decision::panel_of(conn, id, &user)).await?;
    Ok(HttpResponse::Ok().json(panel))
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(competencies_get)
        .service(competencies_put)
        .service(rules_get)
        .service(rules_put)
        .service(proposals)
        .service(hiring_decision)
        .service(scorecards)
        .service(mine_get)
        .service(mine_put)
        .service(scorecard)
        .service(panel);
}
