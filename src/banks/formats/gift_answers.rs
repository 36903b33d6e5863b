//! The inside of a GIFT answer block `{…}`: which kind of question it makes
//! and its options or accepted answers, read as Moodle's own importer
//! (`question/format/gift/format.php`) reads them.

use super::gift::{format_tag, text, trim, Unit};
use super::moodle_question::{is_moodle_grade, refused_grade};
use super::numbers::{parse_number, percent_to_fraction};
use super::text::optional_text;
use crate::banks::question::{
    AnswerExtras, ChoiceOption, Diagnostic, NumericAnswer, QuestionBody, QuestionExtras, RichText, TextAnswer,
    TextFormat,
};

/// Characters that mean structure unless escaped with `\`.
pub(super) const SPECIALS: [char; 6] = ['~', '=', '#', '{', '}', ':'];

/// One answer of a block: `=` or `~`, an optional `%weight%`, its text and
/// its `#feedback`, each with the format tag Moodle allows in front.
struct Answer<'u> {
    marker: char,
    weight: Option<f64>,
    text: &'u [Unit],
    text_format: Option<TextFormat>,
    feedback: Option<String>,
    feedback_format: Option<TextFormat>,
    line: usize,
}

impl Answer<'_> {
    /// What Moodle keeps of this answer besides its text and credit;
    /// `own_feedback` says whether the feedback goes here (numeric and
    /// short answers) or into the option itself (choices).
    fn extras(&self, stem_format: TextFormat, own_feedback: bool) -> AnswerExtras {
        AnswerExtras {
            // Only a choice shows its answer's text.
            text_format: differing(self.text_format, stem_format).filter(|_| !own_feedback),
            feedback: if own_feedback { self.feedback.clone() } else { None },
            feedback_format: self
                .feedback
                .as_ref()
                .and_then(|_| differing(self.feedback_format, stem_format)),
            ..AnswerExtras::default()
        }
    }
}

/// A format worth recording: one that says something the stem's does not.
pub(super) fn differing(format: Option<TextFormat>, stem_format: TextFormat) -> Option<TextFormat> {
    format.filter(|f| *f != stem_format)
}

/// What an answer block holds.
pub(super) struct Block {
    pub(super) body: QuestionBody,
    pub(super) explanation: Option<String>,
    pub(super) extras: QuestionExtras,
}

/// The question body, general feedback (`####…`) and everything else an
/// answer block says. `stem_format` is the default format of every text
/// in it, as in Moodle.
pub(super) fn parse_block(block: &[Unit], open_line: usize, stem_format: TextFormat) -> Result<Block, Diagnostic> {
    let mut extras = QuestionExtras::default();
    let (block, explanation) = match block.windows(4).position(|w| w.iter().all(|u| u.is('#'))) {
        Some(at) => {
            let (answers, feedback) = block.split_at(at);
            let (format, feedback) = format_tag(trim(feedback.get(4..).unwrap_or_default()));
            let feedback = optional_text(&text(feedback));
            if feedback.is_some() {
                extras.explanation_format = differing(format, stem_format);
            }
            (answers, feedback)
        }
        None => (block, None),
    };
    let block = trim(block);
    let body = match block.first() {
        None => QuestionBody::Essay,
        Some(first) if first.is('#') => {
            numeric(block.get(1..).unwrap_or_default(), open_line, stem_format, &mut extras)?
        }
        Some(_) if block.iter().any(|u| u.is('~')) => choice(block, open_line, stem_format, &mut extras)?,
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
                "T" | "TRUE" => true_false(true, block.get(head..).unwrap_or_default(), stem_format, &mut extras),
                "F" | "FALSE" => true_false(false, block.get(head..).unwrap_or_default(), stem_format, &mut extras),
                _ => short_text(block, open_line, stem_format, &mut extras)?,
            }
        }
    };
    Ok(Block {
        body,
        explanation,
        extras: extras.normalised(),
    })
}

/// `{T#said to whoever answers wrongly#said to whoever answers rightly}`,
/// Moodle's order; Assay keeps the two as feedback on "true" and "false".
fn true_false(answer: bool, comments: &[Unit], stem_format: TextFormat, extras: &mut QuestionExtras) -> QuestionBody {
    let mut parts = comments.split(|u| u.is('#')).skip(1);
    let feedback = |part: Option<&[Unit]>| {
        let (format, units) = format_tag(trim(part.unwrap_or_default()));
        optional_text(&text(units)).map(|text| RichText {
            text,
            format: differing(format, stem_format),
            files: Vec::new(),
        })
    };
    let wrong = feedback(parts.next());
    // Moodle splits on the first two `#` only; the rest is the right answer's.
    let rest: Vec<Unit> = parts.enumerate().fold(Vec::new(), |mut all, (n, part)| {
        if n > 0 {
            all.push(Unit {
                ch: '#',
                special: false,
                line: part.first().map_or(0, |u| u.line),
            });
        }
        all.extend_from_slice(part);
        all
    });
    let right = feedback(Some(&rest));
    let (on_true, on_false) = if answer { (right, wrong) } else { (wrong, right) };
    extras.true_feedback = on_true;
    extras.false_feedback = on_false;
    QuestionBody::TrueFalse { answer }
}

/// Matching: at least two `=` answers, each pairing an item with `->`.
/// Asking for all of them (Moodle asks for any) lets a short answer such as
/// `{=x -> y =z}` stay a short answer.
fn is_matching(block: &[Unit], open_line: usize) -> Result<bool, Diagnostic> {
    if !block.iter().any(|u| u.is('=')) {
        return Ok(false);
    }
    let answers = split(block, open_line, '=')?;
    Ok(answers.len() >= 2
        && answers.iter().all(|a| {
            a.text
                .windows(2)
                .any(|w| matches!(w, [dash, arrow] if dash.ch == '-' && arrow.ch == '>'))
        }))
}

/// Cuts a block at each unescaped `=` and `~` into answers. Text before the
/// first marker is an answer too, as in Moodle: a right one (`implied` is
/// `=`) in short and numeric answers, so `{One}` accepts "One", and a wrong
/// one (`~`) in multiple choice.
fn split(block: &[Unit], open_line: usize, implied: char) -> Result<Vec<Answer<'_>>, Diagnostic> {
    let starts: Vec<usize> = block
        .iter()
        .enumerate()
        .filter(|(_, u)| u.is('=') || u.is('~'))
        .map(|(i, _)| i)
        .collect();
    let first = starts.first().copied().unwrap_or(block.len());
    let mut answers = Vec::new();
    let prefix = trim(block.get(..first).unwrap_or_default());
    if !prefix.is_empty() {
        let line = prefix.first().map_or(open_line, |u| u.line);
        answers.push(answer(implied, prefix, line)?);
    }
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
            // Moodle's importer refuses a question with a grade off its list.
            if !is_moodle_grade(fraction) {
                return Err(Diagnostic::unsupported(line, refused_grade(&written)));
            }
            weight = Some(fraction);
            units = trim(rest.get(end + 1..).unwrap_or_default());
        }
    }
    let (text_units, feedback) = match units.iter().position(|u| u.is('#')) {
        Some(at) => {
            let (answer_text, rest) = units.split_at(at);
            (trim(answer_text), Some(trim(rest.get(1..).unwrap_or_default())))
        }
        None => (units, None),
    };
    let (text_format, text_units) = format_tag(text_units);
    let (feedback_format, feedback) = match feedback.map(format_tag) {
        Some((format, units)) => (format, optional_text(&text(units))),
        None => (None, None),
    };
    Ok(Answer {
        marker,
        weight,
        text: text_units,
        text_format,
        feedback,
        feedback_format,
        line,
    })
}

fn choice(
    block: &[Unit],
    open_line: usize,
    stem_format: TextFormat,
    extras: &mut QuestionExtras,
) -> Result<QuestionBody, Diagnostic> {
    let answers = split(block, open_line, '~')?;
    let single = answers.iter().any(|a| a.marker == '=');
    let mut options = Vec::new();
    for a in answers {
        let option_text = text(a.text);
        if option_text.is_empty() {
            return Err(Diagnostic::error(a.line, "an answer here has no text"));
        }
        let default = if a.marker == '=' { 1.0 } else { 0.0 };
        extras.answers.push(a.extras(stem_format, false));
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

fn short_text(
    block: &[Unit],
    open_line: usize,
    stem_format: TextFormat,
    extras: &mut QuestionExtras,
) -> Result<QuestionBody, Diagnostic> {
    let mut answers = Vec::new();
    for a in split(block, open_line, '=')? {
        let answer_text = text(a.text);
        if answer_text.is_empty() {
            return Err(Diagnostic::error(a.line, "an accepted answer here has no text"));
        }
        extras.answers.push(a.extras(stem_format, true));
        answers.push(TextAnswer {
            text: answer_text,
            credit: a.weight.unwrap_or(1.0),
        });
    }
    Ok(QuestionBody::ShortText { answers })
}

/// `{#25:0.5}`, `{#24..26}` or `{#=%100%25:0.5 =%50%24:2}`, each answer with
/// an optional `#feedback`. Everything from the first `~` is, as in Moodle,
/// the feedback for any other answer (`~#…`, which Moodle's own export
/// writes for its `*` answer).
fn numeric(
    block: &[Unit],
    open_line: usize,
    stem_format: TextFormat,
    extras: &mut QuestionExtras,
) -> Result<QuestionBody, Diagnostic> {
    let block = trim(block);
    let line = block.first().map_or(open_line, |u| u.line);
    let (block, other) = match block.iter().position(|u| u.is('~')) {
        Some(at) => {
            let (answers, other) = block.split_at(at);
            (trim(answers), Some(other))
        }
        None => (block, None),
    };
    if let Some(other) = other {
        let other = answer('~', trim(other.get(1..).unwrap_or_default()), line)?;
        extras.other_feedback = other.feedback.map(|text| RichText {
            text,
            format: differing(other.feedback_format, stem_format),
            files: Vec::new(),
        });
    }
    let mut answers = Vec::new();
    for a in split(block, open_line, '=')? {
        let (value, tolerance) = value_and_tolerance(a.text, a.line)?;
        extras.answers.push(a.extras(stem_format, true));
        answers.push(NumericAnswer {
            value,
            tolerance,
            credit: a.weight.unwrap_or(1.0),
        });
    }
    if answers.is_empty() {
        return Err(Diagnostic::error(line, "the numeric answer {#} has no number"));
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
        let body = parse_block(&units("#24..26"), 7, TextFormat::Plain).unwrap().body;
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
        let body = parse_block(&units("~%50%a ~%-25%b ~%50%c"), 7, TextFormat::Plain)
            .unwrap()
            .body;
        let credits: Vec<f64> = body.options().iter().map(|o| o.credit).collect();
        assert_eq!(credits, vec![0.5, -0.25, 0.5]);
        assert!(matches!(body, QuestionBody::MultipleResponse { .. }));
    }

    #[test]
    fn matching_is_reported_as_unsupported() {
        let error = parse_block(&units("=a -> 1 =b -> 2"), 7, TextFormat::Plain)
            .err()
            .unwrap();
        assert!(error.unsupported);
        assert_eq!(error.line, 7);
    }

    #[test]
    fn text_before_the_first_answer_is_an_answer_as_in_moodle() {
        let short = parse_block(&units("One =Uno"), 7, TextFormat::Plain).unwrap().body;
        let QuestionBody::ShortText { answers } = short else {
            panic!("{short:?}")
        };
        let texts: Vec<&str> = answers.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(texts, vec!["One", "Uno"]);
        let choice = parse_block(&units("oops ~a =b"), 7, TextFormat::Plain).unwrap().body;
        let credits: Vec<f64> = choice.options().iter().map(|o| o.credit).collect();
        assert_eq!(credits, vec![0.0, 0.0, 1.0]);
    }
}
