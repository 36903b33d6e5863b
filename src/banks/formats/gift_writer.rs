//! Writes questions as GIFT that Moodle imports and that `gift::read` reads
//! back to the same questions. What GIFT cannot say (id, difficulty, points,
//! tags, calibrated irt_a and irt_b) goes into a `// assay:` comment before each question.

use std::fmt::Write as _;

use super::gift_answers::SPECIALS;
use super::numbers::{fraction_to_percent, plain_number};
use super::text::category_needs_prefix;
use crate::banks::model::{ParsedQuestion, QuestionBody, TextFormat};

pub fn write_gift(questions: &[ParsedQuestion]) -> String {
    let mut out = String::new();
    let mut category: Option<&str> = None;
    for q in questions {
        if q.category.as_deref() != category {
            category = q.category.as_deref();
            let path = category.unwrap_or_default();
            let prefix = if category_needs_prefix(path) {
                "$course$/top/"
            } else {
                ""
            };
            let _ = writeln!(out, "$CATEGORY: {prefix}{path}\n");
        }
        write_question(&mut out, q);
        out.push('\n');
    }
    out
}

fn write_question(out: &mut String, q: &ParsedQuestion) {
    let mut meta = Vec::new();
    if let Some(id) = &q.external_id {
        meta.push(format!("id={}", meta_escape(id, "")));
    }
    meta.push(format!("difficulty={}", q.difficulty.as_str()));
    meta.push(format!("points={}", plain_number(q.points)));
    if !q.tags.is_empty() {
        let tags: Vec<String> = q.tags.iter().map(|t| meta_escape(t, ",")).collect();
        meta.push(format!("tags={}", tags.join(",")));
    }
    if let (Some(a), Some(b)) = (q.irt_a, q.irt_b) {
        meta.push(format!("irt_a={}; irt_b={}", plain_number(a), plain_number(b)));
    }
    let _ = writeln!(out, "// assay: {}", meta.join("; "));
    if let Some(name) = &q.name {
        let _ = write!(out, "::{}::", escape(name));
    }
    // A tag also keeps a plain stem that starts like a comment, a category
    // line or a tag from being taken for one.
    let tag = match q.stem_format {
        TextFormat::Html => "[html]",
        TextFormat::Markdown => "[markdown]",
        TextFormat::Plain if q.stem.starts_with(['[', '/', '$']) => "[plain]",
        TextFormat::Plain => "",
    };
    let _ = write!(out, "{tag}{} {{", escape(&q.stem));
    let mut answers: Vec<String> = Vec::new();
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => {
            let single = matches!(q.body, QuestionBody::SingleChoice { .. });
            for option in options {
                let marker = if single && option.credit == 1.0 { '=' } else { '~' };
                let default = if marker == '=' { 1.0 } else { 0.0 };
                let mut answer = format!("{marker}{}", weight(option.credit, default, &option.text));
                answer.push_str(&escape(&option.text));
                if let Some(feedback) = &option.feedback {
                    let _ = write!(answer, "#{}", escape(feedback));
                }
                answers.push(answer);
            }
        }
        QuestionBody::TrueFalse { answer } => answers.push(if *answer { "TRUE" } else { "FALSE" }.to_owned()),
        QuestionBody::Numeric { answers: numeric } => match numeric.as_slice() {
            [only] if only.credit == 1.0 => {
                answers.push(format!(
                    "#{}:{}",
                    plain_number(only.value),
                    plain_number(only.tolerance)
                ));
            }
            _ => {
                answers.push("#".to_owned());
                for a in numeric {
                    answers.push(format!(
                        "=%{}%{}:{}",
                        fraction_to_percent(a.credit),
                        plain_number(a.value),
                        plain_number(a.tolerance)
                    ));
                }
            }
        },
        QuestionBody::ShortText { answers: accepted } => {
            for a in accepted {
                answers.push(format!("={}{}", weight(a.credit, 1.0, &a.text), escape(&a.text)));
            }
        }
        QuestionBody::Essay => {}
    }
    if let Some(explanation) = &q.explanation {
        answers.push(format!("####{}", escape(explanation)));
    }
    let _ = writeln!(out, "{}}}", answers.join(" "));
}

/// `%w%` when the credit is not what the marker implies, or when the text
/// itself starts with `%` and would otherwise be read as a weight.
fn weight(credit: f64, default: f64, text: &str) -> String {
    if credit != default || text.starts_with('%') {
        format!("%{}%", fraction_to_percent(credit))
    } else {
        String::new()
    }
}

/// GIFT's escapes, `\\` first; line breaks become `\n` so that a question
/// stays on one line and no blank line can split it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push_str("\\n"),
            c if SPECIALS.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes for a value in the `// assay:` comment.
fn meta_escape(text: &str, also: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | ';' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if also.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gift_escapes_every_special_character_and_backslash_first() {
        assert_eq!(escape("a\\b~c=d#e{f}g:h\ni"), "a\\\\b\\~c\\=d\\#e\\{f\\}g\\:h\\ni");
    }

    #[test]
    fn assay_comment_escapes_separators() {
        assert_eq!(meta_escape("a;b,c\\d", ","), "a\\;b\\,c\\\\d");
    }
}
