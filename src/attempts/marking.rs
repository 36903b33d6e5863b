//! Marking essays by hand: the queue of attempts waiting for a trainer, the
//! marking sheet of one attempt, and the counts by status that staff pages
//! show. The queries come first; the pages call them and hold no SQL.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::grading;
use super::models::AttemptRow;
use super::views::{items_with_bodies, saved_answers};
use crate::app::AppState;
use crate::banks::question::QuestionType;
use crate::db::schema::{assessments, attempts, users};
use crate::db::{AssessmentId, AttemptId, AttemptStatus, DbConn, QuestionId, UserId};
use crate::error::{AppError, AppResult};
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, Pager, PAGE_SIZE};

/// One attempt in the marking queue.
pub struct Waiting {
    pub attempt_id: AttemptId,
    pub assessment_id: AssessmentId,
    pub assessment: String,
    pub person: String,
    pub submitted_at: Option<NaiveDateTime>,
}

/// Attempts whose essays wait for a trainer, oldest first, after `after`.
pub fn awaiting(conn: &mut DbConn, after: Option<AttemptId>, limit: i64) -> AppResult<Vec<Waiting>> {
    let mut query = attempts::table
        .inner_join(assessments::table)
        .inner_join(users::table)
        .filter(attempts::status.eq(AttemptStatus::AwaitingMarking.as_str()))
        .select((
            attempts::id,
            attempts::assessment_id,
            assessments::title,
            users::full_name,
            attempts::submitted_at,
        ))
        .order(attempts::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(attempts::id.gt(after));
    }
    let rows: Vec<(AttemptId, AssessmentId, String, String, Option<NaiveDateTime>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(attempt_id, assessment_id, assessment, person, submitted_at)| Waiting {
                attempt_id,
                assessment_id,
                assessment,
                person,
                submitted_at,
            },
        )
        .collect())
}

/// One essay of an attempt, as the marker reads it.
pub struct Essay {
    pub question_id: QuestionId,
    /// The essay's question as sanitised HTML.
    pub stem_html: String,
    /// What the person wrote; `None` when they left it blank.
    pub answer: Option<String>,
    pub points: f64,
    pub score: Option<f64>,
}

/// Everything the marking page shows about one attempt.
pub struct Sheet {
    pub attempt: AttemptRow,
    pub assessment: String,
    pub person: String,
    pub essays: Vec<Essay>,
}

impl Sheet {
    pub fn marked(&self) -> usize {
        self.essays.iter().filter(|e| e.score.is_some()).count()
    }
}

fn answer_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    (!text.trim().is_empty()).then_some(text)
}

pub fn sheet(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Sheet> {
    let attempt: AttemptRow = attempts::table
        .find(attempt_id)
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no attempt {attempt_id}.")))?;
    let assessment = crate::assessments::service::find(conn, attempt.assessment_id)?.title;
    let person = crate::accounts::service::find_user(conn, attempt.user_id)?.full_name;
    let answers: HashMap<QuestionId, Value> = saved_answers(conn, attempt_id)?
        .into_iter()
        .map(|(q, a, _)| (q, a))
        .collect();
    let essays = items_with_bodies(conn, attempt_id)?
        .into_iter()
        .filter(|(item, _, _)| item.qtype == QuestionType::Essay)
        .map(|(item, rendered, _)| Essay {
            question_id: item.question_id,
            stem_html: rendered.stem.html,
            answer: answers.get(&item.question_id).and_then(answer_text),
            points: item.points,
            score: item.score,
        })
        .collect();
    Ok(Sheet {
        attempt,
        assessment,
        person,
        essays,
    })
}

/// A person's attempts at one assessment, newest first.
pub fn attempts_of(conn: &mut DbConn, assessment_id: AssessmentId, user_id: UserId) -> AppResult<Vec<AttemptRow>> {
    Ok(attempts::table
        .filter(attempts::assessment_id.eq(assessment_id))
        .filter(attempts::user_id.eq(user_id))
        .select(AttemptRow::as_select())
        .order(attempts::id.desc())
        .load(conn)?)
}

#[derive(Template)]
#[template(path = "marking/queue.html")]
struct QueuePage {
    chrome: Chrome,
    waiting: Vec<Waiting>,
    pager: Pager,
    first_page: bool,
}

#[derive(Deserialize)]
struct QueueQuery {
    after: Option<i32>,
}

async fn queue(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    query: Query<QueueQuery>,
) -> AppResult<HttpResponse> {
    let after = query.after.map(AttemptId);
    let waiting = state
        .db(move |conn| awaiting(conn, after, paging::fetch(PAGE_SIZE)))
        .await?;
    let Page { rows: waiting, next } = Page::cut(waiting, PAGE_SIZE, |w| w.attempt_id);
    render(&QueuePage {
        chrome: ctx.chrome("Marking"),
        waiting,
        pager: Pager::next("/marking", "", "after", next, "More attempts").with_first(
            after.is_none(),
            "/marking",
            "Back to the oldest",
        ),
        first_page: after.is_none(),
    })
}

/// A mark that was refused, shown beside the essay it was for.
struct Refused {
    question_id: QuestionId,
    typed: String,
    message: String,
}

#[derive(Template)]
#[template(path = "marking/sheet.html")]
struct SheetPage {
    chrome: Chrome,
    sheet: Sheet,
    saved: bool,
    notice: Option<String>,
    refused: Option<Refused>,
}

impl SheetPage {
    fn graded(&self) -> bool {
        self.sheet.attempt.status == AttemptStatus::Graded
    }

    fn awaiting(&self) -> bool {
        self.sheet.attempt.status == AttemptStatus::AwaitingMarking
    }

    fn error_for(&self, question_id: &QuestionId) -> Option<&str> {
        self.refused
            .as_ref()
            .filter(|r| r.question_id == *question_id)
            .map(|r| r.message.as_str())
    }

    /// The value the mark field shows: what was just typed when it was
    /// refused, else the stored mark.
    fn typed(&self, essay: &Essay) -> String {
        match &self.refused {
            Some(r) if r.question_id == essay.question_id => r.typed.clone(),
            _ => essay.score.map(|s| s.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
struct SheetQuery {
    saved: Option<String>,
}

async fn sheet_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<AttemptId>,
    query: Query<SheetQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let sheet = state.db(move |conn| sheet(conn, id)).await?;
    render(&SheetPage {
        chrome: ctx.chrome(format!("Mark attempt {id}")),
        sheet,
        saved: query.saved.is_some(),
        notice: None,
        refused: None,
    })
}

#[derive(Deserialize)]
struct MarkForm {
    score: String,
}

async fn mark(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<(AttemptId, QuestionId)>,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> AppResult<HttpResponse> {
    let (id, question_id) = path.into_inner();
    let now = state.clock.now();
    let effects = state.effects();
    let typed = form.score.trim().to_string();
    let outcome = match typed.parse::<f64>() {
        Ok(score) if score.is_finite() => {
            state
                .db(move |conn| grading::mark_essay(conn, id, question_id, score, user.id, now, &effects))
                .await
        }
        _ => Err(AppError::invalid_field(
            "score",
            "Enter the mark as a number, such as 1.5.",
        )),
    };
    let (status, notice, refused) = match outcome {
        Ok(()) => return Ok(redirect(&format!("/marking/{id}?saved=1"))),
        Err(e @ AppError::Invalid { .. }) => {
            let message = e
                .details()
                .first()
                .map_or_else(|| e.public_message(), |d| d.message.clone());
            let refused = Refused {
                question_id,
                typed,
                message,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, None, Some(refused))
        }
        Err(e @ AppError::Conflict { .. }) => (StatusCode::CONFLICT, Some(e.public_message()), None),
        Err(e) => return Err(e),
    };
    let sheet = state.db(move |conn| sheet(conn, id)).await?;
    render_status(
        status,
        &SheetPage {
            chrome: ctx.chrome(format!("Mark attempt {id}")),
            sheet,
            saved: false,
            notice,
            refused,
        },
    )
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/marking", web::get().to(queue))
        .route("/marking/{attempt}", web::get().to(sheet_page))
        .route("/marking/{attempt}/{question}", web::post().to(mark));
}
