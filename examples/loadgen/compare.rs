//! `--compare`: the bare reference server and Assay back to back, on the
//! same machine within minutes, so their ratio means something even on a
//! shared machine whose absolute figures move with its load.
//!
//! Runs, in order: the bare reference on SQLite (once per
//! `--bare-synchronous`), Assay on SQLite; then with `--postgres` the bare
//! reference, Assay with one server and Assay with two servers on one
//! database (candidates split between them), each on its own scratch
//! database. Every run starts its server(s) fresh and samples their memory
//! from start to stop; each prints its durability setting, saves/s, p50/p99,
//! peak RSS and the server CPU per `/healthz` request, and the summary the
//! ratios Assay/bare.

use std::time::{Duration, Instant};

use crate::client::{Api, Attempt};
use crate::phases::{self, SaveFigures};
use crate::report::{self, RssPeak, RssSampler};
use crate::server::{self, Child, ScratchDb, ScratchDir};
use crate::{seed, Args};

struct Row {
    backend: &'static str,
    /// 0 for the bare reference, else how many Assay servers.
    servers: usize,
    durability: String,
    saves: SaveFigures,
    rss: RssPeak,
    healthz_us: f64,
    start_secs: Option<f64>,
}

impl Row {
    fn name(&self) -> String {
        match self.servers {
            0 => format!("bare reference, {}", self.backend),
            1 => format!("Assay, {}", self.backend),
            n => format!("Assay, {}, {n} servers", self.backend),
        }
    }
}

pub async fn run(args: &Args) -> Result<(), String> {
    crate::check(args)?;
    if let Some(url) = &args.postgres {
        server::check_postgres(url)?;
    }
    let load_before = report::load_average();
    println!("machine: {} cpu(s), load average {load_before}", phases::cpus());
    let dir = ScratchDir::new(args.keep)?;
    let binary = args.binary.clone().unwrap_or_else(server::default_binary);
    let mut rows = Vec::new();
    let runs = args.bare_synchronous.len() + 1 + if args.postgres.is_some() { 3 } else { 0 };

    for (i, sync) in args.bare_synchronous.iter().enumerate() {
        announce(
            rows.len() + 1,
            runs,
            &format!("bare reference, SQLite, synchronous={sync}"),
        );
        let url = dir.sqlite_url(&format!("bare-{i}.db"));
        let log = format!("bare-sqlite-{i}.log");
        rows.push(bare(args, &dir, &url, sync, &log, "SQLite", format!("synchronous={sync}")).await?);
    }
    let durability = server::compiled_synchronous(&binary);
    announce(rows.len() + 1, runs, &format!("Assay, SQLite, {durability}"));
    let url = dir.sqlite_url("assay.db");
    rows.push(assay(args, &dir, &url, 1, "assay-sqlite", "SQLite", durability).await?);

    if let Some(admin_url) = &args.postgres {
        {
            let db = ScratchDb::create(admin_url, "bare")?;
            let durability = db.durability();
            announce(
                rows.len() + 1,
                runs,
                &format!("bare reference, PostgreSQL, {durability}"),
            );
            rows.push(bare(args, &dir, &db.url, "NORMAL", "bare-pg.log", "PostgreSQL", durability).await?);
        }
        for servers in [1, 2] {
            // Declared before the servers, so they are stopped before it is dropped.
            let db = ScratchDb::create(admin_url, &format!("assay{servers}"))?;
            let durability = db.durability();
            announce(
                rows.len() + 1,
                runs,
                &format!("Assay, PostgreSQL, {servers} server(s) on one database, {durability}"),
            );
            let log = format!("assay-pg{servers}");
            rows.push(assay(args, &dir, &db.url, servers, &log, "PostgreSQL", durability).await?);
        }
    }
    summary(args, &rows, &load_before);
    Ok(())
}

fn announce(n: usize, of: usize, what: &str) {
    println!("\n== run {n}/{of}: {what} ==");
}

/// The bare reference on `url`: started, `/healthz` CPU measured, then the
/// same save loop as for Assay on synthetic attempts (it checks nothing).
async fn bare(
    args: &Args,
    dir: &ScratchDir,
    url: &str,
    synchronous: &str,
    log: &str,
    backend: &'static str,
    durability: String,
) -> Result<Row, String> {
    let sampler = RssSampler::start();
    let binary = args.bare_binary.clone().unwrap_or_else(server::default_bare_binary);
    let child = Child::bare(&binary, &dir.path, url, synchronous, log)?;
    sampler.watch(child.pid());
    let api = Api::new(child.url.clone());
    api.wait_until_up(Duration::from_secs(60)).await?;
    let healthz_us = healthz(&api, child.pid(), args).await?;
    let attempts = (0..args.concurrency)
        .map(|i| Attempt::synthetic(i as i64 + 1, args.questions))
        .collect();
    let saves = phases::phase_save(&[api], attempts, args, &[child.pid()]).await?;
    let rss = sampler.finish();
    println!("peak RSS: {}", rss.describe());
    child.stop();
    Ok(Row {
        backend,
        servers: 0,
        durability,
        saves,
        rss,
        healthz_us,
        start_secs: None,
    })
}

/// Assay on a freshly seeded `url` with `servers` processes: started,
/// `/healthz` CPU measured on the first, then the whole candidate path
/// (sign-in, apply, start, saves) split between them.
async fn assay(
    args: &Args,
    dir: &ScratchDir,
    url: &str,
    servers: usize,
    log: &str,
    backend: &'static str,
    durability: String,
) -> Result<Row, String> {
    let started = Instant::now();
    let candidates = seed::seed_database(args, url, &dir.path)?;
    println!(
        "seed: {} candidates and 1 administrator in {:.2} s (by the load generator, one shared argon2 hash)",
        candidates.len(),
        started.elapsed().as_secs_f64()
    );
    let binary = args.binary.clone().unwrap_or_else(server::default_binary);
    let sampler = RssSampler::start();
    let mut children = Vec::new();
    for n in 0..servers {
        let child = Child::assay(&binary, &dir.path, url, &format!("{log}-{n}.log"))?;
        sampler.watch(child.pid());
        children.push(child);
    }
    let apis: Vec<Api> = children.iter().map(|c| Api::new(c.url.clone())).collect();
    for api in &apis {
        api.wait_until_up(Duration::from_secs(60)).await?;
    }
    let pids: Vec<u32> = children.iter().map(Child::pid).collect();
    let healthz_us = healthz(&apis[0], pids[0], args).await?;
    let admin = (seed::ADMIN_EMAIL.to_string(), seed::PASSWORD.to_string());
    let (attempts, start_secs) = phases::candidates_ready(&apis, args, &admin, &candidates, Some(url), &pids).await?;
    let saves = phases::phase_save(&apis, attempts, args, &pids).await?;
    let rss = sampler.finish();
    println!(
        "peak RSS (from start, through sign-ins, starts and saves): {}",
        rss.describe()
    );
    for child in children {
        child.stop();
    }
    Ok(Row {
        backend,
        servers,
        durability,
        saves,
        rss,
        healthz_us,
        start_secs: Some(start_secs),
    })
}

async fn healthz(api: &Api, pid: u32, args: &Args) -> Result<f64, String> {
    let us = phases::healthz_cpu(api, pid, args.healthz_requests).await?;
    println!(
        "healthz: {us:.1} µs of server CPU per request over {} requests (16 in flight)",
        report::thousands(args.healthz_requests as u64)
    );
    Ok(us)
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}", a / b)
    } else {
        "-".into()
    }
}

fn summary(args: &Args, rows: &[Row], load_before: &str) {
    let load_after = report::load_average();
    let mode = if args.rate > 0.0 {
        format!("paced at {}/s offered", report::thousands(args.rate as u64))
    } else {
        "closed loop".into()
    };
    println!(
        "\n== summary: {} candidates saving ({mode}), {} s each; load average {load_before} at start, {load_after} at end ==",
        args.concurrency, args.seconds
    );
    println!(
        "{:<34} {:<42} {:>9} {:>9} {:>9} {:>7} {:>10} {:>9} {:>8}",
        "run", "durability", "saves/s", "p50", "p99", "errors", "peak RSS", "healthz", "start"
    );
    for row in rows {
        println!(
            "{:<34} {:<42} {:>9} {:>9} {:>9} {:>7} {:>10} {:>6.1} µs {:>8}",
            row.name(),
            row.durability,
            report::thousands(row.saves.rate.round() as u64),
            report::ms(row.saves.p50),
            report::ms(row.saves.p99),
            row.saves.errors,
            report::mib(row.rss.kib()),
            row.healthz_us,
            row.start_secs
                .map(|s| format!("{s:.2} s"))
                .unwrap_or_else(|| "-".into()),
        );
    }
    println!(
        "(peak RSS of two servers: what they held together, sampled every 100 ms; healthz: server CPU per request)"
    );
    for row in rows.iter().filter(|r| r.servers > 0) {
        let Some(bare) = rows.iter().find(|r| r.servers == 0 && r.backend == row.backend) else {
            continue;
        };
        println!(
            "Assay/bare, {}, {} server(s): saves/s {}, p50 {}, p99 {}, peak RSS {}, healthz CPU {}",
            row.backend,
            row.servers,
            ratio(row.saves.rate, bare.saves.rate),
            ratio(row.saves.p50.as_secs_f64(), bare.saves.p50.as_secs_f64()),
            ratio(row.saves.p99.as_secs_f64(), bare.saves.p99.as_secs_f64()),
            ratio(row.rss.kib() as f64, bare.rss.kib() as f64),
            ratio(row.healthz_us, bare.healthz_us),
        );
    }
    let one = rows.iter().find(|r| r.backend == "PostgreSQL" && r.servers == 1);
    let two = rows.iter().find(|r| r.backend == "PostgreSQL" && r.servers == 2);
    if let (Some(one), Some(two)) = (one, two) {
        println!(
            "two Assay servers / one, PostgreSQL: saves/s {}",
            ratio(two.saves.rate, one.saves.rate)
        );
    }
}
