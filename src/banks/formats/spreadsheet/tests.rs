use crate::banks::formats::{read, Format, ParseOptions};
use crate::banks::question::{Difficulty, NumericAnswer, ParseOutcome, QuestionBody, Severity, TextAnswer};

fn csv(input: &str) -> ParseOutcome {
    read(Format::Csv, input, &ParseOptions::default())
}

fn errors(outcome: &ParseOutcome) -> Vec<(usize, String)> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.line, d.message.clone()))
        .collect()
}

const HEADER: &str = "id,type,category,difficulty,points,stem,option_a,option_b,option_c,option_d,option_e,option_f,answer,explanation,tags\n";

#[test]
fn csv_reads_every_question_type() {
    let input = format!(
        "{HEADER}\
q1,single_choice,Aptitude/Quant,hard,2,\"A premium rises from 1,200 to 1,500. By what percent?\",20%,25%,30%,15%,,,B,\"300 / 1,200 = 25%.\",percentages;ratios\n\
q2,multiple_response,,,,Which are even?,2,3,4,,,,A;C,,\n\
q3,true_false,,,,Zero is even.,,,,,,,true,,\n\
q4,numeric,,,,10% of 250?,,,,,,,25±0.5,,\n\
q5,numeric,,,,Half of 9?,,,,,,,4.5+-0.1,,\n\
q6,short_text,,,,Expand NPV,,,,,,,npv|net present value,,\n\
q7,essay,,easy,,Discuss.,,,,,,,,,\n"
    );
    let outcome = csv(&input);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(outcome.questions.len(), 7);
    let q = &outcome.questions[0];
    assert_eq!(q.line, 2);
    assert_eq!(q.external_id.as_deref(), Some("q1"));
    assert_eq!(q.category.as_deref(), Some("Aptitude/Quant"));
    assert_eq!((q.difficulty, q.points), (Difficulty::Hard, 2.0));
    assert_eq!(q.stem, "A premium rises from 1,200 to 1,500. By what percent?");
    assert_eq!(q.tags, vec!["percentages", "ratios"]);
    assert_eq!(
        q.body.options().iter().map(|o| o.credit).collect::<Vec<_>>(),
        vec![0.0, 1.0, 0.0, 0.0]
    );
    assert_eq!(
        outcome.questions[1]
            .body
            .options()
            .iter()
            .map(|o| o.credit)
            .collect::<Vec<_>>(),
        vec![0.5, 0.0, 0.5]
    );
    assert_eq!(outcome.questions[2].body, QuestionBody::TrueFalse { answer: true });
    let numeric = |value, tolerance| QuestionBody::Numeric {
        answers: vec![NumericAnswer {
            value,
            tolerance,
            credit: 1.0,
        }],
    };
    assert_eq!(outcome.questions[3].body, numeric(25.0, 0.5));
    assert_eq!(outcome.questions[4].body, numeric(4.5, 0.1));
    assert_eq!(
        outcome.questions[5].body,
        QuestionBody::ShortText {
            answers: vec![
                TextAnswer {
                    text: "npv".into(),
                    credit: 1.0
                },
                TextAnswer {
                    text: "net present value".into(),
                    credit: 1.0
                },
            ]
        }
    );
    assert_eq!(outcome.questions[6].body, QuestionBody::Essay);
}

#[test]
fn csv_accepts_columns_in_any_order_without_optional_ones_and_a_blank_option() {
    let outcome = csv("Stem,Type,option_a,option_b,option_c,option_d,answer\nPick,single_choice,a,b,,d,D\n");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let texts: Vec<&str> = outcome.questions[0]
        .body
        .options()
        .iter()
        .map(|o| o.text.as_str())
        .collect();
    assert_eq!(texts, vec!["a", "b", "d"]);
    assert_eq!(outcome.questions[0].body.options()[2].credit, 1.0);
    let found = errors(&csv(
        "stem,type,option_a,option_b,option_c,option_d,answer\nPick,single_choice,a,b,,d,C\n",
    ));
    assert_eq!(found[0].1, "the answer letter C has no option C; options are A, B, D");
}

#[test]
fn csv_reports_unknown_columns_by_name() {
    let found = errors(&csv("type,stem,answer,hint\nessay,Discuss,,\n"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 1);
    assert!(found[0].1.contains("\"hint\""), "{}", found[0].1);
}

#[test]
fn csv_requires_the_type_column_and_a_type_on_every_row() {
    let found = errors(&csv("stem,answer\nQ,true\n"));
    assert_eq!(found.len(), 1);
    assert!(found[0].1.contains("\"type\""));
    let found = errors(&csv("type,stem,answer\n,Q,true\ntrue_false,R,true\n"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, 2);
    assert!(found[0].1.contains("type column is empty"));
}

#[test]
fn csv_reports_answer_letter_without_option_on_its_row() {
    let input =
        "type,stem,option_a,option_b,option_c,option_d,answer\nsingle_choice,Q,a,b,c,d,B\nsingle_choice,R,a,b,c,d,E\n";
    let found = errors(&csv(input));
    assert_eq!(
        found,
        vec![(3, "the answer letter E has no option E; options are A–D".to_owned())]
    );
}

#[test]
fn csv_counts_lines_of_quoted_multi_line_cells() {
    let input = "type,stem,answer\nessay,\"line one\nline two\",\ntrue_false,Q,maybe\n";
    let outcome = csv(input);
    assert_eq!(outcome.questions[0].stem, "line one\nline two");
    assert_eq!(errors(&outcome)[0].0, 4);
    assert!(errors(&outcome)[0].1.contains("maybe"));
}

#[test]
fn csv_reports_bad_numbers_difficulties_and_short_rows() {
    let input = "type,stem,difficulty,points,answer\nnumeric,Q,medium,1,twenty\nessay,R,brutal,x,\nessay,S\n";
    let found = errors(&csv(input));
    assert_eq!(found.iter().map(|e| e.0).collect::<Vec<_>>(), vec![2, 3, 3, 4]);
    assert!(found[3].1.contains("2 fields"));
}

#[test]
fn csv_refuses_several_letters_for_single_choice_and_unknown_types() {
    let input = "type,stem,option_a,option_b,answer\nsingle_choice,Q,a,b,A;B\nmcq,R,a,b,A\n";
    let found = errors(&csv(input));
    assert_eq!(found.iter().map(|e| e.0).collect::<Vec<_>>(), vec![2, 3]);
    assert!(found[1].1.contains("\"mcq\""));
}

#[test]
fn csv_warns_about_options_on_a_question_that_has_none() {
    let outcome = csv("type,stem,option_a,answer\nnumeric,Q,stray,5\n");
    assert!(!outcome.has_errors());
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
}
