//! The format-neutral shape of a question as the readers produce it and the
//! writers consume it. Nothing here touches the database: `crate::banks::store`
//! turns these into rows, and the readers in `crate::banks::formats` are pure
//! functions from text to `ParseOutcome`.

use serde::{Deserialize, Serialize};

use crate::db::text_enum;

text_enum! {
    pub enum QuestionType {
        SingleChoice = "single_choice",
        MultipleResponse = "multiple_response",
        TrueFalse = "true_false",
        Numeric = "numeric",
        ShortText = "short_text",
        Essay = "essay",
    }
}

impl QuestionType {
    /// The type in words, for pages.
    pub fn label(self) -> &'static str {
        match self {
            QuestionType::SingleChoice => "Single choice",
            QuestionType::MultipleResponse => "Multiple response",
            QuestionType::TrueFalse => "True or false",
            QuestionType::Numeric => "Number",
            QuestionType::ShortText => "Short text",
            QuestionType::Essay => "Essay",
        }
    }
}

text_enum! {
    #[derive(PartialOrd, Ord, Default)]
    pub enum Difficulty {
        Easy = "easy",
        #[default]
        Medium = "medium",
        Hard = "hard",
    }
}

/// One option of a choice question. `credit` is the fraction of the
/// question's points this option earns when chosen: 1.0 for a key, 0.0 for a
/// distractor, and anything between -1.0 and 1.0 for weighted options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub text: String,
    pub credit: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// A numeric answer: right when |given - value| <= tolerance, earning `credit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericAnswer {
    pub value: f64,
    pub tolerance: f64,
    pub credit: f64,
}

/// An accepted short-text answer, matched after trimming, case folding and
/// collapsing runs of white space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextAnswer {
    pub text: String,
    pub credit: f64,
}

/// The part of a question that differs by type: its options and its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionBody {
    SingleChoice { options: Vec<ChoiceOption> },
    MultipleResponse { options: Vec<ChoiceOption> },
    TrueFalse { answer: bool },
    Numeric { answers: Vec<NumericAnswer> },
    ShortText { answers: Vec<TextAnswer> },
    Essay,
}

impl QuestionBody {
    pub fn question_type(&self) -> QuestionType {
        match self {
            QuestionBody::SingleChoice { .. } => QuestionType::SingleChoice,
            QuestionBody::MultipleResponse { .. } => QuestionType::MultipleResponse,
            QuestionBody::TrueFalse { .. } => QuestionType::TrueFalse,
            QuestionBody::Numeric { .. } => QuestionType::Numeric,
            QuestionBody::ShortText { .. } => QuestionType::ShortText,
            QuestionBody::Essay => QuestionType::Essay,
        }
    }

    pub fn options(&self) -> &[ChoiceOption] {
        match self {
            QuestionBody::SingleChoice { options } | QuestionBody::MultipleResponse { options } => options,
            _ => &[],
        }
    }
}

text_enum! {
    /// How a stem is written. Stems keep their markup; the web layer sanitises
    /// HTML on display.
    #[derive(Default)]
    pub enum TextFormat {
        #[default]
        Plain = "plain",
        Html = "html",
        Markdown = "markdown",
        /// Moodle's own "auto-format" (GIFT `[moodle]`, Moodle XML
        /// `moodle_auto_format`): HTML allowed, line breaks kept.
        Moodle = "moodle",
    }
}

/// A file Moodle XML embeds in a text (`<file name=… encoding="base64">`),
/// kept as Moodle wrote it so that an export gives it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedFile {
    pub name: String,
    pub path: String,
    /// The base64 content, as written in the file.
    pub content: String,
}

/// A text Moodle keeps beside the question (feedback, grader information),
/// with its own format when that differs from the stem's.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RichText {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<TextFormat>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<EmbeddedFile>,
}

/// What Moodle keeps with one answer besides its text and credit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AnswerExtras {
    /// The answer's own format, when it differs from the stem's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_format: Option<TextFormat>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_files: Vec<EmbeddedFile>,
    /// Feedback of a numeric or short-text answer (a choice option keeps its
    /// own in `ChoiceOption::feedback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_format: Option<TextFormat>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback_files: Vec<EmbeddedFile>,
}

impl AnswerExtras {
    pub fn is_empty(&self) -> bool {
        self == &AnswerExtras::default()
    }
}

/// Everything a Moodle file carries that Assay does not grade with but must
/// not drop: kept at import and written back on export. Stored inside the
/// version's body (see `crate::banks::models`), so older bodies without it
/// still load.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QuestionExtras {
    /// Files the stem refers to as `@@PLUGINFILE@@/name` (Moodle XML
    /// `<questiontext><file>`, or Moodle 1.9's `<image_base64>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stem_files: Vec<EmbeddedFile>,
    /// One per option or answer, in the body's order; empty when none of
    /// them carries anything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<AnswerExtras>,
    /// The general feedback's format, when it differs from the stem's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_format: Option<TextFormat>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explanation_files: Vec<EmbeddedFile>,
    /// True/false: what a candidate who answers "true" is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub true_feedback: Option<RichText>,
    /// True/false: what a candidate who answers "false" is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_feedback: Option<RichText>,
    /// Numeric: feedback for any other answer (Moodle's `*` answer, GIFT `~#…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_feedback: Option<RichText>,
    /// Essay: information for graders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grader_info: Option<RichText>,
    /// Essay: text the answer box starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_template: Option<RichText>,
}

impl QuestionExtras {
    pub fn is_empty(&self) -> bool {
        self == &QuestionExtras::default()
    }

    /// Drops per-answer entries when none carries anything, so that equal
    /// questions compare equal however a reader filled them.
    pub fn normalised(mut self) -> QuestionExtras {
        if self.answers.iter().all(AnswerExtras::is_empty) {
            self.answers.clear();
        }
        self
    }

    pub fn answer(&self, index: usize) -> Option<&AnswerExtras> {
        self.answers.get(index)
    }
}

/// A question as read from a file, before it meets the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedQuestion {
    /// 1-based line where the question starts in the source file.
    pub line: usize,
    /// Stable key across re-imports (`id` in TOML/CSV, `<idnumber>` in Moodle XML).
    pub external_id: Option<String>,
    /// A short title (`::name::` in GIFT, `<name>` in Moodle XML).
    pub name: Option<String>,
    /// Category path with `/` separators, e.g. `Aptitude/Quantitative`.
    pub category: Option<String>,
    pub difficulty: Difficulty,
    pub points: f64,
    pub tags: Vec<String>,
    pub stem: String,
    pub stem_format: TextFormat,
    pub body: QuestionBody,
    /// General feedback: a one-line explanation of the key.
    pub explanation: Option<String>,
    /// What a Moodle format carries beyond the fields above.
    #[serde(default, skip_serializing_if = "QuestionExtras::is_empty")]
    pub extras: QuestionExtras,
    /// Calibrated 2PL discrimination and difficulty (`assay irt fit`), on
    /// the θ ~ N(0, 1) logistic metric; both or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irt_a: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irt_b: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a file, with where it is and a sentence a trainer can
/// act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub severity: Severity,
    pub message: String,
    /// True when the problem is a question type Assay cannot hold (GIFT
    /// matching, Moodle cloze): `--skip-unsupported` turns these into warnings.
    #[serde(default)]
    pub unsupported: bool,
}

impl Diagnostic {
    pub fn error(line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            line,
            column: None,
            severity: Severity::Error,
            message: message.into(),
            unsupported: false,
        }
    }

    pub fn warning(line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            line,
            column: None,
            severity: Severity::Warning,
            message: message.into(),
            unsupported: false,
        }
    }

    pub fn unsupported(line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            line,
            column: None,
            severity: Severity::Error,
            message: message.into(),
            unsupported: true,
        }
    }

    pub fn at_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }
}

/// What a reader returns: every question it could read and every problem it
/// found. The import writes nothing while any `Severity::Error` stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParseOutcome {
    /// The bank's name when the file names it (native TOML `[bank] name`).
    pub bank_name: Option<String>,
    pub questions: Vec<ParsedQuestion>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseOutcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}
