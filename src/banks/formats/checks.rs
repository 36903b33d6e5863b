//! Checks every format shares, run on the questions a reader built: the
//! readers catch what is wrong with the syntax, these catch what is wrong
//! with the question.

use std::collections::HashMap;

use super::choices::letter;
use super::numbers::fraction_to_percent;
use crate::banks::question::{
    ChoiceOption, Diagnostic, NumericAnswer, ParseOutcome, ParsedQuestion, QuestionBody, Severity, TextAnswer,
};

/// Adds the shared checks' diagnostics and drops questions with errors, so
/// that `questions` only ever holds importable ones.
pub(crate) fn check_all(outcome: &mut ParseOutcome) {
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let questions = std::mem::take(&mut outcome.questions);
    for question in questions {
        let mut diagnostics = check_question(&question);
        if let Some(id) = &question.external_id {
            match seen_ids.get(id) {
                Some(first) => diagnostics.push(Diagnostic::error(
                    question.line,
                    format!(
                        "the id \"{id}\" is already used by the question on line {first}; \
                         ids must be unique within a file"
                    ),
                )),
                None => {
                    seen_ids.insert(id.clone(), question.line);
                }
            }
        }
        let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
        outcome.diagnostics.extend(diagnostics);
        if !failed {
            outcome.questions.push(question);
        }
    }
}

fn check_question(q: &ParsedQuestion) -> Vec<Diagnostic> {
    let mut found = Findings {
        line: q.line,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    check_common(q, &mut found);
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => {
            check_choices(q, options, &mut found)
        }
        QuestionBody::Numeric { answers } => check_numeric(answers, &mut found),
        QuestionBody::ShortText { answers } => check_short_text(answers, &mut found),
        QuestionBody::TrueFalse { .. } | QuestionBody::Essay => {}
    }
    found.errors.extend(found.warnings);
    found.errors
}

/// What the checks found about one question; errors are reported before warnings.
struct Findings {
    line: usize,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Findings {
    fn error(&mut self, message: String) {
        self.errors.push(Diagnostic::error(self.line, message));
    }

    fn warning(&mut self, message: String) {
        self.warnings.push(Diagnostic::warning(self.line, message));
    }
}

/// Checks that hold for every question type: clean text, a stem, points, and
/// per-answer extras that line up with the answers.
fn check_common(q: &ParsedQuestion, found: &mut Findings) {
    // An escape (TOML's \u0000) can still spell a NUL that the raw file did
    // not hold; PostgreSQL cannot store it.
    if let Ok(json) = serde_json::to_value(q) {
        if let Some((field, problem)) = crate::web::input::control_in(&json) {
            found.error(format!("the question's {field} {problem}"));
        }
    }
    if q.stem.trim().is_empty() {
        found.error("the question has no text".to_owned());
    }
    if !q.points.is_finite() || q.points <= 0.0 {
        found.error(format!("points must be a number above 0, not {}", q.points));
    }
    // Per-answer extras line up with the answers by position; a list of
    // another length (an edited option list) would pin feedback on the
    // wrong answer.
    let answers = match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => options.len(),
        QuestionBody::Numeric { answers } => answers.len(),
        QuestionBody::ShortText { answers } => answers.len(),
        QuestionBody::TrueFalse { .. } | QuestionBody::Essay => 0,
    };
    let extras = q.extras.answers.len();
    if extras != 0 && extras != answers {
        found.error(format!(
            "the Moodle details (moodle) describe {extras} answers but the question has {answers}; \
             remove the moodle field or give it one entry per answer"
        ));
    }
}

fn check_choices(q: &ParsedQuestion, options: &[ChoiceOption], found: &mut Findings) {
    let kind = q.body.question_type().as_str();
    if options.len() < 2 {
        found.error(format!(
            "a {kind} question needs at least two options; this one has {}",
            options.len()
        ));
    }
    for (i, option) in options.iter().enumerate() {
        if option.text.trim().is_empty() {
            found.error(format!("option {} has no text", letter(i)));
        }
        if !credit_in_range(option.credit) {
            found.error(format!(
                "option {} earns {}% credit; credit runs from -100% to 100%",
                letter(i),
                fraction_to_percent(option.credit)
            ));
        }
    }
    let positive: f64 = options.iter().map(|o| o.credit).filter(|c| *c > 0.0).sum();
    if matches!(q.body, QuestionBody::SingleChoice { .. }) {
        if !options.iter().any(|o| o.credit == 1.0) {
            found.error("no option is marked as the right answer (full credit)".to_owned());
        }
    } else if positive <= 0.0 {
        found.error("no option earns any credit, so no answer can be right".to_owned());
    } else if (positive - 1.0).abs() > 1e-4 {
        found.warning(format!(
            "the options' positive credits add up to {}%, not 100%",
            fraction_to_percent(positive)
        ));
    }
}

fn check_numeric(answers: &[NumericAnswer], found: &mut Findings) {
    if answers.is_empty() {
        found.error("the numeric question has no answer".to_owned());
    }
    for answer in answers {
        if !answer.value.is_finite() {
            found.error(format!("the answer {} is not a number", answer.value));
        }
        if !answer.tolerance.is_finite() || answer.tolerance < 0.0 {
            found.error(format!(
                "the tolerance of the answer {} is {}; it must be 0 or more",
                answer.value, answer.tolerance
            ));
        }
        if !credit_in_range(answer.credit) {
            found.error(format!(
                "the answer {} earns {}% credit; credit runs from -100% to 100%",
                answer.value,
                fraction_to_percent(answer.credit)
            ));
        }
    }
    if !answers.is_empty() && !answers.iter().any(|a| a.credit == 1.0) {
        found.warning("no answer earns full credit".to_owned());
    }
}

fn check_short_text(answers: &[TextAnswer], found: &mut Findings) {
    if answers.is_empty() {
        found.error("the short_text question has no accepted answer".to_owned());
    }
    for answer in answers {
        if answer.text.trim().is_empty() {
            found.error("an accepted answer is empty".to_owned());
        }
        if !credit_in_range(answer.credit) {
            found.error(format!(
                "the answer \"{}\" earns {}% credit; credit runs from -100% to 100%",
                answer.text,
                fraction_to_percent(answer.credit)
            ));
        }
    }
    if !answers.is_empty() && !answers.iter().any(|a| a.credit == 1.0) {
        found.warning("no answer earns full credit".to_owned());
    }
}

fn credit_in_range(credit: f64) -> bool {
    credit.is_finite() && (-1.0..=1.0).contains(&credit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banks::question::{Difficulty, TextFormat};

    fn question(line: usize, id: &str, body: QuestionBody) -> ParsedQuestion {
        ParsedQuestion {
            line,
            external_id: Some(id.to_owned()),
            name: None,
            category: None,
            difficulty: Difficulty::Medium,
            points: 1.0,
            tags: vec![],
            stem: "Pick one".to_owned(),
            stem_format: TextFormat::Plain,
            body,
            explanation: None,
            extras: Default::default(),
            irt_a: None,
            irt_b: None,
        }
    }

    fn option(text: &str, credit: f64) -> ChoiceOption {
        ChoiceOption {
            text: text.to_owned(),
            credit,
            feedback: None,
        }
    }

    #[test]
    fn repeated_id_is_reported_on_the_second_question() {
        let mut outcome = ParseOutcome {
            questions: vec![
                question(1, "q1", QuestionBody::TrueFalse { answer: true }),
                question(5, "q1", QuestionBody::TrueFalse { answer: false }),
            ],
            ..ParseOutcome::default()
        };
        check_all(&mut outcome);
        assert_eq!(outcome.questions.len(), 1);
        assert_eq!(outcome.diagnostics.len(), 1);
        assert_eq!(outcome.diagnostics[0].line, 5);
        assert!(outcome.diagnostics[0].message.contains("line 1"));
    }

    #[test]
    fn per_answer_moodle_details_must_match_the_answers() {
        let body = QuestionBody::SingleChoice {
            options: vec![option("a", 1.0), option("b", 0.0)],
        };
        let mut q = question(4, "x", body);
        q.extras.answers = vec![crate::banks::question::AnswerExtras::default(); 3];
        let mut outcome = ParseOutcome {
            questions: vec![q],
            ..ParseOutcome::default()
        };
        check_all(&mut outcome);
        assert!(outcome.questions.is_empty());
        assert!(
            outcome.diagnostics[0].message.contains("describe 3 answers"),
            "{:?}",
            outcome.diagnostics
        );
    }

    #[test]
    fn single_choice_without_full_credit_option_is_refused() {
        let body = QuestionBody::SingleChoice {
            options: vec![option("a", 0.5), option("b", 0.0)],
        };
        let mut outcome = ParseOutcome {
            questions: vec![question(3, "x", body)],
            ..ParseOutcome::default()
        };
        check_all(&mut outcome);
        assert!(outcome.questions.is_empty());
        assert_eq!(outcome.diagnostics[0].line, 3);
        assert!(outcome.diagnostics[0].message.contains("right answer"));
    }

    #[test]
    fn credit_beyond_one_hundred_percent_is_refused() {
        let body = QuestionBody::MultipleResponse {
            options: vec![option("a", 1.5), option("b", 0.0)],
        };
        let mut outcome = ParseOutcome {
            questions: vec![question(2, "x", body)],
            ..ParseOutcome::default()
        };
        check_all(&mut outcome);
        assert!(outcome.diagnostics.iter().any(|d| d.message.contains("150%")));
    }

    #[test]
    fn partial_positive_credits_only_warn() {
        let body = QuestionBody::MultipleResponse {
            options: vec![option("a", 0.5), option("b", 0.0)],
        };
        let mut outcome = ParseOutcome {
            questions: vec![question(2, "x", body)],
            ..ParseOutcome::default()
        };
        check_all(&mut outcome);
        assert_eq!(outcome.questions.len(), 1);
        assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
    }
}
