//! What a candidate reads when a recruiter moves their application: the
//! letter for the move and the recruiter's optional message to them. The
//! decision's note is internal (timeline and audit log) and never reaches a
//! letter; only `message` does, and a recruiter can preview the exact email
//! before sending it.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::pipeline::Decision;
use super::service::{find, ApplicationRow};
use crate::db::schema::{applications, users};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::notices::templates::{Mail, NotSelected, OfferedBpo, OfferedKpo, Rendered, Shortlisted, Withdrawn};

/// The longest message to a candidate.
pub const MESSAGE_MAX: usize = 2000;

/// The email a move sends the candidate. Joining a cohort queues the
/// "hired" notice itself (`training::service::add_trainee`) and grading
/// sends the result, so `tested` and `hired` have none here.
#[derive(Clone, Copy)]
pub(super) enum Letter {
    Shortlisted,
    OfferedKpo,
    OfferedBpo,
    NotSelected,
    Withdrawn,
}

impl Letter {
    /// The one list of moves that email the candidate.
    pub(super) fn for_move(to: ApplicationStatus) -> Option<Letter> {
        match to {
            ApplicationStatus::ShortlistedKpo => Some(Letter::Shortlisted),
            ApplicationStatus::OfferedKpo => Some(Letter::OfferedKpo),
            ApplicationStatus::OfferedBpo => Some(Letter::OfferedBpo),
            ApplicationStatus::Rejected => Some(Letter::NotSelected),
            ApplicationStatus::Withdrawn => Some(Letter::Withdrawn),
            _ => None,
        }
    }

    /// `message` is the recruiter's words to this candidate, or empty.
    pub(super) fn render(self, name: &str, drive: &str, message: &str, mail: &MailContext) -> AppResult<Rendered> {
        match self {
            Letter::Shortlisted => Shortlisted {
                ctx: mail,
                name,
                drive,
                message,
            }
            .render_mail(),
            Letter::OfferedKpo => OfferedKpo {
                ctx: mail,
                name,
                drive,
                message,
            }
            .render_mail(),
            Letter::OfferedBpo => OfferedBpo {
                ctx: mail,
                name,
                drive,
                message,
            }
            .render_mail(),
            Letter::NotSelected => NotSelected {
                ctx: mail,
                name,
                drive,
                message,
            }
            .render_mail(),
            Letter::Withdrawn => Withdrawn {
                ctx: mail,
                name,
                drive,
                message,
            }
            .render_mail(),
        }
    }
}

/// Refuses a message to a candidate that is too long.
pub fn check_message(message: &str) -> AppResult<()> {
    if message.chars().count() > MESSAGE_MAX {
        return Err(AppError::invalid_field(
            "message",
            format!("The message to the candidate must be at most {MESSAGE_MAX} characters long."),
        ));
    }
    Ok(())
}

/// The candidate's address and name.
pub(super) fn candidate(conn: &mut DbConn, id: UserId) -> AppResult<(String, String)> {
    Ok(users::table
        .find(id)
        .select((users::email, users::full_name))
        .first(conn)?)
}

/// The email a decision would send, exactly as the candidate would read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LetterPreview {
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What deciding `decision` on application `id` would email the candidate,
/// without moving anything: `None` when the move sends no email. An illegal
/// move is refused as `decide` would refuse it.
pub fn preview(
    conn: &mut DbConn,
    id: ApplicationId,
    decision: &Decision,
    mail: &MailContext,
) -> AppResult<Option<LetterPreview>> {
    check_message(&decision.message)?;
    let app: ApplicationRow = applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no application {id}.")))?;
    let to = super::pipeline::checked_move(app.status, &decision.status)?;
    let (email, name) = candidate(conn, app.candidate_id)?;
    let message = decision.message.trim();
    let rendered = match (Letter::for_move(to), to, decision.cohort_id) {
        (Some(letter), _, _) => {
            let drive = find(conn, app.drive_id)?;
            letter.render(&name, &drive.name, message, mail)?
        }
        (None, ApplicationStatus::Hired, Some(cohort)) => {
            crate::training::service::hired_mail(conn, cohort, &name, message, mail)?
        }
        _ => return Ok(None),
    };
    Ok(Some(LetterPreview {
        to_email: email,
        to_name: name,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    }))
}

/// Someone a bulk action touches, named as the recruiter knows them.
#[derive(Debug, Clone, Queryable)]
pub struct Person {
    pub application_id: ApplicationId,
    pub full_name: String,
    pub email: String,
}

/// The people behind `ids`, in the order given.
pub fn people(conn: &mut DbConn, ids: &[ApplicationId]) -> AppResult<Vec<Person>> {
    let mut found: Vec<Person> = Vec::new();
    for chunk in ids.chunks(500) {
        found.extend(
            applications::table
                .inner_join(users::table.on(users::id.eq(applications::candidate_id)))
                .filter(applications::id.eq_any(chunk))
                .select((applications::id, users::full_name, users::email))
                .load::<Person>(conn)?,
        );
    }
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|p| p.application_id == *id).cloned())
        .collect())
}
