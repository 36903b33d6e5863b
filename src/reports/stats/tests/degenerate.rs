//! Degenerate inputs give null, never NaN and never a made-up 0.

use super::{matrix, plain};
use crate::reports::stats::{analyse, test_statistics, ItemInfo, ItemKind, MarksMatrix, Report};

fn report(max_marks: &[f64], rows: &[&[f64]]) -> Report {
    let report = analyse(&matrix(max_marks, rows), &plain(max_marks.len())).expect("report");
    let debug = format!("{report:?}");
    assert!(!debug.contains("NaN") && !debug.contains("inf"), "{debug}");
    report
}

#[test]
fn an_empty_cohort_leaves_every_statistic_null() {
    let matrix = MarksMatrix::from_rows(Vec::new(), vec![1.0, 3.0], &[]).expect("matrix");
    let infos = [ItemKind::TrueFalse, ItemKind::Essay].map(ItemInfo::new);
    let report = analyse(&matrix, &infos).expect("report");
    let test = &report.test;
    assert_eq!(test.n, 0);
    assert_eq!(test.max_total, 4.0);
    for v in [
        test.mean,
        test.mean_percent,
        test.median,
        test.median_percent,
        test.sd,
        test.sd_percent,
        test.skewness,
        test.kurtosis,
        test.cronbach_alpha,
        test.kr20,
        test.error_ratio_percent,
        test.standard_error,
        test.standard_error_percent,
    ] {
        assert_eq!(v, None);
    }
    for item in &report.items {
        assert_eq!(item.n, 0);
        assert_eq!(item.group_size, 0);
        for v in [
            item.facility_percent,
            item.sd_percent,
            item.effective_weight_percent,
            item.discrimination_index,
            item.discriminative_efficiency,
            item.point_biserial,
            item.upper_lower_index,
        ] {
            assert_eq!(v, None);
        }
        assert!(item.flags.is_empty());
    }
    // From the question, not the data.
    assert_eq!(report.items[0].random_guess_percent, Some(50.0));
    assert_eq!(report.items[1].intended_weight_percent, 75.0);
}

#[test]
fn one_attempt_has_a_mean_and_median_but_no_spread() {
    let report = report(&[1.0, 1.0], &[&[1.0, 0.5]]);
    let test = &report.test;
    assert_eq!((test.mean, test.median), (Some(1.5), Some(1.5)));
    assert_eq!(test.mean_percent, Some(75.0));
    assert_eq!((test.sd, test.skewness, test.cronbach_alpha), (None, None, None));
    let item = &report.items[1];
    assert_eq!(item.facility_percent, Some(50.0));
    assert_eq!((item.sd_percent, item.discrimination_index), (None, None));
    assert_eq!(item.effective_weight_percent, None);
}

#[test]
fn skewness_and_alpha_need_three_attempts() {
    let two = report(&[1.0, 1.0], &[&[1.0, 1.0], &[0.0, 1.0]]);
    assert!(two.test.sd.is_some());
    assert_eq!((two.test.skewness, two.test.cronbach_alpha), (None, None));
    assert_eq!(two.test.standard_error_percent, None);
    let three = report(&[1.0, 1.0], &[&[1.0, 1.0], &[0.0, 1.0], &[0.0, 0.0]]);
    assert!(three.test.skewness.is_some());
    assert!(three.test.cronbach_alpha.is_some());
    assert_eq!(three.test.kurtosis, None);
}

#[test]
fn kurtosis_and_the_upper_lower_index_need_four_attempts() {
    let rows: [&[f64]; 4] = [&[1.0, 1.0], &[0.0, 1.0], &[1.0, 0.0], &[0.0, 0.0]];
    let three = report(&[1.0, 1.0], &rows[..3]);
    assert_eq!(three.test.kurtosis, None);
    assert_eq!(three.items[0].upper_lower_index, None);
    assert!(three.items[0].distractors.is_empty());
    let four = report(&[1.0, 1.0], &rows);
    assert!(four.test.kurtosis.is_some());
    // Group size 1: attempt 1 (total 2) over attempt 4 (total 0).
    assert_eq!(four.items[0].upper_lower_index, Some(1.0));
}

#[test]
fn skewness_and_kurtosis_agree_with_excel() {
    // Excel's documented examples for SKEW and KURT use these ten values.
    let values = [3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 5.0, 6.0, 4.0, 7.0];
    let rows: Vec<[f64; 1]> = values.iter().map(|&v| [v]).collect();
    let rows: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
    let test = test_statistics(&matrix(&[10.0], &rows));
    assert!((test.skewness.expect("skewness") - 0.359543).abs() < 1e-6);
    assert!((test.kurtosis.expect("kurtosis") + 0.151799637).abs() < 1e-6);
}

#[test]
fn equal_totals_null_the_shape_and_the_reliability() {
    // Every total is 1: SD is a true 0, the rest is undefined.
    let report = report(&[1.0, 1.0], &[&[1.0, 0.0], &[0.0, 1.0], &[1.0, 0.0], &[0.0, 1.0]]);
    let test = &report.test;
    assert_eq!((test.sd, test.sd_percent), (Some(0.0), Some(0.0)));
    for v in [
        test.skewness,
        test.kurtosis,
        test.cronbach_alpha,
        test.kr20,
        test.error_ratio_percent,
        test.standard_error,
        test.standard_error_percent,
    ] {
        assert_eq!(v, None);
    }
    let item = &report.items[0];
    // Against a constant total the item-total correlation is undefined...
    assert_eq!(item.point_biserial, None);
    // ...the rest score 1 − x is not constant: perfectly opposed.
    assert!((item.discrimination_index.expect("index") + 100.0).abs() < 1e-9);
    assert!((item.discriminative_efficiency.expect("efficiency") + 100.0).abs() < 1e-9);
    // Cov(x_j, T) = 0 for both items: the weights' sum is 0.
    assert!(report.items.iter().all(|i| i.effective_weight_percent.is_none()));
}

#[test]
fn a_constant_item_has_zero_spread_and_no_correlation() {
    let report = report(&[1.0, 1.0], &[&[0.0, 1.0], &[1.0, 1.0], &[0.5, 1.0], &[1.0, 1.0]]);
    let constant = &report.items[1];
    assert_eq!(constant.facility_percent, Some(100.0));
    assert_eq!(constant.sd_percent, Some(0.0));
    assert_eq!(constant.discrimination_index, None);
    assert_eq!(constant.discriminative_efficiency, None);
    assert_eq!(constant.point_biserial, None);
    assert_eq!(constant.effective_weight_percent, Some(0.0));
    assert_eq!(report.items[0].effective_weight_percent, Some(100.0));
}

#[test]
fn a_constant_rest_score_makes_cov_max_zero_and_efficiency_null() {
    // Item 0's rest score is item 1's mark, always 1.
    let report = report(&[1.0, 1.0], &[&[0.0, 1.0], &[1.0, 1.0], &[0.5, 1.0], &[1.0, 1.0]]);
    let item = &report.items[0];
    assert!(item.sd_percent.expect("sd") > 0.0);
    assert_eq!(item.discrimination_index, None);
    assert_eq!(item.discriminative_efficiency, None);
    // The total still varies with the item.
    assert!((item.point_biserial.expect("r") - 1.0).abs() < 1e-12);
}

#[test]
fn a_single_item_test_has_no_alpha() {
    let report = report(&[1.0], &[&[1.0], &[0.0], &[1.0], &[0.5], &[0.0]]);
    let test = &report.test;
    assert!(test.sd.is_some() && test.skewness.is_some());
    assert_eq!((test.cronbach_alpha, test.kr20), (None, None));
    assert_eq!((test.error_ratio_percent, test.standard_error_percent), (None, None));
}

#[test]
fn an_item_against_the_total_gets_no_effective_weight() {
    let report = report(
        &[1.0, 1.0, 1.0],
        &[&[1.0, 1.0, 0.0], &[1.0, 1.0, 0.0], &[0.0, 0.0, 1.0], &[0.0, 0.0, 1.0]],
    );
    let weights: Vec<Option<f64>> = report.items.iter().map(|i| i.effective_weight_percent).collect();
    assert_eq!(weights, [Some(50.0), Some(50.0), None]);
}

#[test]
fn kr20_is_alpha_when_every_mark_is_nothing_or_full() {
    let report = report(
        &[1.0, 2.0, 1.0],
        &[
            &[1.0, 2.0, 1.0],
            &[1.0, 0.0, 1.0],
            &[0.0, 2.0, 0.0],
            &[0.0, 0.0, 1.0],
            &[0.0, 0.0, 0.0],
        ],
    );
    assert!(report.test.cronbach_alpha.is_some());
    assert_eq!(report.test.kr20, report.test.cronbach_alpha);
}
