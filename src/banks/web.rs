//! The trainer's bank pages: upload with a preview, browse, edit, retire.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::api::{parse_format, too_large};
use super::editing::{self, QuestionHistory};
use super::formats::Format;
use super::models::{Bank, QuestionRow, VersionRow};
use super::question::{Difficulty, QuestionType};
use super::service::{self, BankSummary, ImportLog, ImportReport, ImportRequest, QuestionFilter};
use super::staff_view::StaffView;
use super::upload::Parsed;
use crate::app::AppState;
use crate::db::{BankId, ImportId, ImportStatus, QuestionId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::web::auth::TrainerUser;
use crate::web::csrf::{self, CsrfForm};
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, Pager, PAGE_SIZE};

#[derive(Template)]
#[template(path = "banks/list.html")]
struct BanksPage {
    chrome: Chrome,
    banks: Vec<BankSummary>,
    imports: Vec<ImportLog>,
    formats: [Format; 5],
}

async fn list(state: web::Data<AppState>, ctx: PageCtx, _t: TrainerUser) -> AppResult<HttpResponse> {
    let (banks, imports) = state
        .db(|conn| Ok((service::list_banks(conn)?, service::recent_imports(conn, 10)?)))
        .await?;
    render(&BanksPage {
        chrome: ctx.chrome("Question banks"),
        banks,
        imports,
        formats: Format::ALL,
    })
}

/// The fields of the upload form.
#[derive(Default)]
struct Upload {
    csrf: Option<String>,
    file_name: String,
    bytes: Vec<u8>,
    format: Option<String>,
    bank: Option<String>,
    skip_unsupported: bool,
}

async fn read_upload(mut form: Multipart, limit: usize) -> AppResult<Upload> {
    let mut upload = Upload::default();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}.")))?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(String::from);
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}.")))?;
            total += chunk.len();
            if total > limit {
                return Err(too_large(limit));
            }
            value.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&value).trim().to_string();
        match name.as_str() {
            "csrf_token" => upload.csrf = Some(text()),
            "format" => upload.format = Some(text()),
            "bank" => upload.bank = Some(text()),
            "skip_unsupported" => upload.skip_unsupported = true,
            "file" => {
                upload.file_name = file_name.unwrap_or_else(|| "upload".into());
                upload.bytes = value;
            }
            _ => {}
        }
    }
    Ok(upload)
}

#[derive(Template)]
#[template(path = "banks/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    file_name: String,
    report: Option<ImportReport>,
    problems: Vec<ErrorDetail>,
    message: String,
    preview_id: Option<ImportId>,
}

async fn upload(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    req: HttpRequest,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let upload = read_upload(form, state.config.max_upload_bytes).await?;
    csrf::verify(&req, upload.csrf.as_deref())?;
    if upload.bytes.is_empty() && upload.file_name.is_empty() {
        return Err(AppError::invalid_field("file", "Choose a file to upload."));
    }
    let import_req = ImportRequest {
        file_name: upload.file_name.clone(),
        format: parse_format(upload.format.as_deref())?,
        bank_name: upload.bank.clone(),
        skip_unsupported: upload.skip_unsupported,
        dry_run: true,
        preview_id: None,
    };
    let now = state.clock.now();
    let bytes = upload.bytes;
    // Parsed before a connection is taken: see `upload`.
    let outcome = match super::upload::read_file(bytes, import_req).await {
        Ok(parsed) => {
            state
                .db(move |conn| {
                    let Parsed { file, bytes, req } = parsed;
                    let content = String::from_utf8_lossy(&bytes).to_string();
                    let report = service::import(conn, &file, &req, &content, Some(user.id), now, &|_| {})?;
                    let id = service::save_preview(conn, &file, &report, &req, &content, user.id, now)?;
                    Ok((report, id))
                })
                .await
        }
        Err(e) => Err(e),
    };
    let chrome = ctx.chrome("Check the upload");
    match outcome {
        Ok((report, id)) => render(&PreviewPage {
            chrome,
            file_name: upload.file_name,
            report: Some(report),
            problems: vec![],
            message: String::new(),
            preview_id: Some(id),
        }),
        Err(e @ AppError::Invalid { .. }) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PreviewPage {
                chrome,
                file_name: upload.file_name,
                report: None,
                message: e.public_message(),
                problems: e.details().to_vec(),
                preview_id: None,
            },
        ),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn apply(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<ImportId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let log = state.db(move |conn| service::find_import(conn, id)).await?;
    if log.status != ImportStatus::Previewed {
        return Err(AppError::conflict(
            "already_applied",
            "This upload was already imported or discarded.",
        ));
    }
    let req = ImportRequest {
        file_name: log.file_name.clone(),
        format: Format::parse(&log.format),
        bank_name: Some(log.bank_name.clone()),
        skip_unsupported: log.skip_unsupported,
        dry_run: false,
        preview_id: Some(id),
    };
    // Parsed again before a connection is taken: see `upload`.
    let parsed = super::upload::read_file(log.content.into_bytes(), req).await?;
    let bank_id = state
        .db(move |conn| {
            let Parsed { file, bytes, req } = parsed;
            let content = String::from_utf8_lossy(&bytes);
            let report = service::import(conn, &file, &req, &content, Some(user.id), now, &|_| {})?;
            report
                .bank_id
                .ok_or_else(|| AppError::Internal("import without a bank".into()))
        })
        .await?;
    Ok(redirect(&format!("/banks/{bank_id}?imported=1")))
}

async fn discard(
    state: web::Data<AppState>,
    _t: TrainerUser,
    path: web::Path<ImportId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    state.db(move |conn| service::discard_import(conn, id)).await?;
    Ok(redirect("/banks"))
}

#[derive(Template)]
#[template(path = "banks/bank.html")]
struct BankPage {
    chrome: Chrome,
    bank: Bank,
    rows: Vec<(QuestionRow, VersionRow)>,
    filter: QuestionFilter,
    pager: Pager,
    imported: bool,
    types: [QuestionType; 6],
    difficulties: [Difficulty; 3],
}

impl BankPage {
    fn selected(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }
}

/// The bank page's filters as a query string, for the link to the next page.
fn filter_query(f: &QuestionFilter) -> String {
    let pairs = [
        ("category", f.category.clone()),
        ("type", f.qtype.clone()),
        ("difficulty", f.difficulty.clone()),
        ("tag", f.tag.clone()),
    ];
    let kept: Vec<(&str, String)> = pairs.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[derive(Deserialize)]
struct BankQuery {
    #[serde(flatten)]
    filter: QuestionFilter,
    imported: Option<String>,
}

/// The bank as a file, in the format the link names.
async fn export(
    state: web::Data<AppState>,
    _t: TrainerUser,
    path: web::Path<(BankId, String)>,
) -> AppResult<HttpResponse> {
    let (bank_id, format) = path.into_inner();
    let format = super::export::format(&format)?;
    let file = state
        .db(move |conn| super::export::export(conn, bank_id, format))
        .await?;
    Ok(file.download())
}

async fn bank(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<BankId>,
    query: Query<BankQuery>,
) -> AppResult<HttpResponse> {
    let bank_id = path.into_inner();
    let query = query.into_inner();
    let mut filter = query.filter;
    filter.limit = Some(paging::fetch(PAGE_SIZE));
    let lookup = filter.clone();
    let (bank, rows) = state
        .db(move |conn| {
            Ok((
                service::find_bank(conn, bank_id)?,
                service::current_questions(conn, bank_id, &lookup)?,
            ))
        })
        .await?;
    let Page { rows, next } = Page::cut(rows, PAGE_SIZE, |(q, _)| q.id);
    let pager = Pager::next(
        &format!("/banks/{bank_id}"),
        &filter_query(&filter),
        "after",
        next,
        "Next page",
    );
    render(&BankPage {
        chrome: ctx.chrome(bank.name.clone()),
        bank,
        rows,
        filter,
        pager,
        imported: query.imported.is_some(),
        types: QuestionType::ALL,
        difficulties: Difficulty::ALL,
    })
}

#[derive(Template)]
#[template(path = "banks/question.html")]
struct QuestionPage {
    chrome: Chrome,
    bank: Bank,
    history: QuestionHistory,
    shown: Option<StaffView>,
    toml: String,
    problems: Vec<ErrorDetail>,
    saved: Option<bool>,
}

fn shown(history: &QuestionHistory) -> AppResult<Option<StaffView>> {
    history
        .current()
        .map(|v| StaffView::of(&history.question, v))
        .transpose()
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn question(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _t: TrainerUser,
    path: web::Path<(BankId, QuestionId)>,
    query: Query<SavedQuery>,
) -> AppResult<HttpResponse> {
    let (bank_id, id) = path.into_inner();
    let (bank, history) = state
        .db(move |conn| Ok((service::find_bank(conn, bank_id)?, editing::history(conn, bank_id, id)?)))
        .await?;
    let toml = editing::as_toml(&history, &bank.name)?;
    let saved = query.saved.as_deref().map(|s| s == "1");
    render(&QuestionPage {
        chrome: ctx.chrome(format!("Question {id}")),
        bank,
        shown: shown(&history)?,
        history,
        toml,
        problems: vec![],
        saved,
    })
}

#[derive(Deserialize)]
struct EditForm {
    toml: String,
}

async fn edit(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    path: web::Path<(BankId, QuestionId)>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> AppResult<HttpResponse> {
    let (bank_id, id) = path.into_inner();
    let now = state.clock.now();
    let text = form.toml.clone();
    let saved = state
        .db(move |conn| {
            let edited = editing::parse_edit(&text)?;
            editing::save_edit(conn, bank_id, id, &edited, user.id, now)
        })
        .await;
    match saved {
        Ok(made) => Ok(redirect(&format!(
            "/banks/{bank_id}/questions/{id}?saved={}",
            if made { 1 } else { 0 }
        ))),
        Err(e @ AppError::Invalid { .. }) => {
            let (bank, history) = state
                .db(move |conn| Ok((service::find_bank(conn, bank_id)?, editing::history(conn, bank_id, id)?)))
                .await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &QuestionPage {
                    chrome: ctx.chrome(format!("Question {id}")),
                    bank,
                    shown: shown(&history)?,
                    history,
                    toml: form.toml,
                    problems: e.details().to_vec(),
                    saved: None,
                },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct RetireForm {
    retired: String,
}

async fn retire(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    path: web::Path<(BankId, QuestionId)>,
    CsrfForm(form): CsrfForm<RetireForm>,
) -> AppResult<HttpResponse> {
    let (bank_id, id) = path.into_inner();
    let now = state.clock.now();
    let retired = form.retired == "1";
    state
        .db(move |conn| editing::set_retired(conn, bank_id, id, retired, user.id, now))
        .await?;
    Ok(redirect(&format!("/banks/{bank_id}/questions/{id}")))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/banks", web::get().to(list))
        .route("/banks/upload", web::post().to(upload))
        .route("/banks/imports/{id}/apply", web::post().to(apply))
        .route("/banks/imports/{id}/discard", web::post().to(discard))
        .route("/banks/{id}", web::get().to(bank))
        .route("/banks/{id}/export/{format}", web::get().to(export))
        .route("/banks/{bank}/questions/{id}", web::get().to(question))
        .route("/banks/{bank}/questions/{id}/edit", web::post().to(edit))
        .route("/banks/{bank}/questions/{id}/retire", web::post().to(retire));
}
