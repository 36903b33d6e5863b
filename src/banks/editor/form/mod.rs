//! The editor's form: a question as the fields a trainer types, read back
//! into a question with each problem pinned to its field. Pure.

use super::super::question::{
    ChoiceOption, Difficulty, NumericAnswer, ParsedQuestion, QuestionBody, QuestionExtras, QuestionType, TextAnswer,
    TextFormat,
};
use crate::error::ErrorDetail;

/// One option row as typed: the credit is a percentage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionRow {
    pub text: String,
    pub credit: String,
    pub feedback: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumericRow {
    pub value: String,
    pub tolerance: String,
    pub credit: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextRow {
    pub text: String,
    pub credit: String,
}

/// Every field of the editor as text, so a refused form comes back as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorForm {
    pub qtype: String,
    pub external_id: String,
    pub name: String,
    pub category: String,
    pub difficulty: String,
    pub points: String,
    pub tags: String,
    pub stem_format: String,
    pub stem: String,
    pub explanation: String,
    /// "true" or "false".
    pub tf_answer: String,
    pub options: Vec<OptionRow>,
    pub numeric: Vec<NumericRow>,
    pub texts: Vec<TextRow>,
}

/// Rows shown beyond those filled, so a trainer can add answers without a
/// script.
const SPARE_ROWS: usize = 2;

fn percent(fraction: f64) -> String {
    let p = (fraction * 100_000.0).round() / 1000.0;
    format!("{p}")
}

fn number(n: f64) -> String {
    format!("{n}")
}

impl EditorForm {
    /// An empty form for a new question of a type.
    pub fn new(qtype: QuestionType, category: Option<&str>) -> EditorForm {
        let mut form = EditorForm {
            qtype: qtype.as_str().to_owned(),
            external_id: String::new(),
            name: String::new(),
            category: category.unwrap_or_default().to_owned(),
            difficulty: Difficulty::Medium.as_str().to_owned(),
            points: "1".to_owned(),
            tags: String::new(),
            stem_format: TextFormat::Markdown.as_str().to_owned(),
            stem: String::new(),
            explanation: String::new(),
            tf_answer: "true".to_owned(),
            options: vec![],
            numeric: vec![],
            texts: vec![],
        };
        form.add_spare_rows();
        form
    }

    /// The form filled with a stored question.
    pub fn of(q: &ParsedQuestion) -> EditorForm {
        let mut form = EditorForm {
            qtype: q.body.question_type().as_str().to_owned(),
            external_id: q.external_id.clone().unwrap_or_default(),
            name: q.name.clone().unwrap_or_default(),
            category: q.category.clone().unwrap_or_default(),
            difficulty: q.difficulty.as_str().to_owned(),
            points: number(q.points),
            tags: q.tags.join(", "),
            stem_format: q.stem_format.as_str().to_owned(),
            stem: q.stem.clone(),
            explanation: q.explanation.clone().unwrap_or_default(),
            tf_answer: if matches!(q.body, QuestionBody::TrueFalse { answer: false }) {
                "false".to_owned()
            } else {
                "true".to_owned()
            },
            options: q
                .body
                .options()
                .iter()
                .map(|o| OptionRow {
                    text: o.text.clone(),
                    credit: percent(o.credit),
                    feedback: o.feedback.clone().unwrap_or_default(),
                })
                .collect(),
            numeric: match &q.body {
                QuestionBody::Numeric { answers } => answers
                    .iter()
                    .map(|a| NumericRow {
                        value: number(a.value),
                        tolerance: number(a.tolerance),
                        credit: percent(a.credit),
                    })
                    .collect(),
                _ => vec![],
            },
            texts: match &q.body {
                QuestionBody::ShortText { answers } => answers
                    .iter()
                    .map(|a| TextRow {
                        text: a.text.clone(),
                        credit: percent(a.credit),
                    })
                    .collect(),
                _ => vec![],
            },
        };
        form.add_spare_rows();
        form
    }

    fn add_spare_rows(&mut self) {
        let options = (self.options.len() + SPARE_ROWS).max(4);
        self.options.resize(options, OptionRow::default());
        let numeric = (self.numeric.len() + SPARE_ROWS).max(2);
        self.numeric.resize(numeric, NumericRow::default());
        let texts = (self.texts.len() + SPARE_ROWS).max(3);
        self.texts.resize(texts, TextRow::default());
    }

    /// Reads the posted fields (`option_text_0`, `numeric_value_1`, …).
    pub fn from_pairs(pairs: &[(String, String)]) -> EditorForm {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.replace("\r\n", "\n"))
                .unwrap_or_default()
        };
        let rows = |prefix: &str| {
            pairs
                .iter()
                .filter_map(|(k, _)| k.strip_prefix(prefix)?.parse::<usize>().ok())
                .filter(|i| *i < 100)
                .max()
                .map_or(0, |m| m + 1)
        };
        let mut form = EditorForm {
            qtype: get("type"),
            external_id: get("external_id").trim().to_owned(),
            name: get("name").trim().to_owned(),
            category: get("category").trim().to_owned(),
            difficulty: get("difficulty"),
            points: get("points").trim().to_owned(),
            tags: get("tags"),
            stem_format: get("stem_format"),
            stem: get("stem"),
            explanation: get("explanation"),
            tf_answer: get("tf_answer"),
            options: (0..rows("option_text_"))
                .map(|i| OptionRow {
                    text: get(&format!("option_text_{i}")),
                    credit: get(&format!("option_credit_{i}")).trim().to_owned(),
                    feedback: get(&format!("option_feedback_{i}")),
                })
                .collect(),
            numeric: (0..rows("numeric_value_"))
                .map(|i| NumericRow {
                    value: get(&format!("numeric_value_{i}")).trim().to_owned(),
                    tolerance: get(&format!("numeric_tolerance_{i}")).trim().to_owned(),
                    credit: get(&format!("numeric_credit_{i}")).trim().to_owned(),
                })
                .collect(),
            texts: (0..rows("text_answer_"))
                .map(|i| TextRow {
                    text: get(&format!("text_answer_{i}")),
                    credit: get(&format!("text_credit_{i}")).trim().to_owned(),
                })
                .collect(),
        };
        // Blank rows are room to add, not answers.
        form.options
            .retain(|o| !o.text.trim().is_empty() || !o.feedback.trim().is_empty());
        form.numeric.retain(|n| !n.value.is_empty());
        form.texts.retain(|t| !t.text.trim().is_empty());
        form.add_spare_rows();
        form
    }

    pub fn question_type(&self) -> Option<QuestionType> {
        self.qtype.parse().ok()
    }

    /// Whether the form is for a question of this type (by its stored name).
    pub fn is(&self, qtype: &str) -> bool {
        self.qtype == qtype
    }
}

/// Problems found while reading the form, each with its field's name.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<ErrorDetail>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(ErrorDetail::field(field, message));
    }
}

/// A percentage as typed ("100", "50%", "-25", blank for 0) as a fraction.
fn credit(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Some(0.0);
    }
    let p: f64 = t.parse().ok()?;
    (p.is_finite() && (-100.0..=100.0).contains(&p)).then_some(p / 100.0)
}

fn decimal(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

const CREDIT_HELP: &str = "Give a percentage from -100 to 100 (100 for a right answer, 0 or blank for a wrong one).";

impl EditorForm {
    /// The question the form describes. `kept` is the version being edited:
    /// what the form does not show (Moodle's extras, calibration) is kept.
    pub fn to_question(&self, kept: Option<&ParsedQuestion>) -> Result<ParsedQuestion, Problems> {
        let mut problems = Problems::default();
        let qtype = self.question_type();
        if qtype.is_none() {
            problems.add("type", "Choose what kind of question this is.");
        }
        let difficulty = self.difficulty.parse().unwrap_or_else(|_| {
            problems.add("difficulty", "Choose easy, medium or hard.");
            Difficulty::Medium
        });
        let stem_format = self.stem_format.parse().unwrap_or_else(|_| {
            problems.add(
                "stem_format",
                "Choose how the text is written: Markdown, HTML, plain text or Moodle.",
            );
            TextFormat::Markdown
        });
        let points = match decimal(&self.points) {
            Some(p) if p > 0.0 && p <= 1000.0 => p,
            _ => {
                problems.add("points", "Give the points as a number above 0, such as 1 or 2.5.");
                1.0
            }
        };
        if self.stem.trim().is_empty() {
            problems.add("stem", "Write the question's text: this is what candidates read.");
        }
        let body = qtype.and_then(|t| self.body(t, &mut problems));
        let tags: Vec<String> = self
            .tags
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        let category = self.category.trim().trim_matches('/').to_owned();
        let (Some(body), true) = (body, problems.0.is_empty()) else {
            return Err(problems);
        };
        let extras = kept.map(|k| fit_extras(&k.extras, &body)).unwrap_or_default();
        Ok(ParsedQuestion {
            line: 0,
            external_id: kept
                .and_then(|k| k.external_id.clone())
                .or_else(|| (!self.external_id.is_empty()).then(|| self.external_id.clone())),
            name: (!self.name.is_empty()).then(|| self.name.clone()),
            category: (!category.is_empty()).then_some(category),
            difficulty,
            points,
            tags,
            stem: self.stem.trim_end().to_owned(),
            stem_format,
            body,
            explanation: Some(self.explanation.trim().to_owned()).filter(|e| !e.is_empty()),
            extras,
            irt_a: kept.and_then(|k| k.irt_a),
            irt_b: kept.and_then(|k| k.irt_b),
        })
    }

    fn body(&self, qtype: QuestionType, problems: &mut Problems) -> Option<QuestionBody> {
        match qtype {
            QuestionType::SingleChoice => Some(QuestionBody::SingleChoice {
                options: self.choices(true, problems),
            }),
            QuestionType::MultipleResponse => Some(QuestionBody::MultipleResponse {
                options: self.choices(false, problems),
            }),
            QuestionType::TrueFalse => match self.tf_answer.as_str() {
                "true" => Some(QuestionBody::TrueFalse { answer: true }),
                "false" => Some(QuestionBody::TrueFalse { answer: false }),
                _ => {
                    problems.add("tf_answer", "Choose whether the statement is true or false.");
                    None
                }
            },
            QuestionType::Numeric => Some(QuestionBody::Numeric {
                answers: self.numeric_answers(problems),
            }),
            QuestionType::ShortText => Some(QuestionBody::ShortText {
                answers: self.text_answers(problems),
            }),
            QuestionType::Essay => Some(QuestionBody::Essay),
        }
    }

    fn choices(&self, single: bool, problems: &mut Problems) -> Vec<ChoiceOption> {
        let mut options = Vec::new();
        for (i, row) in self.options.iter().enumerate() {
            if row.text.trim().is_empty() && row.feedback.trim().is_empty() {
                continue;
            }
            if row.text.trim().is_empty() {
                problems.add(&format!("option_text_{i}"), "This option has feedback but no text.");
            }
            let credit = credit(&row.credit).unwrap_or_else(|| {
                problems.add(&format!("option_credit_{i}"), CREDIT_HELP);
                0.0
            });
            options.push(ChoiceOption {
                text: row.text.trim().to_owned(),
                credit,
                feedback: Some(row.feedback.trim().to_owned()).filter(|f| !f.is_empty()),
            });
        }
        if options.len() < 2 {
            problems.add("options", "Give at least two options.");
        } else if single && !options.iter().any(|o| (o.credit - 1.0).abs() < 1e-9) {
            problems.add("options", "Give the right option 100% credit.");
        } else if !single && !options.iter().any(|o| o.credit > 0.0) {
            problems.add("options", "Give at least one right option a credit above 0%.");
        }
        options
    }

    fn numeric_answers(&self, problems: &mut Problems) -> Vec<NumericAnswer> {
        let mut answers = Vec::new();
        for (i, row) in self.numeric.iter().enumerate() {
            if row.value.is_empty() {
                continue;
            }
            let value = decimal(&row.value).unwrap_or_else(|| {
                problems.add(
                    &format!("numeric_value_{i}"),
                    "Give the answer as a number, such as 12.5.",
                );
                0.0
            });
            let tolerance = match row.tolerance.trim() {
                "" => 0.0,
                t => decimal(t).filter(|t| *t >= 0.0).unwrap_or_else(|| {
                    problems.add(
                        &format!("numeric_tolerance_{i}"),
                        "Give the tolerance as a number of 0 or more (how far from the answer still counts).",
                    );
                    0.0
                }),
            };
            let credit = match row.credit.trim() {
                "" => 1.0,
                c => credit(c).unwrap_or_else(|| {
                    problems.add(&format!("numeric_credit_{i}"), CREDIT_HELP);
                    0.0
                }),
            };
            answers.push(NumericAnswer {
                value,
                tolerance,
                credit,
            });
        }
        if answers.is_empty() {
            problems.add("numeric", "Give the right answer as a number.");
        }
        answers
    }

    fn text_answers(&self, problems: &mut Problems) -> Vec<TextAnswer> {
        let mut answers = Vec::new();
        for (i, row) in self.texts.iter().enumerate() {
            if row.text.trim().is_empty() {
                continue;
            }
            let credit = match row.credit.trim() {
                "" => 1.0,
                c => credit(c).unwrap_or_else(|| {
                    problems.add(&format!("text_credit_{i}"), CREDIT_HELP);
                    0.0
                }),
            };
            answers.push(TextAnswer {
                text: row.text.trim().to_owned(),
                credit,
            });
        }
        if answers.is_empty() {
            problems.add("texts", "Give at least one accepted answer.");
        }
        answers
    }
}

/// The kept Moodle extras, with per-answer entries dropped when the answers
/// no longer line up with them (an option added or removed).
fn fit_extras(extras: &QuestionExtras, body: &QuestionBody) -> QuestionExtras {
    let answers = match body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => options.len(),
        QuestionBody::Numeric { answers } => answers.len(),
        QuestionBody::ShortText { answers } => answers.len(),
        QuestionBody::TrueFalse { .. } | QuestionBody::Essay => 0,
    };
    let mut kept = extras.clone();
    if kept.answers.len() != answers {
        kept.answers.clear();
    }
    kept.normalised()
}

#[cfg(test)]
mod tests;
