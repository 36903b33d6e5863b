//! Re-sits: a trainer gives a trainee (or everyone the latest published
//! routing run sent to retrain) one more sitting of a post-training exam,
//! and each is told by email, in the same sentence their Training page
//! shows. Whether a start may use a re-sit is `attempts::resits`' business.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::assessments::models::AssessmentRow;
use crate::assessments::service as assessments;
use crate::attempts::resits::{self, Next};
use crate::audit::{self, Event};
use crate::db::schema::{attempts, cohort_exams, resits as resit_rows, routing_lines, routing_runs};
use crate::db::{AssessmentId, AttemptStatus, CohortId, DbConn, RunStatus, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::notices::templates::{Mail, ResitOpened};
use crate::routing::engine::Status;

/// Who gets a re-sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    One(UserId),
    /// Everyone the latest published run of this exam sent to retrain.
    RoutedToRetrain,
}

/// A trainer's request: re-sits of `exam` for `who` in `cohort`, open `days` days.
#[derive(Debug, Clone, Copy)]
pub struct ResitRequest {
    pub cohort: CohortId,
    pub exam: AssessmentId,
    pub who: Who,
    pub days: i64,
}

/// Days a re-sit stays open when the trainer does not say.
pub const DEFAULT_DAYS: i64 = 14;

/// One trainee and what a re-sit would do for them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResitLine {
    pub trainee_id: UserId,
    pub full_name: String,
    /// Why no re-sit is opened for them (they can sit already); absent when one is.
    pub skipped_because: Option<String>,
}

/// What granting re-sits did, or would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"assessment_id": 21, "exam": "Motor claims post-training exam", "until": "2027-03-12T09:00:00",
    "lines": [{"trainee_id": 63, "full_name": "Rohit Deshmukh", "skipped_because": null},
    {"trainee_id": 68, "full_name": "Kavya Iyer", "skipped_because": "already has a re-sit open"}]}))]
pub struct ResitPlan {
    pub assessment_id: AssessmentId,
    pub exam: String,
    /// When the re-sits close: a start must begin before it.
    #[schema(value_type = String)]
    pub until: NaiveDateTime,
    pub lines: Vec<ResitLine>,
}

impl ResitPlan {
    /// The trainees who get (or got) a re-sit.
    pub fn granted(&self) -> impl Iterator<Item = &ResitLine> {
        self.lines.iter().filter(|l| l.skipped_because.is_none())
    }
}

/// The exam, checked to be assigned to the cohort.
fn cohort_exam(conn: &mut DbConn, cohort: CohortId, exam: AssessmentId) -> AppResult<AssessmentRow> {
    super::service::find(conn, cohort)?;
    let assigned: i64 = cohort_exams::table
        .filter(cohort_exams::cohort_id.eq(cohort))
        .filter(cohort_exams::assessment_id.eq(exam))
        .count()
        .get_result(conn)?;
    if assigned == 0 {
        return Err(AppError::invalid_field(
            "assessment_id",
            format!("Exam {exam} is not assigned to this cohort; a re-sit is of one of the cohort's exams."),
        ));
    }
    assessments::find(conn, exam)
}

/// The trainees `who` names, with their names.
fn people(conn: &mut DbConn, cohort: CohortId, exam: AssessmentId, who: Who) -> AppResult<Vec<(UserId, String)>> {
    let trainees = super::service::trainees(conn, cohort)?;
    match who {
        Who::One(id) => match trainees.into_iter().find(|(t, _, _)| *t == id) {
            Some((id, name, _)) => Ok(vec![(id, name)]),
            None => Err(AppError::invalid_field(
                "trainee_id",
                format!("Person {id} is not a trainee of this cohort."),
            )),
        },
        Who::RoutedToRetrain => {
            let run: Option<crate::db::RunId> = routing_runs::table
                .filter(routing_runs::cohort_id.eq(cohort))
                .filter(routing_runs::assessment_id.eq(exam))
                .filter(routing_runs::status.eq(RunStatus::Published))
                .order((routing_runs::published_at.desc(), routing_runs::id.desc()))
                .select(routing_runs::id)
                .first(conn)
                .optional()?;
            let Some(run) = run else {
                return Err(AppError::conflict(
                    "no_published_run",
                    "No routing run of this exam is published for this cohort yet, so nobody is routed to \
                     retrain; publish a run first, or open a re-sit for one trainee.",
                ));
            };
            let retrain: Vec<UserId> = routing_lines::table
                .filter(routing_lines::run_id.eq(run))
                .filter(routing_lines::status.eq(Status::Retrain))
                .select(routing_lines::trainee_id)
                .load(conn)?;
            Ok(trainees
                .into_iter()
                .filter(|(t, _, _)| retrain.contains(t))
                .map(|(t, name, _)| (t, name))
                .collect())
        }
    }
}

/// Why a trainee needs no re-sit: they have an attempt open, or may sit now.
fn no_need(conn: &mut DbConn, exam: &AssessmentRow, trainee: UserId, now: NaiveDateTime) -> AppResult<Option<String>> {
    let open: i64 = attempts::table
        .filter(attempts::assessment_id.eq(exam.id))
        .filter(attempts::user_id.eq(trainee))
        .filter(attempts::status.eq(AttemptStatus::Open))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Ok(Some("is taking the exam now".into()));
    }
    Ok(match resits::next_for(conn, exam, trainee, now)? {
        Next::Sit { .. } => Some("can still take the exam without a re-sit".into()),
        Next::Resit { .. } => Some("already has a re-sit open".into()),
        _ => None,
    })
}

/// Who a grant would reach, and who it would skip: what the trainer
/// confirms before granting.
pub fn plan(conn: &mut DbConn, request: &ResitRequest, now: NaiveDateTime) -> AppResult<ResitPlan> {
    let ResitRequest {
        cohort,
        exam,
        who,
        days,
    } = *request;
    if !(1..=60).contains(&days) {
        return Err(AppError::invalid_field(
            "days",
            "A re-sit stays open from 1 to 60 days; choose a number in that range.",
        ));
    }
    let row = cohort_exam(conn, cohort, exam)?;
    let mut lines = Vec::new();
    for (trainee_id, full_name) in people(conn, cohort, exam, who)? {
        lines.push(ResitLine {
            skipped_because: no_need(conn, &row, trainee_id, now)?,
            trainee_id,
            full_name,
        });
    }
    Ok(ResitPlan {
        assessment_id: exam,
        exam: row.title,
        until: now + Duration::days(days),
        lines,
    })
}

/// Opens the re-sits [`plan`] lists and queues each trainee's email, in one
/// transaction. 409 when nobody would get one, with the reason.
pub fn grant(
    conn: &mut DbConn,
    request: &ResitRequest,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<ResitPlan> {
    let ResitRequest { cohort, exam, who, .. } = *request;
    conn.transaction(|conn| {
        let plan = plan(conn, request, now)?;
        if plan.granted().next().is_none() {
            return Err(nobody(&plan, who));
        }
        let row = assessments::find(conn, exam)?;
        for line in plan.granted() {
            let resit: i32 = diesel::insert_into(resit_rows::table)
                .values((
                    resit_rows::assessment_id.eq(exam),
                    resit_rows::user_id.eq(line.trainee_id),
                    resit_rows::granted_by.eq(Some(actor)),
                    resit_rows::granted_at.eq(now),
                    resit_rows::until.eq(plan.until),
                ))
                .returning(resit_rows::id)
                .get_result(conn)?;
            let next = resits::next_for(conn, &row, line.trainee_id, now)?;
            notify(conn, &row, line, resit, &next, now, mail)?;
        }
        let names: Vec<&str> = plan.granted().map(|l| l.full_name.as_str()).collect();
        let detail = format!("opened a re-sit of exam {exam} for {}", names.join(", "));
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "cohort.resit",
                entity: "cohort",
                entity_id: Some(cohort.0),
                detail: &detail,
            },
            now,
        )?;
        Ok(plan)
    })
}

fn nobody(plan: &ResitPlan, who: Who) -> AppError {
    match (who, plan.lines.first()) {
        (_, Some(line)) if plan.lines.len() == 1 => AppError::conflict(
            "no_resit_needed",
            format!(
                "No re-sit is opened: {} {}.",
                line.full_name,
                line.skipped_because.as_deref().unwrap_or("")
            ),
        ),
        (Who::RoutedToRetrain, None) => AppError::conflict(
            "no_resit_needed",
            "Nobody in the latest published run of this exam is routed to retrain.",
        ),
        _ => AppError::conflict(
            "no_resit_needed",
            "Everyone routed to retrain can already take the exam (or is taking it); no re-sit is needed.",
        ),
    }
}

fn notify(
    conn: &mut DbConn,
    exam: &AssessmentRow,
    line: &ResitLine,
    resit: i32,
    next: &Next,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    let email: String = crate::db::schema::users::table
        .find(line.trainee_id)
        .select(crate::db::schema::users::email)
        .first(conn)?;
    let rendered = ResitOpened {
        ctx: mail,
        name: &line.full_name,
        exam: &exam.title,
        next: resits::sentence(next, exam, &mail.zone),
    }
    .render_mail()?;
    let to = crate::notices::Recipient {
        id: Some(line.trainee_id),
        email,
        name: line.full_name.clone(),
    };
    crate::notices::queue(conn, &format!("resit:{resit}"), &to, &rendered, now)?;
    Ok(())
}

/// Parses the API's choice of who gets a re-sit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"routed_to_retrain": true, "days": 14}))]
pub struct NewResits {
    /// One trainee of the cohort; leave it out with `routed_to_retrain`.
    #[serde(default)]
    pub trainee_id: Option<UserId>,
    /// Everyone the latest published routing run of this exam sent to retrain.
    #[serde(default)]
    pub routed_to_retrain: bool,
    /// How many days the re-sit stays open (1 to 60; default 14).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 60)]
    pub days: Option<i64>,
}

impl NewResits {
    pub fn who(&self) -> AppResult<Who> {
        match (self.trainee_id, self.routed_to_retrain) {
            (Some(id), false) => Ok(Who::One(id)),
            (None, true) => Ok(Who::RoutedToRetrain),
            _ => Err(AppError::invalid_field(
                "trainee_id",
                "Give either one trainee_id, or routed_to_retrain: true for everyone routed to retrain.",
            )),
        }
    }
}
