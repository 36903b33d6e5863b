//! Moodle XML. The document is first read into a small tree of elements
//! that remember where they start; `moodle_question` then maps the tree onto
//! questions. DTDs are refused outright: Assay never needs one, and entity
//! declarations are how XML files attack the servers that read them.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::time::{Duration, Instant};

use super::moodle_question;
use super::position::LineIndex;
use crate::banks::question::{Diagnostic, ParseOutcome};

/// Deeper than any Moodle export nests; the limit keeps hostile input from
/// building a tree too deep to drop.
const MAX_DEPTH: usize = 32;

/// Moodle writes at most three attributes on an element. Checking that
/// attribute names differ costs the square of their number (RUSTSEC-2026-0194
/// made 128k attributes on one element take 26 s), so past this the file is
/// refused before they are compared.
pub(super) const MAX_ATTRIBUTES: usize = 32;

/// Elements in one file: ten thousand questions of about twenty elements,
/// with room to spare.
pub(super) const MAX_ELEMENTS: usize = 250_000;

/// What one file may take to read, whatever it holds. A well-formed export
/// of the largest upload reads in well under a second.
const TIME_BUDGET: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub(super) struct Element {
    pub(super) name: String,
    pub(super) attributes: Vec<(String, String)>,
    /// The element's own text, CDATA and references, in order.
    pub(super) text: String,
    pub(super) children: Vec<Element>,
    /// Byte offset of the element's `<`.
    pub(super) offset: usize,
}

impl Element {
    pub(super) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(super) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub(super) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The element at a path of child names, such as `["name", "text"]`.
    pub(super) fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |element, name| element.child(name))
    }
}

pub(crate) fn read(input: &str) -> ParseOutcome {
    let index = LineIndex::new(input);
    let mut outcome = ParseOutcome::default();
    match tree(input, &index) {
        Ok(root) => moodle_question::read_quiz(&root, &index, &mut outcome),
        Err(diagnostic) => outcome.diagnostics.push(diagnostic),
    }
    outcome
}

fn tree(input: &str, index: &LineIndex<'_>) -> Result<Element, Diagnostic> {
    let at = |offset: u64, message: String| {
        let (line, column) = index.line_col(usize::try_from(offset).unwrap_or(usize::MAX));
        Diagnostic::error(line, message).at_column(column)
    };
    let mut reader = Reader::from_str(input);
    reader.config_mut().check_end_names = true;
    let mut builder = TreeBuilder::default();
    let deadline = Instant::now() + TIME_BUDGET;
    loop {
        let offset = reader.buffer_position();
        if Instant::now() > deadline {
            return Err(at(
                offset,
                format!(
                    "the file took longer than {} seconds to read and was given up here; \
                     split it into smaller files",
                    TIME_BUDGET.as_secs()
                ),
            ));
        }
        let event = reader
            .read_event()
            .map_err(|error| at(reader.error_position(), format!("the XML is not well-formed: {error}")))?;
        if matches!(event, Event::Eof) {
            break;
        }
        builder.event(event, offset).map_err(|m| at(offset, m))?;
    }
    if let Some(unclosed) = builder.open.last() {
        return Err(at(
            u64::try_from(unclosed.offset).unwrap_or(u64::MAX),
            format!("the element <{}> opened here is never closed", unclosed.name),
        ));
    }
    builder.root.ok_or_else(|| {
        Diagnostic::error(
            1,
            "the file holds no XML elements; a Moodle XML file starts with <quiz>",
        )
    })
}

/// The tree as far as it has been read: the elements still open, innermost
/// last, and the root once it has closed.
#[derive(Default)]
struct TreeBuilder {
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

impl TreeBuilder {
    /// Adds one event at `offset`; an error is the message for that offset.
    fn event(&mut self, event: Event<'_>, offset: u64) -> Result<(), String> {
        match event {
            Event::DocType(_) => {
                return Err(
                    "the file declares a document type (<!DOCTYPE …>); Assay refuses DTDs and entity \
                     declarations for safety, so remove that part and import again"
                        .to_owned(),
                )
            }
            Event::Start(_) | Event::Empty(_) if self.elements >= MAX_ELEMENTS => {
                return Err(format!(
                    "the file has more than {MAX_ELEMENTS} elements; split it into smaller files"
                ))
            }
            Event::Start(start) => {
                self.elements += 1;
                if self.open.len() >= MAX_DEPTH {
                    return Err(format!(
                        "elements nest more than {MAX_DEPTH} deep; this is not a Moodle export"
                    ));
                }
                self.open.push(element(&start, offset)?);
            }
            Event::Empty(start) => {
                self.elements += 1;
                let element = element(&start, offset)?;
                self.attach(element)?;
            }
            Event::End(_) => {
                if let Some(element) = self.open.pop() {
                    self.attach(element)?;
                }
            }
            // The input is already text; XML still turns CR LF into LF.
            Event::Text(text) => push_text(&mut self.open, &text.xml10_content())?,
            Event::CData(data) => push_text(&mut self.open, &data.xml10_content())?,
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference)?;
                push_text(&mut self.open, &resolved)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::Eof => {}
        }
        Ok(())
    }

    /// A closed element goes into its parent, or becomes the root if it has none.
    fn attach(&mut self, element: Element) -> Result<(), String> {
        match self.open.last_mut() {
            Some(parent) => {
                parent.children.push(element);
                Ok(())
            }
            None if self.root.is_none() => {
                self.root = Some(element);
                Ok(())
            }
            None => Err("a second top-level element; everything belongs inside one <quiz>".to_owned()),
        }
    }
}

/// The text a character reference or one of XML's five predefined entities
/// stands for; any other entity would need a DTD, which is refused.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<String, String> {
    let name = reference.xml10_content();
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        Ok(None) => match resolve_predefined_entity(&name) {
            Some(text) => Ok(text.to_owned()),
            None => Err(format!(
                "&{name}; is not an entity XML defines; write &amp;, &lt;, &gt;, \
                 &quot;, &apos; or a character reference such as &#233;"
            )),
        },
        Err(error) => Err(format!("&{name}; is not a valid character reference: {error}")),
    }
}

fn element(start: &BytesStart<'_>, offset: u64) -> Result<Element, String> {
    let name = start.local_name().as_ref().to_owned();
    let mut attributes = Vec::new();
    // Counted before the checked pass that compares every pair of names.
    let count = start.attributes().with_checks(false).take(MAX_ATTRIBUTES + 1).count();
    if count > MAX_ATTRIBUTES {
        return Err(format!(
            "<{name}> has more than {MAX_ATTRIBUTES} attributes; a Moodle export has at most three"
        ));
    }
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("a broken attribute in <{name}>: {e}"))?;
        let key = attribute.key.local_name().as_ref().to_owned();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("the attribute {key} of <{name}> cannot be read: {e}"))?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attributes,
        text: String::new(),
        children: Vec::new(),
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
    })
}

fn push_text(open: &mut [Element], text: &str) -> Result<(), String> {
    match open.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the <quiz> element".to_owned()),
    }
}

#[cfg(test)]
pub(super) mod tests;
