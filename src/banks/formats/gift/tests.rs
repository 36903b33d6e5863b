use crate::banks::formats::{read, Format, ParseOptions};
use crate::banks::question::{
    ChoiceOption, Difficulty, NumericAnswer, ParseOutcome, QuestionBody, Severity, TextAnswer, TextFormat,
};

fn gift(input: &str) -> ParseOutcome {
    read(Format::Gift, input, &ParseOptions::default())
}

fn errors(outcome: &ParseOutcome) -> Vec<(usize, String)> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.line, d.message.clone()))
        .collect()
}

fn option(text: &str, credit: f64) -> ChoiceOption {
    ChoiceOption {
        text: text.to_owned(),
        credit,
        feedback: None,
    }
}

#[test]
fn gift_reads_single_choice_with_name_and_per_answer_feedback() {
    let outcome =
        gift("::Capital::What is the capital of France? {\n=Paris#Right\n~London#No, that is England\n~Berlin\n}\n");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions[0];
    assert_eq!(q.line, 1);
    assert_eq!(q.name.as_deref(), Some("Capital"));
    assert_eq!(q.stem, "What is the capital of France?");
    assert_eq!(q.difficulty, Difficulty::Medium);
    assert_eq!(q.points, 1.0);
    let QuestionBody::SingleChoice { options } = &q.body else {
        panic!("{:?}", q.body)
    };
    assert_eq!(options[0].feedback.as_deref(), Some("Right"));
    assert_eq!(options[1].feedback.as_deref(), Some("No, that is England"));
    assert_eq!(
        options.iter().map(|o| o.credit).collect::<Vec<_>>(),
        vec![1.0, 0.0, 0.0]
    );
}

#[test]
fn gift_without_equals_is_multiple_response_with_weighted_and_negative_credit() {
    let outcome = gift("Which are prime? {~%50%2 ~%50%3 ~%-25%4 ~%-25%6}");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let expected = vec![
        option("2", 0.5),
        option("3", 0.5),
        option("4", -0.25),
        option("6", -0.25),
    ];
    assert_eq!(
        outcome.questions[0].body,
        QuestionBody::MultipleResponse { options: expected }
    );
}

#[test]
fn gift_single_choice_may_carry_a_partially_right_option() {
    let outcome = gift("Best? {=a ~%33.33333%b ~c}");
    let credits: Vec<f64> = outcome.questions[0].body.options().iter().map(|o| o.credit).collect();
    assert_eq!(credits, vec![1.0, 0.3333333, 0.0]);
    assert!(matches!(outcome.questions[0].body, QuestionBody::SingleChoice { .. }));
}

#[test]
fn gift_reads_true_false_in_every_spelling() {
    let outcome = gift("A {T}\n\nB {TRUE}\n\nC {F}\n\nD {FALSE#not so}\n\nE {false}");
    let answers: Vec<QuestionBody> = outcome.questions.iter().map(|q| q.body.clone()).collect();
    let tf = |answer| QuestionBody::TrueFalse { answer };
    assert_eq!(answers, vec![tf(true), tf(true), tf(false), tf(false), tf(false)]);
}

#[test]
fn gift_reads_numeric_tolerance_range_and_weighted_answers() {
    let outcome = gift("Tol {#25:0.5}\n\nRange {#24..26}\n\nMany {#=%100%25:0.5 =%50%24:2}\n\nExact {#-3}");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let numeric = |answers: Vec<(f64, f64, f64)>| QuestionBody::Numeric {
        answers: answers
            .into_iter()
            .map(|(value, tolerance, credit)| NumericAnswer {
                value,
                tolerance,
                credit,
            })
            .collect(),
    };
    let bodies: Vec<QuestionBody> = outcome.questions.iter().map(|q| q.body.clone()).collect();
    assert_eq!(
        bodies,
        vec![
            numeric(vec![(25.0, 0.5, 1.0)]),
            numeric(vec![(25.0, 1.0, 1.0)]),
            numeric(vec![(25.0, 0.5, 1.0), (24.0, 2.0, 0.5)]),
            numeric(vec![(-3.0, 0.0, 1.0)]),
        ]
    );
}

#[test]
fn gift_reads_short_answer_with_weights() {
    let outcome = gift("Expand NPV. {=net present value =%50%present value#close}");
    let expected = vec![
        TextAnswer {
            text: "net present value".into(),
            credit: 1.0,
        },
        TextAnswer {
            text: "present value".into(),
            credit: 0.5,
        },
    ];
    assert_eq!(outcome.questions[0].body, QuestionBody::ShortText { answers: expected });
}

#[test]
fn gift_reads_essay_and_general_feedback_as_explanation() {
    let outcome =
        gift("Describe a ledger. {####A ledger records transactions.}\n\nTwo plus two? {=4 ~5 ####Basic sums.}");
    assert_eq!(outcome.questions[0].body, QuestionBody::Essay);
    assert_eq!(
        outcome.questions[0].explanation.as_deref(),
        Some("A ledger records transactions.")
    );
    assert_eq!(outcome.questions[1].explanation.as_deref(), Some("Basic sums."));
    assert_eq!(outcome.questions[1].body.options().len(), 2);
}

#[test]
fn gift_text_after_the_block_makes_a_missing_word_stem() {
    let outcome = gift("The sun rises in the {=east ~west} every morning.");
    assert_eq!(outcome.questions[0].stem, "The sun rises in the _____ every morning.");
    let outcome = gift("{=Paris ~Rome} is the capital of France.");
    assert_eq!(outcome.questions[0].stem, "_____ is the capital of France.");
}

#[test]
fn gift_escapes_are_literal_text_with_double_backslash_first() {
    let outcome = gift("Is 1\\=1 \\{really\\} \\#1 \\~ish a\\:b c\\\\nd e\\nf? {=yes \\= no ~no}");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions[0];
    assert_eq!(q.stem, "Is 1=1 {really} #1 ~ish a:b c\\nd e\nf?");
    assert_eq!(q.body.options()[0].text, "yes = no");
}

#[test]
fn gift_skips_comment_lines_even_inside_a_question() {
    let outcome = gift("// a comment\n// another { with a brace\nQ? {\n// between answers\n=a ~b}\n");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(outcome.questions.len(), 1);
    assert_eq!(outcome.questions[0].line, 3);
}

#[test]
fn gift_category_applies_to_the_questions_after_it() {
    let input = "Q0 {T}\n\n$CATEGORY: $course$/top/Finance//Accounting/Ratios\n\nQ1 {T}\n\nQ2 {F}\n\n$CATEGORY: Aptitude\n\nQ3 {T}";
    let outcome = gift(input);
    let categories: Vec<Option<&str>> = outcome.questions.iter().map(|q| q.category.as_deref()).collect();
    assert_eq!(
        categories,
        vec![
            None,
            Some("Finance//Accounting/Ratios"),
            Some("Finance//Accounting/Ratios"),
            Some("Aptitude")
        ]
    );
}

#[test]
fn gift_format_tags_set_the_stem_format() {
    let outcome = gift("::n::[html]<p>Hi</p> {T}\n\n[markdown]**Hi** {T}\n\n[plain]Hi {T}\n\nHi {T}");
    let formats: Vec<TextFormat> = outcome.questions.iter().map(|q| q.stem_format).collect();
    assert_eq!(
        formats,
        vec![
            TextFormat::Html,
            TextFormat::Markdown,
            TextFormat::Plain,
            TextFormat::Plain
        ]
    );
    assert_eq!(outcome.questions[0].stem, "<p>Hi</p>");
}

#[test]
fn gift_description_is_skipped_with_a_warning_on_its_line() {
    let outcome = gift("Q {T}\n\nJust some reading text.\n\nQ2 {F}");
    assert_eq!(outcome.questions.len(), 2);
    let warning = &outcome.diagnostics[0];
    assert_eq!((warning.line, warning.severity), (3, Severity::Warning));
    assert!(warning.message.contains("description"));
}

#[test]
fn gift_matching_is_unsupported_on_its_line() {
    let outcome = gift("Q {T}\n\n// note\n::Pets::\nMatch these. {\n=cat -> meow\n=dog -> woof\n}");
    let diagnostic = &outcome.diagnostics[0];
    assert_eq!(
        (diagnostic.line, diagnostic.severity, diagnostic.unsupported),
        (4, Severity::Error, true)
    );
    assert!(outcome.has_errors());
}

#[test]
fn gift_matching_becomes_a_warning_with_skip_unsupported_and_the_rest_imports() {
    let input = "Q {T}\n\nMatch. {=cat -> meow =dog -> woof}\n\nQ2 {F}";
    let outcome = read(Format::Gift, input, &ParseOptions { skip_unsupported: true });
    assert!(!outcome.has_errors());
    assert_eq!(outcome.questions.len(), 2);
    assert_eq!(outcome.diagnostics[0].line, 3);
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
}

#[test]
fn gift_reports_an_unclosed_answer_block_on_the_line_of_its_brace() {
    let outcome = gift("Q1 {T}\n\nWhat\nis this {\n=a\n~b\n");
    assert_eq!(errors(&outcome)[0].0, 4);
    assert!(errors(&outcome)[0].1.contains("never closed"));
    assert_eq!(outcome.questions.len(), 1);
}

#[test]
fn gift_reports_an_unclosed_name() {
    let outcome = gift("\n::Name without end {T}");
    assert_eq!(
        errors(&outcome),
        vec![(2, "the question name opened with :: has no closing ::".to_owned())]
    );
}

#[test]
fn gift_reports_a_bad_weight_on_the_line_of_its_answer() {
    let outcome = gift("Q {\n=a\n~%abc%b\n}");
    let found = errors(&outcome);
    assert_eq!(found[0].0, 3);
    assert!(found[0].1.contains("%abc%"), "{}", found[0].1);
}

#[test]
fn gift_reports_a_number_that_is_not_one() {
    let outcome = gift("Q {#twelve}\n\nR {#=5:1 =x:2}\n\nS {#26..24}");
    let lines: Vec<usize> = errors(&outcome).iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![1, 3, 5]);
    assert!(errors(&outcome)[2].1.contains("backwards"));
}

#[test]
fn gift_reports_stray_and_second_braces() {
    let outcome = gift("A } here {T}\n\nB {T} and {F}\n\nC {=a {b}");
    let lines: Vec<usize> = errors(&outcome).iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![1, 3, 5]);
}

#[test]
fn gift_reports_every_problem_in_the_file_not_just_the_first() {
    let outcome = gift("Q1 {=a ~%x%b}\n\nQ2 {T}\n\nQ3 {\n\nQ4 {~%33%a =b}\n\n{=only}");
    let lines: Vec<usize> = errors(&outcome).iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![1, 5, 7, 9]);
    assert_eq!(outcome.questions.len(), 1);
}

#[test]
fn gift_choice_without_text_is_an_error_on_its_line() {
    let outcome = gift("Q {\n=a\n~\n}");
    assert_eq!(errors(&outcome)[0].0, 3);
}

#[test]
fn gift_assay_comment_sets_id_difficulty_points_and_tags() {
    let input =
        "// assay: id=quant-001; difficulty=hard; points=2.5; tags=percentages,ratios\\, odds,a\\;b\n::n:: Q {T}";
    let outcome = gift(input);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let q = &outcome.questions[0];
    assert_eq!(q.external_id.as_deref(), Some("quant-001"));
    assert_eq!(q.difficulty, Difficulty::Hard);
    assert_eq!(q.points, 2.5);
    assert_eq!(q.tags, vec!["percentages", "ratios, odds", "a;b"]);
    assert_eq!(q.line, 2);
}

#[test]
fn gift_assay_comment_with_a_bad_difficulty_is_an_error_on_its_line() {
    let outcome = gift("Q0 {T}\n\n// assay: difficulty=brutal\nQ {T}");
    assert_eq!(errors(&outcome)[0].0, 3);
    assert!(errors(&outcome)[0].1.contains("brutal"));
    assert_eq!(outcome.questions.len(), 1);
}

#[test]
fn gift_reads_windows_line_endings() {
    let outcome = gift("::a::Q1 {\r\n=x\r\n~y\r\n}\r\n\r\nQ2 {T}\r\n");
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(outcome.questions.len(), 2);
    assert_eq!(outcome.questions[1].line, 6);
}
