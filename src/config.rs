//! Configuration, parsed once at start: flags, then environment variables,
//! then defaults (clap does the layering). Secrets never reach a log line.

use std::path::PathBuf;

use crate::db::DatabaseUrl;
use crate::error::AppError;

/// The options every command shares. `assay --help` lists them all.
#[derive(clap::Args, Clone)]
pub struct ConfigArgs {
    /// Database: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://assay.db", global = true)]
    pub database_url: String,
    /// SMTP server in lettre's URL form (smtp://, smtps://, smtp://…?tls=required);
    /// without it, notices are written as .eml files to MAIL_DIR.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The From: address of every notice.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Assay <no-reply@assay.localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Where candidates' replies go (Reply-To: of every notice, and the
    /// address an offer asks them to write to); a mailbox someone reads,
    /// never the no-reply sender.
    #[arg(
        long,
        env = "MAIL_REPLY_TO",
        default_value = "Assay recruitment <recruitment@assay.localhost>",
        global = true
    )]
    pub mail_reply_to: String,
    /// Folder for .eml files when no SMTP_URL is set.
    #[arg(long, env = "MAIL_DIR", default_value = "./outbox", global = true)]
    pub mail_dir: PathBuf,
    /// Public address of the site, used in email links; https makes cookies Secure.
    #[arg(long, env = "BASE_URL", default_value = "http://127.0.0.1:8080", global = true)]
    pub base_url: String,
    /// Key for CSRF tokens; set it when several servers share one database.
    #[arg(long, env = "SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The firm's name, shown on pages and in emails.
    #[arg(long, env = "FIRM_NAME", default_value = "Assay", global = true)]
    pub firm_name: String,
    /// Largest JSON or form body accepted, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Largest question-bank upload accepted, in bytes.
    #[arg(long, env = "MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024, global = true)]
    pub max_upload_bytes: usize,
    /// How long a sign-in lasts, in hours.
    #[arg(long, env = "SESSION_HOURS", default_value_t = 12, global = true)]
    pub session_hours: i64,
    /// Review band, in percentage points, when an exam has too few graded
    /// attempts (under 20) for a standard error of measurement.
    #[arg(long, env = "REVIEW_BAND_POINTS", default_value_t = 3.0, global = true)]
    pub review_band_points: f64,
    /// Take the client's address from the last entry of X-Forwarded-For (set
    /// this only behind exactly one reverse proxy that appends it); otherwise
    /// the connection's peer address is used.
    #[arg(long, env = "TRUST_PROXY", default_value_t = false, global = true)]
    pub trust_proxy: bool,
    /// Failed sign-ins allowed from one client address in 15 minutes, over
    /// all accounts; raise it where many candidates share one address.
    #[arg(long, env = "SIGN_IN_FAILURES_PER_ADDRESS", default_value_t = 30, global = true)]
    pub sign_in_failures_per_address: i64,
    /// Responses a question needs before the item analysis judges it (flags
    /// it as too hard, a likely miskey, …); below this it says "not enough
    /// responses yet", since a handful of answers cannot tell a bad question
    /// from a chance result.
    #[arg(long, env = "FLAG_MIN_RESPONSES", default_value_t = 30, global = true)]
    pub flag_min_responses: usize,
    /// Database connections per server process.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 16, global = true)]
    pub pool_size: u32,
    /// Let webhook endpoints resolve to loopback or private addresses (for
    /// tests and closed networks); otherwise such endpoints are refused.
    #[arg(long, env = "WEBHOOKS_ALLOW_PRIVATE", default_value_t = false, global = true)]
    pub webhooks_allow_private: bool,
    /// The firm's time zone (an IANA name such as Asia/Kolkata): pages and
    /// emails show times in it and name it.
    #[arg(long, env = "FIRM_TIMEZONE", default_value = "UTC", global = true)]
    pub firm_timezone: String,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_reply_to: String,
    pub mail_dir: PathBuf,
    pub base_url: String,
    pub secret_key: Vec<u8>,
    pub firm_name: String,
    pub max_body_bytes: usize,
    pub max_upload_bytes: usize,
    pub session_hours: i64,
    pub pool_size: u32,
    pub review_band_points: f64,
    pub trust_proxy: bool,
    pub sign_in_failures_per_address: i64,
    pub flag_min_responses: usize,

    pub webhooks_allow_private: bool,
    pub firm_zone: crate::zone::FirmZone,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "[redacted]"))
            .field("mail_from", &self.mail_from)
            .field("mail_reply_to", &self.mail_reply_to)
            .field("mail_dir", &self.mail_dir)
            .field("base_url", &self.base_url)
            .field("secret_key", &"[redacted]")
            .field("firm_name", &self.firm_name)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("session_hours", &self.session_hours)
            .field("pool_size", &self.pool_size)
            .field("review_band_points", &self.review_band_points)
            .field("trust_proxy", &self.trust_proxy)
            .field("sign_in_failures_per_address", &self.sign_in_failures_per_address)
            .field("flag_min_responses", &self.flag_min_responses)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("firm_zone", &self.firm_zone.name())
            .finish()
    }
}

impl Config {
    pub fn from_args(args: &ConfigArgs) -> Result<Config, AppError> {
        let secret_key = match &args.secret_key {
            Some(key) if key.len() < 32 => {
                return Err(AppError::Config(
                    "SECRET_KEY must be at least 32 characters long".into(),
                ))
            }
            Some(key) => key.as_bytes().to_vec(),
            None => {
                tracing::warn!("SECRET_KEY is not set: using a random key, so open forms expire on restart");
                crate::tokens::random_bytes(32)
            }
        };
        if !(args.base_url.starts_with("http://") || args.base_url.starts_with("https://")) {
            return Err(AppError::Config("BASE_URL must start with http:// or https://".into()));
        }
        Ok(Config {
            database_url: DatabaseUrl::parse(&args.database_url)?,
            smtp_url: args.smtp_url.clone().filter(|s| !s.is_empty()),
            mail_from: args.mail_from.clone(),
            mail_reply_to: args.mail_reply_to.clone(),
            mail_dir: args.mail_dir.clone(),
            base_url: args.base_url.trim_end_matches('/').to_string(),
            secret_key,
            firm_name: args.firm_name.clone(),
            max_body_bytes: args.max_body_bytes,
            max_upload_bytes: args.max_upload_bytes,
            session_hours: args.session_hours.max(1),
            pool_size: args.pool_size.max(1),
            review_band_points: if args.review_band_points.is_finite() {
                args.review_band_points.max(0.0)
            } else {
                3.0
            },
            trust_proxy: args.trust_proxy,
            sign_in_failures_per_address: args.sign_in_failures_per_address.max(1),
            flag_min_responses: args.flag_min_responses.max(1),

            webhooks_allow_private: args.webhooks_allow_private,
            firm_zone: crate::zone::FirmZone::parse(&args.firm_timezone).map_err(AppError::Config)?,
        })
    }

    /// Cookies get `Secure` only where the site is served over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}
