//! Images questions show. They come from Moodle XML (`<file>` elements a
//! text refers to as `@@PLUGINFILE@@/name`, and Moodle 1.9's
//! `<image>`/`<image_base64>`) or from the editor's upload, and are stored in
//! the database under the SHA-256 of their bytes (`store`), so the same
//! picture is kept once. A text refers to a stored image as `/images/<sha256>`.
//!
//! What is an image is decided by the bytes (PNG, JPEG, GIF, WebP), never by
//! a file name; SVG is refused, since it can carry scripts. This file is
//! pure: checking, naming and finding references.

pub mod moodle;
pub mod store;
pub mod web;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::question::{EmbeddedFile, QuestionExtras};
use crate::tokens::to_hex;

/// The largest image kept, in bytes.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// Where a stored image is served.
pub const URL_PREFIX: &str = "/images/";

/// Moodle's placeholder for a question's own files in its texts.
pub const PLUGINFILE: &str = "@@PLUGINFILE@@/";

/// The content type of an image read from its first bytes, or `None` when
/// they are not a PNG, JPEG, GIF or WebP image.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice()) {
        Some("image/webp")
    } else {
        None
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(1024)).unwrap_or(bytes)).to_lowercase();
    head.contains("<svg")
}

/// The content type of an image fit to keep, or a sentence saying why it is
/// not one.
pub fn check(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("the file is empty".to_owned());
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "the image is {} KiB and the most Assay keeps is {} KiB; save it smaller",
            bytes.len().div_ceil(1024),
            MAX_IMAGE_BYTES / 1024
        ));
    }
    match sniff(bytes) {
        Some(kind) => Ok(kind),
        None if looks_like_svg(bytes) => {
            Err("SVG images are refused because they can carry scripts; save it as PNG instead".to_owned())
        }
        None => Err(
            "the file is not a PNG, JPEG, GIF or WebP image (Assay reads the file's content, not its name)".to_owned(),
        ),
    }
}

/// The lower-case hex SHA-256 of some bytes: an image's name in the store.
pub fn sha256(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn url(sha256: &str) -> String {
    format!("{URL_PREFIX}{sha256}")
}

/// The bytes of a file Moodle embedded in base64 (white space ignored).
pub fn decode(file: &EmbeddedFile) -> Option<Vec<u8>> {
    let compact: String = file.content.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(compact).ok()
}

pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An embedded file that is an image fit to show: its bytes, type and name.
pub struct Usable {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub sha256: String,
}

pub fn usable(file: &EmbeddedFile) -> Result<Usable, String> {
    let bytes = decode(file).ok_or_else(|| "its base64 content could not be read".to_owned())?;
    let content_type = check(&bytes)?;
    Ok(Usable {
        sha256: sha256(&bytes),
        bytes,
        content_type,
    })
}

/// Decodes `%XX` escapes (Moodle writes file names URL-encoded in texts).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ends_reference(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | '(' | '?' | '#')
}

/// The text with each `@@PLUGINFILE@@/name` that names one of `files` (an
/// image fit to show) replaced by that image's address. References to
/// other files stay as written.
pub fn resolve_plugin_files(text: &str, files: &[EmbeddedFile]) -> String {
    if files.is_empty() || !text.contains(PLUGINFILE) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PLUGINFILE) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let after = from.get(PLUGINFILE.len()..).unwrap_or_default();
        let end = after.find(ends_reference).unwrap_or(after.len());
        let (reference, tail) = after.split_at(end);
        let wanted = percent_decode(reference);
        let found = files
            .iter()
            .find(|f| {
                let full = format!("{}{}", f.path.trim_start_matches('/'), f.name);
                full == wanted || f.name == wanted
            })
            .and_then(|f| usable(f).ok());
        match found {
            Some(image) => out.push_str(&url(&image.sha256)),
            None => {
                out.push_str(PLUGINFILE);
                out.push_str(reference);
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Every stored image an HTML text refers to, once each, in order.
pub fn referenced(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(URL_PREFIX) {
        let after = rest.get(at + URL_PREFIX.len()..).unwrap_or_default();
        if let Some(candidate) = after.get(..64) {
            if is_sha256(candidate) && !found.iter().any(|f| f == candidate) {
                found.push(candidate.to_owned());
            }
        }
        rest = after;
    }
    found
}

/// Every file a question embeds, wherever it sits.
pub fn embedded_files(x: &QuestionExtras) -> Vec<&EmbeddedFile> {
    let rich = [
        &x.true_feedback,
        &x.false_feedback,
        &x.other_feedback,
        &x.grader_info,
        &x.response_template,
    ];
    x.stem_files
        .iter()
        .chain(&x.explanation_files)
        .chain(
            x.answers
                .iter()
                .flat_map(|a| a.text_files.iter().chain(&a.feedback_files)),
        )
        .chain(rich.into_iter().flatten().flat_map(|r| &r.files))
        .collect()
}

#[cfg(test)]
mod tests;
