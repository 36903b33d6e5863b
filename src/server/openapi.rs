//! The OpenAPI document, generated from the handlers' annotations so it
//! cannot drift from the code.

use actix_web::HttpResponse;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Assay API", description = "Recruitment, assessment and routing for KPO firms."),
    paths(
        crate::accounts::api::register,
        crate::accounts::api::sign_in,
        crate::accounts::api::sign_out,
        crate::accounts::api::get_profile,
        crate::accounts::api::put_profile,
        crate::accounts::api::change_password,
        crate::accounts::api::forgot_password,
        crate::accounts::api::reset_password,
        crate::banks::api::import,
        crate::banks::api::list,
        crate::banks::api::questions,
        crate::assessments::api::create,
        crate::assessments::api::get,
        crate::attempts::api::start,
        crate::attempts::api::save,
        crate::attempts::api::submit,
        crate::attempts::api::get,
        crate::attempts::api::signal,
        crate::attempts::api::mark,
        crate::attempts::api::extend,
        crate::attempts::api::accommodation,
        crate::drives::api::create,
        crate::drives::api::list,
        crate::drives::api::apply,
        crate::drives::rankings_api::rankings,
        crate::drives::rankings_api::rankings_csv,
        crate::drives::rankings_api::decision,
        crate::training::api::create,
        crate::training::api::add_trainee,
        crate::training::api::assign_exam,
        crate::routing::api::create_process,
        crate::routing::api::list_processes,
        crate::routing::api::create_run,
        crate::routing::api::get_run,
        crate::routing::api::override_line,
        crate::routing::api::publish,
        crate::notices::api::list_notices,
        crate::reports::api::item_analysis,
        crate::reports::api::quarantine_version,
        crate::reports::api::correct_key,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorPayload, crate::error::ErrorDetail)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use utoipa::OpenApi;

    use super::ApiDoc;

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
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("document as JSON");
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
