//! The servers under test: the real release binary (and the bare reference)
//! as child processes on loopback ports, with their databases and logs in a
//! temporary folder or a scratch PostgreSQL database.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assay::db::schema::notices;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// Accepts http://127.0.0.1:PORT or http://localhost:PORT only.
pub fn loopback_only(url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    let host = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split(['/', ':']).next())
        .unwrap_or("");
    if matches!(host, "127.0.0.1" | "localhost") {
        Ok(url.to_string())
    } else {
        Err(format!(
            "--url must be http://127.0.0.1:PORT or http://localhost:PORT, not {url}"
        ))
    }
}

/// A PostgreSQL URL split around its database name:
/// `postgres://user@host:port` + `/db` + `?params`.
struct PgUrl<'a> {
    authority: &'a str,
    query: &'a str,
}

fn parse_pg(url: &str) -> Result<PgUrl<'_>, String> {
    let scheme_end = ["postgres://", "postgresql://"]
        .iter()
        .find(|s| url.starts_with(*s))
        .map(|s| s.len())
        .ok_or("--postgres must be a postgres:// URL")?;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let query = url[scheme_end + end..].find('?').map(|q| &url[scheme_end + end + q..]);
    let authority = &url[..scheme_end + end];
    // The host is after any user@ and before any :port.
    let host_port = rest[..end].rsplit('@').next().unwrap_or("");
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    if !matches!(host, "127.0.0.1" | "localhost" | "::1") {
        return Err(format!(
            "--postgres must be on loopback (127.0.0.1, localhost or ::1), not host {host:?}"
        ));
    }
    Ok(PgUrl {
        authority,
        query: query.unwrap_or(""),
    })
}

/// The folder holding the run's SQLite files and server logs; removed at the
/// end unless asked to keep it.
pub struct ScratchDir {
    pub path: PathBuf,
    keep: bool,
}

impl ScratchDir {
    pub fn new(keep: bool) -> Result<ScratchDir, String> {
        let run = &assay::tokens::random_token()[..8];
        let path = std::env::temp_dir().join(format!("assay-loadgen-{run}"));
        std::fs::create_dir_all(&path).map_err(|e| format!("create {}: {e}", path.display()))?;
        Ok(ScratchDir { path, keep })
    }

    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}", self.path.join(name).display())
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if self.keep {
            println!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A PostgreSQL database made for one run and dropped after it (also on an
/// early return), so runs never see each other's rows.
pub struct ScratchDb {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl ScratchDb {
    pub fn create(admin_url: &str, label: &str) -> Result<ScratchDb, String> {
        let parts = parse_pg(admin_url)?;
        let name = format!(
            "assay_loadgen_{label}_{}",
            assay::tokens::random_token()[..8].to_lowercase()
        );
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("unusable scratch database name {name}"));
        }
        let url = format!("{}/{name}{}", parts.authority, parts.query);
        let mut conn = PgConnection::establish(admin_url).map_err(|e| format!("connect to PostgreSQL: {e}"))?;
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("create database {name}: {e}"))?;
        Ok(ScratchDb {
            admin_url: admin_url.to_string(),
            name,
            url,
        })
    }

    /// What this database waits for on commit.
    pub fn durability(&self) -> String {
        let setting = |conn: &mut PgConnection, name: &str| -> String {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(&format!(
                "current_setting('{name}')"
            )))
            .get_result::<String>(conn)
            .unwrap_or_else(|e| format!("unknown ({e})"))
        };
        match PgConnection::establish(&self.url) {
            Ok(mut conn) => format!(
                "synchronous_commit={}, fsync={}",
                setting(&mut conn, "synchronous_commit"),
                setting(&mut conn, "fsync")
            ),
            Err(e) => format!("unknown ({e})"),
        }
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        // WITH (FORCE) ends connections a killed server may have left behind.
        let dropped = PgConnection::establish(&self.admin_url).and_then(|mut conn| {
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(e) = dropped {
            eprintln!("could not drop the scratch database {}: {e}", self.name);
        }
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

pub fn default_binary() -> PathBuf {
    target_dir().join("release").join("assay")
}

pub fn default_bare_binary() -> PathBuf {
    target_dir().join("release").join("examples").join("bare_reference")
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// How a database URL is shown: a PostgreSQL URL may carry a password.
fn shown(database_url: &str) -> String {
    match database_url.rsplit_once('/') {
        Some((_, db)) if database_url.starts_with("postgres") => format!("PostgreSQL database {db}"),
        _ => database_url.to_string(),
    }
}

pub struct Child {
    process: std::process::Child,
    pub url: String,
}

impl Child {
    /// Starts `assay serve` on `database_url`; its output goes to `log` in `dir`.
    pub fn assay(binary: &Path, dir: &Path, database_url: &str, log: &str) -> Result<Child, String> {
        let port = free_port()?;
        let bind = format!("127.0.0.1:{port}");
        let mut command = Command::new(binary);
        command
            .args(["serve", "--bind", &bind])
            .env("DATABASE_URL", database_url)
            .env("SECRET_KEY", "loadgen-secret-key-loadgen-secret-key-0123")
            .env("MAIL_DIR", dir.join("outbox"))
            .env("BASE_URL", format!("http://{bind}"))
            .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()));
        Child::spawn(command, binary, &bind, &dir.join(log), database_url)
    }

    /// Starts the bare reference server on `database_url`.
    pub fn bare(binary: &Path, dir: &Path, database_url: &str, synchronous: &str, log: &str) -> Result<Child, String> {
        let port = free_port()?;
        let bind = format!("127.0.0.1:{port}");
        let mut command = Command::new(binary);
        command.args([database_url, "--bind", &bind, "--synchronous", synchronous]);
        Child::spawn(command, binary, &bind, &dir.join(log), database_url)
    }

    fn spawn(mut command: Command, binary: &Path, bind: &str, log: &Path, database_url: &str) -> Result<Child, String> {
        if !binary.is_file() {
            return Err(format!(
                "{} does not exist; build it first: cargo build --release --bin assay --example loadgen --example bare_reference",
                binary.display()
            ));
        }
        let out = std::fs::File::create(log).map_err(|e| format!("server log: {e}"))?;
        let err = out.try_clone().map_err(|e| format!("server log: {e}"))?;
        let process = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        println!(
            "server: {} on {bind} (pid {}, {}, log {})",
            binary.display(),
            process.id(),
            shown(database_url),
            log.display()
        );
        Ok(Child {
            process,
            url: format!("http://{bind}"),
        })
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// Stops the child (it is ours, by its own id).
    pub fn stop(mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        // Also on an early return: never leave a server running.
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Waits until the outbox worker has sent every queued notice, so the
/// measurement is not sharing the write lock with it. Returns how many
/// were waiting at first.
pub fn wait_for_outbox(database_url: &str, within: Duration) -> Result<i64, String> {
    let url = assay::db::DatabaseUrl::parse(database_url).map_err(|e| e.to_string())?;
    let pool = assay::db::open_pool(&url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| format!("open {}: {e}", shown(database_url)))?;
    let pending = |conn: &mut assay::db::DbConn| -> Result<i64, String> {
        notices::table
            .filter(notices::status.eq_any(["queued", "sending"]))
            .count()
            .get_result(conn)
            .map_err(|e| format!("count notices: {e}"))
    };
    let first = pending(&mut conn)?;
    let deadline = Instant::now() + within;
    while pending(&mut conn)? > 0 {
        if Instant::now() > deadline {
            return Err(format!("the outbox did not drain within {within:?}"));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Ok(first)
}

/// The SQLite `synchronous` setting compiled into a server binary, found as
/// `synchronous = VALUE` in its bytes. It cannot be asked of a running
/// server (it is per connection), and a server that syncs its batches
/// itself would not show here; hence "compiled in".
pub fn compiled_synchronous(binary: &Path) -> String {
    let Ok(bytes) = std::fs::read(binary) else {
        return "unknown (binary unreadable)".into();
    };
    let lower = bytes.to_ascii_lowercase();
    let needle = b"synchronous";
    let mut found: Vec<&str> = Vec::new();
    let mut at = 0;
    // Bounded by the binary's length: each step moves past a match.
    while let Some(pos) = find(&lower[at..], needle) {
        let mut i = at + pos + needle.len();
        at = i;
        while lower.get(i) == Some(&b' ') {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while lower.get(i) == Some(&b' ') {
            i += 1;
        }
        let rest = &lower[i..lower.len().min(i + 6)];
        if let Some(value) = ["extra", "full", "normal", "off"]
            .into_iter()
            .find(|v| rest.starts_with(v.as_bytes()))
        {
            if !found.contains(&value) {
                found.push(value);
            }
        }
    }
    match found.as_slice() {
        [] => "no `synchronous =` compiled in".into(),
        values => format!(
            "synchronous={} (compiled in)",
            values
                .iter()
                .map(|v| v.to_uppercase())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Refuses a `--postgres` URL that is not on loopback, before any run starts.
pub fn check_postgres(url: &str) -> Result<(), String> {
    parse_pg(url).map(drop)
}
