//! The inside of a GIFT answer block `{…}`: which kind of question it makes
//! and its options or accepted answers.

use super::gift::{text, trim, Unit};
use super::numbers::{parse_number, percent_to_fraction};
use super::text::optional_text;
use crate::banks::model::{ChoiceOption, Diagnostic, NumericAnswer, QuestionBody, TextAnswer};

/// Characters that mean structure unless escaped with `\`.
pub(super) const SPECIALS: [char; 6] = ['~', '=', '#', '{', '}', ':'];

/// One answer of a block: `=` or `~`, an optional `%weight%`, its text and
/// its `#feedback`.
struct Answer<'u> {
    marker: char,
    weight: Option<f64>,
    text: &'u [Unit],
    feedback: Option<String>,
    line: usize,
}

/// The question body and general feedback (`####…`) of an answer block.
pub(super) fn parse_block(block: &[Unit], open_line: usize) -> Result<(QuestionBody, Option<String>), Diagnostic> {
    let (block, explanation) = match block.windows(4).position(|w| w.iter().all(|u| u.is('#'))) {
        Some(at) => {
            let (answers, feedback) = block.split_at(at);
            (answers, optional_text(&text(feedback.get(4..).unwrap_or_default())))
        }
        None => (block, None),
    };
    let block = trim(block);
    let body = match block.first() {
        None => QuestionBody::Essay,
        Some(first) if first.is('#') => numeric(block.get(1..).unwrap_or_default(), open_line)?,
        Some(_) if block.iter().any(|u| u.is('~')) => choice(block, open_line)?,
        Some(_) if is_matching(block, open_line)? => {
            return Err(Diagnostic::unsupported(
                open_line,
                "this is a matching question (=item -> match), which Assay cannot hold yet; \
                 remove it, or import with --skip-unsupported to skip it",
            ))
        }
        Some(_) => {
            let head = block.iter().position(|u| u.is('#')).unwrap_or(block.len());
            let word = text(block.get(..head).unwrap_or_default()).to_uppercase();
            match word.as_str() {
                "T" | "TRUE" => QuestionBody::TrueFalse { answer: true },
                "F" | "FALSE" => QuestionBody::TrueFalse { answer: false },
                _ => short_text(block, open_line)?,
            }
        }
    };
    Ok((body, explanation))
}

/// Matching: at least two `=` answers, each pairing an item with `->`.
/// Asking for all of them (Moodle asks for any) lets a short answer such as
/// `{=x -> y =z}` stay a short answer.
fn is_matching(block: &[Unit], open_line: usize) -> Result<bool, Diagnostic> {
    if !block.iter().any(|u| u.is('=')) {
        return Ok(false);
    }
    let answers = split(block, open_line)?;
    Ok(answers.len() >= 2
        && answers.iter().all(|a| {
            a.text
                .windows(2)
                .any(|w| matches!(w, [dash, arrow] if dash.ch == '-' && arrow.ch == '>'))
        }))
}

/// Cuts a block at each unescaped `=` and `~` into answers.
fn split(block: &[Unit], open_line: usize) -> Result<Vec<Answer<'_>>, Diagnostic> {
    let starts: Vec<usize> = block
        .iter()
        .enumerate()
        .filter(|(_, u)| u.is('=') || u.is('~'))
        .map(|(i, _)| i)
        .collect();
    let first = starts.first().copied().unwrap_or(block.len());
    let prefix = text(block.get(..first).unwrap_or_default());
    if !prefix.is_empty() {
        let line = block.first().map_or(open_line, |u| u.line);
        return Err(Diagnostic::error(
            line,
            format!(
                "\"{prefix}\" is not a GIFT answer; start right answers with = and wrong ones with ~ \
                 (true/false is T or F, a number starts with #)"
            ),
        ));
    }
    let mut answers = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(block.len());
        let marker = block.get(start).map_or('=', |u| u.ch);
        let line = block.get(start).map_or(open_line, |u| u.line);
        let units = trim(block.get(start + 1..end).unwrap_or_default());
        answers.push(answer(marker, units, line)?);
    }
    Ok(answers)
}

fn answer(marker: char, units: &[Unit], line: usize) -> Result<Answer<'_>, Diagnostic> {
    let mut weight = None;
    let mut units = units;
    if units.first().is_some_and(|u| u.ch == '%') {
        let rest = units.get(1..).unwrap_or_default();
        if let Some(end) = rest.iter().position(|u| u.ch == '%') {
            let written = text(rest.get(..end).unwrap_or_default());
            let Some(fraction) = percent_to_fraction(&written) else {
                return Err(Diagnostic::error(
                    line,
                    format!("the weight %{written}% is not a percentage such as %50% or %-25%"),
                ));
            };
            weight = Some(fraction);
            units = trim(rest.get(end + 1..).unwrap_or_default());
        }
    }
    let (text_units, feedback) = match units.iter().position(|u| u.is('#')) {
        Some(at) => {
            let (answer_text, rest) = units.split_at(at);
            (
                trim(answer_text),
                optional_text(&text(rest.get(1..).unwrap_or_default())),
            )
        }
        None => (units, None),
    };
    Ok(Answer {
        marker,
        weight,
        text: text_units,
        feedback,
        line,
    })
}

fn choice(block: &[Unit], open_line: usize) -> Result<QuestionBody, Diagnostic> {
    let answers = split(block, open_line)?;
    let single = answers.iter().any(|a| a.marker == '=');
    let mut options = Vec::new();
    for a in answers {
        let option_text = text(a.text);
        if option_text.is_empty() {
            return Err(Diagnostic::error(a.line, "an answer here has no text"));
        }
        let default = if a.marker == '=' { 1.0 } else { 0.0 };
        options.push(ChoiceOption {
            text: option_text,
            credit: a.weight.unwrap_or(default),
            feedback: a.feedback,
        });
    }
    Ok(if single {
        QuestionBody::SingleChoice { options }
    } else {
        QuestionBody::MultipleResponse { options }
    })
}

fn short_text(block: &[Unit], open_line: usize) -> Result<QuestionBody, Diagnostic> {
    let mut answers = Vec::new();
    for a in split(block, open_line)? {
        let answer_text = text(a.text);
        if answer_text.is_empty() {
            return Err(Diagnostic::error(a.line, "an accepted answer here has no text"));
        }
        answers.push(TextAnswer {
            text: answer_text,
            credit: a.weight.unwrap_or(1.0),
        });
    }
    Ok(QuestionBody::ShortText { answers })
}

/// `{#25:0.5}`, `{#24..26}` or `{#=%100%25:0.5 =%50%24:2}`.
fn numeric(block: &[Unit], open_line: usize) -> Result<QuestionBody, Diagnostic> {
    let block = trim(block);
    let line = block.first().map_or(open_line, |u| u.line);
    if block.is_empty() {
        return Err(Diagnostic::error(line, "the numeric answer {#} has no number"));
    }
    if !block.iter().any(|u| u.is('=') || u.is('~')) {
        let value_units = match block.iter().position(|u| u.is('#')) {
            Some(at) => block.get(..at).unwrap_or_default(),
            None => block,
        };
        let (value, tolerance) = value_and_tolerance(trim(value_units), line)?;
        return Ok(QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value,
                tolerance,
                credit: 1.0,
            }],
        });
    }
    let mut answers = Vec::new();
    for a in split(block, open_line)? {
        if a.marker == '~' {
            return Err(Diagnostic::error(
                a.line,
                "numeric answers are written =value:tolerance; ~ belongs to multiple choice",
            ));
        }
        let (value, tolerance) = value_and_tolerance(a.text, a.line)?;
        answers.push(NumericAnswer {
            value,
            tolerance,
            credit: a.weight.unwrap_or(1.0),
        });
    }
    Ok(QuestionBody::Numeric { answers })
}

fn value_and_tolerance(units: &[Unit], line: usize) -> Result<(f64, f64), Diagnostic> {
    let number = |written: &str| {
        parse_number(written).ok_or_else(|| {
            Diagnostic::error(
                line,
                format!("\"{written}\" is not a number (numeric answers look like 25:0.5 or 24..26)"),
            )
        })
    };
    if let Some(colon) = units.iter().position(|u| u.is(':')) {
        let (value, tolerance) = units.split_at(colon);
        let tolerance = text(tolerance.get(1..).unwrap_or_default());
        return Ok((number(&text(value))?, number(&tolerance)?));
    }
    let written = text(units);
    if let Some((low, high)) = written.split_once("..") {
        let (low, high) = (number(low.trim())?, number(high.trim())?);
        if low > high {
            return Err(Diagnostic::error(
                line,
                format!("the range {written} runs backwards; write the smaller number first"),
            ));
        }
        let (value, tolerance) = (low / 2.0 + high / 2.0, high / 2.0 - low / 2.0);
        return Ok((value, tolerance));
    }
    Ok((number(&written)?, 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(text: &str) -> Vec<Unit> {
        text.chars()
            .map(|ch| Unit {
                ch,
                special: SPECIALS.contains(&ch),
                line: 7,
            })
            .collect()
    }

    #[test]
    fn numeric_range_is_midpoint_plus_minus_half_range() {
        let (body, _) = parse_block(&units("#24..26"), 7).unwrap();
        assert_eq!(
            body,
            QuestionBody::Numeric {
                answers: vec![NumericAnswer {
                    value: 25.0,
                    tolerance: 1.0,
                    credit: 1.0
                }]
            }
        );
    }

    #[test]
    fn weights_are_fractions_of_the_points() {
        let (body, _) = parse_block(&units("~%50%a ~%-25%b ~%50%c"), 7).unwrap();
        let credits: Vec<f64> = body.options().iter().map(|o| o.credit).collect();
        assert_eq!(credits, vec![0.5, -0.25, 0.5]);
        assert!(matches!(body, QuestionBody::MultipleResponse { .. }));
    }

    #[test]
    fn matching_is_reported_as_unsupported() {
        let error = parse_block(&units("=a -> 1 =b -> 2"), 7).unwrap_err();
        assert!(error.unsupported);
        assert_eq!(error.line, 7);
    }

    #[test]
    fn text_before_the_first_answer_is_an_error() {
        let error = parse_block(&units("oops =a"), 7).unwrap_err();
        assert!(error.message.contains("\"oops =a\"") || error.message.contains("oops"));
    }
}
