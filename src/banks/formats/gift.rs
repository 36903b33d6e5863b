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
use crate::banks::question::{Diagnostic, Difficulty, ParseOutcome, ParsedQuestion, QuestionExtras, TextFormat};

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
    /// What GIFT has no syntax for, as Assay's writer keeps it (`extras=…`).
    extras: Option<QuestionExtras>,
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
            let found = meta.get_or_insert_with(Meta::default);
            match comment.trim_start().strip_prefix("assay:") {
                Some(fields) => read_meta(fields, line, found, &mut outcome.diagnostics),
                None => read_moodle_comment(comment, found),
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
        if let Some(extras) = meta.extras {
            q.extras = overlay(q.extras, extras);
        }
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
    let rest = trim(units);
    let line = rest.first().map_or(first_line, |u| u.line);
    let (name, rest) = match split_name(rest, line) {
        Ok(split) => split,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    let (stem_format, rest) = format_tag(rest);
    let stem_format = stem_format.unwrap_or_default();
    let pieces = match split_block(rest, line) {
        Ok(pieces) => pieces,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    let block = match parse_block(pieces.inside, pieces.open_line, stem_format) {
        Ok(parsed) => parsed,
        Err(diagnostic) => {
            // An unsupported type is a fact about the whole question, so it
            // points where the question starts.
            let at = if diagnostic.unsupported { line } else { diagnostic.line };
            diagnostics.push(Diagnostic { line: at, ..diagnostic });
            return None;
        }
    };
    Some(ParsedQuestion {
        line,
        external_id: None,
        name,
        category: None,
        difficulty: Difficulty::Medium,
        points: 1.0,
        tags: Vec::new(),
        stem: stem_around(pieces.before, pieces.after, line),
        stem_format,
        body: block.body,
        explanation: block.explanation,
        extras: block.extras,
        irt_a: None,
        irt_b: None,
    })
}

/// A leading `::name::`, and what follows it.
fn split_name(rest: &[Unit], line: usize) -> Result<(Option<String>, &[Unit]), Diagnostic> {
    if rest.len() >= 2 && rest.iter().take(2).all(|u| u.is(':')) {
        let after = rest.get(2..).unwrap_or_default();
        let Some(end) = after.windows(2).position(|w| w.iter().all(|u| u.is(':'))) else {
            return Err(Diagnostic::error(
                line,
                "the question name opened with :: has no closing ::",
            ));
        };
        let name = optional_text(&text(after.get(..end).unwrap_or_default()));
        return Ok((name, trim(after.get(end + 2..).unwrap_or_default())));
    }
    Ok((None, rest))
}

/// A question's text split around its one answer block.
struct Pieces<'a> {
    before: &'a [Unit],
    inside: &'a [Unit],
    after: &'a [Unit],
    /// The line of the block's `{`.
    open_line: usize,
}

/// Finds the answer block, refusing stray, nested and second braces. Text
/// without a block is a description: a warning, and no question.
fn split_block(rest: &[Unit], line: usize) -> Result<Pieces<'_>, Diagnostic> {
    let Some(open) = rest.iter().position(|u| u.is('{')) else {
        if let Some(stray) = rest.iter().find(|u| u.is('}')) {
            return Err(Diagnostic::error(
                stray.line,
                "this } closes no answer block; write \\} for a literal brace",
            ));
        }
        return Err(Diagnostic::warning(
            line,
            "this text has no answer block {…}, so it is a description, not a question; it was skipped",
        ));
    };
    let (before, from_open) = rest.split_at(open);
    let inside_and_after = from_open.get(1..).unwrap_or_default();
    let open_line = from_open.first().map_or(line, |u| u.line);
    if let Some(stray) = before.iter().find(|u| u.is('}')) {
        return Err(Diagnostic::error(
            stray.line,
            "this } closes no answer block; write \\} for a literal brace",
        ));
    }
    let Some(close) = inside_and_after.iter().position(|u| u.is('}')) else {
        return Err(Diagnostic::error(
            open_line,
            "the answer block opened with { here is never closed with }",
        ));
    };
    let (inside, closing) = inside_and_after.split_at(close);
    let after = closing.get(1..).unwrap_or_default();
    if let Some(nested) = inside.iter().find(|u| u.is('{')) {
        return Err(Diagnostic::error(
            nested.line,
            "a { inside an answer block; write \\{ for a literal brace",
        ));
    }
    if let Some(extra) = after.iter().find(|u| u.is('{') || u.is('}')) {
        return Err(Diagnostic::error(
            extra.line,
            format!(
                "a second {} after the answer block; a question has one block, and \\{} writes a literal brace",
                extra.ch, extra.ch
            ),
        ));
    }
    Ok(Pieces {
        before,
        inside,
        after,
        open_line,
    })
}

/// Text after the block makes a missing-word question: the block's place
/// becomes a blank, with the text around it exactly as written, so
/// "is {=Paris}." reads "is _____." as in Moodle.
fn stem_around(before: &[Unit], after: &[Unit], line: usize) -> String {
    if text(after).is_empty() {
        return text(before);
    }
    let blank = "_____".chars().map(|ch| Unit {
        ch,
        special: false,
        line,
    });
    let joined: Vec<Unit> = before
        .iter()
        .copied()
        .chain(blank)
        .chain(after.iter().copied())
        .collect();
    text(&joined)
}

/// `[html]`, `[plain]`, `[markdown]` or `[moodle]` at the start of a text
/// (a stem, an answer, a feedback), as Moodle's `parse_text_with_format`
/// reads it: the tag is taken off and its format recorded.
pub(super) fn format_tag(units: &[Unit]) -> (Option<TextFormat>, &[Unit]) {
    for (tag, format) in [
        ("[html]", TextFormat::Html),
        ("[plain]", TextFormat::Plain),
        ("[markdown]", TextFormat::Markdown),
        ("[moodle]", TextFormat::Moodle),
    ] {
        let length = tag.chars().count();
        let matches = units.len() >= length
            && units
                .iter()
                .zip(tag.chars())
                .all(|(u, c)| !u.special && u.ch.to_ascii_lowercase() == c);
        if matches {
            return (Some(format), trim(units.get(length..).unwrap_or_default()));
        }
    }
    (None, units)
}

/// The block's own extras with what the assay comment kept on top: a field
/// there wins, and its per-answer list replaces the block's whole.
fn overlay(read: QuestionExtras, kept: QuestionExtras) -> QuestionExtras {
    QuestionExtras {
        answers: if kept.answers.is_empty() {
            read.answers
        } else {
            kept.answers
        },
        stem_files: if kept.stem_files.is_empty() {
            read.stem_files
        } else {
            kept.stem_files
        },
        explanation_format: kept.explanation_format.or(read.explanation_format),
        explanation_files: if kept.explanation_files.is_empty() {
            read.explanation_files
        } else {
            kept.explanation_files
        },
        true_feedback: kept.true_feedback.or(read.true_feedback),
        false_feedback: kept.false_feedback.or(read.false_feedback),
        other_feedback: kept.other_feedback.or(read.other_feedback),
        grader_info: kept.grader_info.or(read.grader_info),
        response_template: kept.response_template.or(read.response_template),
    }
    .normalised()
}

/// Moodle's own comment fields, as its GIFT exporter writes them and its
/// importer reads them: `// [id:quant-001] [tag:percentages] [tag:ratios]`,
/// with `\]` for a `]` inside. The first id counts; every tag does.
fn read_moodle_comment(comment: &str, meta: &mut Meta) {
    if meta.id.is_none() {
        meta.id = bracketed(comment, "[id:", "").into_iter().next();
    }
    let tags = bracketed(comment, "[tag:", "<>`");
    if !tags.is_empty() {
        meta.tags = clean_tags(
            meta.tags
                .iter()
                .map(String::as_str)
                .chain(tags.iter().map(String::as_str)),
        );
    }
}

/// The trimmed, unescaped contents of every `opening…]` in `comment` that
/// holds no control character and none of `refused`.
fn bracketed(comment: &str, opening: &str, refused: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = comment;
    while let Some(at) = rest.find(opening) {
        rest = rest.get(at + opening.len()..).unwrap_or_default();
        let mut value = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut closed = false;
        while let Some((_, c)) = chars.next() {
            match c {
                '\\' if chars.peek().is_some_and(|(_, next)| *next == ']') => {
                    chars.next();
                    value.push(']');
                }
                ']' => {
                    closed = true;
                    break;
                }
                c if c.is_control() || refused.contains(c) => break,
                c => value.push(c),
            }
        }
        if let Some(value) = optional_text(&value).filter(|_| closed) {
            found.push(value);
        }
    }
    found
}

/// Reads `id=…; difficulty=…; points=…; tags=a,b`, where `\;`, `\,`, `\\`
/// and `\n` are escapes.
fn read_meta(fields: &str, line: usize, meta: &mut Meta, diagnostics: &mut Vec<Diagnostic>) {
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
            "id" => meta.id = meta.id.take().or_else(|| optional_text(&unescape(value))),
            "difficulty" => match unescape(value).trim().parse::<Difficulty>().ok() {
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
                meta.tags = clean_tags(meta.tags.iter().chain(&tags).map(String::as_str));
            }
            "extras" => match serde_json::from_str(&unescape(value)) {
                Ok(extras) => meta.extras = Some(extras),
                Err(e) => error(format!("extras in the assay comment cannot be read: {e}")),
            },
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
