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

mod moodle_files {
    use super::super::moodle::{embed, unembedded, StoredImage};
    use super::*;
    use crate::banks::formats::{read, write_moodle_xml, Format, ParseOptions};
    use crate::banks::question::{ChoiceOption, Difficulty, ParsedQuestion, QuestionBody, TextFormat};
    use crate::banks::rendered::RenderedQuestion;
    use crate::banks::store::content_hash;

    fn pixel() -> StoredImage {
        let bytes = decode(&file("x.png", PIXEL_PNG)).unwrap();
        StoredImage {
            sha256: sha256(&bytes),
            content_type: "image/png".to_owned(),
            bytes,
        }
    }

    /// A question whose option, option feedback and explanation show an
    /// image uploaded in the editor.
    fn uploaded_in_every_text(sha: &str) -> ParsedQuestion {
        ParsedQuestion {
            line: 1,
            external_id: Some("chart-up".to_owned()),
            name: Some("Uploaded chart".to_owned()),
            category: None,
            difficulty: Difficulty::Medium,
            points: 1.0,
            tags: Vec::new(),
            stem: "Which line rises?".to_owned(),
            stem_format: TextFormat::Markdown,
            body: QuestionBody::SingleChoice {
                options: vec![
                    ChoiceOption {
                        text: format!("![rising line](/images/{sha})"),
                        credit: 1.0,
                        feedback: Some(format!("Yes: ![tick](/images/{sha})")),
                    },
                    ChoiceOption {
                        text: "A flat line".to_owned(),
                        credit: 0.0,
                        feedback: None,
                    },
                ],
            },
            explanation: Some(format!("Read the slope: ![guide](/images/{sha})")),
            extras: Default::default(),
            irt_a: None,
            irt_b: None,
        }
    }

    #[test]
    fn an_uploaded_image_in_an_option_or_feedback_is_embedded_in_that_text() {
        let image = pixel();
        let mut q = uploaded_in_every_text(&image.sha256);
        embed(&mut q, std::slice::from_ref(&image));
        let moodle = format!("@@PLUGINFILE@@/{}.png", image.sha256);
        let QuestionBody::SingleChoice { options } = &q.body else {
            panic!("{:?}", q.body)
        };
        assert_eq!(options[0].text, format!("![rising line]({moodle})"));
        assert_eq!(
            options[0].feedback.as_deref(),
            Some(format!("Yes: ![tick]({moodle})").as_str())
        );
        let x = &q.extras;
        for files in [
            &x.answers[0].text_files,
            &x.answers[0].feedback_files,
            &x.explanation_files,
        ] {
            assert_eq!(files.len(), 1, "{x:?}");
            assert_eq!(files[0].name, format!("{}.png", image.sha256));
            assert_eq!(decode(&files[0]).unwrap(), image.bytes);
        }
        assert!(x.answers[1].is_empty(), "{x:?}");
        assert!(x.stem_files.is_empty(), "{x:?}");
        let written = write_moodle_xml(&[q]);
        assert_eq!(written.matches("encoding=\"base64\"").count(), 3, "{written}");
    }

    #[test]
    fn an_exported_upload_read_back_is_the_same_question() {
        let image = pixel();
        let original = uploaded_in_every_text(&image.sha256);
        let mut exported = original.clone();
        embed(&mut exported, std::slice::from_ref(&image));
        let outcome = read(
            Format::MoodleXml,
            &write_moodle_xml(&[exported]),
            &ParseOptions::default(),
        );
        assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        let again = &outcome.questions[0];
        // Read back, the question still carries the files (an import into
        // another Assay stores them), yet it is the same question.
        assert_eq!(super::super::embedded_files(&again.extras).len(), 3);
        assert_eq!(content_hash(again), content_hash(&original));
        assert_eq!(
            *unembedded(again),
            ParsedQuestion {
                line: again.line,
                ..original.clone()
            }
        );
        assert_eq!(RenderedQuestion::of(again), RenderedQuestion::of(&original));
    }

    #[test]
    fn a_file_named_like_an_export_but_holding_other_bytes_stays_a_file() {
        let image = pixel();
        let mut q = uploaded_in_every_text(&image.sha256);
        embed(&mut q, std::slice::from_ref(&image));
        let other = "R0lGODlhAQABAIAAAACAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==";
        q.extras.answers[0].text_files[0].content = other.to_owned();
        let kept = unembedded(&q);
        assert_eq!(kept.extras.answers[0].text_files.len(), 1);
        assert!(kept.body.options()[0].text.contains("@@PLUGINFILE@@"));
    }
}
