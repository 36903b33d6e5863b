//! Email notices through a durable outbox. Other areas call `queue` inside
//! the transaction of the event that causes the email, so no notice is lost
//! and none exists for an event that rolled back. The outbox worker
//! (`outbox`) sends them through `delivery`; admins watch them in `web`/`api`.

pub mod api;
pub mod outbox;
pub mod store;
pub mod templates;
pub mod web;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::notices;
use crate::db::{DbConn, NoticeStatus, UserId};
use crate::error::{AppError, AppResult};
use crate::identity::User;
use crate::mail::MailContext;
use crate::on_backend;

use templates::Mail;
pub use templates::Rendered;

#[derive(Insertable)]
#[diesel(table_name = notices)]
struct NewNotice<'a> {
    kind: &'a str,
    event_key: &'a str,
    recipient_id: Option<UserId>,
    recipient_email: &'a str,
    recipient_name: &'a str,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    status: NoticeStatus,
    tries: i32,
    next_try_at: NaiveDateTime,
    created_at: NaiveDateTime,
    attachment_name: Option<&'a str>,
    attachment_type: Option<&'a str>,
    attachment_body: Option<&'a str>,
}

/// This area's JSON API, relative to `/api/v1`.
pub fn configure_api(cfg: &mut crate::web::openapi::ApiRoutes) {
    api::configure(cfg);
}

/// This area's pages.
pub fn configure_pages(cfg: &mut actix_web::web::ServiceConfig) {
    web::configure(cfg);
}

/// Who a notice goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub id: Option<UserId>,
    pub email: String,
    pub name: String,
}

impl From<&User> for Recipient {
    fn from(user: &User) -> Self {
        Recipient {
            id: Some(user.id),
            email: user.email.clone(),
            name: user.full_name.clone(),
        }
    }
}

/// Queues one rendered notice. `event_key` names the event (for example
/// `welcome:user:7`); a second queue of the same event for the same person is
/// ignored, so retried requests never mail twice. Returns whether it was new.
pub fn queue(
    conn: &mut DbConn,
    event_key: &str,
    to: &Recipient,
    mail: &Rendered,
    now: NaiveDateTime,
) -> AppResult<bool> {
    queue_with(conn, event_key, to, mail, &Extras::default(), now)
}

/// What some notices add to the plain email.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Not sent before this time (a reminder the day before); `None`: now.
    pub not_before: Option<NaiveDateTime>,
    /// A file sent with the email.
    pub attachment: Option<crate::mail::Attachment>,
}

/// `queue`, with a time it may not go out before and an attachment.
pub fn queue_with(
    conn: &mut DbConn,
    event_key: &str,
    to: &Recipient,
    mail: &Rendered,
    extras: &Extras,
    now: NaiveDateTime,
) -> AppResult<bool> {
    crate::identity::EmailAddress::parse(&to.email)
        .map_err(|m| AppError::invalid_field("email", format!("Cannot send a notice: {m}")))?;
    let key = format!("{event_key}:to:{}", to.email.to_lowercase());
    let name = crate::mail::header_safe(&to.name);
    let subject = crate::mail::header_safe(&mail.subject);
    let row = NewNotice {
        kind: mail.kind,
        event_key: &key,
        recipient_id: to.id,
        recipient_email: &to.email,
        recipient_name: &name,
        subject: &subject,
        body_text: &mail.text,
        body_html: &mail.html,
        status: NoticeStatus::Queued,
        tries: 0,
        next_try_at: extras.not_before.map_or(now, |t| t.max(now)),
        created_at: now,
        attachment_name: extras.attachment.as_ref().map(|a| a.name.as_str()),
        attachment_type: extras.attachment.as_ref().map(|a| a.content_type.as_str()),
        attachment_body: extras.attachment.as_ref().map(|a| a.body.as_str()),
    };
    let inserted = on_backend!(conn, c => diesel::insert_into(notices::table)
        .values(&row)
        .on_conflict(notices::event_key)
        .do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// Takes back notices not yet sent whose event key starts with `prefix`
/// (a reminder for an interview that moved or was cancelled); a notice
/// being sent or already sent stays. Returns how many were taken back.
pub fn withdraw_unsent(conn: &mut DbConn, prefix: &str) -> AppResult<usize> {
    use crate::db::schema::notice_tries;
    let escaped: String = prefix
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let unsent: Vec<crate::db::NoticeId> = notices::table
        .filter(notices::event_key.like(format!("{escaped}%")).escape('\\'))
        .filter(notices::status.eq(NoticeStatus::Queued))
        .select(notices::id)
        .load(conn)?;
    if unsent.is_empty() {
        return Ok(0);
    }
    diesel::delete(notice_tries::table.filter(notice_tries::notice_id.eq_any(&unsent))).execute(conn)?;
    Ok(diesel::delete(notices::table.filter(notices::id.eq_any(&unsent))).execute(conn)?)
}

/// The welcome email after registration.
pub fn queue_welcome(conn: &mut DbConn, ctx: &MailContext, user: &User, now: NaiveDateTime) -> AppResult<bool> {
    let mail = templates::Welcome {
        ctx,
        name: &user.full_name,
    }
    .render_mail()?;
    queue(conn, &format!("welcome:user:{}", user.id), &user.into(), &mail, now)
}
