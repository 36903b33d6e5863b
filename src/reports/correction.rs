//! Correcting a miskeyed question version, and re-grading what it marked.
//!
//! The correction is a new version of the question with the right key; it
//! becomes current, so new forms draw it. Attempts already submitted keep
//! pointing at the version they were shown (what the person saw does not
//! change) but that item's score is recomputed with the corrected key, and
//! each re-score is recorded in `regrades` with the old and new scores and
//! percents. A graded attempt whose score moved is re-totalled as grading
//! totals it (`crate::attempts::grading::retotal`); when it is the person's
//! counting attempt, the drive rankings move from the old score to the new one
//! and a corrected-result notice is queued. An attempt still open is moved to
//! the corrected version, which shows the same stem and options, so it is
//! graded right when submitted. All of it is one transaction.
//!
//! `key_corrections` links each corrected version to its correction. A
//! correction of a correction re-scores the attempts of the whole chain, and
//! the report reads every version's key at the end of its chain.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use serde::Serialize;
use serde_json::Value;

use super::keys::{corrected_body, Fix};
use crate::accounts::service::find_user;
use crate::assessments::blueprint::Kind;
use crate::assessments::models::AssessmentRow;
use crate::attempts::grading;
use crate::attempts::models::{AttemptRow, ItemRow};
use crate::attempts::scoring::{self, Answer, ItemScore};
use crate::audit::{self, Event};
use crate::banks::models::{QuestionRow, VersionRow};
use crate::banks::question::QuestionBody;
use crate::banks::store;
use crate::db::schema::{
    assessments, attempt_items, attempts, key_corrections, question_versions, questions, regrades, responses,
};
use crate::db::{AssessmentId, AttemptId, AttemptStatus, DbConn, Json, QuestionId, UserId, VersionId};
use crate::error::{AppError, AppResult};
use crate::events::{AttemptGraded, Effects};
use crate::notices::templates::{CorrectedResult, Mail};
use crate::notices::{self, Recipient};

/// One attempt item scored again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Regrade {
    pub attempt_id: AttemptId,
    /// The version the attempt showed (the corrected one, or an earlier
    /// version corrected into it).
    pub version_id: VersionId,
    pub user_id: UserId,
    pub status: AttemptStatus,
    pub old_score: Option<f64>,
    pub new_score: f64,
    /// The attempt's percent before and after; null until it is graded.
    pub old_percent: Option<f64>,
    pub new_percent: Option<f64>,
    /// Whether a corrected-result notice was queued.
    pub notified: bool,
}

/// What a correction did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"question_id": 412, "old_version_id": 1204, "new_version_id": 1240, "new_version": 3,
    "moved_open_attempts": 1, "results_changed": 1, "notices_queued": 1,
    "regrades": [{"attempt_id": 2817, "version_id": 1204, "user_id": 57, "status": "graded", "old_score": 36.0,
        "new_score": 37.0, "old_percent": 90.0, "new_percent": 92.5, "notified": true}]}))]
pub struct Correction {
    pub question_id: QuestionId,
    pub old_version_id: VersionId,
    pub new_version_id: VersionId,
    pub new_version: i32,
    /// Attempts still open, moved to the corrected version.
    pub moved_open_attempts: usize,
    /// Results (graded attempts' percents) that changed.
    pub results_changed: usize,
    pub notices_queued: usize,
    /// Every submitted attempt that saw the old version, re-scored.
    pub regrades: Vec<Regrade>,
}

/// Corrects `version_id`'s key with `fix`, as the module docs describe.
/// Refuses a version that is no longer its question's current one: a new
/// version made from it would undo the later edit.
pub fn correct_key(
    conn: &mut DbConn,
    version_id: VersionId,
    fix: &Fix,
    reason: &str,
    actor: UserId,
    now: NaiveDateTime,
    effects: &Effects,
) -> AppResult<Correction> {
    let reason = super::quarantine::reason(reason)?;
    conn.transaction(|conn| {
        let (old, question) = lock_current_version(conn, version_id)?;
        let (next, new_version_id, body) = add_corrected_version(conn, &old, &question, fix, actor, now)?;
        let sources = corrected_into(conn, version_id)?;
        diesel::insert_into(key_corrections::table)
            .values((
                key_corrections::version_id.eq(version_id),
                key_corrections::corrected_version_id.eq(new_version_id),
                key_corrections::reason.eq(&reason),
                key_corrections::actor.eq(Some(actor)),
                key_corrections::at.eq(now),
            ))
            .execute(conn)?;
        lock_attempts(conn, &sources)?;
        let moved_open_attempts = move_open_attempts(conn, version_id, new_version_id)?;
        let ctx = Regrading {
            question_id: question.id,
            sources: &sources,
            new: new_version_id,
            body: &body,
            actor,
            now,
            effects,
        };
        let regrades = ctx.rescore_all(conn)?;
        let correction = Correction {
            question_id: question.id,
            old_version_id: version_id,
            new_version_id,
            new_version: next,
            moved_open_attempts,
            results_changed: regrades
                .iter()
                .filter(|r| r.status == AttemptStatus::Graded && r.old_percent != r.new_percent)
                .count(),
            notices_queued: regrades.iter().filter(|r| r.notified).count(),
            regrades,
        };
        record_correction(conn, &correction, old.version, &reason, actor, now)?;
        Ok(correction)
    })
}

/// Locks the version and checks it is still its question's current one.
/// Writing first matters: the version's row lock (PostgreSQL) or the
/// database's write lock (SQLite) makes a second correction of it wait, then
/// find the version no longer current.
fn lock_current_version(conn: &mut DbConn, version_id: VersionId) -> AppResult<(VersionRow, QuestionRow)> {
    let locked = diesel::update(question_versions::table.find(version_id))
        .set(question_versions::quarantined.eq(question_versions::quarantined))
        .execute(conn)?;
    if locked == 0 {
        return Err(AppError::NotFound(format!(
            "There is no question version {version_id}."
        )));
    }
    let old: VersionRow = question_versions::table
        .find(version_id)
        .select(VersionRow::as_select())
        .first(conn)?;
    let question: QuestionRow = questions::table
        .find(old.question_id)
        .select(QuestionRow::as_select())
        .first(conn)?;
    if question.current_version != old.version {
        return Err(AppError::conflict(
            "not_current",
            format!(
                "Version {} is no longer the question's current version ({} is): correct the current one.",
                old.version, question.current_version
            ),
        ));
    }
    Ok((old, question))
}

/// Writes the corrected body as the question's next version: its number,
/// its id and the body.
fn add_corrected_version(
    conn: &mut DbConn,
    old: &VersionRow,
    question: &QuestionRow,
    fix: &Fix,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<(i32, VersionId, QuestionBody)> {
    let mut parsed = old.to_parsed(question)?;
    let body = corrected_body(&parsed.body, fix).map_err(|(field, message)| AppError::invalid_field(field, message))?;
    parsed.body = body.clone();
    let next: i32 = question_versions::table
        .filter(question_versions::question_id.eq(question.id))
        .select(diesel::dsl::max(question_versions::version))
        .first::<Option<i32>>(conn)?
        .unwrap_or(0)
        + 1;
    store::add_version(conn, question.id, next, &parsed, None, Some(actor), now)?;
    let new_version_id: VersionId = question_versions::table
        .filter(question_versions::question_id.eq(question.id))
        .filter(question_versions::version.eq(next))
        .select(question_versions::id)
        .first(conn)?;
    Ok((next, new_version_id, body))
}

/// Points the items of attempts still open at the corrected version, which
/// shows the same stem and options; answers how many items moved.
fn move_open_attempts(conn: &mut DbConn, from: VersionId, to: VersionId) -> AppResult<usize> {
    Ok(diesel::update(
        attempt_items::table.filter(attempt_items::version_id.eq(from)).filter(
            attempt_items::attempt_id.eq_any(
                attempts::table
                    .filter(attempts::status.eq(AttemptStatus::Open.as_str()))
                    .select(attempts::id),
            ),
        ),
    )
    .set(attempt_items::version_id.eq(to))
    .execute(conn)?)
}

fn record_correction(
    conn: &mut DbConn,
    c: &Correction,
    old_version: i32,
    reason: &str,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<()> {
    let detail = format!(
        "corrected version {old_version} of question {} as version {}: {reason}; {} submitted attempt(s) re-scored, \
         {} result(s) changed, {} open attempt(s) moved",
        c.question_id,
        c.new_version,
        c.regrades.len(),
        c.results_changed,
        c.moved_open_attempts,
    );
    audit::record(
        conn,
        Event {
            actor: Some(actor),
            action: "question.correct_key",
            entity: "question_version",
            entity_id: Some(c.old_version_id.0),
            detail: &detail,
        },
        now,
    )
}

/// The version and every version corrected into it, however many
/// corrections ago: the attempts to re-score.
fn corrected_into(conn: &mut DbConn, version_id: VersionId) -> AppResult<Vec<VersionId>> {
    let mut all = vec![version_id];
    let mut frontier = vec![version_id];
    while !frontier.is_empty() {
        frontier = key_corrections::table
            .filter(key_corrections::corrected_version_id.eq_any(&frontier))
            .select(key_corrections::version_id)
            .load(conn)?;
        frontier.retain(|v| !all.contains(v));
        all.extend(&frontier);
    }
    Ok(all)
}

/// Each of `versions` mapped to the version whose key now scores it: the end
/// of its chain of corrections. Versions never corrected are left out.
pub fn current_keys(conn: &mut DbConn, versions: &[VersionId]) -> AppResult<HashMap<VersionId, VersionId>> {
    // Corrections are rare, deliberate acts: all of them fit in memory.
    let links: HashMap<VersionId, VersionId> = key_corrections::table
        .select((key_corrections::version_id, key_corrections::corrected_version_id))
        .load::<(VersionId, VersionId)>(conn)?
        .into_iter()
        .collect();
    let mut keys = HashMap::new();
    for &start in versions {
        let mut at = start;
        let mut steps = 0;
        while let Some(&next) = links.get(&at) {
            at = next;
            steps += 1;
            if steps > links.len() {
                return Err(AppError::Internal(format!("key corrections of version {start} loop")));
            }
        }
        if at != start {
            keys.insert(start, at);
        }
    }
    Ok(keys)
}

/// On PostgreSQL, locks every attempt that shows the versions, so grading
/// one at the same moment either finishes first (and is re-scored here) or
/// waits and then reads the moved version. SQLite has one writer at a time.
fn lock_attempts(conn: &mut DbConn, versions: &[VersionId]) -> AppResult<()> {
    if let DbConn::Postgres(c) = conn {
        for version_id in versions {
            diesel::sql_query(
                "SELECT id FROM attempts WHERE id IN (SELECT attempt_id FROM attempt_items WHERE version_id = $1) \
                 FOR UPDATE",
            )
            .bind::<Integer, _>(*version_id)
            .execute(c)?;
        }
    }
    Ok(())
}

struct Regrading<'a> {
    question_id: QuestionId,
    /// The corrected version and every version corrected into it.
    sources: &'a [VersionId],
    new: VersionId,
    body: &'a QuestionBody,
    actor: UserId,
    now: NaiveDateTime,
    effects: &'a Effects,
}

impl Regrading<'_> {
    /// Re-scores every submitted attempt's item of the source versions, then
    /// re-totals the graded attempts whose score moved.
    fn rescore_all(&self, conn: &mut DbConn) -> AppResult<Vec<Regrade>> {
        let submitted = [AttemptStatus::AwaitingMarking.as_str(), AttemptStatus::Graded.as_str()];
        let rows: Vec<(ItemRow, AttemptRow)> = attempt_items::table
            .inner_join(attempts::table)
            .filter(attempt_items::version_id.eq_any(self.sources))
            .filter(attempts::status.eq_any(submitted))
            .select((ItemRow::as_select(), AttemptRow::as_select()))
            .order(attempts::id.asc())
            .load(conn)?;
        let answers: HashMap<AttemptId, Value> = responses::table
            .filter(responses::question_id.eq(self.question_id))
            .filter(
                responses::attempt_id.eq_any(
                    attempt_items::table
                        .filter(attempt_items::version_id.eq_any(self.sources))
                        .select(attempt_items::attempt_id),
                ),
            )
            .select((responses::attempt_id, responses::answer))
            .load::<(AttemptId, Json<Value>)>(conn)?
            .into_iter()
            .map(|(id, answer)| (id, answer.into_inner()))
            .collect();
        let mut assessments_by_id: BTreeMap<AssessmentId, AssessmentRow> = BTreeMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for (item, attempt) in rows {
            let assessment = match assessments_by_id.entry(attempt.assessment_id) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => slot.insert(
                    assessments::table
                        .find(attempt.assessment_id)
                        .select(AssessmentRow::as_select())
                        .first(conn)?,
                ),
            };
            out.push(self.rescore(conn, &item, &attempt, assessment, answers.get(&attempt.id))?);
        }
        Ok(out)
    }

    fn rescore(
        &self,
        conn: &mut DbConn,
        item: &ItemRow,
        attempt: &AttemptRow,
        assessment: &AssessmentRow,
        answer: Option<&Value>,
    ) -> AppResult<Regrade> {
        let order = item.option_order();
        let qtype = self.body.question_type();
        let answer = answer.and_then(|v| Answer::parse(qtype, v, order.len()).ok().flatten());
        let new_score = match scoring::score(
            self.body,
            &order,
            answer.as_ref(),
            item.points,
            assessment.negative_marking,
        ) {
            ItemScore::Scored(s) => s,
            // Essays are refused before this; a blank one would earn nothing.
            ItemScore::Manual => item.score.unwrap_or(0.0),
        };
        diesel::update(attempt_items::table.find(item.id))
            .set(attempt_items::score.eq(Some(new_score)))
            .execute(conn)?;
        let moved = item.score.is_none_or(|old| (old - new_score).abs() > 1e-9);
        let mut regrade = Regrade {
            attempt_id: attempt.id,
            version_id: item.version_id,
            user_id: attempt.user_id,
            status: attempt.status,
            old_score: item.score,
            new_score,
            old_percent: None,
            new_percent: None,
            notified: false,
        };
        if attempt.status == AttemptStatus::Graded {
            regrade.old_percent = attempt.percent;
            regrade.new_percent = attempt.percent;
            if moved {
                self.retotal(conn, attempt, assessment, &mut regrade)?;
            }
        }
        diesel::insert_into(regrades::table)
            .values((
                regrades::attempt_id.eq(attempt.id),
                regrades::version_id.eq(item.version_id),
                regrades::corrected_version_id.eq(self.new),
                regrades::old_score.eq(regrade.old_score),
                regrades::new_score.eq(new_score),
                regrades::old_percent.eq(regrade.old_percent),
                regrades::new_percent.eq(regrade.new_percent),
                regrades::at.eq(self.now),
                regrades::actor.eq(Some(self.actor)),
            ))
            .execute(conn)?;
        Ok(regrade)
    }

    /// Publishes a graded attempt's new total: the attempt, and for the
    /// person's counting attempt the rankings and the notice.
    fn retotal(
        &self,
        conn: &mut DbConn,
        attempt: &AttemptRow,
        assessment: &AssessmentRow,
        regrade: &mut Regrade,
    ) -> AppResult<()> {
        let (totals, _) = grading::totals_for(conn, attempt, assessment)?;
        diesel::update(attempts::table.find(attempt.id))
            .set((
                attempts::score.eq(Some(totals.total)),
                attempts::max_score.eq(totals.max),
                attempts::percent.eq(Some(totals.percent)),
                attempts::passed.eq(Some(totals.passed)),
            ))
            .execute(conn)?;
        regrade.new_percent = Some(totals.percent);
        if !attempt.counting {
            return Ok(());
        }
        if assessment.kind == Kind::Aptitude {
            let graded = AttemptGraded {
                attempt_id: attempt.id,
                person: attempt.user_id,
                assessment_id: attempt.assessment_id,
                submitted_at: attempt.submitted_at.unwrap_or(self.now),
                percent: totals.percent,
                item_scores: &totals.scores,
            };
            self.effects.attempt_graded(conn, &graded, self.now)?;
        }
        let Some(old_percent) = attempt.percent.filter(|p| (p - totals.percent).abs() > 1e-9) else {
            return Ok(());
        };
        let user = find_user(conn, attempt.user_id)?;
        let rendered = CorrectedResult {
            ctx: &self.effects.mail,
            name: &user.full_name,
            assessment: &assessment.title,
            show_score: assessment.show_score,
            old_percent,
            new_percent: totals.percent,
            passed: totals.passed,
            link: format!("{}/attempts/{}", self.effects.mail.base_url, attempt.id),
        }
        .render_mail()?;
        let key = format!("result:corrected:version:{}:user:{}", self.new, user.id);
        regrade.notified = notices::queue(conn, &key, &Recipient::from(&user), &rendered, self.now)?;
        Ok(())
    }
}
