//! Reading the outbox for people: the admin list, one notice with its tries,
//! and "retry now".

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit;
use crate::db::schema::{notice_tries, notices};
use crate::db::{DbConn, NoticeId, NoticeStatus, UserId};
use crate::error::{AppError, AppResult};
use crate::web::paging::{self, Page};

/// A whole outbox row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notices)]
pub struct Notice {
    pub id: NoticeId,
    pub kind: String,
    pub event_key: String,
    pub recipient_id: Option<UserId>,
    pub recipient_email: String,
    pub recipient_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// `sending` is a claim by a sender, which lapses if that sender dies.
    pub status: NoticeStatus,
    pub tries: i32,
    pub next_try_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment_body: Option<String>,
}

impl Notice {
    /// The stored attachment, when the notice has one.
    pub fn attachment(&self) -> Option<crate::mail::Attachment> {
        match (&self.attachment_name, &self.attachment_type, &self.attachment_body) {
            (Some(name), Some(content_type), Some(body)) => Some(crate::mail::Attachment {
                name: name.clone(),
                content_type: content_type.clone(),
                body: body.clone(),
            }),
            _ => None,
        }
    }

    pub fn outgoing(&self) -> crate::mail::Outgoing {
        crate::mail::Outgoing {
            id: self.id,
            recipient_email: self.recipient_email.clone(),
            recipient_name: self.recipient_name.clone(),
            subject: self.subject.clone(),
            body_text: self.body_text.clone(),
            body_html: self.body_html.clone(),
            created_at: self.created_at,
            attachment: self.attachment(),
        }
    }
}

/// A row of the admin list: everything but the bodies.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notices)]
pub struct Summary {
    pub id: NoticeId,
    pub kind: String,
    pub recipient_email: String,
    pub subject: String,
    pub status: NoticeStatus,
    pub tries: i32,
    pub last_error: Option<String>,
    pub next_try_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// One try to send a notice.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notice_tries)]
pub struct Try {
    pub tried_at: NaiveDateTime,
    pub succeeded: bool,
    pub error: Option<String>,
}

/// Checks a status filter given by a person or a script.
pub fn parse_status(status: Option<&str>) -> AppResult<Option<NoticeStatus>> {
    match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<NoticeStatus>().map(Some).map_err(|_| {
            AppError::BadRequest(format!(
                "'{s}' is not a notice status; use queued, sending, sent or failed."
            ))
        }),
    }
}

/// Newest first, `limit` at a time, older than the notice `after` (the last
/// id of the previous page).
pub fn list(
    conn: &mut DbConn,
    status: Option<NoticeStatus>,
    after: Option<NoticeId>,
    limit: i64,
) -> AppResult<Vec<Summary>> {
    let mut query = notices::table
        .select(Summary::as_select())
        .order(notices::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(notices::status.eq(status));
    }
    if let Some(after) = after {
        query = query.filter(notices::id.lt(after));
    }
    Ok(query.load(conn)?)
}

/// How many notices are in each state (states with none are left out).
pub fn counts(conn: &mut DbConn) -> AppResult<Vec<(NoticeStatus, i64)>> {
    Ok(notices::table
        .group_by(notices::status)
        .select((notices::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// One page and the cursor for the next: the page's last id, when there is
/// more.
pub fn page(
    conn: &mut DbConn,
    status: Option<NoticeStatus>,
    after: Option<NoticeId>,
    limit: i64,
) -> AppResult<(Vec<Summary>, Option<NoticeId>)> {
    let Page { rows, next } = Page::cut(list(conn, status, after, paging::fetch(limit))?, limit, |r| r.id);
    Ok((rows, next))
}

pub fn find(conn: &mut DbConn, id: NoticeId) -> AppResult<Notice> {
    notices::table
        .find(id)
        .select(Notice::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no notice {id}.")))
}

/// Oldest first, as they happened.
pub fn tries_of(conn: &mut DbConn, id: NoticeId) -> AppResult<Vec<Try>> {
    Ok(notice_tries::table
        .filter(notice_tries::notice_id.eq(id))
        .order(notice_tries::id.asc())
        .select(Try::as_select())
        .load(conn)?)
}

/// Puts a failed notice back in the queue, due now. Its tries and their
/// errors stay; it gets one more try, and fails again if that one fails.
pub fn retry_now(conn: &mut DbConn, id: NoticeId, actor: UserId, now: NaiveDateTime) -> AppResult<()> {
    conn.transaction(|conn| {
        let changed = diesel::update(notices::table.find(id).filter(notices::status.eq(NoticeStatus::Failed)))
            .set((
                notices::status.eq(NoticeStatus::Queued),
                notices::next_try_at.eq(now),
                notices::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        if changed == 0 {
            let current = find(conn, id)?;
            return Err(AppError::conflict(
                "notice_not_failed",
                format!(
                    "Notice {id} is {}, not failed; only failed notices can be retried.",
                    current.status
                ),
            ));
        }
        audit::record(
            conn,
            audit::Event {
                actor: Some(actor),
                action: "notice.retry",
                entity: "notice",
                entity_id: Some(id.0),
                detail: "requeued by hand",
            },
            now,
        )
    })
}
