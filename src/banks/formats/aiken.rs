//! Aiken: the simplest single-choice format. A one-line stem, lettered
//! choices, then `ANSWER: X`.
//!
//! ```text
//! What is 10% of 250?
//! A. 2.5
//! B) 25
//! C. 250
//! ANSWER: B
//! ```

use super::choices::{keyed_options, letter, letter_index, letter_range};
use super::text::clean_text;
use crate::banks::question::{Diagnostic, ParseOutcome, ParsedQuestion, QuestionBody, TextFormat};

/// A question read so far: its stem and the choices under it.
struct Pending {
    line: usize,
    stem: String,
    choices: Vec<String>,
    /// Diagnostics already found when the stem was read; any more mean this
    /// question has a problem and is not imported.
    errors_before: usize,
}

pub(crate) fn read(input: &str) -> ParseOutcome {
    let mut outcome = ParseOutcome::default();
    let mut pending: Option<Pending> = None;
    for (i, raw) in input.split('\n').enumerate() {
        let line = i + 1;
        let text = raw.trim();
        let mut error = |message: String| outcome.diagnostics.push(Diagnostic::error(line, message));
        if text.is_empty() {
            continue;
        }
        if let Some(rest) = answer_line(text) {
            let Some(question) = pending.take() else {
                error("this ANSWER line comes before any question text".to_owned());
                continue;
            };
            if !text.starts_with("ANSWER:") {
                error("write the answer line as ANSWER: followed by the letter, in uppercase".to_owned());
            }
            let errors_before = question.errors_before;
            let finished = finish(question, rest, &mut error);
            if let Some(q) = finished.filter(|_| outcome.diagnostics.len() == errors_before) {
                outcome.questions.push(q);
            }
        } else if let Some((choice_letter, choice_text)) = choice_line(text) {
            let Some(question) = pending.as_mut() else {
                error(format!(
                    "the choice {choice_letter} comes before any question text; \
                     put the stem on the line above it"
                ));
                continue;
            };
            let expected = letter(question.choices.len());
            if choice_letter != expected {
                error(format!(
                    "this choice is lettered {choice_letter} but should be {expected}"
                ));
            }
            if choice_text.is_empty() {
                error(format!("the choice {choice_letter} has no text"));
            }
            question.choices.push(clean_text(choice_text));
        } else {
            if let Some(previous) = &pending {
                let message = if previous.choices.is_empty() {
                    format!(
                        "the question on line {} has no choices yet; an Aiken stem is one line, \
                         so this line starts a new question, but the one above has no ANSWER line",
                        previous.line
                    )
                } else {
                    format!(
                        "a new question starts here, but the question on line {} has no ANSWER line",
                        previous.line
                    )
                };
                error(message);
            }
            pending = Some(Pending {
                line,
                stem: clean_text(text),
                choices: Vec::new(),
                errors_before: outcome.diagnostics.len(),
            });
        }
    }
    if let Some(question) = pending {
        outcome.diagnostics.push(Diagnostic::error(
            question.line,
            "the file ends before this question's ANSWER line",
        ));
    }
    outcome
}

/// The text after `ANSWER:`, matched without regard to case so that a
/// lowercase `Answer:` earns a precise complaint rather than being taken
/// for a stem.
fn answer_line(text: &str) -> Option<&str> {
    let head = text.get(..7)?;
    head.eq_ignore_ascii_case("ANSWER:")
        .then(|| text.get(7..).unwrap_or_default())
}

/// `A. text`, `B) text` or `C.text`: an uppercase letter, `.` or `)`, then
/// the choice.
fn choice_line(text: &str) -> Option<(char, &str)> {
    let mut chars = text.chars();
    let letter = chars.next().filter(char::is_ascii_uppercase)?;
    chars.next().filter(|c| *c == '.' || *c == ')')?;
    Some((letter, chars.as_str().trim()))
}

fn finish(question: Pending, answer: &str, error: &mut impl FnMut(String)) -> Option<ParsedQuestion> {
    let count = question.choices.len();
    if count < 2 {
        error(format!(
            "the question on line {} has {count} choice{}; Aiken needs at least two",
            question.line,
            if count == 1 { "" } else { "s" }
        ));
        return None;
    }
    let answer = answer.trim();
    let key = match letter_index(answer) {
        Some(_) if answer.chars().any(|c| c.is_ascii_lowercase()) => {
            error(format!(
                "the answer letter must be uppercase: ANSWER: {}",
                answer.to_ascii_uppercase()
            ));
            return None;
        }
        Some(key) if key < count => key,
        Some(_) => {
            error(format!(
                "the answer letter {answer} has no option {answer}; options are {}",
                letter_range(count)
            ));
            return None;
        }
        None if answer.is_empty() => {
            error("the ANSWER line names no letter; write ANSWER: followed by one letter".to_owned());
            return None;
        }
        None => {
            error(format!(
                "\"{answer}\" is not one option letter; Aiken questions have exactly one answer, such as ANSWER: B"
            ));
            return None;
        }
    };
    Some(ParsedQuestion {
        line: question.line,
        external_id: None,
        name: None,
        category: None,
        difficulty: Default::default(),
        points: 1.0,
        tags: Vec::new(),
        stem: question.stem,
        stem_format: TextFormat::Plain,
        body: QuestionBody::SingleChoice {
            options: keyed_options(question.choices, &[key]),
        },
        explanation: None,
        extras: Default::default(),
        irt_a: None,
        irt_b: None,
    })
}

#[cfg(test)]
mod tests;
