//! Assay's own TOML bank format (`question_banks/*.toml`). The document is
//! parsed into spanned values first so that every complaint, down to one
//! element of an array, can name its line and column.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::choices::{keyed_options, letter_index, letter_range};
use super::native_values::{Reader, Value};
use super::position::LineIndex;
use super::text::{category_path, clean_tags, clean_text, optional_text};
use crate::banks::question::{
    ChoiceOption, Difficulty, NumericAnswer, ParseOutcome, ParsedQuestion, QuestionBody, QuestionExtras, QuestionType,
    TextAnswer, TextFormat,
};

const BANK_KEYS: &[&str] = &["name", "category"];
const QUESTION_KEYS: &[&str] = &[
    "id",
    "type",
    "name",
    "category",
    "difficulty",
    "points",
    "tags",
    "format",
    "stem",
    "options",
    "feedback",
    "answer",
    "credit",
    "tolerance",
    "answers",
    "explanation",
    "moodle",
    "irt_a",
    "irt_b",
];

pub(crate) fn read(input: &str) -> ParseOutcome {
    let mut reader = Reader {
        index: LineIndex::new(input),
        diagnostics: Vec::new(),
    };
    let (root, syntax_errors) = DeTable::parse_recoverable(input);
    for error in syntax_errors {
        let span = error.span().unwrap_or(0..0);
        reader.error(span, format!("TOML syntax: {}", error.message().trim()));
    }
    let root = root.get_ref();
    for (key, _) in root.iter() {
        if !["bank", "question"].contains(&key.get_ref().as_ref()) {
            reader.error(
                key.span(),
                format!(
                    "unknown key `{}`; a bank file holds one [bank] table and [[question]] tables",
                    key.get_ref()
                ),
            );
        }
    }
    let (bank_name, bank_category) = reader.bank(root.get("bank"));
    let mut questions = Vec::new();
    match root.get("question").map(|v| (v.get_ref(), v.span())) {
        Some((DeValue::Array(items), _)) => {
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(table) => {
                        if let Some(q) = reader.question(item.span(), table, &bank_category) {
                            questions.push(q);
                        }
                    }
                    _ => reader.error(item.span(), "each question must be a [[question]] table"),
                }
            }
        }
        Some((_, span)) => reader.error(span, "`question` must be [[question]] tables"),
        None => {}
    }
    ParseOutcome {
        bank_name,
        questions,
        diagnostics: reader.diagnostics,
    }
}
impl Reader<'_> {
    fn bank(&mut self, bank: Option<&Value<'_>>) -> (Option<String>, Option<String>) {
        let Some(bank) = bank else {
            self.error(
                0..0,
                "the file has no [bank] table; start it with [bank] and name = \"…\"",
            );
            return (None, None);
        };
        let DeValue::Table(table) = bank.get_ref() else {
            self.error(bank.span(), "`bank` must be a table: [bank] with name = \"…\"");
            return (None, None);
        };
        self.unknown_keys(table, BANK_KEYS, "[bank]");
        let name = match table.get("name") {
            Some(value) => {
                let name = self.text(value, "name").and_then(|n| optional_text(&n));
                if name.is_none() && matches!(value.get_ref(), DeValue::String(_)) {
                    self.error(value.span(), "the bank's `name` is empty");
                }
                name
            }
            None => {
                self.error(bank.span(), "the [bank] table has no `name`");
                None
            }
        };
        let category = table
            .get("category")
            .and_then(|v| self.text(v, "category"))
            .and_then(|c| category_path(&c));
        (name, category)
    }

    fn question(
        &mut self,
        header: Range<usize>,
        table: &DeTable<'_>,
        bank_category: &Option<String>,
    ) -> Option<ParsedQuestion> {
        let errors_before = self.diagnostics.len();
        self.unknown_keys(table, QUESTION_KEYS, "a question");
        let get = |key: &str| table.get(key);
        let question_type = self.question_type(get("type"), &header);
        let stem = match get("stem") {
            Some(v) => self.text(v, "stem").map(|s| clean_text(&s)),
            None => {
                self.error(header.clone(), "the question has no `stem` (its text)");
                None
            }
        };
        let difficulty = get("difficulty").and_then(|v| self.difficulty(v));
        let stem_format = get("format").and_then(|v| self.format(v));
        let points = get("points").and_then(|v| self.number(v, "points"));
        let tags = get("tags").and_then(|v| self.texts(v, "tags")).unwrap_or_default();
        let category = match get("category") {
            Some(v) => self.text(v, "category").and_then(|c| category_path(&c)),
            None => bank_category.clone(),
        };
        let id = get("id").and_then(|v| match v.get_ref() {
            DeValue::Integer(i) => Some(i.to_string()),
            _ => self.text(v, "id"),
        });
        let name = get("name").and_then(|v| self.text(v, "name"));
        let explanation = get("explanation").and_then(|v| self.text(v, "explanation"));
        let extras = get("moodle").and_then(|v| self.extras(v));
        let (irt_a, irt_b) = self.irt(table, &header);
        let body = question_type.and_then(|t| self.body(t, table, &header));
        if self.diagnostics.len() > errors_before {
            return None;
        }
        Some(ParsedQuestion {
            line: self.index.line(header.start),
            external_id: id.and_then(|i| optional_text(&i)),
            name: name.and_then(|n| optional_text(&n)),
            category,
            difficulty: difficulty.unwrap_or_default(),
            points: points.unwrap_or(1.0),
            tags: clean_tags(tags.iter().map(|(t, _)| t.as_str())),
            stem: stem?,
            // A stem without `format` is Markdown, the native format's default.
            stem_format: stem_format.unwrap_or(TextFormat::Markdown),
            body: body?,
            explanation: explanation.and_then(|e| optional_text(&e)),
            extras: extras.unwrap_or_default(),
            irt_a,
            irt_b,
        })
    }

    fn question_type(&mut self, value: Option<&Value<'_>>, header: &Range<usize>) -> Option<QuestionType> {
        let types = || {
            QuestionType::ALL
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<&str>>()
                .join(", ")
        };
        match value {
            None => {
                let message = format!("the question has no `type`; use one of {}", types());
                self.error(header.clone(), message);
                None
            }
            Some(v) => self.text(v, "type").and_then(|t| {
                let parsed = t.trim().parse::<QuestionType>().ok();
                if parsed.is_none() {
                    let message = format!("type \"{t}\" is not one of {}", types());
                    self.error(v.span(), message);
                }
                parsed
            }),
        }
    }

    fn difficulty(&mut self, v: &Value<'_>) -> Option<Difficulty> {
        let text = self.text(v, "difficulty")?;
        let parsed = text.trim().parse::<Difficulty>().ok();
        if parsed.is_none() {
            let message = format!("difficulty \"{text}\" is not one of easy, medium, hard");
            self.error(v.span(), message);
        }
        parsed
    }

    fn format(&mut self, v: &Value<'_>) -> Option<TextFormat> {
        let text = self.text(v, "format")?;
        let parsed = match text.trim() {
            "plain" => Some(TextFormat::Plain),
            "html" => Some(TextFormat::Html),
            "markdown" => Some(TextFormat::Markdown),
            "moodle" => Some(TextFormat::Moodle),
            _ => None,
        };
        if parsed.is_none() {
            let message = format!("format \"{text}\" is not one of plain, html, markdown, moodle");
            self.error(v.span(), message);
        }
        parsed
    }

    /// What a Moodle file carried beyond Assay's fields, as JSON, so a
    /// bank exported to TOML and back keeps it.
    fn extras(&mut self, v: &Value<'_>) -> Option<QuestionExtras> {
        let text = self.text(v, "moodle")?;
        match serde_json::from_str::<QuestionExtras>(&text) {
            Ok(extras) => Some(extras.normalised()),
            Err(e) => {
                let message = format!("moodle is not what Assay writes there: {e}");
                self.error(v.span(), message);
                None
            }
        }
    }

    /// The calibrated IRT parameters, which come as a pair or not at all.
    fn irt(&mut self, table: &DeTable<'_>, header: &Range<usize>) -> (Option<f64>, Option<f64>) {
        let irt_a = table.get("irt_a").and_then(|v| self.number(v, "irt_a"));
        let irt_b = table.get("irt_b").and_then(|v| self.number(v, "irt_b"));
        match super::numbers::irt_parameters(irt_a, irt_b) {
            Ok(pair) => pair,
            Err(message) => {
                self.error(header.clone(), message);
                (None, None)
            }
        }
    }

    fn body(
        &mut self,
        question_type: QuestionType,
        table: &DeTable<'_>,
        header: &Range<usize>,
    ) -> Option<QuestionBody> {
        let allowed: &[&str] = match question_type {
            QuestionType::SingleChoice | QuestionType::MultipleResponse => &["options", "feedback", "answer", "credit"],
            QuestionType::TrueFalse => &["answer"],
            QuestionType::Numeric => &["answer", "tolerance", "credit"],
            QuestionType::ShortText => &["answers", "credit"],
            QuestionType::Essay => &[],
        };
        for key in ["options", "feedback", "answer", "credit", "tolerance", "answers"] {
            if let Some((k, _)) = table.get_key_value(key) {
                if !allowed.contains(&key) {
                    let message = format!("`{key}` does not apply to a {} question", question_type.as_str());
                    self.error(k.span(), message);
                }
            }
        }
        match question_type {
            QuestionType::SingleChoice | QuestionType::MultipleResponse => {
                self.choice_body(question_type, table, header)
            }
            QuestionType::TrueFalse => match table.get("answer").map(|v| (v.get_ref(), v.span())) {
                Some((DeValue::Boolean(answer), _)) => Some(QuestionBody::TrueFalse { answer: *answer }),
                Some((other, span)) => {
                    let message = format!("a true_false answer is true or false, not a {}", other.type_str());
                    self.error(span, message);
                    None
                }
                None => self.missing(question_type, header, "`answer = true` or `answer = false`"),
            },
            QuestionType::Numeric => self.numeric(table, header),
            QuestionType::ShortText => self.short_text_body(table, header),
            QuestionType::Essay => Some(QuestionBody::Essay),
        }
    }

    /// Reports a key the question type requires and returns nothing.
    fn missing<T>(&mut self, question_type: QuestionType, header: &Range<usize>, what: &str) -> Option<T> {
        let message = format!("a {} question needs {what}", question_type.as_str());
        self.error(header.clone(), message);
        None
    }

    fn choice_body(
        &mut self,
        question_type: QuestionType,
        table: &DeTable<'_>,
        header: &Range<usize>,
    ) -> Option<QuestionBody> {
        let get = |key: &str| table.get(key);
        let Some(options_value) = get("options") else {
            return self.missing(question_type, header, "`options`");
        };
        let options = self.texts(options_value, "options")?;
        let texts: Vec<String> = options.iter().map(|(t, _)| clean_text(t)).collect();
        let mut options = match (get("answer"), get("credit")) {
            (Some(answer), Some(_)) => {
                self.error(answer.span(), "give either `answer` or `credit`, not both");
                return None;
            }
            (Some(answer), None) => {
                let keys = self.answer_letters(question_type, answer, texts.len())?;
                keyed_options(texts, &keys)
            }
            (None, Some(credit)) => {
                let credits = self.numbers(credit, "credit", texts.len(), "options")?;
                texts
                    .into_iter()
                    .zip(credits)
                    .map(|(text, credit)| ChoiceOption {
                        text,
                        credit,
                        feedback: None,
                    })
                    .collect()
            }
            (None, None) => return self.missing(question_type, header, "`answer` (or `credit`)"),
        };
        if let Some(feedback) = get("feedback") {
            let feedback = self.texts(feedback, "feedback")?;
            if feedback.len() != options.len() {
                let message = format!(
                    "`feedback` has {} entries but there are {} options",
                    feedback.len(),
                    options.len()
                );
                self.error(get("feedback").map_or(0..0, |f| f.span()), message);
                return None;
            }
            for (option, (text, _)) in options.iter_mut().zip(feedback) {
                option.feedback = optional_text(&text);
            }
        }
        Some(match question_type {
            QuestionType::SingleChoice => QuestionBody::SingleChoice { options },
            _ => QuestionBody::MultipleResponse { options },
        })
    }

    fn short_text_body(&mut self, table: &DeTable<'_>, header: &Range<usize>) -> Option<QuestionBody> {
        let Some(answers_value) = table.get("answers") else {
            return self.missing(QuestionType::ShortText, header, "`answers` (the accepted texts)");
        };
        let texts = self.texts(answers_value, "answers")?;
        let credits = match table.get("credit") {
            Some(c) => self.numbers(c, "credit", texts.len(), "answers")?,
            None => vec![1.0; texts.len()],
        };
        let answers = texts
            .into_iter()
            .zip(credits)
            .map(|((text, _), credit)| TextAnswer {
                text: clean_text(&text),
                credit,
            })
            .collect();
        Some(QuestionBody::ShortText { answers })
    }

    fn answer_letters(&mut self, kind: QuestionType, answer: &Value<'_>, count: usize) -> Option<Vec<usize>> {
        let letters: Vec<(String, Range<usize>)> = match (kind, answer.get_ref()) {
            (_, DeValue::String(s)) => vec![(s.to_string(), answer.span())],
            (QuestionType::MultipleResponse, DeValue::Array(_)) => self.texts(answer, "answer")?,
            (QuestionType::MultipleResponse, other) => {
                let message = format!(
                    "a multiple_response answer is a list of letters such as [\"A\", \"C\"], not a {}",
                    other.type_str()
                );
                self.error(answer.span(), message);
                return None;
            }
            (_, other) => {
                let message = format!(
                    "a single_choice answer is one letter such as \"B\", not a {}",
                    other.type_str()
                );
                self.error(answer.span(), message);
                return None;
            }
        };
        let errors_before = self.diagnostics.len();
        let mut keys = Vec::new();
        for (text, span) in letters {
            match letter_index(&text) {
                Some(i) if i < count => keys.push(i),
                Some(_) => {
                    let letter = text.trim().to_ascii_uppercase();
                    let message = format!(
                        "the answer letter {letter} has no option {letter}; options are {}",
                        letter_range(count)
                    );
                    self.error(span, message);
                }
                None => {
                    let message = format!("the answer \"{text}\" is not an option letter such as \"B\"");
                    self.error(span, message);
                }
            }
        }
        if keys.is_empty() && self.diagnostics.len() == errors_before {
            self.error(answer.span(), "the answer names no option");
        }
        Some(keys)
    }

    fn numeric(&mut self, table: &DeTable<'_>, header: &Range<usize>) -> Option<QuestionBody> {
        let Some(answer) = table.get("answer") else {
            self.error(header.clone(), "a numeric question needs `answer` (a number)");
            return None;
        };
        let (values, several) = match answer.get_ref() {
            DeValue::Array(_) => (self.numbers(answer, "answer", usize::MAX, "")?, true),
            _ => (vec![self.number(answer, "answer")?], false),
        };
        let per_answer = |reader: &mut Self, key: &str, default: f64| match table.get(key) {
            None => Some(vec![default; values.len()]),
            Some(v) if several || matches!(v.get_ref(), DeValue::Array(_)) => {
                reader.numbers(v, key, values.len(), "answers")
            }
            Some(v) => reader.number(v, key).map(|n| vec![n]),
        };
        let tolerances = per_answer(self, "tolerance", 0.0)?;
        let credits = per_answer(self, "credit", 1.0)?;
        let answers = values
            .iter()
            .zip(tolerances)
            .zip(credits)
            .map(|((&value, tolerance), credit)| NumericAnswer {
                value,
                tolerance,
                credit,
            })
            .collect();
        Some(QuestionBody::Numeric { answers })
    }
}

#[cfg(test)]
mod tests;
