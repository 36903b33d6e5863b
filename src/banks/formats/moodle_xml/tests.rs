use crate::banks::formats::{read, Format, ParseOptions};
use crate::banks::question::{
    ChoiceOption, NumericAnswer, ParseOutcome, QuestionBody, Severity, TextAnswer, TextFormat,
};

fn xml(input: &str) -> ParseOutcome {
    read(Format::MoodleXml, input, &ParseOptions::default())
}

fn errors(outcome: &ParseOutcome) -> Vec<(usize, String)> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.line, d.message.clone()))
        .collect()
}

/// Every type Assay reads, as Moodle exports it; the robustness tests
/// cut and mangle it too.
pub(in crate::banks::formats) const QUIZ: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Finance//Accounting/Ratios</text></category>
  </question>
  <question type="multichoice">
    <name><text>Capital &amp; cities</text></name>
    <questiontext format="html"><text><![CDATA[<p>Capital of <b>France</b>?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>Paris &#233;tait.</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <idnumber>geo-1</idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answer fraction="100" format="html"><text>Paris</text><feedback><text>Yes</text></feedback></answer>
    <answer fraction="0"><text>Lyon</text></answer>
    <tags><tag><text>geography</text></tag><tag><text>europe</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>Primes</text></name>
    <questiontext format="plain_text"><text>Which are prime?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>2</text></answer>
    <answer fraction="50"><text>3</text></answer>
    <answer fraction="-33.33333"><text>4</text></answer>
  </question>
  <question type="truefalse">
    <questiontext><text>Zero is even.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <questiontext><text>Expand NPV</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>net present value</text></answer>
    <answer fraction="50"><text>present value</text></answer>
  </question>
  <question type="numerical">
    <questiontext><text>10% of 250?</text></questiontext>
    <answer fraction="100"><text>25</text><tolerance>0.5</tolerance></answer>
    <answer fraction="50"><text>24</text><tolerance>2</tolerance></answer>
    <answer fraction="0"><text>*</text></answer>
  </question>
  <question type="essay">
    <questiontext format="markdown"><text>Discuss **ledgers**.</text></questiontext>
  </question>
  <question type="description">
    <questiontext><text>Read this first.</text></questiontext>
  </question>
</quiz>
"#;

#[test]
fn moodle_xml_reads_every_supported_type_and_its_fields() {
    let outcome = xml(QUIZ);
    assert_eq!(outcome.questions.len(), 6, "{:?}", outcome.diagnostics);
    let q = &outcome.questions[0];
    assert_eq!(q.line, 7);
    assert_eq!(q.name.as_deref(), Some("Capital & cities"));
    assert_eq!(q.stem, "<p>Capital of <b>France</b>?</p>");
    assert_eq!(q.stem_format, TextFormat::Html);
    assert_eq!(q.explanation.as_deref(), Some("Paris était."));
    assert_eq!(q.points, 2.0);
    assert_eq!(q.external_id.as_deref(), Some("geo-1"));
    assert_eq!(q.category.as_deref(), Some("Finance//Accounting/Ratios"));
    assert_eq!(q.tags, vec!["geography", "europe"]);
    assert_eq!(
        q.body,
        QuestionBody::SingleChoice {
            options: vec![
                ChoiceOption {
                    text: "Paris".into(),
                    credit: 1.0,
                    feedback: Some("Yes".into())
                },
                ChoiceOption {
                    text: "Lyon".into(),
                    credit: 0.0,
                    feedback: None
                },
            ]
        }
    );
    let credits: Vec<f64> = outcome.questions[1].body.options().iter().map(|o| o.credit).collect();
    assert_eq!(credits, vec![0.5, 0.5, -0.3333333]);
    assert!(matches!(
        outcome.questions[1].body,
        QuestionBody::MultipleResponse { .. }
    ));
    assert_eq!(outcome.questions[1].stem_format, TextFormat::Plain);
    assert_eq!(outcome.questions[2].body, QuestionBody::TrueFalse { answer: true });
    assert_eq!(
        outcome.questions[3].body,
        QuestionBody::ShortText {
            answers: vec![
                TextAnswer {
                    text: "net present value".into(),
                    credit: 1.0
                },
                TextAnswer {
                    text: "present value".into(),
                    credit: 0.5
                },
            ]
        }
    );
    assert_eq!(
        outcome.questions[4].body,
        QuestionBody::Numeric {
            answers: vec![
                NumericAnswer {
                    value: 25.0,
                    tolerance: 0.5,
                    credit: 1.0
                },
                NumericAnswer {
                    value: 24.0,
                    tolerance: 2.0,
                    credit: 0.5
                },
            ]
        }
    );
    assert_eq!(outcome.questions[5].body, QuestionBody::Essay);
    assert_eq!(outcome.questions[5].stem_format, TextFormat::Markdown);
}

#[test]
fn moodle_xml_skips_descriptions_with_a_warning_on_their_line() {
    let outcome = xml(QUIZ);
    assert_eq!(outcome.diagnostics.len(), 1);
    assert_eq!(
        (outcome.diagnostics[0].line, outcome.diagnostics[0].severity),
        (47, Severity::Warning)
    );
}

#[test]
fn moodle_xml_refuses_a_doctype_and_its_entities() {
    let input = "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [\n  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<quiz><question type=\"essay\"><questiontext><text>&xxe;</text></questiontext></question></quiz>";
    let outcome = xml(input);
    assert!(outcome.questions.is_empty());
    assert_eq!(errors(&outcome).len(), 1);
    assert_eq!(errors(&outcome)[0].0, 2);
    assert!(errors(&outcome)[0].1.contains("DOCTYPE"));
}

#[test]
fn moodle_xml_refuses_undeclared_entities() {
    let input =
        "<quiz>\n<question type=\"essay\">\n<questiontext><text>a &nbsp; b</text></questiontext></question></quiz>";
    let found = errors(&xml(input));
    assert_eq!(found[0].0, 3);
    assert!(found[0].1.contains("&nbsp;"));
}

#[test]
fn moodle_xml_reports_unsupported_types_on_their_line() {
    let input = "<quiz>\n<question type=\"essay\"><questiontext><text>E</text></questiontext></question>\n<question type=\"matching\">\n</question>\n<question type=\"multianswer\"></question>\n<question type=\"calculated\"/>\n</quiz>";
    let outcome = xml(input);
    let unsupported: Vec<usize> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.unsupported)
        .map(|d| d.line)
        .collect();
    assert_eq!(unsupported, vec![3, 5, 6]);
    assert!(outcome.has_errors());
    let skipped = read(Format::MoodleXml, input, &ParseOptions { skip_unsupported: true });
    assert!(!skipped.has_errors());
    assert_eq!(skipped.questions.len(), 1);
}

#[test]
fn moodle_xml_reports_malformed_xml_with_line_and_column() {
    let outcome = xml("<quiz>\n<question type=\"essay\">\n<name><text>x</name>\n</question></quiz>");
    let error = &outcome.diagnostics[0];
    assert_eq!(error.line, 3);
    assert!(error.column.is_some());
    assert!(error.message.contains("not well-formed"), "{}", error.message);
}

#[test]
fn moodle_xml_reports_every_bad_value_in_the_file() {
    let input = r#"<quiz>
<question type="multichoice">
  <questiontext><text>Q</text></questiontext>
  <answer fraction="lots"><text>a</text></answer>
  <answer fraction="0"><text>b</text></answer>
</question>
<question type="numerical">
  <questiontext><text>N</text></questiontext>
  <defaultgrade>one</defaultgrade>
  <answer fraction="100"><text>x</text></answer>
</question>
<question type="truefalse">
  <questiontext><text>T</text></questiontext>
  <answer fraction="0"><text>true</text></answer>
  <answer fraction="0"><text>false</text></answer>
</question>
<question>
</question>
</quiz>"#;
    let lines: Vec<usize> = errors(&xml(input)).iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![4, 9, 12, 17]);
}

#[test]
fn moodle_xml_reports_raw_html_that_should_be_in_cdata() {
    let input = "<quiz>\n<question type=\"essay\">\n<questiontext format=\"html\"><text>a\n<p>b</p></text></questiontext></question></quiz>";
    let found = errors(&xml(input));
    assert_eq!(found[0].0, 4);
    assert!(found[0].1.contains("CDATA"));
}

#[test]
fn moodle_xml_reports_an_unclosed_element_where_it_opens() {
    let outcome = xml("<quiz>\n<question type=\"essay\">\n<questiontext><text>x</text></questiontext>\n");
    assert_eq!(errors(&outcome)[0].0, 2);
}

#[test]
fn moodle_xml_refuses_a_root_other_than_quiz() {
    let found = errors(&xml("<?xml version=\"1.0\"?>\n<questions/>"));
    assert_eq!(found[0].0, 2);
    assert!(found[0].1.contains("<quiz>"));
}

#[test]
fn moodle_xml_refuses_absurd_nesting_without_overflowing() {
    let input = format!("<quiz>{}{}</quiz>", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let found = errors(&xml(&input));
    assert!(found[0].1.contains("nest"));
}

#[test]
fn moodle_xml_keeps_files_embedded_in_the_stem_and_warns_of_one_that_is_no_image() {
    let input = "<quiz>\n<question type=\"essay\">\n<questiontext format=\"html\"><text>See <![CDATA[<img src=\"@@PLUGINFILE@@/a.png\">]]></text>\n<file name=\"a.png\" encoding=\"base64\">AAAA</file></questiontext></question></quiz>";
    let outcome = xml(input);
    assert_eq!(outcome.questions.len(), 1);
    assert_eq!(outcome.questions[0].extras.stem_files.len(), 1, "kept for export");
    assert_eq!(outcome.diagnostics.len(), 1, "{:?}", outcome.diagnostics);
    assert_eq!(outcome.diagnostics[0].line, 2);
    let message = &outcome.diagnostics[0].message;
    assert!(
        message.contains("\"a.png\" is not shown to candidates") && message.contains("kept for export"),
        "{message}"
    );
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
}

#[test]
fn moodle_xml_refuses_an_element_with_thousands_of_attributes_before_comparing_them() {
    // RUSTSEC-2026-0194's shape: 128k distinct attributes on one element
    // took 26 s to check for duplicates.
    let attributes: String = (0..128_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let input = format!("<quiz>\n<question type=\"truefalse\"{attributes}></question>\n</quiz>");
    let found = errors(&xml(&input));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 2);
    assert!(found[0].1.contains("more than 32 attributes"), "{}", found[0].1);
}

#[test]
fn moodle_xml_refuses_a_file_with_more_elements_than_any_export_has() {
    let many = "<x/>".repeat(super::MAX_ELEMENTS + 1);
    let input = format!("<quiz>\n{many}\n</quiz>");
    let found = errors(&xml(&input));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("more than 250000 elements"), "{}", found[0].1);
}

#[test]
fn moodle_xml_keeps_a_few_attributes_and_refuses_a_repeated_one() {
    let found = errors(&xml(
        "<quiz>\n<question type=\"truefalse\" type=\"essay\"></question>\n</quiz>",
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("attribute"), "{}", found[0].1);
}
