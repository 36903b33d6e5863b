//! Question banks kept in a spreadsheet and saved as CSV: one question per
//! row, under a header row naming the columns.

use csv::{ReaderBuilder, StringRecord};

use super::choices::{keyed_options, letter, letter_index, letter_range};
use super::numbers::parse_number;
use super::text::{category_path, clean_tags, clean_text, optional_text};
use crate::banks::question::{
    Diagnostic, Difficulty, NumericAnswer, ParseOutcome, ParsedQuestion, QuestionBody, QuestionType, TextAnswer,
    TextFormat,
};

const OPTION_COLUMNS: [&str; 6] = ["option_a", "option_b", "option_c", "option_d", "option_e", "option_f"];
const OTHER_COLUMNS: [&str; 11] = [
    "id",
    "type",
    "category",
    "difficulty",
    "points",
    "stem",
    "answer",
    "explanation",
    "tags",
    "irt_a",
    "irt_b",
];

/// Which field of a record holds each known column.
#[derive(Default)]
struct Columns {
    index: Vec<(String, usize)>,
}

impl Columns {
    fn get<'r>(&self, record: &'r StringRecord, name: &str) -> &'r str {
        self.index
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, i)| record.get(*i))
            .unwrap_or("")
            .trim()
    }

    fn has(&self, name: &str) -> bool {
        self.index.iter().any(|(n, _)| n == name)
    }
}

pub(crate) fn read(input: &str) -> ParseOutcome {
    let mut outcome = ParseOutcome::default();
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input.as_bytes());
    let mut header_seen = false;
    // Stays `None` when the header lacks a column every row needs: one
    // complaint about the header beats the same one on every row.
    let mut columns: Option<(Columns, usize)> = None;
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(1, |p| line_number(p.line()));
                outcome
                    .diagnostics
                    .push(Diagnostic::error(line, format!("the CSV could not be read: {error}")));
                break;
            }
        };
        let line = record.position().map_or(1, |p| line_number(p.line()));
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            columns = header(&record, line, &mut outcome.diagnostics).map(|c| (c, record.len()));
            continue;
        }
        match &columns {
            None => {}
            Some((columns, width)) => {
                if record.len() != *width {
                    outcome.diagnostics.push(Diagnostic::error(
                        line,
                        format!(
                            "this row has {} fields but the header has {width}; check for a stray comma or quote",
                            record.len()
                        ),
                    ));
                    continue;
                }
                if let Some(question) = row(columns, &record, line, &mut outcome.diagnostics) {
                    outcome.questions.push(question);
                }
            }
        }
    }
    outcome
}

fn line_number(line: u64) -> usize {
    usize::try_from(line).unwrap_or(usize::MAX).max(1)
}

fn header(record: &StringRecord, line: usize, diagnostics: &mut Vec<Diagnostic>) -> Option<Columns> {
    let mut columns = Columns::default();
    for (i, name) in record.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        let known = OTHER_COLUMNS.contains(&name.as_str()) || OPTION_COLUMNS.contains(&name.as_str());
        if !known {
            diagnostics.push(Diagnostic::error(
                line,
                format!(
                    "unknown column \"{name}\" (column {}); the columns are id, type, category, \
                     difficulty, points, stem, option_a … option_f, answer, explanation, tags",
                    i + 1
                ),
            ));
        } else if columns.has(&name) {
            diagnostics.push(Diagnostic::error(line, format!("the column \"{name}\" appears twice")));
        } else {
            columns.index.push((name, i));
        }
    }
    let mut usable = true;
    for required in ["type", "stem"] {
        if !columns.has(required) {
            usable = false;
            diagnostics.push(Diagnostic::error(
                line,
                format!("the header has no \"{required}\" column; every question needs one"),
            ));
        }
    }
    usable.then_some(columns)
}

fn row(
    columns: &Columns,
    record: &StringRecord,
    line: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ParsedQuestion> {
    let errors_before = diagnostics.len();
    let mut error = |message: String| diagnostics.push(Diagnostic::error(line, message));
    let cell = |name: &str| columns.get(record, name);
    let question_type = question_type(cell("type"), &mut error);
    let difficulty = match cell("difficulty") {
        "" => Difficulty::Medium,
        text => text.to_ascii_lowercase().parse::<Difficulty>().unwrap_or_else(|_| {
            error(format!("difficulty \"{text}\" is not one of easy, medium, hard"));
            Difficulty::Medium
        }),
    };
    let points = match cell("points") {
        "" => 1.0,
        text => parse_number(text).unwrap_or_else(|| {
            error(format!("points \"{text}\" is not a number"));
            1.0
        }),
    };
    let (irt_a, irt_b) = irt(cell("irt_a"), cell("irt_b"), &mut error);
    // Letters follow the columns, so a gap (option_c empty) keeps D as D.
    let options: Vec<(usize, String)> = OPTION_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, name)| (i, clean_text(cell(name))))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let answer = cell("answer");
    let body = question_type.and_then(|t| body(t, &options, answer, &mut error));
    let warnings = question_type.map_or_else(Vec::new, |t| ignored_columns(t, &options, answer, line));
    let failed = diagnostics.len() > errors_before;
    diagnostics.extend(warnings);
    if failed {
        return None;
    }
    Some(ParsedQuestion {
        line,
        external_id: optional_text(cell("id")),
        name: None,
        category: category_path(cell("category")),
        difficulty,
        points,
        tags: clean_tags(cell("tags").split(';')),
        stem: clean_text(cell("stem")),
        stem_format: TextFormat::Plain,
        body: body?,
        explanation: optional_text(cell("explanation")),
        extras: Default::default(),
        irt_a,
        irt_b,
    })
}

fn question_type(text: &str, error: &mut impl FnMut(String)) -> Option<QuestionType> {
    let types = || QuestionType::ALL.map(|t| t.as_str()).join(", ");
    match text {
        "" => {
            error(format!("the type column is empty; write one of {}", types()));
            None
        }
        text => {
            let parsed = text.to_ascii_lowercase().parse::<QuestionType>().ok();
            if parsed.is_none() {
                error(format!("type \"{text}\" is not one of {}", types()));
            }
            parsed
        }
    }
}

/// The irt_a and irt_b cells, which come as a pair or not at all.
fn irt(a: &str, b: &str, error: &mut impl FnMut(String)) -> (Option<f64>, Option<f64>) {
    let mut parameter = |name: &str, text: &str| match text {
        "" => None,
        text => parse_number(text).or_else(|| {
            error(format!("{name} \"{text}\" is not a number"));
            None
        }),
    };
    let (irt_a, irt_b) = (parameter("irt_a", a), parameter("irt_b", b));
    super::numbers::irt_parameters(irt_a, irt_b).unwrap_or_else(|message| {
        error(message);
        (None, None)
    })
}

/// Warnings for filled cells the question type does not read.
fn ignored_columns(t: QuestionType, options: &[(usize, String)], answer: &str, line: usize) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let choice = matches!(t, QuestionType::SingleChoice | QuestionType::MultipleResponse);
    if !choice && !options.is_empty() {
        warnings.push(Diagnostic::warning(
            line,
            format!("the option columns are ignored for a {} question", t.as_str()),
        ));
    }
    if t == QuestionType::Essay && !answer.is_empty() {
        warnings.push(Diagnostic::warning(
            line,
            "the answer column is ignored for an essay question",
        ));
    }
    warnings
}

fn body(
    question_type: QuestionType,
    options: &[(usize, String)],
    answer: &str,
    error: &mut impl FnMut(String),
) -> Option<QuestionBody> {
    if answer.is_empty() && question_type != QuestionType::Essay {
        error(format!("the answer column is empty; {}", answer_hint(question_type)));
        return None;
    }
    match question_type {
        QuestionType::SingleChoice | QuestionType::MultipleResponse => {
            choice_body(question_type, options, answer, error)
        }
        QuestionType::TrueFalse => match answer.to_ascii_lowercase().as_str() {
            "true" | "t" => Some(QuestionBody::TrueFalse { answer: true }),
            "false" | "f" => Some(QuestionBody::TrueFalse { answer: false }),
            _ => {
                error(format!("a true_false answer is true or false, not \"{answer}\""));
                None
            }
        },
        QuestionType::Numeric => numeric_body(answer, error),
        QuestionType::ShortText => {
            let answers = answer
                .split('|')
                .map(clean_text)
                .filter(|a| !a.is_empty())
                .map(|text| TextAnswer { text, credit: 1.0 })
                .collect();
            Some(QuestionBody::ShortText { answers })
        }
        QuestionType::Essay => Some(QuestionBody::Essay),
    }
}

/// The answer column's letters as keys into the options present.
fn choice_body(
    question_type: QuestionType,
    options: &[(usize, String)],
    answer: &str,
    error: &mut impl FnMut(String),
) -> Option<QuestionBody> {
    let letters: Vec<&str> = answer.split(';').map(str::trim).filter(|l| !l.is_empty()).collect();
    if question_type == QuestionType::SingleChoice && letters.len() > 1 {
        error(format!(
            "a single_choice question has one answer letter, not \"{answer}\"; \
             use multiple_response for several"
        ));
        return None;
    }
    let mut keys = Vec::new();
    for text in letters {
        match letter_index(text).and_then(|column| options.iter().position(|(c, _)| *c == column)) {
            Some(position) => keys.push(position),
            None => {
                let named = text.to_ascii_uppercase();
                let contiguous = options.iter().enumerate().all(|(i, (c, _))| i == *c);
                let present = if contiguous {
                    letter_range(options.len())
                } else {
                    let letters: Vec<String> = options.iter().map(|(c, _)| letter(*c).to_string()).collect();
                    letters.join(", ")
                };
                error(match letter_index(text) {
                    Some(_) => {
                        format!("the answer letter {named} has no option {named}; options are {present}")
                    }
                    None => format!("the answer \"{text}\" is not an option letter such as B"),
                });
                return None;
            }
        }
    }
    let texts = options.iter().map(|(_, text)| text.clone()).collect();
    let options = keyed_options(texts, &keys);
    Some(match question_type {
        QuestionType::SingleChoice => QuestionBody::SingleChoice { options },
        _ => QuestionBody::MultipleResponse { options },
    })
}

/// `25`, `25±0.5` or `25+-0.5`.
fn numeric_body(answer: &str, error: &mut impl FnMut(String)) -> Option<QuestionBody> {
    let (value, tolerance) = answer
        .split_once('±')
        .or_else(|| answer.split_once("+-"))
        .unwrap_or((answer, "0"));
    match (parse_number(value), parse_number(tolerance)) {
        (Some(value), Some(tolerance)) => Some(QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value,
                tolerance,
                credit: 1.0,
            }],
        }),
        _ => {
            error(format!(
                "the numeric answer \"{answer}\" is not a number such as 25 or 25±0.5"
            ));
            None
        }
    }
}

fn answer_hint(question_type: QuestionType) -> &'static str {
    match question_type {
        QuestionType::SingleChoice => "write the right option's letter, such as B",
        QuestionType::MultipleResponse => "write the right options' letters, such as A;C",
        QuestionType::TrueFalse => "write true or false",
        QuestionType::Numeric => "write the number, such as 25 or 25±0.5",
        QuestionType::ShortText => "write the accepted answers, such as npv|net present value",
        QuestionType::Essay => "",
    }
}

#[cfg(test)]
mod tests;
