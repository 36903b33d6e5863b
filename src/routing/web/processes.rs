//! The client processes: staff see each one's tier, cut-offs, seats and the
//! people working in it; admins add processes.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{cutoffs, sort_by_tier};
use crate::app::AppState;
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::Role;
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::routing::engine::{Tier, Track};
use crate::routing::service::{self, NewProcess, PlacedPerson, ProcessRow};
use crate::web::auth::{AdminUser, StaffUser};
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

struct Listed {
    process: ProcessRow,
    cutoffs: String,
    people: Vec<PlacedPerson>,
}

#[derive(Template)]
#[template(path = "processes/list.html")]
struct ListPage {
    chrome: Chrome,
    processes: Vec<Listed>,
    can_create: bool,
    created: bool,
    form: FormFields,
    errors: FormErrors,
    tiers: [Tier; 4],
    tracks: [Track; 2],
}

impl ListPage {
    async fn build(state: &AppState, ctx: &PageCtx, form: FormFields, errors: FormErrors) -> AppResult<ListPage> {
        let (mut rows, placed) = state
            .db(|conn| Ok((service::list_processes(conn)?, service::placed_people(conn)?)))
            .await?;
        sort_by_tier(&mut rows);
        let processes = rows
            .into_iter()
            .map(|p| Listed {
                cutoffs: cutoffs(&p),
                people: placed.iter().filter(|x| x.process_id == p.id).cloned().collect(),
                process: p,
            })
            .collect();
        Ok(ListPage {
            chrome: ctx.chrome("Processes"),
            processes,
            can_create: ctx.user.as_ref().is_some_and(|u| u.role == Role::Admin),
            created: false,
            form,
            errors,
            tiers: Tier::MOST_COMPLEX_FIRST,
            tracks: [Track::Kpo, Track::Bpo],
        })
    }
}

#[derive(Deserialize)]
struct ListQuery {
    created: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _s: StaffUser,
    query: Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let defaults = FormFields::from_pairs(&[
        ("track", "kpo"),
        ("tier", "standard"),
        ("min_percent", "60"),
        ("seats", "10"),
    ]);
    let mut page = ListPage::build(&state, &ctx, defaults, FormErrors::default()).await?;
    page.created = query.created.is_some();
    render(&page)
}

/// "Quant: 80" lines, one section each; a bad line is named by its number.
fn section_minimums(raw: &str, errors: &mut Vec<ErrorDetail>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (i, line) in raw.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let n = i + 1;
        let parsed = line.rsplit_once(':').and_then(|(name, value)| {
            let value = value.trim().trim_end_matches('%').trim();
            Some((name.trim(), value.parse::<f64>().ok()?)).filter(|(name, v)| !name.is_empty() && v.is_finite())
        });
        match parsed {
            Some((name, _)) if out.contains_key(name) => errors.push(ErrorDetail::field(
                "section_minimums",
                format!("Line {n}: {name} is named twice."),
            )),
            Some((name, value)) => {
                out.insert(name.to_string(), value);
            }
            None => errors.push(ErrorDetail::field(
                "section_minimums",
                format!(
                    "Line {n}: '{}' is not 'Section: percent', such as 'Quant: 80'.",
                    line.trim()
                ),
            )),
        }
    }
    out
}

fn read_process(form: &FormFields) -> AppResult<NewProcess> {
    let mut errors = Vec::new();
    let required = |name: &str, what: &str, errors: &mut Vec<ErrorDetail>| {
        if form.optional(name).is_none() {
            errors.push(ErrorDetail::field(name, format!("Enter {what}.")));
        }
    };
    required("min_percent", "the overall cut-off", &mut errors);
    required("seats", "the number of seats", &mut errors);
    let min_percent = form.number("min_percent", "min_percent", "a percentage", &mut errors);
    let seats = form.number("seats", "seats", "a whole number", &mut errors);
    let section_minimums = section_minimums(form.value("section_minimums"), &mut errors);
    match (min_percent, seats) {
        (Some(min_percent), Some(seats)) if errors.is_empty() => Ok(NewProcess {
            name: form.value("name").to_string(),
            client: form.value("client").to_string(),
            track: form.value("track").to_string(),
            tier: form.value("tier").to_string(),
            min_percent,
            section_minimums,
            seats,
        }),
        _ => Err(AppError::invalid("Some fields need fixing; nothing was saved.", errors)),
    }
}

async fn create(
    state: web::Data<AppState>,
    ctx: PageCtx,
    AdminUser(user): AdminUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let form = FormFields::new(pairs);
    let now = state.clock.now();
    let outcome = match read_process(&form) {
        Ok(p) => {
            state
                .db(move |conn| service::create_process(conn, &p, user.id, now))
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(redirect("/processes?created=1")),
        Err(e @ AppError::Invalid { .. }) => {
            let page = ListPage::build(&state, &ctx, form, FormErrors::from_error(e)).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/processes", web::get().to(list))
        .route("/processes", web::post().to(create));
}
