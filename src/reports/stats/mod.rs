//! Item analysis and score statistics, by the definitions of
//! `docs/STATISTICS.md` (Moodle's quiz statistics and a few more).
//!
//! Pure: marks in, numbers out, no database and no web. Every statistic whose
//! inputs are degenerate is `None` (JSON null), never NaN and never a fake 0.
//!
//! ```
//! use assay::reports::stats::{analyse, ItemInfo, ItemKind, MarksMatrix};
//!
//! // Four attempts (ids 6 to 9) on two 1-mark items, row by row.
//! let marks = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.5];
//! let matrix = MarksMatrix::from_rows(vec![6, 7, 8, 9], vec![1.0, 1.0], &marks)?;
//! let report = analyse(&matrix, &vec![ItemInfo::new(ItemKind::Numeric); 2])?;
//! assert_eq!(report.test.median_percent, Some(62.5)); // totals 2, 1, 0, 1.5
//! assert_eq!(report.items[1].facility_percent, Some(37.5));
//! assert_eq!(report.groups.size, 1); // round(0.27 · 4)
//! assert_eq!(report.items[0].upper_lower_index, Some(1.0));
//! # Ok::<(), assay::reports::stats::StatsError>(())
//! ```
//!
//! Items an attempt did not see (forms drawing different questions) are
//! given as `None` marks ([`MarksMatrix::from_optional_rows`]): each item's
//! statistics then use only the attempts that saw it, against those
//! attempts' totals and 27 % groups, while the test statistics use every
//! slot, an unseen one counting 0.

mod distractors;
mod flags;
mod input;
mod item;
mod numeric;
mod test_level;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use distractors::{OptionShares, Shares};
pub use flags::{Flag, DUBIOUS_EFFICIENCY_BELOW, LOW_DISCRIMINATION_BELOW, TOO_EASY_ABOVE, TOO_HARD_BELOW};
pub use input::{ItemInfo, ItemKind, MarksMatrix, OptionInfo, OptionSet, StatsError};
pub use item::{random_guess_percent, ItemStats};
pub use numeric::group_size;
pub use test_level::{percentile_rank, percentile_ranks, standard_error_percent, test_statistics, TestStats};

/// How the upper and lower 27 % groups are drawn; stated in every report.
pub const TIE_BREAK: &str = "attempts ranked by total, highest first (totals compared after \
     rounding to 1e-9 marks), ties ordered by attempt id ascending; the upper group is the first \
     round(0.27 n) of that order and the lower group the last, so at a tie across a cut \
     the lower attempt id goes up";

/// The 27 % group rule as applied to the whole cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRule {
    /// round(0.27 · s); an item seen by fewer attempts has its own
    /// [`ItemStats::group_size`].
    pub size: usize,
    pub fraction: f64,
    pub tie_break: &'static str,
}

/// Everything about one assessment's marks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub test: TestStats,
    pub groups: GroupRule,
    pub items: Vec<ItemStats>,
}

/// Test and item statistics for a marks matrix, `items[j]` describing
/// column `j`. O(s·k + k·s log s).
pub fn analyse(matrix: &MarksMatrix, items: &[ItemInfo]) -> Result<Report, StatsError> {
    if items.len() != matrix.items() {
        return Err(StatsError::ItemCount {
            expected: matrix.items(),
            found: items.len(),
        });
    }
    for (j, info) in items.iter().enumerate() {
        info.validate(j, matrix.attempts())?;
    }
    let totals = matrix.totals();
    Ok(Report {
        test: test_level::from_totals(matrix, &totals),
        groups: GroupRule {
            size: group_size(matrix.attempts()),
            fraction: 0.27,
            tie_break: TIE_BREAK,
        },
        items: item::item_statistics(matrix, items, &totals),
    })
}
