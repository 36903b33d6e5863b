//! A drive's life in pages: the edit form, close/reopen/archive/restore
//! (closing and archiving confirmed first), the invite link and where it
//! leads, and a candidate withdrawing an application.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{LifeChange, LifeMove};
use crate::app::AppState;
use crate::assessments::web::{FormErrors, FormFields};
use crate::db::{ApplicationId, DriveId};
use crate::drives::service::{self, ApplicationRow, DriveRow};
use crate::drives::web::{read_drive, status_label, window, NewPage};
use crate::error::{AppError, AppResult};
use crate::mail::MailContext;
use crate::web::auth::{CandidateUser, RecruiterUser};
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

/// What the drive page says after a change, by the `done` it was sent back with.
pub fn done_sentence(done: &str) -> Option<&'static str> {
    Some(match done {
        "edited" => "Your changes are saved.",
        "closed" => "The drive is closed: candidates can no longer apply. Reopen it at any time.",
        "reopened" => "The drive takes applications again.",
        "archived" => "The drive is archived: candidates no longer see it, and it is read-only.",
        "restored" => "The drive is back from the archive, closed to applications. Reopen it to take applications.",
        "invite" => "The invite link is ready to share.",
        _ => return None,
    })
}

/// The drive as its edit form shows it, times as the firm's wall clock (the
/// form reads them back in the same zone).
fn form_of(drive: &DriveRow, zone: crate::zone::FirmZone) -> FormFields {
    let when = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| zone.local(t).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    };
    let mut pairs = vec![
        ("name".to_string(), drive.name.clone()),
        ("description".to_string(), drive.description.clone()),
        ("assessment_id".to_string(), drive.assessment_id.to_string()),
        (
            "min_score_percent".to_string(),
            drive.min_score_percent.map(|m| m.to_string()).unwrap_or_default(),
        ),
        (
            "min_degree_class".to_string(),
            drive.min_degree_class.clone().unwrap_or_default(),
        ),
        ("degrees".to_string(), drive.degrees.0.join(", ")),
        ("tie_break_sections".to_string(), drive.tie_break_sections.0.join(", ")),
        ("opens_at".to_string(), when(drive.opens_at)),
        ("closes_at".to_string(), when(drive.closes_at)),
    ];
    pairs.extend(drive.domains.0.iter().map(|d| ("domains".to_string(), d.clone())));
    FormFields::new(pairs)
}

async fn edit_form(
    state: &AppState,
    ctx: &PageCtx,
    id: DriveId,
    form: FormFields,
    errors: FormErrors,
) -> AppResult<NewPage> {
    let mut page = NewPage::build(state, ctx, form, errors).await?;
    page.action = format!("/drives/{id}/edit");
    page.heading = "Edit the drive".into();
    page.submit = "Save the changes";
    page.chrome = ctx.chrome("Edit the drive");
    Ok(page)
}

async fn edit_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<DriveId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let drive = state.db(move |conn| service::find(conn, id)).await?;
    if drive.state == crate::db::DriveState::Archived {
        return Err(super::archived_refusal());
    }
    render(&edit_form(&state, &ctx, id, form_of(&drive, ctx.zone), FormErrors::default()).await?)
}

async fn edit(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = FormFields::new(pairs).in_zone(ctx.zone);
    let now = state.clock.now();
    let outcome = match read_drive(&form) {
        Ok(drive) => state.db(move |conn| super::edit(conn, id, &drive, user.id, now)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(redirect(&format!("/drives/{id}?done=edited"))),
        Err(e @ AppError::Invalid { .. }) => {
            let page = edit_form(&state, &ctx, id, form, FormErrors::from_error(e)).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "drives/life_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    drive: DriveRow,
    archive: bool,
    waiting: i64,
}

#[derive(Deserialize)]
struct StateForm {
    #[serde(rename = "move")]
    to: LifeMove,
    confirmed: Option<String>,
}

async fn change(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(form): CsrfForm<StateForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let destructive = matches!(form.to, LifeMove::Close | LifeMove::Archive);
    if destructive && form.confirmed.is_none() {
        let (drive, counts) = state
            .db(move |conn| Ok((service::find(conn, id)?, service::application_counts(conn, id, id)?)))
            .await?;
        return render(&ConfirmPage {
            chrome: ctx.chrome("Confirm"),
            archive: form.to == LifeMove::Archive,
            waiting: counts.iter().map(|(_, _, n)| n).sum(),
            drive,
        });
    }
    let change = LifeChange {
        to: form.to,
        closes_at: None,
    };
    state
        .db(move |conn| super::change(conn, id, &change, user.id, now))
        .await?;
    let done = match form.to {
        LifeMove::Close => "closed",
        LifeMove::Reopen => "reopened",
        LifeMove::Archive => "archived",
        LifeMove::Restore => "restored",
    };
    Ok(redirect(&format!("/drives/{id}?done={done}")))
}

#[derive(Deserialize)]
struct InviteForm {
    renew: Option<String>,
}

async fn invite(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<DriveId>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let renew = form.renew.is_some();
    state
        .db(move |conn| super::invite_code(conn, id, renew, user.id, now))
        .await?;
    Ok(redirect(&format!("/drives/{id}?done=invite")))
}

#[derive(Template)]
#[template(path = "drives/join.html")]
struct JoinPage {
    chrome: Chrome,
    drive: DriveRow,
    rules: String,
    window: String,
    /// The link itself, percent-encoded for `next=`.
    next: String,
}

/// Where an invite link leads: a signed-in person goes straight to the
/// drive; anyone else reads what it is and signs in or registers, then
/// comes back here.
async fn join(state: web::Data<AppState>, ctx: PageCtx, path: web::Path<String>) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let here = format!("/join/{code}");
    let drive = state.db(move |conn| super::by_invite_code(conn, &code)).await?;
    if ctx.user.is_some() {
        return Ok(redirect(&format!("/drives/{}", drive.id)));
    }
    let next = serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default();
    render(&JoinPage {
        chrome: ctx.chrome(drive.name.clone()),
        rules: drive.describe_rules(),
        window: window(&drive, &ctx.zone),
        drive,
        next,
    })
}

#[derive(Template)]
#[template(path = "drives/withdraw_confirm.html")]
struct WithdrawPage {
    chrome: Chrome,
    drive: DriveRow,
    application: ApplicationRow,
    status: String,
}

async fn withdraw_page(
    state: web::Data<AppState>,
    ctx: PageCtx,
    CandidateUser(user): CandidateUser,
    path: web::Path<ApplicationId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (application, drive) = state
        .db(move |conn| {
            let app = crate::drives::listing::application(conn, id)?;
            if app.candidate_id != user.id {
                return Err(AppError::NotFound(format!("There is no application {id}.")));
            }
            let drive = service::find(conn, app.drive_id)?;
            Ok((app, drive))
        })
        .await?;
    render(&WithdrawPage {
        chrome: ctx.chrome("Withdraw your application"),
        status: status_label(application.status),
        application,
        drive,
    })
}

#[derive(Deserialize)]
struct Empty {}

async fn withdraw(
    state: web::Data<AppState>,
    CandidateUser(user): CandidateUser,
    path: web::Path<ApplicationId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let app = state
        .db(move |conn| super::withdraw(conn, id, &user, now, &mail))
        .await?;
    Ok(redirect(&format!("/drives/{}?withdrawn=1", app.drive_id)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/edit", web::get().to(edit_page))
        .route("/drives/{id}/edit", web::post().to(edit))
        .route("/drives/{id}/state", web::post().to(change))
        .route("/drives/{id}/invite-link", web::post().to(invite))
        .route("/join/{code}", web::get().to(join))
        .route("/applications/{id}/withdraw", web::get().to(withdraw_page))
        .route("/applications/{id}/withdraw", web::post().to(withdraw));
}
