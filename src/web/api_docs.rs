//! `/api/docs`: the API's interactive documentation, Swagger UI reading
//! `/api/openapi.json`. Every file is built into the binary (see
//! `templates/static/api-docs/README.md`), so the page reaches no other
//! site and runs under the app's content security policy as it is.

use actix_web::{web, HttpResponse};

use crate::error::AppError;

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Assay API documentation</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<noscript><p>This page needs JavaScript. The same description is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/docs.js"></script>
</body>
</html>
"#;

const BUNDLE_JS: &str = include_str!("../../templates/static/api-docs/swagger-ui-bundle.js");
const UI_CSS: &str = include_str!("../../templates/static/api-docs/swagger-ui.css");
const DOCS_JS: &str = include_str!("../../templates/static/api-docs/docs.js");

/// The documentation page.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(PAGE)
}

/// One of the page's files, by name; any other name is 404.
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (body, kind) = match name.as_str() {
        "swagger-ui-bundle.js" => (BUNDLE_JS, "text/javascript; charset=utf-8"),
        "swagger-ui.css" => (UI_CSS, "text/css; charset=utf-8"),
        "docs.js" => (DOCS_JS, "text/javascript; charset=utf-8"),
        other => {
            return Err(AppError::NotFound(format!(
                "The API documentation has no file {other:?}; open /api/docs."
            )))
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(body))
}
