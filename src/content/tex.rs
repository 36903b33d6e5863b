//! Finding TeX in a text and rendering it to MathML.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

/// Marks where a formula stood while Markdown is rendered: a private-use
/// character no one types, removed from the text around formulas.
pub const PLACEHOLDER: char = '\u{E000}';

/// A formula's TeX, without its delimiters, and whether it stands on its own
/// line (`\[ \]`, `$$ $$`) or in the text (`\( \)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formula<'a> {
    pub tex: &'a str,
    pub display: bool,
}

/// A run of text, or a formula with `source` its delimiters included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    pub source: &'a str,
    pub tex: Option<Formula<'a>>,
}

const DELIMITERS: [(&str, &str, bool); 3] = [("\\(", "\\)", false), ("\\[", "\\]", true), ("$$", "$$", true)];

/// Splits a text into plain runs and formulas. An opening delimiter without
/// its closing one is text, as MathJax reads it.
pub fn split(source: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut rest = source;
    while let Some((start, open, close, display)) = next_opening(rest) {
        let after = start + open.len();
        let Some(body) = rest.get(after..) else { break };
        let Some(length) = body.find(close) else { break };
        let end = after + length + close.len();
        let (Some(before), Some(whole), Some(tex)) = (rest.get(..start), rest.get(start..end), body.get(..length))
        else {
            break;
        };
        if !before.is_empty() {
            segments.push(Segment {
                source: before,
                tex: None,
            });
        }
        segments.push(Segment {
            source: whole,
            tex: Some(Formula { tex, display }),
        });
        rest = rest.get(end..).unwrap_or_default();
    }
    if !rest.is_empty() {
        segments.push(Segment {
            source: rest,
            tex: None,
        });
    }
    segments
}

fn next_opening(text: &str) -> Option<(usize, &'static str, &'static str, bool)> {
    DELIMITERS
        .iter()
        .filter_map(|&(open, close, display)| text.find(open).map(|at| (at, open, close, display)))
        .min_by_key(|found| found.0)
}

/// The formula as MathML, its TeX kept as an annotation. TeX the renderer
/// cannot read shows as the escaped source in `<code>`, so a typo costs the
/// formula, never the question.
pub fn to_mathml(segment: &Segment) -> String {
    let Some(formula) = segment.tex else {
        return super::escape(segment.source);
    };
    let rendered = catch_unwind(AssertUnwindSafe(|| {
        let storage = Storage::new();
        let parser = Parser::new(formula.tex, &storage);
        let config = RenderConfig {
            display_mode: if formula.display {
                DisplayMode::Block
            } else {
                DisplayMode::Inline
            },
            annotation: Some(formula.tex),
            ..RenderConfig::default()
        };
        let mut out = String::new();
        push_mathml(&mut out, parser, config).map(|()| out)
    }));
    match rendered {
        Ok(Ok(mathml)) => mathml,
        _ => format!("<code>{}</code>", super::escape(segment.source)),
    }
}

/// Puts each formula back where Markdown left its placeholder.
pub fn put_back(html: &str, formulas: &[String]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut parts = html.split(PLACEHOLDER);
    out.push_str(parts.next().unwrap_or_default());
    while let (Some(index), Some(after)) = (parts.next(), parts.next()) {
        let formula = index.parse::<usize>().ok().and_then(|i| formulas.get(i));
        out.push_str(formula.map_or("", String::as_str));
        out.push_str(after);
    }
    out
}
