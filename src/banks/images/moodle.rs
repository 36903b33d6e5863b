//! Stored images and Moodle XML's `<file>`s, both ways: an export embeds
//! each stored image a text shows (`/images/<sha256>`) as a `<file>` of
//! that text, named `<sha256>.<ext>`; and such a file, read back, is the
//! same question as the stored one, so a round trip changes nothing. Pure.

use std::borrow::Cow;

use super::{check, decode, encode, sha256, url, PLUGINFILE};
use crate::banks::question::{EmbeddedFile, ParsedQuestion, QuestionBody};

/// A stored image as an export needs it.
pub struct StoredImage {
    pub sha256: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "png",
    }
}

/// The name an export gives a stored image's file.
pub fn file_name(sha256: &str, content_type: &str) -> String {
    format!("{sha256}.{}", extension(content_type))
}

/// Every text of a question that may show an image, with the files Moodle
/// keeps beside it, in the order the writer writes them.
fn visit_texts(q: &mut ParsedQuestion, mut visit: impl FnMut(&mut String, &mut Vec<EmbeddedFile>)) {
    let answers = match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => options.len(),
        QuestionBody::Numeric { answers } => answers.len(),
        QuestionBody::ShortText { answers } => answers.len(),
        QuestionBody::TrueFalse { .. } | QuestionBody::Essay => 0,
    };
    let x = &mut q.extras;
    visit(&mut q.stem, &mut x.stem_files);
    if let Some(explanation) = q.explanation.as_mut() {
        visit(explanation, &mut x.explanation_files);
    }
    if x.answers.len() < answers {
        x.answers.resize_with(answers, Default::default);
    }
    if let QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } = &mut q.body {
        for (option, extra) in options.iter_mut().zip(x.answers.iter_mut()) {
            visit(&mut option.text, &mut extra.text_files);
            if let Some(feedback) = option.feedback.as_mut() {
                visit(feedback, &mut extra.feedback_files);
            }
        }
    }
    for extra in &mut x.answers {
        if let Some(feedback) = extra.feedback.as_mut() {
            visit(feedback, &mut extra.feedback_files);
        }
    }
    let rich = [
        &mut x.true_feedback,
        &mut x.false_feedback,
        &mut x.other_feedback,
        &mut x.grader_info,
        &mut x.response_template,
    ];
    for text in rich.into_iter().flatten() {
        visit(&mut text.text, &mut text.files);
    }
    q.extras = std::mem::take(&mut q.extras).normalised();
}

/// Every stored image any text of the question refers to.
pub fn referenced(q: &ParsedQuestion) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    visit_texts(&mut q.clone(), |text, _| {
        for sha in super::referenced(text) {
            if !found.contains(&sha) {
                found.push(sha);
            }
        }
    });
    found
}

/// Each stored image a text shows becomes a `<file>` of that text, referred
/// to as Moodle does (`@@PLUGINFILE@@/<sha256>.png`).
pub fn embed(q: &mut ParsedQuestion, stored: &[StoredImage]) {
    visit_texts(q, |text, files| {
        for image in stored {
            let address = url(&image.sha256);
            if !text.contains(&address) {
                continue;
            }
            let name = file_name(&image.sha256, &image.content_type);
            *text = text.replace(&address, &format!("{PLUGINFILE}{name}"));
            if !files.iter().any(|f| f.name == name) {
                files.push(EmbeddedFile {
                    name,
                    path: "/".to_owned(),
                    content: encode(&image.bytes),
                });
            }
        }
    });
}

/// The file an export made of a stored image, or `None` for any other.
fn exported_image(file: &EmbeddedFile) -> Option<String> {
    if file.path != "/" {
        return None;
    }
    let bytes = decode(file)?;
    let sha = sha256(&bytes);
    let content_type = check(&bytes).ok()?;
    (file.name == file_name(&sha, content_type)).then_some(sha)
}

/// The question as it was before an export embedded its stored images: each
/// file the export made goes back to being the image's address. Import
/// compares questions in this form, so exporting and importing again is no
/// change, while the file itself is still read (and stored) on import.
pub fn unembedded(q: &ParsedQuestion) -> Cow<'_, ParsedQuestion> {
    let any = super::embedded_files(&q.extras)
        .into_iter()
        .any(|f| exported_image(f).is_some());
    if !any {
        return Cow::Borrowed(q);
    }
    let mut plain = q.clone();
    visit_texts(&mut plain, |text, files| {
        files.retain(|file| {
            let Some(sha) = exported_image(file) else {
                return true;
            };
            let moodle = format!("{PLUGINFILE}{}", file.name);
            if !text.contains(&moodle) {
                return true;
            }
            *text = text.replace(&moodle, &url(&sha));
            false
        });
    });
    Cow::Owned(plain)
}
