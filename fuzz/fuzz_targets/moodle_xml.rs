//! `cargo fuzz run moodle_xml`: the Moodle XML reader must never panic,
//! and whatever it reads must survive Assay's own TOML writer.

#![no_main]

use assay::banks::formats::{decode, read, write_toml, Format, ParseOptions};
use assay::banks::question::ParsedQuestion;
use libfuzzer_sys::fuzz_target;

fn without_lines(questions: &[ParsedQuestion]) -> Vec<ParsedQuestion> {
    questions
        .iter()
        .cloned()
        .map(|q| ParsedQuestion { line: 0, ..q })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data) else { return };
    for skip_unsupported in [false, true] {
        let outcome = read(Format::MoodleXml, text, &ParseOptions { skip_unsupported });
        if outcome.questions.is_empty() {
            continue;
        }
        let written = write_toml("fuzz", &outcome.questions);
        let again = read(Format::Toml, &written, &ParseOptions::default());
        assert_eq!(
            without_lines(&again.questions),
            without_lines(&outcome.questions),
            "{written}"
        );
    }
});
