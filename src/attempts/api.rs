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

/// The attempt just started or resumed, with the questions to answer.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"attempt_id": 2817, "deadline": "2026-12-09T11:30:00.000Z", "server_now": "2026-12-09T10:30:00.000Z",
    "questions": [{"id": 412, "type": "single_choice", "section": "Insurance basics",
        "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
        "stem_html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
        "points": 1.0, "options": [{"id": 0, "text": "Pure protection", "html": "Pure protection"},
        {"id": 1, "text": "Endowment", "html": "Endowment"}, {"id": 2, "text": "Unit-linked", "html": "Unit-linked"},
        {"id": 3, "text": "Annuity", "html": "Annuity"}]}], "adaptive": false}))]
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
///
/// For a candidate who may take it: an eligible applicant to a drive that
/// uses the test, or a trainee whose cohort has the exam (403 otherwise).
/// Starts an attempt with its own form of questions and a deadline from the
/// time limit (stretched by the person's accommodation), or, when an attempt
/// is already open, gives that one back unchanged so a reload or a second
/// device resumes it. 409 when no attempt is left or the test is not open. `server_now` lets the client count down without
/// trusting its own clock. Answer keys are never included.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path, description = "The assessment's id.")),
    responses((status = 201, body = Started, description = "A new attempt was started; its clock runs from now."),
        (status = 200, body = Started, description = "The open attempt was resumed, with its original deadline."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
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

/// One answer to save.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"answer": 0, "seq": 3}))]
pub struct SaveRequest {
    /// An option id, a list of option ids, a number, a string, a boolean, or null to clear.
    #[schema(value_type = Value, example = 0)]
    pub answer: Value,
    /// Counts up with each save of this question from the client; only a
    /// higher one replaces the stored answer.
    #[schema(example = 3)]
    pub seq: i64,
}

/// Save one answer.
///
/// For the person taking the attempt, while it is open. 204 means the answer
/// is stored on disk and will count. A `seq` lower than or equal to the
/// stored one is not kept: 409 `stale` with the stored `seq`. After the
/// attempt is submitted (or graded by the sweeper at its deadline): 409
/// `already_submitted`. Saving the same answer again is harmless.
#[utoipa::path(tag = "attempts",
    params(("id" = i32, Path, description = "The attempt's id."),
        ("question_id" = i32, Path, description = "The question's id, as in the attempt's `questions`.")),
    request_body = SaveRequest,
    responses((status = 204, description = "The answer is stored and will count."),
        (status = 409, body = ErrorBody, description = "Not kept: `stale` (a newer save is stored) or `already_submitted`."),
        (status = 422, body = ErrorBody)))]
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

/// Submit the attempt and grade it now.
///
/// Only the person taking the test may submit it. Choice, number and short
/// text answers are scored at once; an attempt with essays is
/// `awaiting_marking` until a trainer marks them. A second submit returns the
/// same result. When the assessment hides scores from candidates, the result
/// says only that the answers are in (score, sections and percentile null).
#[utoipa::path(tag = "attempts", params(("id" = i32, Path, description = "The attempt's id.")),
    responses((status = 200, body = AttemptResult, description = "The result, as the caller may see it."),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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

/// An answer as stored, with the `seq` that saved it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"question_id": 412, "answer": 0, "seq": 3}))]
pub struct SavedResponse {
    pub question_id: QuestionId,
    /// As it was sent: an option id, a list of them, a number, a string or a boolean.
    #[schema(value_type = Value)]
    pub answer: Value,
    pub seq: i64,
}

/// An attempt as the person taking it, or staff, see it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"attempt_id": 2817, "status": "graded", "deadline": "2026-12-09T11:30:00.000Z",
    "server_now": "2026-12-09T11:05:00.000Z", "questions": [{"id": 412, "type": "single_choice", "section": "Insurance basics",
        "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
        "stem_html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
        "points": 1.0, "options": [{"id": 0, "text": "Pure protection", "html": "Pure protection"},
        {"id": 1, "text": "Endowment", "html": "Endowment"}, {"id": 2, "text": "Unit-linked", "html": "Unit-linked"},
        {"id": 3, "text": "Annuity", "html": "Annuity"}]}],
    "responses": [{"question_id": 412, "answer": 0, "seq": 3}], "result": {"attempt_id": 2817, "status": "graded", "score": 34.0, "max_score": 40.0, "percent": 85.0, "passed": true,
        "percentile": 78.5, "sections": [{"name": "Insurance basics", "score": 18.0, "max_score": 20.0, "percent": 90.0},
        {"name": "Verbal ability", "score": 16.0, "max_score": 20.0, "percent": 80.0}],
        "graded_at": "2026-12-09T11:02:14.000Z", "ability": null},
    "focus_losses": 1, "leaves": [{"left_at": "2026-12-09T10:41:07.000Z", "returned_at": "2026-12-09T10:41:49.000Z", "seconds_away": 42}],
    "pastes": 0, "adaptive": false, "flagged": []}))]
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

/// Read an attempt.
///
/// For the person taking it and for staff. Gives its status, deadline,
/// questions, saved answers, flagged questions, the times the person left
/// the test page and pasted text, and, once graded, the result (as the
/// caller may see it). A client that lost its place reloads from here.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path, description = "The attempt's id.")),
    responses((status = 200, body = AttemptView, description = "The attempt, with its saved answers and any result."),
        (status = 404, body = ErrorBody)))]
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

/// Something the test page noticed.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"kind": "focus_loss"}))]
pub struct SignalRequest {
    /// focus_loss (the person left the test page), returned (they came back) or paste
    pub kind: Word,
}

/// Report leaving the test page, coming back to it, or a paste.
///
/// Sent by the test page of the person taking the attempt. Each leave is
/// kept with how long the person was away, and staff see them on the
/// attempt and in reports; nothing is scored on them.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path, description = "The attempt's id.")), request_body = SignalRequest,
    responses((status = 204, description = "Recorded."), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
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

/// Flag or unflag a question.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"flagged": true}))]
pub struct FlagRequest {
    /// true to flag the question for review, false to clear the flag
    pub flagged: bool,
}

/// Flag a question for review, or clear the flag.
///
/// For the person taking the attempt, while it is open. The review page
/// before submitting lists the flagged questions; flags do not change the
/// score.
#[utoipa::path(tag = "attempts",
    params(("id" = i32, Path, description = "The attempt's id."), ("question_id" = i32, Path, description = "The question's id.")),
    request_body = FlagRequest,
    responses((status = 204, description = "The flag is set or cleared."), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
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

/// A trainer's mark for one essay.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"score": 7.5}))]
pub struct MarkRequest {
    /// Points given, from 0 to the question's points.
    pub score: f64,
}

/// Mark one essay answer.
///
/// For trainers and administrators, on an attempt awaiting marking (409
/// otherwise). When the last essay is marked the attempt is graded and the
/// person is told their result.
#[utoipa::path(tag = "attempts",
    params(("id" = i32, Path, description = "The attempt's id."), ("question_id" = i32, Path, description = "The essay question's id.")),
    request_body = MarkRequest,
    responses((status = 204, description = "The mark is stored."), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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

/// Extra time for one attempt.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"minutes": 10, "reason": "Power cut at the Pune test centre for ten minutes"}))]
pub struct ExtendRequest {
    /// Minutes to add to the deadline, 1 to 600.
    pub minutes: i64,
    /// Why; kept in the audit log.
    pub reason: Note,
}

/// The attempt's new deadline.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"deadline": "2026-12-09T11:40:00.000Z"}))]
pub struct Extended {
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub deadline: String,
}

/// Give one open attempt more time.
///
/// For staff (recruiters, trainers, administrators), while the attempt is
/// open. The deadline moves by the minutes given; the reason is kept in the
/// audit log.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path, description = "The attempt's id.")), request_body = ExtendRequest,
    responses((status = 200, body = Extended, description = "The attempt's new deadline."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    Ok(HttpResponse::Ok().json(Extended {
        deadline: crate::clock::rfc3339::format(&deadline),
    }))
}

/// A person's accommodation.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"factor": 1.25, "reason": "Extra time on a disability certificate from the district hospital"}))]
pub struct AccommodationRequest {
    /// Multiplies every time limit, from 1.0 to 3.0, for example 1.25.
    pub factor: f64,
    /// Why; kept in the audit log.
    pub reason: Note,
}

/// Set a person's accommodation factor.
///
/// For staff (recruiters, trainers, administrators). Every time limit of the
/// person's later attempts is multiplied by the factor; attempts already
/// open keep their deadline (extend them one by one). The reason is kept in
/// the audit log.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path, description = "The person's user id.")),
    request_body = AccommodationRequest,
    responses((status = 204, description = "The factor is set."), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
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

/// The adaptive question just answered.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"question_id": 412}))]
pub struct NextRequest {
    /// The question just answered (its answer saved with PUT …/responses).
    pub question_id: QuestionId,
}

/// What an adaptive test gives after an answer.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"finished": false, "question": {"id": 412, "type": "single_choice", "section": "Insurance basics",
        "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
        "stem_html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
        "points": 1.0, "options": [{"id": 0, "text": "Pure protection", "html": "Pure protection"},
        {"id": 1, "text": "Endowment", "html": "Endowment"}, {"id": 2, "text": "Unit-linked", "html": "Unit-linked"},
        {"id": 3, "text": "Annuity", "html": "Annuity"}]}, "result": null}))]
pub struct NextStep {
    pub finished: bool,
    /// The question to answer now, while the test goes on.
    pub question: Option<QuestionView>,
    /// The result once finished, as the person may see it.
    pub result: Option<AttemptResult>,
}

/// Adaptive tests: make an answer final and get the next question.
///
/// For the person taking an adaptive attempt. Makes the saved answer to
/// `question_id` final and gives the next question, chosen for the ability
/// the answers so far show, or the result when the test stops. There is no
/// going back: the answer can no longer change. Sending the same
/// `question_id` again returns the same next question. 422 when the question
/// has no saved answer.
#[utoipa::path(tag = "attempts", params(("id" = i32, Path, description = "The attempt's id.")), request_body = NextRequest,
    responses((status = 200, body = NextStep, description = "The next question, or `finished` with the result."),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
