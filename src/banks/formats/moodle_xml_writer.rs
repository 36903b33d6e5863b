//! Writes questions as Moodle XML that Moodle imports and that
//! `moodle_xml::read` reads back to the same questions. Every text goes in
//! CDATA with its format; what Moodle has no element for (difficulty, calibrated IRT parameters) is
//! written as an element Moodle's importer ignores.

use std::fmt::Write as _;

use super::moodle_question::format_name;
use super::numbers::{fraction_to_percent, plain_number};
use crate::banks::question::{
    AnswerExtras, Difficulty, EmbeddedFile, NumericAnswer, ParsedQuestion, QuestionBody, RichText, TextFormat,
};

pub fn write_moodle_xml(questions: &[ParsedQuestion]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut category: Option<Option<&str>> = None;
    for q in questions {
        if category != Some(q.category.as_deref()) {
            category = Some(q.category.as_deref());
            let path = q.category.as_deref().unwrap_or_default();
            // Under the course's top category, spelled out so that a path
            // which itself starts with `top` keeps it.
            let full = if path.is_empty() {
                "$course$/top".to_owned()
            } else {
                format!("$course$/top/{path}")
            };
            let _ = writeln!(
                out,
                "  <question type=\"category\">\n    <category>{}</category>\n  </question>",
                text_element(&full)
            );
        }
        write_question(&mut out, q);
    }
    out.push_str("</quiz>\n");
    out
}

fn write_question(out: &mut String, q: &ParsedQuestion) {
    write_header(out, q);
    write_body(out, q);
    write_tags(out, &q.tags);
    out.push_str("  </question>\n");
}

/// The opening tag and the elements every question type shares.
fn write_header(out: &mut String, q: &ParsedQuestion) {
    let kind = match q.body {
        QuestionBody::SingleChoice { .. } | QuestionBody::MultipleResponse { .. } => "multichoice",
        QuestionBody::TrueFalse { .. } => "truefalse",
        QuestionBody::Numeric { .. } => "numerical",
        QuestionBody::ShortText { .. } => "shortanswer",
        QuestionBody::Essay => "essay",
    };
    let stem_format = q.stem_format;
    let _ = writeln!(out, "  <question type=\"{kind}\">");
    let _ = writeln!(
        out,
        "    <name>{}</name>",
        text_element(q.name.as_deref().unwrap_or_default())
    );
    let _ = writeln!(
        out,
        "    <questiontext format=\"{}\">{}{}</questiontext>",
        format_name(stem_format),
        text_element(&q.stem),
        file_elements(&q.extras.stem_files)
    );
    if let Some(explanation) = &q.explanation {
        let format = q.extras.explanation_format.unwrap_or(stem_format);
        let _ = writeln!(
            out,
            "    <generalfeedback format=\"{}\">{}{}</generalfeedback>",
            format_name(format),
            text_element(explanation),
            file_elements(&q.extras.explanation_files)
        );
    }
    let _ = writeln!(out, "    <defaultgrade>{}</defaultgrade>", plain_number(q.points));
    if let Some(id) = &q.external_id {
        let _ = writeln!(out, "    <idnumber>{}</idnumber>", escape(id));
    }
    if q.difficulty != Difficulty::Medium {
        let _ = writeln!(out, "    <difficulty>{}</difficulty>", q.difficulty.as_str());
    }
    if let (Some(a), Some(b)) = (q.irt_a, q.irt_b) {
        let _ = writeln!(out, "    <irt_a>{a}</irt_a>\n    <irt_b>{b}</irt_b>");
    }
}

/// The type-specific elements: answers, their feedback and settings.
fn write_body(out: &mut String, q: &ParsedQuestion) {
    let stem_format = q.stem_format;
    let extra = |i: usize| q.extras.answer(i).cloned().unwrap_or_default();
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => {
            let single = matches!(q.body, QuestionBody::SingleChoice { .. });
            let _ = writeln!(out, "    <single>{single}</single>");
            let _ = writeln!(out, "    <shuffleanswers>true</shuffleanswers>");
            let _ = writeln!(out, "    <answernumbering>abc</answernumbering>");
            for (i, option) in options.iter().enumerate() {
                let extra = extra(i);
                answer(
                    out,
                    option.credit,
                    &option.text,
                    option.feedback.as_deref(),
                    &extra,
                    stem_format,
                    "",
                );
            }
        }
        QuestionBody::TrueFalse { answer: key } => write_true_false(out, q, *key),
        QuestionBody::Numeric { answers } => write_numeric(out, q, answers),
        QuestionBody::ShortText { answers } => {
            let _ = writeln!(out, "    <usecase>0</usecase>");
            for (i, a) in answers.iter().enumerate() {
                let extra = extra(i);
                answer(
                    out,
                    a.credit,
                    &a.text,
                    extra.feedback.as_deref(),
                    &extra,
                    stem_format,
                    "",
                );
            }
        }
        QuestionBody::Essay => write_essay(out, q),
    }
}

/// Moodle wants both a true and a false answer, the key one carrying full credit.
fn write_true_false(out: &mut String, q: &ParsedQuestion, key: bool) {
    let stem_format = q.stem_format;
    for (value, feedback) in [(true, &q.extras.true_feedback), (false, &q.extras.false_feedback)] {
        let credit = if value == key { 1.0 } else { 0.0 };
        let _ = write!(
            out,
            "    <answer fraction=\"{}\" format=\"moodle_auto_format\">{}",
            fraction_to_percent(credit),
            text_element(if value { "true" } else { "false" })
        );
        rich_feedback(out, feedback.as_ref(), stem_format);
        out.push_str("</answer>\n");
    }
}

/// Numeric answers with tolerances; feedback for any other response becomes a `*` answer.
fn write_numeric(out: &mut String, q: &ParsedQuestion, answers: &[NumericAnswer]) {
    let stem_format = q.stem_format;
    for (i, a) in answers.iter().enumerate() {
        let extra = q.extras.answer(i).cloned().unwrap_or_default();
        let tolerance = format!("<tolerance>{}</tolerance>", plain_number(a.tolerance));
        answer(
            out,
            a.credit,
            &plain_number(a.value),
            extra.feedback.as_deref(),
            &extra,
            stem_format,
            &tolerance,
        );
    }
    if let Some(other) = &q.extras.other_feedback {
        let _ = write!(
            out,
            "    <answer fraction=\"0\" format=\"moodle_auto_format\">{}",
            text_element("*")
        );
        rich_feedback(out, Some(other), stem_format);
        out.push_str("<tolerance>0</tolerance></answer>\n");
    }
}

/// An essay's grader information and response template, each with its own format.
fn write_essay(out: &mut String, q: &ParsedQuestion) {
    let stem_format = q.stem_format;
    let _ = writeln!(out, "    <responseformat>editor</responseformat>");
    for (element, text) in [
        ("graderinfo", &q.extras.grader_info),
        ("responsetemplate", &q.extras.response_template),
    ] {
        if let Some(text) = text {
            let format = text.format.unwrap_or(stem_format);
            let _ = writeln!(
                out,
                "    <{element} format=\"{}\">{}{}</{element}>",
                format_name(format),
                text_element(&text.text),
                file_elements(&text.files)
            );
        }
    }
}

fn write_tags(out: &mut String, tags: &[String]) {
    if !tags.is_empty() {
        out.push_str("    <tags>\n");
        for tag in tags {
            let _ = writeln!(out, "      <tag>{}</tag>", text_element(tag));
        }
        out.push_str("    </tags>\n");
    }
}

/// One `<answer>` with its text, files, feedback and `more` (a tolerance).
fn answer(
    out: &mut String,
    credit: f64,
    text: &str,
    feedback: Option<&str>,
    extra: &AnswerExtras,
    stem_format: TextFormat,
    more: &str,
) {
    let _ = write!(
        out,
        "    <answer fraction=\"{}\" format=\"{}\">{}{}",
        fraction_to_percent(credit),
        format_name(extra.text_format.unwrap_or(stem_format)),
        text_element(text),
        file_elements(&extra.text_files)
    );
    if let Some(feedback) = feedback {
        let _ = write!(
            out,
            "<feedback format=\"{}\">{}{}</feedback>",
            format_name(extra.feedback_format.unwrap_or(stem_format)),
            text_element(feedback),
            file_elements(&extra.feedback_files)
        );
    }
    out.push_str(more);
    out.push_str("</answer>\n");
}

fn rich_feedback(out: &mut String, feedback: Option<&RichText>, stem_format: TextFormat) {
    if let Some(feedback) = feedback {
        let _ = write!(
            out,
            "<feedback format=\"{}\">{}{}</feedback>",
            format_name(feedback.format.unwrap_or(stem_format)),
            text_element(&feedback.text),
            file_elements(&feedback.files)
        );
    }
}

fn file_elements(files: &[EmbeddedFile]) -> String {
    files
        .iter()
        .map(|f| {
            format!(
                "<file name=\"{}\" path=\"{}\" encoding=\"base64\">{}</file>",
                escape(&f.name),
                escape(&f.path),
                escape(&f.content)
            )
        })
        .collect()
}

/// `<text>` holding the text in CDATA; a `]]>` inside is split across two
/// sections, the only thing CDATA cannot hold.
fn text_element(text: &str) -> String {
    if text.is_empty() {
        return "<text></text>".to_owned();
    }
    format!("<text><![CDATA[{}]]></text>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// XML's five escapes, for attributes and plain elements.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_end_inside_a_text_is_split_across_sections() {
        assert_eq!(text_element("a]]>b"), "<text><![CDATA[a]]]]><![CDATA[>b]]></text>");
    }
}
