//! The question editor: a form for every question type with a preview of
//! the question as a candidate sees it. Saving an edit makes a new version,
//! as an import does (`super::editing`).

pub mod form;
pub mod preview;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use self::form::EditorForm;
use self::preview::Preview;
use super::editing;
use super::models::Bank;
use super::question::{Difficulty, QuestionType, TextFormat};
use super::service;
use crate::app::AppState;
use crate::db::{BankId, QuestionId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::web::auth::TrainerUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

/// The preview pane: the question as a candidate sees it, or why it cannot
/// be shown yet.
#[derive(Template)]
#[template(path = "banks/_preview.html")]
struct PreviewPane {
    preview: Option<Preview>,
    problems: Vec<ErrorDetail>,
}

#[derive(Template)]
#[template(path = "banks/editor.html")]
struct EditorPage {
    chrome: Chrome,
    bank: Bank,
    /// None for a new question.
    question_id: Option<QuestionId>,
    form: EditorForm,
    problems: Vec<ErrorDetail>,
    preview: Option<Preview>,
    types: [QuestionType; 6],
    difficulties: [Difficulty; 3],
    formats: [TextFormat; 4],
}

impl EditorPage {
    /// The message for a field, to show beside it.
    fn error(&self, field: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message.as_str())
    }

    /// The message for a field of a numbered row (`option_credit_2`).
    fn error_at(&self, prefix: &str, row: impl std::fmt::Display) -> Option<&str> {
        self.error(&format!("{prefix}_{row}"))
    }

    fn action(&self) -> String {
        match self.question_id {
            Some(id) => format!("/banks/{}/questions/{id}/editor", self.bank.id),
            None => format!("/banks/{}/questions/new", self.bank.id),
        }
    }

    fn back(&self) -> String {
        match self.question_id {
            Some(id) => format!("/banks/{}/questions/{id}", self.bank.id),
            None => format!("/banks/{}", self.bank.id),
        }
    }
}

fn type_name(t: &QuestionType) -> &'static str {
    match t {
        QuestionType::SingleChoice => "One right option",
        QuestionType::MultipleResponse => "Several right options",
        QuestionType::TrueFalse => "True or false",
        QuestionType::Numeric => "A number",
        QuestionType::ShortText => "A short typed answer",
        QuestionType::Essay => "An essay, marked by a person",
    }
}

fn format_name(f: &TextFormat) -> &'static str {
    match f {
        TextFormat::Markdown => "Markdown",
        TextFormat::Html => "HTML",
        TextFormat::Plain => "Plain text",
        TextFormat::Moodle => "Moodle auto-format",
    }
}

impl EditorPage {
    fn new(chrome: Chrome, bank: Bank, question_id: Option<QuestionId>, form: EditorForm) -> EditorPage {
        EditorPage {
            chrome,
            bank,
            question_id,
            form,
            problems: vec![],
            preview: None,
            types: QuestionType::ALL,
            difficulties: Difficulty::ALL,
            formats: [
                TextFormat::Markdown,
                TextFormat::Html,
                TextFormat::Plain,
                TextFormat::Moodle,
            ],
        }
    }

    fn type_name(&self, t: &QuestionType) -> &'static str {
        type_name(t)
    }

    fn format_name(&self, f: &TextFormat) -> &'static str {
        format_name(f)
    }
}

#[derive(Deserialize)]
struct NewQuery {
    #[serde(rename = "type")]
    qtype: Option<String>,
}

async fn new_form(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<BankId>,
    query: Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let bank_id = path.into_inner();
    let bank = state.db(move |conn| service::find_bank(conn, bank_id)).await?;
    let qtype = query
        .qtype
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(QuestionType::SingleChoice);
    let form = EditorForm::new(qtype, bank.category.as_deref());
    render(&EditorPage::new(ctx.chrome("New question"), bank, None, form))
}

async fn edit_form(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<(BankId, QuestionId)>,
) -> AppResult<HttpResponse> {
    let (bank_id, id) = path.into_inner();
    let (bank, history) = state
        .db(move |conn| Ok((service::find_bank(conn, bank_id)?, editing::history(conn, bank_id, id)?)))
        .await?;
    let current = history
        .current()
        .ok_or_else(|| AppError::Internal("question without a current version".into()))?
        .to_parsed(&history.question)?;
    let form = EditorForm::of(&current);
    let mut page = EditorPage::new(ctx.chrome(format!("Edit question {id}")), bank, Some(id), form);
    page.preview = Some(Preview::of(&current));
    render(&page)
}

/// The posted editor: fields, and which button was pressed.
fn read_posted(pairs: &[(String, String)]) -> (EditorForm, bool) {
    let preview_only = pairs.iter().any(|(k, v)| k == "action" && v == "preview");
    (EditorForm::from_pairs(pairs), preview_only)
}

async fn save_new(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<BankId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let bank_id = path.into_inner();
    let (form, preview_only) = read_posted(&pairs);
    let now = state.clock.now();
    let outcome: Result<(), Vec<ErrorDetail>> = match form.to_question(None) {
        Err(problems) => Err(problems.0),
        Ok(q) if preview_only => return again(&state, ctx, bank_id, None, form, Some(Preview::of(&q)), vec![]).await,
        Ok(q) => {
            let saved = state
                .db(move |conn| editing::create(conn, bank_id, &q, user.id, now))
                .await;
            match saved {
                Ok(id) => return Ok(redirect(&format!("/banks/{bank_id}/questions/{id}?saved=1"))),
                Err(e @ AppError::Invalid { .. }) => Err(e.details().to_vec()),
                Err(e) => return Err(e),
            }
        }
    };
    let problems = outcome.err().unwrap_or_default();
    again(&state, ctx, bank_id, None, form, None, problems).await
}

async fn save_edit(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<(BankId, QuestionId)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (bank_id, id) = path.into_inner();
    let (form, preview_only) = read_posted(&pairs);
    let now = state.clock.now();
    let history = state.db(move |conn| editing::history(conn, bank_id, id)).await?;
    let kept = history
        .current()
        .ok_or_else(|| AppError::Internal("question without a current version".into()))?
        .to_parsed(&history.question)?;
    let problems = match form.to_question(Some(&kept)) {
        Err(problems) => problems.0,
        Ok(q) if preview_only => {
            return again(&state, ctx, bank_id, Some(id), form, Some(Preview::of(&q)), vec![]).await;
        }
        Ok(q) => {
            let saved = state
                .db(move |conn| editing::save_edit(conn, bank_id, id, &q, user.id, now))
                .await;
            match saved {
                Ok(made) => {
                    let flag = if made { 1 } else { 0 };
                    return Ok(redirect(&format!("/banks/{bank_id}/questions/{id}?saved={flag}")));
                }
                Err(e @ AppError::Invalid { .. }) => e.details().to_vec(),
                Err(e) => return Err(e),
            }
        }
    };
    again(&state, ctx, bank_id, Some(id), form, None, problems).await
}

/// The editor again, as the trainer left it: with the preview they asked
/// for, or with each problem beside its field (422).
async fn again(
    state: &AppState,
    ctx: PageCtx,
    bank_id: BankId,
    question_id: Option<QuestionId>,
    form: EditorForm,
    preview: Option<Preview>,
    problems: Vec<ErrorDetail>,
) -> AppResult<HttpResponse> {
    let bank = state.db(move |conn| service::find_bank(conn, bank_id)).await?;
    let title = match question_id {
        Some(id) => format!("Edit question {id}"),
        None => "New question".to_owned(),
    };
    let mut page = EditorPage::new(ctx.chrome(title), bank, question_id, form);
    page.preview = preview;
    if problems.is_empty() {
        return render(&page);
    }
    page.problems = problems;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The preview pane alone, for the editor's script: the same fields the
/// form posts, answered with the pane's HTML.
async fn preview(_t: TrainerUser, CsrfForm(pairs): CsrfForm<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let form = EditorForm::from_pairs(&pairs);
    let pane = match form.to_question(None) {
        Ok(q) => PreviewPane {
            preview: Some(Preview::of(&q)),
            problems: vec![],
        },
        Err(problems) => PreviewPane {
            preview: None,
            problems: problems.0,
        },
    };
    render(&pane)
}

const EDITOR_JS: &str = include_str!("../../../templates/static/editor.js");

async fn editor_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(EDITOR_JS)
}

/// Registered before the bank pages, so `new` is not read as a question id.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/editor.js", web::get().to(editor_js))
        .route("/banks/preview", web::post().to(preview))
        .route("/banks/{bank}/questions/new", web::get().to(new_form))
        .route("/banks/{bank}/questions/new", web::post().to(save_new))
        .route("/banks/{bank}/questions/{id}/editor", web::get().to(edit_form))
        .route("/banks/{bank}/questions/{id}/editor", web::post().to(save_edit));
}
