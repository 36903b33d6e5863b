//! What reaches the recipient: over SMTP, into .eml files, after the server
//! was down, and never with a smuggled header.

use assay::db::schema::notices;
use assay::notices::outbox::{backoff_after, drain_once, DrainSummary, MAX_TRIES};
use assay::notices::templates::Rendered;
use assay::notices::Recipient;
use chrono::Duration;
use diesel::prelude::*;
use mail_parser::MimeHeaders;

use super::sink::{free_port, header_lines, smtp_url, SmtpSink};
use super::{notice, part_text, queue_welcome, tries};
use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn a_queued_notice_arrives_over_smtp_with_its_recipient_subject_and_both_parts() {
    let sink = SmtpSink::start(free_port());
    let app = spawn_app_with(|c| c.smtp_url = Some(sink.url())).await;
    let id = queue_welcome(&app, "asha@example.com", "Asha Rao");

    let summary = drain_once(&app.outbox()).await.expect("drain");
    assert_eq!(
        summary,
        DrainSummary {
            sent: 1,
            failed: 0,
            retrying: 0
        }
    );

    let received = sink.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.rcpt_tos, vec!["asha@example.com"]);
    assert_eq!(mail.mail_from, "assay@test.example");
    let parsed = mail.parsed();
    assert_eq!(parsed.subject(), Some("Welcome to Test Firm"));
    let to = parsed.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("asha@example.com"));
    assert_eq!(to.name(), Some("Asha Rao"));
    let from = parsed.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.address(), Some("assay@test.example"));
    assert!(parsed
        .message_id()
        .is_some_and(|m| m.contains(&format!("notice.{id}."))));
    let content_type = parsed.content_type().expect("Content-Type");
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("multipart", Some("alternative"))
    );

    let stored = notice(&app, id);
    let text = part_text(&parsed, "plain").expect("a text/plain part");
    let html = part_text(&parsed, "html").expect("a text/html part");
    let lines = |s: &str| s.replace("\r\n", "\n").trim_end().to_string();
    assert_eq!(lines(&text), lines(&stored.body_text));
    assert_eq!(lines(&html), lines(&stored.body_html));
    assert!(text.contains("Asha Rao") && html.contains("Asha Rao"));
    assert!(html.contains("http://assay.test"), "links use BASE_URL: {html}");

    assert_eq!(stored.status.as_str(), "sent");
    assert_eq!(stored.tries, 1);
    assert!(stored.sent_at.is_some());
    let tried = tries(&app, id);
    assert_eq!(tried.len(), 1);
    assert!(tried[0].succeeded);
}

#[actix_web::test]
async fn with_the_smtp_server_down_notices_stay_queued_and_each_arrives_once_when_it_is_back() {
    let port = free_port();
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp_url(port))).await;
    let emails = ["one@example.com", "two@example.com", "three@example.com"];
    let ids: Vec<_> = emails.iter().map(|e| queue_welcome(&app, e, "Someone")).collect();

    let down = drain_once(&app.outbox()).await.expect("drain while down");
    assert_eq!(
        down,
        DrainSummary {
            sent: 0,
            failed: 0,
            retrying: 3
        }
    );
    for id in &ids {
        let n = notice(&app, *id);
        assert_eq!(n.status.as_str(), "queued");
        assert_eq!(n.tries, 1);
        let error = n.last_error.expect("the error is recorded");
        assert!(error.contains("SMTP"), "{error}");
        assert!(n.next_try_at > app.state.clock.now());
        let tried = tries(&app, *id);
        assert_eq!(tried.len(), 1);
        assert!(!tried[0].succeeded && tried[0].error.is_some());
    }

    let sink = SmtpSink::start(port);
    let early = drain_once(&app.outbox()).await.expect("drain before the backoff");
    assert!(early.is_empty(), "nothing is due before the backoff: {early:?}");
    assert!(sink.received().is_empty());

    app.state.clock.advance(Duration::seconds(61));
    let back = drain_once(&app.outbox()).await.expect("drain when back");
    assert_eq!(
        back,
        DrainSummary {
            sent: 3,
            failed: 0,
            retrying: 0
        }
    );
    app.state.clock.advance(Duration::days(1));
    assert!(drain_once(&app.outbox()).await.expect("drain again").is_empty());

    let mut recipients: Vec<String> = sink.received().iter().flat_map(|m| m.rcpt_tos.clone()).collect();
    recipients.sort();
    let mut expected: Vec<String> = emails.iter().map(|e| e.to_string()).collect();
    expected.sort();
    assert_eq!(recipients, expected, "every notice arrives exactly once");
    for id in &ids {
        let n = notice(&app, *id);
        assert_eq!((n.status.as_str(), n.tries), ("sent", 2));
        assert_eq!(n.last_error, None);
        assert_eq!(tries(&app, *id).len(), 2);
    }
}

#[actix_web::test]
async fn a_notice_the_server_keeps_refusing_is_retried_on_the_backoff_schedule_then_ends_failed() {
    let sink = SmtpSink::rejecting(free_port(), "451 4.3.0 Mailbox busy, try later");
    let app = spawn_app_with(|c| c.smtp_url = Some(sink.url())).await;
    let id = queue_welcome(&app, "busy@example.com", "Busy Person");
    let schedule = [1, 5, 30, 120, 360].map(Duration::minutes);
    assert_eq!(MAX_TRIES as usize, schedule.len() + 1);

    for (i, delay) in schedule.iter().enumerate() {
        let try_no = i as i32 + 1;
        let summary = drain_once(&app.outbox()).await.expect("drain");
        assert_eq!(
            summary,
            DrainSummary {
                sent: 0,
                failed: 0,
                retrying: 1
            },
            "try {try_no}"
        );
        let n = notice(&app, id);
        assert_eq!((n.status.as_str(), n.tries), ("queued", try_no));
        assert!(
            n.last_error.as_deref().is_some_and(|e| e.contains("451")),
            "{:?}",
            n.last_error
        );
        let last_try = tries(&app, id).last().expect("a try").tried_at;
        let waited = n.next_try_at - last_try;
        assert!(
            (waited - *delay).num_milliseconds().abs() <= 1,
            "after try {try_no}: {waited}"
        );
        assert_eq!(backoff_after(try_no), Some(*delay));

        assert!(
            drain_once(&app.outbox()).await.expect("drain").is_empty(),
            "not due yet"
        );
        app.state.clock.advance(*delay + Duration::seconds(1));
    }

    let last = drain_once(&app.outbox()).await.expect("last try");
    assert_eq!(
        last,
        DrainSummary {
            sent: 0,
            failed: 1,
            retrying: 0
        }
    );
    let n = notice(&app, id);
    assert_eq!((n.status.as_str(), n.tries), ("failed", MAX_TRIES));
    assert!(
        n.last_error.as_deref().is_some_and(|e| e.contains("451")),
        "the error is kept"
    );

    app.state.clock.advance(Duration::days(7));
    assert!(
        drain_once(&app.outbox()).await.expect("drain").is_empty(),
        "failed notices are not retried"
    );
    let tried = tries(&app, id);
    assert_eq!(tried.len(), MAX_TRIES as usize);
    assert!(tried.iter().all(|t| !t.succeeded));
    assert!(sink.received().is_empty());
}

#[actix_web::test]
async fn without_smtp_url_a_notice_is_written_as_a_parseable_eml_file() {
    let app = spawn_app().await;
    assert!(app.state.config.smtp_url.is_none());
    let id = queue_welcome(&app, "file@example.com", "Farah Khan");

    let summary = drain_once(&app.outbox()).await.expect("drain");
    assert_eq!(summary.sent, 1);

    let dir = app.state.config.mail_dir.clone();
    let path = dir.join(format!("notice-{id}.eml"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("mail dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert_eq!(
        names,
        vec![format!("notice-{id}.eml")],
        "one whole file, no partial leftovers"
    );

    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("the .eml parses");
    assert_eq!(parsed.subject(), Some("Welcome to Test Firm"));
    let to = parsed.to().and_then(|a| a.first()).expect("To");
    assert_eq!(
        (to.name(), to.address()),
        (Some("Farah Khan"), Some("file@example.com"))
    );
    assert!(parsed.from().is_some() && parsed.message_id().is_some() && parsed.date().is_some());
    assert!(part_text(&parsed, "plain").is_some_and(|t| t.contains("Farah Khan")));
    assert!(part_text(&parsed, "html").is_some_and(|h| h.contains("Farah Khan")));
    assert_eq!(notice(&app, id).status.as_str(), "sent");
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn a_header_injection_attempt_in_a_name_or_subject_adds_no_header() {
    let sink = SmtpSink::start(free_port());
    let app = spawn_app_with(|c| c.smtp_url = Some(sink.url())).await;
    let now = app.state.clock.now();
    let mut conn = app.state.pool.get().expect("conn");

    // Through the front door: `queue`, as every area uses it.
    let mail = Rendered {
        kind: "welcome",
        subject: "Hello\r\nBcc: y@evil.test".into(),
        text: "Hi".into(),
        html: "<p>Hi</p>".into(),
    };
    let eve = Recipient {
        id: None,
        email: "eve@example.com".into(),
        name: "Eve\r\nBcc: x@evil.test".into(),
    };
    assert!(assay::notices::queue(&mut conn, "inject:1", &eve, &mail, now).expect("queue"));

    // And a row written by anything else, with the CR/LF still in it.
    diesel::insert_into(notices::table)
        .values((
            notices::kind.eq("welcome"),
            notices::event_key.eq("inject:raw"),
            notices::recipient_email.eq("mallory@example.com"),
            notices::recipient_name.eq("Mallory\r\nBcc: x@evil.test\r\nX-Evil: 1"),
            notices::subject.eq("Hi\nBcc: z@evil.test"),
            notices::body_text.eq("Hi"),
            notices::body_html.eq("<p>Hi</p>"),
            notices::status.eq("queued"),
            notices::tries.eq(0),
            notices::next_try_at.eq(now),
            notices::created_at.eq(now),
        ))
        .execute(&mut *conn)
        .expect("raw row");
    drop(conn);

    let summary = drain_once(&app.outbox()).await.expect("drain");
    assert_eq!(summary.sent, 2);
    let received = sink.received();
    assert_eq!(received.len(), 2);
    for mail in &received {
        assert_eq!(mail.rcpt_tos.len(), 1, "no extra recipient: {:?}", mail.rcpt_tos);
        assert!(!mail.rcpt_tos[0].contains("evil"));
        let lines = header_lines(&mail.raw);
        for line in &lines {
            let name = line.split(':').next().unwrap_or_default().to_ascii_lowercase();
            assert!(name != "bcc" && name != "x-evil", "a smuggled header: {line}");
        }
        let names: Vec<String> = lines
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_ascii_lowercase())
            .collect();
        for single in ["to", "from", "subject"] {
            assert_eq!(
                names.iter().filter(|n| *n == single).count(),
                1,
                "{single} in {lines:?}"
            );
        }
        let parsed = mail.parsed();
        assert!(parsed.bcc().is_none());
        assert_eq!(parsed.to().map(|a| a.iter().count()), Some(1));
    }
}

#[actix_web::test]
async fn a_permanent_smtp_refusal_fails_the_notice_after_exactly_one_try_and_others_still_go_out() {
    let sink = SmtpSink::refusing_recipient(free_port(), "gone@example.com", "550 5.1.1 No such user here");
    let app = spawn_app_with(|c| c.smtp_url = Some(sink.url())).await;
    let gone = queue_welcome(&app, "gone@example.com", "Gone Person");
    let kept = queue_welcome(&app, "kept@example.com", "Kept Person");

    let summary = drain_once(&app.outbox()).await.expect("drain");
    assert_eq!(
        summary,
        DrainSummary {
            sent: 1,
            failed: 1,
            retrying: 0
        }
    );
    let n = notice(&app, gone);
    assert_eq!((n.status.as_str(), n.tries), ("failed", 1));
    assert!(
        n.last_error.as_deref().is_some_and(|e| e.contains("550")),
        "{:?}",
        n.last_error
    );
    assert_eq!(tries(&app, gone).len(), 1);
    assert_eq!(notice(&app, kept).status.as_str(), "sent");

    // Nothing is tried again later: a refusal for good stays failed.
    app.state.clock.advance(Duration::days(2));
    assert!(drain_once(&app.outbox()).await.expect("drain later").is_empty());
    assert_eq!(tries(&app, gone).len(), 1);
    let received: Vec<String> = sink.received().iter().flat_map(|m| m.rcpt_tos.clone()).collect();
    assert_eq!(received, vec!["kept@example.com"]);
}
