//! The allow-list: ammonia's defaults (no script, no event handlers, no
//! style, only http, https and mailto links), plus tables and the MathML the
//! TeX renderer writes.

use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::Builder;

/// MathML Core's presentation elements.
const MATHML_TAGS: [&str; 30] = [
    "math",
    "annotation",
    "semantics",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "merror",
    "mpadded",
    "mphantom",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "menclose",
];

/// Presentation attributes only: none of them can hold a script or a URL.
const MATHML_ATTRIBUTES: [&str; 26] = [
    "display",
    "displaystyle",
    "scriptlevel",
    "mathvariant",
    "encoding",
    "stretchy",
    "fence",
    "separator",
    "form",
    "largeop",
    "movablelimits",
    "symmetric",
    "lspace",
    "rspace",
    "minsize",
    "maxsize",
    "accent",
    "accentunder",
    "linethickness",
    "width",
    "height",
    "depth",
    "voffset",
    "columnalign",
    "rowalign",
    "notation",
];

const TABLE_ATTRIBUTES: [(&str, &[&str]); 3] = [
    ("td", &["colspan", "rowspan", "align"]),
    ("th", &["colspan", "rowspan", "align", "scope"]),
    ("col", &["span"]),
];

static RICH: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .add_tags(MATHML_TAGS)
        .strip_comments(true);
    for tag in MATHML_TAGS {
        builder.add_tag_attributes(tag, MATHML_ATTRIBUTES);
    }
    for (tag, attributes) in TABLE_ATTRIBUTES {
        builder.add_tag_attributes(tag, attributes.iter().copied());
    }
    builder
});

/// Tags that shape the plain-text form and nothing else: no attributes, so
/// the output's tags are exactly `<name>` and `</name>`.
static SHAPE: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::empty();
    builder
        .tags(HashSet::from([
            "p",
            "br",
            "div",
            "li",
            "tr",
            "td",
            "th",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "table",
            "img",
        ]))
        .clean_content_tags(HashSet::from(["script", "style", "title"]))
        .link_rel(None)
        .strip_comments(true);
    builder
});

pub fn clean(html: &str) -> String {
    RICH.clean(html).to_string()
}

pub fn shape(html: &str) -> String {
    SHAPE.clean(html).to_string()
}
