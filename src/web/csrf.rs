//! CSRF: a signed token lives in a cookie and must come back with every form
//! (as `csrf_token`) and with every cookie-authenticated API write (as the
//! `X-CSRF-Token` header). Bearer requests carry no ambient credentials, so
//! they need none.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use super::auth::session_token;
use crate::app::AppState;
use crate::error::AppError;
use crate::tokens;

pub const CSRF_COOKIE: &str = "assay_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// This request's CSRF token, for rendering into forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

fn refused() -> AppError {
    AppError::Forbidden(
        "This form has expired or did not come from this site; reload the page and send it again.".into(),
    )
}

fn secret(req: &HttpRequest) -> Vec<u8> {
    req.app_data::<web::Data<AppState>>()
        .map(|s| s.config.secret_key.clone())
        .unwrap_or_default()
}

fn valid_cookie(req: &HttpRequest) -> Option<String> {
    let secret = secret(req);
    req.cookie(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| tokens::csrf_token_is_valid(&secret, t))
}

fn matches_cookie(req: &HttpRequest, sent: Option<&str>) -> bool {
    match (valid_cookie(req), sent) {
        (Some(cookie), Some(sent)) => tokens::constant_time_eq(cookie.as_bytes(), sent.as_bytes()),
        _ => false,
    }
}

/// Marks a request whose page minted a new token, so the response sets it.
struct MintedCsrf;

/// The CSRF token for a page about to render a form: the one in the cookie,
/// or a new one that the middleware then sets as the cookie. Only pages ask,
/// so API calls, assets and health checks mint nothing.
pub fn token_for_page(req: &HttpRequest) -> String {
    if let Some(token) = req.extensions().get::<CsrfToken>() {
        return token.0.clone();
    }
    let token = valid_cookie(req).unwrap_or_else(|| {
        req.extensions_mut().insert(MintedCsrf);
        tokens::new_csrf_token(&secret(req))
    });
    req.extensions_mut().insert(CsrfToken(token.clone()));
    token
}

/// Guards cookie-authenticated API writes, and sets the cookie when a page
/// minted a token.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && req.path().starts_with("/api/") && matches!(session_token(req.request()), Some((_, false))) {
        let sent = req.headers().get(CSRF_HEADER).and_then(|h| h.to_str().ok());
        if !matches_cookie(req.request(), sent) {
            return Ok(req.error_response(refused()).map_into_right_body());
        }
    }

    let mut res = next.call(req).await?;
    let minted = {
        let ext = res.request().extensions();
        ext.contains::<MintedCsrf>()
            .then(|| ext.get::<CsrfToken>().map(|t| t.0.clone()))
            .flatten()
    };
    if let Some(token) = minted {
        let secure = res
            .request()
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.config.secure_cookies());
        let cookie = Cookie::build(CSRF_COOKIE, token)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res.map_into_left_body())
}

/// A url-encoded form whose `csrf_token` matched the cookie. Use it for every
/// form handler instead of `web::Form`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let body = body.await.map_err(|e| super::errors::payload_error(&e.to_string()))?;
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}.")))?;
            let sent = pairs.iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.as_str());
            if !matches_cookie(&req, sent) {
                return Err(refused());
            }
            super::input::read_urlencoded(&body, "form").map(CsrfForm)
        })
    }
}

/// Checks a token sent in a form the extractor cannot read (multipart).
pub fn verify(req: &HttpRequest, sent: Option<&str>) -> Result<(), AppError> {
    if matches_cookie(req, sent) {
        Ok(())
    } else {
        Err(refused())
    }
}
