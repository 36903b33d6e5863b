//! The applicant list page and its bulk moves: choose people (or all who
//! match), confirm with their names and the email they will get, then read
//! what happened.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{ApplicantQuery, ApplicantRow, Plan};
use crate::app::AppState;
use crate::db::{ApplicationId, ApplicationStatus, DriveId};
use crate::drives::letters::{self, LetterPreview};
use crate::drives::pipeline::{Decision, Words};
use crate::drives::service::{self, DriveRow};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::csrf::CsrfForm;
use crate::web::input::Query;
use crate::web::pages::{redirect, render, Chrome, PageCtx};
use crate::web::paging::Pager;

#[derive(Template)]
#[template(path = "drives/applicants.html")]
struct ListPage {
    chrome: Chrome,
    drive: DriveRow,
    rows: Vec<ApplicantRow>,
    counts: Vec<(ApplicationStatus, i64)>,
    ineligible: i64,
    total: i64,
    matching: usize,
    query: ApplicantQuery,
    /// The search, filter and sort, for the download links.
    query_string: String,
    pager: Pager,
    done: Option<String>,
}

impl ListPage {
    fn label(&self, status: &ApplicationStatus) -> &'static str {
        crate::drives::staff_label(*status)
    }

    fn status_is(&self, value: &str) -> bool {
        self.query.status.as_deref() == Some(value)
    }

    fn moves(&self) -> Vec<(&'static str, &'static str)> {
        super::BULK_MOVES
            .iter()
            .map(|s| (s.as_str(), crate::drives::staff_label(*s)))
            .collect()
    }
}

fn query_string(q: &ApplicantQuery) -> String {
    let pairs: Vec<(&str, String)> = [("q", &q.q), ("status", &q.status), ("sort", &q.sort)]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
        .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
    query: Query<ApplicantQuery>,
    done: Query<Done>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let query = query.into_inner();
    let lookup = query.clone();
    let (drive, page, (counts, ineligible), matching) = state
        .db(move |conn| {
            let drive = service::find(conn, drive_id)?;
            let page = super::page(conn, drive_id, &lookup)?;
            let counts = super::counts(conn, drive_id)?;
            let matching = super::matching_ids(conn, drive_id, &lookup)?.len();
            Ok((drive, page, counts, matching))
        })
        .await?;
    let query_string = query_string(&query);
    let pager = Pager::next(
        &format!("/drives/{drive_id}/applicants"),
        &query_string,
        "after",
        page.next,
        "Next page",
    );
    render(&ListPage {
        chrome: ctx.chrome(format!("Applicants: {}", drive.name)),
        drive,
        rows: page.rows,
        total: counts.iter().map(|(_, n)| n).sum(),
        counts,
        ineligible,
        matching,
        query,
        query_string,
        pager,
        done: done.into_inner().done,
    })
}

/// The chosen people: `id` fields, or `all=1` with the list's search and
/// filter; `to` the move, `note` internal, `message` to the candidates.
struct BulkForm {
    ids: Vec<ApplicationId>,
    all: bool,
    query: ApplicantQuery,
    to: String,
    note: String,
    message: String,
}

impl BulkForm {
    fn read(pairs: Vec<(String, String)>) -> AppResult<BulkForm> {
        let mut form = BulkForm {
            ids: Vec::new(),
            all: false,
            query: ApplicantQuery::default(),
            to: String::new(),
            note: String::new(),
            message: String::new(),
        };
        for (key, value) in pairs {
            match key.as_str() {
                "id" => form.ids.push(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| AppError::invalid_field("id", "Select applicants from the list."))?,
                ),
                "all" => form.all = value == "1",
                "q" => form.query.q = Some(value),
                "status" => form.query.status = Some(value),
                "to" => form.to = value,
                "note" => form.note = value,
                "message" => form.message = value,
                _ => {}
            }
        }
        Ok(form)
    }
}

#[derive(Template)]
#[template(path = "drives/applicants_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    drive: DriveRow,
    plan: Plan,
    to_label: &'static str,
    note: String,
    message: String,
    sample: Option<LetterPreview>,
}

/// Step one: who exactly moves, who is already there, who cannot move, and
/// the email they get.
async fn confirm(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let form = BulkForm::read(pairs)?;
    let to = super::bulk_target(&form.to)?;
    letters::check_message(&form.message)?;
    let mail = MailContext::from(state.config.as_ref());
    let message = form.message.trim().to_string();
    let sample_message = message.clone();
    let (drive, plan, sample) = state
        .db(move |conn| {
            let drive = service::find(conn, drive_id)?;
            let ids = if form.all {
                super::matching_ids(conn, drive_id, &form.query)?
            } else {
                form.ids
            };
            let plan = super::plan(conn, drive_id, &ids, to)?;
            let sample = match plan.moving.first() {
                Some(first) => letters::preview(
                    conn,
                    first.id,
                    &Decision {
                        status: to.as_str().into(),
                        note: String::new(),
                        message: sample_message,
                        cohort_id: None,
                    },
                    &mail,
                )?,
                None => None,
            };
            Ok((drive, plan, sample))
        })
        .await?;
    render(&ConfirmPage {
        chrome: ctx.chrome("Confirm the move"),
        drive,
        plan,
        to_label: crate::drives::staff_label(to),
        note: form.note.trim().to_string(),
        message,
        sample,
    })
}

/// Step two: move exactly the people confirmed, then say what happened.
async fn apply(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let form = BulkForm::read(pairs)?;
    let to = super::bulk_target(&form.to)?;
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let plan = state
        .db(move |conn| {
            let words = Words {
                note: form.note.trim(),
                message: form.message.trim(),
            };
            super::apply(conn, drive_id, &form.ids, to, words, user.id, now, &mail)
        })
        .await?;
    let sentence = super::report(to, plan.moving.len(), plan.already.len(), plan.cannot.len());
    let done = serde_urlencoded::to_string([("done", sentence)]).unwrap_or_default();
    Ok(redirect(&format!("/drives/{drive_id}/applicants?{done}")))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/applicants", web::get().to(list))
        .route("/drives/{id}/applicants/move", web::post().to(confirm))
        .route("/drives/{id}/applicants/move/confirm", web::post().to(apply));
}
