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
        next_try_at: now,
        created_at: now,
    };
    let inserted = on_backend!(conn, c => diesel::insert_into(notices::table)
        .values(&row)
        .on_conflict(notices::event_key)
        .do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
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
