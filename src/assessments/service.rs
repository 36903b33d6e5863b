//! Creating assessments and finding what their sections may draw.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::blueprint::{Blueprint, Kind, Section};
use super::calibrated::calibrated_pools;
use super::draw::{shortfalls, Candidate};
use super::models::AssessmentRow;
use super::plan::{plan_section, unfilled, SectionPlan, Stratum};
use crate::audit::{self, Event};
use crate::banks::question::{Difficulty, QuestionBody, QuestionType};
use crate::db::schema::{assessments, attempts, banks, question_versions, questions};
use crate::db::{AssessmentId, AttemptStatus, BankId, DbConn, QuestionId, UserId, VersionId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::web::paging::{self, Page, PageQuery};

/// The current, live questions a section may draw, in question-id order.
///
/// One query shape for every section, so the statement is prepared once per
/// connection and not on every start: a section without a category matches
/// every category through `LIKE '%'`. Bodies are not read here; a start
/// reads only those of the questions it draws (`option_counts`).
pub fn pool(conn: &mut DbConn, section: &Section) -> AppResult<Vec<Candidate>> {
    let category = section
        .category
        .as_deref()
        .map(|c| c.trim_matches('/'))
        .filter(|c| !c.is_empty());
    let (exact, below) = match category {
        Some(c) => (c.to_string(), format!("{c}/%")),
        None => (String::new(), "%".to_string()),
    };
    let rows: Vec<(QuestionId, VersionId, Difficulty, QuestionType, f64)> = questions::table
        .inner_join(question_versions::table)
        .filter(questions::bank_id.eq(section.bank_id))
        .filter(questions::retired.eq(false))
        .filter(question_versions::version.eq(questions::current_version))
        .filter(question_versions::quarantined.eq(false))
        .filter(questions::category.eq(exact).or(questions::category.like(below)))
        .select((
            questions::id,
            question_versions::id,
            question_versions::difficulty,
            question_versions::qtype,
            question_versions::points,
        ))
        .order(questions::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(question_id, version_id, difficulty, qtype, points)| Candidate {
            question_id,
            version_id,
            difficulty,
            qtype,
            points,
        })
        .collect())
}

/// How many options each of these question versions shows: two for
/// true/false, none for types without options.
pub fn option_counts(conn: &mut DbConn, versions: &[VersionId]) -> AppResult<HashMap<VersionId, usize>> {
    let rows: Vec<(VersionId, String)> = question_versions::table
        .filter(question_versions::id.eq_any(versions))
        .select((question_versions::id, question_versions::body))
        .load(conn)?;
    rows.into_iter()
        .map(|(version, body)| {
            let body: QuestionBody = serde_json::from_str(&body)
                .map_err(|e| AppError::Internal(format!("body of version {version}: {e}")))?;
            let count = match body {
                QuestionBody::TrueFalse { .. } => 2,
                other => other.options().len(),
            };
            Ok((version, count))
        })
        .collect()
}

/// Every section's pool, refusing a blueprint the banks cannot fill with a
/// message naming the section and the shortfall.
pub fn pools(conn: &mut DbConn, sections: &[Section]) -> AppResult<Vec<Vec<Candidate>>> {
    let mut pools = Vec::with_capacity(sections.len());
    let mut errors = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        let field = format!("sections[{i}]");
        let bank: Option<String> = banks::table
            .find(section.bank_id)
            .select(banks::name)
            .first(conn)
            .optional()?;
        let Some(bank) = bank else {
            errors.push(ErrorDetail::field(
                &field,
                format!("Section '{}': there is no bank {}.", section.name, section.bank_id),
            ));
            pools.push(vec![]);
            continue;
        };
        let pool = pool(conn, section)?;
        let scope = section
            .category
            .as_deref()
            .map(|c| format!(" in {c}"))
            .unwrap_or_default();
        for (difficulty, need, have) in shortfalls(section, &pool) {
            let what = difficulty.map(|d| format!("{} ", d.as_str())).unwrap_or_default();
            errors.push(ErrorDetail::field(
                &field,
                format!(
                    "Section '{}' needs {need} {what}questions but '{bank}'{scope} has only {have}: {} short.",
                    section.name,
                    crate::convert::to_usize(need) - have
                ),
            ));
        }
        pools.push(pool);
    }
    if errors.is_empty() {
        Ok(pools)
    } else {
        Err(AppError::invalid(
            "The banks cannot fill this blueprint; each shortfall is listed.",
            errors,
        ))
    }
}

/// What a start draws from: the sections, their plans and their pools.
pub struct FormSource {
    pub sections: Vec<Section>,
    pub plans: Vec<SectionPlan>,
    pub pools: Vec<Vec<Candidate>>,
}

/// The sections, plans and pools a start draws from, refusing a start the
/// banks can no longer fill to the assessment's plan: a form with a
/// question missing or swapped for one of another difficulty or worth
/// would not be equal to the forms already sat.
pub fn form_source(conn: &mut DbConn, assessment: &AssessmentRow) -> AppResult<FormSource> {
    let sections = assessment.sections()?;
    let Some(plans) = assessment.form_plan.as_ref().map(|p| p.0.clone()) else {
        // Saved before plans: the plan comes from today's bank.
        let pools = pools(conn, &sections)?;
        let plans = sections.iter().zip(&pools).map(|(s, p)| plan_section(s, p)).collect();
        return Ok(FormSource { sections, plans, pools });
    };
    let mut problems = Vec::new();
    let mut all = Vec::with_capacity(sections.len());
    for (section, plan) in sections.iter().zip(&plans) {
        let pool = pool(conn, section)?;
        problems.extend(
            unfilled(section, plan, &pool)
                .into_iter()
                .map(|(s, have)| shortfall_sentence(section, &s, have)),
        );
        all.push(pool);
    }
    if !problems.is_empty() {
        return Err(AppError::conflict(
            "form_unfillable",
            format!(
                "This test cannot be started now, because every candidate must get a form worth the same points \
                 with the same mix of difficulties, and its question bank no longer has enough questions for that. {} \
                 Please tell the person running the test; they can restore those questions or save a new version of the test.",
                problems.join(" ")
            ),
        ));
    }
    Ok(FormSource {
        sections,
        plans,
        pools: all,
    })
}

/// "Section 'Numeracy' needs 3 medium questions worth 2 points; the bank has 2."
fn shortfall_sentence(section: &Section, s: &Stratum, have: usize) -> String {
    let unit = if s.points.total_cmp(&1.0).is_eq() {
        "point"
    } else {
        "points"
    };
    format!(
        "Section '{}' needs {} {} questions worth {} {unit}; the bank has {have}.",
        section.name,
        s.count,
        s.difficulty.as_str(),
        s.points
    )
}

pub fn create(conn: &mut DbConn, blueprint: &Blueprint, actor: UserId, now: NaiveDateTime) -> AppResult<AssessmentId> {
    blueprint.check()?;
    conn.transaction(|conn| {
        // An adaptive test has no fixed form to plan: its pools must be
        // calibrated instead.
        let plans = match &blueprint.adaptive {
            Some(rules) => {
                calibrated_pools(conn, &blueprint.sections, rules)?;
                None
            }
            None => {
                let pools = pools(conn, &blueprint.sections)?;
                let plans: Vec<SectionPlan> = blueprint
                    .sections
                    .iter()
                    .zip(&pools)
                    .map(|(section, pool)| plan_section(section, pool))
                    .collect();
                Some(serde_json::to_string(&plans).map_err(|e| AppError::internal("form plan", e))?)
            }
        };
        let adaptive = blueprint.adaptive.map(crate::db::Json);
        let sections = serde_json::to_string(&blueprint.sections).map_err(|e| AppError::internal("sections", e))?;
        let id: AssessmentId = diesel::insert_into(assessments::table)
            .values((
                assessments::title.eq(blueprint.title.trim()),
                assessments::kind.eq(blueprint.kind),
                assessments::sections.eq(sections),
                assessments::time_limit_minutes.eq(blueprint.time_limit_minutes),
                assessments::pass_percent.eq(blueprint.pass_percent),
                assessments::negative_marking.eq(blueprint.negative_marking),
                assessments::shuffle_questions.eq(blueprint.shuffle_questions),
                assessments::shuffle_options.eq(blueprint.shuffle_options),
                assessments::max_attempts.eq(blueprint.max_attempts),
                assessments::grace_seconds.eq(blueprint.grace_seconds),
                assessments::opens_at.eq(blueprint.opens_at.map(|t| t.naive_utc())),
                assessments::closes_at.eq(blueprint.closes_at.map(|t| t.naive_utc())),
                assessments::show_score.eq(blueprint.show_score),
                assessments::created_by.eq(Some(actor)),
                assessments::created_at.eq(now),
                assessments::form_plan.eq(plans),
                assessments::adaptive.eq(adaptive),
            ))
            .returning(assessments::id)
            .get_result(conn)?;
        let detail = format!("created {} '{}'", blueprint.kind.label(), blueprint.title.trim());
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "assessment.create",
                entity: "assessment",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(id)
    })
}

pub fn find(conn: &mut DbConn, id: AssessmentId) -> AppResult<AssessmentRow> {
    assessments::table
        .find(id)
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no assessment {id}.")))
}

pub fn list(conn: &mut DbConn) -> AppResult<Vec<AssessmentRow>> {
    Ok(assessments::table
        .select(AssessmentRow::as_select())
        .order(assessments::id.desc())
        .load(conn)?)
}

pub fn bank_names(conn: &mut DbConn) -> AppResult<Vec<(BankId, String)>> {
    Ok(banks::table
        .select((banks::id, banks::name))
        .order(banks::name.asc())
        .load(conn)?)
}

/// A page of assessments, newest first: those before `before`, at most `limit`.
pub fn page(conn: &mut DbConn, before: Option<AssessmentId>, limit: i64) -> AppResult<Vec<AssessmentRow>> {
    let mut query = assessments::table
        .select(AssessmentRow::as_select())
        .order(assessments::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(assessments::id.lt(before));
    }
    Ok(query.load(conn)?)
}

/// A page of assessments for the API, newest first, of one kind or all.
pub fn api_page(
    conn: &mut DbConn,
    kind: Option<Kind>,
    page: &PageQuery,
) -> AppResult<Page<AssessmentRow, AssessmentId>> {
    let size = page.size();
    let mut query = assessments::table
        .select(AssessmentRow::as_select())
        .order(assessments::id.desc())
        .limit(paging::fetch(size))
        .into_boxed();
    if let Some(before) = page.after_id()? {
        query = query.filter(assessments::id.lt(AssessmentId(before)));
    }
    if let Some(kind) = kind {
        query = query.filter(assessments::kind.eq(kind));
    }
    Ok(Page::cut(query.load(conn)?, size, |a| a.id))
}

/// How many attempts of an assessment are in each state.
#[derive(Debug, Default, Clone, Copy)]
pub struct StatusCounts {
    pub open: i64,
    pub awaiting_marking: i64,
    pub graded: i64,
}

pub fn status_counts(conn: &mut DbConn, assessment_id: AssessmentId) -> AppResult<StatusCounts> {
    let rows: Vec<(AttemptStatus, i64)> = attempts::table
        .filter(attempts::assessment_id.eq(assessment_id))
        .group_by(attempts::status)
        .select((attempts::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts = StatusCounts::default();
    for (status, n) in rows {
        match status {
            AttemptStatus::Open => counts.open += n,
            AttemptStatus::AwaitingMarking => counts.awaiting_marking += n,
            AttemptStatus::Graded => counts.graded += n,
        }
    }
    Ok(counts)
}
