//! Images in the database: saved once per content, linked to the versions
//! that show them, and handed out only to people allowed to see one of
//! those versions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::question::ParsedQuestion;
use super::super::rendered::RenderedQuestion;
use super::moodle::StoredImage;
use super::{embedded_files, usable};
use crate::db::schema::{attempt_items, attempts, images, version_images};
use crate::db::{DbConn, UserId, VersionId};
use crate::error::AppResult;
use crate::identity::User;

/// A stored image as served.
pub struct Image {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What an upload or import keeps: the image's name and size.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "url": "/images/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "content_type": "image/png", "size": 48213}))]
pub struct SavedImage {
    /// The SHA-256 of the bytes, in hex: the image's name.
    pub sha256: String,
    /// Where the image is served; put it in a question's text.
    pub url: String,
    pub content_type: String,
    pub size: i32,
}

/// Saves an image unless the same bytes are already stored. The caller has
/// checked the bytes (`super::check`).
pub fn save(
    conn: &mut DbConn,
    bytes: &[u8],
    content_type: &str,
    actor: Option<UserId>,
    now: NaiveDateTime,
) -> AppResult<SavedImage> {
    let sha256 = super::sha256(bytes);
    let size = crate::convert::to_i32(bytes.len());
    let known: Option<String> = images::table
        .find(&sha256)
        .select(images::sha256)
        .first(conn)
        .optional()?;
    if known.is_none() {
        diesel::insert_into(images::table)
            .values((
                images::sha256.eq(&sha256),
                images::content_type.eq(content_type),
                images::bytes.eq(bytes),
                images::size.eq(size),
                images::created_by.eq(actor),
                images::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(SavedImage {
        url: super::url(&sha256),
        sha256,
        content_type: content_type.to_owned(),
        size,
    })
}

/// Stores the images a new version embeds and links the version to every
/// stored image its texts show (embedded or uploaded earlier). Images the
/// version names that are not stored are left out: its text shows a broken
/// image, and nobody can fetch what is not there.
pub fn attach(
    conn: &mut DbConn,
    version_id: VersionId,
    q: &ParsedQuestion,
    rendered: &RenderedQuestion,
    actor: Option<UserId>,
    now: NaiveDateTime,
) -> AppResult<()> {
    for file in embedded_files(&q.extras) {
        if let Ok(image) = usable(file) {
            save(conn, &image.bytes, image.content_type, actor, now)?;
        }
    }
    let shown = rendered.images();
    if shown.is_empty() {
        return Ok(());
    }
    let while_answering = rendered.images_while_answering();
    let stored: Vec<String> = images::table
        .filter(images::sha256.eq_any(&shown))
        .select(images::sha256)
        .load(conn)?;
    for sha in stored {
        let answering = while_answering.contains(&sha);
        diesel::insert_into(version_images::table)
            .values((
                version_images::version_id.eq(version_id),
                version_images::sha256.eq(sha),
                version_images::shown_while_answering.eq(answering),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, sha256: &str) -> AppResult<Option<Image>> {
    Ok(images::table
        .find(sha256)
        .select((images::content_type, images::bytes))
        .first::<(String, Vec<u8>)>(conn)
        .optional()?
        .map(|(content_type, bytes)| Image { content_type, bytes }))
}

/// Staff see every image; a candidate sees an image only when one of their
/// attempts (open or finished) holds a version that shows it in its stem or
/// an option. Feedback and explanations are never shown to candidates (the
/// test page and the results show neither), so an image only they show is
/// staff's alone.
pub fn may_see(conn: &mut DbConn, user: &User, sha256: &str) -> AppResult<bool> {
    if user.is_staff() {
        return Ok(true);
    }
    let holding: Option<i32> = version_images::table
        .inner_join(attempt_items::table.on(attempt_items::version_id.eq(version_images::version_id)))
        .inner_join(attempts::table.on(attempts::id.eq(attempt_items::attempt_id)))
        .filter(version_images::sha256.eq(sha256))
        .filter(version_images::shown_while_answering.eq(true))
        .filter(attempts::user_id.eq(user.id))
        .select(attempts::id)
        .first(conn)
        .optional()?;
    Ok(holding.is_some())
}

/// The stored images a question refers to as `/images/…`, for an export
/// that embeds them.
pub fn for_export(conn: &mut DbConn, shas: &[String]) -> AppResult<Vec<StoredImage>> {
    let rows: Vec<(String, String, Vec<u8>)> = images::table
        .filter(images::sha256.eq_any(shas))
        .select((images::sha256, images::content_type, images::bytes))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(sha256, content_type, bytes)| StoredImage {
            sha256,
            content_type,
            bytes,
        })
        .collect())
}

/// For a Moodle XML export: each stored image a text of a question shows as
/// `/images/<sha256>` (an editor upload, in the stem, an option, feedback or
/// the explanation) becomes a `<file>` of that text (`super::moodle::embed`).
pub fn embed_for_moodle(conn: &mut DbConn, questions: &mut [ParsedQuestion]) -> AppResult<()> {
    for q in questions.iter_mut() {
        let shown = super::moodle::referenced(q);
        if shown.is_empty() {
            continue;
        }
        let stored = for_export(conn, &shown)?;
        super::moodle::embed(q, &stored);
    }
    Ok(())
}
