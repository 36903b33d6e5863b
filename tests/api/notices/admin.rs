//! The admin's view: the list and the API, the preview, and "retry now".

use assay::db::schema::audit_log;
use assay::db::Role;
use assay::notices::outbox::{drain_once, MAX_TRIES};
use awc::http::StatusCode;
use chrono::Duration;
use diesel::prelude::*;

use super::sink::{free_port, SmtpSink};
use super::{notice, queue_welcome, signed_in, tries};
use crate::helpers::{spawn_app, spawn_app_with, TestApp};

async fn fail_for_good(app: &TestApp, id: assay::db::NoticeId) {
    for _ in 0..MAX_TRIES {
        drain_once(&app.outbox()).await.expect("drain");
        app.state.clock.advance(Duration::hours(7));
    }
    assert_eq!(notice(app, id).status.as_str(), "failed");
}

#[actix_web::test]
async fn admins_list_notices_on_the_page_and_in_the_api_and_others_get_403() {
    let app = spawn_app().await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let (_, candidate) = app.candidate("cand@example.com").await;
    let sent = queue_welcome(&app, "sent@example.com", "Sent Person");
    drain_once(&app.outbox()).await.expect("drain");
    let queued = queue_welcome(&app, "queued@example.com", "Queued Person");

    let (status, body) = app.get_json("/api/v1/notices", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["items"].as_array().expect("rows");
    assert_eq!(rows.len(), 3, "the candidate's welcome and the two above: {body}");
    assert_eq!(rows[0]["id"], queued.0, "newest first");
    let row = rows.iter().find(|r| r["id"] == sent.0).expect("the sent notice");
    assert_eq!(row["status"], "sent");
    assert_eq!(row["tries"], 1);
    assert_eq!(row["recipient_email"], "sent@example.com");
    assert_eq!(row["kind"], "welcome");
    assert_eq!(row["subject"], "Welcome to Test Firm");
    assert!(row["last_error"].is_null());
    for time in ["created_at", "sent_at", "next_try_at"] {
        assert!(
            row[time].as_str().is_some_and(|t| t.ends_with('Z')),
            "{time} is RFC 3339 UTC: {row}"
        );
    }
    assert!(body["next_after"].is_null());

    let (_, only_sent) = app.get_json("/api/v1/notices?status=sent", Some(&admin)).await;
    let sent_to: Vec<&str> = only_sent["items"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["recipient_email"].as_str())
        .collect();
    assert_eq!(sent_to, vec!["sent@example.com", "cand@example.com"]);
    let (status, _) = app.get_json("/api/v1/notices?status=lost", Some(&admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    for token in [&candidate, &recruiter] {
        let (status, body) = app.get_json("/api/v1/notices", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert_eq!(app.get_json("/api/v1/notices", None).await.0, StatusCode::UNAUTHORIZED);

    let mut browser = signed_in(&app, "admin@example.com").await;
    let page = browser.get("/admin/notices").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "sent@example.com",
        "queued@example.com",
        "cand@example.com",
        "Welcome to Test Firm",
    ] {
        assert!(page.body.contains(text), "{text} on the page");
    }
    assert!(page.body.contains("href=\"/admin/notices\""), "in the admin's nav");
    let failed_only = browser.get("/admin/notices?status=failed").await;
    assert!(failed_only.body.contains("No failed notices"), "an empty state");

    let mut other = signed_in(&app, "cand@example.com").await;
    assert_eq!(other.get("/admin/notices").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        other.get(&format!("/admin/notices/{sent}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.get(&format!("/admin/notices/{sent}/body.html")).await.status,
        StatusCode::FORBIDDEN
    );
    let _ = std::fs::remove_dir_all(&app.state.config.mail_dir);
}

#[actix_web::test]
async fn the_notice_list_pages_newest_first_fifty_at_a_time() {
    let app = spawn_app().await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let ids: Vec<_> = (0..60)
        .map(|i| queue_welcome(&app, &format!("p{i:02}@example.com"), "P"))
        .collect();

    let (_, first) = app.get_json("/api/v1/notices", Some(&admin)).await;
    let first_ids: Vec<i64> = first["items"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(first_ids.len(), 50);
    assert_eq!(first_ids[0], i64::from(ids[59].0));
    let after = first["next_after"].as_str().expect("a next page").to_string();
    let (_, second) = app
        .get_json(&format!("/api/v1/notices?after={after}"), Some(&admin))
        .await;
    let second_ids: Vec<i64> = second["items"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(second_ids.len(), 10);
    assert_eq!(second_ids.last(), Some(&i64::from(ids[0].0)));
    assert!(second["next_after"].is_null());
    let (_, small) = app.get_json("/api/v1/notices?limit=5", Some(&admin)).await;
    assert_eq!(small["items"].as_array().map(Vec::len), Some(5));

    let mut browser = signed_in(&app, "admin@example.com").await;
    let page = browser.get("/admin/notices").await;
    assert!(page.body.contains("p59@example.com") && !page.body.contains("p09@example.com"));
    let next = format!("/admin/notices?status=&amp;after={after}");
    assert!(page.body.contains(&next), "a link to older notices");
    let older = browser.get(&next.replace("&amp;", "&")).await;
    assert!(older.body.contains("p09@example.com") && !older.body.contains("p59@example.com"));
    assert!(!older.body.contains("Older notices"));
}

#[actix_web::test]
async fn the_preview_shows_the_email_and_serves_its_html_part_sandboxed() {
    let app = spawn_app().await;
    app.staff("admin@example.com", Role::Admin).await;
    let id = queue_welcome(&app, "x@example.com", "<script>alert(1)</script> Xi");
    let stored = notice(&app, id);
    assert!(!stored.body_html.contains("<script>"), "askama escapes the HTML part");

    let mut browser = signed_in(&app, "admin@example.com").await;
    let page = browser.get(&format!("/admin/notices/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Welcome to Test Firm"));
    assert!(
        page.body.contains("Assay Test &#60;assay@test.example&#62;"),
        "From: {}",
        page.body
    );
    assert!(page.body.contains("x@example.com"), "To");
    assert!(page.body.contains("<pre"), "the text part");
    assert!(!page.body.contains("<script>alert"), "everything is escaped");
    assert!(page
        .body
        .contains(&format!("<iframe sandbox src=\"/admin/notices/{id}/body.html\"")));
    assert!(page.body.contains("Not tried yet"));
    assert!(!page.body.contains("Retry now"), "only failed notices can be retried");

    let res = app
        .client
        .get(app.url(&format!("/admin/notices/{id}/body.html")))
        .insert_header((
            "Cookie",
            browser
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        ))
        .send()
        .await
        .expect("html part");
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let csp = header("content-security-policy");
    assert!(
        csp.starts_with("sandbox;") && csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'self'"),
        "{csp}"
    );
    assert_eq!(header("x-frame-options"), "SAMEORIGIN");
    let body = browser.get(&format!("/admin/notices/{id}/body.html")).await.body;
    assert_eq!(body, stored.body_html);
    assert_eq!(browser.get("/admin/notices/999999").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn retry_now_requeues_a_failed_notice_and_keeps_its_tries() {
    let port = free_port();
    let mut refusing = SmtpSink::rejecting(port, "451 4.3.0 Mailbox busy, try later");
    let app = spawn_app_with(|c| c.smtp_url = Some(refusing.url())).await;
    let (_, admin_token) = app.staff("admin@example.com", Role::Admin).await;
    let id = queue_welcome(&app, "retry@example.com", "Ravi");
    fail_for_good(&app, id).await;

    let mut candidate = {
        app.candidate("cand@example.com").await;
        signed_in(&app, "cand@example.com").await
    };
    let page = candidate.get("/").await;
    let refused = candidate
        .post_form(&format!("/admin/notices/{id}/retry"), &[("csrf_token", &page.csrf())])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut admin = signed_in(&app, "admin@example.com").await;
    let page = admin.get(&format!("/admin/notices/{id}")).await;
    assert!(
        page.body.contains("Retry now") && page.body.contains("451"),
        "{}",
        page.body
    );
    let forged = admin
        .post_form(&format!("/admin/notices/{id}/retry"), &[("csrf_token", "forged")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(notice(&app, id).status.as_str(), "failed");

    let done = admin
        .post_form(&format!("/admin/notices/{id}/retry"), &[("csrf_token", &page.csrf())])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/admin/notices/{id}?retried=1").as_str())
    );
    let n = notice(&app, id);
    assert_eq!((n.status.as_str(), n.tries), ("queued", MAX_TRIES));
    assert!(n.next_try_at <= app.state.clock.now());
    assert_eq!(tries(&app, id).len(), MAX_TRIES as usize, "the earlier tries stay");

    refusing.stop();
    let accepting = SmtpSink::start(port);
    drain_once(&app.outbox()).await.expect("drain");
    let received: Vec<Vec<String>> = accepting.received().into_iter().map(|m| m.rcpt_tos).collect();
    assert_eq!(
        received
            .iter()
            .filter(|r| r.contains(&"retry@example.com".to_string()))
            .count(),
        1
    );
    let tried = tries(&app, id);
    assert_eq!(tried.len(), MAX_TRIES as usize + 1);
    assert!(tried.last().is_some_and(|t| t.succeeded));
    assert_eq!(notice(&app, id).status.as_str(), "sent");

    let again = admin
        .post_form(&format!("/admin/notices/{id}/retry"), &[("csrf_token", &page.csrf())])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a sent notice is not retried");
    let mut conn = app.state.pool.get().expect("conn");
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("notice.retry"))
        .filter(audit_log::entity_id.eq(id.0))
        .count()
        .get_result(&mut *conn)
        .expect("audit");
    assert_eq!(audited, 1);
    let _ = admin_token;
}

#[actix_web::test]
async fn the_openapi_document_describes_the_notices_endpoint() {
    let app = spawn_app().await;
    let (_, doc) = app.get_json("/api/openapi.json", None).await;
    let get = &doc["paths"]["/api/v1/notices"]["get"];
    assert!(get.is_object(), "GET /api/v1/notices is documented");
    let params: Vec<&str> = get["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(params, vec!["status", "limit", "after"]);
    for schema in ["Paged_NoticeRow", "NoticeRow"] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema} is described"
        );
    }
    let page = &doc["components"]["schemas"]["Paged_NoticeRow"]["properties"];
    assert!(page["items"].is_object() && page["next_after"].is_object(), "{page}");
}
