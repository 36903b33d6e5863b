//! The interview's emails: the invitation to pick a time, and for each
//! booking, move and cancellation one email to the candidate and one to each
//! interviewer, every one with the calendar event attached; the reminder
//! the day before waits in the outbox until then.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::booking;
use super::calendar::{Invite, Method, Person};
use super::slots::{self, Interviewer, SlotRow};
use crate::db::schema::{applications, interviews, users};
use crate::db::{ApplicationStatus, DbConn, InterviewId, SlotId};
use crate::drives::service::DriveRow;
use crate::error::AppResult;
use crate::mail::MailContext;
use crate::notices::templates::{
    InterviewBooked, InterviewCancelled, InterviewDetails, InterviewInvitation, InterviewMoved, InterviewReminder,
    Mail, Rendered,
};
use crate::notices::{self, Extras, Recipient};

/// What happened to an interview.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Booked {
        message: &'a str,
    },
    /// Moved from the slot `from`.
    Moved {
        from: SlotId,
        message: &'a str,
    },
    Cancelled {
        message: &'a str,
    },
}

/// How long before an interview the reminder goes out.
pub fn reminder_lead() -> Duration {
    Duration::days(1)
}

/// Invites each shortlisted applicant of the drive who has no interview to
/// pick a time. Each is invited once: a later slot does not mail them again.
pub fn invite_shortlisted(
    conn: &mut DbConn,
    drive: &DriveRow,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<usize> {
    let waiting: Vec<(crate::db::ApplicationId, crate::db::UserId, String, String)> = applications::table
        .inner_join(users::table)
        .filter(applications::drive_id.eq(drive.id))
        .filter(applications::status.eq(ApplicationStatus::ShortlistedKpo))
        .select((applications::id, users::id, users::email, users::full_name))
        .load(conn)?;
    let link = format!("{}/drives/{}/interview", mail.base_url, drive.id);
    let mut invited = 0;
    for (application, id, email, name) in waiting {
        let rendered = InterviewInvitation {
            ctx: mail,
            name: &name,
            drive: &drive.name,
            link: link.clone(),
        }
        .render_mail()?;
        let to = Recipient {
            id: Some(id),
            email,
            name,
        };
        if notices::queue(
            conn,
            &format!("interview-invite:application:{application}"),
            &to,
            &rendered,
            now,
        )? {
            invited += 1;
        }
    }
    Ok(invited)
}

/// Takes back an interview's reminder that has not gone out.
pub fn withdraw_reminders(conn: &mut DbConn, id: InterviewId) -> AppResult<usize> {
    notices::withdraw_unsent(conn, &format!("interview:{id}:remind:"))
}

/// Everything an interview's emails say.
struct Facts {
    interview: booking::InterviewRow,
    slot: SlotRow,
    drive: DriveRow,
    candidate: Recipient,
    panel: Vec<Interviewer>,
}

fn facts(conn: &mut DbConn, id: InterviewId) -> AppResult<Facts> {
    let interview = booking::find(conn, id)?;
    let slot = slots::find(conn, interview.slot_id)?;
    let drive = crate::drives::service::find(conn, slot.drive_id)?;
    let (candidate_id, email, name) = interviews::table
        .find(id)
        .inner_join(applications::table.inner_join(users::table))
        .select((users::id, users::email, users::full_name))
        .first::<(crate::db::UserId, String, String)>(conn)?;
    let panel = slots::panels(conn, &[slot.id])?.remove(&slot.id).unwrap_or_default();
    Ok(Facts {
        interview,
        slot,
        drive,
        candidate: Recipient {
            id: Some(candidate_id),
            email,
            name,
        },
        panel,
    })
}

fn person(name: &str, email: &str) -> Person {
    Person {
        name: name.to_string(),
        email: email.to_string(),
    }
}

fn panel_names(panel: &[Interviewer]) -> String {
    panel.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
}

impl Facts {
    fn details(&self, for_candidate: bool, mail: &MailContext) -> InterviewDetails {
        let link = if for_candidate {
            format!("{}/drives/{}/interview", mail.base_url, self.drive.id)
        } else {
            format!("{}/drives/{}/interviews", mail.base_url, self.drive.id)
        };
        InterviewDetails {
            drive: self.drive.name.clone(),
            when: mail.zone.text(self.slot.starts_at),
            minutes: self.slot.minutes,
            place: self.slot.place.clone(),
            video_link: self.slot.video_link.clone(),
            candidate: self.candidate.name.clone(),
            panel: panel_names(&self.panel),
            for_candidate,
            link,
        }
    }

    fn invite(&self, method: Method, mail: &MailContext, now: NaiveDateTime) -> crate::mail::Attachment {
        let organizer = person(&format!("{} recruitment", mail.firm), &mail.reply_to);
        let mut attendees = vec![person(&self.candidate.name, &self.candidate.email)];
        attendees.extend(self.panel.iter().map(|p| person(&p.name, &p.email)));
        let summary = format!("Interview: {} ({})", self.candidate.name, self.drive.name);
        let description = format!(
            "{} interview for {}, {} minutes, with {}. Details: {}/drives/{}/interview",
            mail.firm,
            self.drive.name,
            self.slot.minutes,
            panel_names(&self.panel),
            mail.base_url,
            self.drive.id
        );
        Invite {
            uid: &self.interview.uid,
            sequence: self.interview.sequence,
            method,
            starts_at: self.slot.starts_at,
            minutes: self.slot.minutes,
            summary: &summary,
            description: &description,
            place: &self.slot.place,
            video_link: &self.slot.video_link,
            organizer: &organizer,
            attendees: &attendees,
            stamp: now,
        }
        .attachment()
    }

    /// Everyone the interview's emails go to: the candidate first.
    fn recipients(&self) -> Vec<(Recipient, bool)> {
        let mut all = vec![(self.candidate.clone(), true)];
        all.extend(self.panel.iter().map(|p| {
            (
                Recipient {
                    id: Some(p.id),
                    email: p.email.clone(),
                    name: p.name.clone(),
                },
                false,
            )
        }));
        all
    }
}

fn render(change: Change<'_>, name: &str, details: &InterviewDetails, mail: &MailContext) -> AppResult<Rendered> {
    let message = match change {
        _ if !details.for_candidate => "",
        Change::Booked { message } | Change::Moved { message, .. } | Change::Cancelled { message } => message,
    };
    match change {
        Change::Booked { .. } => InterviewBooked {
            ctx: mail,
            name,
            details,
            message,
        }
        .render_mail(),
        Change::Moved { .. } => InterviewMoved {
            ctx: mail,
            name,
            details,
            message,
        }
        .render_mail(),
        Change::Cancelled { .. } => InterviewCancelled {
            ctx: mail,
            name,
            details,
            message,
        }
        .render_mail(),
    }
}

/// Queues the emails of one change, each with the calendar event, and the
/// reminder for a booked or moved interview.
pub fn announce(
    conn: &mut DbConn,
    id: InterviewId,
    change: Change<'_>,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    let facts = facts(conn, id)?;
    let (method, tag) = match change {
        Change::Booked { .. } => (Method::Request, "booked"),
        Change::Moved { .. } => (Method::Request, "moved"),
        Change::Cancelled { .. } => (Method::Cancel, "cancelled"),
    };
    let extras = Extras {
        not_before: None,
        attachment: Some(facts.invite(method, mail, now)),
    };
    let key = format!("interview:{id}:v{}:{tag}", facts.interview.sequence);
    for (to, for_candidate) in facts.recipients() {
        let rendered = render(change, &to.name, &facts.details(for_candidate, mail), mail)?;
        notices::queue_with(conn, &key, &to, &rendered, &extras, now)?;
    }
    if let Change::Moved { from, .. } = change {
        dropped_from_panel(conn, &facts, from, now, mail)?;
    }
    if method == Method::Request {
        queue_reminders(conn, &facts, now, mail)?;
    }
    Ok(())
}

/// An interviewer on the old slot's panel but not the new one's gets the
/// event cancelled.
fn dropped_from_panel(
    conn: &mut DbConn,
    facts: &Facts,
    from: SlotId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<()> {
    let before = slots::panels(conn, &[from])?.remove(&from).unwrap_or_default();
    let dropped: Vec<&Interviewer> = before.iter().filter(|p| !facts.panel.contains(p)).collect();
    if dropped.is_empty() {
        return Ok(());
    }
    let extras = Extras {
        not_before: None,
        attachment: Some(facts.invite(Method::Cancel, mail, now)),
    };
    let key = format!(
        "interview:{}:v{}:off-panel",
        facts.interview.id, facts.interview.sequence
    );
    for p in dropped {
        let details = facts.details(false, mail);
        let rendered = render(Change::Cancelled { message: "" }, &p.name, &details, mail)?;
        let to = Recipient {
            id: Some(p.id),
            email: p.email.clone(),
            name: p.name.clone(),
        };
        notices::queue_with(conn, &key, &to, &rendered, &extras, now)?;
    }
    Ok(())
}

/// The reminder the day before, held in the outbox until then; none when
/// the interview is less than a day away.
fn queue_reminders(conn: &mut DbConn, facts: &Facts, now: NaiveDateTime, mail: &MailContext) -> AppResult<()> {
    let due = facts.slot.starts_at - reminder_lead();
    if due <= now {
        return Ok(());
    }
    let extras = Extras {
        not_before: Some(due),
        attachment: None,
    };
    let key = format!("interview:{}:remind:v{}", facts.interview.id, facts.interview.sequence);
    for (to, for_candidate) in facts.recipients() {
        let details = facts.details(for_candidate, mail);
        let rendered = InterviewReminder {
            ctx: mail,
            name: &to.name,
            details: &details,
        }
        .render_mail()?;
        notices::queue_with(conn, &key, &to, &rendered, &extras, now)?;
    }
    Ok(())
}
