//! The invited person's page: what the list said about them, and one form
//! that sets their password and applies.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::api::accept_with;
use super::service::{self, Invitation};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::csrf::CsrfForm;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

#[derive(Template)]
#[template(path = "drives/invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    token: String,
    invitation: Invitation,
    drive: String,
    problem: Option<String>,
}

async fn build(state: &AppState, ctx: &PageCtx, token: String, problem: Option<String>) -> AppResult<InvitationPage> {
    let lookup = token.clone();
    let (invitation, drive) = state
        .db(move |conn| {
            let invitation = service::find_by_token(conn, &lookup)?;
            let drive = crate::drives::service::find(conn, invitation.drive_id)?;
            Ok((invitation, drive.name))
        })
        .await?;
    Ok(InvitationPage {
        chrome: ctx.chrome(format!("Your invitation to {drive}")),
        token,
        invitation,
        drive,
        problem,
    })
}

async fn show(state: web::Data<AppState>, ctx: PageCtx, path: web::Path<String>) -> AppResult<HttpResponse> {
    render(&build(&state, &ctx, path.into_inner(), None).await?)
}

#[derive(Deserialize)]
struct AcceptForm {
    password: String,
}

async fn accept(
    state: web::Data<AppState>,
    ctx: PageCtx,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    match accept_with(&state, token.clone(), form.password).await {
        Ok(accepted) => {
            let drive = build(&state, &ctx, token, None).await?.invitation.drive_id;
            let mut response = redirect(&format!("/drives/{drive}"));
            response
                .add_cookie(&crate::accounts::api::session_cookie(&state, accepted.token))
                .map_err(|e| AppError::internal("setting the session cookie", e))?;
            Ok(response)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let problem = e
                .details()
                .first()
                .map_or_else(|| e.public_message(), |d| d.message.clone());
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &build(&state, &ctx, token, Some(problem)).await?,
            )
        }
        Err(e) => Err(e),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/invitations/{token}", web::get().to(show))
        .route("/invitations/{token}", web::post().to(accept));
}
