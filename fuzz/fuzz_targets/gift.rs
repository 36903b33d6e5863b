//! `cargo fuzz run gift`: the GIFT reader must never panic, and whatever it
//! reads must come back unchanged through the GIFT writer.

#![no_main]

use assay::banks::formats::{decode, read, write_gift, Format, ParseOptions};
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
        let outcome = read(Format::Gift, text, &ParseOptions { skip_unsupported });
        if outcome.questions.is_empty() {
            continue;
        }
        let written = write_gift(&outcome.questions);
        let again = read(Format::Gift, &written, &ParseOptions::default());
        assert_eq!(
            without_lines(&again.questions),
            without_lines(&outcome.questions),
            "{written}"
        );
    }
});
