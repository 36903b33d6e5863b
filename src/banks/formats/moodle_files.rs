//! The files a Moodle XML question embeds: `<file>` in a text element and
//! Moodle 1.9's `<image>`/`<image_base64>`, and a warning for each that is
//! not an image Assay can show.

use super::moodle_xml::Element;
use crate::banks::images;
use crate::banks::question::{Diagnostic, EmbeddedFile, QuestionExtras};

/// Moodle 1.9's picture: `<image>` names it, `<image_base64>` holds it.
pub(super) fn moodle_19_image(element: &Element) -> Option<EmbeddedFile> {
    let content: String = element.child("image_base64")?.text.split_whitespace().collect();
    if content.is_empty() {
        return None;
    }
    let named = element.child("image").map(|i| i.text.trim()).unwrap_or_default();
    let name = named
        .rsplit(['/', '\\'])
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("image");
    Some(EmbeddedFile {
        name: name.to_owned(),
        path: "/".to_owned(),
        content,
    })
}

/// The `<file>`s embedded in a text element.
pub(super) fn files(element: &Element) -> Vec<EmbeddedFile> {
    element
        .children_named("file")
        .map(|f| EmbeddedFile {
            name: f.attribute("name").unwrap_or_default().to_owned(),
            path: f.attribute("path").unwrap_or("/").to_owned(),
            content: f.text.split_whitespace().collect(),
        })
        .collect()
}

/// Files that are not images fit to show are kept for export, and the
/// trainer hears that candidates will not see them.
pub(super) fn unusable_files(line: usize, extras: &QuestionExtras) -> Vec<Diagnostic> {
    images::embedded_files(extras)
        .into_iter()
        .filter_map(|file| {
            let why = images::usable(file).err()?;
            Some(Diagnostic::warning(
                line,
                format!(
                    "the embedded file \"{}\" is not shown to candidates: {why}; it is kept for export",
                    file.name
                ),
            ))
        })
        .collect()
}
