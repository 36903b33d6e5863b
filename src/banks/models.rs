use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::model::{Difficulty, ParsedQuestion, QuestionBody, QuestionType, TextFormat};
use crate::db::schema::{banks, question_versions, questions};
use crate::db::{BankId, QuestionId, UserId, VersionId};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = banks)]
pub struct Bank {
    pub id: BankId,
    pub name: String,
    pub category: Option<String>,
    #[serde(skip)]
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = questions)]
pub struct QuestionRow {
    pub id: QuestionId,
    pub bank_id: BankId,
    pub external_id: Option<String>,
    pub category: String,
    pub stem_key: String,
    pub current_version: i32,
    pub retired: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = question_versions)]
pub struct VersionRow {
    pub id: VersionId,
    pub question_id: QuestionId,
    pub version: i32,
    pub qtype: String,
    pub difficulty: String,
    pub points: f64,
    pub name: Option<String>,
    pub stem: String,
    pub stem_format: String,
    pub body: String,
    pub tags: String,
    pub explanation: Option<String>,
    pub content_hash: String,
    pub quarantined: bool,
    pub quarantine_reason: Option<String>,
    pub irt_a: Option<f64>,
    pub irt_b: Option<f64>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = question_versions)]
pub struct NewVersion<'a> {
    pub question_id: QuestionId,
    pub version: i32,
    pub qtype: &'a str,
    pub difficulty: &'a str,
    pub points: f64,
    pub name: Option<&'a str>,
    pub stem: &'a str,
    pub stem_format: &'a str,
    pub body: String,
    pub tags: String,
    pub explanation: Option<&'a str>,
    pub content_hash: String,
    pub quarantined: bool,
    pub irt_a: Option<f64>,
    pub irt_b: Option<f64>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

fn format_str(f: TextFormat) -> &'static str {
    match f {
        TextFormat::Plain => "plain",
        TextFormat::Html => "html",
        TextFormat::Markdown => "markdown",
    }
}

fn parse_format(s: &str) -> TextFormat {
    match s {
        "html" => TextFormat::Html,
        "markdown" => TextFormat::Markdown,
        _ => TextFormat::Plain,
    }
}

impl<'a> NewVersion<'a> {
    pub fn from_parsed(
        q: &'a ParsedQuestion,
        question_id: QuestionId,
        version: i32,
        created_by: Option<UserId>,
        now: NaiveDateTime,
    ) -> AppResult<NewVersion<'a>> {
        let body = serde_json::to_string(&q.body).map_err(|e| AppError::Internal(format!("question body: {e}")))?;
        let tags = serde_json::to_string(&q.tags).map_err(|e| AppError::Internal(format!("question tags: {e}")))?;
        Ok(NewVersion {
            question_id,
            version,
            qtype: q.body.question_type().as_str(),
            difficulty: q.difficulty.as_str(),
            points: q.points,
            name: q.name.as_deref(),
            stem: &q.stem,
            stem_format: format_str(q.stem_format),
            body,
            tags,
            explanation: q.explanation.as_deref(),
            content_hash: super::store::content_hash(q),
            quarantined: false,
            irt_a: q.irt_a,
            irt_b: q.irt_b,
            created_by,
            created_at: now,
        })
    }
}

impl VersionRow {
    /// Back to the format-neutral shape, for exports, edits and grading.
    pub fn to_parsed(&self, question: &QuestionRow) -> AppResult<ParsedQuestion> {
        let body: QuestionBody = serde_json::from_str(&self.body)
            .map_err(|e| AppError::Internal(format!("stored body of version {}: {e}", self.id)))?;
        let tags: Vec<String> = serde_json::from_str(&self.tags).unwrap_or_default();
        Ok(ParsedQuestion {
            line: 0,
            external_id: question.external_id.clone(),
            name: self.name.clone(),
            category: (!question.category.is_empty()).then(|| question.category.clone()),
            difficulty: Difficulty::parse(&self.difficulty).unwrap_or_default(),
            points: self.points,
            tags,
            stem: self.stem.clone(),
            stem_format: parse_format(&self.stem_format),
            body,
            explanation: self.explanation.clone(),
            irt_a: self.irt_a,
            irt_b: self.irt_b,
        })
    }

    pub fn question_type(&self) -> Option<QuestionType> {
        QuestionType::parse(&self.qtype)
    }
}
