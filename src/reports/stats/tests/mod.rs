//! The statistics module's promises, checked on Moodle's own reference data
//! and on small matrices worked by hand.

mod degenerate;
mod groups;
mod inputs;
mod moodle;
mod percentiles;

use super::{ItemInfo, ItemKind, MarksMatrix};

/// A matrix from rows of marks, attempt ids 1..=s.
fn matrix(max_marks: &[f64], rows: &[&[f64]]) -> MarksMatrix {
    let ids = (1..=i64::try_from(rows.len()).unwrap()).collect();
    let marks: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    MarksMatrix::from_rows(ids, max_marks.to_vec(), &marks).expect("valid matrix")
}

/// Item data for `k` items with no option data.
fn plain(k: usize) -> Vec<ItemInfo> {
    vec![ItemInfo::new(ItemKind::Numeric); k]
}

#[track_caller]
fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: expected {expected}, got null"));
    assert!(
        (actual - expected).abs() <= 1e-6,
        "{what}: expected {expected}, got {actual}"
    );
}
