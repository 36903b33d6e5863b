//! Email notices: delivery to a real SMTP server the test starts (aiosmtpd),
//! the file transport, retries on the backoff schedule, several senders on
//! one outbox, and the admin's view.

mod admin;
mod delivery;
pub(crate) mod sink;
mod workers;

use assay::app::AppState;
use assay::db::schema::notices;
use assay::db::NoticeId;
use assay::mail::MailContext;
use assay::notices::store::{self, Notice, Try};
use assay::notices::templates::{Mail, Welcome};
use assay::notices::Recipient;
use diesel::prelude::*;

use crate::helpers::{Browser, TestApp, PASSWORD};

/// Queues a real welcome email to `name <email>` and returns its id.
pub fn queue_welcome(app: &TestApp, email: &str, name: &str) -> NoticeId {
    queue_welcome_in(&app.state, email, name)
}

pub fn queue_welcome_in(state: &AppState, email: &str, name: &str) -> NoticeId {
    let ctx = MailContext::from(state.config.as_ref());
    let mail = Welcome { ctx: &ctx, name }.render_mail().expect("render");
    let to = Recipient {
        id: None,
        email: email.to_string(),
        name: name.to_string(),
    };
    let mut conn = state.pool.get().expect("conn");
    let key = format!("test:{email}");
    let new = assay::notices::queue(&mut conn, &key, &to, &mail, state.clock.now()).expect("queue");
    assert!(new, "queued once");
    notices::table
        .filter(notices::event_key.eq(format!("{key}:to:{}", email.to_lowercase())))
        .select(notices::id)
        .first(&mut *conn)
        .expect("queued notice")
}

pub fn notice(app: &TestApp, id: NoticeId) -> Notice {
    let mut conn = app.state.pool.get().expect("conn");
    store::find(&mut conn, id).expect("notice")
}

pub fn tries(app: &TestApp, id: NoticeId) -> Vec<Try> {
    let mut conn = app.state.pool.get().expect("conn");
    store::tries_of(&mut conn, id).expect("tries")
}

/// A browser signed in as `email` through the sign-in form.
pub async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = app.browser();
    let page = browser.get("/signin").await;
    let done = browser
        .post_form(
            "/signin",
            &[("csrf_token", &page.csrf()), ("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, awc::http::StatusCode::SEE_OTHER, "{}", done.body);
    browser
}

/// A part of a parsed message by MIME type, with its decoded text.
pub fn part_text(message: &mail_parser::Message<'_>, subtype: &str) -> Option<String> {
    use mail_parser::MimeHeaders;
    message.parts.iter().find_map(|part| {
        let ct = part.content_type()?;
        (ct.ctype() == "text" && ct.subtype() == Some(subtype))
            .then(|| part.text_contents().unwrap_or_default().to_string())
    })
}
