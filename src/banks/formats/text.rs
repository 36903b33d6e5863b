//! How every reader normalises text, so that the same question reads the
//! same from any format and survives a round trip through any writer.

/// Trimmed, with Windows and old-Mac line endings turned into `\n`.
pub(crate) fn clean_text(text: &str) -> String {
    let text = text.trim();
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

/// `clean_text`, with nothing at all as `None`.
pub(crate) fn optional_text(text: &str) -> Option<String> {
    Some(clean_text(text)).filter(|t| !t.is_empty())
}

/// Tags trimmed, with empty ones and repeats dropped.
pub(crate) fn clean_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut clean: Vec<String> = Vec::new();
    for tag in tags {
        let tag = clean_text(tag);
        if !tag.is_empty() && !clean.contains(&tag) {
            clean.push(tag);
        }
    }
    clean
}

/// A category path in Assay's form: components separated by `/`, each
/// trimmed, empty ones dropped; a `/` inside a component is written `//`
/// (Moodle's convention, kept so that the path survives GIFT and Moodle XML).
/// A leading Moodle context (`$course$/`, `$system$/` …) and the `top`
/// category under it are dropped. An empty path is `None`.
pub(crate) fn category_path(raw: &str) -> Option<String> {
    let mut components = split_category(raw);
    if components.first().is_some_and(|c| is_moodle_context(c)) {
        components.remove(0);
        if components.first().is_some_and(|c| c == "top") {
            components.remove(0);
        }
    } else if components.first().is_some_and(|c| c == "top") && components.len() > 1 {
        components.remove(0);
    }
    let joined = components
        .iter()
        .map(|c| c.replace('/', "//"))
        .collect::<Vec<_>>()
        .join("/");
    Some(joined).filter(|j| !j.is_empty())
}

fn is_moodle_context(component: &str) -> bool {
    component.len() > 2 && component.starts_with('$') && component.ends_with('$')
}

/// Splits on single slashes; `//` is a literal slash inside a component.
fn split_category(raw: &str) -> Vec<String> {
    let mut components = Vec::new();
    let mut current = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '/' {
            if chars.peek() == Some(&'/') {
                chars.next();
                current.push('/');
            } else {
                components.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    components.push(current);
    components
        .into_iter()
        .map(|c| {
            let c = c.trim_matches(|ch: char| ch == '/' || ch.is_whitespace());
            // A path is one line: GIFT's `$CATEGORY:` could not hold more.
            c.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .filter(|c| !c.is_empty())
        .collect()
}

/// Whether a path written by `category_path` would lose its first component
/// when read back (it looks like Moodle's `top` or a context), so a writer
/// has to spell out `$course$/top/` in front of it.
pub(crate) fn category_needs_prefix(path: &str) -> bool {
    split_category(path)
        .first()
        .is_some_and(|c| c == "top" || is_moodle_context(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_paths_drop_moodle_context_and_top() {
        assert_eq!(
            category_path("$course$/top/Quant/Ratios").as_deref(),
            Some("Quant/Ratios")
        );
        assert_eq!(category_path("$course$/Quant").as_deref(), Some("Quant"));
        assert_eq!(category_path("top/Quant").as_deref(), Some("Quant"));
        assert_eq!(
            category_path(" Aptitude / Quantitative ").as_deref(),
            Some("Aptitude/Quantitative")
        );
        assert_eq!(category_path("$course$/top"), None);
        assert_eq!(category_path("  "), None);
    }

    #[test]
    fn category_double_slash_is_a_literal_slash_and_stays_stable() {
        let once = category_path("Finance//Accounting/Ratios").unwrap();
        assert_eq!(split_category(&once), vec!["Finance/Accounting", "Ratios"]);
        assert_eq!(category_path(&once).as_deref(), Some(once.as_str()));
        for raw in ["a///b", "a////b", "/x//", "a/ //x", "//", "a//"] {
            let once = category_path(raw);
            let twice = once.as_deref().and_then(category_path);
            assert_eq!(once, twice, "{raw}");
        }
    }

    #[test]
    fn clean_text_trims_and_unifies_line_endings() {
        assert_eq!(clean_text("  a\r\nb\rc \n"), "a\nb\nc");
        assert_eq!(optional_text(" \n "), None);
        assert_eq!(clean_tags([" a", "", "b ", "a"]), vec!["a", "b"]);
    }
}
