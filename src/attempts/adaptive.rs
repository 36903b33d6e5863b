//! Adaptive attempts on the server, with the engine `assay irt simulate`
//! runs (`crate::irt::cat`): the first question at the start, then after
//! each answer its score, the new θ and SE, and either the next question
//! (maximum information at θ, content balance, exposure cap) or the end.
//!
//! Nothing of the engine's state is kept but the attempt's items and their
//! scores: θ is replayed from them on every request, so a reload or a
//! restart mid-test resumes exactly where it was. θ and SE are also written
//! to the attempt after each answer for staff and routing to read.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::grading::{self, Totals};
use super::models::AttemptRow;
use super::scoring::{self, Answer, ItemScore};
use super::views::{items_with_bodies, saved_answers};
use crate::assessments::calibrated::{calibrated_pools, Calibrated};
use crate::assessments::draw::Item;
use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::banks::question::QuestionType;
use crate::convert::{count_f64, to_i32, to_usize};
use crate::db::schema::{attempt_items, attempts};
use crate::db::{AdaptiveStop, AssessmentId, AttemptId, AttemptStatus, DbConn, QuestionId, UserId};
use crate::error::{AppError, AppResult};
use crate::events::Effects;
use crate::irt::cat::{next_item, stop_reason, CatState, Estimate, Exposure, PoolItem, Rules, StopReason};

/// θ and SE before any answer: the N(0, 1) prior on the engine's grid.
pub fn prior() -> Option<Estimate> {
    Some(CatState::new().estimate())
}

/// An adaptive assessment's pool and rules as the engine takes them.
pub struct Engine {
    pool: Vec<Calibrated>,
    items: Vec<PoolItem>,
    rules: Rules,
}

impl Engine {
    /// `None` for a fixed form.
    pub fn load(conn: &mut DbConn, assessment: &AssessmentRow) -> AppResult<Option<Engine>> {
        let Some(adaptive) = assessment.adaptive() else {
            return Ok(None);
        };
        let sections = assessment.sections()?;
        let pool = calibrated_pools(conn, &sections, &adaptive)?;
        let items = pool
            .iter()
            .map(|c| PoolItem {
                id: c.candidate.question_id.to_string(),
                section: c.section.clone(),
                a: c.a,
                b: c.b,
            })
            .collect();
        let rules = Rules {
            min_len: to_usize(adaptive.min_length),
            max_len: to_usize(adaptive.max_length),
            se_target: adaptive.se_target,
            randomesque: to_usize(adaptive.randomesque),
            exposure_cap: Some(adaptive.exposure_cap),
            sections: sections.iter().map(|s| (s.name.clone(), f64::from(s.count))).collect(),
        };
        Ok(Some(Engine { pool, items, rules }))
    }

    fn index(&self, question: QuestionId) -> Option<usize> {
        self.pool.iter().position(|c| c.candidate.question_id == question)
    }

    /// The engine's state after these answers (right or not), in order.
    fn replay(&self, answered: &[(QuestionId, bool)]) -> CatState {
        let mut state = CatState::new();
        for (question, right) in answered {
            if let Some(j) = self.index(*question) {
                state.record(&self.items, j, *right);
            }
        }
        state
    }

    /// The share of the whole pool a candidate of ability θ is expected to
    /// answer right, in percent: what a fixed form's percent would be had
    /// they taken every question.
    pub fn percent_equivalent(&self, theta: f64) -> f64 {
        let sum: f64 = self.items.iter().map(|it| it.probability(theta)).sum();
        grading::percent(sum, count_f64(self.items.len()))
    }

    /// How often each pool question has been shown across this
    /// assessment's attempts; `starting` counts a candidate not yet stored.
    fn exposure(&self, conn: &mut DbConn, assessment_id: AssessmentId, starting: bool) -> AppResult<Exposure> {
        let candidates: i64 = attempts::table
            .filter(attempts::assessment_id.eq(assessment_id))
            .count()
            .get_result(conn)?;
        let shown: Vec<(QuestionId, i64)> = attempt_items::table
            .inner_join(attempts::table)
            .filter(attempts::assessment_id.eq(assessment_id))
            .group_by(attempt_items::question_id)
            .select((attempt_items::question_id, diesel::dsl::count_star()))
            .load(conn)?;
        let mut exposure = Exposure::new(self.items.len());
        exposure.candidates = to_usize(candidates) + usize::from(starting);
        for (question, n) in shown {
            if let Some(slot) = self.index(question).and_then(|j| exposure.shown.get_mut(j)) {
                *slot = to_usize(n);
            }
        }
        Ok(exposure)
    }

    /// The next question for this state, as a slot of the form.
    fn choose(
        &self,
        conn: &mut DbConn,
        assessment: &AssessmentRow,
        state: &CatState,
        starting: bool,
    ) -> AppResult<Option<Item>> {
        let exposure = self.exposure(conn, assessment.id, starting)?;
        let Some(chosen) =
            next_item(&self.items, &self.rules, state, &exposure, rand::random::<f64>()).and_then(|j| self.pool.get(j))
        else {
            return Ok(None);
        };
        let sections = assessment.sections()?;
        let section = sections.iter().find(|s| s.name == chosen.section);
        let slot = state
            .given
            .iter()
            .filter(|j| self.items.get(**j).is_some_and(|it| it.section == chosen.section))
            .count();
        let c = &chosen.candidate;
        let counts = assessments::option_counts(conn, &[c.version_id])?;
        let mut option_order: Vec<usize> = (0..counts.get(&c.version_id).copied().unwrap_or(0)).collect();
        if assessment.shuffle_options && c.qtype != QuestionType::TrueFalse {
            option_order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(rand::random::<u64>()));
        }
        Ok(Some(Item {
            section: chosen.section.clone(),
            slot: to_i32(slot),
            question_id: c.question_id,
            version_id: c.version_id,
            qtype: c.qtype,
            points: section.and_then(|s| s.points_each).unwrap_or(c.points),
            option_order,
        }))
    }
}

/// The form an adaptive attempt starts with: its first question, the most
/// informative at the prior's θ = 0 (among the exposure-capped choices).
pub fn first_items(conn: &mut DbConn, assessment: &AssessmentRow) -> AppResult<Vec<Item>> {
    let engine = Engine::load(conn, assessment)?
        .ok_or_else(|| AppError::Internal(format!("assessment {} is not adaptive", assessment.id)))?;
    Ok(engine
        .choose(conn, assessment, &CatState::new(), true)?
        .into_iter()
        .collect())
}

/// The questions answered so far, in order, and whether each earned full
/// credit: the engine dichotomises partial credit at full credit. A
/// question shown but left unanswered when time ran out counts neither way.
fn answered(conn: &mut DbConn, attempt_id: AttemptId) -> AppResult<Vec<(QuestionId, bool)>> {
    let given: HashMap<QuestionId, serde_json::Value> = saved_answers(conn, attempt_id)?
        .into_iter()
        .map(|(q, a, _)| (q, a))
        .collect();
    Ok(super::views::items(conn, attempt_id)?
        .into_iter()
        .filter(|item| {
            let order = item.option_order();
            given
                .get(&item.question_id)
                .and_then(|v| Answer::parse(item.qtype, v, order.len()).ok().flatten())
                .is_some_and(|a| !a.is_blank())
        })
        .filter_map(|item| item.score.map(|s| (item.question_id, s + 1e-9 >= item.points)))
        .collect())
}

/// What one press of "next" did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Advanced {
    /// The question to answer now.
    Next(QuestionId),
    /// The test is over and graded (or waiting for nothing but the result).
    Finished,
}

/// Locks the attempt's row on PostgreSQL against a second "next" at once;
/// SQLite's write transaction already runs alone.
fn lock(conn: &mut DbConn, id: AttemptId) -> AppResult<()> {
    if let DbConn::Postgres(c) = conn {
        attempts::table
            .find(id)
            .select(attempts::id)
            .for_update()
            .load::<AttemptId>(c)?;
    }
    Ok(())
}

/// Makes the saved answer to `question` final, updates θ and SE, and gives
/// the next question or ends the test. Pressing twice for one question (two
/// tabs, a double click) gives the same next question, not two.
pub fn advance(
    conn: &mut DbConn,
    id: AttemptId,
    user_id: UserId,
    question: QuestionId,
    now: NaiveDateTime,
    effects: &Effects,
) -> AppResult<Advanced> {
    conn.transaction(|conn| {
        lock(conn, id)?;
        let attempt: AttemptRow = attempts::table
            .find(id)
            .select(AttemptRow::as_select())
            .first(conn)
            .optional()?
            .filter(|a| a.user_id == user_id)
            .ok_or_else(|| AppError::NotFound(format!("There is no attempt {id} of yours.")))?;
        if attempt.status != AttemptStatus::Open {
            return Ok(Advanced::Finished);
        }
        if !attempt.is_adaptive() {
            return Err(AppError::conflict(
                "not_adaptive",
                "This test is not adaptive: save answers and submit it instead.",
            ));
        }
        let assessment = assessments::find(conn, attempt.assessment_id)?;
        if now > attempt.deadline + Duration::seconds(i64::from(assessment.grace_seconds)) {
            grading::grade(conn, id, now, effects)?;
            return Ok(Advanced::Finished);
        }
        score_current(conn, &attempt, question)?;
        next_or_end(conn, &attempt, &assessment, now, effects)
    })
}

/// Scores the question being answered, which must be `question`; a
/// question already answered is a repeat press and changes nothing.
fn score_current(conn: &mut DbConn, attempt: &AttemptRow, question: QuestionId) -> AppResult<()> {
    let items = items_with_bodies(conn, attempt.id)?;
    let Some((item, _, body)) = items.iter().find(|(i, _, _)| i.question_id == question) else {
        return Err(AppError::NotFound(format!(
            "Attempt {} of yours has no question {question}.",
            attempt.id
        )));
    };
    if item.score.is_some() {
        return Ok(());
    }
    let order = item.option_order();
    let saved = saved_answers(conn, attempt.id)?
        .into_iter()
        .find(|(q, _, _)| *q == question)
        .and_then(|(_, v, _)| Answer::parse(item.qtype, &v, order.len()).ok().flatten())
        .filter(|a| !a.is_blank());
    let Some(answer) = saved else {
        return Err(AppError::invalid_field(
            "answer",
            "Answer this question before going on: an adaptive test chooses the next question from this answer.",
        ));
    };
    // Negative marking has no place here: θ, not a sum, is the result.
    let score = match scoring::score(body, &order, Some(&answer), item.points, 0.0) {
        ItemScore::Scored(s) => s,
        ItemScore::Manual => 0.0,
    };
    diesel::update(attempt_items::table.find(item.id))
        .set(attempt_items::score.eq(Some(score)))
        .execute(conn)?;
    Ok(())
}

/// After an answer: the new θ and SE, then the next question or the end.
fn next_or_end(
    conn: &mut DbConn,
    attempt: &AttemptRow,
    assessment: &AssessmentRow,
    now: NaiveDateTime,
    effects: &Effects,
) -> AppResult<Advanced> {
    let engine = Engine::load(conn, assessment)?
        .ok_or_else(|| AppError::Internal(format!("assessment {} is not adaptive", assessment.id)))?;
    let items = super::views::items(conn, attempt.id)?;
    if let Some(open) = items.iter().find(|i| i.score.is_none()) {
        return Ok(Advanced::Next(open.question_id));
    }
    let state = engine.replay(&answered(conn, attempt.id)?);
    let estimate = state.estimate();
    diesel::update(attempts::table.find(attempt.id))
        .set((
            attempts::theta.eq(Some(estimate.theta)),
            attempts::theta_se.eq(Some(estimate.se)),
        ))
        .execute(conn)?;
    let stop = match stop_reason(&engine.rules, &state) {
        Some(reason) => Some(reason),
        None => match engine.choose(conn, assessment, &state, false)? {
            Some(item) => {
                insert_item(conn, attempt.id, items.len(), &item)?;
                return Ok(Advanced::Next(item.question_id));
            }
            None => Some(StopReason::PoolExhausted),
        },
    };
    let stored = match stop {
        Some(StopReason::Precision) => AdaptiveStop::Precision,
        Some(StopReason::MaxLength) => AdaptiveStop::MaxLength,
        Some(StopReason::PoolExhausted) | None => AdaptiveStop::PoolExhausted,
    };
    diesel::update(attempts::table.find(attempt.id))
        .set(attempts::adaptive_stop.eq(Some(stored)))
        .execute(conn)?;
    grading::grade(conn, attempt.id, now, effects)?;
    Ok(Advanced::Finished)
}

fn insert_item(conn: &mut DbConn, attempt_id: AttemptId, position: usize, item: &Item) -> AppResult<()> {
    let order = serde_json::to_string(&item.option_order).map_err(|e| AppError::internal("option order", e))?;
    diesel::insert_into(attempt_items::table)
        .values((
            attempt_items::attempt_id.eq(attempt_id),
            attempt_items::position.eq(to_i32(position)),
            attempt_items::section.eq(item.section.clone()),
            attempt_items::slot.eq(item.slot),
            attempt_items::question_id.eq(item.question_id),
            attempt_items::version_id.eq(item.version_id),
            attempt_items::qtype.eq(item.qtype),
            attempt_items::points.eq(item.points),
            attempt_items::option_order.eq(order),
        ))
        .execute(conn)?;
    Ok(())
}

/// An adaptive attempt's final result: θ and SE from every answer given,
/// the percent-equivalent as its percent (of 100) and the pass mark applied
/// to it. `None` for a fixed form.
pub fn final_totals(
    conn: &mut DbConn,
    attempt: &AttemptRow,
    assessment: &AssessmentRow,
) -> AppResult<Option<(Totals, Estimate)>> {
    if !attempt.is_adaptive() {
        return Ok(None);
    }
    let Some(engine) = Engine::load(conn, assessment)? else {
        return Ok(None);
    };
    let estimate = engine.replay(&answered(conn, attempt.id)?).estimate();
    let pct = engine.percent_equivalent(estimate.theta);
    let scores: Vec<(String, Option<f64>, f64)> = attempt_items::table
        .filter(attempt_items::attempt_id.eq(attempt.id))
        .select((attempt_items::section, attempt_items::score, attempt_items::points))
        .load(conn)?;
    let totals = Totals {
        scores,
        total: pct,
        max: 100.0,
        percent: pct,
        passed: pct + 1e-9 >= assessment.pass_percent,
    };
    Ok(Some((totals, estimate)))
}

/// How an adaptive result was reached, in numbers and in words.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Ability {
    /// The ability estimate (EAP), on the scale where candidates average 0
    /// with standard deviation 1.
    pub theta: f64,
    pub standard_error: f64,
    /// 500 + 100θ, rounded.
    pub scale_score: i64,
    /// Questions answered.
    pub questions: usize,
    /// Why the test stopped, in words.
    pub stopped: String,
    pub how_reached: String,
}

/// 500 + 100θ: a reported score with no negatives and no decimals.
pub fn scale_score(theta: f64) -> i64 {
    crate::convert::round_i64(500.0 + 100.0 * theta)
}

fn stop_words(stop: Option<AdaptiveStop>, se_target: Option<f64>) -> String {
    match stop {
        Some(AdaptiveStop::Precision) => format!(
            "the estimate became precise enough (standard error at or below {:.2})",
            se_target.unwrap_or(0.0)
        ),
        Some(AdaptiveStop::MaxLength) => "it reached its maximum length".into(),
        Some(AdaptiveStop::PoolExhausted) => "no question was left to give".into(),
        Some(AdaptiveStop::Submitted) | None => "it was submitted, or time ran out, first".into(),
    }
}

/// The adaptive part of a graded result; `None` for a fixed form or an
/// attempt not yet graded.
pub fn ability(conn: &mut DbConn, attempt: &AttemptRow, assessment: &AssessmentRow) -> AppResult<Option<Ability>> {
    let (Some(theta), Some(se), Some(pct)) = (attempt.theta, attempt.theta_se, attempt.percent) else {
        return Ok(None);
    };
    if attempt.status != AttemptStatus::Graded {
        return Ok(None);
    }
    let questions = answered(conn, attempt.id)?.len();
    let stopped = stop_words(attempt.adaptive_stop, assessment.adaptive().map(|a| a.se_target));
    let scale = scale_score(theta);
    let explanation = format!(
        "You answered {questions} question(s), each chosen to suit your answers so far. From them your ability \
         is estimated at {theta:.2} with a standard error of {se:.2}, on a scale where candidates average 0 and \
         most lie between -2 and 2; the test stopped because {stopped}. The scale score is 500 + 100 x {theta:.2} \
         = {scale}. The percent-equivalent, {pct:.1}%, is the share of all the test's questions you would be \
         expected to answer correctly; the pass mark and rankings use it."
    );
    Ok(Some(Ability {
        theta,
        standard_error: se,
        scale_score: scale,
        questions,
        stopped,
        how_reached: explanation,
    }))
}
