//! The warnings a trainer should see on an item, each with what it suggests.

use serde::ser::{Serialize, Serializer};

/// Facility below this percent: too hard.
pub const TOO_HARD_BELOW: f64 = 10.0;
/// Facility above this percent: too easy.
pub const TOO_EASY_ABOVE: f64 = 95.0;
/// Discrimination index below this (and not negative): weak.
pub const LOW_DISCRIMINATION_BELOW: f64 = 15.0;
/// Discriminative efficiency below this: "dubious", as Moodle marks it.
pub const DUBIOUS_EFFICIENCY_BELOW: f64 = 15.0;

/// A warning on an item. Serialised as `{"name": "...", "message": "..."}`,
/// plus `"option"` (0-based index) for the two option flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    TooHard,
    TooEasy,
    NegativeDiscrimination,
    LowDiscrimination,
    DubiousEfficiency,
    UnusedDistractor { option: usize },
    LikelyMiskey { option: usize },
}

impl Flag {
    /// The snake_case name stored and matched on.
    pub fn name(self) -> &'static str {
        match self {
            Flag::TooHard => "too_hard",
            Flag::TooEasy => "too_easy",
            Flag::NegativeDiscrimination => "negative_discrimination",
            Flag::LowDiscrimination => "low_discrimination",
            Flag::DubiousEfficiency => "dubious_efficiency",
            Flag::UnusedDistractor { .. } => "unused_distractor",
            Flag::LikelyMiskey { .. } => "likely_miskey",
        }
    }

    /// The option a flag is about, if any.
    pub fn option(self) -> Option<usize> {
        match self {
            Flag::UnusedDistractor { option } | Flag::LikelyMiskey { option } => Some(option),
            _ => None,
        }
    }

    /// One sentence for the trainer: what the numbers suggest.
    pub fn message(self) -> String {
        match self {
            Flag::TooHard => "Under 10 % of the marks were earned: the item may be too hard, \
                 unclear or wrongly keyed."
                .to_owned(),
            Flag::TooEasy => "Over 95 % of the marks were earned: the item hardly tells \
                 candidates apart."
                .to_owned(),
            Flag::NegativeDiscrimination => "Candidates who did worse on the rest of the test \
                 did better on this item: check its key and wording."
                .to_owned(),
            Flag::LowDiscrimination => "The item barely separates stronger from weaker \
                 candidates (discrimination index below 15)."
                .to_owned(),
            Flag::DubiousEfficiency => "Discriminative efficiency is below 15: the item is \
                 dubious, as Moodle marks it."
                .to_owned(),
            Flag::UnusedDistractor { option } => format!(
                "Option {} was chosen by nobody: it distracts no one and could be rewritten.",
                option_label(option)
            ),
            Flag::LikelyMiskey { option } => format!(
                "The upper group chose option {} more often than the key: the key may be wrong.",
                option_label(option)
            ),
        }
    }
}

/// A, B, … Z for the first 26 options, then the 1-based number.
fn option_label(option: usize) -> String {
    match u8::try_from(option) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => (option + 1).to_string(),
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct View {
            name: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            option: Option<usize>,
            message: String,
        }
        View {
            name: self.name(),
            option: self.option(),
            message: self.message(),
        }
        .serialize(serializer)
    }
}
