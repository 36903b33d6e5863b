//! The blueprint of an assessment, as API.md fixes it, and its checks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::banks::question::Difficulty;
use crate::db::{stored_enum, BankId};
use crate::error::{AppError, AppResult, ErrorDetail};

stored_enum! {
    #[derive(ToSchema)]
    pub enum Kind {
        Aptitude = "aptitude",
        PostTraining = "post_training",
    }
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Aptitude => "Aptitude test",
            Kind::PostTraining => "Post-training exam",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DifficultyMix {
    #[serde(default)]
    pub easy: u32,
    #[serde(default)]
    pub medium: u32,
    #[serde(default)]
    pub hard: u32,
}

impl DifficultyMix {
    pub fn total(&self) -> u32 {
        self.easy + self.medium + self.hard
    }

    pub fn of(&self, d: Difficulty) -> u32 {
        match d {
            Difficulty::Easy => self.easy,
            Difficulty::Medium => self.medium,
            Difficulty::Hard => self.hard,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Section {
    #[schema(max_length = 200)]
    pub name: String,
    pub bank_id: BankId,
    /// Draw only from this category path (and the categories below it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 500)]
    pub category: Option<String>,
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty_mix: Option<DifficultyMix>,
    /// Points for every question of the section; the question's own points otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_each: Option<f64>,
}

fn yes() -> bool {
    true
}

fn one() -> i32 {
    1
}

fn se_target() -> f64 {
    0.30
}

fn exposure_cap() -> f64 {
    0.25
}

fn randomesque() -> u32 {
    4
}

/// The rules of an adaptive assessment. Its sections' pools are their
/// calibrated questions (those with `irt_a` and `irt_b`, essays excepted),
/// and a section's `count` is its weight in the content balance: sections
/// of counts 2 and 1 give questions in about a 2 : 1 ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Adaptive {
    /// Never stop before this many questions.
    pub min_length: u32,
    /// Always stop at this many questions.
    pub max_length: u32,
    /// Stop once the standard error of θ is at or below this.
    #[serde(default = "se_target")]
    pub se_target: f64,
    /// The largest share of candidates any one question may be shown to.
    #[serde(default = "exposure_cap")]
    pub exposure_cap: f64,
    /// Choose at random among this many of the most informative questions.
    #[serde(default = "randomesque")]
    pub randomesque: u32,
}

impl Adaptive {
    fn check(&self, bad: &mut impl FnMut(&str, String)) {
        if !(1..=200).contains(&self.max_length) {
            bad(
                "adaptive.max_length",
                "An adaptive test gives from 1 to 200 questions at most.".into(),
            );
        }
        if self.min_length < 1 || self.min_length > self.max_length {
            bad(
                "adaptive.min_length",
                format!(
                    "The minimum length must be from 1 to the maximum length ({}).",
                    self.max_length
                ),
            );
        }
        if !(self.se_target >= 0.05 && self.se_target <= 1.0) {
            bad(
                "adaptive.se_target",
                "The standard-error target must be from 0.05 to 1 (0.30 is usual).".into(),
            );
        }
        if !(self.exposure_cap > 0.0 && self.exposure_cap <= 1.0) {
            bad(
                "adaptive.exposure_cap",
                "The exposure cap is a share of candidates, above 0 and at most 1 (0.25 is usual).".into(),
            );
        }
        if !(1..=20).contains(&self.randomesque) {
            bad(
                "adaptive.randomesque",
                "Choose among 1 to 20 of the most informative questions.".into(),
            );
        }
    }
}

/// What trainers and recruiters send to create an assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Blueprint {
    #[schema(max_length = 200)]
    pub title: String,
    pub kind: Kind,
    pub time_limit_minutes: i32,
    pub pass_percent: f64,
    #[serde(default)]
    pub negative_marking: f64,
    #[serde(default)]
    pub shuffle_questions: bool,
    #[serde(default)]
    pub shuffle_options: bool,
    #[serde(default = "one")]
    pub max_attempts: i32,
    #[serde(default)]
    pub grace_seconds: i32,
    #[serde(default)]
    pub opens_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub closes_at: Option<DateTime<Utc>>,
    /// Whether candidates see their score, or "we will be in touch".
    #[serde(default = "yes")]
    pub show_score: bool,
    pub sections: Vec<Section>,
    /// Present for an adaptive test: one question at a time, each chosen
    /// for the candidate's current ability estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<Adaptive>,
}

impl Blueprint {
    /// Checks everything that does not need the banks, field by field.
    pub fn check(&self) -> AppResult<()> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| errors.push(ErrorDetail::field(field, message));
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            bad("title", "Give the assessment a title of 1 to 200 characters.".into());
        }
        if !(1..=600).contains(&self.time_limit_minutes) {
            bad(
                "time_limit_minutes",
                "The time limit must be from 1 to 600 minutes.".into(),
            );
        }
        if !(0.0..=100.0).contains(&self.pass_percent) {
            bad(
                "pass_percent",
                "The pass mark must be a percentage from 0 to 100.".into(),
            );
        }
        if !(0.0..=1.0).contains(&self.negative_marking) {
            bad(
                "negative_marking",
                "Negative marking is a fraction of a question's points, from 0 to 1.".into(),
            );
        }
        if !(1..=20).contains(&self.max_attempts) {
            bad("max_attempts", "Allow from 1 to 20 attempts.".into());
        }
        if !(0..=600).contains(&self.grace_seconds) {
            bad("grace_seconds", "Grace must be from 0 to 600 seconds.".into());
        }
        if let (Some(open), Some(close)) = (self.opens_at, self.closes_at) {
            if close <= open {
                bad("closes_at", "The window must close after it opens.".into());
            }
        }
        if self.sections.is_empty() {
            bad("sections", "Add at least one section.".into());
        }
        for (i, section) in self.sections.iter().enumerate() {
            self.check_section(i, section, &mut bad);
        }
        if let Some(adaptive) = &self.adaptive {
            adaptive.check(&mut bad);
            if self.sections.iter().any(|s| s.difficulty_mix.is_some()) {
                bad(
                    "sections",
                    "An adaptive test chooses questions by ability, not by a difficulty mix; remove the mix.".into(),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(
                "The blueprint needs fixing; each problem is listed.",
                errors,
            ))
        }
    }

    /// The problems of section `i` (numbered from 1 in the messages),
    /// including a name another section already has.
    fn check_section(&self, i: usize, s: &Section, bad: &mut impl FnMut(&str, String)) {
        let field = format!("sections[{i}]");
        if s.name.trim().is_empty() {
            bad(&field, format!("Section {} needs a name.", i + 1));
        }
        if s.name.chars().count() > 200 {
            bad(
                &format!("{field}.name"),
                format!("The name of section {} must be at most 200 characters long.", i + 1),
            );
        }
        if s.category.as_ref().is_some_and(|c| c.chars().count() > 500) {
            bad(
                &format!("{field}.category"),
                format!("The category of section {} must be at most 500 characters long.", i + 1),
            );
        }
        if self.sections.iter().take(i).any(|o| o.name.trim() == s.name.trim()) {
            bad(
                &field,
                format!("Two sections are called '{}'; names must differ.", s.name.trim()),
            );
        }
        if !(1..=500).contains(&s.count) {
            bad(
                &field,
                format!("Section '{}' must draw from 1 to 500 questions.", s.name),
            );
        }
        if let Some(mix) = s.difficulty_mix {
            if mix.total() != s.count {
                bad(
                    &field,
                    format!(
                        "Section '{}' draws {} questions but its difficulty mix adds up to {}.",
                        s.name,
                        s.count,
                        mix.total()
                    ),
                );
            }
        }
        if let Some(p) = s.points_each {
            if !(p > 0.0 && p <= 100.0) {
                bad(
                    &field,
                    format!(
                        "Section '{}': points for each question must be from above 0 to 100.",
                        s.name
                    ),
                );
            }
        }
    }
}
