//! The JSON API under `/api/v1`: its routes and its OpenAPI document, built
//! together from the handlers. Each handler states its path and method once
//! (`#[get("/attempts/{id}")]`) beside its document (`#[utoipa::path]`), is
//! listed once, in its area's `configure_api`, and the scope here adds the
//! prefix to both the route and the documented path.

use actix_web::dev::HttpServiceFactory;
use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;
use utoipa_actix_web::OpenApiFactory;

use crate::web::openapi::{ApiDoc, ApiRoutes};

/// The `/api/v1` scope for the app, and the document that describes exactly
/// what it serves (served at `/api/openapi.json`).
pub fn v1() -> (impl HttpServiceFactory, Document) {
    let scope = utoipa_actix_web::scope("/api/v1").configure(|cfg| {
        let routes = &mut ApiRoutes::new(cfg);
        crate::attempts::configure_api(routes);
        crate::accounts::configure_api(routes);
        crate::notices::configure_api(routes);
        crate::banks::configure_api(routes);
        crate::assessments::configure_api(routes);
        crate::drives::configure_api(routes);
        crate::reports::configure_api(routes);
        crate::training::configure_api(routes);
        crate::routing::configure_api(routes);
        crate::webhooks::configure_api(routes);
    });
    let mut doc = ApiDoc::openapi();
    doc.paths.merge(scope.paths());
    let mut schemas = Vec::new();
    scope.schemas(&mut schemas);
    doc.components
        .get_or_insert_with(Default::default)
        .schemas
        .extend(schemas);
    name_operations(&mut doc);
    describe_errors(&mut doc);
    (scope, doc)
}

/// What each refusal means, the same on every operation: the body is always
/// an `ErrorBody` whose `message` says what to do. An operation that means
/// more by a status describes its response itself, and that is kept.
fn error_meaning(status: &str) -> Option<&'static str> {
    Some(match status {
        "400" => "The request could not be read (for example a parameter of the wrong type); `error.message` says which part.",
        "401" => "No session or token came with the request, the session ended, or the service token is unknown, revoked or expired (`token_refused`); sign in again or ask an administrator for a new token.",
        "403" => "Signed in, but this role or token scope may not do this (a read-only token may not write); `error.message` says who may.",
        "404" => "There is no such record, or it is not one this account may see.",
        "409" => "The request conflicts with the record's state (already done, already taken, or changed since it was read); `error.code` names the conflict.",
        "413" => "The body or upload is larger than this server accepts.",
        "415" => "The body is not in a type this operation reads (send `application/json`).",
        "422" => "A field is missing or invalid; `error.details` names each field (or line of an uploaded file) with what to change.",
        "429" => "Too many requests: wait the seconds in `Retry-After` and try again.",
        "503" => "The server is busy or the database is unreachable; wait the seconds in `Retry-After` (when given) and try again.",
        _ => return None,
    })
}

/// Gives every error response without a description of its own the
/// meaning its status has across the API.
fn describe_errors(doc: &mut Document) {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for (status, response) in op.responses.responses.iter_mut() {
                if let (utoipa::openapi::RefOr::T(response), Some(meaning)) = (response, error_meaning(status)) {
                    if response.description.trim().is_empty() {
                        response.description = meaning.to_string();
                    }
                }
            }
        }
    }
}

/// Gives each operation an id made of its method and path
/// (`get_drives_id_applications`): handlers in different areas share
/// function names (`list`, `get`), and OpenAPI requires ids to be unique.
fn name_operations(doc: &mut Document) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let words: Vec<&str> = path
            .trim_start_matches("/api/v1/")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let tail = words.join("_");
        for (method, op) in [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ] {
            if let Some(op) = op {
                op.operation_id = Some(format!("{method}_{tail}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::{Method, StatusCode};
    use actix_web::test::{call_service, init_service, TestRequest};
    use actix_web::{web, App, HttpResponse};
    use serde_json::Value;

    /// The document `v1` builds, as the JSON clients read.
    fn document() -> Value {
        serde_json::to_value(super::v1().1).expect("document as JSON")
    }

    /// What the test app answers when no route matched: no handler answers
    /// with it.
    const UNROUTED: StatusCode = StatusCode::IM_A_TEAPOT;

    /// Every handler registered under `/api/v1` is documented by
    /// construction (`ApiRoutes` takes nothing else); this checks the other
    /// half against the router itself: each documented operation is routed at
    /// its documented path and method, and no other method is routed there,
    /// so a handler whose document names another path than it is served at
    /// fails here.
    #[actix_web::test]
    async fn every_documented_operation_is_served_and_nothing_undocumented_beside_it() {
        let doc = document();
        let app = init_service(
            App::new()
                .service(super::v1().0)
                .default_service(web::to(|| async { HttpResponse::new(UNROUTED) })),
        )
        .await;
        let methods = [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH];
        let mut operations = 0;
        let mut wrong = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            // Any value fits a path parameter as far as the router is concerned.
            let uri: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            for method in &methods {
                let documented = item.get(method.as_str().to_lowercase()).is_some();
                operations += usize::from(documented);
                let req = TestRequest::default().method(method.clone()).uri(&uri);
                let served = call_service(&app, req.to_request()).await.status() != UNROUTED;
                if served != documented {
                    wrong.push(format!("{method} {path}: documented {documented}, served {served}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        // Counted, so a probe that saw nothing, or an area whose
        // `configure_api` is no longer called, cannot pass: a new endpoint
        // raises this number in the same change.
        assert_eq!(operations, 110, "documented operations");
    }

    /// Every string a client may send, with where it is, that has no
    /// `maxLength` (enumerations and formats such as date-time are bounded
    /// by their own rule).
    fn unbounded(doc: &Value, schema: &Value, at: String, seen: &mut Vec<String>, out: &mut Vec<String>) {
        if let Some(r) = schema["$ref"].as_str() {
            if seen.iter().any(|s| s == r) {
                return;
            }
            seen.push(r.to_string());
            let name = r.rsplit('/').next().unwrap_or_default();
            let target = &doc["components"]["schemas"][name];
            if target.is_null() {
                out.push(format!("{at} (refers to {r}, which the document does not hold)"));
            }
            unbounded(doc, target, at, seen, out);
            seen.pop();
            return;
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for item in schema[key].as_array().into_iter().flatten() {
                unbounded(doc, item, at.clone(), seen, out);
            }
        }
        let is_string = schema["type"] == "string"
            || schema["type"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "string"));
        if is_string
            && schema.get("maxLength").is_none()
            && schema.get("enum").is_none()
            && schema.get("format").is_none()
        {
            out.push(at.clone());
        }
        if let Some(props) = schema["properties"].as_object() {
            for (name, prop) in props {
                unbounded(doc, prop, format!("{at}.{name}"), seen, out);
            }
        }
        if schema.get("items").is_some() {
            unbounded(doc, &schema["items"], format!("{at}[]"), seen, out);
        }
        if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            unbounded(doc, extra, format!("{at}{{}}"), seen, out);
        }
    }

    #[test]
    fn every_string_a_client_sends_has_a_stated_maximum_length() {
        let doc = document();
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("operations") {
                for param in op["parameters"].as_array().into_iter().flatten() {
                    let at = format!("{method} {path} ?{}", param["name"].as_str().unwrap_or_default());
                    if param["in"] != "path" {
                        unbounded(&doc, &param["schema"], at, &mut Vec::new(), &mut out);
                    }
                }
                let body = &op["requestBody"]["content"]["application/json"]["schema"];
                if !body.is_null() {
                    unbounded(&doc, body, format!("{method} {path} body"), &mut Vec::new(), &mut out);
                }
            }
        }
        assert!(out.is_empty(), "strings without maxLength:\n{}", out.join("\n"));
    }
}
