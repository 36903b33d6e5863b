use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::question::{Difficulty, ParsedQuestion, QuestionBody, QuestionExtras, QuestionType, TextFormat};
use super::rendered::RenderedQuestion;
use crate::db::schema::{banks, question_versions, questions};
use crate::db::{BankId, Json, QuestionId, UserId, VersionId};
use crate::error::{AppError, AppResult};

/// A question bank.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = banks)]
#[schema(example = json!({"id": 7, "name": "Motor insurance claims", "category": "Insurance/Motor", "created_at": "2026-11-20T06:30:00", "updated_at": "2026-12-04T11:45:00"}))]
pub struct Bank {
    pub id: BankId,
    pub name: String,
    pub category: Option<String>,
    #[serde(skip)]
    pub created_by: Option<UserId>,
    /// UTC, without a zone.
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
    /// UTC, without a zone.
    #[schema(value_type = String)]
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
    pub qtype: QuestionType,
    pub difficulty: Difficulty,
    pub points: f64,
    pub name: Option<String>,
    pub stem: String,
    pub stem_format: TextFormat,
    pub body: String,
    pub tags: Json<Vec<String>>,
    pub explanation: Option<String>,
    pub content_hash: String,
    pub quarantined: bool,
    pub quarantine_reason: Option<String>,
    pub irt_a: Option<f64>,
    pub irt_b: Option<f64>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub rendered: Option<Json<RenderedQuestion>>,
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
    pub rendered: Option<Json<RenderedQuestion>>,
}

fn format_str(f: TextFormat) -> &'static str {
    f.as_str()
}

// The format-neutral enums are pure; here they become the columns they are kept in.
crate::db::text_column!(QuestionType, Difficulty, TextFormat);

/// The stored body: the body's own JSON, with the question's extras (when it
/// has any) under `"extras"`. Readers of the body alone ignore that key, so
/// grading and reports need not know about it.
pub fn body_json(body: &QuestionBody, extras: &QuestionExtras) -> AppResult<String> {
    if extras.is_empty() {
        return serde_json::to_string(body).map_err(|e| AppError::internal("question body", e));
    }
    let mut value = serde_json::to_value(body).map_err(|e| AppError::internal("question body", e))?;
    let extras = serde_json::to_value(extras).map_err(|e| AppError::internal("question extras", e))?;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("extras".to_owned(), extras);
    }
    Ok(value.to_string())
}

/// Reads what `body_json` wrote; a body stored before extras existed has
/// none.
pub fn parse_body(stored: &str) -> Result<(QuestionBody, QuestionExtras), serde_json::Error> {
    let value: serde_json::Value = serde_json::from_str(stored)?;
    let extras = match value.get("extras") {
        Some(extras) => serde_json::from_value(extras.clone())?,
        None => QuestionExtras::default(),
    };
    Ok((serde_json::from_value(value)?, extras))
}

impl<'a> NewVersion<'a> {
    pub fn from_parsed(
        q: &'a ParsedQuestion,
        question_id: QuestionId,
        version: i32,
        created_by: Option<UserId>,
        now: NaiveDateTime,
    ) -> AppResult<NewVersion<'a>> {
        let body = body_json(&q.body, &q.extras)?;
        let tags = serde_json::to_string(&q.tags).map_err(|e| AppError::internal("question tags", e))?;
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
            rendered: Some(Json(RenderedQuestion::of(q))),
        })
    }
}

impl VersionRow {
    /// Back to the format-neutral shape, for exports, edits and grading.
    pub fn to_parsed(&self, question: &QuestionRow) -> AppResult<ParsedQuestion> {
        let (body, extras) =
            parse_body(&self.body).map_err(|e| AppError::internal(format!("stored body of version {}", self.id), e))?;
        let tags = self.tags.0.clone();
        Ok(ParsedQuestion {
            line: 0,
            external_id: question.external_id.clone(),
            name: self.name.clone(),
            category: (!question.category.is_empty()).then(|| question.category.clone()),
            difficulty: self.difficulty,
            points: self.points,
            tags,
            stem: self.stem.clone(),
            stem_format: self.stem_format,
            body,
            explanation: self.explanation.clone(),
            extras,
            irt_a: self.irt_a,
            irt_b: self.irt_b,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banks::question::RichText;

    #[test]
    fn bodies_stored_before_extras_existed_still_load_without_extras() {
        let stored = r#"{"type":"true_false","answer":true}"#;
        let (body, extras) = parse_body(stored).unwrap();
        assert_eq!(body, QuestionBody::TrueFalse { answer: true });
        assert!(extras.is_empty());
        // And a question without extras is stored exactly as before.
        assert_eq!(body_json(&body, &extras).unwrap(), stored);
    }

    #[test]
    fn extras_ride_in_the_body_and_readers_of_the_body_alone_ignore_them() {
        let extras = QuestionExtras {
            grader_info: Some(RichText {
                text: "Look for debits.".into(),
                ..RichText::default()
            }),
            ..QuestionExtras::default()
        };
        let stored = body_json(&QuestionBody::Essay, &extras).unwrap();
        assert_eq!(parse_body(&stored).unwrap(), (QuestionBody::Essay, extras));
        // Grading and reports read the column as a plain body.
        let plain: QuestionBody = serde_json::from_str(&stored).unwrap();
        assert_eq!(plain, QuestionBody::Essay);
    }
}
