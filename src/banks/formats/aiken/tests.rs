use crate::banks::formats::{read, Format, ParseOptions};
use crate::banks::question::{ParseOutcome, QuestionBody, Severity};

fn aiken(input: &str) -> ParseOutcome {
    read(Format::Aiken, input, &ParseOptions::default())
}

fn errors(outcome: &ParseOutcome) -> Vec<(usize, String)> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.line, d.message.clone()))
        .collect()
}

#[test]
fn aiken_reads_single_choice_questions_with_dots_and_parentheses() {
    let outcome = aiken(
        "What is 10% of 250?\nA. 2.5\nB) 25\nC.250\nANSWER: B\n\nWhich is a ledger?\r\nA) A book of accounts\r\nB) A ladder\r\nANSWER: A\r\n",
    );
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(outcome.questions.len(), 2);
    let q = &outcome.questions[0];
    assert_eq!((q.line, q.stem.as_str()), (1, "What is 10% of 250?"));
    let QuestionBody::SingleChoice { options } = &q.body else {
        panic!("{:?}", q.body)
    };
    let texts: Vec<&str> = options.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, vec!["2.5", "25", "250"]);
    assert_eq!(
        options.iter().map(|o| o.credit).collect::<Vec<_>>(),
        vec![0.0, 1.0, 0.0]
    );
    assert_eq!(outcome.questions[1].line, 7);
    assert_eq!(outcome.questions[1].body.options()[0].text, "A book of accounts");
}

#[test]
fn aiken_reports_answer_letter_without_option_on_its_line() {
    let outcome = aiken("Q?\nA. a\nB. b\nC. c\nD. d\nANSWER: E\n");
    assert_eq!(
        errors(&outcome),
        vec![(6, "the answer letter E has no option E; options are A–D".to_owned())]
    );
    assert!(outcome.questions.is_empty());
}

#[test]
fn aiken_reports_a_choice_before_any_stem_on_its_line() {
    let outcome = aiken("\nA. orphan\nQ?\nA. a\nB. b\nANSWER: A");
    assert_eq!(errors(&outcome)[0].0, 2);
    assert!(errors(&outcome)[0].1.contains("before any question text"));
    assert_eq!(outcome.questions.len(), 1);
}

#[test]
fn aiken_reports_an_answer_line_before_any_stem() {
    let outcome = aiken("ANSWER: A\nQ?\nA. a\nB. b\nANSWER: A");
    assert_eq!(errors(&outcome)[0].0, 1);
    assert!(errors(&outcome)[0].1.contains("before any question text"));
}

#[test]
fn aiken_reports_fewer_than_two_choices() {
    let outcome = aiken("Q?\nA. only\nANSWER: A\n");
    assert_eq!(errors(&outcome)[0].0, 3);
    assert!(
        errors(&outcome)[0].1.contains("at least two"),
        "{}",
        errors(&outcome)[0].1
    );
}

#[test]
fn aiken_reports_a_stem_arriving_while_the_previous_question_has_no_answer() {
    let outcome = aiken("Q1?\nA. a\nB. b\nQ2?\nA. a\nB. b\nANSWER: B\n");
    assert_eq!(errors(&outcome)[0].0, 4);
    assert!(errors(&outcome)[0].1.contains("line 1"));
    // The second question is still read, so its own mistakes would show too.
    assert_eq!(outcome.questions.len(), 1);
    assert_eq!(outcome.questions[0].stem, "Q2?");
}

#[test]
fn aiken_reports_a_question_left_without_answer_at_the_end_of_the_file() {
    let outcome = aiken("Q1?\nA. a\nB. b\nANSWER: A\n\nQ2?\nA. a\nB. b\n");
    assert_eq!(errors(&outcome)[0].0, 6);
    assert!(errors(&outcome)[0].1.contains("ANSWER"));
}

#[test]
fn aiken_refuses_lowercase_answer_lines_and_letters() {
    let outcome = aiken("Q1?\nA. a\nB. b\nAnswer: A\n\nQ2?\nA. a\nB. b\nANSWER: b\n");
    let lines: Vec<usize> = errors(&outcome).iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![4, 9]);
    assert!(errors(&outcome)[1].1.contains("ANSWER: B"));
    assert!(outcome.questions.is_empty());
}

#[test]
fn aiken_reports_out_of_order_letters_and_several_answers() {
    let outcome = aiken("Q1?\nA. a\nC. c\nANSWER: A\n\nQ2?\nA. a\nB. b\nANSWER: A, B\n");
    let found = errors(&outcome);
    assert_eq!(found[0].0, 3);
    assert!(found[0].1.contains("should be B"));
    assert_eq!(found[1].0, 9);
}

#[test]
fn aiken_reports_every_problem_in_the_file() {
    let outcome = aiken("A. x\nQ1?\nA. a\nANSWER: A\nQ2?\nA. a\nB. b\nANSWER: Z\nQ3?\nA. a\nB. b\nANSWER: A");
    let lines: Vec<usize> = errors(&outcome).iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![1, 4, 8]);
    assert_eq!(outcome.questions.len(), 1);
}
