//! Readers and writers for the five question-bank formats described in
//! `docs/FORMATS.md`. Everything here is a pure function from text to data:
//! a reader never touches the database and never gives up at the first
//! problem, so a trainer sees every mistake in a file at once.

mod aiken;
mod checks;
mod choices;
mod gift;
mod gift_answers;
mod gift_writer;
mod moodle_files;
mod moodle_question;
mod moodle_xml;
mod moodle_xml_writer;
mod native;
mod native_values;
mod native_writer;
mod numbers;
mod position;
mod spreadsheet;
mod text;

#[cfg(test)]
mod tests;

use crate::banks::question::{Diagnostic, ParseOutcome, Severity};

pub use gift_writer::write_gift;
pub use moodle_xml_writer::write_moodle_xml;
pub use native_writer::write_toml;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Toml,
    Csv,
    Gift,
    Aiken,
    MoodleXml,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Toml,
        Format::Csv,
        Format::Gift,
        Format::Aiken,
        Format::MoodleXml,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Csv => "csv",
            Format::Gift => "gift",
            Format::Aiken => "aiken",
            Format::MoodleXml => "moodle_xml",
        }
    }

    /// The format's name as people know it, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Csv => "CSV",
            Format::Gift => "GIFT",
            Format::Aiken => "Aiken",
            Format::MoodleXml => "Moodle XML",
        }
    }

    /// The label of a stored format name; a name no format has is shown as
    /// it is (it cannot be stored, but a page must not fail on it).
    pub fn label_of(name: &str) -> String {
        Format::parse(name).map_or_else(|| name.to_string(), |f| f.label().to_string())
    }

    /// Reads a format's name as `as_str` writes it; `xml` and `moodle-xml`
    /// are accepted too because that is how trainers tend to type it.
    pub fn parse(name: &str) -> Option<Format> {
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "xml" | "moodle-xml" | "moodlexml" => Some(Format::MoodleXml),
            other => Format::ALL.into_iter().find(|f| f.as_str() == other),
        }
    }

    /// The format a file name promises. `.txt` says nothing (GIFT and Aiken
    /// both use it), so it gives `None` and the caller should `sniff`.
    pub fn from_extension(file_name: &str) -> Option<Format> {
        let (_, extension) = file_name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "csv" => Some(Format::Csv),
            "gift" => Some(Format::Gift),
            "aiken" => Some(Format::Aiken),
            "xml" => Some(Format::MoodleXml),
            _ => None,
        }
    }

    /// Guesses the format from the content alone.
    pub fn sniff(text: &str) -> Option<Format> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim_start().starts_with('<') {
            return Some(Format::MoodleXml);
        }
        let meaningful = || {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('#'))
        };
        if meaningful().any(|l| l == "[bank]" || l == "[[question]]") {
            return Some(Format::Toml);
        }
        if let Some(first) = meaningful().next() {
            let cells: Vec<String> = first
                .split(',')
                .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
                .collect();
            if cells.iter().any(|c| c == "type") && cells.iter().any(|c| c == "stem") {
                return Some(Format::Csv);
            }
        }
        let gift_like = text
            .lines()
            .map(str::trim)
            .any(|l| !l.starts_with("//") && (l.starts_with("$CATEGORY:") || l.contains('{')));
        let aiken_like = text.lines().any(|l| l.trim_start().starts_with("ANSWER:"));
        match (gift_like, aiken_like) {
            (true, _) => Some(Format::Gift),
            (false, true) => Some(Format::Aiken),
            (false, false) => None,
        }
    }

    /// The format of a file: its extension when that is decisive, else its
    /// content.
    pub fn detect(file_name: &str, text: &str) -> Option<Format> {
        Format::from_extension(file_name).or_else(|| Format::sniff(text))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Turn questions of types Assay cannot hold (GIFT matching, Moodle
    /// cloze) into warnings so the rest of the file can be imported.
    pub skip_unsupported: bool,
}

/// Reads a whole bank. Every problem lands in `diagnostics`, sorted by line;
/// `questions` holds only the questions that passed every check.
pub fn read(format: Format, input: &str, opts: &ParseOptions) -> ParseOutcome {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut outcome = match format {
        Format::Toml => native::read(input),
        Format::Csv => spreadsheet::read(input),
        Format::Gift => gift::read(input),
        Format::Aiken => aiken::read(input),
        Format::MoodleXml => moodle_xml::read(input),
    };
    checks::check_all(&mut outcome);
    if let Some(name) = &outcome.bank_name {
        if name.chars().any(char::is_control) || name.chars().count() > 200 {
            outcome.diagnostics.push(Diagnostic::error(
                1,
                "the bank's name must be one line of at most 200 characters without control characters",
            ));
        }
    }
    if opts.skip_unsupported {
        for diagnostic in outcome.diagnostics.iter_mut().filter(|d| d.unsupported) {
            diagnostic.severity = Severity::Warning;
        }
    }
    if outcome.questions.is_empty() && !outcome.has_errors() {
        // Name what was skipped (a description, an unsupported question) on
        // its own line, so "no questions" does not leave the trainer
        // guessing what the file's text was taken for.
        let skipped: Vec<String> = outcome
            .diagnostics
            .iter()
            .map(|d| format!("line {}: {}", d.line, d.message))
            .collect();
        let line = outcome.diagnostics.first().map_or(1, |d| d.line);
        let message = if skipped.is_empty() {
            "the file holds no questions Assay can import".to_owned()
        } else {
            format!(
                "the file holds no questions Assay can import; all it holds was skipped ({})",
                skipped.join("; ")
            )
        };
        outcome.diagnostics.push(Diagnostic::error(line, message));
    }
    outcome.diagnostics.sort_by_key(|d| (d.line, d.column));
    outcome
}

/// Turns an uploaded file into text. Refuses what no reader could use: bytes
/// that are not UTF-8 (pointing at the first bad one) and a file with nothing
/// in it. A UTF-8 byte-order mark, as Excel writes, is dropped.
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::error(
            1,
            "the file is saved as UTF-16; save it again as UTF-8 (in Excel: \"CSV UTF-8\")",
        )
        .at_column(1));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = bytes.get(..error.valid_up_to()).unwrap_or_default();
            // The prefix is valid by definition, so this never falls back.
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
            let byte = bytes.get(error.valid_up_to()).copied().unwrap_or_default();
            return Err(Diagnostic::error(
                line,
                format!(
                    "the file is not UTF-8 text: byte 0x{byte:02X} on line {line}, column {column} \
                     is not valid UTF-8; save the file as UTF-8 (in Excel: \"CSV UTF-8\")"
                ),
            )
            .at_column(column));
        }
    };
    if text.trim().is_empty() {
        return Err(Diagnostic::error(1, "the file is empty"));
    }
    // No question may hold a NUL (PostgreSQL refuses it in text) or another
    // control character; a text file has none but tabs and line breaks.
    if let Some((at, c)) = text
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
        let what = if c == '\0' {
            "a NUL byte".to_string()
        } else {
            format!("the control character U+{:04X}", u32::from(c))
        };
        return Err(Diagnostic::error(
            line,
            format!("line {line}, column {column} holds {what}, which no question may contain; remove it"),
        )
        .at_column(column));
    }
    Ok(text)
}
