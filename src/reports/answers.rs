//! From a question and a saved answer to what the statistics count. Pure.
//!
//! A form shows a choice question's options shuffled: displayed position `i`
//! shows the question's option `option_order[i]`, and the saved answer names
//! displayed positions. Distractor shares are per ORIGINAL option (the
//! bank's order, the order a trainer edits), so every answer is mapped back
//! through its attempt's `option_order` before it is counted.

use serde_json::Value;

use super::stats::{ItemKind, OptionInfo, OptionSet};
use crate::attempts::scoring::Answer;
use crate::banks::question::{QuestionBody, QuestionType};

/// The statistics' kind for a question type.
pub fn item_kind(qtype: QuestionType) -> ItemKind {
    match qtype {
        QuestionType::SingleChoice => ItemKind::SingleChoice,
        QuestionType::MultipleResponse => ItemKind::MultipleResponse,
        QuestionType::TrueFalse => ItemKind::TrueFalse,
        QuestionType::Numeric => ItemKind::Numeric,
        QuestionType::ShortText => ItemKind::ShortText,
        QuestionType::Essay => ItemKind::Essay,
    }
}

/// One option of a choice question, in the question's own order.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceOption {
    pub text: String,
    pub info: OptionInfo,
}

/// The options a distractor analysis counts, or `None` for a question that
/// has none (numeric, short text, essay) or more than the analysis handles.
///
/// A key is an option that earns credit: for single choice the options with
/// the highest positive credit (a half-credit option is a distractor that
/// pays something), for multiple response every option with positive credit.
/// True/false is counted as two options, True (0) and False (1), the order
/// the test page shows them in.
pub fn choice_options(body: &QuestionBody) -> Option<Vec<ChoiceOption>> {
    let options = match body {
        QuestionBody::SingleChoice { options } => {
            let best = options.iter().map(|o| o.credit).fold(0.0, f64::max);
            options
                .iter()
                .map(|o| ChoiceOption {
                    text: o.text.clone(),
                    info: OptionInfo {
                        credit: o.credit,
                        is_key: best > 0.0 && o.credit >= best - 1e-9,
                    },
                })
                .collect()
        }
        QuestionBody::MultipleResponse { options } => options
            .iter()
            .map(|o| ChoiceOption {
                text: o.text.clone(),
                info: OptionInfo {
                    credit: o.credit,
                    is_key: o.credit > 0.0,
                },
            })
            .collect(),
        QuestionBody::TrueFalse { answer } => [("True", *answer), ("False", !*answer)]
            .into_iter()
            .map(|(text, is_key)| ChoiceOption {
                text: text.to_owned(),
                info: OptionInfo {
                    credit: f64::from(u8::from(is_key)),
                    is_key,
                },
            })
            .collect(),
        _ => return None,
    };
    let options: Vec<ChoiceOption> = options;
    (!options.is_empty() && options.len() <= OptionSet::MAX_OPTIONS).then_some(options)
}

/// The original options an answer chose. `answer` is the saved JSON (absent
/// when the person never answered), `option_order` the attempt's displayed
/// order. A blank, an unreadable answer, or a displayed id the form does not
/// have counts as choosing nothing, as grading scores it.
pub fn chosen_options(qtype: QuestionType, answer: Option<&Value>, option_order: &[usize]) -> OptionSet {
    let Some(value) = answer else {
        return OptionSet::BLANK;
    };
    let original = |displayed: usize| option_order.get(displayed).copied();
    let set = match Answer::parse(qtype, value, option_order.len()) {
        Ok(Some(Answer::Option(d))) => original(d).and_then(OptionSet::single),
        Ok(Some(Answer::Options(ds))) => ds
            .into_iter()
            .filter_map(original)
            .try_fold(OptionSet::BLANK, |set, i| set.with(i)),
        // True and False are not shuffled: True is option 0, False option 1.
        Ok(Some(Answer::Bool(b))) => OptionSet::single(usize::from(!b)),
        _ => None,
    };
    set.unwrap_or(OptionSet::BLANK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banks::question::ChoiceOption as BankOption;
    use serde_json::json;

    fn opt(text: &str, credit: f64) -> BankOption {
        BankOption {
            text: text.into(),
            credit,
            feedback: None,
        }
    }

    #[test]
    fn a_displayed_choice_maps_back_to_the_original_option() {
        // Displayed [C, A, D, B]: the person clicked the first, which is C.
        let order = [2, 0, 3, 1];
        assert_eq!(
            chosen_options(QuestionType::SingleChoice, Some(&json!(0)), &order),
            OptionSet::single(2).unwrap()
        );
        assert_eq!(
            chosen_options(QuestionType::SingleChoice, Some(&json!(3)), &order),
            OptionSet::single(1).unwrap()
        );
    }

    #[test]
    fn multiple_response_maps_every_chosen_option() {
        let order = [3, 1, 0, 2];
        let chosen = chosen_options(QuestionType::MultipleResponse, Some(&json!([0, 2])), &order);
        assert_eq!(chosen, OptionSet::from_indices(&[3, 0]).unwrap());
        assert!(chosen_options(QuestionType::MultipleResponse, Some(&json!([])), &order).is_blank());
    }

    #[test]
    fn true_false_counts_true_as_option_zero_however_it_was_saved() {
        let order = [0, 1];
        assert_eq!(
            chosen_options(QuestionType::TrueFalse, Some(&json!(true)), &order),
            OptionSet::single(0).unwrap()
        );
        assert_eq!(
            chosen_options(QuestionType::TrueFalse, Some(&json!(false)), &order),
            OptionSet::single(1).unwrap()
        );
        assert_eq!(
            chosen_options(QuestionType::TrueFalse, Some(&json!(1)), &order),
            OptionSet::single(1).unwrap()
        );
    }

    #[test]
    fn no_answer_a_cleared_answer_or_a_bad_one_is_blank() {
        let order = [1, 0];
        for answer in [None, Some(json!(null)), Some(json!(7)), Some(json!("b"))] {
            assert!(
                chosen_options(QuestionType::SingleChoice, answer.as_ref(), &order).is_blank(),
                "{answer:?}"
            );
        }
        assert!(chosen_options(QuestionType::Numeric, Some(&json!(3.5)), &[]).is_blank());
    }

    #[test]
    fn keys_are_the_best_paid_single_choice_options_and_every_paid_multiple_response_one() {
        let single = QuestionBody::SingleChoice {
            options: vec![opt("a", 0.5), opt("b", 1.0), opt("c", 0.0)],
        };
        let keys: Vec<bool> = choice_options(&single).unwrap().iter().map(|o| o.info.is_key).collect();
        assert_eq!(keys, [false, true, false]);
        let multi = QuestionBody::MultipleResponse {
            options: vec![opt("a", 0.5), opt("b", -0.5), opt("c", 0.5)],
        };
        let keys: Vec<bool> = choice_options(&multi).unwrap().iter().map(|o| o.info.is_key).collect();
        assert_eq!(keys, [true, false, true]);
        let tf = choice_options(&QuestionBody::TrueFalse { answer: false }).unwrap();
        assert_eq!(
            (tf[0].text.as_str(), tf[0].info.is_key, tf[1].info.is_key),
            ("True", false, true)
        );
        assert_eq!(choice_options(&QuestionBody::Essay), None);
    }
}
