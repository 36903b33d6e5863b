//! Invitations kept and accepted.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::list::{Invitee, Parsed};
use crate::accounts::service::{self as accounts, NewAccount};
use crate::accounts::validate::ProfileInput;
use crate::db::schema::{applications, campus_invitations, users};
use crate::db::{ApplicationId, DbConn, DriveId, DriveState, Role, UserId};
use crate::drives::service::{self as drives, Applied};
use crate::error::{AppError, AppResult};
use crate::identity::User;
use crate::mail::MailContext;
use crate::notices::templates::{CampusInvitation, Mail};
use crate::notices::{self, Recipient};
use crate::on_backend;

/// What a list would do, or did.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InvitationOutcome, example = crate::drives::examples::invitation_outcome)]
pub struct Outcome {
    /// People invited by this upload (0 for a preview).
    pub invited: usize,
    /// People on the list who are invited now (a preview) or were invited.
    pub new: Vec<Invitee>,
    /// People on the list who had been invited to this drive already.
    pub already_invited: Vec<String>,
    /// People on the list who have applied to this drive already: they are
    /// not invited (they would find their application there already).
    pub already_applied: Vec<String>,
}

fn invited_before(conn: &mut DbConn, drive_id: DriveId, list: &[Invitee]) -> AppResult<Vec<String>> {
    let emails: Vec<String> = list.iter().map(|i| i.email.to_lowercase()).collect();
    Ok(campus_invitations::table
        .filter(campus_invitations::drive_id.eq(drive_id))
        .filter(campus_invitations::email.eq_any(&emails))
        .select(campus_invitations::email)
        .load(conn)?)
}

/// Of these addresses, those whose accounts applied to this drive.
fn applied_before(conn: &mut DbConn, drive_id: DriveId, list: &[Invitee]) -> AppResult<Vec<String>> {
    let emails: Vec<String> = list.iter().map(|i| i.email.to_lowercase()).collect();
    Ok(applications::table
        .inner_join(users::table.on(users::id.eq(applications::candidate_id)))
        .filter(applications::drive_id.eq(drive_id))
        .filter(users::email.eq_any(&emails))
        .select(users::email)
        .load(conn)?)
}

/// Refuses a list with any bad row, naming each by line.
fn check(parsed: Parsed) -> AppResult<Vec<Invitee>> {
    if parsed.problems.is_empty() {
        return Ok(parsed.invitees);
    }
    let n = parsed.problems.len();
    Err(AppError::invalid(
        format!("{n} row(s) of the list need fixing; nobody was invited. Fix them and upload the list again."),
        parsed.problems,
    ))
}

/// What inviting this list would do.
pub fn preview(conn: &mut DbConn, drive_id: DriveId, parsed: Parsed) -> AppResult<Outcome> {
    drives::find(conn, drive_id)?;
    let list = check(parsed)?;
    sort(conn, drive_id, list)
}

/// Sorts good rows into who would be invited, who was invited already and
/// who applied already; nothing is written.
pub fn sort(conn: &mut DbConn, drive_id: DriveId, list: Vec<Invitee>) -> AppResult<Outcome> {
    let invited = invited_before(conn, drive_id, &list)?;
    let applied = applied_before(conn, drive_id, &list)?;
    let mut outcome = Outcome {
        invited: 0,
        new: Vec::new(),
        already_invited: Vec::new(),
        already_applied: Vec::new(),
    };
    for person in list {
        let key = person.email.to_lowercase();
        // Applied first: one who accepted an invitation has applied too,
        // and `invite` reads it in this order.
        if applied.contains(&key) {
            outcome.already_applied.push(person.email);
        } else if invited.contains(&key) {
            outcome.already_invited.push(person.email);
        } else {
            outcome.new.push(person);
        }
    }
    Ok(outcome)
}

/// Invites everyone on the list not invited to this drive yet, each with a
/// personal link, in one transaction with their emails.
pub fn invite(
    conn: &mut DbConn,
    drive_id: DriveId,
    parsed: Parsed,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Outcome> {
    let list = check(parsed)?;
    conn.transaction(|conn| {
        let drive = drives::find(conn, drive_id)?;
        if drive.state == DriveState::Archived {
            return Err(AppError::conflict(
                "drive_archived",
                "This drive is archived: restore it from its page first to invite anyone.",
            ));
        }
        let applied = applied_before(conn, drive_id, &list)?;
        let mut outcome = Outcome {
            invited: 0,
            new: Vec::new(),
            already_invited: Vec::new(),
            already_applied: Vec::new(),
        };
        for person in list {
            if applied.contains(&person.email.to_lowercase()) {
                outcome.already_applied.push(person.email);
                continue;
            }
            let token = crate::tokens::random_token();
            let inserted = on_backend!(conn, c => diesel::insert_into(campus_invitations::table)
                .values((
                    campus_invitations::drive_id.eq(drive_id),
                    campus_invitations::email.eq(person.email.to_lowercase()),
                    campus_invitations::full_name.eq(&person.full_name),
                    campus_invitations::degree.eq(&person.degree),
                    campus_invitations::institute.eq(&person.institute),
                    campus_invitations::score_percent.eq(person.score_percent),
                    campus_invitations::token_hash.eq(crate::tokens::token_hash(&token)),
                    campus_invitations::created_by.eq(Some(actor)),
                    campus_invitations::created_at.eq(now),
                ))
                .on_conflict((campus_invitations::drive_id, campus_invitations::email))
                .do_nothing()
                .execute(c))?;
            if inserted == 0 {
                outcome.already_invited.push(person.email);
                continue;
            }
            let rendered = CampusInvitation {
                ctx: mail,
                name: &person.full_name,
                drive: &drive.name,
                link: format!("{}/invitations/{token}", mail.base_url),
            }
            .render_mail()?;
            let to = Recipient {
                id: None,
                email: person.email.clone(),
                name: person.full_name.clone(),
            };
            notices::queue(conn, &format!("invitation:drive:{drive_id}"), &to, &rendered, now)?;
            outcome.invited += 1;
            outcome.new.push(person);
        }
        Ok(outcome)
    })
}

/// An invitation as the drive's list shows it to recruiters.
#[derive(Debug, Clone, Queryable)]
pub struct InvitationRow {
    pub full_name: String,
    pub email: String,
    pub institute: Option<String>,
    pub created_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
}

/// The drive's newest `limit` invitations, and how many it has in all.
pub fn for_drive(conn: &mut DbConn, drive_id: DriveId, limit: i64) -> AppResult<(Vec<InvitationRow>, i64)> {
    let total = campus_invitations::table
        .filter(campus_invitations::drive_id.eq(drive_id))
        .count()
        .get_result(conn)?;
    let rows = campus_invitations::table
        .filter(campus_invitations::drive_id.eq(drive_id))
        .order((campus_invitations::created_at.desc(), campus_invitations::id.desc()))
        .limit(limit)
        .select((
            campus_invitations::full_name,
            campus_invitations::email,
            campus_invitations::institute,
            campus_invitations::created_at,
            campus_invitations::accepted_at,
        ))
        .load(conn)?;
    Ok((rows, total))
}

/// An invitation, found by its link's token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campus_invitations)]
pub struct Invitation {
    pub id: i32,
    pub drive_id: DriveId,
    pub email: String,
    pub full_name: String,
    pub degree: Option<String>,
    pub institute: Option<String>,
    pub score_percent: Option<f64>,
    pub accepted_at: Option<NaiveDateTime>,
}

pub fn find_by_token(conn: &mut DbConn, token: &str) -> AppResult<Invitation> {
    campus_invitations::table
        .filter(campus_invitations::token_hash.eq(crate::tokens::token_hash(token)))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound("This invitation link is not valid; ask the recruiter for a new one.".into()))
}

/// What accepting did: the new account, its application, and a session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InvitationAccepted, example = crate::drives::examples::invitation_accepted)]
pub struct Accepted {
    pub user_id: UserId,
    pub application_id: ApplicationId,
    pub eligible: bool,
    pub reason: String,
    /// For `Authorization: Bearer`; the page sets it as the session cookie.
    pub token: String,
}

/// Creates the person's account with the profile from the list, applies
/// to the drive, and signs them in, all at once; a link works once.
pub fn accept(
    conn: &mut DbConn,
    token: &str,
    account: &NewAccount,
    password_hash: &str,
    session_hours: i64,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Accepted> {
    conn.transaction(|conn| {
        let invitation = find_by_token(conn, token)?;
        let claimed = diesel::update(
            campus_invitations::table
                .find(invitation.id)
                .filter(campus_invitations::accepted_at.is_null()),
        )
        .set(campus_invitations::accepted_at.eq(Some(now)))
        .execute(conn)?;
        if claimed == 0 {
            return Err(AppError::conflict(
                "invitation_used",
                "This invitation was accepted already: sign in with the password you set.",
            ));
        }
        if !account.email.as_str().eq_ignore_ascii_case(&invitation.email) {
            return Err(AppError::conflict(
                "invitation_changed",
                "This invitation changed; open the link again.",
            ));
        }
        let user: User = accounts::try_create_user(conn, account, password_hash, Role::Candidate, None, now)?
            .ok_or_else(|| {
                AppError::conflict(
                    "account_exists",
                    format!(
                        "{} has an account already: sign in and apply from the drive's page.",
                        invitation.email
                    ),
                )
            })?;
        let profile = ProfileInput {
            degree: invitation.degree.clone(),
            institute: invitation.institute.clone(),
            score_percent: invitation.score_percent,
            ..ProfileInput::default()
        };
        accounts::put_profile(conn, user.id, &profile, now)?;
        diesel::update(campus_invitations::table.find(invitation.id))
            .set(campus_invitations::user_id.eq(Some(user.id)))
            .execute(conn)?;
        let Applied {
            application_id,
            eligible,
            reason,
        } = drives::apply(conn, invitation.drive_id, &user, now, mail)?;
        let token = accounts::create_session(conn, user.id, session_hours, now)?;
        Ok(Accepted {
            user_id: user.id,
            application_id,
            eligible,
            reason,
            token,
        })
    })
}
