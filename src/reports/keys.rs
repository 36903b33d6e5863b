//! What a key correction may change, checked before anything is written.
//! Pure: the old body and the trainer's fix in, the corrected body out.
//!
//! A correction changes the key only. Attempts that saw the old version go
//! on showing it, so a choice question's options must keep their number,
//! order and wording; only their credits may change.

use crate::banks::question::{ChoiceOption, QuestionBody};

/// The trainer's fix: either the right options, or a whole corrected body.
#[derive(Debug, Clone, PartialEq)]
pub enum Fix {
    /// Original option indices (the bank's order, as the report shows them).
    /// Single choice: each earns full credit ("accept A or C"); multiple
    /// response: the keys share full credit evenly; true/false: `[0]` for
    /// True, `[1]` for False.
    Key(Vec<usize>),
    /// The corrected body: the only way to fix a numeric or short-text key.
    Body(QuestionBody),
}

/// Why a fix is refused: the request field and a sentence for the trainer.
pub type Refusal = (&'static str, String);

/// The corrected body, or why the fix cannot be applied.
pub fn corrected_body(old: &QuestionBody, fix: &Fix) -> Result<QuestionBody, Refusal> {
    if matches!(old, QuestionBody::Essay) {
        return Err(("key", "An essay has no key: its marks are given by hand.".into()));
    }
    let new = match fix {
        Fix::Key(keys) => with_keys(old, keys)?,
        Fix::Body(body) => checked_body(old, body)?,
    };
    if &new == old {
        return Err((
            "key",
            "That is the key the question already has; nothing to correct.".into(),
        ));
    }
    Ok(new)
}

fn with_keys(old: &QuestionBody, keys: &[usize]) -> Result<QuestionBody, Refusal> {
    let count = match old {
        QuestionBody::TrueFalse { .. } => 2,
        other => other.options().len(),
    };
    if count == 0 {
        return Err((
            "key",
            "This question has no options: send the corrected body instead.".into(),
        ));
    }
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Err(("key", "Name at least one option as the key.".into()));
    }
    if let Some(bad) = keys.iter().find(|k| **k >= count) {
        return Err((
            "key",
            format!("There is no option {bad}: options are numbered 0 to {}.", count - 1),
        ));
    }
    // A wrong option keeps a penalty it had, but no longer earns anything.
    let rekey = |options: &[ChoiceOption], key_credit: f64| -> Vec<ChoiceOption> {
        options
            .iter()
            .enumerate()
            .map(|(i, o)| ChoiceOption {
                credit: if keys.contains(&i) {
                    key_credit
                } else {
                    o.credit.min(0.0)
                },
                ..o.clone()
            })
            .collect()
    };
    Ok(match old {
        QuestionBody::SingleChoice { options } => QuestionBody::SingleChoice {
            options: rekey(options, 1.0),
        },
        QuestionBody::MultipleResponse { options } => QuestionBody::MultipleResponse {
            options: rekey(options, 1.0 / crate::convert::count_f64(keys.len())),
        },
        QuestionBody::TrueFalse { .. } => match keys.as_slice() {
            [k] => QuestionBody::TrueFalse { answer: *k == 0 },
            _ => {
                return Err((
                    "key",
                    "A true/false question has one key: [0] for True or [1] for False.".into(),
                ))
            }
        },
        _ => {
            return Err((
                "key",
                "This question has no options: send the corrected body instead.".into(),
            ))
        }
    })
}

fn checked_body(old: &QuestionBody, new: &QuestionBody) -> Result<QuestionBody, Refusal> {
    if old.question_type() != new.question_type() {
        return Err((
            "body",
            format!(
                "A correction keeps the question's type ({}); make a new question to change it.",
                old.question_type().as_str()
            ),
        ));
    }
    let credit_ok = |c: f64, low: f64| c.is_finite() && (low..=1.0).contains(&c);
    match new {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => {
            let shown: Vec<&str> = old.options().iter().map(|o| o.text.as_str()).collect();
            let sent: Vec<&str> = options.iter().map(|o| o.text.as_str()).collect();
            if shown != sent {
                return Err((
                    "body",
                    "The options must stay as candidates saw them (same number, order and wording); \
                     only their credits may change."
                        .into(),
                ));
            }
            if !options.iter().all(|o| credit_ok(o.credit, -1.0)) || !options.iter().any(|o| o.credit > 0.0) {
                return Err((
                    "body",
                    "Each credit must be from -1 to 1, and at least one option must earn credit.".into(),
                ));
            }
        }
        QuestionBody::Numeric { answers } => {
            let sound = |a: &crate::banks::question::NumericAnswer| {
                a.value.is_finite() && a.tolerance.is_finite() && a.tolerance >= 0.0 && credit_ok(a.credit, 0.0)
            };
            if answers.is_empty() || !answers.iter().all(sound) || !answers.iter().any(|a| a.credit > 0.0) {
                return Err((
                    "body",
                    "Give at least one answer with a finite value, a tolerance of 0 or more and a credit from 0 to 1."
                        .into(),
                ));
            }
        }
        QuestionBody::ShortText { answers } => {
            let sound = |a: &crate::banks::question::TextAnswer| !a.text.trim().is_empty() && credit_ok(a.credit, 0.0);
            if answers.is_empty() || !answers.iter().all(sound) || !answers.iter().any(|a| a.credit > 0.0) {
                return Err((
                    "body",
                    "Give at least one non-empty answer with a credit from 0 to 1.".into(),
                ));
            }
        }
        QuestionBody::TrueFalse { .. } | QuestionBody::Essay => {}
    }
    Ok(new.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banks::question::{NumericAnswer, TextAnswer};

    fn opt(text: &str, credit: f64) -> ChoiceOption {
        ChoiceOption {
            text: text.into(),
            credit,
            feedback: None,
        }
    }

    fn single() -> QuestionBody {
        QuestionBody::SingleChoice {
            options: vec![opt("20%", 1.0), opt("25%", 0.0), opt("30%", -0.25)],
        }
    }

    fn credits(body: &QuestionBody) -> Vec<f64> {
        body.options().iter().map(|o| o.credit).collect()
    }

    #[test]
    fn a_single_choice_key_moves_and_penalties_stay() {
        let fixed = corrected_body(&single(), &Fix::Key(vec![1])).unwrap();
        assert_eq!(credits(&fixed), [0.0, 1.0, -0.25]);
        let either = corrected_body(&single(), &Fix::Key(vec![0, 1])).unwrap();
        assert_eq!(credits(&either), [1.0, 1.0, -0.25], "both accepted in full");
    }

    #[test]
    fn multiple_response_keys_share_full_credit() {
        let old = QuestionBody::MultipleResponse {
            options: vec![opt("a", 0.5), opt("b", -0.5), opt("c", 0.5), opt("d", 0.0)],
        };
        let fixed = corrected_body(&old, &Fix::Key(vec![0, 3, 2])).unwrap();
        let third = 1.0 / 3.0;
        assert_eq!(credits(&fixed), [third, -0.5, third, third]);
    }

    #[test]
    fn true_false_takes_one_key() {
        let old = QuestionBody::TrueFalse { answer: true };
        assert_eq!(
            corrected_body(&old, &Fix::Key(vec![1])),
            Ok(QuestionBody::TrueFalse { answer: false })
        );
        assert_eq!(corrected_body(&old, &Fix::Key(vec![0, 1])).unwrap_err().0, "key");
    }

    #[test]
    fn nothing_to_correct_an_unknown_option_and_an_essay_are_refused() {
        assert!(corrected_body(&single(), &Fix::Key(vec![0]))
            .unwrap_err()
            .1
            .contains("already has"));
        assert!(corrected_body(&single(), &Fix::Key(vec![3]))
            .unwrap_err()
            .1
            .contains("no option 3"));
        assert!(corrected_body(&single(), &Fix::Key(vec![])).is_err());
        assert!(corrected_body(&QuestionBody::Essay, &Fix::Key(vec![0])).is_err());
        let num = QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 25.0,
                tolerance: 0.5,
                credit: 1.0,
            }],
        };
        assert!(corrected_body(&num, &Fix::Key(vec![0]))
            .unwrap_err()
            .1
            .contains("corrected body"));
    }

    #[test]
    fn a_body_must_keep_the_type_and_the_options_as_shown() {
        let reworded = QuestionBody::SingleChoice {
            options: vec![opt("20 %", 0.0), opt("25%", 1.0), opt("30%", 0.0)],
        };
        assert!(corrected_body(&single(), &Fix::Body(reworded))
            .unwrap_err()
            .1
            .contains("as candidates saw them"));
        let other_type = QuestionBody::TrueFalse { answer: true };
        assert!(corrected_body(&single(), &Fix::Body(other_type))
            .unwrap_err()
            .1
            .contains("type"));
        let good = QuestionBody::SingleChoice {
            options: vec![opt("20%", 0.0), opt("25%", 1.0), opt("30%", 0.0)],
        };
        assert_eq!(corrected_body(&single(), &Fix::Body(good.clone())), Ok(good));
    }

    #[test]
    fn numeric_and_short_text_keys_are_corrected_by_body() {
        let num = QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 25.0,
                tolerance: 0.5,
                credit: 1.0,
            }],
        };
        let fixed = QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 2.5,
                tolerance: 0.0,
                credit: 1.0,
            }],
        };
        assert_eq!(corrected_body(&num, &Fix::Body(fixed.clone())), Ok(fixed));
        let bad = QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 2.5,
                tolerance: -1.0,
                credit: 1.0,
            }],
        };
        assert!(corrected_body(&num, &Fix::Body(bad)).is_err());
        let text = QuestionBody::ShortText {
            answers: vec![TextAnswer {
                text: "NPV".into(),
                credit: 1.0,
            }],
        };
        let empty = QuestionBody::ShortText {
            answers: vec![TextAnswer {
                text: " ".into(),
                credit: 1.0,
            }],
        };
        assert!(corrected_body(&text, &Fix::Body(empty)).is_err());
    }
}
