//! The parts of the OpenAPI document that no handler states (title, shared
//! error schemas, the bearer scheme), where areas register their JSON
//! handlers, and the route that serves the document. The paths come from the
//! handlers themselves: `crate::server::api::v1` builds the routes and the document
//! together.

use actix_web::dev::HttpServiceFactory;
use actix_web::{web, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::OpenApiFactory;

#[derive(OpenApi)]
#[openapi(
    info(title = "Assay API", description = "Recruitment, assessment and routing for KPO firms."),
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

/// Where an area registers its JSON handlers. Its one method takes only a
/// handler that carries both its route (`#[get("/path")]`) and its document
/// (`#[utoipa::path]`), so nothing is served under `/api/v1` that the
/// document does not describe, and no path is written twice.
pub struct ApiRoutes<'a, 's>(&'a mut ServiceConfig<'s>);

impl<'a, 's> ApiRoutes<'a, 's> {
    pub fn new(cfg: &'a mut ServiceConfig<'s>) -> Self {
        Self(cfg)
    }

    pub fn service<H>(&mut self, handler: H) -> &mut Self
    where
        H: HttpServiceFactory + OpenApiFactory + 'static,
    {
        self.0.service(handler);
        self
    }
}

/// Serves the document `crate::server::api::v1` built with the routes.
pub async fn document(doc: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(&**doc)
}
