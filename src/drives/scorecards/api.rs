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
    description = "Staff (recruiters, trainers, administrators) read the competencies a drive's interviewers rate, each with what a rating of 1 to 5 means. `default` is true while the drive uses the default five; `fixed` is true once a scorecard of the drive is started.",
    responses((status = 200, body = CompetencySet, description = "The drive's competencies with their anchors, level 1 first."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
    description = "Recruiters and administrators replace a drive's competencies: 1 to 12, each with a name and exactly five anchors (what ratings 1 to 5 mean, 1 first). Refused with 409 once any scorecard of the drive is started, so every interviewer rates the same list.",
    responses((status = 200, body = CompetencySet, description = "The drive's competencies as now set."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Recruiters and administrators read how the drive combines the test and interview scores (`test_weight` percent for the test, the rest for the interview) and the combined scores at which the rules propose a KPO or a BPO offer.",
    responses((status = 200, body = HiringRules, description = "The drive's hiring rules (the defaults until a recruiter sets them)."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
    description = "Recruiters and administrators set the test's weight, 0 to 100 (the interview weighs the rest; `interview_weight` is ignored if sent), and the KPO and BPO offer thresholds on the combined score, 0 to 100 with the KPO one not below the BPO one. Proposals follow the new rules at once. Recorded in the audit log.",
    responses((status = 200, body = HiringRules, description = "The rules as now set."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Recruiters and administrators list the drive's applications at the interview stage, by application id, a keyset page at a time (`?after=&limit=`): each with the panel's scores, the competencies the panel disagreed on, and what the hiring rules propose (`proposed_status`, null while no scorecard is submitted) with the reason in words.",
    responses((status = 200, body = Paged<ProposalRow>, description = "One page of proposals; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::proposal()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
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
    description = "Recruiters and administrators decide an interviewed application: `offered_kpo`, `offered_bpo` or `rejected`. Choosing what the rules propose confirms it; choosing otherwise overrides it and needs a `reason`, which is kept in the timeline and the audit log and never sent to the candidate. The candidate is emailed the outcome, with `message` if given. While no scorecard is submitted there is no proposal, so any decision needs a `reason`. An application not at the interview stage is refused with 409 (`not_interviewing`).",
    responses((status = 200, body = Decided, description = "The application in its new state, what was proposed, and whether the proposal was overridden."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Staff list the application's panel, one scorecard per interviewer, a keyset page at a time (`?after=&limit=`): who interviewed and whether they submitted. Ratings, summary and recommendation are shown (`hidden: false`) only once the viewer has submitted their own scorecard, or to a recruiter or administrator not on the panel; drafts of others stay hidden.",
    responses((status = 200, body = Paged<Scorecard>, description = "One page of the panel's scorecards; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [crate::drives::examples::scorecard(), crate::drives::examples::hidden_scorecard()], "next_after": null})),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
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
    description = "Any staff member reads their own scorecard of the application, draft or submitted (`scorecard` is null until they save a first draft), with the drive's competencies and anchors to rate against.",
    responses((status = 200, body = MyScorecard, description = "The viewer's scorecard, or null, and the competencies it rates."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
    description = "An interviewer saves their scorecard of an application at the interview stage as a draft (any rating may be left open), or submits it with `submit: true`: then every competency needs a rating from 1 to 5 with evidence, and a recommendation (`kpo`, `bpo` or `no_offer`). Once an interview is booked only its panel may start a scorecard (403 for other staff); before, any staff member may. A submitted scorecard is final: saving again is refused with 409 (`already_submitted`), as is an application not at the interview stage (`not_interviewing`).",
    responses((status = 200, body = MyScorecard, description = "The scorecard as saved, with the competencies it rates."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
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
    description = "Staff read one interviewer's scorecard of the application, with every rating and its evidence: their own at any time; someone else's only once that one is submitted and the viewer has submitted their own (recruiters and administrators not on the panel need not). Otherwise refused with 403; 404 when the interviewer has no scorecard for it.",
    responses((status = 200, body = Scorecard, description = "The interviewer's scorecard."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
    description = "Staff read the panel's view of an application: the mean, lowest and highest rating of each competency across the submitted scorecards, where the panel disagreed (ratings two or more apart), the test, interview and combined scores, and what the drive's hiring rules propose, in words. Refused with 403 until the viewer has submitted their own scorecard (recruiters and administrators not on the panel may read it at once).",
    responses((status = 200, body = Panel, description = "The panel's scores and the proposal."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
