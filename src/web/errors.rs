//! Turning errors into answers: JSON for the API (see `AppError`'s
//! `ResponseError`), an HTML page in the layout for browser routes, and clear
//! messages for bodies, queries and paths the extractors refuse.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::pages::Chrome;
use crate::error::{AppError, ErrorDetail};

pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/readyz"
}

pub fn payload_error(message: &str) -> AppError {
    if message.contains("overflow") || message.contains("too large") || message.contains("limit") {
        AppError::PayloadTooLarge("The body is larger than this server accepts; send a smaller one.".into())
    } else {
        AppError::BadRequest(format!("The body could not be read: {message}."))
    }
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |err, _req| {
        let app = match &err {
            JsonPayloadError::ContentType => AppError::UnsupportedMediaType(
                "Send the body as JSON with the header Content-Type: application/json.".into(),
            ),
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                AppError::PayloadTooLarge(format!("The body is larger than the limit of {limit} bytes."))
            }
            JsonPayloadError::Deserialize(e) if e.is_data() => AppError::invalid(
                format!("The JSON has the wrong shape: {e}."),
                vec![ErrorDetail::line(e.line(), Some(e.column()), e.to_string())],
            ),
            JsonPayloadError::Deserialize(e) => AppError::BadRequest(format!("The body is not valid JSON: {e}.")),
            other => AppError::BadRequest(format!("The body could not be read: {other}.")),
        };
        app.into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        AppError::BadRequest(format!("The query string is not right: {err}.")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_err: PathError, req| AppError::NotFound(format!("There is nothing at {}.", req.path())).into())
}

pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(format!("There is nothing at {}.", req.path())))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    message: String,
}

/// Re-renders errors on browser routes as pages; 401 becomes a redirect to
/// sign-in that comes back here afterwards.
pub async fn html_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let api = is_api_path(req.path());
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_else(|| "/".into());
    let res = next.call(req).await?;
    if api || !(res.status().is_client_error() || res.status().is_server_error()) {
        return Ok(res.map_into_left_body());
    }
    let Some(err) = res.response().error() else {
        return Ok(res.map_into_left_body());
    };
    if res.status().is_client_error() {
        // An error page keeps the signed-in person's menu; a route that never
        // asked who is signed in (an unknown address) asks now.
        let _ = super::auth::current_user(res.request()).await;
    }
    let page = page_for(res.request(), err.as_error::<AppError>(), res.status(), &target);
    Ok(res.into_response(page).map_into_right_body())
}

fn page_for(req: &HttpRequest, err: Option<&AppError>, status: StatusCode, target: &str) -> HttpResponse {
    if status == StatusCode::UNAUTHORIZED && !matches!(err, Some(AppError::InvalidCredentials)) {
        let next = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
        return HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/signin?{next}")))
            .finish();
    }
    let message = match err {
        Some(e) => e.public_message(),
        None if status == StatusCode::PAYLOAD_TOO_LARGE => "That upload is larger than this server accepts.".into(),
        None => status.canonical_reason().unwrap_or("Something went wrong").to_string(),
    };
    let title = status.canonical_reason().unwrap_or("Error").to_string();
    let page = ErrorPage {
        chrome: Chrome::bare(req, &title),
        status: status.as_u16(),
        message,
    };
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(_) => HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(title),
    }
}
