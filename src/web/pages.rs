//! Page chrome shared by every HTML page, the home page, static files and
//! health checks.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::auth::current_user;
use super::csrf::token_for_page;
use crate::app::AppState;
use crate::db::Role;
use crate::error::{AppError, AppResult};
use crate::identity::User;
use crate::zone::FirmZone;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// What the layout needs: title, who is signed in, the CSRF token for forms.
pub struct Chrome {
    pub title: String,
    pub user: Option<User>,
    pub csrf: String,
    pub firm: String,
    pub nav: Vec<NavLink>,
    /// The firm's time zone: templates show times with `chrome.zone.moment(t)`.
    pub zone: FirmZone,
}

/// The links a role sees in the top bar: its main places.
pub fn nav_for(role: Option<Role>) -> Vec<NavLink> {
    let link = |href, label| NavLink { href, label };
    match role {
        None => vec![],
        Some(Role::Candidate) => vec![
            link("/", "Home"),
            link("/drives", "Drives"),
            link("/training", "Training"),
            link("/profile", "Profile"),
        ],
        Some(Role::Recruiter) => vec![
            link("/", "Home"),
            link("/drives", "Drives"),
            link("/assessments", "Assessments"),
        ],
        Some(Role::Trainer) => vec![
            link("/", "Home"),
            link("/banks", "Question banks"),
            link("/assessments", "Assessments"),
            link("/marking", "Marking"),
            link("/cohorts", "Cohorts"),
            link("/calibrations", "Calibrations"),
        ],
        Some(Role::Admin) => vec![
            link("/", "Home"),
            link("/drives", "Drives"),
            link("/assessments", "Assessments"),
            link("/cohorts", "Cohorts"),
            link("/processes", "Processes"),
            link("/admin/users", "Users"),
            link("/admin/audit", "Audit log"),
            link("/admin/notices", "Notices"),
            link("/admin/webhooks", "Webhooks"),
            link("/admin/tokens", "Service tokens"),
        ],
    }
}

impl Chrome {
    /// Chrome from what earlier extractors left on the request; used by error
    /// pages, which cannot look anything up: a signed-in person whose session
    /// was read keeps their menu.
    pub fn bare(req: &HttpRequest, title: &str) -> Chrome {
        let user = super::auth::resolved_user(req);
        let csrf = token_for_page(req);
        let state = req.app_data::<web::Data<AppState>>();
        let firm = state.map(|s| s.config.firm_name.clone()).unwrap_or_default();
        Chrome {
            title: title.to_string(),
            nav: nav_for(user.as_ref().map(|u| u.role)),
            user,
            csrf,
            firm,
            zone: state.map(|s| s.config.firm_zone).unwrap_or_default(),
        }
    }
}

/// The extractor every page handler takes: the viewer and the CSRF token.
pub struct PageCtx {
    pub user: Option<User>,
    pub csrf: String,
    pub firm: String,
    pub zone: FirmZone,
}

impl PageCtx {
    pub fn chrome(&self, title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            user: self.user.clone(),
            csrf: self.csrf.clone(),
            firm: self.firm.clone(),
            nav: nav_for(self.user.as_ref().map(|u| u.role)),
            zone: self.zone,
        }
    }
}

impl FromRequest for PageCtx {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = current_user(&req).await?;
            let csrf = token_for_page(&req);
            let state = req.app_data::<web::Data<AppState>>();
            let firm = state.map(|s| s.config.firm_name.clone()).unwrap_or_default();
            let zone = state.map(|s| s.config.firm_zone).unwrap_or_default();
            Ok(PageCtx { user, csrf, firm, zone })
        })
    }
}

pub fn render(template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

pub fn render_status(status: actix_web::http::StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", to)).finish()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
}

async fn home(ctx: PageCtx) -> AppResult<HttpResponse> {
    render(&HomePage {
        chrome: ctx.chrome("Home"),
    })
}

const APP_CSS: &str = include_str!("../../templates/static/app.css");

async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(APP_CSS)
}

const TEST_JS: &str = include_str!("../../templates/static/test.js");

async fn test_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(TEST_JS)
}

const SIGNIN_JS: &str = include_str!("../../templates/static/signin.js");

async fn signin_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(SIGNIN_JS)
}

const TIME_JS: &str = include_str!("../../templates/static/time.js");

async fn time_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(TIME_JS)
}

const FAVICON_SVG: &str = include_str!("../../templates/static/favicon.svg");

/// The site's icon, served at both the address the layout names and the one
/// browsers ask for by default.
async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(FAVICON_SVG)
}

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = state
        .db(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(AppError::from)
        })
        .await;
    match ping {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e.chain(), "readiness check failed");
            HttpResponse::ServiceUnavailable().json(json!({"status": "unavailable"}))
        }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/static/app.css", web::get().to(app_css))
        .route("/static/test.js", web::get().to(test_js))
        .route("/static/signin.js", web::get().to(signin_js))
        .route("/static/time.js", web::get().to(time_js))
        .route("/favicon.svg", web::get().to(favicon))
        .route("/favicon.ico", web::get().to(favicon))
        .route("/readyz", web::get().to(readyz));
}
