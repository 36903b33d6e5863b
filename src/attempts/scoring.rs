//! Scoring one answer, as DESIGN.md's grading rules say. Pure: the same
//! question, option order and answer always give the same score.
//!
//! Negative marking takes its fraction of the points for a wrong (answered,
//! zero-credit) answer to a question with one right answer. Multiple response
//! carries its own negative credits and is floored at zero, so it takes none;
//! essays wait for a person.

use serde_json::Value;

use crate::banks::question::{QuestionBody, QuestionType};

/// An answer as the person gave it, with option ids as displayed positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Option(usize),
    Options(Vec<usize>),
    Bool(bool),
    Number(f64),
    Text(String),
}

impl Answer {
    /// Reads a saved answer for a question of `qtype` with `option_count`
    /// displayed options, or says what was expected. `null` clears it.
    pub fn parse(qtype: QuestionType, value: &Value, option_count: usize) -> Result<Option<Answer>, String> {
        if value.is_null() {
            return Ok(None);
        }
        let option = |v: &Value| -> Result<usize, String> {
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n < option_count)
                .ok_or_else(|| format!("an option id from 0 to {}", option_count.saturating_sub(1)))
        };
        match qtype {
            QuestionType::SingleChoice => option(value).map(|o| Some(Answer::Option(o))),
            QuestionType::MultipleResponse => {
                let list = value.as_array().ok_or_else(|| "a list of option ids".to_string())?;
                let mut ids = list.iter().map(option).collect::<Result<Vec<_>, _>>()?;
                ids.sort_unstable();
                ids.dedup();
                Ok(Some(Answer::Options(ids)))
            }
            QuestionType::TrueFalse => match value {
                Value::Bool(b) => Ok(Some(Answer::Bool(*b))),
                // Displayed options are True (0) then False (1).
                other => option(other)
                    .map(|o| Some(Answer::Bool(o == 0)))
                    .map_err(|_| "true or false".to_string()),
            },
            QuestionType::Numeric => match value {
                Value::Number(n) => n
                    .as_f64()
                    .map(|f| Some(Answer::Number(f)))
                    .ok_or_else(|| "a number".into()),
                Value::String(s) => s
                    .trim()
                    .replace(',', "")
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| Some(Answer::Number(f)))
                    .ok_or_else(|| "a number".into()),
                _ => Err("a number".into()),
            },
            QuestionType::ShortText | QuestionType::Essay => match value {
                Value::String(s) if s.len() <= 100_000 => Ok(Some(Answer::Text(s.clone()))),
                Value::String(_) => Err("at most 100,000 characters".into()),
                _ => Err("text".into()),
            },
        }
        .map_err(|expected| format!("This question takes {expected}."))
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Answer::Options(ids) => ids.is_empty(),
            Answer::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// Trimmed, case-folded, runs of white space collapsed.
pub fn normalise_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemScore {
    Scored(f64),
    /// An essay: a trainer marks it.
    Manual,
}

/// The fraction of the points an answer earns, before negative marking.
fn credit(body: &QuestionBody, option_order: &[usize], answer: &Answer) -> f64 {
    let original = |displayed: usize| option_order.get(displayed).copied();
    match (body, answer) {
        (QuestionBody::SingleChoice { options }, Answer::Option(d)) => original(*d)
            .and_then(|i| options.get(i))
            .map(|o| o.credit)
            .unwrap_or(0.0)
            .clamp(-1.0, 1.0),
        (QuestionBody::MultipleResponse { options }, Answer::Options(ds)) => {
            let sum: f64 = ds
                .iter()
                .filter_map(|d| original(*d).and_then(|i| options.get(i)))
                .map(|o| o.credit)
                .sum();
            sum.clamp(0.0, 1.0)
        }
        (QuestionBody::TrueFalse { answer: key }, Answer::Bool(b)) => f64::from(u8::from(key == b)),
        (QuestionBody::Numeric { answers }, Answer::Number(x)) => answers
            .iter()
            .filter(|a| (x - a.value).abs() <= a.tolerance + 1e-9)
            .map(|a| a.credit)
            .fold(0.0, f64::max),
        (QuestionBody::ShortText { answers }, Answer::Text(t)) => {
            let given = normalise_text(t);
            answers
                .iter()
                .filter(|a| normalise_text(&a.text) == given)
                .map(|a| a.credit)
                .fold(0.0, f64::max)
        }
        _ => 0.0,
    }
}

/// Scores one item: `points` is the slot's worth, `negative_marking` the
/// fraction of it a wrong answer costs.
pub fn score(
    body: &QuestionBody,
    option_order: &[usize],
    answer: Option<&Answer>,
    points: f64,
    negative_marking: f64,
) -> ItemScore {
    if matches!(body, QuestionBody::Essay) {
        return ItemScore::Manual;
    }
    let Some(answer) = answer.filter(|a| !a.is_blank()) else {
        return ItemScore::Scored(0.0);
    };
    let fraction = credit(body, option_order, answer);
    let single_key = !matches!(body, QuestionBody::MultipleResponse { .. });
    if fraction <= 0.0 && single_key && negative_marking > 0.0 {
        ItemScore::Scored(-negative_marking * points)
    } else {
        ItemScore::Scored(fraction.max(if single_key { -1.0 } else { 0.0 }) * points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banks::question::{ChoiceOption, NumericAnswer, TextAnswer};
    use serde_json::json;

    fn opt(text: &str, credit: f64) -> ChoiceOption {
        ChoiceOption {
            text: text.into(),
            credit,
            feedback: None,
        }
    }

    fn single() -> QuestionBody {
        QuestionBody::SingleChoice {
            options: vec![opt("a", 0.0), opt("b", 1.0), opt("c", 0.0), opt("d", 0.0)],
        }
    }

    #[test]
    fn single_choice_follows_the_displayed_order_back_to_the_key() {
        // Displayed [c, b, a, d]: the key "b" is displayed second (id 1).
        let order = [2, 1, 0, 3];
        assert_eq!(
            score(&single(), &order, Some(&Answer::Option(1)), 2.0, 0.0),
            ItemScore::Scored(2.0)
        );
        assert_eq!(
            score(&single(), &order, Some(&Answer::Option(0)), 2.0, 0.0),
            ItemScore::Scored(0.0)
        );
    }

    #[test]
    fn negative_marking_costs_a_wrong_answer_but_not_a_blank_one() {
        let order = [0, 1, 2, 3];
        assert_eq!(
            score(&single(), &order, Some(&Answer::Option(0)), 4.0, 0.25),
            ItemScore::Scored(-1.0)
        );
        assert_eq!(score(&single(), &order, None, 4.0, 0.25), ItemScore::Scored(0.0));
    }

    #[test]
    fn multiple_response_sums_fractions_and_never_goes_below_zero() {
        let body = QuestionBody::MultipleResponse {
            options: vec![opt("a", 0.5), opt("b", -0.5), opt("c", 0.5), opt("d", -0.5)],
        };
        let order = [0, 1, 2, 3];
        assert_eq!(
            score(&body, &order, Some(&Answer::Options(vec![0, 2])), 2.0, 0.5),
            ItemScore::Scored(2.0)
        );
        assert_eq!(
            score(&body, &order, Some(&Answer::Options(vec![0, 1, 2])), 2.0, 0.5),
            ItemScore::Scored(1.0)
        );
        assert_eq!(
            score(&body, &order, Some(&Answer::Options(vec![1, 3])), 2.0, 0.5),
            ItemScore::Scored(0.0)
        );
    }

    #[test]
    fn numeric_is_right_within_tolerance_and_short_text_after_normalising() {
        let num = QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 25.0,
                tolerance: 0.5,
                credit: 1.0,
            }],
        };
        assert_eq!(
            score(&num, &[], Some(&Answer::Number(25.4)), 1.0, 0.0),
            ItemScore::Scored(1.0)
        );
        assert_eq!(
            score(&num, &[], Some(&Answer::Number(25.6)), 1.0, 0.0),
            ItemScore::Scored(0.0)
        );
        let text = QuestionBody::ShortText {
            answers: vec![TextAnswer {
                text: "Net Present  Value".into(),
                credit: 1.0,
            }],
        };
        assert_eq!(
            score(&text, &[], Some(&Answer::Text("  net present value ".into())), 1.0, 0.0),
            ItemScore::Scored(1.0)
        );
        assert_eq!(
            score(&QuestionBody::Essay, &[], Some(&Answer::Text("x".into())), 5.0, 0.0),
            ItemScore::Manual
        );
        let tf = QuestionBody::TrueFalse { answer: false };
        assert_eq!(
            score(&tf, &[0, 1], Some(&Answer::Bool(false)), 1.0, 0.0),
            ItemScore::Scored(1.0)
        );
    }

    #[test]
    fn answers_of_the_wrong_shape_are_refused_with_what_was_expected() {
        assert!(Answer::parse(QuestionType::SingleChoice, &json!(7), 4)
            .unwrap_err()
            .contains("0 to 3"));
        assert!(Answer::parse(QuestionType::Numeric, &json!("abc"), 0).is_err());
        assert_eq!(
            Answer::parse(QuestionType::Numeric, &json!("1,250"), 0),
            Ok(Some(Answer::Number(1250.0)))
        );
        assert_eq!(
            Answer::parse(QuestionType::TrueFalse, &json!(true), 2),
            Ok(Some(Answer::Bool(true)))
        );
        assert_eq!(
            Answer::parse(QuestionType::MultipleResponse, &json!([2, 0, 2]), 4),
            Ok(Some(Answer::Options(vec![0, 2])))
        );
        assert_eq!(Answer::parse(QuestionType::Essay, &Value::Null, 0), Ok(None));
    }
}
