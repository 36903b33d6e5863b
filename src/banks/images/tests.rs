use super::*;
use crate::content::{render, Markup};

/// The smallest valid PNG: one transparent pixel.
pub const PIXEL_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn file(name: &str, content: &str) -> EmbeddedFile {
    EmbeddedFile {
        name: name.to_owned(),
        path: "/".to_owned(),
        content: content.to_owned(),
    }
}

#[test]
fn images_are_recognised_by_their_bytes_not_their_names() {
    let png = decode(&file("x.png", PIXEL_PNG)).unwrap();
    assert_eq!(check(&png), Ok("image/png"));
    assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
    assert_eq!(sniff(b"GIF89a\x01\x00"), Some("image/gif"));
    assert_eq!(sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 "), Some("image/webp"));
    assert_eq!(sniff(b"RIFF\x10\x00\x00\x00WAVEfmt "), None);
    let html = check(b"<html><script>alert(1)</script></html>").unwrap_err();
    assert!(html.contains("not a PNG, JPEG, GIF or WebP"), "{html}");
    let svg = check(br#"<?xml version="1.0"?><svg onload="alert(1)"></svg>"#).unwrap_err();
    assert!(svg.contains("SVG"), "{svg}");
    assert!(check(&[]).is_err());
}

#[test]
fn an_image_over_the_limit_is_refused_with_its_size() {
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(MAX_IMAGE_BYTES + 1, 0);
    let message = check(&big).unwrap_err();
    assert!(
        message.contains("2049 KiB") && message.contains("2048 KiB"),
        "{message}"
    );
}

#[test]
fn plugin_file_references_become_the_stored_images_address() {
    let files = [file("a chart.png", PIXEL_PNG), file("notes.pdf", "JVBERi0xLjQK")];
    let sha = sha256(&decode(&files[0]).unwrap());
    let text = r#"<p><img src="@@PLUGINFILE@@/a%20chart.png" alt="chart"> and <a href="@@PLUGINFILE@@/notes.pdf">notes</a></p>"#;
    let resolved = resolve_plugin_files(text, &files);
    assert!(resolved.contains(&format!(r#"src="/images/{sha}""#)), "{resolved}");
    // A file that is no image stays as Moodle wrote it.
    assert!(resolved.contains("@@PLUGINFILE@@/notes.pdf"), "{resolved}");
    assert_eq!(referenced(&resolved), vec![sha]);
}

#[test]
fn the_sanitiser_keeps_the_address_of_a_stored_image() {
    let sha = "ab".repeat(32);
    let out = render(
        &format!("![chart](/images/{sha}) <img src=\"/images/{sha}\" onerror=\"x()\">"),
        Markup::Markdown,
    );
    assert!(
        out.html.contains(&format!(r#"<img src="/images/{sha}" alt="chart">"#)),
        "{}",
        out.html
    );
    assert!(!out.html.contains("onerror"), "{}", out.html);
    assert_eq!(referenced(&out.html), vec![sha]);
}

#[test]
fn only_sixty_four_hex_digits_name_an_image() {
    assert!(is_sha256(&"0f".repeat(32)));
    assert!(!is_sha256(&"0F".repeat(32)));
    assert!(!is_sha256("../etc/passwd"));
    assert!(referenced("/images/1234").is_empty());
}
