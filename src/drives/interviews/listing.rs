//! Interviews and slots as the API and the pages show them: times in the
//! firm's zone, the panel by name, a keyset page at a time.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::booking::InterviewRow;
use super::slots::{self, Interviewer, SlotRow};
use crate::db::schema::{applications, drives, interview_slots, interviews, users};
use crate::db::{ApplicationId, DbConn, DriveId, InterviewId, InterviewStatus, SlotId, UserId};
use crate::error::AppResult;
use crate::web::paging::{self, Page, PageQuery};
use crate::zone::FirmZone;

/// A slot as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::slot)]
pub struct SlotView {
    pub id: SlotId,
    pub drive_id: DriveId,
    /// RFC 3339, UTC.
    #[schema(value_type = String)]
    pub starts_at: String,
    #[schema(value_type = String)]
    pub ends_at: String,
    /// The start in the firm's time zone, named ("Wed 9 Dec 2026, 10:30 IST (Asia/Kolkata)").
    pub when: String,
    pub minutes: i32,
    pub place: String,
    pub video_link: String,
    pub capacity: i32,
    pub booked: i32,
    pub places_left: i32,
    pub interviewers: Vec<Interviewer>,
    /// The start as stored, for the pages.
    #[serde(skip)]
    pub start: NaiveDateTime,
}

impl SlotView {
    pub fn new(slot: &SlotRow, panel: Vec<Interviewer>, zone: FirmZone) -> SlotView {
        SlotView {
            id: slot.id,
            drive_id: slot.drive_id,
            starts_at: crate::clock::rfc3339::format(&slot.starts_at),
            ends_at: crate::clock::rfc3339::format(&slot.ends_at()),
            when: zone.text(slot.starts_at),
            minutes: slot.minutes,
            place: slot.place.clone(),
            video_link: slot.video_link.clone(),
            capacity: slot.capacity,
            booked: slot.booked,
            places_left: slot.places_left(),
            interviewers: panel,
            start: slot.starts_at,
        }
    }
}

/// Slots with their panels.
pub fn slot_views(conn: &mut DbConn, rows: &[SlotRow], zone: FirmZone) -> AppResult<Vec<SlotView>> {
    let ids: Vec<SlotId> = rows.iter().map(|s| s.id).collect();
    let mut panels = slots::panels(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|s| SlotView::new(s, panels.remove(&s.id).unwrap_or_default(), zone))
        .collect())
}

/// An interview as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::drives::examples::interview)]
pub struct InterviewView {
    pub id: InterviewId,
    pub application_id: ApplicationId,
    pub candidate_id: UserId,
    pub candidate_name: String,
    pub drive_id: DriveId,
    pub drive: String,
    /// `booked` or `cancelled`.
    #[schema(value_type = String)]
    pub status: InterviewStatus,
    /// The calendar event's UID, the same in every email about it.
    pub calendar_uid: String,
    /// The calendar event's SEQUENCE: raised by each move and the cancellation.
    pub sequence: i32,
    pub slot: SlotView,
}

type Joined = (InterviewRow, SlotRow, UserId, String, String);

/// Interviews with their slot, candidate and drive.
macro_rules! joined {
    () => {
        interviews::table
            .inner_join(interview_slots::table.inner_join(drives::table))
            .inner_join(applications::table.inner_join(users::table))
            .select((
                InterviewRow::as_select(),
                SlotRow::as_select(),
                users::id,
                users::full_name,
                drives::name,
            ))
    };
}

/// The views of loaded interview rows.
fn views(conn: &mut DbConn, rows: Vec<Joined>, zone: FirmZone) -> AppResult<Vec<InterviewView>> {
    let ids: Vec<SlotId> = rows.iter().map(|r| r.1.id).collect();
    let panels = slots::panels(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(interview, slot, candidate_id, candidate_name, drive)| {
            let panel = panels.get(&slot.id).cloned().unwrap_or_default();
            InterviewView {
                id: interview.id,
                application_id: interview.application_id,
                candidate_id,
                candidate_name,
                drive_id: slot.drive_id,
                drive,
                status: interview.status,
                calendar_uid: interview.uid,
                sequence: interview.sequence,
                slot: SlotView::new(&slot, panel, zone),
            }
        })
        .collect())
}

/// One interview.
pub fn interview(conn: &mut DbConn, id: InterviewId, zone: FirmZone) -> AppResult<InterviewView> {
    let row: Joined = joined!()
        .filter(interviews::id.eq(id))
        .first(conn)
        .optional()?
        .ok_or_else(|| crate::error::AppError::NotFound(format!("There is no interview {id}.")))?;
    views(conn, vec![row], zone)?
        .pop()
        .ok_or_else(|| crate::error::AppError::NotFound(format!("There is no interview {id}.")))
}

/// Which interviews a list holds.
#[derive(Debug, Clone, Copy)]
pub enum Whose {
    /// A drive's, for its recruiters.
    Drive(DriveId),
    /// A candidate's own, in every drive.
    Candidate(UserId),
}

/// A page of interviews, newest booking first; `booked_only` leaves out
/// cancelled ones.
pub fn page(
    conn: &mut DbConn,
    whose: Whose,
    booked_only: bool,
    page: &PageQuery,
    zone: FirmZone,
) -> AppResult<Page<InterviewView, InterviewId>> {
    let size = page.size();
    let mut query = joined!()
        .order(interviews::id.desc())
        .limit(paging::fetch(size))
        .into_boxed();
    query = match whose {
        Whose::Drive(drive) => query.filter(interview_slots::drive_id.eq(drive)),
        Whose::Candidate(user) => query.filter(applications::candidate_id.eq(user)),
    };
    if let Some(after) = page.after_id()? {
        query = query.filter(interviews::id.lt(InterviewId(after)));
    }
    if booked_only {
        query = query.filter(interviews::status.eq(InterviewStatus::Booked));
    }
    let rows: Vec<Joined> = query.load(conn)?;
    let cut = Page::cut(rows, size, |r| r.0.id);
    Ok(Page {
        rows: views(conn, cut.rows, zone)?,
        next: cut.next,
    })
}

/// The booked interviews in some slots, by slot, for the recruiter's page.
pub fn booked_in(conn: &mut DbConn, slots: &[SlotId], zone: FirmZone) -> AppResult<Vec<InterviewView>> {
    let rows: Vec<Joined> = joined!()
        .filter(interviews::slot_id.eq_any(slots))
        .filter(interviews::status.eq(InterviewStatus::Booked))
        .order((interviews::slot_id, users::full_name))
        .load(conn)?;
    views(conn, rows, zone)
}

/// A candidate's booked interview in a drive, if any.
pub fn candidates_booked(
    conn: &mut DbConn,
    drive: DriveId,
    candidate: UserId,
    zone: FirmZone,
) -> AppResult<Option<InterviewView>> {
    let rows: Vec<Joined> = joined!()
        .filter(interview_slots::drive_id.eq(drive))
        .filter(applications::candidate_id.eq(candidate))
        .filter(interviews::status.eq(InterviewStatus::Booked))
        .load(conn)?;
    Ok(views(conn, rows, zone)?.pop())
}

/// A drive's shortlisted applicants with no interview: whom a recruiter can
/// assign a slot to.
pub fn waiting(conn: &mut DbConn, drive: DriveId) -> AppResult<Vec<(ApplicationId, String)>> {
    Ok(applications::table
        .inner_join(users::table)
        .filter(applications::drive_id.eq(drive))
        .filter(applications::status.eq(crate::db::ApplicationStatus::ShortlistedKpo))
        .order(users::full_name)
        .limit(500)
        .select((applications::id, users::full_name))
        .load(conn)?)
}

/// Staff who can sit on a panel, by name.
pub fn staff(conn: &mut DbConn) -> AppResult<Vec<(UserId, String)>> {
    Ok(users::table
        .filter(users::role.ne(crate::db::Role::Candidate))
        .filter(users::active.eq(true))
        .order(users::full_name)
        .limit(500)
        .select((users::id, users::full_name))
        .load(conn)?)
}

/// When an interview can no longer be moved or cancelled: it has begun.
pub fn has_begun(view: &InterviewView, now: NaiveDateTime) -> bool {
    view.slot.start <= now
}
