//! Validating newtypes and the profile's field rules. Each failure names the
//! field and says what would be accepted.

use chrono::Datelike;
use serde::Deserialize;

use super::models::ProfileRow;
use crate::db::UserId;
use crate::error::{AppError, ErrorDetail};

pub const MIN_PASSWORD_LEN: usize = 10;
pub const DOMAINS: [&str; 7] = [
    "engineering",
    "finance",
    "law",
    "medicine",
    "pharmacy",
    "analytics",
    "other",
];
pub const DEGREE_CLASSES: [&str; 4] = ["distinction", "first", "second", "pass"];
pub const TRACKS: [&str; 2] = ["kpo", "bpo"];

/// A stored choice of a profile or eligibility form in words: degree classes
/// and tracks; other values (domains) are words already.
pub fn option_label(value: &str) -> &str {
    match value {
        "distinction" => "Distinction",
        "first" => "First class",
        "second" => "Second class",
        "pass" => "Pass",
        "kpo" => "KPO",
        "bpo" => "BPO",
        other => other,
    }
}

pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        Err(format!(
            "The password must be at least {MIN_PASSWORD_LEN} characters long."
        ))
    } else if password.len() > 1024 {
        Err("The password must be at most 1024 bytes long.".into())
    } else {
        Ok(())
    }
}

/// zxcvbn's scale runs 0 to 4; below 3 it deems a password guessable by an
/// online attack that gets past throttling, or at once from a leaked hash.
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// The password rule for passwords people choose (registration, reset,
/// change): the length limits, then zxcvbn's estimate of how guessable it
/// is, which knows common passwords, words, names, keyboard patterns,
/// sequences, dates and the person's own details (`personal`: email, name).
/// A refusal carries zxcvbn's advice.
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), String> {
    check_password(password)?;
    let mut inputs: Vec<&str> = personal.iter().copied().filter(|s| !s.is_empty()).collect();
    // Parts of an email address or name are guessable on their own.
    for part in personal {
        inputs.extend(part.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2));
    }
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) >= MIN_PASSWORD_SCORE {
        return Ok(());
    }
    let advice = estimate
        .feedback()
        .map(|f| f.to_string().trim().to_string())
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "Add another word or two. Uncommon words are better.".into());
    Err(format!("This password would be too easy to guess. {advice}"))
}

pub fn check_full_name(name: &str) -> Result<String, String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err("Please give your full name.".into())
    } else if name.chars().count() > 200 {
        Err("The name must be at most 200 characters long.".into())
    } else {
        Ok(name)
    }
}

/// The profile as sent by the API or a form, before validation.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"degree": "B.Com", "institute": "Loyola College, Chennai", "graduation_year": 2025, "score_percent": 78.4,
    "degree_class": "distinction", "domain": "finance", "experience_years": 1, "preferred_track": "kpo"}))]
pub struct ProfileInput {
    #[schema(max_length = 200)]
    pub degree: Option<String>,
    #[schema(max_length = 200)]
    pub institute: Option<String>,
    pub graduation_year: Option<i32>,
    pub score_percent: Option<f64>,
    #[schema(max_length = 64)]
    pub degree_class: Option<String>,
    #[schema(max_length = 64)]
    pub domain: Option<String>,
    pub experience_years: Option<i32>,
    #[schema(max_length = 64)]
    pub preferred_track: Option<String>,
}

fn text(value: &Option<String>, field: &str, max: usize, errors: &mut Vec<ErrorDetail>) -> Option<String> {
    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(ErrorDetail::field(field, format!("At most {max} characters, please.")));
        return None;
    }
    Some(value.to_string())
}

fn one_of(value: &Option<String>, field: &str, allowed: &[&str], errors: &mut Vec<ErrorDetail>) -> Option<String> {
    let value = value
        .as_deref()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())?;
    if allowed.contains(&value.as_str()) {
        Some(value)
    } else {
        errors.push(ErrorDetail::field(
            field,
            format!("'{value}' is not one of: {}.", allowed.join(", ")),
        ));
        None
    }
}

impl ProfileInput {
    pub fn validate(&self, user_id: UserId, now: chrono::NaiveDateTime) -> Result<ProfileRow, AppError> {
        let mut errors = Vec::new();
        let latest_year = now.year() + 6;
        let graduation_year = match self.graduation_year {
            Some(y) if !(1950..=latest_year).contains(&y) => {
                errors.push(ErrorDetail::field(
                    "graduation_year",
                    format!("The graduation year must be between 1950 and {latest_year}."),
                ));
                None
            }
            other => other,
        };
        let score_percent = match self.score_percent {
            Some(p) if !(0.0..=100.0).contains(&p) || p.is_nan() => {
                errors.push(ErrorDetail::field(
                    "score_percent",
                    "The score must be a percentage from 0 to 100.",
                ));
                None
            }
            other => other,
        };
        let experience_years = match self.experience_years {
            Some(y) if !(0..=50).contains(&y) => {
                errors.push(ErrorDetail::field(
                    "experience_years",
                    "Years of experience must be from 0 to 50.",
                ));
                None
            }
            other => other,
        };
        let row = ProfileRow {
            user_id,
            degree: text(&self.degree, "degree", 200, &mut errors),
            institute: text(&self.institute, "institute", 200, &mut errors),
            graduation_year,
            score_percent,
            degree_class: one_of(&self.degree_class, "degree_class", &DEGREE_CLASSES, &mut errors),
            domain: one_of(&self.domain, "domain", &DOMAINS, &mut errors),
            experience_years,
            preferred_track: one_of(&self.preferred_track, "preferred_track", &TRACKS, &mut errors),
            updated_at: now,
        };
        if errors.is_empty() {
            Ok(row)
        } else {
            Err(AppError::invalid(
                "Some profile fields need fixing; each is listed with what is accepted.",
                errors,
            ))
        }
    }
}

impl From<&ProfileRow> for ProfileInput {
    fn from(row: &ProfileRow) -> Self {
        ProfileInput {
            degree: row.degree.clone(),
            institute: row.institute.clone(),
            graduation_year: row.graduation_year,
            score_percent: row.score_percent,
            degree_class: row.degree_class.clone(),
            domain: row.domain.clone(),
            experience_years: row.experience_years,
            preferred_track: row.preferred_track.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_guessable_passwords_are_refused_with_advice() {
        for weak in ["password12", "1234567890", "qwertyuiop", "aaaaaaaaaaaa", "iloveyou2026"] {
            let refusal = check_new_password(weak, &[]).expect_err(weak);
            assert!(
                refusal.starts_with("This password would be too easy to guess."),
                "{refusal}"
            );
            assert!(
                refusal.len() > "This password would be too easy to guess.".len(),
                "{refusal}"
            );
        }
        for strong in ["correct horse battery", "plum-orbit-glacier-71"] {
            assert_eq!(check_new_password(strong, &[]), Ok(()), "{strong}");
        }
    }

    #[test]
    fn a_password_made_of_the_persons_own_details_is_refused() {
        let personal = ["ramakrishnan@example.com", "Ramakrishnan Venkataraman"];
        assert!(check_new_password("ramakrishnan2025", &personal).is_err());
        assert!(check_new_password("venkataraman!!", &personal).is_err());
    }
}
