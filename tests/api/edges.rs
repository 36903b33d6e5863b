//! Trust at the edges: bad input is a 4xx with a sentence naming what is
//! wrong, uploads are bounded, and TLS sites ask browsers to keep to TLS.

use awc::http::StatusCode;

use crate::helpers::{spawn_app, spawn_app_with};

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
