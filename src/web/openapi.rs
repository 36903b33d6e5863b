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
