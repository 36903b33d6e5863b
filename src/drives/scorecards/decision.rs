//! The hiring decision: a drive's rules weigh the test against the panel's
//! scorecards and propose a KPO offer, a BPO offer or not selected, with a
//! sentence saying why; the recruiter confirms, or overrides with a reason
//! kept in the audit log. The move itself is `pipeline::decide`, so it goes
//! through `pipeline::transition` and sends the candidate only the letter
//! and the optional message to them, never the reason.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::competencies;
use super::panel::{self, CompetencyMean, HiringRules, Outcome};
use super::service::{self, INTERVIEW_STAGE};
use crate::audit::{self, Event};
use crate::db::schema::{applications, drive_hiring_rules, users};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, DriveId, UserId};
use crate::drives::pipeline::{self, Decision, NOTE_MAX};
use crate::drives::service::ApplicationRow;
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::User;
use crate::mail::MailContext;
use crate::web::paging::{self, Page};

/// A drive's rules, or the defaults (60/40, KPO from 70, BPO from 50).
pub fn rules(conn: &mut DbConn, drive_id: DriveId) -> AppResult<HiringRules> {
    let row: Option<(i32, f64, f64)> = drive_hiring_rules::table
        .find(drive_id)
        .select((
            drive_hiring_rules::test_weight,
            drive_hiring_rules::kpo_min,
            drive_hiring_rules::bpo_min,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(w, k, b)| HiringRules::new(w, k, b)).unwrap_or_default())
}

/// Sets a drive's rules, refusing weights or thresholds out of range.
pub fn set_rules(
    conn: &mut DbConn,
    drive_id: DriveId,
    asked: &HiringRules,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<HiringRules> {
    let asked = HiringRules::new(asked.test_weight, asked.kpo_min, asked.bpo_min);
    let found = asked.problems();
    if !found.is_empty() {
        return Err(AppError::invalid(
            "The hiring rules need fixing; each problem is listed.",
            found
                .into_iter()
                .map(|(field, message)| ErrorDetail::field(field, message))
                .collect(),
        ));
    }
    conn.transaction(|conn| {
        crate::drives::service::find(conn, drive_id)?;
        diesel::delete(drive_hiring_rules::table.find(drive_id)).execute(conn)?;
        diesel::insert_into(drive_hiring_rules::table)
            .values((
                drive_hiring_rules::drive_id.eq(drive_id),
                drive_hiring_rules::test_weight.eq(asked.test_weight),
                drive_hiring_rules::kpo_min.eq(asked.kpo_min),
                drive_hiring_rules::bpo_min.eq(asked.bpo_min),
                drive_hiring_rules::updated_by.eq(Some(actor)),
                drive_hiring_rules::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "drive.hiring_rules",
                entity: "drive",
                entity_id: Some(drive_id.0),
                detail: &format!(
                    "Test {}% / interview {}%; KPO offer from {}, BPO offer from {}",
                    asked.test_weight, asked.interview_weight, asked.kpo_min, asked.bpo_min
                ),
            },
            now,
        )?;
        Ok(asked)
    })
}

/// The panel's view of one application: means per competency, the
/// interview, test and combined scores, and the proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::panel)]
pub struct Panel {
    pub application_id: ApplicationId,
    pub competencies: Vec<CompetencyMean>,
    /// Submitted scorecards.
    pub scorecards: usize,
    pub test_percent: Option<f64>,
    /// 0 to 100: the mean of the competency means, 1 → 0 and 5 → 100.
    pub interview_percent: Option<f64>,
    pub combined: Option<f64>,
    pub rules: HiringRules,
    /// Null while no scorecard is submitted.
    #[schema(value_type = Option<String>)]
    pub proposal: Option<Outcome>,
    /// The proposal in words, with the scores and the threshold that decided it.
    pub reason: String,
}

/// The panel of each application in `apps` (all of one drive).
fn panels(conn: &mut DbConn, drive_id: DriveId, apps: &[ApplicationRow]) -> AppResult<Vec<Panel>> {
    let order = competencies::names(conn, drive_id)?;
    let rules = rules(conn, drive_id)?;
    let ids: Vec<ApplicationId> = apps.iter().map(|a| a.id).collect();
    let rated = service::submitted_ratings(conn, &ids)?;
    Ok(apps
        .iter()
        .map(|app| {
            let mut card_ids: Vec<i32> = rated.iter().filter(|r| r.0 == app.id).map(|r| r.1).collect();
            card_ids.dedup();
            let cards: Vec<Vec<(String, i32)>> = card_ids
                .iter()
                .map(|c| rated.iter().filter(|r| r.1 == *c).map(|r| (r.2.clone(), r.3)).collect())
                .collect();
            let means = panel::means(&order, &cards);
            let test = app.percent.unwrap_or(0.0);
            let proposal = panel::propose(&rules, test, &means, cards.len());
            Panel {
                application_id: app.id,
                scorecards: cards.len(),
                test_percent: app.percent,
                interview_percent: panel::interview_percent(&means).filter(|_| !cards.is_empty()),
                combined: proposal.combined,
                rules,
                proposal: proposal.outcome,
                reason: proposal.reason,
                competencies: means,
            }
        })
        .collect())
}

/// One application's panel, for a viewer allowed to see it.
pub fn panel_of(conn: &mut DbConn, id: ApplicationId, viewer: &User) -> AppResult<Panel> {
    let app = service::application(conn, id)?;
    if !service::may_see_panel(conn, id, viewer)? {
        return Err(service::blind());
    }
    panels(conn, app.drive_id, std::slice::from_ref(&app))?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("There is no application {id}.")))
}

/// An application's interview and combined scores.
pub type InterviewScores = (ApplicationId, Option<f64>, Option<f64>);

/// The interview and combined scores of ranked applications, by id.
pub fn scores(conn: &mut DbConn, drive_id: DriveId, ids: &[ApplicationId]) -> AppResult<Vec<InterviewScores>> {
    let apps: Vec<ApplicationRow> = applications::table
        .filter(applications::id.eq_any(ids))
        .select(ApplicationRow::as_select())
        .load(conn)?;
    Ok(panels(conn, drive_id, &apps)?
        .into_iter()
        .map(|p| (p.application_id, p.interview_percent, p.combined))
        .collect())
}

/// One row of the decision page.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::proposal)]
pub struct ProposalRow {
    pub application_id: ApplicationId,
    pub candidate_id: UserId,
    pub full_name: String,
    #[schema(value_type = String)]
    pub status: ApplicationStatus,
    pub panel: Panel,
    /// Competencies the panel disagreed on (ratings two or more apart).
    pub disagreements: Vec<String>,
    /// `offered_kpo`, `offered_bpo` or `rejected`: the status confirming moves to.
    #[schema(value_type = Option<String>)]
    pub proposed_status: Option<ApplicationStatus>,
    /// The proposal in words a recruiter uses.
    pub proposal_label: String,
}

/// The drive's applications at the interview stage, by application id,
/// each with its proposal.
pub fn proposals(
    conn: &mut DbConn,
    drive_id: DriveId,
    after: Option<i32>,
    limit: i64,
) -> AppResult<Page<ProposalRow, ApplicationId>> {
    crate::drives::service::find(conn, drive_id)?;
    let mut query = applications::table
        .inner_join(users::table.on(users::id.eq(applications::candidate_id)))
        .filter(applications::drive_id.eq(drive_id))
        .filter(applications::status.eq_any(INTERVIEW_STAGE))
        .select((ApplicationRow::as_select(), users::full_name))
        .order(applications::id.asc())
        .limit(paging::fetch(limit))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(applications::id.gt(ApplicationId(after)));
    }
    let rows: Vec<(ApplicationRow, String)> = query.load(conn)?;
    let apps: Vec<ApplicationRow> = rows.iter().map(|r| r.0.clone()).collect();
    let panels = panels(conn, drive_id, &apps)?;
    let items = rows
        .into_iter()
        .zip(panels)
        .map(|((app, full_name), panel)| ProposalRow {
            application_id: app.id,
            candidate_id: app.candidate_id,
            full_name,
            status: app.status,
            disagreements: panel
                .competencies
                .iter()
                .filter(|m| m.disagreement)
                .map(|m| m.competency.clone())
                .collect(),
            proposed_status: panel.proposal.map(Outcome::status),
            proposal_label: panel
                .proposal
                .map(Outcome::label)
                .unwrap_or("Waiting for the panel")
                .into(),
            panel,
        })
        .collect();
    Ok(Page::cut(items, limit, |r: &ProposalRow| r.application_id))
}

/// A recruiter's hiring decision on a proposal.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct HiringDecision {
    /// `offered_kpo`, `offered_bpo` or `rejected`.
    #[schema(max_length = 64, example = "offered_kpo")]
    pub status: String,
    /// Internal: why. Needed when the decision differs from the proposal;
    /// kept in the timeline and the audit log, never sent to the candidate.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub reason: String,
    /// Optional words to the candidate, added to the email the move sends.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub message: String,
}

/// What a hiring decision did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::decided)]
pub struct Decided {
    pub application: ApplicationRow,
    #[schema(value_type = Option<String>)]
    pub proposed: Option<ApplicationStatus>,
    /// True when the recruiter chose differently from the proposal.
    pub overridden: bool,
}

/// The outcome a decision asks for, or 422 naming the three choices.
pub fn outcome(asked: &str) -> AppResult<Outcome> {
    asked
        .trim()
        .parse::<ApplicationStatus>()
        .ok()
        .and_then(Outcome::from_status)
        .ok_or_else(|| {
            AppError::invalid_field(
                "status",
                "Choose offered_kpo (KPO offer), offered_bpo (BPO offer) or rejected (not selected).",
            )
        })
}

/// Confirms the proposal for application `id`, or overrides it with a
/// reason, and moves the application through the pipeline.
pub fn decide(
    conn: &mut DbConn,
    id: ApplicationId,
    asked: &HiringDecision,
    actor: &User,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Decided> {
    let chosen = outcome(&asked.status)?;
    let reason = asked.reason.trim();
    if reason.chars().count() > NOTE_MAX {
        return Err(AppError::invalid_field(
            "reason",
            format!("The reason must be at most {NOTE_MAX} characters long."),
        ));
    }
    conn.transaction(|conn| {
        let app = service::application(conn, id)?;
        if !INTERVIEW_STAGE.contains(&app.status) {
            return Err(AppError::conflict(
                "not_interviewing",
                format!(
                    "Only applications shortlisted for a KPO interview get a hiring decision here; this one is {}.",
                    crate::drives::staff_label(app.status).to_lowercase()
                ),
            ));
        }
        let panel = panels(conn, app.drive_id, std::slice::from_ref(&app))?
            .pop()
            .ok_or_else(|| AppError::NotFound(format!("There is no application {id}.")))?;
        let overridden = panel.proposal != Some(chosen);
        if overridden && reason.is_empty() {
            let proposed = panel.proposal.map(Outcome::label).unwrap_or("none yet: no scorecard is submitted");
            return Err(AppError::invalid_field(
                "reason",
                format!(
                    "The proposal is {proposed}; to decide {} instead, say why. The reason stays in the audit log and is never sent to the candidate.",
                    chosen.label()
                ),
            ));
        }
        let note = if overridden {
            format!(
                "Hiring decision {} overrides the proposal ({}): {reason}",
                chosen.label(),
                panel.proposal.map(Outcome::label).unwrap_or("none")
            )
        } else {
            format!("Hiring decision {} as proposed. {}", chosen.label(), panel.reason)
        };
        let decision = Decision {
            status: chosen.status().as_str().into(),
            note,
            message: asked.message.clone(),
            cohort_id: None,
        };
        let application = pipeline::decide(conn, id, &decision, actor.id, now, mail)?;
        audit::record(
            conn,
            Event {
                actor: Some(actor.id),
                action: if overridden { "hiring.override" } else { "hiring.confirm" },
                entity: "application",
                entity_id: Some(id.0),
                detail: &format!(
                    "Proposed: {}; decided: {}. {}{}",
                    panel.proposal.map(Outcome::label).unwrap_or("nothing yet"),
                    chosen.label(),
                    panel.reason,
                    if reason.is_empty() { String::new() } else { format!(" Reason: {reason}") }
                ),
            },
            now,
        )?;
        Ok(Decided {
            application,
            proposed: panel.proposal.map(Outcome::status),
            overridden,
        })
    })
}
