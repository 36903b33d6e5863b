use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn a_filled_form_reads_back_into_the_question_it_shows() {
    let q = ParsedQuestion {
        line: 0,
        external_id: Some("q-1".into()),
        name: None,
        category: Some("Aptitude".into()),
        difficulty: Difficulty::Hard,
        points: 2.0,
        tags: vec!["ratios".into()],
        stem: "Which?".into(),
        stem_format: TextFormat::Markdown,
        body: QuestionBody::SingleChoice {
            options: vec![
                ChoiceOption {
                    text: "A".into(),
                    credit: 1.0,
                    feedback: Some("Yes".into()),
                },
                ChoiceOption {
                    text: "B".into(),
                    credit: 0.0,
                    feedback: None,
                },
            ],
        },
        explanation: Some("Because.".into()),
        extras: QuestionExtras::default(),
        irt_a: None,
        irt_b: None,
    };
    let form = EditorForm::of(&q);
    assert_eq!(form.options.len(), 4, "two rows to spare");
    assert_eq!(form.to_question(Some(&q)).unwrap(), q);
}

#[test]
fn each_problem_names_its_field() {
    let form = EditorForm::from_pairs(&pairs(&[
        ("type", "numeric"),
        ("difficulty", "medium"),
        ("stem_format", "markdown"),
        ("points", "zero"),
        ("stem", " "),
        ("numeric_value_0", "twelve"),
        ("numeric_tolerance_0", "-1"),
        ("numeric_credit_0", "150"),
    ]));
    let problems = form.to_question(None).unwrap_err().0;
    let fields: Vec<&str> = problems.iter().filter_map(|p| p.field.as_deref()).collect();
    assert_eq!(
        fields,
        [
            "points",
            "stem",
            "numeric_value_0",
            "numeric_tolerance_0",
            "numeric_credit_0"
        ]
    );
}

#[test]
fn a_single_choice_without_a_full_credit_option_is_refused_on_the_options() {
    let form = EditorForm::from_pairs(&pairs(&[
        ("type", "single_choice"),
        ("difficulty", "easy"),
        ("stem_format", "plain"),
        ("points", "1"),
        ("stem", "Pick"),
        ("option_text_0", "a"),
        ("option_credit_0", "50"),
        ("option_text_1", "b"),
        ("option_text_3", ""),
    ]));
    let problems = form.to_question(None).unwrap_err().0;
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field.as_deref(), Some("options"));
}
