//! GIFT, Moodle's text format. The file is cut into blank-line separated
//! blocks; each block's text is decoded once into `Unit`s that remember
//! whether a character was escaped and on which line it stood, so the
//! structure (`::name::`, `{…}`, `=`, `~`, `#`) is never confused with
//! literal text and every complaint can point at its line.
//!
//! GIFT has no place for an external id, a difficulty, points or tags, so
//! Assay's writer keeps them in a comment Moodle ignores:
//! `// assay: id=quant-001; difficulty=hard; points=2; tags=percentages,ratios`.

use super::gift_answers::{parse_block, SPECIALS};
use super::numbers::parse_number;
use super::text::{category_path, clean_tags, clean_text, optional_text};
use crate::banks::model::{Diagnostic, Difficulty, ParseOutcome, ParsedQuestion, TextFormat};

/// One decoded character of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Unit {
    pub(super) ch: char,
    /// An unescaped `~ = # { } :`, which means structure, not text.
    pub(super) special: bool,
    pub(super) line: usize,
}

impl Unit {
    pub(super) fn is(&self, special: char) -> bool {
        self.special && self.ch == special
    }
}

/// The text of some units, trimmed.
pub(super) fn text(units: &[Unit]) -> String {
    clean_text(&units.iter().map(|u| u.ch).collect::<String>())
}

/// Units without white space at either end.
pub(super) fn trim(units: &[Unit]) -> &[Unit] {
    let start = units.iter().position(|u| !u.ch.is_whitespace()).unwrap_or(units.len());
    let end = units
        .iter()
        .rposition(|u| !u.ch.is_whitespace())
        .map_or(start, |i| i + 1);
    units.get(start..end).unwrap_or_default()
}

/// What `// assay:` says about the question after it.
#[derive(Debug, Default)]
struct Meta {
    id: Option<String>,
    difficulty: Option<Difficulty>,
    points: Option<f64>,
    tags: Vec<String>,
    irt_a: Option<f64>,
    irt_b: Option<f64>,
    /// The comment had an error, so its question must not be imported.
    failed: bool,
}

pub(crate) fn read(input: &str) -> ParseOutcome {
    let mut outcome = ParseOutcome::default();
    let mut category: Option<String> = None;
    let mut meta: Option<Meta> = None;
    let mut block: Vec<(usize, &str)> = Vec::new();
    for (i, raw) in input.split('\n').enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            finish_block(&mut block, &category, meta.take(), &mut outcome);
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix("//") {
            if let Some(fields) = comment.trim_start().strip_prefix("assay:") {
                meta = Some(read_meta(fields, line, &mut outcome.diagnostics));
            }
            continue;
        }
        if block.is_empty() {
            if let Some(path) = trimmed.strip_prefix("$CATEGORY:") {
                category = category_path(path);
                continue;
            }
        }
        block.push((line, raw));
    }
    finish_block(&mut block, &category, meta.take(), &mut outcome);
    outcome
}

fn finish_block(
    block: &mut Vec<(usize, &str)>,
    category: &Option<String>,
    meta: Option<Meta>,
    outcome: &mut ParseOutcome,
) {
    if block.is_empty() {
        return;
    }
    let units = decode(block);
    let first_line = block.first().map_or(1, |(line, _)| *line);
    block.clear();
    let errors_before = outcome.diagnostics.len();
    let question = question(&units, first_line, &mut outcome.diagnostics);
    let meta = meta.unwrap_or_default();
    if let Some(mut q) = question.filter(|_| outcome.diagnostics.len() == errors_before && !meta.failed) {
        q.category = category.clone();
        q.external_id = meta.id;
        q.difficulty = meta.difficulty.unwrap_or_default();
        q.points = meta.points.unwrap_or(1.0);
        q.tags = meta.tags;
        q.irt_a = meta.irt_a;
        q.irt_b = meta.irt_b;
        outcome.questions.push(q);
    }
}

/// The block's lines as units, with escapes resolved (`\\` first) and the
/// line breaks between lines kept as text.
fn decode(lines: &[(usize, &str)]) -> Vec<Unit> {
    let mut units = Vec::new();
    for (n, &(line, text)) in lines.iter().enumerate() {
        let literal = |ch| Unit {
            ch,
            special: false,
            line,
        };
        if n > 0 {
            units.push(literal('\n'));
        }
        let mut chars = text.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch != '\\' {
                units.push(Unit {
                    ch,
                    special: SPECIALS.contains(&ch),
                    line,
                });
                continue;
            }
            match chars.peek().copied() {
                Some(next) if next == '\\' || SPECIALS.contains(&next) => {
                    chars.next();
                    units.push(literal(next));
                }
                Some('n') => {
                    chars.next();
                    units.push(literal('\n'));
                }
                _ => units.push(literal('\\')),
            }
        }
    }
    units
}

fn question(units: &[Unit], first_line: usize, diagnostics: &mut Vec<Diagnostic>) -> Option<ParsedQuestion> {
    let mut rest = trim(units);
    let line = rest.first().map_or(first_line, |u| u.line);
    let mut error = |line: usize, message: String| diagnostics.push(Diagnostic::error(line, message));
    let mut name = None;
    if rest.len() >= 2 && rest.iter().take(2).all(|u| u.is(':')) {
        let after = rest.get(2..).unwrap_or_default();
        let Some(end) = after.windows(2).position(|w| w.iter().all(|u| u.is(':'))) else {
            error(line, "the question name opened with :: has no closing ::".to_owned());
            return None;
        };
        name = optional_text(&text(after.get(..end).unwrap_or_default()));
        rest = trim(after.get(end + 2..).unwrap_or_default());
    }
    let (stem_format, body_units) = format_tag(rest);
    let rest = body_units;
    let Some(open) = rest.iter().position(|u| u.is('{')) else {
        if let Some(stray) = rest.iter().find(|u| u.is('}')) {
            error(
                stray.line,
                "this } closes no answer block; write \\} for a literal brace".to_owned(),
            );
        } else {
            diagnostics.push(Diagnostic::warning(
                line,
                "this text has no answer block {…}, so it is a description, not a question; it was skipped",
            ));
        }
        return None;
    };
    let (before, from_open) = rest.split_at(open);
    let inside_and_after = from_open.get(1..).unwrap_or_default();
    let open_line = from_open.first().map_or(line, |u| u.line);
    if let Some(stray) = before.iter().find(|u| u.is('}')) {
        error(
            stray.line,
            "this } closes no answer block; write \\} for a literal brace".to_owned(),
        );
        return None;
    }
    let Some(close) = inside_and_after.iter().position(|u| u.is('}')) else {
        error(
            open_line,
            "the answer block opened with { here is never closed with }".to_owned(),
        );
        return None;
    };
    let (inside, closing) = inside_and_after.split_at(close);
    let after = closing.get(1..).unwrap_or_default();
    if let Some(nested) = inside.iter().find(|u| u.is('{')) {
        error(
            nested.line,
            "a { inside an answer block; write \\{ for a literal brace".to_owned(),
        );
        return None;
    }
    if let Some(extra) = after.iter().find(|u| u.is('{') || u.is('}')) {
        error(
            extra.line,
            format!(
                "a second {} after the answer block; a question has one block, and \\{} writes a literal brace",
                extra.ch, extra.ch
            ),
        );
        return None;
    }
    let (body, explanation) = match parse_block(inside, open_line) {
        Ok(parsed) => parsed,
        Err(diagnostic) => {
            // An unsupported type is a fact about the whole question, so it
            // points where the question starts.
            let at = if diagnostic.unsupported { line } else { diagnostic.line };
            diagnostics.push(Diagnostic { line: at, ..diagnostic });
            return None;
        }
    };
    let (before, after) = (text(before), text(after));
    // Text after the block makes a missing-word question.
    let stem = match (before.is_empty(), after.is_empty()) {
        (_, true) => before,
        (true, false) => format!("_____ {after}"),
        (false, false) => format!("{before} _____ {after}"),
    };
    Some(ParsedQuestion {
        line,
        external_id: None,
        name,
        category: None,
        difficulty: Difficulty::Medium,
        points: 1.0,
        tags: Vec::new(),
        stem,
        stem_format,
        body,
        explanation,
        irt_a: None,
        irt_b: None,
    })
}

/// `[html]`, `[plain]`, `[markdown]` or `[moodle]` at the start of the text.
fn format_tag(units: &[Unit]) -> (TextFormat, &[Unit]) {
    for (tag, format) in [
        ("[html]", TextFormat::Html),
        ("[plain]", TextFormat::Plain),
        ("[markdown]", TextFormat::Markdown),
        ("[moodle]", TextFormat::Plain),
    ] {
        let length = tag.chars().count();
        let matches = units.len() >= length
            && units
                .iter()
                .zip(tag.chars())
                .all(|(u, c)| !u.special && u.ch.to_ascii_lowercase() == c);
        if matches {
            return (format, trim(units.get(length..).unwrap_or_default()));
        }
    }
    (TextFormat::Plain, units)
}

/// Reads `id=…; difficulty=…; points=…; tags=a,b`, where `\;`, `\,`, `\\`
/// and `\n` are escapes.
fn read_meta(fields: &str, line: usize, diagnostics: &mut Vec<Diagnostic>) -> Meta {
    let mut meta = Meta::default();
    for field in split_escaped(fields, ';') {
        if field.trim().is_empty() {
            continue;
        }
        let (key, value) = field.split_once('=').unwrap_or((field.as_str(), ""));
        let mut error = |message: String| {
            meta.failed = true;
            diagnostics.push(Diagnostic::error(line, message));
        };
        match key.trim() {
            "id" => meta.id = optional_text(&unescape(value)),
            "difficulty" => match Difficulty::parse(unescape(value).trim()) {
                Some(d) => meta.difficulty = Some(d),
                None => error(format!(
                    "difficulty \"{}\" is not one of easy, medium, hard",
                    value.trim()
                )),
            },
            "points" => match parse_number(&unescape(value)) {
                Some(p) => meta.points = Some(p),
                None => error(format!("points \"{}\" is not a number", value.trim())),
            },
            "tags" => {
                let tags: Vec<String> = split_escaped(value, ',').iter().map(|t| unescape(t)).collect();
                meta.tags = clean_tags(tags.iter().map(String::as_str));
            }
            key @ ("irt_a" | "irt_b") => match parse_number(&unescape(value)) {
                Some(v) if key == "irt_a" => meta.irt_a = Some(v),
                Some(v) => meta.irt_b = Some(v),
                None => error(format!("{key} \"{}\" is not a number", value.trim())),
            },
            other => diagnostics.push(Diagnostic::warning(
                line,
                format!("the assay comment has an unknown field \"{}\"; it was ignored", other),
            )),
        }
    }
    match super::numbers::irt_parameters(meta.irt_a, meta.irt_b) {
        Ok((a, b)) => (meta.irt_a, meta.irt_b) = (a, b),
        Err(message) => {
            meta.failed = true;
            diagnostics.push(Diagnostic::error(line, message));
        }
    }
    meta
}

/// Splits on `separator` where it is not escaped; the pieces keep their
/// escapes for `unescape`.
fn split_escaped(text: &str, separator: char) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            current.push(c);
            current.extend(chars.next());
        } else if c == separator {
            pieces.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    pieces.push(current);
    pieces
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests;
