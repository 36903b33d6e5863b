//! Serving stored images to those allowed to see them, and uploading new
//! ones (the API for the editor's script; a form for pages without it).

use actix_multipart::Multipart;
use actix_web::{post, web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use super::store::{self, SavedImage};
use super::{check, is_sha256, MAX_IMAGE_BYTES};
use crate::app::AppState;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::web::auth::{MaybeUser, TrainerUser};
use crate::web::csrf;
use crate::web::openapi::ApiRoutes;
use crate::web::pages::{render_status, Chrome, PageCtx};

fn not_found() -> AppError {
    AppError::NotFound("There is no such image, or it is not yours to see.".into())
}

/// An image, to staff or to a candidate whose attempt shows it. Anyone else
/// is told it does not exist, so an address reveals nothing. The address
/// names the content, which never changes: browsers may keep it for a year,
/// but only privately.
async fn serve(
    state: web::Data<AppState>,
    MaybeUser(user): MaybeUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let sha = path.into_inner();
    let user = user.ok_or_else(not_found)?;
    if !is_sha256(&sha) {
        return Err(not_found());
    }
    let image = state
        .db(move |conn| {
            if store::may_see(conn, &user, &sha)? {
                store::find(conn, &sha)
            } else {
                Ok(None)
            }
        })
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(image.content_type)
        .insert_header(("Cache-Control", "private, max-age=31536000, immutable"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Disposition", "inline"))
        .body(image.bytes))
}

/// Checks and saves uploaded bytes.
async fn keep(state: &AppState, user: crate::db::UserId, bytes: Vec<u8>) -> AppResult<SavedImage> {
    let content_type = check(&bytes).map_err(|why| {
        let mut sentence = why;
        if let Some(first) = sentence.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        AppError::invalid_field("file", format!("{sentence}."))
    })?;
    let now = state.clock.now();
    state
        .db(move |conn| conn_save(conn, &bytes, content_type, user, now))
        .await
}

fn conn_save(
    conn: &mut crate::db::DbConn,
    bytes: &[u8],
    content_type: &str,
    user: crate::db::UserId,
    now: chrono::NaiveDateTime,
) -> AppResult<SavedImage> {
    conn.transaction(|conn| store::save(conn, bytes, content_type, Some(user), now))
}

/// Upload an image (the request body) for use in question texts.
///
/// For trainers and administrators. PNG, JPEG, GIF or WebP of at most 2 MiB,
/// checked by its content. The same bytes uploaded twice are stored once and
/// answer with the same address; put `url` in a question's text. Staff, and
/// candidates whose attempt shows it, may then fetch it.
#[utoipa::path(tag = "banks",
    request_body(content = String, description = "a PNG, JPEG, GIF or WebP image of at most 2 MiB",
        content_type = "application/octet-stream"),
    responses((status = 201, body = SavedImage, description = "Stored (or already stored): its name and address."),
        (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/images")]
pub async fn upload(
    state: web::Data<AppState>,
    TrainerUser(user): TrainerUser,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let bytes = crate::banks::api::read_limited(payload, MAX_IMAGE_BYTES).await?;
    let saved = keep(&state, user.id, bytes).await?;
    Ok(HttpResponse::Created().json(saved))
}

#[derive(Template)]
#[template(path = "banks/image.html")]
struct UploadedPage {
    chrome: Chrome,
    saved: Option<SavedImage>,
    error: Option<String>,
    back: String,
}

/// Where the upload form came from, if it is a bank page.
fn back_to(sent: Option<String>) -> String {
    sent.filter(|b| b.starts_with("/banks/") && !b.contains("//") && !b.contains(['\\', '\r', '\n']))
        .unwrap_or_else(|| "/banks".to_owned())
}

/// The editor's upload form, for pages without the script: it answers with
/// the text to put in the question.
async fn upload_form(
    state: web::Data<AppState>,
    ctx: PageCtx,
    TrainerUser(user): TrainerUser,
    req: HttpRequest,
    mut form: Multipart,
) -> AppResult<HttpResponse> {
    let (mut token, mut back, mut bytes) = (None, None, Vec::new());
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}.")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}.")))?;
            if value.len() + chunk.len() > MAX_IMAGE_BYTES + 1 {
                return Err(crate::banks::api::too_large(MAX_IMAGE_BYTES));
            }
            value.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => token = Some(String::from_utf8_lossy(&value).trim().to_owned()),
            "back" => back = Some(String::from_utf8_lossy(&value).trim().to_owned()),
            "file" => bytes = value,
            _ => {}
        }
    }
    csrf::verify(&req, token.as_deref())?;
    let (saved, error) = match keep(&state, user.id, bytes).await {
        Ok(saved) => (Some(saved), None),
        Err(e @ AppError::Invalid { .. }) => (
            None,
            Some(e.details().first().map(|d| d.message.clone()).unwrap_or_default()),
        ),
        Err(e) => return Err(e),
    };
    let status = if saved.is_some() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &UploadedPage {
            chrome: ctx.chrome("Upload an image"),
            saved,
            error,
            back: back_to(back),
        },
    )
}

pub fn configure_api(cfg: &mut ApiRoutes) {
    cfg.service(upload);
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/images/{sha}", web::get().to(serve))
        .route("/banks/images", web::post().to(upload_form));
}
