//! Interview slots: a time, a length, a place or video link, a panel of
//! staff interviewers and a number of places. Publishing one invites the
//! drive's shortlisted applicants who have no interview yet to pick a time.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Event};
use crate::db::schema::{interview_panel, interview_slots, users};
use crate::db::{DbConn, DriveId, Role, SlotId, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;

/// Shortest and longest interview, in minutes.
pub const MINUTES: std::ops::RangeInclusive<i32> = 5..=480;
/// The most candidates one slot takes (a group interview).
pub const CAPACITY_MAX: i32 = 50;
/// The most interviewers on one panel.
pub const PANEL_MAX: usize = 10;
const PLACE_MAX: usize = 300;
const LINK_MAX: usize = 500;

/// A slot to publish.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewSlot {
    /// When it starts, with its offset (`2026-12-09T10:30:00+05:30`).
    pub starts_at: DateTime<Utc>,
    /// How long one interview takes.
    #[schema(minimum = 5, maximum = 480)]
    pub minutes: i32,
    /// Where, in words ("Room 4, Tower B"); this or `video_link`.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub place: String,
    /// A video call's address (https://…); this or `place`.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub video_link: String,
    /// The staff who interview (user ids of recruiters, trainers or admins).
    #[schema(max_items = 10)]
    pub interviewer_ids: Vec<i32>,
    /// How many candidates the slot takes.
    #[schema(minimum = 1, maximum = 50)]
    pub capacity: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interview_slots)]
pub struct SlotRow {
    pub id: SlotId,
    pub drive_id: DriveId,
    pub starts_at: NaiveDateTime,
    pub minutes: i32,
    pub place: String,
    pub video_link: String,
    pub capacity: i32,
    pub booked: i32,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
}

impl SlotRow {
    pub fn ends_at(&self) -> NaiveDateTime {
        self.starts_at + Duration::minutes(i64::from(self.minutes))
    }

    pub fn places_left(&self) -> i32 {
        self.capacity.saturating_sub(self.booked).max(0)
    }

    /// Where, in words: the place, the video link, or both.
    pub fn where_text(&self) -> String {
        match (self.place.is_empty(), self.video_link.is_empty()) {
            (false, false) => format!("{} or by video: {}", self.place, self.video_link),
            (false, true) => self.place.clone(),
            _ => format!("by video: {}", self.video_link),
        }
    }
}

/// An interviewer on a panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Interviewer {
    pub id: UserId,
    pub name: String,
    #[serde(skip)]
    pub email: String,
}

fn check_where(slot: &NewSlot) -> AppResult<(String, String)> {
    let place = slot.place.trim().to_string();
    let link = slot.video_link.trim().to_string();
    if place.is_empty() && link.is_empty() {
        return Err(AppError::invalid_field(
            "place",
            "Say where the interview is: a place, a video link, or both.",
        ));
    }
    if place.chars().count() > PLACE_MAX {
        return Err(AppError::invalid_field(
            "place",
            format!("The place must be at most {PLACE_MAX} characters long."),
        ));
    }
    if !link.is_empty() {
        let parsed = url::Url::parse(&link)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"));
        if parsed.is_none() || link.chars().count() > LINK_MAX {
            return Err(AppError::invalid_field(
                "video_link",
                "The video link must be a web address starting with https://, such as https://meet.example.com/abc.",
            ));
        }
    }
    Ok((place, link))
}

/// Checks a slot before it is written: a future time, a sensible length and
/// size, where it is, and a panel of staff.
fn check(conn: &mut DbConn, slot: &NewSlot, now: NaiveDateTime) -> AppResult<(String, String, Vec<UserId>)> {
    if slot.starts_at.naive_utc() <= now {
        return Err(AppError::invalid_field(
            "starts_at",
            "Choose a start time in the future.",
        ));
    }
    if !MINUTES.contains(&slot.minutes) {
        return Err(AppError::invalid_field(
            "minutes",
            format!("An interview lasts {} to {} minutes.", MINUTES.start(), MINUTES.end()),
        ));
    }
    if !(1..=CAPACITY_MAX).contains(&slot.capacity) {
        return Err(AppError::invalid_field(
            "capacity",
            format!("A slot takes 1 to {CAPACITY_MAX} candidates."),
        ));
    }
    let (place, link) = check_where(slot)?;
    let mut ids: Vec<UserId> = slot.interviewer_ids.iter().map(|i| UserId(*i)).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > PANEL_MAX {
        return Err(AppError::invalid_field(
            "interviewer_ids",
            format!("Choose 1 to {PANEL_MAX} interviewers."),
        ));
    }
    let staff: Vec<UserId> = users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::role.ne(Role::Candidate))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?;
    if let Some(missing) = ids.iter().find(|id| !staff.contains(id)) {
        return Err(AppError::invalid_field(
            "interviewer_ids",
            format!("User {missing} is not an active staff member; interviewers are recruiters, trainers or administrators."),
        ));
    }
    Ok((place, link, ids))
}

/// Publishes a slot and invites the shortlisted applicants who have no
/// interview yet, in one transaction.
pub fn publish(
    conn: &mut DbConn,
    drive_id: DriveId,
    slot: &NewSlot,
    actor: UserId,
    now: NaiveDateTime,
    mail: &MailContext,
) -> AppResult<SlotId> {
    conn.transaction(|conn| {
        let drive = crate::drives::service::find(conn, drive_id)?;
        let (place, link, panel) = check(conn, slot, now)?;
        let id: SlotId = diesel::insert_into(interview_slots::table)
            .values((
                interview_slots::drive_id.eq(drive_id),
                interview_slots::starts_at.eq(slot.starts_at.naive_utc()),
                interview_slots::minutes.eq(slot.minutes),
                interview_slots::place.eq(&place),
                interview_slots::video_link.eq(&link),
                interview_slots::capacity.eq(slot.capacity),
                interview_slots::booked.eq(0),
                interview_slots::created_by.eq(actor),
                interview_slots::created_at.eq(now),
            ))
            .returning(interview_slots::id)
            .get_result(conn)?;
        for user in &panel {
            diesel::insert_into(interview_panel::table)
                .values((interview_panel::slot_id.eq(id), interview_panel::user_id.eq(*user)))
                .execute(conn)?;
        }
        let detail = format!(
            "{}: {} for {} minutes, {} place(s)",
            drive.name,
            mail.zone.text(slot.starts_at.naive_utc()),
            slot.minutes,
            slot.capacity
        );
        audit::record(
            conn,
            Event {
                actor: Some(actor),
                action: "interview.slot_publish",
                entity: "interview_slot",
                entity_id: Some(id.0),
                detail: &detail,
            },
            now,
        )?;
        super::letters::invite_shortlisted(conn, &drive, now, mail)?;
        Ok(id)
    })
}

pub fn find(conn: &mut DbConn, id: SlotId) -> AppResult<SlotRow> {
    interview_slots::table
        .find(id)
        .select(SlotRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no interview slot {id}.")))
}

/// Each slot's panel, by name.
pub fn panels(conn: &mut DbConn, slots: &[SlotId]) -> AppResult<HashMap<SlotId, Vec<Interviewer>>> {
    let rows: Vec<(SlotId, UserId, String, String)> = interview_panel::table
        .inner_join(users::table)
        .filter(interview_panel::slot_id.eq_any(slots))
        .order((interview_panel::slot_id, users::full_name))
        .select((interview_panel::slot_id, users::id, users::full_name, users::email))
        .load(conn)?;
    let mut by_slot: HashMap<SlotId, Vec<Interviewer>> = HashMap::new();
    for (slot, id, name, email) in rows {
        by_slot.entry(slot).or_default().push(Interviewer { id, name, email });
    }
    Ok(by_slot)
}

/// The slots of a drive a candidate can still book: in the future, with a
/// place left, soonest first.
pub fn open_slots(conn: &mut DbConn, drive_id: DriveId, now: NaiveDateTime) -> AppResult<Vec<SlotRow>> {
    Ok(interview_slots::table
        .filter(interview_slots::drive_id.eq(drive_id))
        .filter(interview_slots::starts_at.gt(now))
        .filter(interview_slots::booked.lt(interview_slots::capacity))
        .order((interview_slots::starts_at, interview_slots::id))
        .limit(200)
        .select(SlotRow::as_select())
        .load(conn)?)
}

/// A drive's slots, soonest first, a page at a time: the page after the
/// slot `after` (its start, then its id, break ties).
pub fn drive_slots(
    conn: &mut DbConn,
    drive_id: DriveId,
    after: Option<SlotId>,
    size: i64,
) -> AppResult<crate::web::paging::Page<SlotRow, SlotId>> {
    let mut query = interview_slots::table
        .filter(interview_slots::drive_id.eq(drive_id))
        .order((interview_slots::starts_at, interview_slots::id))
        .limit(crate::web::paging::fetch(size))
        .select(SlotRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        let last = find(conn, after)?;
        query = query.filter(
            interview_slots::starts_at
                .gt(last.starts_at)
                .or(interview_slots::starts_at
                    .eq(last.starts_at)
                    .and(interview_slots::id.gt(after))),
        );
    }
    Ok(crate::web::paging::Page::cut(query.load(conn)?, size, |s| s.id))
}

/// Takes one place in a slot, or refuses with 409 when none is left. One
/// conditional statement: on PostgreSQL the second of two racing bookings
/// waits for the first's row lock and then finds no place; on SQLite the
/// writer's turn runs them one after the other.
pub fn take_place(conn: &mut DbConn, slot: &SlotRow) -> AppResult<()> {
    let taken = diesel::update(
        interview_slots::table
            .find(slot.id)
            .filter(interview_slots::booked.lt(interview_slots::capacity)),
    )
    .set(interview_slots::booked.eq(interview_slots::booked + 1))
    .execute(conn)?;
    if taken == 0 {
        return Err(AppError::conflict(
            "slot_full",
            "Every place at that time has just been taken. Please choose another time.",
        ));
    }
    Ok(())
}

/// Gives a place back (a moved or cancelled interview).
pub fn give_back_place(conn: &mut DbConn, slot: SlotId) -> AppResult<()> {
    diesel::update(interview_slots::table.find(slot).filter(interview_slots::booked.gt(0)))
        .set(interview_slots::booked.eq(interview_slots::booked - 1))
        .execute(conn)?;
    Ok(())
}
