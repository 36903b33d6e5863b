//! The application pipeline. The allowed moves are the table below and
//! nothing else; every decision records who, when and why, and tells the
//! candidate.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::letters::{self, Letter};
use super::service::{find, ApplicationRow};
use crate::audit::{self, Event};
use crate::db::schema::{application_events, applications, users};
use crate::db::{ApplicationId, ApplicationStatus, CohortId, DbConn, DriveId, DriveState, UserId, WebhookEvent};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::notices::{self, Recipient};
use crate::webhooks;

/// From each status, where a recruiter may move an application. `tested`
/// is reached only by grading.
pub const MOVES: &[(ApplicationStatus, &[ApplicationStatus])] = {
    use ApplicationStatus::*;
    &[
        (Applied, &[Rejected, Withdrawn]),
        (Tested, &[ShortlistedKpo, OfferedBpo, Rejected, Withdrawn]),
        (
            ShortlistedKpo,
            &[Interviewing, Hired, OfferedKpo, OfferedBpo, Rejected, Withdrawn],
        ),
        (
            Interviewing,
            &[ShortlistedKpo, Hired, OfferedKpo, OfferedBpo, Rejected, Withdrawn],
        ),
        (OfferedKpo, &[Hired, Rejected, Withdrawn]),
        (OfferedBpo, &[Hired, Rejected, Withdrawn]),
        (Hired, &[]),
        (Rejected, &[]),
        (Withdrawn, &[]),
    ]
};

pub fn allowed_from(status: ApplicationStatus) -> &'static [ApplicationStatus] {
    MOVES
        .iter()
        .find(|(from, _)| *from == status)
        .map(|(_, to)| *to)
        .unwrap_or(&[])
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Decision {
    /// The next pipeline state.
    #[schema(max_length = 64)]
    pub status: String,
    /// Internal: kept in the timeline and the audit log, never sent to the
    /// candidate.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
    /// Optional words to the candidate, added to the email the move sends.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub message: String,
    /// With `hired`: the training cohort the person joins as a trainee.
    #[schema(value_type = Option<i32>)]
    pub cohort_id: Option<CohortId>,
}

/// Who moves an application on: a recruiter's decision, grading (the only
/// way to `tested`), an interview booked or cancelled (by the candidate or
/// a recruiter), which moves only between shortlisted and interviewing, or
/// the candidate withdrawing it.
#[derive(Debug, Clone, Copy)]
pub enum Mover {
    Staff(UserId),
    Grading,
    Scheduling(UserId),
    /// The candidate themselves: only ever to `withdrawn`.
    Candidate(UserId),
}

impl Mover {
    fn may(self, from: ApplicationStatus, to: ApplicationStatus) -> bool {
        match self {
            Mover::Staff(_) => allowed_from(from).contains(&to),
            Mover::Grading => from == ApplicationStatus::Applied && to == ApplicationStatus::Tested,
            Mover::Scheduling(_) => matches!(
                (from, to),
                (ApplicationStatus::ShortlistedKpo, ApplicationStatus::Interviewing)
                    | (ApplicationStatus::Interviewing, ApplicationStatus::ShortlistedKpo)
            ),
            Mover::Candidate(_) => to == ApplicationStatus::Withdrawn && allowed_from(from).contains(&to),
        }
    }

    fn actor(self) -> Option<UserId> {
        match self {
            Mover::Staff(id) | Mover::Scheduling(id) | Mover::Candidate(id) => Some(id),
            Mover::Grading => None,
        }
    }
}

/// An application about to move: what the move and its notice need.
pub struct Moving {
    pub id: ApplicationId,
    pub drive_id: DriveId,
    pub candidate_id: UserId,
    pub from: ApplicationStatus,
}

impl From<&ApplicationRow> for Moving {
    fn from(app: &ApplicationRow) -> Self {
        Moving {
            id: app.id,
            drive_id: app.drive_id,
            candidate_id: app.candidate_id,
            from: app.status,
        }
    }
}

/// The refusal of a move the table does not allow, naming the allowed ones.
fn illegal_move(from: ApplicationStatus, asked: &str) -> AppError {
    let allowed = allowed_from(from);
    let options = if allowed.is_empty() {
        "none: it is final".to_string()
    } else {
        allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    };
    AppError::conflict(
        "illegal_move",
        format!("An application that is {from} cannot become {asked}; allowed moves: {options}."),
    )
}

/// The status `asked` names, if the table allows moving there from `from`.
pub fn checked_move(from: ApplicationStatus, asked: &str) -> AppResult<ApplicationStatus> {
    let asked = asked.trim();
    let to = asked
        .parse::<ApplicationStatus>()
        .map_err(|_| illegal_move(from, asked))?;
    if !allowed_from(from).contains(&to) {
        return Err(illegal_move(from, asked));
    }
    Ok(to)
}

/// What a move records and says: the internal note, and the message to the
/// candidate (empty when none).
#[derive(Debug, Clone, Copy)]
pub struct Words<'a> {
    pub note: &'a str,
    pub message: &'a str,
}

/// The one place an application's status changes: checks the move against
/// `MOVES` (grading alone reaches `tested`), writes the new status and the
/// timeline event, and queues the candidate's notice for it, in the caller's
/// transaction. Refuses a move the table does not allow with 409 naming the
/// allowed ones.
pub fn transition(
    conn: &mut DbConn,
    app: &Moving,
    to: ApplicationStatus,
    by: Mover,
    words: Words<'_>,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    if !by.may(app.from, to) {
        return Err(illegal_move(app.from, to.as_str()));
    }
    diesel::update(applications::table.find(app.id))
        .set((applications::status.eq(to), applications::updated_at.eq(now)))
        .execute(conn)?;
    diesel::insert_into(application_events::table)
        .values((
            application_events::application_id.eq(app.id),
            application_events::from_status.eq(Some(app.from)),
            application_events::to_status.eq(to),
            application_events::actor_id.eq(by.actor()),
            application_events::note.eq(words.note),
            application_events::at.eq(now),
        ))
        .execute(conn)?;
    announce(conn, app, to, words.note, now)?;
    if app.from == ApplicationStatus::Interviewing && !matches!(by, Mover::Scheduling(_)) {
        // Decided before the interview: it is called off, and calendars told.
        super::interviews::booking::cancel_upcoming(conn, app.id, by.actor(), now, mail)?;
    }
    if matches!(by, Mover::Scheduling(_)) {
        // The interview's own emails (with the calendar event) say it.
        return Ok(());
    }
    queue_notice(conn, app, to, words.message, now, mail)
}

/// The resource of the `application.status_changed` and
/// `application.hired` webhooks.
#[derive(Serialize)]
struct StatusChange<'a> {
    application_id: ApplicationId,
    drive_id: DriveId,
    candidate_id: UserId,
    from: ApplicationStatus,
    to: ApplicationStatus,
    note: &'a str,
}

/// Tells the webhook endpoints about a move, in the move's transaction.
fn announce(conn: &mut DbConn, app: &Moving, to: ApplicationStatus, note: &str, now: NaiveDateTime) -> AppResult<()> {
    let change = StatusChange {
        application_id: app.id,
        drive_id: app.drive_id,
        candidate_id: app.candidate_id,
        from: app.from,
        to,
        note,
    };
    webhooks::emit(conn, WebhookEvent::StatusChanged, &change, now)?;
    if to == ApplicationStatus::Hired {
        webhooks::emit(conn, WebhookEvent::Hired, &change, now)?;
    }
    Ok(())
}

/// Tells the candidate about a move that deserves an email, with the
/// recruiter's message to them (never the internal note).
fn queue_notice(
    conn: &mut DbConn,
    app: &Moving,
    to: ApplicationStatus,
    message: &str,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    let Some(letter) = Letter::for_move(to) else {
        return Ok(());
    };
    let drive = find(conn, app.drive_id)?;
    let (email, name) = letters::candidate(conn, app.candidate_id)?;
    let rendered = letter.render(&name, &drive.name, message, mail)?;
    let to_person = Recipient {
        id: Some(app.candidate_id),
        email,
        name,
    };
    notices::queue(
        conn,
        &format!("application:{}:{to}", app.id),
        &to_person,
        &rendered,
        now,
    )?;
    Ok(())
}

/// The longest internal note kept with a decision.
pub const NOTE_MAX: usize = 1000;

/// Moves one application, or refuses with 409 naming the allowed moves.
pub fn decide(
    conn: &mut DbConn,
    id: ApplicationId,
    decision: &Decision,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<ApplicationRow> {
    if decision.note.chars().count() > NOTE_MAX {
        return Err(AppError::invalid_field(
            "note",
            format!("The note must be at most {NOTE_MAX} characters long."),
        ));
    }
    letters::check_message(&decision.message)?;
    conn.transaction(|conn| {
        let app: ApplicationRow = applications::table
            .find(id)
            .select(ApplicationRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::NotFound(format!("There is no application {id}.")))?;
        if find(conn, app.drive_id)?.state == DriveState::Archived {
            return Err(AppError::conflict(
                "drive_archived",
                "This drive is archived and read-only; restore it first to move its applications.",
            ));
        }
        let asked = decision.status.trim();
        let to = asked
            .parse::<ApplicationStatus>()
            .map_err(|_| illegal_move(app.status, asked))?;
        // An illegal move is refused first (409, by `transition`), as before.
        if decision.cohort_id.is_some() && to != ApplicationStatus::Hired && allowed_from(app.status).contains(&to) {
            return Err(AppError::invalid_field("cohort_id", "A cohort goes with a hire only."));
        }
        if decision.cohort_id.is_none() && to == ApplicationStatus::Hired && allowed_from(app.status).contains(&to) {
            return Err(AppError::invalid_field(
                "cohort_id",
                "Choose the training cohort this person joins; a hire needs one.",
            ));
        }
        let note = decision.note.trim();
        let message = decision.message.trim();
        let words = Words { note, message };
        transition(conn, &Moving::from(&app), to, Mover::Staff(actor), words, now, mail)?;
        let detail = format!(
            "{} → {}{}",
            super::staff_label(app.status),
            super::staff_label(to),
            if note.is_empty() {
                String::new()
            } else {
                format!(": {note}")
            }
        );
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "application.decide",
                entity: "application",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        if let (Some(cohort), ApplicationStatus::Hired) = (decision.cohort_id, to) {
            crate::training::service::add_trainee(conn, cohort, app.candidate_id, Some(id), message, now, mail)?;
        }
        Ok(ApplicationRow {
            status: to,
            updated_at: now,
            ..app
        })
    })
}

/// A bulk action on a drive's ranked applications.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Bulk {
    /// Shortlist the best `n` eligible tested applicants.
    ShortlistTop { n: i64 },
    /// Reject tested applicants below `percent`.
    RejectBelow { percent: f64 },
}

impl Bulk {
    /// Where the action moves each application.
    pub fn status(&self) -> ApplicationStatus {
        match self {
            Bulk::ShortlistTop { .. } => ApplicationStatus::ShortlistedKpo,
            Bulk::RejectBelow { .. } => ApplicationStatus::Rejected,
        }
    }

    pub fn describe(&self, count: usize) -> String {
        match self {
            Bulk::ShortlistTop { n } => {
                format!("Shortlist for KPO interviews the top {n} eligible tested applicants: {count} people.")
            }
            Bulk::RejectBelow { percent } => format!("Reject the tested applicants below {percent}%: {count} people."),
        }
    }
}

/// Exactly the applications a bulk action would touch, in rank order.
pub fn bulk_targets(conn: &mut DbConn, drive_id: DriveId, action: &Bulk) -> AppResult<Vec<ApplicationId>> {
    let base = applications::table
        .filter(applications::drive_id.eq(drive_id))
        .filter(applications::status.eq(ApplicationStatus::Tested))
        .filter(applications::sort_key.is_not_null());
    Ok(match action {
        Bulk::ShortlistTop { n } => base
            .filter(applications::eligible.eq(true))
            .order(applications::sort_key.asc())
            .limit((*n).clamp(0, 100_000))
            .select(applications::id)
            .load(conn)?,
        Bulk::RejectBelow { percent } => base
            .filter(applications::percent.lt(*percent))
            .order(applications::sort_key.asc())
            .select(applications::id)
            .load(conn)?,
    })
}

/// What the recruiter confirmed: how many people, and the message they get.
#[derive(Debug, Clone, Copy)]
pub struct Confirmed<'a> {
    pub expected: usize,
    pub message: &'a str,
}

/// Applies a bulk action to the applications it was confirmed for; each is
/// one decision with its event, audit entry and notice.
pub fn apply_bulk(
    conn: &mut DbConn,
    drive_id: DriveId,
    action: &Bulk,
    confirmed: Confirmed<'_>,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<usize> {
    let Confirmed { expected, message } = confirmed;
    conn.transaction(|conn| {
        let targets = bulk_targets(conn, drive_id, action)?;
        if targets.len() != expected {
            return Err(AppError::conflict(
                "bulk_changed",
                format!(
                    "The list changed since you confirmed: this now touches {} people, not {expected}. Check again.",
                    targets.len()
                ),
            ));
        }
        let status = action.status();
        let note = action.describe(expected);
        for id in &targets {
            decide(
                conn,
                *id,
                &Decision {
                    status: status.as_str().into(),
                    note: note.clone(),
                    message: message.to_string(),
                    cohort_id: None,
                },
                actor,
                now,
                mail,
            )?;
        }
        Ok(targets.len())
    })
}

#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct TimelineEvent {
    #[schema(value_type = Option<String>)]
    pub from_status: Option<ApplicationStatus>,
    #[schema(value_type = String)]
    pub to_status: ApplicationStatus,
    pub actor: Option<String>,
    pub note: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String)]
    pub at: NaiveDateTime,
}

pub fn timeline(conn: &mut DbConn, id: ApplicationId) -> AppResult<Vec<TimelineEvent>> {
    Ok(application_events::table
        .left_join(users::table.on(users::id.nullable().eq(application_events::actor_id)))
        .filter(application_events::application_id.eq(id))
        .select((
            application_events::from_status,
            application_events::to_status,
            users::full_name.nullable(),
            application_events::note,
            application_events::at,
        ))
        .order(application_events::id.asc())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawn_is_allowed_from_everywhere_before_hired_and_nothing_leaves_a_final_state() {
        use ApplicationStatus::*;
        for status in [Applied, Tested, ShortlistedKpo, Interviewing, OfferedKpo, OfferedBpo] {
            assert!(allowed_from(status).contains(&Withdrawn), "{status}");
        }
        for status in [Hired, Rejected, Withdrawn] {
            assert!(allowed_from(status).is_empty(), "{status}");
        }
        assert!(
            !allowed_from(Applied).contains(&Tested),
            "grading alone moves to tested"
        );
        for status in ApplicationStatus::ALL {
            assert_eq!(MOVES.iter().filter(|(from, _)| *from == status).count(), 1, "{status}");
        }
    }
}
