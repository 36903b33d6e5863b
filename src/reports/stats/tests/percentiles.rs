//! Percentile ranks: 100 · (count below + ½ · count equal) / s.

use crate::reports::stats::{percentile_rank, percentile_ranks};

#[test]
fn percentile_rank_counts_half_of_the_ties() {
    let totals = [30.0, 10.0, 20.0, 40.0, 20.0];
    // 20: one below, two equal → (1 + 1) / 5.
    assert_eq!(percentile_rank(20.0, &totals), Some(40.0));
    assert_eq!(percentile_rank(10.0, &totals), Some(10.0));
    assert_eq!(percentile_rank(40.0, &totals), Some(90.0));
    // A total nobody has: three below it.
    assert_eq!(percentile_rank(25.0, &totals), Some(60.0));
    assert_eq!(percentile_rank(0.0, &totals), Some(0.0));
    assert_eq!(percentile_rank(99.0, &totals), Some(100.0));
}

#[test]
fn percentile_ranks_of_everyone_agree_with_one_at_a_time() {
    let totals = [30.0, 10.0, 20.0, 40.0, 20.0];
    assert_eq!(percentile_ranks(&totals), [70.0, 10.0, 40.0, 90.0, 40.0]);
}

#[test]
fn totals_equal_but_for_rounding_are_ties() {
    let totals = [0.1 + 0.2, 0.3, 1.0];
    assert_eq!(percentile_rank(0.3, &totals), Some(100.0 / 3.0));
    assert_eq!(percentile_ranks(&totals)[0], 100.0 / 3.0);
}

#[test]
fn percentile_rank_among_nobody_is_null() {
    assert_eq!(percentile_rank(5.0, &[]), None);
    assert!(percentile_ranks(&[]).is_empty());
}
