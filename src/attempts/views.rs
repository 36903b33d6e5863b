//! What a test shows: the attempt for its owner or staff, its questions as
//! the candidate sees them (from the renderings stored at import), and the
//! answers saved so far, for resuming.

use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::models::{AttemptRow, ItemRow};
use crate::banks::models::{QuestionRow, VersionRow};
use crate::banks::question::{QuestionBody, QuestionType};
use crate::banks::rendered::RenderedQuestion;
use crate::db::schema::{attempt_items, attempts, question_versions, questions, responses};
use crate::db::{AttemptId, AttemptStatus, DbConn, Json, QuestionId};
use crate::error::{AppError, AppResult};
use crate::identity::User;

/// Loads an attempt for its owner or staff; anyone else gets 404, so attempt
/// ids reveal nothing.
pub fn find_for(conn: &mut DbConn, id: AttemptId, user: &User) -> AppResult<AttemptRow> {
    let attempt = attempts::table
        .find(id)
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?;
    match attempt {
        Some(a) if a.user_id == user.id || user.is_staff() => Ok(a),
        _ => Err(AppError::NotFound(format!("There is no attempt {id} of yours."))),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OptionView {
    pub id: usize,
    /// The option as plain text.
    pub text: String,
    /// The option as sanitised HTML (tables, MathML), safe to insert.
    pub html: String,
}

/// A question as the candidate sees it: no key, no credit, no explanation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 412, "type": "single_choice", "section": "Insurance basics",
    "stem": "A term policy pays out only if the insured dies within the term. What is such a policy called?",
    "stem_html": "<p>A term policy pays out only if the insured dies within the term. What is such a policy called?</p>",
    "points": 1.0, "options": [{"id": 0, "text": "Pure protection", "html": "Pure protection"},
    {"id": 1, "text": "Endowment", "html": "Endowment"}, {"id": 2, "text": "Unit-linked", "html": "Unit-linked"},
    {"id": 3, "text": "Annuity", "html": "Annuity"}]}))]
pub struct QuestionView {
    pub id: QuestionId,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub qtype: QuestionType,
    pub section: String,
    /// The stem as plain text, TeX as written.
    pub stem: String,
    /// The stem as sanitised HTML (tables, MathML), safe to insert.
    pub stem_html: String,
    pub points: f64,
    pub options: Vec<OptionView>,
}

pub fn items(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<ItemRow>> {
    Ok(attempt_items::table
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .select(ItemRow::as_select())
        .order(attempt_items::position.asc())
        .load(conn)?)
}

/// The form's items with their question bodies and their text as shown.
pub fn items_with_bodies(
    conn: &mut DbConn,
    attempt_id: AttemptId,
) -> AppResult<Vec<(ItemRow, RenderedQuestion, QuestionBody)>> {
    let rows: Vec<(ItemRow, QuestionRow, VersionRow)> = attempt_items::table
        .inner_join(question_versions::table.inner_join(questions::table))
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .select((ItemRow::as_select(), QuestionRow::as_select(), VersionRow::as_select()))
        .order(attempt_items::position.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(item, question, version)| {
            let body: QuestionBody = serde_json::from_str(&version.body)
                .map_err(|e| AppError::internal(format!("body of version {}", item.version_id), e))?;
            Ok((item, version.into_rendered(&question)?, body))
        })
        .collect()
}

/// The questions the person may see: the whole form, or, while an adaptive
/// attempt is open, only the question being answered (no going back).
///
/// Every start and every page of the test reads this, so it reads only the
/// form's items and each version's stored rendering: no question body, no
/// key, nothing to parse but the text shown. A version stored before
/// renderings were (the server fills those in at start-up) is rendered from
/// its body instead.
pub fn question_views(conn: &mut DbConn, attempt: &AttemptRow) -> AppResult<Vec<QuestionView>> {
    let only_current = attempt.is_adaptive() && attempt.status == AttemptStatus::Open;
    let rows: Vec<(ItemRow, Option<Json<RenderedQuestion>>)> = attempt_items::table
        .inner_join(question_versions::table)
        .filter(attempt_items::attempt_id.eq(attempt.id))
        .select((ItemRow::as_select(), question_versions::rendered))
        .order(attempt_items::position.asc())
        .load(conn)?;
    let shown = |item: &ItemRow| !only_current || item.score.is_none();
    if rows.iter().any(|(_, rendered)| rendered.is_none()) {
        return Ok(items_with_bodies(conn, attempt.id)?
            .into_iter()
            .filter(|(item, _, _)| shown(item))
            .map(|(item, rendered, _)| question_view(item, rendered))
            .collect());
    }
    Ok(rows
        .into_iter()
        .filter(|(item, _)| shown(item))
        .map(|(item, rendered)| question_view(item, rendered.map(Json::into_inner).unwrap_or_default()))
        .collect())
}

/// One item as the candidate sees it, its options in the form's order.
fn question_view(item: ItemRow, rendered: RenderedQuestion) -> QuestionView {
    let options = if item.qtype == QuestionType::TrueFalse {
        ["True", "False"]
            .into_iter()
            .enumerate()
            .map(|(id, word)| OptionView {
                id,
                text: word.into(),
                html: word.into(),
            })
            .collect()
    } else {
        // Each option is moved out of the rendering once, not copied.
        let mut texts: Vec<Option<crate::content::Rich>> = rendered.options.into_iter().map(Some).collect();
        item.option_order
            .iter()
            .enumerate()
            .filter_map(|(id, original)| {
                texts.get_mut(*original).and_then(Option::take).map(|shown| OptionView {
                    id,
                    text: shown.text,
                    html: shown.html,
                })
            })
            .collect()
    };
    QuestionView {
        id: item.question_id,
        qtype: item.qtype,
        section: item.section,
        stem: rendered.stem.text,
        stem_html: rendered.stem.html,
        points: item.points,
        options,
    }
}

/// Saved answers by question, for resuming.
pub fn saved_answers(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<(QuestionId, Value, i64)>> {
    let rows: Vec<(QuestionId, Json<Value>, i64)> = responses::table
        .filter(responses::attempt_id.eq(attempt_id))
        .select((responses::question_id, responses::answer, responses::seq))
        .order(responses::question_id.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(|(q, a, s)| (q, a.into_inner(), s)).collect())
}
