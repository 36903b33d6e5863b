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
