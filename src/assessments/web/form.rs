//! Reading posted forms: name/value pairs that keep what was typed, and the
//! problems of a refused form by field. The assessment and drive forms share
//! them.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::{AppError, ErrorDetail};
use crate::zone::FirmZone;

/// A posted form as its name/value pairs. Unlike a struct it keeps repeated
/// names (a group of checkboxes), and it hands a refused form back exactly as
/// it was typed.
#[derive(Default, Clone)]
pub struct FormFields(Vec<(String, String)>, FirmZone);

impl FormFields {
    pub fn new(pairs: Vec<(String, String)>) -> FormFields {
        FormFields(pairs, FirmZone::default())
    }

    pub fn from_pairs(pairs: &[(&str, &str)]) -> FormFields {
        FormFields(
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            FirmZone::default(),
        )
    }

    /// Reads dates and times typed into the form as the firm's local time.
    pub fn in_zone(mut self, zone: FirmZone) -> FormFields {
        self.1 = zone;
        self
    }

    /// The first value sent under `name`, trimmed; empty when none was.
    pub fn value(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
    }

    pub fn optional(&self, name: &str) -> Option<&str> {
        Some(self.value(name)).filter(|v| !v.is_empty())
    }

    /// Every non-empty value sent under `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// Whether a checkbox `name` was ticked (or a group holds `value`).
    pub fn checked(&self, name: &str) -> bool {
        self.optional(name).is_some()
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.all(name).contains(&value)
    }

    /// A number, or `None` when left empty; a note in `errors` under `field`
    /// when it does not read as one.
    pub fn number<T: FromStr>(&self, name: &str, field: &str, what: &str, errors: &mut Vec<ErrorDetail>) -> Option<T> {
        let raw = self.optional(name)?;
        match raw.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(ErrorDetail::field(field, format!("'{raw}' is not {what}.")));
                None
            }
        }
    }

    /// A `datetime-local` value, read in the firm's time zone (see `in_zone`).
    pub fn when(&self, name: &str, errors: &mut Vec<ErrorDetail>) -> Option<DateTime<Utc>> {
        let raw = self.optional(name)?;
        let parsed = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok());
        match parsed {
            Some(t) => match self.1.to_utc(t) {
                Some(utc) => Some(utc.and_utc()),
                None => {
                    errors.push(ErrorDetail::field(
                        name,
                        format!(
                            "{raw} does not exist in {} (the clocks change then); choose another time.",
                            self.1.name()
                        ),
                    ));
                    None
                }
            },
            None => {
                errors.push(ErrorDetail::field(
                    name,
                    format!("'{raw}' is not a date and time such as 2026-03-01T09:00."),
                ));
                None
            }
        }
    }
}

/// The problems of a refused form: the summary sentence and each field's
/// messages.
#[derive(Default)]
pub struct FormErrors {
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

impl FormErrors {
    pub fn from_error(err: AppError) -> FormErrors {
        match err {
            AppError::Invalid { message, details } => FormErrors { message, details },
            other => FormErrors {
                message: other.public_message(),
                details: vec![],
            },
        }
    }

    pub fn any(&self) -> bool {
        !self.message.is_empty() || !self.details.is_empty()
    }

    /// Every message for `field`, joined into one.
    pub fn get(&self, field: &str) -> Option<String> {
        let messages = self.all(field);
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    pub fn all(&self, field: &str) -> Vec<&str> {
        self.details
            .iter()
            .filter(|d| d.field.as_deref() == Some(field))
            .map(|d| d.message.as_str())
            .collect()
    }
}
