//! A drive's life: edited while it runs, closed to new applications,
//! reopened, archived (hidden from candidates, read-only for staff) and
//! restored; its shareable invite link; and a candidate withdrawing an
//! application.

pub mod api;
pub mod pages;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::pipeline::{self, Mover, Moving, Words};
use super::service::{self, find, ApplicationRow, DriveRow, NewDrive};
use crate::audit::{self, Event};
use crate::db::schema::{applications, drives};
use crate::db::{ApplicationId, ApplicationStatus, DbConn, DriveId, DriveState, UserId};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::identity::User;
use crate::mail::MailContext;

/// A move in a drive's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifeMove {
    /// Stop taking applications (until reopened).
    Close,
    /// Take applications again.
    Reopen,
    /// Hide the drive from candidates and make it read-only.
    Archive,
    /// Bring an archived drive back, closed.
    Restore,
}

impl LifeMove {
    /// Where the move goes from `from`, or why it cannot.
    fn target(self, from: DriveState) -> Result<DriveState, &'static str> {
        use DriveState::*;
        match (self, from) {
            (LifeMove::Close, Open) => Ok(Closed),
            (LifeMove::Reopen, Closed) => Ok(Open),
            (LifeMove::Archive, Open | Closed) => Ok(Archived),
            (LifeMove::Restore, Archived) => Ok(Closed),
            (LifeMove::Close, Closed) => Err("This drive is closed already."),
            (LifeMove::Reopen, Open) => Err("This drive is open already."),
            (LifeMove::Archive, Archived) => Err("This drive is archived already."),
            (LifeMove::Restore, _) => Err("Only an archived drive can be restored."),
            (_, Archived) => Err("This drive is archived; restore it first."),
        }
    }

    fn action(self) -> &'static str {
        match self {
            LifeMove::Close => "drive.close",
            LifeMove::Reopen => "drive.reopen",
            LifeMove::Archive => "drive.archive",
            LifeMove::Restore => "drive.restore",
        }
    }
}

/// A move in a drive's life, as the API and the forms ask for it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LifeChange {
    #[serde(rename = "move")]
    pub to: LifeMove,
    /// With `reopen`: the new closing time. Without it, a closing time that
    /// has passed is cleared, so the drive really takes applications again.
    pub closes_at: Option<DateTime<Utc>>,
}

/// The state a drive is in, in words staff use.
pub fn state_label(state: DriveState) -> &'static str {
    match state {
        DriveState::Open => "Open",
        DriveState::Closed => "Closed to new applications",
        DriveState::Archived => "Archived",
    }
}

fn archived_refusal() -> AppError {
    AppError::conflict(
        "drive_archived",
        "This drive is archived and read-only; restore it first to change it.",
    )
}

/// Replaces a drive's settings. An archived drive is read-only, and the test
/// cannot change once someone applied (their scores are of the old test).
pub fn edit(
    conn: &mut DbConn,
    id: DriveId,
    drive: &NewDrive,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<DriveRow> {
    let mut errors = service::check_fields(drive);
    conn.transaction(|conn| {
        let before = find(conn, id)?;
        if before.state == DriveState::Archived {
            return Err(archived_refusal());
        }
        service::check_assessment(conn, drive, &mut errors)?;
        if drive.assessment_id != before.assessment_id {
            let applied: i64 = applications::table
                .filter(applications::drive_id.eq(id))
                .count()
                .get_result(conn)?;
            if applied > 0 {
                errors.push(ErrorDetail::field(
                    "assessment_id",
                    format!("The test cannot change: {applied} people applied and are ranked on the current one."),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::invalid(
                "The drive needs fixing; each problem is listed. Nothing was saved.",
                std::mem::take(&mut errors),
            ));
        }
        let e = &drive.eligibility;
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        diesel::update(drives::table.find(id))
            .set((
                drives::name.eq(drive.name.trim()),
                drives::description.eq(drive.description.trim()),
                drives::assessment_id.eq(drive.assessment_id),
                drives::min_score_percent.eq(e.min_score_percent),
                drives::min_degree_class.eq(e.min_degree_class.as_deref()),
                drives::degrees.eq(json(&e.degrees)),
                drives::domains.eq(json(&e.domains)),
                drives::tie_break_sections.eq(json(&drive.tie_break_sections)),
                drives::opens_at.eq(drive.opens_at.map(|t| t.naive_utc())),
                drives::closes_at.eq(drive.closes_at.map(|t| t.naive_utc())),
            ))
            .execute(conn)?;
        let detail = format!("edited drive '{}'", drive.name.trim());
        record(conn, actor, "drive.edit", id, &detail, now)?;
        find(conn, id)
    })
}

fn record(
    conn: &mut DbConn,
    actor: UserId,
    action: &str,
    id: DriveId,
    detail: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    audit::record(
        conn,
        Event {
            actor: Some(actor),
            action,
            entity: "drive",
            entity_id: Some(id.0),
            detail,
        },
        now,
    )
}

/// Closes, reopens, archives or restores a drive, or refuses with 409 and
/// a sentence saying why.
pub fn change(
    conn: &mut DbConn,
    id: DriveId,
    change: &LifeChange,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<DriveRow> {
    if change.closes_at.is_some() && change.to != LifeMove::Reopen {
        return Err(AppError::invalid_field(
            "closes_at",
            "A new closing time goes with reopening only.",
        ));
    }
    if let Some(c) = change.closes_at.filter(|c| c.naive_utc() <= now) {
        return Err(AppError::invalid_field(
            "closes_at",
            format!(
                "{} has passed; give a closing time in the future, or none.",
                c.format("%Y-%m-%d %H:%M UTC")
            ),
        ));
    }
    conn.transaction(|conn| {
        let drive = find(conn, id)?;
        let to = change
            .to
            .target(drive.state)
            .map_err(|why| AppError::conflict("drive_state", why))?;
        let closes_at = match (change.to, change.closes_at) {
            (LifeMove::Reopen, Some(c)) => Some(c.naive_utc()),
            (LifeMove::Reopen, None) => drive.closes_at.filter(|c| *c > now),
            _ => drive.closes_at,
        };
        diesel::update(drives::table.find(id))
            .set((drives::state.eq(to), drives::closes_at.eq(closes_at)))
            .execute(conn)?;
        let detail = format!("'{}': {} → {}", drive.name, drive.state, to);
        record(conn, actor, change.to.action(), id, &detail, now)?;
        find(conn, id)
    })
}

/// A drive's shareable invite link.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::invite_link)]
pub struct InviteLink {
    /// The whole link to share, e.g. `https://assay.example/join/4f…`.
    pub url: String,
    pub code: String,
}

/// The drive's invite code, made on first asking; `renew` makes a new one,
/// and the old link stops working.
pub fn invite_code(
    conn: &mut DbConn,
    id: DriveId,
    renew: bool,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<String> {
    conn.transaction(|conn| {
        let drive = find(conn, id)?;
        if drive.state == DriveState::Archived {
            return Err(archived_refusal());
        }
        match drive.invite_code {
            Some(code) if !renew => Ok(code),
            _ => {
                let code = crate::tokens::to_hex(&crate::tokens::random_bytes(12));
                diesel::update(drives::table.find(id))
                    .set(drives::invite_code.eq(&code))
                    .execute(conn)?;
                let detail = format!("new invite link for '{}'", drive.name);
                record(conn, actor, "drive.invite_link", id, &detail, now)?;
                Ok(code)
            }
        }
    })
}

/// The drive an invite link leads to; archived drives' links lead nowhere.
pub fn by_invite_code(conn: &mut DbConn, code: &str) -> AppResult<DriveRow> {
    let gone = || {
        AppError::NotFound(
            "This invite link does not lead to a drive any more; ask the recruiter who sent it for a new one.".into(),
        )
    };
    let code = code.trim();
    if code.is_empty() || code.len() > 64 {
        return Err(gone());
    }
    drives::table
        .filter(drives::invite_code.eq(code))
        .filter(drives::state.ne(DriveState::Archived))
        .select(DriveRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(gone)
}

/// The candidate withdraws their own application: it stays, shown as
/// withdrawn, and the move goes through the pipeline like any other.
pub fn withdraw(
    conn: &mut DbConn,
    id: ApplicationId,
    user: &User,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<ApplicationRow> {
    conn.transaction(|conn| {
        let app = super::listing::application(conn, id)?;
        if app.candidate_id != user.id {
            return Err(AppError::NotFound(format!("There is no application {id}.")));
        }
        if app.status == ApplicationStatus::Withdrawn {
            return Err(AppError::conflict(
                "already_withdrawn",
                "You withdrew this application already.",
            ));
        }
        if !pipeline::allowed_from(app.status).contains(&ApplicationStatus::Withdrawn) {
            return Err(AppError::conflict(
                "cannot_withdraw",
                format!(
                    "Your application is {} and the drive is decided; it can no longer be withdrawn.",
                    super::web::status_label(app.status)
                ),
            ));
        }
        let words = Words {
            note: "withdrawn by the candidate",
            message: "",
        };
        pipeline::transition(
            conn,
            &Moving::from(&app),
            ApplicationStatus::Withdrawn,
            Mover::Candidate(user.id),
            words,
            now,
            mail,
        )?;
        audit::record(
            conn,
            Event {
                actor: Some(user.id),
                action: "application.withdraw",
                entity: "application",
                entity_id: Some(id.0),
                detail: &format!("{} → withdrawn, by the candidate", app.status),
            },
            now,
        )?;
        Ok(ApplicationRow {
            status: ApplicationStatus::Withdrawn,
            updated_at: now,
            ..app
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_archived_drive_is_restored_and_nothing_but_restore_leaves_the_archive() {
        use DriveState::*;
        assert_eq!(LifeMove::Restore.target(Archived), Ok(Closed));
        assert!(LifeMove::Restore.target(Open).is_err());
        for m in [LifeMove::Close, LifeMove::Reopen, LifeMove::Archive] {
            assert!(m.target(Archived).is_err(), "{m:?}");
        }
        assert_eq!(LifeMove::Close.target(Open), Ok(Closed));
        assert_eq!(LifeMove::Reopen.target(Closed), Ok(Open));
        assert!(LifeMove::Reopen.target(Open).is_err());
    }
}
