//! The recruiter's campus invitation pages for a drive: upload a list, see
//! each bad row by line and who would be invited, send, and follow who
//! accepted.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use futures_util::StreamExt;
use serde::Deserialize;

use super::list::{self, Parsed};
use super::service::{self, InvitationRow, Outcome};
use super::uploads::{self, NewUpload};
use crate::app::AppState;
use crate::db::{CampusUploadId, DriveId, DriveState};
use crate::drives::service::DriveRow;
use crate::error::{AppError, AppResult, ErrorDetail};
use crate::mail::MailContext;
use crate::web::auth::RecruiterUser;
use crate::web::csrf::{self, CsrfForm};
use crate::web::input::Query;
use crate::web::pages::{redirect, render, render_status, Chrome, PageCtx};

/// The most invitations the drive's page lists, newest first.
const SHOWN: i64 = 500;

#[derive(Template)]
#[template(path = "drives/invitations.html")]
struct ListPage {
    chrome: Chrome,
    drive: DriveRow,
    rows: Vec<InvitationRow>,
    total: i64,
    done: Option<String>,
    /// Why the last upload could not be read at all.
    problem: Option<String>,
    problems: Vec<ErrorDetail>,
}

impl ListPage {
    fn archived(&self) -> bool {
        self.drive.state == DriveState::Archived
    }

    /// Whether the refusal names rows by line (a bad header names none).
    fn row_problems(&self) -> bool {
        self.problems.iter().any(|d| d.line.is_some())
    }

    /// Whether more invitations exist than the page lists.
    fn more(&self) -> bool {
        usize::try_from(self.total).is_ok_and(|t| t > self.rows.len())
    }
}

async fn list_page(
    state: &AppState,
    ctx: &PageCtx,
    drive_id: DriveId,
    done: Option<String>,
    refused: Option<AppError>,
) -> AppResult<ListPage> {
    let (drive, (rows, total)) = state
        .db(move |conn| {
            let drive = crate::drives::service::find(conn, drive_id)?;
            Ok((drive, service::for_drive(conn, drive_id, SHOWN)?))
        })
        .await?;
    let (problem, problems) = match refused {
        Some(e) => (Some(e.public_message()), e.details().to_vec()),
        None => (None, Vec::new()),
    };
    Ok(ListPage {
        chrome: ctx.chrome(format!("Campus invitations: {}", drive.name)),
        drive,
        rows,
        total,
        done,
        problem,
        problems,
    })
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
    done: Query<Done>,
) -> AppResult<HttpResponse> {
    let page = list_page(&state, &ctx, path.into_inner(), done.into_inner().done, None).await?;
    render(&page)
}

/// The upload form's fields.
#[derive(Default)]
struct Form {
    csrf: Option<String>,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_form(mut form: Multipart, limit: usize) -> AppResult<Form> {
    let unreadable =
        |e: actix_multipart::MultipartError| AppError::BadRequest(format!("The upload could not be read: {e}."));
    let mut out = Form::default();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(String::from);
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            total = total.saturating_add(chunk.len());
            if total > limit {
                return Err(crate::banks::api::too_large(limit));
            }
            value.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => out.csrf = Some(String::from_utf8_lossy(&value).trim().to_string()),
            "file" => {
                out.file_name = file_name.unwrap_or_else(|| "list".into());
                out.bytes = value;
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Reads a list off the request threads; a file that cannot be read at all
/// is refused here, while bad rows are kept for the preview to name.
async fn parse(bytes: Vec<u8>, xlsx: bool) -> AppResult<(Vec<u8>, Parsed)> {
    web::block(move || list::parse(&bytes, xlsx).map(|parsed| (bytes, parsed)))
        .await
        .map_err(|e| AppError::internal("reading a list", e))?
}

async fn upload(
    state: web::Data<AppState>,
    ctx: PageCtx,
    RecruiterUser(user): RecruiterUser,
    req: HttpRequest,
    path: web::Path<DriveId>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let drive_id = path.into_inner();
    let form = read_form(form, state.config.max_upload_bytes).await?;
    csrf::verify(&req, form.csrf.as_deref())?;
    let read = async {
        if form.bytes.is_empty() {
            return Err(AppError::invalid_field(
                "file",
                "Choose the list to upload: a CSV or XLSX file with a header row.",
            ));
        }
        let xlsx = list::is_xlsx_bytes(&form.bytes)?;
        let (bytes, _) = parse(form.bytes, xlsx).await?;
        Ok(NewUpload {
            file_name: form.file_name,
            xlsx,
            bytes,
        })
    };
    match read.await {
        Ok(new) => {
            let now = state.clock.now();
            let id = state
                .db(move |conn| uploads::save(conn, drive_id, &new, user.id, now))
                .await?;
            Ok(redirect(&format!("/drives/{drive_id}/invitations/uploads/{id}")))
        }
        Err(e @ AppError::Invalid { .. }) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &list_page(&state, &ctx, drive_id, None, Some(e)).await?,
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "drives/invitations_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    drive: DriveRow,
    id: CampusUploadId,
    file_name: String,
    uploaded_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
    invited: Option<i32>,
    outcome: Outcome,
    problems: Vec<ErrorDetail>,
}

async fn preview(
    state: web::Data<AppState>,
    ctx: PageCtx,
    _r: RecruiterUser,
    path: web::Path<(DriveId, CampusUploadId)>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let (drive, upload) = state
        .db(move |conn| {
            let drive = crate::drives::service::find(conn, drive_id)?;
            Ok((drive, uploads::find(conn, drive_id, id)?))
        })
        .await?;
    let (_, parsed) = parse(upload.bytes, upload.xlsx).await?;
    let problems = parsed.problems;
    let invitees = parsed.invitees;
    let outcome = state.db(move |conn| service::sort(conn, drive_id, invitees)).await?;
    render(&PreviewPage {
        chrome: ctx.chrome(format!("Check the list: {}", upload.file_name)),
        drive,
        id,
        file_name: upload.file_name,
        uploaded_at: upload.created_at,
        sent_at: upload.sent_at,
        invited: upload.invited,
        outcome,
        problems,
    })
}

#[derive(Deserialize)]
struct Empty {}

async fn send(
    state: web::Data<AppState>,
    RecruiterUser(user): RecruiterUser,
    path: web::Path<(DriveId, CampusUploadId)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<HttpResponse> {
    let (drive_id, id) = path.into_inner();
    let upload = state.db(move |conn| uploads::find(conn, drive_id, id)).await?;
    let (_, parsed) = parse(upload.bytes, upload.xlsx).await?;
    let left_out = parsed.problems.len();
    let now = state.clock.now();
    let mail = MailContext::from(state.config.as_ref());
    let outcome = state
        .db(move |conn| uploads::send(conn, drive_id, id, parsed.good_rows(), user.id, now, &mail))
        .await?;
    let sentence = report(&outcome, left_out);
    let done = serde_urlencoded::to_string([("done", sentence)]).unwrap_or_default();
    Ok(redirect(&format!("/drives/{drive_id}/invitations?{done}")))
}

/// What a send did, in one sentence.
fn report(outcome: &Outcome, left_out: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut parts = vec![plural(outcome.invited, "invitation sent", "invitations sent")];
    if !outcome.already_invited.is_empty() {
        parts.push(plural(
            outcome.already_invited.len(),
            "person was invited already",
            "people were invited already",
        ));
    }
    if !outcome.already_applied.is_empty() {
        parts.push(plural(
            outcome.already_applied.len(),
            "person had applied already",
            "people had applied already",
        ));
    }
    if left_out > 0 {
        parts.push(plural(left_out, "bad row left out", "bad rows left out"));
    }
    parts.join("; ")
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/drives/{id}/invitations", web::get().to(list))
        .route("/drives/{id}/invitations/upload", web::post().to(upload))
        .route("/drives/{id}/invitations/uploads/{upload}", web::get().to(preview))
        .route("/drives/{id}/invitations/uploads/{upload}/send", web::post().to(send));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_counts_each_kind_of_person_in_words() {
        let outcome = Outcome {
            invited: 1,
            new: Vec::new(),
            already_invited: vec!["a@example.com".into(), "b@example.com".into()],
            already_applied: Vec::new(),
        };
        assert_eq!(
            report(&outcome, 3),
            "1 invitation sent; 2 people were invited already; 3 bad rows left out"
        );
    }
}
