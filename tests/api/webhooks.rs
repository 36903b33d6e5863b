//! Signed webhooks: each delivery is signed over its timestamp and body
//! (checked here with the `hmac` crate directly, not the app's code), a
//! receiver that fails gets every event again with the same id until it
//! answers, and endpoints on private addresses are refused unless allowed.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use assay::db::Role;
use assay::webhooks::deliver::{self, DrainSummary, Hooks};
use awc::http::StatusCode;
use chrono::Duration;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::attempts::{applicant, drive_with};
use crate::helpers::{spawn_app_with, TestApp};

/// One request a receiver got.
#[derive(Clone)]
struct Received {
    signature: String,
    event_id: String,
    body: String,
}

/// A webhook receiver on this machine that answers 503 to its first
/// `fail_first` requests and 200 after.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(fail_first: usize) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = got.clone();
        let server = HttpServer::new(move || {
            let got = shared.clone();
            App::new().route(
                "/hook",
                web::post().to(move |req: HttpRequest, body: String| {
                    let got = got.clone();
                    async move {
                        let header = |name: &str| {
                            req.headers()
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_string()
                        };
                        let mut list = got.lock().expect("lock");
                        list.push(Received {
                            signature: header("Assay-Signature"),
                            event_id: header("Assay-Event-Id"),
                            body,
                        });
                        if list.len() <= fail_first {
                            HttpResponse::ServiceUnavailable().finish()
                        } else {
                            HttpResponse::Ok().finish()
                        }
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            got,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

async fn private_allowed() -> TestApp {
    spawn_app_with(|c| c.webhooks_allow_private = true).await
}

fn hooks(app: &TestApp) -> Hooks {
    assay::server::workers::hooks(&app.state)
}

async fn register(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": url, "description": "ATS", "events": events}),
            Some(admin),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The signature check a receiver would write, from the README's recipe.
fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_string()),
            Some(("v1", value)) => v1 = Some(value.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    expected == v1
}

#[actix_web::test]
async fn a_delivery_is_signed_over_its_timestamp_and_body() {
    let app = private_allowed().await;
    let receiver = Receiver::start(0);
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let endpoint = register(
        &app,
        &admin,
        &receiver.url,
        &["application.received", "application.status_changed"],
    )
    .await;
    let secret = endpoint["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_"), "{endpoint}");

    let drive = drive_with(&app, json!({})).await;
    let (candidate_id, _, applied) = applicant(&app, "asha@example.com", &drive, 72.0).await;
    let application_id = applied["application_id"].as_i64().expect("application id");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/applications/{application_id}/decision"),
            &json!({"status": "rejected", "note": "Not this time"}),
            Some(&drive.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let summary = deliver::drain_once(&hooks(&app)).await.expect("drain");
    assert_eq!(
        summary,
        DrainSummary {
            delivered: 2,
            retrying: 0,
            failed: 0
        }
    );
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    for r in &got {
        assert!(
            verify(&secret, &r.signature, &r.body),
            "signature {} over {}",
            r.signature,
            r.body
        );
        assert!(!verify("whsec_wrong", &r.signature, &r.body));
        assert!(
            !verify(&secret, &r.signature, &format!("{} ", r.body)),
            "a changed body fails the check"
        );
    }
    let received: Value = serde_json::from_str(&got[0].body).expect("json");
    assert_eq!(received["type"], "application.received");
    assert_eq!(received["id"], got[0].event_id.as_str());
    assert_eq!(received["data"]["application_id"], application_id);
    assert_eq!(received["data"]["candidate_id"], candidate_id);
    assert!(received["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let changed: Value = serde_json::from_str(&got[1].body).expect("json");
    assert_eq!(changed["type"], "application.status_changed");
    assert_eq!(changed["data"]["from"], "applied");
    assert_eq!(changed["data"]["to"], "rejected");
    assert_ne!(changed["id"], received["id"]);
}

#[actix_web::test]
async fn a_receiver_that_fails_then_recovers_gets_every_event_with_the_same_id() {
    let app = private_allowed().await;
    let receiver = Receiver::start(3);
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let endpoint = register(&app, &admin, &receiver.url, &["application.received"]).await;
    let drive = drive_with(&app, json!({})).await;
    applicant(&app, "asha@example.com", &drive, 72.0).await;
    applicant(&app, "ravi@example.com", &drive, 81.0).await;
    let hooks = hooks(&app);

    // Both fail; nothing is due again until the first backoff has passed.
    let first = deliver::drain_once(&hooks).await.expect("drain");
    assert_eq!(
        first,
        DrainSummary {
            delivered: 0,
            retrying: 2,
            failed: 0
        }
    );
    assert_eq!(
        deliver::drain_once(&hooks).await.expect("drain"),
        DrainSummary::default()
    );
    app.state.clock.advance(Duration::seconds(61));
    let second = deliver::drain_once(&hooks).await.expect("drain");
    assert_eq!(
        second,
        DrainSummary {
            delivered: 1,
            retrying: 1,
            failed: 0
        }
    );
    app.state.clock.advance(Duration::minutes(5) + Duration::seconds(1));
    let third = deliver::drain_once(&hooks).await.expect("drain");
    assert_eq!(
        third,
        DrainSummary {
            delivered: 1,
            retrying: 0,
            failed: 0
        }
    );

    let got = receiver.received();
    assert_eq!(got.len(), 5);
    let mut ids: Vec<&str> = got.iter().map(|r| r.event_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2, "two events, each sent again with its own id");
    for id in &ids {
        let bodies: Vec<&str> = got
            .iter()
            .filter(|r| r.event_id == *id)
            .map(|r| r.body.as_str())
            .collect();
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "a retry carries the same body");
        let body: Value = serde_json::from_str(bodies[0]).expect("json");
        assert_eq!(body["id"], *id);
    }

    let path = format!("/api/v1/webhooks/{}/deliveries", endpoint["id"]);
    let (status, log) = app.get_json(&path, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let log = log.as_array().expect("list").clone();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");
    let mut tries: Vec<i64> = log.iter().map(|d| d["tries"].as_i64().expect("tries")).collect();
    tries.sort_unstable();
    assert_eq!(tries, [2, 3]);

    // Redelivering sends the same event again, same id and body.
    let delivery = &log[0];
    let (status, body) = app
        .post_json(
            &format!("/api/v1/webhooks/deliveries/{}/redeliver", delivery["id"]),
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(deliver::drain_once(&hooks).await.expect("drain").delivered, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 6);
    let again = &got[5];
    assert_eq!(again.event_id, delivery["event_id"].as_str().expect("event id"));
    let before = got.iter().find(|r| r.event_id == again.event_id).expect("sent before");
    assert_eq!(before.body, again.body);
}

#[actix_web::test]
async fn endpoints_on_private_addresses_are_refused_unless_allowed() {
    let app = spawn_app_with(|_| {}).await;
    let receiver = Receiver::start(0);
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    for url in [
        receiver.url.as_str(),
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest",
        "http://[::1]:9/x",
    ] {
        let (status, body) = app
            .post_json(
                "/api/v1/webhooks",
                &json!({"url": url, "events": ["attempt.graded"]}),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert!(body.to_string().contains("private address"), "{url}: {body}");
    }
    let (status, body) = app
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": "ftp://example.com/x", "events": ["attempt.graded"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    let (status, _) = app
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": "https://example.com/x", "events": ["attempt.graded"]}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, listed) = app.get_json("/api/v1/webhooks", Some(&admin)).await;
    assert_eq!(listed, json!([]), "nothing refused was saved");

    // Allowed where the setting says so, and the worker checks again before
    // each try: a server without the setting never posts there.
    let allowed = private_allowed().await;
    let (_, admin) = allowed.staff("admin@example.com", Role::Admin).await;
    register(&allowed, &admin, &receiver.url, &["application.received"]).await;
    let drive = drive_with(&allowed, json!({})).await;
    applicant(&allowed, "asha@example.com", &drive, 72.0).await;
    let strict = Hooks {
        allow_private: false,
        ..hooks(&allowed)
    };
    let summary = deliver::drain_once(&strict).await.expect("drain");
    assert_eq!(summary.retrying, 1);
    assert!(receiver.received().is_empty());
    let (_, log) = allowed.get_json("/api/v1/webhooks", Some(&admin)).await;
    let id = &log[0]["id"];
    let (_, deliveries) = allowed
        .get_json(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&admin))
        .await;
    assert!(
        deliveries[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("private address")),
        "{deliveries}"
    );
}
