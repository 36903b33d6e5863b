//! Drives and applications.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::eligibility::{self, Rules};
use crate::accounts::validate::{DEGREE_CLASSES, DOMAINS};
use crate::assessments::blueprint::{Kind, Section};
use crate::audit::{self, Event};
use crate::db::schema::{application_events, applications, assessments, drives};
use crate::db::{ApplicationId, ApplicationStatus, AssessmentId, DbConn, DriveId, DriveState, Json, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::User;
use crate::mail::MailContext;
use crate::notices::templates::{ApplicationReceived, Mail};
use crate::notices::{self, Recipient, Rendered};
use crate::web::input::{Name, Word};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Eligibility {
    pub min_score_percent: Option<f64>,
    #[schema(max_length = 64)]
    pub min_degree_class: Option<String>,
    /// At most 50 degrees of at most 200 characters each.
    #[serde(default)]
    #[schema(max_items = 50, inline, value_type = Vec<Name>)]
    pub degrees: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 20, inline, value_type = Vec<Word>)]
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewDrive {
    #[schema(max_length = 200)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    pub assessment_id: AssessmentId,
    #[serde(default)]
    pub eligibility: Eligibility,
    /// Sections whose scores break ties in the rankings, in order.
    #[serde(default)]
    #[schema(max_items = 20, inline, value_type = Vec<Name>)]
    pub tie_break_sections: Vec<String>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = drives)]
#[schema(example = crate::drives::examples::drive)]
pub struct DriveRow {
    pub id: DriveId,
    pub name: String,
    pub description: String,
    pub assessment_id: AssessmentId,
    pub min_score_percent: Option<f64>,
    pub min_degree_class: Option<String>,
    #[serde(skip)]
    pub degrees: Json<Vec<String>>,
    #[serde(skip)]
    pub domains: Json<Vec<String>>,
    #[serde(skip)]
    pub tie_break_sections: Json<Vec<String>>,
    /// UTC, without a zone.
    #[schema(value_type = Option<String>)]
    pub opens_at: Option<NaiveDateTime>,
    /// UTC, without a zone.
    #[schema(value_type = Option<String>)]
    pub closes_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub created_by: Option<UserId>,
    /// UTC, without a zone.
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
    /// Open, closed (no new applications) or archived (hidden from candidates).
    pub state: DriveState,
    /// The shareable invite link's code: staff read it at `/drives/{id}/invite-link`.
    #[serde(skip)]
    pub invite_code: Option<String>,
}

impl DriveRow {
    pub fn rules(&self) -> Rules {
        Rules {
            min_score_percent: self.min_score_percent,
            min_degree_class: self.min_degree_class.clone(),
            degrees: self.degrees.0.clone(),
            domains: self.domains.0.clone(),
        }
    }

    pub fn is_open(&self, now: NaiveDateTime) -> bool {
        self.state == DriveState::Open
            && self.opens_at.is_none_or(|o| now >= o)
            && self.closes_at.is_none_or(|c| now < c)
    }

    pub fn describe_rules(&self) -> String {
        let r = self.rules();
        let mut parts = Vec::new();
        if let Some(m) = r.min_score_percent {
            parts.push(format!("at least {m}%"));
        }
        if let Some(c) = &r.min_degree_class {
            parts.push(format!("at least a {c} class degree"));
        }
        if !r.degrees.is_empty() {
            parts.push(format!("degree: {}", r.degrees.join(", ")));
        }
        if !r.domains.is_empty() {
            parts.push(format!("domain: {}", r.domains.join(", ")));
        }
        if parts.is_empty() {
            "open to all graduates".into()
        } else {
            parts.join("; ")
        }
    }
}

/// Checks a new drive, then writes it and its audit entry in one
/// transaction; every problem is reported at once.
pub fn create(conn: &mut DbConn, drive: &NewDrive, actor: UserId, now: NaiveDateTime) -> AppResult<DriveId> {
    let mut errors = check_fields(drive);
    conn.transaction(|conn| {
        check_assessment(conn, drive, &mut errors)?;
        if !errors.is_empty() {
            return Err(AppError::invalid(
                "The drive needs fixing; each problem is listed.",
                std::mem::take(&mut errors),
            ));
        }
        insert_drive(conn, drive, actor, now)
    })
}

/// The problems a drive's own fields have, without the database.
pub(super) fn check_fields(drive: &NewDrive) -> Vec<ErrorDetail> {
    let mut errors = Vec::new();
    let name = drive.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(ErrorDetail::field(
            "name",
            "Give the drive a name of 1 to 200 characters.",
        ));
    }
    if drive.description.chars().count() > 10000 {
        errors.push(ErrorDetail::field(
            "description",
            "The description must be at most 10000 characters long.",
        ));
    }
    if drive.tie_break_sections.len() > 20 {
        errors.push(ErrorDetail::field(
            "tie_break_sections",
            "Name at most 20 sections to break ties.",
        ));
    }
    let e = &drive.eligibility;
    if e.degrees.len() > 50 || e.degrees.iter().any(|d| d.chars().count() > 200) {
        errors.push(ErrorDetail::field(
            "eligibility.degrees",
            "List at most 50 degrees, each at most 200 characters long.",
        ));
    }
    if e.domains.len() > 20 {
        errors.push(ErrorDetail::field("eligibility.domains", "List at most 20 domains."));
    }
    if let Some(m) = e.min_score_percent.filter(|m| !(0.0..=100.0).contains(m)) {
        errors.push(ErrorDetail::field(
            "eligibility.min_score_percent",
            format!("{m} is not a percentage from 0 to 100."),
        ));
    }
    if let Some(c) = e.min_degree_class.as_deref().filter(|c| !DEGREE_CLASSES.contains(c)) {
        errors.push(ErrorDetail::field(
            "eligibility.min_degree_class",
            format!("'{c}' is not one of {}.", DEGREE_CLASSES.join(", ")),
        ));
    }
    for d in e.domains.iter().filter(|d| !DOMAINS.contains(&d.as_str())) {
        errors.push(ErrorDetail::field(
            "eligibility.domains",
            format!("'{d}' is not one of {}.", DOMAINS.join(", ")),
        ));
    }
    if let (Some(o), Some(c)) = (drive.opens_at, drive.closes_at) {
        if c <= o {
            errors.push(ErrorDetail::field("closes_at", "The drive must close after it opens."));
        }
    }
    errors
}

/// Whether the drive's test exists, is an aptitude test and has the
/// sections named to break ties.
pub(super) fn check_assessment(conn: &mut DbConn, drive: &NewDrive, errors: &mut Vec<ErrorDetail>) -> AppResult<()> {
    let assessment = assessments::table
        .find(drive.assessment_id)
        .select((assessments::kind, assessments::sections))
        .first::<(Kind, Json<Vec<Section>>)>(conn)
        .optional()?;
    match assessment {
        None => errors.push(ErrorDetail::field(
            "assessment_id",
            format!("There is no assessment {}.", drive.assessment_id),
        )),
        Some((kind, _)) if kind != Kind::Aptitude => errors.push(ErrorDetail::field(
            "assessment_id",
            "A drive's test must be an aptitude test, not a post-training exam.",
        )),
        Some((_, sections)) => {
            for s in drive
                .tie_break_sections
                .iter()
                .filter(|s| !sections.iter().any(|x| &x.name == *s))
            {
                errors.push(ErrorDetail::field(
                    "tie_break_sections",
                    format!("The test has no section '{s}'."),
                ));
            }
        }
    }
    Ok(())
}

fn insert_drive(conn: &mut DbConn, drive: &NewDrive, actor: UserId, now: NaiveDateTime) -> AppResult<DriveId> {
    let name = drive.name.trim();
    let e = &drive.eligibility;
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let id: DriveId = diesel::insert_into(drives::table)
        .values((
            drives::name.eq(name),
            drives::description.eq(drive.description.trim()),
            drives::assessment_id.eq(drive.assessment_id),
            drives::min_score_percent.eq(e.min_score_percent),
            drives::min_degree_class.eq(e.min_degree_class.as_deref()),
            drives::degrees.eq(json(&e.degrees)),
            drives::domains.eq(json(&e.domains)),
            drives::tie_break_sections.eq(json(&drive.tie_break_sections)),
            drives::opens_at.eq(drive.opens_at.map(|t| t.naive_utc())),
            drives::closes_at.eq(drive.closes_at.map(|t| t.naive_utc())),
            drives::created_by.eq(Some(actor)),
            drives::created_at.eq(now),
        ))
        .returning(drives::id)
        .get_result(conn)?;
    let detail = format!("created drive '{name}'");
    audit::record(
        conn,
        Event {
            actor: Some(actor),
            action: "drive.create",
            entity: "drive",
            entity_id: Some(id.0),
            detail: &detail,
        },
        now,
    )?;
    Ok(id)
}

pub fn find(conn: &mut DbConn, id: DriveId) -> AppResult<DriveRow> {
    drives::table
        .find(id)
        .select(DriveRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no drive {id}.")))
}

pub fn list(conn: &mut DbConn) -> AppResult<Vec<DriveRow>> {
    Ok(drives::table
        .select(DriveRow::as_select())
        .order(drives::id.desc())
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = applications)]
#[schema(example = crate::drives::examples::application)]
pub struct ApplicationRow {
    pub id: ApplicationId,
    pub drive_id: DriveId,
    pub candidate_id: UserId,
    #[schema(value_type = String)]
    pub status: ApplicationStatus,
    pub eligible: bool,
    pub reason: String,
    pub attempt_id: Option<crate::db::AttemptId>,
    pub percent: Option<f64>,
    pub tie_break: Option<f64>,
    /// UTC, without a zone.
    #[schema(value_type = Option<String>)]
    pub submitted_at: Option<NaiveDateTime>,
    /// UTC, without a zone.
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
    /// UTC, without a zone.
    #[schema(value_type = String)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::applied)]
pub struct Applied {
    pub application_id: ApplicationId,
    pub eligible: bool,
    pub reason: String,
}

/// Applies to a drive: eligibility from the profile, one application per
/// person, and the notice in the same transaction.
pub fn apply(
    conn: &mut DbConn,
    drive_id: DriveId,
    user: &User,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Applied> {
    conn.transaction(|conn| {
        // A double click must find the first click's application.
        crate::db::serialize_person(conn, user.id)?;
        let drive = find(conn, drive_id)?;
        if drive.state == DriveState::Archived {
            return Err(AppError::NotFound(format!("There is no drive {drive_id}.")));
        }
        if drive.state == DriveState::Closed {
            return Err(AppError::conflict(
                "drive_closed",
                "This drive has been closed to new applications; look for another open drive.",
            ));
        }
        if !drive.is_open(now) {
            return Err(AppError::conflict(
                "drive_closed",
                "This drive is not taking applications now.",
            ));
        }
        let existing: Option<ApplicationRow> = applications::table
            .filter(applications::drive_id.eq(drive_id))
            .filter(applications::candidate_id.eq(user.id))
            .select(ApplicationRow::as_select())
            .first(conn)
            .optional()?;
        let profile = crate::accounts::service::get_profile(conn, user.id)?;
        let (eligible, reason) = match eligibility::decide(&drive.rules(), profile.as_ref()) {
            Ok(r) => (true, r),
            Err(r) => (false, r),
        };
        if let Some(app) = existing {
            // An ineligible application is checked again against the updated
            // profile, as its refusal invited; anything else stands.
            if app.status == ApplicationStatus::Withdrawn {
                return Err(AppError::conflict(
                    "already_applied",
                    "You withdrew your application to this drive; it cannot be made again.",
                ));
            }
            if app.eligible || app.status != ApplicationStatus::Applied {
                return Err(AppError::conflict(
                    "already_applied",
                    format!("You applied to this drive already (application {}).", app.id),
                ));
            }
            return recheck(conn, &drive, app, user, eligible, &reason, now, mail);
        }
        let id = record_application(conn, &drive, user, eligible, &reason, now, mail)?;
        Ok(Applied {
            application_id: id,
            eligible,
            reason,
        })
    })
}

/// Writes a new application, its first timeline event and the notice that
/// tells the person it was received (and whether they are eligible).
fn record_application(
    conn: &mut DbConn,
    drive: &DriveRow,
    user: &User,
    eligible: bool,
    reason: &str,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<ApplicationId> {
    let id: ApplicationId = diesel::insert_into(applications::table)
        .values((
            applications::drive_id.eq(drive.id),
            applications::candidate_id.eq(user.id),
            applications::status.eq(ApplicationStatus::Applied),
            applications::eligible.eq(eligible),
            applications::reason.eq(reason),
            applications::created_at.eq(now),
            applications::updated_at.eq(now),
        ))
        .returning(applications::id)
        .get_result(conn)?;
    diesel::insert_into(application_events::table)
        .values((
            application_events::application_id.eq(id),
            application_events::from_status.eq(None::<ApplicationStatus>),
            application_events::to_status.eq(ApplicationStatus::Applied),
            application_events::actor_id.eq(Some(user.id)),
            application_events::note.eq(reason),
            application_events::at.eq(now),
        ))
        .execute(conn)?;
    crate::webhooks::emit(
        conn,
        crate::db::WebhookEvent::ApplicationReceived,
        &serde_json::json!({
            "application_id": id,
            "drive_id": drive.id,
            "candidate_id": user.id,
            "eligible": eligible,
            "reason": reason,
        }),
        now,
    )?;
    let rendered = eligibility_notice(drive, user, eligible, reason, mail)?;
    notices::queue(
        conn,
        &format!("application:{id}:received"),
        &Recipient::from(user),
        &rendered,
        now,
    )?;
    Ok(id)
}

/// The email that tells a person their application was received, and
/// whether it is eligible and why: sent on applying and on each re-check.
fn eligibility_notice(
    drive: &DriveRow,
    user: &User,
    eligible: bool,
    reason: &str,
    mail: &MailContext,
) -> AppResult<Rendered> {
    ApplicationReceived {
        ctx: mail,
        name: &user.full_name,
        drive: &drive.name,
        eligible,
        reason,
        link: format!("{}/drives/{}", mail.base_url, drive.id),
    }
    .render_mail()
}

/// Re-decides an ineligible application after the person updated their
/// profile, with its event and a notice of the new decision.
#[allow(clippy::too_many_arguments)]
fn recheck(
    conn: &mut DbConn,
    drive: &DriveRow,
    app: ApplicationRow,
    user: &User,
    eligible: bool,
    reason: &str,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Applied> {
    diesel::update(applications::table.find(app.id))
        .set((
            applications::eligible.eq(eligible),
            applications::reason.eq(reason),
            applications::updated_at.eq(now),
        ))
        .execute(conn)?;
    let checks: i64 = application_events::table
        .filter(application_events::application_id.eq(app.id))
        .count()
        .get_result(conn)?;
    diesel::insert_into(application_events::table)
        .values((
            application_events::application_id.eq(app.id),
            application_events::from_status.eq(Some(ApplicationStatus::Applied)),
            application_events::to_status.eq(ApplicationStatus::Applied),
            application_events::actor_id.eq(Some(user.id)),
            application_events::note.eq(format!("checked again: {reason}")),
            application_events::at.eq(now),
        ))
        .execute(conn)?;
    let rendered = eligibility_notice(drive, user, eligible, reason, mail)?;
    notices::queue(
        conn,
        &format!("application:{}:recheck:{checks}", app.id),
        &Recipient::from(user),
        &rendered,
        now,
    )?;
    Ok(Applied {
        application_id: app.id,
        eligible,
        reason: reason.to_string(),
    })
}

pub fn applications_of(conn: &mut DbConn, user_id: UserId) -> AppResult<Vec<ApplicationRow>> {
    Ok(applications::table
        .filter(applications::candidate_id.eq(user_id))
        .select(ApplicationRow::as_select())
        .order(applications::id.desc())
        .load(conn)?)
}

/// A page of drives, newest first: those before `before`, at most `limit`;
/// the archived ones, or every other.
pub fn page(conn: &mut DbConn, before: Option<DriveId>, archived: bool, limit: i64) -> AppResult<Vec<DriveRow>> {
    let mut query = drives::table
        .select(DriveRow::as_select())
        .order(drives::id.desc())
        .limit(limit)
        .into_boxed();
    query = if archived {
        query.filter(drives::state.eq(DriveState::Archived))
    } else {
        query.filter(drives::state.ne(DriveState::Archived))
    };
    if let Some(before) = before {
        query = query.filter(drives::id.lt(before));
    }
    Ok(query.load(conn)?)
}

/// Applications by drive and status for the drives whose ids lie in
/// `first..=last` (a page of the list, or one drive).
pub fn application_counts(
    conn: &mut DbConn,
    first: DriveId,
    last: DriveId,
) -> AppResult<Vec<(DriveId, ApplicationStatus, i64)>> {
    Ok(applications::table
        .filter(applications::drive_id.between(first, last))
        .group_by((applications::drive_id, applications::status))
        .select((applications::drive_id, applications::status, diesel::dsl::count_star()))
        .order((applications::drive_id.asc(), applications::status.asc()))
        .load(conn)?)
}
