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
