//! A version's text as pages and the API show it: rendered and sanitised
//! once, when the version is written (see `crate::content`), and stored in
//! `question_versions.rendered` beside the original, which exports keep.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::images;
use super::models::{QuestionRow, VersionRow};
use super::question::{EmbeddedFile, ParsedQuestion, TextFormat};
use crate::content::{render, render_inline, Markup, Rich};
use crate::db::schema::{question_versions, questions};
use crate::db::{DbConn, Json};
use crate::error::AppResult;

/// The stem, each option (in the body's order) with its feedback, and the
/// explanation, each as sanitised HTML and plain text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RenderedQuestion {
    pub stem: Rich,
    #[serde(default)]
    pub options: Vec<Rich>,
    #[serde(default)]
    pub feedback: Vec<Option<Rich>>,
    #[serde(default)]
    pub explanation: Option<Rich>,
}

pub fn markup(format: TextFormat) -> Markup {
    match format {
        TextFormat::Plain => Markup::Plain,
        TextFormat::Html => Markup::Html,
        TextFormat::Moodle => Markup::HtmlWithBreaks,
        TextFormat::Markdown => Markup::Markdown,
    }
}

impl RenderedQuestion {
    /// Each text in its own format where Moodle gave it one, else the stem's.
    pub fn of(q: &ParsedQuestion) -> RenderedQuestion {
        let own = |format: Option<TextFormat>| markup(format.unwrap_or(q.stem_format));
        let extras = |i: usize| q.extras.answer(i);
        let options = q.body.options();
        // Moodle's `@@PLUGINFILE@@/name` becomes the stored image's address.
        // Each text has its own files in Moodle (two options may each hold
        // a different `image.png`), so a text's own files come first; the
        // question's other files are a fallback for hand-written files.
        let all: Vec<EmbeddedFile> = images::embedded_files(&q.extras).into_iter().cloned().collect();
        let resolve = |text: &str, own_files: &[EmbeddedFile]| {
            let files: Vec<EmbeddedFile> = own_files.iter().chain(&all).cloned().collect();
            images::resolve_plugin_files(text, &files)
        };
        let text_files = |i: usize| extras(i).map_or(&[][..], |e| &e.text_files[..]);
        let feedback_files = |i: usize| extras(i).map_or(&[][..], |e| &e.feedback_files[..]);
        RenderedQuestion {
            stem: render(&resolve(&q.stem, &q.extras.stem_files), markup(q.stem_format)),
            options: options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    render_inline(
                        &resolve(&o.text, text_files(i)),
                        own(extras(i).and_then(|e| e.text_format)),
                    )
                })
                .collect(),
            feedback: options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let format = own(extras(i).and_then(|e| e.feedback_format));
                    o.feedback
                        .as_deref()
                        .map(|f| render(&resolve(f, feedback_files(i)), format))
                })
                .collect(),
            explanation: q.explanation.as_deref().map(|e| {
                render(
                    &resolve(e, &q.extras.explanation_files),
                    own(q.extras.explanation_format),
                )
            }),
        }
    }

    /// Every stored image the rendered texts show.
    pub fn images(&self) -> Vec<String> {
        let texts = std::iter::once(&self.stem)
            .chain(&self.options)
            .chain(self.feedback.iter().flatten())
            .chain(&self.explanation);
        referenced_in(texts)
    }

    /// The stored images a candidate sees while answering: the stem's and
    /// the options'. Feedback and the explanation are shown only to staff.
    pub fn images_while_answering(&self) -> Vec<String> {
        referenced_in(std::iter::once(&self.stem).chain(&self.options))
    }

    /// The option at a body index, or an empty text for a body without it.
    pub fn option(&self, index: usize) -> Rich {
        self.options.get(index).cloned().unwrap_or_default()
    }
}

fn referenced_in<'a>(texts: impl Iterator<Item = &'a Rich>) -> Vec<String> {
    let mut all = String::new();
    for rich in texts {
        all.push_str(&rich.html);
        all.push('\n');
    }
    images::referenced(&all)
}

impl VersionRow {
    /// The stored rendering; a version written before renderings were stored
    /// is rendered now (the server fills those in when it starts).
    pub fn rendered(&self, question: &QuestionRow) -> AppResult<RenderedQuestion> {
        match &self.rendered {
            Some(stored) => Ok(stored.0.clone()),
            None => Ok(RenderedQuestion::of(&self.to_parsed(question)?)),
        }
    }

    /// `rendered`, taking the version: the stored rendering is moved out,
    /// not copied (a start reads one per question of the form).
    pub fn into_rendered(self, question: &QuestionRow) -> AppResult<RenderedQuestion> {
        match self.rendered {
            Some(stored) => Ok(stored.into_inner()),
            None => Ok(RenderedQuestion::of(&self.to_parsed(question)?)),
        }
    }

    /// The stem as plain text for lists, markup gone and TeX as written.
    pub fn stem_text(&self) -> &str {
        self.rendered.as_ref().map_or(&self.stem, |r| &r.stem.text)
    }
}

/// Renders every version stored before renderings were, in one pass at
/// start-up, so pages read what import and edit would have written.
pub fn fill_missing(conn: &mut DbConn) -> AppResult<usize> {
    let missing: Vec<(QuestionRow, VersionRow)> = question_versions::table
        .inner_join(questions::table)
        .filter(question_versions::rendered.is_null())
        .select((QuestionRow::as_select(), VersionRow::as_select()))
        .load(conn)?;
    for (question, version) in &missing {
        let rendered = RenderedQuestion::of(&version.to_parsed(question)?);
        diesel::update(question_versions::table.find(version.id))
            .set(question_versions::rendered.eq(Some(Json(rendered))))
            .execute(conn)?;
    }
    Ok(missing.len())
}
