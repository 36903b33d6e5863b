//! What the module accepts, refuses and reports: unseen items, item kinds,
//! option sets, errors and the serialised shape.

use super::{matrix, plain};
use crate::reports::stats::{
    analyse, random_guess_percent, test_statistics, ItemInfo, ItemKind, MarksMatrix, OptionInfo, OptionSet, StatsError,
};

const SEEN: [[Option<f64>; 3]; 7] = [
    [Some(1.0), Some(2.0), Some(1.0)],
    [Some(1.0), None, Some(0.0)],
    [Some(0.0), Some(1.0), Some(1.0)],
    [Some(1.0), Some(0.0), None],
    [Some(0.0), None, Some(0.0)],
    [Some(0.5), Some(2.0), Some(1.0)],
    [Some(0.0), Some(0.0), Some(0.0)],
];

#[test]
fn item_statistics_use_only_the_attempts_that_saw_the_item() {
    let marks: Vec<Option<f64>> = SEEN.iter().flatten().copied().collect();
    let ids: Vec<i64> = (1..=7).collect();
    let max = vec![1.0, 2.0, 1.0];
    let masked = MarksMatrix::from_optional_rows(ids.clone(), max.clone(), &marks).expect("matrix");
    let report = analyse(&masked, &plain(3)).expect("report");

    // Item 1 was seen by attempts 1, 3, 4, 6, 7: the same rows with every
    // item seen have the same totals, so item 1's statistics must agree.
    let rows = [0, 2, 3, 5, 6];
    let sub_ids: Vec<i64> = rows.iter().map(|&i| ids[i]).collect();
    let sub_marks: Vec<f64> = rows.iter().flat_map(|&i| SEEN[i].map(|m| m.unwrap_or(0.0))).collect();
    let sub = MarksMatrix::from_rows(sub_ids, max, &sub_marks).expect("matrix");
    let sub_report = analyse(&sub, &plain(3)).expect("report");
    let (a, b) = (&report.items[1], &sub_report.items[1]);
    assert_eq!(a.n, 5);
    assert_eq!(a.group_size, 1);
    assert_eq!(a.facility_percent, b.facility_percent);
    assert_eq!(a.sd_percent, b.sd_percent);
    assert_eq!(a.discrimination_index, b.discrimination_index);
    assert_eq!(a.discriminative_efficiency, b.discriminative_efficiency);
    assert_eq!(a.point_biserial, b.point_biserial);
    assert_eq!(a.upper_lower_index, b.upper_lower_index);
    assert_eq!(report.items[0].n, 7);
}

#[test]
fn test_statistics_use_every_slot_an_unseen_one_counting_zero() {
    let marks: Vec<Option<f64>> = SEEN.iter().flatten().copied().collect();
    let ids: Vec<i64> = (1..=7).collect();
    let masked = MarksMatrix::from_optional_rows(ids, vec![1.0, 2.0, 1.0], &marks).expect("m");
    let rows: Vec<Vec<f64>> = SEEN.iter().map(|r| r.map(|m| m.unwrap_or(0.0)).to_vec()).collect();
    let refs: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
    assert_eq!(
        test_statistics(&masked),
        test_statistics(&matrix(&[1.0, 2.0, 1.0], &refs))
    );
}

#[test]
fn random_guess_comes_from_the_question() {
    let credits = |credits: &[f64]| {
        credits
            .iter()
            .map(|&credit| OptionInfo {
                credit,
                is_key: credit == 1.0,
            })
            .collect::<Vec<_>>()
    };
    let single = ItemInfo {
        kind: ItemKind::SingleChoice,
        options: credits(&[1.0, 0.5, 0.0, 0.0]),
        chosen: None,
    };
    assert_eq!(random_guess_percent(&single), Some(37.5));
    assert_eq!(random_guess_percent(&ItemInfo::new(ItemKind::TrueFalse)), Some(50.0));
    for kind in [
        ItemKind::MultipleResponse,
        ItemKind::Numeric,
        ItemKind::ShortText,
        ItemKind::Essay,
    ] {
        assert_eq!(random_guess_percent(&ItemInfo::new(kind)), None);
    }
}

#[test]
fn multiple_response_shares_count_every_option_chosen() {
    let m = matrix(&[1.0], &[&[1.0], &[0.5], &[0.0], &[0.0]]);
    let chosen = [&[0, 1][..], &[0], &[], &[1, 2]]
        .iter()
        .map(|o| OptionSet::from_indices(o).expect("options"))
        .collect();
    let options = vec![
        OptionInfo {
            credit: 0.5,
            is_key: true,
        },
        OptionInfo {
            credit: 0.5,
            is_key: true,
        },
        OptionInfo {
            credit: -0.5,
            is_key: false,
        },
    ];
    let info = ItemInfo::choice(ItemKind::MultipleResponse, options, chosen);
    let item = &analyse(&m, &[info]).expect("report").items[0];
    let all: Vec<Option<f64>> = item.distractors.iter().map(|d| d.share_all).collect();
    assert_eq!(all, [Some(0.5), Some(0.5), Some(0.25)]);
    assert_eq!(item.blank.as_ref().and_then(|b| b.share_all), Some(0.25));
    assert_eq!(item.random_guess_percent, None);
}

#[test]
fn option_sets_hold_up_to_64_options() {
    let set = OptionSet::from_indices(&[0, 5, 63]).expect("set");
    assert!(set.contains(5) && set.contains(63) && !set.contains(1) && !set.contains(64));
    assert!(OptionSet::BLANK.is_blank());
    assert_eq!(OptionSet::single(64), None);
    assert_eq!(OptionSet::from_indices(&[1, 64]), None);
}

#[test]
fn malformed_input_is_refused_with_a_reason() {
    let ids = || vec![1, 2];
    let refused = |r: Result<MarksMatrix, StatsError>| r.expect_err("should be refused");
    assert_eq!(
        refused(MarksMatrix::from_rows(ids(), vec![1.0, 1.0], &[1.0, 0.0, 1.0])),
        StatsError::ShapeMismatch { expected: 4, found: 3 }
    );
    assert_eq!(
        refused(MarksMatrix::from_rows(ids(), vec![1.0, 0.0], &[0.0; 4])),
        StatsError::InvalidMaxMark { item: 1, value: 0.0 }
    );
    assert_eq!(
        refused(MarksMatrix::from_rows(
            ids(),
            vec![1.0, 1.0],
            &[0.0, 0.0, f64::NAN, 0.0]
        )),
        StatsError::NonFiniteMark { attempt: 1, item: 0 }
    );
    assert_eq!(
        refused(MarksMatrix::from_rows(vec![4, 4], vec![1.0], &[0.0, 1.0])),
        StatsError::DuplicateAttemptId(4)
    );
    assert_eq!(
        refused(MarksMatrix::from_rows(ids(), Vec::new(), &[])),
        StatsError::NoItems
    );

    let m = matrix(&[1.0], &[&[1.0], &[0.0]]);
    assert_eq!(
        analyse(&m, &plain(2)).expect_err("item count"),
        StatsError::ItemCount { expected: 1, found: 2 }
    );
    let option = OptionInfo {
        credit: 1.0,
        is_key: true,
    };
    let short = ItemInfo::choice(ItemKind::SingleChoice, vec![option], vec![OptionSet::BLANK]);
    assert!(matches!(analyse(&m, &[short]), Err(StatsError::ChoiceCount { .. })));
    let unknown = ItemInfo::choice(
        ItemKind::SingleChoice,
        vec![option],
        vec![OptionSet::BLANK, OptionSet::single(1).expect("set")],
    );
    let error = analyse(&m, &[unknown]).expect_err("unknown option");
    assert_eq!(error, StatsError::UnknownOption { item: 0, attempt: 1 });
    assert!(error.to_string().contains("attempt 1"));
}

#[test]
fn the_report_serialises_nulls_and_snake_case_names() {
    let m = matrix(&[1.0, 1.0], &[&[1.0, 0.0], &[0.0, 1.0]]);
    let infos = [ItemKind::SingleChoice, ItemKind::TrueFalse].map(ItemInfo::new);
    let json = serde_json::to_value(analyse(&m, &infos).expect("report")).expect("json");
    assert!(json["test"]["skewness"].is_null());
    assert!(json["test"]["cronbach_alpha"].is_null());
    assert_eq!(json["test"]["mean_percent"], 50.0);
    assert_eq!(json["groups"]["size"], 1);
    assert!(json["groups"]["tie_break"]
        .as_str()
        .expect("rule")
        .contains("attempt id"));
    assert_eq!(json["items"][0]["kind"], "single_choice");
    assert!(json["items"][0]["upper_lower_index"].is_null());
    assert!(json["items"][0]["blank"].is_null());
    assert_eq!(json["items"][1]["random_guess_percent"], 50.0);
}
