//! Writes a bank in the native TOML format, in the layout FORMATS.md shows,
//! so that exported banks read like the hand-written ones in
//! `question_banks/`. Whatever `native::read` produced, this writes back
//! without loss.

use std::fmt::Write as _;

use super::choices::{even_keys, letter};
use super::numbers::toml_float;
use crate::banks::question::{ParsedQuestion, QuestionBody, TextFormat};

pub fn write_toml(bank_name: &str, questions: &[ParsedQuestion]) -> String {
    let mut out = String::new();
    // One category for the whole bank when every question shares it; the
    // others spell theirs out.
    let shared_category = questions
        .first()
        .and_then(|q| q.category.clone())
        .filter(|c| questions.iter().all(|q| q.category.as_deref() == Some(c.as_str())));
    out.push_str("[bank]\n");
    let _ = writeln!(out, "name = {}", string(bank_name));
    if let Some(category) = &shared_category {
        let _ = writeln!(out, "category = {}", string(category));
    }
    for q in questions {
        out.push_str("\n[[question]]\n");
        write_question(&mut out, q, shared_category.is_some());
    }
    out
}

fn write_question(out: &mut String, q: &ParsedQuestion, category_shared: bool) {
    let mut field = |key: &str, value: String| {
        let _ = writeln!(out, "{key} = {value}");
    };
    if let Some(id) = &q.external_id {
        field("id", string(id));
    }
    field("type", string(q.body.question_type().as_str()));
    if let Some(name) = &q.name {
        field("name", string(name));
    }
    if let (Some(category), false) = (&q.category, category_shared) {
        field("category", string(category));
    }
    field("difficulty", string(q.difficulty.as_str()));
    field("points", toml_float(q.points));
    if !q.tags.is_empty() {
        field("tags", array(q.tags.iter().map(|t| string(t))));
    }
    match q.stem_format {
        TextFormat::Markdown => {}
        TextFormat::Plain => field("format", string("plain")),
        TextFormat::Html => field("format", string("html")),
        TextFormat::Moodle => field("format", string("moodle")),
    }
    field("stem", string(&q.stem));
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => {
            field("options", array(options.iter().map(|o| string(&o.text))));
            if options.iter().any(|o| o.feedback.is_some()) {
                let feedback = options.iter().map(|o| string(o.feedback.as_deref().unwrap_or("")));
                field("feedback", array(feedback));
            }
            let single = matches!(q.body, QuestionBody::SingleChoice { .. });
            match even_keys(options) {
                Some(keys) if single && keys.len() == 1 => {
                    field("answer", string(&keys.iter().map(|&k| letter(k)).collect::<String>()));
                }
                Some(keys) if !single => {
                    field("answer", array(keys.iter().map(|&k| string(&letter(k).to_string()))));
                }
                _ => field("credit", array(options.iter().map(|o| toml_float(o.credit)))),
            }
        }
        QuestionBody::TrueFalse { answer } => field("answer", answer.to_string()),
        QuestionBody::Numeric { answers } => match answers.as_slice() {
            [only] if only.credit == 1.0 => {
                field("answer", toml_float(only.value));
                field("tolerance", toml_float(only.tolerance));
            }
            _ => {
                field("answer", array(answers.iter().map(|a| toml_float(a.value))));
                field("tolerance", array(answers.iter().map(|a| toml_float(a.tolerance))));
                field("credit", array(answers.iter().map(|a| toml_float(a.credit))));
            }
        },
        QuestionBody::ShortText { answers } => {
            field("answers", array(answers.iter().map(|a| string(&a.text))));
            if answers.iter().any(|a| a.credit != 1.0) {
                field("credit", array(answers.iter().map(|a| toml_float(a.credit))));
            }
        }
        QuestionBody::Essay => {}
    }
    if let Some(explanation) = &q.explanation {
        field("explanation", string(explanation));
    }
    if !q.extras.is_empty() {
        if let Ok(json) = serde_json::to_string(&q.extras) {
            field("moodle", string(&json));
        }
    }
    if let (Some(a), Some(b)) = (q.irt_a, q.irt_b) {
        field("irt_a", toml_float(a));
        field("irt_b", toml_float(b));
    }
}

fn array(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// A TOML basic string.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(string("a \"b\" \\ c\nd\u{7}"), "\"a \\\"b\\\" \\\\ c\\nd\\u0007\"");
    }
}
