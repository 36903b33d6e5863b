//! What a graded test means for a drive: each of the person's applications
//! to a drive using the test takes the score the rankings sort by, and an
//! application still `applied` moves to `tested` through the pipeline.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::pipeline::{transition, Mover, Moving, Words};
use super::rankings::record_result;
use crate::attempts::grading::percent;
use crate::db::schema::{applications, drives};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, DriveId, Json};
use crate::error::AppResult;
use crate::events::AttemptGraded;
use crate::mail::MailContext;

/// An application's id, drive, status, tie-break sections and previous score.
type ApplicationScore = (
    ApplicationId,
    DriveId,
    ApplicationStatus,
    Json<Vec<String>>,
    Option<f64>,
    Option<f64>,
);

/// Moves the person's applications in drives using this test to `tested`,
/// with the score the rankings sort by. Also called after a re-grade: an
/// application already past `tested` keeps its status, and the rankings'
/// score counts move from its previous score to the new one.
///
/// Registered as `events::Listeners::attempt_graded` by `server`.
pub fn on_attempt_graded(
    conn: &mut DbConn,
    graded: &AttemptGraded<'_>,
    mail: &MailContext,
    now: NaiveDateTime,
) -> AppResult<()> {
    let scores = graded.item_scores;
    let pct = graded.percent;
    let apps: Vec<ApplicationScore> = applications::table
        .inner_join(drives::table)
        .filter(drives::assessment_id.eq(graded.assessment_id))
        .filter(applications::candidate_id.eq(graded.person))
        .filter(applications::eligible.eq(true))
        .select((
            applications::id,
            applications::drive_id,
            applications::status,
            drives::tie_break_sections,
            applications::percent,
            applications::tie_break,
        ))
        .load(conn)?;
    let section_percents = section_percents(scores);
    let submitted_at = graded.submitted_at;
    for (app_id, drive_id, status, tie_sections, old_percent, old_tie) in apps {
        let tie_break: f64 = scores
            .iter()
            .filter(|(s, _, _)| tie_sections.contains(s))
            .filter_map(|(_, score, _)| *score)
            .sum();
        diesel::update(applications::table.find(app_id))
            .set((
                applications::attempt_id.eq(Some(graded.attempt_id)),
                applications::percent.eq(Some(pct)),
                applications::tie_break.eq(Some(tie_break)),
                applications::submitted_at.eq(Some(submitted_at)),
                applications::updated_at.eq(now),
            ))
            .execute(conn)?;
        let previous = old_percent.zip(old_tie);
        record_result(
            conn,
            drive_id,
            app_id,
            previous,
            pct,
            tie_break,
            submitted_at,
            &section_percents,
        )?;
        if status == ApplicationStatus::Applied {
            let moving = Moving {
                id: app_id,
                drive_id,
                candidate_id: graded.person,
                from: status,
            };
            let note = format!("graded at {pct:.1}%");
            transition(
                conn,
                &moving,
                ApplicationStatus::Tested,
                Mover::Grading,
                Words {
                    note: &note,
                    message: "",
                },
                now,
                mail,
            )?;
        }
    }
    Ok(())
}

/// Each section's percent of its points, in the order the sections first
/// appear on the form: what the rankings' section filters and sorts read.
fn section_percents(scores: &[(String, Option<f64>, f64)]) -> Vec<(String, f64)> {
    let mut section_totals: Vec<(String, f64, f64)> = Vec::new();
    for (name, score, points) in scores {
        match section_totals.iter_mut().find(|(n, _, _)| n == name) {
            Some(entry) => {
                entry.1 += score.unwrap_or(0.0);
                entry.2 += points;
            }
            None => section_totals.push((name.clone(), score.unwrap_or(0.0), *points)),
        }
    }
    section_totals
        .iter()
        .map(|(n, s, m)| (n.clone(), percent(*s, *m)))
        .collect()
}
