//! The administrator's service-token pages: the list with a form to make
//! one, the page that shows a new token once, and revocation after a
//! confirmation.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{Listed, NewToken, DEFAULT_DAYS, DEFAULT_RATE};
use crate::app::AppState;
use crate::db::{ServiceTokenId, TokenScope};
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::web::auth::PersonAdmin;
use crate::web::csrf::CsrfForm;
use crate::web::input::{Line, Query, Word};
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, Pager, PAGE_SIZE};
use crate::zone::FirmZone;

/// One token as a row of the list shows it, times in the firm's zone.
pub struct Row {
    pub id: ServiceTokenId,
    pub name: String,
    pub scope: &'static str,
    pub prefix: String,
    pub rate: i32,
    pub made_by: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub state: &'static str,
    pub live: bool,
}

impl Row {
    fn new(listed: Listed, zone: &FirmZone, now: chrono::NaiveDateTime) -> Row {
        let Listed { token, made_by } = listed;
        let state = match token.state(now) {
            "revoked" => "Revoked",
            "expired" => "Expired",
            _ => "Active",
        };
        Row {
            id: token.id,
            scope: token.scope.label(),
            prefix: token.token_prefix.clone(),
            rate: token.requests_per_minute,
            made_by,
            created: zone.text(token.created_at),
            expires: zone.text(token.expires_at),
            last_used: token.last_used_at.map_or_else(|| "never".to_string(), |t| zone.text(t)),
            live: state == "Active",
            state,
            name: token.name,
        }
    }
}

/// What a refused form said, for `_partials/form_errors.html`.
#[derive(Default)]
pub struct Errors {
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

impl Errors {
    /// The sentence about one field, shown beside it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|d| d.field.as_deref() == Some(field))
            .map(|d| d.message.as_str())
    }
}

/// The values a form was sent with, to show it again.
pub struct Fields {
    pub name: String,
    pub scope: String,
    pub days: String,
    pub rate: String,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            name: String::new(),
            scope: "read_only".into(),
            days: DEFAULT_DAYS.to_string(),
            rate: DEFAULT_RATE.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/service_tokens.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    scopes: [TokenScope; 3],
    form: Fields,
    errors: Option<Errors>,
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
}

async fn list_page(
    state: &AppState,
    ctx: &PageCtx,
    after: Option<&str>,
    form: Fields,
    errors: Option<Errors>,
) -> AppResult<ListPage> {
    let after = paging::after_id(after)?.map(ServiceTokenId);
    let rows = state
        .db(move |conn| super::list(conn, after, paging::fetch(PAGE_SIZE)))
        .await?;
    let page = Page::cut(rows, PAGE_SIZE, |l| l.token.id);
    let now = state.clock.now();
    let zone = &state.config.firm_zone;
    Ok(ListPage {
        chrome: ctx.chrome("Service tokens"),
        rows: page.rows.into_iter().map(|l| Row::new(l, zone, now)).collect(),
        pager: Pager::next("/admin/tokens", "", "after", page.next, "Older tokens").with_first(
            after.is_none(),
            "/admin/tokens",
            "Back to the newest tokens",
        ),
        scopes: TokenScope::ALL,
        form,
        errors,
    })
}

async fn list(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _admin: PersonAdmin,
    query: Query<ListQuery>,
) -> AppResult<HttpResponse> {
    render(&list_page(&state, &ctx, query.after.as_deref(), Fields::default(), None).await?)
}

#[derive(Deserialize)]
struct CreateForm {
    name: Line<200>,
    scope: Word,
    days: Word,
    rate: Word,
}

/// A number typed in a form, or a refusal naming the field.
fn number<T: std::str::FromStr>(value: &str, field: &str, what: &str, details: &mut Vec<ErrorDetail>) -> Option<T> {
    let parsed = value.trim().parse().ok();
    if parsed.is_none() {
        details.push(ErrorDetail::field(
            field,
            format!("Enter the {what} as a whole number."),
        ));
    }
    parsed
}

#[derive(Template)]
#[template(path = "accounts/service_token_created.html")]
struct CreatedPage {
    chrome: Chrome,
    row: Row,
    token: String,
}

async fn create(
    state: web::Data<AppState>,
    ctx: PageCtx,
    PersonAdmin(admin): PersonAdmin,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<HttpResponse> {
    let mut details = Vec::new();
    let days = number::<i64>(&form.days, "expires_in_days", "number of days", &mut details);
    let rate = number::<i32>(&form.rate, "requests_per_minute", "requests a minute", &mut details);
    let checked = NewToken::parse(&form.name, &form.scope, days, rate);
    let new = match checked {
        Ok(new) if details.is_empty() => new,
        outcome => {
            if let Err(AppError::Invalid { details: more, .. }) = outcome {
                details.extend(more);
            }
            let errors = Errors {
                message: "The token was not made; correct the fields named.".into(),
                details,
            };
            let fields = Fields {
                name: form.name.into_inner(),
                scope: form.scope.into_inner(),
                days: form.days.into_inner(),
                rate: form.rate.into_inner(),
            };
            let page = list_page(&state, &ctx, None, fields, Some(errors)).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let now = state.clock.now();
    let (listed, token) = state.db(move |conn| super::create(conn, &new, admin.id, now)).await?;
    // Shown in this answer only: the token is not stored, so this page is
    // not reached by a redirect that could be reloaded.
    let mut response = render(&CreatedPage {
        chrome: ctx.chrome("Service token made"),
        row: Row::new(listed, &state.config.firm_zone, now),
        token,
    })?;
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "accounts/service_token_revoke.html")]
struct RevokePage {
    chrome: Chrome,
    row: Row,
}

async fn confirm_revoke(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _admin: PersonAdmin,
    id: web::Path<ServiceTokenId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let listed = state.db(move |conn| super::find(conn, id)).await?;
    render(&RevokePage {
        chrome: ctx.chrome("Revoke a service token"),
        row: Row::new(listed, &state.config.firm_zone, state.clock.now()),
    })
}

#[derive(Deserialize)]
struct EmptyForm {}

async fn revoke(
    state: web::Data<AppState>,
    PersonAdmin(admin): PersonAdmin,
    id: web::Path<ServiceTokenId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let now = state.clock.now();
    state.db(move |conn| super::revoke(conn, id, admin.id, now)).await?;
    Ok(redirect("/admin/tokens"))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/tokens", web::get().to(list))
        .route("/admin/tokens", web::post().to(create))
        .route("/admin/tokens/{id}/revoke", web::get().to(confirm_revoke))
        .route("/admin/tokens/{id}/revoke", web::post().to(revoke));
}
