//! Staff administration in pages: one person's account (name, role,
//! deactivate with confirmation, reactivate) and the audit log with names
//! and filters.

use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{Account, UserEdit};
use crate::accounts::web::FieldErrors;
use crate::app::AppState;
use crate::audit::{self, AuditFilter, Named};
use crate::db::{Role, UserId};
use crate::error::{AppError, AppResult};
use crate::web::auth::AdminUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, Pager};

#[derive(Template)]
#[template(path = "accounts/user.html")]
struct UserPage {
    chrome: Chrome,
    account: Account,
    /// The name as typed, when the form came back with errors.
    name: String,
    errors: FieldErrors,
    done: Option<&'static str>,
    is_me: bool,
    /// Asking to confirm a deactivation.
    confirming: bool,
}

impl UserPage {
    fn roles(&self) -> [Role; 4] {
        Role::ALL
    }
}

#[derive(Deserialize)]
struct UserQuery {
    done: Option<String>,
}

fn done_sentence(done: &str) -> Option<&'static str> {
    Some(match done {
        "saved" => "Saved. A new role takes effect on the person's next click.",
        "deactivated" => "The account is deactivated: every session of theirs has ended and they cannot sign in.",
        "reactivated" => "The account is active again: the person can sign in.",
        _ => return None,
    })
}

async fn user_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AdminUser(admin): AdminUser,
    path: web::Path<UserId>,
    query: Query<UserQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let account = state.db(move |conn| super::find(conn, id)).await?;
    render(&UserPage {
        chrome: ctx.chrome(account.full_name.clone()),
        name: account.full_name.clone(),
        account,
        errors: FieldErrors::default(),
        done: query.done.as_deref().and_then(done_sentence),
        is_me: admin.id == id,
        confirming: false,
    })
}

#[derive(Deserialize)]
struct EditForm {
    full_name: String,
    role: String,
}

async fn edit(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AdminUser(admin): AdminUser,
    path: web::Path<UserId>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let change = UserEdit {
        full_name: Some(form.full_name.clone()),
        role: form.role.parse::<Role>().ok(),
    };
    let outcome = state
        .db(move |conn| super::edit(conn, id, &change, admin.id, now))
        .await;
    match outcome {
        Ok(_) => {
            state.sessions.forget_sessions_of(id, None, now);
            Ok(redirect(&format!("/admin/users/{id}?done=saved")))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let account = state.db(move |conn| super::find(conn, id)).await?;
            let mut errors = FieldErrors::from_error(&e);
            if errors.is_empty() {
                errors = FieldErrors::from_error(&AppError::invalid_field("role", e.public_message()));
            }
            let page = UserPage {
                chrome: ctx.chrome(account.full_name.clone()),
                account,
                name: form.full_name,
                errors,
                done: None,
                is_me: admin.id == id,
                confirming: false,
            };
            render_status(e.status_code(), &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    /// `0` to deactivate, `1` to reactivate.
    active: String,
    confirmed: Option<String>,
}

async fn set_active(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AdminUser(admin): AdminUser,
    path: web::Path<UserId>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let active = form.active == "1";
    if !active && form.confirmed.is_none() {
        let account = state.db(move |conn| super::find(conn, id)).await?;
        return render(&UserPage {
            chrome: ctx.chrome(format!("Deactivate {}?", account.full_name)),
            name: account.full_name.clone(),
            account,
            errors: FieldErrors::default(),
            done: None,
            is_me: admin.id == id,
            confirming: true,
        });
    }
    state
        .db(move |conn| super::set_active(conn, id, active, admin.id, now))
        .await?;
    if !active {
        state.sessions.forget_sessions_of(id, None, now);
    }
    let done = if active { "reactivated" } else { "deactivated" };
    Ok(redirect(&format!("/admin/users/{id}?done={done}")))
}

const AUDIT_PER_PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "accounts/audit.html")]
struct AuditPage {
    chrome: Chrome,
    entries: Vec<Named>,
    pager: Pager,
    actions: Vec<String>,
    /// The filters as asked, to fill the form again.
    person: String,
    action: String,
    from: String,
    to: String,
    filtered: bool,
}

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<i32>,
    person: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A day typed into the filter, or the sentence saying what is wrong with it.
fn day(raw: Option<&str>, which: &str) -> AppResult<Option<NaiveDate>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => NaiveDate::parse_from_str(r, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid_field(which, format!("'{r}' is not a day such as 2026-12-07."))),
    }
}

async fn audit_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _admin: AdminUser,
    query: Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let filter = AuditFilter {
        person: query.person.clone().map(|p| p.chars().take(200).collect()),
        action: query.action.clone(),
        from: day(query.from.as_deref(), "from")?,
        to: day(query.to.as_deref(), "to")?,
        ..AuditFilter::default()
    };
    let before = query.before;
    let (entries, actions) = state
        .db(move |conn| {
            let entries = audit::filtered_page(conn, &filter, before, paging::fetch(AUDIT_PER_PAGE))?;
            Ok((entries, audit::actions(conn)?))
        })
        .await?;
    let Page { rows: entries, next } = Page::cut(entries, AUDIT_PER_PAGE, |e| e.entry.id);
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
    let (person, action, from, to) = (
        text(&query.person),
        text(&query.action),
        text(&query.from),
        text(&query.to),
    );
    let kept = serde_urlencoded::to_string([
        ("person", person.as_str()),
        ("action", action.as_str()),
        ("from", from.as_str()),
        ("to", to.as_str()),
    ])
    .unwrap_or_default();
    render(&AuditPage {
        chrome: ctx.chrome("Audit log"),
        entries,
        pager: Pager::next("/admin/audit", &kept, "before", next, "Older entries").with_first(
            before.is_none(),
            format!("/admin/audit?{kept}"),
            "Back to the newest",
        ),
        actions,
        filtered: !(person.is_empty() && action.is_empty() && from.is_empty() && to.is_empty()),
        person,
        action,
        from,
        to,
    })
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users/{id}", web::get().to(user_page))
        .route("/admin/users/{id}", web::post().to(edit))
        .route("/admin/users/{id}/active", web::post().to(set_active))
        .route("/admin/audit", web::get().to(audit_page));
}
