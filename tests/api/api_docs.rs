//! `/api/docs`: the interactive API documentation is served from the binary
//! (no other site is named by the page) under the app's strict content
//! security policy, and a real browser sees the operations on it.

use awc::http::StatusCode;
use fantoccini::Locator;

use crate::browser::{driver_or_skip, eventually};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_api_docs_and_their_files_are_served_from_the_binary() {
    let app = spawn_app().await;
    let mut page = app.client.get(app.url("/api/docs")).send().await.expect("docs");
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe"),
        "{policy}"
    );
    let html = String::from_utf8(page.body().await.expect("body").to_vec()).expect("utf-8");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page names no other site: {html}"
    );

    for (file, kind, at_least) in [
        ("swagger-ui-bundle.js", "text/javascript", 1_000_000),
        ("swagger-ui.css", "text/css", 100_000),
        ("docs.js", "text/javascript", 100),
    ] {
        assert!(html.contains(&format!("/api/docs/{file}")), "the page loads {file}");
        let mut res = app
            .client
            .get(app.url(&format!("/api/docs/{file}")))
            .send()
            .await
            .expect("file");
        assert_eq!(res.status(), StatusCode::OK, "{file}");
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(content_type.starts_with(kind), "{file}: {content_type}");
        let body = res.body().limit(8 * 1024 * 1024).await.expect("body");
        assert!(body.len() >= at_least, "{file} is {} bytes", body.len());
    }
    let (status, body) = app.get_json("/api/docs/evil.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[actix_web::test]
async fn a_browser_sees_the_operations_on_the_api_docs() {
    let Some(driver) = driver_or_skip("api_docs_operations").await else {
        return;
    };
    let app = spawn_app().await;
    let c = driver.session().await;
    c.goto(&app.url("/api/docs")).await.expect("docs page");
    eventually("the operations to be listed", || async {
        c.find_all(Locator::Css(".opblock")).await.map(|o| o.len()).unwrap_or(0) >= 60
    })
    .await;
    let text = c
        .find(Locator::Css("#swagger-ui"))
        .await
        .expect("the UI")
        .text()
        .await
        .expect("text");
    assert!(text.contains("/api/v1/service-tokens"), "{text}");
    assert!(text.contains("Assay API"), "the document's title is shown");
}
