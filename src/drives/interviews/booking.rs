//! Booking an interview (the candidate picks a slot, or a recruiter assigns
//! one), moving it and cancelling it. Each runs in one transaction with the
//! place taken or given back, the application's move through
//! `pipeline::transition`, the audit entry and the emails with their
//! calendar events.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::letters::{self, Change};
use super::slots::{self, SlotRow};
use crate::audit::{self, Event};
use crate::db::schema::{applications, interviews};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, InterviewId, InterviewStatus, SlotId, UserId};
use crate::drives::pipeline::{self, Mover, Moving, Words};
use crate::drives::service::ApplicationRow;
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interviews)]
pub struct InterviewRow {
    pub id: InterviewId,
    pub slot_id: SlotId,
    pub application_id: ApplicationId,
    pub uid: String,
    pub sequence: i32,
    pub status: InterviewStatus,
    pub booked_by: UserId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, id: InterviewId) -> AppResult<InterviewRow> {
    interviews::table
        .find(id)
        .select(InterviewRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no interview {id}.")))
}

/// The application's booked interview, if it has one.
pub fn booked_for(conn: &mut DbConn, application: ApplicationId) -> AppResult<Option<InterviewRow>> {
    Ok(interviews::table
        .filter(interviews::application_id.eq(application))
        .filter(interviews::status.eq(InterviewStatus::Booked))
        .select(InterviewRow::as_select())
        .first(conn)
        .optional()?)
}

fn application(conn: &mut DbConn, id: ApplicationId) -> AppResult<ApplicationRow> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no application {id}.")))
}

/// A slot of the application's drive that has not started.
fn bookable_slot(conn: &mut DbConn, app: &ApplicationRow, slot: SlotId, now: NaiveDateTime) -> AppResult<SlotRow> {
    let slot = slots::find(conn, slot)?;
    if slot.drive_id != app.drive_id {
        return Err(AppError::NotFound(format!(
            "There is no interview slot {} in this drive.",
            slot.id
        )));
    }
    if slot.starts_at <= now {
        return Err(AppError::conflict(
            "slot_started",
            "That time has already begun; choose a later one.",
        ));
    }
    Ok(slot)
}

/// A UID no other event shares: random, at this site's host.
fn new_uid(mail: &MailContext) -> String {
    let host = url::Url::parse(&mail.base_url)
        .ok()
        .and_then(|u| u.host_str().map(String::from))
        .unwrap_or_else(|| "assay.invalid".to_string());
    let random: String = crate::tokens::random_token().chars().take(32).collect();
    format!("interview-{random}@{host}")
}

fn record(
    conn: &mut DbConn,
    actor: UserId,
    action: &str,
    id: InterviewId,
    detail: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    audit::record(
        conn,
        Event {
            actor: Some(actor),
            action,
            entity: "interview",
            entity_id: Some(id.0),
            detail,
        },
        now,
    )
}

/// Books `slot` for the application: the candidate's own pick or a
/// recruiter's assignment (`by`). Refuses with 409 when the application is
/// not shortlisted, already has an interview, or the slot is full.
pub fn book(
    conn: &mut DbConn,
    application_id: ApplicationId,
    slot: SlotId,
    by: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<InterviewId> {
    conn.transaction(|conn| {
        let app = application(conn, application_id)?;
        match app.status {
            ApplicationStatus::ShortlistedKpo => {}
            ApplicationStatus::Interviewing => {
                return Err(AppError::conflict(
                    "already_booked",
                    "An interview is already booked for this application; move that one to another time instead.",
                ))
            }
            other => {
                return Err(AppError::conflict(
                    "not_shortlisted",
                    format!(
                        "Only applicants shortlisted for interview can book one; this application is \"{}\".",
                        crate::drives::staff_label(other)
                    ),
                ))
            }
        }
        let slot = bookable_slot(conn, &app, slot, now)?;
        slots::take_place(conn, &slot)?;
        let id: InterviewId = diesel::insert_into(interviews::table)
            .values((
                interviews::slot_id.eq(slot.id),
                interviews::application_id.eq(app.id),
                interviews::uid.eq(new_uid(mail)),
                interviews::sequence.eq(0),
                interviews::status.eq(InterviewStatus::Booked),
                interviews::booked_by.eq(by),
                interviews::created_at.eq(now),
                interviews::updated_at.eq(now),
            ))
            .returning(interviews::id)
            .get_result(conn)?;
        let when = mail.zone.text(slot.starts_at);
        let note = format!("Interview booked for {when}");
        let words = Words {
            note: &note,
            message: "",
        };
        pipeline::transition(
            conn,
            &Moving::from(&app),
            ApplicationStatus::Interviewing,
            Mover::Scheduling(by),
            words,
            now,
            mail,
        )?;
        record(conn, by, "interview.book", id, &note, now)?;
        letters::announce(conn, id, Change::Booked { message: "" }, now, mail)?;
        Ok(id)
    })
}

/// Moves a booked interview to another slot of its drive: the same calendar
/// event (UID) with a higher SEQUENCE. An interviewer who is not on the new
/// slot's panel gets the event cancelled.
pub fn reschedule(
    conn: &mut DbConn,
    id: InterviewId,
    to: SlotId,
    actor: UserId,
    message: &str,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    crate::drives::letters::check_message(message)?;
    conn.transaction(|conn| {
        let interview = booked(conn, id)?;
        if interview.slot_id == to {
            return Err(AppError::conflict(
                "same_slot",
                "The interview is already at that time; choose a different slot to move it to.",
            ));
        }
        let app = application(conn, interview.application_id)?;
        let from = slots::find(conn, interview.slot_id)?;
        let slot = bookable_slot(conn, &app, to, now)?;
        slots::take_place(conn, &slot)?;
        slots::give_back_place(conn, from.id)?;
        let sequence = interview.sequence.saturating_add(1);
        diesel::update(interviews::table.find(id))
            .set((
                interviews::slot_id.eq(slot.id),
                interviews::sequence.eq(sequence),
                interviews::updated_at.eq(now),
            ))
            .execute(conn)?;
        letters::withdraw_reminders(conn, id)?;
        let detail = format!(
            "moved from {} to {}",
            mail.zone.text(from.starts_at),
            mail.zone.text(slot.starts_at)
        );
        record(conn, actor, "interview.reschedule", id, &detail, now)?;
        letters::announce(
            conn,
            id,
            Change::Moved {
                from: from.id,
                message: message.trim(),
            },
            now,
            mail,
        )
    })
}

fn booked(conn: &mut DbConn, id: InterviewId) -> AppResult<InterviewRow> {
    let interview = find(conn, id)?;
    if interview.status != InterviewStatus::Booked {
        return Err(AppError::conflict(
            "interview_cancelled",
            "This interview was cancelled; book a new one instead.",
        ));
    }
    Ok(interview)
}

/// Cancels a booked interview: its place is given back, everyone gets the
/// event cancelled, and an application still waiting for this interview is
/// shortlisted again, so the candidate can pick another time.
pub fn cancel(
    conn: &mut DbConn,
    id: InterviewId,
    actor: UserId,
    message: &str,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    crate::drives::letters::check_message(message)?;
    conn.transaction(|conn| {
        let interview = booked(conn, id)?;
        close(conn, &interview, actor, message.trim(), now, mail)?;
        let app = application(conn, interview.application_id)?;
        if app.status == ApplicationStatus::Interviewing {
            let words = Words {
                note: "Interview cancelled",
                message: "",
            };
            pipeline::transition(
                conn,
                &Moving::from(&app),
                ApplicationStatus::ShortlistedKpo,
                Mover::Scheduling(actor),
                words,
                now,
                mail,
            )?;
        }
        Ok(())
    })
}

/// Marks the interview cancelled, gives its place back, takes back its
/// reminder and sends the cancellation.
fn close(
    conn: &mut DbConn,
    interview: &InterviewRow,
    actor: UserId,
    message: &str,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    let changed = diesel::update(
        interviews::table
            .find(interview.id)
            .filter(interviews::status.eq(InterviewStatus::Booked)),
    )
    .set((
        interviews::status.eq(InterviewStatus::Cancelled),
        interviews::sequence.eq(interview.sequence.saturating_add(1)),
        interviews::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(AppError::conflict(
            "interview_cancelled",
            "This interview was cancelled already.",
        ));
    }
    slots::give_back_place(conn, interview.slot_id)?;
    letters::withdraw_reminders(conn, interview.id)?;
    record(conn, actor, "interview.cancel", interview.id, "cancelled", now)?;
    letters::announce(conn, interview.id, Change::Cancelled { message }, now, mail)
}

/// When a recruiter decides an application that has an interview still to
/// come (not selected, withdrawn, an offer), the interview is cancelled and
/// everyone's calendar told. One already held stays as it was.
pub fn cancel_upcoming(
    conn: &mut DbConn,
    application: ApplicationId,
    actor: Option<UserId>,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    let Some(interview) = booked_for(conn, application)? else {
        return Ok(());
    };
    let slot = slots::find(conn, interview.slot_id)?;
    let Some(actor) = actor.filter(|_| slot.starts_at > now) else {
        return Ok(());
    };
    close(conn, &interview, actor, "", now, mail)
}
