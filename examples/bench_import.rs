//! Generates a GIFT file of N questions (100,000 by default) of every GIFT
//! type and imports it into a fresh SQLite database, the way `assay bank
//! import` does, printing the time taken.
//!
//!     cargo run --release --example bench_import [questions]

// Not production code: a benchmark fails loudly by design, and its casts are of counts for printing.
#![allow(clippy::expect_used, clippy::as_conversions)]

use std::fmt::Write;
use std::time::Instant;

use assay::banks::service::{self, ImportRequest};
use assay::config::{Config, ConfigArgs};

fn gift(n: usize) -> String {
    let mut out = String::with_capacity(n * 120);
    for i in 0..n {
        if i % 1000 == 0 {
            let _ = writeln!(out, "$CATEGORY: $course$/Aptitude/Generated/Block {}\n", i / 1000);
        }
        let _ = match i % 5 {
            0 => writeln!(out, "::q{i}:: A premium rises by {i} rupees. Which is right? {{=Option A {i} ~Option B ~Option C ~Option D}}\n"),
            1 => writeln!(out, "::q{i}:: Statement {i} is true. {{T}}\n"),
            2 => writeln!(out, "::q{i}:: What is {i} plus 25? {{#{}:0.5}}\n", i + 25),
            3 => writeln!(out, "::q{i}:: Name the ratio number {i}. {{=loss ratio =claims ratio}}\n"),
            _ => writeln!(out, "::q{i}:: Pick the two right ones for {i}. {{~%50%right one ~%50%right two ~%-50%wrong ~%-50%also wrong}}\n"),
        };
    }
    out
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("assay-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("bench.db");
    let text = gift(n);
    println!(
        "generated {n} GIFT questions ({:.1} MiB)",
        text.len() as f64 / 1048576.0
    );

    let args = ConfigArgs {
        database_url: format!("sqlite://{}", db.display()),
        smtp_url: None,
        mail_from: "bench@assay.example".into(),
        mail_reply_to: "Bench recruitment <hiring@assay.example>".into(),
        mail_dir: dir.join("outbox"),
        base_url: Some("http://127.0.0.1:8080".into()),
        secret_key: Some("bench-secret-key-bench-secret-key-0123".into()),
        firm_name: "Bench".into(),
        max_body_bytes: 1 << 20,
        max_upload_bytes: 256 << 20,
        session_hours: 1,
        pool_size: 2,
        review_band_points: 3.0,
        trust_proxy: false,
        sign_in_failures_per_address: 30,
        flag_min_responses: 30,

        webhooks_allow_private: false,
        firm_timezone: "UTC".into(),
    };
    let state = assay::server::open_state(Config::from_args(&args).expect("config")).expect("state");
    let req = ImportRequest {
        file_name: "bench.gift".into(),
        ..ImportRequest::default()
    };

    let started = Instant::now();
    let file = service::read_file(text.as_bytes(), &req).expect("the generated file reads clean");
    let parsed = started.elapsed();
    let mut conn = state.pool.get().expect("connection");
    let report = service::import(&mut conn, &file, &req, &text, None, state.clock.now(), &|_| {}).expect("import");
    let total = started.elapsed();
    assert_eq!(report.created, n);
    println!(
        "bank import: {n} GIFT questions into SQLite in {:.2} s (parse {:.2} s, write {:.2} s)",
        total.as_secs_f64(),
        parsed.as_secs_f64(),
        (total - parsed).as_secs_f64()
    );
    drop(conn);
    let _ = std::fs::remove_dir_all(&dir);
}
