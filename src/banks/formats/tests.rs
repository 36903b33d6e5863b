//! Promises that hold across formats: detection, decoding, lossless round
//! trips through both writers, and no panic on any input.

use super::*;
use crate::banks::question::ParsedQuestion;

mod fixture;
mod moodle;
mod robustness;

use fixture::fixture;

fn without_lines(questions: &[ParsedQuestion]) -> Vec<ParsedQuestion> {
    questions
        .iter()
        .cloned()
        .map(|q| ParsedQuestion { line: 0, ..q })
        .collect()
}

fn reread(format: Format, text: &str) -> ParseOutcome {
    let outcome = read(format, text, &ParseOptions::default());
    assert!(!outcome.has_errors(), "{:?}\n{text}", outcome.diagnostics);
    outcome
}

#[test]
fn the_fixture_is_valid_in_every_writer() {
    for q in fixture() {
        let mut outcome = ParseOutcome {
            questions: vec![q],
            ..ParseOutcome::default()
        };
        checks::check_all(&mut outcome);
        assert!(!outcome.has_errors(), "{:?}", outcome.diagnostics);
    }
}

#[test]
fn toml_round_trip_is_lossless_for_every_field_but_line() {
    let questions = fixture();
    let text = write_toml("Bank \"Δ\" \\ name", &questions);
    let outcome = reread(Format::Toml, &text);
    assert_eq!(outcome.bank_name.as_deref(), Some("Bank \"Δ\" \\ name"));
    assert_eq!(without_lines(&outcome.questions), without_lines(&questions), "{text}");
}

#[test]
fn gift_round_trip_is_lossless_for_every_field_but_line() {
    let questions = fixture();
    let text = write_gift(&questions);
    let outcome = reread(Format::Gift, &text);
    assert_eq!(without_lines(&outcome.questions), without_lines(&questions), "{text}");
}

#[test]
fn moodle_xml_round_trip_is_lossless_for_every_field_but_line() {
    let questions = fixture();
    let text = write_moodle_xml(&questions);
    let outcome = reread(Format::MoodleXml, &text);
    assert_eq!(without_lines(&outcome.questions), without_lines(&questions), "{text}");
}

#[test]
fn a_moodle_xml_export_survives_gift_and_back_to_moodle_xml() {
    let questions = fixture();
    let once = reread(Format::MoodleXml, &write_moodle_xml(&questions));
    let gift = reread(Format::Gift, &write_gift(&once.questions));
    let again = reread(Format::MoodleXml, &write_moodle_xml(&gift.questions));
    assert_eq!(without_lines(&again.questions), without_lines(&questions));
}

#[test]
fn shared_category_is_written_once_in_the_bank_table() {
    let questions: Vec<ParsedQuestion> = fixture()
        .into_iter()
        .map(|q| ParsedQuestion {
            category: Some("Aptitude/Verbal".into()),
            ..q
        })
        .collect();
    let text = write_toml("b", &questions);
    assert_eq!(text.matches("category = ").count(), 1);
    assert_eq!(
        without_lines(&reread(Format::Toml, &text).questions),
        without_lines(&questions)
    );
}

#[test]
fn gift_writer_output_looks_like_the_format() {
    let text = write_gift(&fixture()[..1]);
    let expected = "$CATEGORY: Aptitude/Quantitative\n\n\
        // [id:quant-001] [tag:percentages] [tag:ratios]\n\
        // assay: difficulty=hard; points=2; irt_a=1.234567890123; irt_b=-0.4\n\
        ::Percent rise \\:\\: part 1::A premium rises from 1,200 to 1,500.\\nBy what percent did it rise? \
        {~20%#Too low\\: that is 300 / 1,500. =25%#Right ~30% ~15% ####300 / 1,200 \\= 25%.\\n\\nSecond paragraph.}\n\n";
    assert_eq!(text, expected);
}

#[test]
fn toml_writer_output_looks_like_the_format() {
    let text = write_toml("Quantitative aptitude", &fixture()[..1]);
    assert!(text.starts_with("[bank]\nname = \"Quantitative aptitude\"\ncategory = \"Aptitude/Quantitative\"\n\n[[question]]\nid = \"quant-001\"\ntype = \"single_choice\"\n"), "{text}");
    assert!(
        text.contains("\noptions = [\"20%\", \"25%\", \"30%\", \"15%\"]\n"),
        "{text}"
    );
    assert!(text.contains("\nanswer = \"B\"\n"), "{text}");
}

#[test]
fn formats_name_themselves_and_parse_back() {
    for format in Format::ALL {
        assert_eq!(Format::parse(format.as_str()), Some(format));
    }
    assert_eq!(Format::parse("XML"), Some(Format::MoodleXml));
    assert_eq!(Format::parse("docx"), None);
}

#[test]
fn extension_decides_unless_it_is_txt() {
    assert_eq!(Format::from_extension("bank.TOML"), Some(Format::Toml));
    assert_eq!(Format::from_extension("a.b.csv"), Some(Format::Csv));
    assert_eq!(Format::from_extension("q.gift"), Some(Format::Gift));
    assert_eq!(Format::from_extension("moodle.xml"), Some(Format::MoodleXml));
    assert_eq!(Format::from_extension("questions.txt"), None);
    assert_eq!(Format::from_extension("README"), None);
    assert_eq!(
        Format::detect("questions.txt", "Q?\nA. a\nB. b\nANSWER: A\n"),
        Some(Format::Aiken)
    );
    assert_eq!(Format::detect("questions.txt", "// c\nQ? {T}\n"), Some(Format::Gift));
}

#[test]
fn sniffing_recognises_each_format() {
    assert_eq!(Format::sniff(&write_toml("b", &fixture())), Some(Format::Toml));
    assert_eq!(Format::sniff(&write_gift(&fixture())), Some(Format::Gift));
    assert_eq!(
        Format::sniff("\u{feff}<?xml version=\"1.0\"?><quiz/>"),
        Some(Format::MoodleXml)
    );
    assert_eq!(Format::sniff("id,type,stem,answer\nq,essay,x,\n"), Some(Format::Csv));
    assert_eq!(Format::sniff("Q?\nA. a\nB. b\nANSWER: B\n"), Some(Format::Aiken));
    assert_eq!(Format::sniff("just words"), None);
}

#[test]
fn decode_strips_a_bom_and_refuses_empty_files() {
    assert_eq!(decode(b"\xEF\xBB\xBFQ {T}"), Ok("Q {T}"));
    assert_eq!(decode(b" \n\t ").unwrap_err().message, "the file is empty");
    assert!(decode(b"").is_err());
    assert!(decode(b"\xFF\xFEQ\x00").unwrap_err().message.contains("UTF-16"));
}

#[test]
fn decode_points_at_the_first_byte_that_is_not_utf8() {
    let error = decode(b"first line\nsecond caf\xE9 line\n").unwrap_err();
    assert_eq!((error.line, error.column), (2, Some(11)));
    assert!(error.message.contains("0xE9"), "{}", error.message);
    let mut bytes = "é\nüü€".as_bytes().to_vec();
    bytes.push(0xC3);
    let error = decode(&bytes).unwrap_err();
    assert_eq!((error.line, error.column), (2, Some(4)));
}

#[test]
fn a_file_without_questions_is_an_error() {
    let outcome = read(Format::Gift, "// only a comment\n", &ParseOptions::default());
    assert!(outcome.has_errors());
    assert_eq!(outcome.diagnostics[0].line, 1);
}

#[test]
fn diagnostics_come_sorted_by_line() {
    let outcome = read(
        Format::Aiken,
        "A. x\nQ?\nA. a\nANSWER: C\nANSWER: A\n",
        &ParseOptions::default(),
    );
    let lines: Vec<usize> = outcome.diagnostics.iter().map(|d| d.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn shipped_banks_read_cleanly_and_survive_every_writer() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question_banks");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = decode(&bytes).unwrap();
        let outcome = read(Format::Toml, text, &ParseOptions::default());
        assert!(
            outcome.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            outcome.diagnostics
        );
        let name = outcome.bank_name.clone().unwrap();
        let toml = reread(Format::Toml, &write_toml(&name, &outcome.questions));
        assert_eq!(toml.bank_name.as_deref(), Some(name.as_str()));
        assert_eq!(
            without_lines(&toml.questions),
            without_lines(&outcome.questions),
            "{}",
            path.display()
        );
        let gift = reread(Format::Gift, &write_gift(&outcome.questions));
        assert_eq!(
            without_lines(&gift.questions),
            without_lines(&outcome.questions),
            "{}",
            path.display()
        );
        let xml = reread(Format::MoodleXml, &write_moodle_xml(&outcome.questions));
        assert_eq!(
            without_lines(&xml.questions),
            without_lines(&outcome.questions),
            "{}",
            path.display()
        );
    }
}

#[test]
fn csv_bank_carries_calibrated_irt_parameters() {
    let text = "id,type,stem,option_a,option_b,answer,irt_a,irt_b\n\
        q1,single_choice,Two plus two?,4,5,A,1.25,-0.5\n\
        q2,single_choice,Three plus three?,6,7,A,,\n";
    let outcome = reread(Format::Csv, text);
    assert_eq!(outcome.questions[0].irt_a, Some(1.25));
    assert_eq!(outcome.questions[0].irt_b, Some(-0.5));
    assert_eq!(outcome.questions[1].irt_a, None);
    // The TOML written from it carries them on, unchanged.
    let toml = write_toml("b", &outcome.questions);
    assert!(toml.contains("irt_a = 1.25") && toml.contains("irt_b = -0.5"), "{toml}");
    assert_eq!(
        without_lines(&reread(Format::Toml, &toml).questions),
        without_lines(&outcome.questions)
    );
}

#[test]
fn irt_parameters_come_in_pairs_with_a_positive_discrimination() {
    for (row, says) in [
        ("q1,single_choice,Two?,4,5,A,1.25,\n", "give both"),
        ("q1,single_choice,Two?,4,5,A,-0.7,0.2\n", "key is wrong"),
        ("q1,single_choice,Two?,4,5,A,abc,0.2\n", "not a number"),
    ] {
        let text = format!("id,type,stem,option_a,option_b,answer,irt_a,irt_b\n{row}");
        let outcome = read(Format::Csv, &text, &ParseOptions::default());
        assert!(outcome.has_errors(), "{row}");
        assert!(
            outcome.diagnostics.iter().any(|d| d.message.contains(says)),
            "{:?}",
            outcome.diagnostics
        );
    }
    let toml = "[[question]]\ntype = \"true_false\"\nstem = \"Sky is blue\"\nanswer = true\nirt_b = 0.3\n";
    let outcome = read(Format::Toml, toml, &ParseOptions::default());
    assert!(
        outcome.diagnostics.iter().any(|d| d.message.contains("give both")),
        "{:?}",
        outcome.diagnostics
    );
}
