//! One bank that holds every question type, weighted and negative credit,
//! several numeric answers, unicode, and every character some format has to
//! escape: what a lossless writer must carry through.

use crate::banks::question::{
    AnswerExtras, ChoiceOption, Difficulty, EmbeddedFile, NumericAnswer, ParsedQuestion, QuestionBody, QuestionExtras,
    RichText, TextAnswer, TextFormat,
};

fn file(name: &str) -> EmbeddedFile {
    EmbeddedFile {
        name: name.to_owned(),
        path: "/".to_owned(),
        content: "iVBORw0KGgo=".to_owned(),
    }
}

fn rich(text: &str, format: Option<TextFormat>) -> RichText {
    RichText {
        text: text.to_owned(),
        format,
        files: Vec::new(),
    }
}

fn question(id: Option<&str>, stem: &str, body: QuestionBody) -> ParsedQuestion {
    ParsedQuestion {
        line: 0,
        external_id: id.map(str::to_owned),
        name: None,
        category: None,
        difficulty: Difficulty::Medium,
        points: 1.0,
        tags: Vec::new(),
        stem: stem.to_owned(),
        stem_format: TextFormat::Plain,
        body,
        explanation: None,
        extras: Default::default(),
        irt_a: None,
        irt_b: None,
    }
}

fn option(text: &str, credit: f64, feedback: Option<&str>) -> ChoiceOption {
    ChoiceOption {
        text: text.to_owned(),
        credit,
        feedback: feedback.map(str::to_owned),
    }
}

/// Every type, weighted and negative credit, several numeric answers,
/// unicode, and every character some format has to escape.
pub(super) fn fixture() -> Vec<ParsedQuestion> {
    let nasty =
        "Braces {x} ~tilde =equals #hash :colon \\backslash \\n \"quotes\" 'single' <b>&amp;</b> ;semi, comma | pipe";
    vec![
        ParsedQuestion {
            name: Some("Percent rise :: part 1".into()),
            category: Some("Aptitude/Quantitative".into()),
            difficulty: Difficulty::Hard,
            points: 2.0,
            tags: vec!["percentages".into(), "ratios".into()],
            explanation: Some("300 / 1,200 = 25%.\n\nSecond paragraph.".into()),
            irt_a: Some(1.234_567_890_123),
            irt_b: Some(-0.4),
            ..question(
                Some("quant-001"),
                "A premium rises from 1,200 to 1,500.\nBy what percent did it rise?",
                QuestionBody::SingleChoice {
                    options: vec![
                        option("20%", 0.0, Some("Too low: that is 300 / 1,500.")),
                        option("25%", 1.0, Some("Right")),
                        option("30%", 0.0, None),
                        option("15%", 0.0, None),
                    ],
                },
            )
        },
        ParsedQuestion {
            category: Some("Aptitude/Quantitative".into()),
            difficulty: Difficulty::Easy,
            points: 0.5,
            ..question(
                Some("id;with=odd,chars\\and spaces"),
                nasty,
                QuestionBody::SingleChoice {
                    options: vec![
                        option(nasty, 1.0, Some(nasty)),
                        option("%50 off", 0.5, None),
                        option("%50% off", -0.25, None),
                        option("Zürich – 東京 🚀", 0.0, Some("ünïcödé")),
                    ],
                },
            )
        },
        ParsedQuestion {
            category: Some("Finance//Accounting/Ratios".into()),
            tags: vec!["a,b".into(), "c;d".into(), "e\\f".into(), "ä ö".into()],
            ..question(
                Some("even"),
                "Which are even?",
                QuestionBody::MultipleResponse {
                    options: vec![option("2", 0.5, None), option("3", 0.0, None), option("4", 0.5, None)],
                },
            )
        },
        question(
            None,
            "Weighted with thirds",
            QuestionBody::MultipleResponse {
                options: vec![
                    option("a", 1.0 / 3.0, None),
                    option("b", 1.0 / 3.0, Some("partly")),
                    option("c", 1.0 / 3.0, None),
                    option("d", -0.125, None),
                    option("e", -1.0, None),
                ],
            },
        ),
        ParsedQuestion {
            name: Some("TF".into()),
            stem_format: TextFormat::Html,
            ..question(
                Some("tf-1"),
                "<p>Zero is <em>even</em>.</p>",
                QuestionBody::TrueFalse { answer: true },
            )
        },
        question(
            Some("tf-2"),
            "// not a comment",
            QuestionBody::TrueFalse { answer: false },
        ),
        question(
            Some("tf-3"),
            "[html] is not a tag here",
            QuestionBody::TrueFalse { answer: false },
        ),
        question(
            Some("tf-4"),
            "$CATEGORY: not a category",
            QuestionBody::TrueFalse { answer: true },
        ),
        question(
            Some("num-1"),
            "10% of 250?",
            QuestionBody::Numeric {
                answers: vec![NumericAnswer {
                    value: 25.0,
                    tolerance: 0.5,
                    credit: 1.0,
                }],
            },
        ),
        ParsedQuestion {
            category: Some("top".into()),
            ..question(
                Some("num-2"),
                "Several answers",
                QuestionBody::Numeric {
                    answers: vec![
                        NumericAnswer {
                            value: 25.0,
                            tolerance: 0.5,
                            credit: 1.0,
                        },
                        NumericAnswer {
                            value: 24.0,
                            tolerance: 2.0,
                            credit: 0.5,
                        },
                        NumericAnswer {
                            value: -1e-7,
                            tolerance: 0.0,
                            credit: -0.1,
                        },
                        NumericAnswer {
                            value: 1.5e300,
                            tolerance: 1e-300,
                            credit: 0.1,
                        },
                    ],
                },
            )
        },
        question(
            Some("num-3"),
            "Only partly right",
            QuestionBody::Numeric {
                answers: vec![NumericAnswer {
                    value: 0.1,
                    tolerance: 0.0,
                    credit: 0.7,
                }],
            },
        ),
        ParsedQuestion {
            tags: vec!["finance".into()],
            ..question(
                Some("short-1"),
                "Expand NPV",
                QuestionBody::ShortText {
                    answers: vec![
                        TextAnswer {
                            text: "net present value".into(),
                            credit: 1.0,
                        },
                        TextAnswer {
                            text: "T".into(),
                            credit: 1.0,
                        },
                        TextAnswer {
                            text: "x -> y".into(),
                            credit: 0.5,
                        },
                        TextAnswer {
                            text: "%5% and a|b".into(),
                            credit: 1.0,
                        },
                    ],
                },
            )
        },
        ParsedQuestion {
            stem_format: TextFormat::Markdown,
            explanation: Some("Look for **ledger**, *journal*.".into()),
            irt_a: None,
            irt_b: None,
            ..question(
                Some("essay-1"),
                "Discuss **ledgers**\n\n- one\n- two",
                QuestionBody::Essay,
            )
        },
        // What Moodle keeps beside the key: per-answer formats, feedback
        // and files, true/false and catch-all feedback, essay texts.
        ParsedQuestion {
            stem_format: TextFormat::Html,
            explanation: Some("<p>Because.</p>".into()),
            extras: QuestionExtras {
                explanation_format: Some(TextFormat::Moodle),
                explanation_files: vec![file("why.png")],
                answers: vec![
                    AnswerExtras {
                        text_format: Some(TextFormat::Plain),
                        feedback_format: Some(TextFormat::Markdown),
                        text_files: vec![file("a.png")],
                        feedback_files: vec![file("b.png")],
                        ..AnswerExtras::default()
                    },
                    AnswerExtras::default(),
                ],
                ..QuestionExtras::default()
            },
            ..question(
                Some("moodle-mc"),
                "<p>Pick <b>one</b></p>",
                QuestionBody::SingleChoice {
                    options: vec![
                        option("<b>x</b> [html] a", 1.0, Some("*yes*")),
                        option("[plain] y", 0.0, None),
                    ],
                },
            )
        },
        ParsedQuestion {
            extras: QuestionExtras {
                true_feedback: Some(rich("Right: it is true.", None)),
                false_feedback: Some(rich("<i>No</i>", Some(TextFormat::Html))),
                ..QuestionExtras::default()
            },
            ..question(
                Some("moodle-tf"),
                "Is it true?",
                QuestionBody::TrueFalse { answer: true },
            )
        },
        ParsedQuestion {
            extras: QuestionExtras {
                false_feedback: Some(rich("Yes, it is false.", None)),
                ..QuestionExtras::default()
            },
            ..question(
                Some("moodle-tf-2"),
                "Is it false?",
                QuestionBody::TrueFalse { answer: false },
            )
        },
        ParsedQuestion {
            extras: QuestionExtras {
                answers: vec![
                    AnswerExtras {
                        feedback: Some("Exactly".into()),
                        ..AnswerExtras::default()
                    },
                    AnswerExtras::default(),
                ],
                other_feedback: Some(rich("Work it out: 10% is a tenth.", None)),
                ..QuestionExtras::default()
            },
            ..question(
                Some("moodle-num"),
                "10% of 250, again?",
                QuestionBody::Numeric {
                    answers: vec![
                        NumericAnswer {
                            value: 25.0,
                            tolerance: 0.0,
                            credit: 1.0,
                        },
                        NumericAnswer {
                            value: 2.5,
                            tolerance: 0.0,
                            credit: 0.1,
                        },
                    ],
                },
            )
        },
        ParsedQuestion {
            extras: QuestionExtras {
                answers: vec![
                    AnswerExtras::default(),
                    AnswerExtras {
                        feedback: Some("Close: that is the short form.".into()),
                        feedback_format: Some(TextFormat::Html),
                        ..AnswerExtras::default()
                    },
                ],
                ..QuestionExtras::default()
            },
            ..question(
                Some("moodle-short"),
                "Expand NPV, again",
                QuestionBody::ShortText {
                    answers: vec![
                        TextAnswer {
                            text: "net present value".into(),
                            credit: 1.0,
                        },
                        TextAnswer {
                            text: "NPV".into(),
                            credit: 0.5,
                        },
                    ],
                },
            )
        },
        ParsedQuestion {
            extras: QuestionExtras {
                grader_info: Some(rich("Look for; a \\ ledger, \n and 100%.", Some(TextFormat::Html))),
                response_template: Some(rich("Dear board,\n\nI propose", None)),
                ..QuestionExtras::default()
            },
            ..question(Some("moodle-essay"), "Describe a ledger.", QuestionBody::Essay)
        },
        question(
            None,
            "The sun rises in the _____ every morning.",
            QuestionBody::ShortText {
                answers: vec![TextAnswer {
                    text: "east".into(),
                    credit: 1.0,
                }],
            },
        ),
    ]
}
