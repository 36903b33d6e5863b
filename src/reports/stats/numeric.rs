//! Small numeric tools shared by the test and item statistics.

/// Neumaier's compensated sum: the means feed every centred sum after them,
/// so their rounding error is kept near one ulp however many attempts.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    #[inline]
    pub(super) fn add(&mut self, value: f64) {
        let next = self.sum + value;
        if self.sum.abs() >= value.abs() {
            self.compensation += (self.sum - next) + value;
        } else {
            self.compensation += (value - next) + self.sum;
        }
        self.sum = next;
    }

    pub(super) fn value(self) -> f64 {
        self.sum + self.compensation
    }
}

/// Mean of a non-empty slice.
pub(super) fn mean(values: &[f64]) -> f64 {
    let mut sum = Sum::default();
    for &v in values {
        sum.add(v);
    }
    sum.value() / crate::convert::count_f64(values.len())
}

/// Smallest and largest value, or (+inf, -inf) for an empty slice.
pub(super) fn min_max(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    })
}

/// Whether values spanning `lo..=hi` have zero variance. Values that are
/// equal in exact arithmetic can differ in the last bits once summed in a
/// different order (a rest score T − x), so a spread of a few ulps counts as
/// none: a "variance" made of rounding error would give a meaningless
/// correlation where the definition says null.
pub(super) fn no_spread(lo: f64, hi: f64) -> bool {
    hi - lo <= 1e-10 * lo.abs().max(hi.abs()).max(1.0)
}

/// Totals are compared after rounding to 1e-9 marks, so that two totals
/// equal in exact arithmetic rank as a tie (and the attempt id decides)
/// rather than by the order in which their marks were added.
pub(super) fn tie_key(total: f64) -> i64 {
    crate::convert::round_i64(total * 1e9)
}

/// The size of each 27 % group: round(0.27 · n), halves rounded up, in
/// integers so that 0.27 · n's binary rounding cannot move a boundary.
pub fn group_size(n: usize) -> usize {
    (27 * n + 50) / 100
}
