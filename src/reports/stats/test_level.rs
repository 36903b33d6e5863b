//! Statistics of the total score T: location, spread, shape and reliability.

use serde::Serialize;

use super::input::MarksMatrix;
use super::numeric::{mean, min_max, no_spread, tie_key, Sum};
use crate::convert::count_f64;

/// Test statistics. Marks fields are in the assessment's marks, `_percent`
/// fields in percent of Σ m_j; `None` (JSON null) where STATISTICS.md says
/// the inputs are degenerate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestStats {
    /// s, the number of attempts.
    pub n: usize,
    /// k, the number of items (slots).
    pub items: usize,
    /// Σ m_j.
    pub max_total: f64,
    pub mean: Option<f64>,
    pub mean_percent: Option<f64>,
    pub median: Option<f64>,
    pub median_percent: Option<f64>,
    /// Sample SD of T (divisor s − 1).
    pub sd: Option<f64>,
    pub sd_percent: Option<f64>,
    /// k3 / k2^{3/2}, as Excel's SKEW.
    pub skewness: Option<f64>,
    /// k4 / k2², excess kurtosis as Excel's KURT.
    pub kurtosis: Option<f64>,
    /// Cronbach's alpha, a coefficient (not a percent).
    pub cronbach_alpha: Option<f64>,
    /// Alpha, only when every mark is 0 or the item's full mark.
    pub kr20: Option<f64>,
    /// 100 · √(1 − alpha).
    pub error_ratio_percent: Option<f64>,
    /// SD(T) · √(1 − alpha), the standard error of measurement, in marks.
    pub standard_error: Option<f64>,
    pub standard_error_percent: Option<f64>,
}

impl TestStats {
    /// Takes the percent figures (mean, median, SD and the standard error in
    /// percent) from each attempt's own percent: its score over its own
    /// form's maximum. The marks figures add slots, and a slot's maximum is
    /// the most any form put there, so with forms that place questions of
    /// different points in one slot, Σ m_j exceeds every form's maximum and
    /// a percent of it would disagree with every result shown.
    pub fn with_own_percents(mut self, percents: &[f64]) -> TestStats {
        if percents.is_empty() {
            return self;
        }
        let (lo, hi) = min_max(percents);
        self.mean_percent = Some(mean(percents));
        self.median_percent = Some(median(percents));
        self.sd_percent = (percents.len() >= 2).then(|| {
            if no_spread(lo, hi) {
                return 0.0;
            }
            let m = mean(percents);
            let mut squares = Sum::default();
            for p in percents {
                squares.add((p - m) * (p - m));
            }
            (squares.value() / (count_f64(percents.len()) - 1.0)).sqrt()
        });
        // SEM = SD · √(1 − alpha); the error ratio is 100 · √(1 − alpha).
        self.standard_error_percent = match (self.sd_percent, self.error_ratio_percent) {
            (Some(sd), Some(ratio)) => Some(sd * ratio / 100.0),
            _ => None,
        };
        self
    }
}

/// Test statistics alone, without the per-item work: O(s · k).
/// Every slot counts, an unseen one as a mark of 0.
pub fn test_statistics(matrix: &MarksMatrix) -> TestStats {
    from_totals(matrix, &matrix.totals())
}

/// The standard error of measurement in percent of Σ m_j, for routing's
/// review band; `None` when alpha is.
pub fn standard_error_percent(matrix: &MarksMatrix) -> Option<f64> {
    test_statistics(matrix).standard_error_percent
}

pub(super) fn from_totals(matrix: &MarksMatrix, totals: &[f64]) -> TestStats {
    let s = totals.len();
    let k = matrix.items();
    let max_total = matrix.max_total();
    let percent = |v: Option<f64>| v.map(|v| 100.0 * v / max_total);
    let mut stats = TestStats {
        n: s,
        items: k,
        max_total,
        mean: None,
        mean_percent: None,
        median: None,
        median_percent: None,
        sd: None,
        sd_percent: None,
        skewness: None,
        kurtosis: None,
        cronbach_alpha: None,
        kr20: None,
        error_ratio_percent: None,
        standard_error: None,
        standard_error_percent: None,
    };
    if s == 0 {
        return stats;
    }
    let sf = count_f64(s);
    let t_mean = mean(totals);
    let (lo, hi) = min_max(totals);
    let flat = no_spread(lo, hi);
    let (mut sum2, mut sum3, mut sum4) = (Sum::default(), Sum::default(), Sum::default());
    for &t in totals {
        let d = t - t_mean;
        let d2 = d * d;
        sum2.add(d2);
        sum3.add(d2 * d);
        sum4.add(d2 * d2);
    }
    let (m2, m3, m4) = (sum2.value() / sf, sum3.value() / sf, sum4.value() / sf);

    stats.mean = Some(t_mean);
    stats.median = Some(median(totals));
    if s >= 2 {
        stats.sd = Some(if flat { 0.0 } else { (sum2.value() / (sf - 1.0)).sqrt() });
    }
    let k2 = sf * m2 / (sf - 1.0);
    if s >= 3 && !flat {
        let k3 = sf * sf * m3 / ((sf - 1.0) * (sf - 2.0));
        stats.skewness = Some(k3 / k2.powf(1.5));
    }
    if s >= 4 && !flat {
        let k4 = sf * sf * ((sf + 1.0) * m4 - 3.0 * (sf - 1.0) * m2 * m2) / ((sf - 1.0) * (sf - 2.0) * (sf - 3.0));
        stats.kurtosis = Some(k4 / (k2 * k2));
    }
    if s >= 3 && k >= 2 && !flat {
        let (item_squares, dichotomous) = item_sums_of_squares(matrix);
        let kf = count_f64(k);
        let alpha = kf / (kf - 1.0) * (1.0 - item_squares / sum2.value());
        // alpha ≤ 1 in exact arithmetic; rounding must not make √(1 − alpha) NaN.
        let unreliability = (1.0 - alpha).max(0.0).sqrt();
        stats.cronbach_alpha = Some(alpha);
        stats.kr20 = dichotomous.then_some(alpha);
        stats.error_ratio_percent = Some(100.0 * unreliability);
        stats.standard_error = stats.sd.map(|sd| sd * unreliability);
    }
    stats.mean_percent = percent(stats.mean);
    stats.median_percent = percent(stats.median);
    stats.sd_percent = percent(stats.sd);
    stats.standard_error_percent = percent(stats.standard_error);
    stats
}

/// Σ_j Σ_i (x_ij − x̄_j)², the item variances' numerators (the divisor s − 1
/// cancels against Var(T)'s in alpha), and whether every mark is 0 or full.
fn item_sums_of_squares(matrix: &MarksMatrix) -> (f64, bool) {
    let mut total = 0.0;
    let mut dichotomous = true;
    for (j, &max) in matrix.max_marks().iter().enumerate() {
        let column = matrix.column(j);
        let x_mean = mean(column);
        let mut squares = Sum::default();
        for &x in column {
            let d = x - x_mean;
            squares.add(d * d);
            dichotomous &= x == 0.0 || x == max;
        }
        let (lo, hi) = min_max(column);
        if !no_spread(lo, hi) {
            total += squares.value();
        }
    }
    (total, dichotomous)
}

/// The median of a non-empty slice; of an even count, the mean of the two
/// middle values.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    let mid = sorted.len() / 2;
    let (below, upper_mid, _) = sorted.select_nth_unstable_by(mid, f64::total_cmp);
    let upper_mid = *upper_mid;
    if values.len() % 2 == 1 {
        return upper_mid;
    }
    let lower_mid = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lower_mid + upper_mid) / 2.0
}

/// 100 · (count strictly below + ½ · count equal) / s: where `total` stands
/// among `all_totals`. `None` when there are no totals. Totals are compared
/// after rounding to 1e-9 marks, so sums that differ only by floating-point
/// rounding count as equal. O(s); for every attempt at once use
/// [`percentile_ranks`].
pub fn percentile_rank(total: f64, all_totals: &[f64]) -> Option<f64> {
    if all_totals.is_empty() {
        return None;
    }
    let key = tie_key(total);
    let (below, equal) = all_totals
        .iter()
        .fold((0usize, 0usize), |(below, equal), &t| match tie_key(t).cmp(&key) {
            std::cmp::Ordering::Less => (below + 1, equal),
            std::cmp::Ordering::Equal => (below, equal + 1),
            std::cmp::Ordering::Greater => (below, equal),
        });
    Some(100.0 * (count_f64(below) + 0.5 * count_f64(equal)) / count_f64(all_totals.len()))
}

/// The percentile rank of every total among all of them, in input order:
/// O(s log s).
pub fn percentile_ranks(totals: &[f64]) -> Vec<f64> {
    let mut keys: Vec<i64> = totals.iter().map(|&t| tie_key(t)).collect();
    keys.sort_unstable();
    let s = count_f64(totals.len());
    totals
        .iter()
        .map(|&t| {
            let key = tie_key(t);
            let below = keys.partition_point(|&k| k < key);
            let equal = keys.partition_point(|&k| k <= key) - below;
            100.0 * (count_f64(below) + 0.5 * count_f64(equal)) / s
        })
        .collect()
}
