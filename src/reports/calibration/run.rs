//! Starting a calibration (checked at once, fitted on a thread of its own),
//! and accepting its parameters onto the question versions.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::report::{CalibrationReport, ReportItem};
use super::responses;
use super::store::{self, CalibrationDetail, CalibrationStatus, CalibrationSummary};
use crate::audit::{self, Event};
use crate::clock::Clock;
use crate::db::schema::{calibrations, question_versions};
use crate::db::{AssessmentId, CalibrationId, DbConn, Pool, UserId};
use crate::error::{AppError, AppResult};
use crate::irt::{calibrate, FitOptions, Progress};

/// How often a running fit writes its progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Checks the assessments and records a running calibration; the caller
/// then hands its id to [`spawn`].
pub fn begin(
    conn: &mut DbConn,
    ids: &[AssessmentId],
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<CalibrationSummary> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let people = responses::check_ready(conn, &ids)?;
    let id = store::insert_running(conn, &ids, people, actor, now)?;
    let detail = format!("started calibration {id} of assessments {ids:?} ({people} graded attempts)");
    audit::record(
        conn,
        Event {
            actor: Some(actor),
            action: "calibration.start",
            entity: "calibration",
            entity_id: Some(id.0),
            detail: &detail,
        },
        now,
    )?;
    store::summary(conn, id)
}

/// Fits calibration `id` on a thread of its own, so the request that
/// started it returns at once. Its row records progress, then the report or
/// why it failed.
pub fn spawn(pool: Pool, clock: Clock, id: CalibrationId, ids: Vec<AssessmentId>) -> AppResult<()> {
    let failing = (pool.clone(), clock.clone());
    let spawned = std::thread::Builder::new()
        .name(format!("calibration-{id}"))
        .spawn(move || {
            if let Err(e) = run(&pool, &clock, id, &ids) {
                let why = match &e {
                    AppError::Invalid { message, .. } => message.clone(),
                    other => format!("The calibration stopped with an error: {other}"),
                };
                if let Ok(mut conn) = pool.get() {
                    let _ = store::fail(&mut conn, id, &why, clock.now());
                }
            }
        });
    if let Err(e) = spawned {
        let (pool, clock) = failing;
        let mut conn = pool.get()?;
        store::fail(
            &mut conn,
            id,
            "The server could not start a thread for it; try again.",
            clock.now(),
        )?;
        return Err(AppError::internal("starting a calibration thread", e));
    }
    Ok(())
}

fn run(pool: &Pool, clock: &Clock, id: CalibrationId, ids: &[AssessmentId]) -> AppResult<()> {
    let started = Instant::now();
    let loaded = {
        let mut conn = pool.get()?;
        responses::load(&mut conn, ids)?
    };
    let read_seconds = started.elapsed().as_secs_f64();
    let last = Arc::new(Mutex::new(Instant::now()));
    let progress_pool = pool.clone();
    let options = FitOptions {
        progress: Some(Progress(Arc::new(move |iteration, log_likelihood| {
            let mut at = last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if at.elapsed() < PROGRESS_EVERY {
                return;
            }
            *at = Instant::now();
            if let Ok(mut conn) = progress_pool.get() {
                // Progress is a courtesy: a missed write shows the next one.
                let _ = store::record_progress(&mut conn, id, iteration, log_likelihood);
            }
        }))),
        ..FitOptions::default()
    };
    let fit =
        calibrate(&loaded.data, &options).map_err(|e| AppError::invalid_field("assessment_ids", e.to_string()))?;
    let fit_seconds = started.elapsed().as_secs_f64() - read_seconds;
    let report = CalibrationReport::new(loaded, fit, read_seconds, fit_seconds);
    let mut conn = pool.get()?;
    store::finish(&mut conn, id, report, clock.now())
}

/// What an accept wrote.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"calibration": {"id": 5, "assessment_ids": [21, 22], "status": "accepted", "iteration": 38,
    "log_likelihood": -10422.7, "people": 640, "error": null, "started_at": "2026-12-08T09:00:00.000Z",
    "finished_at": "2026-12-08T09:00:41.000Z", "seconds": 41.0, "accepted_at": "2026-12-08T11:15:00.000Z"},
    "versions_updated": 46, "versions_skipped": 2}))]
pub struct Accepted {
    pub calibration: CalibrationSummary,
    /// Versions that now carry this calibration's a and b.
    pub versions_updated: usize,
    /// Flagged versions whose parameters were not written.
    pub versions_skipped: usize,
}

/// The report of a calibration that may be accepted now, or why not.
fn acceptable(detail: CalibrationDetail, id: CalibrationId) -> AppResult<CalibrationReport> {
    match (detail.calibration.status, detail.report) {
        (CalibrationStatus::Finished, Some(report)) => Ok(report),
        (CalibrationStatus::Accepted, _) => Err(AppError::conflict(
            "already_accepted",
            format!("Calibration {id} was accepted already; its parameters are on the questions."),
        )),
        (CalibrationStatus::Running, _) => Err(AppError::conflict(
            "calibration_running",
            format!("Calibration {id} is still running; accept it once its report is ready."),
        )),
        _ => Err(AppError::conflict(
            "calibration_failed",
            format!("Calibration {id} failed, so it has no parameters to accept; start a new one."),
        )),
    }
}

/// Writes one item's a and b onto its version, with its audit entry.
fn write_parameters(
    conn: &mut DbConn,
    id: CalibrationId,
    item: &ReportItem,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let written = diesel::update(question_versions::table.find(item.version_id))
        .set((
            question_versions::irt_a.eq(Some(item.a)),
            question_versions::irt_b.eq(Some(item.b)),
        ))
        .execute(conn)?;
    let detail = format!(
        "calibration {id}: version {} of question {} now has a = {:.4}, b = {:.4}",
        item.version, item.question_id, item.a, item.b
    );
    audit::record(
        conn,
        Event {
            actor: Some(actor),
            action: "question.calibrate",
            entity: "question_version",
            entity_id: Some(item.version_id.0),
            detail: &detail,
        },
        now,
    )?;
    Ok(written)
}

/// Writes the usable items' a and b onto their question versions, once, in
/// one transaction, with the audit log. Flagged items keep what they had.
pub fn accept(conn: &mut DbConn, id: CalibrationId, actor: UserId, now: NaiveDateTime) -> AppResult<Accepted> {
    conn.transaction(|conn| {
        let report = acceptable(store::read(conn, id)?, id)?;
        let claimed = diesel::update(
            calibrations::table
                .find(id)
                .filter(calibrations::status.eq(CalibrationStatus::Finished)),
        )
        .set((
            calibrations::status.eq(CalibrationStatus::Accepted),
            calibrations::accepted_by.eq(Some(actor)),
            calibrations::accepted_at.eq(Some(now)),
        ))
        .execute(conn)?;
        if claimed != 1 {
            return Err(AppError::conflict(
                "already_accepted",
                format!("Calibration {id} was accepted already."),
            ));
        }
        let mut updated = 0;
        for item in report.usable() {
            updated += write_parameters(conn, id, item, actor, now)?;
        }
        let skipped = report.items.len().saturating_sub(updated);
        let detail =
            format!("accepted calibration {id}: {updated} version(s) updated, {skipped} flagged left as they were");
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "calibration.accept",
                entity: "calibration",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(Accepted {
            calibration: store::summary(conn, id)?,
            versions_updated: updated,
            versions_skipped: skipped,
        })
    })
}
