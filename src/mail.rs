//! Turning a stored notice into an email and handing it over: to an SMTP
//! server when `SMTP_URL` is set, otherwise to a `.eml` file in `MAIL_DIR`,
//! so the default set-up needs no mail server.
//!
//! Headers are built from lettre's typed values (`Mailbox`, `Subject`), never
//! from strings pasted together, so a name or subject cannot add a header.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::NaiveDateTime;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::db::NoticeId;
use crate::error::{AppError, AppResult};

/// How long one SMTP conversation may stall before the try counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// What delivery needs from a notice row.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: NoticeId,
    pub recipient_email: String,
    pub recipient_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: NaiveDateTime,
    /// A file sent with the email (an interview's calendar event).
    pub attachment: Option<Attachment>,
}

/// One file attached to an email: its name, MIME type and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    /// For example `text/calendar; charset=utf-8; method=REQUEST`.
    pub content_type: String,
    pub body: String,
}

/// Why one try failed, and whether another try could go differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The sentence kept as the notice's `last_error`.
    pub message: String,
    /// The receiving side said no for good (an SMTP 5xx reply, an address
    /// that cannot be written): retrying for hours would only repeat it.
    pub permanent: bool,
}

impl SendError {
    fn transient(message: String) -> SendError {
        SendError {
            message,
            permanent: false,
        }
    }

    fn permanent(message: String) -> SendError {
        SendError {
            message,
            permanent: true,
        }
    }
}

/// Where emails go, decided once from configuration.
pub struct Mailer {
    from: Mailbox,
    reply_to: Mailbox,
    route: Route,
}

enum Route {
    /// The builder, not the transport: lettre's connection pool starts a
    /// task on the current runtime when built and another when dropped, so
    /// each drain builds (and closes) its own inside the runtime it runs on.
    Smtp(Box<AsyncSmtpTransportBuilder>),
    Files(PathBuf),
}

impl Mailer {
    /// Checks `MAIL_FROM` and `SMTP_URL` at start, so a typo fails loudly
    /// instead of on the first email.
    pub fn from_config(config: &Config) -> AppResult<Mailer> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            AppError::Config(format!(
                "MAIL_FROM '{}' is not a mailbox such as 'Assay <no-reply@example.com>': {e}",
                config.mail_from
            ))
        })?;
        let reply_to = reply_to_mailbox(config, &from)?;
        let route = match &config.smtp_url {
            Some(url) => {
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| AppError::Config(format!("SMTP_URL is not a usable SMTP URL: {e}")))?
                    .timeout(Some(SMTP_TIMEOUT));
                Route::Smtp(Box::new(builder))
            }
            None => Route::Files(config.mail_dir.clone()),
        };
        Ok(Mailer { from, reply_to, route })
    }

    /// The From: of every email.
    pub fn sender(&self) -> &Mailbox {
        &self.from
    }

    /// Where mail goes, for operators' messages (never the SMTP credentials).
    pub fn describe(&self) -> String {
        match &self.route {
            Route::Smtp(_) => "the SMTP server in SMTP_URL".to_string(),
            Route::Files(dir) => format!(".eml files in {}", dir.display()),
        }
    }

    /// Opens a sending session; SMTP connections are reused within it.
    pub fn session(&self) -> Session<'_> {
        let transport = match &self.route {
            Route::Smtp(builder) => Transport::Smtp(builder.as_ref().clone().build()),
            Route::Files(dir) => Transport::Files(dir.clone()),
        };
        Session {
            mailer: self,
            transport,
        }
    }

    /// The email exactly as it is sent: a multipart/alternative message with
    /// the stored text and HTML bodies, inside a multipart/mixed beside its
    /// attachment when it has one.
    pub fn message(&self, notice: &Outgoing, date: SystemTime) -> Result<Message, String> {
        let address: Address = notice
            .recipient_email
            .parse()
            .map_err(|e| format!("the recipient address '{}' is not valid: {e}", notice.recipient_email))?;
        let name = header_safe(&notice.recipient_name);
        let to = Mailbox::new((!name.is_empty()).then_some(name), address);
        Message::builder()
            .from(self.from.clone())
            .reply_to(self.reply_to.clone())
            .to(to)
            .subject(header_safe(&notice.subject))
            .message_id(Some(self.message_id(notice)))
            .date(date)
            .multipart(body(notice)?)
            .map_err(|e| format!("the email could not be built: {e}"))
    }

    /// The same id on every try, so a receiving server can drop a duplicate
    /// if a crashed sender's notice goes out twice.
    fn message_id(&self, notice: &Outgoing) -> String {
        format!(
            "<assay.notice.{}.{}@{}>",
            notice.id,
            notice.created_at.and_utc().timestamp(),
            self.from.email.domain()
        )
    }
}

/// The text and HTML twins, with the attachment beside them when there is one.
fn body(notice: &Outgoing) -> Result<MultiPart, String> {
    let alternative = MultiPart::alternative_plain_html(notice.body_text.clone(), notice.body_html.clone());
    let Some(file) = &notice.attachment else {
        return Ok(alternative);
    };
    let kind = ContentType::parse(&file.content_type)
        .map_err(|e| format!("the attachment's type '{}' is not a MIME type: {e}", file.content_type))?;
    let part = MimeAttachment::new(header_safe(&file.name)).body(file.body.clone(), kind);
    Ok(MultiPart::mixed().multipart(alternative).singlepart(part))
}

/// Shows where mail goes, never the SMTP URL: it may hold a password.
impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("route", &self.describe())
            .finish()
    }
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// One drain's worth of sending.
pub struct Session<'m> {
    mailer: &'m Mailer,
    transport: Transport,
}

impl Session<'_> {
    /// Sends one notice.
    pub async fn send(&self, notice: &Outgoing, date: SystemTime) -> Result<(), SendError> {
        // A message that cannot be built now never will be.
        let message = self.mailer.message(notice, date).map_err(SendError::permanent)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| SendError {
                message: format!("SMTP: {e}"),
                permanent: e.is_permanent(),
            }),
            Transport::Files(dir) => {
                let dir = dir.clone();
                let id = notice.id;
                let bytes = message.formatted();
                actix_web::web::block(move || write_eml(&dir, id, &bytes))
                    .await
                    .map_err(|e| format!("writing the .eml file: {e}"))
                    .and_then(|written| written)
                    .map_err(SendError::transient)
            }
        }
    }

    /// Says goodbye to the SMTP server instead of dropping the connections.
    pub async fn close(self) {
        if let Transport::Smtp(smtp) = &self.transport {
            smtp.shutdown().await;
        }
    }
}

/// Writes `notice-<id>.eml` whole or not at all: a reader never sees half a
/// file, and a retry replaces the earlier copy.
fn write_eml(dir: &Path, id: NoticeId, bytes: &[u8]) -> Result<(), String> {
    let fail = |what: &str, path: &Path, e: std::io::Error| format!("{what} {}: {e}", path.display());
    std::fs::create_dir_all(dir).map_err(|e| fail("cannot create the mail folder", dir, e))?;
    let path = dir.join(format!("notice-{id}.eml"));
    let partial = dir.join(format!(".notice-{id}.eml.partial"));
    std::fs::write(&partial, bytes).map_err(|e| fail("cannot write", &partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| fail("cannot write", &path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DatabaseUrl;

    fn config(smtp_url: Option<&str>, mail_from: &str) -> Config {
        Config {
            database_url: DatabaseUrl::parse("sqlite://unused.db").expect("url"),
            smtp_url: smtp_url.map(String::from),
            mail_from: mail_from.into(),
            mail_reply_to: "Recruitment <hiring@example.com>".into(),
            mail_dir: PathBuf::from("outbox"),
            base_url: "http://assay.test".into(),
            base_url_given: true,
            secret_key: vec![0; 32],
            firm_name: "Test Firm".into(),
            max_body_bytes: 1024,
            max_upload_bytes: 1024,
            session_hours: 1,
            pool_size: 1,
            review_band_points: 3.0,
            trust_proxy: false,
            sign_in_failures_per_address: 30,
            flag_min_responses: 30,

            webhooks_allow_private: false,
            firm_zone: Default::default(),
        }
    }

    #[test]
    fn smtp_urls_in_lettres_forms_are_accepted_and_their_passwords_never_shown() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:s3cret-pass@mail.example.com:587?tls=required",
            "smtp://mail.example.com?tls=opportunistic",
            "smtps://user:s3cret-pass@mail.example.com",
        ] {
            let mailer = Mailer::from_config(&config(Some(url), "Assay <no-reply@example.com>")).expect(url);
            let shown = format!("{mailer:?} {}", mailer.describe());
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }

    #[test]
    fn a_bad_smtp_url_or_sender_is_refused_at_start() {
        let bad_url = Mailer::from_config(&config(Some("mail.example.com"), "Assay <a@example.com>"));
        assert!(matches!(bad_url, Err(AppError::Config(m)) if m.contains("SMTP_URL")));
        let bad_from = Mailer::from_config(&config(None, "Assay no-reply"));
        assert!(matches!(bad_from, Err(AppError::Config(m)) if m.contains("MAIL_FROM")));
        let replies_to_sender = Mailer::from_config(&config(None, "Assay <hiring@example.com>"));
        assert!(matches!(replies_to_sender, Err(AppError::Config(m)) if m.contains("MAIL_REPLY_TO")));
    }

    #[test]
    fn the_message_id_is_the_same_on_every_try() {
        let mailer = Mailer::from_config(&config(None, "Assay <no-reply@example.com>")).expect("mailer");
        let notice = Outgoing {
            id: NoticeId(7),
            recipient_email: "a@example.com".into(),
            recipient_name: "A".into(),
            subject: "S".into(),
            body_text: "t".into(),
            body_html: "<p>h</p>".into(),
            created_at: chrono::DateTime::from_timestamp(1_800_000_000, 0)
                .expect("time")
                .naive_utc(),
            attachment: None,
        };
        assert_eq!(mailer.message_id(&notice), "<assay.notice.7.1800000000@example.com>");
        let first = mailer.message(&notice, SystemTime::UNIX_EPOCH).expect("message");
        let again = mailer.message(&notice, SystemTime::now()).expect("message");
        let id = |m: &Message| m.headers().get_raw("Message-ID").map(String::from);
        assert_eq!(id(&first), id(&again));
    }
}

/// Checks `MAIL_REPLY_TO`: a mailbox, and not the sender, whose address
/// nobody reads.
fn reply_to_mailbox(config: &Config, from: &Mailbox) -> AppResult<Mailbox> {
    let reply_to: Mailbox = config.mail_reply_to.parse().map_err(|e| {
        AppError::Config(format!(
            "MAIL_REPLY_TO '{}' is not a mailbox such as 'Recruitment <jobs@example.com>': {e}",
            config.mail_reply_to
        ))
    })?;
    if reply_to.email == from.email {
        return Err(AppError::Config(format!(
            "MAIL_REPLY_TO must be an address people read, not the sender {}.",
            from.email
        )));
    }
    Ok(reply_to)
}

/// Keeps a header value on one line: a name or subject cannot smuggle in a
/// header of its own.
pub fn header_safe(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// What every email says about the site: the firm's name and where links
/// point. Taken from configuration.
#[derive(Debug, Clone)]
pub struct MailContext {
    pub firm: String,
    pub base_url: String,
    /// The address replies reach (`MAIL_REPLY_TO`, without the name).
    pub reply_to: String,
    /// The firm's time zone: every time in an email is written in it, named.
    pub zone: crate::zone::FirmZone,
}

impl From<&Config> for MailContext {
    fn from(config: &Config) -> Self {
        MailContext {
            firm: config.firm_name.clone(),
            base_url: config.base_url.clone(),
            reply_to: config
                .mail_reply_to
                .parse::<Mailbox>()
                .map(|m| m.email.to_string())
                .unwrap_or_else(|_| config.mail_reply_to.clone()),
            zone: config.firm_zone,
        }
    }
}
