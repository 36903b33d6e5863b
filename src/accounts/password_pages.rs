//! The password pages: "forgot password", choosing a new one from an emailed
//! link, and changing it while signed in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::client::ClientAddr;
use super::flows;
use super::web::FieldErrors;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::auth::{session_token, AuthUser};
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    email: String,
    sent: Option<&'static str>,
    errors: FieldErrors,
}

async fn forgot_page(ctx: PageCtx) -> AppResult<HttpResponse> {
    render(&ForgotPage {
        chrome: ctx.chrome("Forgot your password?"),
        email: String::new(),
        sent: None,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct ForgotForm {
    email: String,
}

async fn forgot(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> AppResult<HttpResponse> {
    let requested = match flows::reset_address(&form.email) {
        Ok(email) => flows::request_reset(&state, email).await,
        Err(e) => Err(e),
    };
    match requested {
        Ok(()) => render(&ForgotPage {
            chrome: ctx.chrome("Forgot your password?"),
            email: String::new(),
            sent: Some(flows::RESET_REQUESTED),
            errors: FieldErrors::default(),
        }),
        Err(e @ AppError::Invalid { .. }) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ForgotPage {
                chrome: ctx.chrome("Forgot your password?"),
                email: form.email,
                sent: None,
                errors: FieldErrors::from_error(&e),
            },
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    chrome: Chrome,
    /// `None` when the link no longer works.
    token: Option<String>,
    errors: FieldErrors,
}

#[derive(Deserialize)]
struct ResetQuery {
    token: Option<String>,
}

async fn reset_page(state: web::Data<AppState>, ctx: PageCtx, query: Query<ResetQuery>) -> AppResult<HttpResponse> {
    let token = query.token.clone().unwrap_or_default();
    let now = state.clock.now();
    let lookup = token.clone();
    let usable = !token.is_empty()
        && state
            .db(move |conn| super::passwords::reset_target(conn, &lookup, now))
            .await?
            .is_some();
    let page = ResetPage {
        chrome: ctx.chrome("Choose a new password"),
        token: usable.then_some(token),
        errors: FieldErrors::default(),
    };
    let mut response = if usable {
        render(&page)?
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)?
    };
    // The token is in this page's address: no Referer may carry it on.
    response.headers_mut().insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct ResetForm {
    token: String,
    password: String,
}

async fn reset(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<HttpResponse> {
    match flows::reset_password(&state, &form.token, &form.password).await {
        Ok(_) => Ok(redirect("/signin?reset=1")),
        Err(e @ AppError::Invalid { .. }) => {
            let link_dead = e.details().iter().any(|d| d.field.as_deref() == Some("token"));
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage {
                    chrome: ctx.chrome("Choose a new password"),
                    token: (!link_dead).then_some(form.token),
                    errors: FieldErrors::from_error(&e),
                },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct ChangePage {
    chrome: Chrome,
    changed: bool,
    error: Option<String>,
    errors: FieldErrors,
}

#[derive(Deserialize)]
struct ChangeQuery {
    changed: Option<String>,
}

async fn change_page(ctx: PageCtx, _user: AuthUser, query: Query<ChangeQuery>) -> AppResult<HttpResponse> {
    render(&ChangePage {
        chrome: ctx.chrome("Change your password"),
        changed: query.changed.is_some(),
        error: None,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct ChangeForm {
    current_password: String,
    new_password: String,
}

async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    ctx: PageCtx,
    AuthUser(user): AuthUser,
    client: ClientAddr,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> AppResult<HttpResponse> {
    let keep = session_token(&req).map(|(token, _)| token);
    let changed =
        flows::change_password(&state, &user, &form.current_password, &form.new_password, keep, &client).await;
    let (status, error, errors) = match changed {
        Ok(()) => return Ok(redirect("/account/password?changed=1")),
        Err(e @ AppError::Invalid { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, None, FieldErrors::from_error(&e)),
        Err(e @ AppError::Throttled { .. }) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some(e.public_message()),
            FieldErrors::default(),
        ),
        Err(e) => return Err(e),
    };
    render_status(
        status,
        &ChangePage {
            chrome: ctx.chrome("Change your password"),
            changed: false,
            error,
            errors,
        },
    )
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/password/forgot", web::get().to(forgot_page))
        .route("/password/forgot", web::post().to(forgot))
        .route("/password/reset", web::get().to(reset_page))
        .route("/password/reset", web::post().to(reset))
        .route("/account/password", web::get().to(change_page))
        .route("/account/password", web::post().to(change));
}
