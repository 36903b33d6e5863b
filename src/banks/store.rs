//! Writing banks: the import plan (what a file would create, update or leave
//! unchanged) and applying it in one transaction, so a bad file writes
//! nothing.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::images;
use super::models::{NewVersion, QuestionRow};
use super::question::{Diagnostic, ParsedQuestion};
use crate::db::schema::{banks, question_versions, questions};
use crate::db::{BankId, DbConn, QuestionId, UserId, VersionId};
use crate::error::{AppError, AppResult};
use crate::tokens::to_hex;

/// Trimmed, case-folded, white space collapsed: how stems without an
/// external id are recognised again on re-import.
pub fn normalise_stem(stem: &str) -> String {
    stem.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A fingerprint of everything a version holds, so an unchanged re-import
/// makes no version. The external id and category identify the question and
/// are not part of it.
///
/// A stored image an export embedded as a `<file>` counts as the image's
/// address it came from (`images::moodle::unembedded`), so exporting to
/// Moodle XML and importing again is no change.
pub fn content_hash(q: &ParsedQuestion) -> String {
    let q = &*images::moodle::unembedded(q);
    let mut canonical = serde_json::json!({
        "name": q.name,
        "difficulty": q.difficulty,
        "points": q.points,
        "tags": q.tags,
        "stem": q.stem,
        "stem_format": q.stem_format,
        "body": q.body,
        "explanation": q.explanation,
    });
    // Only when present, so versions stored before extras existed keep
    // their hash and an unchanged re-import stays unchanged.
    if !q.extras.is_empty() {
        if let serde_json::Value::Object(map) = &mut canonical {
            map.insert("extras".to_owned(), serde_json::json!(q.extras));
        }
    }
    // Parameters are part of a version, but only added to the fingerprint
    // when present so versions stored before they existed keep their hash.
    if let (Some(a), Some(b), serde_json::Value::Object(map)) = (q.irt_a, q.irt_b, &mut canonical) {
        map.insert("irt".to_owned(), serde_json::json!([a, b]));
    }
    to_hex(&Sha256::digest(canonical.to_string().as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Create,
    Update,
    Unchanged,
}

/// What importing a file would do, question by question.
#[derive(Debug, Default, Serialize)]
pub struct Plan {
    pub bank_id: Option<BankId>,
    pub steps: Vec<(Change, Option<QuestionId>, i32)>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

struct Existing {
    id: QuestionId,
    version: i32,
    hash: String,
}

fn category_of(q: &ParsedQuestion, bank_category: Option<&str>) -> String {
    q.category
        .clone()
        .or_else(|| bank_category.map(String::from))
        .unwrap_or_default()
}

/// Compares a file's questions with what the bank holds. Reads only.
pub fn plan(
    conn: &mut DbConn,
    bank_name: &str,
    bank_category: Option<&str>,
    parsed: &[ParsedQuestion],
) -> AppResult<Plan> {
    let bank_id: Option<BankId> = banks::table
        .filter(banks::name.eq(bank_name))
        .select(banks::id)
        .first(conn)
        .optional()?;
    let mut by_external: HashMap<String, Existing> = HashMap::new();
    // Questions without an id are known by category and text; a bank may
    // hold several with the same text ("Which of the following…"), so each
    // key keeps its questions in id order and the n-th such question of a
    // file is the n-th of the bank.
    let mut by_stem: HashMap<(String, String), Vec<Existing>> = HashMap::new();
    if let Some(bank_id) = bank_id {
        let rows: Vec<(QuestionRow, String)> = questions::table
            .inner_join(question_versions::table)
            .filter(questions::bank_id.eq(bank_id))
            .filter(question_versions::version.eq(questions::current_version))
            .select((QuestionRow::as_select(), question_versions::content_hash))
            .order(questions::id.asc())
            .load(conn)?;
        for (q, hash) in rows {
            let existing = Existing {
                id: q.id,
                version: q.current_version,
                hash,
            };
            match q.external_id {
                Some(ext) => {
                    by_external.insert(ext, existing);
                }
                None => by_stem.entry((q.category, q.stem_key)).or_default().push(existing),
            }
        }
    }
    let mut plan = Plan {
        bank_id,
        ..Plan::default()
    };
    let mut occurrences: HashMap<(String, String), usize> = HashMap::new();
    for q in parsed {
        let found = match &q.external_id {
            Some(ext) => by_external.get(ext),
            None => {
                let key = (category_of(q, bank_category), normalise_stem(&q.stem));
                let seen = occurrences.entry(key.clone()).or_default();
                let found = by_stem.get(&key).and_then(|same| same.get(*seen));
                *seen += 1;
                found
            }
        };
        let step = match found {
            None => (Change::Create, None, 1),
            Some(e) if e.hash == content_hash(q) => (Change::Unchanged, Some(e.id), e.version),
            Some(e) => (Change::Update, Some(e.id), e.version + 1),
        };
        match step.0 {
            Change::Create => plan.created += 1,
            Change::Update => plan.updated += 1,
            Change::Unchanged => plan.unchanged += 1,
        }
        plan.steps.push(step);
    }
    Ok(plan)
}

/// Finds questions that appear twice in one file. The same id twice is an
/// error: the second would silently overwrite the first. The same text in
/// the same category is normal in real banks ("Which of the following…"),
/// so both are kept and the trainer only hears of it.
pub fn duplicates_in_file(parsed: &[ParsedQuestion], bank_category: Option<&str>) -> Vec<Diagnostic> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    for q in parsed {
        let key = match &q.external_id {
            Some(ext) => format!("id {ext}"),
            None => format!("stem {}|{}", category_of(q, bank_category), normalise_stem(&q.stem)),
        };
        match (seen.get(&key), &q.external_id) {
            (Some(first), Some(ext)) => problems.push(Diagnostic::error(
                q.line,
                format!("this question repeats the id '{ext}' first seen on line {first}; keep one"),
            )),
            (Some(first), None) => problems.push(Diagnostic::warning(
                q.line,
                format!(
                    "this question has the same text in the same category as the one on line {first}; \
                     both are kept as separate questions"
                ),
            )),
            (None, _) => {
                seen.insert(key, q.line);
            }
        }
    }
    problems
}

pub fn find_or_create_bank(
    conn: &mut DbConn,
    name: &str,
    category: Option<&str>,
    actor: Option<UserId>,
    now: NaiveDateTime,
) -> AppResult<BankId> {
    if let Some(id) = banks::table
        .filter(banks::name.eq(name))
        .select(banks::id)
        .first(conn)
        .optional()?
    {
        diesel::update(banks::table.find(id))
            .set(banks::updated_at.eq(now))
            .execute(conn)?;
        return Ok(id);
    }
    Ok(diesel::insert_into(banks::table)
        .values((
            banks::name.eq(name),
            banks::category.eq(category),
            banks::created_by.eq(actor),
            banks::created_at.eq(now),
            banks::updated_at.eq(now),
        ))
        .returning(banks::id)
        .get_result(conn)?)
}

/// Where and by whom a plan is written.
pub struct Target<'a> {
    pub bank_id: BankId,
    pub bank_category: Option<&'a str>,
    pub actor: Option<UserId>,
    pub now: NaiveDateTime,
}

/// Writes a plan. Call inside a transaction with the plan just computed.
pub fn apply(
    conn: &mut DbConn,
    target: &Target<'_>,
    parsed: &[ParsedQuestion],
    plan: &Plan,
    progress: &dyn Fn(usize),
) -> AppResult<()> {
    let Target {
        bank_id: _,
        bank_category,
        actor,
        now,
    } = *target;
    for (i, (q, (change, existing, version))) in parsed.iter().zip(&plan.steps).enumerate() {
        match (change, existing) {
            (Change::Unchanged, _) => {}
            (Change::Create, _) => {
                create_question(conn, target, q)?;
            }
            (Change::Update, Some(id)) => add_version(conn, *id, *version, q, bank_category, actor, now)?,
            (Change::Update, None) => return Err(AppError::Internal("an update step without a question".into())),
        }
        if i % 1000 == 999 {
            progress(i + 1);
        }
    }
    progress(parsed.len());
    Ok(())
}

/// Adds a new question with `q` as its first version.
pub fn create_question(conn: &mut DbConn, target: &Target<'_>, q: &ParsedQuestion) -> AppResult<QuestionId> {
    let id: QuestionId = diesel::insert_into(questions::table)
        .values((
            questions::bank_id.eq(target.bank_id),
            questions::external_id.eq(q.external_id.as_deref()),
            questions::category.eq(category_of(q, target.bank_category)),
            questions::stem_key.eq(normalise_stem(&q.stem)),
            questions::current_version.eq(1),
            questions::retired.eq(false),
            questions::created_at.eq(target.now),
        ))
        .returning(questions::id)
        .get_result(conn)?;
    insert_version(conn, q, id, 1, target.actor, target.now)?;
    Ok(id)
}

/// Adds version `version` of a question and makes it current.
pub fn add_version(
    conn: &mut DbConn,
    id: QuestionId,
    version: i32,
    q: &ParsedQuestion,
    bank_category: Option<&str>,
    actor: Option<UserId>,
    now: NaiveDateTime,
) -> AppResult<()> {
    insert_version(conn, q, id, version, actor, now)?;
    diesel::update(questions::table.find(id))
        .set((
            questions::current_version.eq(version),
            questions::category.eq(category_of(q, bank_category)),
            questions::stem_key.eq(normalise_stem(&q.stem)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Inserts one version; when its texts show images, stores the ones it
/// embeds and links it to every image it shows (`images::store::attach`).
fn insert_version(
    conn: &mut DbConn,
    q: &ParsedQuestion,
    id: QuestionId,
    version: i32,
    actor: Option<UserId>,
    now: NaiveDateTime,
) -> AppResult<()> {
    let new = NewVersion::from_parsed(q, id, version, actor, now)?;
    let rendered = new
        .rendered
        .as_ref()
        .filter(|r| !images::embedded_files(&q.extras).is_empty() || !r.0.images().is_empty())
        .map(|r| r.0.clone());
    let Some(rendered) = rendered else {
        diesel::insert_into(question_versions::table)
            .values(new)
            .execute(conn)?;
        return Ok(());
    };
    let version_id: VersionId = diesel::insert_into(question_versions::table)
        .values(new)
        .returning(question_versions::id)
        .get_result(conn)?;
    images::store::attach(conn, version_id, q, &rendered, actor, now)
}
