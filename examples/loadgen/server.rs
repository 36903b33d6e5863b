//! The server under test: the real release binary as a child process on a
//! loopback port, with its own database and log in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assay::db::schema::notices;
use diesel::prelude::*;

use crate::Args;

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

pub fn database_path(dir: &Path) -> PathBuf {
    dir.join("loadgen.db")
}

pub struct Child {
    process: std::process::Child,
    pub url: String,
    dir: PathBuf,
}

fn default_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("release").join("assay")
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl Child {
    /// Starts `assay serve` on the seeded database; its output goes to
    /// `server.log` in the same folder.
    pub fn start(args: &Args, dir: PathBuf) -> Result<Child, String> {
        let binary = args.binary.clone().unwrap_or_else(default_binary);
        if !binary.is_file() {
            return Err(format!(
                "{} does not exist; build it first: cargo build --release --bin assay",
                binary.display()
            ));
        }
        let port = free_port()?;
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| format!("server log: {e}"))?;
        let log_err = log.try_clone().map_err(|e| format!("server log: {e}"))?;
        let bind = format!("127.0.0.1:{port}");
        let process = Command::new(&binary)
            .args(["serve", "--bind", &bind])
            .env("DATABASE_URL", format!("sqlite://{}", database_path(&dir).display()))
            .env("SECRET_KEY", "loadgen-secret-key-loadgen-secret-key-0123")
            .env("MAIL_DIR", dir.join("outbox"))
            .env("BASE_URL", format!("http://{bind}"))
            .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        println!(
            "server: {} serve --bind {bind} (pid {}, DATABASE_URL=sqlite://{}, log {})",
            binary.display(),
            process.id(),
            database_path(&dir).display(),
            dir.join("server.log").display()
        );
        Ok(Child {
            process,
            url: format!("http://{bind}"),
            dir,
        })
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// Waits until the outbox worker has sent every queued notice, so the
    /// measurement is not sharing the write lock with it. Returns how many
    /// were waiting at first.
    pub fn wait_for_outbox(&self, within: Duration) -> Result<i64, String> {
        let url = database_path(&self.dir).display().to_string();
        let mut conn = SqliteConnection::establish(&url).map_err(|e| format!("open {url}: {e}"))?;
        let pending = |conn: &mut SqliteConnection| -> Result<i64, String> {
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

    /// Stops the child (it is ours) and removes the folder unless asked to keep it.
    pub fn stop(mut self, keep: bool) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        if keep {
            println!("kept {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        // Also on an early return: never leave a server running.
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
