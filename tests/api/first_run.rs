//! The first run works anywhere: `assay serve --demo` from a folder without
//! the repository imports the banks built into the binary, seeds a drive
//! and a cohort, prints what it did and where email links point (the
//! address actually bound); and the seeded data fills the pages.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assay::db::Role;
use awc::http::StatusCode;

use crate::helpers::{signed_in, spawn_app, PASSWORD};

/// Kills the server when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[actix_web::test]
async fn serve_demo_from_an_empty_folder_seeds_the_demo_and_links_point_to_the_bound_address() {
    let dir = std::env::temp_dir().join(format!("assay-first-run-{}", &assay::tokens::random_token()[..10]));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("BASE_URL")
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("demo.db").display()))
        .env("MAIL_DIR", dir.join("outbox"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start assay");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let started = Instant::now();
    let mut printed = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.starts_with("Assay is running at");
        printed.push(line);
        if done || started.elapsed() > Duration::from_secs(120) {
            break;
        }
    }
    let text = printed.join("\n");
    assert!(text.contains("Imported 8 shipped question banks"), "{text}");
    assert!(
        text.contains("Seeded the drive") && text.contains("7 of them tested"),
        "{text}"
    );
    assert!(
        text.contains("recruiter@demo.assay.example"),
        "the passwords are printed:\n{text}"
    );
    let running_line = printed.last().expect("a line");
    let address = running_line
        .strip_prefix("Assay is running at ")
        .and_then(|r| r.split('/').nth(2))
        .unwrap_or_else(|| panic!("no address in {running_line}"));
    assert!(
        running_line.contains(&format!("email links point to http://{address}/")),
        "BASE_URL defaults to the address bound: {running_line}"
    );
    let health = awc::Client::default()
        .get(format!("http://{address}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn the_demo_seed_gives_every_role_pages_with_something_to_show() {
    let app = spawn_app().await;
    let ids = {
        let mut ids = Vec::new();
        for (email, role) in [
            ("recruiter@example.com", Role::Recruiter),
            ("trainer@example.com", Role::Trainer),
            ("admin@example.com", Role::Admin),
        ] {
            ids.push(app.staff(email, role).await.0);
        }
        ids
    };
    let state = app.state.clone();
    let seeded = actix_web::web::block(move || {
        assay::banks::cli::import_shipped(&state).expect("banks");
        let staff = assay::demo::Staff {
            recruiter: assay::db::UserId(ids[0]),
            trainer: assay::db::UserId(ids[1]),
            admin: assay::db::UserId(ids[2]),
        };
        let hash = assay::accounts::password::hash_now(PASSWORD).expect("hash");
        let first = assay::demo::seed_drive_and_cohort(&state, &staff, &hash).expect("seed");
        let again = assay::demo::seed_drive_and_cohort(&state, &staff, &hash).expect("seed again");
        (first.is_some(), again.is_none())
    })
    .await
    .expect("block");
    assert_eq!(seeded, (true, true), "seeded once; a second start leaves it alone");

    let mut recruiter = signed_in(&app, "recruiter@example.com").await;
    let drives = recruiter.get("/drives").await;
    assert!(drives.body.contains(assay::demo::DRIVE_NAME), "{}", drives.body);
    let mut trainer = signed_in(&app, "trainer@example.com").await;
    let cohorts = trainer.get("/cohorts").await;
    assert!(cohorts.body.contains("Analysts, spring intake"), "{}", cohorts.body);
    let banks = trainer.get("/banks").await;
    assert!(banks.body.contains("Quantitative aptitude"), "{}", banks.body);
    let mut admin = signed_in(&app, "admin@example.com").await;
    let processes = admin.get("/processes").await;
    assert!(processes.body.contains("Equity research support"), "{}", processes.body);
    let mut aarav = signed_in(&app, "aarav.sharma@demo.assay.example").await;
    let training = aarav.get("/training").await;
    assert!(
        training.body.contains("Analyst post-training exam"),
        "{}",
        training.body
    );
    assert!(
        training.body.contains("See the result"),
        "the trainee has taken the exam: {}",
        training.body
    );
}
