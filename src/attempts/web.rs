//! The candidate's pages for taking a test: start, the test page (one
//! question at a time; `templates/static/test.js` adds autosave, the
//! countdown and flags, but every step also works as a plain form post), the
//! confirm page, submit and the result. Only the person taking the attempt
//! sees these pages; anyone else gets 404, so attempt ids reveal nothing.

mod sheet;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use self::sheet::{form_answer, millis, open_sheet, owned, test_page, TestPage};
use super::grading::{self, AttemptResult};
use super::{flags, saving};
use crate::app::AppState;
use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::db::group::GroupWriter;
use crate::db::{AssessmentId, AttemptId, AttemptStatus, QuestionId};
use crate::error::{AppError, AppResult};
use crate::web::auth::{AuthUser, CandidateUser};
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

#[derive(Deserialize)]
struct Empty {}

#[derive(Template)]
#[template(path = "attempts/refused.html")]
struct RefusedPage {
    chrome: Chrome,
    message: String,
}

/// Starts the test, or resumes the open attempt, from the drive page's form.
async fn start(
    state: web::Data<AppState>,
    writer: web::Data<GroupWriter>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    path: web::Path<AssessmentId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    match super::starting::start_or_resume(&state, &writer, id, user).await {
        Ok((attempt, _)) => Ok(redirect(&format!("/attempts/{}", attempt.id))),
        Err(e @ (AppError::Forbidden(_) | AppError::Conflict { .. })) => {
            let status = if matches!(e, AppError::Forbidden(_)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::CONFLICT
            };
            render_status(
                status,
                &RefusedPage {
                    chrome: ctx.chrome("You cannot start this test"),
                    message: e.public_message(),
                },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct PageQuery {
    q: Option<usize>,
}

async fn take(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    ctx: PageCtx,
    path: web::Path<AttemptId>,
    query: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let Some(sheet) = state.db(move |conn| open_sheet(conn, id, &user, now, &effects)).await? else {
        return Ok(redirect(&format!("/attempts/{id}/result")));
    };
    let number = query
        .q
        .unwrap_or_else(|| sheet.unanswered().first().copied().unwrap_or(1));
    let title = sheet.assessment.title.clone();
    render(&test_page(ctx.chrome(title), &sheet, number, now, None))
}

enum Saved {
    Done(usize),
    Submitted,
    Refused(Box<TestPage>),
}

/// One answer posted from the test page without its script.
struct PostedAnswer {
    question_id: QuestionId,
    /// The question's number on the page, to come back to.
    number: usize,
    /// Where the person asked to go next: `next`, `prev` or `finish`.
    go: String,
    values: Vec<String>,
    sent_seq: i64,
}

impl TryFrom<Vec<(String, String)>> for PostedAnswer {
    type Error = AppError;

    fn try_from(fields: Vec<(String, String)>) -> AppResult<PostedAnswer> {
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
        };
        let question_id = field("question_id")
            .and_then(|v| v.parse::<QuestionId>().ok())
            .ok_or_else(|| AppError::BadRequest("The form names no question; reload the page.".into()))?;
        Ok(PostedAnswer {
            question_id,
            number: field("q").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1),
            go: field("go").unwrap_or_default(),
            sent_seq: field("seq").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0),
            values: fields
                .iter()
                .filter(|(k, _)| k == "answer")
                .map(|(_, v)| v.clone())
                .collect(),
        })
    }
}

/// The page after a saved answer: the question the person asked for.
fn after_save(id: AttemptId, go: &str, number: usize, total: usize) -> String {
    match go {
        "next" => format!("/attempts/{id}?q={}", (number + 1).min(total.max(1))),
        "prev" => format!("/attempts/{id}?q={}", number.saturating_sub(1).max(1)),
        "finish" => format!("/attempts/{id}/confirm"),
        "commit" => format!("/attempts/{id}"),
        _ => format!("/attempts/{id}?q={number}"),
    }
}

/// A posted answer as the save needs it.
struct Posted {
    id: AttemptId,
    question_id: QuestionId,
    number: usize,
    values: Vec<String>,
    seq: i64,
    /// An adaptive test's "answer and continue": final, and on to the next.
    commit: bool,
}

fn save_posted(
    conn: &mut crate::db::DbConn,
    user: &crate::identity::User,
    posted: &Posted,
    now: chrono::NaiveDateTime,
    effects: &crate::events::Effects,
    chrome: Chrome,
) -> AppResult<Saved> {
    let Posted {
        id,
        question_id,
        number,
        ref values,
        seq,
        commit,
    } = *posted;
    let Some(sheet) = open_sheet(conn, id, user, now, effects)? else {
        return Ok(Saved::Submitted);
    };
    let q = sheet
        .questions
        .iter()
        .find(|q| q.id == question_id)
        .ok_or_else(|| AppError::NotFound(format!("Attempt {id} of yours has no question {question_id}.")))?;
    let qtype = q.qtype;
    let given = form_answer(qtype, &values.iter().map(String::as_str).collect::<Vec<_>>());
    let saved = match saving::save_response(conn, id, user.id, question_id, &given, seq, now) {
        // The person just pressed the button, so this answer is
        // their newest intent, whatever another tab sent before.
        Err(AppError::Stale { seq: kept }) => {
            saving::save_response(conn, id, user.id, question_id, &given, kept + 1, now)
        }
        other => other,
    };
    let finished = saved.and_then(|()| match commit {
        true => Ok(super::adaptive::advance(conn, id, user.id, question_id, now, effects)?
            == super::adaptive::Advanced::Finished),
        false => Ok(false),
    });
    match finished {
        Ok(false) => Ok(Saved::Done(sheet.questions.len())),
        Ok(true) | Err(AppError::Conflict { .. }) => Ok(Saved::Submitted),
        Err(e @ AppError::Invalid { .. }) => {
            let chrome = Chrome {
                title: sheet.assessment.title.clone(),
                ..chrome
            };
            Ok(Saved::Refused(Box::new(test_page(
                chrome,
                &sheet,
                number,
                now,
                Some((given, e.public_message())),
            ))))
        }
        Err(e) => Err(e),
    }
}

/// The no-script path: one question's form, saved like the script's PUT, then
/// on to the next, the previous or the confirm page.
async fn answer(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    ctx: PageCtx,
    path: web::Path<AttemptId>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let user_id = user.id;
    let PostedAnswer {
        question_id,
        number,
        go,
        values,
        sent_seq,
    } = PostedAnswer::try_from(fields)?;
    let now = state.clock.now();
    // The server's time at the post, so a page left open a while still wins
    // over what it was rendered with, and orders with the script's saves.
    let seq = sent_seq.max(millis(now));
    let effects = state.effects();
    let chrome = ctx.chrome("");
    let commit = go == "commit";
    let posted = Posted {
        id,
        question_id,
        number,
        values,
        seq,
        commit,
    };
    let outcome = state
        .db(move |conn| save_posted(conn, &user, &posted, now, &effects, chrome))
        .await?;
    if go == "flag" && matches!(outcome, Saved::Done(_)) {
        state
            .db(move |conn| flags::toggle(conn, id, user_id, question_id))
            .await?;
    }
    match outcome {
        Saved::Done(total) => Ok(redirect(&after_save(id, &go, number, total))),
        Saved::Submitted => Ok(redirect(&format!("/attempts/{id}/result"))),
        Saved::Refused(page) => render_status(StatusCode::UNPROCESSABLE_ENTITY, page.as_ref()),
    }
}

#[derive(Template)]
#[template(path = "attempts/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    attempt_id: AttemptId,
    total: usize,
    unanswered: Vec<usize>,
    flagged: Vec<usize>,
}

async fn confirm(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    ctx: PageCtx,
    path: web::Path<AttemptId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let Some(sheet) = state.db(move |conn| open_sheet(conn, id, &user, now, &effects)).await? else {
        return Ok(redirect(&format!("/attempts/{id}/result")));
    };
    render(&ConfirmPage {
        chrome: ctx.chrome(format!("Submit {}", sheet.assessment.title)),
        attempt_id: id,
        total: sheet.questions.len(),
        unanswered: sheet.unanswered(),
        flagged: sheet.flagged_numbers(),
    })
}

/// Grades now; a second submit (or the sweeper first) changes nothing.
async fn submit(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<AttemptId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    state
        .db(move |conn| {
            owned(conn, id, &user)?;
            grading::grade(conn, id, now, &effects)
        })
        .await?;
    Ok(redirect(&format!("/attempts/{id}/result")))
}

pub struct SectionLine {
    pub name: String,
    pub score: String,
    pub percent: String,
}

#[derive(Template)]
#[template(path = "attempts/result.html")]
struct ResultPage {
    chrome: Chrome,
    title: String,
    marking: bool,
    show_score: bool,
    score: String,
    percent: String,
    passed: bool,
    pass_percent: String,
    percentile: Option<String>,
    /// The population a percentile rank waits for.
    percentile_min: i64,
    sections: Vec<SectionLine>,
    /// An adaptive result's scale score, θ with its SE, and how it was reached.
    ability: Option<(i64, String, String)>,
}

fn number_text(x: f64) -> String {
    // Adding zero turns -0 into 0.
    let rounded = (x * 100.0).round() / 100.0 + 0.0;
    format!("{rounded}")
}

impl ResultPage {
    /// Only totals leave the server: never keys, credits or explanations.
    fn new(chrome: Chrome, assessment: &AssessmentRow, result: &AttemptResult) -> ResultPage {
        ResultPage {
            chrome,
            title: assessment.title.clone(),
            marking: result.status != AttemptStatus::Graded,
            show_score: assessment.show_score,
            score: format!(
                "{} of {}",
                number_text(result.score.unwrap_or(0.0)),
                number_text(result.max_score)
            ),
            percent: format!("{:.1}%", result.percent.unwrap_or(0.0)),
            passed: result.passed.unwrap_or(false),
            pass_percent: format!("{}%", number_text(assessment.pass_percent)),
            percentile: result.percentile.map(|p| format!("{p:.0}")),
            percentile_min: super::grading::PERCENTILE_MIN_POPULATION,
            sections: result
                .sections
                .iter()
                .map(|s| SectionLine {
                    name: s.name.clone(),
                    score: format!("{} of {}", number_text(s.score), number_text(s.max_score)),
                    percent: format!("{:.1}%", s.percent),
                })
                .collect(),
            ability: result.ability.as_ref().map(|a| {
                (
                    a.scale_score,
                    format!("{:.2} ± {:.2}", a.theta, a.standard_error),
                    a.how_reached.clone(),
                )
            }),
        }
    }
}

async fn result(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    ctx: PageCtx,
    path: web::Path<AttemptId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let found = state
        .db(move |conn| {
            if open_sheet(conn, id, &user, now, &effects)?.is_some() {
                return Ok(None);
            }
            let attempt = owned(conn, id, &user)?;
            let assessment = assessments::find(conn, attempt.assessment_id)?;
            Ok(Some((grading::result(conn, &attempt)?, assessment)))
        })
        .await?;
    let Some((result, assessment)) = found else {
        return Ok(redirect(&format!("/attempts/{id}")));
    };
    let chrome = ctx.chrome(format!("Your result: {}", assessment.title));
    render(&ResultPage::new(chrome, &assessment, &result))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assessments/{id}/start", web::post().to(start))
        .route("/attempts/{id}", web::get().to(take))
        .route("/attempts/{id}/answer", web::post().to(answer))
        .route("/attempts/{id}/confirm", web::get().to(confirm))
        .route("/attempts/{id}/submit", web::post().to(submit))
        .route("/attempts/{id}/result", web::get().to(result));
}
