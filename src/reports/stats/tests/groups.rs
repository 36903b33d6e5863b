//! The 27 % groups, the distractor shares and the flags, on matrices worked
//! by hand.

use super::{matrix, plain};
use crate::reports::stats::{analyse, group_size, Flag, ItemInfo, ItemKind, MarksMatrix, OptionInfo, OptionSet};

#[test]
fn group_size_is_27_percent_rounded_half_up() {
    let sizes: Vec<usize> = [0, 1, 2, 3, 4, 10, 50, 100, 101].into_iter().map(group_size).collect();
    // 0.27 · 50 = 13.5 rounds up to 14.
    assert_eq!(sizes, [0, 0, 1, 1, 1, 3, 14, 27, 27]);
}

/// Ten attempts, rows deliberately not in id order. Item 0 (1 mark) is a
/// single-choice question keyed B; item 1 has 2 marks. Totals: id 10 has 3;
/// ids 3, 5, 7 tie on 2; ids 1, 2, 4, 8 tie on 1; ids 6, 9 have 0.
/// Ranked: 10, 3, 5, 7, 1, 2, 4, 8, 6, 9 — upper group {10, 3, 5}, lower
/// group {8, 6, 9}.
fn ten_attempts() -> (MarksMatrix, Vec<ItemInfo>) {
    // (id, item 0 mark, item 1 mark, option chosen on item 0)
    let rows: [(i64, f64, f64, Option<usize>); 10] = [
        (5, 0.0, 2.0, Some(2)),
        (1, 0.0, 1.0, Some(0)),
        (10, 1.0, 2.0, Some(1)),
        (7, 1.0, 1.0, Some(1)),
        (9, 0.0, 0.0, Some(0)),
        (3, 0.0, 2.0, Some(0)),
        (8, 1.0, 0.0, Some(1)),
        (2, 0.0, 1.0, Some(2)),
        (6, 0.0, 0.0, None),
        (4, 1.0, 0.0, Some(1)),
    ];
    let ids = rows.iter().map(|r| r.0).collect();
    let marks: Vec<f64> = rows.iter().flat_map(|r| [r.1, r.2]).collect();
    let chosen = rows
        .iter()
        .map(|r| r.3.map_or(OptionSet::BLANK, |o| OptionSet::single(o).expect("option")))
        .collect();
    let options = (0..4)
        .map(|o| OptionInfo {
            credit: if o == 1 { 1.0 } else { 0.0 },
            is_key: o == 1,
        })
        .collect();
    let infos = vec![
        ItemInfo::choice(ItemKind::SingleChoice, options, chosen),
        ItemInfo::new(ItemKind::Numeric),
    ];
    let matrix = MarksMatrix::from_rows(ids, vec![1.0, 2.0], &marks).expect("matrix");
    (matrix, infos)
}

#[test]
fn ties_at_the_cut_put_the_lower_attempt_id_in_the_upper_group() {
    let (matrix, infos) = ten_attempts();
    let report = analyse(&matrix, &infos).expect("report");
    assert_eq!(report.groups.size, 3);
    assert!(report.groups.tie_break.contains("attempt id ascending"));
    // Item 0: upper {10, 3, 5} scores 1, 0, 0 and lower {8, 6, 9} scores
    // 1, 0, 0, so p_U − p_L = 1/3 − 1/3 = 0. Breaking ties the other way
    // (upper {10, 3, 7}, lower {1, 6, 9}) would give 2/3 − 0.
    let item0 = &report.items[0];
    assert_eq!(item0.group_size, 3);
    assert!(item0.upper_lower_index.expect("index").abs() < 1e-12);
    // Item 1: upper 2, 2, 2 of 2 → 1; lower 0, 0, 0 → 0.
    assert!((report.items[1].upper_lower_index.expect("index") - 1.0).abs() < 1e-12);
}

#[test]
fn distractor_shares_count_all_upper_and_lower_choices() {
    let (matrix, infos) = ten_attempts();
    let item = &analyse(&matrix, &infos).expect("report").items[0];
    let table: Vec<(usize, bool, [f64; 3])> = item
        .distractors
        .iter()
        .map(|d| {
            let share = |v: Option<f64>| v.expect("share");
            (
                d.option,
                d.is_key,
                [share(d.share_all), share(d.share_upper), share(d.share_lower)],
            )
        })
        .collect();
    let third = 1.0 / 3.0;
    let expected = [
        // A: ids 1, 3, 9 of all; 3 of the upper group; 9 of the lower.
        (0, false, [0.3, third, third]),
        // B, the key: ids 4, 7, 8, 10; 10 upper; 8 lower.
        (1, true, [0.4, third, third]),
        // C: ids 2, 5; 5 upper.
        (2, false, [0.2, third, 0.0]),
        // D: nobody.
        (3, false, [0.0, 0.0, 0.0]),
    ];
    assert_eq!(table.len(), expected.len());
    for ((option, key, shares), (e_option, e_key, e_shares)) in table.iter().zip(expected) {
        assert_eq!((*option, *key), (e_option, e_key));
        for (a, e) in shares.iter().zip(e_shares) {
            assert!((a - e).abs() < 1e-12, "option {option}: {shares:?}");
        }
    }
    // Id 6 left it blank: 1 of 10, none of the upper group, 1 of 3 lower.
    let blank = item.blank.as_ref().expect("blank shares");
    assert_eq!(blank.share_all, Some(0.1));
    assert_eq!(blank.share_upper, Some(0.0));
    assert!((blank.share_lower.expect("lower") - third).abs() < 1e-12);
    assert!(item.flags.contains(&Flag::UnusedDistractor { option: 3 }));
    assert!(!item.flags.iter().any(|f| f.name() == "likely_miskey"));
}

#[test]
fn items_without_responses_have_no_distractor_table() {
    let (matrix, infos) = ten_attempts();
    let item = &analyse(&matrix, &infos).expect("report").items[1];
    assert!(item.distractors.is_empty());
    assert_eq!(item.blank, None);
}

/// Forty attempts ranked by ability: attempt i (id i + 1) is stronger the
/// smaller i is. Items 0–3 carry the ranking; each further item is crafted
/// to raise one flag.
fn flagged() -> (MarksMatrix, Vec<ItemInfo>) {
    let s = 40;
    let mut rows = Vec::new();
    for i in 0..s {
        let strong = |cut: usize| if i < cut { 1.0 } else { 0.0 };
        rows.push(vec![
            strong(16),
            strong(20),
            strong(24),
            strong(28),
            strong(2),                                  // 4: too hard (5 %)
            if i == s - 1 { 0.5 } else { 1.0 },         // 5: too easy (98.75 %)
            1.0 - strong(20),                           // 6: reversed, negative
            if i % 4 == 1 { 1.0 } else { 0.0 },         // 7: barely related
            if i >= 20 && i != 38 { 1.0 } else { 0.0 }, // 8: keyed B, upper chose C
        ]);
    }
    let row_refs: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
    let matrix = matrix(&[1.0; 9], &row_refs);
    let mut infos = plain(9);
    // Item 8: the strong half chose C (2), the weak half the key B (1) but
    // for one attempt who chose A (0); nobody chose D (3).
    let chosen = (0..s)
        .map(|i| {
            let option = match i {
                _ if i < 20 => 2,
                38 => 0,
                _ => 1,
            };
            OptionSet::single(option).expect("option")
        })
        .collect();
    let options = (0..4)
        .map(|o| OptionInfo {
            credit: if o == 1 { 1.0 } else { 0.0 },
            is_key: o == 1,
        })
        .collect();
    infos[8] = ItemInfo::choice(ItemKind::SingleChoice, options, chosen);
    (matrix, infos)
}

fn names(flags: &[Flag]) -> Vec<&'static str> {
    flags.iter().map(|f| f.name()).collect()
}

#[test]
fn a_well_behaved_item_raises_no_flag() {
    let (matrix, infos) = flagged();
    let report = analyse(&matrix, &infos).expect("report");
    for item in &report.items[..4] {
        assert_eq!(names(&item.flags), Vec::<&str>::new(), "item {}", item.item);
    }
}

#[test]
fn facility_under_10_percent_is_flagged_too_hard() {
    let (matrix, infos) = flagged();
    let item = &analyse(&matrix, &infos).expect("report").items[4];
    assert_eq!(item.facility_percent, Some(5.0));
    assert!(item.flags.contains(&Flag::TooHard));
}

#[test]
fn facility_over_95_percent_is_flagged_too_easy() {
    let (matrix, infos) = flagged();
    let item = &analyse(&matrix, &infos).expect("report").items[5];
    assert!(item.facility_percent.expect("facility") > 95.0);
    assert!(item.flags.contains(&Flag::TooEasy));
}

#[test]
fn negative_discrimination_is_flagged_and_dubious() {
    let (matrix, infos) = flagged();
    let item = &analyse(&matrix, &infos).expect("report").items[6];
    assert!(item.discrimination_index.expect("index") < 0.0);
    assert_eq!(names(&item.flags), ["negative_discrimination", "dubious_efficiency"]);
}

#[test]
fn weak_positive_discrimination_is_flagged_low_and_dubious() {
    let (matrix, infos) = flagged();
    let item = &analyse(&matrix, &infos).expect("report").items[7];
    let d = item.discrimination_index.expect("index");
    assert!((0.0..15.0).contains(&d), "discrimination {d}");
    assert!(item.discriminative_efficiency.expect("efficiency") < 15.0);
    assert_eq!(names(&item.flags), ["low_discrimination", "dubious_efficiency"]);
}

#[test]
fn upper_group_preferring_a_wrong_option_is_flagged_as_a_likely_miskey() {
    let (matrix, infos) = flagged();
    let item = &analyse(&matrix, &infos).expect("report").items[8];
    assert!(item.flags.contains(&Flag::LikelyMiskey { option: 2 }));
    assert!(item.flags.contains(&Flag::UnusedDistractor { option: 3 }));
    assert!(!item.flags.contains(&Flag::UnusedDistractor { option: 0 }));
    let miskey = serde_json::to_value(Flag::LikelyMiskey { option: 2 }).expect("json");
    assert_eq!(miskey["name"], "likely_miskey");
    assert_eq!(miskey["option"], 2);
    assert!(miskey["message"].as_str().expect("message").contains("option C"));
}

#[test]
fn every_flag_has_a_sentence_for_the_trainer() {
    let all = [
        Flag::TooHard,
        Flag::TooEasy,
        Flag::NegativeDiscrimination,
        Flag::LowDiscrimination,
        Flag::DubiousEfficiency,
        Flag::UnusedDistractor { option: 0 },
        Flag::LikelyMiskey { option: 30 },
    ];
    for flag in all {
        let message = flag.message();
        assert!(message.ends_with('.') && message.len() > 30, "{message}");
        let json = serde_json::to_value(flag).expect("json");
        assert_eq!(json["name"], flag.name());
        assert_eq!(json.get("option").is_some(), flag.option().is_some());
    }
    assert!(Flag::LikelyMiskey { option: 30 }.message().contains("option 31"));
}
