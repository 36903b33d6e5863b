//! A question as staff see it on its page: the text as a candidate sees it,
//! then every option with its credit and feedback, the key and the
//! explanation.

use super::models::{QuestionRow, VersionRow};
use super::question::{ParsedQuestion, QuestionBody};
use super::rendered::RenderedQuestion;
use crate::error::AppResult;

pub struct StaffOption {
    pub label: char,
    /// Sanitised HTML.
    pub html: String,
    pub credit: String,
    pub is_key: bool,
    /// Sanitised HTML.
    pub feedback_html: Option<String>,
}

pub struct StaffView {
    /// Sanitised HTML.
    pub stem_html: String,
    pub options: Vec<StaffOption>,
    /// The key of a question without options, in words.
    pub answers: Vec<String>,
    /// Sanitised HTML.
    pub explanation_html: Option<String>,
}

fn percent(credit: f64) -> String {
    format!("{}%", (credit * 1000.0).round() / 10.0)
}

impl StaffView {
    pub fn of(question: &QuestionRow, version: &VersionRow) -> AppResult<StaffView> {
        let rendered = version.rendered(question)?;
        let parsed = version.to_parsed(question)?;
        Ok(StaffView::from_parts(&parsed, rendered))
    }

    /// A question with its rendering, stored or not (the editor's preview).
    pub fn from_parts(parsed: &ParsedQuestion, rendered: RenderedQuestion) -> StaffView {
        let best = parsed.body.options().iter().map(|o| o.credit).fold(0.0, f64::max);
        let multiple = matches!(parsed.body, QuestionBody::MultipleResponse { .. });
        let options = parsed
            .body
            .options()
            .iter()
            .zip('A'..='Z')
            .enumerate()
            .map(|(i, (o, label))| StaffOption {
                label,
                html: rendered.option(i).html,
                credit: percent(o.credit),
                is_key: if multiple {
                    o.credit > 0.0
                } else {
                    best > 0.0 && o.credit >= best - 1e-9
                },
                feedback_html: rendered.feedback.get(i).cloned().flatten().map(|f| f.html),
            })
            .collect();
        let answers = match &parsed.body {
            QuestionBody::TrueFalse { answer } => {
                vec![format!("{} is correct", if *answer { "True" } else { "False" })]
            }
            QuestionBody::Numeric { answers } => answers
                .iter()
                .map(|a| format!("{} ± {} earns {}", a.value, a.tolerance, percent(a.credit)))
                .collect(),
            QuestionBody::ShortText { answers } => answers
                .iter()
                .map(|a| format!("“{}” earns {}", a.text, percent(a.credit)))
                .collect(),
            QuestionBody::Essay => vec!["Marked by a person".to_owned()],
            QuestionBody::SingleChoice { .. } | QuestionBody::MultipleResponse { .. } => vec![],
        };
        StaffView {
            stem_html: rendered.stem.html,
            options,
            answers,
            explanation_html: rendered.explanation.map(|e| e.html),
        }
    }
}
