//! The question as a candidate would see it, from the editor's fields:
//! rendered on the server through `crate::content`, as a version would be,
//! and shown with the test page's own question partial.

use super::super::question::{ParsedQuestion, QuestionBody, QuestionType};
use super::super::rendered::RenderedQuestion;
use super::super::staff_view::StaffView;

/// One answer control, as the test page's partial reads it.
pub struct PreviewChoice {
    pub value: String,
    pub html: String,
    pub checked: bool,
}

/// What the partial `_partials/question.html` reads (`stem_html`, `input`,
/// `choices`, `text`), and the key for the toggle beside it.
pub struct Preview {
    pub stem_html: String,
    /// radio, checkbox, number, text or textarea
    pub input: &'static str,
    pub choices: Vec<PreviewChoice>,
    pub text: String,
    pub key: StaffView,
}

impl Preview {
    pub fn of(q: &ParsedQuestion) -> Preview {
        let rendered = RenderedQuestion::of(q);
        let qtype = q.body.question_type();
        let input = match qtype {
            QuestionType::SingleChoice | QuestionType::TrueFalse => "radio",
            QuestionType::MultipleResponse => "checkbox",
            QuestionType::Numeric => "number",
            QuestionType::ShortText => "text",
            QuestionType::Essay => "textarea",
        };
        let choices = match &q.body {
            // The test page shows True first (see `attempts::service`).
            QuestionBody::TrueFalse { .. } => [("true", "True"), ("false", "False")]
                .into_iter()
                .map(|(value, label)| PreviewChoice {
                    value: value.to_owned(),
                    html: label.to_owned(),
                    checked: false,
                })
                .collect(),
            _ => (0..q.body.options().len())
                .map(|i| PreviewChoice {
                    value: i.to_string(),
                    html: rendered.option(i).html,
                    checked: false,
                })
                .collect(),
        };
        Preview {
            stem_html: rendered.stem.html.clone(),
            input,
            choices,
            text: String::new(),
            key: StaffView::from_parts(q, rendered),
        }
    }
}
