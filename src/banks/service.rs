//! Importing and exporting banks: the one path the API, the web pages and the
//! CLI all take.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::formats::{self, Format, ParseOptions};
use super::models::{Bank, QuestionRow, VersionRow};
use super::question::{Diagnostic, ParseOutcome, ParsedQuestion, Severity};
use super::store;
use crate::audit::{self, Event};
use crate::db::schema::{bank_imports, banks, question_versions, questions};
use crate::db::{BankId, DbConn, ImportId, ImportStatus, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::web::paging::{self, Page, PageQuery};

/// What the caller knows about an upload besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub file_name: String,
    pub format: Option<Format>,
    pub bank_name: Option<String>,
    pub skip_unsupported: bool,
    pub dry_run: bool,
    /// A previewed upload (web) whose log row this import completes.
    pub preview_id: Option<ImportId>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"bank_id": 7, "bank_name": "Motor insurance claims", "format": "gift", "dry_run": false,
    "created": 38, "updated": 4, "unchanged": 142,
    "warnings": [{"line": 57, "message": "The question has no answer marked right; it was imported as an essay."}]}))]
pub struct ImportReport {
    pub bank_id: Option<BankId>,
    pub bank_name: String,
    pub format: String,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub warnings: Vec<Warning>,
}

/// A file read and checked, ready to plan.
pub struct ReadFile {
    pub format: Format,
    pub bank_name: String,
    pub outcome: ParseOutcome,
}

fn refusal(problems: Vec<ErrorDetail>) -> AppError {
    let n = problems.len();
    AppError::invalid(
        format!(
            "The file has {n} problem{}; nothing was imported. Fix each listed line and upload it again.",
            if n == 1 { "" } else { "s" }
        ),
        problems,
    )
}

fn detail(d: &Diagnostic) -> ErrorDetail {
    ErrorDetail::line(d.line, d.column, d.message.clone())
}

/// Decodes, detects the format and reads every question, refusing the file
/// with every problem it has, each on its line.
pub fn read_file(bytes: &[u8], req: &ImportRequest) -> AppResult<ReadFile> {
    let text = formats::decode(bytes).map_err(|d| refusal(vec![detail(&d)]))?;
    let format = match req.format.or_else(|| Format::detect(&req.file_name, text)) {
        Some(f) => f,
        None => {
            return Err(AppError::invalid_field(
                "format",
                "The file's format could not be recognised; choose toml, csv, gift, aiken or moodle_xml.",
            ))
        }
    };
    let mut outcome = formats::read(
        format,
        text,
        &ParseOptions {
            skip_unsupported: req.skip_unsupported,
        },
    );
    outcome
        .diagnostics
        .extend(store::duplicates_in_file(&outcome.questions, None));
    outcome.diagnostics.sort_by_key(|d| (d.line, d.column));
    if outcome.has_errors() {
        let mut errors: Vec<&Diagnostic> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        errors.sort_by_key(|d| (d.line, d.column));
        return Err(refusal(errors.into_iter().map(detail).collect()));
    }
    let bank_name = req
        .bank_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| outcome.bank_name.clone())
        .unwrap_or_else(|| file_stem(&req.file_name))
        .trim()
        .to_string();
    if bank_name.is_empty() || bank_name.chars().count() > 200 || bank_name.chars().any(char::is_control) {
        return Err(AppError::invalid_field(
            "bank",
            "Give the bank a name of 1 to 200 characters on one line, without control characters.",
        ));
    }
    Ok(ReadFile {
        format,
        bank_name,
        outcome,
    })
}

fn file_stem(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.rsplit_once('.')
        .map(|(stem, _)| stem)
        .unwrap_or(base)
        .replace(['_', '-'], " ")
}

fn warnings(outcome: &ParseOutcome) -> Vec<Warning> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| Warning {
            line: d.line,
            message: d.message.clone(),
        })
        .collect()
}

/// Plans and (unless a dry run) applies an import in one transaction, and
/// logs it. `progress` hears how many questions are written so far.
pub fn import(
    conn: &mut DbConn,
    file: &ReadFile,
    req: &ImportRequest,
    content: &str,
    actor: Option<UserId>,
    now: NaiveDateTime,
    progress: &dyn Fn(usize),
) -> AppResult<ImportReport> {
    let questions = &file.outcome.questions;
    conn.transaction(|conn| {
        let plan = store::plan(conn, &file.bank_name, None, questions)?;
        let mut report = ImportReport {
            bank_id: plan.bank_id,
            bank_name: file.bank_name.clone(),
            format: file.format.as_str().to_string(),
            dry_run: req.dry_run,
            created: plan.created,
            updated: plan.updated,
            unchanged: plan.unchanged,
            warnings: warnings(&file.outcome),
        };
        if req.dry_run {
            return Ok(report);
        }
        let bank_id = store::find_or_create_bank(conn, &file.bank_name, None, actor, now)?;
        let target = store::Target {
            bank_id,
            bank_category: None,
            actor,
            now,
        };
        store::apply(conn, &target, questions, &plan, progress)?;
        let log = AppliedImport {
            file,
            req,
            content,
            actor,
            now,
        };
        log.record(conn, bank_id, &plan, report.warnings.len())?;
        report.bank_id = Some(bank_id);
        Ok(report)
    })
}

/// One applied import as the log of imports and the audit trail keep it.
struct AppliedImport<'a> {
    file: &'a ReadFile,
    req: &'a ImportRequest,
    content: &'a str,
    actor: Option<UserId>,
    now: NaiveDateTime,
}

impl AppliedImport<'_> {
    /// Marks the previewed import applied, or logs a direct one, and audits it.
    fn record(&self, conn: &mut DbConn, bank_id: BankId, plan: &store::Plan, warnings: usize) -> AppResult<()> {
        if let Some(preview_id) = self.req.preview_id {
            diesel::update(bank_imports::table.find(preview_id))
                .set((
                    bank_imports::bank_id.eq(Some(bank_id)),
                    bank_imports::status.eq(ImportStatus::Applied),
                    bank_imports::created.eq(crate::convert::to_i32(plan.created)),
                    bank_imports::updated.eq(crate::convert::to_i32(plan.updated)),
                    bank_imports::unchanged.eq(crate::convert::to_i32(plan.unchanged)),
                    bank_imports::applied_at.eq(Some(self.now)),
                ))
                .execute(conn)?;
        } else {
            diesel::insert_into(bank_imports::table)
                .values((
                    bank_imports::bank_id.eq(Some(bank_id)),
                    bank_imports::bank_name.eq(&self.file.bank_name),
                    bank_imports::user_id.eq(self.actor),
                    bank_imports::file_name.eq(&self.req.file_name),
                    bank_imports::format.eq(self.file.format.as_str()),
                    bank_imports::status.eq(ImportStatus::Applied),
                    bank_imports::skip_unsupported.eq(self.req.skip_unsupported),
                    bank_imports::content.eq(self.content),
                    bank_imports::created.eq(crate::convert::to_i32(plan.created)),
                    bank_imports::updated.eq(crate::convert::to_i32(plan.updated)),
                    bank_imports::unchanged.eq(crate::convert::to_i32(plan.unchanged)),
                    bank_imports::warnings.eq(crate::convert::to_i32(warnings)),
                    bank_imports::created_at.eq(self.now),
                    bank_imports::applied_at.eq(Some(self.now)),
                ))
                .execute(conn)?;
        }
        let detail = format!(
            "imported {} ({}): {} created, {} updated, {} unchanged",
            self.req.file_name,
            self.file.format.as_str(),
            plan.created,
            plan.updated,
            plan.unchanged
        );
        audit::record(
            conn,
            Event {
                actor: self.actor,
                action: "bank.import",
                entity: "bank",
                entity_id: Some(bank_id.0),
                detail: &detail,
            },
            self.now,
        )?;
        Ok(())
    }
}

/// A bank with how many of its questions are in use.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 7, "name": "Motor insurance claims", "category": "Insurance/Motor", "created_at": "2026-11-20T06:30:00", "updated_at": "2026-12-04T11:45:00", "questions": 184}))]
pub struct BankSummary {
    #[serde(flatten)]
    pub bank: Bank,
    pub questions: i64,
}

pub fn list_banks(conn: &mut DbConn) -> AppResult<Vec<BankSummary>> {
    let banks: Vec<Bank> = banks::table
        .select(Bank::as_select())
        .order(banks::name.asc())
        .load(conn)?;
    with_counts(conn, banks)
}

/// A page of banks for the API, in the order they were created.
pub fn banks_page(conn: &mut DbConn, page: &PageQuery) -> AppResult<Page<BankSummary, BankId>> {
    let size = page.size();
    let mut query = banks::table
        .select(Bank::as_select())
        .order(banks::id.asc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(after) = page.after_id()? {
        query = query.filter(banks::id.gt(BankId(after)));
    }
    let Page { rows, next } = Page::cut(query.load(conn)?, size, |b: &Bank| b.id);
    Ok(Page {
        rows: with_counts(conn, rows)?,
        next,
    })
}

/// Each bank with its count of questions in use.
fn with_counts(conn: &mut DbConn, banks: Vec<Bank>) -> AppResult<Vec<BankSummary>> {
    let counts: Vec<(BankId, i64)> = questions::table
        .filter(questions::retired.eq(false))
        .group_by(questions::bank_id)
        .select((questions::bank_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(banks
        .into_iter()
        .map(|bank| {
            let questions = counts
                .iter()
                .find(|(id, _)| *id == bank.id)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            BankSummary { bank, questions }
        })
        .collect())
}

pub fn find_bank(conn: &mut DbConn, id: BankId) -> AppResult<Bank> {
    banks::table
        .find(id)
        .select(Bank::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no bank {id}.")))
}

pub fn find_bank_by_name(conn: &mut DbConn, name: &str) -> AppResult<Bank> {
    banks::table
        .filter(banks::name.eq(name))
        .select(Bank::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no bank named '{name}'.")))
}

/// Filters for browsing a bank.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct QuestionFilter {
    #[param(max_length = 500)]
    pub category: Option<String>,
    #[serde(rename = "type")]
    #[param(max_length = 64)]
    pub qtype: Option<String>,
    #[param(max_length = 64)]
    pub difficulty: Option<String>,
    #[param(max_length = 200)]
    pub tag: Option<String>,
    pub include_retired: Option<bool>,
    /// The `next_after` of the previous page; leave out for the first page.
    #[param(max_length = 20)]
    pub after: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A bank's current questions (their current versions), in id order, one
/// page at a time.
pub fn current_questions(
    conn: &mut DbConn,
    bank_id: BankId,
    filter: &QuestionFilter,
) -> AppResult<Vec<(QuestionRow, VersionRow)>> {
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let mut query = questions::table
        .inner_join(question_versions::table)
        .filter(questions::bank_id.eq(bank_id))
        .filter(question_versions::version.eq(questions::current_version))
        .select((QuestionRow::as_select(), VersionRow::as_select()))
        .order(questions::id.asc())
        .limit(limit)
        .into_boxed();
    if !filter.include_retired.unwrap_or(false) {
        query = query.filter(questions::retired.eq(false));
    }
    if let Some(c) = filter.category.as_deref().filter(|c| !c.is_empty()) {
        query = query.filter(questions::category.eq(c.to_string()));
    }
    if let Some(t) = filter.qtype.as_deref().filter(|t| !t.is_empty()) {
        query = query.filter(question_versions::qtype.eq(t.to_string()));
    }
    if let Some(d) = filter.difficulty.as_deref().filter(|d| !d.is_empty()) {
        query = query.filter(question_versions::difficulty.eq(d.to_string()));
    }
    if let Some(tag) = filter.tag.as_deref().filter(|t| !t.is_empty()) {
        // Tags are stored as a JSON array of strings.
        let needle = serde_json::to_string(tag).unwrap_or_default();
        query = query.filter(question_versions::tags.like(format!("%{needle}%")));
    }
    if let Some(after) = crate::web::paging::after_id(filter.after.as_deref())? {
        query = query.filter(questions::id.gt(crate::db::QuestionId(after)));
    }
    Ok(query.load(conn)?)
}

/// Every current question of a bank, as the readers would produce them.
pub fn export(conn: &mut DbConn, bank_id: BankId) -> AppResult<Vec<ParsedQuestion>> {
    let rows: Vec<(QuestionRow, VersionRow)> = questions::table
        .inner_join(question_versions::table)
        .filter(questions::bank_id.eq(bank_id))
        .filter(questions::retired.eq(false))
        .filter(question_versions::version.eq(questions::current_version))
        .select((QuestionRow::as_select(), VersionRow::as_select()))
        .order(questions::id.asc())
        .load(conn)?;
    rows.iter().map(|(q, v)| v.to_parsed(q)).collect()
}

/// A previewed web upload, kept until the trainer confirms or discards it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bank_imports)]
pub struct ImportLog {
    pub id: ImportId,
    pub bank_id: Option<BankId>,
    pub bank_name: String,
    pub user_id: Option<UserId>,
    pub file_name: String,
    pub format: String,
    pub status: ImportStatus,
    pub skip_unsupported: bool,
    pub content: String,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub warnings: i32,
    pub created_at: NaiveDateTime,
    pub applied_at: Option<NaiveDateTime>,
}

pub fn save_preview(
    conn: &mut DbConn,
    file: &ReadFile,
    report: &ImportReport,
    req: &ImportRequest,
    content: &str,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<ImportId> {
    Ok(diesel::insert_into(bank_imports::table)
        .values((
            bank_imports::bank_id.eq(report.bank_id),
            bank_imports::bank_name.eq(&file.bank_name),
            bank_imports::user_id.eq(Some(actor)),
            bank_imports::file_name.eq(&req.file_name),
            bank_imports::format.eq(file.format.as_str()),
            bank_imports::status.eq(ImportStatus::Previewed),
            bank_imports::skip_unsupported.eq(req.skip_unsupported),
            bank_imports::content.eq(content),
            bank_imports::created.eq(crate::convert::to_i32(report.created)),
            bank_imports::updated.eq(crate::convert::to_i32(report.updated)),
            bank_imports::unchanged.eq(crate::convert::to_i32(report.unchanged)),
            bank_imports::warnings.eq(crate::convert::to_i32(report.warnings.len())),
            bank_imports::created_at.eq(now),
        ))
        .returning(bank_imports::id)
        .get_result(conn)?)
}

pub fn find_import(conn: &mut DbConn, id: ImportId) -> AppResult<ImportLog> {
    bank_imports::table
        .find(id)
        .select(ImportLog::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no upload {id}.")))
}

pub fn discard_import(conn: &mut DbConn, id: ImportId) -> AppResult<()> {
    diesel::update(
        bank_imports::table
            .find(id)
            .filter(bank_imports::status.eq(ImportStatus::Previewed)),
    )
    .set(bank_imports::status.eq(ImportStatus::Discarded))
    .execute(conn)?;
    Ok(())
}

pub fn recent_imports(conn: &mut DbConn, limit: i64) -> AppResult<Vec<ImportLog>> {
    Ok(bank_imports::table
        .filter(bank_imports::status.eq(ImportStatus::Applied))
        .select(ImportLog::as_select())
        .order(bank_imports::id.desc())
        .limit(limit)
        .load(conn)?)
}
