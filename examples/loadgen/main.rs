//! Load generator for the candidate's hot path: N virtual candidates sign in,
//! start the same test at once, then C of them save answers in a loop.
//!
//! ```text
//! cargo build --release --bin assay --example loadgen
//! target/release/examples/loadgen --candidates 1000 --concurrency 256 --seconds 20 --rate 5100
//! target/release/examples/loadgen --candidates 1000 --concurrency 256 --seconds 20
//! ```
//!
//! The first offers 5,100 saves a second, each of the 256 candidates saving
//! every 50 ms, and times each save from when it was due (so a stall cannot
//! hide its queue): that is the latency target. The second has every
//! candidate save again the moment the last save is answered: that measures
//! the most the server can take, and its latency is only the queue (256 in
//! flight / throughput). `cargo run --release --example loadgen` does not
//! build the server binary; build it first as above.
//!
//! By default it seeds a fresh SQLite file and runs the release binary
//! (`target/release/assay serve`) as a child process on 127.0.0.1; the child
//! inherits this process's environment, so tuning variables such as
//! `DATABASE_POOL_SIZE` reach it. `--url http://127.0.0.1:PORT` targets a
//! server that is already running instead (then `--admin-email` and
//! `LOADGEN_ADMIN_PASSWORD` name an administrator, and candidates register
//! over HTTP). Only loopback addresses are accepted, every loop is bounded,
//! and the child is stopped at the end.
//!
//! `--compare` measures Assay against the bare reference server
//! (`examples/bare_reference.rs`: actix-web + diesel doing only the guarded
//! upsert of a save) back to back in one invocation; see `compare.rs`:
//!
//! ```text
//! cargo build --release --bin assay --example loadgen --example bare_reference
//! target/release/examples/loadgen --compare --seconds 10 \
//!     --postgres postgres://postgres@127.0.0.1:5432/postgres
//! ```

// Not production code: a load generator fails loudly by design, and its casts are of counts and durations for its report.
#![allow(clippy::indexing_slicing, clippy::as_conversions)]

mod client;
mod compare;
mod phases;
mod report;
mod seed;
mod server;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;

use client::Api;

#[derive(Parser, Clone)]
#[command(about = "Drive Assay's sign-in, test start and answer saves under load")]
pub struct Args {
    /// Virtual candidates who sign in and start the test.
    #[arg(long, default_value_t = 1000)]
    candidates: usize,
    /// Candidates saving answers at the same time in the second phase.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// How long the save phase runs.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Saves per second offered by all candidates together, each candidate
    /// saving at an even pace; 0 saves back to back (a closed loop, to find
    /// the most the server can take).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Sign-ins (argon2 verifies) in flight at once; each holds 19 MiB on the server.
    #[arg(long, default_value_t = 64)]
    signin_concurrency: usize,
    /// Questions in the test (drawn from the quantitative aptitude bank).
    #[arg(long, default_value_t = 20)]
    questions: usize,
    /// Target a running server (loopback only) instead of starting one.
    #[arg(long)]
    url: Option<String>,
    /// With --url: an administrator's email; the password comes from LOADGEN_ADMIN_PASSWORD.
    #[arg(long)]
    admin_email: Option<String>,
    /// The server binary to start (default: target/release/assay).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Keep the temporary folder (database, server log) after the run.
    #[arg(long)]
    keep: bool,
    /// Run the bare reference server and Assay back to back and print the
    /// ratios: on SQLite, and with --postgres on PostgreSQL too (one and two
    /// Assay servers on one database).
    #[arg(long, conflicts_with_all = ["url", "admin_email"])]
    compare: bool,
    /// A PostgreSQL server on loopback whose user may create databases; each
    /// run gets a scratch database, dropped at the end. Without --compare,
    /// the one run is on PostgreSQL instead of SQLite.
    #[arg(long, conflicts_with = "url")]
    postgres: Option<String>,
    /// With --compare: SQLite `synchronous` of the bare reference, one run
    /// each (NORMAL, FULL or NORMAL,FULL); ratios are against the first.
    #[arg(long, value_delimiter = ',', default_value = "NORMAL", value_parser = ["NORMAL", "FULL"])]
    bare_synchronous: Vec<String>,
    /// With --compare: the bare reference binary (default: target/release/examples/bare_reference).
    #[arg(long)]
    bare_binary: Option<PathBuf>,
    /// With --compare: `/healthz` requests over which each server's CPU per request is measured.
    #[arg(long, default_value_t = 20_000)]
    healthz_requests: usize,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let ran = actix_web::rt::System::new().block_on(async {
        if args.compare {
            compare::run(&args).await
        } else {
            run(&args).await
        }
    });
    match ran {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn check(args: &Args) -> Result<(), String> {
    if args.candidates == 0 || args.concurrency == 0 || args.concurrency > args.candidates {
        return Err("need 0 < --concurrency <= --candidates".into());
    }
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        return Err("--seconds must be in (0, 600]".into());
    }
    Ok(())
}

/// One server: our own on a freshly seeded SQLite file (or, with
/// `--postgres`, a scratch PostgreSQL database), or one already running.
async fn run(args: &Args) -> Result<(), String> {
    check(args)?;
    println!(
        "machine: {} cpu(s), load average {}",
        phases::cpus(),
        report::load_average()
    );
    let dir = server::ScratchDir::new(args.keep)?;
    // Declared before the server, so the server stops before it is dropped.
    let scratch_db = match (&args.postgres, &args.url) {
        (Some(admin_url), None) => Some(server::ScratchDb::create(admin_url, "plain")?),
        _ => None,
    };
    let sampler = report::RssSampler::start();
    let (server, api, candidates, database_url) = match &args.url {
        Some(url) => {
            let api = Api::new(server::loopback_only(url)?);
            let candidates = seed::register_over_http(&api, args).await?;
            (None, api, candidates, None)
        }
        None => {
            let started = Instant::now();
            let url = match &scratch_db {
                Some(db) => {
                    println!("durability: {}", db.durability());
                    db.url.clone()
                }
                None => dir.sqlite_url("loadgen.db"),
            };
            let candidates = seed::seed_database(args, &url, &dir.path)?;
            println!(
                "seed: {} candidate accounts and 1 administrator written directly to the database with one \
                 precomputed argon2 hash (same password for all) in {:.2} s",
                candidates.len(),
                started.elapsed().as_secs_f64()
            );
            let binary = args.binary.clone().unwrap_or_else(server::default_binary);
            if scratch_db.is_none() {
                println!("durability: {}", server::compiled_synchronous(&binary));
            }
            let server = server::Child::assay(&binary, &dir.path, &url, "server.log")?;
            sampler.watch(server.pid());
            let api = Api::new(server.url.clone());
            api.wait_until_up(Duration::from_secs(60)).await?;
            (Some(server), api, candidates, Some(url))
        }
    };
    let admin = match &args.url {
        Some(_) => seed::admin_credentials(args)?,
        None => (seed::ADMIN_EMAIL.to_string(), seed::PASSWORD.to_string()),
    };
    let apis = [api];
    let pids: Vec<u32> = server.iter().map(server::Child::pid).collect();
    let (attempts, _) =
        phases::candidates_ready(&apis, args, &admin, &candidates, database_url.as_deref(), &pids).await?;
    let saves_from = sampler.elapsed();
    phases::phase_save(&apis, attempts, args, &pids).await?;
    let saves_to = sampler.elapsed();
    if server.is_some() {
        let rss = sampler.finish();
        println!(
            "server memory (VmRSS every 100 ms from start to stop): {}",
            rss.over_time(saves_from, saves_to)
        );
    }
    println!("machine after: load average {}", report::load_average());
    if let Some(server) = server {
        server.stop();
    }
    Ok(())
}
