//! Rich question text made safe to show: HTML is sanitised with an
//! allow-list (ammonia), Markdown is rendered with a CommonMark library
//! (pulldown-cmark) and then sanitised, and TeX between `\( \)`, `\[ \]` or
//! `$$ $$` becomes MathML on the server, so no script is needed to read it.
//!
//! This runs once, when a question is imported or edited; the result is
//! stored beside the original (which exports keep). Pages show the stored
//! HTML with `|safe` and nothing else.

mod sanitise;
mod tex;
mod text;

use pulldown_cmark::{html, Options, Parser};
use serde::{Deserialize, Serialize};

use tex::Segment;

/// How a text is written, as far as rendering cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// Text as typed: markup characters shown as themselves, line breaks kept.
    Plain,
    /// HTML, sanitised.
    Html,
    /// Moodle's auto-format: HTML allowed and line breaks kept.
    HtmlWithBreaks,
    /// CommonMark with tables, rendered and then sanitised.
    Markdown,
}

/// A text ready to show: sanitised HTML for pages and a plain-text form for
/// readers that cannot show HTML (TeX kept as written between its
/// delimiters).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rich {
    /// Sanitised HTML: safe to insert into a page as it is.
    pub html: String,
    /// The same text without markup.
    pub text: String,
}

/// Renders a block of text (a stem, feedback, an explanation).
pub fn render(source: &str, markup: Markup) -> Rich {
    let text = match markup {
        // Plain text is its own plain-text form.
        Markup::Plain => source.to_owned(),
        _ => text::of_html(&sanitise::clean(&to_html(source, markup, false))),
    };
    Rich {
        html: sanitise::clean(&to_html(source, markup, true)),
        text,
    }
}

/// Renders a short text shown inside a line (an option beside its radio
/// button): a lone paragraph loses its `<p>` so the label stays one line.
pub fn render_inline(source: &str, markup: Markup) -> Rich {
    let mut rich = render(source, markup);
    if let Some(inner) = lone_paragraph(&rich.html) {
        rich.html = inner.to_owned();
    }
    rich
}

fn lone_paragraph(html: &str) -> Option<&str> {
    let inner = html.trim().strip_prefix("<p>")?.strip_suffix("</p>")?;
    (!inner.contains("<p>")).then_some(inner)
}

/// The unsanitised HTML of a text, its TeX as MathML when `math` holds and
/// as the escaped TeX source (for the plain-text form) when not.
fn to_html(source: &str, markup: Markup, math: bool) -> String {
    let segments = tex::split(source);
    let formula = |s: &Segment| if math { tex::to_mathml(s) } else { escape(s.source) };
    match markup {
        Markup::Plain => segments
            .iter()
            .map(|s| match s.tex {
                None => escape(s.source).replace('\n', "<br>"),
                Some(_) => formula(s),
            })
            .collect(),
        Markup::Html | Markup::HtmlWithBreaks => segments
            .iter()
            .map(|s| match (s.tex, markup) {
                (None, Markup::HtmlWithBreaks) => s.source.replace('\n', "<br>"),
                (None, _) => s.source.to_owned(),
                (Some(_), _) => formula(s),
            })
            .collect(),
        Markup::Markdown => markdown(&segments, formula),
    }
}

/// Markdown would read `\(` as an escaped parenthesis, so each formula is
/// swapped for a placeholder the renderer leaves alone and put back after.
fn markdown(segments: &[Segment], formula: impl Fn(&Segment) -> String) -> String {
    let mut source = String::new();
    let mut formulas = Vec::new();
    for s in segments {
        match s.tex {
            None => source.push_str(&s.source.replace(tex::PLACEHOLDER, "")),
            Some(_) => {
                source.push(tex::PLACEHOLDER);
                source.push_str(&formulas.len().to_string());
                source.push(tex::PLACEHOLDER);
                formulas.push(formula(s));
            }
        }
    }
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(&source, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH),
    );
    tex::put_back(&out, &formulas)
}

/// Escapes text for HTML (the five characters that can end text or a value).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests;
