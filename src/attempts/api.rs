//! Taking tests over the API: start or resume, save answers, submit, read.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::allowances;
use super::flags;
use super::grading::{self, AttemptResult};
use super::save_queue::{Save, SaveQueue};
use super::signals::{self, Leave, Signal};
use super::views::{self, QuestionView};
use crate::app::AppState;
use crate::assessments::service as assessments;
use crate::db::group::GroupWriter;
use crate::db::{AssessmentId, AttemptId, AttemptStatus, QuestionId, UserId};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::web::auth::{AuthUser, CandidateUser, StaffUser, TrainerUser};
use crate::web::input::Json;
use crate::web::input::{Note, Word};
use crate::web::openapi::ApiRoutes;

#[derive(Serialize, ToSchema)]
pub struct Started {
    pub attempt_id: AttemptId,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String)]
    pub deadline: NaiveDateTime,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String)]
    pub server_now: NaiveDateTime,
    /// For an adaptive test only the question to answer now; then POST
    /// `/attempts/{id}/next` after saving its answer.
    pub questions: Vec<QuestionView>,
    pub adaptive: bool,
}

/// Start the assessment, or resume the open attempt.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path)),
    responses((status = 201, body = Started), (status = 200, body = Started), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/assessments/{id}/attempts")]
pub async fn start(
    state: web::Data<AppState>,
    writer: web::Data<GroupWriter>,
    CandidateUser(user): CandidateUser,
    path: web::Path<AssessmentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let (attempt, new) = super::starting::start_or_resume(&state, &writer, id, user).await?;
    let shown = attempt.clone();
    let questions = state.db(move |conn| views::question_views(conn, &shown)).await?;
    let body = Started {
        attempt_id: attempt.id,
        deadline: attempt.deadline,
        server_now: now,
        adaptive: attempt.is_adaptive(),
        questions,
    };
    Ok(if new {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

#[derive(Deserialize, ToSchema)]
pub struct SaveRequest {
    /// An option id, a list of option ids, a number, a string, a boolean, or null to clear.
    #[schema(value_type = Object)]
    pub answer: Value,
    pub seq: i64,
}

/// Save one answer. 204 means it is stored and will count. A `seq` lower than
/// or equal to the stored one is not kept: 409 `stale` with the stored `seq`.
/// After the attempt is submitted (or graded by the sweeper): 409
/// `already_submitted`.
#[utoipa::path(tag = "attempts",
    params(("id" = i32, Path), ("question_id" = i32, Path)), request_body = SaveRequest,
    responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/attempts/{id}/responses/{question_id}")]
pub async fn save(
    state: web::Data<AppState>,
    saves: web::Data<SaveQueue>,
    AuthUser(user): AuthUser,
    path: web::Path<(AttemptId, QuestionId)>,
    body: Json<SaveRequest>,
) -> AppResult<HttpResponse> {
    let (attempt_id, question_id) = path.into_inner();
    let now = state.clock.now();
    let SaveRequest { answer, seq } = body.into_inner();
    // Answered once the save is committed to disk, together with the
    // others that arrived meanwhile (see `save_queue`).
    saves
        .save(Save {
            attempt_id,
            user_id: user.id,
            question_id,
            answer,
            seq,
            now,
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Submit and grade now; a second submit returns the same result.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path)),
    responses((status = 200, body = AttemptResult), (status = 404, body = ErrorBody)))]
#[post("/attempts/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<AttemptId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let result = state
        .db(move |conn| {
            let attempt = views::find_for(conn, id, &user)?;
            if attempt.user_id != user.id {
                return Err(AppError::Forbidden(
                    "Only the person taking a test can submit it.".into(),
                ));
            }
            grading::grade(conn, id, now, &effects)?;
            let attempt = views::find_for(conn, id, &user)?;
            let show_score = assessments::find(conn, attempt.assessment_id)?.show_score;
            Ok(grading::result(conn, &attempt)?.for_viewer(&user, show_score))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Serialize, ToSchema)]
pub struct SavedResponse {
    pub question_id: QuestionId,
    #[schema(value_type = Object)]
    pub answer: Value,
    pub seq: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    pub attempt_id: AttemptId,
    pub status: AttemptStatus,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String)]
    pub deadline: NaiveDateTime,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String)]
    pub server_now: NaiveDateTime,
    pub questions: Vec<QuestionView>,
    pub responses: Vec<SavedResponse>,
    pub result: Option<AttemptResult>,
    pub focus_losses: i32,
    /// Each time the person left the test page, with how long they were away.
    pub leaves: Vec<Leave>,
    pub pastes: i32,
    pub adaptive: bool,

    /// The questions the person flagged for review.
    pub flagged: Vec<QuestionId>,
}

/// An attempt: status, deadline, saved answers and, once graded, the result.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path)),
    responses((status = 200, body = AttemptView), (status = 404, body = ErrorBody)))]
#[get("/attempts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<AttemptId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let view = state
        .db(move |conn| {
            let attempt = views::find_for(conn, id, &user)?;
            let questions = views::question_views(conn, &attempt)?;
            let responses = views::saved_answers(conn, id)?
                .into_iter()
                .map(|(question_id, answer, seq)| SavedResponse {
                    question_id,
                    answer,
                    seq,
                })
                .collect();
            let leaves = signals::leaves(conn, id)?;
            let mut flagged: Vec<QuestionId> = flags::flagged(conn, id)?.into_iter().collect();
            flagged.sort_unstable();
            let result = match attempt.status {
                AttemptStatus::Open => None,
                _ => {
                    let show_score = assessments::find(conn, attempt.assessment_id)?.show_score;
                    Some(grading::result(conn, &attempt)?.for_viewer(&user, show_score))
                }
            };
            Ok(AttemptView {
                attempt_id: id,
                status: attempt.status,
                deadline: attempt.deadline,
                server_now: now,
                questions,
                responses,
                result,
                focus_losses: attempt.focus_losses,
                leaves,
                flagged,
                pastes: attempt.pastes,
                adaptive: attempt.is_adaptive(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, ToSchema)]
pub struct SignalRequest {
    /// focus_loss (the person left the test page), returned (they came back) or paste
    pub kind: Word,
}

/// Report leaving the test page, coming back to it, or a paste.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path)), request_body = SignalRequest,
    responses((status = 204)))]
#[post("/attempts/{id}/signals")]
pub async fn signal(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<AttemptId>,
    body: Json<SignalRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let signal: Signal = body.kind.parse()?;
    let now = state.clock.now();
    state
        .db(move |conn| signals::record(conn, id, user.id, signal, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct FlagRequest {
    /// true to flag the question for review, false to clear the flag
    pub flagged: bool,
}

/// Flag a question of one's open attempt for review, or clear the flag. The
/// review page before submitting lists the flagged questions.
#[utoipa::path(tag = "attempts",
    params(("id" = i32, Path), ("question_id" = i32, Path)), request_body = FlagRequest,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/attempts/{id}/flags/{question_id}")]
pub async fn flag(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<(AttemptId, QuestionId)>,
    body: Json<FlagRequest>,
) -> AppResult<HttpResponse> {
    let (attempt_id, question_id) = path.into_inner();
    let flagged = body.flagged;
    state
        .db(move |conn| flags::set(conn, attempt_id, user.id, question_id, flagged))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct MarkRequest {
    pub score: f64,
}

/// Mark one essay answer (trainers).
#[utoipa::path(tag = "attempts",
    params(("id" = i32, Path), ("question_id" = i32, Path)), request_body = MarkRequest, responses((status = 204)))]
#[post("/attempts/{id}/essays/{question_id}")]
pub async fn mark(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<(AttemptId, QuestionId)>,
    body: Json<MarkRequest>,
) -> AppResult<HttpResponse> {
    let (id, question_id) = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let score = body.score;
    state
        .db(move |conn| grading::mark_essay(conn, id, question_id, score, user.id, now, &effects))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct ExtendRequest {
    pub minutes: i64,
    pub reason: Note,
}

/// Give one open attempt more time (staff).
#[utoipa::path(tag = "attempts", params(("id" = i32, Path)), request_body = ExtendRequest,
    responses((status = 200)))]
#[post("/attempts/{id}/extend")]
pub async fn extend(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<AttemptId>,
    body: Json<ExtendRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let ExtendRequest { minutes, reason } = body.into_inner();
    let deadline = state
        .db(move |conn| allowances::extend(conn, id, minutes, &reason, user.id, now))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"deadline": crate::clock::rfc3339::format(&deadline)})))
}

#[derive(Deserialize, ToSchema)]
pub struct AccommodationRequest {
    /// Multiplies every time limit, for example 1.25.
    pub factor: f64,
    pub reason: Note,
}

/// Set a person's accommodation factor (staff).
#[utoipa::path(tag = "attempts", params(("id" = i32, Path)),
    request_body = AccommodationRequest, responses((status = 204)))]
#[put("/users/{id}/accommodation")]
pub async fn accommodation(
    state: web::Data<AppState>,
    StaffUser(user): StaffUser,
    path: web::Path<UserId>,
    body: Json<AccommodationRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let AccommodationRequest { factor, reason } = body.into_inner();
    state
        .db(move |conn| allowances::set_accommodation(conn, id, factor, &reason, user.id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct NextRequest {
    /// The question just answered (its answer saved with PUT …/responses).
    pub question_id: QuestionId,
}

/// What an adaptive test gives after an answer.
#[derive(Serialize, ToSchema)]
pub struct NextStep {
    pub finished: bool,
    /// The question to answer now, while the test goes on.
    pub question: Option<QuestionView>,
    /// The result once finished, as the person may see it.
    pub result: Option<AttemptResult>,
}

/// Adaptive tests: make the saved answer to `question_id` final and get the
/// next question, chosen for the ability the answers so far show, or the
/// result when the test stops. There is no going back: the answer can no
/// longer change. Sending the same `question_id` again returns the same
/// next question. 422 when the question has no saved answer.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path)), request_body = NextRequest,
    responses((status = 200, body = NextStep), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/attempts/{id}/next")]
pub async fn next(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<AttemptId>,
    body: Json<NextRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let question_id = body.into_inner().question_id;
    let now = state.clock.now();
    let effects = state.effects();
    let step = state
        .db(move |conn| {
            let advanced = super::adaptive::advance(conn, id, user.id, question_id, now, &effects)?;
            let attempt = views::find_for(conn, id, &user)?;
            match advanced {
                super::adaptive::Advanced::Next(q) => Ok(NextStep {
                    finished: false,
                    question: views::question_views(conn, &attempt)?.into_iter().find(|v| v.id == q),
                    result: None,
                }),
                super::adaptive::Advanced::Finished => {
                    let show_score = assessments::find(conn, attempt.assessment_id)?.show_score;
                    Ok(NextStep {
                        finished: true,
                        question: None,
                        result: Some(grading::result(conn, &attempt)?.for_viewer(&user, show_score)),
                    })
                }
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(step))
}

pub fn configure(cfg: &mut ApiRoutes) {
    // Routes are matched in the order they are registered, each dynamic one
    // by a regex: the save, a test day's most frequent request, goes first.
    cfg.service(save)
        .service(start)
        .service(next)
        .service(submit)
        .service(get)
        .service(signal)
        .service(flag)
        .service(mark)
        .service(extend)
        .service(accommodation);
}
