//! Seeds one drive with N graded applications (1,000,000 by default) on
//! SQLite, then measures over HTTP, in release mode: the first rankings page,
//! page 1,000, a filtered page, and the full CSV export with the server's
//! peak memory.
//!
//!     cargo run --release --example bench_rankings [applications]

// Not production code: a benchmark fails loudly by design, and its casts are of counts for printing.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::as_conversions)]

use std::time::{Duration, Instant};

use assay::config::{Config, ConfigArgs};
use assay::db::schema::{application_sections, applications, candidate_profiles, drive_score_counts, users};
use assay::db::Role;
use assay::db::{ApplicationId, DbConn};
use assay::drives::rankings::sort_key;
use diesel::prelude::*;
use futures_util::StreamExt;

const BATCH: usize = 2_000;
const DOMAINS: [&str; 4] = ["finance", "law", "engineering", "analytics"];

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A cheap deterministic generator, so every run seeds the same drive.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn seed(conn: &mut DbConn, drive_id: i32, n: usize) {
    let DbConn::Sqlite(c) = conn else {
        panic!("the benchmark seeds SQLite")
    };
    let base = chrono::DateTime::from_timestamp(1_790_000_000, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default();
    let first_user: i32 = users::table
        .select(diesel::dsl::max(users::id))
        .first::<Option<i32>>(c)
        .ok()
        .flatten()
        .unwrap_or(0)
        + 1;
    let mut rng = Lcg(42);
    let mut counts: std::collections::BTreeMap<(i64, i64), i32> = Default::default();
    let started = Instant::now();
    for chunk_start in (0..n).step_by(BATCH) {
        let len = BATCH.min(n - chunk_start);
        c.transaction::<_, diesel::result::Error, _>(|c| {
            let mut user_rows = Vec::with_capacity(len);
            let mut profile_rows = Vec::with_capacity(len);
            let mut app_rows = Vec::with_capacity(len);
            let mut section_rows = Vec::with_capacity(len * 2);
            for i in chunk_start..chunk_start + len {
                let user_id = first_user + i as i32;
                let app_id = ApplicationId(i as i32 + 1);
                let quant = (rng.next() % 21) as f64 * 5.0;
                let verbal = (rng.next() % 21) as f64 * 5.0;
                let percent = (quant + verbal) / 2.0;
                let tie = quant / 5.0;
                let at = base + chrono::Duration::seconds(i as i64);
                *counts.entry(((percent * 1e6) as i64, (tie * 1e6) as i64)).or_default() += 1;
                user_rows.push((
                    users::id.eq(user_id),
                    users::email.eq(format!("c{i}@bench.example")),
                    users::full_name.eq(format!("Candidate {i}")),
                    users::role.eq("candidate"),
                    users::password_hash.eq("!"),
                    users::active.eq(true),
                    users::accommodation_factor.eq(1.0),
                    users::created_at.eq(at),
                ));
                profile_rows.push((
                    candidate_profiles::user_id.eq(user_id),
                    candidate_profiles::domain.eq(DOMAINS[i % 4]),
                    candidate_profiles::degree.eq("B.Com"),
                    candidate_profiles::score_percent.eq(70.0),
                    candidate_profiles::updated_at.eq(at),
                ));
                app_rows.push((
                    applications::id.eq(app_id),
                    applications::drive_id.eq(drive_id),
                    applications::candidate_id.eq(user_id),
                    applications::status.eq("tested"),
                    applications::eligible.eq(true),
                    applications::reason.eq("You meet this drive's academic guidelines."),
                    applications::percent.eq(percent),
                    applications::tie_break.eq(tie),
                    applications::submitted_at.eq(at),
                    applications::created_at.eq(at),
                    applications::updated_at.eq(at),
                    applications::sort_key.eq(sort_key(percent, tie, at, app_id)),
                ));
                for (section, p) in [("Quant", quant), ("Verbal", verbal)] {
                    section_rows.push((
                        application_sections::application_id.eq(app_id),
                        application_sections::drive_id.eq(drive_id),
                        application_sections::section.eq(section),
                        application_sections::percent.eq(p),
                    ));
                }
            }
            diesel::insert_into(users::table).values(&user_rows).execute(c)?;
            diesel::insert_into(candidate_profiles::table)
                .values(&profile_rows)
                .execute(c)?;
            diesel::insert_into(applications::table).values(&app_rows).execute(c)?;
            for part in section_rows.chunks(BATCH) {
                diesel::insert_into(application_sections::table)
                    .values(part)
                    .execute(c)?;
            }
            Ok(())
        })
        .expect("seed batch");
    }
    let count_rows: Vec<_> = counts
        .iter()
        .map(|((p, t), n)| {
            (
                drive_score_counts::drive_id.eq(drive_id),
                drive_score_counts::percent.eq(*p as f64 / 1e6),
                drive_score_counts::tie_break.eq(*t as f64 / 1e6),
                drive_score_counts::n.eq(*n),
            )
        })
        .collect();
    diesel::insert_into(drive_score_counts::table)
        .values(&count_rows)
        .execute(c)
        .expect("counts");
    diesel::sql_query("ANALYZE").execute(c).expect("analyze");
    println!(
        "seeded {n} graded applications in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

#[actix_web::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("assay-bench-rankings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let args = ConfigArgs {
        database_url: format!("sqlite://{}", dir.join("bench.db").display()),
        smtp_url: None,
        mail_from: "bench@assay.example".into(),
        mail_reply_to: "Bench recruitment <hiring@assay.example>".into(),
        mail_dir: dir.join("outbox"),
        base_url: Some("http://127.0.0.1:8080".into()),
        secret_key: Some("bench-secret-key-bench-secret-key-0123".into()),
        firm_name: "Bench".into(),
        max_body_bytes: 1 << 20,
        max_upload_bytes: 16 << 20,
        session_hours: 1,
        pool_size: 4,
        review_band_points: 3.0,
        trust_proxy: false,
        sign_in_failures_per_address: 30,
        flag_min_responses: 30,

        webhooks_allow_private: false,
        firm_timezone: "UTC".into(),
    };
    let state = assay::server::open_state(Config::from_args(&args).expect("config")).expect("state");

    // A real drive: a bank, an aptitude test with two sections, a recruiter.
    let recruiter = assay::accounts::service::NewAccount::parse("r@bench.example", "Recruiter", "bench-password-1")
        .expect("account");
    assay::accounts::flows::add_staff(&state, recruiter, Role::Recruiter, None)
        .await
        .expect("recruiter");
    let bank = std::fs::read("question_banks/quantitative_aptitude.toml").expect("run from the repository root");
    let mut conn = state.pool.get().expect("conn");
    let req = assay::banks::service::ImportRequest {
        file_name: "quant.toml".into(),
        ..Default::default()
    };
    let file = assay::banks::service::read_file(&bank, &req).expect("bank");
    let report =
        assay::banks::service::import(&mut conn, &file, &req, "", None, state.clock.now(), &|_| {}).expect("import");
    let bank_id = report.bank_id.expect("bank id");
    let blueprint: assay::assessments::blueprint::Blueprint = serde_json::from_value(serde_json::json!({
        "title": "Bench test", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
        "sections": [{"name": "Quant", "bank_id": bank_id, "count": 5}, {"name": "Verbal", "bank_id": bank_id, "count": 5}]
    }))
    .expect("blueprint");
    let assessment_id =
        assay::assessments::service::create(&mut conn, &blueprint, assay::db::UserId(1), state.clock.now())
            .expect("assessment");
    let drive: assay::drives::service::NewDrive = serde_json::from_value(serde_json::json!({
        "name": "Bench drive", "assessment_id": assessment_id, "tie_break_sections": ["Quant"]
    }))
    .expect("drive");
    let drive_id = assay::drives::service::create(&mut conn, &drive, assay::db::UserId(1), state.clock.now())
        .expect("drive")
        .0;
    seed(&mut conn, drive_id, n);
    let page_1000_after: i32 = applications::table
        .filter(applications::drive_id.eq(drive_id))
        .order(applications::sort_key.asc())
        .offset(999 * 50 - 1)
        .select(applications::id)
        .first(&mut *conn)
        .expect("page 1,000 cursor");
    drop(conn);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let server = assay::server::start(listener, state.clone(), 2).expect("server");
    actix_web::rt::spawn(server);
    let client = awc::Client::builder().timeout(Duration::from_secs(300)).finish();
    let mut res = client
        .post(format!("{base}/api/v1/session"))
        .send_json(&serde_json::json!({"email": "r@bench.example", "password": "bench-password-1"}))
        .await
        .expect("sign in");
    let token = res.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();

    let time_page = |label: &'static str, query: String| {
        let client = client.clone();
        let token = token.clone();
        let url = format!("{base}/api/v1/drives/{drive_id}/rankings?{query}");
        async move {
            let mut times = Vec::new();
            let mut rows = 0;
            for _ in 0..21 {
                let started = Instant::now();
                let mut res = client.get(&url).bearer_auth(&token).send().await.expect("page");
                let body: Vec<serde_json::Value> = res.json().limit(64 << 20).await.expect("rows");
                times.push(started.elapsed());
                rows = body.len();
            }
            println!(
                "{label}: median {:.1} ms ({rows} rows, 21 runs)",
                median(times).as_secs_f64() * 1000.0
            );
        }
    };
    time_page("rankings page 1", "limit=50".into()).await;
    time_page("rankings page 1,000", format!("limit=50&after={page_1000_after}")).await;
    time_page(
        "filtered page (domain=law, min_percent=60, status=tested)",
        "limit=50&domain=law&min_percent=60&status=tested".into(),
    )
    .await;
    time_page("section-sorted page 1 (Verbal)", "limit=50&sort=section:Verbal".into()).await;

    // Reset the peak so it measures the export alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = rss_kib("VmRSS:");
    let started = Instant::now();
    let mut res = client
        .get(format!("{base}/api/v1/drives/{drive_id}/rankings.csv"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("csv");
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = res.next().await {
        let chunk = chunk.expect("chunk");
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    println!(
        "CSV export: {} rows, {:.1} MiB in {:.1} s; server RSS {} MiB before, peak {} MiB",
        lines.saturating_sub(1),
        bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64(),
        before / 1024,
        rss_kib("VmHWM:") / 1024
    );
    let _ = std::fs::remove_dir_all(&dir);
}
