//! Writes questions as GIFT that Moodle imports and that `gift::read` reads
//! back to the same questions. What GIFT cannot say (id, difficulty, points,
//! tags, calibrated irt_a and irt_b) goes into a `// assay:` comment before each question.

use std::fmt::Write as _;

use super::gift_answers::SPECIALS;
use super::numbers::{fraction_to_percent, plain_number};
use super::text::category_needs_prefix;
use crate::banks::question::{
    ChoiceOption, NumericAnswer, ParsedQuestion, QuestionBody, QuestionExtras, RichText, TextAnswer, TextFormat,
};

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
    write_comments(out, q);
    write_stem(out, q);
    let mut answers = match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => {
            choice_answers(q, options, matches!(q.body, QuestionBody::SingleChoice { .. }))
        }
        QuestionBody::TrueFalse { answer } => vec![true_false_answer(q, *answer)],
        QuestionBody::Numeric { answers: numeric } => numeric_answers(q, numeric),
        QuestionBody::ShortText { answers: accepted } => short_text_answers(q, accepted),
        QuestionBody::Essay => Vec::new(),
    };
    if let Some(explanation) = &q.explanation {
        answers.push(format!(
            "####{}",
            formatted(explanation, q.extras.explanation_format, q.stem_format)
        ));
    }
    let _ = writeln!(out, "{}}}", answers.join(" "));
}

/// The comment lines before a question: Moodle's id and tags, then the assay comment.
fn write_comments(out: &mut String, q: &ParsedQuestion) {
    let mut meta = Vec::new();
    // Moodle's own `[id:…]` and `[tag:…]`, so that Moodle keeps them too;
    // what they cannot spell goes into the assay comment.
    let mut moodle = Vec::new();
    if let Some(id) = &q.external_id {
        if moodle_can_spell(id, "") {
            moodle.push(format!("[id:{}]", id.replace(']', "\\]")));
        } else {
            meta.push(format!("id={}", meta_escape(id, "")));
        }
    }
    if !q.tags.is_empty() {
        if q.tags.iter().all(|t| moodle_can_spell(t, "<>`")) {
            moodle.extend(q.tags.iter().map(|t| format!("[tag:{}]", t.replace(']', "\\]"))));
        } else {
            let tags: Vec<String> = q.tags.iter().map(|t| meta_escape(t, ",")).collect();
            meta.push(format!("tags={}", tags.join(",")));
        }
    }
    meta.insert(0, format!("difficulty={}", q.difficulty.as_str()));
    meta.insert(1, format!("points={}", plain_number(q.points)));
    if let Some(residue) = residue(&q.extras) {
        meta.push(format!("extras={}", meta_escape(&residue, "")));
    }
    if !moodle.is_empty() {
        let _ = writeln!(out, "// {}", moodle.join(" "));
    }
    if let (Some(a), Some(b)) = (q.irt_a, q.irt_b) {
        meta.push(format!("irt_a={}; irt_b={}", plain_number(a), plain_number(b)));
    }
    let _ = writeln!(out, "// assay: {}", meta.join("; "));
}

/// The name, the stem with its format tag, and the opening brace.
fn write_stem(out: &mut String, q: &ParsedQuestion) {
    if let Some(name) = &q.name {
        let _ = write!(out, "::{}::", escape(name));
    }
    // A tag also keeps a plain stem that starts like a comment, a category
    // line or a tag from being taken for one.
    let tag = match q.stem_format {
        TextFormat::Html => "[html]",
        TextFormat::Markdown => "[markdown]",
        TextFormat::Moodle => "[moodle]",
        TextFormat::Plain if q.stem.starts_with(['[', '/', '$']) => "[plain]",
        TextFormat::Plain => "",
    };
    let _ = write!(out, "{tag}{} {{", escape(&q.stem));
}

/// `#feedback` after an answer, when it has any.
fn push_feedback(answer: &mut String, feedback: Option<&String>, format: Option<TextFormat>, stem_format: TextFormat) {
    if let Some(feedback) = feedback {
        let _ = write!(answer, "#{}", formatted(feedback, format, stem_format));
    }
}

fn choice_answers(q: &ParsedQuestion, options: &[ChoiceOption], single: bool) -> Vec<String> {
    let mut answers = Vec::new();
    for (i, option) in options.iter().enumerate() {
        let extra = q.extras.answer(i).cloned().unwrap_or_default();
        let marker = if single && option.credit == 1.0 { '=' } else { '~' };
        let default = if marker == '=' { 1.0 } else { 0.0 };
        let mut answer = format!("{marker}{}", weight(option.credit, default, &option.text));
        answer.push_str(&formatted(&option.text, extra.text_format, q.stem_format));
        push_feedback(
            &mut answer,
            option.feedback.as_ref(),
            extra.feedback_format,
            q.stem_format,
        );
        answers.push(answer);
    }
    answers
}

fn true_false_answer(q: &ParsedQuestion, answer: bool) -> String {
    // Moodle's order: the key, then what a wrong answer hears, then
    // what a right one does.
    let (right, wrong) = if answer {
        (&q.extras.true_feedback, &q.extras.false_feedback)
    } else {
        (&q.extras.false_feedback, &q.extras.true_feedback)
    };
    let mut written = if answer { "TRUE" } else { "FALSE" }.to_owned();
    let comment = |f: &Option<RichText>| {
        f.as_ref()
            .map(|f| formatted(&f.text, f.format, q.stem_format))
            .unwrap_or_default()
    };
    if wrong.is_some() || right.is_some() {
        let _ = write!(written, "#{}", comment(wrong));
    }
    if right.is_some() {
        let _ = write!(written, "#{}", comment(right));
    }
    written
}

fn numeric_answers(q: &ParsedQuestion, numeric: &[NumericAnswer]) -> Vec<String> {
    let mut answers = vec!["#".to_owned()];
    for (i, a) in numeric.iter().enumerate() {
        let extra = q.extras.answer(i).cloned().unwrap_or_default();
        let mut answer = if numeric.len() == 1 && a.credit == 1.0 {
            String::new()
        } else {
            format!("=%{}%", fraction_to_percent(a.credit))
        };
        let _ = write!(answer, "{}:{}", plain_number(a.value), plain_number(a.tolerance));
        push_feedback(
            &mut answer,
            extra.feedback.as_ref(),
            extra.feedback_format,
            q.stem_format,
        );
        answers.push(answer);
    }
    if let Some(other) = &q.extras.other_feedback {
        answers.push(format!("~#{}", formatted(&other.text, other.format, q.stem_format)));
    }
    // `#` and the first answer belong together: `{#25:0.5}`.
    let first = answers.drain(..2.min(answers.len())).collect::<String>();
    answers.insert(0, first);
    answers
}

fn short_text_answers(q: &ParsedQuestion, accepted: &[TextAnswer]) -> Vec<String> {
    let mut answers = Vec::new();
    for (i, a) in accepted.iter().enumerate() {
        let extra = q.extras.answer(i).cloned().unwrap_or_default();
        let mut answer = format!(
            "={}{}",
            weight(a.credit, 1.0, &a.text),
            formatted(&a.text, extra.text_format, q.stem_format)
        );
        push_feedback(
            &mut answer,
            extra.feedback.as_ref(),
            extra.feedback_format,
            q.stem_format,
        );
        answers.push(answer);
    }
    answers
}

/// Whether Moodle's `[id:…]`/`[tag:…]` reads this value back unchanged.
fn moodle_can_spell(value: &str, refused: &str) -> bool {
    !value.is_empty()
        && value.trim() == value
        && !value.ends_with('\\')
        && !value.contains("[id:")
        && !value.contains("[tag:")
        && !value.chars().any(|c| c.is_control() || refused.contains(c))
}

/// What GIFT has no syntax for (essay grader information and response
/// template, embedded files), as JSON for the assay comment. Files ride
/// along with the whole of the extras, so the reader can take them as a
/// piece.
fn residue(extras: &QuestionExtras) -> Option<String> {
    let has_files = !extras.explanation_files.is_empty()
        || extras
            .answers
            .iter()
            .any(|a| !a.text_files.is_empty() || !a.feedback_files.is_empty())
        || [&extras.true_feedback, &extras.false_feedback, &extras.other_feedback]
            .into_iter()
            .flatten()
            .any(|f| !f.files.is_empty());
    let residue = if has_files {
        extras.clone()
    } else {
        QuestionExtras {
            grader_info: extras.grader_info.clone(),
            response_template: extras.response_template.clone(),
            ..QuestionExtras::default()
        }
    };
    if residue.is_empty() {
        return None;
    }
    serde_json::to_string(&residue).ok()
}

/// A text with its format tag when it has a format of its own, or when it
/// would otherwise start like one.
fn formatted(text: &str, format: Option<TextFormat>, stem_format: TextFormat) -> String {
    let format = format.or_else(|| starts_with_format_tag(text).then_some(stem_format));
    match format {
        Some(format) => format!("[{}]{}", format.as_str(), escape(text)),
        None => escape(text),
    }
}

fn starts_with_format_tag(text: &str) -> bool {
    let lower = text.get(..10).unwrap_or(text).to_ascii_lowercase();
    ["[html]", "[plain]", "[markdown]", "[moodle]"]
        .iter()
        .any(|tag| lower.starts_with(tag))
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
