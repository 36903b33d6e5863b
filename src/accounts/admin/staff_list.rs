//! The staff list: every account, searched and filtered by role, a page at
//! a time, with the form that adds a staff account.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{Account, UserSearch};
use crate::accounts::flows;
use crate::accounts::service::NewAccount;
use crate::accounts::web::FieldErrors;
use crate::app::AppState;
use crate::db::{Role, UserId};
use crate::error::{AppError, AppResult};
use crate::web::auth::AdminUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};
use crate::web::paging::{self, Page, Pager};

const USERS_PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<Account>,
    pager: Pager,
    role_filter: String,
    /// The search as typed.
    q: String,
    created: Option<String>,
    errors: FieldErrors,
    staff_roles: [Role; 3],
}

impl UsersPage {
    fn roles(&self) -> [Role; 4] {
        Role::ALL
    }
}

#[derive(Deserialize)]
struct UsersQuery {
    role: Option<String>,
    q: Option<String>,
    after: Option<i32>,
    created: Option<String>,
}

async fn users_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _admin: AdminUser,
    query: Query<UsersQuery>,
) -> AppResult<HttpResponse> {
    let role = query.role.as_deref().and_then(|r| r.parse::<Role>().ok());
    let after = query.after.map(UserId);
    let q: String = query
        .q
        .as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect();
    let search = UserSearch {
        q: Some(q.clone()),
        role,
        active: None,
    };
    let users = state
        .db(move |conn| super::search(conn, &search, after, paging::fetch(USERS_PER_PAGE)))
        .await?;
    let Page { rows: users, next } = Page::cut(users, USERS_PER_PAGE, |u| u.id);
    let role_filter = role.map(|r| r.as_str().to_string()).unwrap_or_default();
    let filter = serde_urlencoded::to_string([("role", role_filter.as_str()), ("q", q.as_str())]).unwrap_or_default();
    render(&UsersPage {
        chrome: ctx.chrome("Users"),
        users,
        pager: Pager::next("/admin/users", &filter, "after", next, "Next page"),
        role_filter,
        q,
        created: query.created.clone(),
        errors: FieldErrors::default(),
        staff_roles: [Role::Recruiter, Role::Trainer, Role::Admin],
    })
}

#[derive(Deserialize)]
struct NewStaffForm {
    email: String,
    full_name: String,
    role: String,
    password: String,
}

/// A staff account the admin's form asks for, checked.
struct NewStaff {
    account: NewAccount,
    role: Role,
}

impl TryFrom<NewStaffForm> for NewStaff {
    type Error = AppError;

    /// A role that is not a staff role is reported before the account's
    /// own fields.
    fn try_from(form: NewStaffForm) -> AppResult<NewStaff> {
        let role = form
            .role
            .parse::<Role>()
            .ok()
            .filter(|r| *r != Role::Candidate)
            .ok_or_else(|| AppError::invalid_field("role", "Choose recruiter, trainer or admin."));
        match (role, NewAccount::parse(&form.email, &form.full_name, &form.password)) {
            (Ok(role), Ok(account)) => Ok(NewStaff { account, role }),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }
}

async fn add_staff(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AdminUser(admin): AdminUser,
    CsrfForm(form): CsrfForm<NewStaffForm>,
) -> AppResult<HttpResponse> {
    let outcome = match NewStaff::try_from(form) {
        Ok(staff) => flows::add_staff(&state, staff.account, staff.role, Some(admin.id)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(user) => {
            let query = serde_urlencoded::to_string([("created", user.email.as_str())]).unwrap_or_default();
            Ok(redirect(&format!("/admin/users?{query}")))
        }
        Err(e @ AppError::Invalid { .. }) => {
            let users = state
                .db(move |conn| super::search(conn, &UserSearch::default(), None, USERS_PER_PAGE))
                .await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UsersPage {
                    chrome: ctx.chrome("Users"),
                    users,
                    pager: Pager::default(),
                    role_filter: String::new(),
                    q: String::new(),
                    created: None,
                    errors: FieldErrors::from_error(&e),
                    staff_roles: [Role::Recruiter, Role::Trainer, Role::Admin],
                },
            )
        }
        Err(e) => Err(e),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(users_page))
        .route("/admin/users", web::post().to(add_staff));
}
