//! Grading attempts: on submit, when the sweeper finds a deadline passed, and
//! when a trainer marks the last essay. Results, percentiles and the notice
//! that tells the person.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::models::AttemptRow;
use super::scoring::{self, Answer, ItemScore};
use super::views::{items_with_bodies, saved_answers};
use crate::assessments::blueprint::Kind;
use crate::assessments::service as assessments;
use crate::banks::question::QuestionType;
use crate::db::schema::{attempt_items, attempts};
use crate::db::{AdaptiveStop, AttemptId, AttemptStatus, DbConn, QuestionId, UserId};
use crate::error::{AppError, AppResult};
use crate::events::{AttemptGraded, Effects};
use crate::identity::User;
use crate::notices::templates::{ExamResult, Mail, TestResult};
use crate::notices::{self, Recipient};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SectionResult {
    pub name: String,
    pub score: f64,
    pub max_score: f64,
    pub percent: f64,
}

/// API.md's result shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"attempt_id": 2817, "status": "graded", "score": 34.0, "max_score": 40.0, "percent": 85.0, "passed": true,
    "percentile": 78.5, "sections": [{"name": "Insurance basics", "score": 18.0, "max_score": 20.0, "percent": 90.0},
    {"name": "Verbal ability", "score": 16.0, "max_score": 20.0, "percent": 80.0}],
    "graded_at": "2026-12-09T11:02:14.000Z", "ability": null}))]
pub struct AttemptResult {
    pub attempt_id: AttemptId,
    pub status: AttemptStatus,
    pub score: Option<f64>,
    pub max_score: f64,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub percentile: Option<f64>,
    pub sections: Vec<SectionResult>,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub graded_at: Option<NaiveDateTime>,
    /// For an adaptive test: θ, its standard error, the scale score and how
    /// the result was reached.
    pub ability: Option<super::adaptive::Ability>,
}

impl AttemptResult {
    /// The result as the person who took the test may read it: when the
    /// assessment hides scores, only that the answers are in and whether
    /// marking is done, as the result page and email say.
    pub fn for_viewer(self, viewer: &User, show_score: bool) -> AttemptResult {
        if show_score || viewer.is_staff() {
            return self;
        }
        AttemptResult {
            score: None,
            percent: None,
            passed: None,
            percentile: None,
            sections: Vec::new(),
            ability: None,
            ..self
        }
    }
}

/// A score as a percentage of its maximum, to six decimals, so totals
/// that add up alike compare equal.
pub fn percent(score: f64, max: f64) -> f64 {
    if max > 0.0 {
        (100.0 * score / max * 1e6).round() / 1e6
    } else {
        0.0
    }
}

/// Claims an open attempt for grading; false when another request or server
/// got there first.
fn claim(conn: &mut DbConn, id: AttemptId, now: NaiveDateTime) -> AppResult<bool> {
    let claimed = diesel::update(
        attempts::table
            .find(id)
            .filter(attempts::status.eq(AttemptStatus::Open)),
    )
    .set((
        attempts::status.eq(AttemptStatus::AwaitingMarking),
        attempts::submitted_at.eq(now),
    ))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// Grades an open attempt: scores every item it can, and finishes the result
/// unless essays wait for a trainer. Does nothing to an attempt already
/// submitted, so it is safe to call twice.
pub fn grade(conn: &mut DbConn, id: AttemptId, now: NaiveDateTime, effects: &Effects) -> AppResult<()> {
    conn.transaction(|conn| {
        if !claim(conn, id, now)? {
            return Ok(());
        }
        let attempt: AttemptRow = attempts::table.find(id).select(AttemptRow::as_select()).first(conn)?;
        let assessment = assessments::find(conn, attempt.assessment_id)?;
        let answers: HashMap<QuestionId, serde_json::Value> =
            saved_answers(conn, id)?.into_iter().map(|(q, a, _)| (q, a)).collect();
        let mut waiting = false;
        for (item, _, body) in items_with_bodies(conn, id)? {
            let order = item.option_order();
            let qtype = item.qtype;
            let answer = answers
                .get(&item.question_id)
                .and_then(|v| Answer::parse(qtype, v, order.len()).ok().flatten());
            // An adaptive result is θ, not a sum: no negative marking.
            let negative = if attempt.is_adaptive() {
                0.0
            } else {
                assessment.negative_marking
            };
            let score = match scoring::score(&body, &order, answer.as_ref(), item.points, negative) {
                ItemScore::Scored(s) => Some(s),
                // A blank essay needs no reading: it earns nothing.
                ItemScore::Manual if answer.as_ref().is_none_or(Answer::is_blank) => Some(0.0),
                ItemScore::Manual => {
                    waiting = true;
                    None
                }
            };
            diesel::update(attempt_items::table.find(item.id))
                .set(attempt_items::score.eq(score))
                .execute(conn)?;
        }
        if waiting {
            Ok(())
        } else {
            finish(conn, &attempt, now, effects)
        }
    })
}

/// An attempt's result as its item scores add up.
#[derive(Debug, Clone)]
pub struct Totals {
    /// (section, item score, item points) for every item of the form.
    pub scores: Vec<(String, Option<f64>, f64)>,
    pub total: f64,
    pub max: f64,
    pub percent: f64,
    pub passed: bool,
}

/// Adds up an attempt's item scores as they stand, against the pass mark.
/// Shared by `finish` and by re-grading after a key correction
/// (`crate::reports::correction`), so both total alike.
pub fn retotal(conn: &mut DbConn, attempt: &AttemptRow, pass_percent: f64) -> AppResult<Totals> {
    let scores: Vec<(String, Option<f64>, f64)> = attempt_items::table
        .filter(attempt_items::attempt_id.eq(attempt.id))
        .select((attempt_items::section, attempt_items::score, attempt_items::points))
        .load(conn)?;
    let total: f64 = scores.iter().filter_map(|(_, s, _)| *s).sum();
    let max: f64 = scores.iter().map(|(_, _, p)| p).sum();
    let pct = percent(total, max);
    let passed = pct + 1e-9 >= pass_percent;
    Ok(Totals {
        scores,
        total,
        max,
        percent: pct,
        passed,
    })
}

/// An attempt's totals as they stand: from θ for an adaptive attempt (with
/// the estimate), from the item scores otherwise. A key correction re-totals
/// through here too, so a corrected adaptive answer moves θ, not a sum.
pub fn totals_for(
    conn: &mut DbConn,
    attempt: &AttemptRow,
    assessment: &crate::assessments::models::AssessmentRow,
) -> AppResult<(Totals, Option<crate::irt::cat::Estimate>)> {
    Ok(match super::adaptive::final_totals(conn, attempt, assessment)? {
        Some((totals, estimate)) => (totals, Some(estimate)),
        None => (retotal(conn, attempt, assessment.pass_percent)?, None),
    })
}

/// Totals the item scores and publishes the result: the attempt, the drive
/// application, the percentile population and the notice.
fn finish(conn: &mut DbConn, attempt: &AttemptRow, now: NaiveDateTime, effects: &Effects) -> AppResult<()> {
    let mail = &effects.mail;
    let assessment = assessments::find(conn, attempt.assessment_id)?;
    let (totals, estimate) = totals_for(conn, attempt, &assessment)?;
    let Totals {
        scores,
        total,
        max,
        percent: pct,
        passed,
    } = totals;
    // The person's latest graded attempt is the one that counts.
    diesel::update(
        attempts::table
            .filter(attempts::assessment_id.eq(attempt.assessment_id))
            .filter(attempts::user_id.eq(attempt.user_id)),
    )
    .set(attempts::counting.eq(false))
    .execute(conn)?;
    diesel::update(attempts::table.find(attempt.id))
        .set((
            attempts::status.eq(AttemptStatus::Graded),
            attempts::graded_at.eq(Some(now)),
            attempts::score.eq(Some(total)),
            attempts::max_score.eq(max),
            attempts::percent.eq(Some(pct)),
            attempts::passed.eq(Some(passed)),
            attempts::counting.eq(true),
        ))
        .execute(conn)?;
    if let Some(e) = estimate {
        diesel::update(attempts::table.find(attempt.id))
            .set((
                attempts::theta.eq(Some(e.theta)),
                attempts::theta_se.eq(Some(e.se)),
                attempts::adaptive_stop.eq(Some(attempt.adaptive_stop.unwrap_or(AdaptiveStop::Submitted))),
            ))
            .execute(conn)?;
    }
    let user: User = crate::accounts::service::find_user(conn, attempt.user_id)?;
    let link = format!("{}/attempts/{}", mail.base_url, attempt.id);
    let rendered = match assessment.kind {
        Kind::Aptitude => {
            let graded = AttemptGraded {
                attempt_id: attempt.id,
                person: attempt.user_id,
                assessment_id: attempt.assessment_id,
                submitted_at: attempt.submitted_at.unwrap_or(now),
                percent: pct,
                item_scores: &scores,
            };
            effects.attempt_graded(conn, &graded, now)?;
            TestResult {
                ctx: mail,
                name: &user.full_name,
                assessment: &assessment.title,
                show_score: assessment.show_score,
                percent: pct,
                passed,
                link,
            }
            .render_mail()?
        }
        Kind::PostTraining => ExamResult {
            ctx: mail,
            name: &user.full_name,
            exam: &assessment.title,
            percent: pct,
            passed,
            link,
        }
        .render_mail()?,
    };
    notices::queue(
        conn,
        &format!("result:attempt:{}", attempt.id),
        &Recipient::from(&user),
        &rendered,
        now,
    )?;
    Ok(())
}

/// Grades every open attempt whose deadline and grace have passed. Returns
/// how many it graded.
pub fn sweep(conn: &mut DbConn, now: NaiveDateTime, effects: &Effects) -> AppResult<usize> {
    let candidates: Vec<(AttemptId, NaiveDateTime, i32)> = attempts::table
        .inner_join(crate::db::schema::assessments::table)
        .filter(attempts::status.eq(AttemptStatus::Open))
        .filter(attempts::deadline.lt(now))
        .select((
            attempts::id,
            attempts::deadline,
            crate::db::schema::assessments::grace_seconds,
        ))
        .order(attempts::deadline.asc())
        .limit(500)
        .load(conn)?;
    let mut graded = 0;
    for (id, deadline, grace) in candidates {
        if deadline + Duration::seconds(i64::from(grace)) < now {
            grade(conn, id, now, effects)?;
            graded += 1;
        }
    }
    Ok(graded)
}

/// The result as API.md shapes it; sections and percentile once graded.
pub fn result(conn: &mut DbConn, attempt: &AttemptRow) -> AppResult<AttemptResult> {
    let graded = attempt.status == AttemptStatus::Graded;
    let rows: Vec<(String, Option<f64>, f64)> = attempt_items::table
        .filter(attempt_items::attempt_id.eq(attempt.id))
        .select((attempt_items::section, attempt_items::score, attempt_items::points))
        .order(attempt_items::position.asc())
        .load(conn)?;
    let mut sections: Vec<SectionResult> = Vec::new();
    for (name, score, points) in rows {
        let section = match sections.iter().position(|s| s.name == name) {
            Some(i) => sections.get_mut(i),
            None => {
                sections.push(SectionResult {
                    name,
                    score: 0.0,
                    max_score: 0.0,
                    percent: 0.0,
                });
                sections.last_mut()
            }
        };
        if let Some(section) = section {
            section.score += score.unwrap_or(0.0);
            section.max_score += points;
        }
    }
    for s in &mut sections {
        s.percent = percent(s.score, s.max_score);
    }
    let percentile = match (graded, attempt.percent) {
        (true, Some(p)) => percentile_rank(conn, attempt, p)?,
        _ => None,
    };
    Ok(AttemptResult {
        attempt_id: attempt.id,
        status: attempt.status,
        score: attempt.score.filter(|_| graded),
        max_score: attempt.max_score,
        percent: attempt.percent.filter(|_| graded),
        passed: attempt.passed.filter(|_| graded),
        percentile,
        sections: if graded { sections } else { vec![] },
        graded_at: attempt.graded_at,
        ability: match attempt.is_adaptive() && graded {
            true => {
                let assessment = assessments::find(conn, attempt.assessment_id)?;
                super::adaptive::ability(conn, attempt, &assessment)?
            }
            false => None,
        },
    })
}

/// The fewest people whose counting attempts make a percentile rank worth
/// showing: among a handful, one place moves it by tens of points, so
/// "percentile 90" would mean little. Stated on the result and rankings
/// pages and in README.md.
pub const PERCENTILE_MIN_POPULATION: i64 = 20;

/// (count below + half the count equal) / N × 100 over each person's counting
/// attempt; `None` until N reaches [`PERCENTILE_MIN_POPULATION`].
fn percentile_rank(conn: &mut DbConn, attempt: &AttemptRow, p: f64) -> AppResult<Option<f64>> {
    let population = attempts::table
        .filter(attempts::assessment_id.eq(attempt.assessment_id))
        .filter(attempts::counting.eq(true));
    let n: i64 = population.count().get_result(conn)?;
    let below: i64 = population
        .filter(attempts::percent.lt(p - 1e-9))
        .count()
        .get_result(conn)?;
    let equal: i64 = population
        .filter(attempts::percent.ge(p - 1e-9))
        .filter(attempts::percent.le(p + 1e-9))
        .count()
        .get_result(conn)?;
    Ok((n >= PERCENTILE_MIN_POPULATION).then(|| {
        use crate::convert::i64_f64;
        100.0 * (i64_f64(below) + 0.5 * i64_f64(equal)) / i64_f64(n)
    }))
}

/// A trainer's mark for one essay; the result is final with the last one.
pub fn mark_essay(
    conn: &mut DbConn,
    attempt_id: AttemptId,
    question_id: QuestionId,
    score: f64,
    marker: UserId,
    now: NaiveDateTime,
    effects: &Effects,
) -> AppResult<()> {
    conn.transaction(|conn| {
        let attempt: AttemptRow = attempts::table
            .find(attempt_id)
            .select(AttemptRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::NotFound(format!("There is no attempt {attempt_id}.")))?;
        if attempt.status != AttemptStatus::AwaitingMarking {
            return Err(AppError::conflict(
                "not_awaiting_marking",
                "This attempt is not waiting for marks.",
            ));
        }
        let (item_id, points, qtype): (i32, f64, QuestionType) = attempt_items::table
            .filter(attempt_items::attempt_id.eq(attempt_id))
            .filter(attempt_items::question_id.eq(question_id))
            .select((attempt_items::id, attempt_items::points, attempt_items::qtype))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::NotFound(format!("Attempt {attempt_id} has no question {question_id}.")))?;
        if qtype != QuestionType::Essay {
            return Err(AppError::conflict("not_an_essay", "Only essays are marked by hand."));
        }
        if !(0.0..=points).contains(&score) {
            return Err(AppError::invalid_field(
                "score",
                format!("The mark must be from 0 to {points}."),
            ));
        }
        diesel::update(attempt_items::table.find(item_id))
            .set((
                attempt_items::score.eq(Some(score)),
                attempt_items::marked_by.eq(Some(marker)),
            ))
            .execute(conn)?;
        let unmarked: i64 = attempt_items::table
            .filter(attempt_items::attempt_id.eq(attempt_id))
            .filter(attempt_items::score.is_null())
            .count()
            .get_result(conn)?;
        if unmarked == 0 {
            finish(conn, &attempt, now, effects)?;
        }
        Ok(())
    })
}
