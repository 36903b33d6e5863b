//! Maps the elements of a Moodle XML `<quiz>` onto questions.

use super::moodle_xml::Element;
use super::numbers::{parse_number, percent_to_fraction};
use super::position::LineIndex;
use super::text::{category_path, clean_tags, clean_text, optional_text};
use crate::banks::model::{
    ChoiceOption, Diagnostic, Difficulty, NumericAnswer, ParseOutcome, ParsedQuestion, QuestionBody, Severity,
    TextAnswer, TextFormat,
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
        if credit.is_none() {
            let message = format!("fraction=\"{written}\" is not a percentage such as 100, 50 or -25");
            self.error(answer, message);
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

impl Question<'_> {
    fn read(&mut self, element: &Element, kind: &str, category: &Option<String>) -> Option<ParsedQuestion> {
        let stem_element = element.child("questiontext");
        let stem = match stem_element {
            Some(stem) => self.text(stem).map(|s| clean_text(&s)).unwrap_or_default(),
            None => String::new(),
        };
        if let Some(file) = stem_element.and_then(|s| s.child("file")) {
            let line = self.line(file);
            self.diagnostics.push(Diagnostic::warning(
                line,
                "files embedded in the question (such as images) are not imported; the text may refer to them",
            ));
        }
        let stem_format = match stem_element.and_then(|s| s.attribute("format")) {
            Some("html") => TextFormat::Html,
            Some("markdown") => TextFormat::Markdown,
            _ => TextFormat::Plain,
        };
        let points = match element.child("defaultgrade") {
            Some(grade) => parse_number(&grade.text).or_else(|| {
                let message = format!("<defaultgrade> \"{}\" is not a number", grade.text.trim());
                self.error(grade, message);
                None
            })?,
            None => 1.0,
        };
        let explanation = element.child("generalfeedback").and_then(|f| self.text(f));
        let name = element.child("name").and_then(|n| self.text(n));
        let tags: Vec<&str> = element
            .child("tags")
            .map(|tags| {
                tags.children_named("tag")
                    .filter_map(|t| t.child("text"))
                    .map(|t| t.text.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let body = match kind {
            "multichoice" => self.multichoice(element)?,
            "truefalse" => self.truefalse(element)?,
            "shortanswer" => self.shortanswer(element)?,
            "numerical" => self.numerical(element)?,
            _ => QuestionBody::Essay,
        };
        Some(ParsedQuestion {
            line: self.line(element),
            external_id: element.child("idnumber").and_then(|i| optional_text(&i.text)),
            name: name.and_then(|n| optional_text(&n)),
            category: category.clone(),
            difficulty: Difficulty::Medium,
            points,
            tags: clean_tags(tags),
            stem,
            stem_format,
            body,
            explanation: explanation.and_then(|e| optional_text(&e)),
            irt_a: None,
            irt_b: None,
        })
    }

    fn multichoice(&mut self, element: &Element) -> Option<QuestionBody> {
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
            let feedback = answer.child("feedback").and_then(|f| self.text(f));
            options.push(ChoiceOption {
                text,
                credit: credit.unwrap_or_default(),
                feedback: feedback.and_then(|f| optional_text(&f)),
            });
        }
        Some(if single {
            QuestionBody::SingleChoice { options }
        } else {
            QuestionBody::MultipleResponse { options }
        })
    }

    fn truefalse(&mut self, element: &Element) -> Option<QuestionBody> {
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
            if credit == 1.0 {
                right = Some(value);
            }
        }
        if right.is_none() {
            self.error(element, "neither answer is marked right with fraction=\"100\"");
        }
        right.map(|answer| QuestionBody::TrueFalse { answer })
    }

    fn shortanswer(&mut self, element: &Element) -> Option<QuestionBody> {
        if element.child("usecase").is_some_and(|u| u.text.trim() == "1") {
            let line = self.line(element);
            self.diagnostics.push(Diagnostic::warning(
                line,
                "this question matches answers case-sensitively in Moodle; Assay ignores case",
            ));
        }
        let mut answers = Vec::new();
        for answer in element.children_named("answer") {
            let credit = self.credit(answer);
            let text = self.text(answer).map(|t| clean_text(&t)).unwrap_or_default();
            answers.push(TextAnswer {
                text,
                credit: credit.unwrap_or_default(),
            });
        }
        Some(QuestionBody::ShortText { answers })
    }

    fn numerical(&mut self, element: &Element) -> Option<QuestionBody> {
        let mut answers = Vec::new();
        for answer in element.children_named("answer") {
            let credit = self.credit(answer);
            let written = self.text(answer).unwrap_or_default();
            // `*` is Moodle's "any other answer", there only to carry feedback.
            if written.trim() == "*" {
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
            answers.push(NumericAnswer {
                value,
                tolerance: tolerance.unwrap_or_default(),
                credit: credit.unwrap_or_default(),
            });
        }
        Some(QuestionBody::Numeric { answers })
    }
}
