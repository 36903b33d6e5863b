//! The plain-text form of sanitised HTML: block ends become line breaks,
//! table cells are parted by tabs, entities are read back.

/// Line breaks and tabs a tag stands for in plain text.
fn break_for(tag: &str) -> &'static str {
    match tag {
        "br" | "/p" | "/div" | "/li" | "/tr" | "/h1" | "/h2" | "/h3" | "/h4" | "/h5" | "/h6" | "/blockquote"
        | "/pre" | "/table" => "\n",
        "/td" | "/th" => "\t",
        _ => "",
    }
}

pub fn of_html(sanitised: &str) -> String {
    let shaped = super::sanitise::shape(sanitised);
    let mut out = String::with_capacity(shaped.len());
    let mut rest = shaped.as_str();
    // The shaping pass keeps no attribute, so a tag is `<name>` or `</name>`
    // and a `<` in text is escaped: the next `>` closes the tag.
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        let close = after.find('>').unwrap_or(after.len());
        let tag = after.get(..close).unwrap_or_default().trim_end_matches('/').trim();
        out.push_str(break_for(tag));
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    tidy(&unescape(&out))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Cells lose the tab after the last one of a row, lines their trailing
/// space, and the text its trailing line breaks.
fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches(['\t', ' '])).collect();
    lines.join("\n").trim_end().to_owned()
}
