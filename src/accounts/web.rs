//! The accounts pages: sign in, register and profile. The admin's pages are
//! in `admin`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use super::api::{clear_session_cookie, session_cookie};
use super::client::ClientAddr;
use super::flows;
use super::next_path::safe_next;
use super::service::{self, NewAccount};
use super::validate::{ProfileInput, DEGREE_CLASSES, DOMAINS, TRACKS};
use crate::app::AppState;
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::web::auth::{session_token, CandidateUser};
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

/// Field errors for a form, looked up by name in the template.
#[derive(Default)]
pub struct FieldErrors(pub(crate) Vec<ErrorDetail>);

impl FieldErrors {
    pub fn from_error(err: &AppError) -> FieldErrors {
        FieldErrors(err.details().to_vec())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|d| d.field.as_deref() == Some(field))
            .map(|d| d.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "accounts/signin.html")]
struct SignInPage {
    chrome: Chrome,
    email: String,
    next: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct SignInQuery {
    next: Option<String>,
    registered: Option<String>,
    reset: Option<String>,
}

async fn sign_in_page(ctx: PageCtx, query: Query<SignInQuery>) -> AppResult<HttpResponse> {
    let next = safe_next(query.next.as_deref());
    if ctx.user.is_some() {
        return Ok(redirect(&next));
    }
    let notice = if query.registered.is_some() {
        Some(flows::REGISTRATION_RECEIVED)
    } else if query.reset.is_some() {
        Some("Your password has been changed and you have been signed out everywhere. Sign in with the new password.")
    } else {
        None
    };
    render(&SignInPage {
        chrome: ctx.chrome("Sign in"),
        email: String::new(),
        next,
        notice,
        error: None,
    })
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn sign_in(
    state: web::Data<AppState>,
    ctx: PageCtx,
    client: ClientAddr,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> AppResult<HttpResponse> {
    let next = safe_next(form.next.as_deref());
    match flows::sign_in(&state, &form.email, &form.password, &client).await {
        Ok((_, token)) => Ok(HttpResponse::SeeOther()
            .cookie(session_cookie(&state, token))
            .insert_header(("Location", next))
            .finish()),
        Err(e @ (AppError::InvalidCredentials | AppError::Throttled { .. } | AppError::Busy { .. })) => {
            let status = e.status_code();
            let page = SignInPage {
                chrome: ctx.chrome("Sign in"),
                email: form.email,
                next,
                notice: None,
                error: Some(e.public_message()),
            };
            render_status(status, &page)
        }
        Err(e) => Err(e),
    }
}

async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    if let Some((token, _)) = session_token(&req) {
        state.sessions.forget(&token, state.clock.now());
        state.db(move |conn| service::end_session(conn, &token)).await?;
    }
    Ok(HttpResponse::SeeOther()
        .cookie(clear_session_cookie())
        .insert_header(("Location", "/"))
        .finish())
}

#[derive(Deserialize)]
struct Empty {}

#[derive(Template)]
#[template(path = "accounts/register.html")]
struct RegisterPage {
    chrome: Chrome,
    email: String,
    full_name: String,
    errors: FieldErrors,
    /// Where to go after signing in (a drive's invite link), or `/`.
    next: String,
}

#[derive(Deserialize)]
struct RegisterQuery {
    next: Option<String>,
}

async fn register_page(ctx: PageCtx, query: Query<RegisterQuery>) -> AppResult<HttpResponse> {
    let next = safe_next(query.next.as_deref());
    if ctx.user.is_some() {
        return Ok(redirect(&next));
    }
    render(&RegisterPage {
        chrome: ctx.chrome("Register"),
        email: String::new(),
        full_name: String::new(),
        errors: FieldErrors::default(),
        next,
    })
}

#[derive(Deserialize)]
struct RegisterForm {
    email: String,
    full_name: String,
    password: String,
    next: Option<String>,
}

impl TryFrom<&RegisterForm> for NewAccount {
    type Error = AppError;

    fn try_from(form: &RegisterForm) -> AppResult<NewAccount> {
        NewAccount::parse_registration(&form.email, &form.full_name, &form.password)
    }
}

/// Where registration sends everyone: sign in, then on to the profile.
pub const AFTER_REGISTRATION: &str = "/signin?registered=1&next=%2Fprofile%3Fwelcome%3D1";

/// After registering with somewhere to go (an invite link), sign in and go
/// there; otherwise on to the profile.
fn after_registration(next: Option<&str>) -> String {
    match safe_next(next) {
        home if home == "/" => AFTER_REGISTRATION.to_string(),
        next => {
            let query = serde_urlencoded::to_string([("registered", "1"), ("next", next.as_str())]).unwrap_or_default();
            format!("/signin?{query}")
        }
    }
}

async fn register(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> AppResult<HttpResponse> {
    let outcome = match NewAccount::try_from(&form) {
        Ok(account) => flows::register(&state, account, None).await,
        Err(e) => Err(e),
    };
    match outcome {
        // The same answer whether or not the address was new: no session
        // (an existing owner's could not be given), and the sign-in page
        // says an email is on its way.
        Ok(()) => Ok(redirect(&after_registration(form.next.as_deref()))),
        Err(e @ AppError::Invalid { .. }) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RegisterPage {
                chrome: ctx.chrome("Register"),
                email: form.email,
                full_name: form.full_name,
                errors: FieldErrors::from_error(&e),
                next: safe_next(form.next.as_deref()),
            },
        ),
        Err(e) => Err(e),
    }
}

/// Form values as typed, so a rejected form comes back as the person left it.
#[derive(Deserialize, Default)]
struct ProfileForm {
    degree: Option<String>,
    institute: Option<String>,
    graduation_year: Option<String>,
    score_percent: Option<String>,
    degree_class: Option<String>,
    domain: Option<String>,
    experience_years: Option<String>,
    preferred_track: Option<String>,
}

fn number<T: std::str::FromStr>(
    raw: &Option<String>,
    field: &str,
    what: &str,
    errors: &mut Vec<ErrorDetail>,
) -> Option<T> {
    let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(ErrorDetail::field(field, format!("'{raw}' is not {what}.")));
            None
        }
    }
}

impl TryFrom<&ProfileForm> for ProfileInput {
    type Error = AppError;

    /// Every number is checked before any is refused, so the page marks
    /// each field that needs fixing.
    fn try_from(form: &ProfileForm) -> AppResult<ProfileInput> {
        let mut errors = Vec::new();
        let input = ProfileInput {
            degree: form.degree.clone(),
            institute: form.institute.clone(),
            graduation_year: number(&form.graduation_year, "graduation_year", "a year", &mut errors),
            score_percent: number(&form.score_percent, "score_percent", "a number", &mut errors),
            degree_class: form.degree_class.clone(),
            domain: form.domain.clone(),
            experience_years: number(
                &form.experience_years,
                "experience_years",
                "a whole number",
                &mut errors,
            ),
            preferred_track: form.preferred_track.clone(),
        };
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(AppError::invalid("Some profile fields need fixing.", errors))
        }
    }
}

impl ProfileForm {
    fn from_input(p: &ProfileInput) -> ProfileForm {
        let s = |v: Option<String>| v;
        ProfileForm {
            degree: s(p.degree.clone()),
            institute: s(p.institute.clone()),
            graduation_year: p.graduation_year.map(|v| v.to_string()),
            score_percent: p.score_percent.map(|v| v.to_string()),
            degree_class: s(p.degree_class.clone()),
            domain: s(p.domain.clone()),
            experience_years: p.experience_years.map(|v| v.to_string()),
            preferred_track: s(p.preferred_track.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    form: ProfileForm,
    errors: FieldErrors,
    saved: bool,
    welcome: bool,
    domains: &'static [&'static str],
    degree_classes: &'static [&'static str],
    tracks: &'static [&'static str],
}

impl ProfilePage {
    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
}

#[derive(Deserialize)]
struct ProfileQuery {
    welcome: Option<String>,
    saved: Option<String>,
}

async fn profile_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    query: Query<ProfileQuery>,
) -> AppResult<HttpResponse> {
    let row = state.db(move |conn| service::get_profile(conn, user.id)).await?;
    let input = row.as_ref().map(ProfileInput::from).unwrap_or_default();
    render(&ProfilePage {
        chrome: ctx.chrome("Your profile"),
        form: ProfileForm::from_input(&input),
        errors: FieldErrors::default(),
        saved: query.saved.is_some(),
        welcome: query.welcome.is_some(),
        domains: &DOMAINS,
        degree_classes: &DEGREE_CLASSES,
        tracks: &TRACKS,
    })
}

async fn save_profile(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let saved = match ProfileInput::try_from(&form) {
        Ok(input) => {
            state
                .db(move |conn| service::put_profile(conn, user.id, &input, now))
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(redirect("/profile?saved=1")),
        Err(e @ AppError::Invalid { .. }) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ProfilePage {
                chrome: ctx.chrome("Your profile"),
                form,
                errors: FieldErrors::from_error(&e),
                saved: false,
                welcome: false,
                domains: &DOMAINS,
                degree_classes: &DEGREE_CLASSES,
                tracks: &TRACKS,
            },
        ),
        Err(e) => Err(e),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/signin", web::get().to(sign_in_page))
        .route("/signin", web::post().to(sign_in))
        .route("/signout", web::post().to(sign_out))
        .route("/register", web::get().to(register_page))
        .route("/register", web::post().to(register))
        .route("/profile", web::get().to(profile_page))
        .route("/profile", web::post().to(save_profile));
}
