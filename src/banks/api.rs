//! The banks part of the JSON API.

use actix_web::{get, post, web, HttpResponse};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::formats::Format;
use super::question::QuestionBody;
use super::service::{self, BankSummary, ImportReport, ImportRequest, QuestionFilter};
use crate::app::AppState;
use crate::content::Rich;
use crate::db::{BankId, QuestionId, VersionId};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::web::auth::TrainerUser;
use crate::web::input::Query;
use crate::web::input::{Line, Name, Word};
use crate::web::openapi::ApiRoutes;
use crate::web::paging::{self, Page, PageQuery, Paged};

/// Reads a request body up to `limit` bytes, refusing more with 413 before
/// holding it all.
pub async fn read_limited(mut payload: web::Payload, limit: usize) -> AppResult<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| crate::web::errors::payload_error(&e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "The file is larger than the upload limit of {:.1} MiB; split it into smaller files.",
        crate::convert::count_f64(limit) / (1024.0 * 1024.0)
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// toml, csv, gift, aiken or moodle_xml; detected from the content when left out.
    #[param(value_type = Option<String>, max_length = 64)]
    pub format: Option<Word>,
    /// The bank to import into; created when new.
    #[param(value_type = Option<String>, max_length = 200)]
    pub bank: Option<Name>,
    /// Report what would change without writing anything.
    pub dry_run: Option<bool>,
    /// Import the rest when some questions have a type Assay cannot hold.
    pub skip_unsupported: Option<bool>,
    /// The file's name, for the import log and format detection.
    #[param(value_type = Option<String>, max_length = 255)]
    pub file_name: Option<Line<255>>,
}

pub fn parse_format(name: Option<&str>) -> AppResult<Option<Format>> {
    match name.map(str::trim).filter(|f| !f.is_empty() && *f != "auto") {
        None => Ok(None),
        Some(f) => Format::parse(f).map(Some).ok_or_else(|| {
            AppError::invalid_field(
                "format",
                format!("'{f}' is not a format; use toml, csv, gift, aiken or moodle_xml."),
            )
        }),
    }
}

/// Import a question bank file (the request body).
///
/// For trainers and administrators. Reads TOML, CSV, GIFT, Aiken or Moodle
/// XML (named with `?format=`, or detected), into the bank named with
/// `?bank=` (made when new). A question the bank holds already (known by
/// its external id, or by category and text) gets a new version when it
/// changed. `?dry_run=true`
/// reports what would change and writes nothing. Every problem in the file
/// is named with its line in the refusal; nothing is imported then.
#[utoipa::path(tag = "banks", params(ImportQuery),
    request_body(content = String, description = "the file", content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport, description = "What was imported (or would be, on a dry run)."),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/banks/import")]
pub async fn import(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    query: Query<ImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let limit = state.config.max_upload_bytes;
    let bytes = read_limited(payload, limit).await?;
    let req = ImportRequest {
        file_name: query
            .file_name
            .clone()
            .map(String::from)
            .unwrap_or_else(|| "upload".into()),
        format: parse_format(query.format.as_deref())?,
        bank_name: query.bank.clone().map(String::from),
        skip_unsupported: query.skip_unsupported.unwrap_or(false),
        dry_run: query.dry_run.unwrap_or(false),
        preview_id: None,
    };
    let now = state.clock.now();
    // Parsed before a connection is taken: see `upload`.
    let parsed = super::upload::read_file(bytes.to_vec(), req).await?;
    let report = state
        .db(move |conn| {
            let content = String::from_utf8_lossy(&parsed.bytes);
            service::import(conn, &parsed.file, &parsed.req, &content, Some(user.id), now, &|_| {})
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// List question banks with their counts of questions in use.
///
/// For trainers and administrators. In the order they were made, a keyset
/// page at a time (`?after=&limit=`).
#[utoipa::path(tag = "banks", params(PageQuery),
    responses((status = 200, body = Paged<BankSummary>, description = "One page of banks; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 7, "name": "Motor insurance claims", "category": "Insurance/Motor", "created_at": "2026-11-20T06:30:00", "updated_at": "2026-12-04T11:45:00", "questions": 184}], "next_after": null})), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/banks")]
pub async fn list(state: web::Data<AppState>, _user: TrainerUser, page: Query<PageQuery>) -> AppResult<HttpResponse> {
    let page = state.db(move |conn| service::banks_page(conn, &page)).await?;
    Ok(HttpResponse::Ok().json(Paged::from_page(page)))
}

/// One question bank.
///
/// For trainers and administrators: its name, category and dates. List its
/// questions with `/banks/{id}/questions`.
#[utoipa::path(tag = "banks", params(("id" = i32, Path, description = "The bank's id.")),
    responses((status = 200, body = crate::banks::models::Bank, description = "The bank."), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/banks/{id:\\d+}")]
pub async fn read(state: web::Data<AppState>, _user: TrainerUser, path: web::Path<BankId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(state.db(move |conn| service::find_bank(conn, id)).await?))
}

/// A question's current version, with its key, as trainers see it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 412, "version_id": 1204, "version": 2, "external_id": "MC-0412", "category": "Insurance/Motor", "type": "single_choice",
    "difficulty": "medium", "points": 1.0, "tags": ["term-insurance", "basics"],
    "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
    "stem_format": "plain",
    "stem_shown": {"html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
        "text": "A term policy pays out only if the insured dies within the term. What is such a policy called?"},
    "options_shown": [{"html": "Pure protection", "text": "Pure protection"}, {"html": "Endowment", "text": "Endowment"}],
    "feedback_shown": [null, {"html": "<p>An endowment also pays at maturity.</p>", "text": "An endowment also pays at maturity."}],
    "explanation_shown": {"html": "<p>It pays only on death within the term, with no maturity benefit.</p>",
        "text": "It pays only on death within the term, with no maturity benefit."},
    "key": {"type": "single_choice", "options": [{"text": "Pure protection", "credit": 1.0}, {"text": "Endowment", "credit": 0.0}]},
    "explanation": "It pays only on death within the term, with no maturity benefit.",
    "quarantined": false, "retired": false, "irt_a": 1.32, "irt_b": -0.41}))]
pub struct QuestionOut {
    pub id: QuestionId,
    pub version_id: VersionId,
    pub version: i32,
    pub external_id: Option<String>,
    pub category: String,
    #[serde(rename = "type")]
    pub qtype: String,
    pub difficulty: String,
    pub points: f64,
    pub tags: Vec<String>,
    /// The stem as written, in `stem_format` (kept for export).
    pub stem: String,
    /// plain, html, markdown or moodle.
    pub stem_format: String,
    /// The stem as shown: sanitised HTML and a plain-text form.
    pub stem_shown: Rich,
    /// Each option (in `key`'s order) as shown.
    pub options_shown: Vec<Rich>,
    /// Each option's feedback (in `key`'s order) as shown, where it has one.
    pub feedback_shown: Vec<Option<Rich>>,
    /// The explanation as shown.
    pub explanation_shown: Option<Rich>,
    /// The options and the answer key.
    #[schema(value_type = Object)]
    pub key: QuestionBody,
    pub explanation: Option<String>,
    pub quarantined: bool,
    pub retired: bool,
    /// Calibrated 2PL discrimination and difficulty, when the version has them.
    pub irt_a: Option<f64>,
    pub irt_b: Option<f64>,
}

/// A bank's current questions with their answer keys.
///
/// For trainers and administrators. Each question's current version, in id
/// order, a keyset page at a time (`?after=&limit=`), filtered by
/// `?category=`, `?type=`, `?difficulty=` and `?tag=`; retired questions
/// only with `?include_retired=true`.
#[utoipa::path(tag = "banks", params(("id" = i32, Path, description = "The bank's id."), QuestionFilter),
    responses((status = 200, body = Paged<QuestionOut>, description = "One page of questions; pass `next_after` as `?after=` for the next.",
        example = json!({"items": [{"id": 412, "version_id": 1204, "version": 2, "external_id": "MC-0412", "category": "Insurance/Motor", "type": "single_choice",
    "difficulty": "medium", "points": 1.0, "tags": ["term-insurance", "basics"],
    "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
    "stem_format": "plain",
    "stem_shown": {"html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
        "text": "A term policy pays out only if the insured dies within the term. What is such a policy called?"},
    "options_shown": [{"html": "Pure protection", "text": "Pure protection"}, {"html": "Endowment", "text": "Endowment"}],
    "feedback_shown": [null, {"html": "<p>An endowment also pays at maturity.</p>", "text": "An endowment also pays at maturity."}],
    "explanation_shown": {"html": "<p>It pays only on death within the term, with no maturity benefit.</p>",
        "text": "It pays only on death within the term, with no maturity benefit."},
    "key": {"type": "single_choice", "options": [{"text": "Pure protection", "credit": 1.0}, {"text": "Endowment", "credit": 0.0}]},
    "explanation": "It pays only on death within the term, with no maturity benefit.",
    "quarantined": false, "retired": false, "irt_a": 1.32, "irt_b": -0.41}], "next_after": null})), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[get("/banks/{id}/questions")]
pub async fn questions(
    state: web::Data<AppState>,
    _user: TrainerUser,
    path: web::Path<BankId>,
    filter: Query<QuestionFilter>,
) -> AppResult<HttpResponse> {
    let bank_id = path.into_inner();
    let mut filter = filter.into_inner();
    let size = paging::size(filter.limit, paging::API_DEFAULT, paging::API_MAX);
    filter.limit = Some(paging::fetch(size));
    let rows = state
        .db(move |conn| {
            service::find_bank(conn, bank_id)?;
            service::current_questions(conn, bank_id, &filter)
        })
        .await?;
    let Page { rows, next } = Page::cut(rows, size, |(q, _)| q.id);
    let out: AppResult<Vec<QuestionOut>> = rows
        .into_iter()
        .map(|(q, v)| {
            let parsed = v.to_parsed(&q)?;
            let shown = v.rendered(&q)?;
            Ok(QuestionOut {
                id: q.id,
                version_id: v.id,
                version: v.version,
                external_id: q.external_id,
                category: q.category,
                qtype: v.qtype.to_string(),
                difficulty: v.difficulty.to_string(),
                points: v.points,
                tags: parsed.tags,
                stem: v.stem,
                stem_format: v.stem_format.to_string(),
                stem_shown: shown.stem,
                options_shown: shown.options,
                feedback_shown: shown.feedback,
                explanation_shown: shown.explanation,
                key: parsed.body,
                explanation: v.explanation,
                quarantined: v.quarantined,
                retired: q.retired,
                irt_a: v.irt_a,
                irt_b: v.irt_b,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(Paged {
        items: out?,
        next_after: next.map(|id| id.to_string()),
    }))
}

/// Which file a bank exports to.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `moodle_xml` (with the questions' images embedded), `gift` or `toml`.
    #[param(value_type = String, max_length = 64, example = "moodle_xml")]
    pub format: Word,
}

/// The bank as a file to take elsewhere.
///
/// For trainers and administrators. Every current (not retired) question
/// of the bank, written as Moodle XML with its images embedded as
/// `<file>` elements, as GIFT, or as Assay's own TOML; importing the file
/// back changes nothing. Sent as an attachment named after the bank.
#[utoipa::path(tag = "banks", params(("id" = i32, Path, description = "The bank's id."), ExportQuery),
    responses((status = 200, content_type = "text/plain", description = "The bank's questions in the asked format: `application/xml` for Moodle XML, `text/plain` for GIFT, `application/toml` for TOML, each `charset=utf-8`, as an attachment.",
        example = json!("// Motor claims\n::MC-0412::A term policy pays out only if the insured dies within the term. What is such a policy called? {\n=Pure protection\n~Endowment\n}\n")),
        (status = 401, body = ErrorBody, description = "Not signed in."),
        (status = 403, body = ErrorBody, description = "Only trainers and administrators export banks."),
        (status = 404, body = ErrorBody, description = "There is no such bank."),
        (status = 422, body = ErrorBody, description = "The format is not one a bank exports to.")))]
#[get("/banks/{id}/export")]
pub async fn export(
    state: web::Data<AppState>,
    _user: TrainerUser,
    path: web::Path<BankId>,
    query: Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let bank_id = path.into_inner();
    let format = super::export::format(query.format.as_str())?;
    let file = state
        .db(move |conn| super::export::export(conn, bank_id, format))
        .await?;
    Ok(file.download())
}

pub fn configure(cfg: &mut ApiRoutes) {
    cfg.service(import)
        .service(list)
        .service(read)
        .service(questions)
        .service(export);
}
