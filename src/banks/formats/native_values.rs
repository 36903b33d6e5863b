//! Typed access to a spanned TOML document: each accessor either returns
//! the value or records a diagnostic naming the key and its line.

use std::ops::Range;

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::numbers::parse_number;
use super::position::LineIndex;
use crate::banks::question::Diagnostic;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

pub(super) struct Reader<'a> {
    pub(super) index: LineIndex<'a>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    pub(super) fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = self.index.line_col(span.start);
        self.diagnostics
            .push(Diagnostic::error(line, message).at_column(column));
    }

    pub(super) fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], what: &str) {
        for (key, _) in table.iter() {
            if !known.contains(&key.get_ref().as_ref()) {
                let message = format!(
                    "unknown key `{}` in {what}; the keys are {}",
                    key.get_ref(),
                    known.join(", ")
                );
                self.error(key.span(), message);
            }
        }
    }

    pub(super) fn text(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                let message = format!("`{key}` must be text in quotes, not a {}", other.type_str());
                self.error(value.span(), message);
                None
            }
        }
    }

    pub(super) fn number(&mut self, value: &Value<'_>, key: &str) -> Option<f64> {
        let number = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(crate::convert::i64_f64),
            DeValue::Float(f) => parse_number(f.as_str()),
            other => {
                let message = format!("`{key}` must be a number, not a {}", other.type_str());
                self.error(value.span(), message);
                return None;
            }
        };
        if number.is_none() {
            self.error(value.span(), format!("`{key}` must be a finite number"));
        }
        number
    }

    pub(super) fn array<'v, 'i>(&mut self, value: &'v Value<'i>, key: &str) -> Option<&'v DeArray<'i>> {
        match value.get_ref() {
            DeValue::Array(items) => Some(items),
            other => {
                let message = format!("`{key}` must be a list in [ ], not a {}", other.type_str());
                self.error(value.span(), message);
                None
            }
        }
    }

    pub(super) fn texts(&mut self, value: &Value<'_>, key: &str) -> Option<Vec<(String, Range<usize>)>> {
        let items = self.array(value, key)?;
        let texts: Vec<Option<(String, Range<usize>)>> = items
            .iter()
            .map(|item| self.text(item, key).map(|t| (t, item.span())))
            .collect();
        texts.into_iter().collect()
    }

    /// A list of numbers, which must have `expected` entries (one per
    /// `of`) unless `expected` is `usize::MAX`.
    pub(super) fn numbers(&mut self, value: &Value<'_>, key: &str, expected: usize, of: &str) -> Option<Vec<f64>> {
        let items = self.array(value, key)?;
        let numbers: Vec<Option<f64>> = items.iter().map(|item| self.number(item, key)).collect();
        let numbers: Vec<f64> = numbers.into_iter().collect::<Option<_>>()?;
        if expected != usize::MAX && numbers.len() != expected {
            let message = format!("`{key}` has {} numbers but there are {expected} {of}", numbers.len());
            self.error(value.span(), message);
            return None;
        }
        Some(numbers)
    }
}
