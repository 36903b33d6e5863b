//! A routing run's life: drafted by the engine, overridden by people with
//! reasons, published (frozen, placements set, notices queued).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::engine::{self, Band, Decision, Override, RoutingInput, Status, Tier};
use super::service::{process_inputs, trainee_inputs_for};
use crate::audit::{self, Event};
use crate::db::schema::{cohort_exams, placements, processes, routing_lines, routing_runs, users};
use crate::db::{AssessmentId, CohortId, DbConn, ProcessId, RunId, RunStatus, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::notices::templates::{Mail, RoutingDecision};
use crate::notices::{self, Recipient};
use crate::web::input::Name;

/// One trainee's line in a routing run: where they go, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"trainee_id": 57, "full_name": "Priya Venkataraman", "rank": 1, "percent": 92.0, "status": "assigned",
        "process_id": 4, "review_process_id": null, "previous_process_id": null,
        "explanation": "Ranked 1 of 18 at 92%; Motor Claims Review (complex, cut-off 70%) had 12 of 12 seats left: assigned.",
        "override_reason": null}))]
pub struct Line {
    pub trainee_id: UserId,
    pub full_name: String,
    pub rank: i32,
    pub percent: f64,
    /// assigned, review or retrain
    #[schema(value_type = String)]
    pub status: Status,
    pub process_id: Option<ProcessId>,
    pub review_process_id: Option<ProcessId>,
    pub previous_process_id: Option<ProcessId>,
    pub explanation: String,
    pub override_reason: Option<String>,
}

/// A routing run with every line.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"run_id": 9, "cohort_id": 3, "assessment_id": 21, "status": "draft", "band_points": 3.2,
        "band_note": "standard error of measurement, 3.2 points over 18 graded attempts",
        "assignments": [{"trainee_id": 57, "full_name": "Priya Venkataraman", "rank": 1, "percent": 92.0, "status": "assigned",
        "process_id": 4, "review_process_id": null, "previous_process_id": null,
        "explanation": "Ranked 1 of 18 at 92%; Motor Claims Review (complex, cut-off 70%) had 12 of 12 seats left: assigned.",
        "override_reason": null}, {"trainee_id": 63, "full_name": "Rohit Deshmukh", "rank": 2, "percent": 58.5, "status": "retrain",
        "process_id": null, "review_process_id": null, "previous_process_id": null,
        "explanation": "Ranked 2 of 18 at 58.5%; no process with a free seat matches these scores: retrain.",
        "override_reason": null}], "not_examined": [71]}))]
pub struct RunView {
    pub run_id: RunId,
    pub cohort_id: CohortId,
    pub assessment_id: AssessmentId,
    /// draft or published
    #[schema(value_type = String)]
    pub status: RunStatus,
    pub band_points: f64,
    pub band_note: String,
    pub assignments: Vec<Line>,
    /// Trainees with no graded attempt on the exam yet: not routed.
    pub not_examined: Vec<UserId>,
}

/// A routing run to draft.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"assessment_id": 21, "tie_break_sections": ["Insurance basics", "Verbal ability"]}))]
pub struct NewRun {
    pub assessment_id: AssessmentId,
    /// Sections whose scores break ties, in order.
    #[serde(default)]
    #[schema(inline, value_type = Vec<Name>)]
    pub tie_break_sections: Vec<String>,
}

fn decision_of(line: &Line) -> Decision {
    Decision {
        trainee_id: line.trainee_id,
        rank: line.rank.max(0).unsigned_abs(),
        percent: line.percent,
        status: line.status,
        process_id: line.process_id,
        review_process_id: line.review_process_id,
        previous_process_id: line.previous_process_id,
        explanation: line.explanation.clone(),
    }
}

/// Drafts a run: the engine decides every line.
pub fn create(
    conn: &mut DbConn,
    cohort_id: CohortId,
    run: &NewRun,
    default_band: f64,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<RunView> {
    conn.transaction(|conn| {
        let assigned: i64 = cohort_exams::table
            .filter(cohort_exams::cohort_id.eq(cohort_id))
            .filter(cohort_exams::assessment_id.eq(run.assessment_id))
            .count()
            .get_result(conn)?;
        if assigned == 0 {
            return Err(AppError::invalid_field(
                "assessment_id",
                format!(
                    "Exam {} is not assigned to cohort {cohort_id}; assign it first.",
                    run.assessment_id
                ),
            ));
        }
        let (trainees, not_examined) = trainee_inputs_for(conn, cohort_id, run.assessment_id, &run.tie_break_sections)?;
        let (_, processes) = process_inputs(conn)?;
        // The same statistics the item analysis reports, over the exam's slots.
        let (n, _, alpha, sd) = crate::reports::standard_error_percent(conn, run.assessment_id)?;
        let own: Vec<f64> = trainees.iter().filter_map(|t| t.own_band).collect();
        let band = match super::adaptive::median(own) {
            // An adaptive exam: each trainee's own standard error.
            Some(points) => Band::Adaptive { points },
            None => Band::for_exam(n, sd, alpha, default_band),
        };
        let band_note = band_note(&band, n);
        let decisions = engine::route(&RoutingInput {
            trainees,
            processes,
            band: band.clone(),
        })
        .map_err(|e| AppError::conflict("routing_refused", format!("The run cannot be made: {e}.")))?;
        let id: RunId = diesel::insert_into(routing_runs::table)
            .values((
                routing_runs::cohort_id.eq(cohort_id),
                routing_runs::assessment_id.eq(run.assessment_id),
                routing_runs::status.eq(RunStatus::Draft),
                routing_runs::band_points.eq(band.points()),
                routing_runs::band_note.eq(&band_note),
                routing_runs::created_by.eq(Some(actor)),
                routing_runs::created_at.eq(now),
            ))
            .returning(routing_runs::id)
            .get_result(conn)?;
        insert_lines(conn, id, &decisions, now)?;
        let detail = format!(
            "drafted routing of cohort {cohort_id} on exam {}: {} lines",
            run.assessment_id,
            decisions.len()
        );
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "routing.draft",
                entity: "routing_run",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        let mut view = view(conn, id)?;
        view.not_examined = not_examined;
        Ok(view)
    })
}

/// How a run's band was chosen, in the words its page shows.
fn band_note(band: &Band, graded: usize) -> String {
    match band {
        Band::Sem { points } => {
            format!("standard error of measurement, {points:.1} points over {graded} graded attempts")
        }
        Band::Default { points, reason } => format!("configured default band of {points:.1} points: {reason}"),
        Band::Adaptive { points } | Band::Own { points } => format!(
            "adaptive exam: each trainee's own standard error (θ's standard error on the percent scale), median {points:.1} points over {graded} graded attempts"
        ),
    }
}

/// Writes a draft run's lines, one per trainee, as the engine decided them.
fn insert_lines(conn: &mut DbConn, run: RunId, decisions: &[Decision], now: NaiveDateTime) -> AppResult<()> {
    for d in decisions {
        diesel::insert_into(routing_lines::table)
            .values((
                routing_lines::run_id.eq(run),
                routing_lines::trainee_id.eq(d.trainee_id),
                routing_lines::rank.eq(i32::try_from(d.rank).unwrap_or(i32::MAX)),
                routing_lines::percent.eq(d.percent),
                routing_lines::status.eq(d.status),
                routing_lines::process_id.eq(d.process_id),
                routing_lines::review_process_id.eq(d.review_process_id),
                routing_lines::previous_process_id.eq(d.previous_process_id),
                routing_lines::explanation.eq(&d.explanation),
                routing_lines::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn view(conn: &mut DbConn, id: RunId) -> AppResult<RunView> {
    let run: (RunId, CohortId, AssessmentId, RunStatus, f64, String) = routing_runs::table
        .find(id)
        .select((
            routing_runs::id,
            routing_runs::cohort_id,
            routing_runs::assessment_id,
            routing_runs::status,
            routing_runs::band_points,
            routing_runs::band_note,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no routing run {id}.")))?;
    type Row = (
        UserId,
        String,
        i32,
        f64,
        Status,
        Option<ProcessId>,
        Option<ProcessId>,
        Option<ProcessId>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = routing_lines::table
        .inner_join(users::table.on(users::id.eq(routing_lines::trainee_id)))
        .filter(routing_lines::run_id.eq(id))
        .select((
            routing_lines::trainee_id,
            users::full_name,
            routing_lines::rank,
            routing_lines::percent,
            routing_lines::status,
            routing_lines::process_id,
            routing_lines::review_process_id,
            routing_lines::previous_process_id,
            routing_lines::explanation,
            routing_lines::override_reason,
        ))
        .order(routing_lines::rank.asc())
        .load(conn)?;
    let assignments = rows
        .into_iter()
        .map(|r| Line {
            trainee_id: r.0,
            full_name: r.1,
            rank: r.2,
            percent: r.3,
            status: r.4,
            process_id: r.5,
            review_process_id: r.6,
            previous_process_id: r.7,
            explanation: r.8,
            override_reason: r.9,
        })
        .collect();
    Ok(RunView {
        run_id: run.0,
        cohort_id: run.1,
        assessment_id: run.2,
        status: run.3,
        band_points: run.4,
        band_note: run.5,
        assignments,
        not_examined: vec![],
    })
}

/// A person's decision on one line.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"trainee_id": 63, "process_id": 4, "reason": "Cleared the client's voice and accent check on 8 December"}))]
pub struct OverrideRequest {
    pub trainee_id: UserId,
    /// The process to place them in, or null for retrain.
    pub process_id: Option<ProcessId>,
    #[schema(max_length = 1000)]
    pub reason: String,
}

/// The longest reason kept with an override in the audit log.
pub const REASON_MAX: usize = 1000;

/// A person's decision on one line, with a reason kept in the audit log.
pub fn override_line(
    conn: &mut DbConn,
    id: RunId,
    req: &OverrideRequest,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<RunView> {
    if req.reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid_field(
            "reason",
            format!("The reason must be at most {REASON_MAX} characters long."),
        ));
    }
    conn.transaction(|conn| {
        let current = view(conn, id)?;
        if current.status != RunStatus::Draft {
            return Err(AppError::conflict(
                "published",
                "This run is published and frozen; start a new run to change it.",
            ));
        }
        let decisions: Vec<Decision> = current.assignments.iter().map(decision_of).collect();
        let (_, processes) = process_inputs(conn)?;
        let change = Override {
            trainee_id: req.trainee_id,
            process_id: req.process_id,
            reason: req.reason.clone(),
        };
        let updated = engine::apply_override(&decisions, &processes, &change)
            .map_err(|m| AppError::conflict("override_refused", m))?;
        let line = updated
            .iter()
            .find(|d| d.trainee_id == req.trainee_id)
            .ok_or_else(|| AppError::NotFound(format!("Trainee {} is not in run {id}.", req.trainee_id)))?;
        diesel::update(
            routing_lines::table
                .filter(routing_lines::run_id.eq(id))
                .filter(routing_lines::trainee_id.eq(req.trainee_id)),
        )
        .set((
            routing_lines::status.eq(line.status),
            routing_lines::process_id.eq(line.process_id),
            routing_lines::review_process_id.eq(line.review_process_id),
            routing_lines::explanation.eq(&line.explanation),
            routing_lines::override_reason.eq(Some(req.reason.trim())),
            routing_lines::updated_at.eq(now),
        ))
        .execute(conn)?;
        let detail = format!(
            "trainee {} → {}: {}",
            req.trainee_id,
            req.process_id
                .map(|p| format!("process {p}"))
                .unwrap_or_else(|| "retrain".into()),
            req.reason.trim()
        );
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "routing.override",
                entity: "routing_run",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        view(conn, id)
    })
}

/// Freezes the run, sets every placement and queues each trainee's notice.
pub fn publish(
    conn: &mut DbConn,
    id: RunId,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<RunView> {
    conn.transaction(|conn| {
        let run = view(conn, id)?;
        if run.status != RunStatus::Draft {
            return Err(AppError::conflict("published", "This run is already published."));
        }
        let reviews = run.assignments.iter().filter(|l| l.status == Status::Review).count();
        if reviews > 0 {
            return Err(AppError::conflict(
                "reviews_open",
                format!(
                    "Resolve the {reviews} review line(s) first: keep the seat or move the trainee up, with a reason."
                ),
            ));
        }
        let published = diesel::update(
            routing_runs::table
                .find(id)
                .filter(routing_runs::status.eq(RunStatus::Draft)),
        )
        .set((
            routing_runs::status.eq(RunStatus::Published),
            routing_runs::published_at.eq(Some(now)),
        ))
        .execute(conn)?;
        if published == 0 {
            return Err(AppError::conflict("published", "This run is already published."));
        }
        for line in &run.assignments {
            place(conn, id, line, now)?;
            tell(conn, id, line, now, mail)?;
        }
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "routing.publish",
                entity: "routing_run",
                entity_id: Some(id.0),
                detail: "published",
            },
            now,
        )?;
        let published = view(conn, id)?;
        crate::webhooks::emit(conn, crate::db::WebhookEvent::RoutingPublished, &published, now)?;
        Ok(published)
    })
}

/// Puts a published line's trainee in its process (or none, to retrain).
fn place(conn: &mut DbConn, run: RunId, line: &Line, now: NaiveDateTime) -> AppResult<()> {
    // A line without a process is retrain: the engine never takes a
    // seat away, so only a person's override gets here with one held.
    diesel::delete(placements::table.find(line.trainee_id)).execute(conn)?;
    if let Some(process) = line.process_id {
        diesel::insert_into(placements::table)
            .values((
                placements::trainee_id.eq(line.trainee_id),
                placements::process_id.eq(process),
                placements::run_id.eq(run),
                placements::since.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Queues the email that tells a trainee where the published run put them.
fn tell(conn: &mut DbConn, run: RunId, line: &Line, now: NaiveDateTime, mail: &MailContext) -> AppResult<()> {
    // Someone not placed is told what happens next, as their Training page says it.
    let next = match line.process_id {
        Some(_) => None,
        None => {
            let exam: AssessmentId = routing_runs::table
                .find(run)
                .select(routing_runs::assessment_id)
                .first(conn)?;
            let exam = crate::assessments::service::find(conn, exam)?;
            let next = crate::attempts::resits::next_for(conn, &exam, line.trainee_id, now)?;
            Some(crate::attempts::resits::sentence(&next, &exam, &mail.zone))
        }
    };
    let (email, name): (String, String) = users::table
        .find(line.trainee_id)
        .select((users::email, users::full_name))
        .first(conn)?;
    let process: Option<(String, Tier)> = match line.process_id {
        Some(p) => Some(
            processes::table
                .find(p)
                .select((processes::name, processes::tier))
                .first(conn)?,
        ),
        None => None,
    };
    let rendered = RoutingDecision {
        ctx: mail,
        name: &name,
        process: process.as_ref().map(|p| p.0.as_str()),
        tier: process.as_ref().map(|p| p.1.label()),
        status: line.status.as_str(),
        explanation: &line.explanation,
        next,
    }
    .render_mail()?;
    notices::queue(
        conn,
        &format!("routing:run:{run}:trainee:{}", line.trainee_id),
        &Recipient {
            id: Some(line.trainee_id),
            email,
            name,
        },
        &rendered,
        now,
    )?;
    Ok(())
}
