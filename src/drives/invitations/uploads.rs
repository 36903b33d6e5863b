//! A list uploaded on the recruiter's page, kept between its preview and
//! its "Send": the send reads the very file that was previewed, and a list
//! is sent once however often the button is pressed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::list::Parsed;
use super::service::{self, Outcome};
use crate::db::schema::campus_uploads;
use crate::db::{CampusUploadId, DbConn, DriveId, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;

/// An uploaded list and whether it was sent.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campus_uploads)]
pub struct Upload {
    pub id: CampusUploadId,
    pub drive_id: DriveId,
    pub file_name: String,
    pub xlsx: bool,
    pub bytes: Vec<u8>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub invited: Option<i32>,
}

/// A file as the recruiter sent it.
pub struct NewUpload {
    pub file_name: String,
    pub xlsx: bool,
    pub bytes: Vec<u8>,
}

/// Keeps a list that was read without a problem of the whole file (bad
/// rows are fine: the preview names them).
pub fn save(
    conn: &mut DbConn,
    drive_id: DriveId,
    upload: &NewUpload,
    actor: UserId,
    now: NaiveDateTime,
) -> AppResult<CampusUploadId> {
    crate::drives::service::find(conn, drive_id)?;
    Ok(diesel::insert_into(campus_uploads::table)
        .values((
            campus_uploads::drive_id.eq(drive_id),
            campus_uploads::file_name.eq(&upload.file_name),
            campus_uploads::xlsx.eq(upload.xlsx),
            campus_uploads::bytes.eq(&upload.bytes),
            campus_uploads::created_by.eq(actor),
            campus_uploads::created_at.eq(now),
        ))
        .returning(campus_uploads::id)
        .get_result(conn)?)
}

/// The drive's upload `id`; another drive's is not found.
pub fn find(conn: &mut DbConn, drive_id: DriveId, id: CampusUploadId) -> AppResult<Upload> {
    campus_uploads::table
        .find(id)
        .filter(campus_uploads::drive_id.eq(drive_id))
        .select(Upload::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound("This list was not uploaded to this drive; upload it again.".into()))
}

/// Invites the good rows of the upload (`good`, read from its bytes), once:
/// the upload is claimed first, so a second press of "Send" is refused
/// and nobody is invited twice.
pub fn send(
    conn: &mut DbConn,
    drive_id: DriveId,
    id: CampusUploadId,
    good: Parsed,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<Outcome> {
    conn.transaction(|conn| {
        find(conn, drive_id, id)?;
        let claimed = diesel::update(campus_uploads::table.find(id).filter(campus_uploads::sent_at.is_null()))
            .set(campus_uploads::sent_at.eq(Some(now)))
            .execute(conn)?;
        if claimed == 0 {
            return Err(AppError::conflict(
                "list_sent",
                "This list was sent already; its invitations are in the list below.",
            ));
        }
        let outcome = service::invite(conn, drive_id, good, actor, now, mail)?;
        diesel::update(campus_uploads::table.find(id))
            .set(campus_uploads::invited.eq(Some(i32::try_from(outcome.invited).unwrap_or(i32::MAX))))
            .execute(conn)?;
        Ok(outcome)
    })
}
