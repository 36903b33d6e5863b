//! Accounts, the test and the drive the run needs, and the concurrent
//! sign-ins and applications.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use assay::accounts::service::{create_user, put_profile, NewAccount};
use assay::accounts::validate::ProfileInput;
use assay::db::Role;
use awc::http::StatusCode;
use clap::Parser;
use serde_json::json;

use crate::client::{Api, Failure};
use crate::report::{Errors, Latencies};
use crate::Args;

pub const ADMIN_EMAIL: &str = "loadgen-admin@example.com";
/// Every seeded account shares it: one argon2 hash serves them all.
pub const PASSWORD: &str = "loadgen-password-0001";
const BANK: &str = "question_banks/quantitative_aptitude.toml";

pub struct Fixture {
    pub bank_id: i64,
    pub bank_questions: u64,
    pub assessment_id: i64,
    pub drive_id: i64,
}

fn candidate_email(run: &str, i: usize) -> String {
    format!("lg-{run}-{i:05}@example.com")
}

fn profile() -> ProfileInput {
    ProfileInput {
        degree: Some("B.Com".into()),
        score_percent: Some(75.0),
        domain: Some("finance".into()),
        ..ProfileInput::default()
    }
}

/// Writes an administrator and `--candidates` candidates with eligible
/// profiles straight into the database at `url` (migrating it first),
/// hashing the shared password once. Returns the candidates' emails.
pub fn seed_database(args: &Args, url: &str, dir: &Path) -> Result<Vec<String>, String> {
    let run = &assay::tokens::random_token()[..8];
    let mail_dir = dir.join("outbox").display().to_string();
    // The binary's own parser, so the seeding sees the same configuration rules.
    let cli = assay::cli::Cli::try_parse_from(["assay", "--database-url", url, "--mail-dir", &mail_dir, "migrate"])
        .map_err(|e| e.to_string())?;
    let mut cli_config = cli.config;
    cli_config.secret_key = Some("loadgen-secret-key-loadgen-secret-key-0123".into());
    let config = assay::config::Config::from_args(&cli_config).map_err(|e| e.to_string())?;
    let state = assay::server::open_state(config).map_err(|e| e.to_string())?;
    let hash = assay::accounts::password::hash_now(PASSWORD).map_err(|e| e.to_string())?;
    let now = state.clock.now();
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    let emails: Vec<String> = (0..args.candidates).map(|i| candidate_email(run, i)).collect();
    conn.transaction::<_, assay::error::AppError, _>(|conn| {
        let admin = NewAccount::parse(ADMIN_EMAIL, "Load Generator", PASSWORD)?;
        create_user(conn, &admin, &hash, Role::Admin, None, now)?;
        let profile = profile();
        for (i, email) in emails.iter().enumerate() {
            let account = NewAccount::parse(email, &format!("Candidate {i}"), PASSWORD)?;
            let user = create_user(conn, &account, &hash, Role::Candidate, None, now)?;
            put_profile(conn, user.id, &profile, now)?;
        }
        Ok(())
    })
    .map_err(|e| format!("seeding: {e}"))?;
    Ok(emails)
}

pub fn admin_credentials(args: &Args) -> Result<(String, String), String> {
    let email = args
        .admin_email
        .clone()
        .ok_or("--url needs --admin-email (an administrator's account)")?;
    let password = std::env::var("LOADGEN_ADMIN_PASSWORD")
        .map_err(|_| "--url needs the administrator's password in LOADGEN_ADMIN_PASSWORD")?;
    Ok((email, password))
}

/// Runs `f(0..n)` with at most `limit` in flight; results in order, with
/// each one's latency.
/// How long one request took, and what it gave.
type Timed<T> = (Duration, Result<T, Failure>);

async fn bounded<T, F, Fut>(n: usize, limit: usize, f: F) -> Vec<Timed<T>>
where
    T: 'static,
    F: Fn(usize) -> Fut + 'static,
    Fut: Future<Output = Result<T, Failure>> + 'static,
{
    let next = Rc::new(Cell::new(0usize));
    let results: Rc<RefCell<Vec<Option<Timed<T>>>>> = Rc::new(RefCell::new((0..n).map(|_| None).collect()));
    let f = Rc::new(f);
    let workers: Vec<_> = (0..limit.clamp(1, n.max(1)))
        .map(|_| {
            let (next, results, f) = (next.clone(), results.clone(), f.clone());
            actix_web::rt::spawn(async move {
                loop {
                    let i = next.get();
                    if i >= n {
                        break;
                    }
                    next.set(i + 1);
                    let t = Instant::now();
                    let r = f(i).await;
                    results.borrow_mut()[i] = Some((t.elapsed(), r));
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    let out = results.take();
    out.into_iter().flatten().collect()
}

fn fail_if_any(what: &str, errors: &Errors) -> Result<(), String> {
    if errors.total() == 0 {
        Ok(())
    } else {
        Err(format!("{what}: {} failed{}", errors.total(), errors.describe()))
    }
}

/// With `--url`: registers the candidates over HTTP (one argon2 hash each).
pub async fn register_over_http(api: &Api, args: &Args) -> Result<Vec<String>, String> {
    let run = assay::tokens::random_token()[..8].to_string();
    let emails: Rc<Vec<String>> = Rc::new((0..args.candidates).map(|i| candidate_email(&run, i)).collect());
    let started = Instant::now();
    let api2 = api.clone();
    let list = emails.clone();
    let results = bounded(args.candidates, args.signin_concurrency, move |i| {
        let api = api2.clone();
        let email = list[i].clone();
        async move {
            let mut body = serde_json::to_value(profile_json()).unwrap_or_default();
            body["email"] = json!(email);
            body["password"] = json!(PASSWORD);
            body["full_name"] = json!(format!("Candidate {i}"));
            api.set_up("POST", "/api/v1/candidates", None, Some(body), StatusCode::CREATED)
                .await
        }
    })
    .await;
    let mut errors = Errors::default();
    for (_, r) in results {
        if let Err(e) = r {
            errors.add(e);
        }
    }
    fail_if_any("registration", &errors)?;
    println!(
        "seed: {} candidates registered over HTTP ({} at a time, one argon2 hash each) in {:.2} s",
        emails.len(),
        args.signin_concurrency,
        started.elapsed().as_secs_f64()
    );
    Ok(emails.to_vec())
}

fn profile_json() -> serde_json::Value {
    json!({"degree": "B.Com", "score_percent": 75.0, "domain": "finance"})
}

/// A trainer's bank, an aptitude test drawing `--questions` from it, and a
/// drive for finance graduates with at least 60% that uses the test.
pub async fn test_fixture(api: &Api, admin: &str, args: &Args) -> Result<Fixture, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BANK);
    let toml = std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let report = api
        .import_bank(admin, toml)
        .await
        .map_err(|e| format!("bank import: {e}"))?;
    let bank_id = report["bank_id"].as_i64().ok_or("bank import returned no bank_id")?;
    let bank_questions = ["created", "updated", "unchanged"]
        .iter()
        .filter_map(|k| report[k].as_u64())
        .sum();
    let blueprint = json!({
        "title": format!("Load test {}", &assay::tokens::random_token()[..6]),
        "kind": "aptitude", "time_limit_minutes": 180, "pass_percent": 50.0,
        "shuffle_questions": true, "shuffle_options": true,
        "sections": [{"name": "Quantitative", "bank_id": bank_id, "count": args.questions}]
    });
    let created = api
        .expect(
            "POST",
            "/api/v1/assessments",
            Some(admin),
            Some(blueprint),
            StatusCode::CREATED,
        )
        .await
        .map_err(|e| format!("assessment: {e}"))?;
    let assessment_id = created["id"].as_i64().ok_or("assessment without id")?;
    let drive = json!({"name": "Load test drive", "assessment_id": assessment_id,
                       "eligibility": {"min_score_percent": 60.0, "domains": ["finance"]}});
    let created = api
        .expect("POST", "/api/v1/drives", Some(admin), Some(drive), StatusCode::CREATED)
        .await
        .map_err(|e| format!("drive: {e}"))?;
    let drive_id = created["id"].as_i64().ok_or("drive without id")?;
    Ok(Fixture {
        bank_id,
        bank_questions,
        assessment_id,
        drive_id,
    })
}

/// Signs every candidate in, `limit` at a time, candidate i on server
/// i mod n; returns tokens in order.
pub async fn sign_in_all(apis: &[Api], emails: &[String], limit: usize) -> Result<(Vec<String>, Latencies), String> {
    let emails: Rc<Vec<String>> = Rc::new(emails.to_vec());
    let apis = apis.to_vec();
    let results = bounded(emails.len(), limit, move |i| {
        let (api, email) = (apis[i % apis.len()].clone(), emails[i].clone());
        async move { api.sign_in(&email, PASSWORD).await }
    })
    .await;
    let (mut tokens, mut lat, mut errors) = (Vec::new(), Latencies::default(), Errors::default());
    for (took, r) in results {
        lat.push(took);
        match r {
            Ok(t) => tokens.push(t),
            Err(e) => errors.add(e),
        }
    }
    fail_if_any("sign-in", &errors)?;
    Ok((tokens, lat))
}

/// Every candidate applies to the drive, so each may take its test;
/// candidate i on server i mod n.
pub async fn apply_all(apis: &[Api], tokens: &[String], drive_id: i64, limit: usize) -> Result<(), String> {
    let tokens: Rc<Vec<String>> = Rc::new(tokens.to_vec());
    let apis = apis.to_vec();
    let results = bounded(tokens.len(), limit, move |i| {
        let (api, token) = (apis[i % apis.len()].clone(), tokens[i].clone());
        async move {
            let path = format!("/api/v1/drives/{drive_id}/applications");
            let applied = api
                .set_up("POST", &path, Some(&token), Some(json!({})), StatusCode::CREATED)
                .await?;
            match applied["eligible"].as_bool() {
                Some(true) => Ok(()),
                _ => Err(Failure {
                    status: 201,
                    message: format!("not eligible: {applied}"),
                }),
            }
        }
    })
    .await;
    let mut errors = Errors::default();
    for (_, r) in results {
        if let Err(e) = r {
            errors.add(e);
        }
    }
    fail_if_any("apply", &errors)
}
