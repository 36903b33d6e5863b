//! Moodle files read as Moodle's importer reads them
//! (`question/format/gift/format.php`, `question/format/xml/format.php` and
//! the grade check in `question/format.php`): one fixture in `moodle/` per
//! difference, and every fixture through every writer and back.

use super::{reread, without_lines};
use crate::banks::formats::{read, write_gift, write_moodle_xml, write_toml, Format, ParseOptions};
use crate::banks::question::{AnswerExtras, ParseOutcome, QuestionBody, RichText, Severity, TextAnswer, TextFormat};
use crate::banks::store::duplicates_in_file;

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/banks/formats/tests/moodle")
        .join(name)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap()
}

fn read_fixture(name: &str) -> ParseOutcome {
    let format = Format::from_extension(name).unwrap();
    read(format, &fixture(name), &ParseOptions::default())
}

fn errors(outcome: &ParseOutcome) -> Vec<(usize, String)> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.line, d.message.clone()))
        .collect()
}

fn rich(text: &str, format: Option<TextFormat>) -> RichText {
    RichText {
        text: text.to_owned(),
        format,
        files: Vec::new(),
    }
}

#[test]
fn the_same_stem_twice_in_a_category_keeps_both_questions_with_a_warning() {
    let outcome = read_fixture("same_stem.gift");
    assert!(errors(&outcome).is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(outcome.questions.len(), 3);
    let found = duplicates_in_file(&outcome.questions, None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].line, 6);
    assert!(found[0].message.contains("line 4"), "{}", found[0].message);
}

#[test]
fn the_same_id_twice_is_still_an_error() {
    let outcome = read_fixture("same_stem.gift");
    let mut questions = outcome.questions;
    questions[1].external_id = Some("x".into());
    questions[2].external_id = Some("x".into());
    let found = duplicates_in_file(&questions, None);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Error);
}

#[test]
fn gift_format_tags_on_answers_and_feedback_are_taken_off_and_recorded() {
    let outcome = read_fixture("format_tags.gift");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions[0];
    assert_eq!(q.stem, "<p>Capital of <b>France</b>?</p>");
    assert_eq!(q.stem_format, TextFormat::Html);
    let QuestionBody::SingleChoice { options } = &q.body else {
        panic!("{:?}", q.body)
    };
    let texts: Vec<&str> = options.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, vec!["Paris", "Lyon", "Nice"]);
    let feedback: Vec<Option<&str>> = options.iter().map(|o| o.feedback.as_deref()).collect();
    assert_eq!(
        feedback,
        vec![
            Some("<p>Right</p>"),
            Some("No, that is a city in the south."),
            Some("**No**")
        ]
    );
    // A format equal to the stem's is the default and not recorded.
    let formats: Vec<(Option<TextFormat>, Option<TextFormat>)> = q
        .extras
        .answers
        .iter()
        .map(|a| (a.text_format, a.feedback_format))
        .collect();
    assert_eq!(
        formats,
        vec![
            (Some(TextFormat::Plain), None),
            (Some(TextFormat::Moodle), Some(TextFormat::Plain)),
            (None, Some(TextFormat::Markdown)),
        ]
    );
    assert_eq!(
        q.explanation.as_deref(),
        Some("Paris has been the capital since *987*.")
    );
    assert_eq!(q.extras.explanation_format, Some(TextFormat::Markdown));
}

#[test]
fn gift_numeric_catch_all_is_the_feedback_for_any_other_answer() {
    let outcome = read_fixture("numeric_catch_all.gift");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions[0];
    let QuestionBody::Numeric { answers } = &q.body else {
        panic!("{:?}", q.body)
    };
    let read: Vec<(f64, f64, f64)> = answers.iter().map(|a| (a.value, a.tolerance, a.credit)).collect();
    assert_eq!(read, vec![(25.0, 0.0, 1.0), (25.0, 1.0, 0.5)]);
    let feedback: Vec<Option<&str>> = q.extras.answers.iter().map(|a| a.feedback.as_deref()).collect();
    assert_eq!(feedback, vec![Some("Exactly."), Some("Close.")]);
    // Untagged, so in the stem's format, which is not recorded again.
    assert_eq!(
        q.extras.other_feedback,
        Some(rich("Work it out: 10% is a tenth.", None))
    );
    let hand = &outcome.questions[1];
    assert!(matches!(&hand.body, QuestionBody::Numeric { answers } if answers.len() == 1 && answers[0].value == 4.0));
    assert_eq!(hand.extras.other_feedback, Some(rich("Count again.", None)));
}

#[test]
fn gift_short_answer_without_equals_accepts_the_text_as_moodle_does() {
    let outcome = read_fixture("short_answer_without_equals.gift");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let accepted = |i: usize| match &outcome.questions[i].body {
        QuestionBody::ShortText { answers } => answers.clone(),
        other => panic!("{other:?}"),
    };
    let one = |text: &str| TextAnswer {
        text: text.to_owned(),
        credit: 1.0,
    };
    assert_eq!(accepted(0), vec![one("One")]);
    assert_eq!(accepted(1), vec![one("dos"), one("Dos")]);
    assert_eq!(
        outcome.questions[1].extras.answers[1].feedback.as_deref(),
        Some("Either spelling")
    );
}

#[test]
fn gift_feedback_on_true_false_short_and_numeric_answers_is_kept() {
    let outcome = read_fixture("dropped_feedback.gift");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions;
    // `{T#wrong#right}`: the key is true, so "right" is what "true" hears.
    assert_eq!(q[0].extras.true_feedback, Some(rich("Yes: a G-type star.", None)));
    assert_eq!(q[0].extras.false_feedback, Some(rich("No: it is a star.", None)));
    assert_eq!(
        q[1].extras.false_feedback,
        Some(rich("Right, it is a satellite.", None))
    );
    assert_eq!(q[1].extras.true_feedback, Some(rich("It is not a planet.", None)));
    let feedback: Vec<Option<&str>> = q[2].extras.answers.iter().map(|a| a.feedback.as_deref()).collect();
    assert_eq!(feedback, vec![Some("Exactly"), Some("Half way there")]);
    assert_eq!(
        q[3].extras.answers,
        vec![AnswerExtras {
            feedback: Some("Right, 29 February.".into()),
            ..AnswerExtras::default()
        }]
    );
}

#[test]
fn gift_id_and_tag_comment_lines_set_the_external_id_and_tags() {
    let outcome = read_fixture("id_and_tags.gift");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions;
    assert_eq!(q[0].external_id.as_deref(), Some("ins-007"));
    assert_eq!(q[0].tags, vec!["insurance", "ratios", "a]b"]);
    assert_eq!(q[1].external_id.as_deref(), Some("ins-008"));
    assert!(q[1].tags.is_empty());
    // The writer gives them back the way Moodle writes them.
    let written = write_gift(q);
    assert!(
        written.contains("// [id:ins-007] [tag:insurance] [tag:ratios] [tag:a\\]b]\n"),
        "{written}"
    );
}

#[test]
fn a_file_holding_only_a_description_names_it_on_its_line() {
    let outcome = read_fixture("only_description.gift");
    let found = errors(&outcome);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
    assert!(found[0].1.contains("line 3"), "{}", found[0].1);
    assert!(found[0].1.contains("description"), "{}", found[0].1);
    let xml = "<quiz>\n  <question type=\"description\">\n    <questiontext><text>Read first.</text></questiontext>\n  </question>\n</quiz>";
    let found = errors(&read(Format::MoodleXml, xml, &ParseOptions::default()));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 2);
    assert!(found[0].1.contains("line 2: a description"), "{}", found[0].1);
}

#[test]
fn missing_word_blank_sits_where_the_block_was_without_a_stray_space() {
    let outcome = read_fixture("missing_word.gift");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let stems: Vec<&str> = outcome.questions.iter().map(|q| q.stem.as_str()).collect();
    assert_eq!(
        stems,
        vec![
            "The capital of France is _____.",
            "_____ is the capital of France.",
            "The sun rises in the _____ every morning."
        ]
    );
}

#[test]
fn moodle_xml_essay_texts_and_files_in_answers_and_feedback_are_kept() {
    let outcome = read_fixture("essay_and_files.xml");
    assert!(errors(&outcome).is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions;
    let grader = q[0].extras.grader_info.as_ref().unwrap();
    assert!(grader.text.contains("debit and credit"));
    assert_eq!(grader.files.len(), 1);
    assert_eq!(grader.files[0].name, "key.png");
    assert_eq!(grader.files[0].content, "iVBORw0KGgo=");
    assert_eq!(
        q[0].extras.response_template.as_ref().map(|t| t.text.as_str()),
        Some("<p>A ledger is …</p>")
    );
    let first = &q[1].extras.answers[0];
    assert_eq!(first.text_files[0].name, "line.png");
    assert_eq!(first.feedback_files[0].name, "tick.png");
    assert_eq!(first.feedback_files[0].content, "R0lGODlhAQABAAAAACw=");
    assert_eq!(
        q[2].extras.true_feedback.as_ref().map(|f| (f.text.as_str(), f.format)),
        Some(("<p>No: errors of omission still balance.</p>", Some(TextFormat::Html)))
    );
    assert_eq!(q[2].extras.false_feedback, Some(rich("Right.", None)));
    assert_eq!(q[3].extras.answers[0].feedback.as_deref(), Some("<p>Exactly.</p>"));
    assert_eq!(
        q[4].extras.answers[0].feedback.as_deref(),
        Some("<p>12 / 73 × 365 = 60.</p>")
    );
    assert_eq!(
        q[4].extras.other_feedback,
        Some(rich("<p>Divide, then multiply by 365.</p>", None))
    );
    // And they go back out: the files, the grader information, the template.
    let written = write_moodle_xml(q);
    for part in [
        "<file name=\"key.png\" path=\"/\" encoding=\"base64\">iVBORw0KGgo=</file>",
        "<file name=\"tick.png\"",
        "<graderinfo format=\"html\">",
        "<responsetemplate format=\"html\">",
        "<text><![CDATA[*]]></text>",
    ] {
        assert!(written.contains(part), "{part} missing from\n{written}");
    }
}

#[test]
fn moodle_xml_grade_off_moodles_list_refuses_the_question_on_its_answer_line() {
    let outcome = read_fixture("refused_grade.xml");
    let found = errors(&outcome);
    assert_eq!(found.iter().map(|e| e.0).collect::<Vec<_>>(), vec![7, 8, 9]);
    assert!(
        found[0].1.contains("33% is not a grade Moodle accepts"),
        "{}",
        found[0].1
    );
    assert_eq!(outcome.questions.len(), 1);
    // As with unsupported types, the trainer may skip it and import the rest.
    let skipped = read(
        Format::MoodleXml,
        &fixture("refused_grade.xml"),
        &ParseOptions { skip_unsupported: true },
    );
    assert!(!skipped.has_errors(), "{:?}", skipped.diagnostics);
    assert_eq!(skipped.questions.len(), 1);
    assert_eq!(
        skipped.questions[0].name.as_deref(),
        Some("Thirds, as Moodle writes them")
    );
}

#[test]
fn gift_weight_off_moodles_list_is_refused_too() {
    let outcome = read(
        Format::Gift,
        "Which are prime? {~%33%2 ~%33%3 ~%34%5 ~4}",
        &ParseOptions::default(),
    );
    let found = errors(&outcome);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("33% is not a grade Moodle accepts"),
        "{}",
        found[0].1
    );
}

#[test]
fn what_assay_does_not_keep_is_named_per_question_in_a_warning() {
    let outcome = read_fixture("lost.xml");
    let warnings: Vec<(usize, &str)> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    // The question in the middle carries nothing Assay drops.
    assert_eq!(
        warnings.iter().map(|w| w.0).collect::<Vec<_>>(),
        vec![3, 23],
        "{warnings:?}"
    );
    assert!(warnings[0].1.contains("combined feedback"), "{}", warnings[0].1);
    assert!(warnings[0].1.contains("hints"), "{}", warnings[0].1);
    assert!(warnings[1].1.contains("word limits"), "{}", warnings[1].1);
    assert!(warnings[0].1.contains("fixed option order"), "{}", warnings[0].1);
    assert_eq!(outcome.questions.len(), 3);
}

#[test]
fn moodles_own_gift_export_reads_without_a_word_and_keeps_everything() {
    let outcome = read_fixture("moodle_export.gift");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions;
    assert_eq!(q.len(), 6);
    assert!(q
        .iter()
        .all(|q| q.category.as_deref() == Some("Default for KPO/Ratios")));
    assert_eq!(q[0].external_id.as_deref(), Some("ratio-1"));
    assert_eq!(q[0].tags, vec!["ratios", "liquidity"]);
    assert_eq!(
        q[0].stem,
        "<p>Current assets 300, current liabilities 150: current ratio?</p>"
    );
    let options: Vec<(&str, f64, Option<&str>)> = q[0]
        .body
        .options()
        .iter()
        .map(|o| (o.text.as_str(), o.credit, o.feedback.as_deref()))
        .collect();
    assert_eq!(
        options,
        vec![
            ("<p>2:1</p>", 1.0, Some("<p>Right.</p>")),
            ("<p>1:2</p>", 0.0, Some("<p>Upside down.</p>")),
            ("<p>150</p>", -0.5, None)
        ]
    );
    assert_eq!(q[0].explanation.as_deref(), Some("<p>300 / 150 = 2.</p>"));
    assert!(matches!(q[1].body, QuestionBody::MultipleResponse { .. }));
    assert_eq!(q[2].body, QuestionBody::TrueFalse { answer: true });
    assert_eq!(q[2].extras.true_feedback, Some(rich("<p>Yes.</p>", None)));
    assert_eq!(
        q[2].extras.false_feedback,
        Some(rich("<p>It is the same ratio.</p>", None))
    );
    let feedback: Vec<Option<&str>> = q[3].extras.answers.iter().map(|a| a.feedback.as_deref()).collect();
    assert_eq!(feedback, vec![None, Some("<p>Taxes too.</p>")]);
    assert!(
        matches!(&q[4].body, QuestionBody::Numeric { answers } if answers.len() == 1 && answers[0].value == 60.0 && answers[0].tolerance == 0.5)
    );
    assert_eq!(
        q[4].extras.other_feedback,
        Some(rich("<p>Divide, then multiply by 365.</p>", None))
    );
    assert_eq!(q[5].body, QuestionBody::Essay);
    assert_eq!(
        q[5].explanation.as_deref(),
        Some("<p>Current assets less current liabilities.</p>")
    );
}

#[test]
fn every_moodle_fixture_survives_every_writer_unchanged() {
    let mut names: Vec<String> = std::fs::read_dir(fixture_path(""))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let format = Format::from_extension(&name).unwrap();
        let original = read(format, &fixture(&name), &ParseOptions { skip_unsupported: true });
        if original.has_errors() {
            // Only the file that holds nothing but a description.
            assert_eq!(name, "only_description.gift", "{:?}", original.diagnostics);
            continue;
        }
        let questions = without_lines(&original.questions);
        for (writer, text) in [
            (Format::Gift, write_gift(&original.questions)),
            (Format::MoodleXml, write_moodle_xml(&original.questions)),
            (Format::Toml, write_toml("Moodle", &original.questions)),
        ] {
            let again = reread(writer, &text);
            assert_eq!(
                without_lines(&again.questions),
                questions,
                "{name} via {writer:?}:\n{text}"
            );
        }
    }
}

#[test]
fn raw_html_in_an_option_feedback_is_reported_once() {
    let xml = "<quiz>\n<question type=\"multichoice\">\n<questiontext><text>Q</text></questiontext>\n\
               <answer fraction=\"100\"><text>a</text><feedback><text><b>Yes</b></text></feedback></answer>\n\
               <answer fraction=\"0\"><text>b</text></answer>\n</question>\n</quiz>";
    let found = errors(&read(Format::MoodleXml, xml, &ParseOptions::default()));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("CDATA"), "{}", found[0].1);
}

/// The one question of `images_in_options.xml` named `name`.
fn with_images(name: &str) -> crate::banks::question::ParsedQuestion {
    let outcome = read_fixture("images_in_options.xml");
    outcome
        .questions
        .into_iter()
        .find(|q| q.name.as_deref() == Some(name))
        .unwrap()
}

fn sha_of(file: &crate::banks::question::EmbeddedFile) -> String {
    let image = crate::banks::images::usable(file).unwrap();
    image.sha256
}

#[test]
fn moodle_xml_images_in_options_and_feedback_are_imported_without_a_warning() {
    let outcome = read_fixture("images_in_options.xml");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let trend = with_images("Trend");
    let x = &trend.extras;
    assert_eq!(x.explanation_files[0].name, "slope guide.gif");
    assert_eq!(x.answers[0].text_files[0].name, "image.png");
    assert_eq!(x.answers[0].feedback_files[0].name, "tick.gif");
    assert_eq!(x.answers[1].text_files[0].name, "image.png");
    assert_ne!(
        sha_of(&x.answers[0].text_files[0]),
        sha_of(&x.answers[1].text_files[0]),
        "two options, two pictures under one name"
    );
    let reading = with_images("Reading");
    assert_eq!(reading.extras.answers[0].feedback_files[0].name, "peak.png");
}

#[test]
fn each_moodle_text_shows_its_own_file_and_feedback_images_are_not_shown_while_answering() {
    use crate::banks::rendered::RenderedQuestion;
    let trend = with_images("Trend");
    let x = &trend.extras;
    let (rising, falling) = (sha_of(&x.answers[0].text_files[0]), sha_of(&x.answers[1].text_files[0]));
    let (tick, guide) = (sha_of(&x.answers[0].feedback_files[0]), sha_of(&x.explanation_files[0]));
    let shown = RenderedQuestion::of(&trend);
    assert!(
        shown.options[0].html.contains(&format!("/images/{rising}")),
        "{}",
        shown.options[0].html
    );
    assert!(
        shown.options[1].html.contains(&format!("/images/{falling}")),
        "{}",
        shown.options[1].html
    );
    let feedback = shown.feedback[0].as_ref().unwrap();
    assert!(feedback.html.contains(&format!("/images/{tick}")), "{}", feedback.html);
    let explanation = shown.explanation.as_ref().unwrap();
    assert!(
        explanation.html.contains(&format!("/images/{guide}")),
        "{}",
        explanation.html
    );
    assert!(!format!("{shown:?}").contains("@@PLUGINFILE@@"), "{shown:?}");
    // Candidates see the stem and the options; feedback and the
    // explanation only staff.
    assert_eq!(shown.images_while_answering(), vec![rising.clone(), falling.clone()]);
    assert_eq!(shown.images(), vec![rising, falling, tick, guide]);
}

#[test]
fn moodle_xml_images_in_options_and_feedback_are_written_back_in_their_own_elements() {
    let outcome = read_fixture("images_in_options.xml");
    let written = write_moodle_xml(&outcome.questions);
    for part in [
        "<file name=\"slope guide.gif\" path=\"/\" encoding=\"base64\">R0lGOD",
        "<text><![CDATA[<p><img src=\"@@PLUGINFILE@@/image.png\" alt=\"rising line\"></p>]]></text><file name=\"image.png\" path=\"/\" encoding=\"base64\">iVBOR",
        "<text><![CDATA[<p><img src=\"@@PLUGINFILE@@/image.png\" alt=\"falling line\"></p>]]></text><file name=\"image.png\" path=\"/\" encoding=\"base64\">R0lGOD",
        "<file name=\"tick.gif\" path=\"/\" encoding=\"base64\">R0lGOD",
        "<file name=\"peak.png\" path=\"/\" encoding=\"base64\">iVBOR",
    ] {
        assert!(written.contains(part), "{part} missing from\n{written}");
    }
    let again = reread(Format::MoodleXml, &written);
    assert_eq!(without_lines(&again.questions), without_lines(&outcome.questions));
}
