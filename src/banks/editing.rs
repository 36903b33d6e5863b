//! One question: its versions, edits (each a new version) and retirement.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::formats::{self, Format, ParseOptions};
use super::models::{QuestionRow, VersionRow};
use super::question::ParsedQuestion;
use super::store;
use crate::audit::{self, Event};
use crate::db::schema::{banks, question_versions, questions};
use crate::db::{BankId, DbConn, QuestionId, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};

pub struct QuestionHistory {
    pub question: QuestionRow,
    /// Newest first.
    pub versions: Vec<VersionRow>,
}

impl QuestionHistory {
    pub fn current(&self) -> Option<&VersionRow> {
        self.versions
            .iter()
            .find(|v| v.version == self.question.current_version)
    }
}

pub fn history(conn: &mut DbConn, bank_id: BankId, id: QuestionId) -> AppResult<QuestionHistory> {
    let question = questions::table
        .filter(questions::bank_id.eq(bank_id))
        .find(id)
        .select(QuestionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("Bank {bank_id} has no question {id}.")))?;
    let versions = question_versions::table
        .filter(question_versions::question_id.eq(id))
        .select(VersionRow::as_select())
        .order(question_versions::version.desc())
        .load(conn)?;
    Ok(QuestionHistory { question, versions })
}

/// The question as a native TOML snippet, for editing in a text box.
pub fn as_toml(history: &QuestionHistory, bank_name: &str) -> AppResult<String> {
    let current = history
        .current()
        .ok_or_else(|| AppError::Internal("question without a current version".into()))?;
    Ok(formats::write_toml(bank_name, &[current.to_parsed(&history.question)?]))
}

/// Reads an edited TOML snippet: exactly one question.
pub fn parse_edit(text: &str) -> AppResult<ParsedQuestion> {
    let outcome = formats::read(Format::Toml, text, &ParseOptions::default());
    if outcome.has_errors() {
        let details = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == super::question::Severity::Error)
            .map(|d| ErrorDetail::line(d.line, d.column, d.message.clone()))
            .collect();
        return Err(AppError::invalid(
            "The edited question has problems; nothing was saved.",
            details,
        ));
    }
    let mut questions = outcome.questions;
    if questions.len() != 1 {
        return Err(AppError::invalid_field(
            "toml",
            "Keep exactly one [[question]] in the edit box.",
        ));
    }
    Ok(questions.remove(0))
}

/// Saves an edit as a new version, unless nothing changed. Returns whether a
/// version was made.
pub fn save_edit(
    conn: &mut DbConn,
    bank_id: BankId,
    id: QuestionId,
    edited: &ParsedQuestion,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<bool> {
    conn.transaction(|conn| {
        let history = history(conn, bank_id, id)?;
        let current = history
            .current()
            .ok_or_else(|| AppError::Internal("no current version".into()))?;
        if edited.external_id != history.question.external_id {
            return Err(AppError::invalid_field(
                "toml",
                "The id identifies the question; it cannot change in an edit.",
            ));
        }
        if store::content_hash(edited) == current.content_hash
            && edited.category.clone().unwrap_or_default() == history.question.category
        {
            return Ok(false);
        }
        let next = history.question.current_version + 1;
        store::add_version(conn, id, next, edited, None, Some(actor), now)?;
        let detail = format!("edited: version {next}");
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "question.edit",
                entity: "question",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(true)
    })
}

/// Adds a question written in the editor to a bank, as version 1.
pub fn create(
    conn: &mut DbConn,
    bank_id: BankId,
    q: &ParsedQuestion,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<QuestionId> {
    conn.transaction(|conn| {
        let bank_category: Option<String> = banks::table.find(bank_id).select(banks::category).first(conn)?;
        if let Some(ext) = &q.external_id {
            let taken: Option<QuestionId> = questions::table
                .filter(questions::bank_id.eq(bank_id))
                .filter(questions::external_id.eq(ext))
                .select(questions::id)
                .first(conn)
                .optional()?;
            if let Some(other) = taken {
                return Err(AppError::invalid_field(
                    "external_id",
                    format!(
                        "Question {other} in this bank already has the id \"{ext}\"; choose another or leave it empty."
                    ),
                ));
            }
        }
        let target = store::Target {
            bank_id,
            bank_category: bank_category.as_deref(),
            actor: Some(actor),
            now,
        };
        let id = store::create_question(conn, &target, q)?;
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "question.create",
                entity: "question",
                entity_id: Some(id.0),
                detail: "created in the editor",
            },
            now,
        )?;
        Ok(id)
    })
}

/// Retires (or restores) a question: it is drawn into no new test, and every
/// version stays for the attempts that used it.
pub fn set_retired(
    conn: &mut DbConn,
    bank_id: BankId,
    id: QuestionId,
    retired: bool,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<()> {
    conn.transaction(|conn| {
        let changed = diesel::update(questions::table.filter(questions::bank_id.eq(bank_id)).find(id))
            .set(questions::retired.eq(retired))
            .execute(conn)?;
        if changed == 0 {
            return Err(AppError::NotFound(format!("Bank {bank_id} has no question {id}.")));
        }
        let action = if retired { "question.retire" } else { "question.restore" };
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action,
                entity: "question",
                entity_id: Some(id.0),
                detail: action,
            },
            now,
        )
    })
}
