//! Trust at the edges: bad input is a 4xx with a sentence naming what is
//! wrong, uploads are bounded, and TLS sites ask browsers to keep to TLS.

use assay::db::Role;
use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::banks::import;
use crate::helpers::{error_fields, spawn_app, spawn_app_with, TestApp, PASSWORD};
use crate::rankings::rank_bank;

#[actix_web::test]
async fn an_https_site_sends_strict_transport_security_and_a_plain_http_one_does_not() {
    let tls = spawn_app_with(|c| c.base_url = "https://assay.example".into()).await;
    for path in ["/signin", "/api/v1/me/profile", "/healthz"] {
        let res = tls.client.get(tls.url(path)).send().await.expect("get");
        assert_eq!(
            res.headers()
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000; includeSubDomains"),
            "{path} answered {}",
            res.status()
        );
    }

    let plain = spawn_app().await;
    let res = plain.client.get(plain.url("/signin")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("strict-transport-security").is_none());
}

/// Asserts a 422 in the JSON error shape whose details name `field`.
fn assert_refused_naming(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    assert!(
        error_fields(body).iter().any(|f| f == field),
        "the error names {field}: {body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with('.') && message.len() > 20, "a sentence: {message}");
}

#[actix_web::test]
async fn nul_bytes_and_over_long_values_are_refused_with_422_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    // Far past every field's limit, within the test server's 64 KB body.
    let long = "x".repeat(20 * 1024);

    // Registration: without signing in.
    for (field, body) in [
        (
            "full_name",
            json!({"email": "nul@example.com", "password": PASSWORD, "full_name": "Asha\u{0}Rao"}),
        ),
        (
            "email",
            json!({"email": "nul\u{0}@example.com", "password": PASSWORD, "full_name": "Asha Rao"}),
        ),
        (
            "full_name",
            json!({"email": "nul@example.com", "password": PASSWORD, "full_name": long}),
        ),
        (
            "institute",
            json!({"email": "nul@example.com", "password": PASSWORD, "full_name": "Asha", "institute": "A\u{0}B"}),
        ),
    ] {
        let (status, body) = app.post_json("/api/v1/candidates", &body, None).await;
        assert_refused_naming(status, &body, field);
    }
    let (status, _) = app
        .post_json(
            "/api/v1/session",
            &json!({"email": "nul@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no account was made");

    // A profile field.
    let (_, candidate) = app.candidate("cand@example.com").await;
    for (field, body) in [
        ("degree", json!({"degree": "B\u{0}Com"})),
        ("institute", json!({"institute": long})),
    ] {
        let (status, body) = app.put_json("/api/v1/me/profile", &body, Some(&candidate)).await;
        assert_refused_naming(status, &body, field);
    }

    // A bank's name, in the import's query string.
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    for query in [
        "format=toml&bank=Bank%00One".to_string(),
        format!("format=toml&bank={}", "b".repeat(300)),
    ] {
        let (status, body) = import(&app, &trainer, &query, &rank_bank()).await;
        assert_refused_naming(status, &body, "bank");
    }
    let (_, banks) = app.get_json("/api/v1/banks", Some(&trainer)).await;
    assert_eq!(
        banks["items"].as_array().map(Vec::len),
        Some(0),
        "no bank was made: {banks}"
    );

    // A section's name in an assessment.
    let bank_id = crate::attempts::bank(&app, &trainer, &rank_bank()).await;
    let blueprint = |section: &str| {
        json!({"title": "Edges", "kind": "aptitude", "time_limit_minutes": 30, "pass_percent": 50,
               "sections": [{"name": section, "bank_id": bank_id, "count": 4}]})
    };
    for (field, section) in [("sections[0].name", "Qu\u{0}ant"), ("sections[0].name", long.as_str())] {
        let (status, body) = app
            .post_json("/api/v1/assessments", &blueprint(section), Some(&trainer))
            .await;
        assert_refused_naming(status, &body, field);
    }
    let assessment_id = crate::attempts::assessment(&app, &trainer, blueprint("Quant")).await;

    // A drive's name and description.
    let (_, recruiter) = app.staff("recruiter@example.com", Role::Recruiter).await;
    for (field, body) in [
        ("name", json!({"name": "Drive\u{0}", "assessment_id": assessment_id})),
        (
            "description",
            json!({"name": "Drive", "description": long, "assessment_id": assessment_id}),
        ),
        (
            "eligibility.degrees[0]",
            json!({"name": "Drive", "assessment_id": assessment_id,
                                         "eligibility": {"degrees": ["B\u{0}A"]}}),
        ),
    ] {
        let (status, body) = app.post_json("/api/v1/drives", &body, Some(&recruiter)).await;
        assert_refused_naming(status, &body, field);
    }
    let (status, drive) = app
        .post_json(
            "/api/v1/drives",
            &json!({"name": "Drive", "assessment_id": assessment_id}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drive}");

    // A decision's note.
    let (status, applied) = app
        .post_json(
            &format!("/api/v1/drives/{}/applications", drive["id"]),
            &json!({}),
            Some(&candidate),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let decision = format!("/api/v1/applications/{}/decision", applied["application_id"]);
    for body in [
        json!({"status": "rejected", "note": "Not\u{0}now"}),
        json!({"status": "rejected", "note": long}),
    ] {
        let (status, body) = app.post_json(&decision, &body, Some(&recruiter)).await;
        assert_refused_naming(status, &body, "note");
    }
    let (status, body) = app
        .post_json(
            &decision,
            &json!({"status": "rejected", "note": "Thanks"}),
            Some(&recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the application was left as it was: {body}");
}

#[actix_web::test]
async fn a_nul_byte_in_a_form_gets_a_422_page_naming_the_field() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let page = browser.get("/register").await;
    let refused = browser
        .post_form(
            "/register",
            &[
                ("csrf_token", &page.csrf()),
                ("email", "form@example.com"),
                ("full_name", "Asha\u{0}Rao"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(
        refused.body.contains("full_name") && refused.body.contains("NUL"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("<html"), "an HTML page: {}", refused.body);
}

#[actix_web::test]
async fn a_gift_file_with_a_nul_byte_is_refused_with_the_line_it_is_on() {
    let app = spawn_app().await;
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let gift = "::Q1:: Two plus two is four. {T}\n\n::Q2:: The sky is gr\u{0}een. {F}\n";
    let (status, body) = import(&app, &trainer, "format=gift&bank=Gift", gift).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["line"], 3, "{body}");
    let message = body["error"]["details"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("NUL"), "{body}");

    // Spelled as an escape in TOML, it is refused at the question.
    let toml = "[bank]\nname = \"Escapes\"\n\n[[question]]\nid = \"q\"\ntype = \"true_false\"\nstem = \"Zero \\u0000 here.\"\nanswer = true\n";
    let (status, body) = import(&app, &trainer, "format=toml", toml).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["line"], 4, "{body}");
}

/// Past 64 KB the request line itself is refused by actix's HTTP parser
/// (a bare 400, or 431 past its 128 KB head) before the application sees
/// it; up to there the application answers in its own shape.
#[actix_web::test]
async fn a_huge_query_string_gets_the_json_error_shape() {
    let app = spawn_app().await;
    let (_, admin) = app.staff("admin@example.com", Role::Admin).await;
    let huge = "x".repeat(60 * 1024);
    for path in [
        format!("/api/v1/notices?status={huge}"),
        format!("/api/v1/banks?junk={huge}"),
    ] {
        let (status, body) = raw_get(&app, &path, &admin).await;
        assert_eq!(status, 414, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("a JSON body: {body}"));
        assert_eq!(body["error"]["code"], "uri_too_long", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("query string")),
            "{body}"
        );
    }
    let (status, _) = raw_get(
        &app,
        &format!("/api/v1/notices?status={}", "x".repeat(100 * 1024)),
        &admin,
    )
    .await;
    assert!((400..500).contains(&status), "{status}");
}

/// A GET sent by hand: the HTTP client refuses to build a 100 KB URL.
async fn raw_get(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Many attributes on one element, as in RUSTSEC-2026-0194.
fn many_attributes(n: usize) -> String {
    let attributes: String = (0..n).map(|i| format!(" a{i}=\"x\"")).collect();
    format!("<?xml version=\"1.0\"?>\n<quiz>\n<question type=\"truefalse\"{attributes}></question>\n</quiz>\n")
}

#[actix_web::test]
async fn an_xml_file_with_thousands_of_attributes_on_one_element_is_refused_with_a_sentence() {
    let app = spawn_app_with(|c| c.max_upload_bytes = 4 * 1024 * 1024).await;
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    let (status, body) = import(&app, &trainer, "format=moodle_xml&bank=Big", &many_attributes(128_000)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(detail["line"], 3, "{body}");
    assert!(
        detail["message"]
            .as_str()
            .is_some_and(|m| m.contains("more than 32 attributes")),
        "{body}"
    );
}

#[actix_web::test]
async fn an_upload_is_parsed_without_holding_a_database_connection() {
    let app = spawn_app_with(|c| c.pool_size = 1).await;
    let (_, trainer) = app.staff("trainer@example.com", Role::Trainer).await;
    // Signed in just now, so the session is remembered without a query.
    let (status, _) = app.get_json("/api/v1/banks", Some(&trainer)).await;
    assert_eq!(status, StatusCode::OK);

    // Every connection is taken: a handler that parsed inside `state.db`
    // would wait for one and answer 503 after the pool's timeout.
    let held = app.state.pool.get().expect("the pool's only connection");
    let (status, body) = import(&app, &trainer, "format=moodle_xml&bank=Held", &many_attributes(2_000)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["details"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("attributes")));
    drop(held);
}
