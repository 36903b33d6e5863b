//! Configuration, parsed once at start: flags, then environment variables,
//! then defaults (clap does the layering). Secrets never reach a log line.

use std::net::{IpAddr, SocketAddr};
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
    /// Public address of the site, used in email links; https makes cookies
    /// Secure. `assay serve` defaults it to the address it listens on.
    #[arg(long, env = "BASE_URL", global = true)]
    pub base_url: Option<String>,
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
    /// Whether `base_url` was given (BASE_URL or --base-url) rather than defaulted.
    pub base_url_given: bool,
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
        let base_url = args.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        if let Some(url) = base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(AppError::Config(
                    "BASE_URL must start with http:// or https://, such as https://assay.example.com".into(),
                ));
            }
        }
        Ok(Config {
            database_url: DatabaseUrl::parse(&args.database_url)?,
            smtp_url: args.smtp_url.clone().filter(|s| !s.is_empty()),
            mail_from: args.mail_from.clone(),
            mail_reply_to: args.mail_reply_to.clone(),
            mail_dir: args.mail_dir.clone(),
            base_url: base_url.unwrap_or(DEFAULT_BASE_URL).trim_end_matches('/').to_string(),
            base_url_given: base_url.is_some(),
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

    /// Settles the base URL once the server is listening on `bound`: a
    /// base URL not given becomes that address; a given one is kept, with a
    /// warning when it looks wrong for the address (to log).
    pub fn adopt_bound_address(&mut self, bound: SocketAddr) -> Option<String> {
        if !self.base_url_given {
            self.base_url = url_for_bound(bound);
            return bound.ip().is_unspecified().then(|| {
                format!(
                    "listening on every interface ({bound}) but BASE_URL is not set: email links point to {}, \
                     which only this machine can open; set BASE_URL to the address people use",
                    self.base_url
                )
            });
        }
        base_url_warning(&self.base_url, bound)
    }

    /// Cookies get `Secure` only where the site is served over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// The base URL of commands that serve nothing (imports, the outbox drain).
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";

/// `http://` and the bound address; every interface (0.0.0.0, ::) reads as
/// this machine's loopback, the one address of it sure to answer.
fn url_for_bound(bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, bound.port()))
}

/// A warning when a given base URL names this machine (localhost, a
/// loopback or the bound address) on another port than the one bound, or
/// loopback while people elsewhere are meant to connect. A base URL with a
/// public name is left alone: a proxy may well stand in front.
pub fn base_url_warning(base_url: &str, bound: SocketAddr) -> Option<String> {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let default_port: u16 = if base_url.starts_with("https://") { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, p.parse::<u16>().unwrap_or(default_port))
        }
        _ => (authority, default_port),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let names_this_machine = loopback || host.parse::<IpAddr>().is_ok_and(|ip| ip == bound.ip());
    if names_this_machine && port != bound.port() {
        return Some(format!(
            "BASE_URL is {base_url} but the server listens on {bound}: links in emails will not reach it; \
             set BASE_URL to this server's address (or leave it unset)"
        ));
    }
    if loopback && !bound.ip().is_loopback() {
        return Some(format!(
            "BASE_URL is {base_url}, which only this machine can open, but the server listens on {bound} for \
             others: links in emails will not work for them; set BASE_URL to the address people use"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[derive(clap::Parser)]
    struct Args {
        #[command(flatten)]
        config: ConfigArgs,
    }

    fn config(args: &[&str]) -> Config {
        use clap::Parser;
        let args = Args::try_parse_from(std::iter::once("assay").chain(args.iter().copied())).unwrap();
        Config::from_args(&args.config).unwrap()
    }

    #[test]
    fn an_unset_base_url_becomes_the_address_the_server_listens_on() {
        let mut config = config(&["--secret-key", &"k".repeat(32)]);
        if config.base_url_given {
            return; // BASE_URL is set in this test's environment
        }
        assert_eq!(config.adopt_bound_address(at("127.0.0.1:9000")), None);
        assert_eq!(config.base_url, "http://127.0.0.1:9000");
        let warning = config.adopt_bound_address(at("0.0.0.0:9100")).unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:9100");
        assert!(warning.contains("set BASE_URL"), "{warning}");
    }

    #[test]
    fn a_given_base_url_is_kept_and_checked_against_the_bind() {
        let mut config = config(&["--secret-key", &"k".repeat(32), "--base-url", "http://localhost:8080/"]);
        let warning = config.adopt_bound_address(at("127.0.0.1:9000")).unwrap();
        assert_eq!(config.base_url, "http://localhost:8080");
        assert!(warning.contains("listens on 127.0.0.1:9000"), "{warning}");
    }

    #[test]
    fn a_base_url_on_another_port_of_this_machine_is_warned_about() {
        let w = base_url_warning("http://localhost:8080", at("127.0.0.1:9000")).unwrap();
        assert!(
            w.contains("http://localhost:8080") && w.contains("127.0.0.1:9000"),
            "{w}"
        );
        assert!(base_url_warning("http://127.0.0.1:8080/", at("127.0.0.1:9000")).is_some());
        assert!(base_url_warning("http://10.0.0.5", at("10.0.0.5:9000")).is_some());
        assert!(base_url_warning("http://[::1]:8080", at("[::1]:9000")).is_some());
        assert!(base_url_warning("http://localhost:8080", at("0.0.0.0:8080")).is_some());
    }

    #[test]
    fn a_base_url_that_fits_the_bind_or_names_a_public_host_is_not_warned_about() {
        assert_eq!(base_url_warning("http://localhost:9000", at("127.0.0.1:9000")), None);
        assert_eq!(base_url_warning("https://assay.example.com", at("0.0.0.0:8080")), None);
        assert_eq!(base_url_warning("http://10.0.0.5:8080", at("0.0.0.0:8080")), None);
    }
}
