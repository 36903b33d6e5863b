//! Who sends: several servers on one outbox, a sender that dies, the worker
//! inside `assay serve`, and `assay notices send`.

use std::process::Command;

use assay::db::Backend;
use assay::notices::outbox::{claim_due, drain_once, record_try, spawn_worker, DrainSummary, Outcome};
use assay::server;
use chrono::Duration;
use diesel::RunQueryDsl;

use super::sink::{free_port, smtp_url, SmtpSink};
use super::{notice, queue_welcome, queue_welcome_in, tries};
use crate::helpers::{spawn_app, spawn_app_with, test_config};

#[actix_web::test]
async fn two_workers_draining_one_outbox_send_each_notice_once() {
    let sink = SmtpSink::start(free_port());
    let app = spawn_app_with(|c| c.smtp_url = Some(sink.url())).await;
    let count = 40;
    let ids: Vec<_> = (0..count)
        .map(|i| queue_welcome(&app, &format!("person{i}@example.com"), "Person"))
        .collect();
    // A second server: its own pool and mailer on the same database.
    let mut other = server::open_state((*app.state.config).clone()).expect("a second server");
    other.clock = app.state.clock.clone();

    let (here, there) = (app.outbox(), server::workers::outbox(&other));
    let (a, b) = tokio::join!(drain_once(&here), drain_once(&there));
    let (a, b) = (a.expect("first worker"), b.expect("second worker"));
    assert_eq!(a.sent + b.sent, count, "{a:?} {b:?}");
    assert_eq!(a.retrying + b.retrying + a.failed + b.failed, 0);

    let received = sink.received();
    let mut recipients: Vec<String> = received.iter().flat_map(|m| m.rcpt_tos.clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(received.len(), count, "each notice sent once");
    assert_eq!(recipients.len(), count);
    for id in ids {
        assert_eq!(notice(&app, id).tries, 1);
        assert_eq!(tries(&app, id).len(), 1);
    }
}

#[actix_web::test]
async fn a_sender_skips_notices_another_sender_holds_instead_of_waiting_for_them() {
    let app = spawn_app().await;
    if app.state.config.database_url.backend != Backend::Postgres {
        // SQLite has a single writer: there is no row lock to skip.
        return;
    }
    let ids: Vec<_> = (0..5)
        .map(|i| queue_welcome(&app, &format!("held{i}@example.com"), "Held"))
        .collect();
    let mut holder = app.state.pool.get().expect("conn");
    diesel::sql_query("BEGIN").execute(&mut *holder).expect("begin");
    diesel::sql_query(format!(
        "SELECT id FROM notices WHERE id IN ({}, {}) FOR UPDATE",
        ids[0], ids[1]
    ))
    .execute(&mut *holder)
    .expect("hold two notices");

    let drained = tokio::time::timeout(std::time::Duration::from_secs(30), drain_once(&app.outbox()))
        .await
        .expect("the sender does not wait for rows another sender holds")
        .expect("drain");
    assert_eq!(drained.sent, 3);
    assert_eq!(notice(&app, ids[0]).status.as_str(), "queued");
    assert_eq!(notice(&app, ids[1]).status.as_str(), "queued");

    diesel::sql_query("ROLLBACK").execute(&mut *holder).expect("rollback");
    drop(holder);
    assert_eq!(drain_once(&app.outbox()).await.expect("drain").sent, 2);
    let _ = std::fs::remove_dir_all(&app.state.config.mail_dir);
}

#[actix_web::test]
async fn a_notice_claimed_by_a_sender_that_died_is_sent_once_its_lease_lapses() {
    let app = spawn_app().await;
    let id = queue_welcome(&app, "lease@example.com", "Lee Su");
    let claims = {
        let mut conn = app.state.pool.get().expect("conn");
        claim_due(&mut conn, app.state.clock.now(), 10).expect("claim")
    };
    assert_eq!(claims.len(), 1);
    assert_eq!(notice(&app, id).status.as_str(), "sending");

    assert!(
        drain_once(&app.outbox()).await.expect("drain").is_empty(),
        "the claim holds"
    );
    app.state.clock.advance(Duration::minutes(11));
    let summary = drain_once(&app.outbox()).await.expect("drain after the lease");
    assert_eq!(
        summary,
        DrainSummary {
            sent: 1,
            failed: 0,
            retrying: 0
        }
    );
    assert!(app.state.config.mail_dir.join(format!("notice-{id}.eml")).is_file());

    // The dead sender wakes up late: its try is recorded, the notice is not
    // touched.
    let mut conn = app.state.pool.get().expect("conn");
    let late = record_try(&mut conn, &claims[0], Ok(()), app.state.clock.now()).expect("record");
    assert_eq!(late, Outcome::LeaseLost);
    let n = notice(&app, id);
    assert_eq!((n.status.as_str(), n.tries), ("sent", 1));
    let _ = std::fs::remove_dir_all(&app.state.config.mail_dir);
}

#[actix_web::test]
async fn the_worker_in_serve_sends_due_notices_without_being_asked() {
    let app = spawn_app().await;
    let id = queue_welcome(&app, "worker@example.com", "Wen Li");
    let worker = spawn_worker(app.outbox());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while notice(&app, id).status.as_str() != "sent" {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not send the notice"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert!(app.state.config.mail_dir.join(format!("notice-{id}.eml")).is_file());
    let _ = std::fs::remove_dir_all(&app.state.config.mail_dir);
}

#[actix_web::test]
async fn assay_notices_send_drains_the_outbox_once_and_fails_only_on_infrastructure_errors() {
    // Its own SQLite database, so the command can reach it on either test backend.
    let dir = std::env::temp_dir().join(format!("assay-cli-{}", &assay::tokens::random_token()[..12]));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = format!("sqlite://{}", dir.join("assay.db").display());
    let mail_dir = dir.join("outbox");
    let state = server::open_state(test_config(&db, mail_dir.clone())).expect("state");
    let sent = queue_welcome_in(&state, "cli@example.com", "Cleo");
    let run = |smtp_url: Option<String>, database_url: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_assay"));
        command
            .args(["notices", "send"])
            .env("DATABASE_URL", database_url)
            .env("MAIL_DIR", &mail_dir)
            .env("SECRET_KEY", "cli-test-secret-key-cli-test-secret-key")
            .env_remove("SMTP_URL");
        if let Some(url) = smtp_url {
            command.env("SMTP_URL", url);
        }
        command.output().expect("run assay")
    };

    let first = run(None, &db);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("1 sent, 0 to be retried, 0 failed"), "{stdout}");
    assert!(mail_dir.join(format!("notice-{sent}.eml")).is_file());

    let again = run(None, &db);
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 sent"),
        "nothing is sent twice"
    );

    // A send that fails is a recorded try, not a failed command.
    let retry = queue_welcome_in(&state, "later@example.com", "Lat");
    let down = run(Some(smtp_url(free_port())), &db);
    let stdout = String::from_utf8_lossy(&down.stdout);
    assert!(down.status.success(), "{stdout}");
    assert!(stdout.contains("0 sent, 1 to be retried"), "{stdout}");
    let mut conn = state.pool.get().expect("conn");
    let row = assay::notices::store::find(&mut conn, retry).expect("notice");
    assert_eq!((row.status.as_str(), row.tries), ("queued", 1));

    let broken = run(None, "mysql://nowhere/assay");
    assert!(!broken.status.success(), "a database it cannot use is an error");
    assert!(String::from_utf8_lossy(&broken.stderr).contains("DATABASE_URL"));
    drop(conn);
    drop(state);
    let _ = std::fs::remove_dir_all(&dir);
}
