//! Where to send someone after signing in: only ever a page of this site.

/// Any origin will do as a base: only whether `next` stays on it matters.
const BASE: &str = "http://this.site.invalid/";

/// The path, query and fragment of `next` when it is a path on this site,
/// normalised as a browser would read it; otherwise the home page.
///
/// Accepted only when `next` begins with a single `/` (not `//` or `/\`,
/// which browsers read as another host), has no space as written, has no
/// backslash or control character either as written or once percent-decoded
/// (browsers drop tabs and newlines, so `/%09/evil.example` would become
/// `//evil.example`), and resolves against this site to this site.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(on_this_site).unwrap_or_else(|| "/".to_string())
}

fn on_this_site(next: &str) -> Option<String> {
    let suspicious = |s: &str| s.chars().any(|c| c.is_control() || c == '\\');
    let mut chars = next.chars();
    if chars.next() != Some('/')
        || matches!(chars.next(), Some('/' | '\\'))
        || suspicious(next)
        || next.chars().any(char::is_whitespace)
    {
        return None;
    }
    let decoded = percent_decode(next);
    if suspicious(&decoded) || decoded.starts_with("//") {
        return None;
    }
    let base = url::Url::parse(BASE).ok()?;
    let joined = base.join(next).ok()?;
    if joined.origin() != base.origin() {
        return None;
    }
    let path = &joined[url::Position::BeforePath..];
    // Normalising can itself make `//`: `/.//evil.example` is a path on this
    // site as written, but `//evil.example` once its `.` is resolved.
    if path.starts_with("//") {
        return None;
    }
    Some(path.to_string())
}

/// `%XX` decoded byte by byte (as text, lossily): enough to see what a
/// browser would make of the escapes.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    // A hex digit is below 16, so `hi * 16 + lo` fits a byte.
    let hex = |b: u8| char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok());
    while let Some(&byte) = bytes.get(i) {
        match (
            byte,
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_this_site_are_kept() {
        assert_eq!(safe_next(Some("/profile")), "/profile");
        assert_eq!(safe_next(Some("/drives?page=2#top")), "/drives?page=2#top");
        assert_eq!(safe_next(Some("/profile?welcome=1")), "/profile?welcome=1");
        assert_eq!(safe_next(Some("/a%20b")), "/a%20b");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_home() {
        for next in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "/%0d%0aSet-Cookie:x=1",
            "/\r\nSet-Cookie: x=1",
            "/a\\b",
            "/.//evil.example",
            "/a/..//evil.example",
            "/%2e//evil.example",
            "/ /evil.example",
            "javascript:alert(1)",
            "profile",
            "",
        ] {
            assert_eq!(safe_next(Some(next)), "/", "{next:?}");
        }
    }

    #[test]
    fn non_ascii_paths_come_back_percent_encoded_so_the_header_is_valid() {
        assert_eq!(safe_next(Some("/drives/é")), "/drives/%C3%A9");
    }
}
