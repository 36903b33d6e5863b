//! The candidate's pages for taking a test: start, the test page (one
//! question at a time; `templates/static/test.js` adds autosave, the
//! countdown and flags, but every step also works as a plain form post), the
//! confirm page, submit and the result. Only the person taking the attempt
//! sees these pages; anyone else gets 404, so attempt ids reveal nothing.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;
use serde_json::Value;

use super::grade::{self, AttemptResult};
use super::grading::Answer;
use super::models::{AttemptRow, AttemptStatus};
use super::service::{self, QuestionView};
use crate::accounts::models::User;
use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::banks::model::QuestionType;
use crate::db::{AssessmentId, AttemptId, DbConn, QuestionId};
use crate::error::{AppError, AppResult};
use crate::notices::MailContext;
use crate::web::auth::{AuthUser, CandidateUser};
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::AppState;

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
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    path: web::Path<AssessmentId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    match state.db(move |conn| service::start_or_resume(conn, id, &user, now)).await {
        Ok((attempt, _)) => Ok(redirect(&format!("/attempts/{}", attempt.id))),
        Err(e @ (AppError::Forbidden(_) | AppError::Conflict { .. })) => {
            let status = if matches!(e, AppError::Forbidden(_)) { StatusCode::FORBIDDEN } else { StatusCode::CONFLICT };
            render_status(status, &RefusedPage { chrome: ctx.chrome("You cannot start this test"), message: e.public_message() })
        }
        Err(e) => Err(e),
    }
}

/// The attempt, if `user` is the person taking it.
fn owned(conn: &mut DbConn, id: AttemptId, user: &User) -> AppResult<AttemptRow> {
    match service::find_for(conn, id, user)? {
        attempt if attempt.user_id == user.id => Ok(attempt),
        _ => Err(AppError::NotFound(format!("There is no attempt {id} of yours."))),
    }
}

/// Everything the test and confirm pages show, read in one go.
struct Sheet {
    attempt: AttemptRow,
    assessment: AssessmentRow,
    questions: Vec<QuestionView>,
    saved: HashMap<QuestionId, (Value, i64)>,
}

impl Sheet {
    /// The answer as given, if there is one worth counting as answered.
    fn answer(&self, q: &QuestionView) -> Option<Answer> {
        let (value, _) = self.saved.get(&q.id)?;
        let qtype = QuestionType::parse(&q.qtype)?;
        Answer::parse(qtype, value, q.options.len()).ok().flatten().filter(|a| !a.is_blank())
    }

    fn unanswered(&self) -> Vec<usize> {
        self.questions
            .iter()
            .enumerate()
            .filter(|(_, q)| self.answer(q).is_none())
            .map(|(i, _)| i + 1)
            .collect()
    }
}

/// Loads an open attempt of `user`'s; `None` once it is submitted, after
/// grading it if its time and grace ran out before the sweeper came by.
fn open_sheet(conn: &mut DbConn, id: AttemptId, user: &User, now: NaiveDateTime, mail: &MailContext) -> AppResult<Option<Sheet>> {
    let attempt = owned(conn, id, user)?;
    if attempt.status() != AttemptStatus::Open {
        return Ok(None);
    }
    let assessment = assessments::find(conn, attempt.assessment_id)?;
    if now > attempt.deadline + Duration::seconds(i64::from(assessment.grace_seconds)) {
        grade::grade(conn, id, now, mail)?;
        return Ok(None);
    }
    let questions = service::question_views(conn, id)?;
    let saved = service::saved_answers(conn, id)?.into_iter().map(|(q, a, s)| (q, (a, s))).collect();
    Ok(Some(Sheet { attempt, assessment, questions, saved }))
}

fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// "29:58", or "1:04:05" for an hour or more: the same as test.js shows.
fn clock_text(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

fn points_text(points: f64) -> String {
    if points == 1.0 {
        "1 point".into()
    } else {
        format!("{points} points")
    }
}

pub struct NavItem {
    pub number: usize,
    pub question_id: QuestionId,
    pub answered: bool,
    pub current: bool,
    pub seq: i64,
}

pub struct NavSection {
    pub name: String,
    pub items: Vec<NavItem>,
}

pub struct Choice {
    pub id: usize,
    pub value: String,
    pub text: String,
    pub checked: bool,
}

/// The question on show, with its saved answer filled in.
pub struct Current {
    pub number: usize,
    pub question_id: QuestionId,
    pub qtype: String,
    /// radio, checkbox, number, text or textarea
    pub input: &'static str,
    pub section: String,
    pub stem: String,
    pub points: String,
    pub choices: Vec<Choice>,
    pub text: String,
    pub seq: i64,
}

#[derive(Template)]
#[template(path = "attempts/take.html")]
struct TestPage {
    chrome: Chrome,
    attempt_id: AttemptId,
    title: String,
    deadline_ms: i64,
    server_now_ms: i64,
    time_left: String,
    ends_at: String,
    total: usize,
    answered: usize,
    sections: Vec<NavSection>,
    current: Current,
    error: Option<String>,
}

/// Builds the page for question `number` (1-based); `typed` replaces the
/// saved answer when a refused form comes back as the person left it.
fn test_page(chrome: Chrome, sheet: &Sheet, number: usize, now: NaiveDateTime, typed: Option<(Value, String)>) -> TestPage {
    let total = sheet.questions.len();
    let number = number.clamp(1, total.max(1));
    let mut sections: Vec<NavSection> = Vec::new();
    for (i, q) in sheet.questions.iter().enumerate() {
        let item = NavItem {
            number: i + 1,
            question_id: q.id,
            answered: sheet.answer(q).is_some(),
            current: i + 1 == number,
            seq: sheet.saved.get(&q.id).map_or(0, |(_, s)| *s),
        };
        match sections.last_mut() {
            Some(s) if s.name == q.section => s.items.push(item),
            _ => sections.push(NavSection { name: q.section.clone(), items: vec![item] }),
        }
    }
    let answered = sections.iter().flat_map(|s| &s.items).filter(|i| i.answered).count();
    let (error, typed) = typed.map_or((None, None), |(v, e)| (Some(e), Some(v)));
    let current = sheet.questions.get(number - 1).map(|q| current(sheet, q, number, typed.as_ref()));
    TestPage {
        chrome,
        attempt_id: sheet.attempt.id,
        title: sheet.assessment.title.clone(),
        deadline_ms: millis(sheet.attempt.deadline),
        server_now_ms: millis(now),
        // Rounded up, as the script does: "10:00" at the start, "00:00" only at the end.
        time_left: clock_text(((sheet.attempt.deadline - now).num_milliseconds() + 999).div_euclid(1000)),
        ends_at: sheet.attempt.deadline.format("%H:%M UTC").to_string(),
        total,
        answered,
        sections,
        current: current.unwrap_or_else(|| Current {
            number: 0,
            question_id: QuestionId(0),
            qtype: String::new(),
            input: "",
            section: String::new(),
            stem: "This test has no questions.".into(),
            points: String::new(),
            choices: vec![],
            text: String::new(),
            seq: 0,
        }),
        error,
    }
}

fn current(sheet: &Sheet, q: &QuestionView, number: usize, typed: Option<&Value>) -> Current {
    let qtype = QuestionType::parse(&q.qtype).unwrap_or(QuestionType::Essay);
    let given = match typed {
        Some(v) => Answer::parse(qtype, v, q.options.len()).ok().flatten(),
        None => sheet.answer(q),
    };
    let checked = |id: usize| match &given {
        Some(Answer::Option(o)) => *o == id,
        Some(Answer::Options(os)) => os.contains(&id),
        Some(Answer::Bool(b)) => *b == (id == 0),
        _ => false,
    };
    let text = match (&given, typed) {
        (Some(Answer::Number(n)), _) => n.to_string(),
        (Some(Answer::Text(t)), _) => t.clone(),
        (None, Some(Value::String(raw))) => raw.clone(),
        _ => String::new(),
    };
    let input = match qtype {
        QuestionType::SingleChoice | QuestionType::TrueFalse => "radio",
        QuestionType::MultipleResponse => "checkbox",
        QuestionType::Numeric => "number",
        QuestionType::ShortText => "text",
        QuestionType::Essay => "textarea",
    };
    let choices = q
        .options
        .iter()
        .map(|o| Choice {
            id: o.id,
            // True/false answers travel as booleans: True is displayed first.
            value: if qtype == QuestionType::TrueFalse { (o.id == 0).to_string() } else { o.id.to_string() },
            text: o.text.clone(),
            checked: checked(o.id),
        })
        .collect();
    Current {
        number,
        question_id: q.id,
        qtype: q.qtype.clone(),
        input,
        section: q.section.clone(),
        stem: q.stem.clone(),
        points: points_text(q.points),
        choices,
        text,
        seq: sheet.saved.get(&q.id).map_or(0, |(_, s)| *s),
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
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let Some(sheet) = state.db(move |conn| open_sheet(conn, id, &user, now, &mail)).await? else {
        return Ok(redirect(&format!("/attempts/{id}/result")));
    };
    let number = query.q.unwrap_or_else(|| sheet.unanswered().first().copied().unwrap_or(1));
    let title = sheet.assessment.title.clone();
    render(&test_page(ctx.chrome(title), &sheet, number, now, None))
}

/// A form answer as the API's JSON: an option id, a list of them, a boolean,
/// a number or a string, and null for nothing given. What cannot be read
/// goes through as given, so the save refuses it with the API's sentence.
fn form_answer(qtype: QuestionType, values: &[&str]) -> Value {
    let given: Vec<&str> = values.iter().copied().filter(|v| !v.trim().is_empty()).collect();
    let option = |v: &str| v.trim().parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::from(v));
    match (qtype, given.first()) {
        (_, None) => Value::Null,
        (QuestionType::MultipleResponse, _) => Value::Array(given.iter().map(|v| option(v)).collect()),
        (QuestionType::SingleChoice, Some(v)) => option(v),
        (QuestionType::TrueFalse, Some(v)) => match v.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::from(other),
        },
        (QuestionType::Numeric, Some(v)) => v
            .trim()
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::from(*v), Value::Number),
        (QuestionType::ShortText | QuestionType::Essay, Some(v)) => Value::from(*v),
    }
}

enum Saved {
    Done(usize),
    Submitted,
    Refused(Box<TestPage>),
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
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let question_id = field("question_id")
        .and_then(|v| v.parse::<QuestionId>().ok())
        .ok_or_else(|| AppError::BadRequest("The form names no question; reload the page.".into()))?;
    let number = field("q").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1);
    let go = field("go").unwrap_or_default();
    let values: Vec<String> = fields.iter().filter(|(k, _)| k == "answer").map(|(_, v)| v.clone()).collect();
    let now = state.clock.now();
    // The server's time at the post, so a page left open a while still wins
    // over what it was rendered with, and orders with the script's saves.
    let seq = field("seq").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0).max(millis(now));
    let mail = MailContext::from(state.config.as_ref());
    let chrome = ctx.chrome("");
    let outcome = state
        .db(move |conn| {
            let Some(sheet) = open_sheet(conn, id, &user, now, &mail)? else {
                return Ok(Saved::Submitted);
            };
            let q = sheet
                .questions
                .iter()
                .find(|q| q.id == question_id)
                .ok_or_else(|| AppError::NotFound(format!("Attempt {id} of yours has no question {question_id}.")))?;
            let qtype = QuestionType::parse(&q.qtype).unwrap_or(QuestionType::Essay);
            let given = form_answer(qtype, &values.iter().map(String::as_str).collect::<Vec<_>>());
            match service::save_response(conn, id, user.id, question_id, &given, seq, now) {
                Ok(()) => Ok(Saved::Done(sheet.questions.len())),
                Err(AppError::Conflict { .. }) => Ok(Saved::Submitted),
                Err(e @ AppError::Invalid { .. }) => {
                    let chrome = Chrome { title: sheet.assessment.title.clone(), ..chrome };
                    Ok(Saved::Refused(Box::new(test_page(chrome, &sheet, number, now, Some((given, e.public_message()))))))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Saved::Done(total) => Ok(redirect(&match go.as_str() {
            "next" => format!("/attempts/{id}?q={}", (number + 1).min(total.max(1))),
            "prev" => format!("/attempts/{id}?q={}", number.saturating_sub(1).max(1)),
            "finish" => format!("/attempts/{id}/confirm"),
            _ => format!("/attempts/{id}?q={number}"),
        })),
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
}

async fn confirm(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    ctx: PageCtx,
    path: web::Path<AttemptId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let Some(sheet) = state.db(move |conn| open_sheet(conn, id, &user, now, &mail)).await? else {
        return Ok(redirect(&format!("/attempts/{id}/result")));
    };
    render(&ConfirmPage {
        chrome: ctx.chrome(format!("Submit {}", sheet.assessment.title)),
        attempt_id: id,
        total: sheet.questions.len(),
        unanswered: sheet.unanswered(),
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
    let mail = MailContext::from(state.config.as_ref());
    state
        .db(move |conn| {
            owned(conn, id, &user)?;
            grade::grade(conn, id, now, &mail)
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
    sections: Vec<SectionLine>,
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
            score: format!("{} of {}", number_text(result.score.unwrap_or(0.0)), number_text(result.max_score)),
            percent: format!("{:.1}%", result.percent.unwrap_or(0.0)),
            passed: result.passed.unwrap_or(false),
            pass_percent: format!("{}%", number_text(assessment.pass_percent)),
            percentile: result.percentile.map(|p| format!("{p:.0}")),
            sections: result
                .sections
                .iter()
                .map(|s| SectionLine {
                    name: s.name.clone(),
                    score: format!("{} of {}", number_text(s.score), number_text(s.max_score)),
                    percent: format!("{:.1}%", s.percent),
                })
                .collect(),
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
    let mail = MailContext::from(state.config.as_ref());
    let found = state
        .db(move |conn| {
            if open_sheet(conn, id, &user, now, &mail)?.is_some() {
                return Ok(None);
            }
            let attempt = owned(conn, id, &user)?;
            let assessment = assessments::find(conn, attempt.assessment_id)?;
            Ok(Some((grade::result(conn, &attempt)?, assessment)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_fields_become_the_apis_answers() {
        assert_eq!(form_answer(QuestionType::SingleChoice, &["2"]), json!(2));
        assert_eq!(form_answer(QuestionType::MultipleResponse, &["0", "3"]), json!([0, 3]));
        assert_eq!(form_answer(QuestionType::MultipleResponse, &[]), Value::Null);
        assert_eq!(form_answer(QuestionType::TrueFalse, &["false"]), json!(false));
        assert_eq!(form_answer(QuestionType::Numeric, &[" 1,250.5 "]), json!(1250.5));
        assert_eq!(form_answer(QuestionType::Numeric, &["abc"]), json!("abc"));
        assert_eq!(form_answer(QuestionType::ShortText, &["   "]), Value::Null);
        assert_eq!(form_answer(QuestionType::Essay, &["Line one\nline two"]), json!("Line one\nline two"));
    }

    #[test]
    fn the_clock_reads_like_the_scripts() {
        assert_eq!(clock_text(29 * 60 + 58), "29:58");
        assert_eq!(clock_text(3600 + 4 * 60 + 5), "1:04:05");
        assert_eq!(clock_text(-3), "00:00");
    }
}
