//! Maps the elements of a Moodle XML `<quiz>` onto questions.

use super::moodle_files::{files, moodle_19_image, unusable_files};
use super::moodle_xml::Element;
use super::numbers::{parse_number, percent_to_fraction};
use super::position::LineIndex;
use super::text::{category_path, clean_tags, clean_text, optional_text};
use crate::banks::images;
use crate::banks::question::{
    AnswerExtras, ChoiceOption, Diagnostic, Difficulty, NumericAnswer, ParseOutcome, ParsedQuestion, QuestionBody,
    QuestionExtras, RichText, Severity, TextAnswer, TextFormat,
};

/// Finds problems in one question, each on the line of the element at fault.
struct Question<'a> {
    index: &'a LineIndex<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Question<'_> {
    fn line(&self, element: &Element) -> usize {
        self.index.line(element.offset)
    }

    fn error(&mut self, element: &Element, message: impl Into<String>) {
        let line = self.line(element);
        self.diagnostics.push(Diagnostic::error(line, message));
    }

    /// The text of `<text>` under `element`. HTML must be escaped or in
    /// CDATA; tags left raw would be read as XML and lost.
    fn text(&mut self, element: &Element) -> Option<String> {
        let text = element.child("text")?;
        if let Some(tag) = text.children.first() {
            let message = format!(
                "<{}> inside <text> is read as XML, not as HTML; put the HTML in <![CDATA[ … ]]>",
                tag.name
            );
            self.error(tag, message);
        }
        Some(text.text.clone())
    }

    fn credit(&mut self, answer: &Element) -> Option<f64> {
        let written = answer.attribute("fraction").unwrap_or("0");
        let credit = percent_to_fraction(written);
        match credit {
            None => {
                let message = format!("fraction=\"{written}\" is not a percentage such as 100, 50 or -25");
                self.error(answer, message);
            }
            Some(fraction) if !is_moodle_grade(fraction) => {
                // Refused as Moodle refuses it; like an unsupported type, the
                // trainer may skip the question and import the rest.
                let line = self.line(answer);
                self.diagnostics
                    .push(Diagnostic::unsupported(line, refused_grade(written.trim())));
                return None;
            }
            Some(_) => {}
        }
        credit
    }
}

pub(super) fn read_quiz(root: &Element, index: &LineIndex<'_>, outcome: &mut ParseOutcome) {
    if root.name != "quiz" {
        outcome.diagnostics.push(Diagnostic::error(
            index.line(root.offset),
            format!(
                "the top element is <{}>; a Moodle XML file starts with <quiz>",
                root.name
            ),
        ));
        return;
    }
    let mut category = None;
    for element in &root.children {
        let line = index.line(element.offset);
        if element.name != "question" {
            outcome.diagnostics.push(Diagnostic::warning(
                line,
                format!("<{}> is not a <question> and was ignored", element.name),
            ));
            continue;
        }
        let kind = element.attribute("type").unwrap_or_default();
        match kind {
            "category" => {
                let path = element
                    .path(&["category", "text"])
                    .map(|t| t.text.as_str())
                    .unwrap_or_default();
                category = category_path(path);
            }
            "description" => outcome.diagnostics.push(Diagnostic::warning(
                line,
                "a description is text, not a question; it was skipped",
            )),
            "multichoice" | "truefalse" | "shortanswer" | "numerical" | "essay" => {
                let mut question = Question {
                    index,
                    diagnostics: Vec::new(),
                };
                let parsed = question.read(element, kind, &category);
                let failed = question.diagnostics.iter().any(|d| d.severity == Severity::Error);
                outcome.diagnostics.extend(question.diagnostics);
                if let Some(q) = parsed.filter(|_| !failed) {
                    outcome.questions.push(q);
                }
            }
            "" => outcome
                .diagnostics
                .push(Diagnostic::error(line, "this <question> has no type=\"…\"")),
            other => {
                let described = match other {
                    "multianswer" => "cloze (multianswer)",
                    "match" => "matching",
                    other => other,
                };
                outcome.diagnostics.push(Diagnostic::unsupported(
                    line,
                    format!(
                        "Assay cannot hold {described} questions yet; remove this one, or import \
                         with --skip-unsupported to skip it"
                    ),
                ));
            }
        }
    }
}

/// Moodle's grades: an answer's fraction must be one of these (or its
/// negative), or Moodle's importer refuses the question
/// (`question_bank::fraction_options_full`, matched within 0.00001).
const MOODLE_GRADES: [f64; 21] = [
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1666667, 0.1428571,
    0.125, 0.1111111, 0.1, 0.05, 0.0,
];

pub(super) fn is_moodle_grade(fraction: f64) -> bool {
    MOODLE_GRADES.iter().any(|g| (fraction.abs() - g).abs() < 0.00001)
}

/// The sentence for a grade Moodle refuses.
pub(super) fn refused_grade(written: &str) -> String {
    format!(
        "{written}% is not a grade Moodle accepts, so Moodle refuses this question; use one of 100, 90, \
         83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, \
         11.11111, 10, 5 or 0 (or its negative), or import with --skip-unsupported to skip the question"
    )
}

/// A `format="…"` attribute in Moodle's names.
fn format_named(name: Option<&str>) -> Option<TextFormat> {
    match name? {
        "html" => Some(TextFormat::Html),
        "markdown" => Some(TextFormat::Markdown),
        "moodle_auto_format" => Some(TextFormat::Moodle),
        "plain_text" => Some(TextFormat::Plain),
        _ => None,
    }
}

/// Moodle's name for a format.
pub(super) fn format_name(format: TextFormat) -> &'static str {
    match format {
        TextFormat::Plain => "plain_text",
        TextFormat::Html => "html",
        TextFormat::Markdown => "markdown",
        TextFormat::Moodle => "moodle_auto_format",
    }
}

/// Elements Moodle exports that Assay does not keep, each with what it is
/// in words, and whether it holds something: only those are worth a
/// warning, since Moodle writes most of them on every question.
fn lost(element: &Element) -> Vec<&'static str> {
    let has_text = |name: &str| {
        element
            .children_named(name)
            .any(|e| e.child("text").is_some_and(|t| !t.text.trim().is_empty()))
    };
    let is_set = |name: &str, default: &[&str]| element.child(name).is_some_and(|e| !default.contains(&e.text.trim()));
    let mut lost = Vec::new();
    if has_text("correctfeedback") || has_text("partiallycorrectfeedback") || has_text("incorrectfeedback") {
        lost.push("its combined feedback (for right, partly right and wrong responses)");
    }
    if element.children_named("hint").next().is_some() {
        lost.push("its hints");
    }
    if element
        .child("units")
        .is_some_and(|u| u.children_named("unit").next().is_some())
    {
        lost.push("its units");
    }
    if is_set("hidden", &["0"]) {
        lost.push("its hidden flag");
    }
    if is_set("attachments", &["0"]) {
        lost.push("its file attachments setting");
    }
    if is_set("usecase", &["0"]) {
        lost.push("case-sensitive matching (Assay ignores case)");
    }
    if is_set("shuffleanswers", &["1", "true"]) {
        lost.push("its fixed option order (Assay shuffles options when the assessment says so)");
    }
    // Moodle's default penalty per type; another value only matters for
    // several tries at a question, which Assay does not offer.
    let default_penalty: &[&str] = match element.attribute("type") {
        Some("truefalse") => &["1", "1.0000000"],
        Some("essay") => &["0", "0.0000000"],
        _ => &["0.3333333", "0.33333333", "0"],
    };
    if element
        .child("penalty")
        .and_then(|p| parse_number(&p.text))
        .is_some_and(|p| !default_penalty.iter().any(|d| parse_number(d) == Some(p)))
    {
        lost.push("its penalty for each wrong try");
    }
    if is_set("responseformat", &["editor", "editorfilepicker", "plain", "monospaced"]) {
        lost.push("its response format (Assay asks for typed text)");
    }
    if is_set("responserequired", &["1"]) {
        lost.push("its optional response (Assay expects one)");
    }
    if is_set("minwordlimit", &["", "0"]) || is_set("maxwordlimit", &["", "0"]) {
        lost.push("its word limits");
    }
    // A Moodle 1.9 image without its content names a course file the
    // export does not hold.
    if element.child("image").is_some_and(|i| !i.text.trim().is_empty())
        && element.child("image_base64").is_none_or(|b| b.text.trim().is_empty())
    {
        lost.push("its Moodle 1.9 image (<image> names a course file the export does not include)");
    }
    lost
}

/// What an `<answer>` keeps besides its text and credit; `own_feedback`
/// says whether its feedback goes here (numeric and short answers) or into
/// the option itself (choices).
fn answer_extras(
    answer: &Element,
    feedback: Option<&RichText>,
    stem_format: TextFormat,
    own_feedback: bool,
) -> AnswerExtras {
    AnswerExtras {
        // Only a choice shows its answer's text; Moodle's format on a short
        // or numeric answer means nothing.
        text_format: format_named(answer.attribute("format")).filter(|f| *f != stem_format && !own_feedback),
        text_files: files(answer),
        feedback_format: feedback.and_then(|f| f.format),
        feedback_files: feedback.map(|f| f.files.clone()).unwrap_or_default(),
        feedback: feedback.map(|f| f.text.clone()).filter(|_| own_feedback),
    }
}

/// The texts of a question's `<tags>`.
fn tags(element: &Element) -> Vec<&str> {
    element
        .child("tags")
        .map(|tags| {
            tags.children_named("tag")
                .filter_map(|t| t.child("text"))
                .map(|t| t.text.as_str())
                .collect()
        })
        .unwrap_or_default()
}

impl Question<'_> {
    /// A text element's text, format and files.
    fn rich(&mut self, element: &Element, stem_format: TextFormat) -> Option<RichText> {
        let text = self.text(element).and_then(|t| optional_text(&t))?;
        Some(RichText {
            text,
            format: format_named(element.attribute("format")).filter(|f| *f != stem_format),
            files: files(element),
        })
    }

    fn read(&mut self, element: &Element, kind: &str, category: &Option<String>) -> Option<ParsedQuestion> {
        let stem_element = element.child("questiontext");
        let stem = match stem_element {
            Some(stem) => self.text(stem).map(|s| clean_text(&s)).unwrap_or_default(),
            None => String::new(),
        };
        let mut stem_format = format_named(stem_element.and_then(|s| s.attribute("format"))).unwrap_or_default();
        let mut stem = stem;
        self.warn_lost(element);
        let mut extras = QuestionExtras {
            stem_files: stem_element.map(files).unwrap_or_default(),
            ..QuestionExtras::default()
        };
        if let Some(image) = moodle_19_image(element) {
            // As Moodle's importer does: the file joins the stem's and the
            // stem shows it at its end.
            if stem_format == TextFormat::Plain {
                stem = crate::content::escape(&stem);
                stem_format = TextFormat::Html;
            }
            stem.push_str(&format!(
                " <img src=\"{}{}\" alt=\"\">",
                images::PLUGINFILE,
                image.name.replace(' ', "%20")
            ));
            extras.stem_files.push(image);
        }
        let points = self.points(element)?;
        let explanation = element.child("generalfeedback").and_then(|f| self.rich(f, stem_format));
        if let Some(explanation) = &explanation {
            extras.explanation_format = explanation.format;
            extras.explanation_files = explanation.files.clone();
        }
        let name = element.child("name").and_then(|n| self.text(n));
        let tags = tags(element);
        let body = self.body(element, kind, stem_format, &mut extras)?;
        self.warn_unusable_files(element, &extras);
        let difficulty = self.difficulty(element)?;
        let (irt_a, irt_b) = self.irt(element);
        Some(ParsedQuestion {
            line: self.line(element),
            external_id: element.child("idnumber").and_then(|i| optional_text(&i.text)),
            name: name.and_then(|n| optional_text(&n)),
            category: category.clone(),
            difficulty,
            points,
            tags: clean_tags(tags),
            stem,
            stem_format,
            body,
            explanation: explanation.map(|e| e.text),
            extras: extras.normalised(),
            irt_a,
            irt_b,
        })
    }

    /// Warns about the elements Assay has no place for.
    fn warn_unusable_files(&mut self, element: &Element, extras: &QuestionExtras) {
        let line = self.line(element);
        self.diagnostics.extend(unusable_files(line, extras));
    }

    fn warn_lost(&mut self, element: &Element) {
        let lost = lost(element);
        if !lost.is_empty() {
            let line = self.line(element);
            self.diagnostics.push(Diagnostic::warning(
                line,
                format!("Assay does not keep {}; importing loses it", lost.join(", ")),
            ));
        }
    }

    /// `<defaultgrade>`, 1 when absent; `None` (reported) when not a number.
    fn points(&mut self, element: &Element) -> Option<f64> {
        match element.child("defaultgrade") {
            Some(grade) => parse_number(&grade.text).or_else(|| {
                let message = format!("<defaultgrade> \"{}\" is not a number", grade.text.trim());
                self.error(grade, message);
                None
            }),
            None => Some(1.0),
        }
    }

    /// The type-specific part; an unknown type reads as an essay.
    fn body(
        &mut self,
        element: &Element,
        kind: &str,
        stem_format: TextFormat,
        extras: &mut QuestionExtras,
    ) -> Option<QuestionBody> {
        Some(match kind {
            "multichoice" => self.multichoice(element, stem_format, extras)?,
            "truefalse" => self.truefalse(element, stem_format, extras)?,
            "shortanswer" => self.shortanswer(element, stem_format, extras)?,
            "numerical" => self.numerical(element, stem_format, extras)?,
            _ => {
                extras.grader_info = element.child("graderinfo").and_then(|g| self.rich(g, stem_format));
                extras.response_template = element
                    .child("responsetemplate")
                    .and_then(|t| self.rich(t, stem_format));
                QuestionBody::Essay
            }
        })
    }

    /// `<difficulty>`, medium when absent; `None` (reported) when not a level.
    fn difficulty(&mut self, element: &Element) -> Option<Difficulty> {
        match element.child("difficulty") {
            Some(d) => d.text.trim().parse::<Difficulty>().ok().or_else(|| {
                let message = format!("<difficulty> is easy, medium or hard, not \"{}\"", d.text.trim());
                self.error(d, message);
                None
            }),
            None => Some(Difficulty::Medium),
        }
    }

    /// Calibrated 2PL parameters, in elements Moodle's importer ignores,
    /// as Assay's writer puts them.
    fn irt(&mut self, element: &Element) -> (Option<f64>, Option<f64>) {
        let irt = |name: &str| {
            element
                .child(name)
                .map(|e| (e, super::numbers::parse_number(e.text.trim())))
        };
        let mut irt_value = |name: &str| match irt(name) {
            Some((_, Some(v))) => Some(v),
            Some((e, None)) => {
                let message = format!("<{name}> is a number, not \"{}\"", e.text.trim());
                self.error(e, message);
                None
            }
            None => None,
        };
        let (irt_a, irt_b) = (irt_value("irt_a"), irt_value("irt_b"));
        match super::numbers::irt_parameters(irt_a, irt_b) {
            Ok(pair) => pair,
            Err(message) => {
                self.error(element, message);
                (None, None)
            }
        }
    }

    fn multichoice(
        &mut self,
        element: &Element,
        stem_format: TextFormat,
        extras: &mut QuestionExtras,
    ) -> Option<QuestionBody> {
        let single = match element.child("single").map(|s| s.text.trim().to_ascii_lowercase()) {
            None => true,
            Some(s) if s == "true" || s == "1" => true,
            Some(s) if s == "false" || s == "0" => false,
            Some(other) => {
                let message = format!("<single> is true or false, not \"{other}\"");
                self.error(element.child("single").unwrap_or(element), message);
                return None;
            }
        };
        let mut options = Vec::new();
        for answer in element.children_named("answer") {
            let credit = self.credit(answer);
            let text = self.text(answer).map(|t| clean_text(&t)).unwrap_or_default();
            let feedback = answer.child("feedback").and_then(|f| self.rich(f, stem_format));
            extras
                .answers
                .push(answer_extras(answer, feedback.as_ref(), stem_format, false));
            options.push(ChoiceOption {
                text,
                credit: credit.unwrap_or_default(),
                feedback: feedback.map(|f| f.text),
            });
        }
        Some(if single {
            QuestionBody::SingleChoice { options }
        } else {
            QuestionBody::MultipleResponse { options }
        })
    }

    fn truefalse(
        &mut self,
        element: &Element,
        stem_format: TextFormat,
        extras: &mut QuestionExtras,
    ) -> Option<QuestionBody> {
        let mut right = None;
        for answer in element.children_named("answer") {
            let credit = self.credit(answer)?;
            let text = self.text(answer).unwrap_or_default().trim().to_ascii_lowercase();
            let value = match text.as_str() {
                "true" => true,
                "false" => false,
                other => {
                    let message = format!("a true/false answer is true or false, not \"{other}\"");
                    self.error(answer, message);
                    return None;
                }
            };
            let feedback = answer.child("feedback").and_then(|f| self.rich(f, stem_format));
            if value {
                extras.true_feedback = feedback;
            } else {
                extras.false_feedback = feedback;
            }
            if credit == 1.0 {
                right = Some(value);
            }
        }
        if right.is_none() {
            self.error(element, "neither answer is marked right with fraction=\"100\"");
        }
        right.map(|answer| QuestionBody::TrueFalse { answer })
    }

    fn shortanswer(
        &mut self,
        element: &Element,
        stem_format: TextFormat,
        extras: &mut QuestionExtras,
    ) -> Option<QuestionBody> {
        let mut answers = Vec::new();
        for answer in element.children_named("answer") {
            let credit = self.credit(answer);
            let text = self.text(answer).map(|t| clean_text(&t)).unwrap_or_default();
            let feedback = answer.child("feedback").and_then(|f| self.rich(f, stem_format));
            extras
                .answers
                .push(answer_extras(answer, feedback.as_ref(), stem_format, true));
            answers.push(TextAnswer {
                text,
                credit: credit.unwrap_or_default(),
            });
        }
        Some(QuestionBody::ShortText { answers })
    }

    fn numerical(
        &mut self,
        element: &Element,
        stem_format: TextFormat,
        extras: &mut QuestionExtras,
    ) -> Option<QuestionBody> {
        let mut answers = Vec::new();
        for answer in element.children_named("answer") {
            let credit = self.credit(answer);
            let written = self.text(answer).unwrap_or_default();
            // `*` is Moodle's "any other answer", there to carry feedback.
            if written.trim() == "*" {
                extras.other_feedback = answer.child("feedback").and_then(|f| self.rich(f, stem_format));
                continue;
            }
            let Some(value) = parse_number(&written) else {
                let message = format!("the numerical answer \"{}\" is not a number", written.trim());
                self.error(answer, message);
                continue;
            };
            let tolerance = match answer.child("tolerance") {
                Some(t) => parse_number(&t.text).or_else(|| {
                    let message = format!("<tolerance> \"{}\" is not a number", t.text.trim());
                    self.error(t, message);
                    None
                }),
                None => Some(0.0),
            };
            let feedback = answer.child("feedback").and_then(|f| self.rich(f, stem_format));
            extras
                .answers
                .push(answer_extras(answer, feedback.as_ref(), stem_format, true));
            answers.push(NumericAnswer {
                value,
                tolerance: tolerance.unwrap_or_default(),
                credit: credit.unwrap_or_default(),
            });
        }
        Some(QuestionBody::Numeric { answers })
    }
}
